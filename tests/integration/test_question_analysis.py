"""Questions registered, analysed and turned into information, over HTTP on moto: Sanne records calls with an
onderwerp from the product's list, Mark asks through the portal; each is counted once, in the same write as the
contact moment (read back from the table); the analysis page shows the onderwerpen by count with their trend and
the share answered at first contact; Anna writes a veelgestelde vraag from it, which then shows on the product page
and on Mark's case page, and the page measures the questions before and after it was published. And what must not
happen: a KCC colleague or an applicant writing one, an onderwerp not on the list, a lost edit, bad input as a 500."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.integration.browsing import CASE, Browser, csrf_token, redirect_target, signed_in
from tests.integration.conftest import PERSONAS, headers, register_personas

ZAAKTYPE = "subsidie-duurzame-recreatie"


def _case(client: Any) -> dict[str, Any]:
    register_personas("mark", "jan")
    body = {**CASE, "initiator": PERSONAS["mark"].claims["sub"]}
    created = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(body))
    assert created.status_code == 201, created.body
    return json.loads(created.body)


def _call(client: Any, case: dict[str, Any], topic: str | None, *, gelukt: bool = True) -> Any:
    body: dict[str, Any] = {"kanaal": "telefoon", "inhoud": "Uitgelegd.", "vertrouwelijk": False}
    body["indicatie_contact_gelukt"] = gelukt
    if topic is not None:
        body["vraagonderwerp"] = topic
    return client.http.post(f"/api/cases/{case['id']}/contact-moments", headers=headers("sanne"), body=json.dumps(body))


def _counters(stack: Any) -> dict[str, tuple[int, int]]:
    """The counters as they are stored, read back with a Query of their partition."""
    items = stack.client("dynamodb").query(
        TableName="baken-local-case-index",
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"questions#{ZAAKTYPE}"}},
    )["Items"]
    return {item["sk"]["S"]: (int(item["questions"]["N"]), int(item["answered"]["N"])) for item in items}


def _row(page: str, code: str) -> str:
    found = re.search(rf'<tr class="utrecht-table__row" id="onderwerp-{code}">(.*?)</tr>', page, re.DOTALL)
    assert found, code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def test_each_contact_is_counted_once_under_its_onderwerp_in_the_write_that_stores_it(client, stack, daytime):
    case = _case(client)
    # WHEN Sanne records three calls: two about other permits (one answered at once), one without an onderwerp
    assert _call(client, case, "andere-vergunningen").status_code == 201
    assert _call(client, case, "andere-vergunningen", gelukt=False).status_code == 201
    recorded = _call(client, case, None)
    assert recorded.status_code == 201
    # THEN the onderwerp is kept on the moment, and the Klantcontact's onderwerp is its Dutch name
    moment = json.loads(recorded.body)
    assert moment["vraagonderwerp"] == "overig"
    assert moment["onderwerp"] == "Iets anders"
    # AND the counters of the week (2026-W41: Monday 5 October 2026) say so, in both readings
    assert _counters(stack) == {
        "week#2026-W41#andere-vergunningen": (2, 1),
        "topic#andere-vergunningen#2026-W41": (2, 1),
        "week#2026-W41#overig": (1, 1),
        "topic#overig#2026-W41": (1, 1),
    }

    # AND a question through the portal is counted once, however often its form is sent, as not answered at once
    path = f"/mijn-zaken/{case['id']}"
    mark = signed_in(client, "mark", path)
    page = mark.get(path).body.decode()
    assert '<option value="begroting">Begroting en kosten die meetellen</option>' in page
    key = re.search(r'name="sleutel" value="([0-9a-f]{32})"', page)
    assert key
    form = {"csrf": csrf_token(page), "sleutel": key.group(1), "vraag": "Telt de btw mee?", "vraagonderwerp": "begroting"}
    for _ in range(2):
        assert mark.post(f"{path}/vragen", form).status_code == 303
    assert _counters(stack)["week#2026-W41#begroting"] == (1, 0)


def test_an_onderwerp_not_on_the_products_list_is_refused_and_nothing_is_stored(client, stack, daytime):
    case = _case(client)
    refused = _call(client, case, "zonnepanelen")
    assert refused.status_code == 400
    assert "vraagonderwerp" in refused.body.decode()
    assert _counters(stack) == {}
    staff = json.loads(client.http.get(f"/api/cases/{case['id']}", headers=headers("anna")).body)
    assert [e for e in staff["timeline"] if e["kind"] == "contact"] == []

    # AND on the page, a question with a forged onderwerp comes back with the error at the field
    path = f"/mijn-zaken/{case['id']}"
    mark = signed_in(client, "mark", path)
    page = mark.get(path).body.decode()
    key = re.search(r'name="sleutel" value="([0-9a-f]{32})"', page)
    assert key
    form = {"csrf": csrf_token(page), "sleutel": key.group(1), "vraag": "Telt de btw mee?", "vraagonderwerp": "x" * 41}
    answer = mark.post(f"{path}/vragen", form)
    assert answer.status_code == 400
    assert "Waar gaat uw vraag over?: Kies een onderwerp uit de lijst." in answer.body.decode()


def test_the_analysis_shows_onderwerpen_by_count_with_trend_and_first_contact_share(client, daytime):
    case = _case(client)
    for _ in range(3):
        _call(client, case, "begroting")
    _call(client, case, "termijn", gelukt=False)
    # the counts are of full weeks: a week later, last week's calls are in
    daytime.advance(days=7)
    sanne = signed_in(client, "sanne", "/werk/vragen")
    page = sanne.get(f"/werk/vragen?product={ZAAKTYPE}").body.decode()
    assert "4 vragen in de laatste 12 weken" in page
    assert _row(page, "begroting") == "Begroting en kosten die meetellen 3 meer 100% Nog niet"
    assert _row(page, "termijn") == "Wanneer krijg ik een besluit? 1 gelijk 0% Nog niet"
    # the most asked first
    assert page.index('id="onderwerp-begroting"') < page.index('id="onderwerp-termijn"')
    # the KCC reads it but does not write veelgestelde vragen
    assert "Schrijf een veelgestelde vraag" not in page
    assert sanne.get(f"/werk/vragen/{ZAAKTYPE}/begroting").status_code == 403
    # and in English
    english = sanne.get(f"/werk/vragen?product={ZAAKTYPE}&lang=en").body.decode()
    assert "4 questions in the last 12 weeks" in english
    # an applicant is refused, a product that does not exist is not found
    jan = signed_in(client, "jan", "/mijn-zaken")
    assert jan.get("/werk/vragen").status_code == 403
    assert sanne.get("/werk/vragen?product=bestaat-niet").status_code == 404


def _faq_form(browser: Browser, topic: str) -> dict[str, str]:
    page = browser.get(f"/werk/vragen/{ZAAKTYPE}/{topic}").body.decode()
    read = re.search(r'name="gelezen" value="([^"]*)"', page)
    assert read is not None
    return {"csrf": csrf_token(page), "gelezen": read.group(1)}


FAQ = {
    "vraag_nl": "Welke kosten tellen mee in de begroting?",
    "antwoord_nl": "Alle kosten die u maakt voor het plan.\n\nDe btw telt mee als u die niet terugkrijgt.",
}


def test_a_veelgestelde_vraag_is_written_shown_to_everyone_and_its_effect_measured(client, daytime):
    case = _case(client)
    for _ in range(4):
        _call(client, case, "begroting")
    anna = signed_in(client, "anna", "/werk/vragen")
    analysis = anna.get(f"/werk/vragen?product={ZAAKTYPE}").body.decode()
    assert f'href="/werk/vragen/{ZAAKTYPE}/begroting?lang=nl"' in analysis

    # WHEN Anna publishes a veelgestelde vraag on the begroting (Dutch only)
    saved = anna.post(f"/werk/vragen/{ZAAKTYPE}/begroting", {**_faq_form(anna, "begroting"), **FAQ})
    assert redirect_target(saved) == f"/werk/vragen?opgeslagen=begroting&product={ZAAKTYPE}"
    confirmed = anna.get(redirect_target(saved)).body.decode()
    assert "staat nu op de productpagina en bij de zaken van dit product" in confirmed

    # THEN the product page shows it to everyone, the answer in its paragraphs
    product = client.http.get(f"/producten/{ZAAKTYPE}").body.decode()
    assert '<h3 class="utrecht-heading-3">Welke kosten tellen mee in de begroting?</h3>' in product
    assert "<p>De btw telt mee als u die niet terugkrijgt.</p>" in product
    # AND in English it is shown in Dutch, marked as Dutch
    english = client.http.get(f"/producten/{ZAAKTYPE}?lang=en").body.decode()
    assert '<div class="baken-faq" lang="nl">' in english
    # AND Mark finds it on his case page, above his question form
    path = f"/mijn-zaken/{case['id']}"
    mark = signed_in(client, "mark", path)
    marks = mark.get(path).body.decode()
    assert marks.index("Welke kosten tellen mee in de begroting?") < marks.index('id="vraagonderwerp"')

    # WHEN two weeks pass with one question, then the page measures before and after
    daytime.advance(days=7)
    _call(client, case, "begroting")
    daytime.advance(days=7)
    anna = signed_in(client, "anna", "/werk/vragen")  # a new working day, a new login
    row = _row(anna.get(f"/werk/vragen?product={ZAAKTYPE}").body.decode(), "begroting")
    assert "Gepubliceerd op 5 oktober 2026." in row
    # 4 questions in the week of publication are in neither window; 1 in the one full week after
    assert "Vragen per week in de 8 weken ervoor: 0,0." in row
    assert "In de 1 week erna: 1,0." in row

    # WHEN she adds English, the date of publication stays and English pages show it in English
    form = _faq_form(anna, "begroting")
    english_text = {"vraag_en": "Which costs count in the budget?", "antwoord_en": "All costs you make for the plan."}
    assert anna.post(f"/werk/vragen/{ZAAKTYPE}/begroting", {**form, **FAQ, **english_text}).status_code == 303
    english = client.http.get(f"/producten/{ZAAKTYPE}?lang=en").body.decode()
    assert '<h3 class="utrecht-heading-3">Which costs count in the budget?</h3>' in english
    assert "Gepubliceerd op 5 oktober 2026." in _row(anna.get(f"/werk/vragen?product={ZAAKTYPE}").body.decode(), "begroting")

    # AND a save from a page read before that change is a conflict, and loses nothing
    conflict = anna.post(f"/werk/vragen/{ZAAKTYPE}/begroting", {**form, "vraag_nl": "Oud?", "antwoord_nl": "Oud."})
    assert conflict.status_code == 409
    assert "Iemand anders heeft deze veelgestelde vraag net gewijzigd." in conflict.body.decode()
    assert "Which costs count in the budget?" in client.http.get(f"/producten/{ZAAKTYPE}?lang=en").body.decode()


def test_bad_input_for_a_veelgestelde_vraag_is_named_at_its_field(client, daytime):
    anna = signed_in(client, "anna", "/werk/vragen")
    form = _faq_form(anna, "begroting")
    empty = anna.post(f"/werk/vragen/{ZAAKTYPE}/begroting", {**form, "vraag_nl": " ", "antwoord_nl": "x" * 2001})
    assert empty.status_code == 400
    text = empty.body.decode()
    assert "<title>Fout:" in text
    assert "Vraag in het Nederlands: Dit veld is verplicht." in text
    assert "Antwoord in het Nederlands: Deze tekst is te lang (maximaal 2000 tekens)." in text
    half = anna.post(f"/werk/vragen/{ZAAKTYPE}/begroting", {**form, **FAQ, "vraag_en": "Which costs?"})
    assert half.status_code == 400
    assert "Antwoord in het Engels (niet verplicht): Vul de vraag en het antwoord allebei in het Engels in" in half.body.decode()
    forged = anna.post(f"/werk/vragen/{ZAAKTYPE}/begroting", {**form, **FAQ, "gelezen": "gisteren"})
    assert forged.status_code == 400
    # nothing was published by any of these
    assert "Veelgestelde vragen" not in client.http.get(f"/producten/{ZAAKTYPE}").body.decode()
    # an onderwerp the product does not have, or a product that does not exist: not found
    assert anna.get(f"/werk/vragen/{ZAAKTYPE}/zonnepanelen").status_code == 404
    assert anna.get("/werk/vragen/bestaat-niet/begroting").status_code == 404
