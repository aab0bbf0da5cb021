"""The servicenorm figures end to end on moto: cases decided through the API reach the figures through the real
cases stream and on_case_change; the open data answers with them (JSON and CSV, small numbers hidden); the same
stream records handled again change nothing; and recomputing a month from the decided-cases index gives the same."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from typing import Any

from chalicelib import wiring
from tests.integration.conftest import body, headers

SUBSIDIE = "subsidie-duurzame-recreatie"


def _decide(client: Any, n: int) -> list[str]:
    ids = []
    for _ in range(n):
        created = body(
            client.http.post(
                "/api/cases",
                headers=headers("anna"),
                body=json.dumps(
                    {"zaaktype": SUBSIDIE, "omschrijving": "x", "initiator": "pu-mark-3f9a1c", "gemeenten": ["GM1581"]}
                ),
            )
        )
        answer = client.http.post(
            f"/api/cases/{created['id']}/status", headers=headers("anna"), body='{"statustype": "besluit-genomen"}'
        )
        assert answer.status_code == 201, answer.body
        ids.append(created["id"])
    return ids


def _subsidie(client: Any) -> dict[str, Any]:
    answer = body(client.http.get("/api/servicenormen"))
    return next(z for z in answer["zaaktypen"] if z["zaaktype"] == SUBSIDIE)


def test_decided_cases_reach_the_open_data_through_the_stream(client, pipeline, stack):
    # GIVEN four cases decided this month: too few to publish
    _decide(client, 4)
    pipeline.run()
    month = _subsidie(client)["months"][-1]
    assert (month["too_few"], month["decided"]) == (True, None)
    # WHEN a fifth is decided
    _decide(client, 1)
    pipeline.run()
    # THEN the month is published: all five within the servicenorm and the term, decided the day they started
    month = _subsidie(client)["months"][-1]
    assert month == {
        "period": month["period"],
        "decided": 5,
        "share_within_servicenorm": 1.0,
        "share_within_term": 1.0,
        "median_days": 0,
        "p90_days": 0,
        "too_few": False,
    }
    # AND the CSV says the same, a row per month and one for the total
    answer = client.http.get("/api/servicenormen.csv")
    assert answer.headers["Content-Type"].startswith("text/csv")
    rows = [r for r in csv.DictReader(io.StringIO(answer.body.decode())) if r["zaaktype"] == SUBSIDIE]
    assert len(rows) == 13
    assert (rows[-2]["period"], rows[-2]["decided"], rows[-2]["too_few"]) == (month["period"], "5", "false")


def test_the_same_stream_records_again_and_a_recompute_change_nothing(client, pipeline, stack):
    _decide(client, 6)
    pipeline.run()
    figures = wiring.services().servicenorm_figures
    period = _subsidie(client)["months"][-1]["period"]
    store = wiring.adapters().servicenorms
    assert store is not None
    before = store.months(SUBSIDIE, period, period)
    # WHEN each decision's change is handled again (the stream delivers at least once)
    decided = list(wiring.adapters().cases.decided_in(SUBSIDIE, period))
    assert len(decided) == 6
    for case in decided:
        assert figures.case_changed(replace(case, closed_on=None, version=case.version - 1), case) is False
    assert store.months(SUBSIDIE, period, period) == before
    # AND a recompute of the month from the decided-cases index gives the same figures
    recomputed = figures.recompute(SUBSIDIE, period)
    assert [recomputed] == before == store.months(SUBSIDIE, period, period)


def test_the_operators_recompute_rebuilds_every_zaaktypes_months(client, pipeline, stack):
    from chalicelib.ops import recompute_servicenorms

    _decide(client, 2)
    pipeline.run()
    period = _subsidie(client)["months"][-1]["period"]
    lines = list(recompute_servicenorms(wiring.services(), 2))
    assert lines == [f"{SUBSIDIE} {period}: 2 decided"]
