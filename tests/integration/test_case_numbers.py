"""Case numbers are unique whatever wrote the earlier cases: the demo data moves the counter past the numbers
it gives its cases, and a registration whose number another writer took already gets the next free one."""

from __future__ import annotations

import json
from dataclasses import replace

from chalicelib import wiring
from chalicelib.domain.subscriptions import automatic_subscriptions
from devstack.seed import seed
from tests.factories import VERGUNNING, a_case
from tests.integration.conftest import DAYTIME, PERSONAS, body, headers, register_personas

PERMIT = {"zaaktype": VERGUNNING, "omschrijving": "Nieuwe zandwinning", "initiator": "pu-jan-51c7b0", "gemeenten": ["GM0355"]}


def test_a_case_registered_after_the_demo_data_never_gets_a_demo_number(client, daytime):
    # GIVEN the demo data, with the permit case VERG-2026-000041
    ids = seed(DAYTIME, followers=0)
    register_personas("jan")
    # WHEN Pieter registers a new permit case
    created = client.http.post("/api/cases", headers=headers("pieter"), body=json.dumps(PERMIT))
    # THEN it gets the next number, and the demo number still finds the demo case
    assert created.status_code == 201, created.body
    assert body(created)["case_number"] == "VERG-2026-000042"
    found = client.http.get("/api/cases?case_number=VERG-2026-000041", headers=headers("sanne"))
    assert body(found)["id"] == ids["permit_case"]


def test_a_number_taken_by_another_writer_is_skipped_by_a_registration(client, daytime):
    # GIVEN cases written with numbers 1 and 2 by a writer that does not move the counter (an old import)
    register_personas("jan", "mark")
    imported = []
    for number in (1, 2):
        case = replace(a_case(version=0, zaaktype_id=VERGUNNING), case_number=f"VERG-2026-{number:06d}")
        imported.append(wiring.adapters().cases.create(case, automatic_subscriptions(case, DAYTIME)))
    # WHEN a case is registered (the counter still says 1 is next)
    created = client.http.post("/api/cases", headers=headers("pieter"), body=json.dumps(PERMIT))
    # THEN it is stored under the first number nobody has; the imported cases keep theirs
    assert created.status_code == 201, created.body
    assert body(created)["case_number"] == "VERG-2026-000003"
    for case in imported:
        assert wiring.adapters().cases.find_by_number(case.case_number) == case
    assert [c.id for c in wiring.adapters().cases.cases_of_party(PERSONAS["jan"].claims["sub"])] == [body(created)["id"]]
