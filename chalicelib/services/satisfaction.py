"""The satisfaction question about a closed case (``chalicelib/domain/satisfaction.py`` has the rules).

A person answers it from the signed link in the closing e-mail (no login: the link names the case and the
person's respondent key) or on the case page (logged in: the respondent is who is logged in). Opening either
records nothing; sending the form records the answer, or changes it, until the question closes. Each answer is
one read and at most one transaction; the same answer again writes nothing.

Staff read the figures per product and month (one Query per product) and — behandelaars only — the comments of a
month with enough answers, a page at a time (one bounded Query).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.domain.cases import Case
from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.errors import ConcurrentUpdateError, SatisfactionClosedError
from chalicelib.domain.identity import Principal, Role, ensure_can_view, require_any_role, require_role
from chalicelib.domain.satisfaction import (
    COMMENT_READERS,
    COMMENTS_PAGE,
    STAFF_READERS,
    Answer,
    CommentPage,
    SatisfactionReport,
    StoredAnswer,
    cleaned,
    is_open,
    open_until,
    parse_link_subject,
    respondent_key,
    satisfaction_report,
)
from chalicelib.domain.servicenorms import SMALL_NUMBER, last_months
from chalicelib.domain.tokens import InvalidTokenError, TokenPurpose, verify
from chalicelib.domain.workdays import amsterdam_date
from chalicelib.services.ports import CaseRepository, Clock, SatisfactionStore

ATTEMPTS = 3


@dataclass(frozen=True)
class AskedQuestion:
    """The question as one person sees it: about which case, until when it is open, and what they answered."""

    case: Case
    respondent: str
    closed_on: date
    until: date
    open: bool
    stored: StoredAnswer | None

    @property
    def answer(self) -> Answer | None:
        return self.stored.answer if self.stored else None


@dataclass(frozen=True)
class Recorded:
    """What answering did: the answer as kept, and whether anything changed (False: the same answer again)."""

    question: AskedQuestion
    changed: bool


class SatisfactionSurvey:
    def __init__(
        self, store: SatisfactionStore, cases: CaseRepository, catalogue: Catalogue, clock: Clock, secret: bytes
    ) -> None:
        self._store = store
        self._cases = cases
        self._catalogue = catalogue
        self._clock = clock
        self._secret = secret

    # --- the person who is asked -------------------------------------------------------------------------------

    def by_link(self, token: str) -> AskedQuestion:
        """The question a signed link opens. InvalidTokenError for a link that is not ours, was changed or names
        nothing; SatisfactionClosedError for one of ours that expired (the question closed)."""
        try:
            verified = verify(token, self._secret, TokenPurpose.SATISFACTION, now=self._clock.now())
        except InvalidTokenError as error:
            if error.reason == "expired":
                raise SatisfactionClosedError from None
            raise
        try:
            case_id, respondent = parse_link_subject(verified.subject)
        except ValueError:
            raise InvalidTokenError("malformed") from None
        case = self._cases.get(case_id)
        return self._question(case, respondent)

    def answer_by_link(self, token: str, score: object, comment: str | None) -> Recorded:
        """Record (or change) the answer the link's person gives. ValidationError (fields ``score``,
        ``comment``), SatisfactionClosedError, or what ``by_link`` raises."""
        return self._record(self.by_link(token), score, comment)

    def for_case(self, principal: Principal, case: Case) -> AskedQuestion | None:
        """The question on the page of a case the caller just read (``CaseQueries.view``), for an applicant who
        may see it: None while the case is open, and for staff (who never see anybody's answer)."""
        if not principal.has(Role.APPLICANT) or case.closed_on is None:
            return None
        ensure_can_view(principal, case)
        return self._question(case, respondent_key(case.id, principal.subject, self._secret))

    def answer(self, principal: Principal, case_id: str, score: object, comment: str | None) -> Recorded:
        """Record (or change) the logged-in applicant's answer about their case. CaseNotFoundError for a case
        that is not theirs; SatisfactionClosedError while it is open or once the question closed."""
        require_role(principal, Role.APPLICANT, "answer_satisfaction")
        case = self._cases.get(case_id)
        question = self.for_case(principal, case)
        if question is None:
            raise SatisfactionClosedError
        return self._record(question, score, comment)

    def _question(self, case: Case, respondent: str) -> AskedQuestion:
        if case.closed_on is None:  # reopened since the link was sent
            raise SatisfactionClosedError
        today = amsterdam_date(self._clock.now())
        stored = self._store.answer(case.id, respondent)
        return AskedQuestion(case, respondent, case.closed_on, open_until(case.closed_on), is_open(case.closed_on, today), stored)

    def _record(self, question: AskedQuestion, score: object, comment: str | None) -> Recorded:
        found_score, found_comment = cleaned(score, comment)
        if not question.open:
            raise SatisfactionClosedError
        case = question.case
        month = question.closed_on.strftime("%Y-%m")
        after = Answer(case.zaaktype, month, found_score, found_comment, self._clock.now())
        stored = question.stored
        for attempt in range(1, ATTEMPTS + 1):
            if stored is not None and after.same_as(stored.answer) and stored.answer.month == month:
                return Recorded(_with(question, stored), changed=False)
            try:
                saved = self._store.save(case.id, question.respondent, stored, after)
                return Recorded(_with(question, saved), changed=True)
            except ConcurrentUpdateError:
                if attempt == ATTEMPTS:
                    raise
                stored = self._store.answer(case.id, question.respondent)
        raise AssertionError("unreachable")  # pragma: no cover

    # --- staff ---------------------------------------------------------------------------------------------------

    def reports_for(self, principal: Principal, until: date, months: int = 12) -> list[SatisfactionReport]:
        """Every product's figures, for staff (ForbiddenError for anybody else)."""
        require_any_role(principal, STAFF_READERS, "view_satisfaction")
        return self.reports(until, months)

    def report(self, zaaktype: str, until: date, months: int = 12) -> SatisfactionReport:
        """A product's last ``months`` months (one Query), small numbers hidden."""
        shown = last_months(until, months)
        return satisfaction_report(zaaktype, self._store.months(zaaktype, shown[0], shown[-1]), shown)

    def reports(self, until: date, months: int = 12) -> list[SatisfactionReport]:
        """Every product of the catalogue: one Query each."""
        return [self.report(z.identificatie, until, months) for z in self._catalogue]

    def comments(self, principal: Principal, zaaktype: str, month: str, *, after: str | None = None) -> CommentPage | None:
        """A page of the comments of the product's month, newest first, for a behandelaar (ForbiddenError for
        anybody else); None when the month has too few answers to show any (the small-number rule)."""
        require_any_role(principal, COMMENT_READERS, "read_satisfaction_comments")
        counted = self._store.months(zaaktype, month, month)
        if not counted or counted[0].answers < SMALL_NUMBER:
            return None
        return self._store.comments(zaaktype, month, limit=COMMENTS_PAGE, after=after)


def _with(question: AskedQuestion, stored: StoredAnswer) -> AskedQuestion:
    return AskedQuestion(question.case, question.respondent, question.closed_on, question.until, question.open, stored)
