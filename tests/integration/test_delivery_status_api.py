"""``GET /api/cases/{id}/notifications``: what the parties of a case were sent, newest first, a bounded page at a
time with an opaque cursor (as the case pages show it); followers of a public case — and their pseudonymous
ids — are never listed."""

from __future__ import annotations

import json

import pytest

from chalicelib import wiring
from chalicelib.domain.matching import Audience
from chalicelib.routes.api.cases import DELIVERY_PAGE, MAX_DELIVERY_PAGE
from tests.factories import VERGUNNING
from tests.integration.conftest import PERSONAS, body, follow, headers, invalid_params, register_personas

JAN = PERSONAS["jan"].claims["sub"]
PERMIT = {
    "zaaktype": VERGUNNING,
    "omschrijving": "Zandwinning",
    "initiator": PERSONAS["mark"].claims["sub"],
    "co_initiators": [PERSONAS["fatima"].claims["sub"]],
    "gemeenten": ["GM0355"],
}


@pytest.fixture
def told(client, pipeline, daytime) -> str:
    """A public permit case whose parties were told of a new status and two messages, and which Jan follows
    as a neighbour."""
    register_personas("mark", "fatima", "jan")
    follow(client, "jan", {"gemeenten": ["GM0355"]})
    case = body(client.http.post("/api/cases", headers=headers("pieter"), body=json.dumps(PERMIT)))
    changes = [("status", {"statustype": "in-behandeling"}), ("messages", {"text": "Wij kijken ernaar."})]
    for path, change in [*changes, ("messages", {"text": "Het advies is binnen."})]:
        changed = client.http.post(f"/api/cases/{case['id']}/{path}", headers=headers("pieter"), body=json.dumps(change))
        assert changed.status_code == 201, changed.body
        pipeline.run()
    return str(case["id"])


def _page(client, case_id: str, query: str = "") -> dict:
    answer = client.http.get(f"/api/cases/{case_id}/notifications{query}", headers=headers("sanne"))
    assert answer.status_code == 200, answer.body
    return dict(body(answer))


def test_the_parties_notifications_come_page_by_page_and_a_follower_is_never_listed(client, told):
    everything = wiring.adapters().outbox.for_case(told)
    to_parties = {n.id for n in everything if n.audience is Audience.PARTY}
    assert any(n.subscriber_id == JAN for n in everything)  # GIVEN Jan, a follower, was told too
    assert len(to_parties) > 4

    # WHEN the KCC reads the notifications four at a time
    seen, cursor, pages = [], None, 0
    while True:
        page = _page(client, told, "?limit=4" + (f"&after={cursor}" if cursor else ""))
        pages += 1
        assert len(page["notifications"]) <= 4
        seen.extend(page["notifications"])
        cursor = page["next_after"]
        if cursor is None:
            break

    # THEN each notification to a party comes once, newest first; Jan and his notifications never
    assert sorted(n["id"] for n in seen) == sorted(to_parties)
    assert pages == -(-len(to_parties) // 4)
    assert [n["created_at"] for n in seen] == sorted((n["created_at"] for n in seen), reverse=True)
    assert {n["audience"] for n in seen} == {"party"}
    assert JAN not in json.dumps(seen)


def test_one_page_is_bounded_by_default(client, told):
    page = _page(client, told)
    assert len(page["notifications"]) <= DELIVERY_PAGE
    assert page["next_after"] is None  # fewer than a page: this is the last


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?limit=0", "limit"),
        (f"?limit={MAX_DELIVERY_PAGE + 1}", "limit"),
        ("?limit=ten", "limit"),
        ("?after=not-a-cursor", "after"),
        ("?after=", "after"),
        ("?after=WyJ4Ii!wgInkiXQ", "after"),
        ("?after=" + "A" * 3000, "after"),
        ("?after=WyJ4IiwgInkiXQ", "after"),  # base64 of ["x", "y"]: the right shape, not a cursor
    ],
)
def test_a_bad_page_size_or_cursor_is_400_naming_it(client, told, query, field):
    answer = client.http.get(f"/api/cases/{told}/notifications{query}", headers=headers("sanne"))
    assert field in invalid_params(answer)
