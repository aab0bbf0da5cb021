"""The deployment package as an operator ships it: ``chalice package --stage prod --merge-template infra/app.json``,
run once for this module (it needs the package index, not an AWS account).

Checks what the zip holds and that the app runs from it alone, that the merged SAM template carries the
event source mapping settings Chalice cannot set, that the data stack's queues fit the functions, and that
both stacks pass cfn-lint (the SAM template after an offline samtranslator expansion).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.notifications import MAX_DELIVERY_ATTEMPTS, retry_budget
from devstack.package import PackageResult, expand_sam, package

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
STAGE = "prod"
REGION = "eu-west-1"
CONFIG = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
DATA_TEMPLATE = json.loads((ROOT / "infra" / "data.json").read_text(encoding="utf-8"))
# Chalice's function names (.chalice/config.json lambda_functions) and the logical ids in sam.json.
FUNCTIONS = {"api_handler": "APIHandler", "on_case_change": "OnCaseChange", "deliver": "Deliver"}
STREAM_EVENT = ("OnCaseChange", "OnCaseChangeDynamodbEventSource")
QUEUE_EVENT = ("Deliver", "DeliverSqsEventSource")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> PackageResult:
    """The package, built once for this module (make test distributes by file, so one worker runs it)."""
    return package(STAGE, tmp_path_factory.mktemp("package"))


@pytest.fixture(scope="module")
def sam(built: PackageResult) -> dict[str, Any]:
    return built.template()


@pytest.fixture(scope="module")
def extracted(built: PackageResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("lambda-task")
    with zipfile.ZipFile(built.deployment_zip) as archive:
        archive.extractall(target)
    return target


def zip_names(built: PackageResult) -> set[str]:
    with zipfile.ZipFile(built.deployment_zip) as archive:
        return {info.filename for info in archive.infolist() if not info.is_dir()}


def source_files(folder: Path) -> list[Path]:
    return sorted(
        path for path in folder.rglob("*") if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def event(sam: dict[str, Any], function: str, name: str) -> dict[str, Any]:
    return sam["Resources"][function]["Properties"]["Events"][name]


def run_from_zip(task_root: Path, code: str, *arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` with only the extracted zip and the standard library importable: -S (no site-packages),
    -I (no PYTHONPATH, no current directory), the task root first on sys.path, as /var/task in Lambda.
    ``sys.argv[1]`` is the task root, ``arguments`` follow it."""
    preamble = "import sys\nsys.path.insert(0, sys.argv[1])\n"
    env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, **environment}
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", preamble + textwrap.dedent(code), str(task_root), *arguments],
        cwd=task_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def lint(template: dict[str, Any]) -> tuple[list[str], list[str]]:
    """cfn-lint's errors and its other findings (warnings, informational), each as one readable line."""
    from cfnlint.api import lint as cfn_lint  # type: ignore[import-untyped]

    matches = cfn_lint(json.dumps(template, indent=1), regions=[REGION])
    lines = [
        (str(match.rule.id), f"{match.rule.id} {match.message} at {'/'.join(map(str, match.path or []))}") for match in matches
    ]
    return [line for rule, line in lines if rule.startswith("E")], [line for rule, line in lines if not rule.startswith("E")]


# a. what the zip holds


def test_the_zip_holds_every_template_at_the_same_path(built):
    # GIVEN every file of the repository's templates/ folder
    expected = source_files(ROOT / "templates")
    assert expected, "templates/ is empty"
    # THEN the zip has each at templates/<same path>, with the same content
    with zipfile.ZipFile(built.deployment_zip) as archive:
        names = set(archive.namelist())
        missing = [str(path.relative_to(ROOT)) for path in expected if str(path.relative_to(ROOT)) not in names]
        assert not missing, f"templates missing from the zip: {missing}"
        changed = [
            str(path.relative_to(ROOT)) for path in expected if archive.read(str(path.relative_to(ROOT))) != path.read_bytes()
        ]
    assert not changed, f"templates in the zip differ from the repository (stale chalice cache?): {changed}"


def test_the_zip_holds_app_py_and_all_of_chalicelib_with_its_data(built):
    names = zip_names(built)
    assert "app.py" in names
    expected = [str(path.relative_to(ROOT)) for path in source_files(ROOT / "chalicelib")]
    data = [name for name in expected if name.startswith("chalicelib/data/") and name.endswith(".json")]
    assert data, "chalicelib/data/*.json not found in the repository"
    missing = [name for name in expected if name not in names]
    assert not missing, f"chalicelib files missing from the zip: {missing}"


# b. the app runs from the zip alone


