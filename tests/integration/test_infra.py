"""infra/ is the one definition of the tables: the stored models agree with it key for key and index for
index, and the stack built from it in moto has the stream, the TTL and the queues the code relies on."""

from __future__ import annotations

import pytest
from pynamodb.attributes import TTLAttribute
from pynamodb.models import Model

from chalicelib.adapters.dynamodb.models import ALL_MODELS, ContactMomentRecord
from devstack.infra import load_template


def _tables() -> dict[str, dict]:
    template = load_template()
    return {
        resource["Properties"]["TableName"]["Fn::Sub"].replace("baken-${Stage}-", ""): resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }


def _keys(schema: list[dict]) -> list[tuple[str, str]]:
    return sorted((k["AttributeName"], k["KeyType"]) for k in schema)


MODELS: list[type[Model]] = [*ALL_MODELS, ContactMomentRecord]


def _table_of(model) -> str:
    return model.Meta.table_name.replace("baken-local-", "")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_each_model_has_the_keys_of_its_table_in_infra(model):
    table = _tables()[_table_of(model)]
    schema = model._get_schema()
    assert _keys(schema["key_schema"]) == _keys(table["KeySchema"])
    declared = {(a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]}
    assert {(a["AttributeName"], a["AttributeType"]) for a in schema["attribute_definitions"]} <= declared


@pytest.mark.parametrize("table_name", sorted({_table_of(m) for m in MODELS}))
def test_the_models_of_a_table_declare_exactly_its_indexes(table_name):
    models = [m for m in MODELS if _table_of(m) == table_name]
    model_indexes = {
        index["index_name"]: (_keys(index["key_schema"]), index["projection"]["ProjectionType"])
        for model in models
        for index in model._get_schema()["global_secondary_indexes"]
    }
    infra_indexes = {
        index["IndexName"]: (_keys(index["KeySchema"]), index["Projection"]["ProjectionType"])
        for index in _tables()[table_name].get("GlobalSecondaryIndexes", [])
    }
    assert model_indexes == infra_indexes


@pytest.mark.parametrize("table_name", sorted({_table_of(m) for m in MODELS}))
def test_a_table_expires_items_exactly_where_its_models_write_an_expiry(table_name):
    """A model's TTLAttribute deletes nothing unless its table has TTL on that attribute (pending subscriptions
    and never-confirmed addresses would otherwise stay for ever and count against the owner)."""
    written = {
        attribute.attr_name
        for model in MODELS
        if _table_of(model) == table_name
        for attribute in model.get_attributes().values()
        if isinstance(attribute, TTLAttribute)
    }
    specification = _tables()[table_name].get("TimeToLiveSpecification")
    expired = {specification["AttributeName"]} if specification and specification["Enabled"] else set()
    assert written == expired


def test_the_stack_built_from_infra_has_the_stream_ttl_and_fifo_queues(stack):
    dynamodb = stack.client("dynamodb")
    cases = dynamodb.describe_table(TableName="baken-local-cases")["Table"]
    assert cases["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    notifications = _tables()["notifications"]
    assert notifications["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    ttl = dynamodb.describe_time_to_live(TableName="baken-local-notifications")["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")
    queue = stack.client("sqs").get_queue_attributes(QueueUrl=stack.outputs.delivery_queue_url, AttributeNames=["All"])[
        "Attributes"
    ]
    assert queue["FifoQueue"] == "true"
    assert "baken-local-delivery-dlq.fifo" in queue["RedrivePolicy"]
