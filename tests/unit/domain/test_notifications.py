"""Notifications: one per recipient and channel, with a deterministic id and a guarded status lifecycle."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.events import CaseEvent, EventKind
from chalicelib.domain.language import Language
from chalicelib.domain.matching import Audience, Recipient
from chalicelib.domain.notifications import (
    ALLOWED_TRANSITIONS,
    InvalidTransitionError,
    Notification,
    NotificationStatus,
    notification_id,
    plan_notifications,
    retry_budget,
    retry_delay,
)
from chalicelib.domain.subscriptions import Channel, Interest, Preferences
from tests.factories import FATIMA, MARK, T0

NOW = datetime(2026, 10, 6, 10, 0, tzinfo=UTC)
RETENTION = timedelta(days=90)
EVENT = CaseEvent("case-1/status/status-2", EventKind.STATUS_CHANGED, "case-1", "status-2", T0, public=False)


def _recipient(subscriber_id: str, *channels: Channel, language: Language = Language.NL) -> Recipient:
    preferences = Preferences(frozenset(channels), language, quiet_hours=False)
    return Recipient(
        subscriber_id, frozenset(channels), preferences, Audience.PARTY, Interest.case("case-1"), f"sub-{subscriber_id}"
    )


def _notification(status: NotificationStatus) -> Notification:
    [planned] = plan_notifications(EVENT, [_recipient(MARK, Channel.EMAIL)], now=NOW, retention=RETENTION)
    return replace(planned, status=status)


def test_the_same_event_subscriber_and_channel_always_give_the_same_id():
    assert notification_id(EVENT.id, MARK, Channel.EMAIL) == notification_id(EVENT.id, MARK, Channel.EMAIL)
    assert len(notification_id(EVENT.id, MARK, Channel.EMAIL)) == 32


@pytest.mark.parametrize(
    ("event_id", "subscriber_id", "channel"),
    [
        ("case-1/status/status-3", MARK, Channel.EMAIL),
        (EVENT.id, FATIMA, Channel.EMAIL),
        (EVENT.id, MARK, Channel.PORTAL),
    ],
)
def test_another_event_subscriber_or_channel_gives_another_id(event_id, subscriber_id, channel):
    assert notification_id(event_id, subscriber_id, channel) != notification_id(EVENT.id, MARK, Channel.EMAIL)


def test_each_recipient_gets_one_notification_per_channel():
    recipients = [_recipient(FATIMA, Channel.PORTAL, Channel.EMAIL, language=Language.EN), _recipient(MARK, Channel.EMAIL)]

    planned = plan_notifications(EVENT, recipients, now=NOW, retention=RETENTION)

    assert [(n.subscriber_id, n.channel, n.language) for n in planned] == [
        (FATIMA, Channel.EMAIL, Language.EN),
        (FATIMA, Channel.PORTAL, Language.EN),
        (MARK, Channel.EMAIL, Language.NL),
    ]
    assert [n.id for n in planned] == [
        notification_id(EVENT.id, FATIMA, Channel.EMAIL),
        notification_id(EVENT.id, FATIMA, Channel.PORTAL),
        notification_id(EVENT.id, MARK, Channel.EMAIL),
    ]


def test_a_planned_notification_is_created_now_and_expires_after_the_retention():
    [planned] = plan_notifications(EVENT, [_recipient(MARK, Channel.PORTAL)], now=NOW, retention=RETENTION)

    assert planned.status is NotificationStatus.CREATED
    assert (planned.created_at, planned.updated_at, planned.expires_at) == (NOW, NOW, NOW + RETENTION)
    assert (planned.event_id, planned.event_kind, planned.case_id, planned.ref) == (
        EVENT.id,
        EventKind.STATUS_CHANGED,
        "case-1",
        "status-2",
    )
    assert planned.audience is Audience.PARTY
    assert planned.attempts == 0


def test_no_recipients_means_no_notifications():
    assert plan_notifications(EVENT, [], now=NOW, retention=RETENTION) == []


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (NotificationStatus.CREATED, NotificationStatus.SENDING),
        (NotificationStatus.CREATED, NotificationStatus.PERMANENT_FAILURE),  # e.g. no address at all
        (NotificationStatus.SENDING, NotificationStatus.DELIVERED),
        (NotificationStatus.SENDING, NotificationStatus.PERMANENT_FAILURE),
        (NotificationStatus.SENDING, NotificationStatus.CREATED),  # a retryable failure
        (NotificationStatus.SENDING, NotificationStatus.SENDING),  # an expired claim taken over
    ],
)
def test_an_allowed_transition_moves_the_notification_and_stamps_the_time(current, wanted):
    later = NOW + timedelta(minutes=1)

    moved = _notification(current).moved_to(wanted, later)

    assert (moved.status, moved.updated_at) == (wanted, later)


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (NotificationStatus.DELIVERED, NotificationStatus.SENDING),
        (NotificationStatus.DELIVERED, NotificationStatus.CREATED),
        (NotificationStatus.PERMANENT_FAILURE, NotificationStatus.SENDING),
        (NotificationStatus.PERMANENT_FAILURE, NotificationStatus.DELIVERED),
        (NotificationStatus.CREATED, NotificationStatus.DELIVERED),
        (NotificationStatus.CREATED, NotificationStatus.CREATED),
    ],
)
def test_a_transition_that_is_not_allowed_raises(current, wanted):
    notification = _notification(current)

    with pytest.raises(InvalidTransitionError) as raised:
        notification.moved_to(wanted, NOW + timedelta(minutes=1))

    assert raised.value.params == {"current": current.value, "wanted": wanted.value}


def test_a_retryable_failure_while_sending_puts_the_notification_back_to_created():
    sending = _notification(NotificationStatus.CREATED).moved_to(NotificationStatus.SENDING, NOW, attempts=1)

    retried = sending.moved_to(NotificationStatus.CREATED, NOW + timedelta(minutes=1), claimed_until=None)

    assert retried.status is NotificationStatus.CREATED
    assert retried.attempts == 1


def test_a_move_records_the_changes_that_come_with_it():
    sending = _notification(NotificationStatus.SENDING)

    delivered = sending.moved_to(NotificationStatus.DELIVERED, NOW, provider_message_id="ses-123", attempts=2)

    assert (delivered.provider_message_id, delivered.attempts) == ("ses-123", 2)


@pytest.mark.parametrize(
    ("status", "final"),
    [
        (NotificationStatus.HELD, False),
        (NotificationStatus.CREATED, False),
        (NotificationStatus.SENDING, False),
        (NotificationStatus.DELIVERED, True),
        (NotificationStatus.PERMANENT_FAILURE, True),
        (NotificationStatus.TEMPORARY_FAILURE, True),
        (NotificationStatus.TECHNICAL_FAILURE, True),
    ],
)
def test_delivered_and_the_three_failures_are_final(status, final):
    assert status.is_final is final


def test_only_a_later_bounce_and_a_redrive_leave_a_final_status():
    leaving = {status: ALLOWED_TRANSITIONS[status] for status in NotificationStatus if status.is_final}
    assert leaving == {
        NotificationStatus.DELIVERED: frozenset({NotificationStatus.PERMANENT_FAILURE, NotificationStatus.TEMPORARY_FAILURE}),
        NotificationStatus.PERMANENT_FAILURE: frozenset(),
        NotificationStatus.TEMPORARY_FAILURE: frozenset(),
        NotificationStatus.TECHNICAL_FAILURE: frozenset({NotificationStatus.CREATED}),
    }


def test_retries_wait_30_seconds_doubling_to_at_most_10_minutes():
    assert [retry_delay(n) for n in range(1, 9)] == [30, 60, 120, 240, 480, 600, 600, 600]
    assert max(retry_delay(n) for n in range(1, 1000)) == 600


def test_the_retry_budget_is_over_four_hours():
    assert retry_budget() >= timedelta(hours=4)
    assert retry_budget() < timedelta(hours=5)
