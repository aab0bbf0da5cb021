"""Operator commands: ``python -m chalicelib.ops redrive --stage prod`` (or ``make redrive STAGE=prod``).

``redrive`` takes every message off the delivery dead-letter queue, makes its notification ``created`` again
(it was ``technical-failure``: the retry budget ran out, e.g. during an SES outage) and queues it for delivery.
Each is sent once: a notification already delivered, or refused for good, is not queued again, and delivery
claims a notification before it sends it, so running the command twice, or while it runs, sends nothing twice.
A message is removed from the dead-letter queue only after its notification is queued (or needs nothing); one
whose notification another worker is sending right now stays on the queue (``busy``): run the command again
after a few minutes.

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

    delivery, queue = wiring.delivery(), wiring.queue()
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
    arguments = parser.parse_args(argv)

    for name, value in _stage_environment(arguments.stage).items():
        os.environ.setdefault(name, value)
    from chalicelib import wiring
    from chalicelib.config import settings

    sqs = wiring.boto_client("sqs")
    result = redrive(sqs, dead_letter_queue_url(sqs, settings().delivery_queue_name), dry_run=arguments.dry_run)
    print(
        f"read {result.read}; queued again {result.queued}; nothing to send {result.not_needed}; "
        f"being sent now (left on the queue, run again later) {result.busy}; "
        f"unreadable (left on the queue) {result.unreadable}" + (" (dry run: nothing changed)" if arguments.dry_run else "")
    )
    return 0 if result.unreadable == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
