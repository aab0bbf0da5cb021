"""The deployment package as an operator ships it: ``chalice package --stage prod --merge-template infra/app.json``,
run once for this module (it needs the package index, not an AWS account).

Checks what the zip holds and that the app runs from it alone, that the merged SAM template carries the
event source mapping settings Chalice cannot set, each function's own role, log group and secrets, the custom
domain, the SES identity and the alarms; that the data stack's queues fit the functions; that both stacks pass
cfn-lint with its informational checks (the SAM template after an offline samtranslator expansion); and that
both are created on moto's CloudFormation, the mappings with every setting.
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
from chalicelib.web.headers import HSTS
from devstack.infra import MOTO_CANNOT_CREATE, without_resource_types
from devstack.package import PLACEHOLDER_CODE_URI, PackageResult, expand_sam, package

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
STAGE = "prod"
REGION = "eu-west-1"
CONFIG = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
DATA_TEMPLATE = json.loads((ROOT / "infra" / "data.json").read_text(encoding="utf-8"))
# Chalice's function names (.chalice/config.json lambda_functions) and the logical ids in sam.json.
FUNCTIONS = {
    "api_handler": "APIHandler",
    "on_case_change": "OnCaseChange",
    "on_subscription_change": "OnSubscriptionChange",
    "deliver": "Deliver",
    "release_held_email": "ReleaseHeldEmail",
    "reconcile_notifications": "ReconcileNotifications",
    "on_ses_feedback": "OnSesFeedback",
    "fan_out_job": "FanOutJob",
    "sync_zaak": "SyncZaak",
    "watch_deadlines": "WatchDeadlines",
}
APP_PARAMETERS = {
    "DataStack": "baken-prod-data",
    "DomainName": "mijn.provincie-utrecht.nl",
    "CertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
    "HostedZoneId": "Z0123456789ABCDEFGHIJ",
    "SenderAddress": "Provincie Utrecht <noreply@mijn.provincie-utrecht.nl>",
    "OidcIssuer": "https://login.provincie-utrecht.nl",
    "OidcAudience": "baken",
    "OidcClientId": "baken",
    "OidcClientSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:baken-prod/oidc-client-AbCdEf",
    "StaffOidcIssuer": "https://sso.provincie-utrecht.nl",
    "StaffOidcAudience": "baken",
    "StaffOidcClientId": "baken",
    "StaffOidcClientSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:baken-prod/staff-oidc-client-AbCdEf",
    "TokenSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:baken-prod/token-keys-AbCdEf",
    "Oin": "00000001002220647000",
}
# cfn-lint findings not honoured, with the reason (informational checks included: every other finding fails)
LINT_IGNORED: dict[str, str] = {}
# What moto's CloudFormation cannot create in the expanded application template, removed (with what refers to
# them) before the stack is created there: the custom domain (not modelled) and the API deployment (moto's REST
# API does not import the OpenAPI body, so "the REST API doesn't contain any methods"). Alarms, the SNS
# subscriptions and policies, the SES configuration set are skipped by moto with a warning (not created).
MOTO_CANNOT_CREATE_APP = ("AWS::ApiGateway::DomainName", "AWS::ApiGateway::Deployment")
MOTO_SKIPS = (
    "AWS::CloudWatch::Alarm",
    "AWS::SES::ConfigurationSet",
    "AWS::SNS::Subscription",
    "AWS::SNS::TopicPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::S3::BucketPolicy",
)
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
    from cfnlint.config import ManualArgs  # type: ignore[import-untyped]

    matches = cfn_lint(json.dumps(template, indent=1), config=ManualArgs(include_checks=["I"], regions=[REGION]))
    lines = [
        (str(match.rule.id), f"{match.rule.id} {match.message} at {'/'.join(map(str, match.path or []))}")
        for match in matches
        if str(match.rule.id) not in LINT_IGNORED
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


def test_every_function_has_its_own_role_with_exactly_its_own_policy_file(sam):
    stage = CONFIG["stages"][STAGE]
    assert stage.get("autogen_policy", CONFIG.get("autogen_policy")) is False
    roles = set()
    for name, logical_id in FUNCTIONS.items():
        policy_file = stage["lambda_functions"][name]["iam_policy_file"]
        policy = json.loads((ROOT / ".chalice" / policy_file).read_text(encoding="utf-8"))
        role_id = sam["Resources"][logical_id]["Properties"]["Role"]["Fn::GetAtt"][0]
        role = sam["Resources"][role_id]["Properties"]
        assert [entry["PolicyDocument"] for entry in role["Policies"]] == [policy], role_id
        assert not role.get("ManagedPolicyArns"), role_id
        roles.add(role_id)
    assert len(roles) == len(FUNCTIONS), "two functions share a role"


def _role(sam: dict[str, Any], logical_id: str) -> str:
    return str(sam["Resources"][logical_id]["Properties"]["Role"]["Fn::GetAtt"][0])


def _policies_of(sam: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [
        resource["Properties"]
        for resource in sam["Resources"].values()
        if resource.get("Type") == "AWS::IAM::Policy" and {"Ref": role} in resource["Properties"]["Roles"]
    ]


def test_every_function_logs_to_its_own_group_with_retention_and_may_write_only_there(sam):
    for logical_id in FUNCTIONS.values():
        # GIVEN the function's log group, named after the function's real name
        (group_id,) = [
            name
            for name, resource in sam["Resources"].items()
            if resource.get("Type") == "AWS::Logs::LogGroup"
            and resource["Properties"]["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{{logical_id}}}"}
        ]
        group = sam["Resources"][group_id]
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        assert group["DeletionPolicy"] == "Retain", "the audit trail outlives the stack"
        # THEN its role may write there, and only there
        statements = [s for policy in _policies_of(sam, _role(sam, logical_id)) for s in policy["PolicyDocument"]["Statement"]]
        logs = [s for s in statements if any(a.startswith("logs:") for a in s["Action"])]
        assert logs == [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": {"Fn::GetAtt": [group_id, "Arn"]},
            }
        ]
    # AND no policy anywhere names log groups by a stack-name pattern
    assert "/aws/lambda/baken-" not in json.dumps(sam)
    assert "logs:CreateLogGroup" not in json.dumps(sam)


def test_only_the_api_function_reads_the_oidc_client_secrets_and_every_function_the_token_keys(sam):
    """And of a connected zaaksysteem's secrets, each function only the ones it uses."""
    readers: dict[str, set[str]] = {}
    for logical_id in FUNCTIONS.values():
        for policy in _policies_of(sam, _role(sam, logical_id)):
            for statement in policy["PolicyDocument"]["Statement"]:
                if "secretsmanager:GetSecretValue" in statement["Action"]:
                    resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
                    for resource in resources:
                        readers.setdefault(resource["Ref"], set()).add(logical_id)
    assert readers == {
        "OidcClientSecretArn": {"APIHandler"},
        "StaffOidcClientSecretArn": {"APIHandler"},
        "TokenSecretArn": set(FUNCTIONS.values()),
        # a connected zaaksysteem: the callback's secret is checked by the API, the rest read by sync_zaak alone
        "ZgwCallbackAuthSecretArn": {"APIHandler"},
        "PseudonymKeySecretArn": {"SyncZaak"},
        "ZgwSecretArns": {"SyncZaak"},
        "KlantinteractiesTokenSecretArn": {"FanOutJob"},
    }


