"""Concurrent writes on moto: parallel requests of one behandelaar, parallel registrations, and transactions
that meet other writes (``TransactionConflict``, injected through botocore event hooks on the client in use, as
DynamoDB answers under load). The tests count outcomes, never time: a conflict is tried again and is never a
429 or a 500; when a 409 is still the answer, it says what collided and nothing was stored.

The threads call the commands directly (the Chalice app keeps the request being answered on the app object,
one per Lambda invocation, so the HTTP layer is exercised one request at a time with the faults injected).
moto's DynamoDB answers them one at a time, as the local stack's does (devstack/embedded_moto.py: its
TransactWriteItems breaks on a table written meanwhile — DynamoDB's own answer to that, TransactionConflict,
is the one injected here)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib import wiring
from chalicelib.adapters.dynamodb.models import CaseIndexRecord
from chalicelib.domain.cases import HistoryKind
from chalicelib.domain.errors import DomainError
from chalicelib.domain.identity import Principal
from chalicelib.services.case_commands import NewCase
from devstack.embedded_moto import serialised
from tests.integration.browsing import CASE
from tests.integration.conftest import PERSONAS, body, headers, problem, register_personas

MARK = PERSONAS["mark"].claims["sub"]
NEW_CASE = NewCase(
    zaaktype=str(CASE["zaaktype"]), omschrijving="Parallel", initiator=MARK, co_initiators=(), gemeenten=("GM1581",)
)
STEPS = ("in-behandeling", "aanvullende-informatie-nodig", "in-behandeling", "aanvullende-informatie-nodig")


def _principal(persona: str) -> Principal:
    return wiring.adapters().verifier.verify(headers(persona)["Authorization"].removeprefix("Bearer "))


def _outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except DomainError as error:
        return type(error).__name__
    return "done"


def _in_parallel(work: Callable[[int], list[str]], threads: int = 4) -> Counter[str]:
    with ThreadPoolExecutor(threads) as pool:
        return Counter(outcome for outcomes in pool.map(work, range(threads)) for outcome in outcomes)


class Fault:
    """Raises a DynamoDB error from ``operation`` for the next ``times`` calls whose parameters ``match``
    (thread-safe), through a before-parameter-build hook on a client."""

    def __init__(
        self,
        operation: str,
        error: Callable[[dict[str, Any]], dict[str, Any]],
        times: int,
        match: Callable[[dict[str, Any]], bool],
    ) -> None:
        self.operation = operation
        self.error = error
        self.times = times
        self.match = match
        self.raised = 0
        self._lock = threading.Lock()

    def __call__(self, params: dict[str, Any], **_: Any) -> None:
        if not self.match(params):
            return
        with self._lock:
            if self.times == 0:
                return
            self.times -= 1
            self.raised += 1
        raise ClientError(self.error(params), self.operation)


def transaction_conflict(params: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB's answer to a transaction that met another write on one of its items."""
    reasons = [{"Code": "None"} for _ in params.get("TransactItems", [])]
    reasons[-1] = {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}
    return {
        "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled [TransactionConflict]"},
        "CancellationReasons": reasons,
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }


def conditional_check_failed(_: dict[str, Any]) -> dict[str, Any]:
    return {
        "Error": {"Code": "ConditionalCheckFailedException", "Message": "injected"},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }


@pytest.fixture(autouse=True)
def one_dynamodb_request_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.responses import DynamoHandler

    monkeypatch.setattr(DynamoHandler, "call_action", serialised(DynamoHandler.call_action))


@pytest.fixture
def inject(stack) -> Iterator[Callable[[Any, Fault], Fault]]:
    """``inject(client, fault)``: hook ``fault`` into a botocore client; unhooked after the test."""
    hooked: list[tuple[Any, str, Fault]] = []

    def install(client: Any, fault: Fault) -> Fault:
        event = f"before-parameter-build.dynamodb.{fault.operation}"
        client.meta.events.register(event, fault)
        hooked.append((client, event, fault))
        return fault

    yield install
    for client, event, fault in hooked:
        client.meta.events.unregister(event, fault)


def _cases_client() -> Any:
    return wiring.adapters().cases._connection.client  # type: ignore[attr-defined]  # the DynamoDB adapter's own


def _limiter_client() -> Any:
    return CaseIndexRecord._get_connection().connection.client


def _window_of(params: dict[str, Any]) -> bool:
    return str(params.get("Item", {}).get("pk", {}).get("S", "")).startswith("limit#actor:")


@pytest.fixture
def annas_cases(client) -> list[str]:
    register_personas("mark")
    created = [wiring.services().case_commands.create(_principal("anna"), NEW_CASE) for _ in range(4)]
    return [case.id for case in created]


# One behandelaar, parallel changes -------------------------------------------------------------------------


def test_parallel_status_changes_of_one_behandelaar_are_never_refused_as_too_many(annas_cases):
    # GIVEN Anna and four of her cases, far below her 1,000 changes an hour
    anna, commands = _principal("anna"), wiring.services().case_commands

    # WHEN she changes the status of each, four at the same time, four times (sixteen changes)
    def work(index: int) -> list[str]:
        case_id = annas_cases[index]
        return [_outcome(partial(commands.set_status, anna, case_id, step, None)) for step in STEPS]

    outcomes = _in_parallel(work)

    # THEN every change is made: none is a 429 because the rate-limit window was written at the same moment
    assert outcomes == {"done": 16}
    for case_id in annas_cases:
        assert wiring.adapters().cases.get(case_id).current_status.statustype == STEPS[-1]


