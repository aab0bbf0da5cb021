"""NL GOV CloudEvents out, on moto's EventBridge: a rule on the stage's bus (from infra/data.json) with an SQS queue
as its target, as a consumer would subscribe; the events are read back from that queue. Driven by the real
handlers through the moto stream and queues."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib import wiring
from chalicelib.adapters.eventbridge import ATTEMPTS
from chalicelib.domain.notifications import NotificationStatus
from tests.integration.conftest import PERSONAS, Pipeline, body, headers, mailbox, register_personas

TYPE = "nl.provincie-utrecht.baken."
CASE = {"zaaktype": "subsidie-duurzame-recreatie", "omschrijving": "Test", "initiator": "pu-mark-3f9a1c", "gemeenten": ["GM1581"]}


class BusTap:
    """An SQS queue subscribed to every Baken event on the bus by a rule, as a consumer in the chain would."""

    def __init__(self, stack: Any) -> None:
        self.sqs = stack.client("sqs")
        events = stack.client("events")
        self.url = self.sqs.create_queue(QueueName="chain-consumer")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        bus = stack.outputs.values["EventBusName"]
        events.put_rule(
            Name="all-baken-events", EventBusName=bus, EventPattern=json.dumps({"source": [{"prefix": "urn:nld:oin:"}]})
        )
        events.put_targets(Rule="all-baken-events", EventBusName=bus, Targets=[{"Id": "consumer", "Arn": arn}])
        self.seen: list[dict[str, Any]] = []

    def read(self) -> list[dict[str, Any]]:
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return self.seen
            for message in messages:
                envelope = json.loads(message["Body"])
                assert envelope["detail-type"] == envelope["detail"]["type"]
                assert envelope["source"] == envelope["detail"]["source"]
                self.seen.append(envelope["detail"])
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.read() if event["type"] == TYPE + kind]


@pytest.fixture
def tap(stack) -> BusTap:
    return BusTap(stack)


@pytest.fixture
def quick_retries(stack):
    stack.client("sqs").set_queue_attributes(QueueUrl=stack.outputs.delivery_queue_url, Attributes={"VisibilityTimeout": "0"})


def test_a_delivered_notification_is_published_once_per_fact_with_the_case_and_without_personal_data(client, pipeline, tap):
    # GIVEN Mark, who gets e-mail and berichtenbox messages
    register_personas("mark")
    # WHEN a case of his is registered and the pipeline runs
    case = body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))
    pipeline.run()
    # THEN each notification's delivery is one event, its subject the notification, its data the case
    delivered = {n.id: n for n in wiring.adapters().outbox.for_case(case["id"]) if n.status is NotificationStatus.DELIVERED}
    sent = tap.of("notificatie-verzonden")
    assert delivered
    assert {e["subject"] for e in sent} == set(delivered)
    assert len({e["id"] for e in sent}) == len(sent)
    for event in sent:
        assert event["data"]["case_id"] == case["id"]
        assert event["dataref"].endswith(f"/api/cases/{case['id']}/notifications")
        assert event["specversion"] == "1.0"
        assert event["sequence"].isdigit()
    # AND Mark's automatic subscription to his case started
    started = tap.of("abonnement-gestart")
    assert any(e["data"].get("case_id") == case["id"] for e in started)
    everything = json.dumps(tap.seen)
    assert str(PERSONAS["mark"].email) not in everything
    assert "pu-mark-3f9a1c" not in everything


def test_a_subscription_followed_and_stopped_is_published_as_started_and_stopped(client, pipeline, tap):
    mark = headers("mark")
    followed = body(client.http.post("/api/me/subscriptions", headers=mark, body=json.dumps({"topics": ["subsidies"]})))
    pipeline.run()
    assert [e["subject"] for e in tap.of("abonnement-gestart")] == [followed["id"]]
    assert client.http.delete(f"/api/me/subscriptions/{followed['id']}", headers=mark).status_code == 200
    pipeline.run()
    (stopped,) = tap.of("abonnement-gestopt")
    assert stopped["subject"] == followed["id"]
    assert stopped["data"] == {"subscription_id": followed["id"], "origin": "self"}


def test_a_contact_moment_is_published_through_the_jobs_queue(client, pipeline, tap):
    case = body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))
    recorded = client.http.post(
        f"/api/cases/{case['id']}/contact-moments",
        headers=headers("anna"),
        body=json.dumps({"kanaal": "telefoon", "onderwerp": "Vraag", "inhoud": "Gebeld over de termijn", "vertrouwelijk": False}),
    )
    assert recorded.status_code == 201, recorded.body
    pipeline.run()
    (event,) = tap.of("contactmoment-geregistreerd")
    expected = {"contact_id": body(recorded)["id"], "case_id": case["id"], "kanaal": "telefoon", "vertrouwelijk": False}
    assert event["data"] == expected
    assert "Gebeld" not in json.dumps(event)
    assert "Vraag" not in json.dumps(event)


def test_a_failed_publication_fails_the_message_which_comes_again_and_publishes_once_nothing_sent_twice(
    client, pipeline: Pipeline, tap, quick_retries
):
    # GIVEN the bus refuses every try of the first delivery's publication (the adapter's own retries included)
    register_personas("mark")
    refused: list[str] = []

    def refuse_once(params: dict[str, Any], **_: Any) -> None:
        sent = params["Entries"][0]["DetailType"] == TYPE + "notificatie-verzonden"
        if sent and len(refused) < ATTEMPTS:
            refused.append("PutEvents")
            raise ClientError({"Error": {"Code": "InternalException", "Message": "injected"}}, "PutEvents")

    events = wiring.aws_client("events")
    events.meta.events.register_first("before-parameter-build.events.PutEvents", refuse_once)
    try:
        # WHEN a case is registered and the pipeline runs
        case = body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))
        pipeline.run()
    finally:
        events.meta.events.unregister("before-parameter-build.events.PutEvents", refuse_once)
    # THEN a batch item failed, the message came again, and every delivered notification was published
    assert len(refused) == ATTEMPTS
    assert pipeline.queue.stats.failed == 1
    delivered = {n.id for n in wiring.adapters().outbox.for_case(case["id"]) if n.status is NotificationStatus.DELIVERED}
    assert {e["subject"] for e in tap.of("notificatie-verzonden")} == delivered
    # AND Mark got one e-mail, not two
    assert len(mailbox(PERSONAS["mark"].email)) == 1
