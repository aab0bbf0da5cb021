"""Domain errors. Each has a stable machine ``code``; the HTTP layer maps codes to status codes and texts.

Parameters are kept apart from the message so that the texts shown to people (Dutch and English) live in
one place and never contain personal data by accident.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar


class DomainError(Exception):
    """Base class: something the caller asked for breaks a rule of the domain."""

    code: ClassVar[str] = "domain_error"

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(f"{self.code} {params}" if params else self.code)


@dataclass(frozen=True)
class Issue:
    """One problem with one input field: ``field`` is a dotted path such as ``documents.0.omschrijving``."""

    field: str
    code: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


class ValidationError(DomainError):
    code = "invalid"

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__(fields=[issue.field for issue in issues])

    @classmethod
    def single(cls, field_name: str, code: str, **params: Any) -> ValidationError:
        return cls([Issue(field_name, code, params)])


class InvalidDurationError(DomainError):
    code = "invalid_duration"

    def __init__(self, text: object) -> None:
        super().__init__(value=str(text)[:40])


class CatalogueError(DomainError):
    """The zaaktypen data file is inconsistent: a deployment error, never a caller error."""

    code = "catalogue_invalid"

    def __init__(self, problem: str) -> None:
        super().__init__(problem=problem)


class UnknownZaaktypeError(DomainError):
    code = "unknown_zaaktype"

    def __init__(self, zaaktype: str) -> None:
        super().__init__(zaaktype=zaaktype)


class UnknownStatustypeError(DomainError):
    code = "unknown_statustype"

    def __init__(self, zaaktype: str, statustype: str) -> None:
        super().__init__(zaaktype=zaaktype, statustype=statustype)


class CaseNotFoundError(DomainError):
    """Also raised when a case exists but the caller may not see it: the two must look the same."""

    code = "case_not_found"

    def __init__(self, case_id: str) -> None:
        super().__init__(case_id=case_id)


class AnnouncementNotFoundError(DomainError):
    code = "announcement_not_found"

    def __init__(self, announcement_id: str) -> None:
        super().__init__(announcement_id=announcement_id)


class SubscriptionNotFoundError(DomainError):
    """Also for a subscription that belongs to somebody else."""

    code = "subscription_not_found"

    def __init__(self, subscription_id: str) -> None:
        super().__init__(subscription_id=subscription_id)


class DocumentRequestNotFoundError(DomainError):
    code = "document_request_not_found"

    def __init__(self, document_id: str) -> None:
        super().__init__(document_id=document_id)


class BerichtenboxMessageNotFoundError(DomainError):
    code = "berichtenbox_message_not_found"

    def __init__(self, message_id: str) -> None:
        super().__init__(message_id=message_id)


class QuestionNotFoundError(DomainError):
    code = "question_not_found"

    def __init__(self, question_id: str) -> None:
        super().__init__(question_id=question_id)


class CaseRuleError(DomainError):
    """A command that is well-formed but not allowed in the case's current state (HTTP 409)."""

    code = "case_rule"

    def __init__(self, rule: str, **params: Any) -> None:
        self.rule = rule
        super().__init__(rule=rule, **params)


class SatisfactionClosedError(CaseRuleError):
    """The satisfaction question about a case cannot be answered (any more): the case is not closed, or it closed
    longer ago than answers may be given or changed."""

    def __init__(self) -> None:
        super().__init__("satisfaction_closed")


class ConcurrentUpdateError(DomainError):
    """Somebody else changed the case in between; reload and try again. ``conflict`` names what collided:
    ``case`` (the case itself changed since it was read), ``transaction`` (other writes to the same items at
    the same moment, still there after retrying), ``case_number`` (numbers kept being taken by others) or
    ``rate_limit`` (the rate-limit window kept being written by others at the same moment)."""

    code = "concurrent_update"
    CONFLICTS = ("case", "transaction", "case_number", "rate_limit")

    def __init__(self, case_id: str, conflict: str = "case") -> None:
        if conflict not in self.CONFLICTS:
            raise ValueError(conflict)
        self.conflict = conflict
        super().__init__(case_id=case_id, conflict=conflict)


class CaseNumberTakenError(DomainError):
    """A new case's number is taken already (by a case written by another writer, e.g. an import): the case
    is not stored; register it with the next number."""

    code = "case_number_taken"

    def __init__(self, case_number: str) -> None:
        self.case_number = case_number
        super().__init__(case_number=case_number)


class TooManyRequestsError(DomainError):
    """Slow down: try again after ``retry_after`` seconds (HTTP 429 with Retry-After)."""

    code = "too_many_requests"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(retry_after=retry_after)


class AuthenticationError(DomainError):
    """No valid token: missing, malformed, badly signed, expired, or for another audience."""

    code = "unauthenticated"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason=reason)


class ForbiddenError(DomainError):
    """Authenticated, but this role may not do this."""

    code = "forbidden"

    def __init__(self, action: str) -> None:
        super().__init__(action=action)
