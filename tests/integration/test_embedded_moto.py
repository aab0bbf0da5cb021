"""The moto server the devstack embeds: it answers the mailbox's narrow request for the e-mails sent, and its
housekeeping forgets the shard iterators moto handed out more than 15 minutes ago while the event runner's
current one keeps working."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import boto3
import pytest

from chalicelib.adapters.dev_mailbox import SENT_MAIL_URL, read_mailbox
from devstack.embedded_moto import SENT_MAIL_PATH, SHARD_ITERATOR_LIFETIME, EmbeddedMoto
from devstack.launch import free_port

SENDER = "noreply@mijn.provincie-utrecht.nl"


@pytest.fixture
def moto_server() -> Iterator[EmbeddedMoto]:
    server = EmbeddedMoto("127.0.0.1", free_port(), housekeeping_every=3600)
    server.start()
    yield server
    urllib.request.urlopen(urllib.request.Request(f"{server.url}/moto-api/reset", method="POST"), timeout=10).close()
    server.stop()


def _client(server: EmbeddedMoto, service: str) -> Any:
    return boto3.client(service, region_name="eu-west-1", endpoint_url=server.url)


def _send(ses: Any, to: str, subject: str) -> None:
    """As Baken sends: a raw MIME message."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = SENDER, to, subject
    message.set_content("Hallo")
    ses.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": [to]}, Content={"Raw": {"Data": message.as_bytes()}})


def test_the_mailbox_reads_only_the_mail_to_one_address_from_the_server(moto_server, monkeypatch):
    ses = _client(moto_server, "sesv2")
    ses.create_email_identity(EmailIdentity=SENDER)
    _send(ses, "mark.visser@example.org", "Eerste")
    _send(ses, "jan.degroot@example.org", "Voor Jan")
    _send(ses, "Mark.Visser@example.org", "Tweede")
    monkeypatch.setenv(SENT_MAIL_URL, moto_server.url + SENT_MAIL_PATH)

    marks = read_mailbox("mark.visser@example.org")

    assert [entry.subject for entry in marks] == ["Tweede", "Eerste"]  # newest first
    assert [entry.subject for entry in read_mailbox()] == ["Tweede", "Voor Jan", "Eerste"]


def test_housekeeping_forgets_shard_iterators_after_15_minutes_and_the_current_one_still_reads(moto_server):
    dynamodb, streams = _client(moto_server, "dynamodb"), _client(moto_server, "dynamodbstreams")
    table = dynamodb.create_table(
        TableName="baken-housekeeping",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    arn = table["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    for _ in range(5):  # the runner polling an idle stream: one new iterator from moto each time
        iterator = streams.get_records(ShardIterator=iterator)["NextShardIterator"]
    first = time.monotonic()
    assert moto_server.housekeep(now=first) == 0
    iterator = streams.get_records(ShardIterator=iterator)["NextShardIterator"]

    forgotten = moto_server.housekeep(now=first + SHARD_ITERATOR_LIFETIME)

    assert forgotten == 6  # the first one and the five handed out before the first sweep
    dynamodb.put_item(TableName="baken-housekeeping", Item={"id": {"S": "after"}})
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["dynamodb"]["NewImage"]["id"]["S"] for r in records] == ["after"]


def test_after_housekeeping_moto_keeps_no_copy_of_what_a_transaction_backed_up(moto_server):
    dynamodb = _client(moto_server, "dynamodb")
    dynamodb.create_table(
        TableName="baken-copies",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for index in range(20):
        dynamodb.put_item(TableName="baken-copies", Item={"id": {"S": f"item-{index}"}})
    moto_server.housekeep()

    for index in range(5):  # moto copies the whole table for each, to roll back
        dynamodb.transact_write_items(TransactItems=[{"Put": {"TableName": "baken-copies", "Item": {"id": {"S": f"t{index}"}}}}])

    with urllib.request.urlopen(f"{moto_server.url}/moto-api/data.json", timeout=30) as response:
        kept = json.load(response)
    assert kept["dynamodb"]["Item"] == []
    assert dynamodb.scan(TableName="baken-copies", Select="COUNT")["Count"] == 25


def test_parallel_transactions_and_writes_to_one_table_all_succeed(moto_server):
    """moto's TransactWriteItems copies the table it writes (to roll back); a write by another request during the
    copy broke it with a 500 — what parallel case registrations on the local stack once got. The embedded
    server answers DynamoDB one request at a time, so every write succeeds (counted, not timed)."""
    from concurrent.futures import ThreadPoolExecutor

    from botocore.config import Config

    dynamodb = boto3.client(
        "dynamodb", region_name="eu-west-1", endpoint_url=moto_server.url, config=Config(retries={"total_max_attempts": 1})
    )
    dynamodb.create_table(
        TableName="parallel",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in range(300):  # a table big enough that copying it takes a while
        dynamodb.put_item(TableName="parallel", Item={"pk": {"S": f"seed-{n}"}, "text": {"S": "x" * 200}})

    def write(worker: int) -> list[str]:
        outcomes = []
        for n in range(15):
            try:
                if n % 2:
                    dynamodb.put_item(TableName="parallel", Item={"pk": {"S": f"put-{worker}-{n}"}})
                else:
                    items = [{"Put": {"TableName": "parallel", "Item": {"pk": {"S": f"tx-{worker}-{n}-{i}"}}}} for i in range(2)]
                    dynamodb.transact_write_items(TransactItems=items)
                outcomes.append("done")
            except dynamodb.exceptions.ClientError as error:
                outcomes.append(error.response["Error"]["Code"])
        return outcomes

    with ThreadPoolExecutor(8) as pool:
        outcomes = [outcome for outcomes in pool.map(write, range(8)) for outcome in outcomes]

    assert {outcome: outcomes.count(outcome) for outcome in set(outcomes)} == {"done": 8 * 15}
