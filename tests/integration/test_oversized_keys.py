"""Values too long to be a key are refused before they reach DynamoDB (a partition key holds at most 2,048 bytes,
a sort key 1,024: past that DynamoDB answers ValidationException, a 500): a case number over 40 characters (ZGW
``identificatie``) and an id in a path over 100 characters get 400 naming the field, on every route."""

from __future__ import annotations

import re
from typing import Any

import pytest

import app  # noqa: F401 - registers the routes, so that OPERATIONS lists them
from chalicelib import wiring
from chalicelib.domain.cases import MAX_CASE_NUMBER_LENGTH
from chalicelib.web.endpoint import OPERATIONS
from chalicelib.web.request import MAX_PATH_PARAMETER
from tests.integration.browsing import Browser, csrf_token, log_in
from tests.integration.conftest import body, headers, invalid_params

LONG = "A" * 3000
SOME_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def lookups(client, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The case numbers looked up in the cases table."""
    cases = wiring.adapters().cases
    looked_up: list[str] = []
    real = cases.find_by_number

    def spy(number: str) -> Any:
        looked_up.append(number)
        return real(number)

    monkeypatch.setattr(cases, "find_by_number", spy)
    return looked_up


def test_a_3000_character_case_number_is_400_naming_it_and_never_looked_up(client, lookups):
    for persona in ("sanne", "anna"):
        answer = client.http.get(f"/api/cases?case_number={LONG}", headers=headers(persona))
        assert invalid_params(answer) == {"case_number": "too_long"}
    too_long_by_one = "S" * (MAX_CASE_NUMBER_LENGTH + 1)
    assert invalid_params(client.http.get(f"/api/cases?case_number={too_long_by_one}", headers=headers("sanne"))) == {
        "case_number": "too_long"
    }
    assert lookups == []
    # AND one of the longest allowed is looked up, and simply not found
    longest = "S" * MAX_CASE_NUMBER_LENGTH
    assert client.http.get(f"/api/cases?case_number={longest}", headers=headers("sanne")).status_code == 404
    assert lookups == [longest]


def _path_with(path: str, long_name: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: LONG if m.group(1) == long_name else SOME_ID, path)


@pytest.mark.parametrize(
    "operation",
    [op for op in OPERATIONS if op.path_parameters],
    ids=lambda op: f"{op.method} {op.path}",
)
def test_a_3000_character_id_in_any_path_is_400_naming_it(client, operation):
    for name in operation.path_parameters:
        path = _path_with(operation.path, name)
        answer = client.http.request(operation.method, path, headers=headers("anna"), body=b"{}")
        assert invalid_params(answer) == {name: "too_long"}, (operation.path, name)
        (problem,) = body(answer)["invalidParams"]
        assert str(MAX_PATH_PARAMETER) in problem["reason"]
        # AND one of an id's length that matches nothing is not found, as before
        assert client.http.request(
            operation.method, path.replace(LONG, "x" * MAX_PATH_PARAMETER), headers=headers("anna"), body=b"{}"
        ).status_code in (404, 401)


def test_pages_refuse_an_oversized_id_or_case_number_with_400(client, lookups, app_log):
    sanne = Browser(client)
    log_in(sanne, "sanne", start="/kcc")
    anna = Browser(client)
    log_in(anna, "anna", start="/werk")
    assert sanne.get(f"/kcc/zaken/{LONG}").status_code == 400
    assert anna.get(f"/werk/zaken/{LONG}").status_code == 400
    by_link = sanne.get(f"/kcc?zaaknummer={LONG}")
    form = csrf_token(sanne.get("/kcc").body.decode())
    by_form = sanne.post("/kcc", {"csrf": form, "zoek": LONG})
    for answer in (by_link, by_form):
        assert answer.status_code == 400
        page = answer.body.decode()
        assert f"maximaal {MAX_CASE_NUMBER_LENGTH} tekens" in page
    assert lookups == []
    # AND the audit line keeps the start of what was asked, not all of it
    assert all(len(line["object"]) <= 201 for line in app_log.audit())
