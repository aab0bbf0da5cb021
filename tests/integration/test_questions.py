"""A question about my case: Mark asks one from his case page; it is a contact moment and a task for Anna with the
province's answer term (5 working days); Anna answers it on her case page; the answer is a message on the case,
read back from the stream into Mark's berichtenbox and e-mail; Sanne (KCC) sees the question and the answer. And
what must not happen: a double POST making two questions, Jan asking on Mark's case, Pieter answering Anna's,
a replayed answer posting twice, bad input as a 500 — over HTTP on moto, with the stream read back."""

from __future__ import annotations

import json
import re
from typing import Any

from chalicelib import wiring
from chalicelib.domain.questions import MAX_QUESTION_LENGTH
from tests.integration.browsing import CASE, Browser, csrf_token, redirect_target, signed_in
from tests.integration.conftest import PERSONAS, headers, mailbox, register_personas

QUESTION = "Moet ik de vergunning van het waterschap zelf aanvragen, of doet u dat?"
ANSWER = "U vraagt de vergunning zelf aan in het Omgevingsloket. Wij wachten daarna op het besluit."


def _case(client: Any) -> dict[str, Any]:
    register_personas("mark", "fatima", "jan")
    body = {**CASE, "initiator": PERSONAS["mark"].claims["sub"], "co_initiators": [PERSONAS["fatima"].claims["sub"]]}
    created = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(body))
    assert created.status_code == 201, created.body
    return json.loads(created.body)


def _question_form(page: str) -> dict[str, str]:
    form = re.search(r'<form method="post" action="(/mijn-zaken/[^"?]+/vragen)[^"]*".*?</form>', page, re.DOTALL)
    assert form, "no question form"
    key = re.search(r'name="sleutel" value="([0-9a-f]{32})"', form.group(0))
    assert key
    return {"action": form.group(1), "csrf": csrf_token(form.group(0)), "sleutel": key.group(1)}


def _ask(browser: Browser, path: str, text: str, form: dict[str, str] | None = None) -> Any:
    form = form or _question_form(browser.get(path).body.decode())
    return browser.post(form["action"], {"csrf": form["csrf"], "sleutel": form["sleutel"], "vraag": text})


def test_mark_asks_anna_answers_and_the_answer_reaches_mark_as_a_message(client, stack, pipeline, daytime):
    case = _case(client)
    pipeline.run()
    path = f"/mijn-zaken/{case['id']}"
    mark = signed_in(client, "mark", path)
    form = _question_form(mark.get(path).body.decode())

    # GIVEN a double click: the same form twice
    first = _ask(mark, path, QUESTION, form)
    second = _ask(mark, path, QUESTION, form)

    # THEN one question, and the page says when the answer comes (5 working days from the clock's day)
    assert first.status_code == second.status_code == 303
    assert redirect_target(first) == redirect_target(second)
    assert first.headers["Location"].endswith("#vraag-bevestiging")
    questions = wiring.adapters().contacts.questions(case["id"], limit=10)
    assert len(questions) == 1
    (question,) = questions
    assert question.due > question.asked_at.date()
    shown = mark.get(redirect_target(first)).body.decode()
    assert "Wij hebben uw vraag ontvangen" in shown
    assert QUESTION in shown
    assert "Wij antwoorden uiterlijk op" in shown
    # it is a contact moment on the timeline, the text the applicant's own
    moments = wiring.adapters().contacts.for_case(case["id"])
    assert [(m.kanaal, m.for_applicant) for m in moments] == [("portaal", QUESTION)]
    mine = json.loads(client.http.get(f"/api/me/cases/{case['id']}", headers=headers("mark")).body)
    assert any(e["kind"] == "question" and e["text"] == QUESTION for e in mine["timeline"])

    # Anna sees it open with its due date, and answers it
    anna = signed_in(client, "anna", f"/werk/zaken/{case['id']}")
    work = anna.get(f"/werk/zaken/{case['id']}").body.decode()
    assert "Vragen van de aanvrager" in work
    assert QUESTION in work
    assert "Antwoord uiterlijk op" in work
    answer_path = f"/werk/zaken/{case['id']}/vragen/{question.id}/antwoord"
    assert f'action="{answer_path}' in work
    empty = anna.post(answer_path, {"csrf": csrf_token(work), "antwoord": "  "})
    assert empty.status_code == 400
    assert f'<a href="#antwoord-{question.id}">' in empty.body.decode()
    assert "<title>Fout: " in empty.body.decode()
    answered = anna.post(answer_path, {"csrf": csrf_token(work), "antwoord": ANSWER})
    assert answered.status_code == 303
    assert answered.headers["Location"].endswith("#antwoord-bevestiging")
    # the same answer again (a double click, a retry): no second message
    assert anna.post(answer_path, {"csrf": csrf_token(work), "antwoord": ANSWER}).status_code == 303
    # another answer to an answered question is refused, at the field
    other = anna.post(answer_path, {"csrf": csrf_token(work), "antwoord": "Iets anders"})
    assert other.status_code == 409
    assert "al beantwoord" in other.body.decode()
    pipeline.run()

    # the answer is a message, read back from the stream into Mark's berichtenbox and e-mail (and Fatima's)
    staff = json.loads(client.http.get(f"/api/cases/{case['id']}", headers=headers("anna")).body)
    assert [e["text"] for e in staff["timeline"] if e["kind"] == "message"] == [ANSWER]
    for persona in ("mark", "fatima"):
        box = json.loads(client.http.get("/api/me/berichtenbox", headers=headers(persona)).body)["messages"]
        assert [m for m in box if m["kind"] == "message_posted" and ANSWER in m["body"]], persona
    assert [m for m in mailbox(PERSONAS["mark"].email) if case["case_number"] in m.subject]
    kept = wiring.adapters().contacts.question(case["id"], question.id)
    assert kept is not None
    assert kept.answer is not None
    assert kept.answer.text == ANSWER

    page = mark.get(path).body.decode()
    assert "Ons antwoord van" in page
    assert ANSWER in page
    work = anna.get(redirect_target(answered)).body.decode()
    assert "Uw antwoord is verstuurd" in work
    assert "Beantwoord" in work

    # Sanne (KCC) sees the question and the answer, and has no form to answer it
    sanne = signed_in(client, "sanne", f"/kcc/zaken/{case['id']}")
    kcc = sanne.get(f"/kcc/zaken/{case['id']}").body.decode()
    assert QUESTION in kcc
    assert ANSWER in kcc
    assert "/antwoord" not in kcc


