"""Anna's work list on a working day, over HTTP on moto: 30 open cases in pages of 25 with a cursor, search by
case number and by words, filters by product, status and deadline state, newest first, the counts on top, and a
refusal at the field for a value the form does not offer or a cursor nobody made. Also the staff header every
staff page has: who is logged in, in which role, the staff pages that role opens, and logging out."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

import pytest

from tests.integration.browsing import CASE, Browser, log_in
from tests.integration.conftest import PERSONAS, headers, register_personas

ROW = re.compile(r'<th class="utrecht-table__header-cell" scope="row"><a class="utrecht-link" href="/werk/zaken/([0-9a-f-]+)"')


def _create(client, persona: str = "anna", **changes) -> dict:
    body = {**CASE, "initiator": PERSONAS["mark"].claims["sub"], **changes}
    created = client.http.post("/api/cases", headers=headers(persona), body=json.dumps(body))
    assert created.status_code == 201, created.body
    return json.loads(created.body)


@pytest.fixture
def thirty(client, daytime) -> list[dict]:
    """Anna's 30 open cases: 3 overdue, 2 due within 7 days, 24 later, 1 paused; then one of Pieter's."""
    register_personas("mark")
    today = daytime.now().date()
    started = [today - timedelta(days=100 + n) for n in range(3)]  # P13W = 91 days: overdue
    started += [today - timedelta(days=88), today - timedelta(days=86)]  # due in 3 and 5 days (or the next workday)
    started += [today - timedelta(days=60 - n) for n in range(25)]  # due in 31 to 55 days
    cases = []
    for n, start in enumerate(started):  # registered a minute apart: the newest-first order is the order made
        words = "Fietspad Amerongen" if n == 7 else "Duurzame recreatie"
        cases.append(_create(client, omschrijving=f"Zaak {n:02d} {words}", startdatum=start.isoformat()))
        daytime.advance(minutes=1)
    paused = client.http.post(
        f"/api/cases/{cases[-1]['id']}/suspension", headers=headers("anna"), body=json.dumps({"reden": "Wacht op de begroting"})
    )
    assert paused.status_code == 201, paused.body
    _create(client, persona="pieter", omschrijving="Van Pieter")
    return cases


def _anna(client) -> Browser:
    anna = Browser(client)
    log_in(anna, "anna", start="/werk")
    return anna


def _page(browser: Browser, path: str, status: int = 200) -> str:
    response = browser.get(path)
    assert response.status_code == status, (path, response.status_code)
    return unescape(response.body.decode())


def _link(page: str, name: str) -> str | None:
    found = re.search(rf'<a class="utrecht-link" href="([^"]+)"(?: rel="\w+")?>{name}</a>', page)
    return found.group(1) if found else None


def test_thirty_cases_make_two_pages_that_a_cursor_walks_forward_and_back(client, thirty):
    anna = _anna(client)

    first = _page(anna, "/werk")
    first_rows = ROW.findall(first)
    assert len(first_rows) == 25
    assert first_rows[:3] == [thirty[2]["id"], thirty[1]["id"], thirty[0]["id"]]  # the oldest deadline first
    assert _link(first, "Vorige") is None
    next_link = _link(first, "Volgende")
    assert next_link is not None
    assert "na=" in next_link

    second = _page(anna, next_link)
    second_rows = ROW.findall(second)
    assert len(second_rows) == 5
    assert second_rows[-1] == thirty[-1]["id"]  # the paused case comes after every dated one
    assert not set(first_rows) & set(second_rows)
    assert _link(second, "Volgende") is None

    previous = _link(second, "Vorige")
    assert previous is not None
    assert "voor=" in previous
    assert ROW.findall(_page(anna, previous)) == first_rows


def test_the_counts_on_top_name_the_overdue_and_nearly_due_cases_and_link_to_them(client, thirty):
    page = _page(_anna(client), "/werk")

    assert re.search(r"<strong>3</strong> te laat", page)
    assert re.search(r"<strong>2</strong> binnen 7 dagen klaar", page)
    assert 'href="/werk?termijn=te-laat&lang=nl"' in page


@pytest.mark.parametrize(
    ("termijn", "expected"),
    [("te-laat", [2, 1, 0]), ("binnen-7-dagen", [3, 4]), ("gepauzeerd", [29])],
)
def test_each_deadline_state_shows_only_its_cases(client, thirty, termijn, expected):
    page = _page(_anna(client), f"/werk?termijn={termijn}")

    assert ROW.findall(page) == [thirty[n]["id"] for n in expected]
    assert f'<option value="{termijn}" selected>' in page  # the form shows what was chosen


def test_later_shows_the_cases_due_after_this_week(client, thirty):
    rows = ROW.findall(_page(_anna(client), "/werk?termijn=later"))

    assert set(rows) == {case["id"] for case in thirty[5:29]}


def test_words_from_the_omschrijving_and_a_product_and_a_status_narrow_the_list(client, thirty):
    anna = _anna(client)
    set_status = client.http.post(
        f"/api/cases/{thirty[10]['id']}/status", headers=headers("anna"), body=json.dumps({"statustype": "in-behandeling"})
    )
    assert set_status.status_code == 201
    other = _create(client, zaaktype="klacht", omschrijving="Klacht over de bus")

    assert ROW.findall(_page(anna, "/werk?zoek=fietspad+AMERONGEN")) == [thirty[7]["id"]]
    assert ROW.findall(_page(anna, "/werk?product=klacht")) == [other["id"]]
    assert ROW.findall(_page(anna, "/werk?status=in-behandeling")) == [thirty[10]["id"]]
    assert ROW.findall(_page(anna, "/werk?status=in-behandeling&termijn=te-laat")) == []


def test_an_empty_result_says_so(client, thirty):
    page = _page(_anna(client), "/werk?zoek=bestaatniet")

    assert ROW.findall(page) == []
    assert "Er zijn geen open zaken die passen bij uw keuze." in page


def test_newest_first_puts_the_case_registered_last_on_top(client, thirty):
    page = _page(_anna(client), "/werk?volgorde=nieuwste")

    rows = ROW.findall(page)
    assert rows[0] == thirty[-1]["id"]
    assert len(rows) == 25
    rest = ROW.findall(_page(_anna(client), _link(page, "Volgende") or ""))
    assert rest[-1] == thirty[0]["id"]
    assert len(rest) == 5


def test_a_case_number_finds_that_case_also_when_a_colleague_handles_it(client, thirty):
    anna = _anna(client)
    pieters = _create(client, persona="pieter", omschrijving="Ook van Pieter")

    own = _page(anna, f"/werk?zoek={thirty[4]['case_number']}")
    colleague = _page(anna, f"/werk?zoek={pieters['case_number'].lower()}")
    unknown = _page(anna, "/werk?zoek=SUB-2026-999999")

    assert ROW.findall(own) == [thirty[4]["id"]]
    assert ROW.findall(colleague) == [pieters["id"]]
    assert "Een collega behandelt deze zaak: Pieter Jansen." in colleague
    assert "Er is geen zaak met dit nummer." in unknown


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("termijn=gisteren", "termijn"),
        ("product=%3Cscript%3E", "product"),
        ("status=besluit-genomen", "status"),  # an eindstatus: no open case has it
        ("volgorde=willekeurig", "volgorde"),
        ("zoek=" + "x" * 81, "zoek"),
        ("na=bm90LWEtY3Vyc29y", "volgende"),
        ("na=" + "A" * 300, "volgende"),
        ("voor=WyIxIzIwMjYtMDEtMDEiLCIuLi8uLiJd", "volgende"),  # a well-formed cursor naming no case id
    ],
)
def test_a_value_the_form_does_not_offer_is_refused_at_its_field(client, thirty, query, field):
    page = _page(_anna(client), f"/werk?{query}", status=400)

    assert "<title>Fout: " in page
    assert f'href="#{field}"' in page  # the summary links to the field
    assert f'id="{field}' in page
    assert ROW.findall(page) == []


def test_a_cursor_outside_the_chosen_deadline_state_is_refused(client, thirty):
    anna = _anna(client)
    second = _link(_page(anna, "/werk"), "Volgende") or ""
    cursor = second.split("na=")[1].split("&")[0]

    page = _page(anna, f"/werk?termijn=te-laat&na={cursor}", status=400)

    assert "Deze link naar een andere pagina klopt niet" in page


def test_the_staff_header_names_the_person_and_role_and_marks_the_current_page(client):
    anna = _anna(client)

    page = _page(anna, "/werk")

    header = page.split("</header>")[0]
    assert "Ingelogd als <strong>Anna Bakker</strong> (behandelaar)" in header
    assert 'href="/werk?lang=nl" aria-current="page">Werkvoorraad' in header
    assert ">Aankondigingen</a>" in header
    assert ">KCC</a>" in header
    assert 'action="/uitloggen"' in header
    assert '<main class="utrecht-page-content baken-wide"' in page
    announcements = _page(anna, "/werk/aankondigingen").split("</header>")[0]
    assert 'href="/werk/aankondigingen?lang=nl" aria-current="page"' in announcements


def test_kcc_pages_have_the_staff_navigation_for_the_kcc_role_and_a_logout(client):
    sanne = Browser(client)
    log_in(sanne, "sanne", start="/kcc")

    header = _page(sanne, "/kcc").split("</header>")[0]

    assert "Ingelogd als <strong>Sanne de Boer</strong> (KCC-medewerker)" in header
    assert 'href="/kcc?lang=nl" aria-current="page">KCC' in header
    assert "Werkvoorraad" not in header
    assert "Aankondigingen" not in header
    csrf = re.search(r'name="csrf" value="([^"]+)"', header)
    assert csrf is not None
    logged_out = sanne.post("/uitloggen", {"csrf": csrf.group(1)})
    assert logged_out.status_code == 303
    assert sanne.get("/kcc").status_code == 302  # to log in again


def test_applicant_pages_keep_the_readable_column_and_no_staff_header(client):
    register_personas("mark")
    mark = Browser(client)
    log_in(mark, "mark")

    page = _page(mark, "/mijn-zaken")

    assert '<main class="utrecht-page-content" id="hoofdinhoud"' in page
    assert "Menu voor medewerkers" not in page


def test_the_behandelaars_case_page_speaks_to_her_and_says_how_to_reach_the_applicant(client, pipeline, app_log):
    register_personas("mark", "fatima")
    case = _create(client, co_initiators=[PERSONAS["fatima"].claims["sub"]])
    pipeline.run()
    anna = _anna(client)
    before = len(app_log.audit())

    page = _page(anna, f"/werk/zaken/{case['id']}")

    assert "Status van de zaak" in page
    assert "Waar uw zaak nu is" not in page
    assert "Binnen servicenorm" in page
    reach = page.split('id="aanvrager"')[1].split("</table>")[0]
    assert "Aanvrager" in reach
    assert str(PERSONAS["mark"].email) in reach
    assert "Mede-aanvrager" in reach
    assert str(PERSONAS["fatima"].email) in reach
    sent = page.split('id="deliveries-title"')[1].split("</table>")[0]
    assert re.search(r"\d+ \w+ 20\d\d om \d+\.\d\d uur</td><td class=\"utrecht-table__cell\">Aanvrager</td>", sent)
    assert "Mede-aanvrager" in sent
    [line] = app_log.audit()[before:]
    assert line["action"] == "view_case"
    assert line["contact_details_of"] == 2


def test_the_kcc_case_page_keeps_the_applicants_view_without_contact_details(client, pipeline):
    register_personas("mark")
    case = _create(client)
    sanne = Browser(client)
    log_in(sanne, "sanne", start=f"/kcc/zaken/{case['id']}")

    page = _page(sanne, f"/kcc/zaken/{case['id']}")

    assert "Zo bereikt u de aanvrager" not in page
    assert "Menu voor medewerkers" in page
    assert 'action="/uitloggen"' in page
