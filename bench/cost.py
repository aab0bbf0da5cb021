"""Infrastructure cost per 1,000 notifications, from counted operations and public AWS prices.

What it measures. Three scenarios run through the real API and handlers on moto, as ``bench.operations``
drives them (Chalice test client, stream and queue read back by ``devstack.runner``):

- ``private_case``: a status change of a case whose zaaktype is not public: only its two parties are told
  (2 people × e-mail and berichtenbox);
- ``public_status``: a public case's status change, told to its two parties and one follower (6 notifications,
  the scenario of ``bench.operations``);
- ``announcement``: an approved announcement (drafted, submitted and approved through the API) to everyone who
  follows its topic in its gemeente: ``FOLLOWERS`` people (``--quick``: ``QUICK_FOLLOWERS``), each subscribed
  through ``POST /api/me/subscriptions``.

Every AWS call is counted (``bench.operations.OperationCounter``) and billed by ``MotoMeter`` the way AWS bills
it: DynamoDB by item size, read from moto's own tables before and after each call — a write 1 unit per KB of
the larger of the old and new item (also when its condition fails), each global secondary index the item is in
(or leaves) 1 unit per KB of what it projects, a transaction twice that; a strongly consistent read 1 unit
per 4 KB, an eventually consistent one (and every index Query) half, a Query by the KB it returns in all; SQS
one request per 64 KB of payload per call, FIFO and standard queues apart (the receives and deletes of
Lambda's poller included, its empty long polls not: they are a fixed cost of some $0.30 a month per queue,
not per notification); DynamoDB Streams reads by Lambda are free. Lambda: one invocation per API request and
per handler batch, its billed duration the code's own time here scaled to the configured memory's CPU share
(Lambda gives a full vCPU at 1,769 MB) plus an assumed latency per AWS call (``LATENCY_MS``), rounded up to
the millisecond; cold starts are left out.

The prices are one table (``PRICES``), each with its source and the date it was checked. What is not in the
model: storage, CloudWatch logs and metrics, data transfer, the free tiers, and SES itself (shown beside).

``python -m bench --only cost --write-readme`` writes the counted figures to ``bench/cost_counts.json`` and the
table between the ``cost-model`` markers in README.md; ``tests/unit/test_cost_model.py`` checks that the README
shows what the formula gives for those figures.
"""

from __future__ import annotations

import copy
import json
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
COUNTS_FILE = Path(__file__).resolve().parent / "cost_counts.json"
README = ROOT / "README.md"
START, END = "<!-- cost-model:start -->", "<!-- cost-model:end -->"

FOLLOWERS = 1000
QUICK_FOLLOWERS = 100
KB, KB4, KB64 = 1024, 4096, 65536
MEMORY_MB = 512  # every function's lambda_memory_size in .chalice/config.json (read by ``memory_mb``)
FULL_VCPU_MB = 1769  # Lambda gives one full vCPU at 1,769 MB, a share in proportion below it
LATENCY_MS = {"dynamodb": 6.0, "sqs": 12.0, "sesv2": 40.0}  # assumed time per call on AWS, in the same Region


@dataclass(frozen=True)
class Price:
    usd: float
    per: int
    unit: str
    source: str


# The public on-demand prices, eu-west-1 (Europe, Ireland), in USD, checked 2026-12-06.
PRICES_CHECKED = "2026-12-06"
PRICES: dict[str, Price] = {
    "dynamodb_wru": Price(1.4135, 1_000_000, "write request units", "https://aws.amazon.com/dynamodb/pricing/on-demand/"),
    "dynamodb_rru": Price(0.283, 1_000_000, "read request units", "https://aws.amazon.com/dynamodb/pricing/on-demand/"),
    # not charged when Lambda reads the stream, as here: kept to show that it was considered
    "streams_read": Price(
        0.02, 100_000, "GetRecords calls (free for Lambda triggers)", "https://aws.amazon.com/dynamodb/pricing/on-demand/"
    ),
    "sqs_fifo": Price(0.50, 1_000_000, "FIFO requests (64 KB chunks)", "https://aws.amazon.com/sqs/pricing/"),
    "sqs_standard": Price(0.40, 1_000_000, "standard requests (64 KB chunks)", "https://aws.amazon.com/sqs/pricing/"),
    "lambda_requests": Price(0.20, 1_000_000, "invocations", "https://aws.amazon.com/lambda/pricing/"),
    "lambda_gb_s": Price(0.0000166667, 1, "GB-seconds (x86)", "https://aws.amazon.com/lambda/pricing/"),
    "api_requests": Price(3.50, 1_000_000, "REST API requests", "https://aws.amazon.com/api-gateway/pricing/"),
    "ses_emails": Price(0.10, 1_000, "e-mails", "https://aws.amazon.com/ses/pricing/"),
}
INFRASTRUCTURE = ("dynamodb_wru", "dynamodb_rru", "sqs_fifo", "sqs_standard", "lambda_requests", "lambda_gb_s", "api_requests")


