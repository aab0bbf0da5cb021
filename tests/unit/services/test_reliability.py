"""RELIABILITY test 6 (issue 4 §3): a hypothesis state machine of random failures and redeliveries, over the
in-memory world with the real fan-out, delivery and reconciler services.

Behandelaars set statuses on two cases. Each committed write is a change record on one shard of a simulated
DynamoDB stream, read as Lambda's event source mapping reads it (infra/app.json: ReportBatchItemFailures,
bisect on error, finite retries): restart from the lowest failed record, so later records come again; a batch
may also be delivered twice. Within a batch, events/stream.py's rule holds: once a record of a case fails, the
case's later records are reported failed unprocessed. Fan-out fails at random points: before or after an outbox
write, between two writes, or when queueing.

The delivery queue is SQS FIFO as events/delivery.py meets it: a message group per case × subscriber × channel;
a group with a message in flight gives nothing; groups come in any order; a failed message is postponed by the
backoff and the later messages of its group in the batch wait for the visibility timeout; a process that dies
(a timeout, or a crash just after SES accepted an e-mail) deletes nothing, leaves its claim behind, and its whole
batch comes back after the visibility timeout. SES may throttle. Time passes; the reconciler runs.

Invariants, after every step: per case and subscriber, the e-mails sent are about the case's informeren-statuses
in the order they were set; an e-mail goes twice only when SES accepted the first unrecorded (the worker died, or
SES's answer was lost), and the second is then reported as ``possible_duplicate`` (the PossibleDuplicate metric
counts it); nothing ends failed. At the
end, with every failure gone and the stream and queue drained, every informeren-status has reached every party
by e-mail (once, apart from flagged take-overs) and in the berichtenbox exactly once.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from chalicelib.adapters.sqs_queue import message_group
from chalicelib.adapters.templates import JinjaRenderer
from chalicelib.domain.cases import Case, HistoryKind, StatusEntry
from chalicelib.domain.events import EventKind
from chalicelib.domain.notifications import MAX_DELIVERY_ATTEMPTS, Notification, NotificationStatus, retry_delay
from chalicelib.domain.subscriptions import Channel
from chalicelib.handlers.on_case_change import BATCH_SIZE as STREAM_BATCH_SIZE
from chalicelib.services.case_commands import NewCase
from chalicelib.services.delivery import Delivery, DeliveryBusyError, DeliveryOutcome, DeliveryRetryableError
from chalicelib.services.ports import (
    Claim,
    Clock,
    DeliveryQueue,
    EmailRetryableError,
    EmailSender,
    NotificationOutbox,
    OutgoingEmail,
)
from chalicelib.wiring import Services
from devstack.infra import load_template, mapping_settings
from tests.factories import FATIMA, JAN, MARK, SUBSIDIE, T0, FixedClock, subscriber, zaaktype
from tests.unit.services.conftest import ANNA_PRINCIPAL, World

STATUSTYPES = ("in-behandeling", "aanvullende-informatie-nodig", "advies-gevraagd", "ontvangen", "besluit-genomen")
PEOPLE = ((MARK, "mark@example.org"), (FATIMA, "fatima@example.org"), (JAN, "jan@example.org"))
CLAIM = timedelta(seconds=90)  # BAKEN_DELIVERY_CLAIM_SECONDS' default (chalicelib/config.py)
DELIVERY_BATCH_SIZE = 10  # events/delivery.py
FAILURE_BUDGET = 6  # injected SES failures stop once a notification has had this many attempts
RECEIVE_BUDGET = 12  # ... and once any message has been received this often (the DLQ takes it after 30)

# Fan-out fault points: (before | after, n) fails just before or just after the n-th outbox write of a change;
# ("queue", 0) fails when its notifications are queued.
FAN_OUT_FAULTS = (("before", 1), ("after", 1), ("before", 2), ("after", 2), ("queue", 0))
SES_OUTCOMES = ("ok", "ok", "ok", "throttled", "accepted-answer-lost", "crash-after-accepted", "crash-before-accepted")


@cache
def _renderer() -> JinjaRenderer:
    return JinjaRenderer()


@cache
def _delivery_queue() -> tuple[int, int]:
    """The delivery queue's visibility timeout and maxReceiveCount, from infra/data.json."""
    queue = load_template()["Resources"]["DeliveryQueue"]["Properties"]
    return int(queue["VisibilityTimeout"]), int(queue["RedrivePolicy"]["maxReceiveCount"])


