"""Questions about a case: a party of the case (or whoever acts for them) asks one from the case page; the
case's behandelaar answers it with a message to the parties, which the stream tells them about like any message;
the KCC sees the questions and their answers. See ``chalicelib/domain/questions.py`` for the rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from chalicelib.domain.cases import Case, Medewerker
from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.errors import CaseRuleError, QuestionNotFoundError, TooManyRequestsError
from chalicelib.domain.identity import STAFF, Principal, Role, ensure_can_view, require_any_role, require_role
from chalicelib.domain.questions import (
    MAX_OPEN_QUESTIONS,
    QUESTIONS_READ,
    Answer,
    Question,
    answer_due,
    answer_message_id,
    clean_text,
    question_id,
)
from chalicelib.services.case_commands import CaseCommands
from chalicelib.services.ports import CaseRepository, Clock, ContactMomentStore, RateLimiter
from chalicelib.services.question_topics import tally_for

PER_PERSON = (10, timedelta(hours=1))  # questions one person asks in an hour, over all their cases


class QuestionDesk:
    def __init__(
        self,
        cases: CaseRepository,
        contacts: ContactMomentStore,
        catalogue: Catalogue,
        commands: CaseCommands,
        clock: Clock,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._cases = cases
        self._contacts = contacts
        self._catalogue = catalogue
        self._commands = commands
        self._clock = clock
        self._limiter = limiter

    def ask(self, principal: Principal, case_id: str, text: str, form_key: str, topic: str | None = None) -> Question:
        """Record a question about the case, due ``ANSWER_TERM_WORKING_DAYS`` working days from today. The same
        form sent again (its ``form_key``) is the same question: nothing new is stored and the stored one is given.
        Whoever is not a party of the case (or acting for one) finds no case. At most ``MAX_OPEN_QUESTIONS`` wait
        for an answer on one case, and one person asks at most ``PER_PERSON``. ``topic``: what it is about, from the
        product's list of onderwerpen (ValidationError on ``vraagonderwerp`` for a code it does not have); it is
        counted under it, once, with the question."""
        require_role(principal, Role.APPLICANT, "ask_question")
        cleaned = clean_text(text)
        asked = question_id(case_id, principal.subject, form_key)
        case = self._cases.get(case_id)
        ensure_can_view(principal, case)
        stored = self._contacts.question(case.id, asked)
        if stored is None:
            waiting = [q for q in self._contacts.questions(case.id, limit=QUESTIONS_READ) if not q.answered]
            if len(waiting) >= MAX_OPEN_QUESTIONS:
                raise CaseRuleError("too_many_open_questions", maximum=MAX_OPEN_QUESTIONS)
            self._throttle(principal)
            now = self._clock.now()
            chosen, tally = tally_for(self._catalogue.get(case.zaaktype), topic, now, answered=False)
            new = Question(
                asked, case.id, cleaned, now, principal.subject, principal.acting_for, answer_due(now), vraagonderwerp=chosen.code
            )
            stored = self._contacts.add_question(new, tally)
        if stored.text != cleaned:  # the same form key with another text: not a repeat, and not a new question
            raise CaseRuleError("question_form_used")
        return stored

    def of_case(self, principal: Principal, case_id: str) -> list[Question]:
        """The case's questions, newest first: for its parties (and whoever acts for them) and for staff."""
        require_any_role(principal, STAFF | {Role.APPLICANT}, "view_questions")
        case = self._cases.get(case_id)
        ensure_can_view(principal, case)
        return self._contacts.questions(case.id, limit=QUESTIONS_READ)

    def of_viewed_case(self, principal: Principal, case: Case) -> list[Question]:
        """The questions of a case the caller just read (``CaseQueries.view``): no second read of the case."""
        require_any_role(principal, STAFF | {Role.APPLICANT}, "view_questions")
        ensure_can_view(principal, case)
        return self._contacts.questions(case.id, limit=QUESTIONS_READ)

    def answer(self, principal: Principal, case_id: str, asked: str, text: str) -> Question:
        """The case's own behandelaar answers a question: a message to the parties (notified like any message),
        then the question is marked answered. The same answer again changes nothing; another answer to a question
        answered already is refused. Answering is safe to repeat after a failure half-way: the message has an id
        of its own per question, and is not posted twice."""
        require_role(principal, Role.BEHANDELAAR, "answer_question")
        cleaned = clean_text(text)
        question = self._contacts.question(case_id, asked)
        if question is None:
            raise QuestionNotFoundError(asked)
        if question.answer is not None:
            if question.answer.text == cleaned:
                return question
            raise CaseRuleError("question_answered")
        message_id = answer_message_id(question.id)
        result = self._commands.post_answer(principal, case_id, message_id, cleaned)
        posted = next((m.text for m in result.case.messages if m.id == message_id), cleaned)
        by = Medewerker(principal.subject, principal.name or principal.subject)
        answered = replace(question, answer=Answer(posted, self._clock.now(), by, message_id))
        if not self._contacts.mark_answered(answered):  # answered meanwhile (a second tab): what was kept
            return self._contacts.question(case_id, asked) or answered
        return answered

    def _throttle(self, principal: Principal) -> None:
        if self._limiter is None:
            return
        limit, window = PER_PERSON
        wait = self._limiter.hit(f"questions:{principal.subject}", limit=limit, window=window, now=self._clock.now())
        if wait is not None:
            raise TooManyRequestsError(wait)
