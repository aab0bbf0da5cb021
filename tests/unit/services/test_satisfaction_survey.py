"""The satisfaction question on in-memory twins: the closing e-mail carries one signed link per score for each
party; opening a link records nothing; answering records once, a change moves one count, the same answer again
writes nothing; the question closes 30 days after the case did; the case page asks the logged-in applicant; staff
read the figures, only behandelaars the comments, and only of months with enough answers; a behandelaar's preview
never holds the applicant's link."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from urllib.parse import unquote

import pytest

from chalicelib.adapters.memory import InMemorySatisfaction
from chalicelib.domain.errors import CaseNotFoundError, ForbiddenError, SatisfactionClosedError, ValidationError
from chalicelib.domain.satisfaction import respondent_key, tally
from chalicelib.domain.tokens import InvalidTokenError
from chalicelib.services.case_commands import NewCase
from tests.factories import FATIMA, MARK, SUBSIDIE
from tests.unit.services.conftest import (
    ANNA_PRINCIPAL,
    FATIMA_PRINCIPAL,
    JAN_PRINCIPAL,
    KARIN,
    MARK_PRINCIPAL,
    SANNE,
    World,
)

MARKS_CASE = NewCase(SUBSIDIE, "Duurzame recreatie", MARK, (FATIMA,), ("GM1581",))
LINK = re.compile(r"https://mijn\.example\.test/tevredenheid/([A-Za-z0-9._-]+)\?score=(\d)&lang=(nl|en)")


def _closed_case(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    world.propagate()
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "besluit-genomen", None)
    world.propagate()
    return world.cases.get(case.id)


def _links(world: World, address: str) -> dict[int, str]:
    mails = [m for m in world.email.sent if address in m.to]
    return {int(score): unquote(token) for mail in mails for token, score, _ in LINK.findall(mail.text)}


def _store(world: World) -> InMemorySatisfaction:
    store = world.adapters.satisfaction
    assert isinstance(store, InMemorySatisfaction)
    return store


def test_the_closing_email_asks_each_party_with_one_link_per_score(world: World):
    # WHEN Anna decides Mark's case
    case = _closed_case(world)

    # THEN Mark and Fatima each get five links, their own, and the earlier e-mails none
    marks, fatimas = _links(world, "mark@example.org"), _links(world, "fatima@example.org")
    assert sorted(marks) == sorted(fatimas) == [1, 2, 3, 4, 5]
    assert len(set(marks.values())) == 1
    assert set(marks.values()) != set(fatimas.values())
    closing = next(m for m in world.email.sent if "mark@example.org" in m.to and "tevredenheid" in m.text)
    assert "Hoe tevreden bent u over hoe wij uw zaak hebben behandeld?" in closing.text
    assert "1 Zeer ontevreden" in closing.text
    assert "5 Zeer tevreden" in closing.text
    assert sum("tevredenheid" in m.text for m in world.email.sent if "mark@example.org" in m.to) == 1
    # AND the link names the case and Mark's respondent key, never his subject
    question = world.services.satisfaction.by_link(marks[4])
    assert (question.case.id, question.respondent) == (case.id, respondent_key(case.id, MARK, world.adapters.token_keys))
    assert MARK not in marks[4]
    # AND the berichtenbox says where to answer, without a link that works without login
    portal = world.berichtenbox_store.list(MARK, limit=1)[0]
    assert "op de pagina van uw zaak" in portal.body
    assert "/tevredenheid/" not in portal.body


def test_opening_a_link_records_nothing_and_sending_it_records_once(world: World):
    _closed_case(world)
    token = _links(world, "mark@example.org")[2]
    survey, store = world.services.satisfaction, _store(world)

    # WHEN Mark opens the link (or a mail scanner does) three times
    for _ in range(3):
        assert survey.by_link(token).answer is None
    # THEN nothing was written
    assert (store.writes, store.answers, store.figures) == (0, {}, {})

    # WHEN he sends the form, twice (a double click)
    first = survey.answer_by_link(token, "2", "  Het duurde lang.  ")
    again = survey.answer_by_link(token, "2", "Het duurde lang.")

    # THEN it counts once, and the second wrote nothing
    assert (first.changed, again.changed) == (True, False)
    (figures,) = store.figures.values()
    assert (dict(figures.counts), figures.comments) == ({2: 1}, 1)
    assert first.question.answer is not None
    assert first.question.answer.comment == "Het duurde lang."


def test_a_change_moves_the_count_and_replaces_the_comment(world: World):
    case = _closed_case(world)
    token = _links(world, "mark@example.org")[2]
    survey, store = world.services.satisfaction, _store(world)
    survey.answer_by_link(token, "2", "Het duurde lang.")
    month = case.closed_on.strftime("%Y-%m")

    world.clock.advance(days=3)
    changed = survey.answer_by_link(token, "4", "")

    figures = store.figures[(SUBSIDIE, month)]
    assert (dict(figures.counts), figures.comments) == ({4: 1}, 0)
    assert store.comment_items[(SUBSIDIE, month)] == {}
    assert changed.question.stored is not None
    assert changed.question.stored.version == 2
    # AND the counts are what a recount of the answers as they stand gives
    assert figures == tally(SUBSIDIE, month, [s.answer for s in store.answers.values()])


def test_the_question_closes_30_days_after_the_case_closed(world: World):
    case = _closed_case(world)
    token = _links(world, "mark@example.org")[5]
    survey = world.services.satisfaction
    survey.answer_by_link(token, "5", None)

    # on the 30th day after: still open
    world.clock.current = world.clock.current.replace(hour=12) + timedelta(days=30)
    assert survey.by_link(token).open
    # the day after: the link says the question is closed, and answering is refused
    world.clock.advance(days=1)
    with pytest.raises(SatisfactionClosedError):
        survey.by_link(token)
    with pytest.raises(SatisfactionClosedError):
        survey.answer_by_link(token, "1", None)
    # on the case page Mark still sees his answer, but cannot change it
    shown = survey.for_case(MARK_PRINCIPAL, world.cases.get(case.id))
    assert shown is not None
    assert not shown.open
    assert shown.answer is not None
    assert shown.answer.score == 5
    with pytest.raises(SatisfactionClosedError):
        survey.answer(MARK_PRINCIPAL, case.id, "1", None)


def test_a_changed_or_foreign_token_opens_nothing(world: World):
    _closed_case(world)
    token = _links(world, "mark@example.org")[3]
    survey = world.services.satisfaction
    payload, signature = token.split(".")
    for wrong in (
        payload + "." + signature[:-1] + ("A" if signature[-1] != "A" else "B"),
        "x" + token,
        "niet-een-token",
        world.links.manage(MARK).split("token=")[1],  # ours, for another purpose
    ):
        with pytest.raises(InvalidTokenError):
            survey.by_link(unquote(wrong))


def test_a_link_about_a_case_that_is_gone_finds_nothing(world: World):
    case = _closed_case(world)
    token = _links(world, "mark@example.org")[3]
    del world.cases.items[case.id]
    with pytest.raises(CaseNotFoundError):
        world.services.satisfaction.by_link(token)


def test_a_score_or_comment_that_does_not_fit_is_refused_and_nothing_is_written(world: World):
    _closed_case(world)
    token = _links(world, "mark@example.org")[3]
    with pytest.raises(ValidationError) as refused:
        world.services.satisfaction.answer_by_link(token, "9", "x" * 1001)
    assert {i.field for i in refused.value.issues} == {"score", "comment"}
    assert _store(world).writes == 0


def test_the_case_page_asks_the_logged_in_applicant_and_the_answer_is_their_own(world: World):
    case = _closed_case(world)
    survey = world.services.satisfaction

    # Mark answers on his case page; the answer is the one his e-mail's link opens
    survey.answer(MARK_PRINCIPAL, case.id, "4", "Duidelijke uitleg.")
    by_link = survey.by_link(_links(world, "mark@example.org")[1])
    assert by_link.answer is not None
    assert by_link.answer.score == 4
    # Fatima and Karin (acting for Mark) each answer for themselves
    survey.answer(FATIMA_PRINCIPAL, case.id, "3", None)
    survey.answer(KARIN, case.id, "5", None)
    (figures,) = _store(world).figures.values()
    assert dict(figures.counts) == {3: 1, 4: 1, 5: 1}
    # Jan may not see the case; staff never see anybody's answer on it
    with pytest.raises(CaseNotFoundError):
        survey.answer(JAN_PRINCIPAL, case.id, "1", None)
    assert survey.for_case(ANNA_PRINCIPAL, world.cases.get(case.id)) is None
    with pytest.raises(ForbiddenError):
        survey.answer(ANNA_PRINCIPAL, case.id, "1", None)


def test_an_open_case_has_no_question(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    assert world.services.satisfaction.for_case(MARK_PRINCIPAL, case) is None
    with pytest.raises(SatisfactionClosedError):
        world.services.satisfaction.answer(MARK_PRINCIPAL, case.id, "4", None)


def _answers(world: World, scores: list[int], comment: str | None = "Goed geholpen.") -> str:
    """A closed case per score, each answered by its initiator; the month they count for."""
    month = ""
    for n, score in enumerate(scores):
        person = f"pu-aanvrager-{n:03d}"
        case = world.commands.create(ANNA_PRINCIPAL, replace(MARKS_CASE, initiator=person, co_initiators=()))
        closed = world.commands.set_status(ANNA_PRINCIPAL, case.id, "besluit-genomen", None).case
        assert closed.closed_on is not None
        month = closed.closed_on.strftime("%Y-%m")
        world.services.satisfaction.answer(
            replace(MARK_PRINCIPAL, subject=person), case.id, str(score), f"{comment} ({n})" if comment else None
        )
    return month


def test_staff_see_the_figures_and_only_behandelaars_read_the_comments_of_a_month_with_enough_answers(world: World):
    survey = world.services.satisfaction
    month = _answers(world, [5, 4, 4])
    today = world.clock.now().date()

    # too few answers: the month shows nothing, and its comments are not shown
    (report,) = [r for r in survey.reports_for(SANNE, today) if r.zaaktype == SUBSIDIE]
    shown_month = report.month(month)
    assert shown_month is not None
    assert shown_month.too_few
    assert survey.comments(ANNA_PRINCIPAL, SUBSIDIE, month) is None

    # two more: five answers, shown
    _answers(world, [2, 5])
    shown = survey.report(SUBSIDIE, today).month(month)
    assert shown is not None
    assert (shown.answers, shown.per_score, shown.share_satisfied) == (5, (0, 1, 0, 2, 2), 0.8)
    page = survey.comments(ANNA_PRINCIPAL, SUBSIDIE, month)
    assert page is not None
    assert len(page.comments) == 5
    # the KCC and applicants may not read them; applicants see no figures either
    for principal in (SANNE, MARK_PRINCIPAL):
        with pytest.raises(ForbiddenError):
            survey.comments(principal, SUBSIDIE, month)
    with pytest.raises(ForbiddenError):
        survey.reports_for(MARK_PRINCIPAL, today)


def test_comments_come_newest_first_a_page_at_a_time(world: World):
    month = ""
    for n in range(23):
        world.clock.advance(minutes=1)
        month = _answers(world, [4], comment=f"Opmerking {n:02d}")
    survey = world.services.satisfaction
    first = survey.comments(ANNA_PRINCIPAL, SUBSIDIE, month)
    assert first is not None
    assert first.next is not None
    assert [c.text for c in first.comments[:2]] == ["Opmerking 22 (0)", "Opmerking 21 (0)"]
    second = survey.comments(ANNA_PRINCIPAL, SUBSIDIE, month, after=first.next)
    assert second is not None
    assert second.next is None
    assert [c.text for c in second.comments] == ["Opmerking 02 (0)", "Opmerking 01 (0)", "Opmerking 00 (0)"]


def test_the_behandelaars_preview_of_the_decision_holds_no_working_link(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    world.propagate()
    preview = world.services.change_previews.preview(
        lambda commands: commands.set_status(ANNA_PRINCIPAL, case.id, "besluit-genomen", None)
    )
    (email,) = [m for m in preview.messages if m.channel.value == "email"]
    assert "/tevredenheid/voorbeeld?score=1" in email.text
    assert {token for token, _, _ in LINK.findall(email.text)} == {"voorbeeld"}
    assert email.html is not None
    assert {token for token, _, _ in LINK.findall(email.html.replace("&amp;", "&"))} == {"voorbeeld"}
