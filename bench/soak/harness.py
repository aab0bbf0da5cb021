"""Driving a harness: what the two modes share (the clock, the faults, the schedules, how time passes, the
behandelaar's retries, the drain) and the soak itself, from setup to the comparison."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from bench.soak.faults import BENCH, DRAIN, SETUP, SOAK, Crash, Faults
from bench.soak.oracle import FinalState, Request, after_replay, changes_report, evaluate
from bench.soak.platform import TICK, FifoWatch, RecordingStreamPoller, Schedule, SimulatedClock, next_mark
from bench.soak.recorder import DeliveryRecorder, observed
from bench.soak.workload import CaseSpec, Sizes, Workload
from chalicelib.domain.cases import Case, CaseMessage, HistoryEntry, StatusEntry
from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.notifications import Notification, NotificationStatus
from chalicelib.domain.subscriptions import Indexed, Subscriber
from chalicelib.services.ports import CaseRepository
from devstack.runner import QueuePoller, StreamSettings

DRAIN_LIMIT = timedelta(days=10)
MAX_TRIES = 10  # a behandelaar asks again after an error, at most this often
RETRY_AFTER = timedelta(seconds=2)
MAX_POLLS = 100_000


def whole(case: Case, cases: CaseRepository) -> Case:
    """``case`` with every status and message it ever had, read from its history page by page (the case item keeps
    only the last few): what the oracle checks the notifications against."""
    entries: list[HistoryEntry] = []
    before = None
    while True:
        page = cases.history(case.id, limit=100, before=before)
        entries.extend(page.entries)
        before = page.before
        if before is None:
            break
    entries.reverse()
    statuses = tuple(e.item for e in entries if isinstance(e.item, StatusEntry))
    messages = tuple(e.item for e in entries if isinstance(e.item, CaseMessage))
    return replace(case, statuses=statuses or case.statuses, messages=messages)


class Harness:
    """What the two modes share: the clock, the faults, the schedules and how time passes."""

    clock: SimulatedClock
    faults: Faults
    schedules: list[Schedule]
    tally: Counter[str]
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
    watch: FifoWatch
    queue: QueuePoller

    def connect(
        self,
        *,
        streams: Any,
        stream_arn: str,
        on_case_change: Callable[..., Any],
        failures: Any,
        failure_queue_url: str,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        deliver: Callable[..., Any],
    ) -> None:
        """The platform around the app's functions: the stream's event source mapping (the settings of
        infra/app.json, its failures to ``failures``), the delivery queue's (its client watched for FIFO order)
        and the two schedules."""
        from chalicelib.handlers.reconcile_notifications import reconcile
        from chalicelib.handlers.release_held_email import release_held
        from devstack.infra import mapping_settings

        self.stream = RecordingStreamPoller(
            streams=streams,
            sqs=failures,
            stream_arn=stream_arn,
            handler=on_case_change,
            settings=StreamSettings.from_mapping(mapping_settings("OnCaseChange"), batch_size=25),
            failure_queue_url=failure_queue_url,
            retry_delay=0,
        )
        self.watch = FifoWatch(sqs)
        self.queue = QueuePoller(sqs=self.watch, queue_url=queue_url, queue_arn=queue_arn, handler=deliver)
        self.schedules = [
            Schedule("release_held_email", release_held, self.clock),
            Schedule("reconcile_notifications", reconcile, self.clock),
        ]

    def pump(self) -> None:
        """Let the stream, the jobs queue and the delivery queue process everything that is due now."""
        for _ in range(MAX_POLLS):
            moved = self.stream.poll_once()
            moved += self.run_jobs()
            while handled := self.queue.poll_once():
                moved += handled
            if not moved and not self.stream.pending():
                return
        raise RuntimeError("the platform did not settle")

    def busy(self) -> bool:
        """Records or messages still waiting in the stream or the queue."""
        raise NotImplementedError

    def waiting_jobs(self) -> list[str]:
        """Take the jobs waiting in the jobs queue (fan-out pages, digest shards and groups), as JSON bodies."""
        raise NotImplementedError

    def job_failed(self, body: str) -> None:
        """A job that failed (a fault, a crash) comes back: the queue's visibility timeout, then a retry."""
        raise NotImplementedError

    def run_jobs(self) -> int:
        """The jobs function on every waiting job; one that fails waits for the next pump. The jobs that ran."""
        from bench.soak.faults import Crash
        from chalicelib import wiring

        ran = 0
        for body in self.waiting_jobs():
            self.tally["fan_out_job.invocations"] += 1
            try:
                wiring.services().jobs.run(body)
                ran += 1
            except (Crash, Exception):  # noqa: BLE001 - a failing job is the event source mapping's to retry
                self.tally["fan_out_job.function_errors"] += 1
                self.job_failed(body)
        return ran

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
            self.clock.jump_to(datetime.fromtimestamp(next_mark(target.timestamp()), UTC))
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

    # the recorder stands in for the delivery service, delivering through one that reports possible duplicates to it
    recorder, metrics = DeliveryRecorder(lambda: reporting.delivery, h.peek, h.clock), Counter[str]()
    reporting = wiring.Services(wiring.adapters(), on_possible_duplicate=recorder.possible_duplicate)
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
        replayed["after"] = after_replay(evaluate(state, workload, catalogue, recorder, faults))
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
