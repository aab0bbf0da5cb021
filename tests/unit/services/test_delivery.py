"""Delivery: each notification sent once on its channel; retryable errors retried, permanent ones final;
e-mails information-lean, the berichtenbox carrying the details, behandelaar text shown as text."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.cases import TAIL, Link
from chalicelib.domain.language import Language
from chalicelib.domain.notifications import NotificationStatus
from chalicelib.domain.subscriptions import Channel
from chalicelib.services.case_commands import NewCase, NewDocumentRequest
from chalicelib.services.delivery import DeliveryBusyError, DeliveryOutcome, DeliveryRetryableError
from chalicelib.services.ports import EmailPermanentError, EmailRetryableError
from tests.factories import FATIMA, MARK, SUBSIDIE, subscriber
from tests.unit.services.conftest import ANNA_PRINCIPAL, MARK_PRINCIPAL, World


def _marks_case(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Duurzame recreatie", MARK, (FATIMA,), ("GM1581",)))
    world.propagate()
    world.email.sent.clear()
    return case


def _latest(world: World, channel: Channel, subscriber_id: str = MARK):
    """Mark's notifications on ``channel`` about the case's newest status."""
    return [
        n
        for n in world.outbox.items.values()
        if n.channel is channel and n.subscriber_id == subscriber_id and n.created_at == world.clock.now()
    ]


def test_a_status_email_names_case_and_product_and_nothing_of_the_case(world: World):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "aanvullende-informatie-nodig", "Uw begroting ontbreekt nog.")
    world.propagate()
    (mail,) = [m for m in world.email.sent if m.to == "mark@example.org"]
    assert case.case_number in mail.subject
    assert "Subsidie duurzame recreatie" in mail.text
    assert f"https://mijn.example.test/mijn-zaken/{case.id}" in mail.text
    for secret in ("Uw begroting ontbreekt nog", "Aanvullende informatie nodig", "Wij hebben meer informatie"):
        assert secret not in mail.text
        assert secret not in mail.html
    assert '<html lang="nl">' in mail.html


def test_the_berichtenbox_message_carries_the_status_text_and_the_behandelaars_note(world: World):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "aanvullende-informatie-nodig", "Uw begroting ontbreekt nog.")
    world.propagate()
    newest = world.berichtenbox.page(MARK_PRINCIPAL, limit=1, after=None).messages[0]
    assert newest.title == "Nieuwe status: Aanvullende informatie nodig"
    assert "Wij hebben meer informatie van u nodig" in newest.body
    assert "Uw begroting ontbreekt nog." in newest.body
    assert newest.case_id == case.id


def test_a_subscriber_who_chose_english_gets_english(world: World):
    world.subscribers.put(replace(subscriber(FATIMA, "fatima@example.org"), language=Language.EN))
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.propagate()
    (mail,) = [m for m in world.email.sent if m.to == "fatima@example.org"]
    assert mail.subject == f"New information about your case {case.case_number}"
    assert "Grant for sustainable recreation" in mail.text


def test_a_message_with_a_link_reaches_the_berichtenbox_with_the_link_and_the_email_without_the_text(world: World):
    case = _marks_case(world)
    text = "Voor uw plan is ook een vergunning van het waterschap nodig."
    world.commands.post_message(ANNA_PRINCIPAL, case.id, text, Link("https://omgevingswet.overheid.nl/loket", "Omgevingsloket"))
    world.propagate()
    newest = world.berichtenbox.page(MARK_PRINCIPAL, limit=1, after=None).messages[0]
    assert newest.body.startswith(text)
    assert newest.link == Link("https://omgevingswet.overheid.nl/loket", "Omgevingsloket")
    (mail,) = [m for m in world.email.sent if m.to == "mark@example.org"]
    assert text not in mail.text


def test_documents_requested_lists_them_with_their_due_date_in_the_berichtenbox(world: World):
    case = _marks_case(world)
    world.commands.request_documents(
        ANNA_PRINCIPAL, case.id, (NewDocumentRequest("Begroting van het project", world.clock.now().date() + timedelta(days=14)),)
    )
    world.propagate()
    newest = world.berichtenbox.page(MARK_PRINCIPAL, limit=1, after=None).messages[0]
    assert newest.title == "Wij hebben documenten van u nodig"
    assert "- Begroting van het project (uiterlijk 19 oktober 2026)" in newest.body


@pytest.mark.parametrize(
    "text",
    ["{{ cycler.__init__.__globals__ }}", "<script>alert(1)</script>", "{% for x in range(9) %}x{% endfor %}"],
    ids=["expression", "script", "statement"],
)
def test_text_from_a_behandelaar_is_data_never_template_code(world: World, text):
    case = _marks_case(world)
    world.commands.post_message(ANNA_PRINCIPAL, case.id, text, None)
    world.propagate()
    newest = world.berichtenbox.page(MARK_PRINCIPAL, limit=1, after=None).messages[0]
    assert newest.body == text


def test_delivering_a_notification_twice_sends_one_email(world: World):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.propagate()
    (email,) = _latest(world, Channel.EMAIL)
    sent = len(world.email.sent)
    assert world.delivery.deliver(email.id).outcome is DeliveryOutcome.ALREADY_FINAL
    assert len(world.email.sent) == sent


def test_a_throttled_send_is_released_for_a_retry_and_then_sent_once(world: World):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.fan_out()
    (email,) = _latest(world, Channel.EMAIL)
    world.email.fail_with = [EmailRetryableError("ThrottlingException")]
    with pytest.raises(DeliveryRetryableError):
        world.delivery.deliver(email.id)
    stored = world.outbox.get(email.id)
    assert stored is not None
    assert (stored.status, stored.attempts, stored.claimed_until) == (NotificationStatus.CREATED, 1, None)
    world.email.fail_with.clear()

    assert world.delivery.deliver(email.id).outcome is DeliveryOutcome.DELIVERED
    assert [m.to for m in world.email.sent].count("mark@example.org") == 1
    assert world.outbox.get(email.id).attempts == 2  # type: ignore[union-attr]


class _InjectedStorageFaultError(Exception):
    """A passing fault as an adapter would raise it (not a bug)."""


@pytest.mark.parametrize(
    ("bug", "cause"),
    [(TypeError("unsupported operand"), "TypeError"), (KeyError("status"), "KeyError"), (AttributeError("x"), "AttributeError")],
)
def test_a_bug_while_composing_fails_at_once_as_a_technical_failure_and_is_not_retried(world: World, monkeypatch, bug, cause):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.fan_out()
    (email,) = _latest(world, Channel.EMAIL)

    def broken(notification):
        raise bug

    monkeypatch.setattr(world.composer, "compose", broken)
    # WHEN it is delivered THEN it ends at once: no DeliveryRetryableError, nothing sent, technical-failure
    result = world.delivery.deliver(email.id)
    assert (result.outcome, result.reason, result.error_type) == (DeliveryOutcome.SOFTWARE_ERROR, "software_error", cause)
    stored = world.outbox.get(email.id)
    assert stored is not None
    assert (stored.status, stored.reason, stored.attempts) == (NotificationStatus.TECHNICAL_FAILURE, "software_error", 1)
    assert world.email.sent == []
    assert world.delivery.deliver(email.id).outcome is DeliveryOutcome.ALREADY_FINAL


def test_a_template_asking_for_what_its_context_lacks_is_a_software_error(world: World, tmp_path):
    import shutil

    from chalicelib.adapters.templates import JinjaRenderer, templates_root
    from chalicelib.wiring import Services

    root = tmp_path / "templates"
    shutil.copytree(templates_root(), root)
    subject = root / "email" / "status_changed.subject.j2"
    subject.write_text(subject.read_text() + "{{ detail.not_in_the_context }}")
    delivery = Services(world.adapters.but(renderer=JinjaRenderer(root))).delivery
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.fan_out()
    (email,) = _latest(world, Channel.EMAIL)

    result = delivery.deliver(email.id)

    assert (result.outcome, result.error_type) == (DeliveryOutcome.SOFTWARE_ERROR, "UndefinedError")
    assert world.outbox.get(email.id).status is NotificationStatus.TECHNICAL_FAILURE  # type: ignore[union-attr]


def test_a_passing_fault_while_composing_is_still_retried(world: World, monkeypatch):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.fan_out()
    (email,) = _latest(world, Channel.EMAIL)
    compose = world.composer.compose
    faults = [_InjectedStorageFaultError("throttled")]

    def flaky(notification):
        if faults:
            raise faults.pop()
        return compose(notification)

    monkeypatch.setattr(world.composer, "compose", flaky)
    with pytest.raises(DeliveryRetryableError):
        world.delivery.deliver(email.id)
    assert world.outbox.get(email.id).status is NotificationStatus.CREATED  # type: ignore[union-attr]
    assert world.delivery.deliver(email.id).outcome is DeliveryOutcome.DELIVERED


def test_a_refused_address_fails_for_good_and_is_never_retried(world: World):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.email.fail_with = [EmailPermanentError("address_rejected")] * 2
    world.propagate()
    failed = [n for n in world.outbox.items.values() if n.status is NotificationStatus.PERMANENT_FAILURE]
    assert {n.reason for n in failed} == {"address_rejected"}
    assert world.delivery.deliver(failed[0].id).outcome is DeliveryOutcome.ALREADY_FINAL
    # the portal message still arrived
    assert all(n.status is NotificationStatus.DELIVERED for n in world.outbox.items.values() if n.channel is Channel.PORTAL)


def test_someone_without_an_email_address_is_told_in_the_berichtenbox_only(world: World):
    world.subscribers.put(subscriber(MARK, None))
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.propagate()
    assert _latest(world, Channel.EMAIL) == []
    assert world.berichtenbox.page(MARK_PRINCIPAL, limit=5, after=None).unread == 2


def test_an_address_removed_after_planning_fails_the_email_and_the_portal_message_still_arrives(world: World):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.fan_out()
    world.subscribers.put(subscriber(MARK, None))
    world.deliver_all()
    (email,) = _latest(world, Channel.EMAIL)
    assert world.outbox.get(email.id).reason == "no_address"  # type: ignore[union-attr]
    assert world.berichtenbox.page(MARK_PRINCIPAL, limit=5, after=None).unread == 2


def test_an_address_removed_before_planning_plans_no_email_and_the_portal_message_arrives(world: World):
    case = _marks_case(world)
    world.subscribers.put(subscriber(MARK, None))
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.propagate()
    assert _latest(world, Channel.EMAIL) == []
    assert world.berichtenbox.page(MARK_PRINCIPAL, limit=5, after=None).unread == 2


def _email_claimed_by_another_worker(world: World):
    """Mark's e-mail about a new status, claimed for 90 seconds by a worker that is not this one."""
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.fan_out()
    (email,) = _latest(world, Channel.EMAIL)
    claimed = email.moved_to(
        NotificationStatus.SENDING, world.clock.now(), attempts=1, claimed_until=world.clock.now() + timedelta(seconds=90)
    )
    assert world.outbox.transition(email, claimed)
    return email


