"""The questions counted per product, week and onderwerp, and the veelgestelde vragen (``QuestionAnalysisStore``), in
the case-index table: ``questions#<zaaktype>`` (the counters, written with each contact moment by
``repositories.DynamoDBContacts``) and ``faq#<zaaktype>`` / ``topic#<onderwerp>``."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.adapters.dynamodb.models import FaqRecord, QuestionTallyRecord
from chalicelib.domain.cases import Medewerker
from chalicelib.domain.errors import ConcurrentUpdateError
from chalicelib.domain.language import Localized
from chalicelib.domain.question_topics import Faq, WeekCount
from chalicelib.services.ports import QuestionAnalysisStore

PAGE = 500  # counters read per page of a Query: 12 weeks of 40 onderwerpen fit in one


def _faq(record: FaqRecord) -> Faq:
    english = record.vraag_en is not None and record.antwoord_en is not None
    return Faq(
        zaaktype=record.zaaktype,
        topic=record.topic,
        vraag=Localized(record.vraag_nl, record.vraag_en or record.vraag_nl),
        antwoord=Localized(record.antwoord_nl, record.antwoord_en or record.antwoord_nl),
        has_english=english,
        published_at=record.published_at,
        updated_at=record.updated_at,
        updated_by=Medewerker(record.updated_by_id, record.updated_by_naam),
    )


class DynamoDBQuestionAnalysis(QuestionAnalysisStore):
    def weeks(self, zaaktype: str, first: str, last: str) -> list[WeekCount]:
        records = QuestionTallyRecord.query(
            f"questions#{zaaktype}", QuestionTallyRecord.sk.between(f"week#{first}#", f"week#{last}#\uffff"), page_size=PAGE
        )
        return [WeekCount(r.week or "", r.topic or "", int(r.questions or 0), int(r.answered or 0)) for r in records]

    def topic_weeks(self, zaaktype: str, topic: str, first: str, last: str) -> dict[str, int]:
        records = QuestionTallyRecord.query(
            f"questions#{zaaktype}",
            QuestionTallyRecord.sk.between(f"topic#{topic}#{first}", f"topic#{topic}#{last}"),
            page_size=PAGE,
        )
        return {r.week or "": int(r.questions or 0) for r in records}

    def faqs(self, zaaktype: str) -> list[Faq]:
        return [_faq(r) for r in FaqRecord.query(f"faq#{zaaktype}", FaqRecord.sk.startswith("topic#"))]

    def faq(self, zaaktype: str, topic: str) -> Faq | None:
        try:
            return _faq(FaqRecord.get(f"faq#{zaaktype}", f"topic#{topic}", consistent_read=True))
        except DoesNotExist:
            return None

    def save_faq(self, faq: Faq, *, expected: datetime | None) -> None:
        record = FaqRecord(
            pk=f"faq#{faq.zaaktype}",
            sk=f"topic#{faq.topic}",
            zaaktype=faq.zaaktype,
            topic=faq.topic,
            vraag_nl=faq.vraag.nl,
            antwoord_nl=faq.antwoord.nl,
            vraag_en=faq.vraag.en if faq.has_english else None,
            antwoord_en=faq.antwoord.en if faq.has_english else None,
            published_at=faq.published_at,
            updated_at=faq.updated_at,
            updated_by_id=faq.updated_by.id,
            updated_by_naam=faq.updated_by.naam,
        )
        condition = FaqRecord.sk.does_not_exist() if expected is None else FaqRecord.updated_at == expected
        try:
            record.save(condition=condition)
        except PutError as error:
            if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
                raise ConcurrentUpdateError(f"faq#{faq.zaaktype}#{faq.topic}") from None
            raise
