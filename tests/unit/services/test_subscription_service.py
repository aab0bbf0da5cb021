"""Following things: logged in (own subscriptions and preferences), by e-mail with double opt-in, and through
the signed links in every e-mail. Nothing reaches an address before it is confirmed, a link never revives a
stopped subscription, and the answer to "subscribe me" says nothing about who is known."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain.errors import ForbiddenError, SubscriptionNotFoundError, TooManyRequestsError, ValidationError
from chalicelib.domain.events import CaseEvent, EventKind, Place
from chalicelib.domain.geo import Circle
from chalicelib.domain.identity import Principal, Role
from chalicelib.domain.language import Language
from chalicelib.domain.matching import Recipient
from chalicelib.domain.notifications import NotificationStatus
from chalicelib.domain.reference import Point
from chalicelib.domain.subscriptions import (
    Channel,
    Frequency,
    Interest,
    Scope,
    Subscriber,
    Subscription,
    SubscriptionOrigin,
    SubscriptionState,
    case_subscription_id,
)
from chalicelib.domain.tokens import InvalidTokenError, Token, TokenPurpose, sign
from chalicelib.services.case_commands import NewCase
from chalicelib.services.ports import OutgoingEmail
from chalicelib.services.subscriptions import Outcome, PreferenceChange
from tests.factories import FATIMA, MARK, SUBSIDIE
from tests.unit.services.conftest import ANNA_PRINCIPAL, FATIMA_PRINCIPAL, MARK_PRINCIPAL, SANNE, SECRET, World

AMERSFOORT = "GM0307"
ZEIST = "GM0355"
AMERSFOORT_CENTRE = Point(52.1561, 5.3878)
GRONDBEHEER = frozenset({"grondbeheer"})
SUBSIDIES = frozenset({"subsidies"})
NEW_ADDRESS = "nieuw@example.org"
CBS_NUMBERS = (307, 308, 310, 312, 313, 317, 321, 353, 327, 331, 335, 356, 589, 339, 340, 736, 342, 1904, 344, 1581, 345)
TWENTY_FIVE_GEMEENTEN = tuple(f"GM{number:04d}" for number in (*CBS_NUMBERS, 1961, 352, 632, 351))
_event_ids = itertools.count(1)


def _news(topic: str = "grondbeheer", gemeente: str = AMERSFOORT, point: Point | None = AMERSFOORT_CENTRE) -> CaseEvent:
    """Public news about ``topic`` in ``gemeente`` (at ``point``), as an approved announcement gives."""
    number = next(_event_ids)
    return CaseEvent(
        id=f"ann-{number}/announcement/ann-{number}",
        kind=EventKind.ANNOUNCEMENT,
        case_id=f"ann-{number}",
        ref=f"ann-{number}",
        occurred_at=datetime(2026, 10, 5, tzinfo=UTC),
        public=True,
        topic=topic,
        place=Place((gemeente,), point),
    )


def _reached(world: World, event: CaseEvent) -> dict[str, Recipient]:
    """Who the event would reach once the index caught up, by subscriber (matching as fan-out does it)."""
    world.index()
    recipients, _ = world.fanout.audience(event)
    return {r.subscriber_id: r for r in recipients}


def _in(topics: frozenset[str] = GRONDBEHEER, *gemeenten: str) -> Scope:
    return Scope(topics=topics, gemeenten=frozenset(gemeenten or (AMERSFOORT,)))


def _token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def _link_in(mail: OutgoingEmail, path: str) -> str:
    match = re.search(rf"https://mijn\.example\.test{path}\?token=\S+", mail.text)
    assert match is not None, f"no {path} link in the e-mail"
    return match.group(0)


def _ask(world: World, email: str = NEW_ADDRESS, scope: Scope | None = None, *, source: str = "198.51.100.7") -> None:
    world.subscription_service.subscribe_by_email(email, Language.NL, scope or _in(), source=source)


def _person(world: World, email: str = NEW_ADDRESS) -> Subscriber:
    found = world.subscribers.find_by_email(email)
    assert found is not None
    return found


def _only_subscription(world: World, email: str = NEW_ADDRESS) -> Subscription:
    (only,) = world.subscriptions.of_subscriber(_person(world, email).id)
    return only


def _confirmation_mail(world: World, email: str = NEW_ADDRESS) -> OutgoingEmail:
    world.deliver_all()
    (mail,) = [m for m in world.email.sent if m.to == email]
    return mail


def _subscribe_and_confirm(world: World, email: str = NEW_ADDRESS, scope: Scope | None = None) -> Subscription:
    """Ask by e-mail and confirm with the link from the confirmation e-mail (the outgoing mail is cleared
    first, to find that one); returns the confirmed subscription."""
    world.email.sent.clear()
    _ask(world, email, scope)
    mail = _confirmation_mail(world, email)
    assert world.subscription_service.confirm(_token(_link_in(mail, "/abonnement/bevestigen"))) is Outcome.DONE
    (confirmed,) = [
        s
        for s in world.subscriptions.of_subscriber(_person(world, email).id)
        if s.state is SubscriptionState.ACTIVE and s.scope == (scope or _in())
    ]
    return confirmed


def _preferences(channels: frozenset[Channel], frequency: Frequency = Frequency.IMMEDIATELY) -> PreferenceChange:
    return PreferenceChange(channels=channels, language=Language.NL, frequency=frequency, quiet_hours=False)


# Logged in ------------------------------------------------------------------------------------------------


def test_following_a_topic_in_a_gemeente_makes_its_news_reach_you(world: World):
    followed = world.subscription_service.follow(MARK_PRINCIPAL, _in())

    assert (followed.subscriber_id, followed.origin, followed.state) == (MARK, SubscriptionOrigin.SELF, SubscriptionState.ACTIVE)
    assert world.subscription_service.mine(MARK_PRINCIPAL) == [followed]
    reached = _reached(world, _news())
    assert reached[MARK].subscription_id == followed.id
    assert reached[MARK].channels == frozenset({Channel.EMAIL, Channel.PORTAL})
    # news of another topic, or of the topic elsewhere, does not reach Mark
    assert MARK not in _reached(world, _news(topic="subsidies"))
    assert MARK not in _reached(world, _news(gemeente=ZEIST, point=None))


def test_following_an_area_reaches_you_with_news_inside_it_and_not_beyond(world: World):
    world.subscription_service.follow(MARK_PRINCIPAL, Scope(area=Circle(AMERSFOORT_CENTRE, 1_000)))

    assert MARK in _reached(world, _news(point=Point(52.1600, 5.3900)))
    assert MARK not in _reached(world, _news(point=Point(52.0907, 5.1214)))  # Utrecht, 20 km away


@pytest.mark.parametrize("principal", [ANNA_PRINCIPAL, SANNE], ids=["behandelaar", "kcc"])
def test_only_an_applicant_follows_and_lists_subscriptions_for_themselves(world: World, principal: Principal):
    with pytest.raises(ForbiddenError):
        world.subscription_service.follow(principal, _in())
    with pytest.raises(ForbiddenError):
        world.subscription_service.mine(principal)
    assert world.subscriptions.definitions_by_id == {}


def test_an_unknown_topic_or_gemeente_is_refused_naming_each(world: World):
    scope = Scope(topics=frozenset({"grondbeheer", "vliegvelden"}), gemeenten=frozenset({AMERSFOORT, "GM9999"}))

    with pytest.raises(ValidationError) as refused:
        world.subscription_service.follow(MARK_PRINCIPAL, scope)

    assert [(i.code, i.params) for i in refused.value.issues] == [
        ("unknown_topic", {"topic": "vliegvelden"}),
        ("unknown_gemeente", {"gemeente": "GM9999"}),
    ]
    assert world.subscriptions.definitions_by_id == {}


def test_changing_a_subscription_moves_it_to_its_new_topics_and_places(world: World):
    followed = world.subscription_service.follow(MARK_PRINCIPAL, _in())

    changed = world.subscription_service.change(MARK_PRINCIPAL, followed.id, _in(SUBSIDIES, ZEIST))

    assert changed.id == followed.id
    assert MARK not in _reached(world, _news())
    assert MARK in _reached(world, _news(topic="subsidies", gemeente=ZEIST, point=None))
    [mine] = world.subscription_service.mine(MARK_PRINCIPAL)
    assert (mine.id, mine.scope, mine.revision, mine.indexed) == (changed.id, changed.scope, 2, True)


def test_a_subscription_to_ones_own_case_cannot_be_changed(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Duurzame recreatie", MARK, (), ("GM1581",)))
    case_subscription = case_subscription_id(case.id, MARK)

    with pytest.raises(ValidationError) as refused:
        world.subscription_service.change(MARK_PRINCIPAL, case_subscription, _in())

    assert [(i.field, i.code) for i in refused.value.issues] == [("scope", "case_subscription_fixed")]
    assert [e.subscriber_id for e in world.subscriptions.entries_of(Interest.case(case.id).key)] == [MARK]
    assert MARK not in _reached(world, _news())


def test_someone_elses_subscription_is_not_found_to_change_or_stop(world: World):
    fatimas = world.subscription_service.follow(FATIMA_PRINCIPAL, _in())

    with pytest.raises(SubscriptionNotFoundError):
        world.subscription_service.change(MARK_PRINCIPAL, fatimas.id, _in(SUBSIDIES))
    with pytest.raises(SubscriptionNotFoundError):
        world.subscription_service.stop(MARK_PRINCIPAL, fatimas.id)

    assert world.subscriptions.get(fatimas.id) == fatimas
    assert FATIMA in _reached(world, _news())


def test_a_stopped_subscription_no_longer_matches_and_is_no_longer_listed(world: World):
    kept = world.subscription_service.follow(MARK_PRINCIPAL, _in(SUBSIDIES))
    stopped = world.subscription_service.follow(MARK_PRINCIPAL, _in())

    world.subscription_service.stop(MARK_PRINCIPAL, stopped.id)

    assert world.subscription_service.mine(MARK_PRINCIPAL) == [kept]
    assert MARK not in _reached(world, _news())
    assert MARK in _reached(world, _news(topic="subsidies"))


def test_new_preferences_apply_at_once_to_every_subscription(world: World):
    world.subscription_service.follow(MARK_PRINCIPAL, _in())
    world.subscription_service.follow(MARK_PRINCIPAL, Scope(topics=SUBSIDIES))

    updated = world.subscription_service.set_preferences(
        MARK_PRINCIPAL, _preferences(frozenset({Channel.EMAIL}), Frequency.DAILY)
    )

    assert world.subscription_service.preferences(MARK_PRINCIPAL) == updated
    for news in (_news(), _news(topic="subsidies", gemeente=ZEIST)):
        mark = _reached(world, news)[MARK]
        assert (mark.channels, mark.preferences.frequency) == (frozenset({Channel.EMAIL}), Frequency.DAILY)
    # and fan-out acts on them: a daily-digest e-mail waits, and there is no berichtenbox message
    world.fanout.handle_events([_news()])
    assert [(n.channel, n.status) for n in world.outbox.items.values()] == [(Channel.EMAIL, NotificationStatus.HELD)]


def test_the_eleventh_preference_change_within_an_hour_is_refused_and_changes_nothing(world: World):
    # GIVEN Mark, who follows a place, changed his preferences ten times this hour
    world.subscription_service.follow(MARK_PRINCIPAL, _in())
    for turn in range(10):
        frequency = (Frequency.DAILY, Frequency.IMMEDIATELY)[turn % 2]
        world.subscription_service.set_preferences(MARK_PRINCIPAL, _preferences(frozenset({Channel.EMAIL}), frequency))
    before = world.subscription_service.preferences(MARK_PRINCIPAL)
    # WHEN he changes them once more THEN it is refused with a time to wait, and nothing is rewritten
    with pytest.raises(TooManyRequestsError) as refused:
        world.subscription_service.set_preferences(MARK_PRINCIPAL, _preferences(frozenset({Channel.PORTAL}), Frequency.WEEKLY))
    assert 0 < refused.value.retry_after <= 3600
    assert world.subscription_service.preferences(MARK_PRINCIPAL) == before
    assert _reached(world, _news())[MARK].channels == frozenset({Channel.EMAIL})
    # AND an hour later he may again
    world.clock.advance(seconds=refused.value.retry_after)
    world.subscription_service.set_preferences(MARK_PRINCIPAL, _preferences(frozenset({Channel.PORTAL}), Frequency.WEEKLY))


def test_letters_need_a_postal_address(world: World):
    before = world.subscription_service.preferences(MARK_PRINCIPAL)

    with pytest.raises(ValidationError) as refused:
        world.subscription_service.set_preferences(MARK_PRINCIPAL, _preferences(frozenset({Channel.LETTER})))

    assert [(i.field, i.code) for i in refused.value.issues] == [("postal_address", "required_for_letters")]
    assert world.subscription_service.preferences(MARK_PRINCIPAL) == before


def test_someone_unknown_to_the_directory_follows_through_the_berichtenbox(world: World):
    newcomer = Principal("pu-els-0a1b2c", frozenset({Role.APPLICANT}))

    world.subscription_service.follow(newcomer, _in())

    assert _reached(world, _news())[newcomer.subject].channels == frozenset({Channel.PORTAL})


# By e-mail, with double opt-in ------------------------------------------------------------------------------


def test_asking_by_email_stores_a_pending_subscription_and_queues_exactly_one_confirmation(world: World):
    _ask(world)

    subscription = _only_subscription(world)
    assert (subscription.origin, subscription.state) == (SubscriptionOrigin.ANONYMOUS, SubscriptionState.PENDING)
    (confirmation,) = world.outbox.items.values()
    assert (confirmation.event_kind, confirmation.channel, confirmation.subscriber_id, confirmation.ref) == (
        EventKind.SUBSCRIPTION_CONFIRMATION,
        Channel.EMAIL,
        subscription.subscriber_id,
        subscription.id,
    )
    assert world.queue.messages == [confirmation.id]
    mail = _confirmation_mail(world)
    assert world.email.sent == [mail]
    assert "grondbeheer" in mail.text


def test_nothing_reaches_a_pending_subscription(world: World):
    _ask(world)

    assert _reached(world, _news()) == {}
    world.fanout.handle_events([_news()])
    assert [n.event_kind for n in world.outbox.items.values()] == [EventKind.SUBSCRIPTION_CONFIRMATION]


def test_the_link_in_the_confirmation_email_activates_the_subscription(world: World):
    _ask(world)
    link = _link_in(_confirmation_mail(world), "/abonnement/bevestigen")

    assert world.subscription_service.confirm(_token(link)) is Outcome.DONE

    assert _only_subscription(world).state is SubscriptionState.ACTIVE
    person = _person(world)
    assert _reached(world, _news())[person.id].channels == frozenset({Channel.EMAIL})


def test_confirming_again_changes_nothing_and_says_so(world: World):
    _ask(world)
    token = _token(_link_in(_confirmation_mail(world), "/abonnement/bevestigen"))
    world.subscription_service.confirm(token)
    confirmed = _only_subscription(world)

    assert world.subscription_service.confirm(token) is Outcome.ALREADY
    assert _only_subscription(world) == confirmed


def test_a_replayed_confirmation_link_never_revives_a_stopped_subscription(world: World):
    _ask(world)
    mail = _confirmation_mail(world)
    confirm = _token(_link_in(mail, "/abonnement/bevestigen"))
    world.subscription_service.confirm(confirm)
    world.subscription_service.unsubscribe(_token(_link_in(mail, "/afmelden")))

    assert world.subscription_service.confirm(confirm) is Outcome.STOPPED

    assert _only_subscription(world).state is SubscriptionState.CANCELLED
    assert _reached(world, _news()) == {}


def test_a_subscription_stopped_before_it_was_confirmed_cannot_be_confirmed(world: World):
    _ask(world)
    mail = _confirmation_mail(world)
    # "Hebt u zich niet aangemeld?": the person stops it from the confirmation e-mail itself
    assert world.subscription_service.unsubscribe(_token(_link_in(mail, "/afmelden"))) is Outcome.DONE

    assert world.subscription_service.confirm(_token(_link_in(mail, "/abonnement/bevestigen"))) is Outcome.STOPPED

    assert _only_subscription(world).state is SubscriptionState.CANCELLED
    assert _reached(world, _news()) == {}


def test_unsubscribing_by_link_stops_just_that_subscription_and_repeating_is_harmless(world: World):
    stopped = _subscribe_and_confirm(world, scope=_in())
    kept = _subscribe_and_confirm(world, scope=_in(SUBSIDIES))
    link = world.links.unsubscribe_subscription(stopped.id)

    assert world.subscription_service.unsubscribe(_token(link)) is Outcome.DONE
    assert world.subscription_service.unsubscribe(_token(link)) is Outcome.ALREADY

    person = _person(world).id
    assert person not in _reached(world, _news())
    assert _reached(world, _news(topic="subsidies"))[person].subscription_id == kept.id
    still = world.subscriptions.get(kept.id)
    assert still is not None
    assert (still.state, still.scope, still.revision) == (kept.state, kept.scope, kept.revision)


def test_unsubscribing_from_all_email_removes_the_email_channel_from_every_subscription(world: World):
    world.subscription_service.follow(MARK_PRINCIPAL, _in())
    world.subscription_service.follow(MARK_PRINCIPAL, Scope(topics=SUBSIDIES))
    link = world.links.unsubscribe_email(MARK)

    assert world.subscription_service.unsubscribe(_token(link)) is Outcome.DONE
    assert world.subscription_service.unsubscribe(_token(link)) is Outcome.ALREADY

    assert world.subscription_service.preferences(MARK_PRINCIPAL).channels == frozenset({Channel.PORTAL})
    for news in (_news(), _news(topic="subsidies", gemeente=ZEIST)):
        assert _reached(world, news)[MARK].channels == frozenset({Channel.PORTAL})
    assert len(world.subscription_service.mine(MARK_PRINCIPAL)) == 2


def test_confirming_a_request_made_before_stopping_all_email_brings_email_back(world: World):
    # GIVEN someone who subscribed by e-mail, asked for more, and then stopped all e-mail with the link in a digest
    _subscribe_and_confirm(world, scope=_in())
    person = _person(world).id
    world.email.sent.clear()
    _ask(world, scope=_in(SUBSIDIES))
    later = _token(_link_in(_confirmation_mail(world), "/abonnement/bevestigen"))
    world.subscription_service.unsubscribe(_token(world.links.unsubscribe_email(person)))
    assert _reached(world, _news()) == {}
    # WHEN they press the button of the confirmation they had been sent
    assert world.subscription_service.confirm(later) is Outcome.DONE
    # THEN what they just confirmed reaches them by e-mail
    reached = _reached(world, _news(topic="subsidies"))
    assert reached[person].channels == frozenset({Channel.EMAIL})


# Suppression: an address that stopped e-mail gets no confirmation ------------------------------------------


def _stop_all_email_by_link(world: World, email: str) -> None:
    world.subscription_service.unsubscribe(_token(world.links.unsubscribe_email(_person(world, email).id)))


def _hard_bounce(world: World, email: str) -> None:
    from chalicelib.domain.feedback import EmailFeedback, FeedbackKind

    (delivered,) = [n for n in world.outbox.items.values() if n.provider_message_id][-1:]
    world.services.feedback.record(EmailFeedback(FeedbackKind.HARD_BOUNCE, delivered.provider_message_id or "", (email,)))


def _complaint(world: World, email: str) -> None:
    from chalicelib.domain.feedback import EmailFeedback, FeedbackKind

    (delivered,) = [n for n in world.outbox.items.values() if n.provider_message_id][-1:]
    world.services.feedback.record(EmailFeedback(FeedbackKind.COMPLAINT, delivered.provider_message_id or "", (email,)))


@pytest.mark.parametrize("stop", [_stop_all_email_by_link, _hard_bounce, _complaint])
def test_an_address_that_stopped_email_bounced_or_complained_gets_no_confirmation_whoever_asks(world: World, stop):
    # GIVEN a follower by e-mail whose address then stopped e-mail (their choice, a hard bounce, a complaint)
    _subscribe_and_confirm(world, scope=_in())
    stop(world, NEW_ADDRESS)
    world.email.sent.clear()
    world.clock.advance(hours=1)
    # WHEN anybody asks, three times, to follow something with that address
    for number in range(3):
        _ask(world, scope=_in(SUBSIDIES), source=f"203.0.113.{number}")
    world.deliver_all()
    # THEN nothing is sent to it: each confirmation ends refused as opted out, no e-mail left
    assert world.email.sent == []
    confirmations = [n for n in world.outbox.items.values() if n.event_kind is EventKind.SUBSCRIPTION_CONFIRMATION]
    assert sorted(n.status.value for n in confirmations[1:]) == ["permanent-failure"] * 3
    assert {n.reason for n in confirmations[1:]} == {"opted_out"}


def test_a_person_who_chose_the_berichtenbox_only_gets_no_confirmation_for_their_address(world: World):
    # GIVEN Mark, logged in, who chose to hear through the berichtenbox only
    world.subscription_service.set_preferences(MARK_PRINCIPAL, _preferences(frozenset({Channel.PORTAL})))
    # WHEN a stranger asks to follow something with Mark's address (the answer: nothing, as always)
    world.subscription_service.subscribe_by_email("mark@example.org", Language.NL, _in(), source="a")
    world.deliver_all()
    # THEN Mark gets no e-mail
    assert world.email.sent == []


# Requests nobody confirms ---------------------------------------------------------------------------------


def test_requests_for_someone_elses_address_never_lock_its_owner_out(world: World):
    # GIVEN a stranger who asked 30 times, over ten hours, to follow things with the neighbour's address
    for _ in range(10):
        for number in range(3):
            _ask(world, scope=_in(GRONDBEHEER, ZEIST if number % 2 else AMERSFOORT), source=f"198.51.100.{number}")
        world.clock.advance(hours=1)
    assert len(world.subscriptions.of_subscriber(_person(world).id)) == 30
    world.deliver_all()
    # WHEN the neighbour herself asks and presses the button in her e-mail
    confirmed = _subscribe_and_confirm(world, scope=_in(SUBSIDIES))
    # THEN she follows it: pending requests count toward no limit
    assert confirmed.state is SubscriptionState.ACTIVE
    assert _person(world).id in _reached(world, _news(topic="subsidies"))


def test_a_request_and_an_address_nobody_confirms_expire_and_confirming_keeps_them(world: World):
    # WHEN someone asks with an address Baken did not know
    _ask(world)
    # THEN the request and the address are forgotten eight days later: the link's seven days and a day's margin
    forget_at = (world.clock.now() + timedelta(days=8)).replace(microsecond=0)
    assert (_person(world).expires_at, _only_subscription(world).expires_at) == (forget_at, forget_at)
    # WHEN it is confirmed
    world.subscription_service.confirm(_token(_link_in(_confirmation_mail(world), "/abonnement/bevestigen")))
    # THEN neither expires any more
    assert (_person(world).expires_at, _only_subscription(world).expires_at) == (None, None)
    # AND a later request of a confirmed address leaves the address kept, only the request expires
    world.clock.advance(days=3)
    _ask(world, scope=_in(SUBSIDIES))
    world.deliver_all()
    assert _person(world).expires_at is None


def test_an_unconfirmed_address_is_kept_as_long_as_the_last_confirmation_link_sent_to_it(world: World):
    # GIVEN an address asked for on day 0, and asked for again on day 6, both unconfirmed
    _ask(world)
    world.deliver_all()
    world.clock.advance(days=6)
    _ask(world, scope=_in(SUBSIDIES))
    # WHEN the second confirmation goes out
    world.email.sent.clear()
    link = _link_in(_confirmation_mail(world), "/abonnement/bevestigen")
    # THEN the address is kept eight days from then, so the second link still works on day 12
    assert _person(world).expires_at == (world.clock.now() + timedelta(days=8)).replace(microsecond=0)
    world.clock.advance(days=6)
    assert world.subscription_service.confirm(_token(link)) is Outcome.DONE


def test_a_confirmation_link_of_an_address_that_was_forgotten_no_longer_works(world: World):
    # GIVEN a request whose address expired (the table's TTL removed it) before the link was used
    _ask(world)
    token = _token(_link_in(_confirmation_mail(world), "/abonnement/bevestigen"))
    del world.subscribers.items[_only_subscription(world).subscriber_id]
    # THEN confirming says "not found" rather than starting a subscription nobody can be reached on
    with pytest.raises(SubscriptionNotFoundError):
        world.subscription_service.confirm(token)


def test_confirming_a_26th_subscription_is_refused_naming_the_limit(world: World):
    # GIVEN a follower by e-mail with 25 confirmed subscriptions and one more request
    for gemeente in TWENTY_FIVE_GEMEENTEN:
        _subscribe_and_confirm(world, scope=_in(GRONDBEHEER, gemeente))
        world.clock.advance(minutes=21)  # three requests an hour per address
    world.email.sent.clear()
    _ask(world, scope=_in())
    token = _token(_link_in(_confirmation_mail(world), "/abonnement/bevestigen"))
    # WHEN its button is pressed THEN the limit is named, and the request stays pending
    with pytest.raises(ValidationError) as refused:
        world.subscription_service.confirm(token)
    assert [(i.field, i.code) for i in refused.value.issues] == [("subscriptions", "too_many_subscriptions")]


@pytest.mark.parametrize(
    ("purpose", "use"),
    [
        (TokenPurpose.UNSUBSCRIBE, "confirm"),
        (TokenPurpose.MANAGE, "confirm"),
        (TokenPurpose.CONFIRM, "unsubscribe"),
        (TokenPurpose.MANAGE, "unsubscribe"),
    ],
)
def test_a_token_made_for_another_purpose_is_refused(world: World, purpose: TokenPurpose, use: str):
    subscription = _subscribe_and_confirm(world)
    subject = {TokenPurpose.UNSUBSCRIBE: f"subscription:{subscription.id}"}.get(purpose, subscription.id)
    token = sign(Token(purpose, subject, world.clock.now() + timedelta(days=1)), SECRET)

    with pytest.raises(InvalidTokenError) as refused:
        getattr(world.subscription_service, use)(token)

    assert refused.value.reason == "purpose"
    assert world.subscriptions.get(subscription.id) == subscription


def test_a_confirmation_link_expires_after_seven_days(world: World):
    _ask(world)
    token = _token(_link_in(_confirmation_mail(world), "/abonnement/bevestigen"))
    world.clock.advance(days=7, seconds=1)

    with pytest.raises(InvalidTokenError) as refused:
        world.subscription_service.confirm(token)

    assert refused.value.reason == "expired"
    assert _only_subscription(world).state is SubscriptionState.PENDING


def test_a_link_signed_with_another_secret_is_refused(world: World):
    _ask(world)
    forged = sign(Token(TokenPurpose.CONFIRM, _only_subscription(world).id, world.clock.now() + timedelta(days=1)), b"x" * 36)

    with pytest.raises(InvalidTokenError):
        world.subscription_service.confirm(forged)

    assert _only_subscription(world).state is SubscriptionState.PENDING


def test_the_manage_link_changes_how_often_and_stops_only_what_was_ticked(world: World):
    kept = _subscribe_and_confirm(world, scope=_in())
    stopped = _subscribe_and_confirm(world, scope=_in(SUBSIDIES))
    token = _token(world.links.manage(kept.subscriber_id))
    assert {s.id for s in world.subscription_service.managed(token)[1]} == {kept.id, stopped.id}

    world.subscription_service.manage(
        token, frequency=Frequency.WEEKLY, language=Language.EN, quiet_hours=True, stop=frozenset({stopped.id})
    )

    assert [s.id for s in world.subscription_service.managed(token)[1]] == [kept.id]
    reached = _reached(world, _news())[kept.subscriber_id]
    assert (reached.preferences.frequency, reached.language) == (Frequency.WEEKLY, Language.EN)
    assert kept.subscriber_id not in _reached(world, _news(topic="subsidies"))


# Rate limits and saying nothing about who is known ------------------------------------------------------------


def test_the_fourth_request_for_one_address_within_an_hour_is_refused_however_it_is_written(world: World):
    for number, written in enumerate(("Nieuw@Example.org", " nieuw@example.org ", "NIEUW@EXAMPLE.ORG")):
        _ask(world, written, source=f"203.0.113.{number}")

    with pytest.raises(TooManyRequestsError) as refused:
        _ask(world, NEW_ADDRESS, source="203.0.113.99")

    assert 0 < refused.value.retry_after <= 3600
    assert len(world.outbox.items) == 3
    assert len(world.subscriptions.of_subscriber(_person(world).id)) == 3


def test_plus_tags_and_gmail_dots_count_as_one_address_but_each_gets_mail_as_written(world: World):
    # GIVEN three requests for one mailbox, written three ways
    written = ("victim+1@gmail.com", "v.ictim@gmail.com", "Victim+nieuws@googlemail.com")
    for number, address in enumerate(written):
        _ask(world, address, source=f"203.0.113.{number}")
    # WHEN a fourth way is tried within the hour THEN it is refused: the limit counts the canonical address
    with pytest.raises(TooManyRequestsError):
        _ask(world, "vic.tim+4@gmail.com", source="203.0.113.9")
    # AND each confirmation went to the address as it was given
    world.deliver_all()
    assert [m.to for m in world.email.sent] == list(written)


def test_dots_elsewhere_are_other_mailboxes_and_count_apart(world: World):
    for number in range(3):
        _ask(world, "v.ictim@example.org", source=f"203.0.113.{number}")
    _ask(world, "victim@example.org", source="203.0.113.9")  # not refused: another mailbox at another provider


def test_after_the_window_the_same_address_may_ask_again(world: World):
    for _ in range(3):
        _ask(world)
    with pytest.raises(TooManyRequestsError) as refused:
        _ask(world)

    world.clock.advance(seconds=refused.value.retry_after)
    _ask(world)

    assert len(world.outbox.items) == 4


def test_the_thirty_first_request_from_one_source_within_an_hour_is_refused(world: World):
    for number in range(30):
        _ask(world, f"buur-{number}@example.org", source="192.0.2.10")

    with pytest.raises(TooManyRequestsError) as refused:
        _ask(world, "buur-30@example.org", source="192.0.2.10")
    assert 0 < refused.value.retry_after <= 3600
    assert world.subscribers.find_by_email("buur-30@example.org") is None
    _ask(world, "buur-30@example.org", source="192.0.2.11")  # another source is not held up

    world.clock.advance(seconds=refused.value.retry_after)
    _ask(world, "buur-31@example.org", source="192.0.2.10")
    assert len(world.outbox.items) == 32


def test_one_address_in_other_capitals_is_one_subscriber(world: World):
    _ask(world, "Nieuw@Example.org")
    _ask(world, " nieuw@example.org")

    assert len({s.subscriber_id for s in world.subscriptions.definitions_by_id.values()}) == 1


def test_the_answer_and_the_email_are_the_same_whether_or_not_the_address_is_known(world: World):
    # the service answers nothing either way (the API says "check your inbox"); what happens next must match
    _ask(world, "mark@example.org", source="a")
    _ask(world, NEW_ADDRESS, source="b")

    assert [n.event_kind for n in world.outbox.items.values()] == [EventKind.SUBSCRIPTION_CONFIRMATION] * 2
    world.deliver_all()
    mails = {m.to: m for m in world.email.sent}
    assert set(mails) == {"mark@example.org", NEW_ADDRESS}

    def without_tokens(text: str) -> str:
        return re.sub(r"token=\S+", "token=…", text)

    assert mails["mark@example.org"].subject == mails[NEW_ADDRESS].subject
    assert without_tokens(mails["mark@example.org"].text) == without_tokens(mails[NEW_ADDRESS].text)
    assert without_tokens(mails["mark@example.org"].html) == without_tokens(mails[NEW_ADDRESS].html)


def test_a_stranger_asking_with_a_known_address_changes_nothing_of_that_persons_choices(world: World):
    before = world.subscribers.get(MARK)
    assert before is not None

    world.subscription_service.subscribe_by_email("MARK@example.org", Language.EN, _in(), source="a")

    assert world.subscribers.get(MARK) == before
    assert MARK not in _reached(world, _news())
    (pending,) = [s for s in world.subscriptions.of_subscriber(MARK) if s.origin is SubscriptionOrigin.ANONYMOUS]
    assert pending.state is SubscriptionState.PENDING


def test_the_confirmation_goes_out_at_once_even_at_night(world: World):
    # Fatima reads e-mail once a day, and never at night
    world.subscribers.put(replace(_person(world, "fatima@example.org"), frequency=Frequency.DAILY, quiet_hours=True))
    world.clock.current = datetime(2026, 10, 5, 21, 30, tzinfo=UTC)  # 23:30 in Utrecht

    _ask(world, "fatima@example.org")
    world.deliver_all()

    assert [m.to for m in world.email.sent] == ["fatima@example.org"]


# Limits, and what must never be undone ----------------------------------------------------------------------


def test_one_person_follows_at_most_25_things(world: World):
    for number in range(25):
        world.subscription_service.follow(MARK_PRINCIPAL, _in(GRONDBEHEER, ZEIST if number % 2 else AMERSFOORT))

    with pytest.raises(ValidationError) as refused:
        world.subscription_service.follow(MARK_PRINCIPAL, _in())

    assert [(i.field, i.code) for i in refused.value.issues] == [("subscriptions", "too_many_subscriptions")]


def test_a_large_area_with_many_topics_is_refused_before_anything_is_stored(world: World):
    every_topic = frozenset(t.slug for t in world.subscription_service._reference.topics())
    big = Scope(topics=every_topic, area=Circle(AMERSFOORT_CENTRE, 10_000))

    with pytest.raises(ValidationError) as refused:
        world.subscription_service.follow(MARK_PRINCIPAL, big)

    assert [(i.field, i.code) for i in refused.value.issues] == [("area", "area_too_large_for_topics")]
    assert world.subscription_service.mine(MARK_PRINCIPAL) == []
    # the same area with one topic is fine
    world.subscription_service.follow(MARK_PRINCIPAL, Scope(topics=GRONDBEHEER, area=Circle(AMERSFOORT_CENTRE, 10_000)))


def test_e_mail_cannot_be_chosen_by_someone_without_an_e_mail_address(world: World):
    world.subscribers.put(replace(world.subscription_service.preferences(MARK_PRINCIPAL), email=None))

    with pytest.raises(ValidationError) as refused:
        world.subscription_service.set_preferences(MARK_PRINCIPAL, _preferences(frozenset({Channel.EMAIL})))

    assert [(i.field, i.code) for i in refused.value.issues] == [("channels", "no_email_address")]


def test_the_manage_page_offers_no_way_to_stop_hearing_about_ones_own_case(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Duurzame recreatie", MARK, (), ("GM1581",)))
    followed = world.subscription_service.follow(MARK_PRINCIPAL, _in())
    token = _token(world.links.manage(MARK))

    _, listed = world.subscription_service.managed(token)
    own_case = next(s for s in world.subscriptions.of_subscriber(MARK) if s.scope.case_id == case.id)
    world.subscription_service.manage(
        token, frequency=Frequency.IMMEDIATELY, language=Language.NL, quiet_hours=False, stop=frozenset({own_case.id})
    )

    assert [s.id for s in listed] == [followed.id]
    assert world.subscriptions.get(own_case.id).state is SubscriptionState.ACTIVE  # type: ignore[union-attr]


class LaggingList:
    """A subscriptions repository whose list of someone's subscriptions shows them as they were a moment
    ago, as DynamoDB's index on the owner may."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.snapshot: dict[str, list[Subscription]] = {}

    def remember(self, subscriber_id: str) -> None:
        self.snapshot[subscriber_id] = list(self.inner.of_subscriber(subscriber_id))

    def of_subscriber(self, subscriber_id: str) -> list[Subscription]:
        return self.snapshot.get(subscriber_id, self.inner.of_subscriber(subscriber_id))

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


