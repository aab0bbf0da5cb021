"""TransactWriteItems on moto without copying whole tables.

moto 5 rolls a cancelled transaction back by deep-copying, before it starts, every table the transaction names —
once per item, so a transaction of three items in one table copies that table three times. The time of every
transaction then grows with everything the table holds: in a local stack that has run for a while, or one seeded
with a year of history, a contact moment (three items) takes a third of a second, and a benchmark of 100,000 open
cases does not finish.

``install()`` replaces it with what DynamoDB does: every condition is checked against the items as they are before
the transaction (a transaction names each item once, so no write in it can change another's condition); when one
fails, nothing is written and the reasons are given per item, as before. Only then are the writes made. Should a
write still fail (an update expression DynamoDB would refuse), the items the transaction touched are put back as
they were. Cost: one copy of each item named, not of each table.

The local stack installs it when its moto server starts, the tests when they start; ``chalicelib`` never imports it.
"""

from __future__ import annotations

import copy
from typing import Any

_INSTALLED = False


def _key(table: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _restore(table: Any, key: dict[str, Any], before: Any) -> None:
    """Put one item back as it was (``before``; None: it was not there), without a stream record."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    hash_value = DynamoType(key[table.hash_key_attr])
    if table.range_key_attr is None:
        if before is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = before
        return
    range_value = DynamoType(key[table.range_key_attr])
    if before is None:
        table.items.get(hash_value, {}).pop(range_value, None)
    else:
        table.items[hash_value][range_value] = before


def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    seen: set[tuple[str, str]] = set()
    planned: list[tuple[str, dict[str, Any], Any, dict[str, Any]]] = []  # op type, op, table, key
    errors: list[tuple[Any, Any, Any]] = []
    before: list[Any] = []
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        original: dict[str, Any] | None = None
        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table = self.get_table(op["TableName"])
            key = _key(table, op_type, op)
            marker = (str(op["TableName"]), str(dict(sorted(key.items()))))
            if marker in seen:
                raise MultipleTransactionsException()
            seen.add(marker)
            current = self.get_item(op["TableName"], key)
            before.append(copy.deepcopy(current))
            planned.append((op_type, op, table, key))
            condition = op.get("ConditionExpression")
            if condition is not None:
                check = get_filter_expression(condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues"))
                if not check.expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        original = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original)
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            raise
        except ConditionalCheckFailed as error:
            errors.append(("ConditionalCheckFailed", str(error.message), original))
        except Exception as error:  # noqa: BLE001 - reported per item, as DynamoDB does
            errors.append((type(error).__name__, str(error), original))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)

    _apply(self, planned, before)


def _apply(self: Any, planned: list[tuple[str, dict[str, Any], Any, dict[str, Any]]], before: list[Any]) -> None:
    """Make the writes of a transaction whose conditions all held; put the items back if one fails."""
    from moto.dynamodb.exceptions import MockValidationException, TransactionCanceledException

    written: list[int] = []
    try:
        for index, (op_type, op, _table, key) in enumerate(planned):
            names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            if op_type == "Put":
                self.put_item(op["TableName"], op["Item"], expression_attribute_names=names, expression_attribute_values=values)
            elif op_type == "Delete":
                self.delete_item(op["TableName"], key, expression_attribute_names=names, expression_attribute_values=values)
            elif op_type == "Update":
                self.update_item(
                    op["TableName"],
                    key,
                    update_expression=op["UpdateExpression"],
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            written.append(index)
    except MockValidationException:
        for index in written:
            _, _, table, key = planned[index]
            _restore(table, key, before[index])
        raise
    except Exception as error:
        for index in written:
            _, _, table, key = planned[index]
            _restore(table, key, before[index])
        failed: list[tuple[str | None, str | None, None]] = [(None, None, None)] * len(planned)
        failed[len(written)] = (type(error).__name__, str(error), None)
        raise TransactionCanceledException(failed) from error


def install() -> None:
    """Use it in this process's moto (idempotent)."""
    global _INSTALLED  # noqa: PLW0603 - one patch per process
    if _INSTALLED:
        return
    from moto.dynamodb.models import DynamoDBBackend

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _INSTALLED = True