def test_a_live_claim_of_another_worker_is_respected(world: World):
    email = _email_claimed_by_another_worker(world)
    with pytest.raises(DeliveryBusyError):
        world.delivery.deliver(email.id)
    assert world.email.sent == []


def test_an_expired_claim_is_taken_over_and_reported_as_a_possible_duplicate(world: World):
    email = _email_claimed_by_another_worker(world)
    world.clock.advance(seconds=91)  # the worker died mid-send

    result = world.delivery.deliver(email.id)

    assert (result.outcome, result.possible_duplicate) == (DeliveryOutcome.DELIVERED, True)
    assert world.outbox.get(email.id).attempts == 2  # type: ignore[union-attr]


def test_a_notification_about_a_case_that_is_gone_fails_with_that_reason(world: World):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.fan_out()
    del world.cases.items[case.id]
    results = [world.delivery.deliver(i) for i in world.queue.drain()]
    assert {r.outcome for r in results} == {DeliveryOutcome.FAILED}
    assert {r.reason for r in results} == {"case_gone"}


def test_an_unknown_notification_id_is_reported_and_sends_nothing(world: World):
    assert world.delivery.deliver("0" * 32).outcome is DeliveryOutcome.UNKNOWN
    assert world.email.sent == []


def test_within_one_batch_a_case_is_read_once_for_all_its_notifications(world: World):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.fan_out()
    queued = world.queue.drain()
    before = world.cases.reads
    with world.delivery.batch():
        for notification_id in queued:
            world.delivery.deliver(notification_id)
    assert len(queued) == 4
    assert world.cases.reads - before == 1


