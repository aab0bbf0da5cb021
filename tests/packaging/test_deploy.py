"""make deploy: every setting is checked before anything is created, and the commands it runs pass every
template parameter (no hand edits of .chalice/config.json, no placeholder needing an edit)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devstack.deploy import SETTINGS, SettingsError, main, plan, read_settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "infra" / "example.env"
APP = json.loads((ROOT / "infra" / "app.json").read_text(encoding="utf-8"))
DATA = json.loads((ROOT / "infra" / "data.json").read_text(encoding="utf-8"))
CONFIG = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))


def example() -> dict[str, str]:
    return read_settings(EXAMPLE)


def overrides(command: tuple[str, ...]) -> dict[str, str]:
    pairs = command[command.index("--parameter-overrides") + 1 :]
    return dict(pair.split("=", 1) for pair in pairs)


def test_missing_settings_are_all_named_and_nothing_runs(capsys, monkeypatch):
    # GIVEN no settings file and one setting on the command line
    ran = []
    monkeypatch.setattr("devstack.deploy.subprocess.run", lambda *a, **k: ran.append(a))
    # WHEN the operator deploys
    code = main(["--stage", "prod", "--settings", "/nonexistent.env", "--set", "DOMAIN_NAME=mijn.example.nl"])
    # THEN it stops before running anything, naming every missing required setting
    assert code == 2
    assert ran == []
    error = capsys.readouterr().err
    assert "nothing was created" in error
    for setting in SETTINGS:
        if setting.required and setting.key != "DOMAIN_NAME":
            assert f"{setting.key} is missing" in error
    assert "DOMAIN_NAME is missing" not in error


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("SENDER", "Provincie <noreply@elders.nl>", "SENDER"),
        ("CERTIFICATE_ARN", "arn:aws:acm:us-east-1:123456789012:certificate/x", "CERTIFICATE_ARN"),
        ("STAFF_OIDC_ISSUER", "http://sso.example.nl", "STAFF_OIDC_ISSUER"),
        ("TOKEN_SECRET_ARN", "plain-text-secret", "TOKEN_SECRET_ARN"),
        ("LOG_RETENTION_DAYS", "42", "LOG_RETENTION_DAYS"),
        ("DOMIAN_NAME", "typo.nl", "DOMIAN_NAME is not a setting"),
    ],
)
def test_a_malformed_setting_is_refused_by_name(key, value, named):
    with pytest.raises(SettingsError, match=named):
        plan("prod", {**example(), key: value})


def test_the_local_stage_is_never_deployed():
    with pytest.raises(SettingsError, match="local"):
        plan("local", example())


def test_the_dry_run_prints_the_four_commands_of_the_route(capsys):
    assert main(["--stage", "prod", "--settings", str(EXAMPLE), "--dry-run"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("$ ")]
    assert [line.split()[1:3] for line in lines] == [
        ["aws", "cloudformation"],
        ["chalice", "package"],
        ["aws", "cloudformation"],
        ["aws", "cloudformation"],
    ]
    assert "--template-file infra/data.json" in lines[0]
    assert "--merge-template infra/app.json build/prod" in lines[1]
    assert "cloudformation package" in lines[2]
    assert "cloudformation deploy" in lines[3]


def test_every_template_parameter_is_passed_and_nothing_else():
    deployment = plan("prod", example())
    data, _, _, app = deployment.commands
    # THEN the application stack gets exactly its template's parameters, each required one with a value
    passed = overrides(app)
    assert set(passed) == set(APP["Parameters"])
    assert all(passed[name] for name, spec in APP["Parameters"].items() if "Default" not in spec)
    assert passed["DataStack"] == "baken-prod-data"
    assert "CAPABILITY_IAM" in app
    assert "CAPABILITY_AUTO_EXPAND" in app
    # AND so does the data stack
    given = overrides(data)
    assert set(given) <= set(DATA["Parameters"])
    assert {name for name, spec in DATA["Parameters"].items() if "Default" not in spec} <= {k for k, v in given.items() if v}


def test_the_stages_hold_no_placeholders_or_account_settings():
    for stage in ("dev", "prod"):
        environment = CONFIG["stages"][stage]["environment_variables"]
        text = json.dumps(environment)
        assert "SET-BY-CLOUDFORMATION" not in text
        assert "BAKEN_OIDC_JWKS" not in text
        assert not {"BAKEN_PORTAL_URL", "BAKEN_OIDC_ISSUER", "BAKEN_CASES_STREAM_ARN", "BAKEN_TOKEN_SECRET"} & set(environment)


def test_the_portal_url_is_the_custom_domain_without_a_stage_prefix():
    variables = APP["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["BAKEN_PORTAL_URL"] == {"Fn::Sub": "https://${DomainName}"}
    mapping = APP["Resources"]["ApiBasePathMapping"]["Properties"]
    assert "BasePath" not in mapping, "a base path would put a prefix in every URL"
    # AND the OIDC settings and secret references reach the functions from parameters
    for variable, parameter in {
        "BAKEN_OIDC_ISSUER": "OidcIssuer",
        "BAKEN_OIDC_AUDIENCE": "OidcAudience",
        "BAKEN_OIDC_CLIENT_ID": "OidcClientId",
        "BAKEN_OIDC_CLIENT_SECRET_NAME": "OidcClientSecretArn",
        "BAKEN_STAFF_OIDC_ISSUER": "StaffOidcIssuer",
        "BAKEN_STAFF_OIDC_AUDIENCE": "StaffOidcAudience",
        "BAKEN_STAFF_OIDC_CLIENT_ID": "StaffOidcClientId",
        "BAKEN_STAFF_OIDC_CLIENT_SECRET_NAME": "StaffOidcClientSecretArn",
        "BAKEN_TOKEN_SECRET_NAME": "TokenSecretArn",
        "BAKEN_SENDER": "SenderAddress",
    }.items():
        assert variables[variable] == {"Ref": parameter}


def _deployed_environment(function: str) -> dict[str, str]:
    """What a deployed function's environment holds, parameters filled in as infra/example.env does: the stage's
    variables from .chalice/config.json, and the template's (parameters resolved, imports as placeholders)."""
    values = example()
    parameters = overrides(plan("prod", values).commands[3])
    environment = {**CONFIG["environment_variables"], **CONFIG["stages"]["prod"]["environment_variables"]}
    for name, value in APP["Globals"]["Function"]["Environment"]["Variables"].items():
        if "Ref" in value:
            environment[name] = parameters[value["Ref"]]
        elif "Fn::Sub" in value:
            environment[name] = value["Fn::Sub"].replace("${DomainName}", parameters["DomainName"])
        else:
            environment[name] = f"(import {function})"
    return environment


