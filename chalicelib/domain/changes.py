"""A change of a stored item as the cases table's stream reports it: the item before and after (either may be
missing: created, or removed), read into domain objects by the stream adapter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.announcements import Announcement
from chalicelib.domain.cases import Case


@dataclass(frozen=True)
class CaseChange:
    old: Case | None
    new: Case | None
    observed_at: datetime

    @property
    def subject_id(self) -> str | None:
        case = self.new or self.old
        return case.id if case else None


@dataclass(frozen=True)
class AnnouncementChange:
    before: Announcement | None
    after: Announcement | None

    @property
    def subject_id(self) -> str | None:
        announcement = self.after or self.before
        return announcement.id if announcement else None


StoredChange = CaseChange | AnnouncementChange
