"""A letter read again: Mark chose letters; after a status change the letter goes to the print-and-post partner, and
his case page lists it with a download of the same text, as a file; nobody else can download it."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from chalicelib import wiring
from chalicelib.domain.subscriptions import Channel, PostalAddress
from tests.integration.browsing import CASE, Browser, log_in
from tests.integration.conftest import PERSONAS, headers, register_personas


def _marks_case_with_a_letter(client: Any, pipeline: Any) -> dict[str, Any]:
    register_personas("mark", "jan")
    mark_id = PERSONAS["mark"].claims["sub"]
    mark = wiring.adapters().subscribers.get(mark_id)
    assert mark is not None
    address = PostalAddress("M. Visser", "Dorpsstraat", "1", "3941 AB", "Doorn")
    wiring.adapters().subscribers.put(replace(mark, channels=frozenset({Channel.PORTAL, Channel.LETTER}), postal_address=address))
    created = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps({**CASE, "initiator": mark_id}))
    assert created.status_code == 201, created.body
    case = json.loads(created.body)
    pipeline.run()
    status = client.http.post(f"/api/cases/{case['id']}/status", headers=headers("anna"), body='{"statustype": "in-behandeling"}')
    assert status.status_code == 201, status.body
    pipeline.run()
    return case


def test_mark_downloads_the_letter_he_was_sent_and_nobody_else_can(client, pipeline, daytime):
    case = _marks_case_with_a_letter(client, pipeline)
    letters = [n for n in wiring.adapters().outbox.for_case(case["id"]) if n.channel is Channel.LETTER]
    assert letters, "no letter was sent"
    path = f"/mijn-zaken/{case['id']}"
    mark = Browser(client)
    log_in(mark, "mark", start=path)
    page = mark.get(path).body.decode()
    assert "Brieven die wij u stuurden" in page
    link = f"/mijn-zaken/{case['id']}/brieven/{letters[-1].id}"
    assert f'href="{link}" download>Brief van 5 oktober 2026: Nieuwe status</a>' in page

    downloaded = mark.get(link)
    assert downloaded.status_code == 200
    assert downloaded.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert downloaded.headers["Content-Disposition"].startswith('attachment; filename="brief-2026-10-05-')
    text = downloaded.body.decode()
    assert text.startswith("Geachte heer, mevrouw,")
    assert case["case_number"] in text

    # Jan may not, and an id that is no letter of Mark's is not found either
    jan = Browser(client)
    log_in(jan, "jan")
    assert jan.get(link).status_code == 404
    assert mark.get(f"/mijn-zaken/{case['id']}/brieven/{'0' * 32}").status_code == 404
    assert mark.get(f"/mijn-zaken/{case['id']}/brieven/not-an-id").status_code == 404
