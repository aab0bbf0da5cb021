"""Announcements: a behandelaar writes one, previews how many it would reach (numbers only), submits it, and a
second behandelaar approves it; only then does it go out, through the same fan-out as a case, to those who
follow its topic or its place."""

from __future__ import annotations

import dataclasses
from dataclasses import replace

import pytest

from chalicelib.domain.announcements import Announcement, AnnouncementStatus
from chalicelib.domain.errors import CaseRuleError, ForbiddenError, ValidationError
from chalicelib.domain.events import EventKind, Place
from chalicelib.domain.geo import Circle
from chalicelib.domain.identity import Principal, Role
from chalicelib.domain.reference import Point
from chalicelib.domain.subscriptions import Channel, Scope
from chalicelib.services.announcements import Draft
from tests.factories import FATIMA, JAN, MARK, subscriber
from tests.unit.services.conftest import (
    ANNA_PRINCIPAL,
    FATIMA_PRINCIPAL,
    JAN_PRINCIPAL,
    MARK_PRINCIPAL,
    PIETER,
    SANNE,
    World,
)

AMERSFOORT = "GM0307"
AMERSFOORT_CENTRE = Point(52.1561, 5.3878)
UTRECHT_CENTRE = Point(52.0907, 5.1214)  # some 20 km away
LAND = Draft(
    title="Grond vrij aan de Eem",
    text="Bij Amersfoort komt 2 hectare grond vrij voor natuurontwikkeling.",
    topic="grondbeheer",
    place=Place((AMERSFOORT,), AMERSFOORT_CENTRE),
)
ELS = Principal("pu-els-0a1b2c", frozenset({Role.APPLICANT}))
PIM = Principal("pu-pim-9e8d7c", frozenset({Role.APPLICANT}))
ADDRESSES = {
    MARK: "mark@example.org",
    FATIMA: "fatima@example.org",
    JAN: "jan@example.org",
    ELS.subject: "els@example.org",
    PIM.subject: "pim@example.org",
}
REACHED = {MARK, FATIMA, PIM.subject}


@pytest.fixture
def followers(world: World) -> World:
    """Who follows what:

    - Mark: land management (grondbeheer) in Amersfoort;
    - Fatima: everything within 1 km of a spot some 500 m from the announcement's point;
    - Pim: land management anywhere, in the berichtenbox only;
    - Jan: grants (subsidies) in Amersfoort; the wrong topic;
    - Els: everything within 1 km of Utrecht's centre; the wrong place.
    """
    world.subscribers.put(subscriber(ELS.subject, ADDRESSES[ELS.subject]))
    world.subscribers.put(replace(subscriber(PIM.subject, ADDRESSES[PIM.subject]), channels=frozenset({Channel.PORTAL})))
    follow = world.subscription_service.follow
    follow(MARK_PRINCIPAL, Scope(topics=frozenset({"grondbeheer"}), gemeenten=frozenset({AMERSFOORT})))
    follow(FATIMA_PRINCIPAL, Scope(area=Circle(Point(52.1600, 5.3930), 1_000)))
    follow(PIM, Scope(topics=frozenset({"grondbeheer"})))
    follow(JAN_PRINCIPAL, Scope(topics=frozenset({"subsidies"}), gemeenten=frozenset({AMERSFOORT})))
    follow(ELS, Scope(area=Circle(UTRECHT_CENTRE, 1_000)))
    world.index()
    return world


def _submitted(world: World, draft: Draft = LAND) -> Announcement:
    announcement = world.announcements.draft(ANNA_PRINCIPAL, draft)
    return world.announcements.submit(ANNA_PRINCIPAL, announcement.id)


def _told(world: World) -> set[str]:
    return {n.subscriber_id for n in world.outbox.items.values()}


# Writing ----------------------------------------------------------------------------------------------------


def test_a_behandelaar_drafts_an_announcement_as_a_concept_in_their_name(world: World):
    announcement = world.announcements.draft(ANNA_PRINCIPAL, LAND)

    assert (announcement.status, announcement.author.id, announcement.title) == (
        AnnouncementStatus.CONCEPT,
        ANNA_PRINCIPAL.subject,
        LAND.title,
    )
    assert world.announcements.get(PIETER, announcement.id) == announcement


@pytest.mark.parametrize("principal", [MARK_PRINCIPAL, SANNE], ids=["applicant", "kcc"])
def test_only_a_behandelaar_drafts_announcements(world: World, principal: Principal):
    with pytest.raises(ForbiddenError):
        world.announcements.draft(principal, LAND)
    assert world.announcement_store.items == {}


@pytest.mark.parametrize(
    ("draft", "issues"),
    [
        (replace(LAND, topic="vliegvelden"), [("topic", "unknown_topic")]),
        (replace(LAND, place=Place(("GM9999",))), [("gemeenten.0", "unknown_gemeente")]),
        (replace(LAND, place=Place()), [("gemeenten", "place_required")]),
    ],
    ids=["unknown-topic", "unknown-gemeente", "no-place"],
)
def test_a_draft_needs_a_known_topic_and_a_known_place(world: World, draft: Draft, issues: list[tuple[str, str]]):
    with pytest.raises(ValidationError) as refused:
        world.announcements.draft(ANNA_PRINCIPAL, draft)
    assert [(i.field, i.code) for i in refused.value.issues] == issues
    assert world.announcement_store.items == {}


