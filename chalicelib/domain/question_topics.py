"""Questions counted by onderwerp, and the veelgestelde vragen written from those counts.

The province prevents questions by answering them before they are asked: "Vragen worden hiertoe geregistreerd en
geanalyseerd. Vaak voorkomende vragen worden verwerkt in informatie op de website." Every contact moment the KCC
records and every question an applicant asks through the portal carries an onderwerp from a managed list: the
onderwerpen every product shares (``COMMON_TOPICS``) followed by the product's own (``vraagonderwerpen`` in
Baken's catalogue, ``chalicelib/data/zaaktypen.json``). A contact recorded without one counts under ``OTHER``.

Counting is per product, ISO week (of the Dutch calendar day the contact took place) and onderwerp: how many came
in and how many were answered at the first contact (Klantinteracties ``indicatieContactGelukt``; a question through
the portal waits for the behandelaar, so it never is). The counts are kept as counters, written in the same
transaction as the contact moment itself, so a contact is counted exactly once and reading a product's last twelve
weeks is one Query however many questions came in.

A behandelaar who sees an onderwerp come back writes a veelgestelde vraag (``Faq``) for it: the question and the
answer, in Dutch and optionally English. It shows on the product's public page and on the case pages of that
product. Whether it prevented questions is measured as the average per week in the ``WINDOW_WEEKS`` full weeks
before the week it was first published and in the full weeks after it (up to ``WINDOW_WEEKS``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import CatalogueError, ValidationError
from chalicelib.domain.language import Language, Localized

if TYPE_CHECKING:
    from chalicelib.domain.cases import Medewerker

OTHER = "overig"
CODE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
"""An onderwerp's code: lower-case letters, digits and hyphens, at most 40 characters."""
REPORT_WEEKS = 12  # the weeks the analysis page shows
TREND_WEEKS = 4  # the trend compares the last 4 full weeks with the 4 before them
WINDOW_WEEKS = 8  # the weeks before and after a veelgestelde vraag's publication that measure its effect
FAQ_QUESTION_MAX = 200
FAQ_ANSWER_MAX = 2_000


@dataclass(frozen=True)
class QuestionTopic:
    code: str
    naam: Localized


COMMON_TOPICS = (
    QuestionTopic("stand-van-zaken", Localized("Hoe staat mijn zaak ervoor?", "How is my case going?")),
    QuestionTopic("termijn", Localized("Wanneer krijg ik een besluit?", "When will I get a decision?")),
    QuestionTopic("documenten", Localized("Documenten sturen", "Sending documents")),
    QuestionTopic(OTHER, Localized("Iets anders", "Something else")),
)


def topics_from_data(data: Any, where: str) -> tuple[QuestionTopic, ...]:
    """A product's own onderwerpen from Baken's catalogue (``vraagonderwerpen``: a list of ``{code, naam}``);
    CatalogueError naming what is wrong. A code may not repeat, nor be one of the shared ones."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise CatalogueError(f"{where}: vraagonderwerpen must be a list")
    shared = {t.code for t in COMMON_TOPICS}
    topics: list[QuestionTopic] = []
    for index, item in enumerate(data):
        here = f"{where}.vraagonderwerpen[{index}]"
        code = item.get("code") if isinstance(item, Mapping) else None
        if not isinstance(code, str) or not CODE.fullmatch(code):
            raise CatalogueError(f"{here}: code must be lower-case letters, digits and hyphens")
        if code in shared or code in {t.code for t in topics}:
            raise CatalogueError(f"{here}: code {code!r} is used twice")
        topics.append(QuestionTopic(code, Localized.from_data(item.get("naam"), f"{here}.naam")))
    return tuple(topics)


def topics_to_data(topics: Iterable[QuestionTopic]) -> list[dict[str, Any]]:
    return [{"code": t.code, "naam": t.naam.as_dict()} for t in topics]


def all_topics(own: Sequence[QuestionTopic]) -> tuple[QuestionTopic, ...]:
    """A product's managed list as forms offer it: its own onderwerpen first, then the shared ones ("Iets anders"
    last)."""
    return (*own, *COMMON_TOPICS)


def topic_in(topics: Sequence[QuestionTopic], code: str | None, field: str = "vraagonderwerp") -> QuestionTopic:
    """The onderwerp with ``code`` in a product's list; ``OTHER`` when none is given; ValidationError on ``field``
    for a code the list does not have."""
    wanted = (code or "").strip() or OTHER
    for topic in topics:
        if topic.code == wanted:
            return topic
    raise ValidationError.single(field, "unknown_question_topic")


# Weeks ------------------------------------------------------------------------------------------------------


def week_of(day: date) -> str:
    """The ISO week a day is in, as ``2026-W49``: sorts in time order, also across years."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def weeks_back(today: date, count: int) -> list[str]:
    """The ``count`` full weeks before the week of ``today``, oldest first."""
    monday = today - timedelta(days=today.weekday())
    return [week_of(monday - timedelta(weeks=n)) for n in range(count, 0, -1)]


