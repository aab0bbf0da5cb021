"""Staff reads of personal data leave a trace (BIO): every time a KCC medewerker or a behandelaar reads a case,
its notifications, or finds cases by number or e-mail address — through the JSON API or the pages — exactly
one audit line names who, what, the answer and from where. An applicant reading their own case leaves none:
the person the data is about reading it is no access to account for, and would only flood the log."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.browsing import CASE, Browser, csrf_token, log_in
from tests.integration.conftest import PERSONAS, headers, register_personas


@pytest.fixture
def marks_case(client) -> dict[str, Any]:
    register_personas("mark", "sanne")
    created = client.http.post(
        "/api/cases", headers=headers("anna"), body=json.dumps({**CASE, "initiator": PERSONAS["mark"].claims["sub"]})
    )
    assert created.status_code == 201, created.body
    return dict(json.loads(created.body))


def _lines_of(app_log, read: Callable[[], Any]) -> tuple[Any, list[dict[str, Any]]]:
    before = len(app_log.audit())
    answer = read()
    return answer, app_log.audit()[before:]


@pytest.mark.parametrize("persona", ["sanne", "anna"])
def test_each_api_read_by_staff_leaves_exactly_one_audit_line(client, app_log, marks_case, persona):
    case_id, number = marks_case["id"], marks_case["case_number"]
    subject = PERSONAS[persona].claims["sub"]
    reads = {
        "view_case": (lambda: client.http.get(f"/api/cases/{case_id}", headers=headers(persona)), case_id),
        "view_delivery_status": (
            lambda: client.http.get(f"/api/cases/{case_id}/notifications", headers=headers(persona)),
            case_id,
        ),
        "find_case": (lambda: client.http.get(f"/api/cases?case_number={number}", headers=headers(persona)), "/api/cases"),
        "find_cases_by_email": (
            lambda: client.http.post(
                "/api/cases/search", headers=headers(persona), body=json.dumps({"email": PERSONAS["mark"].email})
            ),
            "/api/cases/search",
        ),
    }
    for action, (read, object_id) in reads.items():
        # WHEN the medewerker reads
        answer, lines = _lines_of(app_log, read)
        # THEN one line says who read what, with what answer, from where
        assert answer.status_code == 200, (action, answer.body)
        assert len(lines) == 1, (action, lines)
        (line,) = lines
        assert (line["action"], line["actor"], line["object"], line["result"]) == (action, subject, object_id, 200)
        assert line["origin"]
        if action.startswith("find"):  # AND a search names the cases it showed, never what was searched for
            assert line["cases"] == [case_id]
    assert not [text for text in app_log.lines() if str(PERSONAS["mark"].email) in text.lower()]


def test_a_search_that_finds_nothing_is_in_the_audit_log_too(client, app_log, marks_case):
    missing = "/api/cases?case_number=SUB-2026-999999"
    answer, lines = _lines_of(app_log, lambda: client.http.get(missing, headers=headers("sanne")))
    assert answer.status_code == 404
    assert [(line["action"], line["result"], "cases" in line) for line in lines] == [("find_case", 404, False)]


def test_each_page_read_by_staff_leaves_exactly_one_audit_line(client, app_log, marks_case):
    case_id, number = marks_case["id"], marks_case["case_number"]
    sanne, anna = Browser(client), Browser(client)
    log_in(sanne, "sanne", start="/kcc")
    log_in(anna, "anna", start="/werk")
    form = csrf_token(sanne.get("/kcc").body.decode())
    reads = [
        ("sanne", "view_case", f"/kcc/zaken/{case_id}", lambda: sanne.get(f"/kcc/zaken/{case_id}")),
        ("anna", "view_case", f"/werk/zaken/{case_id}", lambda: anna.get(f"/werk/zaken/{case_id}")),
        ("sanne", "find_case", "/kcc", lambda: sanne.get(f"/kcc?zaaknummer={number}")),
        ("sanne", "find_case", "/kcc", lambda: sanne.post("/kcc", {"csrf": form, "zoek": number})),
        ("sanne", "find_cases_by_email", "/kcc", lambda: sanne.post("/kcc", {"csrf": form, "zoek": str(PERSONAS["mark"].email)})),
    ]
    for persona, action, path, read in reads:
        # WHEN the medewerker opens the page
        answer, lines = _lines_of(app_log, read)
        # THEN one line says who read what
        assert answer.status_code in (200, 303), (action, path)
        assert len(lines) == 1, (action, path, lines)
        (line,) = lines
        expected = (action, PERSONAS[persona].claims["sub"], path, answer.status_code)
        assert (line["action"], line["actor"], line["object"], line["result"]) == expected
        assert line["origin"]
        if action.startswith("find"):
            assert line["cases"] == [case_id]


def test_the_empty_search_form_is_no_read(client, app_log, marks_case):
    sanne = Browser(client)
    log_in(sanne, "sanne", start="/kcc")
    answer, lines = _lines_of(app_log, lambda: sanne.get("/kcc"))
    assert answer.status_code == 200
    assert lines == []


def test_an_applicant_reading_their_own_case_leaves_no_audit_line(client, app_log, marks_case):
    mark = Browser(client)
    log_in(mark, "mark")
    before = len(app_log.audit())
    for _ in range(3):
        assert client.http.get(f"/api/me/cases/{marks_case['id']}", headers=headers("mark")).status_code == 200
        assert client.http.get("/api/me/cases", headers=headers("mark")).status_code == 200
        assert mark.get(f"/mijn-zaken/{marks_case['id']}").status_code == 200
    assert app_log.audit()[before:] == []


def test_a_refused_read_is_audited_once_as_before(client, app_log, marks_case):
    answer, lines = _lines_of(app_log, lambda: client.http.get(f"/api/cases/{marks_case['id']}", headers=headers("mark")))
    assert answer.status_code == 403
    assert [(line["action"], line["actor"], line["result"]) for line in lines] == [
        ("view_case", PERSONAS["mark"].claims["sub"], 403)
    ]