def memory_mb(function: str) -> int:
    """A function's configured memory (.chalice/config.json)."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    return int(config["lambda_functions"][function]["lambda_memory_size"])


# --- the formula ------------------------------------------------------------------------------------------


def dollars(counts: Mapping[str, Any]) -> dict[str, float]:
    """What each counted quantity costs: quantity × price / per."""
    return {key: counts.get(key, 0) * PRICES[key].usd / PRICES[key].per for key in PRICES}


def per_thousand(counts: Mapping[str, Any]) -> dict[str, float]:
    """Infrastructure $ per 1,000 notifications, and SES's own $ per 1,000 e-mails beside it."""
    cost = dollars(counts)
    infrastructure = sum(cost[key] for key in INFRASTRUCTURE)
    notifications = counts["notifications"]
    return {
        "infrastructure_usd": infrastructure,
        "per_1000_notifications_usd": infrastructure / notifications * 1000 if notifications else 0.0,
        "ses_per_1000_emails_usd": PRICES["ses_emails"].usd * 1000 / PRICES["ses_emails"].per,
    }


def formula() -> str:
    terms = " + ".join(f"{key} × ${PRICES[key].usd:g}/{PRICES[key].per:,}" for key in INFRASTRUCTURE)
    return f"infrastructure $ = {terms}; per 1,000 notifications = infrastructure $ ÷ notifications × 1,000"


def _money(value: float) -> str:
    return f"${value:.4f}"