class FailingBerichtenbox:
    """A berichtenbox whose next ``failures`` writes fail, as DynamoDB does when throttled."""

    def __init__(self, inner, failures: int) -> None:
        self._inner = inner
        self.failures = failures

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def put(self, message):
        if self.failures:
            self.failures -= 1
            raise ConnectionError("ProvisionedThroughputExceededException")
        return self._inner.put(message)


def test_any_failure_while_sending_gives_the_claim_back_so_the_next_attempt_delivers(world: World):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.fan_out()
    (portal,) = _latest(world, Channel.PORTAL)
    world.delivery._berichtenbox = FailingBerichtenbox(world.berichtenbox_store, failures=1)  # type: ignore[assignment]

    with pytest.raises(DeliveryRetryableError):
        world.delivery.deliver(portal.id)
    released = world.outbox.get(portal.id)
    assert released is not None
    assert (released.status, released.claimed_until, released.reason) == (
        NotificationStatus.CREATED,
        None,
        "retryable: ConnectionError",
    )

    result = world.delivery.deliver(portal.id)
    assert (result.outcome, result.possible_duplicate) == (DeliveryOutcome.DELIVERED, False)


def test_taking_over_a_berichtenbox_message_is_no_possible_duplicate(world: World):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.fan_out()
    (portal,) = _latest(world, Channel.PORTAL)
    crashed = portal.moved_to(NotificationStatus.SENDING, world.clock.now(), attempts=1, claimed_until=world.clock.now())
    world.outbox.transition(portal, crashed)
    world.clock.advance(seconds=1)
    result = world.delivery.deliver(portal.id)
    assert (result.outcome, result.possible_duplicate) == (DeliveryOutcome.DELIVERED, False)
    assert world.berichtenbox.page(MARK_PRINCIPAL, limit=5, after=None).unread == 2


