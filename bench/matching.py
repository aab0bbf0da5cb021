"""Matching cost per event against a growing population of subscriptions: the interest index (one Query per
interest key of the event) next to a naive Scan-and-filter baseline.

Population (seeded, so every run builds the same one): subscribers spread over the 26 gemeenten by
population; subscriptions a mix of own cases (30 %), a topic anywhere (10 %), a gemeente (25 %, half of them
narrowed to one topic), a circle around a point (28 %: radius 500 m 35 %, 1 km 35 %, 2 km 20 %, 5 km 10 %;
half narrowed to a topic) and a polygon (7 %: a parcel-sized star-shaped polygon of 8–24 vertices, one in
five with a hole). About one subscriber in ten holds two or three subscriptions, so one person can be
reached through several interests. Sizes: 1,000, 10,000 and 100,000 subscriptions (``--quick``: 1,000 and
10,000).

Events (seeded, the same set at every size): public status changes of permit cases at a point (35 %),
announcements at a point (30 %) or over a parcel polygon (10 %), and private status changes of one case
(25 %), placed in gemeenten by population.

Per event, reported as median / 95th percentile / max over the events:
- ``queries``: DynamoDB Queries (one per interest key), plus BatchGetItem calls for polygon shapes;
- ``items_read``: index items returned, plus polygon definitions read for the exact test;
- ``rcu``: read capacity units as DynamoDB bills them (eventually consistent: 0.5 per started 4 KB per
  Query, at least 0.5; 0.5 per started 4 KB of each item of a BatchGetItem), from the size of every item
  read, computed with DynamoDB's item size rules from the stored attribute values;
- ``matched``: subscribers the event reaches, and ``over_read``: items read that did not lead to a match
  (cells near an area's edge, other topics in the same place);
- ``ms``: matching time (``FanOut.audience``: the reads and the exact filter; nothing is written).

The baseline stores one item per subscription and Scans them all for every event, testing each with
``chalicelib.domain.matching.reaches`` — the same rule the index implements, written out directly. For every
event the two must reach exactly the same subscribers; ``mismatches`` counts events where they did not.

``in_memory``: the in-memory adapters (the DynamoDB work counted as DynamoDB would do it). ``moto``: the
DynamoDB adapter against moto with the tables of infra/data.json, at 1,000 subscriptions and fewer events:
moto answers a Query by sorting every item of the table (about 1 s per Query at 90,000 items here), so its
times say nothing about DynamoDB, whose Query reads only the key's items. What moto does show is that the
real adapter makes the same number of Queries and reads the same items as counted in memory. The index's
size (items and bytes per kind of subscription) is reported too: areas are stored under every cell they
cover.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

SIZES = (1_000, 10_000, 100_000)
SIZES_QUICK = (1_000, 10_000)
MOTO_SIZES = (1_000,)
MOTO_SIZES_QUICK = (1_000,)
EVENTS = 300
EVENTS_QUICK = 120
MOTO_EVENTS = 30
MOTO_EVENTS_QUICK = 10
SEED = 2026
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TOPICS = ("subsidies", "vergunningen", "grondbeheer", "wegen-en-werkzaamheden", "natuur-en-landschap", "participatie-en-beleid")
RADII = ((500, 35), (1000, 35), (2000, 20), (5000, 10))
KB4 = 4096


# --- DynamoDB item sizes and read capacity ---------------------------------------------------------------


def value_size(value: dict[str, Any]) -> int:
    """Bytes of one attribute value, by DynamoDB's item size rules."""
    ((kind, content),) = value.items()
    return _SIZES[kind](content)


def _number_size(content: Any) -> int:
    digits = len(str(content).lstrip("-").replace(".", "").lstrip("0")) or 1
    return math.ceil(digits / 2) + 1


_SIZES: dict[str, Callable[[Any], int]] = {
    "S": lambda content: len(content.encode()),
    "N": _number_size,
    "B": len,
    "BOOL": lambda _: 1,
    "NULL": lambda _: 1,
    "SS": lambda content: sum(len(item.encode()) for item in content),
    "NS": lambda content: sum(_number_size(item) for item in content),
    "BS": lambda content: sum(len(item) for item in content),
    "L": lambda content: 3 + sum(value_size(item) + 1 for item in content),
    "M": lambda content: 3 + sum(len(name.encode()) + value_size(item) + 1 for name, item in content.items()),
}


