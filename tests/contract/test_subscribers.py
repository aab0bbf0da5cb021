"""SubscriberDirectory: the in-memory directory and DynamoDB's subscribers table keep the same promises."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.domain.language import Language
from chalicelib.domain.subscriptions import Channel, Frequency, PostalAddress
from chalicelib.services.ports import SubscriberDirectory
from tests.factories import FATIMA, JAN, MARK, subscriber

ADDRESS = PostalAddress("M. de Vries", "Archimedeslaan", "6", "3584 BA", "Utrecht")


def test_a_subscriber_reads_back_the_same(subscribers: SubscriberDirectory):
    mark = replace(
        subscriber(MARK, "mark@example.org", Language.EN, quiet_hours=True),
        channels=frozenset({Channel.EMAIL, Channel.PORTAL, Channel.LETTER}),
        frequency=Frequency.WEEKLY,
        postal_address=ADDRESS,
    )
    subscribers.put(mark)
    assert subscribers.get(MARK) == mark


def test_a_subscriber_without_e_mail_or_channels_reads_back_the_same(subscribers: SubscriberDirectory):
    nobody = replace(subscriber(MARK), channels=frozenset())
    subscribers.put(nobody)
    assert subscribers.get(MARK) == nobody


def test_an_unknown_subscriber_is_none(subscribers: SubscriberDirectory):
    assert subscribers.get("pu-nobody") is None


def test_a_put_replaces_the_subscriber(subscribers: SubscriberDirectory):
    subscribers.put(subscriber(MARK, "mark@example.org"))
    changed = subscriber(MARK, "mark@elders.example", Language.EN)
    subscribers.put(changed)
    assert subscribers.get(MARK) == changed


def test_several_subscribers_are_read_at_once_leaving_out_the_unknown(subscribers: SubscriberDirectory):
    known = [subscriber(MARK, "mark@example.org"), subscriber(FATIMA)]
    for one in known:
        subscribers.put(one)
    assert subscribers.get_many([MARK, "pu-nobody", FATIMA, MARK]) == {s.id: s for s in known}
    assert subscribers.get_many([]) == {}


@pytest.mark.parametrize("written", ["Mark@Example.org", " mark@example.org ", "MARK@EXAMPLE.ORG"])
def test_a_subscriber_is_found_by_e_mail_in_any_case(subscribers: SubscriberDirectory, written):
    mark = subscriber(MARK, "mark@example.org")
    subscribers.put(mark)
    subscribers.put(subscriber(JAN, "jan@example.org"))
    assert subscribers.find_by_email(written) == mark


def test_an_address_the_subscriber_no_longer_uses_finds_nobody(subscribers: SubscriberDirectory):
    subscribers.put(subscriber(MARK, "mark@example.org"))
    subscribers.put(subscriber(MARK, "mark@elders.example"))
    assert subscribers.find_by_email("mark@example.org") is None
    assert subscribers.find_by_email("mark@elders.example") == subscriber(MARK, "mark@elders.example")


def test_an_unconfirmed_address_keeps_its_expiry_which_only_moves_later(subscribers: SubscriberDirectory):
    from datetime import timedelta

    from tests.factories import T0

    # GIVEN an address nobody confirmed, to be forgotten on day 8
    unconfirmed = replace(subscriber(MARK, "mark@example.org"), expires_at=T0 + timedelta(days=8))
    subscribers.put(unconfirmed)
    assert subscribers.get(MARK) == unconfirmed
    assert subscribers.find_by_email("mark@example.org") == unconfirmed
    # WHEN it is to be kept until day 14, and then (a late retry) until day 10
    subscribers.keep_unconfirmed(MARK, T0 + timedelta(days=14))
    subscribers.keep_unconfirmed(MARK, T0 + timedelta(days=10))
    # THEN it is kept until day 14
    assert subscribers.get(MARK) == replace(unconfirmed, expires_at=T0 + timedelta(days=14))


def test_keeping_a_confirmed_or_unknown_address_changes_nothing(subscribers: SubscriberDirectory):
    from datetime import timedelta

    from tests.factories import T0

    confirmed = subscriber(FATIMA, "fatima@example.org")
    subscribers.put(confirmed)
    subscribers.keep_unconfirmed(FATIMA, T0 + timedelta(days=14))
    subscribers.keep_unconfirmed("pu-nobody", T0 + timedelta(days=14))
    assert subscribers.get(FATIMA) == confirmed
    assert subscribers.get("pu-nobody") is None


def test_more_subscribers_than_one_batch_read_are_read_at_once(subscribers: SubscriberDirectory):
    # BatchGetItem takes 100 keys a call: 250 people take three, and every one of them comes back
    people = [subscriber(f"pu-{number:03d}", f"p{number}@example.org") for number in range(250)]
    for person in people:
        subscribers.put(person)
    assert subscribers.get_many([p.id for p in people]) == {p.id: p for p in people}