def test_documents_received_before_delivery_are_marked_not_left_out(world: World):
    case = _marks_case(world)
    requested = world.commands.request_documents(
        ANNA_PRINCIPAL, case.id, (NewDocumentRequest("Begroting"), NewDocumentRequest("Plan"))
    )
    world.commands.mark_document_received(ANNA_PRINCIPAL, case.id, requested.case.documents[1].id)
    world.propagate()
    newest = world.berichtenbox.page(MARK_PRINCIPAL, limit=1, after=None).messages[0]
    assert "- Begroting\n- Plan (al ontvangen)" in newest.body


class FlakyOutbox:
    """The outbox, failing the next ``failures`` writes of ``delivered``: refused, or done with the answer lost."""

    def __init__(self, inner, failures: list[str]) -> None:
        self._inner = inner
        self.failures = failures

    def transition(self, before, after):
        if after.status is NotificationStatus.DELIVERED and self.failures:
            how = self.failures.pop(0)
            if how == "answer lost":
                self._inner.transition(before, after)
            raise TimeoutError(how)
        return self._inner.transition(before, after)

    def __getattr__(self, name):
        return getattr(self._inner, name)


@pytest.mark.parametrize("failures", [["refused"], ["answer lost"], ["refused", "answer lost"]])
def test_an_email_that_went_out_is_recorded_even_when_the_first_writes_fail_and_is_never_sent_again(world: World, failures):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.fan_out()
    (email,) = _latest(world, Channel.EMAIL)
    world.delivery._outbox = FlakyOutbox(world.outbox, failures)  # type: ignore[assignment]

    result = world.delivery.deliver(email.id)

    assert result.outcome is DeliveryOutcome.DELIVERED
    assert world.outbox.get(email.id).status is NotificationStatus.DELIVERED  # type: ignore[union-attr]
    assert [m.to for m in world.email.sent] == ["mark@example.org"]


def test_an_email_whose_delivered_write_keeps_failing_is_taken_over_later_as_a_possible_duplicate(world: World):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.fan_out()
    (email,) = _latest(world, Channel.EMAIL)
    world.delivery._outbox = FlakyOutbox(world.outbox, ["refused"] * 3)  # type: ignore[assignment]
    with pytest.raises(TimeoutError):
        world.delivery.deliver(email.id)

    world.clock.advance(seconds=600)  # the claim expires
    result = world.delivery.deliver(email.id)

    assert (result.outcome, result.possible_duplicate) == (DeliveryOutcome.DELIVERED, True)
    assert [m.to for m in world.email.sent] == ["mark@example.org"] * 2


