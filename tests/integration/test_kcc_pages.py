"""The KCC's pages: find a case by number, see what the applicant sees and what Baken sent them, and record a
contact moment that then shows on the case for the applicant too."""

from __future__ import annotations

import json
import re

from tests.integration.conftest import PERSONAS, headers, register_personas
from tests.integration.test_login import CASE, Browser, _csrf, _location, _log_in


def _marks_case(client) -> dict:
    register_personas("mark", "sanne")
    body = {**CASE, "initiator": PERSONAS["mark"].claims["sub"]}
    created = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(body))
    assert created.status_code == 201
    return json.loads(created.body)


def test_sanne_finds_marks_case_sees_what_went_out_and_records_the_call(client, pipeline):
    case = _marks_case(client)
    pipeline.run()
    sanne = Browser(client)
    _log_in(sanne, "sanne", start="/kcc")

    # WHEN Sanne searches the case number
    found = sanne.get(f"/kcc?zaaknummer={case['case_number']}")
    case_path = _location(found)
    assert case_path == f"/kcc/zaken/{case['id']}"
    page = sanne.get(case_path).body.decode()

    # THEN she sees the case as Mark does, and what Baken sent him and how it went
    assert "Wat er hierna gebeurt" in page
    assert "Wat de aanvrager van ons kreeg" in page
    assert re.search(r"<td>status_changed</td><td>email</td><td>delivered", page)

    # WHEN she records his call
    fields = {"csrf": _csrf(page), "kanaal": "telefoon", "onderwerp": "Vergunning waterschap", "inhoud": "Uitgelegd waar."}
    recorded = sanne.post(f"{case_path}/contactmomenten", fields)
    assert _location(recorded) == f"{case_path}?vastgelegd=1"
    assert "Het contactmoment staat bij de zaak." in sanne.get(f"{case_path}?vastgelegd=1").body.decode()

    # THEN Mark sees it on his case's timeline
    mark = Browser(client)
    _log_in(mark, "mark", start=f"/mijn-zaken/{case['id']}")
    assert "Contact met de provincie" in mark.get(f"/mijn-zaken/{case['id']}").body.decode()


def test_a_case_number_that_does_not_exist_says_so_on_the_search_page(client):
    _marks_case(client)
    sanne = Browser(client)
    _log_in(sanne, "sanne", start="/kcc")
    answer = sanne.get("/kcc?zaaknummer=SUB-2026-999999")
    assert answer.status_code == 404
    assert "Geen zaak met dit nummer." in answer.body.decode()


def test_an_applicant_cannot_use_the_kcc_pages(client):
    case = _marks_case(client)
    mark = Browser(client)
    _log_in(mark, "mark")
    assert mark.get("/kcc").status_code == 403
    assert mark.get(f"/kcc/zaken/{case['id']}").status_code == 403


def test_a_contact_moment_needs_the_sessions_csrf_token_and_valid_fields(client):
    case = _marks_case(client)
    sanne = Browser(client)
    _log_in(sanne, "sanne", start="/kcc")
    case_path = f"/kcc/zaken/{case['id']}"
    csrf = _csrf(sanne.get(case_path).body.decode())

    forged = sanne.post(f"{case_path}/contactmomenten", {"kanaal": "telefoon", "onderwerp": "x", "inhoud": "y"})
    assert forged.status_code == 403
    invalid = sanne.post(f"{case_path}/contactmomenten", {"csrf": csrf, "kanaal": "duif", "onderwerp": "x", "inhoud": "y"})
    assert invalid.status_code == 400
    assert "kanaal" in invalid.body.decode()
    assert "Contact met de provincie" not in sanne.get(case_path).body.decode()
