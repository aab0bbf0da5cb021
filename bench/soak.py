"""Soak run: thousands of case changes while one call in ten fails; what was lost, and what was sent twice.

The promise (docs RELIABILITY.md, issue 4 §3): 10,000 case changes for 1,000 subscribers with 10% of calls failing
at random points; nothing is lost and nothing is sent twice, except within the documented window of a crash after
SES accepted an e-mail, which delivery reports as a possible duplicate and which is counted here.

The workload (the same in both modes, drawn from one seed). Subscribers with e-mail and/or the berichtenbox, most
with quiet hours, some with a daily or weekly digest; a few follow a gemeente or the topic of the one public
zaaktype. A behandelaar opens cases (each creation is a change) and then changes them: new statuses (now and then
the final one, which closes the case) and messages to the applicants. When a request fails, she looks whether it
went through anyway and, if not, asks again two seconds later (at most five times), so the number of changes is
the number committed. Every request happens at its own moment of simulated time, spread over a window that crosses
07:00, when quiet hours end and digests go out. Once the cases exist (and their creations are fanned out), some
subscribers follow cases they are no party of.

The faults. While the changes are made, every call Baken makes to DynamoDB, SQS or SES fails with probability
``FAULT_RATE`` in one of three ways: ``refused`` (throttled or unavailable: the call did nothing), ``answer_lost``
(it took effect, but the caller got a timeout instead of the answer) and ``crash`` (it took effect, then the
process died: nothing after it runs and no ``except Exception`` sees it, like a Lambda timeout). Crashes are the
crashes between steps: after SES accepted an e-mail and before the outbox says delivered, after a notification
was written and before it was queued, after it was queued and before the stream checkpoint, after a claim, ...
Afterwards the faults stop and everything drains: simulated time runs on (days if a weekly digest waits) until
nothing is queued, held, waiting to be sent or waiting for the reconciler.

The platform, as AWS promises it and no better. The stream delivers each committed write once, in order per
case, at least once to the function; a failing record holds back the rest of its shard (ReportBatchItemFailures,
bisect on error, 10 retries, then the on-failure destination: ``devstack.runner.StreamPoller`` with the settings
of infra/app.json, the project's one model of Lambda's event source mapping). The delivery queue is FIFO: order
per message group, a group waits while one of its messages is in flight, a message not deleted comes back after
the visibility timeout (180 s) or the backoff delivery asked for, a duplicate deduplication id within five
minutes is dropped, and after 30 receives the message goes to the dead-letter queue (infra/data.json); a
``FifoWatch`` on the poller's client counts any message a queue hands out before an earlier one of its group
(moto's FIFO receive does so now and then: ``SQSBackend.receive_message`` skips a message that is visible again
while a later one of its group is still marked pending; the simulated queue does not). The platform polls every
5 simulated seconds (10 in the moto mode, where each poll costs real milliseconds). Two
schedules run every 15 simulated minutes (held e-mails, the reconciler with its 1 h and 72 h thresholds); a
failed run is retried twice, after one and two minutes, as Lambda does for asynchronous invocations.

(a) ``in_memory``: the real handlers (``app.handler_map``: stream, delivery; the scheduled functions) and through
them the real services (FanOut, Delivery, DigestRun, Reconciler, CaseCommands for the behandelaar's writes) on
the in-memory adapters of ``chalicelib.adapters.memory``, each port behind a ``FaultyPort``. The cases table
keeps a stream of its committed writes (images as the DynamoDB adapter stores them), read through a stand-in
``dynamodbstreams`` client; the queue is the real ``SqsDeliveryQueue`` adapter on a simulated FIFO queue. One
port call counts as one AWS call (a few ports make several requests in DynamoDB; they fail as one here).

(b) ``moto``: the real handlers on the moto stack, exactly as ``bench.operations.moto_bench`` wires them (the
behandelaar through the HTTP API and the Chalice test client), fewer subscribers and changes so that it takes a
few minutes. Faults come from botocore hooks on Baken's own clients (``before-call`` refuses, ``after-call``
loses the answer or crashes) — the pynamodb session, the SQS client and the SESv2 client — never on the runner's
clients, which stand in for Lambda. Baken's clock and moto's SQS clock are one simulated clock (as the
``simulated_time`` fixture of the integration tests does).

Ground truth. The expected notifications are computed from the changes that were committed — the final state of
the cases table: a write whose request failed before it committed expects nothing, one that committed although
its request failed does — and from the subscribers' channels and what they follow, with the matching rules
written out here (not Baken's index). Each (case, status entry or message, subscriber, channel) is compared with
what arrived: e-mails accepted by the e-mail provider (directly, or inside a digest) and berichtenbox messages.

Reported: expected, delivered, lost (expected, never delivered, and not visibly failed: a notification in
technical-, permanent- or temporary-failure, a message on the dead-letter queue or a change the stream gave up on
is visible and counted apart), duplicates (every delivery of a notification after its first; a digest sent twice
counts for each item in it) split into those delivery flagged ``possible_duplicate`` (the documented window) and
the rest by cause, the calls made and the faults injected by kind and by
call, crashes by point, per-case ordering (the first e-mail carrying each change of one case to one subscriber, in
the order the changes were made; violations by cause), and the simulated and wall time. Nothing is asserted: a
benchmark measures.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, ClassVar, TypeVar, cast

from chalicelib.domain.cases import Case
from chalicelib.domain.catalogue import Catalogue, Vertrouwelijkheid, Zaaktype
from chalicelib.domain.events import EventKind
from chalicelib.domain.identity import Principal, Role
from chalicelib.domain.language import Language
from chalicelib.domain.notifications import Notification, NotificationStatus
from chalicelib.domain.schedule import hold_until
from chalicelib.domain.subscriptions import (
    Channel,
    Frequency,
    Indexed,
    Scope,
    Subscriber,
    Subscription,
    SubscriptionOrigin,
    SubscriptionState,
)
from chalicelib.domain.workdays import AMSTERDAM
from chalicelib.services.ports import Clock, EmailRetryableError
from devstack.runner import QueuePoller, StreamPoller, StreamSettings

# --- what runs -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    subscribers: int
    cases: int
    updates: int
    interval: timedelta  # between two changes
    start: datetime  # the first change

    @property
    def changes(self) -> int:
        return self.cases + self.updates


def _local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM).astimezone(UTC)


MORNING = _local(2026, 10, 6, 7)  # Tuesday: quiet hours end, daily digests go out


def _around_morning(changes: int, interval: timedelta) -> datetime:
    return MORNING - interval * (changes // 2)


# (a) from Monday 14:00 until Tuesday morning, through the night: 10,000 changes, one every 7 s
IN_MEMORY = Sizes(1_000, 2_000, 8_000, timedelta(seconds=7), _local(2026, 10, 5, 14))
IN_MEMORY_QUICK = Sizes(200, 100, 400, timedelta(seconds=140), _local(2026, 10, 5, 14))
# (b) 1,000 changes, one every 10 s, around Tuesday 07:00
MOTO = Sizes(100, 200, 800, timedelta(seconds=10), _around_morning(1_000, timedelta(seconds=10)))
MOTO_QUICK = Sizes(30, 20, 60, timedelta(seconds=10), _around_morning(80, timedelta(seconds=10)))

FAULT_RATE = 0.10
REFUSED, ANSWER_LOST, CRASH = "refused", "answer_lost", "crash"
FAULT_MIX = {REFUSED: 0.7, ANSWER_LOST: 0.2, CRASH: 0.1}  # shares of the failing calls
SEED = 20261006

CHANNEL_MIX = (
    (frozenset({Channel.EMAIL, Channel.PORTAL}), 0.6),
    (frozenset({Channel.PORTAL}), 0.25),
    (frozenset({Channel.EMAIL}), 0.15),
)
FREQUENCY_MIX = ((Frequency.IMMEDIATELY, 0.8), (Frequency.DAILY, 0.15), (Frequency.WEEKLY, 0.05))
QUIET_HOURS_SHARE = 0.7
ENGLISH_SHARE = 0.1
PLACES = 6  # gemeenten the cases are in
PLACE_FOLLOWER_SHARE = 0.05  # subscribers following one gemeente (every topic)
TOPIC_FOLLOWER_SHARE = 0.01  # subscribers following the public zaaktype's topic anywhere
CASE_FOLLOWERS = 3  # at most this many people follow a case they are no party of
MESSAGE_SHARE = 0.25  # of the updates: a message to the applicants, else a new status
CLOSE_SHARE = 0.06  # of the status updates: the final status

TICK = timedelta(seconds=5)  # the platform polls this often (simulated)
MOTO_TICK = timedelta(seconds=10)  # in moto every poll costs milliseconds: half as often (backoffs start at 30 s)
SCHEDULE_EVERY = 900  # seconds: release_held_email and reconcile_notifications, rate(15 minutes)
ASYNC_RETRY_DELAYS = (60, 120)  # Lambda's two retries of a failed asynchronous invocation
DRAIN_LIMIT = timedelta(days=10)
MAX_TRIES = 10  # a behandelaar asks again after an error, at most this often
RETRY_AFTER = timedelta(seconds=2)
MAX_POLLS = 100_000
QUEUE_URL = "sim://baken-soak-delivery.fifo"
STREAM_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/baken-soak-cases/stream/2026-10-05T00:00:00.000"
STREAM_SHARDS = 4
BEHANDELAAR = Principal("mdw-soak-behandelaar", frozenset({Role.BEHANDELAAR}), name="Soak Behandelaar")
MOTO_BEHANDELAAR = "anna"
FAILED_STATES = {
    NotificationStatus.TECHNICAL_FAILURE,
    NotificationStatus.PERMANENT_FAILURE,
    NotificationStatus.TEMPORARY_FAILURE,
}
EXAMPLES = 5

SOAK, SETUP, DRAIN, BENCH = "soak", "setup", "drain", "bench"

T = TypeVar("T")


# --- faults --------------------------------------------------------------------------------------------------


class Crash(BaseException):
    """The process died right after a call took effect: nothing after it runs, no ``except Exception`` sees it."""


class InjectedFaultError(Exception):
    """A storage or queue call refused, or its answer lost: what a throttled or timed-out AWS call raises."""


class CrashedInvocationError(Exception):
    """What the event source mapping sees of an invocation whose process died: a function error."""


class Faults:
    """Decides, call by call, whether it fails and how (seeded), and counts calls and faults per phase.

    Calls fail only in the ``soak`` phase; in ``setup``, ``drain`` and ``bench`` (the benchmark reading state)
    they are only counted."""

    def __init__(self, rate: float, mix: Mapping[str, float], seed: int) -> None:
        self.rate = rate
        self._kinds = tuple(mix)
        self._weights = tuple(mix.values())
        self._rng = random.Random(seed)
        self.phase = SETUP
        self.calls: dict[str, Counter[str]] = defaultdict(Counter)  # phase → "service:call" → calls
        self.injected: Counter[str] = Counter()  # kind → faults
        self.by_call: dict[str, Counter[str]] = defaultdict(Counter)  # "service:call" → kind → faults
        self.by_reference: dict[str, list[str]] = defaultdict(list)  # e-mail reference → faults on its sends

    @contextmanager
    def in_phase(self, phase: str) -> Iterator[None]:
        previous, self.phase = self.phase, phase
        try:
            yield
        finally:
            self.phase = previous

    def draw(self, target: str, reference: str | None = None) -> str | None:
        """Count one call; the kind of fault it meets, or None."""
        self.calls[self.phase][target] += 1
        if self.phase != SOAK or self._rng.random() >= self.rate:
            return None
        kind = self._rng.choices(self._kinds, self._weights)[0]
        self.injected[kind] += 1
        self.by_call[target][kind] += 1
        if reference is not None:
            self.by_reference[reference].append(kind)
        return kind

    def call(self, target: str, function: Callable[..., T], args: Sequence[Any], kwargs: Mapping[str, Any], **how: Any) -> T:
        kind = self.draw(target, how.get("reference"))
        error: Callable[[str], Exception] = how["error"]
        # named as botocore names them: the e-mail adapter tells a refusal from a lost answer by the name
        if kind == REFUSED:
            raise error("ThrottlingException")
        result = function(*args, **kwargs)
        if kind == ANSWER_LOST:
            raise error("ReadTimeoutError")
        if kind == CRASH:
            raise Crash(target)
        return result

    def report(self) -> dict[str, Any]:
        soak_calls = self.calls.get(SOAK, Counter())
        total = sum(soak_calls.values())
        crashes = {t: k[CRASH] for t, k in self.by_call.items() if k[CRASH]}
        return {
            "rate": self.rate,
            "mix": dict(zip(self._kinds, self._weights, strict=True)),
            "calls_under_faults": total,
            "calls_under_faults_by_service": _by_service(soak_calls),
            "calls_while_draining": sum(self.calls.get(DRAIN, Counter()).values()),
            "faults_injected": sum(self.injected.values()),
            "fault_share": round(sum(self.injected.values()) / total, 4) if total else None,
            "faults_by_kind": dict(sorted(self.injected.items())),
            "faults_by_service": {
                service: dict(sorted(kinds.items())) for service, kinds in sorted(_kinds_by_service(self.by_call).items())
            },
            "faults_by_call": {t: dict(sorted(k.items())) for t, k in sorted(self.by_call.items())},
            "crashes_injected": self.injected[CRASH],
            "crashes_by_point": dict(sorted(crashes.items(), key=lambda item: -item[1])),
        }


def _by_service(calls: Counter[str]) -> dict[str, int]:
    services: Counter[str] = Counter()
    for target, n in calls.items():
        services[target.split(":", 1)[0]] += n
    return dict(sorted(services.items()))


def _kinds_by_service(by_call: Mapping[str, Counter[str]]) -> dict[str, Counter[str]]:
    services: dict[str, Counter[str]] = defaultdict(Counter)
    for target, kinds in by_call.items():
        services[target.split(":", 1)[0]].update(kinds)
    return services


class FaultyPort:
    """Stands in for a port and lets each call fail as ``faults`` decides. A call that would make no request
    in the real adapter (an empty batch) is passed through, neither counted nor failed."""

    def __init__(self, inner: Any, target: str, faults: Faults, **how: Any) -> None:
        self._inner = inner
        self._target = target
        self._faults = faults
        self._how = how

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name.startswith("_") or not callable(attribute):
            return attribute
        target = f"{self._target}.{name}"
        reference: Callable[[Mapping[str, Any]], str] | None = self._how.get("reference")

        def call(*args: Any, **kwargs: Any) -> Any:
            if args and all(_empty(a) for a in args):
                return attribute(*args, **kwargs)
            how = {"error": self._how.get("error", InjectedFaultError)}
            if reference is not None:
                how["reference"] = reference(kwargs)
            return self._faults.call(target, attribute, args, kwargs, **how)

        return call


def _empty(value: Any) -> bool:
    return isinstance(value, Collection) and not isinstance(value, str) and not value


def faulty(inner: T, target: str, faults: Faults, **how: Any) -> T:
    """``inner`` behind a FaultyPort, typed as ``inner`` for the constructors that take it."""
    return cast(T, FaultyPort(inner, target, faults, **how))


class BotocoreFaults:
    """The same faults for real botocore clients: a ``before-call`` hook refuses a call (a throttling error;
    nothing happens), an ``after-call`` hook loses the answer of a call that took effect (a read timeout) or
    crashes the process after it."""

    ERRORS: ClassVar[dict[str, tuple[str, int]]] = {
        "dynamodb": ("ThrottlingException", 400),
        "sqs": ("RequestThrottled", 403),
        "sesv2": ("TooManyRequestsException", 429),
    }

    def __init__(self, faults: Faults) -> None:
        self._faults = faults

    def install(self, events: Any, service: str) -> None:
        """Hook every call of ``service`` made through ``events`` (a client's ``meta.events`` or a botocore
        session, before it creates the client)."""
        events.register(f"before-parameter-build.{service}", self._remember_reference)
        events.register(f"before-call.{service}", self._before_call)
        events.register(f"after-call.{service}", self._after_call)

    @staticmethod
    def _remember_reference(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        for tag in params.get("EmailTags") or ():
            if tag.get("Name") == "notification":
                context["soak_reference"] = tag.get("Value")

    def _before_call(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        from botocore.exceptions import ClientError

        service = str(model.service_model.service_name)
        target = f"{service}:{model.name}"
        kind = self._faults.draw(target, context.get("soak_reference"))
        context["soak_fault"] = (kind, target)
        if kind == REFUSED:
            code, status = self.ERRORS[service]
            raise ClientError(
                {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": status}}, model.name
            )

    @staticmethod
    def _after_call(context: dict[str, Any], **_: Any) -> None:
        from botocore.exceptions import ReadTimeoutError

        kind, target = context.get("soak_fault", (None, ""))
        if kind == ANSWER_LOST:
            raise ReadTimeoutError(endpoint_url=f"https://{target}.injected")
        if kind == CRASH:
            raise Crash(target)


def _invocation(handler: Callable[[dict[str, Any], Any], Any], name: str, tally: Counter[str]) -> Callable[..., Any]:
    """A Lambda function as its event source mapping sees it: a crash is a function error."""

    def invoke(event: dict[str, Any], context: Any) -> Any:
        tally[f"{name}.invocations"] += 1
        try:
            return handler(event, context)
        except Crash:
            tally[f"{name}.crashed"] += 1
            raise CrashedInvocationError(name) from None
        except Exception:
            tally[f"{name}.function_errors"] += 1
            raise

    return invoke


@contextmanager
def _replaced(owner: Any, name: str, value: Any) -> Iterator[None]:
    original = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, original)


class DeliveryRecorder:
    """Stands in for ``wiring.delivery()``: the real Delivery, remembering which notifications it reported as
    possible duplicates before sending them (Baken only logs and counts them) and which found a claim to take
    over (an e-mail left ``sending`` by a worker that died), looked up beforehand without faults."""

    def __init__(self, delivery: Callable[[], Any], peek: Callable[[str], Notification | None], clock: Clock) -> None:
        self._delivery = delivery
        self._peek = peek
        self._clock = clock
        self.flagged: Counter[str] = Counter()
        self.takeovers: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter()

    def deliver(self, notification_id: str) -> Any:
        stored = self._peek(notification_id)
        if (
            stored is not None
            and stored.status is NotificationStatus.SENDING
            and stored.channel is not Channel.PORTAL
            and (stored.claimed_until is None or stored.claimed_until <= self._clock.now())
        ):
            self.takeovers[notification_id] += 1
        result = self._delivery().deliver(notification_id)
        self.outcomes[result.outcome.value] += 1
        return result

    def possible_duplicate(self, notification: Notification) -> None:
        """Delivery's report, made before it sends what may be a duplicate (``wiring._possible_duplicate``)."""
        from chalicelib.observability import count

        self.flagged[notification.id] += 1
        count("PossibleDuplicate")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._delivery(), name)