def test_a_possible_duplicate_is_reported_before_it_is_sent_so_an_attempt_that_dies_is_counted_too(world: World):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.fan_out()
    (email,) = _latest(world, Channel.EMAIL)
    reported: list[str] = []
    world.delivery._on_possible_duplicate = lambda n: reported.append(n.id)
    # GIVEN a worker died while sending Mark's e-mail
    crashed = email.moved_to(NotificationStatus.SENDING, world.clock.now(), attempts=1, claimed_until=world.clock.now())
    world.outbox.transition(email, crashed)
    world.clock.advance(seconds=1)

    # WHEN the take-over sends it, and SES's answer is lost on the way back
    world.email.fail_with = [EmailRetryableError("ReadTimeoutError")]
    with pytest.raises(DeliveryRetryableError):
        world.delivery.deliver(email.id)

    # THEN the possible duplicate was reported although the attempt never returned a result
    assert reported == [email.id]
    assert world.outbox.get(email.id).maybe_sent is True  # type: ignore[union-attr]


def test_a_message_delivered_after_the_case_item_let_it_go_is_read_from_the_history(world: World):
    # GIVEN a message to Mark, fanned out but not yet delivered
    case = _marks_case(world)
    world.commands.post_message(ANNA_PRINCIPAL, case.id, "De eerste van vele", None)
    world.commands.request_documents(ANNA_PRINCIPAL, case.id, (NewDocumentRequest("Begroting"),))
    world.fan_out()
    # AND since then more messages and documents than the case item keeps
    for index in range(TAIL + 1):
        world.clock.advance(minutes=1)
        world.commands.post_message(ANNA_PRINCIPAL, case.id, f"Later {index}", None)
        stored = world.cases.get(case.id)
        world.commands.mark_document_received(ANNA_PRINCIPAL, case.id, stored.missing_documents[0].id)
        world.commands.accept_document(ANNA_PRINCIPAL, case.id, stored.missing_documents[0].id)
        world.commands.request_documents(ANNA_PRINCIPAL, case.id, (NewDocumentRequest(f"Stuk {index}"),))
    stored = world.cases.get(case.id)
    assert "De eerste van vele" not in [m.text for m in stored.messages]
    assert "Begroting" not in [d.omschrijving for d in stored.documents]
    # WHEN they are delivered
    assert world.deliver_all() == []
    # THEN Mark's berichtenbox has the message and the documents as they were asked for (the first one since received)
    bodies = [m.body for m in world.berichtenbox.page(MARK_PRINCIPAL, limit=10, after=None).messages]
    assert any("De eerste van vele" in text for text in bodies)
    assert any("Begroting" in text for text in bodies)


class CountingOutbox:
    """The outbox, counting what delivery asks of it."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name):
        self.calls.append(name)
        return getattr(self._inner, name)


def test_a_delivery_claims_without_reading_first_and_writes_twice_in_all(world: World):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.fan_out()
    (email,) = _latest(world, Channel.EMAIL)
    counting = CountingOutbox(world.outbox)
    world.delivery._outbox = counting  # type: ignore[assignment]

    result = world.delivery.deliver(email.id)

    # THEN the claim is the first thing asked (it answers what was there), and "delivered" the only other
    assert result.outcome is DeliveryOutcome.DELIVERED
    assert counting.calls == ["claim", "transition"]


@pytest.mark.parametrize("status", [NotificationStatus.DELIVERED, NotificationStatus.HELD])
def test_a_final_or_held_notification_is_answered_from_the_refused_claim_alone(world: World, status):
    case = _marks_case(world)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.fan_out()
    (email,) = _latest(world, Channel.EMAIL)
    world.outbox.items[email.id] = replace(email, status=status)
    counting = CountingOutbox(world.outbox)
    world.delivery._outbox = counting  # type: ignore[assignment]

    result = world.delivery.deliver(email.id)

    assert (result.outcome, result.channel) == (DeliveryOutcome.ALREADY_FINAL, Channel.EMAIL)
    assert counting.calls == ["claim"]
    assert world.email.sent == []


def test_an_unknown_notification_is_answered_from_the_refused_claim_alone(world: World):
    counting = CountingOutbox(world.outbox)
    world.delivery._outbox = counting  # type: ignore[assignment]
    assert world.delivery.deliver("0" * 32).outcome is DeliveryOutcome.UNKNOWN
    assert counting.calls == ["claim"]
