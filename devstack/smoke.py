"""Prove a deployed stage works end to end: ``python -m devstack.smoke --stage prod`` (``make smoke STAGE=prod``).

With the settings ``make deploy`` used (``infra/<stage>.env``), it checks, printing one line per check:

1. ``GET https://<DOMAIN_NAME>/api/health`` answers 200 (the custom domain, no stage prefix);
2. ``/inloggen`` redirects to the broker's authorization endpoint (from ``OIDC_ISSUER``'s discovery document, or
   ``OIDC_AUTHORIZE_URL`` when given) asking for substantial assurance, with Baken's client id and the return address
   ``https://<DOMAIN_NAME>/inloggen/terug``;
3. a smoke-test case registered with the staff token in ``SMOKE_STAFF_TOKEN_FILE`` (zaaktype ``SMOKE_ZAAKTYPE``,
   applicant ``SMOKE_APPLICANT``, gemeente ``SMOKE_GEMEENTE``) reaches the applicant's berichtenbox: its
   notification there is delivered within ``--wait`` seconds (stream, fan-out, queue and delivery all worked);
4. every alarm of both templates exists in CloudWatch under the stacks' names.

Exit status 0 when every check passed. The smoke case stays (cases are never deleted): use a test applicant and a
zaaktype the province keeps for testing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from devstack.deploy import DEFAULT_REGION, SettingsError, read_settings

ROOT = Path(__file__).resolve().parents[1]
CALLBACK = "/inloggen/terug"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body or b"null")


class Http(Protocol):
    def __call__(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> Answer: ...


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_: Any, **__: Any) -> None:
        return None


def urllib_http(method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> Answer:
    """One HTTP request, redirects not followed, a 4xx/5xx returned like any answer."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) address: {url}")
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=body, headers=dict(headers), method=method)  # noqa: S310 - checked above
    try:
        with opener.open(request, timeout=30) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class Smoke:
    """The checks against one deployed stage. ``wait`` sleeps between polls (tests run the local pipeline there)."""

    stage: str
    values: Mapping[str, str]
    http: Http = urllib_http
    base_url: str = ""
    cloudwatch: Any = None
    wait: Callable[[float], None] = time.sleep
    timeout_seconds: float = 180.0
    results: list[Check] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.base_url = (self.base_url or f"https://{self.values.get('DOMAIN_NAME', '')}").rstrip("/")

    def _record(self, name: str, passed: bool, detail: str) -> bool:
        self.results.append(Check(name, passed, detail))
        return passed

    def health(self) -> bool:
        answer = self.http("GET", f"{self.base_url}/api/health", {"Accept": "application/json"}, None)
        return self._record("API answers", answer.status == 200, f"GET /api/health: {answer.status}")

    def _authorization_endpoint(self) -> str:
        """Where the broker's login starts: as given, or as its discovery document says (what Baken reads too)."""
        if self.values.get("OIDC_AUTHORIZE_URL"):
            return self.values["OIDC_AUTHORIZE_URL"]
        issuer = self.values.get("OIDC_ISSUER", "").rstrip("/")
        if not issuer:
            return ""
        answer = self.http("GET", f"{issuer}/.well-known/openid-configuration", {"Accept": "application/json"}, None)
        document = answer.json() if answer.status == 200 else None
        return str(document.get("authorization_endpoint", "")) if isinstance(document, dict) else ""

    def login_redirect(self) -> bool:
        answer = self.http("GET", f"{self.base_url}/inloggen", {}, None)
        location = answer.headers.get("location", "")
        authorize = self._authorization_endpoint()
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
        problems = []
        if answer.status not in (302, 303):
            problems.append(f"status {answer.status}, not a redirect")
        if not authorize or not location.startswith(authorize + "?"):
            problems.append(f"goes to {location.split('?')[0] or '(nowhere)'}, not the broker's {authorize or '(not found)'}")
        if query.get("redirect_uri") != [self.base_url + CALLBACK]:
            problems.append(f"return address {query.get('redirect_uri')}, not {self.base_url + CALLBACK}")
        client_id = self.values.get("OIDC_CLIENT_ID", "")
        if client_id and query.get("client_id") != [client_id]:
            problems.append(f"client_id {query.get('client_id')}, not {client_id}")
        return self._record("login redirects to the broker", not problems, "; ".join(problems) or location.split("?")[0])

    def case_reaches_the_berichtenbox(self) -> bool:
        name = "a case change reaches the test berichtenbox"
        token_file = self.values.get("SMOKE_STAFF_TOKEN_FILE", "")
        missing = [
            key
            for key in ("SMOKE_STAFF_TOKEN_FILE", "SMOKE_APPLICANT", "SMOKE_ZAAKTYPE", "SMOKE_GEMEENTE")
            if not self.values.get(key)
        ]
        if missing:
            return self._record(name, False, f"settings missing: {', '.join(missing)}")
        try:
            token = Path(token_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            return self._record(name, False, f"SMOKE_STAFF_TOKEN_FILE: {error}")
        staff = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"}
        case = {
            "zaaktype": self.values["SMOKE_ZAAKTYPE"],
            "omschrijving": f"Rooktest {time.strftime('%Y-%m-%d %H:%M:%S')}",
            "initiator": self.values["SMOKE_APPLICANT"],
            "gemeenten": [self.values["SMOKE_GEMEENTE"]],
        }
        created = self.http("POST", f"{self.base_url}/api/cases", staff, json.dumps(case).encode())
        if created.status != 201:
            return self._record(name, False, f"POST /api/cases: {created.status} {created.body[:300]!r}")
        case_id = created.json()["id"]
        deadline = time.monotonic() + self.timeout_seconds
        seen: list[tuple[str, str]] = []
        while True:
            answer = self.http("GET", f"{self.base_url}/api/cases/{case_id}/notifications", staff, None)
            if answer.status == 200:
                seen = [(n.get("channel", ""), n.get("status", "")) for n in answer.json().get("notifications", [])]
                if ("portal", "delivered") in seen:
                    return self._record(name, True, f"case {created.json().get('case_number', case_id)}: berichtenbox delivered")
            if time.monotonic() >= deadline:
                return self._record(
                    name, False, f"case {case_id}: not in the berichtenbox after {self.timeout_seconds:.0f} s ({seen})"
                )
            self.wait(5.0)

    def alarms_exist(self) -> bool:
        app_stack = self.values.get("APP_STACK") or f"baken-{self.stage}"
        expected = expected_alarm_names(self.stage, app_stack)
        found: set[str] = set()
        for prefix in sorted({f"{app_stack}-", f"baken-{self.stage}-"}):
            for page in self.cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix):
                found |= {alarm["AlarmName"] for alarm in page["MetricAlarms"]}
        missing = sorted(expected - found)
        return self._record(
            "the alarms exist", not missing, f"missing: {', '.join(missing)}" if missing else f"{len(expected)} alarms"
        )

    def run(self) -> list[Check]:
        self.health()
        self.login_redirect()
        self.case_reaches_the_berichtenbox()
        self.alarms_exist()
        return self.results


