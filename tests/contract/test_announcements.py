"""AnnouncementRepository: the in-memory announcements and DynamoDB's cases table keep the same promises."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.announcements import Announcement, AnnouncementStatus
from chalicelib.domain.cases import Link, Medewerker
from chalicelib.domain.errors import AnnouncementNotFoundError, ConcurrentUpdateError
from chalicelib.domain.events import Place
from chalicelib.domain.reference import Point
from chalicelib.services.ports import AnnouncementRepository
from tests.factories import ANNA, T0

PIETER = Medewerker("mdw-pieter-jansen", "Pieter Jansen")


def an_announcement(**changes) -> Announcement:
    announcement = Announcement(
        id=f"ann-{uuid.uuid4().hex[:12]}",
        title="Grond beschikbaar bij Amersfoort",
        text="De provincie zoekt pachters – één perceel.",
        topic="subsidies",
        place=Place(("GM0307",), Point(52.156, 5.3878)),
        author=PIETER,
        created_at=T0,
        link=Link("https://www.provincie-utrecht.nl/grond", "Meer weten"),
    )
    return replace(announcement, **changes)


def test_a_created_announcement_has_version_one_and_reads_back_the_same(announcements: AnnouncementRepository):
    draft = an_announcement()
    stored = announcements.create(draft)
    assert stored == replace(draft, version=1)
    assert announcements.get(draft.id) == stored


def test_an_approved_announcement_reads_back_the_same(announcements: AnnouncementRepository):
    approved = an_announcement(
        status=AnnouncementStatus.APPROVED,
        submitted_at=T0 + timedelta(hours=1),
        decided_by=ANNA,
        decided_at=T0 + timedelta(hours=2),
        place=Place(("GM0344", "GM0307")),
        link=None,
    )
    assert announcements.get(announcements.create(approved).id) == replace(approved, version=1)


def test_a_second_create_of_the_same_announcement_is_refused_and_keeps_the_first(announcements: AnnouncementRepository):
    first = announcements.create(an_announcement())
    with pytest.raises(ConcurrentUpdateError):
        announcements.create(replace(first, title="Anders", version=0))
    assert announcements.get(first.id) == first


def test_an_unknown_announcement_is_not_found(announcements: AnnouncementRepository):
    with pytest.raises(AnnouncementNotFoundError):
        announcements.get("ann-unknown")


def test_saving_an_announcement_read_at_its_current_version_gives_the_next_version(announcements: AnnouncementRepository):
    stored = announcements.create(an_announcement())
    submitted = replace(stored, status=AnnouncementStatus.SUBMITTED, submitted_at=T0)
    saved = announcements.save(submitted)
    assert saved == replace(submitted, version=2)
    assert announcements.get(stored.id) == saved


def test_saving_an_announcement_somebody_else_saved_since_it_was_read_is_refused(announcements: AnnouncementRepository):
    read = announcements.create(an_announcement())
    first = announcements.save(replace(read, title="Eerste"))
    with pytest.raises(ConcurrentUpdateError):
        announcements.save(replace(read, title="Tweede"))
    assert announcements.get(read.id) == first


def test_saving_an_announcement_that_was_never_created_is_refused(announcements: AnnouncementRepository):
    with pytest.raises(ConcurrentUpdateError):
        announcements.save(an_announcement(version=1))


def test_an_announcement_that_is_not_there_counts_as_version_zero_when_saved(announcements: AnnouncementRepository):
    announcement = an_announcement()
    assert announcements.save(announcement) == replace(announcement, version=1)
    assert announcements.get(announcement.id) == replace(announcement, version=1)


def test_creating_an_announcement_that_already_has_a_version_is_refused(announcements: AnnouncementRepository):
    announcement = an_announcement(version=1)
    with pytest.raises(ConcurrentUpdateError):
        announcements.create(announcement)
    with pytest.raises(AnnouncementNotFoundError):
        announcements.get(announcement.id)


def test_recent_announcements_come_newest_first_up_to_the_limit(announcements: AnnouncementRepository):
    moments = [T0 + timedelta(hours=h) for h in (2, 4, 1, 3)]
    for moment in moments:
        announcements.create(an_announcement(created_at=moment))
    assert [a.created_at for a in announcements.recent(limit=3)] == sorted(moments, reverse=True)[:3]
    assert len(announcements.recent()) == 4


def test_recent_announcements_created_at_the_same_moment_come_highest_id_first(announcements: AnnouncementRepository):
    ids = [announcements.create(an_announcement()).id for _ in range(3)]
    assert [a.id for a in announcements.recent()] == sorted(ids, reverse=True)


def test_a_saved_announcement_keeps_its_place_in_the_recent_list(announcements: AnnouncementRepository):
    older = announcements.create(an_announcement(created_at=T0))
    newer = announcements.create(an_announcement(created_at=T0 + timedelta(hours=1)))
    approved = announcements.save(replace(older, status=AnnouncementStatus.APPROVED))
    assert announcements.recent() == [newer, approved]
