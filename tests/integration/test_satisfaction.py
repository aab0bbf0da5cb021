"""Satisfaction measured, over HTTP on moto with the stream read back: Anna decides a case, the closing e-mail asks
Mark and Fatima with five signed links each; opening a link records nothing, its button records the answer, again
the same answer changes nothing, a change moves one count; the counts always equal a recount of the answers; a
changed or foreign link is the not-found page, an expired one says the question is closed; Mark answers and changes
on his case page; staff see the figures, only behandelaars the comments, small numbers never shown, and no page
names who answered or about which case."""

from __future__ import annotations

import base64
import html as markup
import json
import re
from typing import Any
from urllib.parse import unquote, urlencode

from chalicelib import wiring
from chalicelib.domain.satisfaction import respondent_key, tally
from tests.integration.browsing import CASE, FORM, Browser, csrf_token, log_in, redirect_target
from tests.integration.conftest import PERSONAS, headers, mailbox, register_personas
from tests.integration.test_pages import page

SUBSIDIE = "subsidie-duurzame-recreatie"
LINK = re.compile(r"https?://[^/\s]+/tevredenheid/([A-Za-z0-9._-]+)\?score=(\d)&lang=(nl|en)")
COMMENT = "De uitleg over de begroting was heel duidelijk."


def _decided(client: Any, pipeline: Any, initiator: str = "mark", co: tuple[str, ...] = ("fatima",)) -> dict[str, Any]:
    register_personas("mark", "fatima", "jan")
    body = {
        **CASE,
        "initiator": PERSONAS[initiator].claims["sub"] if initiator in PERSONAS else initiator,
        "co_initiators": [PERSONAS[p].claims["sub"] for p in co],
    }
    created = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(body))
    assert created.status_code == 201, created.body
    case = json.loads(created.body)
    decided = client.http.post(
        f"/api/cases/{case['id']}/status", headers=headers("anna"), body='{"statustype": "besluit-genomen"}'
    )
    assert decided.status_code == 201, decided.body
    pipeline.run()
    return dict(json.loads(client.http.get(f"/api/cases/{case['id']}", headers=headers("anna")).body))


def _links(persona: str, case: dict[str, Any] | None = None) -> dict[int, str]:
    """The satisfaction links in the e-mails to ``persona`` (about ``case`` only, when given), by score."""
    found: dict[int, str] = {}
    for mail in mailbox(PERSONAS[persona].email):
        for token, score, _ in LINK.findall(mail.text):
            payload = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=" * (-len(token.split(".")[0]) % 4)))
            if case is None or str(payload["s"]).startswith(f"{case['id']}/"):
                found[int(score)] = unquote(token)
    return found


def _month_of(case: dict[str, Any]) -> str:
    return str(case["closed_on"])[:7]


def _counts(month: str) -> dict[int, int]:
    store = wiring.adapters().satisfaction
    assert store is not None
    found = store.months(SUBSIDIE, month, month)
    return dict(found[0].counts) if found else {}


def _answer_form(token: str, score: str, comment: str = "", lang: str = "nl") -> tuple[str, str]:
    return f"/tevredenheid/{token}?lang={lang}", urlencode({"cijfer": score, "opmerking": comment})


def test_the_closing_email_asks_and_one_click_records_nothing_until_the_button_is_pressed(client, pipeline, daytime, app_log):
    # GIVEN Anna decided Mark's case: the closing e-mail has five links, one per score
    case = _decided(client, pipeline)
    links = _links("mark")
    assert sorted(links) == [1, 2, 3, 4, 5]
    closing = next(m for m in mailbox(PERSONAS["mark"].email) if "/tevredenheid/" in m.text)
    assert "Hoe tevreden bent u over hoe wij uw zaak hebben behandeld? Kies een cijfer:" in closing.text
    assert closing.html.count("/tevredenheid/") == 5
    token = links[4]

    # WHEN the link for 4 is opened (by Mark, or by a mail scanner), twice
    audit_before = len(app_log.audit())
    for _ in range(2):
        shown = page(client.http.get(f"/tevredenheid/{token}?score=4&lang=nl"), 200)
        # THEN the form shows with 4 chosen, a comment box and the button
        assert re.search(r'<input type="radio" name="cijfer" value="4" checked>', shown)
        assert len(re.findall(r'name="cijfer"', shown)) == 5
        assert '<textarea class="utrecht-textarea" id="opmerking" name="opmerking"' in shown
        assert ">Verstuur</button>" in shown
        assert case["case_number"] in shown
    # AND nothing was recorded, and no write was audited
    respondent = respondent_key(case["id"], PERSONAS["mark"].claims["sub"], wiring.adapters().token_keys)
    assert wiring.adapters().satisfaction.answer(case["id"], respondent) is None  # type: ignore[union-attr]
    assert _counts(_month_of(case)) == {}
    assert app_log.audit()[audit_before:] == []

    # WHEN the button is pressed
    path, form = _answer_form(token, "4", f"  {COMMENT}  ")
    answered = client.http.post(path, headers=FORM, body=form)

    # THEN it is recorded, and the page thanks, shows the answer and a way to change it
    assert answered.status_code == 303
    assert answered.headers["Location"].endswith("#tevredenheid")
    after = page(client.http.get(redirect_target(answered)), 200)
    assert "Bedankt voor uw antwoord." in after
    assert "4 Tevreden" in after
    assert COMMENT in after
    assert ">Wijzigen</a>" in after
    assert _counts(_month_of(case)) == {4: 1}
    # AND the audit line names the page, never the link's token
    (line,) = [entry for entry in app_log.audit()[audit_before:] if entry["action"] == "page_answer_by_link"]
    assert (line["object"], line["actor"], line["result"]) == ("/tevredenheid/{token}", "link_holder", 303)
    assert token not in json.dumps(app_log.audit())


