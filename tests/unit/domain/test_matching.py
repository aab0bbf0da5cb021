"""Who hears about an event: one recipient per subscriber, parties and followers kept apart."""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.domain.language import Language
from chalicelib.domain.matching import Audience, Recipient, match_recipients
from chalicelib.domain.subscriptions import Channel, Interest
from chalicelib.domain.subscriptions import SubscriptionEntry as Subscription
from tests.factories import FATIMA, JAN, MARK, subscription

CASE = Interest.case("case-1")
TOPIC = Interest.topic_anywhere("vergunningen")
HEUVELRUG = Interest.gemeente("GM1581")
UTRECHT = Interest.gemeente("GM0344")
PUBLIC_INTERESTS = (CASE, TOPIC, HEUVELRUG, UTRECHT)
EMAIL = frozenset({Channel.EMAIL})
PORTAL = frozenset({Channel.PORTAL})
BOTH = frozenset({Channel.EMAIL, Channel.PORTAL})


def _index(*subscriptions: Subscription) -> dict[str, list[Subscription]]:
    index: dict[str, list[Subscription]] = {}
    for item in subscriptions:
        index.setdefault(item.interest.key, []).append(item)
    return index


def _match(
    *subscriptions: Subscription, public: bool, parties: Iterable[str] = (MARK, FATIMA), interests=PUBLIC_INTERESTS
) -> list[Recipient]:
    return match_recipients(interests, _index(*subscriptions), parties=parties, public=public)


def test_a_party_following_the_case_hears_as_a_party_with_their_own_channels_and_language():
    [recipient] = _match(subscription(CASE, MARK, channels=PORTAL, language=Language.EN), public=False, interests=(CASE,))

    assert (recipient.subscriber_id, recipient.channels, recipient.language, recipient.audience, recipient.via) == (
        MARK,
        PORTAL,
        Language.EN,
        Audience.PARTY,
        CASE,
    )
    assert recipient.subscription_id == f"sub-{MARK}-{CASE.key}"


def test_a_subscriber_reached_through_several_interests_is_one_recipient_with_all_their_channels():
    recipients = _match(
        subscription(CASE, MARK, channels=PORTAL),
        subscription(TOPIC, MARK, channels=EMAIL),
        subscription(HEUVELRUG, MARK, channels=PORTAL),
        public=True,
    )

    assert [(r.subscriber_id, r.channels) for r in recipients] == [(MARK, BOTH)]


def test_language_via_and_audience_come_from_the_most_specific_interest():
    # GIVEN Jan follows the topic in English and the gemeente in Dutch
    recipients = _match(
        subscription(UTRECHT, JAN, channels=EMAIL, language=Language.NL),
        subscription(TOPIC, JAN, channels=PORTAL, language=Language.EN),
        public=True,
    )

    # THEN the topic, which comes first, decides
    assert [(r.subscriber_id, r.channels, r.language, r.audience, r.via) for r in recipients] == [
        (JAN, BOTH, Language.EN, Audience.FOLLOWER, TOPIC)
    ]


def test_a_party_also_following_the_topic_still_hears_as_a_party_via_the_case():
    [recipient] = _match(
        subscription(TOPIC, MARK, language=Language.EN), subscription(CASE, MARK, language=Language.NL), public=True
    )

    assert (recipient.audience, recipient.via, recipient.language) == (Audience.PARTY, CASE, Language.NL)


def test_only_parties_hear_of_an_event_that_is_not_public():
    recipients = _match(
        subscription(CASE, MARK),
        subscription(CASE, JAN),  # follows the case, but is no party to it
        subscription(TOPIC, FATIMA),  # a party, but reached only through the topic
        public=False,
    )

    assert [r.subscriber_id for r in recipients] == [MARK]


def test_a_non_party_following_the_case_of_a_public_event_hears_as_a_follower():
    [recipient] = _match(subscription(CASE, JAN), public=True)

    assert (recipient.subscriber_id, recipient.audience, recipient.via) == (JAN, Audience.FOLLOWER, CASE)


def test_a_party_reached_only_through_a_gemeente_hears_as_a_follower():
    [recipient] = _match(subscription(HEUVELRUG, FATIMA), public=True)

    assert (recipient.audience, recipient.via) == (Audience.FOLLOWER, HEUVELRUG)


def test_a_subscription_without_channels_is_skipped():
    recipients = _match(subscription(CASE, MARK, channels=frozenset()), subscription(CASE, FATIMA), public=False)

    assert [r.subscriber_id for r in recipients] == [FATIMA]


def test_a_subscription_without_channels_does_not_decide_language_or_via():
    [recipient] = _match(
        subscription(CASE, JAN, channels=frozenset(), language=Language.EN),
        subscription(TOPIC, JAN, channels=EMAIL, language=Language.NL),
        public=True,
    )

    assert (recipient.via, recipient.language, recipient.channels) == (TOPIC, Language.NL, EMAIL)


def test_recipients_are_sorted_by_subscriber_id():
    recipients = _match(
        subscription(UTRECHT, "pu-zoe"),
        subscription(CASE, MARK),
        subscription(TOPIC, "pu-bob"),
        subscription(CASE, FATIMA),
        public=True,
    )

    assert [r.subscriber_id for r in recipients] == sorted(["pu-zoe", MARK, "pu-bob", FATIMA])


def test_subscriptions_to_interests_the_event_does_not_reach_are_ignored():
    recipients = _match(
        subscription(Interest.case("other-case"), MARK), subscription(Interest.topic_anywhere("subsidies"), JAN), public=True
    )

    assert recipients == []
