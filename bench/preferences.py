"""A preference change of the heaviest allowed follower, on moto: what the request writes, when the index is
consistent again, and that nothing planned after the change was acknowledged goes by the old preferences.

Jan follows as much as one person may: ``MAX_SUBSCRIPTIONS`` (25) subscriptions, each a 10 km circle with two
topics (``--quick``: five of them, the case the issue measured). The index is loaded directly (not counted).
Then ``PUT /api/me/preferences`` turns his e-mail off and asks for a daily digest, counted operation by
operation as the API function makes them; then news in the middle of his circles is fanned out, and every
notification it planned for him is checked against the new choices.

Second, somebody else (Jan may follow nothing more) follows one 10 km circle (``POST /api/me/subscriptions``):
the request writes the definition only, and the subscriptions table's stream builds its index through ``on_subscription_change``,
at most ``indexing.CHUNK`` entries per record; measured are the writes in the request, the invocations and
the largest one, and the time until the subscription shows as indexed.

Before (measured on main for the issue): each entry carried a copy of the preferences, so the request rewrote
all of them — 22,003 entries took 26.9 s, and 25 subscriptions are about 147,000 writes (5,906
BatchWriteItem calls), past the API function's 15 s timeout. Now the entries hold no preferences: the request
writes the subscriber record once, and the index is not touched, so it is consistent the moment the request
returns.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from bench.operations import APPLICATION, OperationCounter, moto_bench, tally

OLD_FIGURES = {
    "entries": 22_003,
    "request_seconds": 26.9,
    "writes_for_25_subscriptions": 147_000,
    "batch_write_calls_for_25_subscriptions": 5_906,
}
CENTRE = (52.0907, 5.1214)  # Utrecht
RADIUS_M = 10_000
TOPICS = frozenset({"vergunningen", "grondbeheer"})
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
PERSONA = "jan"
NEWCOMER = "mark"  # follows the one more circle (Jan may follow nothing more)


def _load_index(subscriber_id: str, count: int) -> int:
    """``count`` circles of 10 km with two topics, stored with their whole index (set-up, not measured)."""
    from chalicelib import wiring
    from chalicelib.domain.geo import Circle
    from chalicelib.domain.reference import Point
    from chalicelib.domain.subscriptions import Indexed, Scope, Subscription, SubscriptionOrigin, SubscriptionState

    entries = 0
    for number in range(count):
        # circles a few hundred metres apart, so each has its own cells and all contain the centre
        centre = Point(CENTRE[0] + 0.002 * number, CENTRE[1])
        scope = Scope(topics=TOPICS, area=Circle(centre, RADIUS_M))
        subscription = Subscription(
            f"bench-heavy-{number:02d}",
            subscriber_id,
            scope,
            SubscriptionOrigin.SELF,
            SubscriptionState.ACTIVE,
            datetime.now(UTC),
        )
        indexed = Indexed.of(subscription)
        wiring.adapters().subscriptions.save(indexed)
        entries += len(indexed.entries)
    return entries


def _news() -> Any:
    """Public news about a permit at the centre of Jan's circles."""
    from chalicelib.domain.events import CaseEvent, EventKind, Place
    from chalicelib.domain.reference import Point

    return CaseEvent(
        "bench-news/announcement/bench-news",
        EventKind.ANNOUNCEMENT,
        "bench-news",
        "bench-news",
        datetime.now(UTC),
        True,
        "vergunningen",
        Place((), Point(*CENTRE)),
    )


def _follow_and_index(bench: Any, counter: OperationCounter) -> dict[str, Any]:
    """Follow a 10 km circle through the API, then drain the subscriptions stream into the real handler."""
    from chalicelib import wiring
    from chalicelib.domain.subscriptions import index_interests
    from devstack.infra import mapping_settings
    from devstack.runner import StreamPoller, StreamSettings

    per_invocation: list[int] = []
    handler = counter.as_application(bench.app_module.app.handler_map["on_subscription_change"])

    def measured(event: dict[str, Any], context: Any) -> Any:
        before = len(counter.select("index"))
        try:
            return handler(event, context)
        finally:
            per_invocation.append(sum(1 for c in counter.select("index")[before:] if c.operation == "BatchWriteItem"))

    poller = StreamPoller(
        streams=bench.session.client("dynamodbstreams"),
        sqs=bench.session.client("sqs"),
        stream_arn=bench.outputs.subscriptions_stream_arn,
        handler=measured,
        settings=StreamSettings.from_mapping(mapping_settings("OnSubscriptionChange"), batch_size=10),
        failure_queue_url=bench.outputs.stream_failure_queue_url,
        function_name="on_subscription_change",
        starting_position="LATEST",  # the loaded index's own records are not this measurement's
        retry_delay=0,
    )
    with counter.in_phase("index-setup"):
        poller.poll_once()
    per_invocation.clear()
    body = {
        "topics": sorted(TOPICS),
        "gemeenten": [],
        "area": {"circle": {"lat": CENTRE[0] - 0.05, "lon": CENTRE[1], "radius_m": RADIUS_M}},
    }
    started = time.perf_counter()
    with counter.in_phase("follow", APPLICATION):
        response = bench.client.http.post(
            "/api/me/subscriptions", headers=bench.headers(NEWCOMER), body=json.dumps(body).encode()
        )
    request_seconds = time.perf_counter() - started
    if response.status_code != 201:
        raise RuntimeError(f"following failed: {response.status_code} {response.body!r}")
    followed = json.loads(response.body)
    records = 0
    with counter.in_phase("index", "runner"):
        while True:
            moved = poller.poll_once()
            records += moved
            if not moved and not poller.pending():
                break
    indexed_after = time.perf_counter() - started
    stored = wiring.adapters().subscriptions.get(followed["id"])
    wanted = len(index_interests(stored.scope)) if stored else 0
    request = tally(counter.select("follow"))
    writes = {name: n for name, n in request["operations"].items() if name.split(":")[-1] in WRITES}
    index = tally(counter.select("index"))
    return {
        "index_entries": wanted,
        "request": {
            "status": response.status_code,
            "indexed_in_answer": followed.get("indexed"),
            "seconds": round(request_seconds, 3),
            "writes": sum(writes.values()),
            "write_operations": writes,
        },
        "stream_records": records,
        "invocations": len(per_invocation),
        # the others only dropped records of the indexer's own entry writes: on AWS the mapping's FilterCriteria
        # drops those before Lambda, so these are the invocations there
        "invocations_with_work": sum(1 for n in per_invocation if n),
        "largest_invocation_batch_write_calls": max(per_invocation, default=0),
        "index_operations": index["operations"],
        "indexed": bool(stored and stored.indexed),
        "seconds_until_indexed": round(indexed_after, 1),
    }


