"""The stream handler on records read back from the moto stream (dynamodbstreams.get_records): duplicates,
no-op writes, a poison record, a failure in the middle of a case's changes, and a batch that fails whole."""

from __future__ import annotations

import json
import re
from typing import Any

from chalicelib import wiring
from chalicelib.handlers.on_case_change import RECORD_ATTEMPTS, RETRY_PAUSES
from chalicelib.ops import replay_stream_failures
from devstack.runner import LambdaContext
from tests.integration.conftest import PERSONAS, Pipeline, body, headers, mailbox, register_personas

MARK = PERSONAS["mark"].email or ""
JAN = PERSONAS["jan"].email or ""


def create(client, persona: str, *, co: tuple[str, ...] = (), zaaktype: str = "subsidie-duurzame-recreatie") -> dict:
    payload = {
        "zaaktype": zaaktype,
        "omschrijving": "Test",
        "initiator": PERSONAS[persona].claims["sub"],
        "co_initiators": list(co),
        "gemeenten": ["GM1581"],
    }
    response = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(payload))
    assert response.status_code == 201, response.body
    return body(response)


def set_status(client, case: dict, statustype: str) -> None:
    response = client.http.post(
        f"/api/cases/{case['id']}/status", headers=headers("anna"), body=json.dumps({"statustype": statustype})
    )
    assert response.status_code == 201, response.body


def statuses_mailed_to(address: str) -> list[str]:
    """The statustype each status e-mail to ``address`` was about, in the order they were sent (the
    Message-ID carries the notification id)."""
    told = []
    for mail in reversed(mailbox(address)):
        match = re.search(r"\.([0-9a-f]{32})@", mail.headers["Message-ID"])
        assert match is not None
        notification = wiring.adapters().outbox.get(match.group(1))
        assert notification is not None
        case = wiring.adapters().cases.get(notification.case_id)
        told.append(next(s.statustype for s in case.statuses if s.id == notification.ref))
    return told


class Recording:
    """Wraps a Lambda handler and keeps every event it was given and every answer it gave."""

    def __init__(self, handler) -> None:
        self.handler = handler
        self.events: list[dict[str, Any]] = []
        self.responses: list[Any] = []

    def __call__(self, event, context):
        self.events.append(event)
        response = self.handler(event, context)
        self.responses.append(response)
        return response


def test_the_same_batch_invoked_twice_sends_no_extra_email(client, pipeline: Pipeline):
    register_personas("mark")
    case = create(client, "mark")
    set_status(client, case, "in-behandeling")
    recording = Recording(pipeline.stream._handler)
    pipeline.stream._handler = recording
    pipeline.run()
    sent = len(mailbox(MARK))

    again = recording.handler(recording.events[0], LambdaContext("on_case_change"))
    pipeline.run()

    assert again == {"batchItemFailures": []}
    assert len(mailbox(MARK)) == sent == 2


def test_a_write_that_changes_nothing_tells_nobody(client, pipeline: Pipeline, stack):
    register_personas("mark")
    case = create(client, "mark")
    pipeline.run()
    dynamodb = stack.client("dynamodb")
    item = dynamodb.get_item(TableName="baken-local-cases", Key={"case_id": {"S": case["id"]}})["Item"]
    dynamodb.put_item(TableName="baken-local-cases", Item=item)  # moto emits a MODIFY record for this; AWS would not

    pipeline.run()

    assert pipeline.stream.stats.records_succeeded == 2
    assert len(mailbox(MARK)) == 1


def test_a_statustype_without_informeren_sends_nothing(client, pipeline: Pipeline):
    register_personas("mark")
    case = create(client, "mark")
    pipeline.run()
    set_status(client, case, "advies-gevraagd")
    pipeline.run()
    assert len(mailbox(MARK)) == 1


def test_a_poison_record_does_not_block_other_cases_and_ends_at_the_failure_destination(client, pipeline: Pipeline, stack):
    register_personas("mark", "jan")
    # GIVEN a case whose zaaktype is no longer in the catalogue, written between two good changes
    marks = create(client, "mark")
    dynamodb = stack.client("dynamodb")
    item = dynamodb.get_item(TableName="baken-local-cases", Key={"case_id": {"S": marks["id"]}})["Item"]
    poison = {**item, "case_id": {"S": "poison-case"}, "zaaktype": {"S": "opgeheven-regeling"}}
    dynamodb.put_item(TableName="baken-local-cases", Item=poison)
    create(client, "jan", zaaktype="melding-provinciale-weg")

    pipeline.run(rounds=100)

    # THEN both good cases were told, and the poison record sits visibly in the failure queue
    assert len(mailbox(MARK)) == 1
    assert len(mailbox(JAN)) == 1
    failures = stack.client("sqs").receive_message(QueueUrl=stack.outputs.stream_failure_queue_url, MaxNumberOfMessages=10)[
        "Messages"
    ]
    info = json.loads(failures[0]["Body"])
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["DDBStreamBatchInfo"]["batchSize"] >= 1
    assert pipeline.stream.stats.retries == pipeline.stream.settings.maximum_retry_attempts + 1


