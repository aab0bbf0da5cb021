"""The berichtenbox page: each message with its case's number and product, and a filter by case (``?zaak=``) that
takes only the person's own cases and reads one Query on the inbox's ``by_case`` index — over HTTP on moto, with the
messages delivered through the stream."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.integration.browsing import CASE, Browser, log_in
from tests.integration.conftest import PERSONAS, headers, register_personas


def _case(client: Any, initiator: str, omschrijving: str) -> dict[str, Any]:
    body = {**CASE, "omschrijving": omschrijving, "initiator": PERSONAS[initiator].claims["sub"]}
    created = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(body))
    assert created.status_code == 201, created.body
    return json.loads(created.body)


def _message(client: Any, case: dict[str, Any], text: str) -> None:
    posted = client.http.post(f"/api/cases/{case['id']}/messages", headers=headers("anna"), body=json.dumps({"text": text}))
    assert posted.status_code == 201, posted.body


def test_mark_sees_the_case_of_each_message_and_filters_his_berichtenbox_by_case(client, stack, pipeline, daytime):
    register_personas("mark", "jan")
    first = _case(client, "mark", "Duurzame recreatie Heuvelrug")
    second = _case(client, "mark", "Wandelroute Leersum")
    jans = _case(client, "jan", "Melding weg Zeist")
    _message(client, first, "Over de eerste zaak.")
    _message(client, second, "Over de tweede zaak.")
    pipeline.run()
    mark = Browser(client)
    log_in(mark, "mark", start="/berichten")

    everything = mark.get("/berichten").body.decode()
    # each message names its case, and the filter offers his own cases only
    assert everything.count(f"Zaak {first['case_number']}") >= 2
    assert f"Zaak {second['case_number']}" in everything
    options = re.findall(r'<option value="([^"]*)"', everything)
    assert set(options) == {"", first["id"], second["id"]}
    assert 'for="zaak"' in everything

    only_first = mark.get(f"/berichten?zaak={first['id']}")
    page = only_first.body.decode()
    assert only_first.status_code == 200
    assert f"Zaak {first['case_number']}" in page
    assert f"Zaak {second['case_number']}" not in page
    assert f"U ziet alleen de berichten over zaak {first['case_number']}" in page
    assert f'<option value="{first["id"]}" selected>' in page

    # Jan's case, or no case at all: 400 at the field, in the one error pattern, nothing of Jan's shown
    for foreign in (jans["id"], "not-a-case"):
        refused = mark.get(f"/berichten?zaak={foreign}")
        text = refused.body.decode()
        assert refused.status_code == 400
        assert "<title>Fout: " in text
        assert '<a href="#zaak">' in text
        assert 'id="zaak-error"' in text
        assert jans["case_number"] not in text

    # in English, "Inbox"
    english = mark.get(f"/berichten?zaak={second['id']}&lang=en").body.decode()
    assert ">Inbox</h1>" in english
    assert "Message box" not in english
    assert f"Case {second['case_number']}" in english
    # the messages were written in Mark's language, Dutch: marked so on the English page (WCAG 3.1.2)
    assert '<span lang="nl">' in english
    assert '<span lang="nl">' not in mark.get(f"/berichten?zaak={second['id']}").body.decode()


def test_a_message_page_names_its_case_and_links_to_all_messages_about_it(client, stack, pipeline, daytime):
    register_personas("mark")
    case = _case(client, "mark", "Duurzame recreatie Heuvelrug")
    _message(client, case, "Uw plan heeft ook een vergunning van het waterschap nodig.")
    pipeline.run()
    mark = Browser(client)
    log_in(mark, "mark", start="/berichten")
    box = mark.get("/berichten").body.decode()
    message = re.search(r'href="(/berichten/[^"]+)"', box)
    assert message
    page = mark.get(message.group(1)).body.decode()
    assert f"Over zaak {case['case_number']}" in page
    assert f'href="/berichten?zaak={case["id"]}"' in page