# Renders a status e-mail with only the zip contents and the standard library importable; argv[2] is the
# language, argv[3] the product.
RENDER_STATUS_EMAIL = """
    import json
    import chalicelib, jinja2
    from chalicelib.adapters.templates import JinjaRenderer, templates_root
    from chalicelib.domain.events import EventKind
    from chalicelib.domain.language import Language
    from chalicelib.domain.matching import Audience
    from chalicelib.i18n import catalogue_path
    from chalicelib.services.ports import MessageContext

    context = MessageContext(
        kind=EventKind.STATUS_CHANGED,
        audience=Audience.PARTY,
        language=Language(sys.argv[2]),
        case_number="SUB-2026-000123",
        product=sys.argv[3],
        portal_url="https://mijn.provincie-utrecht.nl/zaken/1",
        home_url="https://mijn.provincie-utrecht.nl",
        detail={},
    )
    email = JinjaRenderer().email(context)
    print(json.dumps({
        "subject": email.subject,
        "text": email.text,
        "html": email.html,
        "modules": [chalicelib.__file__, jinja2.__file__, str(templates_root()), str(catalogue_path(sys.argv[2]))],
        "babel": "babel" in sys.modules,
    }))
"""


def test_an_email_renders_from_the_zip_layout(extracted):
    # GIVEN only the zip contents and the standard library importable
    # WHEN the renderer renders Mark's status e-mail
    completed = run_from_zip(extracted, RENDER_STATUS_EMAIL, "nl", "Subsidie duurzame recreatie", BAKEN_STAGE=STAGE)
    assert completed.returncode == 0, completed.stderr
    rendered = json.loads(completed.stdout)
    # THEN the subject names the case number, and the body its product
    assert "SUB-2026-000123" in rendered["subject"]
    assert "Subsidie duurzame recreatie" in rendered["text"]
    assert "SUB-2026-000123" in rendered["html"]
    # AND everything came from the zip, templates included
    outside = [path for path in rendered["modules"] if not Path(path).is_relative_to(extracted)]
    assert not outside, f"loaded from outside the zip: {outside}"


def test_an_english_email_renders_from_the_zip_with_its_compiled_catalogue_and_without_babel(built, extracted):
    # GIVEN the zip, which holds the compiled catalogues (make package compiles them) and not Babel
    names = zip_names(built)
    assert {"chalicelib/locale/nl/LC_MESSAGES/baken.mo", "chalicelib/locale/en/LC_MESSAGES/baken.mo"} <= names
    assert not [name for name in names if name.startswith("babel/")]
    # WHEN Fatima's status e-mail is rendered from the zip alone
    completed = run_from_zip(extracted, RENDER_STATUS_EMAIL, "en", "Grant for sustainable recreation", BAKEN_STAGE=STAGE)
    assert completed.returncode == 0, completed.stderr
    rendered = json.loads(completed.stdout)
    # THEN it is in English, its catalogue read from the zip with the standard library
    assert rendered["subject"] == "New information about your case SUB-2026-000123"
    assert "Province of Utrecht" in rendered["text"]
    outside = [path for path in rendered["modules"] if not Path(path).is_relative_to(extracted)]
    assert not outside, f"loaded from outside the zip: {outside}"
    assert rendered["babel"] is False


def test_the_prod_app_imports_from_the_zip_without_dev_routes(extracted):
    code = """
        import json
        import app, chalice
        print(json.dumps({"routes": sorted(app.app.routes), "chalice": chalice.__file__}))
    """
    completed = run_from_zip(extracted, code, BAKEN_STAGE=STAGE)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert Path(result["chalice"]).is_relative_to(extracted)
    assert "/api/cases" in result["routes"]
    dev_routes = [route for route in result["routes"] if "/dev/" in route or route.startswith("/dev")]
    assert "/api/dev/token" not in result["routes"]
    assert not dev_routes, f"dev routes registered in {STAGE}: {dev_routes}"


# c. the merged SAM template


def test_the_stream_mapping_reports_failures_per_record_and_gives_up_in_the_end(sam):
    mapping = event(sam, *STREAM_EVENT)
    assert mapping["Type"] == "DynamoDB"
    properties = mapping["Properties"]
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["BisectBatchOnFunctionError"] is True
    retries = properties["MaximumRetryAttempts"]
    assert isinstance(retries, int), retries
    assert 0 <= retries <= 10_000, f"MaximumRetryAttempts {retries} is not finite (-1 retries forever)"
    age = properties["MaximumRecordAgeInSeconds"]
    assert isinstance(age, int), age
    assert 60 <= age <= 604_800, f"MaximumRecordAgeInSeconds {age} is not a finite age (-1 keeps records forever)"
    assert properties["DestinationConfig"]["OnFailure"]["Destination"]
    # AND the stream is the data stack's, not the placeholder Chalice needs at import time
    assert "Fn::ImportValue" in json.dumps(properties["Stream"])
    assert "SET-BY-CLOUDFORMATION" not in json.dumps(properties["Stream"])