def test_parallel_changes_to_one_case_are_made_or_refused_as_a_conflict_never_anything_else(annas_cases):
    # GIVEN one of Anna's cases
    anna, commands, case_id = _principal("anna"), wiring.services().case_commands, annas_cases[0]
    before = wiring.adapters().cases.get(case_id).version

    # WHEN four messages to its parties are posted at the same moment, twice
    def work(index: int) -> list[str]:
        return [_outcome(partial(commands.post_message, anna, case_id, f"Bericht {index}.{n}", None)) for n in range(2)]

    outcomes = _in_parallel(work)

    # THEN each is either posted (after reading the case again when another came first) or refused as a
    # conflict on the case — never a 429 or an error — and the case and its history hold exactly the ones posted
    assert set(outcomes) <= {"done", "ConcurrentUpdateError"}
    assert outcomes["done"] >= 1
    after = wiring.adapters().cases.get(case_id)
    assert after.counts.messages == outcomes["done"]
    history = wiring.adapters().cases.history(case_id, limit=100).entries
    assert len([e for e in history if e.kind is HistoryKind.MESSAGE]) == outcomes["done"]
    assert after.version == before + outcomes["done"]


def test_a_rate_limit_window_written_meanwhile_is_read_again_not_answered_429(client, annas_cases, inject):
    # GIVEN Anna's rate-limit window is written by others five times in a row as she changes a case
    raced = inject(_limiter_client(), Fault("PutItem", conditional_check_failed, 5, _window_of))
    # WHEN she sets a status
    answer = client.http.post(
        f"/api/cases/{annas_cases[0]}/status", headers=headers("anna"), body='{"statustype": "in-behandeling"}'
    )
    # THEN the window is read again until her request has its place: the status is set
    assert answer.status_code == 201, answer.body
    assert raced.raised == 5


def test_a_rate_limit_window_that_keeps_being_written_is_a_409_naming_it_never_a_429(client, annas_cases, inject):
    inject(_limiter_client(), Fault("PutItem", conditional_check_failed, 1_000, _window_of))
    answer = client.http.post(
        f"/api/cases/{annas_cases[0]}/status", headers=headers("anna"), body='{"statustype": "in-behandeling"}'
    )
    refused = problem(answer, 409)
    assert refused["code"] == "concurrent_update"
    assert "te veel van uw verzoeken op hetzelfde moment" in refused["detail"]
    assert "Retry-After" not in answer.headers
    assert wiring.adapters().cases.get(annas_cases[0]).current_status.statustype == "ontvangen"  # nothing was changed


# Parallel registrations -----------------------------------------------------------------------------------


def test_parallel_registrations_each_get_a_case_with_its_own_number(client):
    register_personas("mark")
    anna, commands = _principal("anna"), wiring.services().case_commands

    numbers: list[str] = []

    def work(_: int) -> list[str]:
        outcomes = []
        for _ in range(4):
            try:
                numbers.append(commands.create(anna, NEW_CASE).case_number)
                outcomes.append("done")
            except DomainError as error:
                outcomes.append(type(error).__name__)
        return outcomes

    assert _in_parallel(work) == {"done": 16}
    assert len(set(numbers)) == 16
    assert len(wiring.adapters().cases.cases_of_party(MARK)) == 16


def test_registrations_whose_transaction_meets_other_writes_are_tried_again(client, inject):
    # GIVEN DynamoDB cancels the registrations' transactions for a conflict with other writes: 6 times, while
    # 4 registrations run at the same time
    register_personas("mark")
    conflicts = inject(_cases_client(), Fault("TransactWriteItems", transaction_conflict, 6, lambda _: True))
    anna, commands = _principal("anna"), wiring.services().case_commands
    # WHEN the four are made
    outcomes = _in_parallel(lambda _: [_outcome(lambda: commands.create(anna, NEW_CASE))])
    # THEN all are registered, none an error, and no number was used up by a try that was cancelled
    assert outcomes == {"done": 4}
    assert conflicts.raised == 6
    numbers = sorted(case.case_number for case in wiring.adapters().cases.cases_of_party(MARK))
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3, 4]


def test_a_registration_answered_after_conflicts_is_201_with_the_next_number(client, inject):
    register_personas("mark")
    inject(_cases_client(), Fault("TransactWriteItems", transaction_conflict, 2, lambda _: True))
    answer = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps({**CASE, "initiator": MARK}))
    assert answer.status_code == 201, answer.body
    assert body(answer)["case_number"].endswith("-000001")


def test_a_registration_that_keeps_meeting_other_writes_is_a_409_naming_the_conflict_never_a_500(client, inject, app_log):
    register_personas("mark")
    inject(_cases_client(), Fault("TransactWriteItems", transaction_conflict, 1_000, lambda _: True))
    answer = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps({**CASE, "initiator": MARK}))
    refused = problem(answer, 409)
    assert refused["code"] == "concurrent_update"
    assert "op hetzelfde moment" in refused["detail"]
    assert "niets opgeslagen" in refused["detail"]
    english = problem(
        client.http.post("/api/cases", headers=headers("anna", language="en"), body=json.dumps({**CASE, "initiator": MARK})), 409
    )
    assert "at the same moment" in english["detail"]
    assert wiring.adapters().cases.cases_of_party(MARK) == []
    assert not [r for r in app_log.records() if r.get("message") == "unhandled error"]


def test_a_plain_transaction_conflict_error_is_tried_again_too(client, inject):
    register_personas("mark")
    plain = {
        "Error": {"Code": "TransactionConflictException", "Message": "injected"},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }
    inject(_cases_client(), Fault("TransactWriteItems", lambda _: plain, 2, lambda _: True))
    answer = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps({**CASE, "initiator": MARK}))
    assert answer.status_code == 201, answer.body
