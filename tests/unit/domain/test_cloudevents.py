"""NL GOV CloudEvents out: the required attributes, names a-z0-9 of at most 20 characters, ids derived from the fact,
and nothing personal in any event."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from chalicelib.domain.cloudevents import (
    EVENT_TYPES,
    AnnouncementFact,
    CloudEvent,
    ContactFact,
    EventSource,
    EventType,
    InvalidCloudEventError,
    NotificationFact,
    NotificationOutcome,
    SubscriptionStatus,
    SubscriptionTransition,
    announcement_event,
    contact_moment_event,
    notification_event,
    subscription_events,
    time_sequence,
)
from tests.factories import MARK, T0

SOURCE = EventSource(oin="00000001002220647000", api_url="https://mijn.provincie-utrecht.nl")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def a_notification(outcome=NotificationOutcome.DELIVERED, *, attempts=1, kind="status_changed", reason=None):
    return NotificationFact("n-1", "case-1", kind != "announcement", kind, "email", outcome, attempts, T0, reason)


def every_event() -> list[CloudEvent]:
    started = SubscriptionTransition("s-1", SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE, 2, "self", None, T0)
    stopped = SubscriptionTransition("s-1", SubscriptionStatus.ACTIVE, SubscriptionStatus.CANCELLED, 3, "self", "case-1", T0)
    return [
        notification_event(SOURCE, a_notification()),
        notification_event(SOURCE, a_notification(NotificationOutcome.TECHNICAL_FAILURE, reason="retries_exhausted")),
        notification_event(SOURCE, a_notification(NotificationOutcome.PERMANENT_FAILURE, reason="hard_bounce")),
        *subscription_events(SOURCE, started),
        *subscription_events(SOURCE, stopped),
        contact_moment_event(SOURCE, ContactFact("c-1", "case-1", "telefoon", True, T0)),
        announcement_event(SOURCE, AnnouncementFact("a-1", "natuur", ("GM0344",), 4, T0)),
    ]


def test_every_event_type_is_built_and_each_has_the_required_attributes_of_the_profile():
    events = every_event()
    assert {e.type for e in events} == set(EventType)
    for event in events:
        document = json.loads(event.to_json())
        assert document["specversion"] == "1.0"
        assert UUID.fullmatch(document["id"])
        assert document["source"] == "urn:nld:oin:00000001002220647000:systeem:baken"
        assert document["type"].startswith("nl.provincie-utrecht.baken.")
        assert document["datacontenttype"] == "application/json"
        assert document["time"].endswith("Z")
        assert document["subject"]
        assert document["dataref"].startswith("https://mijn.provincie-utrecht.nl/api/")
        assert all(re.fullmatch(r"[a-z0-9]{1,20}", name) for name in document)


def test_an_attribute_name_outside_a_to_z_0_to_9_or_longer_than_20_is_refused():
    event = every_event()[0]
    for wrong in ("Sequence", "caseid_", "abcdefghijklmnopqrstu"):
        with pytest.raises(InvalidCloudEventError):
            CloudEvent(**{**event.__dict__, "extensions": {wrong: "x"}}).to_json()
    CloudEvent(**{**event.__dict__, "extensions": {"abcdefghijklmnopqrst": "x"}}).to_json()


def test_the_same_fact_gives_the_same_id_and_another_fact_another():
    assert notification_event(SOURCE, a_notification()).id == notification_event(SOURCE, a_notification()).id
    assert every_event()[5].id == every_event()[5].id
    ids = [e.id for e in every_event()]
    assert len(set(ids)) == len(ids)
    # a redriven technical failure that fails again is a new fact: the attempt is part of its id
    first = notification_event(SOURCE, a_notification(NotificationOutcome.TECHNICAL_FAILURE, attempts=30))
    again = notification_event(SOURCE, a_notification(NotificationOutcome.TECHNICAL_FAILURE, attempts=31))
    assert first.id != again.id


def test_no_event_carries_personal_data_only_ids_and_codes():
    """The contact's words, the medewerker and the subscriber are not inputs at all; the test checks the output
    holds no e-mail address, BSN-like number or the subscriber id either."""
    # the id (a UUID) and sequence (a number) may hold nine digits in a row by chance: everything else is checked
    text = " ".join(
        json.dumps({k: v for k, v in json.loads(e.to_json()).items() if k not in ("id", "sequence")}) for e in every_event()
    )
    assert "@" not in text
    assert not re.search(r"(?<!\d)\d{9}(?!\d)", text)
    assert MARK not in text


def test_sequence_sorts_as_text_in_the_order_of_time_per_case():
    moments = [T0 + timedelta(microseconds=n) for n in (0, 1, 999_999, 10**6, 10**9)]
    sequences = [time_sequence(m) for m in moments]
    assert sequences == sorted(sequences)
    assert {len(s) for s in sequences} == {20}


def test_only_a_change_into_or_out_of_active_is_a_subscription_event():
    def change(before, after):
        return SubscriptionTransition("s-1", before, after, 1, "self", None, T0)

    active, pending, cancelled = SubscriptionStatus.ACTIVE, SubscriptionStatus.PENDING, SubscriptionStatus.CANCELLED
    assert subscription_events(SOURCE, change(None, pending)) == []
    assert subscription_events(SOURCE, change(active, active)) == []
    assert [e.type for e in subscription_events(SOURCE, change(None, active))] == [EventType.SUBSCRIPTION_STARTED]
    assert [e.type for e in subscription_events(SOURCE, change(active, None))] == [EventType.SUBSCRIPTION_STOPPED]
    assert [e.type for e in subscription_events(SOURCE, change(active, cancelled))] == [EventType.SUBSCRIPTION_STOPPED]


def test_an_oin_is_twenty_digits():
    with pytest.raises(InvalidCloudEventError):
        EventSource(oin="123", api_url="https://x")


def test_the_documented_list_of_types_is_the_enumeration():
    assert set(EVENT_TYPES) == {t.value for t in EventType}