def test_the_same_answer_again_changes_nothing_and_a_change_moves_one_count(client, pipeline, daytime):
    case = _decided(client, pipeline)
    month = _month_of(case)
    marks, fatimas = _links("mark"), _links("fatima")
    store = wiring.adapters().satisfaction
    assert store is not None
    for token, score in ((marks[2], "2"), (fatimas[5], "5")):
        path, form = _answer_form(token, score, "Traag." if score == "2" else "")
        assert client.http.post(path, headers=FORM, body=form).status_code == 303
    respondent = respondent_key(case["id"], PERSONAS["mark"].claims["sub"], wiring.adapters().token_keys)
    first = store.answer(case["id"], respondent)

    # WHEN Mark sends the same answer again (a reload, a double click)
    path, form = _answer_form(marks[2], "2", "Traag.")
    assert client.http.post(path, headers=FORM, body=form).status_code == 303
    # THEN nothing was written
    assert store.answer(case["id"], respondent) == first
    assert _counts(month) == {2: 1, 5: 1}

    # WHEN he changes it, three days later, from any of his links, without a comment
    daytime.advance(days=3)
    path, form = _answer_form(marks[5], "4", "")
    assert client.http.post(path, headers=FORM, body=form).status_code == 303
    # THEN his 2 became a 4, his comment is gone, and the counts are what a recount of the answers gives
    assert _counts(month) == {4: 1, 5: 1}
    assert store.comments(SUBSIDIE, month, limit=20).comments == ()
    answers = [a.answer for a in (store.answer(case["id"], r) for r in _respondents(case)) if a is not None]
    (kept,) = store.months(SUBSIDIE, month, month)
    assert kept == tally(SUBSIDIE, month, answers)


def _respondents(case: dict[str, Any]) -> list[str]:
    return [
        respondent_key(case["id"], PERSONAS[p].claims["sub"], wiring.adapters().token_keys) for p in ("mark", "fatima", "jan")
    ]


def test_a_changed_foreign_or_expired_link_is_a_clear_page_and_never_a_server_error(client, pipeline, daytime):
    _decided(client, pipeline)
    token = _links("mark")[3]
    payload, signature = token.split(".")
    changed = f"{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    manage = re.search(r"/abonnement/beheren\?token=([A-Za-z0-9._~%-]+)", mailbox(PERSONAS["mark"].email)[0].text)
    assert manage

    # a changed token, one for another purpose, or nonsense: the not-found page, for GET and POST alike
    for wrong in (changed, unquote(manage.group(1)), "niet-een-token", "x" * 3000):
        for response in (
            client.http.get(f"/tevredenheid/{wrong}?score=2"),
            client.http.post(f"/tevredenheid/{wrong}", headers=FORM, body="cijfer=2"),
        ):
            shown = page(response, 404)
            assert "Deze link werkt niet" in shown

    # 31 days after the case closed: the question is closed (410), and answering changes nothing
    daytime.advance(days=32)
    for response in (
        client.http.get(f"/tevredenheid/{token}?score=2"),
        client.http.post(f"/tevredenheid/{token}", headers=FORM, body="cijfer=2"),
    ):
        shown = page(response, 410)
        assert "Deze vraag is gesloten" in shown


