"""The deadline watch end to end on moto: a document asked for with a date goes through the real cases stream into
the watch's entries; the watch_deadlines function, three days before and on the day, reminds Mark by e-mail and in
his berichtenbox at once — and exactly once, however often it runs or the change is redelivered; a document sent in
first makes the reminder lapse; the servicenorm alert reaches Anna's list."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from chalicelib import wiring
from chalicelib.domain.events import EventKind
from chalicelib.domain.workdays import AMSTERDAM
from chalicelib.handlers.watch_deadlines import watch
from tests.factories import FixedClock
from tests.integration.browsing import Browser, log_in
from tests.integration.conftest import body, headers, mailbox, register_personas

CASE = {"zaaktype": "subsidie-duurzame-recreatie", "omschrijving": "x", "initiator": "pu-mark-3f9a1c", "gemeenten": ["GM1581"]}
MARK = "mark.visser@example.org"


def _at(day: date, hour: int) -> None:
    moment = datetime(day.year, day.month, day.day, hour, tzinfo=AMSTERDAM).astimezone(UTC)
    wiring.use(wiring.adapters().but(clock=FixedClock(moment)))


def _reminder_mails() -> list[str]:
    return [m.subject for m in mailbox(MARK) if m.subject.startswith(("Herinnering", "Vandaag"))]


def _reminders(case_id: str) -> list:
    return [n for n in wiring.adapters().outbox.for_case(case_id) if n.event_kind is EventKind.DOCUMENT_REMINDER]


def _case_with_a_document_due(client, pipeline, due: date) -> dict:
    case = body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))
    documents = {"documents": [{"omschrijving": "Begroting", "due": due.isoformat()}]}
    answer = client.http.post(f"/api/cases/{case['id']}/document-requests", headers=headers("anna"), body=json.dumps(documents))
    assert answer.status_code == 201, answer.body
    pipeline.run()
    return body(answer)


def test_mark_is_reminded_before_and_on_the_day_once_each(client, pipeline, daytime):
    register_personas("mark")
    today = daytime.now().astimezone(AMSTERDAM).date()
    due = today + timedelta(days=10)
    case = _case_with_a_document_due(client, pipeline, due)
    # three days before, at eight in the morning: a reminder, by e-mail and in the berichtenbox
    _at(due - timedelta(days=3), 8)
    assert watch()["reminders"] >= 2
    pipeline.run()
    assert [s.split(":")[0] for s in _reminder_mails()] == ["Herinnering"]
    messages = body(client.http.get("/api/me/berichtenbox", headers=headers("mark")))["messages"]
    assert any(
        "Begroting" in json.dumps(m, ensure_ascii=False) and "Herinnering" in json.dumps(m, ensure_ascii=False) for m in messages
    )
    # the watch again, and the change redelivered: nothing new
    assert watch()["looked_at"] == 0
    wiring.services().deadline_watch.case_changed(None, wiring.adapters().cases.get(case["id"]))
    watch()
    pipeline.run()
    assert len(_reminder_mails()) == 1
    # on the day: the second reminder
    _at(due, 8)
    watch()
    pipeline.run()
    assert sorted(s.split(":")[0] for s in _reminder_mails()) == ["Herinnering", "Vandaag"]


def test_a_document_marked_received_first_gets_no_reminder(client, pipeline, daytime):
    register_personas("mark")
    due = daytime.now().astimezone(AMSTERDAM).date() + timedelta(days=10)
    case = _case_with_a_document_due(client, pipeline, due)
    document_id = case["missing_documents"][0]["id"]
    received = client.http.post(
        f"/api/cases/{case['id']}/document-requests/{document_id}/received", headers=headers("anna"), body="{}"
    )
    assert received.status_code == 200, received.body
    pipeline.run()
    _at(due, 8)
    result = watch()
    assert (result["reminders"], result["lapsed"] >= 1) == (0, True)
    assert _reminders(case["id"]) == []


def test_anna_is_alerted_before_the_servicenorm_ends(client, pipeline, daytime):
    case = body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))
    pipeline.run()
    start = date.fromisoformat(case["startdatum"]) if "startdatum" in case else daytime.now().astimezone(AMSTERDAM).date()
    _at(start + timedelta(weeks=8) - timedelta(days=5), 8)  # subsidie: servicenorm 8 weeks
    assert watch()["alerts"] >= 1
    alerts = wiring.services().deadline_watch.alerts_for("mdw-anna-bakker")
    assert case["case_number"] in {a.case_number for a in alerts if a.entry.case_id == case["id"]}
    # AND her work list says it, linking to the case
    anna = Browser(client)
    log_in(anna, "anna", start="/werk")
    html = anna.get("/werk").body.decode()
    assert "Meldingen over termijnen" in html
    assert f'href="/werk/zaken/{case["id"]}?lang=nl">{case["case_number"]}</a>: de servicenorm loopt af op' in html