def test_a_change_the_stream_gave_up_on_is_told_once_when_the_operator_replays_it(client, pipeline: Pipeline, monkeypatch, stack):
    register_personas("mark", "jan")
    # GIVEN fanning out a change of Mark's case fails on every try, until the stream gives up on it
    marks = create(client, "mark")
    set_status(client, marks, "in-behandeling")
    create(client, "jan", zaaktype="melding-provinciale-weg")
    flaky = FailFirst(wiring.services().fanout, "in-behandeling", times=10_000)
    monkeypatch.setattr(wiring.services(), "fanout", flaky)
    pipeline.run(rounds=100)
    assert statuses_mailed_to(MARK) == ["ontvangen"]
    assert len(mailbox(JAN)) == 1

    # WHEN the cause is fixed and an operator replays the stream failure queue, twice
    flaky.times = 0
    sqs = stack.client("sqs")
    first = replay_stream_failures(sqs, stack.client("dynamodbstreams"), stack.outputs.stream_failure_queue_url)
    second = replay_stream_failures(sqs, stack.client("dynamodbstreams"), stack.outputs.stream_failure_queue_url)
    pipeline.run()

    # THEN the change is told once, and nobody hears anything twice
    assert (first.read, first.replayed, first.failed_again, second.read) == (1, 1, 0, 0)
    assert statuses_mailed_to(MARK) == ["ontvangen", "in-behandeling"]
    assert len(mailbox(JAN)) == 1
    assert (
        sqs.get_queue_attributes(QueueUrl=stack.outputs.stream_failure_queue_url, AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"
        ]["ApproximateNumberOfMessages"]
        == "0"
    )


def test_a_replayed_change_that_fails_again_stays_on_the_failure_queue(client, pipeline: Pipeline, monkeypatch, stack):
    register_personas("mark")
    marks = create(client, "mark")
    set_status(client, marks, "in-behandeling")
    flaky = FailFirst(wiring.services().fanout, "in-behandeling", times=10_000)
    monkeypatch.setattr(wiring.services(), "fanout", flaky)
    pipeline.run(rounds=100)

    result = replay_stream_failures(stack.client("sqs"), stack.client("dynamodbstreams"), stack.outputs.stream_failure_queue_url)

    assert (result.read, result.replayed, result.failed_again) == (1, 0, 1)
    assert statuses_mailed_to(MARK) == ["ontvangen"]


class FailFirst:
    """A fan-out that fails the first ``times`` times it sees ``statustype`` become current, then behaves. By
    default every try of one invocation fails (the handler tries a record again before reporting it)."""

    def __init__(self, inner, statustype: str, times: int = RECORD_ATTEMPTS) -> None:
        self.inner = inner
        self.statustype = statustype
        self.times = times

    def batch(self):
        return self.inner.batch()

    def apply(self, change):
        new = getattr(change, "new", None)
        if self.times and new is not None and new.current_status.statustype == self.statustype:
            self.times -= 1
            raise RuntimeError("simulated DynamoDB outage")
        return self.inner.apply(change)


def test_a_failure_in_the_middle_of_a_cases_changes_holds_back_its_later_changes(client, pipeline: Pipeline, monkeypatch):
    register_personas("mark", "jan")
    # GIVEN five changes of Mark's case, with Jan's case in between, all in one batch
    marks = create(client, "mark")
    set_status(client, marks, "in-behandeling")
    set_status(client, marks, "aanvullende-informatie-nodig")
    create(client, "jan", zaaktype="melding-provinciale-weg")
    set_status(client, marks, "in-behandeling")
    set_status(client, marks, "besluit-genomen")
    flaky = FailFirst(wiring.services().fanout, "in-behandeling")
    monkeypatch.setattr(wiring.services(), "fanout", flaky)
    recording = Recording(pipeline.stream._handler)
    pipeline.stream._handler = recording

    # WHEN the second record fails every try of one invocation
    pipeline.run()

    # THEN the first answer reported record 2 and every later record of Mark's case failed, not Jan's
    failed = {f["itemIdentifier"] for f in recording.responses[0]["batchItemFailures"]}
    records = recording.events[0]["Records"]
    reported = [r["dynamodb"]["Keys"]["case_id"]["S"] for r in records if r["dynamodb"]["SequenceNumber"] in failed]
    assert reported == [marks["id"]] * 4
    assert records[1]["dynamodb"]["SequenceNumber"] in failed
    # AND after the retry each status was e-mailed once, in the order it was set
    assert statuses_mailed_to(MARK) == [
        "ontvangen",
        "in-behandeling",
        "aanvullende-informatie-nodig",
        "in-behandeling",
        "besluit-genomen",
    ]
    assert len(mailbox(JAN)) == 1


def test_a_record_that_fails_once_is_tried_again_at_once_and_costs_no_function_error(
    client, pipeline: Pipeline, monkeypatch, stream_pauses
):
    register_personas("mark")
    marks = create(client, "mark")
    set_status(client, marks, "in-behandeling")
    set_status(client, marks, "besluit-genomen")
    flaky = FailFirst(wiring.services().fanout, "in-behandeling", times=RECORD_ATTEMPTS - 1)
    monkeypatch.setattr(wiring.services(), "fanout", flaky)
    recording = Recording(pipeline.stream._handler)
    pipeline.stream._handler = recording

    # WHEN fanning out the second record fails, and fails again on its second try
    pipeline.run()

    # THEN its third try went through within the same invocation, after growing pauses: nothing reported failed
    assert [r["batchItemFailures"] for r in recording.responses] == [[]]
    assert stream_pauses == list(RETRY_PAUSES)
    assert statuses_mailed_to(MARK) == ["ontvangen", "in-behandeling", "besluit-genomen"]


def test_a_batch_that_fails_whole_is_not_checkpointed_and_is_told_once_after_recovery(client, pipeline: Pipeline, monkeypatch):
    register_personas("mark")
    create(client, "mark")
    real_queue = wiring.adapters().queue

    class Down:
        def enqueue(self, notifications):
            raise ConnectionError("SQS unreachable")

    wiring.use(wiring.adapters().but(queue=Down()))
    pipeline.stream.poll_once()
    assert pipeline.stream.stats.records_succeeded == 0
    assert pipeline.stream.pending() == 1

    wiring.use(wiring.adapters().but(queue=real_queue))
    pipeline.run()
    assert len(mailbox(MARK)) == 1
