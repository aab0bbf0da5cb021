"""Satisfaction measured: when a case closes, each of its parties (and whoever acts for them) is asked one
question — how satisfied, 1 to 5, with an optional comment — in the closing message and on the case page.

* **One answer per person per case.** It is kept under the case and a keyed hash of the person's pseudonymous
  subject (``respondent_key``), so a change replaces it. It may be changed until ``ANSWER_WINDOW_DAYS`` days
  after the day the case closed (``open_until``); after that the question is closed.
* **Counted per product and month.** The month is the month the case closed (the month its servicenorm figures
  count it for), so a change never moves an answer to another month. A month keeps the count per score; the
  number of answers, the mean and the share of 4 and 5 ("tevreden") follow from it. A change takes the old
  score out and puts the new one in; the same answer again changes nothing (``counted_change``).
* **Anonymous in every report.** A report carries no case, no person and no moment: counts per product and
  month, and the comments of a product and month, each with its score and nothing else.
* **Small numbers.** A month with fewer than ``SMALL_NUMBER`` answers (the threshold of the servicenorm figures)
  shows "te weinig antwoorden": no breakdown, no mean, no share, and none of its comments, so no figure and no
  comment can be traced to one or two people.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.identity import Role
from chalicelib.domain.servicenorms import SMALL_NUMBER
from chalicelib.domain.tokens import KeyRing
from chalicelib.domain.workdays import AMSTERDAM

SCORES = (1, 2, 3, 4, 5)
SATISFIED = frozenset({4, 5})
MAX_COMMENT_LENGTH = 1_000
ANSWER_WINDOW_DAYS = 30
COMMENT_READERS = frozenset({Role.BEHANDELAAR})
"""Who reads the comments: behandelaars, who handle the cases and can act on what applicants say. The KCC sees the
figures, not the comments (a comment may tell details only the handling of a case needs); applicants and anybody
else see neither."""
STAFF_READERS = frozenset({Role.BEHANDELAAR, Role.KCC})
"""Who sees the figures per product and month: staff."""
COMMENTS_PAGE = 20  # comments shown on one page of the staff page (one bounded Query)
COMMENT_KEY = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{12}$")
"""A comment's place among its month's: when it was written (newest first), and a random part (never who)."""


@dataclass(frozen=True)
class Answer:
    """What one person answered about one case: ``zaaktype`` and ``month`` (YYYY-MM the case closed) say where
    it counts."""

    zaaktype: str
    month: str
    score: int
    comment: str | None
    answered_at: datetime

    def same_as(self, other: Answer | None) -> bool:
        """The same answer (score and comment), whenever it was given."""
        return other is not None and (self.score, self.comment) == (other.score, other.comment)


@dataclass(frozen=True)
class StoredAnswer:
    """An answer as kept: its ``version`` (1 for the first answer, one more for each change) makes a change
    conditional on what was read; ``comment_key`` names its comment in the product's month, when it has one."""

    answer: Answer
    version: int
    comment_key: str | None = None


def clean_score(value: object, field_name: str = "score") -> int:
    """A score of 1 to 5 as given by a form (text) or a program; a ValidationError on ``field_name`` otherwise."""
    text = str(value).strip() if value is not None else ""
    if not text:
        raise ValidationError.single(field_name, "required")
    if text not in {str(score) for score in SCORES}:
        raise ValidationError.single(field_name, "not_a_choice")
    return int(text)


def clean_comment(text: str | None, field_name: str = "comment") -> str | None:
    """The comment as kept: without whitespace around it, None when empty; too long or with control characters
    is a ValidationError on ``field_name``. Line breaks are kept."""
    cleaned = (text or "").strip().replace("\r\n", "\n")
    if not cleaned:
        return None
    if len(cleaned) > MAX_COMMENT_LENGTH:
        raise ValidationError.single(field_name, "too_long", max=MAX_COMMENT_LENGTH)
    if any(ord(c) < 32 and c not in "\n\t" for c in cleaned) or "\x7f" in cleaned:
        raise ValidationError.single(field_name, "control_characters")
    return cleaned


def cleaned(score: object, comment: str | None) -> tuple[int, str | None]:
    """Score and comment checked together: every problem at once."""
    issues = []
    found_score: int | None = None
    found_comment: str | None = None
    try:
        found_score = clean_score(score)
    except ValidationError as error:
        issues.extend(error.issues)
    try:
        found_comment = clean_comment(comment)
    except ValidationError as error:
        issues.extend(error.issues)
    if issues or found_score is None:
        raise ValidationError(issues)
    return found_score, found_comment


def open_until(closed_on: date) -> date:
    """The last day an answer about a case closed on ``closed_on`` may be given or changed."""
    return closed_on + timedelta(days=ANSWER_WINDOW_DAYS)


def is_open(closed_on: date | None, today: date) -> bool:
    """Whether the question about a case closed on ``closed_on`` may be answered ``today`` (Dutch calendar day);
    never for a case that is not closed."""
    return closed_on is not None and today <= open_until(closed_on)


def link_expires(closed_on: date) -> datetime:
    """When a link to the question stops working: the end of the last day it is open, in the Netherlands."""
    return datetime.combine(open_until(closed_on) + timedelta(days=1), time(0), tzinfo=AMSTERDAM)