@contextmanager
def observed(recorder: DeliveryRecorder, metrics: Counter[str]) -> Iterator[None]:
    """Baken's metrics counted here, its log quiet (thousands of warnings are the point), deliveries recorded."""
    from chalicelib import observability, wiring

    def count(name: str, value: float = 1) -> None:
        metrics[name] += int(value)

    log = observability.logger()
    level = log.log_level
    log.setLevel("CRITICAL")
    try:
        with (
            _replaced(observability, "count", count),
            _replaced(wiring, "delivery", lambda: recorder),
            _replaced(wiring, "_possible_duplicate", recorder.possible_duplicate),
        ):
            yield
    finally:
        log.setLevel(level)


# --- simulated time and schedules ----------------------------------------------------------------------------


class SimulatedClock(Clock):
    """Baken's clock (and in the moto mode also moto's SQS clock): hours pass in a moment."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def epoch(self) -> float:
        return self.current.timestamp()

    def advance(self, by: timedelta) -> None:
        self.current += by

    def jump_to(self, moment: datetime) -> None:
        self.current = max(self.current, moment)


class Schedule:
    """A function on an EventBridge schedule (every 15 minutes), invoked asynchronously: a failed run is tried
    again after one and after two more minutes."""

    def __init__(self, name: str, function: Callable[[], Any], clock: SimulatedClock) -> None:
        self.name = name
        self._function = function
        self._clock = clock
        self._next = _next_mark(clock.epoch())
        self._retries: list[tuple[float, int]] = []
        self.tally: Counter[str] = Counter()

    def run_due(self) -> None:
        now = self._clock.epoch()
        if now >= self._next:
            self._next = _next_mark(now + 1)
            self._invoke(0)
        due = [r for r in self._retries if r[0] <= now]
        self._retries = [r for r in self._retries if r[0] > now]
        for _, attempt in due:
            self._invoke(attempt)

    def _invoke(self, attempt: int) -> None:
        self.tally["runs"] += 1
        try:
            self._function()
            return
        except Crash:
            self.tally["crashed"] += 1
        except Exception:  # noqa: BLE001 - a failed asynchronous invocation is retried by Lambda, not raised
            self.tally["failed"] += 1
        if attempt < len(ASYNC_RETRY_DELAYS):
            self._retries.append((self._clock.epoch() + ASYNC_RETRY_DELAYS[attempt], attempt + 1))
        else:
            self.tally["given_up"] += 1


class PlatformTime:
    """The ``time`` module as devstack's runner sees it in memory: a stream record's age (MaximumRecordAge) is
    measured on the simulated clock, like the records' creation times."""

    def __init__(self, clock: SimulatedClock) -> None:
        self._clock = clock
        self.monotonic = time.monotonic
        self.sleep = time.sleep

    def time(self) -> float:
        return self._clock.epoch()


