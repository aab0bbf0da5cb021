"""The cases table's stream, read: a Lambda-shaped DynamoDB stream record becomes a ``CaseChange`` or an
``AnnouncementChange`` (other items in the table, none today, are no change anybody hears of); and a record as
``dynamodbstreams.get_records`` returns it becomes the shape Lambda hands to the handler (the local event
runner and the operator's replay read the stream themselves)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters.dynamodb.mapping import announcement_from_image, case_from_image, image_kind
from chalicelib.domain.changes import AnnouncementChange, CaseChange, StoredChange
from chalicelib.services.ports import ChangeFeed


class DynamoDBStreamChanges(ChangeFeed):
    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now

    def decode(self, record: Mapping[str, Any]) -> StoredChange | None:
        images = record.get("dynamodb", {})
        kind = image_kind(images.get("NewImage") or images.get("OldImage"))
        if kind == "case":
            old, new = case_from_image(images.get("OldImage")), case_from_image(images.get("NewImage"))
            return CaseChange(old, new, self._observed_at(images))
        if kind == "announcement":
            return AnnouncementChange(
                announcement_from_image(images.get("OldImage")), announcement_from_image(images.get("NewImage"))
            )
        return None

    def _observed_at(self, images: Mapping[str, Any]) -> datetime:
        value = images.get("ApproximateCreationDateTime")
        return datetime.fromtimestamp(float(value), UTC) if value is not None else self._now()


def case_key(record: Mapping[str, Any]) -> str:
    """The case a record is about (its partition key), to keep a case's records in order."""
    keys = record.get("dynamodb", {}).get("Keys", {})
    return str(keys.get("case_id", {}).get("S", ""))


def lambda_stream_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A record from ``dynamodbstreams.get_records`` in the shape Lambda hands to the stream handler."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb["ApproximateCreationDateTime"]
    dynamodb["ApproximateCreationDateTime"] = created.timestamp() if isinstance(created, datetime) else float(created)
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }
