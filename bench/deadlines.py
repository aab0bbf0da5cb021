"""What keeping the servicenorm figures and watching deadlines cost, counted (in memory, operations as DynamoDB
would bill them; no clock is measured).

* ``servicenorms``: per kind of case change, the store operations ``ServicenormFigures.case_changed`` makes —
  a change that neither decides nor reopens (most), a decision, the same record again, a message on a decided
  case, a reopening.
* ``watch``: ``CASES`` open cases (``--quick``: 10,000), each with a servicenorm and a legal term and a third with a
  requested document due within 60 days: the entries the watch keeps, the busiest day, how many runs of at most
  ``WATCH_LIMIT`` entries that day takes, and per run the items read (entries, cases, subscribers) and written
  (notifications, alerts, removals). Only the busiest day is run.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

CASES = 100_000
CASES_QUICK = 10_000
START = date(2026, 9, 1)


def _servicenorms() -> dict[str, Any]:
    from chalicelib.adapters.memory import InMemoryCases, InMemoryServicenorms, InMemorySubscriptions
    from chalicelib.services.servicenorms import ServicenormFigures
    from tests.factories import a_case, catalogue

    class Counting(InMemoryServicenorms):
        def __init__(self) -> None:
            super().__init__()
            self.reads = 0

        def counted(self, case_id: str) -> Any:
            self.reads += 1
            return super().counted(case_id)

    store = Counting()
    figures = ServicenormFigures(store, InMemoryCases(InMemorySubscriptions()), catalogue())
    case = a_case(startdatum=START)
    decided = replace(case, closed_on=START + timedelta(days=40), version=2)
    steps = {
        "status on an open case": (case, replace(case, omschrijving="anders", version=2)),
        "decision": (case, decided),
        "the same record again": (case, decided),
        "message on a decided case": (decided, replace(decided, version=3)),
        "reopened": (replace(decided, version=3), replace(decided, closed_on=None, version=4)),
    }
    result = {}
    for name, (old, new) in steps.items():
        reads, writes = store.reads, store.writes
        figures.case_changed(old, new)
        result[name] = {"reads": store.reads - reads, "items_written": store.writes - writes}
    return result


def _watch(count: int) -> dict[str, Any]:
    from chalicelib import wiring
    from chalicelib.adapters.memory import InMemoryWatch
    from chalicelib.domain.cases import DocumentRequest
    from chalicelib.domain.watch import watch_entries
    from chalicelib.domain.workdays import AMSTERDAM
    from chalicelib.services.watch import WATCH_LIMIT
    from tests.factories import FixedClock, a_case, subscriber

    rng = random.Random(7)
    adapters = wiring.Adapters.in_memory(clock=FixedClock(datetime(2026, 9, 1, 8, tzinfo=UTC)))
    services = wiring.Services(adapters)
    watch_store: InMemoryWatch = adapters.watch  # type: ignore[assignment]
    per_day: Counter[date] = Counter()
    people = [f"pu-bench-{n:05d}" for n in range(2_000)]
    for person in people:
        adapters.subscribers.put(subscriber(person, f"{person}@example.org"))
    for number in range(count):
        case = a_case(
            startdatum=START + timedelta(days=rng.randrange(90)), version=0, initiator=rng.choice(people), co_initiators=()
        )
        if number % 3 == 0:
            due = case.startdatum + timedelta(days=rng.randrange(10, 60))
            requested = datetime.combine(case.startdatum, datetime.min.time(), UTC)
            case = replace(case, documents=(DocumentRequest(f"doc-{number}", "Begroting", requested, "mdw-anna-bakker", due),))
        stored = adapters.cases.create(case, ())
        entries = watch_entries(stored)
        watch_store.add(list(entries))
        per_day.update(e.on for e in entries)
    busiest, on_busiest = per_day.most_common(1)[0]

    class CountingCases:
        def __init__(self, inner: Any) -> None:
            self.inner, self.gets = inner, 0

        def get(self, case_id: str) -> Any:
            self.gets += 1
            return self.inner.get(case_id)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    runs = []
    moment = datetime(busiest.year, busiest.month, busiest.day, 8, tzinfo=AMSTERDAM).astimezone(UTC)
    clock = FixedClock(moment)
    counted_cases = CountingCases(adapters.cases)
    services = wiring.Services(adapters.but(clock=clock))
    from chalicelib.services.watch import DeadlineWatch

    watch = DeadlineWatch(watch_store, counted_cases, services.fanout, services.catalogue, clock)  # type: ignore[arg-type]
    while True:
        read_before, gets_before = watch_store.read, counted_cases.gets
        notifications_before = len(adapters.outbox.items)  # type: ignore[attr-defined]
        result = watch.run()
        if result.looked_at == 0:
            break
        runs.append(
            {
                "entries_read": watch_store.read - read_before,
                "cases_read": counted_cases.gets - gets_before,
                "reminders": result.reminders,
                "alerts": result.alerts,
                "lapsed": result.lapsed,
                "notifications_written": len(adapters.outbox.items) - notifications_before,  # type: ignore[attr-defined]
            }
        )
    largest = max(runs, key=lambda r: r["entries_read"] + r["cases_read"]) if runs else {}
    return {
        "open_cases": count,
        "entries_kept": sum(per_day.values()),
        "days_with_entries": len(per_day),
        "busiest_day_entries": on_busiest,
        "runs_until_caught_up": len(runs),  # the busiest day and the week before it (a run looks back a week)
        "watch_limit": WATCH_LIMIT,
        "largest_run": largest,
        "items_read_until_caught_up": sum(r["entries_read"] + r["cases_read"] for r in runs),
    }


def run(quick: bool = False) -> dict[str, Any]:
    from bench.operations import bench_environment

    with bench_environment():
        return {"servicenorms": _servicenorms(), "watch": _watch(CASES_QUICK if quick else CASES)}


def summarize(result: dict[str, Any]) -> list[str]:
    lines = ["servicenorm figures per case change (store reads / items written):"]
    for name, cost in result["servicenorms"].items():
        lines.append(f"  {name}: {cost['reads']} / {cost['items_written']}")
    watch = result["watch"]
    largest = watch["largest_run"]
    lines.append(
        f"watch at {watch['open_cases']:,} open cases: {watch['entries_kept']:,} entries over "
        f"{watch['days_with_entries']} days; busiest day {watch['busiest_day_entries']:,} entries"
    )
    lines.append(
        f"  it and the week before: {watch['runs_until_caught_up']} runs of at most {watch['watch_limit']} entries; "
        f"largest run: {largest.get('entries_read', 0)} entries + {largest.get('cases_read', 0)} cases read, "
        f"{largest.get('notifications_written', 0)} notifications written"
    )
    return lines