def item_size(item: dict[str, dict[str, Any]]) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def query_rcu(sizes: list[int]) -> float:
    """One Query: its items' sizes summed, rounded up to 4 KB, half a unit each; at least half a unit."""
    return max(0.5, math.ceil(sum(sizes) / KB4) * 0.5)


def batch_get_rcu(sizes: list[int]) -> float:
    return sum(math.ceil(size / KB4) * 0.5 for size in sizes)


def scan_rcu(sizes: list[int], page_bytes: int = 1024 * 1024) -> float:
    """A Scan reads 1 MB pages; each page is billed like a Query."""
    total, page = 0.0, 0
    for size in sizes:
        if page + size > page_bytes:
            total += query_rcu([page])
            page = 0
        page += size
    return total + (query_rcu([page]) if page else 0.0)


# --- the population and the events ------------------------------------------------------------------------


@dataclass
class Population:
    subscriptions: list[Any]
    subscribers: dict[str, Any]
    cases: list[tuple[str, tuple[str, ...]]]  # case id, its parties
    kinds: dict[str, str]  # subscription id → kind


def _weighted(chooser: random.Random, pairs: tuple[tuple[int, int], ...]) -> int:
    return chooser.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


def _place(chooser: random.Random, gemeenten: list[Any]) -> tuple[Any, Any]:
    from chalicelib.domain.geo import destination

    gemeente = chooser.choices(gemeenten, weights=[g.population for g in gemeenten])[0]
    point = destination(gemeente.centre, chooser.uniform(0, 360), 3000 * math.sqrt(chooser.random()))
    return gemeente, point


def _polygon(chooser: random.Random, centre: Any, radius: float, with_hole: bool) -> Any:
    """A star-shaped (so simple) polygon around ``centre``, validated like the API validates one."""
    from chalicelib.domain.geo import destination, polygon_from_geojson

    count = chooser.randint(8, 24)
    step = 360 / count
    angles = [index * step + chooser.uniform(-0.3, 0.3) * step for index in range(count)]
    ring = [destination(centre, angle, radius * chooser.uniform(0.6, 1.0)) for angle in angles]
    rings = [[[p.lon, p.lat] for p in [*ring, ring[0]]]]
    if with_hole:
        hole = [destination(centre, angle, radius * 0.2) for angle in range(0, 360, 45)]
        rings.append([[p.lon, p.lat] for p in [*reversed(hole), hole[-1]]])
    return polygon_from_geojson({"type": "Polygon", "coordinates": rings})