def test_a_score_that_is_missing_or_a_comment_too_long_is_shown_at_its_field_with_what_was_typed(client, pipeline, daytime):
    case = _decided(client, pipeline)
    token = _links("mark")[1]
    long = "Lang verhaal. " * 80

    path, form = _answer_form(token, "", long)
    shown = page(client.http.post(path, headers=FORM, body=form), 400)

    assert "<title>Fout: Hoe tevreden bent u?" in shown
    assert '<a href="#cijfer">Hoe tevreden bent u?: Dit veld is verplicht.</a>' in shown
    assert '<a href="#opmerking">Opmerking: Deze tekst is te lang (maximaal 1000 tekens).</a>' in shown
    assert 'aria-invalid="true"' in shown
    assert markup.escape(long.strip()) in shown
    assert _counts(_month_of(case)) == {}


def test_mark_answers_on_his_case_page_and_changes_it_until_the_question_closes(client, pipeline, daytime):
    case = _decided(client, pipeline)
    path = f"/mijn-zaken/{case['id']}"
    mark = Browser(client)
    log_in(mark, "mark", start=path)

    # the closed case asks the question as a form
    shown = mark.get(path).body.decode()
    assert '<h2 class="utrecht-heading-2" id="tevredenheid-titel">Hoe tevreden bent u?</h2>' in shown
    form = re.search(r'<form method="post" action="(/mijn-zaken/[^"?]+/tevredenheid)\?lang=nl".*?</form>', shown, re.DOTALL)
    assert form
    csrf = csrf_token(form.group(0))

    # a form without the session's CSRF token is refused; with it, the answer is recorded
    assert mark.post(form.group(1), {"cijfer": "5"}).status_code == 403
    answered = mark.post(form.group(1), {"csrf": csrf, "cijfer": "5", "opmerking": COMMENT})
    assert answered.status_code == 303
    assert redirect_target(answered).endswith("tevredenheid=bewaard")
    after = mark.get(redirect_target(answered)).body.decode()
    assert "Bedankt voor uw antwoord." in after
    assert "5 Zeer tevreden" in after
    change = re.search(r'<a class="utrecht-link" href="([^"]+)">Wijzigen</a>', after)
    assert change
    # Wijzigen opens the form with his answer in it; his e-mail's link opens the same answer
    editing = mark.get(markup.unescape(change.group(1)).split("#")[0]).body.decode()
    assert '<input type="radio" name="cijfer" value="5" checked>' in editing
    assert COMMENT in editing
    assert "5 Zeer tevreden" in page(client.http.get(f"/tevredenheid/{_links('mark')[1]}"), 200)
    assert mark.post(form.group(1), {"csrf": csrf, "cijfer": "3", "opmerking": ""}).status_code == 303
    assert _counts(_month_of(case)) == {3: 1}

    # 31 days after the decision: the answer stays, changing is no longer offered nor accepted
    daytime.advance(days=32)
    mark = Browser(client)  # a new session: the old one expired long ago
    log_in(mark, "mark", start=path)
    closed = mark.get(path).body.decode()
    assert "3 Neutraal" in closed
    assert "U kunt uw antwoord niet meer wijzigen." in closed
    assert ">Wijzigen</a>" not in closed
    assert 'name="cijfer"' not in closed
    refused = mark.post(form.group(1), {"csrf": csrf_token(closed), "cijfer": "1"})
    assert refused.status_code == 409
    assert _counts(_month_of(case)) == {3: 1}


def test_an_open_case_asks_nothing_and_jan_cannot_answer_about_marks_case(client, pipeline, daytime):
    case = _decided(client, pipeline)
    new = {**CASE, "initiator": PERSONAS["mark"].claims["sub"]}
    open_case = json.loads(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(new)).body)
    mark = Browser(client)
    log_in(mark, "mark", start=f"/mijn-zaken/{open_case['id']}")
    assert "tevredenheid-titel" not in mark.get(f"/mijn-zaken/{open_case['id']}").body.decode()
    csrf = csrf_token(mark.get(f"/mijn-zaken/{open_case['id']}").body.decode())
    assert mark.post(f"/mijn-zaken/{open_case['id']}/tevredenheid", {"csrf": csrf, "cijfer": "4"}).status_code == 409

    jan = Browser(client)
    log_in(jan, "jan")
    jan_csrf = csrf_token(jan.get("/mijn-zaken").body.decode())
    assert jan.post(f"/mijn-zaken/{case['id']}/tevredenheid", {"csrf": jan_csrf, "cijfer": "1"}).status_code == 404
    assert _counts(_month_of(case)) == {}


