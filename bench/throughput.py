"""Notifications per second through the stream handler's fan-out and the delivery handler.

(a) ``in_memory``: the pure code cost. FanOut and Delivery wired by hand on the in-memory adapters
(``chalicelib.adapters.memory``), the real catalogue, reference data and jinja2 renderer. N case changes
(an ``ontgrondingsvergunning`` — public, so the follower is told too — set to ``besluit-genomen``), each
reaching 3 subscribers × 2 channels = 6 notifications: ``FanOut.handle_change(old, new, observed_at)``,
then ``Delivery.deliver(id)`` for every queued id. A few warm-up changes (template compilation) run first
and are not counted; objects that exist before the timed run are frozen out of the garbage collector
(``gc.freeze``), so the number does not depend on which benchmarks ran earlier in the same process.
Reported: notifications per second (median over repeats), the median µs per notification (per change:
fan-out plus its deliveries, divided by its notifications), the fan-out and delivery parts separately,
the in-memory "DynamoDB" work (subscription queries and items read per change), and peak memory from
tracemalloc in a separate, untimed pass (tracing slows the code down). The peak includes what the
in-memory stores keep (outbox, berichtenbox, sent e-mails), which grows with N.

(b) ``moto``: the same kind of changes through the real handlers — the status is set through the API, the
stream handler runs on the records read back from the moto stream, the delivery handler on the messages
read back from the moto queue (``devstack.runner``). Only the draining of stream and queue is timed. A
smaller N, because here moto's own speed dominates: ``share_of_time_in_aws_calls`` says how much of the
timed window was spent inside botocore/moto calls. Read these numbers as "the local stack can do at least
this", not as a prediction for AWS; compare commits with the AWS operation counts instead.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from bench.operations import (
    APPLICATION,
    FOLLOWER,
    PARTIES,
    PUBLIC_STATUSTYPE,
    PUBLIC_ZAAKTYPE,
    RUNNER,
    OperationCounter,
    moto_bench,
    tally,
)

IN_MEMORY_CHANGES = 500
IN_MEMORY_CHANGES_QUICK = 100
IN_MEMORY_REPEATS = 3
IN_MEMORY_REPEATS_QUICK = 1
WARMUP_CHANGES = 10
MOTO_CHANGES = 40
MOTO_CHANGES_QUICK = 10

MARK = "pu-mark-3f9a1c"
FATIMA = "pu-fatima-8d21e4"
JAN = "pu-jan-51c7b0"
ANNA_ID = "mdw-anna-bakker"
T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


# --- (a) in memory -------------------------------------------------------------------------------------


@dataclass
class InMemoryWorld:
    """FanOut and Delivery on in-memory adapters, with the case changes to feed them."""

    fanout: Any
    delivery: Any
    cases: Any
    subscriptions: Any
    queue: Any
    email: Any
    berichtenbox: Any
    changes: list[tuple[Any, Any]]


def build_world(changes: int, renderer: Any) -> InMemoryWorld:
    """``changes`` cases with two parties (automatic subscriptions) and one follower, each with its change."""
    from chalicelib import wiring
    from chalicelib.adapters.memory import InMemoryCases
    from chalicelib.config import local_settings
    from chalicelib.domain.cases import Location, Medewerker, StatusEntry, open_case, set_status
    from chalicelib.domain.language import Language
    from chalicelib.domain.subscriptions import (
        Channel,
        Indexed,
        Scope,
        Subscriber,
        Subscription,
        SubscriptionOrigin,
        SubscriptionState,
        automatic_subscriptions,
    )

    catalogue = wiring.catalogue_data()
    zaaktype = catalogue.get(PUBLIC_ZAAKTYPE)
    both = frozenset({Channel.EMAIL, Channel.PORTAL})
    settings = replace(
        local_settings(),
        portal_url="https://mijn.example.test",
        token_secret=b"bench-token-secret-of-at-least-32-bytes",
        notification_retention_days=30,
        claim_seconds=90,
    )
    graph = wiring.Services(wiring.Adapters.in_memory(settings).but(renderer=renderer))
    a = graph.adapters
    cases, subscriptions, subscribers = cast(InMemoryCases, a.cases), a.subscriptions, a.subscribers
    for subject, address in (
        (MARK, "mark.visser@example.org"),
        (FATIMA, "fatima.elamrani@example.org"),
        (JAN, "jan@example.org"),
    ):
        subscribers.put(Subscriber(subject, address, Language.NL, both, T0, quiet_hours=False))
    jan = subscribers.get(JAN)
    assert jan is not None
    pairs: list[tuple[Any, Any]] = []
    for number in range(changes):
        case = open_case(
            case_id=f"case-{number:06d}",
            case_number=f"{zaaktype.case_number_prefix}-2026-{number + 1:06d}",
            zaaktype=zaaktype,
            omschrijving="Benchmark",
            startdatum=date(2026, 10, 5),
            registered_at=T0,
            behandelaar=Medewerker(ANNA_ID, "Anna Bakker"),
            initiator=MARK,
            co_initiators=(FATIMA,),
            location=Location(("GM1581",)),
            first_status_id=f"status-{number:06d}-1",
        )
        case = replace(case, version=1)
        for indexed in automatic_subscriptions(case, T0):
            subscriptions.save(indexed)
        follower = Subscription(
            f"follow-{case.id}", JAN, Scope(case_id=case.id), SubscriptionOrigin.SELF, SubscriptionState.ACTIVE, T0
        )
        subscriptions.save(Indexed.of(follower))
        entry = StatusEntry(f"status-{number:06d}-2", PUBLIC_STATUSTYPE, T0 + timedelta(days=3), ANNA_ID)
        changed = replace(set_status(case, zaaktype, entry), version=2)
        cases.items[case.id] = changed
        pairs.append((case, changed))
    return InMemoryWorld(graph.fanout, graph.delivery, cases, subscriptions, a.queue, a.email, a.berichtenbox_store, pairs)


@dataclass(frozen=True)
class ChangeTiming:
    notifications: int
    fanout_ns: int
    delivery_ns: int


def process(world: InMemoryWorld, changes: Sequence[tuple[Any, Any]]) -> list[ChangeTiming]:
    timings = []
    for old, new in changes:
        started = time.perf_counter_ns()
        world.fanout.handle_change(old, new, T0 + timedelta(days=3))
        fanned_out = time.perf_counter_ns()
        ids = world.queue.drain()
        for notification_id in ids:
            world.delivery.deliver(notification_id)
        delivered = time.perf_counter_ns()
        timings.append(ChangeTiming(len(ids), fanned_out - started, delivered - fanned_out))
    return timings


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep every object that exists now out of the cyclic garbage collector's scans while timing.

    Without this the result depends on what ran before in the process: after the moto benchmarks the heap
    holds moto's state and botocore's models, and each full collection walks all of it (measured: ~15,000
    notifications/s alone, ~10,000 after the operations benchmark).
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _median_us(values: Sequence[float]) -> float:
    return round(statistics.median(values) / 1000, 1)


def in_memory(changes: int, repeats: int) -> dict[str, Any]:
    from chalicelib.adapters.templates import JinjaRenderer

    renderer = JinjaRenderer()
    throughputs: list[float] = []
    per_notification: list[float] = []
    fanout_per_notification: list[float] = []
    delivery_per_notification: list[float] = []
    last: InMemoryWorld | None = None
    notifications = 0
    for _ in range(repeats):
        world = build_world(WARMUP_CHANGES + changes, renderer)
        process(world, world.changes[:WARMUP_CHANGES])
        queries_before, items_before = world.subscriptions.queries, world.subscriptions.items_read
        sent_before = len(world.email.sent)
        with frozen_heap():
            timings = process(world, world.changes[WARMUP_CHANGES:])
        notifications = sum(t.notifications for t in timings)
        elapsed_ns = sum(t.fanout_ns + t.delivery_ns for t in timings)
        throughputs.append(notifications / (elapsed_ns / 1e9))
        per_notification.extend((t.fanout_ns + t.delivery_ns) / t.notifications for t in timings if t.notifications)
        fanout_per_notification.extend(t.fanout_ns / t.notifications for t in timings if t.notifications)
        delivery_per_notification.extend(t.delivery_ns / t.notifications for t in timings if t.notifications)
        last = world
    assert last is not None
    queries = last.subscriptions.queries - queries_before
    items_read = last.subscriptions.items_read - items_before

    # Peak memory in a separate pass: tracing costs time, so it never overlaps the timed runs.
    world = build_world(WARMUP_CHANGES + changes, renderer)
    process(world, world.changes[:WARMUP_CHANGES])
    tracemalloc.start()
    try:
        process(world, world.changes[WARMUP_CHANGES:])
        retained, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {
        "changes": changes,
        "repeats": repeats,
        "notifications": notifications,
        "notifications_per_change": round(notifications / changes, 2),
        "notifications_per_second": round(statistics.median(throughputs)),
        "notifications_per_second_runs": [round(t) for t in throughputs],
        "median_us_per_notification": _median_us(per_notification),
        "median_us_per_notification_fanout": _median_us(fanout_per_notification),
        "median_us_per_notification_delivery": _median_us(delivery_per_notification),
        "emails_sent": len(last.email.sent) - sent_before,
        "subscription_queries_per_change": round(queries / changes, 2),
        "subscription_items_read_per_change": round(items_read / changes, 2),
        "peak_memory_mib": round(peak / 2**20, 2),
        "retained_memory_mib": round(retained / 2**20, 2),
        "retained_bytes_per_notification": round(retained / notifications) if notifications else None,
    }


# --- (b) moto, through the real handlers ----------------------------------------------------------------


def through_moto(changes: int) -> dict[str, Any]:
    from chalicelib.adapters.dev_mailbox import read_mailbox

    counter = OperationCounter()
    with moto_bench(counter) as bench:
        with counter.in_phase("setup"):
            bench.register(*PARTIES, FOLLOWER)
            case_ids = [str(bench.create_case(PUBLIC_ZAAKTYPE)["id"]) for _ in range(changes)]
            for case_id in case_ids:
                bench.follow(case_id, FOLLOWER)
        with counter.in_phase("setup", RUNNER):
            bench.drain_stream()
            bench.drain_queue()
        with counter.in_phase("setup"):
            for case_id in case_ids:
                bench.set_status(case_id, PUBLIC_STATUSTYPE)
            mails_before = len(read_mailbox())

        started = time.perf_counter()
        records = bench.run_phase("stream", bench.drain_stream, polled=True)
        streamed = time.perf_counter()
        notifications = bench.run_phase("delivery", bench.drain_queue, polled=True)
        delivered = time.perf_counter()

        with counter.in_phase("verify"):
            emails = len(read_mailbox()) - mails_before
        metric_lines = bench.metric_lines()
    elapsed = delivered - started
    timed = [c for c in counter.calls if c.phase in ("stream", "delivery")]
    application = [c for c in timed if c.scope == APPLICATION]
    return {
        "changes": changes,
        "stream_records": records,
        "notifications": notifications,
        "emails_sent": emails,
        "seconds_stream": round(streamed - started, 3),
        "seconds_delivery": round(delivered - streamed, 3),
        "notifications_per_second": round(notifications / elapsed, 1) if elapsed else None,
        "aws_operations": tally(application),
        "aws_operations_per_notification": round(len(application) / notifications, 2) if notifications else None,
        "runner_operations": len(timed) - len(application),
        "share_of_time_in_aws_calls": round(sum(c.seconds for c in timed) / elapsed, 3) if elapsed else None,
        "note": "moto's own speed dominates: compare operation counts between commits, not these seconds",
        "emf_metric_lines_printed": metric_lines,
    }


def run(quick: bool = False) -> dict[str, Any]:
    return {
        "in_memory": in_memory(
            IN_MEMORY_CHANGES_QUICK if quick else IN_MEMORY_CHANGES, IN_MEMORY_REPEATS_QUICK if quick else IN_MEMORY_REPEATS
        ),
        "moto": through_moto(MOTO_CHANGES_QUICK if quick else MOTO_CHANGES),
    }


def summarize(result: dict[str, Any]) -> list[str]:
    memory = result["in_memory"]
    moto = result["moto"]
    return [
        f"in memory: {memory['changes']} changes × {memory['notifications_per_change']} notifications → "
        f"{memory['notifications_per_second']:,} notifications/s (runs {memory['notifications_per_second_runs']})",
        f"  median µs per notification {memory['median_us_per_notification']} "
        f"(fan-out {memory['median_us_per_notification_fanout']}, delivery {memory['median_us_per_notification_delivery']})",
        f"  per change: {memory['subscription_queries_per_change']} subscription queries, "
        f"{memory['subscription_items_read_per_change']} items read; {memory['emails_sent']} e-mails",
        f"  peak memory {memory['peak_memory_mib']} MiB (retained {memory['retained_memory_mib']} MiB, "
        f"{memory['retained_bytes_per_notification']} B per notification in the in-memory stores)",
        f"moto: {moto['changes']} changes → {moto['notifications']} notifications, {moto['emails_sent']} e-mails in "
        f"{moto['seconds_stream'] + moto['seconds_delivery']:.2f} s (stream {moto['seconds_stream']} s, "
        f"delivery {moto['seconds_delivery']} s) → {moto['notifications_per_second']} notifications/s",
        f"  {moto['aws_operations']['total']} AWS operations ({moto['aws_operations_per_notification']} per notification), "
        f"{moto['share_of_time_in_aws_calls']:.0%} of the time inside botocore/moto calls — {moto['note']}",
        f"  EMF metric lines printed although POWERTOOLS_METRICS_DISABLED=true: {moto['emf_metric_lines_printed']}",
    ]