class ProcessDiedError(BaseException):
    """The Lambda process stops here (a timeout, a kill): no ``except Exception`` of the app runs."""


class InjectedFaultError(Exception):
    """A storage or queue call failing on purpose."""


# The stream ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRecord:
    sequence: int
    case_id: str
    old: Case | None
    new: Case
    at: datetime


class Stream:
    """One shard of the cases table's stream, read by Lambda's event source mapping with the settings of
    infra/app.json (as devstack/runner.py's StreamPoller does against moto)."""

    def __init__(self) -> None:
        mapping = mapping_settings("OnCaseChange")
        assert "ReportBatchItemFailures" in mapping["FunctionResponseTypes"]
        self.max_retries = int(mapping["MaximumRetryAttempts"])
        self.bisect = bool(mapping["BisectBatchOnFunctionError"])
        self.pending: list[ChangeRecord] = []
        self.attempts = 0  # failed invocations since the last checkpoint
        self._window = STREAM_BATCH_SIZE
        self._sequence = itertools.count(1)

    def append(self, old: Case | None, new: Case, at: datetime) -> None:
        self.pending.append(ChangeRecord(next(self._sequence), new.id, old, new, at))

    def next_batch(self, size: int = STREAM_BATCH_SIZE) -> list[ChangeRecord]:
        return self.pending[: min(size, self._window)]

    def settle(self, batch: Sequence[ChangeRecord], failed: Sequence[int]) -> None:
        """What the mapping does with the answer: all done → checkpoint; some failed → checkpoint before the
        lowest failed record and retry from it; all failed (powertools raises) → retry the batch, bisected."""
        if not failed:
            self._checkpoint(len(batch))
            self._window = STREAM_BATCH_SIZE
            return
        failed_from = 0 if len(failed) == len(batch) else min(failed)
        self._checkpoint(failed_from)
        self.attempts += 1
        assert self.attempts <= self.max_retries, "a record went to the stream's failure destination"
        if self.bisect and failed_from == 0 and len(batch) > 1:
            self._window = max(1, len(batch) // 2)

    def _checkpoint(self, count: int) -> None:
        if count:
            self.pending = self.pending[count:]
            self.attempts = 0


class FanOutFaults:
    """Where the fan-out of the change being handled fails, if anywhere."""

    def __init__(self) -> None:
        self.plan: tuple[str, int] | None = None
        self.writes = 0

    @contextmanager
    def during(self, plan: tuple[str, int] | None) -> Iterator[None]:
        self.plan, self.writes = plan, 0
        try:
            yield
        finally:
            self.plan = None

    def before_write(self) -> None:
        self.writes += 1
        if self.plan == ("before", self.writes):
            raise InjectedFaultError("outbox write throttled")

    def after_write(self) -> None:
        if self.plan == ("after", self.writes):
            raise InjectedFaultError("outbox write committed, answer lost")

    def on_enqueue(self) -> None:
        if self.plan == ("queue", 0):
            raise InjectedFaultError("SQS unreachable")


class FlakyOutbox(NotificationOutbox):
    """The outbox as fan-out sees it: writes fail where the plan says."""

    def __init__(self, inner: NotificationOutbox, faults: FanOutFaults) -> None:
        self._inner = inner
        self._faults = faults

    def add_if_absent(self, notification: Notification) -> bool:
        self._faults.before_write()
        added = self._inner.add_if_absent(notification)
        self._faults.after_write()
        return added

    def get(self, notification_id: str) -> Notification | None:
        return self._inner.get(notification_id)

    def transition(self, before: Notification, after: Notification) -> bool:
        return self._inner.transition(before, after)

    def claim(self, notification_id: str, *, now: datetime, until: datetime) -> Claim:
        return self._inner.claim(notification_id, now=now, until=until)

    def for_case(self, case_id: str) -> list[Notification]:
        return self._inner.for_case(case_id)

    def to_parties(self, case_id: str, *, limit: int, after: tuple[datetime, str] | None = None) -> list[Notification]:
        return self._inner.to_parties(case_id, limit=limit, after=after)

    def held_until(self, moment: datetime, *, shard: int | None = None) -> list[Notification]:
        return self._inner.held_until(moment, shard=shard)

    def by_provider_id(self, provider_message_id: str) -> Notification | None:
        return self._inner.by_provider_id(provider_message_id)

    def open_since(self, status: NotificationStatus, before: datetime, *, limit: int) -> list[Notification]:
        return self._inner.open_since(status, before, limit=limit)


class FlakyQueue(DeliveryQueue):
    def __init__(self, inner: DeliveryQueue, faults: FanOutFaults) -> None:
        self._inner = inner
        self._faults = faults

    def enqueue(self, notifications: Sequence[Notification]) -> None:
        self._faults.on_enqueue()
        self._inner.enqueue(notifications)

    def notification_id(self, body: str) -> str:
        return body

    def postpone(self, receipt: str, seconds: int) -> None:
        self._inner.postpone(receipt, seconds)


# The delivery queue ----------------------------------------------------------------------------------------


@dataclass
class Message:
    receipt: str
    notification_id: str
    group: str
    visible_at: datetime
    receives: int = 0


class FifoQueue(DeliveryQueue):
    """SQS FIFO: in order within a message group; a group with a message in flight gives nothing; a message
    received ``max_receives`` times goes to the dead-letter queue on its next receive."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.visibility, self.max_receives = _delivery_queue()
        self.messages: list[Message] = []
        self.dead_letters: list[Message] = []
        self._ids = itertools.count(1)

    def enqueue(self, notifications: Sequence[Notification]) -> None:
        now = self._clock.now()
        self.messages.extend(Message(str(next(self._ids)), n.id, message_group(n), now) for n in notifications)

    def notification_id(self, body: str) -> str:
        return body

    def postpone(self, receipt: str, seconds: int) -> None:
        (message,) = [m for m in self.messages if m.receipt == receipt]
        message.visible_at = self._clock.now() + timedelta(seconds=seconds)

    def ready_groups(self) -> list[str]:
        now = self._clock.now()
        groups: dict[str, bool] = {}
        for message in self.messages:
            groups[message.group] = groups.get(message.group, True) and message.visible_at <= now
        return [group for group, ready in groups.items() if ready]

    def next_ready_at(self) -> datetime:
        """When the first group whose messages are all in flight has them all visible again."""
        last_visible: dict[str, datetime] = {}
        for message in self.messages:
            last_visible[message.group] = max(last_visible.get(message.group, message.visible_at), message.visible_at)
        return min(last_visible.values())

    def receive(self, groups: Sequence[str], limit: int = DELIVERY_BATCH_SIZE) -> list[Message]:
        ready = set(self.ready_groups())
        now = self._clock.now()
        taken: list[Message] = []
        for group in groups:
            if group not in ready:
                continue
            for message in [m for m in self.messages if m.group == group]:
                if len(taken) == limit:
                    return taken
                if message.receives >= self.max_receives:
                    self.messages.remove(message)
                    self.dead_letters.append(message)
                    continue
                message.receives += 1
                message.visible_at = now + timedelta(seconds=self.visibility)
                taken.append(message)
        return taken

    def delete(self, message: Message) -> None:
        self.messages.remove(message)


@dataclass
class Sent:
    notification_id: str
    # sent by an attempt that took over an expired claim, or after one that may have sent it (``maybe_sent``):
    # delivery reports it as a possible_duplicate
    takeover: bool
    recorded: bool = True  # False when the attempt died, or lost SES's answer, after SES accepted the e-mail


class ScriptedEmail(EmailSender):
    """SES, answering each send as the script says: accepted; throttled; accepted, but the answer is lost on the
    way back (a connection reset: the adapter sees a retryable error); or the process dies just before or just
    after SES accepted the e-mail."""

    def __init__(self, outbox: NotificationOutbox) -> None:
        self._outbox = outbox
        self.script: list[str] = []
        self.takeover = False
        self.sent: list[Sent] = []
        self.answers: list[str] = []

    def send(self, *, email: OutgoingEmail) -> str:
        outcome = self.script.pop(0) if self.script else "ok"
        stored = self._outbox.get(email.reference)
        if stored is not None and stored.attempts > FAILURE_BUDGET:
            outcome = "ok"
        self.answers.append(outcome)
        if outcome == "throttled":
            raise EmailRetryableError("ThrottlingException")
        if outcome == "crash-before-accepted":
            raise ProcessDiedError
        sent = Sent(email.reference, self.takeover)
        self.sent.append(sent)
        if outcome == "crash-after-accepted":
            sent.recorded = False
            raise ProcessDiedError
        if outcome == "accepted-answer-lost":
            sent.recorded = False
            raise EmailRetryableError("ConnectionClosedError")
        return f"ses-{len(self.sent)}"


def delivery_with(world: World, email: EmailSender) -> Delivery:
    """The world's delivery service, sending e-mail through ``email`` (templates compiled once for all examples)."""
    return Services(world.adapters.but(email=email, renderer=_renderer())).delivery


# The machine -----------------------------------------------------------------------------------------------


class DeliveryLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        world = World(FixedClock(T0))
        for person, email in PEOPLE:
            world.subscribers.put(subscriber(person, email))
        self.world = world
        self.stream = Stream()
        self.faults = FanOutFaults()
        self.queue = FifoQueue(world.clock)
        self.email = ScriptedEmail(world.outbox)
        flaky = world.adapters.but(outbox=FlakyOutbox(world.outbox, self.faults), queue=FlakyQueue(self.queue, self.faults))
        self.fanout = Services(flaky).fanout
        self.delivery = delivery_with(world, self.email)
        self.reconciler = Services(world.adapters.but(queue=self.queue)).reconciler
        self.case_ids: list[str] = []

    # What people do

    @initialize()
    def two_cases_are_opened(self) -> None:
        for initiator, co_initiators in ((MARK, (FATIMA,)), (JAN, ())):
            case = self.world.commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Test", initiator, co_initiators, ("GM1581",)))
            self.stream.append(None, case, self.world.clock.now())
            self.case_ids.append(case.id)

    @rule(which=st.integers(0, 1), statustype=st.sampled_from((*STATUSTYPES, None)))
    def a_behandelaar_sets_a_status(self, which: int, statustype: str | None) -> None:
        """A status (possibly the one the case has, which changes nothing), or a write that changes no status but
        still makes a stream record (statustype None)."""
        before = self.world.cases.items[self.case_ids[which]]
        if statustype is None:
            self.stream.append(before, before, self.world.clock.now())
            return
        if before.is_closed:
            return
        self.world.clock.advance(seconds=1)
        result = self.world.commands.set_status(ANNA_PRINCIPAL, before.id, statustype, None)
        if result.changed:
            self.stream.append(before, result.case, self.world.clock.now())

    @rule(seconds=st.sampled_from([1, 30, 60, 91, 180, 181, 600, 900]))
    def time_passes_and_the_reconciler_runs(self, seconds: int) -> None:
        self.world.clock.advance(seconds=seconds)
        self.reconciler.run()

    # The stream

    @precondition(lambda self: self.stream.pending)
    @rule(data=st.data())
    def the_stream_delivers_a_batch(self, data: st.DataObject) -> None:
        """Handled with faults at random points and checkpointed by the answer; or, at least once, handled
        without a fault and not checkpointed, so it comes again."""
        batch = self.stream.next_batch(data.draw(st.integers(1, STREAM_BATCH_SIZE), label="batch size"))
        if data.draw(st.booleans(), label="checkpoint lost"):
            self._handle_changes(batch, {})
            return
        faults: dict[int, tuple[str, int]] = {}
        if self.stream.attempts < self.stream.max_retries - 1:
            faults = data.draw(
                st.dictionaries(st.integers(0, len(batch) - 1), st.sampled_from(FAN_OUT_FAULTS), max_size=3), label="faults"
            )
        failed = self._handle_changes(batch, faults)
        if failed:
            event("stream: " + ("whole batch failed" if len(failed) == len(batch) else "partial batch failure"))
        self.stream.settle(batch, failed)

    def _handle_changes(self, batch: Sequence[ChangeRecord], faults: dict[int, tuple[str, int]]) -> list[int]:
        """events/stream.py: the indexes of the records reported failed."""
        failed: list[int] = []
        held_back: set[str] = set()
        with self.fanout.batch():
            for index, record in enumerate(batch):
                if record.case_id in held_back:
                    failed.append(index)
                    continue
                try:
                    with self.faults.during(faults.get(index)):
                        self.fanout.handle_change(record.old, record.new, record.at)
                except InjectedFaultError:
                    failed.append(index)
                    held_back.add(record.case_id)
        return failed

    # The delivery queue

    @precondition(lambda self: self.queue.ready_groups())
    @rule(data=st.data())
    def the_queue_delivers_a_batch(self, data: st.DataObject) -> None:
        order = data.draw(st.permutations(self.queue.ready_groups()), label="groups")
        limit = data.draw(st.integers(1, DELIVERY_BATCH_SIZE), label="batch size")
        outcomes: list[str] = []
        if max(m.receives for m in self.queue.messages) < RECEIVE_BUDGET:
            outcomes = data.draw(st.lists(st.sampled_from(SES_OUTCOMES), max_size=limit), label="SES answers")
        self._deliver_batch(self.queue.receive(order, limit), outcomes)

    def _deliver_batch(self, messages: Sequence[Message], outcomes: Sequence[str]) -> None:
        """events/delivery.py with SqsFifoPartialProcessor(skip_group_on_error=True): a failed message's later
        group mates are reported failed unprocessed; only what succeeded is deleted, after the batch."""
        self.email.script = list(outcomes)
        done: list[Message] = []
        failed_groups: set[str] = set()
        try:
            with self.delivery.batch():
                for message in messages:
                    if message.group in failed_groups:
                        continue
                    if self._deliver(message):
                        done.append(message)
                    else:
                        failed_groups.add(message.group)
        except ProcessDiedError:
            return  # nothing is deleted: the whole batch comes back after the visibility timeout
        finally:
            self.email.script = []
            for answer in self.email.answers:
                if answer != "ok":
                    event(f"SES: {answer}")
            self.email.answers.clear()
        for message in done:
            self.queue.delete(message)

    def _deliver(self, message: Message) -> bool:
        stored = self.world.outbox.get(message.notification_id)
        takeover = stored is not None and stored.status is NotificationStatus.SENDING
        maybe_sent = stored is not None and stored.maybe_sent
        self.email.takeover = takeover or maybe_sent
        if takeover:
            event("delivery: take-over of an expired claim")
        if maybe_sent:
            event("delivery: an earlier attempt may have sent it")
        sent_before = len(self.email.sent)
        try:
            result = self.delivery.deliver(message.notification_id)
        except (DeliveryRetryableError, DeliveryBusyError):
            if takeover or len(self.email.sent) > sent_before:
                # SES may have accepted this e-mail (now, or in the attempt taken over): the released notification
                # must remember it, so that the next attempt reports its e-mail as a possible duplicate
                event("delivery: released a notification that may have gone out")
                released = self.world.outbox.get(message.notification_id)
                assert released is None or released.maybe_sent or released.status is NotificationStatus.SENDING
            # events/delivery.py _retry_later: back off, or give up after the last attempt
            if message.receives >= MAX_DELIVERY_ATTEMPTS:
                self.delivery.give_up(message.notification_id)
            else:
                self.queue.postpone(message.receipt, retry_delay(message.receives))
            return False
        if result.outcome in (DeliveryOutcome.DELIVERED, DeliveryOutcome.FAILED) and stored is not None:
            assert result.possible_duplicate == ((takeover or maybe_sent) and stored.channel is not Channel.PORTAL)
        return True

    # What must hold

    def _sends(self) -> dict[str, list[Sent]]:
        sends: dict[str, list[Sent]] = defaultdict(list)
        for sent in self.email.sent:
            sends[sent.notification_id].append(sent)
        return sends

    def _status_emails(self) -> dict[tuple[str, str], list[str]]:
        """Per (case, subscriber), the status each e-mail was about, in the order they were sent."""
        emails: dict[tuple[str, str], list[str]] = defaultdict(list)
        for sent in self.email.sent:
            notification = self.world.outbox.get(sent.notification_id)
            assert notification is not None, "an e-mail without a notification"
            assert notification.event_kind is EventKind.STATUS_CHANGED
            emails[notification.case_id, notification.subscriber_id].append(notification.ref)
        return emails

    def _informeren_statuses(self, case_id: str) -> list[str]:
        case = self.world.cases.items[case_id]
        statustypes = zaaktype(case.zaaktype)
        history = self.world.cases.histories[case_id]  # every status; the case item holds only the last few
        statuses = [history[key].item for key in sorted(history) if history[key].kind is HistoryKind.STATUS]
        return [s.id for s in statuses if isinstance(s, StatusEntry) and statustypes.statustype(s.statustype).informeren]

    @invariant()
    def per_case_and_subscriber_the_statuses_are_emailed_in_the_order_they_were_set(self) -> None:
        for (case_id, subscriber_id), refs in self._status_emails().items():
            told = self._informeren_statuses(case_id)
            positions = [told.index(ref) for ref in refs]
            assert positions == sorted(positions), f"{subscriber_id} was told out of order: {positions}"

    @invariant()
    def an_email_goes_twice_only_after_ses_accepted_it_unrecorded_and_then_as_a_possible_duplicate(self) -> None:
        for notification_id, sends in self._sends().items():
            assert sum(sent.recorded for sent in sends) <= 1, f"{notification_id} was sent again after it was recorded"
            again = [sent for sent in sends[1:] if not sent.takeover]
            assert not again, f"{notification_id} was sent again without a possible_duplicate"

    @invariant()
    def nothing_fails_for_good(self) -> None:
        failed = [
            n for n in self.world.outbox.items.values() if n.status.is_final and n.status is not NotificationStatus.DELIVERED
        ]
        assert failed == []
        assert self.queue.dead_letters == []

    def teardown(self) -> None:
        self._drain()
        emails = self._status_emails()
        for case_id in self.case_ids:
            case = self.world.cases.items[case_id]
            told = self._informeren_statuses(case_id)
            for party in case.followers:
                refs = emails.get((case_id, party), [])
                assert list(dict.fromkeys(refs)) == told, f"{party} was not told every status, in order"
                messages = [m for m in self.world.berichtenbox_store.items[party].values() if m.case_id == case_id]
                assert len(messages) == len(told)
            assert {n.status for n in self.world.outbox.for_case(case_id)} <= {NotificationStatus.DELIVERED}

    def _drain(self) -> None:
        """No more failures: the stream and the queue run until both are empty, waiting out backoffs."""
        for _ in range(10_000):
            if self.stream.pending:
                batch = self.stream.next_batch()
                self.stream.settle(batch, self._handle_changes(batch, {}))
            elif groups := self.queue.ready_groups():
                self._deliver_batch(self.queue.receive(groups), [])
            elif self.queue.messages:
                self.world.clock.current = self.queue.next_ready_at()
            else:
                return
        raise AssertionError("the stream and the queue did not drain")


DeliveryLifecycle.TestCase.settings = settings(
    max_examples=500, stateful_step_count=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestRandomFailuresAndRedeliveriesNeverReorderOrDoubleAnEmail = DeliveryLifecycle.TestCase


# The duplicates the machine tolerates, one by one ------------------------------------------------------------


def _marks_status_email(world: World, email: ScriptedEmail) -> tuple[Delivery, str]:
    """A delivery service sending through ``email``, and the id of Mark's e-mail about a new status."""
    case = world.commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Test", MARK, (), ("GM1581",)))
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.fan_out()
    (notification,) = [n for n in world.outbox.items.values() if n.channel is Channel.EMAIL]
    return delivery_with(world, email), notification.id


def test_a_crash_after_ses_accepted_gives_one_duplicate_reported_as_possible_duplicate(world: World):
    email = ScriptedEmail(world.outbox)
    delivery, notification_id = _marks_status_email(world, email)
    # GIVEN SES accepted Mark's e-mail, and the worker died before recording it
    email.script = ["crash-after-accepted"]
    with pytest.raises(ProcessDiedError):
        delivery.deliver(notification_id)

    # WHEN its message comes back after the visibility timeout, when the claim has expired
    with pytest.raises(DeliveryBusyError):
        delivery.deliver(notification_id)  # a copy that comes back before the claim expired waits
    world.clock.advance(seconds=_delivery_queue()[0])
    result = delivery.deliver(notification_id)

    # THEN it is sent once more, and that second e-mail is reported as a possible duplicate
    assert (result.outcome, result.possible_duplicate) == (DeliveryOutcome.DELIVERED, True)
    assert [s.notification_id for s in email.sent] == [notification_id] * 2


def test_a_take_over_that_is_throttled_still_reports_the_possible_duplicate_when_it_is_sent(world: World):
    email = ScriptedEmail(world.outbox)
    delivery, notification_id = _marks_status_email(world, email)
    # GIVEN SES accepted Mark's e-mail, and the worker died before recording it
    email.script = ["crash-after-accepted"]
    with pytest.raises(ProcessDiedError):
        delivery.deliver(notification_id)
    world.clock.advance(seconds=_delivery_queue()[0])

    # WHEN the take-over is throttled, and the attempt after it goes through
    email.script = ["throttled"]
    with pytest.raises(DeliveryRetryableError):
        delivery.deliver(notification_id)
    result = delivery.deliver(notification_id)

    # THEN Mark has his e-mail twice, and the second is reported as the possible duplicate it is
    assert [s.notification_id for s in email.sent] == [notification_id] * 2
    assert (result.outcome, result.possible_duplicate) == (DeliveryOutcome.DELIVERED, True)


def test_an_email_whose_ses_answer_was_lost_is_reported_as_a_possible_duplicate_when_sent_again(world: World):
    email = ScriptedEmail(world.outbox)
    delivery, notification_id = _marks_status_email(world, email)
    # GIVEN SES accepted Mark's e-mail, but the connection broke before its answer arrived
    email.script = ["accepted-answer-lost"]
    with pytest.raises(DeliveryRetryableError):
        delivery.deliver(notification_id)

    # WHEN the retry goes through
    result = delivery.deliver(notification_id)

    # THEN Mark has his e-mail twice, and the second is reported as a possible duplicate
    assert [s.notification_id for s in email.sent] == [notification_id] * 2
    assert (result.outcome, result.possible_duplicate) == (DeliveryOutcome.DELIVERED, True)