def test_the_queue_mapping_reports_failures_per_message(sam):
    mapping = event(sam, *QUEUE_EVENT)
    assert mapping["Type"] == "SQS"
    properties = mapping["Properties"]
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # AND the merge left one intrinsic function, not Chalice's Fn::Sub beside infra/app.json's import
    queue = properties["Queue"]
    assert not isinstance(queue, dict) or len(queue) == 1, f"Queue is a malformed merge: {queue}"
    assert "DeliveryQueueArn" in json.dumps(queue)


def test_the_functions_have_the_timeouts_and_memory_of_the_chalice_config(sam):
    for name, logical_id in FUNCTIONS.items():
        wanted = CONFIG["lambda_functions"][name]
        properties = sam["Resources"][logical_id]["Properties"]
        assert properties["Timeout"] == wanted["lambda_timeout"], logical_id
        assert properties["MemorySize"] == wanted["lambda_memory_size"], logical_id


def test_every_role_has_exactly_the_stage_policy_file(sam):
    stage = CONFIG["stages"][STAGE]
    assert stage.get("autogen_policy", CONFIG.get("autogen_policy")) is False
    policy = json.loads((ROOT / ".chalice" / stage["iam_policy_file"]).read_text(encoding="utf-8"))
    for logical_id in FUNCTIONS.values():
        role_id = sam["Resources"][logical_id]["Properties"]["Role"]["Fn::GetAtt"][0]
        role = sam["Resources"][role_id]["Properties"]
        assert [entry["PolicyDocument"] for entry in role["Policies"]] == [policy], role_id
        assert not role.get("ManagedPolicyArns"), role_id


# d. the data stack's queues fit the functions


def test_the_delivery_queue_fits_the_deliver_function(sam):
    resources = DATA_TEMPLATE["Resources"]
    queue = resources["DeliveryQueue"]["Properties"]
    timeout = sam["Resources"][QUEUE_EVENT[0]]["Properties"]["Timeout"]
    # AWS: a queue feeding Lambda needs a visibility timeout of at least six times the function timeout
    assert queue["VisibilityTimeout"] >= 6 * timeout
    redrive = queue["RedrivePolicy"]
    # the dead-letter queue takes a message after exactly the attempts delivery counts on: over four hours of
    # backoff (docs: RELIABILITY.md, promise 2)
    assert redrive["maxReceiveCount"] == MAX_DELIVERY_ATTEMPTS
    assert retry_budget(redrive["maxReceiveCount"]) >= timedelta(hours=4)
    # a message survives in the queue for longer than the retry budget
    assert queue.get("MessageRetentionPeriod", 345_600) > retry_budget().total_seconds() + 6 * timeout
    dead_letter_id = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
    dead_letter = resources[dead_letter_id]["Properties"]
    # the default retention is four days when a queue does not set it
    assert dead_letter.get("MessageRetentionPeriod", 345_600) > queue.get("MessageRetentionPeriod", 345_600)
    assert dead_letter.get("FifoQueue", False) == queue.get("FifoQueue", False), "a FIFO queue needs a FIFO DLQ"
    # AND the queue is the one the Deliver function is configured to consume
    name = queue["QueueName"]["Fn::Sub"].replace("${Stage}", STAGE)
    assert name == CONFIG["stages"][STAGE]["environment_variables"]["BAKEN_DELIVERY_QUEUE"]


# e. cfn-lint


def test_the_expanded_package_template_passes_cfn_lint(sam):
    expanded = expand_sam(sam, region=REGION)
    assert not any(resource["Type"].startswith("AWS::Serverless::") for resource in expanded["Resources"].values())
    errors, others = lint(expanded)
    assert not errors, "cfn-lint errors:\n" + "\n".join(errors) + "\nother findings:\n" + "\n".join(others)


def test_the_data_template_passes_cfn_lint():
    errors, others = lint(DATA_TEMPLATE)
    assert not errors, "cfn-lint errors:\n" + "\n".join(errors) + "\nother findings:\n" + "\n".join(others)


def test_every_dead_letter_and_failure_queue_raises_an_alarm():
    """What could not be done (RELIABILITY.md, promise 1) never waits unseen: each dead-letter queue, and the
    stream's failure destination, has an alarm on its first message."""
    resources = DATA_TEMPLATE["Resources"]
    dead_letter_queues = {
        resource["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for resource in resources.values()
        if resource["Type"] == "AWS::SQS::Queue" and "RedrivePolicy" in resource["Properties"]
    } | {"StreamFailureQueue"}
    watched = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for alarm in resources.values()
        if alarm["Type"] == "AWS::CloudWatch::Alarm" and alarm["Properties"]["Namespace"] == "AWS/SQS"
    }
    assert dead_letter_queues == watched
