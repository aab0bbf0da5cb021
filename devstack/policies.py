"""The IAM policy of each Lambda function, per stage: ``python -m devstack.policies`` writes
``.chalice/policy-<stage>-<function>.json`` (the files ``.chalice/config.json`` names per function), from the one
table below. tests/integration/test_policy.py proves each grant is used by that function and that the function
needs nothing more; tests/packaging checks the written files are current.

Logs (the function's own log group) and secrets (the stage's Secrets Manager secrets) are granted in
infra/app.json, where the real function and secret names are known.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("dev", "prod")

READ_STREAM = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams")
CONSUME = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
PRODUCE = ("sqs:GetQueueUrl", "sqs:SendMessage")
PUBLISH = ("events:PutEvents",)  # NL GOV CloudEvents onto the stage's bus (services/outbound.py)

# The catalogue refreshed from the Catalogi API (services/catalogue_refresh.py): one partition of the case-index
# table, read by every function that uses the catalogue, written by sync_zaak alone. Only that partition.
READ_CATALOGUE = ("Catalogue", ("dynamodb:GetItem",), "catalogue", "case-index")
# The servicenorm figures (services/servicenorms.py): their partitions of the case-index table, kept by the
# stream function (what a case counts for, read; it and its months written in one transaction).
KEEP_SERVICENORMS = (
    "Servicenorms",
    ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
    "servicenorms",
    "case-index",
)
# kind -> the leading keys a grant of that kind is limited to
# The deadline watch (services/watch.py): its entries by date (written by the stream function, read and removed by
# the watch) and the behandelaars' alerts.
# The satisfaction comments (services/satisfaction.py): a changed answer removes its old comment, in the API
# function's transaction; nothing else of the case-index table is ever removed by it.
PARTITIONS = {
    "catalogue": ["catalogue"],
    "servicenorms": ["servicenorm#*", "servicenorm-case#*"],
    "watch": ["watch#*"],
    "alerts": ["alert#*"],
    # the behandelaars' morning overview: who got alerts on a day, the claim that it went out, their addresses
    "digests": ["alert-day#*", "digest#*", "staff#*"],
    "satisfaction_comments": ["satisfaction-comments#*"],
}

# function -> [(statement id, actions, kind, name)]; kind: table (with its indexes), catalogue or servicenorms
# (those partitions of a table only), stream, queue, bus, bucket, ses
GRANTS: dict[str, list[tuple[str, tuple[str, ...], str, str]]] = {
    "api_handler": [
        ("Cases", ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:Query"), "table", "cases"),
        ("CaseIndex", ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"), "table", "case-index"),
        # a satisfaction answer changed: its old comment removed (services/satisfaction.py)
        ("SatisfactionComments", ("dynamodb:DeleteItem",), "satisfaction_comments", "case-index"),
        # the definitions (the index is written by on_subscription_change), and polygons read for an audience
        (
            "Subscriptions",
            ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:Query"),
            "table",
            "subscriptions",
        ),
        (
            "Subscribers",
            ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:Query"),
            "table",
            "subscribers",
        ),
        ("Notifications", ("dynamodb:PutItem", "dynamodb:Query"), "table", "notifications"),
        ("Berichtenbox", ("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"), "table", "inbox"),
        ("DeliveryQueue", PRODUCE, "queue", "delivery.fifo"),
        ("NoticesQueue", PRODUCE, "queue", "zgw-notices.fifo"),  # the zaaksysteem's callback only queues
        ("JobsQueue", PRODUCE, "queue", "jobs"),  # a recorded contact moment, for the chain
        # files applicants send in (services/documents.py): the upload forms it signs let browsers put a file under
        # incoming/ (s3:PutObject, used by the browser with this role's signature); it checks, copies and removes
        # what arrived there, and reads what it kept under cases/ (and signs short-lived links to read it)
        ("DocumentsIncoming", ("s3:PutObject", "s3:GetObject", "s3:DeleteObject"), "bucket", "incoming/*"),
        ("DocumentsKept", ("s3:PutObject", "s3:GetObject", "s3:DeleteObject"), "bucket", "cases/*"),
    ],
    "on_case_change": [
        ("CasesStream", READ_STREAM, "stream", "cases"),
        ("StreamFailureDestination", ("sqs:SendMessage",), "queue", "stream-failures"),
        ("Subscriptions", ("dynamodb:Query", "dynamodb:BatchGetItem"), "table", "subscriptions"),
        ("Subscribers", ("dynamodb:BatchGetItem",), "table", "subscribers"),  # the preferences of who is reached
        # written; and the case's e-mail waiting for the morning read, when a message that goes at once must not
        # overtake it (services/fanout.py, _WaitingEmail)
        ("Notifications", ("dynamodb:PutItem", "dynamodb:Query"), "table", "notifications"),
        ("CaseIndex", ("dynamodb:UpdateItem",), "table", "case-index"),
        ("DeliveryQueue", PRODUCE, "queue", "delivery.fifo"),
        ("JobsQueue", PRODUCE, "queue", "jobs"),
        ("EventBus", PUBLISH, "bus", "events"),  # announcement approved
        READ_CATALOGUE,
        KEEP_SERVICENORMS,
        ("WatchEntries", ("dynamodb:BatchWriteItem",), "watch", "case-index"),
    ],
    "on_subscription_change": [
        ("SubscriptionsStream", READ_STREAM, "stream", "subscriptions"),
        ("StreamFailureDestination", ("sqs:SendMessage",), "queue", "stream-failures"),
        (
            "Subscriptions",
            ("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"),
            "table",
            "subscriptions",
        ),
        ("EventBus", PUBLISH, "bus", "events"),  # subscription started / stopped
    ],
    "deliver": [
        ("DeliveryQueue", (*CONSUME, "sqs:ChangeMessageVisibility"), "queue", "delivery.fifo"),
        ("Cases", ("dynamodb:GetItem",), "table", "cases"),
        ("Subscriptions", ("dynamodb:GetItem",), "table", "subscriptions"),
        ("Subscribers", ("dynamodb:GetItem",), "table", "subscribers"),
        ("Notifications", ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"), "table", "notifications"),
        # what a notification is about when the case item no longer holds it: the case's history
        ("CaseIndex", ("dynamodb:Query",), "table", "case-index"),
        ("Berichtenbox", ("dynamodb:PutItem",), "table", "inbox"),
        ("Letters", PRODUCE, "queue", "letters"),
        ("SendEmail", ("ses:SendEmail", "ses:SendRawEmail"), "ses", ""),
        ("EventBus", PUBLISH, "bus", "events"),  # a notification's outcome
        READ_CATALOGUE,
    ],
    "release_held_email": [
        ("JobsQueue", PRODUCE, "queue", "jobs"),
    ],
    "reconcile_notifications": [
        ("Notifications", ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"), "table", "notifications"),
        ("DeliveryQueue", PRODUCE, "queue", "delivery.fifo"),
    ],
    "fan_out_job": [
        ("JobsQueue", (*CONSUME, *PRODUCE), "queue", "jobs"),
        ("Subscriptions", ("dynamodb:Query", "dynamodb:BatchGetItem"), "table", "subscriptions"),
        ("Notifications", ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"), "table", "notifications"),
        # the contact moment a job is about is read with a Query; what was registered in Klantinteracties is
        # remembered in the ledger (PutItem), about the case (GetItem: its zaak)
        ("CaseIndex", ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"), "table", "case-index"),
        ("Cases", ("dynamodb:GetItem",), "table", "cases"),
        ("Subscribers", ("dynamodb:BatchGetItem",), "table", "subscribers"),  # the preferences of who is reached
        ("DeliveryQueue", PRODUCE, "queue", "delivery.fifo"),
        ("EventBus", PUBLISH, "bus", "events"),  # contact moment recorded
    ],
    "sync_zaak": [
        ("NoticesQueue", CONSUME, "queue", "zgw-notices.fifo"),
        # the case item and its number (a number any case has is refused: looked up by number), written with the
        # case's history, party index and its parties' subscriptions
        ("Cases", ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"), "table", "cases"),
        ("CaseIndex", ("dynamodb:PutItem",), "table", "case-index"),
        ("Subscriptions", ("dynamodb:PutItem",), "table", "subscriptions"),
        # the catalogue: read, and written by a refresh (its current item and its versions)
        ("Catalogue", ("dynamodb:GetItem", "dynamodb:PutItem"), "catalogue", "case-index"),
    ],
    "watch_deadlines": [
        ("WatchEntries", ("dynamodb:Query", "dynamodb:BatchWriteItem"), "watch", "case-index"),
        ("Alerts", ("dynamodb:PutItem", "dynamodb:Query"), "alerts", "case-index"),
        ("Digests", ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"), "digests", "case-index"),
        ("SendEmail", ("ses:SendEmail", "ses:SendRawEmail"), "ses", ""),  # the morning overview
        ("Cases", ("dynamodb:GetItem",), "table", "cases"),
        # a reminder is told as the stream tells a change: the parties' preferences, the outbox, the queue
        ("Subscriptions", ("dynamodb:Query", "dynamodb:BatchGetItem"), "table", "subscriptions"),
        ("Subscribers", ("dynamodb:BatchGetItem",), "table", "subscribers"),
        ("Notifications", ("dynamodb:PutItem", "dynamodb:Query"), "table", "notifications"),
        ("DeliveryQueue", PRODUCE, "queue", "delivery.fifo"),
        READ_CATALOGUE,
    ],
    "on_ses_feedback": [
        ("FeedbackQueue", CONSUME, "queue", "ses-feedback"),
        ("Notifications", ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"), "table", "notifications"),
        ("Subscribers", ("dynamodb:GetItem", "dynamodb:PutItem"), "table", "subscribers"),  # stopping e-mail: one put
        ("EventBus", PUBLISH, "bus", "events"),  # a notification that failed after it was sent
    ],
}


def _resources(stage: str, kind: str, name: str) -> list[str]:
    prefix = f"baken-{stage}-"
    if kind == "table":
        table = f"arn:aws:dynamodb:*:*:table/{prefix}{name}"
        return [table, f"{table}/index/*"]
    if kind == "stream":
        return [f"arn:aws:dynamodb:*:*:table/{prefix}{name}/stream/*"]
    if kind == "queue":
        return [f"arn:aws:sqs:*:*:{prefix}{name}"]
    if kind == "bus":
        return [f"arn:aws:events:*:*:event-bus/{prefix}{name}"]
    if kind == "bucket":  # the stage's documents bucket (its name ends in the account id), objects under ``name``
        return [f"arn:aws:s3:::{prefix}documents-*/{name}"]
    # SES authorises a send on the sending identity (the stage's mail domain, a stack parameter) and on the
    # configuration set, which is the stage's own
    return ["arn:aws:ses:*:*:identity/*", f"arn:aws:ses:*:*:configuration-set/baken-{stage}"]


def _statement(stage: str, sid: str, actions: tuple[str, ...], kind: str, name: str) -> dict[str, Any]:
    if kind in PARTITIONS:
        return {
            "Sid": sid,
            "Effect": "Allow",
            "Action": list(actions),
            "Resource": [f"arn:aws:dynamodb:*:*:table/baken-{stage}-{name}"],
            "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": PARTITIONS[kind]}},
        }
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": _resources(stage, kind, name)}


def policy(stage: str, function: str) -> dict[str, Any]:
    """The policy document of ``function`` on ``stage``."""
    return {"Version": "2012-10-17", "Statement": [_statement(stage, *grant) for grant in GRANTS[function]]}


def file_name(stage: str, function: str) -> str:
    return f"policy-{stage}-{function.replace('_', '-')}.json"


def rendered(stage: str, function: str) -> str:
    return json.dumps(policy(stage, function), indent=2) + "\n"


def main() -> int:
    for stage in STAGES:
        for function in GRANTS:
            (ROOT / ".chalice" / file_name(stage, function)).write_text(rendered(stage, function), encoding="utf-8")
    print(f"wrote {len(STAGES) * len(GRANTS)} policy files in .chalice/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