def build_population(size: int, seed: int = SEED) -> Population:
    from chalicelib import wiring
    from chalicelib.domain.geo import Circle
    from chalicelib.domain.language import Language
    from chalicelib.domain.subscriptions import (
        Channel,
        Frequency,
        Scope,
        Subscriber,
        Subscription,
        SubscriptionOrigin,
        SubscriptionState,
    )

    chooser = random.Random(seed)
    gemeenten = list(wiring.reference_data().gemeenten())
    channel_sets = (frozenset({Channel.EMAIL}), frozenset({Channel.EMAIL, Channel.PORTAL}), frozenset({Channel.PORTAL}))
    subscribers: dict[str, Subscriber] = {}

    def new_subscriber() -> Subscriber:
        number = len(subscribers)
        subscriber = Subscriber(
            f"sub-{number:06d}",
            f"volger{number:06d}@example.org",
            chooser.choice([Language.NL, Language.NL, Language.NL, Language.EN]),
            chooser.choice(channel_sets),
            T0,
            frequency=chooser.choice([Frequency.IMMEDIATELY] * 6 + [Frequency.DAILY, Frequency.WEEKLY]),
        )
        subscribers[subscriber.id] = subscriber
        return subscriber

    case_count = max(1, size // 6)
    cases = [(f"case-{number:06d}", ()) for number in range(case_count)]
    parties: dict[str, list[str]] = {case_id: [] for case_id, _ in cases}
    subscriptions: list[Subscription] = []
    kinds: dict[str, str] = {}
    for number in range(size):
        subscriber = chooser.choice(list(subscribers.values())[-50:]) if subscribers and chooser.random() < 0.1 else None
        subscriber = subscriber or new_subscriber()
        roll = chooser.random()
        topic = frozenset({chooser.choice(TOPICS)})
        narrowed = topic if chooser.random() < 0.5 else frozenset()
        gemeente, point = _place(chooser, gemeenten)
        if roll < 0.30:
            case_id = chooser.choice(cases)[0]
            scope, kind = Scope(case_id=case_id), "case"
            parties[case_id].append(subscriber.id)
        elif roll < 0.40:
            scope, kind = Scope(topics=topic), "topic"
        elif roll < 0.65:
            scope, kind = Scope(topics=narrowed, gemeenten=frozenset({gemeente.code})), "gemeente"
        elif roll < 0.93:
            scope, kind = Scope(topics=narrowed, area=Circle(point, _weighted(chooser, RADII))), "circle"
        else:
            polygon = _polygon(chooser, point, chooser.uniform(300, 1500), chooser.random() < 0.2)
            scope, kind = Scope(topics=narrowed, area=polygon), "polygon"
        subscription = Subscription(
            f"s-{number:06d}", subscriber.id, scope, SubscriptionOrigin.SELF, SubscriptionState.ACTIVE, T0
        )
        subscriptions.append(subscription)
        kinds[subscription.id] = kind
    return Population(subscriptions, subscribers, [(c, tuple(parties[c])) for c, _ in cases], kinds)


@dataclass(frozen=True)
class BenchEvent:
    event: Any
    parties: tuple[str, ...]
    kind: str


def build_events(population: Population, count: int, seed: int = SEED + 1) -> list[BenchEvent]:
    from chalicelib import wiring
    from chalicelib.domain.events import CaseEvent, EventKind, Place

    chooser = random.Random(seed)
    gemeenten = list(wiring.reference_data().gemeenten())
    events: list[BenchEvent] = []
    for number in range(count):
        roll = chooser.random()
        gemeente, point = _place(chooser, gemeenten)
        at = T0 + timedelta(minutes=number)
        case_id, parties = chooser.choice(population.cases)
        if roll < 0.35:
            event = CaseEvent(
                f"e{number}", EventKind.STATUS_CHANGED, case_id, f"r{number}", at, True, "vergunningen",
                Place((gemeente.code,), point),
            )  # fmt: skip
            kind = "public case"
        elif roll < 0.65:
            event = CaseEvent(
                f"e{number}", EventKind.ANNOUNCEMENT, f"a{number}", f"a{number}", at, True, chooser.choice(TOPICS),
                Place((gemeente.code,), point),
            )  # fmt: skip
            kind = "announcement at a point"
        elif roll < 0.75:
            parcel = _polygon(chooser, point, chooser.uniform(150, 600), False)
            event = CaseEvent(
                f"e{number}", EventKind.ANNOUNCEMENT, f"a{number}", f"a{number}", at, True, chooser.choice(TOPICS),
                Place((gemeente.code,), parcel),
            )  # fmt: skip
            kind = "announcement over a parcel"
        else:
            event = CaseEvent(
                f"e{number}", EventKind.STATUS_CHANGED, case_id, f"r{number}", at, False, "subsidies",
                Place((gemeente.code,), point),
            )  # fmt: skip
            kind = "private case"
        events.append(BenchEvent(event, parties, kind))
    return events


# --- measuring ----------------------------------------------------------------------------------------------


@dataclass
class EventCost:
    kind: str
    queries: int
    items_read: int
    rcu: float
    matched: int
    ms: float


@dataclass
class Totals:
    costs: list[EventCost] = field(default_factory=list)
    mismatches: int = 0

    def summary(self) -> dict[str, Any]:
        def spread(values: list[float]) -> dict[str, float]:
            ordered = sorted(values)
            return {
                "median": round(statistics.median(ordered), 3),
                "p95": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 3),
                "max": round(ordered[-1], 3),
            }

        costs = self.costs
        return {
            "events": len(costs),
            "queries": spread([c.queries for c in costs]),
            "items_read": spread([c.items_read for c in costs]),
            "rcu": spread([c.rcu for c in costs]),
            "matched": spread([c.matched for c in costs]),
            "over_read": spread([c.items_read - c.matched for c in costs]),
            "ms": spread([c.ms for c in costs]),
            "by_kind": {
                kind: {
                    "events": len(group),
                    "items_read_median": statistics.median(c.items_read for c in group),
                    "matched_median": statistics.median(c.matched for c in group),
                }
                for kind in sorted({c.kind for c in costs})
                if (group := [c for c in costs if c.kind == kind])
            },
            "items_read_total": sum(c.items_read for c in costs),
            "matched_total": sum(c.matched for c in costs),
            "mismatches": self.mismatches,
        }