def test_the_api_has_a_regional_custom_domain_at_its_root(sam):
    resources = sam["Resources"]
    assert resources["RestAPI"]["Properties"]["EndpointConfiguration"] == "REGIONAL"
    domain = resources["ApiDomain"]["Properties"]
    assert domain["DomainName"] == {"Ref": "DomainName"}
    assert domain["RegionalCertificateArn"] == {"Ref": "CertificateArn"}
    assert domain["SecurityPolicy"] == "TLS_1_2"
    mapping = resources["ApiBasePathMapping"]["Properties"]
    assert mapping["RestApiId"] == {"Ref": "RestAPI"}
    assert "BasePath" not in mapping
    record = resources["ApiDnsRecord"]
    assert record["Condition"] == "HasHostedZone"
    assert record["Properties"]["AliasTarget"]["DNSName"] == {"Fn::GetAtt": ["ApiDomain", "RegionalDomainName"]}


def test_answers_api_gateway_gives_itself_carry_the_security_headers_too(sam):
    """Its own 403 (no route), 413, 429 (throttled) and 5xx never reach the app's middleware (web/headers.py): the
    API's definition gives them the same headers (in the OpenAPI body, where API Gateway keeps them)."""
    body = sam["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    assert "/api/health" in body["paths"] or "/health" in str(body["paths"])  # merged into Chalice's definition
    responses = body["x-amazon-apigateway-gateway-responses"]
    assert set(responses) == {"DEFAULT_4XX", "DEFAULT_5XX"}
    for response in responses.values():
        assert response["responseParameters"] == {
            "gatewayresponse.header.Strict-Transport-Security": f"'{HSTS}'",
            "gatewayresponse.header.X-Content-Type-Options": "'nosniff'",
            "gatewayresponse.header.Cache-Control": "'no-store'",
        }


def test_the_data_stack_verifies_the_mail_domain_with_dkim_mail_from_and_the_configuration_set():
    identity = DATA_TEMPLATE["Resources"]["EmailIdentity"]["Properties"]
    assert identity["EmailIdentity"] == {"Ref": "MailDomain"}
    assert identity["DkimAttributes"] == {"SigningEnabled": True}
    assert identity["DkimSigningAttributes"] == {"NextSigningKeyLength": "RSA_2048_BIT"}
    assert identity["MailFromAttributes"]["MailFromDomain"] == {"Fn::Sub": "${MailFromSubdomain}.${MailDomain}"}
    assert identity["ConfigurationSetAttributes"] == {"ConfigurationSetName": {"Ref": "EmailConfigurationSet"}}


def _alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in template["Resources"].items() if r.get("Type") == "AWS::CloudWatch::Alarm"}


