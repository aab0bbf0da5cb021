"""Questions analysed per product and onderwerp, and the veelgestelde vragen written from the analysis
(domain/question_topics.py says what is counted and how the effect of a veelgestelde vraag is measured)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain.cases import Case, Medewerker
from chalicelib.domain.catalogue import Catalogue, Zaaktype
from chalicelib.domain.identity import STAFF, Principal, Role, require_any_role, require_role
from chalicelib.domain.question_topics import (
    REPORT_WEEKS,
    Effect,
    Faq,
    FaqText,
    QuestionTopic,
    Tally,
    TopicFigures,
    effect,
    effect_windows,
    figures,
    topic_in,
    week_of,
    weeks_back,
)
from chalicelib.domain.workdays import amsterdam_date
from chalicelib.services.ports import Clock, QuestionAnalysisStore


def tally_for(zaaktype: Zaaktype, topic: str | None, when: datetime, *, answered: bool) -> tuple[QuestionTopic, Tally]:
    """The onderwerp a contact about a case of ``zaaktype`` is counted under (ValidationError on ``vraagonderwerp``
    for a code the product's list does not have), and its count: the ISO week of the Dutch day it took place."""
    chosen = topic_in(zaaktype.question_topics, topic)
    return chosen, Tally(zaaktype.identificatie, week_of(amsterdam_date(when)), chosen.code, answered)


@dataclass(frozen=True)
class FaqFigures:
    faq: Faq
    effect: Effect


@dataclass(frozen=True)
class ProductQuestions:
    """What the analysis page shows for one product."""

    zaaktype: Zaaktype
    weeks: tuple[str, ...]
    topics: tuple[TopicFigures, ...]
    faqs: dict[str, FaqFigures]  # by onderwerp

    @property
    def questions(self) -> int:
        return sum(t.questions for t in self.topics)

    @property
    def per_week(self) -> tuple[int, ...]:
        return tuple(sum(t.per_week[i] for t in self.topics) for i in range(len(self.weeks)))


class QuestionAnalysis:
    def __init__(self, catalogue: Catalogue, store: QuestionAnalysisStore, clock: Clock) -> None:
        self._catalogue = catalogue
        self._store = store
        self._clock = clock

    def _today(self) -> date:
        return amsterdam_date(self._clock.now())

    def report(self, principal: Principal, zaaktype: str) -> ProductQuestions:
        """The last ``REPORT_WEEKS`` full weeks of one product, per onderwerp, and how each veelgestelde vraag did:
        one Query for the weeks, one per veelgestelde vraag for the weeks around its publication."""
        require_any_role(principal, STAFF, "analyse_questions")
        found = self._catalogue.get(zaaktype)
        today = self._today()
        weeks = weeks_back(today, REPORT_WEEKS)
        counted = self._store.weeks(found.identificatie, weeks[0], weeks[-1])
        topics = figures(found.question_topics, weeks, counted)
        faqs = {}
        for faq in self._store.faqs(found.identificatie):
            published = amsterdam_date(faq.published_at)
            before, after = effect_windows(published, today)
            per_week = self._store.topic_weeks(found.identificatie, faq.topic, before[0], (after or before)[-1])
            faqs[faq.topic] = FaqFigures(faq, effect(published, today, per_week))
        return ProductQuestions(found, tuple(weeks), tuple(topics), faqs)

    def published(self, zaaktype: str) -> list[Faq]:
        """A product's veelgestelde vragen for everyone, in the order of the product's list of onderwerpen."""
        found = self._catalogue.get(zaaktype)
        order = {t.code: i for i, t in enumerate(found.question_topics)}
        return sorted(self._store.faqs(found.identificatie), key=lambda f: order.get(f.topic, len(order)))

    def for_case(self, case: Case) -> list[Faq]:
        return self.published(case.zaaktype)

    def faq(self, principal: Principal, zaaktype: str, topic: str) -> tuple[Zaaktype, QuestionTopic, Faq | None]:
        """The onderwerp of a product and its veelgestelde vraag if it has one, for the behandelaar to write."""
        require_role(principal, Role.BEHANDELAAR, "write_faq")
        found = self._catalogue.get(zaaktype)
        chosen = topic_in(found.question_topics, topic, "onderwerp")
        return found, chosen, self._store.faq(found.identificatie, chosen.code)

    def write(self, principal: Principal, zaaktype: str, topic: str, text: FaqText, *, read: datetime | None) -> Faq:
        """Publish or change the veelgestelde vraag on ``topic``. ``read``: when the version the behandelaar
        changed was last saved (None: there was none); someone else's save since is a ConcurrentUpdateError. It
        keeps the day it was first published, from which its effect is measured."""
        found, chosen, existing = self.faq(principal, zaaktype, topic)
        now = self._clock.now()
        faq = Faq(
            zaaktype=found.identificatie,
            topic=chosen.code,
            vraag=text.vraag,
            antwoord=text.antwoord,
            has_english=text.has_english,
            published_at=existing.published_at if existing is not None else now,
            updated_at=now,
            updated_by=Medewerker(principal.subject, principal.name or principal.subject),
        )
        self._store.save_faq(faq, expected=read)
        return faq