@dataclass(frozen=True)
class Tally:
    """One question to count: for ``zaaktype``, in ``week``, on ``topic``; ``answered`` at the first contact."""

    zaaktype: str
    week: str
    topic: str
    answered: bool


@dataclass(frozen=True)
class WeekCount:
    week: str
    topic: str
    questions: int
    answered: int


class Trend(StrEnum):
    UP = "up"
    DOWN = "down"
    SAME = "same"
    NONE = "none"  # nothing in either period


@dataclass(frozen=True)
class TopicFigures:
    topic: QuestionTopic
    per_week: tuple[int, ...]  # the report's weeks, oldest first
    questions: int
    answered: int
    trend: Trend

    @property
    def answered_share(self) -> float | None:
        return None if not self.questions else self.answered / self.questions


def trend(per_week: Sequence[int]) -> Trend:
    """The last ``TREND_WEEKS`` weeks against the ``TREND_WEEKS`` before them. A change of less than a fifth (or
    of one question) is no change: small numbers move by chance."""
    recent = sum(per_week[-TREND_WEEKS:])
    before = sum(per_week[-2 * TREND_WEEKS : -TREND_WEEKS])
    if not recent and not before:
        return Trend.NONE
    if abs(recent - before) <= max(1, before // 5):
        return Trend.SAME
    return Trend.UP if recent > before else Trend.DOWN


def figures(topics: Sequence[QuestionTopic], weeks: Sequence[str], counts: Iterable[WeekCount]) -> list[TopicFigures]:
    """Per onderwerp of the product's list (and any other code counted, e.g. one taken off the list since), its
    counts over ``weeks``; most asked first, then in the list's order."""
    by: dict[tuple[str, str], WeekCount] = {(c.topic, c.week): c for c in counts}
    known = list(topics) + [
        QuestionTopic(code, Localized(code, code)) for code in sorted({topic for topic, _ in by} - {t.code for t in topics})
    ]
    result = []
    for topic in known:
        row = [by.get((topic.code, week)) for week in weeks]
        per_week = tuple(c.questions if c else 0 for c in row)
        result.append(
            TopicFigures(
                topic=topic,
                per_week=per_week,
                questions=sum(per_week),
                answered=sum(c.answered for c in row if c),
                trend=trend(per_week),
            )
        )
    order = {t.code: i for i, t in enumerate(known)}
    return sorted(result, key=lambda f: (-f.questions, order[f.topic.code]))


# Veelgestelde vragen ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Faq:
    """A veelgestelde vraag for ``zaaktype`` on ``topic``. ``published_at`` is when it was first published (its
    effect is measured from that week); ``updated_at`` when it last changed. English is optional: without it the
    English pages show the Dutch text, marked as Dutch."""

    zaaktype: str
    topic: str
    vraag: Localized
    antwoord: Localized
    has_english: bool
    published_at: datetime
    updated_at: datetime
    updated_by: Medewerker

    def question_in(self, language: Language) -> str:
        return self.vraag.in_(language) if self.has_english else self.vraag.nl

    def answer_in(self, language: Language) -> str:
        return self.antwoord.in_(language) if self.has_english else self.antwoord.nl

    def text_language(self, language: Language) -> Language:
        """The language its text is shown in on a page in ``language``."""
        return language if self.has_english else Language.NL


def _clean(text: str | None, field: str, maximum: int, *, required: bool) -> str:
    cleaned = (text or "").strip().replace("\r\n", "\n")
    if not cleaned:
        if required:
            raise ValidationError.single(field, "required")
        return ""
    if len(cleaned) > maximum:
        raise ValidationError.single(field, "too_long", max=maximum)
    if any(ord(c) < 32 and c not in "\n\t" for c in cleaned) or "\x7f" in cleaned:
        raise ValidationError.single(field, "control_characters")
    return cleaned


@dataclass(frozen=True)
class FaqText:
    vraag: Localized
    antwoord: Localized
    has_english: bool


def clean_faq(vraag_nl: str | None, antwoord_nl: str | None, vraag_en: str | None, antwoord_en: str | None) -> FaqText:
    """The texts as kept. Dutch is required; English is both or neither (ValidationError naming each field)."""
    issues = []
    values: dict[str, str] = {}
    for field, text, maximum, required in (
        ("vraag_nl", vraag_nl, FAQ_QUESTION_MAX, True),
        ("antwoord_nl", antwoord_nl, FAQ_ANSWER_MAX, True),
        ("vraag_en", vraag_en, FAQ_QUESTION_MAX, False),
        ("antwoord_en", antwoord_en, FAQ_ANSWER_MAX, False),
    ):
        try:
            values[field] = _clean(text, field, maximum, required=required)
        except ValidationError as error:
            issues.extend(error.issues)
    if not issues and bool(values["vraag_en"]) != bool(values["antwoord_en"]):
        missing = "antwoord_en" if values["vraag_en"] else "vraag_en"
        raise ValidationError.single(missing, "required_with_english")
    if issues:
        raise ValidationError(issues)
    english = bool(values["vraag_en"])
    return FaqText(
        vraag=Localized(values["vraag_nl"], values["vraag_en"] or values["vraag_nl"]),
        antwoord=Localized(values["antwoord_nl"], values["antwoord_en"] or values["antwoord_nl"]),
        has_english=english,
    )


@dataclass(frozen=True)
class Effect:
    """Questions on a topic per week before and after its veelgestelde vraag was published. ``after`` is None until
    one full week has passed since the week of publication."""

    weeks_before: int
    before: float
    weeks_after: int
    after: float | None


def effect_windows(published: date, today: date) -> tuple[list[str], list[str]]:
    """The full weeks before the week of ``published`` (``WINDOW_WEEKS``) and the full weeks after it, before the
    week of ``today`` (at most ``WINDOW_WEEKS``)."""
    start = published - timedelta(days=published.weekday())
    before = [week_of(start - timedelta(weeks=n)) for n in range(WINDOW_WEEKS, 0, -1)]
    this_week = today - timedelta(days=today.weekday())
    after = []
    for n in range(1, WINDOW_WEEKS + 1):
        monday = start + timedelta(weeks=n)
        if monday >= this_week:
            break
        after.append(week_of(monday))
    return before, after


def effect(published: date, today: date, per_week: Mapping[str, int]) -> Effect:
    before, after = effect_windows(published, today)
    return Effect(
        weeks_before=len(before),
        before=sum(per_week.get(w, 0) for w in before) / len(before),
        weeks_after=len(after),
        after=sum(per_week.get(w, 0) for w in after) / len(after) if after else None,
    )
