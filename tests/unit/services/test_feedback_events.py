"""A notification that SES reports bounced after Baken told the chain it was sent: the chain is told it failed after
all (NL GOV CloudEvent ``notificatie-definitief-mislukt`` or ``-technisch-mislukt``), with an id derived from the
fact, so feedback that comes again tells it again under the same id and nothing is told that did not happen."""

from __future__ import annotations

from typing import cast

import pytest

from chalicelib.adapters.memory import InMemoryEvents
from chalicelib.domain.feedback import EmailFeedback, FeedbackKind
from chalicelib.domain.notifications import NotificationStatus
from tests.contract.conftest import a_notification
from tests.factories import T0

PREFIX = "nl.provincie-utrecht.baken."


@pytest.fixture
def delivered(world):
    notification = a_notification(status=NotificationStatus.DELIVERED, provider_message_id="ses-1", created_at=T0)
    world.outbox.add_if_absent(notification)
    return notification


def _events(world) -> InMemoryEvents:
    return cast(InMemoryEvents, world.adapters.events)


@pytest.mark.parametrize(
    ("kind", "told"),
    [
        (FeedbackKind.HARD_BOUNCE, "notificatie-definitief-mislukt"),
        (FeedbackKind.REJECTED, "notificatie-definitief-mislukt"),
        (FeedbackKind.SOFT_BOUNCE, "notificatie-technisch-mislukt"),
    ],
)
def test_a_bounce_after_delivery_is_told_and_told_again_under_the_same_id(world, delivered, kind, told):
    feedback = EmailFeedback(kind, "ses-1", ("mark.visser@example.org",))
    world.services.feedback.record(feedback)
    world.services.feedback.record(feedback)  # SNS delivers at least once
    events = _events(world).of_type(PREFIX + told)
    assert len(events) == 2
    assert events[0]["id"] == events[1]["id"]
    assert events[0]["subject"] == delivered.id
    assert "mark" not in str(events[0]).lower()  # no address or person in the event


def test_a_complaint_or_a_delivery_report_tells_nothing_new(world, delivered):
    world.services.feedback.record(EmailFeedback(FeedbackKind.COMPLAINT, "ses-1", ("mark.visser@example.org",)))
    world.services.feedback.record(EmailFeedback(FeedbackKind.DELIVERED, "ses-1", ()))
    assert _events(world).published == []


def test_feedback_about_an_unknown_message_tells_nothing(world):
    world.services.feedback.record(EmailFeedback(FeedbackKind.HARD_BOUNCE, "not-ours", ("x@example.org",)))
    assert _events(world).published == []