def test_a_question_that_is_empty_or_too_long_is_a_400_at_the_field_and_nothing_is_stored(client, stack, daytime):
    case = _case(client)
    path = f"/mijn-zaken/{case['id']}"
    mark = signed_in(client, "mark", path)
    for text, expected in (("   ", "Dit veld is verplicht"), ("x" * (MAX_QUESTION_LENGTH + 1), "te lang")):
        refused = _ask(mark, path, text)
        page = refused.body.decode()
        assert refused.status_code == 400
        assert "<title>Fout: " in page
        assert '<a href="#vraag">' in page
        assert 'id="vraag-error"' in page
        assert expected in page
    # what was typed is kept
    assert "x" * 50 in page
    # an out-of-date form (no key) is refused too
    form = _question_form(mark.get(path).body.decode())
    refused = mark.post(form["action"], {"csrf": form["csrf"], "sleutel": "nope", "vraag": QUESTION})
    assert refused.status_code == 400
    assert wiring.adapters().contacts.questions(case["id"], limit=10) == []


def test_only_the_parties_ask_and_only_the_behandelaar_of_the_case_answers(client, stack, daytime):
    case = _case(client)
    path = f"/mijn-zaken/{case['id']}"
    # Jan finds no case page, and his POST to Mark's case is the not-found page
    jan = signed_in(client, "jan", "/mijn-zaken")
    jan_form = _question_form(signed_in(client, "mark", path).get(path).body.decode())
    assert jan.get(path).status_code == 404
    jan_csrf = csrf_token(jan.get("/mijn-zaken").body.decode())
    refused = jan.post(jan_form["action"], {"csrf": jan_csrf, "sleutel": jan_form["sleutel"], "vraag": QUESTION})
    assert refused.status_code == 404
    assert wiring.adapters().contacts.questions(case["id"], limit=10) == []
    # Karin, Mark's gemachtigde, may ask
    karin = signed_in(client, "karin", path)
    assert _ask(karin, path, QUESTION).status_code == 303
    (question,) = wiring.adapters().contacts.questions(case["id"], limit=10)
    assert (question.asked_by, question.on_behalf_of) == (PERSONAS["karin"].claims["sub"], PERSONAS["mark"].claims["sub"])
    # Pieter, another behandelaar, may not answer Anna's case's question; Sanne (KCC) neither
    answer_path = f"/werk/zaken/{case['id']}/vragen/{question.id}/antwoord"
    pieter = signed_in(client, "pieter", f"/werk/zaken/{case['id']}")
    page = pieter.get(f"/werk/zaken/{case['id']}").body.decode()
    assert "/antwoord" not in page
    assert pieter.post(answer_path, {"csrf": _csrf(pieter), "antwoord": ANSWER}).status_code == 403
    sanne = signed_in(client, "sanne", f"/kcc/zaken/{case['id']}")
    kcc = sanne.get(f"/kcc/zaken/{case['id']}").body.decode()
    assert sanne.post(answer_path, {"csrf": csrf_token(kcc), "antwoord": ANSWER}).status_code == 403
    # a question of another case (or none) is not found
    anna = signed_in(client, "anna", f"/werk/zaken/{case['id']}")
    work = anna.get(f"/werk/zaken/{case['id']}").body.decode()
    missing = f"/werk/zaken/{case['id']}/vragen/00000000-0000-4000-8000-000000000000/antwoord"
    assert anna.post(missing, {"csrf": csrf_token(work), "antwoord": ANSWER}).status_code == 404
    kept = wiring.adapters().contacts.question(case["id"], question.id)
    assert kept is not None
    assert kept.answer is None


def _csrf(browser: Browser) -> str:
    """The session's CSRF token from a page with a form (the logout form is on every page behind login)."""
    for path in ("/werk", "/kcc", "/mijn-zaken"):
        page = browser.get(path).body.decode()
        if 'name="csrf"' in page:
            return csrf_token(page)
    raise AssertionError("no form with a CSRF token")
