"""The delivery handler on messages received from the moto FIFO queue, with SES faults injected through
botocore event hooks on the real client: throttling goes back to the queue and is sent once later; a
refusal is final; what arrives is multipart MIME."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from chalicelib import wiring
from chalicelib.domain.notifications import NotificationStatus
from chalicelib.domain.subscriptions import Channel
from tests.integration.conftest import PERSONAS, Pipeline, body, headers, mailbox, register_personas

MARK = PERSONAS["mark"].email
CASE = {"zaaktype": "subsidie-duurzame-recreatie", "omschrijving": "Test", "initiator": "pu-mark-3f9a1c", "gemeenten": ["GM1581"]}


class SesFault:
    """Raises ``code`` from SES SendEmail for the next ``times`` calls, through a before-call hook."""

    def __init__(self, code: str, times: int, status: int = 400) -> None:
        self.code = code
        self.times = times
        self.status = status
        self.calls = 0

    def __call__(self, **kwargs):
        self.calls += 1
        if self.times:
            self.times -= 1
            raise ClientError(
                {"Error": {"Code": self.code, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": self.status}},
                "SendEmail",
            )


@pytest.fixture
def ses_fault(ses_hook):
    """Request it after ``simulated_time`` (which rebuilds the adapters), so it hooks the client in use."""

    def install(code: str, times: int, status: int = 400) -> SesFault:
        return ses_hook(SesFault(code, times, status))

    return install


@pytest.fixture
def quick_retries(stack):
    """Failed messages come back at once instead of after the 180 s visibility timeout."""
    stack.client("sqs").set_queue_attributes(QueueUrl=stack.outputs.delivery_queue_url, Attributes={"VisibilityTimeout": "0"})


def _email_notification(case_id: str):
    (notification,) = [n for n in wiring.adapters().outbox.for_case(case_id) if n.channel is Channel.EMAIL]
    return notification


def test_a_throttled_email_goes_back_to_the_queue_and_is_sent_exactly_once(client, pipeline: Pipeline, simulated_time, ses_fault):
    register_personas("mark")
    fault = ses_fault("TooManyRequestsException", times=3, status=429)
    case = body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))

    pipeline.run_for(simulated_time, 10 * 60)

    assert fault.calls == 4
    assert len(mailbox(MARK)) == 1
    notification = _email_notification(case["id"])
    assert (notification.status, notification.attempts) == (NotificationStatus.DELIVERED, 4)
    assert pipeline.queue.stats.failed == 3


def test_a_refused_message_is_final_and_never_retried(client, pipeline: Pipeline, ses_fault, quick_retries):
    register_personas("mark")
    fault = ses_fault("MessageRejected", times=5)
    case = body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))

    pipeline.run()

    assert fault.calls == 1
    notification = _email_notification(case["id"])
    assert (notification.status, notification.reason) == (NotificationStatus.PERMANENT_FAILURE, "message_rejected")
    assert mailbox(MARK) == []
    # the berichtenbox message still arrived, and the KCC can see what happened
    berichtenbox = body(client.http.get("/api/me/berichtenbox", headers=headers("mark")))
    assert berichtenbox["unread"] == 1
    seen = body(client.http.get(f"/api/cases/{case['id']}/notifications", headers=headers("sanne")))["notifications"]
    assert {(n["channel"], n["status"], n["reason"]) for n in seen} == {
        ("email", "permanent-failure", "message_rejected"),
        ("portal", "delivered", None),
    }


def test_an_email_arrives_as_multipart_alternative_with_text_and_html(client, pipeline: Pipeline):
    register_personas("mark")
    client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE))
    pipeline.run()
    (mail,) = mailbox(MARK)
    assert mail.headers["Content-Type"].startswith("multipart/alternative")
    assert "Er is nieuwe informatie over uw zaak" in mail.text
    assert '<html lang="nl">' in mail.html
    assert mail.headers["From"] == "Provincie Utrecht <noreply@mijn.provincie-utrecht.nl>"


def test_a_message_that_is_not_a_delivery_job_is_dropped_not_retried_forever(stack, pipeline: Pipeline):
    sqs = stack.client("sqs")
    sqs.send_message(
        QueueUrl=stack.outputs.delivery_queue_url, MessageBody="{}", MessageGroupId="g", MessageDeduplicationId="junk"
    )
    pipeline.run()
    assert pipeline.queue.stats.deleted == 1
    assert pipeline.queue.stats.failed == 0
