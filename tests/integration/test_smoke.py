"""make smoke, run against the app on moto (chalice's test client as the HTTP API, the local pipeline between
polls): each check passes on a working stage and fails, naming what is wrong, when it is not."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

import pytest

from chalicelib.config import settings
from devstack.smoke import Answer, Smoke, expected_alarm_names
from tests.integration.conftest import Pipeline, register_personas, token_for

STAGE = "local"


@pytest.fixture
def http(client):
    def request(method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> Answer:
        parts = urllib.parse.urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        answer = client.http.request(method, path, headers=dict(headers), body=body or b"")
        return Answer(answer.status_code, {k.lower(): v for k, v in answer.headers.items()}, answer.body)

    return request


@pytest.fixture
def values(tmp_path: Path) -> dict[str, str]:
    token = tmp_path / "staff-token"
    token.write_text(token_for("anna"), encoding="utf-8")
    return {
        "OIDC_AUTHORIZE_URL": "/dev/inloggen",  # the local stage's login broker
        "SMOKE_STAFF_TOKEN_FILE": str(token),
        "SMOKE_APPLICANT": "pu-mark-3f9a1c",
        "SMOKE_ZAAKTYPE": "subsidie-duurzame-recreatie",
        "SMOKE_GEMEENTE": "GM1581",
        "APP_STACK": "baken-local",
    }


def _alarms(stack, names: set[str]) -> None:
    cloudwatch = stack.client("cloudwatch")
    for name in sorted(names):
        cloudwatch.put_metric_alarm(
            AlarmName=name,
            Namespace="Baken",
            MetricName="TechnicalFailure",
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=0,
            ComparisonOperator="GreaterThanThreshold",
        )


def _smoke(stack, http, values, pipeline: Pipeline) -> Smoke:
    return Smoke(
        STAGE,
        values,
        http=http,
        base_url=settings().portal_url,
        cloudwatch=stack.client("cloudwatch"),
        wait=lambda _: pipeline.run(),
        timeout_seconds=5,
    )


def test_smoke_passes_on_a_working_stage(stack, http, values, pipeline):
    # GIVEN a working stage: Mark registered, and every alarm of both templates in CloudWatch (moto's
    # CloudFormation does not create alarms, so they are made here as AWS would)
    register_personas("mark")
    _alarms(stack, expected_alarm_names(STAGE, "baken-local"))
    # WHEN the operator runs the smoke test
    results = _smoke(stack, http, values, pipeline).run()
    # THEN every check passed
    assert [(check.name, check.passed) for check in results] == [
        ("API answers", True),
        ("login redirects to the broker", True),
        ("a case change reaches the test berichtenbox", True),
        ("the alarms exist", True),
    ], results
    assert len(expected_alarm_names(STAGE, "baken-local")) >= 20


def test_smoke_names_what_is_wrong(stack, http, values, pipeline):
    # GIVEN a stage whose broker setting differs from where login goes, a staff token that is not valid, and alarms
    # missing
    register_personas("mark")
    names = expected_alarm_names(STAGE, "baken-local")
    _alarms(stack, names - {"baken-local-api-5xx"})
    Path(values["SMOKE_STAFF_TOKEN_FILE"]).write_text("not-a-token", encoding="utf-8")
    values = {**values, "OIDC_AUTHORIZE_URL": "https://login.example.nl/authorize"}
    # WHEN the operator runs the smoke test
    results = {check.name: check for check in _smoke(stack, http, values, pipeline).run()}
    # THEN the API check passes and each other check fails, saying why
    assert results["API answers"].passed
    assert not results["login redirects to the broker"].passed
    assert "not the broker's https://login.example.nl/authorize" in results["login redirects to the broker"].detail
    assert not results["a case change reaches the test berichtenbox"].passed
    assert "POST /api/cases: 401" in results["a case change reaches the test berichtenbox"].detail
    assert results["the alarms exist"].detail == "missing: baken-local-api-5xx"


def test_smoke_finds_the_brokers_login_in_its_discovery_document(stack, http, values, pipeline):
    # GIVEN no authorization endpoint in the settings, only the broker's issuer, whose discovery document names
    # the endpoint Baken redirects to (and, in a second run, another one)
    register_personas("mark")
    _alarms(stack, expected_alarm_names(STAGE, "baken-local"))
    issuer = "https://login.example.nl"
    documents = {f"{issuer}/.well-known/openid-configuration": {"authorization_endpoint": "/dev/inloggen"}}

    def with_broker(method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> Answer:
        if url in documents:
            return Answer(200, {"content-type": "application/json"}, json.dumps(documents[url]).encode())
        return http(method, url, headers, body)

    settings_of_stage = {k: v for k, v in values.items() if k != "OIDC_AUTHORIZE_URL"} | {"OIDC_ISSUER": issuer + "/"}
    # WHEN the operator runs the smoke test
    found = {c.name: c for c in _smoke(stack, with_broker, settings_of_stage, pipeline).run()}
    documents[f"{issuer}/.well-known/openid-configuration"] = {"authorization_endpoint": f"{issuer}/authorize"}
    elsewhere = {c.name: c for c in _smoke(stack, with_broker, settings_of_stage, pipeline).run()}
    # THEN login is checked against the discovered endpoint: it passes, and fails when the broker names another
    assert found["login redirects to the broker"].passed, found["login redirects to the broker"].detail
    assert not elsewhere["login redirects to the broker"].passed
    assert f"not the broker's {issuer}/authorize" in elsewhere["login redirects to the broker"].detail
