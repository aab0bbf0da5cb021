"""Delivery, continued: every e-mail can be stopped in one click (RFC 8058) — the subscription it came from, or
all e-mail when it bundles several — and a letter goes to the print-and-post partner with the postal address,
or fails as having no address."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from urllib.parse import parse_qs, urlsplit

from chalicelib.adapters.ses_email import build_mime
from chalicelib.domain.events import Place
from chalicelib.domain.language import Language
from chalicelib.domain.notifications import NotificationStatus
from chalicelib.domain.reference import Point
from chalicelib.domain.subscriptions import Channel, Frequency, PostalAddress, Scope, Subscription, SubscriptionState
from chalicelib.domain.tokens import TokenPurpose, verify
from chalicelib.services.announcements import Draft
from chalicelib.services.case_commands import NewCase
from chalicelib.services.ports import OutgoingEmail
from chalicelib.services.subscriptions import Outcome, PreferenceChange
from tests.factories import MARK, SUBSIDIE, subscriber
from tests.unit.services.conftest import ANNA_PRINCIPAL, MARK_PRINCIPAL, PIETER, SECRET, World

SENDER = "Provincie Utrecht <noreply@mijn.provincie-utrecht.nl>"
LAND = Draft("Grond vrij aan de Eem", "Er komt grond vrij.", "grondbeheer", Place(("GM0307",), Point(52.1561, 5.3878)))
ADDRESS = PostalAddress("M. de Vries", "Dorpsstraat", "12", "3941 AB", "Doorn")


def _announce(world: World, draft: Draft = LAND) -> None:
    announcement = world.announcements.draft(ANNA_PRINCIPAL, draft)
    world.announcements.submit(ANNA_PRINCIPAL, announcement.id)
    world.announcements.approve(PIETER, announcement.id)
    world.fan_out_announcements()
    world.deliver_all()


def _unsubscribe_subject(mail: OutgoingEmail, world: World) -> str:
    assert mail.unsubscribe_url is not None
    (token,) = parse_qs(urlsplit(mail.unsubscribe_url).query)["token"]
    return verify(token, SECRET, TokenPurpose.UNSUBSCRIBE, now=world.clock.now()).subject


def _headers(mail: OutgoingEmail):
    return message_from_bytes(build_mime(sender=SENDER, email=mail), policy=policy.default)


# One-click unsubscribe ------------------------------------------------------------------------------------


def test_an_announcement_email_carries_one_click_unsubscribe_headers_for_the_subscription_it_came_from(world: World):
    followed = world.subscription_service.follow(MARK_PRINCIPAL, Scope(topics=frozenset({"grondbeheer"})))

    _announce(world)

    (mail,) = world.email.sent
    assert _unsubscribe_subject(mail, world) == f"subscription:{followed.id}"
    headers = _headers(mail)
    assert headers["List-Unsubscribe"] == f"<{mail.unsubscribe_url}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_one_click_link_of_an_announcement_stops_that_subscription_and_no_other(world: World):
    grond = world.subscription_service.follow(MARK_PRINCIPAL, Scope(topics=frozenset({"grondbeheer"})))
    grants = world.subscription_service.follow(MARK_PRINCIPAL, Scope(topics=frozenset({"subsidies"})))
    _announce(world)
    (mail,) = world.email.sent
    assert mail.unsubscribe_url is not None
    (token,) = parse_qs(urlsplit(mail.unsubscribe_url).query)["token"]

    assert world.subscription_service.unsubscribe(token) is Outcome.DONE

    assert [s.id for s in world.subscription_service.mine(MARK_PRINCIPAL)] == [grants.id]
    stopped = world.subscriptions.get(grond.id)
    assert isinstance(stopped, Subscription)
    assert stopped.state is SubscriptionState.CANCELLED
    world.email.sent.clear()
    _announce(world, replace(LAND, title="Nog meer grond vrij"))
    assert world.email.sent == []


def test_a_digest_email_stops_all_email_in_one_click_as_it_bundles_several_subscriptions(world: World):
    world.subscribers.put(replace(subscriber(MARK, "mark@example.org"), frequency=Frequency.DAILY))
    world.subscription_service.follow(MARK_PRINCIPAL, Scope(topics=frozenset({"grondbeheer"})))
    _announce(world)
    _announce(world, replace(LAND, title="Nog meer grond vrij"))
    world.clock.current = datetime(2026, 10, 6, 5, 0, tzinfo=UTC)
    world.digests.run()
    world.deliver_all()

    (digest,) = world.email.sent

    assert digest.subject.startswith("Uw overzicht")
    assert _unsubscribe_subject(digest, world) == f"subscriber:{MARK}"
    assert _headers(digest)["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


# Letters --------------------------------------------------------------------------------------------------


def _reads_letters(world: World) -> None:
    world.subscription_service.set_preferences(
        MARK_PRINCIPAL,
        PreferenceChange(frozenset({Channel.PORTAL, Channel.LETTER}), Language.NL, Frequency.IMMEDIATELY, False, ADDRESS),
    )


def _marks_case(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Duurzame recreatie", MARK, (), ("GM1581",)))
    world.fan_out()
    return case


def _letters(world: World):
    return [n for n in world.outbox.items.values() if n.channel is Channel.LETTER]


def test_a_letter_goes_to_the_print_partner_with_the_postal_address(world: World):
    _reads_letters(world)
    case = _marks_case(world)

    world.deliver_all()

    (notification,) = _letters(world)
    (letter,) = world.letters.sent
    assert (letter.recipient, letter.reference, letter.language) == (ADDRESS, notification.id, "nl")
    assert letter.title == "Nieuwe status: Ontvangen"
    assert f"Uw zaaknummer is {case.case_number}" in letter.body
    assert world.outbox.items[notification.id].status is NotificationStatus.DELIVERED
    assert world.email.sent == []


def test_a_letter_whose_postal_address_is_gone_fails_as_having_no_address_and_the_berichtenbox_still_arrives(world: World):
    _reads_letters(world)
    _marks_case(world)
    # GIVEN the address was removed from the record after the case was indexed with letters
    marks = world.subscribers.get(MARK)
    assert marks is not None
    world.subscribers.put(replace(marks, postal_address=None))

    world.deliver_all()

    (notification,) = _letters(world)
    stored = world.outbox.items[notification.id]
    assert (stored.status, stored.reason) == (NotificationStatus.PERMANENT_FAILURE, "no_address")
    assert world.letters.sent == []
    assert world.berichtenbox_store.unread_count(MARK) == 1


def test_no_letter_is_planned_for_someone_who_chose_letters_without_an_address(world: World):
    world.subscribers.put(replace(subscriber(MARK, None), channels=frozenset({Channel.PORTAL, Channel.LETTER})))

    _marks_case(world)
    world.deliver_all()

    assert _letters(world) == []
    assert world.letters.sent == []
    assert world.berichtenbox_store.unread_count(MARK) == 1
