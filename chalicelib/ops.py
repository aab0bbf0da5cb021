"""Operator commands: ``python -m chalicelib.ops redrive --stage prod`` (or ``make redrive STAGE=prod``) and
``python -m chalicelib.ops replay-stream --stage prod`` (or ``make replay-stream STAGE=prod``).

``redrive`` takes every message off the delivery dead-letter queue, makes its notification ``created`` again
(it was ``technical-failure``: the retry budget ran out, e.g. during an SES outage) and queues it for delivery.
Each is sent once: a notification already delivered, or refused for good, is not queued again, and delivery
claims a notification before it sends it, so running the command twice, or while it runs, sends nothing twice.
A message is removed from the dead-letter queue only after its notification is queued (or needs nothing); one
whose notification another worker is sending right now stays on the queue (``busy``): run the command again
after a few minutes.

``replay-stream`` takes every message off the stream failure queue — the position of changes Lambda gave up
on after its retries (a poison record, or a long outage) — reads those changes again from the stream (it keeps
them 24 hours) and hands them to the stream handler, after the cause is fixed. Changes that were handled
before create nothing new. A message whose changes fail again, or are no longer in the stream, stays on the
queue. A replayed change comes after later changes of the same case that were told meanwhile.

The stage's settings come from ``.chalice/config.json``; AWS credentials and region from the usual places.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class RedriveResult:
    read: int = 0
    queued: int = 0
    not_needed: int = 0
    unreadable: int = 0
    busy: int = 0


def dead_letter_queue_url(sqs: Any, delivery_queue_name: str) -> str:
    """The delivery queue's dead-letter queue, from its redrive policy."""
    url = sqs.get_queue_url(QueueName=delivery_queue_name)["QueueUrl"]
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"])
    name = str(policy["deadLetterTargetArn"]).rsplit(":", 1)[-1]
    return str(sqs.get_queue_url(QueueName=name)["QueueUrl"])


def redrive(sqs: Any, dlq_url: str, *, dry_run: bool = False) -> RedriveResult:
    from chalicelib import wiring
    from chalicelib.adapters.sqs_queue import notification_id_from_body
    from chalicelib.services.delivery import DeliveryBusyError

    delivery, queue = wiring.services().delivery, wiring.adapters().queue
    read = queued = not_needed = unreadable = busy = 0
    while True:
        messages = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=60).get(
            "Messages", []
        )
        if not messages:
            return RedriveResult(read, queued, not_needed, unreadable, busy)
        for message in messages:
            read += 1
            try:
                notification_id = notification_id_from_body(message["Body"])
            except ValueError:
                unreadable += 1  # left on the queue for a person to look at
                continue
            if dry_run:
                continue
            try:
                again = delivery.redrive(notification_id)
            except DeliveryBusyError:
                busy += 1  # left on the queue: its visibility timeout brings it back for the next run
                continue
            if again is None:
                not_needed += 1
            else:
                queue.enqueue([again])
                queued += 1
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
        if dry_run:
            return RedriveResult(read, queued, not_needed, unreadable, busy)


@dataclass(frozen=True)
class ReplayResult:
    read: int = 0
    replayed: int = 0
    records: int = 0
    failed_again: int = 0
    expired: int = 0
    unreadable: int = 0


def replay_stream_failures(sqs: Any, streams: Any, failure_queue_url: str) -> ReplayResult:
    from botocore.exceptions import ClientError

    from chalicelib.adapters.dynamodb.stream import lambda_stream_record
    from chalicelib.handlers.on_case_change import process_stream_batch

    read = replayed = records = failed_again = expired = unreadable = 0
    while True:
        messages = sqs.receive_message(
            QueueUrl=failure_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=300
        ).get("Messages", [])
        if not messages:
            return ReplayResult(read, replayed, records, failed_again, expired, unreadable)
        for message in messages:
            read += 1
            try:
                batch = json.loads(message["Body"])["DDBStreamBatchInfo"]
                start, end = int(batch["startSequenceNumber"]), int(batch["endSequenceNumber"])
                arn, shard = str(batch["streamArn"]), str(batch["shardId"])
            except (ValueError, KeyError, TypeError):
                unreadable += 1  # left on the queue for a person to look at
                continue
            try:
                changes = _stream_records(streams, arn, shard, start, end)
            except ClientError:
                expired += 1  # trimmed (older than 24 hours) or the shard is gone: left on the queue
                continue
            region = arn.split(":")[3]
            event = {"Records": [lambda_stream_record(r, arn, region) for r in changes]}
            try:
                answer = process_stream_batch(event, None)
            except Exception:  # noqa: BLE001 - every record failed (the batch processor raises): left on the queue
                answer = {"batchItemFailures": event["Records"]}
            if answer.get("batchItemFailures"):
                failed_again += 1
                continue
            records += len(changes)
            replayed += 1
            sqs.delete_message(QueueUrl=failure_queue_url, ReceiptHandle=message["ReceiptHandle"])


def _stream_records(streams: Any, arn: str, shard: str, start: int, end: int) -> list[dict[str, Any]]:
    """The records of ``shard`` from sequence number ``start`` to ``end``."""
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=str(start)
    )["ShardIterator"]
    found: list[dict[str, Any]] = []
    while iterator:
        response = streams.get_records(ShardIterator=iterator, Limit=100)
        for record in response.get("Records", []):
            if int(record["dynamodb"]["SequenceNumber"]) > end:
                return found
            found.append(record)
        if not response.get("Records"):
            return found
        iterator = response.get("NextShardIterator")
    return found


def _stage_environment(stage: str) -> dict[str, str]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    if stage not in config["stages"]:
        raise SystemExit(f"unknown stage {stage!r}; known: {', '.join(config['stages'])}")
    return {**config.get("environment_variables", {}), **config["stages"][stage].get("environment_variables", {})}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.ops", description="Baken operator commands.")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("redrive", help="send the delivery dead-letter queue's messages again, once")
    command.add_argument("--stage", required=True, help="the Chalice stage (its settings are read from .chalice/config.json)")
    command.add_argument("--dry-run", action="store_true", help="count the messages, change nothing")
    replay = commands.add_parser("replay-stream", help="hand the changes the stream gave up on to the stream handler again")
    replay.add_argument("--stage", required=True, help="the Chalice stage (its settings are read from .chalice/config.json)")
    arguments = parser.parse_args(argv)

    for name, value in _stage_environment(arguments.stage).items():
        os.environ.setdefault(name, value)
    from chalicelib import wiring
    from chalicelib.config import settings

    sqs = wiring.aws_client("sqs")
    if arguments.command == "replay-stream":
        url = sqs.get_queue_url(QueueName=f"baken-{arguments.stage}-stream-failures")["QueueUrl"]
        replayed = replay_stream_failures(sqs, wiring.aws_client("dynamodbstreams"), url)
        print(
            f"read {replayed.read}; replayed {replayed.replayed} ({replayed.records} changes); failed again (left on the "
            f"queue) {replayed.failed_again}; no longer in the stream (left on the queue) {replayed.expired}; "
            f"unreadable (left on the queue) {replayed.unreadable}"
        )
        return 0 if replayed.read == replayed.replayed else 1
    result = redrive(sqs, dead_letter_queue_url(sqs, settings().delivery_queue_name), dry_run=arguments.dry_run)
    print(
        f"read {result.read}; queued again {result.queued}; nothing to send {result.not_needed}; "
        f"being sent now (left on the queue, run again later) {result.busy}; "
        f"unreadable (left on the queue) {result.unreadable}" + (" (dry run: nothing changed)" if arguments.dry_run else "")
    )
    return 0 if result.unreadable == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
