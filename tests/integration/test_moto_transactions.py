"""The local TransactWriteItems (devstack/moto_transactions.py) keeps DynamoDB's promise — all or nothing — while
copying only the items it names: a failed condition anywhere writes nothing and says why per item; a write that
fails half-way puts back what was written; and its cost no longer grows with the table."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

TABLE = "baken-local-case-index"


def _put(pk: str, sk: str, condition: bool = False) -> dict[str, Any]:
    op: dict[str, Any] = {"TableName": TABLE, "Item": {"pk": {"S": pk}, "sk": {"S": sk}, "n": {"N": "1"}}}
    if condition:
        op["ConditionExpression"] = "attribute_not_exists(pk)"
    return {"Put": op}


def _items(dynamodb: Any, pk: str) -> list[str]:
    found = dynamodb.query(TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": pk}})
    return sorted(item["sk"]["S"] for item in found["Items"])


def test_a_failed_condition_writes_nothing_and_names_the_item(stack):
    dynamodb = stack.client("dynamodb")
    dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "t"}, "sk": {"S": "taken"}})
    with pytest.raises(ClientError) as cancelled:
        dynamodb.transact_write_items(TransactItems=[_put("t", "new", condition=True), _put("t", "taken", condition=True)])
    reasons = [reason["Code"] for reason in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert _items(dynamodb, "t") == ["taken"]


def test_a_write_that_fails_half_way_puts_back_what_was_written(stack):
    dynamodb = stack.client("dynamodb")
    dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "t"}, "sk": {"S": "text"}, "n": {"S": "not a number"}})
    adding_to_text = {
        "Update": {
            "TableName": TABLE,
            "Key": {"pk": {"S": "t"}, "sk": {"S": "text"}},
            "UpdateExpression": "ADD n :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=[_put("t", "first"), adding_to_text])
    assert _items(dynamodb, "t") == ["text"]


def test_the_same_item_twice_is_refused(stack):
    dynamodb = stack.client("dynamodb")
    with pytest.raises(ClientError) as refused:
        dynamodb.transact_write_items(TransactItems=[_put("t", "a"), _put("t", "a")])
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert _items(dynamodb, "t") == []


def test_a_transaction_does_not_copy_the_table(stack, monkeypatch):
    import copy

    dynamodb = stack.client("dynamodb")
    for n in range(200):
        dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "filler"}, "sk": {"S": f"{n:04d}"}})
    copied: list[Any] = []
    real = copy.deepcopy

    def counting(value: Any, memo: Any = None) -> Any:
        copied.append(type(value).__name__)
        return real(value, memo)

    monkeypatch.setattr("devstack.moto_transactions.copy.deepcopy", counting)
    dynamodb.transact_write_items(TransactItems=[_put("t", "a", condition=True), _put("t", "b", condition=True)])
    assert copied == ["NoneType", "NoneType"]  # one copy per item named (neither existed), no table
    assert _items(dynamodb, "t") == ["a", "b"]