def test_preferences_saved_a_moment_after_a_change_or_stop_never_undo_it(world: World):
    # GIVEN Mark follows two things, and the list of his subscriptions lags behind what he does next
    kept = world.subscription_service.follow(MARK_PRINCIPAL, _in())
    stopped = world.subscription_service.follow(MARK_PRINCIPAL, _in(SUBSIDIES))
    lagging = LaggingList(world.subscriptions)
    lagging.remember(MARK)
    world.subscription_service._subscriptions = lagging  # type: ignore[assignment]
    world.subscription_service.change(MARK_PRINCIPAL, kept.id, _in(GRONDBEHEER, ZEIST))
    world.subscription_service.stop(MARK_PRINCIPAL, stopped.id)

    # WHEN he changes his preferences straight after
    world.subscription_service.set_preferences(MARK_PRINCIPAL, _preferences(frozenset({Channel.PORTAL})))

    # THEN the stopped one stays stopped and the changed one keeps its new place, with the new channel
    assert world.subscriptions.get(stopped.id).state is SubscriptionState.CANCELLED  # type: ignore[union-attr]
    assert _reached(world, _news("subsidies")) == {}
    assert _reached(world, _news(gemeente=AMERSFOORT)) == {}
    assert _reached(world, _news(gemeente=ZEIST, point=None))[MARK].channels == frozenset({Channel.PORTAL})


