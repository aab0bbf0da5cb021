"""AWS operations per status change: what one behandelaar click costs in DynamoDB, SQS and SES calls.

What it measures. A case with three subscribers — the initiator and co-initiator (subscribed automatically
when the case is created) and one follower who subscribed to the case's interest afterwards — each with a
subscriber profile (e-mail address, e-mail and portal channels). A behandelaar sets a new status through
the real API (Chalice test client, dev token), then the real stream handler runs on the record read back
from the moto stream, then the real delivery handler runs on the messages read back from the moto queue
(``devstack.runner`` StreamPoller / QueuePoller, exactly as the integration tests drive them).

Every AWS call made through botocore is counted (``BaseClient._make_api_call`` is wrapped, so pynamodb's
calls are counted too), per phase:

1. ``api``: the HTTP request that sets the status;
2. ``stream``: the stream handler invocation(s) for that record;
3. ``delivery``: the delivery handler invocation(s) for every resulting notification.

Calls the runner itself makes to feed the handlers (``dynamodbstreams:*``, ``sqs:ReceiveMessage``,
``sqs:DeleteMessageBatch``) stand in for Lambda's event source mapping, which the application does not pay
for per call; they are reported apart under ``runner_operations``.

How to read it. The counts are exact and stable (moto's speed does not enter). ``operations`` is keyed by
``service:Operation``; ``operations_by_table`` adds the table (prefix stripped) so that one can see, for
example, how many GetItems fetch the same case again. ``subscription_queries`` lists the stream handler's
Queries on the subscriptions table with the items each returned. Two scenarios run:

- ``public_case``: an ``ontgrondingsvergunning`` (publicatieIndicatie, openbaar) set to ``besluit-genomen``.
  The follower is told because the event is public, so 3 subscribers × 2 channels = 6 notifications; the
  public event also reaches the topic and gemeente interests (one Query each, here empty).
- ``story_case``: the README's subsidy case set to ``aanvullende-informatie-nodig``. The zaaktype is not
  public, so ``match_recipients`` tells only the parties: the follower of the case gets nothing, and there
  are 2 × 2 = 4 notifications.

The creation of each case (its own stream record and notifications) is measured too, for context, under
``case_creation``. Nothing is asserted: the numbers are for people to compare between commits.

What the handlers print (powertools metric lines, which should not appear with metrics disabled) is kept
out of the output and counted in ``emf_metric_lines_printed``.
"""

from __future__ import annotations

import io
import json
import logging
import os
import tempfile
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[1]
PERSONAS_FILE = ROOT / "chalicelib" / "data" / "dev_personas.json"
TABLE_PREFIX = "baken-local-"

PUBLIC_ZAAKTYPE = "ontgrondingsvergunning"
PUBLIC_STATUSTYPE = "besluit-genomen"
STORY_ZAAKTYPE = "subsidie-duurzame-recreatie"
STORY_STATUSTYPE = "aanvullende-informatie-nodig"
PARTIES = ("mark", "fatima")
FOLLOWER = "jan"
BEHANDELAAR = "anna"
GEMEENTE = "GM1581"

APPLICATION = "application"
RUNNER = "runner"


# --- counting AWS calls -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiCall:
    """One botocore API call, as the counter saw it."""

    phase: str
    scope: str
    service: str
    operation: str
    table: str | None
    key: str | None
    items: int | None
    error: str | None
    seconds: float
    units: dict[str, float] | None = None  # what the call is billed in, when a meter was installed (bench.cost)

    @property
    def name(self) -> str:
        return f"{self.service}:{self.operation}"


def _table(params: dict[str, Any]) -> str | None:
    name = params.get("TableName")
    if isinstance(name, str):
        return name.removeprefix(TABLE_PREFIX)
    items = params.get("RequestItems") or params.get("TransactItems")
    if isinstance(items, dict):
        return ",".join(sorted(str(t).removeprefix(TABLE_PREFIX) for t in items))
    if isinstance(items, list):
        tables = {str(next(iter(i.values())).get("TableName", "?")).removeprefix(TABLE_PREFIX) for i in items if i}
        return ",".join(sorted(tables))
    return None