def _entry_size() -> Callable[[Any], int]:
    """Size of an index item as stored by the DynamoDB adapter (cached per subscription and key length)."""
    from chalicelib.adapters.dynamodb.mapping import entry_to_record

    cache: dict[tuple[str, int], int] = {}

    def size(entry: Any) -> int:
        key = (entry.subscription_id, len(entry.interest.key))
        if key not in cache:
            cache[key] = item_size(entry_to_record(entry).serialize())
        return cache[key]

    return size


def _definition_size(subscription: Any) -> int:
    from chalicelib.adapters.dynamodb.mapping import definition_to_record

    return item_size(definition_to_record(subscription).serialize())


class MeteredSubscriptions:
    """Wraps the in-memory repository: records the size of every item each Query and batch read returns."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.query_sizes: list[list[int]] = []
        self.batch_sizes: list[int] = []
        self.batches = 0
        self._entry_size = _entry_size()
        self._definition_sizes: dict[str, int] = {}

    def reset(self) -> None:
        self.query_sizes, self.batch_sizes, self.batches = [], [], 0

    def entries_of(self, interest_key: str) -> list[Any]:
        found = self.inner.entries_of(interest_key)
        self.query_sizes.append([self._entry_size(entry) for entry in found])
        return list(found)

    def definitions(self, subscription_ids: Any) -> dict[str, Any]:
        found = self.inner.definitions(subscription_ids)
        if subscription_ids:
            self.batches += math.ceil(len(subscription_ids) / 100)
        for subscription_id, definition in found.items():
            if subscription_id not in self._definition_sizes:
                self._definition_sizes[subscription_id] = _definition_size(definition)
            self.batch_sizes.append(self._definition_sizes[subscription_id])
        return dict(found)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _fanout(subscriptions: Any) -> Any:
    """Fan-out on in-memory adapters, matching through ``subscriptions`` (counted, in memory or on moto)."""
    from chalicelib import wiring

    return wiring.Services(wiring.Adapters.in_memory().but(subscriptions=subscriptions)).fanout


def _baseline_matches(definitions: list[Any], bench_event: BenchEvent) -> set[str]:
    from chalicelib.domain.matching import reaches

    return {s.subscriber_id for s in definitions if reaches(s, bench_event.event, parties=bench_event.parties)}


def _index(population: Population, subscriptions: Any) -> dict[str, Any]:
    """Write the population through the repository; return the index's size per kind of subscription."""
    from chalicelib.domain.subscriptions import Indexed

    size = _entry_size()
    items: Counter[str] = Counter()
    stored: Counter[str] = Counter()
    count: Counter[str] = Counter()
    for subscription in population.subscriptions:
        indexed = Indexed.of(subscription)
        subscriptions.save(indexed)
        kind = population.kinds[subscription.id]
        count[kind] += 1
        items[kind] += len(indexed.entries)
        stored[kind] += sum(size(entry) for entry in indexed.entries)
    return {
        "items": sum(items.values()),
        "bytes": sum(stored.values()),
        "items_per_subscription": {k: round(items[k] / count[k], 1) for k in sorted(count)},
        "bytes_per_subscription": {k: round(stored[k] / count[k]) for k in sorted(count)},
    }


