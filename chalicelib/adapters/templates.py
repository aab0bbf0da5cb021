"""Rendering messages with jinja2: one template per channel, kind and part under ``templates/``, its words
translated with gettext (``jinja2.ext.i18n``: ``{% trans %}`` and ``_()``, the catalogues of ``chalicelib/i18n.py``).

Two environments per language: HTML autoescaped, plain text not. Both use StrictUndefined, so a template that asks
for something the context lacks fails in tests instead of sending a half-empty message. A translation is text,
never markup: in HTML it is escaped like any value, and markup (a link in a sentence) enters it as a placeholder.
Text written by a behandelaar reaches templates as data only; it is never compiled as a template. Environments are
built on first use, so constructing a renderer imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalicelib.domain.durations import Duration
from chalicelib.domain.events import CASE_KINDS
from chalicelib.domain.language import Language, Localized
from chalicelib.domain.matching import Audience
from chalicelib.i18n import N_, NP_, translate, translator
from chalicelib.services.ports import MessageContext, MessageRenderer, RenderedEmail, RenderedPortalMessage
from chalicelib.theme import PALETTE, SERVICE_NAME, badge_class, version

if TYPE_CHECKING:
    from jinja2 import Environment

MONTHS = (
    N_("januari"),
    N_("februari"),
    N_("maart"),
    N_("april"),
    N_("mei"),
    N_("juni"),
    N_("juli"),
    N_("augustus"),
    N_("september"),
    N_("oktober"),
    N_("november"),
    N_("december"),
)


# A duration's parts in words, singular and plural (Catalogi API durations: years, months, weeks, days).
DURATION_PARTS = (
    ("years", N_("%(n)s jaar"), NP_("more than one", "%(n)s jaar")),
    ("months", N_("%(n)s maand"), N_("%(n)s maanden")),
    ("weeks", N_("%(n)s week"), N_("%(n)s weken")),
    ("days", N_("%(n)s dag"), N_("%(n)s dagen")),
)


def in_words(value: Duration | None, language: str) -> str:
    """``P13W`` as ``13 weken`` / ``13 weeks``; ``P1Y6M`` as ``1 jaar en 6 maanden``."""
    if value is None:
        return ""
    parts = [
        translate(language, one if amount == 1 else many, n=amount)
        for name, one, many in DURATION_PARTS
        if (amount := getattr(value, name))
    ]
    if not parts:
        return translate(language, DURATION_PARTS[-1][2], n=0)
    if len(parts) == 1:
        return parts[0]
    return translate(language, N_("%(first)s en %(last)s"), first=", ".join(parts[:-1]), last=parts[-1])


def localized_text(value: Localized | None, language: str) -> str:
    """A text of the catalogue or the reference data in ``language`` (empty when there is none)."""
    return value.in_(Language(language)) if value is not None else ""


def month_name(month: str, language: str) -> str:
    """``2026-11`` as ``november 2026`` / ``November 2026``."""
    year, number = month.split("-")
    return f"{translate(language, MONTHS[int(number) - 1])} {year}"


def month_short(month: str, language: str) -> str:
    """``2026-11`` as ``nov`` (January with its year: ``jan 2027``), for a chart's axis."""
    year, number = month.split("-")
    short = translate(language, MONTHS[int(number) - 1])[:3]
    return f"{short} {year}" if number == "01" else short


def templates_root() -> Path:
    """``templates/`` beside ``chalicelib/``: the repository root locally, /var/task in Lambda (packaged
    through the committed symlink vendor/templates)."""
    return Path(__file__).resolve().parents[2] / "templates"


def long_date(value: date | None, language: str) -> str:
    """``15 december 2026`` / ``15 December 2026``."""
    if value is None:
        return ""
    return f"{value.day} {translate(language, MONTHS[value.month - 1])} {value.year}"


def as_noun(name: str, language: str) -> str:
    """A name (a product) as a common noun inside a sentence: Dutch writes it in lower case
    (``nieuws over een subsidie duurzame recreatie``), English keeps it as it is."""
    return name.lower() if Language(language) is Language.NL else name


