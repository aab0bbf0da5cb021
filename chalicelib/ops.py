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

``recompute-servicenorms`` rebuilds the servicenorm figures of the last months (``--months``, default 13) from the
decided cases themselves — after a fault, or a change in how they are counted; what it writes is what counting case
by case from the stream gives.

``refresh-catalogue`` asks the stage to read its catalogue from the Catalogi API again (when ``BAKEN_CATALOGUS_URL``
is set): it queues a notice on the notices queue, and the ``sync_zaak`` function does the reading, with its own
credentials; its log line ``catalogue refreshed`` lists what could not be taken over.

``--dry-run`` (both commands) reads every message and classifies it, changes nothing, and makes each message
visible again at once: nothing is left invisible on the queue for the next run or for Lambda.

Neither command needs the stage's secrets: they read the stage's table and queue names from
``.chalice/config.json`` (``config.operator_settings``); AWS credentials and region come from the usual places.
Long runs print their progress on stderr: how many done of how many, the rate and the time left.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from chalicelib.domain.zgw import Handling, ZaakNotice, notice_id

if TYPE_CHECKING:
    from chalicelib.services.ports import NoticeQueue
    from chalicelib.wiring import Services

ROOT = Path(__file__).resolve().parents[1]
# How long a received message stays hidden while a run works on it (a dry run makes it visible again at the end)
HOLD_SECONDS = 300


class Progress:
    """Prints ``<what>: <done>/<total> (<rate>/s, about <n> s left)`` at most every ``every`` seconds, and once at
    the end; ``total`` is the queue's approximate length when the run started (it may grow meanwhile)."""

    def __init__(
        self,
        what: str,
        total: int,
        *,
        out: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        every: float = 5.0,
    ) -> None:
        self.what, self.total, self.done = what, total, 0
        self._out, self._clock, self._every = out or sys.stderr, clock, every
        self._started = self._last = clock()

    def line(self) -> str:
        elapsed = max(self._clock() - self._started, 1e-9)
        rate = self.done / elapsed
        left = max(self.total - self.done, 0)
        remaining = f"about {left / rate:.0f} s left" if rate > 0 and left else ("done" if not left else "rate unknown")
        return f"{self.what}: {self.done}/{max(self.total, self.done)} ({rate:.1f}/s, {remaining})"

    def step(self, count: int = 1) -> None:
        self.done += count
        if self._clock() - self._last >= self._every:
            self._last = self._clock()
            print(self.line(), file=self._out, flush=True)

    def finish(self) -> None:
        print(self.line(), file=self._out, flush=True)


