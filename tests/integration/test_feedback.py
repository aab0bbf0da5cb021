"""What SES reports afterwards, through SNS and SQS to the feedback handler (docs: RELIABILITY.md, promise 7,
tests 16 and 17, attack 16). The events are published to the data stack's SNS topic on moto, in the shape SES
publishes for a configuration set, and read back from the queue subscribed to it."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.domain.notifications import NotificationStatus
from chalicelib.domain.subscriptions import Channel, PostalAddress
from tests.integration.conftest import PERSONAS, Pipeline, body, headers, mailbox, register_personas

MARK = str(PERSONAS["mark"].email)
MARK_ID = PERSONAS["mark"].claims["sub"]
CASE = {"zaaktype": "subsidie-duurzame-recreatie", "omschrijving": "Test", "initiator": MARK_ID, "gemeenten": ["GM1581"]}


def ses_event(kind: str, message_id: str, *recipients: str, bounce_type: str = "Permanent") -> dict[str, Any]:
    """An SES event as a configuration set publishes it."""
    mail = {"timestamp": "2026-10-05T09:00:00.000Z", "messageId": message_id, "destination": list(recipients)}
    event: dict[str, Any] = {"eventType": kind, "mail": mail}
    if kind == "Bounce":
        event["bounce"] = {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": r} for r in recipients],
            "feedbackId": f"bounce-{message_id}",
        }
    elif kind == "Complaint":
        event["complaint"] = {"complainedRecipients": [{"emailAddress": r} for r in recipients], "complaintFeedbackType": "abuse"}
    elif kind == "Delivery":
        event["delivery"] = {"recipients": list(recipients)}
    return event


def publish(stack, event: dict[str, Any]) -> None:
    stack.client("sns").publish(TopicArn=stack.outputs.values["FeedbackTopicArn"], Message=json.dumps(event))


def _case_with_an_email(client, pipeline: Pipeline) -> tuple[dict[str, Any], Any]:
    case = body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))
    pipeline.run()
    (email,) = [n for n in wiring.adapters().outbox.for_case(case["id"]) if n.channel is Channel.EMAIL]
    assert email.status is NotificationStatus.DELIVERED
    assert email.provider_message_id
    return case, email


def _set_status(client, pipeline: Pipeline, case_id: str, statustype: str = "in-behandeling") -> None:
    answer = client.http.post(
        f"/api/cases/{case_id}/status", headers=headers("anna"), body=json.dumps({"statustype": statustype})
    )
    assert answer.status_code == 201, answer.body
    pipeline.run()


def _channels(subscriber_id: str = MARK_ID) -> frozenset[Channel]:
    subscriber = wiring.adapters().subscribers.get(subscriber_id)
    assert subscriber is not None
    return subscriber.channels


def test_a_hard_bounce_stops_email_to_that_address_and_the_berichtenbox_still_gets_everything(client, stack, pipeline: Pipeline):
    register_personas("mark")
    case, email = _case_with_an_email(client, pipeline)

    publish(stack, ses_event("Bounce", email.provider_message_id, MARK))
    pipeline.run()

    # THEN the e-mail is a permanent failure the KCC can see, and Mark gets no more e-mail
    bounced = wiring.adapters().outbox.get(email.id)
    assert bounced is not None
    assert (bounced.status, bounced.reason) == (NotificationStatus.PERMANENT_FAILURE, "hard_bounce")
    seen = body(client.http.get(f"/api/cases/{case['id']}/notifications", headers=headers("sanne")))["notifications"]
    assert ("email", "permanent-failure", "hard_bounce") in {(n["channel"], n["status"], n["reason"]) for n in seen}
    assert _channels() == frozenset({Channel.PORTAL})
    _set_status(client, pipeline, case["id"])
    assert len(mailbox(MARK)) == 1
    assert body(client.http.get("/api/me/berichtenbox", headers=headers("mark")))["unread"] == 2


def test_a_soft_bounce_marks_that_email_and_keeps_the_address(client, stack, pipeline: Pipeline):
    register_personas("mark")
    case, email = _case_with_an_email(client, pipeline)

    publish(stack, ses_event("Bounce", email.provider_message_id, MARK, bounce_type="Transient"))
    pipeline.run()

    softened = wiring.adapters().outbox.get(email.id)
    assert softened is not None
    assert (softened.status, softened.reason) == (NotificationStatus.TEMPORARY_FAILURE, "soft_bounce")
    assert Channel.EMAIL in _channels()
    _set_status(client, pipeline, case["id"])
    assert len(mailbox(MARK)) == 2


def test_the_same_bounce_twice_and_a_delivery_notice_after_it_change_nothing_more(client, stack, pipeline: Pipeline):
    register_personas("mark")
    _, email = _case_with_an_email(client, pipeline)
    bounce = ses_event("Bounce", email.provider_message_id, MARK)

    publish(stack, bounce)
    pipeline.run()
    first = wiring.adapters().outbox.get(email.id)
    publish(stack, bounce)
    publish(stack, ses_event("Delivery", email.provider_message_id, MARK))  # unordered: arrives after the bounce
    pipeline.run()

    assert wiring.adapters().outbox.get(email.id) == first
    assert pipeline.feedback.stats.failed == 0


def test_a_bounce_naming_someone_else_as_well_stops_only_the_address_that_bounced(client, stack, pipeline: Pipeline):
    register_personas("mark", "fatima")
    _, email = _case_with_an_email(client, pipeline)
    # GIVEN Mark has since changed his address, and the bounce names only the old one and a stranger
    mark = wiring.adapters().subscribers.get(MARK_ID)
    assert mark is not None
    from dataclasses import replace

    wiring.adapters().subscribers.put(replace(mark, email="mark.nieuw@example.org"))

    publish(stack, ses_event("Bounce", email.provider_message_id, MARK, "vreemde@example.org"))
    pipeline.run()

    # THEN that e-mail failed, but his new address is not stopped, and nobody else is touched
    assert wiring.adapters().outbox.get(email.id).status is NotificationStatus.PERMANENT_FAILURE  # type: ignore[union-attr]
    assert Channel.EMAIL in _channels()
    assert Channel.EMAIL in _channels(PERSONAS["fatima"].claims["sub"])


def test_feedback_about_a_message_baken_never_sent_is_dropped_not_retried(client, stack, pipeline: Pipeline, monkeypatch):
    counted: list[str] = []
    monkeypatch.setattr("chalicelib.observability.count", lambda name, value=1: counted.append(name))

    publish(stack, ses_event("Bounce", "0100018f-unknown-message", "iemand@example.org"))
    pipeline.run()

    assert pipeline.feedback.stats.failed == 0
    assert pipeline.feedback.stats.deleted == 1
    assert "FeedbackHardBounce" in counted


def test_a_complaint_stops_email_and_no_log_line_names_the_address(client, stack, pipeline: Pipeline, caplog, capsys):
    register_personas("mark")
    _, email = _case_with_an_email(client, pipeline)
    caplog.set_level(logging.DEBUG, logger="baken")
    capsys.readouterr()

    publish(stack, ses_event("Complaint", email.provider_message_id, MARK))
    pipeline.run()

    complained = wiring.adapters().outbox.get(email.id)
    assert complained is not None
    assert (complained.status, complained.reason) == (NotificationStatus.DELIVERED, "complaint")
    assert Channel.EMAIL not in _channels()
    ours = [r for r in caplog.records if r.name.startswith("baken")]
    logged = capsys.readouterr().out + "\n".join(r.getMessage() + str(r.__dict__) for r in ours)
    assert "e-mail feedback" in logged
    assert MARK not in logged
    assert "@example.org" not in logged


def test_when_no_digital_channel_is_left_letters_take_over(client, stack, pipeline: Pipeline):
    register_personas("mark")
    address = PostalAddress("M. Visser", "Dorpsstraat", "1", "3941 AB", "Doorn")
    mark = wiring.adapters().subscribers.get(MARK_ID)
    assert mark is not None
    from dataclasses import replace

    wiring.adapters().subscribers.put(replace(mark, channels=frozenset({Channel.EMAIL}), postal_address=address))
    case, email = _case_with_an_email(client, pipeline)

    publish(stack, ses_event("Bounce", email.provider_message_id, MARK))
    pipeline.run()
    _set_status(client, pipeline, case["id"])

    assert _channels() == frozenset({Channel.LETTER})
    letters = [n for n in wiring.adapters().outbox.for_case(case["id"]) if n.channel is Channel.LETTER]
    assert [n.status for n in letters] == [NotificationStatus.DELIVERED]


@pytest.mark.parametrize(
    "forged",
    [
        json.dumps(ses_event("Bounce", "x", MARK)),  # not wrapped by SNS: somebody wrote to the queue directly
        json.dumps({"Type": "Notification", "TopicArn": "arn:aws:sns:eu-west-1:999999999999:baken-local-ses-feedback-not",
                    "Message": json.dumps(ses_event("Bounce", "x", MARK))}),
        json.dumps({"Type": "SubscriptionConfirmation",
                    "TopicArn": "arn:aws:sns:eu-west-1:123456789012:baken-local-ses-feedback"}),
        "not json at all",
    ],
    ids=["raw-ses-event", "foreign-topic", "not-a-notification", "garbage"],
)  # fmt: skip
def test_forged_feedback_is_dropped_and_changes_nothing(client, stack, pipeline: Pipeline, forged):
    register_personas("mark")
    _, email = _case_with_an_email(client, pipeline)
    forged = forged.replace('"x"', json.dumps(email.provider_message_id))

    stack.client("sqs").send_message(QueueUrl=stack.outputs.values["FeedbackQueueUrl"], MessageBody=forged)
    pipeline.run()

    assert wiring.adapters().outbox.get(email.id) == email
    assert Channel.EMAIL in _channels()
    assert pipeline.feedback.stats.deleted == 1