def in_memory(size: int, events: int) -> dict[str, Any]:
    from chalicelib.adapters.memory import InMemorySubscriptions

    population = build_population(size)
    inner = InMemorySubscriptions()
    started = time.perf_counter()
    index = _index(population, inner)
    index["seconds_to_build"] = round(time.perf_counter() - started, 1)
    metered = MeteredSubscriptions(inner)
    fanout = _fanout(metered)
    definitions = population.subscriptions
    baseline_sizes = [_definition_size(s) for s in definitions]
    indexed, baseline = Totals(), Totals()
    for bench_event in build_events(population, events):
        metered.reset()
        started = time.perf_counter()
        recipients, queries = fanout.audience(bench_event.event, followers=bench_event.parties)
        ms = (time.perf_counter() - started) * 1000
        rcu = sum(query_rcu(sizes) for sizes in metered.query_sizes) + batch_get_rcu(metered.batch_sizes)
        read = sum(len(sizes) for sizes in metered.query_sizes) + len(metered.batch_sizes)
        found = {r.subscriber_id for r in recipients}
        indexed.costs.append(EventCost(bench_event.kind, queries + metered.batches, read, rcu, len(found), ms))

        started = time.perf_counter()
        expected = _baseline_matches(definitions, bench_event)
        ms = (time.perf_counter() - started) * 1000
        baseline.costs.append(
            EventCost(bench_event.kind, math.ceil(sum(baseline_sizes) / (1024 * 1024)), len(definitions),
                      scan_rcu(baseline_sizes), len(expected), ms)
        )  # fmt: skip
        if expected != found:
            indexed.mismatches += 1
    return {"index": index, "indexed": indexed.summary(), "baseline": baseline.summary()}


# --- moto ---------------------------------------------------------------------------------------------------