def render(stored: dict[str, Any]) -> str:
    """The README's table (and the formula and prices under it) for counted figures as ``run`` stores them."""
    lines = [
        "| scenario | notifications (e-mails) | DynamoDB RRU / WRU | SQS requests | Lambda invocations / GB-s "
        "| infrastructure per 1,000 notifications (DynamoDB's share) | SES per 1,000 e-mails |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, counts in stored["scenarios"].items():
        result = per_thousand(counts)
        priced, total = dollars(counts), result["infrastructure_usd"]
        dynamodb = (priced["dynamodb_wru"] + priced["dynamodb_rru"]) / total if total else 0.0
        sqs = counts.get("sqs_fifo", 0) + counts.get("sqs_standard", 0)
        invocations = counts.get("lambda_requests", 0)
        lines.append(
            f"| {name} ({counts['description']}) | {counts['notifications']:,} ({counts['emails']:,}) "
            f"| {counts.get('dynamodb_rru', 0):,.1f} / {counts.get('dynamodb_wru', 0):,.0f} | {sqs:,.0f} "
            f"| {invocations:,.0f} / {counts.get('lambda_gb_s', 0):,.3f} "
            f"| **{_money(result['per_1000_notifications_usd'])}** ({dynamodb:.0%}) "
            f"| {_money(result['ses_per_1000_emails_usd'])} |"
        )
    lines += [
        "",
        f"Formula: {formula()}.",
        "",
        f"Prices (eu-west-1, on demand, USD, checked {stored['prices_checked']}): "
        + "; ".join(f"{key} ${p.usd:g} per {p.per:,} {p.unit} ({p.source})" for key, p in PRICES.items())
        + ".",
        "",
        f"Assumptions: {stored['assumptions']}",
    ]
    return "\n".join(lines)


def readme_section(text: str) -> str | None:
    """What README.md holds between the cost-model markers, or None when they are missing."""
    match = re.search(re.escape(START) + r"\n?(.*?)\n?" + re.escape(END), text, flags=re.DOTALL)
    return match.group(1) if match else None


def update_readme(stored: dict[str, Any], readme: Path = README) -> None:
    text = readme.read_text(encoding="utf-8")
    if readme_section(text) is None:
        raise RuntimeError(f"README.md has no {START} … {END} markers")
    section = f"{START}\n{render(stored)}\n{END}"
    pattern = re.escape(START) + r".*?" + re.escape(END)
    readme.write_text(re.sub(pattern, lambda _: section, text, count=1, flags=re.DOTALL), encoding="utf-8")


# --- billing units of one call, read from moto's tables ------------------------------------------------------


def _size(item: dict[str, Any] | None) -> int:
    from bench.matching import item_size

    return item_size(item) if item else 0


def _write_units(size: int) -> int:
    return max(1, math.ceil(size / KB))


def _read_units(size: int, consistent: bool) -> float:
    return max(1, math.ceil(size / KB4)) * (1.0 if consistent else 0.5)


class MotoMeter:
    """Bills each call (``bench.operations.Meter``) from the items moto holds before and after it."""

    def __init__(self, account: str = "123456789012", region: str = "eu-west-1") -> None:
        self._account, self._region = account, region

    def _backend(self) -> Any:
        from moto.dynamodb.models import dynamodb_backends

        return dynamodb_backends[self._account][self._region]

    def _targets(self, operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any], int]]:
        """(table, key, factor) of every item a write touches; a transaction's items count twice."""
        backend = self._backend()

        def key_of(table: str, item: dict[str, Any]) -> dict[str, Any]:
            attributes = backend.get_table(table).table_key_attrs
            return {name: item[name] for name in attributes if name in item}

        if operation == "PutItem":
            return [(params["TableName"], key_of(params["TableName"], params["Item"]), 1)]
        if operation in ("UpdateItem", "DeleteItem"):
            return [(params["TableName"], params["Key"], 1)]
        if operation == "BatchWriteItem":
            return [
                (
                    table,
                    key_of(table, request["PutRequest"]["Item"]) if "PutRequest" in request else request["DeleteRequest"]["Key"],
                    1,
                )
                for table, requests in params["RequestItems"].items()
                for request in requests
            ]
        if operation == "TransactWriteItems":
            targets = []
            for entry in params["TransactItems"]:
                ((kind, body),) = entry.items()
                key = key_of(body["TableName"], body["Item"]) if kind == "Put" else body["Key"]
                targets.append((body["TableName"], key, 2))
            return targets
        return []

    def _item(self, table: str, key: dict[str, Any]) -> Any:
        """A copy of the item as moto holds it now (moto changes an updated item in place)."""
        try:
            return copy.deepcopy(self._backend().get_item(table, key))
        except Exception:  # noqa: BLE001 - a key moto refuses: the call fails as well, and bills nothing
            return None

    def before(self, service: str, operation: str, params: dict[str, Any]) -> Any:
        if service != "dynamodb":
            return None
        return [(table, key, factor, self._item(table, key)) for table, key, factor in self._targets(operation, params)]

    def after(
        self, noted: Any, service: str, operation: str, params: dict[str, Any], result: dict[str, Any], error: str | None
    ) -> dict[str, float]:
        if service == "dynamodb":
            return self._dynamodb(noted or [], operation, params, result, error)
        if error is not None:
            return {}
        if service == "sqs":
            return self._sqs(operation, params, result)
        if service == "sesv2" and operation == "SendEmail":
            return {"ses_emails": 1}
        return {}

    def _dynamodb(
        self, noted: list[Any], operation: str, params: dict[str, Any], result: dict[str, Any], error: str | None
    ) -> dict[str, float]:
        conditional = error in ("ConditionalCheckFailedException", "TransactionCanceledException")
        if error is not None and not conditional:
            return {}
        if noted:
            units = 0.0
            for table, key, factor, old in noted:
                new = old if conditional else self._item(table, key)
                old_json = old.to_json()["Attributes"] if old is not None else None
                new_json = new.to_json()["Attributes"] if new is not None else None
                units += factor * _write_units(max(_size(old_json), _size(new_json)))
                if not conditional:
                    units += factor * self._index_writes(table, old, new)
            return {"dynamodb_wru": units}
        return self._reads(operation, params, result)

    @staticmethod
    def _reads(operation: str, params: dict[str, Any], result: dict[str, Any]) -> dict[str, float]:
        consistent = bool(params.get("ConsistentRead"))
        if operation == "GetItem":
            return {"dynamodb_rru": _read_units(_size(result.get("Item")), consistent)}
        if operation in ("Query", "Scan"):
            index = bool(params.get("IndexName"))
            return {"dynamodb_rru": _read_units(sum(_size(i) for i in result.get("Items", [])), consistent and not index)}
        if operation == "BatchGetItem":
            units = 0.0
            for table, request in params["RequestItems"].items():
                found = result.get("Responses", {}).get(table, [])
                sizes = [_size(i) for i in found] + [0] * max(0, len(request["Keys"]) - len(found))
                units += sum(_read_units(s, bool(request.get("ConsistentRead"))) for s in sizes)
            return {"dynamodb_rru": units}
        if operation == "TransactGetItems":
            return {"dynamodb_rru": sum(2 * _read_units(_size(r.get("Item")), True) for r in result.get("Responses", []))}
        return {}

    def _index_writes(self, table_name: str, old: Any, new: Any) -> float:
        """Write units on the table's global secondary indexes: an entry written, removed, or both when its key
        changed; nothing for an index whose entry does not change."""
        units = 0.0
        for index in self._backend().get_table(table_name).global_indexes:
            before = index.project(old) if old is not None and all(k in old.attrs for k in index.schema_key_attrs) else None
            after = index.project(new) if new is not None and all(k in new.attrs for k in index.schema_key_attrs) else None
            if before is None and after is None:
                continue
            if before is not None and after is not None:
                same_key = all(old.attrs[k] == new.attrs[k] for k in index.schema_key_attrs)
                if same_key:
                    if before.attrs != after.attrs:
                        units += _write_units(after.size())
                    continue
            units += sum(_write_units(entry.size()) for entry in (before, after) if entry is not None)
        return units

    @staticmethod
    def _sqs(operation: str, params: dict[str, Any], result: dict[str, Any]) -> dict[str, float]:
        queue = str(params.get("QueueUrl", ""))
        kind = "sqs_fifo" if queue.endswith(".fifo") else "sqs_standard"
        if operation == "SendMessageBatch":
            payload = sum(len(str(e.get("MessageBody", "")).encode()) for e in params.get("Entries", []))
        elif operation == "SendMessage":
            payload = len(str(params.get("MessageBody", "")).encode())
        elif operation == "ReceiveMessage":
            payload = sum(len(str(m.get("Body", "")).encode()) for m in result.get("Messages", []))
        else:
            payload = 0
        return {kind: max(1, math.ceil(payload / KB64))}


