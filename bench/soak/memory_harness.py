"""(a) in memory: the app's real handlers and services on the in-memory adapters, each port behind a FaultyPort,
fed by the simulated stream and FIFO queue."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from typing import Any, cast

from bench.soak.faults import FAULT_MIX, FAULT_RATE, Faults, faulty
from bench.soak.harness import Harness, soak, whole
from bench.soak.oracle import FinalState
from bench.soak.platform import (
    TICK,
    FailureDestination,
    PlatformTime,
    SimulatedClock,
    SimulatedFifoQueue,
    StreamClient,
    invocation,
    platform_report,
    replaced,
    simulated_pauses,
    streaming_cases,
)
from bench.soak.workload import PLACES, SEED, CaseSpec, Sizes, Workload
from chalicelib.domain.cases import Case
from chalicelib.domain.identity import Principal, Role
from chalicelib.domain.notifications import Notification
from chalicelib.domain.subscriptions import Indexed, Subscriber
from chalicelib.services.ports import EmailRetryableError

QUEUE_URL = "sim://baken-soak-delivery.fifo"
FAILURE_QUEUE_URL = "sim://baken-soak-stream-failures"
STREAM_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/baken-soak-cases/stream/2026-10-05T00:00:00.000"
STREAM_SHARDS = 4
BEHANDELAAR = Principal("mdw-soak-behandelaar", frozenset({Role.BEHANDELAAR}), name="Soak Behandelaar")


class InMemoryHarness(Harness):
    """The app's handlers on the in-memory adapters, each port behind a FaultyPort, fed by the simulated stream
    and FIFO queue."""

    def __init__(self, clock: SimulatedClock, faults: Faults, seed: int, app_module: Any, tally: Counter[str]) -> None:
        from chalicelib import wiring
        from chalicelib.adapters.memory import (
            InMemoryBerichtenbox,
            InMemoryEmail,
            InMemoryOutbox,
            InMemorySubscribers,
            InMemorySubscriptions,
        )
        from chalicelib.adapters.sqs_queue import SqsDeliveryQueue
        from chalicelib.services.case_commands import CaseCommands
        from devstack.infra import load_template

        self.clock, self.faults = clock, faults
        graph = wiring.Adapters.in_memory(clock=clock)
        self.subscriptions = cast(InMemorySubscriptions, graph.subscriptions)
        self.subscribers = cast(InMemorySubscribers, graph.subscribers)
        self.table = streaming_cases(self.subscriptions, clock, STREAM_SHARDS)
        self.outbox = cast(InMemoryOutbox, graph.outbox)
        self.berichtenbox, self.email = cast(InMemoryBerichtenbox, graph.berichtenbox_store), cast(InMemoryEmail, graph.email)
        queue_settings = load_template()["Resources"]["DeliveryQueue"]["Properties"]
        self.sqs = SimulatedFifoQueue(
            clock,
            visibility_timeout=int(queue_settings["VisibilityTimeout"]),
            max_receive_count=int(queue_settings["RedrivePolicy"]["maxReceiveCount"]),
        )
        cases = faulty(self.table, "dynamodb:cases", faults)
        subscribers = faulty(self.subscribers, "dynamodb:subscribers", faults)
        limiter = faulty(graph.limiter, "dynamodb:limiter", faults)
        wiring.use(
            graph.but(
                cases=cases,
                subscriptions=faulty(self.subscriptions, "dynamodb:subscriptions", faults),
                subscribers=subscribers,
                outbox=faulty(self.outbox, "dynamodb:outbox", faults),
                berichtenbox_store=faulty(self.berichtenbox, "dynamodb:berichtenbox", faults),
                limiter=limiter,
                queue=faulty(SqsDeliveryQueue(lambda: self.sqs, lambda: QUEUE_URL), "sqs:queue", faults),
                email=faulty(
                    self.email, "ses:email", faults, error=EmailRetryableError, reference=lambda kwargs: kwargs["email"].reference
                ),
            )
        )
        ids = random.Random(seed)
        self.commands = CaseCommands(
            cases,
            subscribers,
            wiring.catalogue_data(),
            wiring.reference_data(),
            clock,
            ids=lambda: str(uuid.UUID(int=ids.getrandbits(128), version=4)),
            limiter=limiter,
        )
        self.failures = FailureDestination()
        handlers = app_module.app.handler_map
        self.streams = StreamClient(self.table.shards)
        self.connect(
            streams=self.streams,
            stream_arn=STREAM_ARN,
            on_case_change=invocation(handlers["on_case_change"], "on_case_change", tally),
            failures=self.failures,
            failure_queue_url=FAILURE_QUEUE_URL,
            sqs=self.sqs,
            queue_url=QUEUE_URL,
            queue_arn="arn:aws:sqs:eu-west-1:123456789012:baken-soak-delivery.fifo",
            deliver=invocation(handlers["deliver"], "deliver", tally),
        )
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
        return whole(cast(Case, self.table.items[case_id]), self.table)

    def cases(self) -> list[Case]:
        return [whole(case, self.table) for case in self.table.items.values()]

    def put_subscriber(self, subscriber: Subscriber) -> None:
        self.subscribers.put(subscriber)

    def save_subscription(self, indexed: Indexed) -> None:
        self.subscriptions.save(indexed)

    def busy(self) -> bool:
        return bool(self.sqs.pending() or self.stream.pending() or self._jobs().messages)

    def _jobs(self) -> Any:
        from chalicelib import wiring

        return wiring.adapters().jobs

    def waiting_jobs(self) -> list[str]:
        return list(self._jobs().drain())

    def job_failed(self, body: str) -> None:
        self._jobs().messages.append(body)

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
            berichtenbox=[m.notification_id for box in self.berichtenbox.items.values() for m in box.values()],
            dead_letters=[notification_id_from_body(m.body) for m in self.sqs.dead_letters],
            parked=[record for _, record in self.stream.parked],
            overtaken=self.watch.overtaken,
        )

    def failure_queue(self) -> tuple[Any, Any, str]:
        return self.failures, self.streams, FAILURE_QUEUE_URL

    def platform(self) -> dict[str, Any]:
        return platform_report(
            self.stream, self.queue, self.watch, self.schedules, self.tally, self.sqs.tally, len(self.sqs.dead_letters)
        )


def in_memory(sizes: Sizes, seed: int = SEED) -> dict[str, Any]:
    from bench.operations import bench_environment
    from chalicelib import wiring
    from devstack import runner

    with bench_environment():
        wiring.reset()
        import app as app_module

        catalogue = wiring.catalogue_data()
        places = [g.code for g in wiring.reference_data().gemeenten()][:PLACES]
        workload = Workload(sizes, seed, catalogue, places)
        clock = SimulatedClock(sizes.start - TICK)
        faults = Faults(FAULT_RATE, FAULT_MIX, seed + 1)
        try:
            harness = InMemoryHarness(clock, faults, seed + 2, app_module, Counter())
            with replaced(runner, "time", PlatformTime(clock)), simulated_pauses(clock):
                return soak(harness, workload, sizes, catalogue)
        finally:
            wiring.reset()