def test_the_deployed_environment_names_every_account_setting():
    environment = _deployed_environment("APIHandler")
    assert environment["BAKEN_PORTAL_URL"] == "https://mijn.provincie-utrecht.nl"
    assert environment["BAKEN_STAFF_OIDC_ISSUER"] == "https://sso.provincie-utrecht.nl"
    assert environment["BAKEN_TOKEN_SECRET_NAME"].startswith("arn:aws:secretsmanager:")
    assert "BAKEN_TOKEN_SECRET" not in environment, "a secret's value is never an environment variable"


def test_a_deployed_function_accepts_the_environment_the_templates_give_it():
    """Every function starts with what the templates give it: nothing missing, secrets named, never given."""
    from chalicelib.config import settings_from

    current = settings_from(_deployed_environment("APIHandler"))
    assert current.portal_url == "https://mijn.provincie-utrecht.nl"
    assert current.token_secret_name == example()["TOKEN_SECRET_ARN"]
    assert current.citizens_oidc.issuer == "https://login.provincie-utrecht.nl"
    assert current.staff_oidc.issuer == "https://sso.provincie-utrecht.nl"


ZAKEN_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:baken-prod/zgw-zaken-AbCdEf"
CATALOGI_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:baken-prod/zgw-catalogi-AbCdEf"
ZGW = {
    "ZGW_APIS": json.dumps(
        [
            {"base_url": "https://zaken.example.nl/zaken/api/v1/", "client_id": "baken", "secret_name": ZAKEN_SECRET},
            {"base_url": "https://zaken.example.nl/catalogi/api/v1/", "client_id": "baken", "secret_name": CATALOGI_SECRET},
        ]
    ),
    "ZGW_CALLBACK_AUTH_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:baken-prod/zgw-callback-AbCdEf",
    "PSEUDONYM_KEY_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:baken-prod/pseudonym-key-AbCdEf",
}


CATALOGUS = "3e7f1c52-8a4d-4b6e-9f0a-1d2c3b4a5e6f"


def test_the_catalogue_switch_reaches_the_functions():
    url = f"https://zaken.example.nl/catalogi/api/v1/catalogussen/{CATALOGUS}"
    assert overrides(plan("prod", example()).commands[-1])["CatalogusUrl"] == ""
    assert overrides(plan("prod", {**example(), **ZGW, "CATALOGUS_URL": url}).commands[-1])["CatalogusUrl"] == url
    environment = APP["Globals"]["Function"]["Environment"]["Variables"]  # every function
    assert environment["BAKEN_CATALOGUS_URL"] == {"Ref": "CatalogusUrl"}


def test_a_zaaksysteem_is_optional_and_when_set_every_part_of_it_reaches_the_template():
    # GIVEN the example's settings: no zaaksysteem
    without = overrides(plan("prod", example()).commands[-1])
    assert without["ZgwApis"] == ""
    for name in ("ZgwSecretArns", "ZgwCallbackAuthSecretArn", "PseudonymKeySecretArn"):
        assert without[name] == APP["Parameters"][name]["Default"]  # names no secret
    # WHEN the operator connects one
    connected = overrides(plan("prod", {**example(), **ZGW}).commands[-1])
    # THEN the template gets the APIs, the secrets only sync_zaak may read, and the callback's secret
    assert json.loads(connected["ZgwApis"])[0]["secret_name"] == ZAKEN_SECRET
    assert connected["ZgwSecretArns"] == f"{ZAKEN_SECRET},{CATALOGI_SECRET}"
    assert connected["PseudonymSector"] == "baken"
    assert set(connected) <= set(APP["Parameters"])


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"ZGW_APIS": '[{"base_url": "http://zaken.example.nl/", "client_id": "b", "secret_name": "x"}]'}, "ZGW_APIS"),
        ({"PSEUDONYM_KEY_SECRET_ARN": ""}, "PSEUDONYM_KEY_SECRET_ARN is missing"),
        ({"ZGW_CALLBACK_AUTH_SECRET_ARN": ""}, "ZGW_CALLBACK_AUTH_SECRET_ARN is missing"),
        ({"CATALOGUS_URL": "https://elders.example.nl/catalogi/api/v1/catalogussen/" + CATALOGUS}, "not under one of the ZGW"),
        ({"CATALOGUS_URL": "https://zaken.example.nl/catalogi/api/v1/zaaktypen/" + CATALOGUS}, "CATALOGUS_URL"),
    ],
)
def test_an_incomplete_zaaksysteem_is_refused_before_anything_runs(changes, named):
    with pytest.raises(SettingsError, match=named):
        plan("prod", {**example(), **ZGW, **changes})
