"""on_subscription_change — the stream handler on the subscriptions table: a written subscription definition
becomes its index entries, a bounded chunk per record (services/indexing.py).

Only definitions are work: a record of an index entry (the indexer's own writes, millions of them) is dropped
with one look at its sort key. On AWS the event source mapping's FilterCriteria (infra/app.json) drops them
before Lambda is even invoked; this check keeps the handler right without it (the local runner has none).

Each subscription is caught up once per batch: ``catch_up`` reads the definition as it is now, so a second
record of it in the same batch has nothing to add (whatever is left is continued by the record of the
progress it noted). A record that fails is reported (ReportBatchItemFailures) and comes again; doing a chunk
twice changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.config import subscriptions_stream_source

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

bp = Blueprint(__name__)
STREAM_ARN = subscriptions_stream_source()
BATCH_SIZE = 10  # at most BATCH_SIZE × indexing.CHUNK entry writes per invocation
DEFINITION = "definition"
PREFIX = "subscription#"


def subscription_of(record: dict[str, Any]) -> str | None:
    """The subscription a record is about, or None for an index entry (or anything else): one check."""
    keys = record.get("dynamodb", {}).get("Keys", {})
    if keys.get("member", {}).get("S") != DEFINITION:
        return None
    partition = str(keys.get("interest", {}).get("S", ""))
    return partition.removeprefix(PREFIX) if partition.startswith(PREFIX) else None


def _tell_the_chain(record: DynamoDBRecord) -> None:
    """A subscription that started or stopped is published (abonnement-gestart/-gestopt) before the record is
    done: a failure fails the record, which comes again with the same event id."""
    from chalicelib.adapters.dynamodb.subscription_stream import subscription_transition

    services = wiring.services()
    change = subscription_transition(record.raw_event, services.clock.now)
    if change is not None:
        services.outbound.subscription_changed(change)


def process_stream_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda-shaped DynamoDB stream event in, ``{"batchItemFailures": [...]}`` out."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    from chalicelib.observability import count, flush_metrics, logger

    done: set[str] = set()

    def index(record: DynamoDBRecord) -> None:
        _tell_the_chain(record)
        if record.raw_event.get("eventName") == "REMOVE":
            return  # a definition gone (a request nobody confirmed, expired): it had no entries
        subscription_id = subscription_of(record.raw_event)
        if subscription_id is None or subscription_id in done:
            return
        progress = wiring.services().indexer.catch_up(subscription_id)
        done.add(subscription_id)
        if progress.written or progress.removed:
            logger().info(
                "subscription indexed",
                extra={"written": progress.written, "removed": progress.removed, "complete": progress.done},
            )
            count("IndexEntriesWritten", progress.written)
            count("IndexEntriesRemoved", progress.removed)

    try:
        response = process_partial_response(
            event=event, record_handler=index, processor=BatchProcessor(EventType.DynamoDBStreams), context=context
        )
        failures = len(response.get("batchItemFailures", []))
        if failures:
            count("IndexRecordsFailed", failures)
        return dict(response)
    finally:
        flush_metrics()


@bp.on_dynamodb_record(
    stream_arn=STREAM_ARN, batch_size=BATCH_SIZE, starting_position="TRIM_HORIZON", name="on_subscription_change"
)
def on_subscription_change(event: Any) -> dict[str, Any]:
    return process_stream_batch(event.to_dict(), event.context)
