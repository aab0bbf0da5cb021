"""The public product pages and "Hoe snel zijn wij?" through the Chalice test client on moto: no login; each
product's conditions, steps, terms in words, costs and how to apply; the servicenorm chart drawn as SVG with a
title and a description and the same figures in a table; small numbers never shown; both languages."""

from __future__ import annotations

import json
import re

from tests.integration.test_pages import page
from tests.integration.test_servicenorm_figures import _decide

SUBSIDIE = "subsidie-duurzame-recreatie"


def test_a_product_page_says_what_it_is_how_it_goes_how_long_it_takes_and_what_it_costs(client):
    html = page(client.http.get(f"/producten/{SUBSIDIE}"), 200)
    assert '<h1 class="utrecht-heading-1">Subsidie duurzame recreatie</h1>' in html
    for text in (
        "Uw plan maakt recreatie in de provincie duurzamer",  # the conditions
        "Ontvangen",
        "Besluit genomen",  # the steps, in order
        "Wij beslissen binnen 13 weken na uw aanvraag.",
        "Wij willen binnen 8 weken beslissen.",
        "Ja, één keer, met ten hoogste 6 weken.",
        "Een aanvraag kost niets.",
        "/volgen?onderwerp=subsidies",
    ):
        assert text in html, text
    assert html.index("Ontvangen") < html.index("In behandeling") < html.index("Besluit genomen")


def test_the_same_page_in_english(client):
    html = page(client.http.get(f"/producten/{SUBSIDIE}?lang=en"), 200)
    assert '<html lang="en">' in html
    for text in (
        "Grant for sustainable recreation",
        "We decide within 13 weeks after your application.",
        "Applying is free of charge.",
    ):
        assert text in html, text


def test_an_unknown_product_is_a_page_that_says_so(client):
    html = page(client.http.get("/producten/bestaat-niet"), 404)
    assert "<html" in html


def test_the_chart_and_the_table_show_the_same_figures_and_hide_small_numbers(client, pipeline):
    _decide(client, 6)
    pipeline.run()
    html = page(client.http.get("/hoe-snel-zijn-wij"), 200)
    section = html[html.index(f'id="{SUBSIDIE}"') :]
    section = section[: section.index("</table>")]
    # one bar, at full height (all six within the servicenorm), and eleven dashes for months with too few
    assert len(re.findall(r'<rect x="[\d.]+" y="12.0" width="[\d.]+" height="192.0" fill="#1d4f91"/>', section)) == 1
    assert section.count('stroke-dasharray="4 3"') == 11
    assert re.search(r'<svg [^>]*role="img" aria-labelledby="chart-[\w-]+-title chart-[\w-]+-desc"', section)
    assert "In 1 van de 12 maanden waren er genoeg zaken om te tonen." in section
    # the table: the newest month first with its figures, the others "Te weinig zaken"
    rows = re.findall(r"<tr class=\"utrecht-table__row\">(.*?)</tr>", section, re.S)
    assert '<td class="utrecht-table__cell">6</td>' in rows[1]
    assert "100%" in rows[1]
    assert sum("Te weinig zaken" in row for row in rows) == 11
    # AND a product with no decided cases shows no figure at all
    klacht = html[html.index('id="klacht"') :]
    assert "In geen van de 12 maanden waren er genoeg zaken om te tonen." in klacht[: klacht.index("</table>")]


def test_the_follow_page_opens_with_the_products_topic_chosen(client):
    html = page(client.http.get("/volgen?onderwerp=subsidies"), 200)
    assert re.search(r'value="subsidies" checked', html)
    assert not re.search(r"checked", page(client.http.get("/volgen?onderwerp=bestaat-niet"), 200))


def test_the_open_data_is_linked_and_the_products_listed(client):
    html = page(client.http.get("/producten"), 200)
    assert f'href="/producten/{SUBSIDIE}?lang=nl"' in html
    speed = page(client.http.get("/hoe-snel-zijn-wij"), 200)
    assert 'href="/api/servicenormen.csv"' in speed
    assert json.loads(client.http.get("/api/servicenormen").body)["threshold"] == 5


def test_the_case_page_links_to_its_product_page(client, pipeline):
    from tests.integration.browsing import Browser, log_in
    from tests.integration.conftest import register_personas

    register_personas("mark")
    _decide(client, 1)
    mark = Browser(client)
    log_in(mark, "mark")
    listing = mark.get("/mijn-zaken").body.decode()
    (case_path,) = set(re.findall(r'href="(/mijn-zaken/[0-9a-f-]{36})"', listing))
    html = mark.get(case_path).body.decode()
    assert f'href="/producten/{SUBSIDIE}?lang=nl">Voorwaarden, stappen en termijnen</a>' in html
