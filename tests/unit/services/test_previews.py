"""The behandelaar's preview: what the applicant would receive, worked out without saving or sending anything,
and the same as what they do receive once the change is made."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from chalicelib.domain.cases import Link
from chalicelib.domain.errors import ForbiddenError, ValidationError
from chalicelib.domain.events import EventKind
from chalicelib.domain.language import Language
from chalicelib.domain.subscriptions import Channel
from chalicelib.services.case_commands import NewCase
from chalicelib.services.previews import ChangePreviews
from tests.factories import FATIMA, MARK, SUBSIDIE, subscriber
from tests.unit.services.conftest import ANNA_PRINCIPAL, PIETER, World

WATERSCHAP = "Voor uw plan is ook een vergunning van het waterschap nodig."
LOKET = Link("https://omgevingswet.overheid.nl/loket", "Omgevingsloket")


def _previews(world: World) -> ChangePreviews:
    return world.services.change_previews


def _marks_case(world: World, co_initiators: tuple[str, ...] = ()):
    case = world.commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Duurzame recreatie", MARK, co_initiators, ("GM1581",)))
    world.propagate()
    return case


def _without_token(text: str) -> str:
    return re.sub(r"token=[^\s\"<>]+", "token=…", text)


def test_a_preview_saves_nothing_queues_nothing_and_sends_nothing(world: World):
    case = _marks_case(world)
    sent, outbox = len(world.email.sent), dict(world.outbox.items)

    preview = _previews(world).preview(lambda c: c.post_message(ANNA_PRINCIPAL, case.id, WATERSCHAP, LOKET))

    assert preview.changed
    assert world.cases.get(case.id) == case
    world.propagate()
    assert world.outbox.items == outbox
    assert len(world.email.sent) == sent


def test_the_preview_is_what_the_applicant_then_receives_on_each_channel(world: World):
    case = _marks_case(world)
    preview = _previews(world).preview(lambda c: c.post_message(ANNA_PRINCIPAL, case.id, WATERSCHAP, LOKET))

    world.commands.post_message(ANNA_PRINCIPAL, case.id, WATERSCHAP, LOKET)
    world.propagate()

    by_channel = {m.channel: m for m in preview.messages}
    assert set(by_channel) == {Channel.EMAIL, Channel.PORTAL}
    email = world.email.sent[-1]
    assert by_channel[Channel.EMAIL].title == email.subject
    assert _without_token(by_channel[Channel.EMAIL].text) == _without_token(email.text)
    assert "token=voorbeeld" in by_channel[Channel.EMAIL].text
    portal = world.berichtenbox_store.list(MARK, limit=1)[0]
    assert (by_channel[Channel.PORTAL].title, by_channel[Channel.PORTAL].text) == (portal.title, portal.body)
    assert WATERSCHAP in portal.body
    assert WATERSCHAP not in email.text  # e-mail stays information-lean


def test_the_preview_speaks_the_applicants_language(world: World):
    world.subscribers.put(replace(subscriber(MARK, "mark@example.org"), language=Language.EN))
    case = _marks_case(world)
    preview = _previews(world).preview(lambda c: c.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None))
    assert {m.language for m in preview.messages} == {Language.EN}


def test_co_initiators_are_counted_not_shown(world: World):
    case = _marks_case(world, co_initiators=(FATIMA,))
    preview = _previews(world).preview(lambda c: c.post_message(ANNA_PRINCIPAL, case.id, WATERSCHAP, None))
    assert preview.other_parties == 1
    assert {m.kind for m in preview.messages} == {EventKind.MESSAGE_POSTED}


def test_a_status_the_applicant_is_not_told_about_previews_as_no_message(world: World):
    case = _marks_case(world)
    preview = _previews(world).preview(lambda c: c.set_status(ANNA_PRINCIPAL, case.id, "advies-gevraagd", None))
    assert preview.changed
    assert preview.messages == ()


def test_a_change_that_changes_nothing_says_so(world: World):
    case = _marks_case(world)
    preview = _previews(world).preview(lambda c: c.set_status(ANNA_PRINCIPAL, case.id, "ontvangen", None))
    assert not preview.changed


def test_the_preview_checks_who_and_what_as_the_command_does(world: World):
    case = _marks_case(world)
    with pytest.raises(ForbiddenError):
        _previews(world).preview(lambda c: c.post_message(PIETER, case.id, WATERSCHAP, None))
    with pytest.raises(ValidationError):
        _previews(world).preview(lambda c: c.set_status(ANNA_PRINCIPAL, case.id, "bestaat-niet", None))


def test_a_dry_run_never_registers_a_case(world: World):
    before = dict(world.cases.items)
    with pytest.raises(TypeError):
        world.commands.dry_run().create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Duurzame recreatie", MARK, (), ("GM1581",)))
    assert world.cases.items == before
