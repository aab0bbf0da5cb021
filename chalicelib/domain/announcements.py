"""Announcements: news the province sends to an audience by topic and place, such as land that may become
available. Four eyes: one behandelaar writes and submits it, another approves it, and only then does it go
out — through the same stream, matching and outbox as a change of a case."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.cases import Link, Medewerker
from chalicelib.domain.errors import CaseRuleError
from chalicelib.domain.events import CaseEvent, EventKind, Place


class AnnouncementStatus(StrEnum):
    CONCEPT = "concept"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Announcement:
    id: str
    title: str
    text: str
    topic: str
    place: Place
    author: Medewerker
    created_at: datetime
    status: AnnouncementStatus = AnnouncementStatus.CONCEPT
    link: Link | None = None
    submitted_at: datetime | None = None
    decided_by: Medewerker | None = None
    decided_at: datetime | None = None
    rejection_reason: str | None = None
    version: int = 0


def revise(
    announcement: Announcement, by: Medewerker, *, title: str, text: str, topic: str, place: Place, link: Link | None
) -> Announcement:
    """The author changes the content; only before it is submitted, or after it was sent back."""
    if by.id != announcement.author.id:
        raise CaseRuleError("not_the_author")
    if announcement.status not in (AnnouncementStatus.CONCEPT, AnnouncementStatus.REJECTED):
        raise CaseRuleError("announcement_locked", status=announcement.status.value)
    return replace(announcement, title=title, text=text, topic=topic, place=place, link=link, status=AnnouncementStatus.CONCEPT)


def submit(announcement: Announcement, by: Medewerker, at: datetime) -> Announcement:
    """The author asks a colleague to approve it."""
    if by.id != announcement.author.id:
        raise CaseRuleError("not_the_author")
    if announcement.status is AnnouncementStatus.SUBMITTED:
        return announcement
    if announcement.status is not AnnouncementStatus.CONCEPT:
        raise CaseRuleError("announcement_locked", status=announcement.status.value)
    return replace(announcement, status=AnnouncementStatus.SUBMITTED, submitted_at=at, rejection_reason=None)


def approve(announcement: Announcement, by: Medewerker, at: datetime) -> Announcement:
    """A second behandelaar approves; the author never approves their own announcement."""
    if by.id == announcement.author.id:
        raise CaseRuleError("four_eyes")
    if announcement.status is AnnouncementStatus.APPROVED:
        return announcement
    if announcement.status is not AnnouncementStatus.SUBMITTED:
        raise CaseRuleError("not_submitted", status=announcement.status.value)
    return replace(announcement, status=AnnouncementStatus.APPROVED, decided_by=by, decided_at=at)


def reject(announcement: Announcement, by: Medewerker, at: datetime, reason: str) -> Announcement:
    """Send it back to the author with a reason."""
    if by.id == announcement.author.id:
        raise CaseRuleError("four_eyes")
    if announcement.status is not AnnouncementStatus.SUBMITTED:
        raise CaseRuleError("not_submitted", status=announcement.status.value)
    return replace(announcement, status=AnnouncementStatus.REJECTED, decided_by=by, decided_at=at, rejection_reason=reason)


def announcement_event(announcement: Announcement) -> CaseEvent:
    """What an approved announcement tells its audience: public news about its topic and place."""
    return CaseEvent(
        id=f"{announcement.id}/announcement/{announcement.id}",
        kind=EventKind.ANNOUNCEMENT,
        case_id=announcement.id,
        ref=announcement.id,
        occurred_at=announcement.decided_at or announcement.created_at,
        public=True,
        topic=announcement.topic,
        place=announcement.place,
    )


def announcement_events(old: Announcement | None, new: Announcement | None) -> list[CaseEvent]:
    """An announcement goes out once: when a write makes it approved."""
    if new is None or new.status is not AnnouncementStatus.APPROVED:
        return []
    if old is not None and old.status is AnnouncementStatus.APPROVED:
        return []
    return [announcement_event(new)]