def _query_key(params: dict[str, Any]) -> str | None:
    """The partition key value of a Query (pynamodb names its placeholders :0, :1, ...)."""
    values = params.get("ExpressionAttributeValues") or {}
    for placeholder in sorted(values):
        value = values[placeholder]
        if isinstance(value, dict) and "S" in value:
            return str(value["S"])
    return None


def _items(operation: str, result: dict[str, Any]) -> int | None:
    if operation in ("Query", "Scan"):
        return int(result.get("Count", len(result.get("Items", []))))
    if operation == "GetItem":
        return 1 if "Item" in result else 0
    if operation == "BatchGetItem":
        return sum(len(items) for items in (result.get("Responses") or {}).values())
    if operation == "ReceiveMessage":
        return len(result.get("Messages") or [])
    return None


class Meter(Protocol):
    """Prices a call in its billing units (read/write units, SQS requests…): ``before`` sees the request before it
    is made (to note what it will overwrite), ``after`` the answer."""

    def before(self, service: str, operation: str, params: dict[str, Any]) -> Any: ...

    def after(
        self, noted: Any, service: str, operation: str, params: dict[str, Any], result: dict[str, Any], error: str | None
    ) -> dict[str, float]: ...


class OperationCounter:
    """Counts every AWS API call made through botocore while installed (boto3 and pynamodb alike).

    ``phase`` labels what the benchmark is doing; ``scope`` says who made the call: the application
    (a request or a handler invocation) or the runner feeding the handlers.
    """

    def __init__(self, meter: Meter | None = None) -> None:
        self.calls: list[ApiCall] = []
        self.phase = "setup"
        self.scope = APPLICATION
        self.meter = meter

    @contextmanager
    def installed(self) -> Iterator[OperationCounter]:
        import time

        from botocore.client import BaseClient

        original = BaseClient._make_api_call
        counter = self

        def counting(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            service = str(client.meta.service_model.service_name)
            noted = counter.meter.before(service, operation_name, api_params) if counter.meter else None
            started = time.perf_counter()
            error: str | None = None
            result: dict[str, Any] = {}
            try:
                result = original(client, operation_name, api_params)
                return result
            except Exception as failure:
                answer = getattr(failure, "response", None) or {}  # a botocore error without an answer has None
                error = str(answer.get("Error", {}).get("Code", type(failure).__name__))
                raise
            finally:
                seconds = time.perf_counter() - started
                units = counter.meter.after(noted, service, operation_name, api_params, result, error) if counter.meter else None
                counter.calls.append(
                    ApiCall(
                        phase=counter.phase,
                        scope=counter.scope,
                        service=service,
                        operation=operation_name,
                        table=_table(api_params),
                        key=_query_key(api_params) if operation_name == "Query" else None,
                        items=_items(operation_name, result) if error is None else None,
                        error=error,
                        seconds=seconds,
                        units=units,
                    )
                )

        BaseClient._make_api_call = counting
        try:
            yield self
        finally:
            BaseClient._make_api_call = original

    @contextmanager
    def in_phase(self, phase: str, scope: str = APPLICATION) -> Iterator[None]:
        previous = self.phase, self.scope
        self.phase, self.scope = phase, scope
        try:
            yield
        finally:
            self.phase, self.scope = previous

    def as_application(self, handler: Callable[[dict[str, Any], Any], Any]) -> Callable[[dict[str, Any], Any], Any]:
        """Wrap a Lambda handler so that the calls it makes count as the application's, not the runner's."""

        def invoke(event: dict[str, Any], context: Any) -> Any:
            previous = self.scope
            self.scope = APPLICATION
            try:
                return handler(event, context)
            finally:
                self.scope = previous

        return invoke

    def select(self, phase: str, scope: str = APPLICATION) -> list[ApiCall]:
        return [c for c in self.calls if c.phase == phase and c.scope == scope]


def tally(calls: list[ApiCall]) -> dict[str, Any]:
    """Operation counts of some calls: by ``service:Operation``, by table, by service, and the total."""
    by_operation = Counter(c.name for c in calls)
    by_table = Counter(f"{c.name}@{c.table}" if c.table else c.name for c in calls)
    by_service = Counter(c.service for c in calls)
    errors = Counter(f"{c.name}:{c.error}" for c in calls if c.error)
    return {
        "operations": dict(sorted(by_operation.items())),
        "operations_by_table": dict(sorted(by_table.items())),
        "by_service": dict(sorted(by_service.items())),
        "errors": dict(sorted(errors.items())),
        "total": len(calls),
    }


# --- the moto stack and the real handlers ---------------------------------------------------------------


@contextmanager
def bench_environment(extra: dict[str, str] | None = None) -> Iterator[None]:
    """Set the benchmark environment (and ``extra``), restoring the previous environment afterwards."""
    from devstack import moto_transactions
    from devstack.environment import use_in_process_environment

    moto_transactions.install()
    saved = dict(os.environ)
    use_in_process_environment()
    os.environ.update(extra or {})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _write_dev_key(directory: Path) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = directory / "dev-issuer.pem"
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return path


def load_personas() -> dict[str, Any]:
    with open(PERSONAS_FILE, encoding="utf-8") as handle:
        return {p["key"]: p for p in json.load(handle)["personas"]}


@dataclass
class MotoBench:
    """The moto data stack, the Chalice test client and the pollers feeding the app's real handlers."""

    counter: OperationCounter
    outputs: Any
    session: Any
    app_module: Any
    client: Any
    stream: Any
    queue: Any
    index: Any  # the subscriptions table's stream: the index built off the request
    jobs: Any  # the jobs queue: fan-out beyond one unit, digest shards
    handler_output: list[str] = field(default_factory=list)
    personas: dict[str, Any] = field(default_factory=load_personas)

    def metric_lines(self) -> int:
        """CloudWatch EMF lines the handlers printed (metrics are disabled in the local stage)."""
        return sum(1 for line in self.handler_output if line.startswith('{"_aws"'))

    def subject(self, persona: str) -> str:
        return str(self.personas[persona]["claims"]["sub"])

    def headers(self, persona: str) -> dict[str, str]:
        from chalicelib import wiring

        issuer = wiring.adapters().dev_issuer
        if issuer is None:
            raise RuntimeError("the dev issuer is not configured (BAKEN_STAGE=local and BAKEN_DEV_ISSUER_KEY_FILE)")
        return {"Content-Type": "application/json", "Authorization": f"Bearer {issuer.issue(self.personas[persona]['claims'])}"}

    def register(self, *personas: str) -> None:
        """Subscriber profiles with an e-mail address and both channels, as the portal makes on first login."""
        from chalicelib import wiring
        from chalicelib.domain.language import Language
        from chalicelib.domain.subscriptions import Channel, Subscriber

        now = datetime.now(UTC)
        for key in personas:
            persona = self.personas[key]
            wiring.adapters().subscribers.put(
                Subscriber(self.subject(key), persona["email"], Language.NL, frozenset({Channel.EMAIL, Channel.PORTAL}), now)
            )

    def follow(self, case_id: str, persona: str) -> None:
        """``persona`` subscribes to the case's interest by themselves (not a party of the case)."""
        from chalicelib import wiring
        from chalicelib.domain.subscriptions import Indexed, Scope, Subscription, SubscriptionOrigin, SubscriptionState

        subject = self.subject(persona)
        subscriber = wiring.adapters().subscribers.get(subject)
        if subscriber is None:
            raise RuntimeError(f"{persona} is not registered")
        subscription = Subscription(
            f"bench-{subject}-{case_id}",
            subject,
            Scope(case_id=case_id),
            SubscriptionOrigin.SELF,
            SubscriptionState.ACTIVE,
            datetime.now(UTC),
        )
        wiring.adapters().subscriptions.save(Indexed.of(subscription))

    def create_case(self, zaaktype: str) -> dict[str, Any]:
        initiator, *co_initiators = (self.subject(p) for p in PARTIES)
        body = {
            "zaaktype": zaaktype,
            "omschrijving": "Benchmark",
            "initiator": initiator,
            "co_initiators": co_initiators,
            "gemeenten": [GEMEENTE],
        }
        response = self.client.http.post("/api/cases", headers=self.headers(BEHANDELAAR), body=json.dumps(body).encode())
        if response.status_code != 201:
            raise RuntimeError(f"creating a case failed: {response.status_code} {response.body!r}")
        return json.loads(response.body)

    def set_status(self, case_id: str, statustype: str) -> None:
        response = self.client.http.post(
            f"/api/cases/{case_id}/status",
            headers=self.headers(BEHANDELAAR),
            body=json.dumps({"statustype": statustype}).encode(),
        )
        if response.status_code != 201:
            raise RuntimeError(f"setting the status failed: {response.status_code} {response.body!r}")

    def drain_stream(self, rounds: int = 1000) -> int:
        """Poll the streams (the subscriptions' index first, as it runs ahead of any news) and the jobs queue
        until all are empty; returns the cases stream's records checkpointed."""
        done = 0
        for _ in range(rounds):
            indexed = int(self.index.poll_once())
            moved = int(self.stream.poll_once())
            jobs = int(self.jobs.poll_once())
            done += moved
            if not (indexed or moved or jobs) and not self.stream.pending() and not self.index.pending():
                return done
        raise RuntimeError("the stream did not settle")

    def drain_queue(self, rounds: int = 1000) -> int:
        """Poll the delivery queue until a receive comes back empty; returns the messages handled."""
        done = 0
        for _ in range(rounds):
            moved = int(self.queue.poll_once())
            if not moved:
                return done
            done += moved
        raise RuntimeError("the delivery queue did not settle")

    def run_phase(self, phase: str, action: Callable[[], Any], *, polled: bool) -> Any:
        """Run ``action`` as ``phase``; calls outside a handler invocation count as the runner's when ``polled``."""
        with self.counter.in_phase(phase, RUNNER if polled else APPLICATION):
            return action()


def _capturing(handler: Callable[[dict[str, Any], Any], Any], output: list[str]) -> Callable[[dict[str, Any], Any], Any]:
    """Keep what a handler prints (powertools EMF metric lines) out of the benchmark's output, but count it."""

    def invoke(event: dict[str, Any], context: Any) -> Any:
        buffer = io.StringIO()
        try:
            with redirect_stdout(buffer):
                return handler(event, context)
        finally:
            output.extend(buffer.getvalue().splitlines())

    return invoke


@contextmanager
def _quiet_moto() -> Iterator[None]:
    """moto's CloudFormation warns that it skips AWS::SES::ConfigurationSet (see GOTCHAS.md): known, not news."""
    moto_logger = logging.getLogger("moto")
    level = moto_logger.level
    moto_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*not supported by moto's CloudFormation.*")
            yield
    finally:
        moto_logger.setLevel(level)


@contextmanager
def moto_bench(counter: OperationCounter) -> Iterator[MotoBench]:
    """moto in-process with the data stack of infra/data.json, the app wired to it, and the pollers."""
    import boto3
    from chalice.test import Client
    from moto import mock_aws

    from chalicelib import wiring
    from chalicelib.observability import logger
    from devstack.infra import create_data_stack, mapping_settings
    from devstack.runner import QueuePoller, StreamPoller, StreamSettings

    with tempfile.TemporaryDirectory(prefix="baken-bench-") as keys, bench_environment(), mock_aws(), counter.installed():
        key_file = _write_dev_key(Path(keys))
        session = boto3.Session(region_name="eu-west-1")
        with _quiet_moto():
            outputs = create_data_stack(session, "local")
        os.environ["BAKEN_CASES_STREAM_ARN"] = outputs.cases_stream_arn
        os.environ["BAKEN_SUBSCRIPTIONS_STREAM_ARN"] = outputs.subscriptions_stream_arn
        os.environ["BAKEN_DELIVERY_QUEUE_URL"] = outputs.delivery_queue_url
        os.environ["BAKEN_DEV_ISSUER_KEY_FILE"] = str(key_file)
        wiring.reset()
        # The logger is created once per process; keep INFO lines (one per record and notification) out of
        # the benchmark's output even when the Chalice test client's stage settings say INFO.
        logger().setLevel("WARNING")
        import app as app_module

        output: list[str] = []
        stream = StreamPoller(
            streams=session.client("dynamodbstreams"),
            sqs=session.client("sqs"),
            stream_arn=outputs.cases_stream_arn,
            handler=_capturing(counter.as_application(app_module.app.handler_map["on_case_change"]), output),
            settings=StreamSettings.from_mapping(mapping_settings("OnCaseChange"), batch_size=25),
            failure_queue_url=outputs.stream_failure_queue_url,
            retry_delay=0,
        )
        queue = QueuePoller(
            sqs=session.client("sqs"),
            queue_url=outputs.delivery_queue_url,
            queue_arn=outputs.values["DeliveryQueueArn"],
            handler=_capturing(counter.as_application(app_module.app.handler_map["deliver"]), output),
        )
        index = StreamPoller(
            streams=session.client("dynamodbstreams"),
            sqs=session.client("sqs"),
            stream_arn=outputs.subscriptions_stream_arn,
            handler=_capturing(counter.as_application(app_module.app.handler_map["on_subscription_change"]), output),
            settings=StreamSettings.from_mapping(mapping_settings("OnSubscriptionChange"), batch_size=10),
            failure_queue_url=outputs.stream_failure_queue_url,
            function_name="on_subscription_change",
            retry_delay=0,
        )
        jobs = QueuePoller(
            sqs=session.client("sqs"),
            queue_url=outputs.values["JobsQueueUrl"],
            queue_arn=outputs.values["JobsQueueArn"],
            handler=_capturing(counter.as_application(app_module.app.handler_map["fan_out_job"]), output),
            function_name="fan_out_job",
            batch_size=1,
        )
        try:
            with warnings.catch_warnings(), Client(app_module.app, stage_name="local", project_dir=str(ROOT)) as client:
                # powertools warns when an invocation flushes no metrics; with metrics disabled that is noise here.
                warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
                yield MotoBench(counter, outputs, session, app_module, client, stream, queue, index, jobs, output)
        finally:
            wiring.reset()


# --- the benchmark -------------------------------------------------------------------------------------


def _phases(bench: MotoBench, prefix: str) -> dict[str, Any]:
    counter = bench.counter
    phases = {name: tally(counter.select(f"{prefix}{name}")) for name in ("api", "stream", "delivery")}
    runner = {name: tally(counter.select(f"{prefix}{name}", RUNNER)) for name in ("stream", "delivery")}
    return {
        "phases": phases,
        "total_operations": sum(p["total"] for p in phases.values()),
        "runner_operations": runner,
    }


def _measure_change(bench: MotoBench, prefix: str, change: Callable[[], Any]) -> dict[str, Any]:
    bench.run_phase(f"{prefix}api", change, polled=False)
    records = bench.run_phase(f"{prefix}stream", bench.drain_stream, polled=True)
    messages = bench.run_phase(f"{prefix}delivery", bench.drain_queue, polled=True)
    return {**_phases(bench, prefix), "stream_records": records, "queue_messages": messages}


def status_change(bench: MotoBench, name: str, zaaktype: str, statustype: str) -> dict[str, Any]:
    """One case with two parties and one follower; measure its creation, then one status change."""
    from chalicelib import wiring
    from chalicelib.adapters.dev_mailbox import read_mailbox

    created: dict[str, Any] = {}

    def create() -> None:
        created.update(bench.create_case(zaaktype))

    creation = _measure_change(bench, f"{name}.create.", create)
    case_id = str(created["id"])
    with bench.counter.in_phase(f"{name}.setup"):
        bench.follow(case_id, FOLLOWER)
    with bench.counter.in_phase(f"{name}.verify"):
        known = {n.id for n in wiring.adapters().outbox.for_case(case_id)}
        mails_before = len(read_mailbox())

    change = _measure_change(bench, f"{name}.status.", lambda: bench.set_status(case_id, statustype))

    with bench.counter.in_phase(f"{name}.verify"):
        new = [n for n in wiring.adapters().outbox.for_case(case_id) if n.id not in known]
        emails = len(read_mailbox()) - mails_before
    queries = [
        {"interest": c.key, "items": c.items}
        for c in bench.counter.select(f"{name}.status.stream")
        if c.operation == "Query" and c.table == "subscriptions"
    ]
    notifications = len(new)
    delivery_total = change["phases"]["delivery"]["total"]
    return {
        "zaaktype": zaaktype,
        "statustype": statustype,
        "subscribers": len(PARTIES) + 1,
        **change,
        "notifications": notifications,
        "notifications_by_channel": dict(sorted(Counter(n.channel.value for n in new).items())),
        "notifications_by_audience": dict(sorted(Counter(n.audience.value for n in new).items())),
        "notifications_by_status": dict(sorted(Counter(n.status.value for n in new).items())),
        "emails_sent": emails,
        "subscription_queries": queries,
        "subscription_items_read": sum(q["items"] or 0 for q in queries),
        "delivery_operations_per_notification": round(delivery_total / notifications, 2) if notifications else None,
        "case_creation": creation,
    }


def run(quick: bool = False) -> dict[str, Any]:
    """Operation counts per status change (``quick`` changes nothing: the scenario is small already)."""
    counter = OperationCounter()
    with moto_bench(counter) as bench:
        with counter.in_phase("setup"):
            bench.register(*PARTIES, FOLLOWER)
        scenarios = {
            "public_case": status_change(bench, "public_case", PUBLIC_ZAAKTYPE, PUBLIC_STATUSTYPE),
            "story_case": status_change(bench, "story_case", STORY_ZAAKTYPE, STORY_STATUSTYPE),
        }
        metric_lines = bench.metric_lines()
    return {
        "description": "AWS operations per status change of a case with 2 parties + 1 follower (e-mail and portal each)",
        "scenarios": scenarios,
        "emf_metric_lines_printed": metric_lines,
    }


def _ops(tallied: dict[str, Any]) -> str:
    return ", ".join(f"{name} {n}" for name, n in tallied["operations"].items()) or "none"


def summarize(result: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for name, s in result["scenarios"].items():
        lines.append(
            f"{name}: {s['zaaktype']} → {s['statustype']}: {s['notifications']} notifications "
            f"({s['notifications_by_channel']}), {s['emails_sent']} e-mails, {s['total_operations']} AWS operations"
        )
        for phase, tallied in s["phases"].items():
            lines.append(f"  {phase:<8} {tallied['total']:>3}  {_ops(tallied)}")
            if tallied["errors"]:
                lines.append(f"           errors: {tallied['errors']}")
        runner = {phase: t["total"] for phase, t in s["runner_operations"].items()}
        lines.append(f"  runner (excluded): {runner}")
        queries = ", ".join(f"{q['interest'].split('#')[0]}#… {q['items']} items" for q in s["subscription_queries"])
        lines.append(f"  subscription queries: {queries} (items read {s['subscription_items_read']})")
        lines.append(f"  delivery operations per notification: {s['delivery_operations_per_notification']}")
        creation = s["case_creation"]
        lines.append(
            f"  (case creation, for context: {creation['total_operations']} operations — "
            + ", ".join(f"{p} {t['total']}" for p, t in creation["phases"].items())
            + ")"
        )
    lines.append(f"EMF metric lines printed although POWERTOOLS_METRICS_DISABLED=true: {result['emf_metric_lines_printed']}")
    return lines
