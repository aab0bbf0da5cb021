"""Who is asking, and what they may see and do.

Applicants are known by a pseudonymous subject from the OIDC broker (DigiD, eHerkenning); someone acting
for another carries ``represents`` (machtigen). Employees carry roles. A BSN never appears here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.cases import Case
from chalicelib.domain.errors import CaseNotFoundError, ForbiddenError

SUBJECT_PATTERN = re.compile(r"^(?!\d{8,9}$)[A-Za-z0-9][A-Za-z0-9._:@-]{2,127}$")
"""A pseudonymous subject: letters, digits and ``._:@-``; never eight or nine digits alone (a BSN)."""


class Role(StrEnum):
    APPLICANT = "applicant"
    BEHANDELAAR = "behandelaar"
    KCC = "kcc"
    OPERATOR = "operator"


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role]
    name: str | None = None
    represents: str | None = None
    assurance: str | None = None

    @property
    def acting_for(self) -> str:
        """Whose cases this person works with: the represented party when acting for someone else."""
        return self.represents or self.subject

    def has(self, role: Role) -> bool:
        return role in self.roles


def is_valid_subject(value: str) -> bool:
    return bool(SUBJECT_PATTERN.match(value))


STAFF = frozenset({Role.BEHANDELAAR, Role.KCC})


def require_role(principal: Principal, role: Role, action: str) -> None:
    require_any_role(principal, frozenset({role}), action)


def require_any_role(principal: Principal, roles: frozenset[Role], action: str) -> None:
    if not principal.roles & roles:
        raise ForbiddenError(action)


def ensure_can_view(principal: Principal, case: Case) -> None:
    """Applicants see their own cases only; a case they may not see is reported as not found."""
    if principal.has(Role.BEHANDELAAR) or principal.has(Role.KCC):
        return
    if principal.has(Role.APPLICANT) and (principal.acting_for in case.parties or principal.subject in case.gemachtigden):
        return
    raise CaseNotFoundError(case.id)


def ensure_can_change(principal: Principal, case: Case, action: str) -> None:
    """Only the case's own behandelaar changes it; the KCC and others read at most."""
    require_role(principal, Role.BEHANDELAAR, action)
    if case.behandelaar.id != principal.subject:
        raise ForbiddenError(action)