def test_the_alarms_an_on_call_person_needs_exist_and_reach_the_alarm_topic(sam):
    app, data = _alarms(sam), _alarms(DATA_TEMPLATE)
    watched = {(a["Namespace"], a["MetricName"], json.dumps(a.get("Dimensions", []))) for a in [*app.values(), *data.values()]}
    for logical_id in FUNCTIONS.values():
        for metric in ("Errors", "Throttles"):
            assert ("AWS/Lambda", metric, json.dumps([{"Name": "FunctionName", "Value": {"Ref": logical_id}}])) in watched
    metrics = {(namespace, metric) for namespace, metric, _ in watched}
    assert {
        ("AWS/Lambda", "IteratorAge"),
        ("AWS/ApiGateway", "5XXError"),
        ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/SES", "Reputation.BounceRate"),
        ("AWS/SES", "Reputation.ComplaintRate"),
        ("Baken", "TechnicalFailure"),
        ("Baken", "SoftwareError"),
    } <= metrics
    aged = {json.dumps(a["Dimensions"]) for a in data.values() if a["MetricName"] == "ApproximateAgeOfOldestMessage"}
    assert aged == {
        json.dumps([{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}])
        for queue in ("DeliveryQueue", "LettersQueue")
    }
    # AND every alarm notifies the stage's alarm topic, which the on-call address can subscribe to
    for alarm in app.values():
        assert alarm["AlarmActions"] == [{"Fn::ImportValue": {"Fn::Sub": "${DataStack}-AlarmTopicArn"}}]
    for alarm in data.values():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert DATA_TEMPLATE["Resources"]["AlarmEmailSubscription"]["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    # AND one dashboard shows the pipeline
    (dashboard,) = [r for r in sam["Resources"].values() if r.get("Type") == "AWS::CloudWatch::Dashboard"]
    body = dashboard["Properties"]["DashboardBody"]["Fn::Sub"][0]
    for shown in ("IteratorAge", "TechnicalFailure", "ApproximateAgeOfOldestMessage", "5XXError", "Reputation.BounceRate"):
        assert shown in body


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


def test_the_jobs_queue_fits_the_jobs_function(sam):
    resources = DATA_TEMPLATE["Resources"]
    queue = resources["JobsQueue"]["Properties"]
    timeout = sam["Resources"]["FanOutJob"]["Properties"]["Timeout"]
    assert queue["VisibilityTimeout"] >= 6 * timeout
    assert "FifoQueue" not in queue, "a standard queue: jobs are idempotent, and need no order"
    dead_letter = resources[queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]]["Properties"]
    assert dead_letter["MessageRetentionPeriod"] > queue["MessageRetentionPeriod"]
    name = queue["QueueName"]["Fn::Sub"].replace("${Stage}", STAGE)
    assert name == CONFIG["stages"][STAGE]["environment_variables"]["BAKEN_JOBS_QUEUE"]


# e. cfn-lint


def test_the_expanded_package_template_passes_cfn_lint(sam):
    expanded = expand_sam(sam, region=REGION)
    assert not any(resource["Type"].startswith("AWS::Serverless::") for resource in expanded["Resources"].values())
    errors, others = lint(expanded)
    assert not errors + others, "cfn-lint findings:\n" + "\n".join(errors + others)