# Preview ----------------------------------------------------------------------------------------------------


def test_the_preview_counts_subscribers_per_channel_and_names_nobody(followers: World):
    announcement = followers.announcements.draft(ANNA_PRINCIPAL, LAND)

    preview = followers.announcements.preview(ANNA_PRINCIPAL, announcement.id)

    assert (preview.subscribers, preview.by_channel) == (3, {"email": 2, "portal": 3})
    assert {f.name for f in dataclasses.fields(preview)} == {"subscribers", "by_channel", "queries"}
    shown = repr(dataclasses.asdict(preview))
    for identity in [*ADDRESSES, *ADDRESSES.values()]:
        assert identity not in shown


def test_the_preview_writes_and_sends_nothing(followers: World):
    announcement = followers.announcements.draft(ANNA_PRINCIPAL, LAND)

    followers.announcements.preview(ANNA_PRINCIPAL, announcement.id)
    followers.deliver_all()

    assert followers.outbox.items == {}
    assert followers.queue.messages == []
    assert followers.email.sent == []
    assert followers.announcement_store.items[announcement.id] == announcement


@pytest.mark.parametrize("principal", [MARK_PRINCIPAL, SANNE], ids=["applicant", "kcc"])
def test_only_a_behandelaar_sees_a_preview(followers: World, principal: Principal):
    announcement = followers.announcements.draft(ANNA_PRINCIPAL, LAND)
    with pytest.raises(ForbiddenError):
        followers.announcements.preview(principal, announcement.id)


def test_the_preview_counts_whom_the_approved_announcement_reaches(followers: World):
    announcement = _submitted(followers)
    preview = followers.announcements.preview(PIETER, announcement.id)

    followers.announcements.approve(PIETER, announcement.id)
    followers.fan_out_announcements()

    assert preview.subscribers == len(_told(followers))
    channels = [n.channel.value for n in followers.outbox.items.values()]
    assert preview.by_channel == {channel: channels.count(channel) for channel in set(channels)}


# Four eyes and sending ----------------------------------------------------------------------------------------


def test_once_a_second_behandelaar_approves_it_reaches_followers_of_its_topic_and_place(followers: World):
    announcement = _submitted(followers)
    followers.fan_out_announcements()
    assert followers.outbox.items == {}  # submitted is not sent

    approved = followers.announcements.approve(PIETER, announcement.id)
    followers.fan_out_announcements()
    followers.deliver_all()

    assert (approved.status, approved.decided_by and approved.decided_by.id) == (AnnouncementStatus.APPROVED, PIETER.subject)
    # the topic in its gemeente, a circle around its point, the topic anywhere; not another topic, not far away
    assert _told(followers) == REACHED
    assert {n.event_kind for n in followers.outbox.items.values()} == {EventKind.ANNOUNCEMENT}
    assert {m.to for m in followers.email.sent} == {ADDRESSES[MARK], ADDRESSES[FATIMA]}
    for mail in followers.email.sent:
        assert mail.subject == f"Nieuws van de provincie: {LAND.title}"
        assert LAND.text in mail.text
    assert {person for person in ADDRESSES if followers.berichtenbox_store.unread_count(person)} == REACHED


def test_within_one_batch_an_approved_announcement_is_read_once_for_all_its_notifications(followers: World):
    # GIVEN an approved announcement fanned out to its followers (five notifications)
    announcement = _submitted(followers)
    followers.announcements.approve(PIETER, announcement.id)
    followers.fan_out_announcements()
    queued = followers.queue.drain()
    reads: list[str] = []
    store_get = followers.announcement_store.get

    def counted_get(announcement_id: str) -> Announcement:
        reads.append(announcement_id)
        return store_get(announcement_id)

    followers.announcement_store.get = counted_get  # type: ignore[method-assign]
    # WHEN they are delivered in one batch
    with followers.delivery.batch():
        results = [followers.delivery.deliver(notification_id) for notification_id in queued]
    # THEN each went out, and the announcement was read once
    assert len(queued) == 5
    assert {r.outcome.value for r in results} == {"delivered"}
    assert reads == [announcement.id]


def test_a_circle_nearby_hears_nothing_of_another_topic_when_it_follows_one(followers: World):
    nearby = Principal("pu-kees-1f2e3d", frozenset({Role.APPLICANT}))
    followers.subscription_service.follow(nearby, Scope(topics=frozenset({"subsidies"}), area=Circle(AMERSFOORT_CENTRE, 500)))
    announcement = _submitted(followers)

    followers.announcements.approve(PIETER, announcement.id)
    followers.fan_out_announcements()

    assert nearby.subject not in _told(followers)
    assert _told(followers) == REACHED


