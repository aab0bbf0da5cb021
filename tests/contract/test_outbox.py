"""NotificationOutbox: the in-memory outbox and DynamoDB's notifications table keep the same promises."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.matching import Audience
from chalicelib.domain.notifications import NotificationStatus
from chalicelib.services.ports import NotificationOutbox
from tests.contract.conftest import a_notification
from tests.factories import T0

HELD = NotificationStatus.HELD
CREATED = NotificationStatus.CREATED
SENDING = NotificationStatus.SENDING


def test_a_stored_notification_reads_back_the_same(outbox: NotificationOutbox):
    notification = a_notification(
        attempts=2,
        claimed_until=T0 + timedelta(seconds=90),
        provider_message_id="ses-1",
        subscription_id="sub-1",
        reason="soft_bounce",
        digest_items=("a" * 32, "b" * 32),
        maybe_sent=True,
        bundled_in="c" * 32,
    )
    assert outbox.add_if_absent(notification)
    assert outbox.get(notification.id) == notification


def test_the_expiry_moment_is_kept_to_the_second_as_the_ttl_attribute_stores_it(outbox: NotificationOutbox):
    # GIVEN a notification whose expiry has a fraction of a second
    notification = a_notification(expires_at=T0 + timedelta(days=30, microseconds=654321))
    # WHEN it is stored
    outbox.add_if_absent(notification)
    # THEN it expires on the whole second (DynamoDB's TTL is an epoch number of seconds)
    stored = outbox.get(notification.id)
    assert stored is not None
    assert stored.expires_at == T0 + timedelta(days=30)


def test_a_second_add_of_the_same_id_is_refused_and_keeps_the_first(outbox: NotificationOutbox):
    first = a_notification()
    assert outbox.add_if_absent(first)
    assert not outbox.add_if_absent(replace(first, status=SENDING, attempts=5))
    assert outbox.get(first.id) == first


def test_an_unknown_notification_is_none(outbox: NotificationOutbox):
    assert outbox.get("0" * 32) is None


def test_a_transition_from_the_stored_state_replaces_it(outbox: NotificationOutbox):
    before = a_notification()
    outbox.add_if_absent(before)
    after = replace(before, status=SENDING, attempts=1, claimed_until=T0 + timedelta(seconds=90), updated_at=T0)
    assert outbox.transition(before, after)
    assert outbox.get(before.id) == after


@pytest.mark.parametrize(
    "stale",
    [
        {"status": SENDING},
        {"attempts": 1},
        {"claimed_until": T0 + timedelta(seconds=90)},
        {"bundled_in": "d" * 32},
    ],
    ids=["status", "attempts", "claim", "digest"],
)
def test_a_transition_from_a_state_that_is_no_longer_stored_is_refused(outbox: NotificationOutbox, stale):
    # GIVEN a stored notification, and a copy that differs from it in one compared field
    stored = a_notification()
    outbox.add_if_absent(stored)
    before = replace(stored, **stale)
    # WHEN somebody moves on from that copy
    moved = outbox.transition(before, replace(before, status=NotificationStatus.DELIVERED))
    # THEN nothing changes: somebody else got there first
    assert not moved
    assert outbox.get(stored.id) == stored


def test_a_transition_only_compares_status_attempts_claim_and_digest(outbox: NotificationOutbox):
    stored = a_notification()
    outbox.add_if_absent(stored)
    before = replace(stored, reason="other", provider_message_id="other", updated_at=T0 + timedelta(hours=1))
    assert outbox.transition(before, replace(stored, status=SENDING))


def test_a_transition_of_a_notification_that_was_never_stored_is_refused(outbox: NotificationOutbox):
    never = a_notification()
    assert not outbox.transition(never, replace(never, status=SENDING))
    assert outbox.get(never.id) is None


def test_the_notifications_of_a_case_come_oldest_first_and_only_that_case(outbox: NotificationOutbox):
    times = [T0 + timedelta(minutes=m) for m in (5, 1, 3)]
    mine = [a_notification(case_id="case-a", created_at=t, audience=Audience.FOLLOWER) for t in times]
    for notification in [*mine, a_notification(case_id="case-b")]:
        outbox.add_if_absent(notification)
    assert [n.created_at for n in outbox.for_case("case-a")] == sorted(times)
    assert outbox.for_case("case-none") == []


def test_the_notifications_to_parties_are_the_newest_first_up_to_the_limit(outbox: NotificationOutbox):
    # GIVEN notifications about one case to its parties, to followers, and about another case
    party = [a_notification(case_id="case-a", created_at=T0 + timedelta(minutes=m)) for m in (1, 4, 2, 3)]
    follower = a_notification(case_id="case-a", audience=Audience.FOLLOWER, created_at=T0 + timedelta(minutes=9))
    for notification in [*party, follower, a_notification(case_id="case-b", created_at=T0 + timedelta(minutes=8))]:
        outbox.add_if_absent(notification)
    # WHEN the newest three to the parties are asked for
    newest = outbox.to_parties("case-a", limit=3)
    # THEN they are the parties' newest three, newest first
    assert [n.created_at for n in newest] == [T0 + timedelta(minutes=m) for m in (4, 3, 2)]


def test_the_notifications_to_parties_come_page_by_page_each_once_also_when_made_at_the_same_moment(
    outbox: NotificationOutbox,
):
    # GIVEN seven notifications to the parties of a case, five of them made at the same moment (one change
    # told to several parties on several channels), and one to a follower
    moments = [T0 + timedelta(minutes=m) for m in (1, 5, 5, 5, 5, 5, 9)]
    party = [a_notification(case_id="case-a", created_at=moment) for moment in moments]
    for notification in [*party, a_notification(case_id="case-a", audience=Audience.FOLLOWER, created_at=T0)]:
        outbox.add_if_absent(notification)
    # WHEN they are read three at a time, each page going on after the last one of the page before
    pages, after = [], None
    while True:
        page = outbox.to_parties("case-a", limit=3, after=after)
        if not page:
            break
        pages.append(page)
        after = (page[-1].created_at, page[-1].id)
    # THEN every party notification comes exactly once, newest first, and the follower's never
    seen = [n for page in pages for n in page]
    assert [len(page) for page in pages] == [3, 3, 1]
    assert sorted(n.id for n in seen) == sorted(n.id for n in party)
    assert [n.created_at for n in seen] == sorted(moments, reverse=True)


def test_held_notifications_come_when_their_hold_has_ended_oldest_hold_first(outbox: NotificationOutbox):
    holds = [T0 + timedelta(hours=h) for h in (3, 1, 2, 5)]
    for hold in holds:
        outbox.add_if_absent(a_notification(status=HELD, hold_until=hold))
    outbox.add_if_absent(a_notification(status=CREATED, hold_until=T0))  # released: no longer held
    due = outbox.held_until(T0 + timedelta(hours=3))
    assert [n.hold_until for n in due] == [T0 + timedelta(hours=h) for h in (1, 2, 3)]


def test_a_held_notification_that_is_released_is_no_longer_held(outbox: NotificationOutbox):
    held = a_notification(status=HELD, hold_until=T0)
    outbox.add_if_absent(held)
    assert outbox.transition(held, replace(held, status=CREATED))
    assert outbox.held_until(T0 + timedelta(days=1)) == []


def test_a_notification_is_found_by_its_provider_message_id(outbox: NotificationOutbox):
    sent = a_notification(status=NotificationStatus.DELIVERED, provider_message_id="ses-abc")
    outbox.add_if_absent(sent)
    outbox.add_if_absent(a_notification())
    assert outbox.by_provider_id("ses-abc") == sent
    assert outbox.by_provider_id("ses-unknown") is None


def test_open_notifications_that_changed_before_a_moment_come_oldest_first_up_to_the_limit(outbox: NotificationOutbox):
    # GIVEN sending notifications of several ages, a newer one, and older ones in other statuses
    ages = [T0 + timedelta(minutes=m) for m in (4, 1, 3, 2)]
    for changed in ages:
        outbox.add_if_absent(a_notification(status=SENDING, updated_at=changed))
    outbox.add_if_absent(a_notification(status=SENDING, updated_at=T0 + timedelta(minutes=30)))
    outbox.add_if_absent(a_notification(status=CREATED, updated_at=T0))
    outbox.add_if_absent(a_notification(status=NotificationStatus.DELIVERED, updated_at=T0))
    # WHEN the three oldest sending ones from before ten minutes are asked for
    stuck = outbox.open_since(SENDING, T0 + timedelta(minutes=10), limit=3)
    # THEN they are those three, oldest first, each as it is stored now
    assert [n.updated_at for n in stuck] == [T0 + timedelta(minutes=m) for m in (1, 2, 3)]
    assert all(n.status is SENDING for n in stuck)


def test_a_notification_that_left_a_status_is_no_longer_open_in_it(outbox: NotificationOutbox):
    sending = a_notification(status=SENDING, updated_at=T0)
    outbox.add_if_absent(sending)
    assert outbox.transition(sending, replace(sending, status=CREATED))
    assert outbox.open_since(SENDING, T0 + timedelta(hours=1), limit=10) == []
    assert [n.id for n in outbox.open_since(CREATED, T0 + timedelta(hours=1), limit=10)] == [sending.id]


# Claiming for one delivery attempt: one conditional write that answers what it found -------------------------

CLAIM = timedelta(seconds=90)


def test_a_created_notification_is_claimed_as_the_domain_says_and_reads_back_so(outbox: NotificationOutbox):
    # GIVEN a notification waiting to be sent, tried twice before
    waiting = a_notification(attempts=2, reason="retryable: TimeoutError", maybe_sent=True)
    outbox.add_if_absent(waiting)
    # WHEN a delivery attempt claims it
    claim = outbox.claim(waiting.id, now=T0, until=T0 + CLAIM)
    # THEN it was created and is now sending under this claim, one attempt more; the rest is kept
    assert claim.before == waiting
    assert claim.after == waiting.claimed(T0, T0 + CLAIM)
    assert claim.after is not None
    assert (claim.after.status, claim.after.attempts, claim.after.claimed_until) == (SENDING, 3, T0 + CLAIM)
    assert outbox.get(waiting.id) == claim.after


def test_a_claimed_notification_moves_on_from_its_claim_by_compare_and_set(outbox: NotificationOutbox):
    waiting = a_notification()
    outbox.add_if_absent(waiting)
    claimed = outbox.claim(waiting.id, now=T0, until=T0 + CLAIM).after
    assert claimed is not None
    assert outbox.transition(claimed, claimed.moved_to(NotificationStatus.DELIVERED, T0, claimed_until=None))
    assert outbox.get(waiting.id).status is NotificationStatus.DELIVERED  # type: ignore[union-attr]


def test_a_live_claim_refuses_a_second_claim_and_says_what_holds_it(outbox: NotificationOutbox):
    # GIVEN an attempt holds the notification until T0 + 90 s
    waiting = a_notification()
    outbox.add_if_absent(waiting)
    first = outbox.claim(waiting.id, now=T0, until=T0 + CLAIM).after
    # WHEN another attempt tries to claim it a second before the claim ends
    second = outbox.claim(waiting.id, now=T0 + CLAIM - timedelta(seconds=1), until=T0 + 2 * CLAIM)
    # THEN it is refused, the answer is the notification as it is, and nothing changed
    assert (second.before, second.after) == (first, None)
    assert outbox.get(waiting.id) == first


@pytest.mark.parametrize("after_end", [timedelta(0), timedelta(seconds=1)], ids=["when-it-ends", "after-it-ended"])
def test_a_claim_that_ended_is_taken_over(outbox: NotificationOutbox, after_end):
    # GIVEN the attempt that claimed the notification died: its claim ended
    waiting = a_notification()
    outbox.add_if_absent(waiting)
    dead = outbox.claim(waiting.id, now=T0, until=T0 + CLAIM).after
    assert dead is not None
    # WHEN a new attempt claims it at or after the end of that claim
    moment = T0 + CLAIM + after_end
    take_over = outbox.claim(waiting.id, now=moment, until=moment + CLAIM)
    # THEN it takes it over: the answer says it was sending (a possible duplicate), now claimed anew
    assert take_over.before == dead
    assert take_over.after == dead.claimed(moment, moment + CLAIM)
    assert outbox.get(waiting.id) == take_over.after


def test_a_sending_notification_without_a_claim_is_taken_over(outbox: NotificationOutbox):
    stuck = a_notification(status=SENDING, attempts=1)
    outbox.add_if_absent(stuck)
    claim = outbox.claim(stuck.id, now=T0, until=T0 + CLAIM)
    assert (claim.before, claim.after) == (stuck, stuck.claimed(T0, T0 + CLAIM))


@pytest.mark.parametrize(
    "status",
    [HELD, NotificationStatus.DELIVERED, NotificationStatus.PERMANENT_FAILURE, NotificationStatus.TECHNICAL_FAILURE],
)
def test_a_held_or_final_notification_is_not_claimed_and_the_answer_says_why(outbox: NotificationOutbox, status):
    done = a_notification(status=status, hold_until=T0 if status is HELD else None)
    outbox.add_if_absent(done)
    claim = outbox.claim(done.id, now=T0, until=T0 + CLAIM)
    assert (claim.before, claim.after) == (done, None)
    assert outbox.get(done.id) == done


def test_an_unknown_notification_is_not_claimed_and_not_created(outbox: NotificationOutbox):
    claim = outbox.claim("0" * 32, now=T0, until=T0 + CLAIM)
    assert (claim.before, claim.after) == (None, None)
    assert outbox.get("0" * 32) is None
