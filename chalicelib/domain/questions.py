"""Questions an applicant asks about their own case from the case page, and the behandelaar's answer.

A question is a contact moment (Klantinteracties Klantcontact, kanaal ``portaal``) whose text the applicant sees on
their timeline as their own; it is also a task for the behandelaar, due ``ANSWER_TERM_WORKING_DAYS`` working days
after the day it was asked (the province's answer term for questions through the portal). The answer is a message
on the case, so it reaches the parties as every message does (stream, notification, berichtenbox and e-mail), and
the question is then marked answered with the answer beside it.

A question's id is derived from the case, who asks and the key of the form it came from, so the same form sent
twice (a double click, a retry) is one question. The answer's message id is derived from the question's id, so
answering twice never posts two messages.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain.cases import Medewerker
from chalicelib.domain.contacts import ContactMoment
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.workdays import add_working_days, amsterdam_date

ANSWER_TERM_WORKING_DAYS = 5
"""The province answers a question asked through the portal within 5 working days (weekends and the holidays of the
Algemene termijnenwet not counted): the term the KCC gives for e-mail and contact forms."""
MAX_QUESTION_LENGTH = 2_000  # characters of a question, and of an answer (a message holds 2,000 too)
MAX_OPEN_QUESTIONS = 10  # unanswered questions one case may have at a time: more waits for the answers
QUESTIONS_READ = 100  # questions of one case that are read and shown (one Query); the newest, when there are more
KANAAL = "portaal"
ONDERWERP = "Vraag over de zaak"
TAG = "vraag"
PORTAL = Medewerker("portaal", "Mijn Provincie")
"""Who records a question: nobody of the province took it, the portal did (Klantinteracties: a geautomatiseerde
actor)."""
FORM_KEY = re.compile(r"[0-9a-f]{32}")
"""The key a question form carries (a random UUID's hex), so that a form sent twice is one question."""


@dataclass(frozen=True)
class Answer:
    text: str
    at: datetime
    by: Medewerker
    message_id: str


@dataclass(frozen=True)
class Question:
    """``asked_by`` typed it; ``on_behalf_of`` is whose case it is about (the represented party for a
    gemachtigde). ``due``: the day the answer is due (Dutch calendar day)."""

    id: str
    case_id: str
    text: str
    asked_at: datetime
    asked_by: str
    on_behalf_of: str
    due: date
    answer: Answer | None = None
    vraagonderwerp: str | None = None  # what it is about, from the product's managed list (question_topics.py)

    @property
    def answered(self) -> bool:
        return self.answer is not None

    def overdue(self, today: date) -> bool:
        return not self.answered and today > self.due

    def as_contact_moment(self) -> ContactMoment:
        """The question as a contact moment: the applicant sees the text as theirs, staff see the same text."""
        return ContactMoment(
            id=self.id,
            case_id=self.case_id,
            kanaal=KANAAL,
            onderwerp=ONDERWERP,
            inhoud=self.text,
            plaatsgevonden_op=self.asked_at,
            medewerker=PORTAL,
            vertrouwelijk=False,
            tags=(TAG,),
            for_applicant=self.text,
            contact_gelukt=False,  # a question through the portal waits for the behandelaar's answer
            vraagonderwerp=self.vraagonderwerp,
        )


def answer_due(asked_at: datetime) -> date:
    """The day the answer to a question asked at ``asked_at`` is due."""
    return add_working_days(amsterdam_date(asked_at), ANSWER_TERM_WORKING_DAYS)


def clean_text(text: str | None, field: str = "text") -> str:
    """The question or answer as kept: without whitespace around it; empty or too long is a ValidationError on
    ``field``. Line breaks are kept; other control characters are refused."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise ValidationError.single(field, "required")
    if len(cleaned) > MAX_QUESTION_LENGTH:
        raise ValidationError.single(field, "too_long", max=MAX_QUESTION_LENGTH)
    if any(ord(c) < 32 and c not in "\n\r\t" for c in cleaned) or "\x7f" in cleaned:
        raise ValidationError.single(field, "control_characters")
    return cleaned.replace("\r\n", "\n")


def question_id(case_id: str, asked_by: str, form_key: str) -> str:
    """The id of the question the form with ``form_key`` asks: the same form sent again gives the same id. A key
    that is no form's is a ValidationError on ``key`` (the form is then out of date)."""
    if not FORM_KEY.fullmatch(form_key):
        raise ValidationError.single("key", "form_out_of_date")
    return _derived("question", case_id, asked_by, form_key)


def answer_message_id(question: str) -> str:
    """The id of the message that answers ``question``: one answer, one message."""
    return _derived("answer", question)


def _derived(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))
