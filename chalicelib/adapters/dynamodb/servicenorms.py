"""The servicenorm figures (``ServicenormStore``) in the case-index table.

* A month of a zaaktype: ``servicenorm#<zaaktype>`` / ``month#<YYYY-MM>``, with the counts ``decided``,
  ``with_norm``, ``within_norm``, ``within_term`` and the histogram of net days as one number attribute per value
  (``d<days>``), so a case is added or taken out with one UpdateItem of ``ADD``s — no read, no item that grows
  with the number of cases (a month holds at most as many attributes as distinct doorlooptijden).
* What a case counts for: ``servicenorm-case#<case_id>`` / ``counted``, with the case's version.

Counting a case is one TransactWriteItems: the case's item (on the condition that it still is what was read) and
the month(s) it leaves and enters — so a stream record handled twice, or a replayed older one, changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.adapters.dynamodb.batch import batch_write
from chalicelib.domain.errors import ConcurrentUpdateError
from chalicelib.domain.servicenorms import Decided, MonthFigures, counted_change
from chalicelib.services.ports import CountedCase, ServicenormStore

COUNTS = ("decided", "with_norm", "within_norm", "within_term")


def _month_key(zaaktype: str, month: str) -> dict[str, Any]:
    return {"pk": {"S": f"servicenorm#{zaaktype}"}, "sk": {"S": f"month#{month}"}}


def _case_key(case_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"servicenorm-case#{case_id}"}, "sk": {"S": "counted"}}


def _counted_item(case_id: str, counted: CountedCase) -> dict[str, Any]:
    item: dict[str, Any] = {**_case_key(case_id), "version": {"N": str(counted.version)}}
    decided = counted.decided
    if decided is not None:
        norm = {"NULL": True} if decided.within_servicenorm is None else {"BOOL": decided.within_servicenorm}
        item["decided"] = {
            "M": {
                "zaaktype": {"S": decided.zaaktype},
                "month": {"S": decided.month},
                "days": {"N": str(decided.days)},
                "within_servicenorm": norm,
                "within_term": {"BOOL": decided.within_term},
            }
        }
    return item


def _counted_from(item: Mapping[str, Any]) -> CountedCase:
    found = item.get("decided", {}).get("M")
    decided = None
    if found:
        norm = found["within_servicenorm"]
        decided = Decided(
            zaaktype=found["zaaktype"]["S"],
            month=found["month"]["S"],
            days=int(found["days"]["N"]),
            within_servicenorm=None if "NULL" in norm else bool(norm["BOOL"]),
            within_term=bool(found["within_term"]["BOOL"]),
        )
    return CountedCase(int(item["version"]["N"]), decided)


def _figures_from(item: Mapping[str, Any]) -> MonthFigures:
    zaaktype = item["pk"]["S"].removeprefix("servicenorm#")
    month = item["sk"]["S"].removeprefix("month#")
    counts = {name: int(item.get(name, {"N": "0"})["N"]) for name in COUNTS}
    days = {int(name[1:]): int(value["N"]) for name, value in item.items() if name[:1] == "d" and name[1:].isdigit()}
    return MonthFigures(
        zaaktype,
        month,
        decided=counts["decided"],
        with_servicenorm=counts["with_norm"],
        within_servicenorm=counts["within_norm"],
        within_term=counts["within_term"],
        days={d: n for d, n in days.items() if n},
    )


def _month_update(table: str, decided: Decided, sign: int) -> dict[str, Any]:
    values = {
        ":decided": sign,
        ":with_norm": sign if decided.within_servicenorm is not None else 0,
        ":within_norm": sign if decided.within_servicenorm else 0,
        ":within_term": sign if decided.within_term else 0,
    }
    return {
        "Update": {
            "TableName": table,
            "Key": _month_key(decided.zaaktype, decided.month),
            "UpdateExpression": "ADD decided :decided, with_norm :with_norm, within_norm :within_norm, "
            "within_term :within_term, #days :decided",
            "ExpressionAttributeNames": {"#days": f"d{decided.days}"},
            "ExpressionAttributeValues": {name: {"N": str(value)} for name, value in values.items()},
        }
    }


class DynamoDBServicenorms(ServicenormStore):
    def __init__(self, client: Callable[[], Any], table_name: str, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self._client = client
        self._table = table_name
        self._sleep = sleep

    def counted(self, case_id: str) -> CountedCase | None:
        item = self._client().get_item(TableName=self._table, Key=_case_key(case_id), ConsistentRead=True).get("Item")
        return _counted_from(item) if item else None

    def count(self, case_id: str, before: CountedCase | None, after: CountedCase) -> bool:
        changes = counted_change(before.decided if before else None, after.decided)
        put: dict[str, Any] = {"TableName": self._table, "Item": _counted_item(case_id, after)}
        if before is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :read"
            put["ExpressionAttributeValues"] = {":read": {"N": str(before.version)}}
        items = [{"Put": put}, *(_month_update(self._table, decided, sign) for decided, sign in changes)]
        client = self._client()
        try:
            client.transact_write_items(TransactItems=items)
        except client.exceptions.TransactionCanceledException:
            now = self.counted(case_id)
            if now is not None and now.version >= after.version:
                return False
            raise ConcurrentUpdateError(case_id) from None
        return True

    def months(self, zaaktype: str, first: str, last: str) -> list[MonthFigures]:
        answer = self._client().query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :first AND :last",
            ExpressionAttributeValues={
                ":pk": {"S": f"servicenorm#{zaaktype}"},
                ":first": {"S": f"month#{first}"},
                ":last": {"S": f"month#{last}"},
            },
            Limit=120,
        )
        return [f for f in (_figures_from(item) for item in answer.get("Items", [])) if f.decided]

    def replace_month(self, figures: MonthFigures, counted: Mapping[str, CountedCase]) -> None:
        item: dict[str, Any] = {
            **_month_key(figures.zaaktype, figures.month),
            "decided": {"N": str(figures.decided)},
            "with_norm": {"N": str(figures.with_servicenorm)},
            "within_norm": {"N": str(figures.within_servicenorm)},
            "within_term": {"N": str(figures.within_term)},
            **{f"d{days}": {"N": str(n)} for days, n in figures.days.items()},
        }
        client = self._client()
        client.put_item(TableName=self._table, Item=item)
        requests = [{"PutRequest": {"Item": _counted_item(case_id, c)}} for case_id, c in counted.items()]
        batch_write(client, self._table, requests, self._sleep)