def _five_answers(client: Any, pipeline: Any, clock: Any) -> str:
    """Five closed cases with an answer each, a minute apart, two with a comment; the month they count for."""
    month = ""
    for n, score in enumerate((5, 4, 4, 2, 5)):
        clock.advance(minutes=1)
        case = _decided(client, pipeline, co=())
        month = _month_of(case)
        comment = f"{COMMENT} ({n})" if n in (1, 3) else ""
        token = _links("mark", case)[score]
        path, form = _answer_form(token, str(score), comment)
        assert client.http.post(path, headers=FORM, body=form).status_code == 303
    return month


def test_staff_see_the_figures_behandelaars_the_comments_and_nobody_sees_who_answered(client, pipeline, daytime):
    month = _five_answers(client, pipeline, daytime)
    anna, sanne, mark = Browser(client), Browser(client), Browser(client)
    log_in(anna, "anna", start="/werk/tevredenheid")
    log_in(sanne, "sanne", start="/werk/tevredenheid")
    log_in(mark, "mark")

    # Anna: the chart and the table, with the month's figures and a link to its comments
    figures = page(anna.get("/werk/tevredenheid"), 200)
    section = figures[figures.index(f'id="{SUBSIDIE}"') :]
    section = section[: section.index("</table>")]
    assert re.search(r'<svg [^>]*role="img" aria-labelledby="tevredenheid-[\w-]+-title tevredenheid-[\w-]+-desc"', section)
    assert "In 1 van de 12 maanden waren er genoeg antwoorden om te tonen." in section
    rows = re.findall(r'<tr class="utrecht-table__row">(.*?)</tr>', section, re.S)
    newest = rows[1]
    assert '<td class="utrecht-table__cell">5</td>' in newest  # answers
    assert '<td class="utrecht-table__cell">4,0</td>' in newest  # mean
    assert '<td class="utrecht-table__cell">80%</td>' in newest  # 4 or 5
    assert f'href="/werk/tevredenheid/{SUBSIDIE}?maand={month}&amp;lang=nl">2 opmerkingen' in newest
    assert sum("Te weinig antwoorden" in row for row in rows) == 11
    assert 'aria-current="page">Tevredenheid</a>' in figures
    # the comments: newest first, with their score, and nothing about who or which case
    comments = page(anna.get(f"/werk/tevredenheid/{SUBSIDIE}?maand={month}"), 200)
    assert comments.index(f"{COMMENT} (3)") < comments.index(f"{COMMENT} (1)")
    assert "Cijfer: 2 Ontevreden" in comments
    for page_html in (figures, comments):
        assert "SUB-" not in page_html
        assert "pu-mark" not in page_html
        assert "Mark" not in page_html

    # Sanne (KCC): the figures, not the comments
    sanne_figures = page(sanne.get("/werk/tevredenheid"), 200)
    assert "4,0" in sanne_figures
    assert "opmerkingen</a>" not in sanne_figures
    refused = page(sanne.get(f"/werk/tevredenheid/{SUBSIDIE}?maand={month}"), 403)
    assert "alleen voor behandelaars" in refused
    # Mark: neither
    assert page(mark.get("/werk/tevredenheid"), 403)
    assert page(mark.get(f"/werk/tevredenheid/{SUBSIDIE}"), 403)


def test_the_comments_of_a_month_with_too_few_answers_are_not_shown_and_bad_input_is_named(client, pipeline, daytime):
    case = _decided(client, pipeline, co=())
    month = _month_of(case)
    path, form = _answer_form(_links("mark")[1], "1", COMMENT)
    assert client.http.post(path, headers=FORM, body=form).status_code == 303
    anna = Browser(client)
    log_in(anna, "anna", start="/werk/tevredenheid")

    shown = page(anna.get(f"/werk/tevredenheid/{SUBSIDIE}?maand={month}"), 200)
    assert "minder dan 5 antwoorden" in shown
    assert COMMENT not in shown
    assert COMMENT not in page(anna.get("/werk/tevredenheid"), 200)

    for query, field in (("maand=2019-01", "Maand"), ("maand=volgende", "Maand"), (f"maand={month}&na=x", "Volgende pagina")):
        refused = page(anna.get(f"/werk/tevredenheid/{SUBSIDIE}?{query}"), 400)
        assert "<title>Fout:" in refused
        assert f'<a href="#maand">{field}:' in refused
    assert page(anna.get("/werk/tevredenheid/bestaat-niet"), 404)


def test_the_question_speaks_english_to_whoever_reads_english(client, pipeline, daytime):
    _decided(client, pipeline)
    token = _links("mark")[5]
    shown = page(client.http.get(f"/tevredenheid/{token}?score=5&lang=en"), 200)
    assert '<html lang="en">' in shown
    assert "How satisfied are you?" in shown
    assert "5 Very satisfied" in shown
    assert ">Send</button>" in shown
