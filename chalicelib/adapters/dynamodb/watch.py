"""The deadline watch (``WatchStore``) in the case-index table.

* An entry: ``watch#<date>#<shard>`` / ``<case>#<kind>#<document>#<target date>`` — the entries of one date spread
  over ``SHARDS`` partitions by case, so a busy date is no hot partition; a run reads a date with one Query per
  shard (``Limit``), and removes what it handled. Entries left behind (a case deleted) expire after 60 days (TTL).
* An alert: ``alert#<behandelaar>`` / ``<date>#<entry key>`` — read newest first with one Query; expires after
  14 days. Beside it ``alert-day#<date>`` / ``<behandelaar>``: who got alerts that day, for the morning overview;
  and ``digest#<date>`` / ``<behandelaar>``, the claim that the overview of that day went out (both expire too).
* A member of staff: ``staff#<subject>`` / ``profile`` — name and e-mail address from their last login; forgotten
  180 days after it (TTL).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb.batch import batch_write
from chalicelib.domain.watch import SHARDS, Alert, StaffMember, WatchEntry, WatchKind
from chalicelib.services.ports import StaffDirectory, WatchStore

KEEP_ENTRIES = timedelta(days=60)
KEEP_ALERTS = timedelta(days=14)
KEEP_STAFF = timedelta(days=180)


def _expires(day: date, keep: timedelta) -> dict[str, str]:
    return {"N": str(int((datetime.combine(day, time.min, UTC) + keep).timestamp()))}


def _entry_key(entry: WatchEntry) -> dict[str, Any]:
    return {"pk": {"S": f"watch#{entry.on.isoformat()}#{entry.shard}"}, "sk": {"S": entry.key}}


def _day_key(kind: str, day: date, behandelaar_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"{kind}#{day.isoformat()}"}, "sk": {"S": behandelaar_id}}


def _entry_from(day: date, key: str) -> WatchEntry:
    case_id, kind, ref, target = key.split("#")
    return WatchEntry(day, case_id, WatchKind(kind), date.fromisoformat(target), ref)


class DynamoDBWatch(WatchStore):
    def __init__(self, client: Callable[[], Any], table_name: str, *, sleep: Callable[[float], None] | None = None) -> None:
        import time as clock

        self._client = client
        self._table = table_name
        self._sleep = sleep or clock.sleep

    def _write(self, requests: list[dict[str, Any]]) -> None:
        batch_write(self._client(), self._table, requests, self._sleep)

    def add(self, entries: Sequence[WatchEntry]) -> None:
        # an entry written again is the same item: a redelivered change writes nothing new
        self._write([{"PutRequest": {"Item": {**_entry_key(e), "expires_at": _expires(e.on, KEEP_ENTRIES)}}} for e in entries])

    def due_on(self, day: date, *, limit: int) -> list[WatchEntry]:
        found: list[WatchEntry] = []
        client = self._client()
        for shard in range(SHARDS):
            if len(found) >= limit:
                break
            answer = client.query(
                TableName=self._table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": f"watch#{day.isoformat()}#{shard}"}},
                Limit=limit - len(found),
            )
            found.extend(_entry_from(day, item["sk"]["S"]) for item in answer.get("Items", []))
        return found

    def done(self, entries: Sequence[WatchEntry]) -> None:
        self._write([{"DeleteRequest": {"Key": _entry_key(e)}} for e in entries])

    def alert(self, behandelaar_id: str, alert: Alert) -> None:
        entry = alert.entry
        self._client().put_item(
            TableName=self._table,
            Item={
                "pk": {"S": f"alert#{behandelaar_id}"},
                "sk": {"S": f"{entry.on.isoformat()}#{entry.key}"},
                "case_number": {"S": alert.case_number},
                "expires_at": _expires(entry.on, KEEP_ALERTS),
            },
        )
        self._client().put_item(
            TableName=self._table,
            Item={**_day_key("alert-day", entry.on, behandelaar_id), "expires_at": _expires(entry.on, KEEP_ALERTS)},
        )

    def alerted_on(self, day: date, *, limit: int) -> list[str]:
        answer = self._client().query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"alert-day#{day.isoformat()}"}},
            Limit=limit,
        )
        return [item["sk"]["S"] for item in answer.get("Items", [])]

    def claim_digest(self, day: date, behandelaar_id: str) -> bool:
        try:
            self._client().put_item(
                TableName=self._table,
                Item={**_day_key("digest", day, behandelaar_id), "expires_at": _expires(day, KEEP_ALERTS)},
                ConditionExpression="attribute_not_exists(pk) OR released = :yes",
                ExpressionAttributeValues={":yes": {"BOOL": True}},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def release_digest(self, day: date, behandelaar_id: str) -> None:
        self._client().put_item(
            TableName=self._table,
            Item={
                **_day_key("digest", day, behandelaar_id),
                "released": {"BOOL": True},
                "expires_at": _expires(day, KEEP_ALERTS),
            },
        )

    def alerts(self, behandelaar_id: str, since: date, *, limit: int) -> list[Alert]:
        answer = self._client().query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND sk >= :since",
            ExpressionAttributeValues={":pk": {"S": f"alert#{behandelaar_id}"}, ":since": {"S": since.isoformat()}},
            ScanIndexForward=False,
            Limit=limit,
        )
        found = []
        for item in answer.get("Items", []):
            day, key = item["sk"]["S"].split("#", 1)
            found.append(Alert(_entry_from(date.fromisoformat(day), key), item.get("case_number", {}).get("S", "")))
        return found


class DynamoDBStaff(StaffDirectory):
    def __init__(self, client: Callable[[], Any], table_name: str) -> None:
        self._client = client
        self._table = table_name

    def remember(self, member: StaffMember, at: datetime) -> None:
        self._client().put_item(
            TableName=self._table,
            Item={
                "pk": {"S": f"staff#{member.subject}"},
                "sk": {"S": "profile"},
                "name": {"S": member.name},
                "email": {"S": member.email},
                "expires_at": _expires(at.date(), KEEP_STAFF),
            },
        )

    def get(self, subject: str) -> StaffMember | None:
        item = self._client().get_item(TableName=self._table, Key={"pk": {"S": f"staff#{subject}"}, "sk": {"S": "profile"}})
        found = item.get("Item")
        if not found:
            return None
        return StaffMember(subject, found["name"]["S"], found["email"]["S"])