def test_the_data_template_passes_cfn_lint():
    errors, others = lint(DATA_TEMPLATE)
    assert not errors + others, "cfn-lint findings:\n" + "\n".join(errors + others)


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
        if alarm["Type"] == "AWS::CloudWatch::Alarm" and alarm["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    }
    assert dead_letter_queues == watched


# f. both stacks on moto's CloudFormation


@pytest.fixture(scope="module")
def on_moto(built: PackageResult, sam):
    """The data stack, then the expanded application template (its zip in the bucket `aws cloudformation package`
    would upload it to), created on moto's CloudFormation as an operator would on AWS."""
    import warnings

    import boto3
    from moto import mock_aws

    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        cloudformation = session.client("cloudformation")
        data, _ = without_resource_types(DATA_TEMPLATE, MOTO_CANNOT_CREATE)
        application, removed = without_resource_types(expand_sam(sam, region=REGION), MOTO_CANNOT_CREATE_APP)
        bucket, key = PLACEHOLDER_CODE_URI.removeprefix("s3://").split("/", 1)
        s3 = session.client("s3")
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_object(Bucket=bucket, Key=key, Body=built.deployment_zip.read_bytes())
        with warnings.catch_warnings(record=True) as skipped:
            warnings.simplefilter("always")
            cloudformation.create_stack(
                StackName="baken-prod-data",
                TemplateBody=json.dumps(data),
                Parameters=[
                    {"ParameterKey": "Stage", "ParameterValue": STAGE},
                    {"ParameterKey": "MailDomain", "ParameterValue": "mijn.provincie-utrecht.nl"},
                    {"ParameterKey": "AlarmEmail", "ParameterValue": "beheer@provincie-utrecht.nl"},
                ],
            )
            cloudformation.create_stack(
                StackName="baken-prod",
                TemplateBody=json.dumps(application),
                Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in APP_PARAMETERS.items()],
                Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
            )
        yield session, removed, [str(warning.message) for warning in skipped]


def test_both_stacks_are_created_on_moto_minus_only_the_listed_types(on_moto):
    session, removed, skipped = on_moto
    cloudformation = session.client("cloudformation")
    for name in ("baken-prod-data", "baken-prod"):
        assert cloudformation.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    # THEN only the listed resources were left out, and moto skipped only the listed types
    deployments = {name for name in removed if name.startswith("RestAPIDeployment")}  # SAM names it with a hash
    assert len(deployments) == 1
    assert set(removed) == {"ApiDomain", "ApiBasePathMapping", "ApiDnsRecord", "RestAPIapiStage", *deployments}
    unexpected = [message for message in skipped if "not supported" in message and not any(t in message for t in MOTO_SKIPS)]
    assert unexpected == []
    # AND every function exists with its role, and its log group
    functions = {f["FunctionName"]: f for f in session.client("lambda").list_functions()["Functions"]}
    assert len(functions) == len(FUNCTIONS)
    groups = {g["logGroupName"]: g for g in session.client("logs").describe_log_groups()["logGroups"]}
    for name in functions:
        assert groups[f"/aws/lambda/{name}"]["retentionInDays"] == 400
    assert len({f["Role"] for f in functions.values()}) == len(FUNCTIONS)


def test_the_created_event_source_mappings_carry_every_setting(on_moto):
    session, _, _ = on_moto
    client = session.client("lambda")
    mappings = {_source_name(m["EventSourceArn"]): m for m in client.list_event_source_mappings()["EventSourceMappings"]}
    assert len(mappings) == 6  # two streams (cases, subscriptions) and four queues (delivery, feedback, jobs, notices)
    for table in ("baken-prod-cases", "baken-prod-subscriptions"):
        stream = mappings[table]
        assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"], table
        assert stream["BisectBatchOnFunctionError"] is True, table
        assert stream["MaximumRetryAttempts"] == 10, table
        assert stream["MaximumRecordAgeInSeconds"] == 21600, table
        assert stream["DestinationConfig"]["OnFailure"]["Destination"].endswith(":baken-prod-stream-failures"), table
    # the indexer's own entry writes never invoke the function (the handler drops them too, without it)
    filters = mappings["baken-prod-subscriptions"].get("FilterCriteria", {}).get("Filters")
    assert filters is None or json.loads(filters[0]["Pattern"]) == {"dynamodb": {"Keys": {"member": {"S": ["definition"]}}}}
    for queue, concurrency in (
        ("baken-prod-delivery.fifo", 20),
        ("baken-prod-ses-feedback", 2),
        ("baken-prod-jobs", 50),
        ("baken-prod-zgw-notices.fifo", 5),
    ):
        assert mappings[queue]["FunctionResponseTypes"] == ["ReportBatchItemFailures"], queue
        assert mappings[queue]["ScalingConfig"] == {"MaximumConcurrency": concurrency}, queue


def _source_name(arn: str) -> str:
    """The table of a stream ARN (arn:...:table/<name>/stream/<label>), or the queue of a queue ARN."""
    resource = arn.split(":", 5)[5]
    return resource.split("/")[1] if resource.startswith("table/") else resource
