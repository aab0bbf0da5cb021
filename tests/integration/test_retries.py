"""Retries, the dead-letter queue, redrive and the reconciler, on the moto stack with simulated time
(docs: RELIABILITY.md, promises 1, 2, 6 and 8; tests 9, 10 and 18). moto's SQS and Baken share one clock, so
hours of backoff pass in a second; SES faults are injected with a botocore hook on the real client."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib import wiring
from chalicelib.domain.notifications import RETRY_CAP_SECONDS, NotificationStatus, retry_budget
from chalicelib.domain.subscriptions import Channel
from chalicelib.handlers.reconcile_notifications import reconcile
from chalicelib.ops import dead_letter_queue_url, redrive
from tests.integration.conftest import PERSONAS, Pipeline, SimulatedTime, body, headers, mailbox, register_personas

MARK = PERSONAS["mark"].email
CASE = {"zaaktype": "subsidie-duurzame-recreatie", "omschrijving": "Test", "initiator": "pu-mark-3f9a1c", "gemeenten": ["GM1581"]}


class SesOutage:
    """SES answers ``code`` to every SendEmail until ``until`` (simulated time); counts the calls."""

    def __init__(self, time: SimulatedTime, until: timedelta, code: str = "TooManyRequestsException", status: int = 429):
        self.time, self.end, self.code, self.status = time, time.current + until, code, status
        self.calls = self.refused = 0

    def __call__(self, **_: Any) -> None:
        self.calls += 1
        if self.time.current < self.end:
            self.refused += 1
            raise ClientError(
                {"Error": {"Code": self.code, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": self.status}},
                "SendEmail",
            )


@pytest.fixture
def outage(simulated_time: SimulatedTime, ses_hook):
    def install(until: timedelta) -> SesOutage:
        return ses_hook(SesOutage(simulated_time, until))

    return install


@pytest.fixture
def backoffs(simulated_time: SimulatedTime) -> list[int]:
    """Every backoff delivery asks SQS for (ChangeMessageVisibility), in seconds."""
    asked: list[int] = []
    wiring.aws_client("sqs").meta.events.register(
        "before-parameter-build.sqs.ChangeMessageVisibility", lambda params, **_: asked.append(int(params["VisibilityTimeout"]))
    )
    return asked


@pytest.fixture
def metrics(monkeypatch) -> list[str]:
    counted: list[str] = []
    monkeypatch.setattr("chalicelib.observability.count", lambda name, value=1: counted.extend([name] * int(value)))
    return counted


def _email(case_id: str):
    (notification,) = [n for n in wiring.adapters().outbox.for_case(case_id) if n.channel is Channel.EMAIL]
    return notification


def _dead_letters(stack) -> int:
    sqs = stack.client("sqs")
    attributes = sqs.get_queue_attributes(
        QueueUrl=stack.outputs.dead_letter_queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_an_hour_of_ses_throttling_loses_nothing_and_sends_each_email_once(
    client, stack, pipeline: Pipeline, simulated_time, outage, backoffs
):
    register_personas("mark")
    # GIVEN SES throttles every e-mail for the next 60 minutes
    fault = outage(timedelta(minutes=60))
    case = body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))

    # WHEN two hours pass
    pipeline.run_for(simulated_time, 2 * 3600)

    # THEN Mark got his e-mail exactly once, after the outage; nothing went to the dead-letter queue
    assert len(mailbox(MARK)) == 1
    notification = _email(case["id"])
    assert notification.status is NotificationStatus.DELIVERED
    assert fault.calls == fault.refused + 1
    assert _dead_letters(stack) == 0
    # AND it waited ever longer between attempts, never more than 10 minutes
    assert backoffs[:5] == [30, 60, 120, 240, 480]
    assert max(backoffs) == RETRY_CAP_SECONDS
    assert len(backoffs) == fault.refused


def test_an_outage_longer_than_the_retry_budget_ends_in_the_dead_letter_queue_and_redrive_sends_once(
    client, stack, pipeline: Pipeline, simulated_time, outage, metrics
):
    register_personas("mark")
    # GIVEN SES refuses everything for longer than delivery keeps trying
    outage(retry_budget() + timedelta(hours=1))
    case = body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))

    pipeline.run_for(simulated_time, retry_budget().total_seconds() + 3600, step=60)

    # THEN the notification is a technical failure, its message waits in the dead-letter queue, the alarm metric
    # counted it, and the berichtenbox message arrived all the same
    notification = _email(case["id"])
    assert (notification.status, notification.reason) == (NotificationStatus.TECHNICAL_FAILURE, "retries_exhausted")
    assert _dead_letters(stack) == 1
    assert metrics.count("TechnicalFailure") == 1
    assert mailbox(MARK) == []
    assert body(client.http.get("/api/me/berichtenbox", headers=headers("mark")))["unread"] == 1

    # WHEN SES is back and an operator redrives the dead-letter queue, twice
    simulated_time.advance(hours=2)
    sqs = wiring.aws_client("sqs")
    dlq = dead_letter_queue_url(sqs, "baken-local-delivery.fifo")
    first = redrive(sqs, dlq)
    again = redrive(sqs, dlq)
    pipeline.run()

    # THEN Mark gets his e-mail once, and the dead-letter queue is empty
    assert (first.read, first.queued, again.read) == (1, 1, 0)
    assert len(mailbox(MARK)) == 1
    assert _email(case["id"]).status is NotificationStatus.DELIVERED
    assert _dead_letters(stack) == 0


def test_redriving_a_notification_that_was_delivered_meanwhile_sends_nothing(client, stack, pipeline: Pipeline, simulated_time):
    register_personas("mark")
    case = body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))
    pipeline.run()
    # GIVEN a copy of its delivery message ended up in the dead-letter queue anyway
    sqs = stack.client("sqs")
    notification = _email(case["id"])
    from chalicelib.adapters.sqs_queue import message_body, message_group

    sqs.send_message(
        QueueUrl=stack.outputs.dead_letter_queue_url,
        MessageBody=message_body(notification),
        MessageGroupId=message_group(notification),
        MessageDeduplicationId=notification.id,
    )

    result = redrive(wiring.aws_client("sqs"), stack.outputs.dead_letter_queue_url)
    pipeline.run()

    assert (result.read, result.queued, result.not_needed) == (1, 0, 1)
    assert len(mailbox(MARK)) == 1
    assert _dead_letters(stack) == 0


def test_the_reconciler_queues_what_was_never_queued_and_gives_up_on_what_is_stuck_sending(
    client, stack, pipeline: Pipeline, simulated_time
):
    register_personas("mark", "fatima")
    anna = headers("anna")
    lost = body(client.http.post("/api/cases", headers=anna, body=json.dumps(CASE)))
    stuck = body(client.http.post("/api/cases", headers=anna, body=json.dumps({**CASE, "initiator": "pu-fatima-8d21e4"})))
    # GIVEN both cases' notifications are written, but their queue messages are lost
    pipeline.stream.poll_once()
    stack.client("sqs").purge_queue(QueueUrl=stack.outputs.delivery_queue_url)
    # AND a worker claimed Fatima's e-mail and was never heard of again
    outbox = wiring.adapters().outbox
    fatimas = _email(stuck["id"])
    claimed = fatimas.moved_to(
        NotificationStatus.SENDING, simulated_time.current, attempts=1, claimed_until=simulated_time.current
    )
    assert outbox.transition(fatimas, claimed)

    # WHEN the reconciler runs after 59 minutes, after an hour, and after 72 hours
    simulated_time.advance(minutes=59)
    assert reconcile() == {"requeued": 0, "gave_up": 0}
    simulated_time.advance(minutes=2)
    assert reconcile() == {"requeued": 3, "gave_up": 0}  # Mark's e-mail and berichtenbox message, Fatima's message
    pipeline.run()
    simulated_time.advance(hours=72)
    assert reconcile() == {"requeued": 0, "gave_up": 1}

    # THEN Mark's notifications went out once; Fatima's e-mail is a temporary failure, never sent by itself
    assert len(mailbox(MARK)) == 1
    assert {n.status for n in wiring.adapters().outbox.for_case(lost["id"])} == {NotificationStatus.DELIVERED}
    assert (_email(stuck["id"]).status, _email(stuck["id"]).reason) == (NotificationStatus.TEMPORARY_FAILURE, "stuck_sending")
    assert mailbox(PERSONAS["fatima"].email) == []