# --- the scenarios ---------------------------------------------------------------------------------------------


@dataclass
class Invocation:
    function: str
    seconds: float  # wall time here, the AWS calls included
    calls: list[Any]


class Invocations:
    """Every Lambda invocation of a scenario: API requests, stream and queue handler batches."""

    def __init__(self, counter: Any) -> None:
        self._counter = counter
        self.done: list[Invocation] = []

    @contextmanager
    def invoking(self, function: str) -> Iterator[None]:
        first, started = len(self._counter.calls), time.perf_counter()
        try:
            yield
        finally:
            self.done.append(Invocation(function, time.perf_counter() - started, self._counter.calls[first:]))

    def wrap(self, function: str, handler: Callable[[dict[str, Any], Any], Any]) -> Callable[[dict[str, Any], Any], Any]:
        def invoke(event: dict[str, Any], context: Any) -> Any:
            with self.invoking(function):
                return handler(event, context)

        return invoke


def billed_ms(invocation: Invocation) -> int:
    """The code's own time here, scaled to the function's CPU share, plus the assumed time of its AWS calls."""
    inside = sum(c.seconds for c in invocation.calls)
    code_ms = max(0.0, invocation.seconds - inside) * 1000 * FULL_VCPU_MB / memory_mb(invocation.function)
    waiting_ms = sum(LATENCY_MS.get(c.service, 10.0) for c in invocation.calls)
    return math.ceil(code_ms + waiting_ms)