def queue_length(sqs: Any, url: str) -> int:
    """Messages on the queue now, visible or being worked on (approximate, as SQS counts them)."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(attributes.get(name, 0)) for name in names)


def _messages(sqs: Any, url: str, seen: set[str]) -> Iterator[dict[str, Any]]:
    """Each message on the queue once: received in batches and hidden for HOLD_SECONDS while worked on."""
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=HOLD_SECONDS).get(
            "Messages", []
        )
        fresh = [message for message in batch if message["MessageId"] not in seen]
        if not fresh:
            return
        for message in fresh:
            seen.add(message["MessageId"])
            yield message


def _show_again(sqs: Any, url: str, handles: list[str]) -> None:
    """Make received messages visible again now (what a dry run read, what a run leaves on the queue)."""
    for start in range(0, len(handles), 10):
        entries = [{"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": 0} for i, h in enumerate(handles[start : start + 10])]
        sqs.change_message_visibility_batch(QueueUrl=url, Entries=entries)


@dataclass(frozen=True)
class RedriveResult:
    """``on_queue``: the queue's length when the run started (SQS's approximate count). A dry run on the FIFO
    dead-letter queue reads only the first waiting message of each case and person (SQS hands out the next one of
    a message group only after the one before it is deleted), so ``read`` may be lower; a real run reads them all."""

    on_queue: int = 0
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


def redrive(sqs: Any, dlq_url: str, *, dry_run: bool = False, progress: Progress | None = None) -> RedriveResult:
    """Queue each message's notification again (see the module docstring); with ``dry_run`` only count what a run
    would do: every message read once, classified (unreadable or not), and made visible again."""
    from chalicelib import wiring
    from chalicelib.adapters.sqs_queue import notification_id_from_body
    from chalicelib.services.delivery import DeliveryBusyError

    progress = progress or Progress("redrive", queue_length(sqs, dlq_url))
    read = queued = not_needed = unreadable = busy = 0
    kept: list[str] = []  # receipt handles of messages left on the queue
    try:
        for message in _messages(sqs, dlq_url, set()):
            read += 1
            progress.step()
            try:
                notification_id = notification_id_from_body(message["Body"])
            except ValueError:
                unreadable += 1  # left on the queue for a person to look at
                kept.append(message["ReceiptHandle"])
                continue
            if dry_run:
                kept.append(message["ReceiptHandle"])
                outcome = _would_redrive(notification_id)
                queued, not_needed, busy = (
                    queued + (outcome == "queued"),
                    not_needed + (outcome == "not_needed"),
                    busy + (outcome == "busy"),
                )
                continue
            delivery, queue = wiring.services().delivery, wiring.adapters().queue
            try:
                again = delivery.redrive(notification_id)
            except DeliveryBusyError:
                busy += 1  # left on the queue: visible again when this run ends
                kept.append(message["ReceiptHandle"])
                continue
            if again is None:
                not_needed += 1
            else:
                queue.enqueue([again])
                queued += 1
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
    finally:
        _show_again(sqs, dlq_url, kept)
        progress.finish()
    return RedriveResult(progress.total, read, queued, not_needed, unreadable, busy)


def _would_redrive(notification_id: str) -> str:
    """What ``Delivery.redrive`` would do with the notification, read only: queued, not_needed or busy."""
    from chalicelib import wiring
    from chalicelib.domain.notifications import NotificationStatus

    stored = wiring.adapters().outbox.get(notification_id)
    if stored is None:
        return "not_needed"
    if stored.status in (NotificationStatus.CREATED, NotificationStatus.TECHNICAL_FAILURE):
        return "queued"
    if stored.status is NotificationStatus.SENDING:
        live = stored.claimed_until is not None and stored.claimed_until > wiring.services().clock.now()
        return "busy" if live else "queued"
    return "not_needed"


@dataclass(frozen=True)
class ReplayResult:
    on_queue: int = 0
    read: int = 0
    replayed: int = 0
    records: int = 0
    failed_again: int = 0
    expired: int = 0
    unreadable: int = 0


def replay_stream_failures(
    sqs: Any, streams: Any, failure_queue_url: str, *, dry_run: bool = False, progress: Progress | None = None
) -> ReplayResult:
    """Hand each message's changes to the stream handler again (see the module docstring); with ``dry_run`` only
    read them from the stream and count (``replayed`` and ``records``: what a run would hand over), handing
    nothing over and making every message visible again."""
    from botocore.exceptions import ClientError

    from chalicelib.adapters.dynamodb.stream import lambda_stream_record
    from chalicelib.handlers.on_case_change import process_stream_batch

    progress = progress or Progress("replay-stream", queue_length(sqs, failure_queue_url))
    read = replayed = records = failed_again = expired = unreadable = 0
    kept: list[str] = []
    try:
        for message in _messages(sqs, failure_queue_url, set()):
            read += 1
            progress.step()
            try:
                batch = json.loads(message["Body"])["DDBStreamBatchInfo"]
                start, end = int(batch["startSequenceNumber"]), int(batch["endSequenceNumber"])
                arn, shard = str(batch["streamArn"]), str(batch["shardId"])
            except (ValueError, KeyError, TypeError):
                unreadable += 1  # left on the queue for a person to look at
                kept.append(message["ReceiptHandle"])
                continue
            try:
                changes = _stream_records(streams, arn, shard, start, end)
            except ClientError:
                expired += 1  # trimmed (older than 24 hours) or the shard is gone: left on the queue
                kept.append(message["ReceiptHandle"])
                continue
            if dry_run:
                kept.append(message["ReceiptHandle"])
                records += len(changes)
                replayed += 1
                continue
            region = arn.split(":")[3]
            event = {"Records": [lambda_stream_record(r, arn, region) for r in changes]}
            try:
                answer = process_stream_batch(event, None)
            except Exception:  # noqa: BLE001 - every record failed (the batch processor raises): left on the queue
                answer = {"batchItemFailures": event["Records"]}
            if answer.get("batchItemFailures"):
                failed_again += 1
                kept.append(message["ReceiptHandle"])
                continue
            records += len(changes)
            replayed += 1
            sqs.delete_message(QueueUrl=failure_queue_url, ReceiptHandle=message["ReceiptHandle"])
    finally:
        _show_again(sqs, failure_queue_url, kept)
        progress.finish()
    return ReplayResult(progress.total, read, replayed, records, failed_again, expired, unreadable)


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


def recompute_servicenorms(services: Services, months: int) -> Iterator[str]:
    """Each zaaktype's last ``months`` months rebuilt from the decided cases (one index Query and a BatchGetItem
    per 100 cases per month); a line per month that has any."""
    from chalicelib.domain.servicenorms import last_months
    from chalicelib.domain.workdays import amsterdam_date

    shown = last_months(amsterdam_date(services.clock.now()), months)
    for zaaktype in services.catalogue:
        for month in shown:
            figures = services.servicenorm_figures.recompute(zaaktype.identificatie, month)
            if figures.decided:
                yield f"{zaaktype.identificatie} {month}: {figures.decided} decided"


def queue_catalogue_refresh(notices: NoticeQueue | None, now: datetime) -> ZaakNotice:
    """A notice on the notices queue that makes ``sync_zaak`` refresh the catalogue from the Catalogi API (with
    the function's own credentials: the operator needs none of the zaaksysteem's)."""
    if notices is None:
        raise SystemExit("the stage has no notices queue")
    notice = ZaakNotice(
        notice_id("operator", "refresh-catalogue", now.isoformat()),
        "https://operator.invalid/refresh-catalogue",
        "catalogue",
        "refresh",
        "https://operator.invalid/refresh-catalogue",
        now,
        Handling.CATALOGUE,
    )
    notices.send(notice)
    return notice


def _stage_environment(stage: str) -> dict[str, str]:
    """The stage's table and queue names from .chalice/config.json (its secrets are never there)."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    if stage not in config["stages"]:
        raise SystemExit(f"unknown stage {stage!r}; known: {', '.join(config['stages'])}")
    return {**config.get("environment_variables", {}), **config["stages"][stage].get("environment_variables", {})}