def respondent_key(case_id: str, subject: str, secret: bytes) -> str:
    """Who answered, as kept: a keyed hash of the case and the person's pseudonymous subject. The same person
    gives the same key for the same case only; the subject cannot be read back from it, and the keys of one
    person's cases cannot be linked. Keyed with the fingerprint key, which never rotates (it is stored)."""
    key = secret.fingerprint_key if isinstance(secret, KeyRing) else secret
    return hmac.new(key, f"satisfaction:{case_id}:{subject}".encode(), hashlib.sha256).hexdigest()[:32]


def link_subject(case_id: str, respondent: str) -> str:
    """What a signed link to the question names: the case and the respondent key (never the subject)."""
    return f"{case_id}/{respondent}"


def parse_link_subject(subject: str) -> tuple[str, str]:
    """The case and the respondent key a link names; ValueError when it names something else."""
    case_id, separator, respondent = subject.partition("/")
    if not separator or not case_id or len(respondent) != 32 or not all(c in "0123456789abcdef" for c in respondent):
        raise ValueError("not a satisfaction link")
    return case_id, respondent


@dataclass(frozen=True)
class MonthScores:
    """One product's answers of one month, as kept: how many gave each score, and how many left a comment."""

    zaaktype: str
    month: str
    counts: Mapping[int, int] = field(default_factory=dict)
    comments: int = 0

    @property
    def answers(self) -> int:
        return sum(self.counts.values())

    def count(self, score: int) -> int:
        return self.counts.get(score, 0)

    def plus(self, answer: Answer, sign: int = 1) -> MonthScores:
        counts = dict(self.counts)
        counts[answer.score] = counts.get(answer.score, 0) + sign
        return replace(
            self,
            counts={s: n for s, n in counts.items() if n},
            comments=self.comments + (sign if answer.comment else 0),
        )

    def merged(self, other: MonthScores) -> MonthScores:
        counts = dict(self.counts)
        for score, n in other.counts.items():
            counts[score] = counts.get(score, 0) + n
        return replace(self, counts={s: n for s, n in counts.items() if n}, comments=self.comments + other.comments)


def counted_change(before: Answer | None, after: Answer) -> list[tuple[Answer, int]]:
    """What to take out of (-1) and put into (+1) the month counts when a person's answer ``before`` becomes
    ``after``: nothing when it is the same answer."""
    if after.same_as(before) and before is not None and (before.zaaktype, before.month) == (after.zaaktype, after.month):
        return []
    return [*([(before, -1)] if before else []), (after, 1)]


def tally(zaaktype: str, month: str, answers: Iterable[Answer]) -> MonthScores:
    """A month's counts recomputed from its answers (what keeping them answer by answer must give)."""
    figures = MonthScores(zaaktype, month)
    for answer in answers:
        if (answer.zaaktype, answer.month) == (zaaktype, month):
            figures = figures.plus(answer)
    return figures


@dataclass(frozen=True)
class PublishedScores:
    """A month (or a total) as a report shows it: None everywhere when there were too few answers."""

    period: str  # YYYY-MM, or "YYYY-MM/YYYY-MM" for a total
    answers: int | None
    mean: float | None
    share_satisfied: float | None
    per_score: tuple[int, ...] | None  # how many gave 1, 2, 3, 4, 5
    comments: int | None
    too_few: bool


def published_scores(figures: MonthScores, period: str, threshold: int = SMALL_NUMBER) -> PublishedScores:
    answers = figures.answers
    if answers < threshold or answers <= 0:
        return PublishedScores(period, None, None, None, None, None, too_few=True)
    total = sum(score * n for score, n in figures.counts.items())
    satisfied = sum(n for score, n in figures.counts.items() if score in SATISFIED)
    return PublishedScores(
        period=period,
        answers=answers,
        mean=round(total / answers, 1),
        share_satisfied=round(satisfied / answers, 3),
        per_score=tuple(figures.count(score) for score in SCORES),
        comments=figures.comments,
        too_few=False,
    )


@dataclass(frozen=True)
class SatisfactionReport:
    """A product's last months as shown, and their total."""

    zaaktype: str
    months: tuple[PublishedScores, ...]
    total: PublishedScores

    def month(self, month: str) -> PublishedScores | None:
        return next((p for p in self.months if p.period == month), None)


def satisfaction_report(
    zaaktype: str, figures: Iterable[MonthScores], months: Sequence[str], threshold: int = SMALL_NUMBER
) -> SatisfactionReport:
    by_month = {f.month: f for f in figures if f.zaaktype == zaaktype}
    total = MonthScores(zaaktype, "")
    shown = []
    for month in months:
        found = by_month.get(month, MonthScores(zaaktype, month))
        total = total.merged(found)
        shown.append(published_scores(found, month, threshold))
    return SatisfactionReport(zaaktype, tuple(shown), published_scores(total, f"{months[0]}/{months[-1]}", threshold))


def comment_key(answered_at: datetime, unique: str) -> str:
    """Where a comment written at ``answered_at`` sorts among its month's; ``unique``: random hex, at least 12."""
    return f"{answered_at.astimezone(UTC):%Y%m%dT%H%M%S%f}Z-{unique[:12]}"


@dataclass(frozen=True)
class Comment:
    """A comment as staff read it: the score beside it and the text, nothing about who or which case."""

    score: int
    text: str


@dataclass(frozen=True)
class CommentPage:
    """A page of a month's comments, newest first; ``next`` continues after the last one (None: no more)."""

    comments: tuple[Comment, ...]
    next: str | None = None
