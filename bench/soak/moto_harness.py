"""(b) moto: the app's real handlers on the moto stack, wired as ``bench.operations.moto_bench`` wires them, with
faults from botocore hooks on Baken's own clients and moto's SQS on the simulated clock."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from bench.soak.faults import BENCH, FAULT_MIX, FAULT_RATE, BotocoreFaults, Faults
from bench.soak.harness import Harness, soak, whole
from bench.soak.oracle import FinalState
from bench.soak.platform import (
    TICK,
    SimulatedClock,
    invocation,
    platform_report,
    replaced,
    simulated_pauses,
)
from bench.soak.workload import PLACES, SEED, CaseSpec, Sizes, Workload
from chalicelib.domain.cases import Case
from chalicelib.domain.notifications import Notification
from chalicelib.domain.subscriptions import Indexed, Subscriber

MOTO_TICK = timedelta(seconds=10)  # in moto every poll costs milliseconds: half as often (backoffs start at 30 s)
MOTO_BEHANDELAAR = "anna"
MESSAGE_REFERENCE = re.compile(r"\.([0-9a-f]{32})@")


class MotoHarness(Harness):
    """The app's handlers on the moto stack, fed by devstack's pollers on the runner's own (fault-free) clients."""

    def __init__(self, bench: Any, clock: SimulatedClock, faults: Faults, tally: Counter[str]) -> None:
        from bench.operations import _capturing
        from chalicelib.config import settings

        self.bench, self.clock, self.faults, self.tally = bench, clock, faults, tally
        self.tick_every = MOTO_TICK
        outputs = bench.outputs
        self.sqs = bench.session.client("sqs")
        self.jobs_url = outputs.values["JobsQueueUrl"]
        self.dynamodb = bench.session.client("dynamodb")
        self.tables = settings().tables
        handlers = bench.app_module.app.handler_map

        def function(name: str) -> Callable[..., Any]:
            return invocation(_capturing(bench.counter.as_application(handlers[name]), bench.handler_output), name, tally)

        self.streams = bench.session.client("dynamodbstreams")
        self.failure_url = outputs.stream_failure_queue_url
        self.connect(
            streams=self.streams,
            stream_arn=outputs.cases_stream_arn,
            on_case_change=function("on_case_change"),
            failures=self.sqs,
            failure_queue_url=outputs.stream_failure_queue_url,
            sqs=self.sqs,
            queue_url=outputs.delivery_queue_url,
            queue_arn=outputs.values["DeliveryQueueArn"],
            deliver=function("deliver"),
        )
        self.queue_url = outputs.delivery_queue_url
        self.dead_letter_url = outputs.dead_letter_queue_url

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

        cases = wiring.adapters().cases
        return whole(cases.get(case_id), cases)

    def _scan(self, table: str) -> Iterator[dict[str, Any]]:
        for page in self.dynamodb.get_paginator("scan").paginate(TableName=table):
            yield from page.get("Items", [])

    def cases(self) -> list[Case]:
        from chalicelib import wiring
        from chalicelib.adapters.dynamodb.mapping import case_from_image

        cases = wiring.adapters().cases
        return [whole(case, cases) for item in self._scan(self.tables.cases) if (case := case_from_image(item)) is not None]

    def put_subscriber(self, subscriber: Subscriber) -> None:
        from chalicelib import wiring

        wiring.adapters().subscribers.put(subscriber)

    def save_subscription(self, indexed: Indexed) -> None:
        from chalicelib import wiring

        wiring.adapters().subscriptions.save(indexed)

    def busy(self) -> bool:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        jobs = self.sqs.get_queue_attributes(QueueUrl=self.jobs_url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
        return bool(
            self.stream.pending()
            or int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
            or int(jobs["ApproximateNumberOfMessages"])
        )

    def waiting_jobs(self) -> list[str]:
        bodies = []
        while messages := self.sqs.receive_message(QueueUrl=self.jobs_url, MaxNumberOfMessages=10).get("Messages", []):
            for message in messages:
                self.sqs.delete_message(QueueUrl=self.jobs_url, ReceiptHandle=message["ReceiptHandle"])
                bodies.append(message["Body"])
        return bodies

    def job_failed(self, body: str) -> None:
        self.sqs.send_message(QueueUrl=self.jobs_url, MessageBody=body)

    def notifications(self) -> dict[str, Notification]:
        from chalicelib.adapters.dynamodb.mapping import record_to_notification
        from chalicelib.adapters.dynamodb.models import NotificationRecord

        found = (record_to_notification(NotificationRecord.from_raw_data(item)) for item in self._scan(self.tables.notifications))
        return {n.id: n for n in found}

    def peek(self, notification_id: str) -> Notification | None:
        from chalicelib import wiring

        with self.faults.in_phase(BENCH):
            return wiring.adapters().outbox.get(notification_id)

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
            berichtenbox=[item["notification_id"]["S"] for item in self._scan(self.tables.berichtenbox)],
            dead_letters=dead,
            parked=[record for _, record in self.stream.parked],
            overtaken=self.watch.overtaken,
        )

    def failure_queue(self) -> tuple[Any, Any, str]:
        return self.sqs, self.streams, self.failure_url

    def platform(self) -> dict[str, Any]:
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.dead_letter_url, AttributeNames=["ApproximateNumberOfMessages"])
        dead = int(attributes["Attributes"]["ApproximateNumberOfMessages"])
        return platform_report(self.stream, self.queue, self.watch, self.schedules, self.tally, None, dead)


@contextmanager
def moto_clock(clock: SimulatedClock) -> Iterator[None]:
    """moto's SQS on the simulated clock (visibility timeouts, backoffs, deduplication)."""
    import moto.sqs.models as sqs_models

    with (
        replaced(sqs_models, "unix_time", lambda *_: clock.epoch()),
        replaced(sqs_models, "unix_time_millis", lambda *_: clock.epoch() * 1000),
    ):
        yield


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
        with replaced(pynamodb_base, "get_session", lambda: pynamodb_session):
            wiring.reset()
            wiring.use(wiring.adapters().but(clock=clock))
            hooks.install(wiring.aws_client("sqs").meta.events, "sqs")
            hooks.install(wiring.aws_client("sesv2").meta.events, "sesv2")
            catalogue = wiring.catalogue_data()
            places = [g.code for g in wiring.reference_data().gemeenten()][:PLACES]
            workload = Workload(sizes, seed, catalogue, places)
            harness = MotoHarness(bench, clock, faults, Counter())
            with simulated_pauses(clock):
                return soak(harness, workload, sizes, catalogue)