def run(quick: bool = False) -> dict[str, Any]:
    from chalicelib import wiring
    from chalicelib.domain.subscriptions import Channel, Frequency
    from chalicelib.services.subscriptions import MAX_INDEX_ENTRIES, MAX_SUBSCRIPTIONS

    count = 5 if quick else MAX_SUBSCRIPTIONS
    counter = OperationCounter()
    with moto_bench(counter) as bench:
        subject = bench.subject(PERSONA)
        with counter.in_phase("setup"):
            bench.register(PERSONA, NEWCOMER)
            loading = time.perf_counter()
            entries = _load_index(subject, count)
            load_seconds = time.perf_counter() - loading

        body = {"channels": ["portal"], "language": "nl", "frequency": "daily", "quiet_hours": True}
        started = time.perf_counter()
        with counter.in_phase("request", APPLICATION):
            response = bench.client.http.put(
                "/api/me/preferences", headers=bench.headers(PERSONA), body=json.dumps(body).encode()
            )
        request_seconds = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"changing preferences failed: {response.status_code} {response.body!r}")
        acknowledged = time.perf_counter()

        with counter.in_phase("fanout", APPLICATION):
            wiring.services().fanout.handle_events([_news()])
        planned = [n for n in wiring.adapters().outbox.for_case("bench-news") if n.subscriber_id == subject]
        stored = wiring.adapters().subscribers.get(subject)
        following = _follow_and_index(bench, counter)

    request = tally(counter.select("request"))
    writes = {name: n for name, n in request["operations"].items() if name.split(":")[-1] in WRITES}
    old_preferences = [n.id for n in planned if n.channel is Channel.EMAIL]
    return {
        "description": "PUT /api/me/preferences for the heaviest allowed follower, on moto",
        "subscriptions": count,
        "index_entries": entries,
        "max_index_entries_per_subscription": MAX_INDEX_ENTRIES,
        "index_load_seconds": round(load_seconds, 1),
        "request": {
            "status": response.status_code,
            "seconds": round(request_seconds, 3),
            "operations": request["operations"],
            "writes": sum(writes.values()),
            "write_operations": writes,
        },
        "index_consistent_after_seconds": 0.0,  # nothing in the index depends on preferences: nothing to catch up
        "index_entries_written_by_the_change": 0,
        "acknowledged_to_planned_seconds": round(time.perf_counter() - acknowledged, 3),
        "planned_after_the_change": dict(Counter(f"{n.channel.value}/{n.status.value}" for n in planned)),
        "planned_with_old_preferences": len(old_preferences),
        "stored_preferences": {
            "channels": sorted(c.value for c in stored.channels) if stored else None,
            "frequency": stored.frequency.value if stored else None,
        },
        "digest_as_asked": bool(stored and stored.frequency is Frequency.DAILY),
        "follow_a_10_km_circle": following,
        "before": OLD_FIGURES,
    }


def summarize(result: dict[str, Any]) -> list[str]:
    request = result["request"]
    before = result["before"]
    return [
        f"{result['subscriptions']} subscriptions, {result['index_entries']:,} index entries "
        f"(loaded in {result['index_load_seconds']} s, not counted)",
        f"PUT /api/me/preferences: {request['status']} in {request['seconds']} s, "
        f"{request['writes']} write(s) {request['write_operations']}; all operations {request['operations']}",
        f"index consistent after {result['index_consistent_after_seconds']} s "
        f"({result['index_entries_written_by_the_change']} entries rewritten)",
        f"news after the change: planned {result['planned_after_the_change']}, "
        f"with the old preferences: {result['planned_with_old_preferences']}",
        _following(result["follow_a_10_km_circle"]),
        f"before: {before['entries']:,} entries took {before['request_seconds']} s; 25 subscriptions "
        f"≈ {before['writes_for_25_subscriptions']:,} writes ({before['batch_write_calls_for_25_subscriptions']:,} "
        "BatchWriteItem calls)",
    ]


def _following(f: dict[str, Any]) -> str:
    request = f["request"]
    return (
        f"follow a 10 km circle ({f['index_entries']:,} entries): request {request['status']} in {request['seconds']} s, "
        f"{request['writes']} write(s) {request['write_operations']}, indexed in the answer: {request['indexed_in_answer']}; "
        f"index built by {f['invocations_with_work']} invocations with work ({f['invocations']} in all, the rest "
        f"only dropping {f['stream_records']} records of entries, which FilterCriteria drops on AWS), the largest "
        f"{f['largest_invocation_batch_write_calls']} BatchWriteItem calls; indexed: {f['indexed']} after "
        f"{f['seconds_until_indexed']} s"
    )