def test_the_author_may_not_approve_their_own_announcement(followers: World):
    announcement = _submitted(followers)

    with pytest.raises(CaseRuleError) as refused:
        followers.announcements.approve(ANNA_PRINCIPAL, announcement.id)

    assert refused.value.rule == "four_eyes"
    assert followers.announcements.get(ANNA_PRINCIPAL, announcement.id).status is AnnouncementStatus.SUBMITTED
    followers.fan_out_announcements()
    assert followers.outbox.items == {}


@pytest.mark.parametrize("action", ["submit", "approve", "reject"])
def test_applicants_and_the_kcc_may_not_submit_approve_or_reject(world: World, action: str):
    announcement = world.announcements.draft(ANNA_PRINCIPAL, LAND)
    for principal in (MARK_PRINCIPAL, SANNE):
        arguments = (principal, announcement.id, "Nee") if action == "reject" else (principal, announcement.id)
        with pytest.raises(ForbiddenError):
            getattr(world.announcements, action)(*arguments)
    assert world.announcement_store.items[announcement.id] == announcement


def test_a_concept_cannot_be_approved_before_it_is_submitted(followers: World):
    announcement = followers.announcements.draft(ANNA_PRINCIPAL, LAND)

    with pytest.raises(CaseRuleError) as refused:
        followers.announcements.approve(PIETER, announcement.id)

    assert refused.value.rule == "not_submitted"
    followers.fan_out_announcements()
    assert followers.outbox.items == {}


def test_approving_twice_sends_it_once(followers: World):
    announcement = _submitted(followers)
    followers.announcements.approve(PIETER, announcement.id)
    followers.fan_out_announcements()
    followers.deliver_all()
    sent = len(followers.email.sent)

    followers.announcements.approve(PIETER, announcement.id)
    followers.fan_out_announcements()
    followers.deliver_all()

    assert len(followers.email.sent) == sent == 2


def test_a_rejected_announcement_sends_nothing_and_goes_back_to_its_author_with_the_reason(followers: World):
    announcement = _submitted(followers)

    rejected = followers.announcements.reject(PIETER, announcement.id, "Noem de oppervlakte in hectare.")
    followers.fan_out_announcements()
    followers.deliver_all()

    assert (rejected.status, rejected.rejection_reason) == (AnnouncementStatus.REJECTED, "Noem de oppervlakte in hectare.")
    assert followers.outbox.items == {}
    assert followers.email.sent == []
    revised = followers.announcements.revise(ANNA_PRINCIPAL, announcement.id, replace(LAND, title="Grond vrij: 2 hectare"))
    assert (revised.status, revised.title) == (AnnouncementStatus.CONCEPT, "Grond vrij: 2 hectare")


@pytest.mark.parametrize("approved", [False, True], ids=["submitted", "approved"])
def test_an_announcement_can_no_longer_be_revised_once_submitted(followers: World, approved: bool):
    announcement = _submitted(followers)
    if approved:
        announcement = followers.announcements.approve(PIETER, announcement.id)

    with pytest.raises(CaseRuleError) as refused:
        followers.announcements.revise(ANNA_PRINCIPAL, announcement.id, replace(LAND, text="Iets anders."))

    assert refused.value.rule == "announcement_locked"
    assert followers.announcement_store.items[announcement.id].text == LAND.text


def test_only_the_author_revises_or_submits(world: World):
    announcement = world.announcements.draft(ANNA_PRINCIPAL, LAND)

    with pytest.raises(CaseRuleError) as revising:
        world.announcements.revise(PIETER, announcement.id, replace(LAND, title="Anders"))
    with pytest.raises(CaseRuleError) as submitting:
        world.announcements.submit(PIETER, announcement.id)

    assert (revising.value.rule, submitting.value.rule) == ("not_the_author", "not_the_author")
    assert world.announcement_store.items[announcement.id] == announcement


def test_an_approved_announcements_progress_shows_what_was_written_and_that_it_is_done(followers: World):
    # GIVEN an announcement waiting for approval: no progress yet
    announcement = _submitted(followers)
    assert followers.announcements.progress(PIETER, announcement.id) == (announcement, None)
    # WHEN it is approved and the stream tells its audience
    followers.announcements.approve(PIETER, announcement.id)
    followers.fan_out_announcements()
    # THEN its progress counts the notifications written, and the one unit of work done
    _, progress = followers.announcements.progress(ANNA_PRINCIPAL, announcement.id)
    assert progress is not None
    assert (progress.planned, progress.done, progress.finished) == (1, 1, True)
    assert progress.created + progress.held == len(followers.outbox.items)


@pytest.mark.parametrize("principal", [MARK_PRINCIPAL, SANNE])
def test_only_behandelaars_see_an_announcements_progress(followers: World, principal: Principal):
    announcement = _submitted(followers)
    with pytest.raises(ForbiddenError):
        followers.announcements.progress(principal, announcement.id)