class ReadMeter:
    """Every DynamoDB read made through botocore while installed: operations, items, and their sizes."""

    def __init__(self) -> None:
        self.queries = 0
        self.batches = 0
        self.query_sizes: list[list[int]] = []
        self.batch_sizes: list[int] = []
        self.scan_sizes: list[int] = []
        self.scans = 0

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]

    @contextmanager
    def installed(self) -> Iterator[ReadMeter]:
        from botocore.client import BaseClient

        original = BaseClient._make_api_call
        meter = self

        def metering(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            result = original(client, operation_name, api_params)
            if operation_name == "Query":
                meter.queries += 1
                meter.query_sizes.append([item_size(item) for item in result.get("Items", [])])
            elif operation_name == "BatchGetItem":
                meter.batches += 1
                meter.batch_sizes.extend(item_size(i) for items in result.get("Responses", {}).values() for i in items)
            elif operation_name == "Scan":
                meter.scans += 1
                meter.scan_sizes.extend(item_size(item) for item in result.get("Items", []))
            return result

        BaseClient._make_api_call = metering
        try:
            yield self
        finally:
            BaseClient._make_api_call = original


def _baseline_table(session: Any, population: Population) -> str:
    """A table with one item per subscription: what Scan-and-filter reads."""
    from chalicelib.adapters.dynamodb.mapping import definition_to_record

    client = session.client("dynamodb")
    name = "baken-bench-baseline"
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    items = [definition_to_record(s).serialize() for s in population.subscriptions]
    for start in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": {**item, "pk": {"S": item["interest"]["S"]}}}} for item in items[start : start + 25]]
        client.batch_write_item(RequestItems={name: requests})
    return name


def _scan_definitions(session: Any, table: str) -> list[Any]:
    from chalicelib.adapters.dynamodb.mapping import record_to_definition
    from chalicelib.adapters.dynamodb.models import SubscriptionDefinitionRecord

    client = session.client("dynamodb")
    found, start = [], None
    while True:
        page = client.scan(TableName=table, **({"ExclusiveStartKey": start} if start else {}))
        for item in page["Items"]:
            item.pop("pk")
            found.append(record_to_definition(SubscriptionDefinitionRecord.from_raw_data(item)))
        start = page.get("LastEvaluatedKey")
        if not start:
            return found


def on_moto(size: int, events: int) -> dict[str, Any]:
    import boto3
    from moto import mock_aws

    from bench.operations import _quiet_moto, bench_environment
    from chalicelib import wiring
    from devstack.infra import create_data_stack

    population = build_population(size)
    with bench_environment(), mock_aws():
        session = boto3.Session(region_name="eu-west-1")
        with _quiet_moto():
            create_data_stack(session, "local")
        wiring.reset()
        started = time.perf_counter()
        index = _index(population, wiring.adapters().subscriptions)
        index["seconds_to_build"] = round(time.perf_counter() - started, 1)
        table = _baseline_table(session, population)
        fanout = _fanout(wiring.adapters().subscriptions)
        indexed, baseline = Totals(), Totals()
        meter = ReadMeter()
        with meter.installed():
            for bench_event in build_events(population, events):
                meter.reset()
                started = time.perf_counter()
                recipients, _ = fanout.audience(bench_event.event, followers=bench_event.parties)
                ms = (time.perf_counter() - started) * 1000
                found = {r.subscriber_id for r in recipients}
                read = sum(len(sizes) for sizes in meter.query_sizes) + len(meter.batch_sizes)
                rcu = sum(query_rcu(sizes) for sizes in meter.query_sizes) + batch_get_rcu(meter.batch_sizes)
                indexed.costs.append(EventCost(bench_event.kind, meter.queries + meter.batches, read, rcu, len(found), ms))

                meter.reset()
                started = time.perf_counter()
                definitions = _scan_definitions(session, table)
                expected = _baseline_matches(definitions, bench_event)
                ms = (time.perf_counter() - started) * 1000
                baseline.costs.append(
                    EventCost(bench_event.kind, meter.scans, len(meter.scan_sizes), scan_rcu(meter.scan_sizes),
                              len(expected), ms)
                )  # fmt: skip
                if expected != found:
                    indexed.mismatches += 1
        wiring.reset()
    return {"index": index, "indexed": indexed.summary(), "baseline": baseline.summary()}


def run(quick: bool = False) -> dict[str, Any]:
    from bench.operations import bench_environment

    events = EVENTS_QUICK if quick else EVENTS
    result: dict[str, Any] = {"events": events, "in_memory": {}, "moto": {}}
    with bench_environment():
        for size in SIZES_QUICK if quick else SIZES:
            result["in_memory"][str(size)] = in_memory(size, events)
    for size in MOTO_SIZES_QUICK if quick else MOTO_SIZES:
        result["moto"][str(size)] = on_moto(size, MOTO_EVENTS_QUICK if quick else MOTO_EVENTS)
    largest = str(max(int(k) for k in result["in_memory"]))
    at_largest = result["in_memory"][largest]
    result["items_read_ratio_baseline_to_index"] = {
        largest: round(at_largest["baseline"]["items_read_total"] / max(1, at_largest["indexed"]["items_read_total"]), 1)
    }  # over all events; the per-kind medians are in ["in_memory"][size]["indexed"]["by_kind"]
    return result


def summarize(result: dict[str, Any]) -> list[str]:
    lines = [f"per event, median (p95) over {result['events']} events; items = index items + polygon definitions read"]
    for where in ("in_memory", "moto"):
        for size, measured in result[where].items():
            indexed, baseline, index = measured["indexed"], measured["baseline"], measured["index"]

            def show(part: dict[str, Any], name: str) -> str:
                return f"{part[name]['median']:g} ({part[name]['p95']:g})"

            lines.append(
                f"{where} {int(size):>7,}: index: queries {show(indexed, 'queries')}, items {show(indexed, 'items_read')}, "
                f"rcu {show(indexed, 'rcu')}, matched {show(indexed, 'matched')}, {show(indexed, 'ms')} ms | "
                f"scan: items {show(baseline, 'items_read')}, rcu {show(baseline, 'rcu')}, {show(baseline, 'ms')} ms | "
                f"mismatches {indexed['mismatches']} | index {index['items']:,} items, {index['bytes'] / 1e6:.1f} MB"
            )
    for size, ratio in result["items_read_ratio_baseline_to_index"].items():
        lines.append(f"items read, baseline ÷ index at {int(size):,}: {ratio:,}× over all events; by kind of event:")
        for kind, part in result["in_memory"][size]["indexed"]["by_kind"].items():
            read = part["items_read_median"]
            lines.append(
                f"  {kind}: {part['events']} events, median items {read:g}, reached {part['matched_median']:g}, "
                f"baseline ÷ index {int(size) / max(read, 1):,.0f}×"
            )
    return lines