# What a preference change costs -----------------------------------------------------------------------------

ALL_TOPICS = frozenset(
    {
        "subsidies",
        "vergunningen",
        "grondbeheer",
        "wegen-en-werkzaamheden",
        "natuur-en-landschap",
        "participatie-en-beleid",
        "open-data",
        "meldingen-en-klachten",
    }
)


def _count_writes(world: World, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every item written or deleted from now on, as DynamoDB would count them: subscriber records, and
    definitions and index entries (the twin counts those in ``writes``)."""
    writes: list[str] = []
    put, before = world.subscribers.put, world.subscriptions.writes

    def counted_put(subscriber):
        writes.append(f"subscriber {subscriber.id}")
        put(subscriber)

    monkeypatch.setattr(world.subscribers, "put", counted_put)
    monkeypatch.setattr(world, "subscription_writes", lambda: world.subscriptions.writes - before, raising=False)
    return writes


def _heaviest_follower(world: World) -> None:
    """Mark follows as much as one person may: 25 subscriptions, each 8 topics in 25 gemeenten (5,000 entries)."""
    for _ in range(25):
        world.subscription_service.follow(MARK_PRINCIPAL, Scope(topics=ALL_TOPICS, gemeenten=frozenset(TWENTY_FIVE_GEMEENTEN)))
    world.index()
    assert sum(len(entries) for entries in world.subscriptions.entries.values()) == 25 * 8 * 25


@pytest.mark.parametrize("how", ["set_preferences", "manage_link", "unsubscribe_all_email"])
def test_a_preference_change_is_one_write_however_much_the_person_follows(world: World, monkeypatch, how):
    # GIVEN Mark follows as much as anybody may
    _heaviest_follower(world)
    writes = _count_writes(world, monkeypatch)

    # WHEN he changes his preferences, logged in or through a link in an e-mail
    if how == "set_preferences":
        world.subscription_service.set_preferences(MARK_PRINCIPAL, _preferences(frozenset({Channel.PORTAL})))
    elif how == "manage_link":
        token = _token(world.links.manage(MARK))
        world.subscription_service.manage(
            token, frequency=Frequency.DAILY, language=Language.EN, quiet_hours=True, stop=frozenset()
        )
    else:
        world.subscription_service.unsubscribe(_token(world.links.unsubscribe_email(MARK)))

    # THEN that is one write, of his subscriber record, and the next news already goes by the new choices
    assert writes == [f"subscriber {MARK}"]
    assert world.subscription_writes() == 0  # type: ignore[attr-defined]
    mark = _reached(world, _news())[MARK]
    assert Channel.EMAIL not in mark.channels or mark.preferences.frequency is Frequency.DAILY