def _register(bench: Any, subjects: dict[str, str]) -> None:
    """Subscriber profiles with an e-mail address and both channels, without quiet hours (so that the figures do
    not depend on the hour the benchmark runs)."""
    from chalicelib import wiring
    from chalicelib.domain.language import Language
    from chalicelib.domain.subscriptions import Channel, Subscriber

    now = datetime.now(UTC)
    for subject, email in subjects.items():
        wiring.adapters().subscribers.put(
            Subscriber(subject, email, Language.NL, frozenset({Channel.EMAIL, Channel.PORTAL}), now, quiet_hours=False)
        )


def _api(bench: Any, invocations: Invocations, method: str, path: str, claims: dict[str, Any], body: dict[str, Any]) -> Any:
    from chalicelib import wiring

    issuer = wiring.adapters().dev_issuer
    if issuer is None:
        raise RuntimeError("the dev issuer is not configured")
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {issuer.issue(claims)}"}
    with invocations.invoking("api_handler"):
        response = getattr(bench.client.http, method)(path, headers=headers, body=json.dumps(body).encode())
    if response.status_code not in (200, 201):
        raise RuntimeError(f"{method.upper()} {path}: {response.status_code} {response.body!r}")
    return json.loads(response.body)


def _counted(
    calls: list[Any], invocations: list[Invocation], notifications: int, emails: int, description: str
) -> dict[str, Any]:
    units: Counter[str] = Counter()
    for call in calls:
        empty_receive = call.operation == "ReceiveMessage" and not call.items
        if call.units and not empty_receive:
            units.update(call.units)
    by_function = Counter(i.function for i in invocations)
    gb_s = sum(billed_ms(i) / 1000 * memory_mb(i.function) / 1024 for i in invocations)
    return {
        "description": description,
        "notifications": notifications,
        "emails": emails,
        "dynamodb_rru": round(units["dynamodb_rru"], 1),
        "dynamodb_wru": round(units["dynamodb_wru"], 1),
        "sqs_fifo": units["sqs_fifo"],
        "sqs_standard": units["sqs_standard"],
        "lambda_requests": len(invocations),
        "lambda_gb_s": round(gb_s, 4),
        "api_requests": by_function["api_handler"],
        "ses_emails": units["ses_emails"],
        "invocations_by_function": dict(sorted(by_function.items())),
        "aws_calls": len(calls),
    }


def _scenario(bench: Any, invocations: Invocations, name: str, change: Callable[[], Any], description: str) -> dict[str, Any]:
    """Make the change, drain stream and queue; count what it cost. Its notifications are the delivery jobs
    the queue handed over (one message per notification; no quiet hours, nothing held)."""
    from chalicelib.adapters.dev_mailbox import read_mailbox

    counter = bench.counter
    mails_before, calls_before, invoked_before = len(read_mailbox()), len(counter.calls), len(invocations.done)
    with counter.in_phase(f"{name}.api"):
        change()
    bench.run_phase(f"{name}.stream", bench.drain_stream, polled=True)
    notifications = bench.run_phase(f"{name}.delivery", bench.drain_queue, polled=True)
    calls = [c for c in counter.calls[calls_before:] if c.phase.startswith(f"{name}.")]
    emails = len(read_mailbox()) - mails_before
    return _counted(calls, invocations.done[invoked_before:], notifications, emails, description)


