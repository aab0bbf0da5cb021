"""The index is built off the request, on moto with the real handler: following a 10 km circle writes one
item in the request, the subscriptions stream builds the rest in chunks of at most ``indexing.CHUNK``, the
person sees it as being set up until it is complete, and a stop half-way leaves no entry behind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.domain.subscriptions import index_steps
from chalicelib.services.indexing import CHUNK
from tests.integration.conftest import Pipeline, body, headers, register_personas

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
TEN_KM = {
    "topics": ["grondbeheer", "vergunningen"],
    "area": {"circle": {"lat": 52.0907, "lon": 5.1214, "radius_m": 10_000}},
}


@pytest.fixture
def writes(botocore_session: Any) -> Iterator[list[str]]:
    """The DynamoDB write operations made from now on."""
    made: list[str] = []

    def record(model: Any, **_: Any) -> None:
        if model.name in WRITES:
            made.append(model.name)

    botocore_session.register("before-call.dynamodb", record, unique_id="count-writes")
    yield made
    botocore_session.unregister("before-call.dynamodb", unique_id="count-writes")


def _mine(client) -> list[dict[str, Any]]:
    return body(client.http.get("/api/me/subscriptions", headers=headers("mark")))["subscriptions"]


def _members(keys: list[str], subscription_id: str) -> int:
    """How many of ``keys`` hold an entry of the subscription (one Query each)."""
    subscriptions = wiring.adapters().subscriptions
    return sum(1 for key in keys if any(e.subscription_id == subscription_id for e in subscriptions.entries_of(key)))


def _follow_ten_km(client) -> dict[str, Any]:
    response = client.http.post("/api/me/subscriptions", headers=headers("mark"), body=json.dumps(TEN_KM))
    assert response.status_code == 201, response.body
    return body(response)


def test_following_a_10_km_circle_writes_one_item_and_the_stream_builds_the_index_in_chunks(
    client, pipeline: Pipeline, writes: list[str]
):
    register_personas("mark")
    writes.clear()

    # WHEN Mark follows two topics within 10 km of Utrecht (some 5,800 index entries)
    followed = _follow_ten_km(client)

    # THEN the request wrote one item (the definition), and the answer and his list say it is being set up
    assert writes == ["PutItem"]
    assert followed["indexed"] is False
    assert [s["indexed"] for s in _mine(client)] == [False]
    definition = wiring.adapters().subscriptions.get(followed["id"])
    assert definition is not None
    steps = [step.entry.interest.key for step in index_steps(definition)]
    assert len(steps) > 5 * CHUNK

    # WHEN the stream hands the definition's record to on_subscription_change once
    writes.clear()
    assert pipeline.index.poll_once() == 1

    # THEN one chunk is written (BatchWriteItem, 25 a call) and the progress noted on the definition
    assert writes.count("BatchWriteItem") == CHUNK // 25
    assert writes.count("UpdateItem") == 1
    half = wiring.adapters().subscriptions.get(followed["id"])
    assert half is not None
    assert (half.index_progress, half.indexed) == (CHUNK, False)
    assert [s["indexed"] for s in _mine(client)] == [False]
    sample = [steps[0], steps[CHUNK - 1], steps[CHUNK], steps[-1]]
    assert _members(sample, followed["id"]) == 2  # the first chunk is there, the rest is not yet

    # WHEN the stream goes on until it is empty
    pipeline.index_all()

    # THEN the index is complete and he sees the subscription as set up
    assert _members(sample, followed["id"]) == 4
    assert [s["indexed"] for s in _mine(client)] == [True]


def test_stopping_while_the_index_is_half_built_removes_every_entry(client, pipeline: Pipeline):
    register_personas("mark")
    followed = _follow_ten_km(client)
    assert pipeline.index.poll_once() == 1
    definition = wiring.adapters().subscriptions.get(followed["id"])
    assert definition is not None
    first_chunk = [step.entry.interest.key for step in index_steps(definition)[:CHUNK]]
    assert _members(first_chunk[:3], followed["id"]) == 3

    # WHEN Mark stops it half-way
    stopped = client.http.delete(f"/api/me/subscriptions/{followed['id']}", headers=headers("mark"))
    assert stopped.status_code == 200, stopped.body

    # THEN it is cancelled at once, and once the stream has run no entry of it is left
    cancelled = wiring.adapters().subscriptions.get(followed["id"])
    assert cancelled is not None
    assert cancelled.state.value == "cancelled"
    pipeline.index_all()
    assert _members([first_chunk[0], first_chunk[500], first_chunk[-1]], followed["id"]) == 0
    assert _mine(client) == []
