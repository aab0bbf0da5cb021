"""Announcements to an audience by topic and place: write, preview the audience size per channel (numbers
only, nobody's identity), submit, and have a second behandelaar approve. Approval is a write to the cases
table; the stream handler does the rest, exactly as for a case."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.domain import announcements as rules
from chalicelib.domain.announcements import Announcement, AnnouncementStatus, announcement_event
from chalicelib.domain.cases import Link, Medewerker
from chalicelib.domain.errors import AnnouncementNotFoundError, ConcurrentUpdateError, Issue, ValidationError
from chalicelib.domain.events import Place
from chalicelib.domain.identity import Principal, Role, require_role
from chalicelib.domain.reference import ReferenceData
from chalicelib.services.fanout import FanOut
from chalicelib.services.ids import new_id
from chalicelib.services.ports import AnnouncementRepository, Clock, JobProgress

MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Draft:
    title: str
    text: str
    topic: str
    place: Place
    link: Link | None = None


@dataclass(frozen=True)
class AudiencePreview:
    """How many subscribers, and how many per channel, an announcement would reach right now."""

    subscribers: int
    by_channel: dict[str, int]
    queries: int


class Announcements:
    def __init__(
        self,
        repository: AnnouncementRepository,
        reference: ReferenceData,
        fanout: FanOut,
        clock: Clock,
        ids: Callable[[], str] = new_id,
    ) -> None:
        self._repository = repository
        self._reference = reference
        self._fanout = fanout
        self._clock = clock
        self._ids = ids

    def draft(self, principal: Principal, draft: Draft) -> Announcement:
        require_role(principal, Role.BEHANDELAAR, "draft_announcement")
        self._check(draft)
        announcement = Announcement(
            id=self._ids(),
            title=draft.title,
            text=draft.text,
            topic=draft.topic,
            place=draft.place,
            author=_medewerker(principal),
            created_at=self._clock.now(),
            link=draft.link,
        )
        return self._repository.create(announcement)

    def get(self, principal: Principal, announcement_id: str) -> Announcement:
        require_role(principal, Role.BEHANDELAAR, "read_announcement")
        return self._repository.get(announcement_id)

    def published(self, announcement_id: str) -> Announcement:
        """An announcement as anybody may read it, without logging in (the page its e-mail links to): only once
        it is approved; a draft, a submitted or a rejected one is not found, exactly like a missing one. It holds
        no personal data (its author and approver are not shown)."""
        announcement = self._repository.get(announcement_id)
        if announcement.status is not AnnouncementStatus.APPROVED:
            raise AnnouncementNotFoundError(announcement_id)
        return announcement

    def progress(self, principal: Principal, announcement_id: str) -> tuple[Announcement, JobProgress | None]:
        """The announcement and how far telling its audience is: None until it is approved and the stream has
        handled its approval."""
        require_role(principal, Role.BEHANDELAAR, "announcement_progress")
        announcement = self._repository.get(announcement_id)
        return announcement, self._fanout.progress(announcement_event(announcement).id)

    def recent(self, principal: Principal) -> list[Announcement]:
        require_role(principal, Role.BEHANDELAAR, "list_announcements")
        return self._repository.recent()

    def revise(self, principal: Principal, announcement_id: str, draft: Draft) -> Announcement:
        self._check(draft)
        by = _medewerker(principal)
        return self._change(
            principal,
            announcement_id,
            "revise_announcement",
            lambda a: rules.revise(
                a, by, title=draft.title, text=draft.text, topic=draft.topic, place=draft.place, link=draft.link
            ),
        )

    def submit(self, principal: Principal, announcement_id: str) -> Announcement:
        return self._change(
            principal,
            announcement_id,
            "submit_announcement",
            lambda a: rules.submit(a, _medewerker(principal), self._clock.now()),
        )

    def approve(self, principal: Principal, announcement_id: str) -> Announcement:
        return self._change(
            principal,
            announcement_id,
            "approve_announcement",
            lambda a: rules.approve(a, _medewerker(principal), self._clock.now()),
        )

    def reject(self, principal: Principal, announcement_id: str, reason: str) -> Announcement:
        return self._change(
            principal,
            announcement_id,
            "reject_announcement",
            lambda a: rules.reject(a, _medewerker(principal), self._clock.now(), reason),
        )

    def preview(self, principal: Principal, announcement_id: str) -> AudiencePreview:
        """Who it would reach, counted: the same matching as sending, without writing anything."""
        announcement = self.get(principal, announcement_id)
        recipients, queries = self._fanout.audience(announcement_event(announcement))
        channels: Counter[str] = Counter(channel.value for r in recipients for channel in r.channels)
        return AudiencePreview(subscribers=len(recipients), by_channel=dict(sorted(channels.items())), queries=queries)

    def _change(
        self, principal: Principal, announcement_id: str, action: str, apply: Callable[[Announcement], Announcement]
    ) -> Announcement:
        require_role(principal, Role.BEHANDELAAR, action)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            current = self._repository.get(announcement_id)
            changed = apply(current)
            if changed == current:
                return current
            try:
                return self._repository.save(changed)
            except ConcurrentUpdateError:
                if attempt == MAX_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def _check(self, draft: Draft) -> None:
        issues = []
        if self._reference.topic(draft.topic) is None:
            issues.append(Issue("topic", "unknown_topic", {"topic": draft.topic}))
        issues.extend(
            Issue(f"gemeenten.{i}", "unknown_gemeente", {"gemeente": code})
            for i, code in enumerate(draft.place.gemeenten)
            if self._reference.gemeente(code) is None
        )
        if not draft.place.gemeenten and draft.place.geometry is None:
            issues.append(Issue("gemeenten", "place_required"))
        if issues:
            raise ValidationError(issues)


def _medewerker(principal: Principal) -> Medewerker:
    return Medewerker(principal.subject, principal.name or principal.subject)
