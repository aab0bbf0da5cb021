"""The letters a party of a case was sent (the non-digital channel), to read again and download from the case
page: the letter as it went to the print-and-post partner, made again from its notification (the same templates
and the same case as when it was sent; a letter is information-lean, like the berichtenbox message it repeats)."""

from __future__ import annotations

from chalicelib.domain.cases import Case
from chalicelib.domain.errors import CaseNotFoundError
from chalicelib.domain.identity import Principal, Role, ensure_can_view, require_role
from chalicelib.domain.notifications import Notification, NotificationStatus
from chalicelib.domain.subscriptions import Channel
from chalicelib.services.composer import MessageComposer
from chalicelib.services.ports import CaseRepository, NotificationOutbox, RenderedPortalMessage

LETTERS_READ = 100  # notifications to a case's parties looked through for letters (one Query); the newest
SENT = frozenset({NotificationStatus.DELIVERED})  # handed to the print-and-post partner


def _is_letter_to(notification: Notification, case_id: str, subject: str) -> bool:
    return (
        notification.channel is Channel.LETTER
        and notification.case_id == case_id
        and notification.subscriber_id == subject
        and notification.status in SENT
    )


class CaseLetters:
    def __init__(self, cases: CaseRepository, outbox: NotificationOutbox, composer: MessageComposer) -> None:
        self._cases = cases
        self._outbox = outbox
        self._composer = composer

    def of_case(self, principal: Principal, case: Case) -> list[Notification]:
        """The letters sent to the person (or whom they act for) about a case they just read, newest first."""
        require_role(principal, Role.APPLICANT, "view_letters")
        ensure_can_view(principal, case)
        found = self._outbox.to_parties(case.id, limit=LETTERS_READ)
        return [n for n in found if _is_letter_to(n, case.id, principal.acting_for)]

    def letter(self, principal: Principal, case_id: str, notification_id: str) -> tuple[Notification, RenderedPortalMessage]:
        """One of those letters, as it was written. Anybody else's, or no letter, is not found (the same answer)."""
        require_role(principal, Role.APPLICANT, "download_letter")
        case = self._cases.get(case_id)
        ensure_can_view(principal, case)
        notification = self._outbox.get(notification_id)
        if notification is None or not _is_letter_to(notification, case.id, principal.acting_for):
            raise CaseNotFoundError(case_id)
        return notification, self._composer.letter(self._composer.compose(notification))
