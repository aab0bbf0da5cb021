"""Message templates: every kind renders in Dutch and English for every audience, e-mails stay
information-lean, HTML is escaped and plain text is not, and a missing value fails loudly."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jinja2 import UndefinedError

from chalicelib.adapters.templates import JinjaRenderer, long_date, templates_root
from chalicelib.domain.cases import Link
from chalicelib.domain.events import CASE_KINDS, EventKind
from chalicelib.domain.language import Language
from chalicelib.domain.matching import Audience
from chalicelib.services.ports import MessageContext
from tests.conftest import ROOT

DETAIL: dict[EventKind, dict[str, Any]] = {
    EventKind.STATUS_CHANGED: {
        "status": "In behandeling",
        "statustekst": "Wij beoordelen uw plan.",
        "toelichting": "Compleet.",
        "is_eindstatus": False,
    },
    EventKind.DOCUMENTS_REQUESTED: {
        "documents": [
            {"omschrijving": "Begroting", "due": date(2026, 12, 15), "received": False},
            {"omschrijving": "Plan", "due": None, "received": True},
        ]
    },
    EventKind.MESSAGE_POSTED: {"text": "Vraag een vergunning aan bij het waterschap."},
    EventKind.DEADLINE_CHANGED: {"due": date(2027, 1, 4), "paused": False},
    EventKind.DOCUMENT_REMINDER: {"document": {"omschrijving": "Begroting", "due": date(2026, 12, 15), "today": False}},
}


def context(kind: EventKind, language: Language, audience: Audience = Audience.PARTY, **detail) -> MessageContext:
    return MessageContext(
        kind=kind,
        audience=audience,
        language=language,
        case_number="SUB-2026-000123",
        product="Subsidie duurzame recreatie",
        portal_url="https://mijn.example.test/zaken/abc",
        home_url="https://mijn.example.test/",
        detail={"gemeenten": ["Utrechtse Heuvelrug"], **DETAIL.get(kind, {}), **detail},
        link=Link("https://omgevingswet.overheid.nl/loket", "Omgevingsloket") if kind is EventKind.MESSAGE_POSTED else None,
    )


@pytest.fixture(scope="module")
def renderer() -> JinjaRenderer:
    return JinjaRenderer()


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("kind", sorted(CASE_KINDS))
def test_every_case_event_renders_an_information_lean_email_and_a_portal_message(renderer, kind, language):
    email = renderer.email(context(kind, language))
    portal = renderer.portal(context(kind, language))
    assert "SUB-2026-000123" in email.subject
    assert "\n" not in email.subject
    assert "https://mijn.example.test/zaken/abc" in email.text
    assert f'<html lang="{language.value}">' in email.html
    for content in ("Wij beoordelen uw plan", "Compleet.", "waterschap", "Begroting"):
        assert content not in email.text + email.html
    assert portal.title
    assert portal.body


def test_the_public_variant_tells_followers_about_news_in_their_area(renderer):
    email = renderer.email(context(EventKind.STATUS_CHANGED, Language.NL, Audience.FOLLOWER, gemeenten=["Zeist", "De Bilt"]))
    assert email.subject == "Nieuws over een subsidie duurzame recreatie in de gemeenten Zeist, De Bilt"
    english = renderer.email(context(EventKind.STATUS_CHANGED, Language.EN, Audience.FOLLOWER, gemeenten=["Zeist"]))
    assert english.subject == "News about a case in the municipality of Zeist: Subsidie duurzame recreatie"
    assert "omdat u dit onderwerp of deze gemeente volgt" in email.text


def test_every_email_and_portal_template_exists_once_and_speaks_both_languages(renderer):
    root = templates_root()
    names = {p.name for p in (root / "email").glob("*.j2")} | {f"portal/{p.name}" for p in (root / "portal").glob("*.j2")}
    for kind in EventKind:
        for suffix in ("subject", "txt", "html"):
            assert f"{kind.value}.{suffix}.j2" in names
        if kind in CASE_KINDS or kind is EventKind.ANNOUNCEMENT:  # digests and confirmations are e-mail only
            for suffix in ("title", "txt"):
                assert f"portal/{kind.value}.{suffix}.j2" in names
    # no copy per language: the words come from the catalogues
    assert [name for name in names if ".nl." in name or ".en." in name] == []
    for kind in CASE_KINDS:
        dutch, english = (renderer.email(context(kind, language)) for language in (Language.NL, Language.EN))
        assert dutch.subject != english.subject
        assert "Provincie Utrecht" in dutch.text
        assert "Province of Utrecht" in english.text
        assert "Provincie Utrecht" not in english.html


def test_html_is_escaped_and_plain_text_is_not(renderer):
    ctx = context(EventKind.STATUS_CHANGED, Language.NL, Audience.FOLLOWER, gemeenten=["<script>x</script> & co"])
    email = renderer.email(ctx)
    assert "&lt;script&gt;x&lt;/script&gt; &amp; co" in email.html
    assert "<script>" not in email.html
    assert "<script>x</script> & co" in email.text


def test_a_missing_value_fails_instead_of_sending_a_half_empty_message(renderer):
    ctx = context(EventKind.STATUS_CHANGED, Language.NL)
    broken = MessageContext(**{**ctx.__dict__, "detail": {"gemeenten": []}})
    with pytest.raises(UndefinedError):
        renderer.portal(broken)


def test_the_document_list_in_the_portal_shows_due_dates_in_words(renderer):
    assert (
        "- Begroting (uiterlijk 15 december 2026)\n- Plan (al ontvangen)\n"
        in renderer.portal(context(EventKind.DOCUMENTS_REQUESTED, Language.NL)).body + "\n"
    )
    assert "- Begroting (by 15 December 2026)" in renderer.portal(context(EventKind.DOCUMENTS_REQUESTED, Language.EN)).body


def test_long_dates_are_written_out_in_each_language():
    assert long_date(date(2026, 3, 1), "nl") == "1 maart 2026"
    assert long_date(date(2026, 3, 1), "en") == "1 March 2026"
    assert long_date(None, "nl") == ""


def test_constructing_a_renderer_imports_no_template_engine():
    """The environments are built on the first render: code that only wires a renderer pays nothing for jinja2."""
    code = (
        "import sys\n"
        "from chalicelib.adapters.templates import JinjaRenderer\n"
        "JinjaRenderer()\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'jinja2', 'markupsafe', 'babel', 'gettext'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_templates_live_beside_chalicelib_as_the_deployment_package_has_them():
    assert templates_root() == Path(__file__).resolve().parents[3] / "templates"


def _context(kind: EventKind, language: Language, detail: dict[str, Any]) -> MessageContext:
    return MessageContext(
        kind=kind,
        audience=Audience.FOLLOWER,
        language=language,
        case_number=None,
        product=None,
        portal_url="https://mijn.example.test/",
        home_url="https://mijn.example.test/",
        detail=detail,
        unsubscribe_url="https://mijn.example.test/afmelden?token=u",
        manage_url="https://mijn.example.test/abonnement/beheren?token=m",
    )


@pytest.mark.parametrize("language", list(Language))
def test_an_announcement_carries_its_news_and_why_it_came(renderer, language):
    detail = {
        "title": "Grond bij Leersum",
        "text": "Er komt grond vrij.",
        "topic": "Grondbeheer",
        "gemeenten": ["Utrechtse Heuvelrug"],
    }
    email = renderer.email(_context(EventKind.ANNOUNCEMENT, language, detail))
    assert "Grond bij Leersum" in email.subject
    assert "Er komt grond vrij." in email.text
    assert "https://mijn.example.test/afmelden?token=u" in email.text
    assert "inhoud van uw zaak" not in email.text


@pytest.mark.parametrize("language", list(Language))
def test_a_digest_lists_each_item_on_its_own_line(renderer, language):
    items: list[dict[str, object]] = [
        {
            "kind": "status_changed",
            "case_number": "SUB-2026-000123",
            "product": "Subsidie",
            "title": None,
            "status": "x",
            "gemeenten": [],
        },
        {
            "kind": "announcement",
            "case_number": None,
            "product": None,
            "title": "Grond bij Leersum",
            "status": None,
            "gemeenten": [],
        },
    ]
    email = renderer.email(_context(EventKind.DIGEST, language, {"items": items}))
    lines = [line for line in email.text.splitlines() if line.startswith("- ")]
    assert len(lines) == 2
    assert "SUB-2026-000123" in lines[0]
    assert lines[1] == "- Grond bij Leersum"
    assert "2" in email.subject


def test_a_confirmation_email_asks_to_confirm_and_does_not_send_people_to_the_portal(renderer):
    detail = {
        "confirm_url": "https://mijn.example.test/abonnement/bevestigen?token=c",
        "topics": ["Grondbeheer"],
        "gemeenten": ["Zeist"],
        "area": False,
    }
    email = renderer.email(_context(EventKind.SUBSCRIPTION_CONFIRMATION, Language.NL, detail))
    assert "https://mijn.example.test/abonnement/bevestigen?token=c" in email.text
    assert "over grondbeheer in de gemeente Zeist" in email.text
    assert "Bekijk het in Mijn Provincie" not in email.text


@pytest.mark.parametrize("language", list(Language))
def test_a_reminder_says_by_when_or_that_it_is_today_and_names_the_document_only_in_the_berichtenbox(renderer, language):
    soon = context(EventKind.DOCUMENT_REMINDER, language)
    today = context(
        EventKind.DOCUMENT_REMINDER, language, document={"omschrijving": "Begroting", "due": date(2026, 12, 15), "today": True}
    )
    assert ("15 december 2026" if language is Language.NL else "15 December 2026") in renderer.email(soon).text
    assert renderer.email(today).subject != renderer.email(soon).subject
    assert "Begroting" not in renderer.email(soon).text + renderer.email(soon).html
    assert "Begroting" in renderer.portal(today).title
