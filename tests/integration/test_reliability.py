"""RELIABILITY.md tests 1–15 (issue 4 §3): which tests prove each one, and the tests that were missing or weaker
than the pass criterion. Faults are injected with botocore client event hooks on top of moto: before-call
(refused before anything happens) and after-call (done, but the answer is lost, or the process dies). A process
that dies (ProcessDiedError, a BaseException) runs no ``except Exception`` in the app or the event runner, as
when Lambda times out or is killed.

test N → path::name (paths under tests/; "here" is this module). "+" marks a test added by this audit, because
nothing asserted the pass criterion or what did was weaker.

 1. Outbox atomicity under random transaction failures (hypothesis): status changes == outbox items.
    + here::test_1_under_random_write_failures_every_committed_status_change_has_exactly_its_outbox_items
    (before: no test failed a write at random; unit/services/test_fanout.py only replays a change)
 2. Stream → jobs, real records read back from the moto stream: one job per matching subscriber, none else.
    + here::test_2_a_change_read_back_from_the_stream_gives_one_job_per_matching_subscriber_and_channel_and_none_else
    integration/test_subscriptions_api.py::test_overlapping_subscriptions_give_one_notification_per_channel_for_each_public_status
    and ::test_a_case_that_is_not_public_is_news_for_nobody_but_its_parties count e-mails, not jobs
 3. Same batch invoked twice: no extra e-mail.
    integration/test_stream.py::test_the_same_batch_invoked_twice_sends_no_extra_email (invoked again after delivery)
    + here::test_3_the_same_batch_invoked_again_before_delivery_and_after_sqs_deduplication_sends_no_extra_email
    (before delivery and past SQS's 5-minute deduplication, so the queue really holds every job twice)
 4. Same status written twice (a new stream record): one e-mail.
    integration/test_stream.py::test_a_write_that_changes_nothing_tells_nobody (an unchanged re-put of a new case)
    + here::test_4_the_same_status_written_twice_gives_one_email (set twice through the API, and re-put, after a change)
 5. Partial batch, record 2 of 5 fails: 2–5 of that case reported failed; after replay each status e-mailed once.
    integration/test_stream.py::test_a_failure_in_the_middle_of_a_cases_changes_holds_back_its_later_changes (meets it:
    Mark's records 2–5 reported, Jan's record in between not; after the replay each status once, in order)
 6. Hypothesis state machine of random failures and redeliveries: per case in order, no duplicates.
    + unit/services/test_reliability.py::TestRandomFailuresAndRedeliveriesNeverReorderOrDoubleAnEmail
 7. Whole batch fails: the handler signals failure; nothing is checkpointed.
    integration/test_stream.py::test_a_batch_that_fails_whole_is_not_checkpointed_and_is_told_once_after_recovery and
    integration/test_runner.py::test_a_batch_that_fails_whole_is_split_in_halves_until_the_bad_record_stands_alone
    + here::test_7_a_batch_whose_every_record_fails_makes_the_handler_fail_and_nothing_is_checkpointed (the handler raises)
 8. Static check of the deployed configuration.
    packaging/test_package.py::test_the_stream_mapping_reports_failures_per_record_and_gives_up_in_the_end,
    ::test_the_queue_mapping_reports_failures_per_message, ::test_the_delivery_queue_fits_the_deliver_function (meet it;
    they run `chalice package`, marker packaging); integration/test_runner.py::test_the_settings_come_from_the_merge_template
 9. SES throttled for 60 simulated minutes: nothing in the DLQ, each job one e-mail, backoff ≤ 10 minutes.
    integration/test_retries.py::test_an_hour_of_ses_throttling_loses_nothing_and_sends_each_email_once (meets it, one job);
    integration/test_delivery.py::test_a_throttled_email_goes_back_to_the_queue_and_is_sent_exactly_once
10. SES outage longer than the retry budget: DLQ, technical-failure, alarm metric; after redrive, one e-mail.
    integration/test_retries.py::test_an_outage_longer_than_the_retry_budget_ends_in_the_dead_letter_queue_and_redrive_sends_once
    and ::test_redriving_a_notification_that_was_delivered_meanwhile_sends_nothing (meet it for an outage that answers);
    + here::test_13_redrive_sends_once_a_job_whose_every_attempt_timed_out (an outage that hangs)
11. InvalidParameterValue / MessageRejected: no retry, final failure status.
    integration/test_delivery.py::test_a_refused_message_is_final_and_never_retried (MessageRejected only);
    unit/services/test_delivery.py::test_a_refused_address_fails_for_good_and_is_never_retried (an adapter-level error)
    + here::test_11_a_permanent_ses_refusal_is_never_retried_and_ends_in_a_final_failure (every permanent code, an hour)
12. Crash after SES accepted: no loss; at most one duplicate, counted by a possible_duplicate metric.
    unit/services/test_delivery.py::test_an_expired_claim_is_taken_over_and_reported_as_a_possible_duplicate (weaker:
    nothing had been sent, no metric)
    + here::test_12_a_crash_after_ses_accepted_sends_one_duplicate_and_counts_it
    + unit/services/test_reliability.py::test_a_crash_after_ses_accepted_gives_one_duplicate_reported_as_possible_duplicate
    + here::test_12_an_ses_answer_lost_after_it_accepted_is_counted_as_a_possible_duplicate,
    ::test_12_a_take_over_that_is_throttled_still_counts_the_duplicate_it_sends_later, and their unit twins in
    unit/services/test_reliability.py
13. Timeout mid-send: the job runs again after the in-progress claim expires; never stuck.
    unit/services/test_delivery.py::test_a_live_claim_of_another_worker_is_respected (weaker: a hand-made claim)
    + here::test_13_a_send_cut_off_by_a_timeout_runs_again_once_the_claim_expires
    + here::test_13_a_send_that_times_out_every_time_is_never_stuck
    + here::test_13_redrive_sends_once_a_job_whose_every_attempt_timed_out
14. Idempotency store throttled: the record fails; no e-mail without a claim.
    + here::test_14_a_throttled_outbox_fails_the_delivery_and_no_email_goes_without_a_claim (the claim, every call)
    + here::test_14_a_throttled_outbox_fails_the_stream_record_and_nothing_goes_out_until_it_is_written
15. Same key, different body: rejected, no second e-mail.
    + here::test_15_the_same_key_with_another_body_is_refused_and_sends_no_second_email (the key is the notification
    id, event × subscriber × channel: the outbox's conditional put refuses another body under it, and a replayed
    change carrying other content creates and queues nothing)
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from chalicelib import wiring
from chalicelib.domain.language import Language
from chalicelib.domain.notifications import MAX_DELIVERY_ATTEMPTS, NotificationStatus
from chalicelib.domain.subscriptions import Channel, Subscriber
from chalicelib.handlers.reconcile_notifications import reconcile
from chalicelib.ops import redrive
from chalicelib.services.delivery import DeliveryBusyError
from tests.factories import T0
from tests.integration.conftest import PERSONAS, Pipeline, SimulatedTime, body, headers, mailbox, register_personas

MARK = PERSONAS["mark"]
MARK_EMAIL = MARK.email or ""
CASE = {
    "zaaktype": "subsidie-duurzame-recreatie",
    "omschrijving": "Test",
    "initiator": MARK.claims["sub"],
    "gemeenten": ["GM1581"],
}


class ProcessDiedError(BaseException):
    """The Lambda process stops here (a timeout, a kill): no ``except Exception`` in the app or the runner runs."""


# Fault injection -------------------------------------------------------------------------------------------


def _client_error(code: str, operation: str, status: int = 400) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": status}}, operation
    )


@dataclass
class SesScript:
    """SES SendEmail as a script of answers, one per call (``accepted`` once the script is used up):

    - ``accepted``;
    - ``throttled``: refused before SES takes it (TooManyRequestsException);
    - ``dies-before-accepted``: the process dies before the request reaches SES (a timeout mid-send);
    - ``dies-after-accepted``: SES accepted the e-mail, then the process died before recording it;
    - ``answer-lost``: SES accepted the e-mail, but the connection broke before its answer arrived;
    - ``refused:<code>``: SES refuses it with error ``code``.
    """

    time: SimulatedTime
    answers: list[str] = field(default_factory=list)
    repeat: str | None = None  # the answer to every call once ``answers`` is used up (default: accepted)
    calls: list[datetime] = field(default_factory=list)  # when each SendEmail was attempted (simulated time)
    _current: str = "accepted"

    def before_call(self, **_: Any) -> None:
        self.calls.append(self.time.current)
        self._current = self.answers.pop(0) if self.answers else (self.repeat or "accepted")
        if self._current == "throttled":
            raise _client_error("TooManyRequestsException", "SendEmail", 429)
        if self._current == "dies-before-accepted":
            raise ProcessDiedError
        if self._current.startswith("refused:"):
            raise _client_error(self._current.removeprefix("refused:"), "SendEmail")

    def after_call(self, **_: Any) -> None:
        if self._current == "dies-after-accepted":
            raise ProcessDiedError
        if self._current == "answer-lost":
            raise ConnectionClosedError(endpoint_url="https://email.eu-west-1.amazonaws.com")


@pytest.fixture
def ses(simulated_time: SimulatedTime) -> Iterator[SesScript]:
    """Request it after ``simulated_time`` (which rebuilds the adapters), so it hooks the SES client in use."""
    client = wiring.aws_client("sesv2")
    script = SesScript(simulated_time)
    client.meta.events.register("before-call.sesv2.SendEmail", script.before_call)
    client.meta.events.register("after-call.sesv2.SendEmail", script.after_call)
    yield script
    client.meta.events.unregister("before-call.sesv2.SendEmail", script.before_call)
    client.meta.events.unregister("after-call.sesv2.SendEmail", script.after_call)


NOTIFICATIONS_TABLE = "baken-local-notifications"
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem", "SendMessageBatch"})
Decide = Callable[[str, frozenset[str]], "str | None"]


def _throttling(operations: frozenset[str] | set[str], table: str, *, while_: Callable[[], bool] = lambda: True) -> Decide:
    """A fault plan: ``operations`` on ``table`` are throttled (while ``while_()`` holds)."""
    return lambda operation, tables: "throttle" if operation in operations and table in tables and while_() else None


def _no_faults(operation: str, tables: frozenset[str]) -> str | None:
    return None


def _tables(params: dict[str, Any]) -> frozenset[str]:
    if "TableName" in params:
        return frozenset({params["TableName"]})
    if "TransactItems" in params:
        return frozenset(op["TableName"] for item in params["TransactItems"] for op in item.values())
    if "RequestItems" in params:
        return frozenset(params["RequestItems"])
    return frozenset()


class StorageFaults:
    """Fails calls to DynamoDB (every client pynamodb uses) and SQS at the points ``decide(operation, tables)``
    names: ``throttle`` — refused before anything is written (ProvisionedThroughputExceededException); ``lose-answer``
    — written, but the answer is lost (a read timeout). ``None``: the call goes through."""

    def __init__(self) -> None:
        self.decide: Decide = _no_faults
        self.injected: list[tuple[str, str]] = []

    def before(self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        fault = self.decide(model.name, _tables(params))
        context["injected-fault"] = fault
        if fault is not None:
            self.injected.append((model.name, fault))
        if fault == "throttle":
            code = "ProvisionedThroughputExceededException" if model.name != "SendMessageBatch" else "RequestThrottled"
            raise _client_error(code, model.name)

    def after(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        if context.get("injected-fault") == "lose-answer":
            raise ReadTimeoutError(endpoint_url=f"https://{model.service_model.endpoint_prefix}.eu-west-1.amazonaws.com")


def _storage_clients() -> list[tuple[str, Any]]:
    """(service, client) for every DynamoDB client pynamodb uses, and the SQS client of the delivery queue."""
    from pynamodb.models import Model

    from chalicelib.adapters.dynamodb import models

    wiring.services()  # binds the models to this stage's tables
    clients: dict[int, tuple[str, Any]] = {}
    for value in vars(models).values():
        if (
            isinstance(value, type)
            and issubclass(value, Model)
            and value is not Model
            and getattr(value.Meta, "table_name", None)
        ):
            client = value._get_connection().connection.client
            clients[id(client)] = ("dynamodb", client)
    for repository in (wiring.adapters().cases, wiring.adapters().announcement_store):
        connection = getattr(repository, "_connection", None)
        if connection is not None:
            clients[id(connection.client)] = ("dynamodb", connection.client)
    sqs = wiring.aws_client("sqs")
    clients[id(sqs)] = ("sqs", sqs)
    return list(clients.values())


@pytest.fixture
def storage_faults(stack) -> Iterator[StorageFaults]:
    faults = StorageFaults()
    hooked = _storage_clients()
    for service, client in hooked:
        client.meta.events.register(f"before-parameter-build.{service}", faults.before)
        client.meta.events.register(f"after-call.{service}", faults.after)
    yield faults
    for service, client in hooked:
        client.meta.events.unregister(f"before-parameter-build.{service}", faults.before)
        client.meta.events.unregister(f"after-call.{service}", faults.after)


@pytest.fixture
def metrics(monkeypatch) -> list[str]:
    counted: list[str] = []
    monkeypatch.setattr("chalicelib.observability.count", lambda name, value=1: counted.extend([name] * int(value)))
    return counted


# Helpers ---------------------------------------------------------------------------------------------------


def _create_case(client, **changes: Any) -> dict[str, Any]:
    response = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps({**CASE, **changes}))
    assert response.status_code == 201, response.body
    return dict(body(response))


def _set_status(client, case_id: str, statustype: str) -> Any:
    return client.http.post(f"/api/cases/{case_id}/status", headers=headers("anna"), body=json.dumps({"statustype": statustype}))


def _email(case_id: str):
    (notification,) = [n for n in wiring.adapters().outbox.for_case(case_id) if n.channel is Channel.EMAIL]
    return notification


def _run(pipeline: Pipeline, time: SimulatedTime, seconds: float, *, step: float = 5.0) -> int:
    """``Pipeline.run_for``, surviving processes that die: returns how many did."""
    died = 0
    end = time.current + timedelta(seconds=seconds)
    while time.current <= end:
        try:
            pipeline.run()
        except ProcessDiedError:
            died += 1
        time.advance(seconds=step)
    return died


def _stream_only(pipeline: Pipeline, rounds: int = 100) -> None:
    """Run the stream handler (not delivery) until every record is checkpointed; the subscriptions' index is
    complete first (its own stream, seconds ahead)."""
    pipeline.index_all()
    for _ in range(rounds):
        if not pipeline.stream.poll_once() and not pipeline.stream.pending():
            return
    raise AssertionError("the stream did not settle")


class Recording:
    """Wraps a Lambda handler: keeps each event, and the ids of the records each invocation failed (all of
    them when the handler raised, as Lambda counts it)."""

    def __init__(self, handler: Callable[[dict[str, Any], Any], Any]) -> None:
        self.handler = handler
        self.events: list[dict[str, Any]] = []
        self.failed: list[set[str]] = []
        self.raised: list[type[BaseException]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        ids = {r.get("messageId") or r["dynamodb"]["SequenceNumber"] for r in event["Records"]}
        try:
            response = self.handler(event, context)
        except Exception as error:
            self.raised.append(type(error))
            self.failed.append(ids)
            raise
        self.failed.append({f["itemIdentifier"] for f in (response or {}).get("batchItemFailures", [])})
        return response


def _queue_depth(stack, url: str) -> int:
    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def _register_email_only(persona: str) -> None:
    """A subscriber who hears by e-mail only (no berichtenbox), so a delivery batch holds just the e-mail."""
    claims = PERSONAS[persona].claims
    wiring.adapters().subscribers.put(
        Subscriber(claims["sub"], PERSONAS[persona].email, Language.NL, frozenset({Channel.EMAIL}), T0, quiet_hours=False)
    )


# 1. Outbox atomicity under random write failures -----------------------------------------------------------------

STATUSTYPES = st.lists(
    st.sampled_from(["in-behandeling", "aanvullende-informatie-nodig", "advies-gevraagd", "ontvangen", "besluit-genomen"]),
    max_size=4,
)
# Which write fails (by its number within a phase), and how: refused before anything was written, or written
# with the answer lost. At most six: fewer than the stream mapping's retries, so no record is given up.
FAULT_TAPES = st.dictionaries(st.integers(0, 15), st.sampled_from(["throttle", "lose-answer"]), max_size=6)


def _tape(faults: dict[int, str]) -> Decide:
    """A fault plan: the n-th write (DynamoDB or SQS) from now fails as ``faults[n]`` says."""
    writes = itertools.count()
    return lambda operation, tables: faults.get(next(writes)) if operation in WRITES else None


def _attempt(call: Callable[[], Any], *, tries: int = 4) -> Any:
    """What a behandelaar does: try again while the server fails. The last answer."""
    for _ in range(tries):
        response = call()
        if response.status_code < 500:
            return response
    return response


def _message_ids(notification_ids: set[str]) -> list[str]:
    """The notification ids of the e-mails in the mailbox that are about ``notification_ids``."""
    found = (re.search(r"\.([0-9a-f]{32})@", m.headers["Message-ID"]) for m in mailbox(MARK_EMAIL))
    return [match.group(1) for match in found if match and match.group(1) in notification_ids]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(statustypes=STATUSTYPES, api_faults=FAULT_TAPES, stream_faults=FAULT_TAPES)
def test_1_under_random_write_failures_every_committed_status_change_has_exactly_its_outbox_items(
    client, stack, pipeline: Pipeline, storage_faults, statustypes, api_faults, stream_faults
):
    register_personas("mark")
    mark = MARK.claims["sub"]
    cases = wiring.adapters().cases
    earlier = {c.id for c in cases.cases_of_party(mark)}
    storage_faults.injected.clear()
    retries = pipeline.stream.stats.retries

    # GIVEN writes fail at random points while a behandelaar opens a case for Mark and sets statuses, trying
    # again whenever the server fails
    storage_faults.decide = _tape(api_faults)
    opened = _attempt(lambda: client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))
    if opened.status_code == 201:
        for statustype in statustypes:
            answer = _attempt(functools.partial(_set_status, client, body(opened)["id"], statustype))
            # 409: an earlier status closed the case; 500: the behandelaar gave up (it may be written all the same)
            assert answer.status_code in (200, 201, 409, 500), answer.body
    # AND while the stream handler fans the changes out
    storage_faults.decide = _tape(stream_faults)
    _stream_only(pipeline)
    storage_faults.decide = _no_faults
    event(f"writes failed: {len(storage_faults.injected)}")
    event(f"stream invocations that failed: {pipeline.stream.stats.retries - retries}")

    # THEN every committed case (also one whose creation answered 500 after it was written) has exactly one outbox
    # item per informeren-status and channel, and nothing else
    committed = [c for c in cases.cases_of_party(mark) if c.id not in earlier]
    event(f"cases committed: {len(committed)}, API answered {opened.status_code}")
    assert (opened.status_code == 201) <= bool(committed)
    emails: set[str] = set()
    for case in committed:
        zaaktype = wiring.catalogue_data().get(case.zaaktype)
        told = [s.id for s in case.statuses if zaaktype.statustype(s.statustype).informeren]
        items = wiring.adapters().outbox.for_case(case.id)
        assert sorted((n.ref, n.subscriber_id, n.channel.value) for n in items) == sorted(
            (status, mark, channel) for status in told for channel in ("email", "portal")
        )
        assert {n.event_kind.value for n in items} <= {"status_changed"}
        emails |= {n.id for n in items if n.channel is Channel.EMAIL}
    # AND once delivered, each of those e-mails went out exactly once
    pipeline.run()
    assert sorted(_message_ids(emails)) == sorted(emails)


# 2. Stream → jobs ------------------------------------------------------------------------------------------


def _follow(client, persona: str, scope: dict[str, Any]) -> None:
    response = client.http.post("/api/me/subscriptions", headers=headers(persona), body=json.dumps(scope))
    assert response.status_code == 201, response.body


def _take_all_jobs(stack) -> list[str]:
    """Every delivery job on the queue, received and deleted (so a second job in a group shows as well)."""
    from chalicelib.adapters.sqs_queue import notification_id_from_body

    sqs = stack.client("sqs")
    url = stack.outputs.delivery_queue_url
    jobs: list[str] = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get("Messages", []):
        for message in messages:
            jobs.append(notification_id_from_body(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return jobs


def test_2_a_change_read_back_from_the_stream_gives_one_job_per_matching_subscriber_and_channel_and_none_else(
    client, stack, pipeline: Pipeline
):
    register_personas("mark", "jan", "fatima", "karin")
    # GIVEN Mark follows Zeist twice over, Fatima follows subsidies in Zeist, Karin follows Amersfoort
    _follow(client, "mark", {"gemeenten": ["GM0355"]})
    _follow(client, "mark", {"topics": ["vergunningen"], "gemeenten": ["GM0355"]})
    _follow(client, "fatima", {"topics": ["subsidies"], "gemeenten": ["GM0355"]})
    _follow(client, "karin", {"gemeenten": ["GM0307"]})

    # WHEN a public permit case of Jan's opens in Zeist, and the stream handler reads its record from the stream
    jan = PERSONAS["jan"].claims["sub"]
    case = _create_case(client, zaaktype="ontgrondingsvergunning", initiator=jan, gemeenten=["GM0355"])
    _stream_only(pipeline)

    # THEN the delivery queue holds one job per matching subscriber and channel: Jan as a party, Mark as a
    # follower (once, though two of his subscriptions match), nobody else, nothing twice
    jobs = _take_all_jobs(stack)
    outbox = wiring.adapters().outbox
    told = sorted((n.subscriber_id, n.channel.value) for job in jobs if (n := outbox.get(job)) is not None)
    mark = MARK.claims["sub"]
    assert told == [(jan, "email"), (jan, "portal"), (mark, "email"), (mark, "portal")]
    assert sorted(jobs) == sorted(n.id for n in outbox.for_case(case["id"]))


# 3. Same batch invoked twice ---------------------------------------------------------------------------------


def test_3_the_same_batch_invoked_again_before_delivery_and_after_sqs_deduplication_sends_no_extra_email(
    client, stack, pipeline: Pipeline, simulated_time
):
    from devstack.runner import LambdaContext

    register_personas("mark")
    _create_case(client)
    recording = Recording(pipeline.stream._handler)
    pipeline.stream._handler = recording
    _stream_only(pipeline)

    # WHEN Lambda invokes the same batch again before anything was delivered, after SQS's 5-minute deduplication
    simulated_time.advance(minutes=6)
    again = recording.handler(recording.events[0], LambdaContext("on_case_change"))

    # THEN every job is queued twice (SQS does not hide it) ...
    assert again == {"batchItemFailures": []}
    assert _queue_depth(stack, stack.outputs.delivery_queue_url) == 4
    # ... and still Mark gets one e-mail and one berichtenbox message
    pipeline.run_for(simulated_time, 10 * 60)
    assert len(mailbox(MARK_EMAIL)) == 1
    assert body(client.http.get("/api/me/berichtenbox", headers=headers("mark")))["unread"] == 1


# 4. Same status written twice --------------------------------------------------------------------------------


def test_4_the_same_status_written_twice_gives_one_email(client, stack, pipeline: Pipeline):
    register_personas("mark")
    case = _create_case(client)
    pipeline.run()
    # GIVEN a status is set, set again (a double click), and the case item is written again unchanged (a new
    # stream record with the same status)
    assert _set_status(client, case["id"], "in-behandeling").status_code == 201
    assert _set_status(client, case["id"], "in-behandeling").status_code == 200
    dynamodb = stack.client("dynamodb")
    item = dynamodb.get_item(TableName="baken-local-cases", Key={"case_id": {"S": case["id"]}})["Item"]
    dynamodb.put_item(TableName="baken-local-cases", Item=item)

    pipeline.run()

    # THEN the case has two statuses, and Mark one e-mail about each
    statuses = wiring.adapters().cases.get(case["id"]).statuses
    emails = [n for n in wiring.adapters().outbox.for_case(case["id"]) if n.channel is Channel.EMAIL]
    assert sorted(n.ref for n in emails) == sorted(s.id for s in statuses)
    assert len(statuses) == len(mailbox(MARK_EMAIL)) == 2


# 7. Whole batch fails ------------------------------------------------------------------------------------------


def test_7_a_batch_whose_every_record_fails_makes_the_handler_fail_and_nothing_is_checkpointed(
    client, stack, pipeline: Pipeline, storage_faults
):
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    register_personas("mark")
    case = _create_case(client)
    assert _set_status(client, case["id"], "in-behandeling").status_code == 201
    recording = Recording(pipeline.stream._handler)
    pipeline.stream._handler = recording
    # GIVEN the outbox refuses every write
    storage_faults.decide = _throttling({"PutItem"}, NOTIFICATIONS_TABLE)

    # WHEN the stream hands over the batch of both changes
    pipeline.stream.poll_once()

    # THEN the handler signals failure (it raises, so Lambda retries the batch) and nothing is checkpointed
    assert recording.raised == [BatchProcessingError]
    assert len(recording.events[0]["Records"]) == 2
    assert (pipeline.stream.stats.records_succeeded, pipeline.stream.pending()) == (0, 2)
    assert wiring.adapters().outbox.for_case(case["id"]) == []
    # AND after recovery each change is told once
    storage_faults.decide = _no_faults
    pipeline.run()
    assert len(mailbox(MARK_EMAIL)) == 2


# 11. Permanent SES errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("InvalidParameterValue", "address_rejected"),
        ("MessageRejected", "message_rejected"),
        ("BadRequestException", "address_rejected"),
    ],
)
def test_11_a_permanent_ses_refusal_is_never_retried_and_ends_in_a_final_failure(
    client, stack, pipeline: Pipeline, simulated_time, ses, code, reason
):
    register_personas("mark")
    ses.repeat = f"refused:{code}"
    case = _create_case(client)

    # WHEN an hour passes
    _run(pipeline, simulated_time, 3600, step=60)

    # THEN SES was asked once; the e-mail failed for good with the reason; no job is left anywhere
    assert len(ses.calls) == 1
    failed = _email(case["id"])
    assert (failed.status, failed.reason) == (NotificationStatus.PERMANENT_FAILURE, reason)
    assert failed.status.is_final
    assert mailbox(MARK_EMAIL) == []
    assert _queue_depth(stack, stack.outputs.delivery_queue_url) == 0
    assert _queue_depth(stack, stack.outputs.dead_letter_queue_url) == 0


# 12. Crash after SES accepted --------------------------------------------------------------------------------


def test_12_a_crash_after_ses_accepted_sends_one_duplicate_and_counts_it(
    client, pipeline: Pipeline, simulated_time, ses, metrics
):
    register_personas("mark")
    case = _create_case(client)
    # GIVEN SES accepts Mark's e-mail, and the process dies before recording that
    ses.answers = ["dies-after-accepted"]
    with pytest.raises(ProcessDiedError):
        pipeline.run()
    assert len(mailbox(MARK_EMAIL)) == 1
    claimed = _email(case["id"])
    assert (claimed.status, claimed.attempts) == (NotificationStatus.SENDING, 1)

    # WHEN the pipeline runs on: the message comes back after the visibility timeout, the claim has expired
    _run(pipeline, simulated_time, 10 * 60)

    # THEN nothing is lost and there is exactly one duplicate, reported by the PossibleDuplicate metric
    assert len(mailbox(MARK_EMAIL)) == 2
    delivered = _email(case["id"])
    assert (delivered.status, delivered.attempts) == (NotificationStatus.DELIVERED, 2)
    assert metrics.count("PossibleDuplicate") == 1
    assert body(client.http.get("/api/me/berichtenbox", headers=headers("mark")))["unread"] == 1


def test_12_an_ses_answer_lost_after_it_accepted_is_counted_as_a_possible_duplicate(
    client, pipeline: Pipeline, simulated_time, ses, metrics
):
    register_personas("mark")
    case = _create_case(client)
    # GIVEN SES accepts Mark's e-mail, but the connection breaks before its answer arrives
    ses.answers = ["answer-lost"]

    _run(pipeline, simulated_time, 10 * 60)

    # THEN the retry sends it a second time: that duplicate is counted
    assert len(mailbox(MARK_EMAIL)) == 2
    assert _email(case["id"]).status is NotificationStatus.DELIVERED
    assert metrics.count("PossibleDuplicate") == 1


def test_12_a_take_over_that_is_throttled_still_counts_the_duplicate_it_sends_later(
    client, pipeline: Pipeline, simulated_time, ses, metrics
):
    register_personas("mark")
    case = _create_case(client)
    # GIVEN SES accepted Mark's e-mail and the process died; the take-over after the claim expired is throttled
    ses.answers = ["dies-after-accepted", "throttled"]

    _run(pipeline, simulated_time, 15 * 60)

    assert len(ses.calls) == 3
    assert len(mailbox(MARK_EMAIL)) == 2
    assert _email(case["id"]).status is NotificationStatus.DELIVERED
    # the metric counts every attempt that may send a duplicate, told before it sends (it may die after
    # SES accepted): the throttled take-over and the one that went through. An upper bound, never short.
    assert metrics.count("PossibleDuplicate") == 2


# 13. Timeout mid-send --------------------------------------------------------------------------------------


def test_13_a_send_cut_off_by_a_timeout_runs_again_once_the_claim_expires(client, pipeline: Pipeline, simulated_time, ses):
    register_personas("mark")
    case = _create_case(client)
    # GIVEN the process dies in the middle of sending Mark's e-mail, before SES has it
    ses.answers = ["dies-before-accepted"]
    with pytest.raises(ProcessDiedError):
        pipeline.run()
    notification = _email(case["id"])
    assert notification.status is NotificationStatus.SENDING
    assert notification.claimed_until is not None
    # AND while its claim lasts, another attempt leaves it alone
    simulated_time.advance(seconds=30)
    with pytest.raises(DeliveryBusyError):
        wiring.services().delivery.deliver(notification.id)

    # WHEN the pipeline runs on
    _run(pipeline, simulated_time, 10 * 60)

    # THEN the job ran again only after the claim expired, and Mark has his e-mail once
    crashed, retried = ses.calls
    assert retried >= notification.claimed_until > crashed
    assert len(mailbox(MARK_EMAIL)) == 1
    done = _email(case["id"])
    assert (done.status, done.attempts) == (NotificationStatus.DELIVERED, 2)


def _time_out_on_every_attempt(client, stack, pipeline: Pipeline, simulated_time, ses) -> dict[str, Any]:
    """Mark's e-mail (the only channel he chose; as a party he also gets the berichtenbox) while every send to SES
    hangs until the function times out, for as long as the delivery queue keeps its message."""
    _register_email_only("mark")
    ses.repeat = "dies-before-accepted"
    case = _create_case(client)
    visibility = int(
        stack.client("sqs").get_queue_attributes(QueueUrl=stack.outputs.delivery_queue_url, AttributeNames=["VisibilityTimeout"])[
            "Attributes"
        ]["VisibilityTimeout"]
    )
    step = visibility / 2
    died = _run(pipeline, simulated_time, (MAX_DELIVERY_ATTEMPTS + 2) * (visibility + step), step=step)
    assert died == MAX_DELIVERY_ATTEMPTS == len(ses.calls)
    return case


def test_13_a_send_that_times_out_every_time_is_never_stuck(client, stack, pipeline: Pipeline, simulated_time, ses):
    # GIVEN Mark's e-mail timed out on every attempt the delivery queue allowed
    case = _time_out_on_every_attempt(client, stack, pipeline, simulated_time, ses)

    # THEN it waits visibly in the dead-letter queue (which raises the alarm) — with Mark's berichtenbox message, which
    # a party always gets and which waited behind it in the case's message group (FIFO) — and nobody got anything
    assert _queue_depth(stack, stack.outputs.dead_letter_queue_url) == 2
    assert _email(case["id"]).status is NotificationStatus.SENDING
    assert mailbox(MARK_EMAIL) == []
    # AND once its claim has been left for 72 hours, the reconciler makes it a temporary failure the KCC can see
    # (and queues the berichtenbox message again, which was never claimed)
    simulated_time.advance(hours=72)
    assert reconcile() == {"requeued": 1, "gave_up": 1}
    failed = _email(case["id"])
    assert (failed.status, failed.reason) == (NotificationStatus.TEMPORARY_FAILURE, "stuck_sending")


def test_13_redrive_sends_once_a_job_whose_every_attempt_timed_out(client, stack, pipeline: Pipeline, simulated_time, ses):
    case = _time_out_on_every_attempt(client, stack, pipeline, simulated_time, ses)
    # WHEN SES works again and an operator redrives the dead-letter queue
    ses.repeat = None
    result = redrive(wiring.aws_client("sqs"), stack.outputs.dead_letter_queue_url)
    _run(pipeline, simulated_time, 10 * 60)

    # THEN Mark gets his e-mail once (and his berichtenbox message, which waited behind it)
    assert (result.read, result.queued) == (2, 2)
    assert len(mailbox(MARK_EMAIL)) == 1
    assert _email(case["id"]).status is NotificationStatus.DELIVERED


# 14. Idempotency store throttled -----------------------------------------------------------------------------


@pytest.mark.parametrize("operations", [{"UpdateItem"}, {"GetItem", "PutItem", "UpdateItem"}], ids=["the-claim", "every-call"])
def test_14_a_throttled_outbox_fails_the_delivery_and_no_email_goes_without_a_claim(
    client, stack, pipeline: Pipeline, simulated_time, ses, storage_faults, operations
):
    register_personas("mark")
    case = _create_case(client)
    _stream_only(pipeline)
    # GIVEN the outbox table (the idempotency store) is throttled for the next five minutes
    until = simulated_time.current + timedelta(minutes=5)
    storage_faults.decide = _throttling(operations, NOTIFICATIONS_TABLE, while_=lambda: simulated_time.current < until)
    recording = Recording(pipeline.queue._handler)
    pipeline.queue._handler = recording

    # WHEN the delivery queue hands over Mark's jobs
    pipeline.queue.poll_once()

    # THEN every record failed, SES never saw the e-mail, and nobody holds a claim on it
    assert recording.failed == [{r["messageId"] for r in recording.events[0]["Records"]}]
    assert ses.calls == []
    unclaimed = _email(case["id"])
    assert (unclaimed.status, unclaimed.attempts, unclaimed.claimed_until) == (NotificationStatus.CREATED, 0, None)
    # AND once the table takes writes again, Mark gets his e-mail once
    _run(pipeline, simulated_time, 15 * 60)
    assert len(ses.calls) == 1
    assert len(mailbox(MARK_EMAIL)) == 1
    assert _email(case["id"]).status is NotificationStatus.DELIVERED


def test_14_a_throttled_outbox_fails_the_stream_record_and_nothing_goes_out_until_it_is_written(
    client, stack, pipeline: Pipeline, simulated_time, ses, storage_faults
):
    register_personas("mark")
    # GIVEN the outbox table refuses writes
    storage_faults.decide = _throttling({"PutItem"}, NOTIFICATIONS_TABLE)
    case = _create_case(client)
    recording = Recording(pipeline.stream._handler)
    pipeline.stream._handler = recording

    # WHEN the stream hands over the new case
    pipeline.stream.poll_once()

    # THEN its record failed and stays on the stream; nothing was stored or queued, nothing sent
    assert recording.failed == [{r["dynamodb"]["SequenceNumber"] for r in recording.events[0]["Records"]}]
    assert (pipeline.stream.stats.records_succeeded, pipeline.stream.pending()) == (0, 1)
    assert wiring.adapters().outbox.for_case(case["id"]) == []
    assert _queue_depth(stack, stack.outputs.delivery_queue_url) == 0
    # AND once the table takes writes again, Mark is told once
    storage_faults.decide = _no_faults
    pipeline.run()
    assert len(mailbox(MARK_EMAIL)) == 1
    assert len(ses.calls) == 1


# 15. Same key, different body --------------------------------------------------------------------------------


def test_15_the_same_key_with_another_body_is_refused_and_sends_no_second_email(client, pipeline: Pipeline):
    register_personas("mark")
    created = _create_case(client)
    assert _set_status(client, created["id"], "in-behandeling").status_code == 201
    pipeline.run()
    case = wiring.adapters().cases.get(created["id"])
    (email,) = [
        n for n in wiring.adapters().outbox.for_case(case.id) if n.channel is Channel.EMAIL and n.ref == case.current_status.id
    ]
    assert email.status is NotificationStatus.DELIVERED
    sent = len(mailbox(MARK_EMAIL))

    # WHEN a notification with the same key (event × subscriber × channel) but another body is offered to the outbox
    other = replace(email, status=NotificationStatus.CREATED, language=Language.EN, attempts=0, provider_message_id=None)
    refused = wiring.adapters().outbox.add_if_absent(other)
    # AND the same status change comes again carrying other content (another note, another time)
    entry = replace(
        case.current_status, toelichting="Een andere toelichting", set_at=case.current_status.set_at + timedelta(hours=1)
    )
    before, after = replace(case, statuses=case.statuses[:-1]), replace(case, statuses=(*case.statuses[:-1], entry))
    result = wiring.services().fanout.handle_change(before, after, entry.set_at)
    pipeline.run()

    # THEN both are refused: the stored notification is untouched, nothing is queued, no second e-mail goes out
    assert refused is False
    assert (result.events, result.created, result.requeued, result.duplicates) == (1, 0, 0, 2)
    assert wiring.adapters().outbox.get(email.id) == email
    assert len(mailbox(MARK_EMAIL)) == sent
