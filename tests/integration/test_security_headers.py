"""The security headers of every kind of answer: HSTS on all of them (JSON, pages, redirects, errors, the
stylesheets), JSON never stored by a cache and never sniffed, and a redirect carrying what a page carries."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.web.headers import HSTS, PAGE_HEADERS
from tests.integration.browsing import CASE, Browser, csrf_token, log_in
from tests.integration.conftest import PERSONAS, headers, register_personas


def header(response: Any, name: str) -> str | None:
    found = [value for key, value in response.headers.items() if key.lower() == name.lower()]
    return found[0] if found else None


@pytest.fixture
def world(client) -> dict[str, Any]:
    register_personas("mark", "sanne")
    created = client.http.post(
        "/api/cases", headers=headers("anna"), body=json.dumps({**CASE, "initiator": PERSONAS["mark"].claims["sub"]})
    )
    assert created.status_code == 201
    sanne = Browser(client)
    log_in(sanne, "sanne", start="/kcc")
    return {"case": json.loads(created.body), "sanne": sanne}


def _json_answers(client, world) -> dict[str, Any]:
    case_id = world["case"]["id"]
    return {
        "health": client.http.get("/api/health"),
        "catalogue": client.http.get("/api/zaaktypen"),
        "staff case": client.http.get(f"/api/cases/{case_id}", headers=headers("sanne")),
        "notifications": client.http.get(f"/api/cases/{case_id}/notifications", headers=headers("anna")),
        "my case": client.http.get(f"/api/me/cases/{case_id}", headers=headers("mark")),
        "search": client.http.post(
            "/api/cases/search", headers=headers("sanne"), body=json.dumps({"email": PERSONAS["mark"].email})
        ),
        "created": client.http.post(
            "/api/cases", headers=headers("anna"), body=json.dumps({**CASE, "initiator": PERSONAS["mark"].claims["sub"]})
        ),
        "401": client.http.get("/api/me/cases"),
        "404": client.http.get("/api/cases/00000000-0000-4000-8000-000000000000", headers=headers("sanne")),
        "400": client.http.get("/api/cases?case_number=", headers=headers("sanne")),
        "405 (Chalice's own)": client.http.request("DELETE", "/api/health"),
        "415 (Chalice's own)": client.http.post("/api/cases", headers={**headers("anna"), "Content-Type": "text/plain"}),
    }


def test_every_json_answer_has_hsts_no_store_and_nosniff(client, world):
    answers = _json_answers(client, world)
    for name, answer in answers.items():
        assert header(answer, "Content-Type") in ("application/json", "application/problem+json"), name
        assert header(answer, "Strict-Transport-Security") == HSTS, name
        assert header(answer, "Cache-Control") == "no-store", name
        assert header(answer, "X-Content-Type-Options") == "nosniff", name
    assert {answers[n].status_code for n in ("401", "404", "400")} == {401, 404, 400}


def test_every_page_and_stylesheet_has_hsts(client, world):
    sanne = world["sanne"]
    answers = {
        "public page": client.http.get("/toegankelijkheid"),
        "page behind login": sanne.get("/kcc"),
        "case page": sanne.get(f"/kcc/zaken/{world['case']['id']}"),
        "not found page": sanne.get("/kcc/zaken/00000000-0000-4000-8000-000000000000"),
        "refused page": sanne.get("/werk"),
        "stylesheet": client.http.get("/assets/utrecht-components.css"),
        "missing stylesheet": client.http.get("/assets/nothing.css"),
    }
    assert [answers[n].status_code for n in ("not found page", "refused page", "missing stylesheet")] == [404, 403, 404]
    for name, answer in answers.items():
        assert header(answer, "Strict-Transport-Security") == HSTS, name
        assert header(answer, "X-Content-Type-Options") == "nosniff", name
    for name in ("public page", "page behind login", "case page", "not found page", "refused page"):
        for key, value in PAGE_HEADERS.items():
            assert header(answers[name], key) == value, (name, key)
    assert header(answers["stylesheet"], "Cache-Control") == "public, max-age=86400"  # its own choice is kept


def test_every_redirect_carries_the_headers_of_a_page(client, world):
    sanne = world["sanne"]
    form = csrf_token(sanne.get("/kcc").body.decode())
    redirects = {
        "to login (302)": client.http.get("/mijn-zaken"),
        "to the broker": client.http.get("/inloggen?next=/mijn-zaken"),
        "after a search (303)": sanne.post("/kcc", {"csrf": form, "zoek": world["case"]["case_number"]}),
        "by number (303)": sanne.get(f"/kcc?zaaknummer={world['case']['case_number']}"),
        "after a form (303)": sanne.post(
            f"/kcc/zaken/{world['case']['id']}/contactmomenten",
            {"csrf": form, "kanaal": "telefoon", "vraagonderwerp": "termijn", "inhoud": "Uitgelegd."},
        ),
    }
    for name, answer in redirects.items():
        assert 300 <= answer.status_code < 400, (name, answer.status_code)
        assert header(answer, "Location"), name
        assert header(answer, "Strict-Transport-Security") == HSTS, name
        for key, value in PAGE_HEADERS.items():
            assert header(answer, key) == value, (name, key)