def run(quick: bool = False, write_readme: bool = False) -> dict[str, Any]:
    """The three scenarios on moto, counted and priced (``write_readme``: store the counts, rewrite README.md)."""
    from bench.operations import (
        BEHANDELAAR,
        FOLLOWER,
        PARTIES,
        PUBLIC_STATUSTYPE,
        PUBLIC_ZAAKTYPE,
        STORY_STATUSTYPE,
        STORY_ZAAKTYPE,
        OperationCounter,
        moto_bench,
    )

    followers = QUICK_FOLLOWERS if quick else FOLLOWERS
    counter = OperationCounter(meter=MotoMeter())
    invocations = Invocations(counter)
    scenarios: dict[str, Any] = {}
    started = time.perf_counter()
    with moto_bench(counter) as bench:
        bench.stream._handler = invocations.wrap("on_case_change", bench.stream._handler)
        bench.queue._handler = invocations.wrap("deliver", bench.queue._handler)
        bench.index._handler = invocations.wrap("on_subscription_change", bench.index._handler)
        bench.jobs._handler = invocations.wrap("fan_out_job", bench.jobs._handler)
        personas = bench.personas
        _register(bench, {bench.subject(p): personas[p]["email"] for p in (*PARTIES, FOLLOWER)})
        staff = personas[BEHANDELAAR]["claims"]

        def status_change(zaaktype: str, statustype: str, followed: bool) -> Callable[[], None]:
            with counter.in_phase("setup"):
                case = bench.create_case(zaaktype)
                bench.drain_stream()
                bench.drain_queue()
                if followed:
                    bench.follow(case["id"], FOLLOWER)
                    bench.drain_stream()  # the subscription's own stream record belongs to the setup

            def change() -> None:
                _api(bench, invocations, "post", f"/api/cases/{case['id']}/status", staff, {"statustype": statustype})

            return change

        change = status_change(STORY_ZAAKTYPE, STORY_STATUSTYPE, followed=True)
        scenarios["private_case"] = _scenario(
            bench, invocations, "private_case", change, "a case that is not public: its 2 parties"
        )
        change = status_change(PUBLIC_ZAAKTYPE, PUBLIC_STATUSTYPE, followed=True)
        scenarios["public_status"] = _scenario(bench, invocations, "public_status", change, "2 parties and 1 follower")

        with counter.in_phase("setup"):
            announcement = _announcement_setup(bench, invocations, followers)
        scenarios["announcement"] = _scenario(
            bench, invocations, "announcement", announcement, f"{followers:,} followers of its topic in its gemeente"
        )
    stored = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "prices_checked": PRICES_CHECKED,
        "assumptions": (
            f"Lambda at {MEMORY_MB} MB (.chalice/config.json), billed duration = code time here × {FULL_VCPU_MB}/{MEMORY_MB} "
            f"(its CPU share) + per AWS call {', '.join(f'{s} {ms:g} ms' for s, ms in LATENCY_MS.items())}; no cold starts; "
            "no free tiers; storage, logs, metrics and data transfer left out; SQS receives and deletes of Lambda's "
            "poller counted, its empty long polls not; stream reads by Lambda are free."
        ),
        "scenarios": scenarios,
    }
    if write_readme:
        COUNTS_FILE.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        update_readme(stored)
    return {
        **stored,
        "followers": followers,
        "per_1000": {name: per_thousand(counts) for name, counts in scenarios.items()},
        "formula": formula(),
        "table": render(stored),
        "wrote_readme": write_readme,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _announcement_setup(bench: Any, invocations: Invocations, followers: int) -> Callable[[], None]:
    """``followers`` people follow the topic in the gemeente through the API; an announcement is drafted and
    submitted. The scenario's change is the approval."""
    from bench.operations import BEHANDELAAR

    template = dict(bench.personas["mark"]["claims"])
    people = {f"pu-bench-{n:06d}": f"volger{n}@example.org" for n in range(followers)}
    _register(bench, people)
    for subject in people:
        claims = {**template, "sub": subject, "name": f"Volger {subject[-6:]}"}
        claims.pop("represents", None)
        _api(bench, invocations, "post", "/api/me/subscriptions", claims, {"topics": ["grondbeheer"], "gemeenten": ["GM1581"]})
    author = bench.personas["pieter"]["claims"]
    draft = _api(
        bench,
        invocations,
        "post",
        "/api/announcements",
        author,
        {
            "title": "Landbouwgrond beschikbaar",
            "text": "Er komt landbouwgrond vrij.",
            "topic": "grondbeheer",
            "gemeenten": ["GM1581"],
        },
    )
    _api(bench, invocations, "post", f"/api/announcements/{draft['id']}/submit", author, {})
    bench.drain_stream()
    bench.drain_queue()
    approver = bench.personas[BEHANDELAAR]["claims"]

    def approve() -> None:
        _api(bench, invocations, "post", f"/api/announcements/{draft['id']}/approve", approver, {})

    return approve


def summarize(result: dict[str, Any]) -> list[str]:
    lines = result["table"].splitlines()
    for name, counts in result["scenarios"].items():
        lines.append(
            f"{name}: {counts['aws_calls']:,} AWS calls, invocations {counts['invocations_by_function']}, "
            f"infrastructure ${result['per_1000'][name]['infrastructure_usd']:.6f} in all"
        )
    if result["wrote_readme"]:
        lines.append(f"wrote {COUNTS_FILE.relative_to(ROOT)} and the cost-model section of README.md")
    return lines
