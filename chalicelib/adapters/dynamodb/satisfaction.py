"""The satisfaction answers (``SatisfactionStore``) in the case-index table.

* An answer: ``satisfaction-answer#<case_id>`` / ``<respondent key>`` (a keyed hash of the person), with the
  product and month it counts for, the score, the comment, when it was given, its ``version`` and the key of its
  comment. The one item a person's change replaces; only the case page and the signed link read it.
* A month of a product: ``satisfaction#<zaaktype>`` / ``month#<YYYY-MM>``, one number attribute per score
  (``s1`` … ``s5``) and ``comments``; changed with ``ADD`` — no read, and nothing about who answered.
* A comment: ``satisfaction-comments#<zaaktype>#<month>`` / ``<when>-<random>`` with the score and the text, so
  staff read a month's comments newest first with one bounded Query; nothing in it names the case or the person.

Saving an answer is one TransactWriteItems: the answer (on the condition that it is still what was read), the
month(s) it leaves and enters, the old comment removed and the new one put — a repeated or concurrent answer
changes the counts once or not at all.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb.batch import batch_write
from chalicelib.domain.errors import ConcurrentUpdateError
from chalicelib.domain.satisfaction import (
    SCORES,
    Answer,
    Comment,
    CommentPage,
    MonthScores,
    StoredAnswer,
    comment_key,
    counted_change,
)
from chalicelib.services.ports import SatisfactionStore

MAX_MONTHS = 120  # the months one Query of a product's counts reads at most


def _answer_key(case_id: str, respondent: str) -> dict[str, Any]:
    return {"pk": {"S": f"satisfaction-answer#{case_id}"}, "sk": {"S": respondent}}


def _month_key(zaaktype: str, month: str) -> dict[str, Any]:
    return {"pk": {"S": f"satisfaction#{zaaktype}"}, "sk": {"S": f"month#{month}"}}


def _comments_pk(zaaktype: str, month: str) -> str:
    return f"satisfaction-comments#{zaaktype}#{month}"


def _answer_item(case_id: str, respondent: str, stored: StoredAnswer) -> dict[str, Any]:
    answer = stored.answer
    item: dict[str, Any] = {
        **_answer_key(case_id, respondent),
        "zaaktype": {"S": answer.zaaktype},
        "month": {"S": answer.month},
        "score": {"N": str(answer.score)},
        "answered_at": {"S": answer.answered_at.isoformat()},
        "version": {"N": str(stored.version)},
    }
    if answer.comment is not None:
        item["comment"] = {"S": answer.comment}
    if stored.comment_key is not None:
        item["comment_key"] = {"S": stored.comment_key}
    return item


def _stored_from(item: Mapping[str, Any]) -> StoredAnswer:
    answer = Answer(
        zaaktype=item["zaaktype"]["S"],
        month=item["month"]["S"],
        score=int(item["score"]["N"]),
        comment=item["comment"]["S"] if "comment" in item else None,
        answered_at=datetime.fromisoformat(item["answered_at"]["S"]),
    )
    key = item["comment_key"]["S"] if "comment_key" in item else None
    return StoredAnswer(answer, int(item["version"]["N"]), key)


def _scores_from(item: Mapping[str, Any]) -> MonthScores:
    counts = {score: int(item.get(f"s{score}", {"N": "0"})["N"]) for score in SCORES}
    return MonthScores(
        zaaktype=item["pk"]["S"].removeprefix("satisfaction#"),
        month=item["sk"]["S"].removeprefix("month#"),
        counts={score: n for score, n in counts.items() if n},
        comments=int(item.get("comments", {"N": "0"})["N"]),
    )


def _month_updates(table: str, changes: list[tuple[Answer, int]]) -> list[dict[str, Any]]:
    """One UpdateItem of ``ADD``s per month the change touches (a score that leaves and enters the same month
    nets out; an attribute is named once per update)."""
    by_month: dict[tuple[str, str], dict[str, int]] = {}
    for answer, sign in changes:
        values = by_month.setdefault((answer.zaaktype, answer.month), {})
        values[f"s{answer.score}"] = values.get(f"s{answer.score}", 0) + sign
        if answer.comment:
            values["comments"] = values.get("comments", 0) + sign
    updates = []
    for (zaaktype, month), values in by_month.items():
        changed = {name: n for name, n in values.items() if n}
        if not changed:
            continue
        names = sorted(changed)
        updates.append(
            {
                "Update": {
                    "TableName": table,
                    "Key": _month_key(zaaktype, month),
                    "UpdateExpression": "ADD " + ", ".join(f"#a{n} :a{n}" for n in range(len(names))),
                    "ExpressionAttributeNames": {f"#a{n}": name for n, name in enumerate(names)},
                    "ExpressionAttributeValues": {f":a{n}": {"N": str(changed[name])} for n, name in enumerate(names)},
                }
            }
        )
    return updates


class DynamoDBSatisfaction(SatisfactionStore):
    def __init__(
        self,
        client: Callable[[], Any],
        table_name: str,
        *,
        unique: Callable[[], str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._table = table_name
        self._unique = unique or (lambda: uuid.uuid4().hex)
        self._sleep = sleep

    def answer(self, case_id: str, respondent: str) -> StoredAnswer | None:
        found = self._client().get_item(TableName=self._table, Key=_answer_key(case_id, respondent), ConsistentRead=True)
        item = found.get("Item")
        return _stored_from(item) if item else None

    def save(self, case_id: str, respondent: str, before: StoredAnswer | None, after: Answer) -> StoredAnswer:
        key = comment_key(after.answered_at, self._unique()) if after.comment else None
        stored = StoredAnswer(after, (before.version if before else 0) + 1, key)
        put: dict[str, Any] = {"TableName": self._table, "Item": _answer_item(case_id, respondent, stored)}
        if before is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :read"
            put["ExpressionAttributeValues"] = {":read": {"N": str(before.version)}}
        items: list[dict[str, Any]] = [{"Put": put}]
        items.extend(_month_updates(self._table, counted_change(before.answer if before else None, after)))
        if before is not None and before.comment_key is not None:
            old = before.answer
            items.append(
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": {"pk": {"S": _comments_pk(old.zaaktype, old.month)}, "sk": {"S": before.comment_key}},
                    }
                }
            )
        if key is not None and after.comment is not None:
            comment = {
                "pk": {"S": _comments_pk(after.zaaktype, after.month)},
                "sk": {"S": key},
                "score": {"N": str(after.score)},
                "text": {"S": after.comment},
            }
            items.append({"Put": {"TableName": self._table, "Item": comment}})
        client = self._client()
        try:
            client.transact_write_items(TransactItems=items)
        except client.exceptions.TransactionCanceledException:
            raise ConcurrentUpdateError(case_id, "transaction") from None
        return stored

    def replace_month(self, figures: MonthScores, answers: Mapping[tuple[str, str], Answer]) -> None:
        month: dict[str, Any] = {
            **_month_key(figures.zaaktype, figures.month),
            **{f"s{score}": {"N": str(n)} for score, n in figures.counts.items()},
            "comments": {"N": str(figures.comments)},
        }
        requests = []
        for (case_id, respondent), answer in answers.items():
            key = comment_key(answer.answered_at, self._unique()) if answer.comment else None
            requests.append({"PutRequest": {"Item": _answer_item(case_id, respondent, StoredAnswer(answer, 1, key))}})
            if key is not None and answer.comment is not None:
                comment = {
                    "pk": {"S": _comments_pk(answer.zaaktype, answer.month)},
                    "sk": {"S": key},
                    "score": {"N": str(answer.score)},
                    "text": {"S": answer.comment},
                }
                requests.append({"PutRequest": {"Item": comment}})
        client = self._client()
        client.put_item(TableName=self._table, Item=month)
        batch_write(client, self._table, requests, self._sleep)

    def months(self, zaaktype: str, first: str, last: str) -> list[MonthScores]:
        found = self._client().query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :first AND :last",
            ExpressionAttributeValues={
                ":pk": {"S": f"satisfaction#{zaaktype}"},
                ":first": {"S": f"month#{first}"},
                ":last": {"S": f"month#{last}"},
            },
            Limit=MAX_MONTHS,
        )
        return [f for f in (_scores_from(item) for item in found.get("Items", [])) if f.answers]

    def comments(self, zaaktype: str, month: str, *, limit: int, after: str | None = None) -> CommentPage:
        pk = _comments_pk(zaaktype, month)
        asked: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "ScanIndexForward": False,
            "Limit": limit + 1,  # one more than shown: whether there is a next page
        }
        if after is not None:
            asked["ExclusiveStartKey"] = {"pk": {"S": pk}, "sk": {"S": after}}
        found = self._client().query(**asked)
        items = found.get("Items", [])
        shown = items[:limit]
        comments = tuple(Comment(int(item["score"]["N"]), item["text"]["S"]) for item in shown)
        return CommentPage(comments, shown[-1]["sk"]["S"] if len(items) > limit else None)