def _needs_the_token_secret(_: str) -> str:
    raise RuntimeError("an operator command needed the token secret; it never should: report this as a bug")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.ops", description="Baken operator commands.")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("redrive", help="send the delivery dead-letter queue's messages again, once")
    command.add_argument("--stage", required=True, help="the Chalice stage (its settings are read from .chalice/config.json)")
    command.add_argument("--dry-run", action="store_true", help="count the messages, change nothing")
    replay = commands.add_parser("replay-stream", help="hand the changes the stream gave up on to the stream handler again")
    replay.add_argument("--stage", required=True, help="the Chalice stage (its settings are read from .chalice/config.json)")
    replay.add_argument("--dry-run", action="store_true", help="count the messages and their changes, change nothing")
    recompute = commands.add_parser("recompute-servicenorms", help="rebuild the servicenorm figures from the decided cases")
    recompute.add_argument("--stage", required=True, help="the Chalice stage (its settings are read from .chalice/config.json)")
    recompute.add_argument("--months", type=int, default=13, help="how many months back, this one included (default 13)")
    catalogue = commands.add_parser("refresh-catalogue", help="read the catalogue from the Catalogi API again")
    catalogue.add_argument("--stage", required=True, help="the Chalice stage (its settings are read from .chalice/config.json)")
    arguments = parser.parse_args(argv)

    from chalicelib import wiring
    from chalicelib.config import operator_settings

    current = operator_settings({**_stage_environment(arguments.stage), **_aws_environment()})
    wiring.use(wiring.Adapters.on_aws(current).but(fingerprint=_needs_the_token_secret))
    sqs = wiring.aws_client("sqs")
    if arguments.command == "recompute-servicenorms":
        for line in recompute_servicenorms(wiring.services(), max(1, min(arguments.months, 120))):
            print(line)
        return 0
    if arguments.command == "refresh-catalogue":
        notice = queue_catalogue_refresh(wiring.adapters().notices, datetime.now(UTC))
        print(f"catalogue refresh queued ({notice.id}): the sync_zaak function's log says 'catalogue refreshed'")
        return 0
    suffix = " (dry run: nothing changed, every message visible again)" if arguments.dry_run else ""
    if arguments.command == "replay-stream":
        url = sqs.get_queue_url(QueueName=f"baken-{arguments.stage}-stream-failures")["QueueUrl"]
        replayed = replay_stream_failures(sqs, wiring.aws_client("dynamodbstreams"), url, dry_run=arguments.dry_run)
        print(
            f"on the queue {replayed.on_queue}; read {replayed.read}; "
            f"{'would replay' if arguments.dry_run else 'replayed'} {replayed.replayed} ({replayed.records} changes); "
            f"failed again (left on the queue) {replayed.failed_again}; "
            f"no longer in the stream (left on the queue) {replayed.expired}; "
            f"unreadable (left on the queue) {replayed.unreadable}{suffix}"
        )
        return 0 if replayed.read == replayed.replayed else 1
    result = redrive(sqs, dead_letter_queue_url(sqs, current.delivery_queue_name), dry_run=arguments.dry_run)
    print(
        f"on the queue {result.on_queue}; read {result.read}; "
        f"{'would queue again' if arguments.dry_run else 'queued again'} {result.queued}; nothing to send {result.not_needed}; "
        f"being sent now (left on the queue, run again later) {result.busy}; "
        f"unreadable (left on the queue) {result.unreadable}{suffix}"
    )
    return 0 if result.unreadable == 0 else 1


def _aws_environment() -> dict[str, str]:
    """The caller's region (and a local endpoint, for the local stack): the rest of the stage comes from its config."""
    return {name: value for name, value in os.environ.items() if name in {"AWS_REGION", "AWS_DEFAULT_REGION"}}


if __name__ == "__main__":
    sys.exit(main())
