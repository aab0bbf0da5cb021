"""Fan-out and the 07:00 digest in bounded units: how large is the largest piece of work any one invocation does?

(a) ``announcement_memory``: an approved announcement (topic ``subsidies`` in Utrecht) to 100,000 and 1,000,000
followers (``--quick``: 10,000), through the real services (``FanOut``, ``Jobs``) on the in-memory adapters. Every
follower follows the topic anywhere and every third also Utrecht, so a third is reached through two interest keys.
The stream invocation runs ``FanOut.handle_events``; then every job the jobs queue holds runs (``Jobs.run`` on the
JSON body), jobs queueing jobs, until none is left; finally the first job runs once more (a duplicate delivery).
The outbox and delivery queue are counting twins (the id of every notification, and per person how many), so a
million notifications fit in memory. Reported per invocation: entries read (the twin counts items as DynamoDB
would), notifications written and seconds; the largest of each; jobs; notifications per second over all
invocations run one after another; whether every follower has exactly one notification; the event's progress.

(b) ``announcement_moto``: the same with 10,000 followers (``--quick``: 1,000) on moto with the real adapters
(DynamoDB, the SQS jobs queue) and every AWS call counted (``bench.operations.OperationCounter``): per invocation
and in total, by ``service:Operation``. Receiving and deleting job messages stands in for Lambda's event source
mapping and is counted apart (``runner_operations``). The notifications table is read at the end (a Scan, outside
the counts) to check that every follower has exactly one notification.

(c) ``digest_memory``: 100,000 people (``--quick``: 10,000) with a daily digest, two held e-mails each, due at 07:00.
``DigestRun.schedule`` queues one job per shard (16); the shard jobs hand their people beyond the cap (500) to
group jobs. Reported: invocations, the largest (people) and the time of each job here, digests written, and
when the last digest is written and sent on AWS — *modelled*, not measured: a job takes its people × the operations
per digest counted on moto (d) × 5 ms, spread over the jobs function's concurrency (the event source mapping's
MaximumConcurrency, 50); sending is bounded by the deliver function's concurrency (20) × an assumed 150 ms per
e-mail. An announcement's time to tell everyone is modelled the same way (``model_on_aws``): its largest job's
notifications × the operations per notification counted on moto (b) × 5 ms, the pages of one key a 100 ms hop
apart. Every assumption is in the result.

(d) ``digest_moto``: 2,000 people (``--quick``: 200) on moto with a cap of 50 per job, operations counted.

Use ``python -m bench --only fanout --json`` for the result as JSON on standard output.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from bench.operations import RUNNER, OperationCounter, bench_environment, tally

TOPIC = "subsidies"
UTRECHT = "GM0344"
DAYTIME = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)  # Monday 11:00 in Utrecht: nothing waits for the morning
SEVEN = datetime(2026, 10, 6, 5, 0, tzinfo=UTC)  # Tuesday 07:00 in Utrecht (summer time)
JOBS_CONCURRENCY = 50  # infra/app.json: the jobs queue's MaximumConcurrency
DELIVERY_CONCURRENCY = 20  # infra/app.json: the delivery queue's MaximumConcurrency
SECONDS_PER_DELIVERY = 0.15  # assumed on AWS per e-mail: claim (GetItem, PutItem), SES SendEmail, record the outcome
SECONDS_PER_OPERATION = 0.005  # assumed on AWS per DynamoDB or SQS call made one after another by one invocation
SECONDS_PER_HOP = 0.1  # assumed: a page's Query, queueing its successor and Lambda receiving it


# --- the in-memory graph ---------------------------------------------------------------------------------


def _graph(*, unit: int | None = None, group: int | None = None) -> Any:
    from chalicelib import wiring
    from chalicelib.adapters.memory import InMemoryOutbox
    from chalicelib.config import local_settings
    from chalicelib.domain.notifications import Notification
    from chalicelib.services.ports import Clock, DeliveryQueue

    class Fixed(Clock):
        def __init__(self) -> None:
            self.at = DAYTIME

        def now(self) -> datetime:
            return self.at

    class CountingOutbox(InMemoryOutbox):
        """Keeps whole notifications only while held (the digest needs them); of the others, the id."""

        def __init__(self) -> None:
            super().__init__()
            self.ids: set[str] = set()
            self.per_person: Counter[str] = Counter()
            self.written = 0

        def add_if_absent(self, notification: Notification) -> bool:
            if notification.id in self.ids or notification.id in self.items:
                return False
            if notification.hold_until is not None:
                self.items[notification.id] = notification
            else:
                self.ids.add(notification.id)
            self.per_person[notification.subscriber_id] += 1
            self.written += 1
            return True

    class CountingQueue(DeliveryQueue):
        def __init__(self) -> None:
            self.queued = 0

        def enqueue(self, notifications: Sequence[Notification]) -> None:
            self.queued += len(notifications)

        def notification_id(self, body: str) -> str:
            return body

        def postpone(self, receipt: str, seconds: int) -> None:
            return None

    settings = replace(local_settings(), fanout_unit=unit or 1_000, digest_group=group or 500)
    clock = Fixed()
    adapters = wiring.Adapters.in_memory(settings, clock=clock).but(outbox=CountingOutbox(), queue=CountingQueue())
    return wiring.Services(adapters), clock


def _followers(subscriptions: Any, subscribers: Any, count: int) -> list[str]:
    """``count`` people following the topic anywhere by e-mail; every third also Utrecht (with the topic's index keys)."""
    from chalicelib.domain.language import Language
    from chalicelib.domain.subscriptions import Channel, Interest, Subscriber, SubscriptionEntry

    people = [f"pu-{n:07d}" for n in range(count)]
    anywhere, utrecht = Interest.topic_anywhere(TOPIC), Interest.gemeente(UTRECHT)
    for n, person in enumerate(people):
        subscribers.items[person] = Subscriber(
            person, f"{person}@example.org", Language.NL, frozenset({Channel.EMAIL}), DAYTIME, quiet_hours=False
        )
        for interest in (anywhere, utrecht) if n % 3 == 0 else (anywhere,):
            entry = SubscriptionEntry(interest, f"sub-{person}-{interest.kind.value}", person)
            subscriptions.entries[interest.key][f"{person}#{entry.subscription_id}"] = entry
    return people


def _announcement() -> Any:
    from chalicelib.domain.events import CaseEvent, EventKind, Place

    return CaseEvent(
        "ann-bench/announcement/ann-bench",
        EventKind.ANNOUNCEMENT,
        "ann-bench",
        "ann-bench",
        DAYTIME,
        True,
        TOPIC,
        Place((UTRECHT,)),
    )


def _invocation(name: str, entries: int, written: int, seconds: float) -> dict[str, Any]:
    return {"invocation": name, "entries_read": entries, "notifications_written": written, "seconds": round(seconds, 4)}


def _largest(invocations: list[dict[str, Any]]) -> dict[str, Any]:
    jobs = [i for i in invocations if i["invocation"] != "stream"] or invocations
    return {
        "entries_read": max(i["entries_read"] for i in invocations),
        "notifications_written": max(i["notifications_written"] for i in invocations),
        "seconds": max(i["seconds"] for i in invocations),
        "median_job_seconds": round(statistics.median(i["seconds"] for i in jobs), 4),
    }


def announcement_memory(followers: int) -> dict[str, Any]:
    from chalicelib.adapters.memory import InMemoryJobs, InMemorySubscriptions

    services, _ = _graph()
    adapters = services.adapters
    subscriptions = cast(InMemorySubscriptions, adapters.subscriptions)
    jobs = cast(InMemoryJobs, adapters.jobs)
    outbox: Any = adapters.outbox
    people = _followers(subscriptions, adapters.subscribers, followers)
    event = _announcement()
    invocations = []

    def measured(name: str, action: Any) -> None:
        read, written, started = subscriptions.items_read, outbox.written, time.perf_counter()
        action()
        invocations.append(
            _invocation(name, subscriptions.items_read - read, outbox.written - written, time.perf_counter() - started)
        )

    measured("stream", lambda: services.fanout.handle_events([event]))
    first: str | None = None
    while messages := jobs.drain():
        for body in messages:
            first = first or body
            measured("job", lambda body=body: services.jobs.run(body))
    duplicate_wrote = 0
    if first is not None:
        before = outbox.written
        services.jobs.run(first)
        duplicate_wrote = outbox.written - before
    per_person = outbox.per_person
    progress = adapters.progress.get(event.id)
    seconds = sum(i["seconds"] for i in invocations)
    return {
        "followers": followers,
        "index_entries": sum(len(v) for v in subscriptions.entries.values()),
        "longest_key_pages": math.ceil(max(len(v) for v in subscriptions.entries.values()) / 1_000),
        "invocations": len(invocations),
        "jobs": len(invocations) - 1,
        "stream_invocation": invocations[0],
        "largest": _largest(invocations),
        "notifications": outbox.written,
        "queued_for_delivery": adapters.queue.queued,
        "seconds_all_invocations": round(seconds, 2),
        "notifications_per_second": round(outbox.written / seconds) if seconds else None,
        "every_follower_exactly_once": len(per_person) == len(people) and set(per_person.values()) == {1},
        "duplicate_job_wrote": duplicate_wrote,
        "progress": None
        if progress is None
        else {"planned": progress.planned, "done": progress.done, "created": progress.created},
    }


def _held_item(person: str, n: int) -> Any:
    import hashlib

    from chalicelib.domain.events import EventKind
    from chalicelib.domain.language import Language
    from chalicelib.domain.matching import Audience
    from chalicelib.domain.notifications import Notification, NotificationStatus
    from chalicelib.domain.subscriptions import Channel

    return Notification(
        id=hashlib.sha256(f"{person}|{n}".encode()).hexdigest()[:32],
        event_id=f"ann-{n}/announcement/ann-{n}",
        event_kind=EventKind.ANNOUNCEMENT,
        case_id=f"ann-{n}",
        ref=f"ann-{n}",
        subscriber_id=person,
        channel=Channel.EMAIL,
        language=Language.NL,
        audience=Audience.FOLLOWER,
        status=NotificationStatus.HELD,
        created_at=DAYTIME,
        updated_at=DAYTIME,
        expires_at=DAYTIME + timedelta(days=30),
        hold_until=SEVEN,
    )


def _digest_model(job_people: Sequence[int], digests: int, operations_per_digest: float) -> dict[str, Any]:
    """When the last digest is written and when the last one is sent, on AWS. Each job takes its people × the
    operations per digest counted on moto × ``SECONDS_PER_OPERATION``; the jobs are spread greedily over the jobs
    function's concurrency, shard jobs first, then the group jobs they queue. Sending is bounded by the deliver
    function's concurrency × ``SECONDS_PER_DELIVERY``."""
    lanes = [0.0] * JOBS_CONCURRENCY
    for people in job_people:
        lane = lanes.index(min(lanes))
        lanes[lane] += people * operations_per_digest * SECONDS_PER_OPERATION
    written = max(lanes)
    sending = digests * SECONDS_PER_DELIVERY / DELIVERY_CONCURRENCY
    return {
        "assumptions": {
            "jobs_concurrency": JOBS_CONCURRENCY,
            "delivery_concurrency": DELIVERY_CONCURRENCY,
            "seconds_per_operation": SECONDS_PER_OPERATION,
            "operations_per_digest_from_moto": operations_per_digest,
            "seconds_per_delivery": SECONDS_PER_DELIVERY,
        },
        "largest_job_seconds": round(max(job_people) * operations_per_digest * SECONDS_PER_OPERATION, 1),
        "last_digest_written_after_seconds": round(written, 1),
        "last_digest_sent_after_seconds": round(max(written, sending), 1),
        "delivery_concurrency_for_07_15": math.ceil(digests * SECONDS_PER_DELIVERY / (15 * 60)),
    }


def _announcement_model(result: dict[str, Any], operations_per_notification: float) -> dict[str, Any]:
    """How long telling everyone takes on AWS: each job writes its notifications one after another
    (operations per notification counted on moto × ``SECONDS_PER_OPERATION``); the pages of one key follow each
    other a hop apart (a job queues the next page before telling its own); at most ``JOBS_CONCURRENCY`` at once."""
    job = result["largest"]["notifications_written"] * operations_per_notification * SECONDS_PER_OPERATION
    chain = result["longest_key_pages"] * SECONDS_PER_HOP
    spread = result["jobs"] * job / JOBS_CONCURRENCY
    return {
        "assumptions": {
            "jobs_concurrency": JOBS_CONCURRENCY,
            "seconds_per_operation": SECONDS_PER_OPERATION,
            "seconds_per_hop": SECONDS_PER_HOP,
            "operations_per_notification_from_moto": operations_per_notification,
        },
        "largest_job_seconds": round(job, 1),
        "all_told_after_seconds": round(max(chain, spread) + job, 1),
    }


def digest_memory(people: int, group: int = 500) -> dict[str, Any]:
    from chalicelib.adapters.memory import InMemoryJobs

    services, clock = _graph(group=group)
    adapters = services.adapters
    outbox: Any = adapters.outbox
    everyone = [f"pu-{n:07d}" for n in range(people)]
    for person in everyone:
        for n in range(2):
            outbox.add_if_absent(_held_item(person, n))
    outbox.written = 0
    clock.at = SEVEN
    jobs = cast(InMemoryJobs, adapters.jobs)
    started = time.perf_counter()
    scheduled = services.digest_run.schedule()
    schedule_seconds = time.perf_counter() - started
    runs: list[dict[str, Any]] = []
    while messages := jobs.drain():
        for body in messages:
            started = time.perf_counter()
            result = services.jobs.run(body)
            runs.append(
                {
                    "kind": result.kind,
                    "subscribers": result.subscribers,
                    "digests": result.digests,
                    "seconds": time.perf_counter() - started,
                }
            )
    digests = sum(r["digests"] for r in runs)
    seconds = [r["seconds"] for r in runs]
    return {
        "people": people,
        "held_items": 2 * people,
        "cap_per_job": group,
        "invocations": 1 + len(runs),
        "schedule": {"jobs_queued": scheduled, "seconds": round(schedule_seconds, 4)},
        "jobs": dict(Counter(r["kind"] for r in runs)),
        "largest": {"subscribers": max(r["subscribers"] for r in runs), "seconds": round(max(seconds), 3)},
        "median_job_seconds": round(statistics.median(seconds), 3),
        "digests": digests,
        "every_person_one_digest": digests == people,
        "job_people": [r["subscribers"] for r in runs],
    }


# --- moto ----------------------------------------------------------------------------------------------------


@contextmanager
def _moto(counter: OperationCounter, env: dict[str, str]) -> Iterator[tuple[Any, Any, Any]]:
    import boto3
    from moto import mock_aws

    from bench.operations import _quiet_moto
    from chalicelib import wiring
    from chalicelib.observability import logger
    from devstack.infra import create_data_stack

    with bench_environment(env), mock_aws(), counter.installed():
        session = boto3.Session(region_name="eu-west-1")
        with _quiet_moto():
            outputs = create_data_stack(session, "local")
        wiring.reset()
        logger().setLevel("WARNING")
        try:
            yield session, outputs, wiring.services()
        finally:
            wiring.reset()


def _run_jobs_on_sqs(counter: OperationCounter, sqs: Any, url: str, services: Any, phase: str) -> list[dict[str, Any]]:
    """Receive and run the jobs until the queue is empty; one phase per job (``<phase>.<n>``)."""
    done: list[dict[str, Any]] = []
    while True:
        with counter.in_phase(f"{phase}.receive", RUNNER):
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not messages:
            return done
        for message in messages:
            name = f"{phase}.{len(done)}"
            with counter.in_phase(name):
                started = time.perf_counter()
                result = services.jobs.run(message["Body"])
                seconds = time.perf_counter() - started
            with counter.in_phase(f"{phase}.receive", RUNNER):
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            done.append({"phase": name, "result": result, "seconds": seconds})


def _items_read(calls: Collection[Any]) -> int:
    return sum(c.items or 0 for c in calls if c.operation == "Query" and c.table == "subscriptions")


def announcement_moto(followers: int) -> dict[str, Any]:
    from chalicelib.adapters.dynamodb.mapping import subscriber_to_record
    from chalicelib.adapters.dynamodb.models import NotificationRecord, SubscriberRecord, SubscriptionEntryRecord
    from chalicelib.domain.language import Language
    from chalicelib.domain.subscriptions import Channel, Interest, Subscriber

    counter = OperationCounter()
    with _moto(counter, {}) as (session, outputs, built):
        # each follower's preferences in their subscriber record (e-mail at once, no quiet hours), where fan-out
        # reads them; the index entries hold only what matching needs
        with counter.in_phase("setup", RUNNER), SubscriberRecord.batch_write() as people:
            for n in range(followers):
                subscriber = Subscriber(
                    f"pu-{n:07d}", f"volger{n}@example.org", Language.NL, frozenset({Channel.EMAIL}), DAYTIME, quiet_hours=False
                )
                people.save(subscriber_to_record(subscriber, None))
        with counter.in_phase("setup", RUNNER), SubscriptionEntryRecord.batch_write() as batch:
            anywhere, utrecht = Interest.topic_anywhere(TOPIC), Interest.gemeente(UTRECHT)
            for n in range(followers):
                person = f"pu-{n:07d}"
                for interest in (anywhere, utrecht) if n % 3 == 0 else (anywhere,):
                    batch.save(
                        SubscriptionEntryRecord(
                            interest=interest.key,
                            member=f"{person}#sub-{person}-{interest.kind.value}",
                            subscription_id=f"sub-{person}-{interest.kind.value}",
                            subscriber_id=person,
                        )
                    )
        from chalicelib import wiring

        services = wiring.use(built.adapters.but(clock=_fixed_clock(DAYTIME)))
        event = _announcement()
        with counter.in_phase("stream"):
            started = time.perf_counter()
            told = services.fanout.handle_events([event])
            stream_seconds = time.perf_counter() - started
        jobs_url = outputs.values["JobsQueueUrl"]
        done = _run_jobs_on_sqs(counter, session.client("sqs"), jobs_url, services, "job")
        invocations = [_invocation("stream", told.entries, told.created + told.held, stream_seconds)] + [
            _invocation("job", d["result"].entries, d["result"].created + d["result"].held, d["seconds"]) for d in done
        ]
        phases = ["stream", *(d["phase"] for d in done)]
        operations = {phase: tally(counter.select(phase)) for phase in phases}
        with counter.in_phase("verify", RUNNER):
            per_person = Counter(r.subscriber_id for r in NotificationRecord.scan(NotificationRecord.event_id == event.id))
            progress = services.adapters.progress.get(event.id)
    every = [c for phase in phases for c in counter.select(phase)]
    total = len(every)
    written = sum(i["notifications_written"] for i in invocations)
    seconds = sum(i["seconds"] for i in invocations)
    largest_ops = max(operations.values(), key=lambda t: t["total"])
    return {
        "followers": followers,
        "invocations": len(invocations),
        "jobs": len(done),
        "largest": {**_largest(invocations), "operations": largest_ops["total"], "operations_detail": largest_ops["operations"]},
        "stream_invocation": {**invocations[0], "operations": operations["stream"]["total"]},
        "total_operations": total,
        "operations": tally(every)["operations"],
        "operations_per_notification": round(total / written, 3) if written else None,
        "items_read": _items_read(every),
        "runner_operations": len([c for c in counter.calls if c.scope == RUNNER and c.phase.startswith("job")]),
        "notifications": written,
        "notifications_per_second_on_moto": round(written / seconds, 1) if seconds else None,
        "every_follower_exactly_once": len(per_person) == followers and set(per_person.values()) == {1},
        "progress": None
        if progress is None
        else {"planned": progress.planned, "done": progress.done, "created": progress.created},
    }


def _fixed_clock(at: datetime) -> Any:
    from chalicelib.services.ports import Clock

    class Fixed(Clock):
        def now(self) -> datetime:
            return at

    return Fixed()


def digest_moto(people: int, group: int) -> dict[str, Any]:
    from chalicelib import wiring
    from chalicelib.adapters.dynamodb import mapping
    from chalicelib.adapters.dynamodb.models import NotificationRecord

    counter = OperationCounter()
    with _moto(counter, {"BAKEN_DIGEST_GROUP": str(group)}) as (session, outputs, built):
        with counter.in_phase("setup", RUNNER), NotificationRecord.batch_write() as batch:
            for n in range(people):
                for item in range(2):
                    batch.save(mapping.notification_to_record(_held_item(f"pu-{n:07d}", item)))
        services = wiring.use(built.adapters.but(clock=_fixed_clock(SEVEN)))
        with counter.in_phase("schedule"):
            scheduled = services.digest_run.schedule()
        done = _run_jobs_on_sqs(counter, session.client("sqs"), outputs.values["JobsQueueUrl"], services, "job")
        phases = ["schedule", *(d["phase"] for d in done)]
        operations = {phase: tally(counter.select(phase)) for phase in phases}
    digests = sum(d["result"].digests for d in done)
    largest = max(operations.values(), key=lambda t: t["total"])
    total = sum(t["total"] for t in operations.values())
    return {
        "people": people,
        "cap_per_job": group,
        "invocations": len(phases),
        "shard_jobs_queued": scheduled,
        "jobs": dict(Counter(d["result"].kind for d in done)),
        "schedule_operations": operations["schedule"]["operations"],
        "largest": {
            "subscribers": max(d["result"].subscribers for d in done),
            "operations": largest["total"],
            "operations_detail": largest["operations"],
        },
        "total_operations": total,
        "operations_per_digest": round(total / digests, 2) if digests else None,
        "digests": digests,
        "every_person_one_digest": digests == people,
    }


def run(quick: bool = False) -> dict[str, Any]:
    sizes = (10_000,) if quick else (100_000, 1_000_000)
    memory = {str(n): announcement_memory(n) for n in sizes}
    moto = announcement_moto(1_000 if quick else 10_000)
    for result in memory.values():
        result["model_on_aws"] = _announcement_model(result, moto["operations_per_notification"] or 0.0)
    digests = digest_memory(10_000 if quick else 100_000)
    digests_moto = digest_moto(200 if quick else 2_000, group=50)
    people = digests.pop("job_people")
    digests["model_on_aws"] = _digest_model(people, digests["digests"], digests_moto["operations_per_digest"] or 0.0)
    return {
        "description": "an announcement to N followers and the 07:00 digest, in bounded jobs: the largest invocation",
        "unit": 1_000,
        "announcement_memory": memory,
        "announcement_moto": moto,
        "digest_memory": digests,
        "digest_moto": digests_moto,
    }


def summarize(result: dict[str, Any]) -> list[str]:
    lines = []
    for size, r in result["announcement_memory"].items():
        largest = r["largest"]
        lines.append(
            f"announcement to {int(size):,} followers (memory): {r['invocations']} invocations ({r['jobs']} jobs), largest "
            f"{largest['entries_read']} entries read / {largest['notifications_written']} written / {largest['seconds']} s; "
            f"{r['notifications']:,} notifications, {r['notifications_per_second']:,}/s; every follower once: "
            f"{r['every_follower_exactly_once']}; duplicate job wrote {r['duplicate_job_wrote']}; progress {r['progress']}; "
            f"modelled on AWS: all told after {r['model_on_aws']['all_told_after_seconds']} s"
        )
    m = result["announcement_moto"]
    lines.append(
        f"announcement to {m['followers']:,} followers (moto): {m['invocations']} invocations, "
        f"largest {m['largest']['entries_read']} entries / {m['largest']['notifications_written']} written / "
        f"{m['largest']['operations']} operations; "
        f"{m['total_operations']:,} operations in all ({m['operations_per_notification']} per notification); "
        f"every follower once: {m['every_follower_exactly_once']}"
    )
    lines.append(f"  operations: {json.dumps(m['operations'])}")
    d = result["digest_memory"]
    model = d["model_on_aws"]
    lines.append(
        f"digest for {d['people']:,} people (memory): {d['invocations']} invocations {d['jobs']}, largest {d['largest']} "
        f"(cap {d['cap_per_job']}); {d['digests']:,} digests; "
        f"modelled on AWS: last written +{model['last_digest_written_after_seconds']} s, "
        f"last sent +{model['last_digest_sent_after_seconds']} s (delivery concurrency {DELIVERY_CONCURRENCY}; "
        f"{model['delivery_concurrency_for_07_15']} needed for 07:15)"
    )
    dm = result["digest_moto"]
    biggest = dm["largest"]
    lines.append(
        f"digest for {dm['people']:,} people (moto, cap {dm['cap_per_job']}): {dm['invocations']} invocations {dm['jobs']}, "
        f"largest {biggest['subscribers']} people / {biggest['operations']} operations; "
        f"{dm['total_operations']:,} operations ({dm['operations_per_digest']} per digest); "
        f"one digest each: {dm['every_person_one_digest']}"
    )
    return lines
