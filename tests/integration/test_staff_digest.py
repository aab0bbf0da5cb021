"""The behandelaar's morning overview on moto: Anna's login gives her address; the deadline watch puts an alert on her
list at 07:00 and, from 08:00 once it has done the day, e-mails her one overview of that day's alerts — once, however
often it runs; a working day's overview also carries the weekend's; a behandelaar without a known address gets none
(the alerts stay on the work list); a failed send is tried again by the next run."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from botocore.exceptions import ClientError

from chalicelib import wiring
from chalicelib.domain.watch import Alert, StaffMember, WatchEntry, WatchKind
from chalicelib.domain.workdays import AMSTERDAM
from chalicelib.handlers.watch_deadlines import watch
from tests.factories import FixedClock
from tests.integration.browsing import Browser, log_in
from tests.integration.conftest import body, headers, mailbox

CASE = {"zaaktype": "subsidie-duurzame-recreatie", "omschrijving": "x", "initiator": "pu-mark-3f9a1c", "gemeenten": ["GM1581"]}
ANNA = "anna.bakker@provincie-utrecht.example.nl"


def _at(day: date, hour: int, minute: int = 0) -> None:
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM).astimezone(UTC)
    wiring.use(wiring.adapters().but(clock=FixedClock(moment)))


def test_anna_gets_one_overview_a_morning_of_the_alerts_of_the_day(client, pipeline, daytime):
    # GIVEN Anna logged in once (her login gives her address) and a case of hers
    anna = Browser(client)
    log_in(anna, "anna", start="/werk")
    assert wiring.adapters().staff.get("mdw-anna-bakker") == StaffMember(  # type: ignore[union-attr]
        "mdw-anna-bakker", "Anna Bakker", ANNA
    )
    case = body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))
    pipeline.run()
    alert_day = date(2026, 10, 5) + timedelta(weeks=8) - timedelta(days=5)  # servicenorm 8 weeks: Wednesday 25 November
    # WHEN the watch runs at 07:00: the alert is on her list, no e-mail yet
    _at(alert_day, 7)
    first = watch()
    assert first["alerts"] >= 1
    assert first["digests_sent"] == 0
    assert mailbox(ANNA) == []
    # THEN from 08:00 one overview, naming the case and the day, linking to it
    _at(alert_day, 8, 5)
    assert watch()["digests_sent"] == 1
    (mail,) = mailbox(ANNA)
    assert mail.subject == "Uw werkvoorraad: 1 melding over termijnen"
    assert f"- {case['case_number']}: de servicenorm loopt af op 30 november 2026." in mail.text
    assert f"/werk/zaken/{case['id']}" in mail.html
    # AND only one, however often the watch runs that day
    _at(alert_day, 9)
    assert watch()["digests_sent"] == 0
    assert len(mailbox(ANNA)) == 1


def _alert(behandelaar: str, on: date, case_number: str) -> None:
    entry = WatchEntry(on, f"case-{case_number}", WatchKind.TERM_PASSED, on - timedelta(days=1))
    wiring.adapters().watch.alert(behandelaar, Alert(entry, case_number))  # type: ignore[union-attr]


def test_mondays_overview_carries_the_weekends_alerts_and_there_is_none_at_the_weekend(client, daytime):
    wiring.adapters().staff.remember(StaffMember("mdw-anna-bakker", "Anna Bakker", ANNA), daytime.now())  # type: ignore[union-attr]
    saturday, monday = date(2026, 10, 10), date(2026, 10, 12)
    _alert("mdw-anna-bakker", saturday, "SUB-2026-000901")
    _alert("mdw-anna-bakker", monday, "SUB-2026-000902")
    _at(saturday, 9)
    assert watch()["digests_sent"] == 0
    _at(monday, 8)
    assert watch()["digests_sent"] == 1
    (mail,) = mailbox(ANNA)
    assert mail.subject == "Uw werkvoorraad: 2 meldingen over termijnen"
    assert "SUB-2026-000901" in mail.text
    assert "SUB-2026-000902" in mail.text


def test_no_address_no_overview_and_a_failed_send_is_tried_again(client, daytime, ses_hook):
    monday = date(2026, 10, 12)
    _alert("mdw-pieter-jansen", monday, "SUB-2026-000903")  # Pieter never logged in: no address known
    _at(monday, 8)
    result = watch()
    assert (result["digests_sent"], result["digests_without_address"]) == (0, 1)

    wiring.adapters().staff.remember(StaffMember("mdw-anna-bakker", "Anna Bakker", ANNA), daytime.now())  # type: ignore[union-attr]
    _alert("mdw-anna-bakker", monday, "SUB-2026-000904")
    failures = iter([True])

    def throttled(**_: object) -> None:
        if next(failures, False):
            error = {
                "Error": {"Code": "TooManyRequestsException", "Message": "injected"},
                "ResponseMetadata": {"HTTPStatusCode": 429},
            }
            raise ClientError(error, "SendEmail")

    ses_hook(throttled)
    assert watch()["digests_failed"] == 1
    assert mailbox(ANNA) == []
    _at(monday, 8, 10)
    assert watch()["digests_sent"] == 1
    assert len(mailbox(ANNA)) == 1


def test_only_a_behandelaars_address_is_kept(client):
    sanne = Browser(client)
    log_in(sanne, "sanne", start="/kcc")
    assert wiring.adapters().staff.get("mdw-sanne-deboer") is None  # type: ignore[union-attr]
    mark = Browser(client)
    log_in(mark, "mark")
    assert wiring.adapters().staff.get("pu-mark-3f9a1c") is None  # type: ignore[union-attr]
