"""A fan-out job carries its event as JSON: what goes in comes out unchanged."""

from __future__ import annotations

import json

import pytest

from chalicelib.domain.events import CaseEvent, EventKind, Place, event_from_json, event_to_json
from chalicelib.domain.geo import Polygon
from chalicelib.domain.reference import Point
from tests.factories import T0

SQUARE = (Point(52.0, 5.0), Point(52.0, 5.01), Point(52.01, 5.01), Point(52.01, 5.0))
HOLE = (Point(52.002, 5.002), Point(52.002, 5.004), Point(52.004, 5.004))


@pytest.mark.parametrize(
    "event",
    [
        CaseEvent("a-1/announcement/a-1", EventKind.ANNOUNCEMENT, "a-1", "a-1", T0, True, "natuur", Place(("GM0344",), None)),
        CaseEvent(
            "c-1/status/s-1",
            EventKind.STATUS_CHANGED,
            "c-1",
            "s-1",
            T0,
            True,
            "subsidies",
            Place(("GM0344", "GM0307"), Point(52.09, 5.12)),
        ),
        CaseEvent("c-2/status/s-2", EventKind.STATUS_CHANGED, "c-2", "s-2", T0, True, None, Place((), Polygon(SQUARE, (HOLE,)))),
        CaseEvent("c-3/message/m-1", EventKind.MESSAGE_POSTED, "c-3", "m-1", T0, False),
    ],
)
def test_an_event_survives_the_trip_through_json(event: CaseEvent):
    assert event_from_json(json.loads(json.dumps(event_to_json(event)))) == event