def _next_mark(epoch: float) -> float:
    return math.ceil(epoch / SCHEDULE_EVERY) * SCHEDULE_EVERY


# --- the in-memory platform: a stream of the cases table, a FIFO queue ----------------------------------------


def _stream_record(event: str, sequence: int, at: datetime, old: Case | None, new: Case) -> dict[str, Any]:
    from chalicelib.adapters.dynamodb.mapping import case_to_record

    images: dict[str, Any] = {
        "ApproximateCreationDateTime": at,
        "Keys": {"case_id": {"S": new.id}},
        "NewImage": case_to_record(new).serialize(),
        "SequenceNumber": f"{sequence:021d}",
        "SizeBytes": 0,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        images["OldImage"] = case_to_record(old).serialize()
    return {"eventID": f"soak-{sequence}", "eventName": event, "eventVersion": "1.1", "dynamodb": images}


def streaming_cases(subscription_store: Any, clock: SimulatedClock, shards: int) -> Any:
    """The in-memory cases table with a DynamoDB stream: each committed write appears once, in its case's shard,
    with both images."""
    from chalicelib.adapters.memory import InMemoryCases

    class StreamingCases(InMemoryCases):
        def __init__(self) -> None:
            super().__init__(subscription_store)
            self.shards: dict[str, list[dict[str, Any]]] = {f"shardId-{i:04d}": [] for i in range(shards)}
            self._sequence = itertools.count(1)

        def create(self, case: Case, subscriptions: Sequence[Indexed]) -> Case:
            stored = super().create(case, subscriptions)
            self._write("INSERT", None, stored)
            return stored

        def save(self, case: Case, new_followers: Sequence[Indexed] = ()) -> Case:
            before = self.items.get(case.id)
            stored = super().save(case, new_followers)
            self._write("MODIFY", before, stored)
            return stored

        def _write(self, event: str, old: Case | None, new: Case) -> None:
            shard = f"shardId-{int(uuid.UUID(new.id)) % len(self.shards):04d}"
            self.shards[shard].append(_stream_record(event, next(self._sequence), clock.now(), old, new))

    return StreamingCases()


class StreamClient:
    """The three ``dynamodbstreams`` calls devstack's StreamPoller makes, on the in-memory table's stream."""

    def __init__(self, shards: Mapping[str, list[dict[str, Any]]]) -> None:
        self._shards = shards

    def describe_stream(self, *, StreamArn: str) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": shard} for shard in self._shards]}}

    def get_shard_iterator(
        self, *, StreamArn: str, ShardId: str, ShardIteratorType: str, SequenceNumber: str | None = None
    ) -> dict[str, Any]:
        position = 0
        if ShardIteratorType == "AT_SEQUENCE_NUMBER":
            sequences = [int(r["dynamodb"]["SequenceNumber"]) for r in self._shards[ShardId]]
            position = sequences.index(int(str(SequenceNumber)))
        return {"ShardIterator": f"{ShardId}|{position}"}

    def get_records(self, *, ShardIterator: str, Limit: int) -> dict[str, Any]:
        shard, _, position = ShardIterator.partition("|")
        records = self._shards[shard][int(position) : int(position) + Limit]
        return {"Records": records, "NextShardIterator": f"{shard}|{int(position) + len(records)}"}


class RecordingStreamPoller(StreamPoller):
    """devstack's StreamPoller, keeping the records it gives up on (its on-failure destination only gets their
    sequence numbers)."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.parked: list[tuple[str, dict[str, Any]]] = []

    def _to_failure_destination(self, shard: str, records: list[dict[str, Any]], condition: str) -> None:
        self.parked.extend((condition, record) for record in records)
        super()._to_failure_destination(shard, records, condition)


class FailureDestination:
    """Where the stream's on-failure destination messages go in memory; the operator's replay reads and
    deletes them (a message it received stays invisible for the rest of the replay)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._received: set[int] = set()

    def send_message(self, *, QueueUrl: str, MessageBody: str) -> dict[str, Any]:
        self.messages.append(json.loads(MessageBody))
        return {"MessageId": str(len(self.messages))}

    def receive_message(self, *, QueueUrl: str, MaxNumberOfMessages: int, **_: Any) -> dict[str, Any]:
        handles = [i for i, m in enumerate(self.messages) if m is not None and i not in self._received][:MaxNumberOfMessages]
        self._received.update(handles)
        return {"Messages": [{"Body": json.dumps(self.messages[i]), "ReceiptHandle": str(i)} for i in handles]}

    def delete_message(self, *, QueueUrl: str, ReceiptHandle: str) -> None:
        self.messages[int(ReceiptHandle)] = None  # type: ignore[call-overload]


@dataclass(eq=False)
class QueuedMessage:
    message_id: str
    body: str
    group: str
    deduplication_id: str
    sequence: int
    sent_at: float
    visible_at: float
    receive_count: int = 0
    receipt: str | None = None

    def in_flight(self, now: float) -> bool:
        return self.receipt is not None and self.visible_at > now


class SimulatedFifoQueue:
    """An SQS FIFO queue with a dead-letter queue on the simulated clock, answering the calls Baken's
    ``SqsDeliveryQueue`` (send_message_batch, change_message_visibility) and the runner's QueuePoller
    (receive_message, delete_message_batch) make. Kept: order within a message group; no message of a group is
    handed out while another of it is in flight; a message not deleted comes back after the visibility timeout
    or when ChangeMessageVisibility says; the same deduplication id in a group within five minutes is accepted
    and dropped; after ``max_receive_count`` receives a message goes to the dead-letter queue."""

    DEDUPLICATION_WINDOW = 300

    def __init__(self, clock: SimulatedClock, *, visibility_timeout: int, max_receive_count: int) -> None:
        self._clock = clock
        self._visibility = visibility_timeout
        self._max_receives = max_receive_count
        self._groups: dict[str, list[QueuedMessage]] = {}
        self._receipts: dict[str, QueuedMessage] = {}
        self._sent: dict[tuple[str, str], float] = {}
        self._ids = itertools.count(1)
        self.dead_letters: list[QueuedMessage] = []
        self.tally: Counter[str] = Counter()

    def send_message_batch(self, *, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        now = self._clock.epoch()
        successful = []
        for entry in Entries:
            group, deduplication_id = entry["MessageGroupId"], entry["MessageDeduplicationId"]
            number = next(self._ids)
            first = self._sent.get((group, deduplication_id))
            if first is not None and now - first < self.DEDUPLICATION_WINDOW:
                self.tally["deduplicated"] += 1
            else:
                self._sent[(group, deduplication_id)] = now
                message = QueuedMessage(f"m-{number}", entry["MessageBody"], group, deduplication_id, number, now, now)
                self._groups.setdefault(group, []).append(message)
                self.tally["sent"] += 1
            successful.append({"Id": entry["Id"], "MessageId": f"m-{number}", "MD5OfMessageBody": ""})
        return {"Successful": successful, "Failed": []}

    def change_message_visibility(self, *, QueueUrl: str, ReceiptHandle: str, VisibilityTimeout: int) -> None:
        message = self._receipts.get(ReceiptHandle)
        if message is None:
            raise InjectedFaultError("ReceiptHandleIsInvalid")  # what SQS says to a stale receipt
        message.visible_at = self._clock.epoch() + VisibilityTimeout

    def receive_message(self, *, QueueUrl: str, MaxNumberOfMessages: int = 1, **_: Any) -> dict[str, Any]:
        now = self._clock.epoch()
        taken: list[QueuedMessage] = []
        for group, messages in list(self._groups.items()):
            if len(taken) >= MaxNumberOfMessages:
                break
            if any(m.in_flight(now) for m in messages):
                continue
            for message in list(messages):
                if len(taken) >= MaxNumberOfMessages or message.visible_at > now:
                    break
                if message.receive_count >= self._max_receives:
                    self._remove(message)
                    self.dead_letters.append(message)
                    continue
                if message.receipt is not None:
                    self._receipts.pop(message.receipt, None)
                message.receive_count += 1
                message.receipt = f"{group}:{message.sequence}:{message.receive_count}"
                message.visible_at = now + self._visibility
                self._receipts[message.receipt] = message
                taken.append(message)
            if not self._groups.get(group):
                self._groups.pop(group, None)
        self.tally["received"] += len(taken)
        return {"Messages": [self._as_received(m) for m in taken]}

    def delete_message_batch(self, *, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        for entry in Entries:
            message = self._receipts.pop(entry["ReceiptHandle"], None)
            if message is not None:
                self._remove(message)
                self.tally["deleted"] += 1
        return {"Successful": [{"Id": e["Id"]} for e in Entries], "Failed": []}

    def pending(self) -> int:
        return sum(len(messages) for messages in self._groups.values())

    def _remove(self, message: QueuedMessage) -> None:
        messages = self._groups.get(message.group, [])
        if message in messages:
            messages.remove(message)
        if not messages:
            self._groups.pop(message.group, None)

    @staticmethod
    def _as_received(message: QueuedMessage) -> dict[str, Any]:
        return {
            "MessageId": message.message_id,
            "ReceiptHandle": message.receipt,
            "Body": message.body,
            "MD5OfBody": "",
            "Attributes": {
                "ApproximateReceiveCount": str(message.receive_count),
                "MessageGroupId": message.group,
                "MessageDeduplicationId": message.deduplication_id,
                "SentTimestamp": str(int(message.sent_at * 1000)),
                "SequenceNumber": str(message.sequence),
            },
            "MessageAttributes": {},
        }


class FifoWatch:
    """A queue client (moto's, or the simulated one) checked against what SQS FIFO promises: within a message
    group, nothing is handed out while an earlier message of the group was received and not yet deleted, unless
    that one comes first in the same batch. What it hands out too early is counted, and the messages overtaken
    are remembered."""

    def __init__(self, sqs: Any) -> None:
        self._sqs = sqs
        self._open: dict[str, dict[int, str]] = defaultdict(dict)  # group → sequence number → body
        self._receipts: dict[str, tuple[str, int]] = {}
        self.violations = 0
        self.overtaken: set[str] = set()

    def receive_message(self, **request: Any) -> Any:
        from chalicelib.adapters.sqs_queue import notification_id_from_body

        response = self._sqs.receive_message(**request)
        in_batch: set[tuple[str, int]] = set()
        for message in response.get("Messages", []):
            group = message["Attributes"]["MessageGroupId"]
            number = int(message["Attributes"]["SequenceNumber"])
            earlier = [n for n in self._open[group] if n < number and (group, n) not in in_batch]
            if earlier:
                self.violations += 1
                self.overtaken.update(notification_id_from_body(self._open[group][n]) for n in earlier)
            in_batch.add((group, number))
            self._open[group][number] = message["Body"]
            self._receipts[message["ReceiptHandle"]] = (group, number)
        return response

    def delete_message_batch(self, **request: Any) -> Any:
        for entry in request["Entries"]:
            group, number = self._receipts.pop(entry["ReceiptHandle"], ("", 0))
            self._open.get(group, {}).pop(number, None)
        return self._sqs.delete_message_batch(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sqs, name)


# --- the workload ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Following:
    """Something a subscriber follows besides their own cases, from ``since`` on."""

    subscriber_id: str
    scope: Scope
    since: datetime


@dataclass(frozen=True)
class CaseSpec:
    zaaktype: str
    initiator: str
    co_initiators: tuple[str, ...]
    gemeenten: tuple[str, ...]


class Workload:
    """Everything that happens, drawn from one seed: the subscribers, what they follow, and the changes."""

    def __init__(self, sizes: Sizes, seed: int, catalogue: Catalogue, places: Sequence[str]) -> None:
        self._rng = random.Random(seed)
        self._catalogue = catalogue
        self.places = list(places)
        self.zaaktypen: list[Zaaktype] = sorted(catalogue, key=lambda z: z.identificatie)
        public = [z for z in self.zaaktypen if z.publicatie_indicatie]
        self.public_topic = public[0].onderwerp if public else None
        joined = sizes.start - timedelta(days=30)
        self.subscribers = [self._subscriber(number, joined) for number in range(sizes.subscribers)]
        self.by_id = {s.id: s for s in self.subscribers}
        self.following: list[Following] = []
        self.interest_subscriptions: list[Indexed] = []
        for subscriber in self.subscribers:
            draw = self._rng.random()
            if draw < PLACE_FOLLOWER_SHARE:
                self._follow(subscriber, Scope(gemeenten=frozenset({self._rng.choice(self.places)})), joined)
            elif draw < PLACE_FOLLOWER_SHARE + TOPIC_FOLLOWER_SHARE and self.public_topic:
                self._follow(subscriber, Scope(topics=frozenset({self.public_topic})), joined)
        self.messages = 0

    def _subscriber(self, number: int, joined: datetime) -> Subscriber:
        rng = self._rng
        channels = rng.choices([c for c, _ in CHANNEL_MIX], [w for _, w in CHANNEL_MIX])[0]
        frequency = rng.choices([f for f, _ in FREQUENCY_MIX], [w for _, w in FREQUENCY_MIX])[0]
        subject = f"soak-{number:05d}"
        return Subscriber(
            subject,
            f"{subject}@example.org" if Channel.EMAIL in channels else None,
            Language.EN if rng.random() < ENGLISH_SHARE else Language.NL,
            channels,
            joined,
            frequency=frequency,
            quiet_hours=rng.random() < QUIET_HOURS_SHARE,
        )

    def _follow(self, subscriber: Subscriber, scope: Scope, since: datetime) -> Indexed:
        subscription = Subscription(
            f"soak-follow-{len(self.following):06d}",
            subscriber.id,
            scope,
            SubscriptionOrigin.SELF,
            SubscriptionState.ACTIVE,
            since,
        )
        self.following.append(Following(subscriber.id, scope, since))
        indexed = Indexed.of(subscription, subscriber.preferences)
        self.interest_subscriptions.append(indexed)
        return indexed

    def new_case(self) -> CaseSpec:
        rng = self._rng
        initiator, *co_initiators = rng.sample(self.subscribers, 1 + rng.choice((0, 0, 1, 1, 2)))
        gemeenten = rng.sample(self.places, 2 if rng.random() < 0.2 else 1)
        zaaktype = rng.choice(self.zaaktypen).identificatie
        return CaseSpec(zaaktype, initiator.id, tuple(s.id for s in co_initiators), tuple(gemeenten))

    def follows(self, cases: Sequence[Case], since: datetime) -> list[Indexed]:
        """Some people follow cases they are no party of (only public news of those reaches them)."""
        made = []
        for case in cases:
            others = [s for s in self._rng.sample(self.subscribers, CASE_FOLLOWERS) if s.id not in case.followers]
            for subscriber in others[: self._rng.randint(0, CASE_FOLLOWERS)]:
                made.append(self._follow(subscriber, Scope(case_id=case.id), since))
        return made

    def pick(self, open_ids: Sequence[str]) -> str:
        return self._rng.choice(open_ids)

    def update(self, case: Case) -> tuple[str, str]:
        """("message", text) or ("status", statustype): what the behandelaar does next to ``case``."""
        rng = self._rng
        if rng.random() < MESSAGE_SHARE:
            self.messages += 1
            return "message", f"Bericht {self.messages} over uw zaak."
        zaaktype = self._catalogue.get(case.zaaktype)
        current = case.current_status.statustype
        final = [s.identificatie for s in zaaktype.statustypen if s.is_eindstatus]
        others = [s.identificatie for s in zaaktype.statustypen if not s.is_eindstatus and s.identificatie != current]
        if final and (not others or rng.random() < CLOSE_SHARE):
            return "status", final[0]
        return "status", rng.choice(others)


# --- driving a harness ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinalState:
    cases: list[Case]
    notifications: dict[str, Notification]
    emails: list[str]  # the reference of each e-mail the provider accepted, in the order sent
    inbox: list[str]  # the notification of each berichtenbox message
    dead_letters: list[str]  # notification ids on the delivery dead-letter queue
    parked: list[dict[str, Any]]  # stream records given up on (on-failure destination)
    overtaken: set[str]  # notifications whose queue message a later one of its group overtook (FifoWatch)


@dataclass(frozen=True)
class Request:
    kind: str
    at: datetime
    outcome: str  # ok, failed, crashed


class Harness:
    """What the two modes share: the clock, the faults, the schedules and how time passes."""

    clock: SimulatedClock
    faults: Faults
    schedules: list[Schedule]
    tick_every: timedelta = TICK

    # the behandelaar, subscribers, and reading state (overridden per mode)
    def create_case(self, spec: CaseSpec) -> bool:
        raise NotImplementedError

    def set_status(self, case_id: str, statustype: str) -> bool:
        raise NotImplementedError

    def post_message(self, case_id: str, text: str) -> bool:
        raise NotImplementedError

    def case(self, case_id: str) -> Case:
        raise NotImplementedError

    def cases(self) -> list[Case]:
        raise NotImplementedError

    def put_subscriber(self, subscriber: Subscriber) -> None:
        raise NotImplementedError

    def save_subscription(self, indexed: Indexed) -> None:
        raise NotImplementedError

    stream: RecordingStreamPoller
    queue: QueuePoller

    def pump(self) -> None:
        """Let the stream and the queue process everything that is due now."""
        for _ in range(MAX_POLLS):
            moved = self.stream.poll_once()
            while handled := self.queue.poll_once():
                moved += handled
            if not moved and not self.stream.pending():
                return
        raise RuntimeError("the platform did not settle")

    def busy(self) -> bool:
        """Records or messages still waiting in the stream or the queue."""
        raise NotImplementedError

    def notifications(self) -> dict[str, Notification]:
        raise NotImplementedError

    def peek(self, notification_id: str) -> Notification | None:
        """One notification as stored, read without faults."""
        raise NotImplementedError

    def final_state(self) -> FinalState:
        raise NotImplementedError

    def platform(self) -> dict[str, Any]:
        raise NotImplementedError

    def failure_queue(self) -> tuple[Any, Any, str]:
        """The stream failure queue's client, the streams client and the queue's URL."""
        raise NotImplementedError

    # shared
    def replay_stream(self) -> dict[str, Any]:
        """``make replay-stream``: the operator's replay of the changes the stream gave up on."""
        from dataclasses import asdict

        from chalicelib.ops import replay_stream_failures

        sqs, streams, url = self.failure_queue()
        return asdict(replay_stream_failures(sqs, streams, url))

    def tick(self) -> None:
        for schedule in self.schedules:
            schedule.run_due()
        self.pump()

    def advance_to(self, moment: datetime) -> None:
        while self.clock.now() < moment:
            self.clock.advance(min(self.tick_every, moment - self.clock.now()))
            self.tick()

    def ask(self, kind: str, action: Callable[[], bool], case_id: str | None, requests: list[Request]) -> bool:
        """What a behandelaar does: ask; after an error look whether it went through anyway, and if not ask
        again a moment later (at most ``MAX_TRIES`` times). True once the change is committed."""
        for _ in range(MAX_TRIES):
            request = self.attempt(kind, action)
            requests.append(request)
            if request.outcome == "ok":
                return True
            with self.faults.in_phase(BENCH):
                if self.committed_at(case_id, request.at):
                    return True
            self.advance_to(self.clock.now() + RETRY_AFTER)
        return False

    def committed_at(self, case_id: str | None, at: datetime) -> bool:
        """Whether the change asked for at ``at`` committed: a case registered then, or a status or message of
        ``case_id`` made then (every request has its own moment)."""
        if case_id is None:
            return any(c.registered_at == at for c in self.cases())
        case = self.case(case_id)
        return any(s.set_at == at for s in case.statuses) or any(m.posted_at == at for m in case.messages)

    def attempt(self, kind: str, action: Callable[[], bool]) -> Request:
        at = self.clock.now()
        try:
            return Request(kind, at, "ok" if action() else "failed")
        except Crash:
            return Request(kind, at, "crashed")
        except Exception:  # noqa: BLE001 - the behandelaar sees an error page; what committed is read back later
            return Request(kind, at, "failed")

    def drain(self) -> dict[str, Any]:
        """Faults off: let simulated time run until nothing is queued, held, being sent or waiting for the
        reconciler, jumping ahead while nothing moves."""
        began, jumps = self.clock.now(), 0
        while self.clock.now() - began < DRAIN_LIMIT:
            self.tick()
            if self.busy():
                self.clock.advance(self.tick_every)
                continue
            due = next_due(self.notifications().values())
            if due is None:
                return {"simulated_hours": _hours(self.clock.now() - began), "jumps": jumps, "settled": True}
            target = max(due, self.clock.now() + timedelta(seconds=1))
            self.clock.jump_to(datetime.fromtimestamp(_next_mark(target.timestamp()), UTC))
            jumps += 1
        return {"simulated_hours": _hours(self.clock.now() - began), "jumps": jumps, "settled": False}


def next_due(notifications: Collection[Notification]) -> datetime | None:
    """When the schedules will next have something to do: a hold ending, a notification becoming stuck."""
    from chalicelib.services.reconciler import STUCK_CREATED, STUCK_SENDING

    second = timedelta(seconds=1)
    moments = []
    for n in notifications:
        if n.status is NotificationStatus.HELD and n.hold_until is not None:
            moments.append(n.hold_until)
        elif n.status is NotificationStatus.CREATED:
            moments.append(n.updated_at + STUCK_CREATED + second)
        elif n.status is NotificationStatus.SENDING:
            moments.append(n.updated_at + STUCK_SENDING + second)
    return min(moments, default=None)


def _hours(span: timedelta) -> float:
    return round(span.total_seconds() / 3600, 2)


def soak(h: Harness, workload: Workload, sizes: Sizes, catalogue: Catalogue) -> dict[str, Any]:
    """Setup, the changes under faults, the drain, and the comparison with what should have arrived."""
    from chalicelib import wiring

    recorder, metrics = DeliveryRecorder(wiring.delivery, h.peek, h.clock), Counter[str]()
    with observed(recorder, metrics):
        result = _soak(h, workload, sizes, catalogue, recorder)
    return {**result, "metrics": dict(sorted(metrics.items()))}


def _soak(h: Harness, workload: Workload, sizes: Sizes, catalogue: Catalogue, recorder: DeliveryRecorder) -> dict[str, Any]:
    faults, clock = h.faults, h.clock
    started = time.perf_counter()
    with faults.in_phase(SETUP):
        for subscriber in workload.subscribers:
            h.put_subscriber(subscriber)
        for indexed in workload.interest_subscriptions:
            h.save_subscription(indexed)
    requests: list[Request] = []
    given_up = 0
    moment = sizes.start
    with faults.in_phase(SOAK):
        for _ in range(sizes.cases):
            h.advance_to(moment)
            given_up += not h.ask("create", partial(h.create_case, workload.new_case()), None, requests)
            moment = max(moment + sizes.interval, clock.now() + RETRY_AFTER)
        h.advance_to(moment)  # every creation is fanned out before anyone follows a case
    with faults.in_phase(BENCH):
        cases = h.cases()
        for indexed in workload.follows(cases, clock.now()):
            h.save_subscription(indexed)
    open_ids = sorted(c.id for c in cases if not c.is_closed)
    with faults.in_phase(SOAK):
        made = 0
        while made < sizes.updates and open_ids:
            case_id = workload.pick(open_ids)
            with faults.in_phase(BENCH):
                case = h.case(case_id)  # the behandelaar looks at the case first
            if case.is_closed:
                open_ids.remove(case_id)
                continue
            h.advance_to(moment)
            kind, value = workload.update(case)
            action = partial(h.post_message if kind == "message" else h.set_status, case_id, value)
            given_up += not h.ask(kind, action, case_id, requests)
            moment = max(moment + sizes.interval, clock.now() + RETRY_AFTER)
            made += 1
        h.advance_to(moment)
    soaked = time.perf_counter()
    soak_span = clock.now() - sizes.start
    with faults.in_phase(DRAIN):
        drained = h.drain()
    with faults.in_phase(BENCH):
        evaluation = evaluate(h.final_state(), workload, catalogue, recorder, faults)
    with faults.in_phase(DRAIN):
        # then the operator, the faults gone, replays the changes the stream gave up on
        replayed = h.replay_stream()
        drained_again = h.drain()
    finished = time.perf_counter()
    with faults.in_phase(BENCH):
        state = h.final_state()
        replayed["after"] = _after_replay(evaluate(state, workload, catalogue, recorder, faults))
    return {
        "subscribers": sizes.subscribers,
        "changes": {**changes_report(requests, state.cases), "given_up_after_tries": given_up},
        **evaluation,
        "faults": faults.report(),
        "platform": h.platform(),
        "deliveries_reported": dict(sorted(recorder.outcomes.items())),
        "simulated": {
            "start": sizes.start.isoformat(),
            "soak_hours": _hours(soak_span),
            "drain": drained,
            "drain_after_replay": drained_again,
        },
        "operator_replay": replayed,
        "wall_seconds": {
            "soak": round(soaked - started, 1),
            "drain": round(finished - soaked, 1),
            "evaluate": round(time.perf_counter() - finished, 1),
        },
    }


def _after_replay(evaluation: dict[str, Any]) -> dict[str, Any]:
    """The figures that change when the operator replays what the stream gave up on."""
    return {
        "delivered": evaluation["delivered"],
        "lost": evaluation["lost"],
        "visibly_failed": evaluation["visible_failures_total"],
        "unflagged_duplicates": evaluation["duplicates"]["unflagged"],
        "unexpected_deliveries": evaluation["unexpected_deliveries"],
        "out_of_order": evaluation["ordering"]["out_of_order_by_kind"],
    }


def changes_report(requests: Sequence[Request], cases: Sequence[Case]) -> dict[str, Any]:
    """What the behandelaar asked, what the API answered, and what committed (each change has its own moment)."""
    committed: dict[datetime, str] = {}
    for case in cases:
        committed[case.registered_at] = "create"
        for entry in case.statuses[1:]:
            committed[entry.set_at] = "status"
        for message in case.messages:
            committed[message.posted_at] = "message"
    asked = Counter(r.kind for r in requests)
    outcomes = Counter(r.outcome for r in requests)
    failed = [r for r in requests if r.outcome != "ok"]
    asked_moments = {r.at for r in requests}
    return {
        "attempted": len(requests),
        "attempted_by_kind": dict(sorted(asked.items())),
        "answers": dict(sorted(outcomes.items())),
        "committed": len(committed),
        "committed_by_kind": dict(sorted(Counter(committed.values()).items())),
        "failed_but_committed": sum(1 for r in failed if r.at in committed),
        "failed_nothing_committed": sum(1 for r in failed if r.at not in committed),
        "ok_but_not_committed": sum(1 for r in requests if r.outcome == "ok" and r.at not in committed),
        "committed_not_asked": sum(1 for moment in committed if moment not in asked_moments),
    }


# --- ground truth and the comparison --------------------------------------------------------------------------

Key = tuple[str, str, str, str]  # case, status entry or message, subscriber, channel


@dataclass(frozen=True)
class Expected:
    case_id: str
    ref: str
    label: str  # the statustype, or "message"
    at: datetime
    subscriber_id: str
    channel: Channel


def expected_notifications(cases: Sequence[Case], workload: Workload, catalogue: Catalogue) -> dict[Key, Expected]:
    """Who must hear of each committed change, by the rules written out: the parties of a case hear of every
    status whose statustype says ``informeren`` and of every message; of a public case (publicatieindicatie, and
    openbaar) also whoever follows the case, one of its gemeenten or its topic — if they followed it before the
    change. One notification per channel the subscriber chose and can be reached on."""
    by_case: dict[str, list[Following]] = defaultdict(list)
    elsewhere: list[Following] = []
    for following in workload.following:
        if following.scope.case_id is not None:
            by_case[following.scope.case_id].append(following)
        else:
            elsewhere.append(following)
    expected: dict[Key, Expected] = {}

    def tell(case: Case, ref: str, label: str, at: datetime, people: set[str]) -> None:
        for subscriber_id in sorted(people):
            subscriber = workload.by_id.get(subscriber_id)
            channels = subscriber.reachable_channels if subscriber else frozenset({Channel.PORTAL})
            for channel in sorted(channels & {Channel.EMAIL, Channel.PORTAL}):
                expected[(case.id, ref, subscriber_id, channel.value)] = Expected(case.id, ref, label, at, subscriber_id, channel)

    for case in cases:
        zaaktype = catalogue.get(case.zaaktype)
        public = zaaktype.publicatie_indicatie and case.vertrouwelijkheid is Vertrouwelijkheid.OPENBAAR
        parties = set(case.followers)
        watchers = [f for f in by_case.get(case.id, []) + elsewhere if _follows(f.scope, case, zaaktype)] if public else []
        for entry in case.statuses:
            if zaaktype.statustype(entry.statustype).informeren:
                people = parties | {f.subscriber_id for f in watchers if f.since < entry.set_at}
                tell(case, entry.id, entry.statustype, entry.set_at, people)
        for message in case.messages:
            tell(case, message.id, "message", message.posted_at, parties)
    return expected


def _follows(scope: Scope, case: Case, zaaktype: Zaaktype) -> bool:
    if scope.case_id is not None:
        return scope.case_id == case.id
    topic = not scope.topics or zaaktype.onderwerp in scope.topics
    place = not scope.gemeenten or bool(scope.gemeenten & set(case.location.gemeenten))
    return topic and place


def _key(n: Notification) -> Key:
    return (n.case_id, n.ref, n.subscriber_id, n.channel.value)


def parked_changes(records: Sequence[dict[str, Any]]) -> set[tuple[str, str]]:
    """(case, status entry or message) of every change in a stream record given up on."""
    from chalicelib.adapters.dynamodb.mapping import case_from_image

    changes: set[tuple[str, str]] = set()
    for record in records:
        images = record.get("dynamodb", {})
        old, new = case_from_image(images.get("OldImage")), case_from_image(images.get("NewImage"))
        if new is None:
            continue
        known = {s.id for s in old.statuses} | {m.id for m in old.messages} if old else set()
        changes.update((new.id, ref) for ref in [s.id for s in new.statuses] + [m.id for m in new.messages] if ref not in known)
    return changes


UNFLAGGED_CAUSES = {
    ANSWER_LOST: "SES accepted it but its answer was lost (a timeout); delivery retried without a flag",
    "takeover": "a worker died after SES accepted it (crash, or the outbox refused 'delivered'); the take-over of its "
    "claim failed before sending, and the attempt that sent again was no take-over",
    "two_emails": "carried by a second, different e-mail (a later digest, or alone after a digest)",
    "unexplained": "no injected fault explains it",
}


def evaluate(
    state: FinalState, workload: Workload, catalogue: Catalogue, recorder: DeliveryRecorder, faults: Faults
) -> dict[str, Any]:
    expected = expected_notifications(state.cases, workload, catalogue)
    notifications = state.notifications
    by_key = {_key(n): n for n in notifications.values() if n.event_kind is not EventKind.DIGEST}
    carried: dict[Key, list[str]] = defaultdict(list)  # the e-mails (by reference) or inbox messages that carried it
    first_email: dict[Key, tuple[int, bool]] = {}  # position of the first e-mail that carried it; in a digest?
    unknown_emails = 0
    for position, reference in enumerate(state.emails):
        carrier = notifications.get(reference)
        if carrier is None:
            unknown_emails += 1
            continue
        digest = carrier.event_kind is EventKind.DIGEST
        items = [notifications[i] for i in carrier.digest_items if i in notifications] if digest else [carrier]
        for item in items:
            carried[_key(item)].append(reference)
            first_email.setdefault(_key(item), (position, digest))
    for notification_id in state.inbox:
        message = notifications.get(notification_id)
        if message is not None:
            carried[_key(message)].append(notification_id)

    dead, parked = set(state.dead_letters), parked_changes(state.parked)
    delivered = lost = 0
    visible: Counter[str] = Counter()
    lost_examples: list[dict[str, Any]] = []
    for key, wanted in expected.items():
        if carried.get(key):
            delivered += 1
            continue
        n = by_key.get(key)
        if n is not None and n.status in FAILED_STATES:
            visible[f"{n.status.value} ({n.reason})"] += 1
        elif n is not None and n.id in dead:
            visible["on the dead-letter queue"] += 1
        elif (wanted.case_id, wanted.ref) in parked:
            visible["change given up by the stream (on-failure destination)"] += 1
        else:
            lost += 1
            if len(lost_examples) < EXAMPLES:
                lost_examples.append(
                    {
                        "case": wanted.case_id,
                        "change": wanted.label,
                        "subscriber": wanted.subscriber_id,
                        "channel": wanted.channel.value,
                        "state": f"{n.status.value} ({n.reason})" if n else "never written",
                    }
                )
    unexpected = [key for key in carried if key not in expected]
    audience = Counter((e.case_id, e.ref) for e in expected.values())
    given_up = [change for change in parked if change in audience]

    duplicates = _duplicates(carried, recorder, faults)
    possible = _possible_duplicate_reports(recorder.flagged, notifications, carried)
    return {
        "expected": len(expected),
        "expected_by_channel": dict(sorted(Counter(e.channel.value for e in expected.values()).items())),
        "delivered": delivered,
        "lost": lost,
        "lost_examples": lost_examples,
        "visible_failures": dict(sorted(visible.items())),
        "visible_failures_total": sum(visible.values()),
        "changes_given_up_by_stream": {
            "changes": len(given_up),
            "notifications_each": round(sum(audience[c] for c in given_up) / len(given_up), 1) if given_up else None,
            "notifications_each_over_all_changes": round(len(expected) / len(audience), 1) if audience else None,
        },
        "duplicates": duplicates,
        "possible_duplicate_reports": possible,
        "unexpected_deliveries": len(unexpected),
        "unexpected_examples": [list(k) for k in unexpected[:EXAMPLES]],
        "emails_sent": len(state.emails),
        "emails_unknown_reference": unknown_emails,
        "digest_emails": sum(
            1 for r in state.emails if (n := notifications.get(r)) is not None and n.event_kind is EventKind.DIGEST
        ),
        "berichtenbox_messages": len(state.inbox),
        "notifications_by_status": dict(sorted(Counter(n.status.value for n in notifications.values()).items())),
        "ordering": _ordering(expected, first_email, by_key, parked, state.overtaken, workload),
    }


def _duplicates(carried: Mapping[Key, list[str]], recorder: DeliveryRecorder, faults: Faults) -> dict[str, Any]:
    """Every delivery of a notification after its first, by cause: the same e-mail sent again (flagged by
    delivery, or not: then why), or the notification carried by a second, different e-mail (a digest and a
    digest, or a digest and the e-mail alone). A digest sent twice counts once for each item it carries."""
    extra = notifications = flagged_extra = 0
    causes: Counter[str] = Counter()
    examples: list[dict[str, Any]] = []
    for key, carriers in carried.items():
        if len(carriers) < 2:
            continue
        extra += len(carriers) - 1
        notifications += 1
        sends = Counter(carriers)
        found: list[str] = []
        for carrier, times in sends.items():
            if times < 2:
                continue
            if recorder.flagged.get(carrier):
                flagged_extra += times - 1
                continue
            if ANSWER_LOST in faults.by_reference.get(carrier, ()):
                cause = ANSWER_LOST
            elif recorder.takeovers.get(carrier):
                cause = "takeover"
            else:
                cause = "unexplained"
            causes[cause] += times - 1
            found.append(cause)
        if len(sends) > 1:
            causes["two_emails"] += len(sends) - 1
            found.append("two_emails")
        if found and len(examples) < EXAMPLES:
            examples.append({"notification": list(key), "deliveries": len(carriers), "emails": len(sends), "causes": found})
    return {
        "extra_deliveries": extra,
        "notifications_affected": notifications,
        "flagged_possible_duplicate": flagged_extra,
        "unflagged": extra - flagged_extra,
        "unflagged_by_cause": {UNFLAGGED_CAUSES[c]: n for c, n in causes.most_common()},
        "unflagged_examples": examples,
    }


def _possible_duplicate_reports(
    flagged: Mapping[str, int], notifications: Mapping[str, Notification], carried: Mapping[Key, list[str]]
) -> dict[str, int]:
    """Deliveries delivery reported as possible duplicates, and whether a second e-mail really went."""
    confirmed = unfounded = 0
    for carrier_id, times in flagged.items():
        carrier = notifications.get(carrier_id)
        if carrier is None:
            continue
        items = carrier.digest_items if carrier.event_kind is EventKind.DIGEST else (carrier_id,)
        keys = [_key(notifications[i]) for i in items if i in notifications]
        if any(len(carried.get(k, ())) > 1 for k in keys):
            confirmed += times
        else:
            unfounded += times
    return {"reports": sum(flagged.values()), "a_second_email_went": confirmed, "only_one_email_went": unfounded}


ORDER_HELD = "an e-mail held (quiet hours or digest) went after a later one"
ORDER_GIVEN_UP = "the older change was given up by the stream; the reconciler queued what it had written, an hour later"
ORDER_QUEUE = "the queue handed out a later message of the group first (not what SQS FIFO does)"
ORDER_OTHER = "between e-mails sent at once"


def _ordering(
    expected: Mapping[Key, Expected],
    first_email: Mapping[Key, tuple[int, bool]],
    by_key: Mapping[Key, Notification],
    parked: Collection[tuple[str, str]],
    overtaken: Collection[str],
    workload: Workload,
) -> dict[str, Any]:
    """The first e-mail carrying each change of one case to one subscriber, in the order they were sent, must be
    in the order the changes were made."""
    sequences: dict[tuple[str, str], list[tuple[int, datetime, Key, bool]]] = defaultdict(list)
    for key, (position, digest) in first_email.items():
        wanted = expected.get(key)
        if wanted is not None:
            sequences[(wanted.case_id, wanted.subscriber_id)].append((position, wanted.at, key, digest))
    pairs = 0
    violations: Counter[str] = Counter()
    examples: list[dict[str, Any]] = []
    for (case_id, subscriber_id), sent in sequences.items():
        sent.sort()
        for (_, newer_at, newer, newer_digest), (_, older_at, older, older_digest) in itertools.pairwise(sent):
            pairs += 1
            if older_at >= newer_at:
                continue  # in order
            if any(digest or _was_held(by_key.get(k), workload) for k, digest in ((newer, newer_digest), (older, older_digest))):
                kind = ORDER_HELD
            elif (case_id, older[1]) in parked:
                kind = ORDER_GIVEN_UP
            elif (n := by_key.get(older)) is not None and n.id in overtaken:
                kind = ORDER_QUEUE
            else:
                kind = ORDER_OTHER
            violations[kind] += 1
            if sum(1 for e in examples if e["why"] == kind) < 2:
                examples.append(
                    {
                        "case": case_id,
                        "subscriber": subscriber_id,
                        "sent_first": f"{expected[newer].label} of {newer_at:%d %H:%M:%S}",
                        "sent_after": f"{expected[older].label} of {older_at:%d %H:%M:%S}",
                        "why": kind,
                    }
                )
    return {
        "sequences": sum(1 for s in sequences.values() if len(s) > 1),
        "pairs_checked": pairs,
        "out_of_order": sum(violations.values()),
        "out_of_order_by_kind": dict(violations.most_common()),
        "examples": examples,
    }


def _was_held(notification: Notification | None, workload: Workload) -> bool:
    if notification is None:
        return False
    subscriber = workload.by_id.get(notification.subscriber_id)
    if subscriber is None:
        return False
    return hold_until(subscriber.preferences, Channel.EMAIL, action_required=False, now=notification.created_at) is not None


# --- (a) in memory --------------------------------------------------------------------------------------------


class InMemoryHarness(Harness):
    """The app's handlers on the in-memory adapters, each port behind a FaultyPort, fed by the simulated stream
    and FIFO queue."""

    def __init__(self, clock: SimulatedClock, faults: Faults, seed: int, app_module: Any, tally: Counter[str]) -> None:
        from chalicelib import wiring
        from chalicelib.adapters.memory import (
            InMemoryAnnouncements,
            InMemoryEmail,
            InMemoryInbox,
            InMemoryLetters,
            InMemoryOutbox,
            InMemoryRateLimiter,
            InMemorySubscribers,
            InMemorySubscriptions,
        )
        from chalicelib.adapters.sqs_queue import SqsDeliveryQueue
        from chalicelib.events.schedules import reconcile, release_held
        from chalicelib.services.case_commands import CaseCommands
        from devstack.infra import load_template, mapping_settings

        self.clock, self.faults = clock, faults
        self.subscriptions = InMemorySubscriptions()
        self.subscribers = InMemorySubscribers()
        self.table = streaming_cases(self.subscriptions, clock, STREAM_SHARDS)
        self.outbox, self.inbox, self.email = InMemoryOutbox(), InMemoryInbox(), InMemoryEmail()
        queue_settings = load_template()["Resources"]["DeliveryQueue"]["Properties"]
        self.sqs = SimulatedFifoQueue(
            clock,
            visibility_timeout=int(queue_settings["VisibilityTimeout"]),
            max_receive_count=int(queue_settings["RedrivePolicy"]["maxReceiveCount"]),
        )
        cases = faulty(self.table, "dynamodb:cases", faults)
        subscribers = faulty(self.subscribers, "dynamodb:subscribers", faults)
        limiter = faulty(InMemoryRateLimiter(), "dynamodb:limiter", faults)
        wiring.override(
            cases=cases,
            subscriptions=faulty(self.subscriptions, "dynamodb:subscriptions", faults),
            subscribers=subscribers,
            outbox=faulty(self.outbox, "dynamodb:outbox", faults),
            inbox=faulty(self.inbox, "dynamodb:inbox", faults),
            limiter=limiter,
            queue=faulty(SqsDeliveryQueue(self.sqs, lambda: QUEUE_URL), "sqs:queue", faults),
            email=faulty(
                self.email, "ses:email", faults, error=EmailRetryableError, reference=lambda kwargs: kwargs["email"].reference
            ),
            announcements=InMemoryAnnouncements(),
            letters=InMemoryLetters(),
            clock=clock,
        )
        ids = random.Random(seed)
        self.commands = CaseCommands(
            cases,
            subscribers,
            wiring.catalogue(),
            wiring.reference(),
            clock,
            ids=lambda: str(uuid.UUID(int=ids.getrandbits(128), version=4)),
            limiter=limiter,
        )
        self.failures = FailureDestination()
        handlers = app_module.app.handler_map
        self.streams = StreamClient(self.table.shards)
        self.stream = RecordingStreamPoller(
            streams=self.streams,
            sqs=self.failures,
            stream_arn=STREAM_ARN,
            handler=_invocation(handlers["on_case_change"], "on_case_change", tally),
            settings=StreamSettings.from_mapping(mapping_settings("OnCaseChange"), batch_size=25),
            failure_queue_url="sim://baken-soak-stream-failures",
            retry_delay=0,
        )
        self.watch = FifoWatch(self.sqs)
        self.queue = QueuePoller(
            sqs=self.watch,
            queue_url=QUEUE_URL,
            queue_arn="arn:aws:sqs:eu-west-1:123456789012:baken-soak-delivery.fifo",
            handler=_invocation(handlers["deliver"], "deliver", tally),
        )
        self.schedules = [
            Schedule("release_held_email", release_held, clock),
            Schedule("reconcile_notifications", reconcile, clock),
        ]
        self.tally = tally

    def create_case(self, spec: CaseSpec) -> bool:
        from chalicelib.services.case_commands import NewCase

        self.commands.create(BEHANDELAAR, NewCase(spec.zaaktype, "Soak", spec.initiator, spec.co_initiators, spec.gemeenten))
        return True

    def set_status(self, case_id: str, statustype: str) -> bool:
        return bool(self.commands.set_status(BEHANDELAAR, case_id, statustype, None).changed)

    def post_message(self, case_id: str, text: str) -> bool:
        self.commands.post_message(BEHANDELAAR, case_id, text, None)
        return True

    def case(self, case_id: str) -> Case:
        return cast(Case, self.table.items[case_id])

    def cases(self) -> list[Case]:
        return list(self.table.items.values())

    def put_subscriber(self, subscriber: Subscriber) -> None:
        self.subscribers.put(subscriber)

    def save_subscription(self, indexed: Indexed) -> None:
        self.subscriptions.save(indexed)

    def busy(self) -> bool:
        return bool(self.sqs.pending() or self.stream.pending())

    def notifications(self) -> dict[str, Notification]:
        return dict(self.outbox.items)

    def peek(self, notification_id: str) -> Notification | None:
        return self.outbox.items.get(notification_id)

    def final_state(self) -> FinalState:
        from chalicelib.adapters.sqs_queue import notification_id_from_body

        return FinalState(
            cases=self.cases(),
            notifications=self.notifications(),
            emails=[e.reference for e in self.email.sent],
            inbox=[m.notification_id for box in self.inbox.items.values() for m in box.values()],
            dead_letters=[notification_id_from_body(m.body) for m in self.sqs.dead_letters],
            parked=[record for _, record in self.stream.parked],
            overtaken=self.watch.overtaken,
        )

    def failure_queue(self) -> tuple[Any, Any, str]:
        return self.failures, self.streams, "sim://baken-soak-stream-failures"

    def platform(self) -> dict[str, Any]:
        return _platform_report(
            self.stream, self.queue, self.watch, self.schedules, self.tally, self.sqs.tally, len(self.sqs.dead_letters)
        )


def _platform_report(
    stream: RecordingStreamPoller,
    queue: QueuePoller,
    watch: FifoWatch,
    schedules: Sequence[Schedule],
    tally: Counter[str],
    sqs: Mapping[str, int] | None,
    dead_letters: int,
) -> dict[str, Any]:
    return {
        "stream": {
            "invocations": stream.stats.invocations,
            "records_checkpointed": stream.stats.records_succeeded,
            "retries": stream.stats.retries,
            "records_given_up": stream.stats.sent_to_failure_destination,
            "given_up_by_condition": dict(Counter(condition for condition, _ in stream.parked)),
        },
        "delivery_queue": {
            "invocations": queue.stats.invocations,
            "messages_deleted": queue.stats.deleted,
            "messages_failed": queue.stats.failed,
            "dead_letters": dead_letters,
            "fifo_order_broken_by_the_queue": watch.violations,
            **({f"sqs_{k}": v for k, v in sorted(sqs.items())} if sqs else {}),
        },
        "functions": dict(sorted(tally.items())),
        "schedules": {s.name: dict(sorted(s.tally.items())) for s in schedules},
    }


def in_memory(sizes: Sizes, seed: int = SEED) -> dict[str, Any]:
    from bench.operations import bench_environment
    from chalicelib import wiring
    from devstack import runner

    with bench_environment():
        wiring.reset()
        import app as app_module

        catalogue = wiring.catalogue()
        places = [g.code for g in wiring.reference().gemeenten()][:PLACES]
        workload = Workload(sizes, seed, catalogue, places)
        clock = SimulatedClock(sizes.start - TICK)
        faults = Faults(FAULT_RATE, FAULT_MIX, seed + 1)
        try:
            harness = InMemoryHarness(clock, faults, seed + 2, app_module, Counter())
            with _replaced(runner, "time", PlatformTime(clock)), simulated_pauses(clock):
                return soak(harness, workload, sizes, catalogue)
        finally:
            wiring.reset()


# --- (b) moto ---------------------------------------------------------------------------------------------------

MESSAGE_REFERENCE = re.compile(r"\.([0-9a-f]{32})@")


class MotoHarness(Harness):
    """The app's handlers on the moto stack, fed by devstack's pollers on the runner's own (fault-free) clients."""

    def __init__(self, bench: Any, clock: SimulatedClock, faults: Faults, tally: Counter[str]) -> None:
        from bench.operations import _capturing
        from chalicelib.config import settings
        from chalicelib.events.schedules import reconcile, release_held
        from devstack.infra import mapping_settings

        self.bench, self.clock, self.faults, self.tally = bench, clock, faults, tally
        self.tick_every = MOTO_TICK
        outputs = bench.outputs
        self.sqs = bench.session.client("sqs")
        self.dynamodb = bench.session.client("dynamodb")
        self.tables = settings().tables
        handlers = bench.app_module.app.handler_map

        def function(name: str) -> Callable[..., Any]:
            return _invocation(_capturing(bench.counter.as_application(handlers[name]), bench.handler_output), name, tally)

        self.streams = bench.session.client("dynamodbstreams")
        self.failure_url = outputs.stream_failure_queue_url
        self.stream = RecordingStreamPoller(
            streams=self.streams,
            sqs=self.sqs,
            stream_arn=outputs.cases_stream_arn,
            handler=function("on_case_change"),
            settings=StreamSettings.from_mapping(mapping_settings("OnCaseChange"), batch_size=25),
            failure_queue_url=outputs.stream_failure_queue_url,
            retry_delay=0,
        )
        self.watch = FifoWatch(self.sqs)
        self.queue = QueuePoller(
            sqs=self.watch,
            queue_url=outputs.delivery_queue_url,
            queue_arn=outputs.values["DeliveryQueueArn"],
            handler=function("deliver"),
        )
        self.queue_url = outputs.delivery_queue_url
        self.dead_letter_url = outputs.dead_letter_queue_url
        self.schedules = [
            Schedule("release_held_email", release_held, clock),
            Schedule("reconcile_notifications", reconcile, clock),
        ]

    def _post(self, path: str, body: dict[str, Any], expected: int = 201) -> bool:
        response = self.bench.client.http.post(path, headers=self.bench.headers(MOTO_BEHANDELAAR), body=json.dumps(body).encode())
        return bool(response.status_code == expected)

    def create_case(self, spec: CaseSpec) -> bool:
        body = {
            "zaaktype": spec.zaaktype,
            "omschrijving": "Soak",
            "initiator": spec.initiator,
            "co_initiators": list(spec.co_initiators),
            "gemeenten": list(spec.gemeenten),
        }
        return self._post("/api/cases", body)

    def set_status(self, case_id: str, statustype: str) -> bool:
        return self._post(f"/api/cases/{case_id}/status", {"statustype": statustype})

    def post_message(self, case_id: str, text: str) -> bool:
        return self._post(f"/api/cases/{case_id}/messages", {"text": text})

    def case(self, case_id: str) -> Case:
        from chalicelib import wiring

        return wiring.cases().get(case_id)

    def _scan(self, table: str) -> Iterator[dict[str, Any]]:
        for page in self.dynamodb.get_paginator("scan").paginate(TableName=table):
            yield from page.get("Items", [])

    def cases(self) -> list[Case]:
        from chalicelib.adapters.dynamodb.mapping import case_from_image

        return [case for item in self._scan(self.tables.cases) if (case := case_from_image(item)) is not None]

    def put_subscriber(self, subscriber: Subscriber) -> None:
        from chalicelib import wiring

        wiring.subscribers().put(subscriber)

    def save_subscription(self, indexed: Indexed) -> None:
        from chalicelib import wiring

        wiring.subscriptions().save(indexed)

    def busy(self) -> bool:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return bool(
            self.stream.pending()
            or int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
        )

    def notifications(self) -> dict[str, Notification]:
        from chalicelib.adapters.dynamodb.mapping import record_to_notification
        from chalicelib.adapters.dynamodb.models import NotificationRecord

        found = (record_to_notification(NotificationRecord.from_raw_data(item)) for item in self._scan(self.tables.notifications))
        return {n.id: n for n in found}

    def peek(self, notification_id: str) -> Notification | None:
        from chalicelib import wiring

        with self.faults.in_phase(BENCH):
            return wiring.outbox().get(notification_id)

    def final_state(self) -> FinalState:
        from chalicelib.adapters.dev_mailbox import read_mailbox
        from chalicelib.adapters.sqs_queue import notification_id_from_body

        emails = []
        for entry in reversed(read_mailbox()):  # read_mailbox is newest first
            found = MESSAGE_REFERENCE.search(entry.headers.get("Message-ID", ""))
            emails.append(found.group(1) if found else "?")
        dead: list[str] = []
        while messages := self.sqs.receive_message(
            QueueUrl=self.dead_letter_url, MaxNumberOfMessages=10, VisibilityTimeout=3600, WaitTimeSeconds=0
        ).get("Messages", []):
            dead.extend(notification_id_from_body(m["Body"]) for m in messages)
        return FinalState(
            cases=self.cases(),
            notifications=self.notifications(),
            emails=emails,
            inbox=[item["notification_id"]["S"] for item in self._scan(self.tables.inbox)],
            dead_letters=dead,
            parked=[record for _, record in self.stream.parked],
            overtaken=self.watch.overtaken,
        )

    def failure_queue(self) -> tuple[Any, Any, str]:
        return self.sqs, self.streams, self.failure_url

    def platform(self) -> dict[str, Any]:
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.dead_letter_url, AttributeNames=["ApproximateNumberOfMessages"])
        dead = int(attributes["Attributes"]["ApproximateNumberOfMessages"])
        return _platform_report(self.stream, self.queue, self.watch, self.schedules, self.tally, None, dead)


@contextmanager
def moto_clock(clock: SimulatedClock) -> Iterator[None]:
    """moto's SQS on the simulated clock (visibility timeouts, backoffs, deduplication)."""
    import moto.sqs.models as sqs_models

    with (
        _replaced(sqs_models, "unix_time", lambda *_: clock.epoch()),
        _replaced(sqs_models, "unix_time_millis", lambda *_: clock.epoch() * 1000),
    ):
        yield


def simulated_pauses(clock: SimulatedClock) -> Any:
    """The stream handler's pauses between the tries of a record pass on the simulated clock."""
    from chalicelib.events import stream

    return _replaced(stream, "pause", lambda seconds: clock.advance(timedelta(seconds=seconds)))


def through_moto(sizes: Sizes, seed: int = SEED) -> dict[str, Any]:
    import botocore.session
    import pynamodb.connection.base as pynamodb_base

    from bench.operations import OperationCounter, _quiet_moto, moto_bench
    from chalicelib import wiring

    clock = SimulatedClock(sizes.start - TICK)
    faults = Faults(FAULT_RATE, FAULT_MIX, seed + 1)
    hooks = BotocoreFaults(faults)
    with moto_bench(OperationCounter()) as bench, _quiet_moto(), moto_clock(clock):
        pynamodb_session = botocore.session.get_session()
        hooks.install(pynamodb_session, "dynamodb")
        with _replaced(pynamodb_base, "get_session", lambda: pynamodb_session):
            wiring.reset()
            wiring.override(clock=clock)
            hooks.install(wiring.boto_client("sqs").meta.events, "sqs")
            hooks.install(wiring.boto_client("sesv2").meta.events, "sesv2")
            catalogue = wiring.catalogue()
            places = [g.code for g in wiring.reference().gemeenten()][:PLACES]
            workload = Workload(sizes, seed, catalogue, places)
            harness = MotoHarness(bench, clock, faults, Counter())
            with simulated_pauses(clock):
                return soak(harness, workload, sizes, catalogue)


# --- the benchmark ----------------------------------------------------------------------------------------------


def run(quick: bool = False) -> dict[str, Any]:
    started = time.perf_counter()
    memory = in_memory(IN_MEMORY_QUICK if quick else IN_MEMORY)
    memory["wall_seconds"]["total"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    moto = through_moto(MOTO_QUICK if quick else MOTO)
    moto["wall_seconds"]["total"] = round(time.perf_counter() - started, 1)
    return {"seed": SEED, "fault_rate": FAULT_RATE, "fault_mix": FAULT_MIX, "in_memory": memory, "moto": moto}


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _listed(counts: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} {_n(v)}" for k, v in counts.items())


def _mode_summary(name: str, r: dict[str, Any]) -> list[str]:
    changes, faults, dup, order = r["changes"], r["faults"], r["duplicates"], r["ordering"]
    possible, platform = r["possible_duplicate_reports"], r["platform"]
    stream, queue = platform["stream"], platform["delivery_queue"]
    sim, wall, crashes = r["simulated"], r["wall_seconds"], faults["crashes_by_point"]
    given_up = r["changes_given_up_by_stream"]
    return [
        f"{name}: {_n(changes['committed'])} changes committed ({_listed(changes['committed_by_kind'])}) "
        f"for {_n(r['subscribers'])} subscribers; {_n(changes['attempted'])} requests, "
        f"{_n(changes['given_up_after_tries'])} changes given up after {MAX_TRIES} tries",
        f"  calls under faults {_n(faults['calls_under_faults'])} ({_listed(faults['calls_under_faults_by_service'])}); "
        f"faults {_n(faults['faults_injected'])} = {faults['fault_share']:.1%} ({_listed(faults['faults_by_kind'])})",
        f"  API answers: {_listed(changes['answers'])}; failed but committed {_n(changes['failed_but_committed'])}, "
        f"failed with nothing committed {_n(changes['failed_nothing_committed'])}, "
        f"OK but not committed {changes['ok_but_not_committed']}",
        f"  expected {_n(r['expected'])} notifications ({_listed(r['expected_by_channel'])}) → delivered {_n(r['delivered'])}, "
        f"LOST {_n(r['lost'])}, visibly failed {_n(r['visible_failures_total'])}",
        *(f"    visibly failed: {_n(n)} {state}" for state, n in r["visible_failures"].items()),
        f"    changes given up by the stream: {_n(given_up['changes'])}, reaching {given_up['notifications_each']} "
        f"notifications each (all changes: {given_up['notifications_each_over_all_changes']})",
        f"  duplicates: {_n(dup['extra_deliveries'])} extra deliveries ({_n(dup['notifications_affected'])} notifications): "
        f"flagged possible_duplicate {_n(dup['flagged_possible_duplicate'])}, UNFLAGGED {_n(dup['unflagged'])}",
        *(f"    unflagged: {_n(n)} — {cause}" for cause, n in dup["unflagged_by_cause"].items()),
        f"  possible_duplicate reports {_n(possible['reports'])} "
        f"(metric PossibleDuplicate {_n(r['metrics'].get('PossibleDuplicate', 0))}): "
        f"a second e-mail went {_n(possible['a_second_email_went'])}, only one went {_n(possible['only_one_email_went'])}",
        f"  ordering: {_n(order['pairs_checked'])} consecutive e-mail pairs (one case, one subscriber), "
        f"out of order {_n(order['out_of_order'])}",
        *(f"    out of order: {_n(n)} — {why}" for why, n in order["out_of_order_by_kind"].items()),
        f"  then the operator replays the stream failure queue: "
        f"{_listed({k: v for k, v in r['operator_replay'].items() if k != 'after'})}",
        f"    after it: {_listed(r['operator_replay']['after'])}",
        f"  unexpected deliveries {r['unexpected_deliveries']}; "
        f"e-mails {_n(r['emails_sent'])} ({_n(r['digest_emails'])} digests), "
        f"berichtenbox {_n(r['berichtenbox_messages'])}",
        f"  final notification statuses: {_listed(r['notifications_by_status'])}",
        f"  crashes injected {_n(faults['crashes_injected'])}, most after: {_listed(dict(list(crashes.items())[:6]))}",
        f"  stream: {_n(stream['invocations'])} invocations, {_n(stream['retries'])} retries, "
        f"records given up {_n(stream['records_given_up'])}",
        f"  delivery queue: {_n(queue['invocations'])} invocations, {_n(queue['messages_failed'])} messages failed, "
        f"dead letters {_n(queue['dead_letters'])}, FIFO order broken by the queue {_n(queue['fifo_order_broken_by_the_queue'])}",
        f"  functions: {_listed(platform['functions'])}",
        *(f"  schedule {schedule}: {_listed(tally)}" for schedule, tally in platform["schedules"].items()),
        f"  simulated {sim['soak_hours']} h of changes from {sim['start']}, then {sim['drain']['simulated_hours']} h draining "
        f"(settled: {sim['drain']['settled']}); wall seconds: {_listed(wall)}",
        *(f"    lost: {example}" for example in r["lost_examples"]),
        *(f"    unflagged duplicate: {example}" for example in dup["unflagged_examples"][:3]),
        *(f"    out of order: {example}" for example in order["examples"]),
    ]


def summarize(result: dict[str, Any]) -> list[str]:
    mix = ", ".join(f"{k.replace('_', ' ')} {v:.0%}" for k, v in result["fault_mix"].items())
    return [
        f"{result['fault_rate']:.0%} of Baken's AWS calls fail while changes are made ({mix} of those); seed {result['seed']}",
        *_mode_summary("in memory", result["in_memory"]),
        *_mode_summary("moto", result["moto"]),
    ]