def expected_alarm_names(stage: str, app_stack: str) -> set[str]:
    """The alarm names both templates create for ``stage`` with the application stack ``app_stack``."""
    names = set()
    for template, substitutions in (("app.json", {"${AWS::StackName}": app_stack}), ("data.json", {"${Stage}": stage})):
        resources = json.loads((ROOT / "infra" / template).read_text(encoding="utf-8"))["Resources"]
        for resource in resources.values():
            if resource.get("Type") == "AWS::CloudWatch::Alarm":
                name = resource["Properties"]["AlarmName"]["Fn::Sub"]
                for placeholder, value in substitutions.items():
                    name = name.replace(placeholder, value)
                names.add(name)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.smoke", description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, help="dev or prod")
    parser.add_argument("--settings", type=Path, help="settings file (default: infra/<stage>.env)")
    parser.add_argument("--wait", type=float, default=180.0, help="seconds the case may take to reach the berichtenbox")
    arguments = parser.parse_args(argv)
    path = arguments.settings or ROOT / "infra" / f"{arguments.stage}.env"
    try:
        values = read_settings(path)
    except (OSError, SettingsError) as error:
        print(f"cannot read the settings: {error}", file=sys.stderr)
        return 2
    import boto3

    cloudwatch = boto3.client("cloudwatch", region_name=values.get("REGION") or DEFAULT_REGION)
    results = Smoke(arguments.stage, values, cloudwatch=cloudwatch, timeout_seconds=arguments.wait).run()
    for check in results:
        print(f"{'ok  ' if check.passed else 'FAIL'} {check.name}: {check.detail}")
    return 0 if all(check.passed for check in results) else 1


if __name__ == "__main__":
    sys.exit(main())
