"""Rendering messages with jinja2: one file per channel, kind and language under ``templates/``.

Two environments: HTML autoescaped, plain text not. Both use StrictUndefined, so a template that asks for
something the context lacks fails in tests instead of sending a half-empty message. Text written by a
behandelaar reaches templates as data only; it is never compiled as a template.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from chalicelib.domain.events import EventKind
from chalicelib.domain.language import Language
from chalicelib.domain.matching import Audience
from chalicelib.services.ports import MessageContext, MessageRenderer, RenderedEmail, RenderedPortalMessage

MONTHS = {
    Language.NL: (
        [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ]
    ),
    Language.EN: (
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    ),
}


def templates_root() -> Path:
    """``templates/`` beside ``chalicelib/``: the repository root locally, /var/task in Lambda (packaged
    through the committed symlink vendor/templates)."""
    return Path(__file__).resolve().parents[2] / "templates"


def long_date(value: date | None, language: str) -> str:
    """``15 december 2026`` / ``15 December 2026``."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS[Language(language)][value.month - 1]} {value.year}"


def build_environment(root: Path, *, html: bool) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(root)),
        autoescape=html,  # noqa: S701 - only the plain-text environment leaves autoescape off
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["long_date"] = long_date
    return environment


CASE_KINDS = frozenset(
    {EventKind.STATUS_CHANGED, EventKind.DOCUMENTS_REQUESTED, EventKind.MESSAGE_POSTED, EventKind.DEADLINE_CHANGED}
)


def template_name(context: MessageContext) -> str:
    """``<kind>.<language>``; news about a public case for its followers has its own ``public_`` wording."""
    prefix = "public_" if context.audience is Audience.FOLLOWER and context.kind in CASE_KINDS else ""
    return f"{prefix}{context.kind.value}.{context.language.value}"


class JinjaRenderer(MessageRenderer):
    def __init__(self, root: Path | None = None) -> None:
        root = root or templates_root()
        self._html = build_environment(root, html=True)
        self._text = build_environment(root, html=False)

    def _variables(self, context: MessageContext) -> dict[str, Any]:
        return {
            "kind": context.kind.value,
            "language": context.language.value,
            "case_number": context.case_number,
            "product": context.product,
            "portal_url": context.portal_url,
            "home_url": context.home_url,
            "detail": context.detail,
            "link": context.link,
            "unsubscribe_url": context.unsubscribe_url,
            "manage_url": context.manage_url,
        }

    def _line(self, name: str, variables: dict[str, Any]) -> str:
        return " ".join(self._text.get_template(name).render(variables).split())

    def email(self, context: MessageContext) -> RenderedEmail:
        base = f"email/{template_name(context)}"
        variables = self._variables(context)
        return RenderedEmail(
            subject=self._line(f"{base}.subject.j2", variables),
            text=self._text.get_template(f"{base}.txt.j2").render(variables),
            html=self._html.get_template(f"{base}.html.j2").render(variables),
        )

    def portal(self, context: MessageContext) -> RenderedPortalMessage:
        base = f"portal/{template_name(context)}"
        variables = self._variables(context)
        return RenderedPortalMessage(
            title=self._line(f"{base}.title.j2", variables),
            body=self._text.get_template(f"{base}.txt.j2").render(variables).strip(),
        )

    def letter(self, context: MessageContext) -> RenderedPortalMessage:
        """What the berichtenbox would say, in a letter's frame (a letter is read without logging in)."""
        portal = self.portal(context)
        variables = {**self._variables(context), "title": portal.title, "body": portal.body}
        text = self._text.get_template(f"letter/_layout.{context.language.value}.txt.j2").render(variables)
        return RenderedPortalMessage(title=portal.title, body=text.strip())