def build_environment(root: Path, *, html: bool, language: Language = Language.NL) -> Environment:
    """An environment for ``templates/`` whose ``_()``, ``ngettext`` and ``{% trans %}`` speak ``language``."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from markupsafe import escape

    environment = Environment(
        loader=FileSystemLoader(str(root)),
        autoescape=html,  # noqa: S701 - only the plain-text environment leaves autoescape off
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.filters["long_date"] = long_date
    environment.filters["as_noun"] = as_noun
    environment.filters["in_words"] = in_words
    environment.filters["text"] = localized_text
    environment.filters["month_name"] = month_name
    # One look and one name for pages and e-mails (chalicelib/theme.py): e-mails write the colours inline.
    environment.globals["theme"] = PALETTE
    environment.globals["service_name"] = SERVICE_NAME
    environment.globals["badge_class"] = badge_class
    environment.globals["theme_version"] = version()
    words = translator(language)
    if html:  # a translation is text: escaped, and then its placeholders filled with (escaped) values
        environment.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
            lambda message: escape(words.gettext(message)),
            lambda singular, plural, n: escape(words.ngettext(singular, plural, n)),
            newstyle=True,
            pgettext=lambda context, message: escape(words.pgettext(context, message)),
        )
    else:
        environment.install_gettext_translations(words, newstyle=True)  # type: ignore[attr-defined]
    return environment


def template_name(context: MessageContext) -> str:
    """``<kind>``; news about a public case for its followers has its own ``public_`` wording."""
    prefix = "public_" if context.audience is Audience.FOLLOWER and context.kind in CASE_KINDS else ""
    return f"{prefix}{context.kind.value}"


class JinjaRenderer(MessageRenderer):
    def __init__(self, root: Path | None = None) -> None:
        self._root = root or templates_root()
        self._environments: dict[tuple[bool, Language], Environment] = {}

    def _environment(self, language: Language, *, html: bool) -> Environment:
        """The HTML or plain-text environment of ``language``, built on first use."""
        key = (html, language)
        if key not in self._environments:
            self._environments[key] = build_environment(self._root, html=html, language=language)
        return self._environments[key]

    def _render(self, name: str, context: MessageContext, variables: dict[str, Any], *, html: bool = False) -> str:
        return self._environment(context.language, html=html).get_template(name).render(variables)

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
            "unsubscribe_all_email": context.unsubscribe_all_email,
            "party": context.audience is Audience.PARTY,
        }

    def _line(self, name: str, context: MessageContext, variables: dict[str, Any]) -> str:
        return " ".join(self._render(name, context, variables).split())

    def email(self, context: MessageContext) -> RenderedEmail:
        base = f"email/{template_name(context)}"
        variables = self._variables(context)
        return RenderedEmail(
            subject=self._line(f"{base}.subject.j2", context, variables),
            text=self._render(f"{base}.txt.j2", context, variables),
            html=self._render(f"{base}.html.j2", context, variables, html=True),
        )

    def staff_email(self, name: str, language: Language, variables: Mapping[str, Any]) -> RenderedEmail:
        base = f"email/{name}"
        values = {"language": language.value, **variables}

        def render(template: str, *, html: bool = False) -> str:
            return self._environment(language, html=html).get_template(template).render(values)

        return RenderedEmail(
            subject=" ".join(render(f"{base}.subject.j2").split()),
            text=render(f"{base}.txt.j2"),
            html=render(f"{base}.html.j2", html=True),
        )

    def portal(self, context: MessageContext) -> RenderedPortalMessage:
        base = f"portal/{template_name(context)}"
        variables = self._variables(context)
        return RenderedPortalMessage(
            title=self._line(f"{base}.title.j2", context, variables),
            body=self._render(f"{base}.txt.j2", context, variables).strip(),
        )

    def letter(self, context: MessageContext) -> RenderedPortalMessage:
        """What the berichtenbox would say, in a letter's frame (a letter is read without logging in)."""
        portal = self.portal(context)
        variables = {**self._variables(context), "title": portal.title, "body": portal.body}
        text = self._render("letter/_layout.txt.j2", context, variables)
        return RenderedPortalMessage(title=portal.title, body=text.strip())
