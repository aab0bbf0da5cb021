"""The operator commands (make redrive, make replay-stream): a dry run counts what a run would do and leaves
every message visible on the queue; neither command needs the stage's secrets; long runs show their progress."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.adapters.sqs_queue import message_body, message_group
from chalicelib.domain.notifications import NotificationStatus
from chalicelib.domain.subscriptions import Channel
from chalicelib.ops import Progress, main, redrive, replay_stream_failures
from tests.integration.conftest import PERSONAS, Pipeline, body, headers, mailbox, register_personas

MARK = PERSONAS["mark"].email
CASE = {"zaaktype": "subsidie-duurzame-recreatie", "omschrijving": "Test", "initiator": "pu-mark-3f9a1c", "gemeenten": ["GM1581"]}


def _counts(sqs: Any, url: str) -> tuple[int, int]:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return int(attributes[names[0]]), int(attributes[names[1]])


def _emails(case_id: str) -> list[Any]:
    return [n for n in wiring.adapters().outbox.for_case(case_id) if n.channel is Channel.EMAIL]


def _dead_letter(sqs: Any, url: str, notification: Any) -> None:
    sqs.send_message(
        QueueUrl=url,
        MessageBody=message_body(notification),
        MessageGroupId=message_group(notification),
        MessageDeduplicationId=notification.id,
    )


@pytest.fixture
def dead_letters(client, stack, pipeline: Pipeline) -> dict[str, Any]:
    """The dead-letter queue with three messages: Mark's delivered e-mail (nothing to send), Mark's e-mail of a
    second case that is waiting to be sent (it would be queued again), and an unreadable one."""
    register_personas("mark")
    delivered = body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))
    pipeline.run()
    waiting = body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))
    pipeline.stream.poll_once()
    sqs, url = stack.client("sqs"), stack.outputs.dead_letter_queue_url
    sqs.purge_queue(QueueUrl=stack.outputs.delivery_queue_url)
    (sent,) = _emails(delivered["id"])
    (pending,) = _emails(waiting["id"])
    assert (sent.status, pending.status) == (NotificationStatus.DELIVERED, NotificationStatus.CREATED)
    _dead_letter(sqs, url, sent)
    _dead_letter(sqs, url, pending)
    sqs.send_message(QueueUrl=url, MessageBody="not a delivery message", MessageGroupId="x", MessageDeduplicationId="x")
    return {"sqs": sqs, "url": url, "pending": pending}


def test_a_dry_run_redrive_counts_what_a_run_would_do_and_leaves_every_message_visible(dead_letters, pipeline: Pipeline):
    sqs, url = dead_letters["sqs"], dead_letters["url"]
    # WHEN the operator runs redrive --dry-run
    result = redrive(sqs, url, dry_run=True, progress=Progress("redrive", 3, out=io.StringIO()))
    # THEN it counted each message as a run would handle it
    assert (result.read, result.queued, result.not_needed, result.unreadable, result.busy) == (3, 1, 1, 1, 0)
    # AND all three are still on the queue, visible at once, and nothing was queued or sent
    assert _counts(sqs, url) == (3, 0)
    pipeline.run()
    assert len(mailbox(str(MARK))) == 1
    # AND the real run does what the dry run said
    done = redrive(sqs, url, progress=Progress("redrive", 3, out=io.StringIO()))
    pipeline.run()
    assert (done.read, done.queued, done.not_needed, done.unreadable) == (3, 1, 1, 1)
    assert len(mailbox(str(MARK))) == 2
    # AND the unreadable message stays, visible for a person to look at
    assert _counts(sqs, url) == (1, 0)


def test_the_operator_commands_run_without_the_token_secret(dead_letters, monkeypatch, capsys):
    # GIVEN a workstation with the stage's table and queue names only: no token secret, no OIDC settings
    for name in ("BAKEN_TOKEN_SECRET", "BAKEN_TOKEN_SECRET_NAME", "BAKEN_OIDC_CLIENT_SECRET", "BAKEN_PORTAL_URL"):
        monkeypatch.delenv(name, raising=False)
    # WHEN the operator runs both commands, dry
    assert main(["redrive", "--stage", "local", "--dry-run"]) == 1  # 1: an unreadable message waits for a person
    assert main(["replay-stream", "--stage", "local", "--dry-run"]) == 0
    # THEN each says what it found, on a graph that has no secret to sign with
    out = capsys.readouterr()
    assert "on the queue 3; read 3; would queue again 1; nothing to send 1" in out.out
    assert "unreadable (left on the queue) 1 (dry run: nothing changed, every message visible again)" in out.out
    assert "on the queue 0; read 0; would replay 0" in out.out
    assert wiring.services().settings.token_secret == b""
    with pytest.raises(RuntimeError, match="token secret"):
        wiring.adapters().fingerprint("mark@example.org")
    assert _counts(dead_letters["sqs"], dead_letters["url"]) == (3, 0)


def test_a_dry_run_replay_reads_the_changes_hands_none_over_and_leaves_the_message_visible(client, stack, pipeline, monkeypatch):
    register_personas("mark")
    body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))
    # GIVEN the stream gave up on the first change (its position on the failure queue, as Lambda puts it there)
    streams, sqs = stack.client("dynamodbstreams"), stack.client("sqs")
    arn = stack.outputs.cases_stream_arn
    (shard,) = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    sequence = records[0]["dynamodb"]["SequenceNumber"]
    info = {"streamArn": arn, "shardId": shard["ShardId"], "startSequenceNumber": sequence, "endSequenceNumber": sequence}
    url = stack.outputs.stream_failure_queue_url
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"DDBStreamBatchInfo": info}))
    handed = []
    monkeypatch.setattr("chalicelib.handlers.on_case_change.process_stream_batch", lambda event, context: handed.append(event))
    # WHEN the operator replays it, dry
    result = replay_stream_failures(sqs, streams, url, dry_run=True, progress=Progress("replay", 1, out=io.StringIO()))
    # THEN it found the change in the stream, handed nothing to the handler, and the message is visible again
    assert (result.on_queue, result.read, result.replayed, result.records) == (1, 1, 1, 1)
    assert handed == []
    assert _counts(sqs, url) == (1, 0)


def test_progress_shows_count_rate_and_time_left():
    # GIVEN a run over 100 messages on a clock the test moves
    now = [0.0]
    out = io.StringIO()
    progress = Progress("redrive", 100, out=out, clock=lambda: now[0], every=5.0)
    # WHEN 10 are done in 5 seconds, then the rest
    for _ in range(10):
        progress.step()
        now[0] += 0.5
    progress.step(0)
    now[0] = 50.0
    progress.step(90)
    progress.finish()
    # THEN it printed the count, the rate and the time left, and at the end that it is done
    lines = out.getvalue().splitlines()
    assert lines[0] == "redrive: 10/100 (2.0/s, about 45 s left)"
    assert lines[-1] == "redrive: 100/100 (2.0/s, done)"
