"""How Mijn Provincie, the service of provincie Utrecht, looks: one palette for the pages and the e-mails.

The province publishes no theme package, so this module is the source of truth. ``PALETTE`` names each colour
once; ``stylesheet()`` writes them as ``--baken-*`` custom properties and maps them onto the NL Design System's
``--utrecht-*`` component tokens (buttons, links, focus, status badges, header, footer, alerts). The pages load it
as ``/assets/provincie-utrecht-theme.css`` after the component CSS; the e-mail templates get the same palette as
``theme`` and write its values inline, since mail clients drop CSS variables. ``BADGES`` says what each state a
status badge shows means to the reader (something to do, in progress, done, new, a problem), so the same meaning
has the same colour on every page. ``PAIRS`` lists every text and non-text colour pair the pages and e-mails use
with the contrast WCAG 2.x asks of it; ``tests/unit/test_theme.py`` checks them all.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, fields
from enum import StrEnum
from functools import lru_cache
from typing import Final

SERVICE_NAME: Final = "Mijn Provincie"  # the service's name, in every language (like DigiD or MijnOverheid)

TEXT: Final = 4.5  # WCAG 1.4.3: text and images of text
NON_TEXT: Final = 3.0  # WCAG 1.4.11 and 2.4.11: focus indicators, field borders, the state of a step
HEX: Final = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


@dataclass(frozen=True)
class Palette:
    """The colours of Mijn Provincie, as CSS hex values."""

    brand: str = "#cc0000"  # the province's red: the header band, primary buttons (white on it 5.9:1)
    brand_dark: str = "#a30000"  # a primary button under the pointer; secondary buttons' text and border
    on_brand: str = "#ffffff"  # text on the brand colour
    text: str = "#1a1a1a"
    text_muted: str = "#4d4d4d"  # hints, dates, the small print of e-mails
    background: str = "#ffffff"
    background_muted: str = "#f3f3f3"  # the footer, the frame around an e-mail
    border: str = "#4d4d4d"  # form fields and the lines of the steps: 3:1 or more, they show where to type
    divider: str = "#cccccc"  # lines between parts of a page, decoration only
    link: str = "#1d4f91"  # every link: content, navigation, footer, e-mail
    link_hover: str = "#0b2e5c"
    focus: str = "#000000"  # the outline of whatever has keyboard focus: 3:1 or more on white and on the red
    accent: str = "#1d4f91"  # the province's blue: the edge of a "what you must do" panel, timelines, chart bars
    accent_background: str = "#eef3fa"
    success: str = "#2e6b1f"  # done: a finished step, a saved choice
    success_background: str = "#e6f4ec"
    error: str = "#b30000"  # the brand red darkened, for error text on white and on the error background
    error_background: str = "#fdeaea"


PALETTE: Final = Palette()


class Meaning(StrEnum):
    """What a status badge means to the person reading it; each has its colour (and always a text)."""

    ACTION = "action"  # something is needed from the reader, or soon due
    PROGRESS = "progress"  # under way: nothing to do but wait
    DONE = "done"  # finished, answered, approved, accepted
    NEW = "new"  # new or unread
    PROBLEM = "problem"  # late, expired, sent back
    NEUTRAL = "neutral"  # not started (a draft)


@dataclass(frozen=True)
class Badge:
    background: str
    text: str


BADGES: Final = {
    Meaning.ACTION: Badge("#ffbf47", PALETTE.text),
    Meaning.PROGRESS: Badge(PALETTE.accent, "#ffffff"),
    Meaning.DONE: Badge(PALETTE.success, "#ffffff"),
    Meaning.NEW: Badge("#4c2c92", "#ffffff"),
    Meaning.PROBLEM: Badge(PALETTE.error, "#ffffff"),
    Meaning.NEUTRAL: Badge("#e6e6e6", PALETTE.text),
}

# Every state a badge shows (``<what>:<state>``), and what it means. One place, so that "te laat" on the work
# list and "te laat" at a question look alike, and a new state has to be given a meaning here first.
BADGE_STATES: Final = {
    "case:open": Meaning.PROGRESS,  # the case's status, while the province works on it
    "case:waiting": Meaning.ACTION,  # ... while documents from the applicant are missing
    "case:closed": Meaning.DONE,
    "deadline:near": Meaning.ACTION,
    "deadline:overdue": Meaning.PROBLEM,
    "servicenorm:passed": Meaning.ACTION,  # "Servicenorm verlopen": act now; the legal term has not yet passed
    "document:requested": Meaning.ACTION,
    "document:received": Meaning.PROGRESS,
    "document:accepted": Meaning.DONE,
    "document:asked_again": Meaning.ACTION,
    "documents:to_review": Meaning.NEW,  # the behandelaar's work list: documents that came in
    "question:open": Meaning.PROGRESS,
    "question:overdue": Meaning.PROBLEM,
    "question:answered": Meaning.DONE,
    "announcement:concept": Meaning.NEUTRAL,
    "announcement:submitted": Meaning.ACTION,  # waits for someone else's approval
    "announcement:approved": Meaning.DONE,  # "Goedgekeurd en verstuurd"
    "announcement:rejected": Meaning.PROBLEM,
    "message:unread": Meaning.NEW,
}


def badge_class(state: str) -> str:
    """The classes of a status badge showing ``state`` (a key of ``BADGE_STATES``; any other is an error)."""
    return f"utrecht-status-badge baken-badge--{BADGE_STATES[state].value}"


@dataclass(frozen=True)
class Pair:
    """A foreground on a background somewhere in the pages or e-mails, and the contrast it needs."""

    foreground: str
    background: str
    minimum: float
    where: str


def _badge_pairs() -> tuple[Pair, ...]:
    return tuple(
        Pair(badge.text, badge.background, TEXT, f"the text of a {meaning.value} badge") for meaning, badge in BADGES.items()
    )


P = PALETTE
PAIRS: Final = (
    Pair(P.text, P.background, TEXT, "text on the page"),
    Pair(P.text_muted, P.background, TEXT, "hints and dates on the page"),
    Pair(P.text, P.background_muted, TEXT, "text in the footer and e-mail frame"),
    Pair(P.text_muted, P.background_muted, TEXT, "the small print of an e-mail"),
    Pair(P.link, P.background, TEXT, "a link on the page or in an e-mail"),
    Pair(P.link_hover, P.background, TEXT, "a link under the pointer"),
    Pair(P.link, P.background_muted, TEXT, "a link in the footer or an e-mail's small print"),
    Pair(P.link, P.accent_background, TEXT, "a link in a 'what you must do' panel"),
    Pair(P.text, P.accent_background, TEXT, "text in a 'what you must do' panel"),
    Pair(P.on_brand, P.brand, TEXT, "the header band and a primary button"),
    Pair(P.on_brand, P.brand_dark, TEXT, "a primary button under the pointer"),
    Pair(P.brand_dark, P.background, TEXT, "a secondary button's text"),
    Pair(P.error, P.background, TEXT, "an error message at a field"),
    Pair(P.error, P.error_background, TEXT, "an error message in the error summary"),
    Pair(P.text, P.error_background, TEXT, "text in the error summary"),
    Pair(P.text, P.success_background, TEXT, "text in a saved notice"),
    Pair("#ffffff", P.success, TEXT, "the tick of a finished step"),
    Pair("#ffffff", P.accent, TEXT, "the number of the current step"),
    *_badge_pairs(),
    Pair(P.focus, P.background, NON_TEXT, "the focus outline on the page"),
    Pair(P.focus, P.background_muted, NON_TEXT, "the focus outline in the footer"),
    Pair(P.focus, P.brand, NON_TEXT, "the focus outline beside a primary button"),
    Pair(P.border, P.background, NON_TEXT, "the border of a form field"),
    Pair(P.brand_dark, P.background, NON_TEXT, "the border of a secondary button"),
    Pair(P.success, P.background, NON_TEXT, "a finished step's circle"),
    Pair(P.accent, P.background, NON_TEXT, "the current step's circle, the current page's bar in the menu"),
    Pair(P.error, P.background, NON_TEXT, "the edge of the error summary"),
)


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a ``#rrggbb`` or ``#rgb`` colour."""
    if not HEX.fullmatch(colour):
        raise ValueError(f"not a hex colour: {colour!r}")
    value = colour.removeprefix("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    red, green, blue = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: str, second: str) -> float:
    """The WCAG 2.x contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def passes(pair: Pair) -> bool:
    return contrast(pair.foreground, pair.background) >= pair.minimum


def _property(name: str) -> str:
    return "--baken-" + name.replace("_", "-")


def _var(name: str) -> str:
    return f"var({_property(name)})"


def _utrecht_tokens() -> dict[str, str]:
    """The NL Design System component tokens the theme sets, each to one of the ``--baken-*`` colours."""
    b = _var
    tokens = {
        "document-color": b("text"),
        "document-background-color": b("background"),
        "page-background-color": b("background"),
        "heading-color": b("text"),
        "link-color": b("link"),
        "link-visited-color": b("link"),
        "link-hover-color": b("link_hover"),
        "link-active-color": b("link_hover"),
        "link-focus-color": b("link_hover"),
        "focus-outline-color": b("focus"),
        "focus-inverse-outline-color": b("background"),
        "button-primary-action-background-color": b("brand"),
        "button-primary-action-color": b("on_brand"),
        "button-primary-action-border-color": b("brand"),
        "button-primary-action-hover-background-color": b("brand_dark"),
        "button-primary-action-hover-color": b("on_brand"),
        "button-primary-action-active-background-color": b("brand_dark"),
        "button-primary-action-active-color": b("on_brand"),
        # A button with focus keeps its red: the black focus outline stays 3:1 against it.
        "button-primary-action-focus-background-color": b("brand"),
        "button-primary-action-focus-color": b("on_brand"),
        "button-primary-action-focus-border-color": b("brand"),
        "button-secondary-action-background-color": b("background"),
        "button-secondary-action-color": b("brand_dark"),
        "button-secondary-action-border-color": b("brand_dark"),
        "button-secondary-action-hover-background-color": b("background_muted"),
        "button-secondary-action-hover-color": b("brand_dark"),
        "button-secondary-action-hover-border-color": b("brand_dark"),
        "button-secondary-action-focus-background-color": b("background_muted"),
        "button-secondary-action-focus-color": b("brand_dark"),
        "button-secondary-action-focus-border-color": b("brand_dark"),
        "page-header-background-color": b("background"),
        "page-header-color": b("text"),
        "page-header-content-background-color": b("background"),
        "page-header-content-color": b("text"),
        "page-footer-background-color": b("background_muted"),
        "page-footer-background-image": "none",
        "page-footer-color": b("text"),
        "alert-ok-background-color": b("success_background"),
        "alert-ok-color": b("text"),
        "alert-ok-border-color": b("success"),
        "alert-error-background-color": b("error_background"),
        "alert-error-color": b("text"),
        "alert-error-border-color": b("error"),
        "alert-info-background-color": b("accent_background"),
        "alert-info-color": b("text"),
        "alert-info-border-color": b("accent"),
        "alert-warning-background-color": b("accent_background"),
        "alert-warning-color": b("text"),
        "alert-warning-border-color": b("accent"),
        "focus-outline-width": "3px",
        "focus-outline-style": "solid",
        "focus-outline-offset": "2px",
    }
    # The library's own badge modifiers, should one be used: each takes the colours of its nearest meaning.
    for modifier, meaning in (
        ("danger", Meaning.PROBLEM),
        ("error", Meaning.PROBLEM),
        ("invalid", Meaning.PROBLEM),
        ("warning", Meaning.ACTION),
        ("success", Meaning.DONE),
        ("valid", Meaning.DONE),
        ("safe", Meaning.DONE),
        ("active", Meaning.PROGRESS),
        ("neutral", Meaning.NEUTRAL),
        ("inactive", Meaning.NEUTRAL),
    ):
        tokens[f"status-badge-{modifier}-background-color"] = b(f"badge_{meaning.value}")
        tokens[f"status-badge-{modifier}-border-color"] = b(f"badge_{meaning.value}")
        tokens[f"status-badge-{modifier}-color"] = b(f"on_badge_{meaning.value}")
    return tokens


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The theme as CSS: the palette as ``--baken-*`` properties, the component tokens set from them, and a
    class per badge meaning. Loaded after the NL Design System's CSS, so its tokens win."""
    colours = {field.name: getattr(PALETTE, field.name) for field in fields(PALETTE)}
    for meaning, badge in BADGES.items():
        colours[f"badge_{meaning.value}"] = badge.background
        colours[f"on_badge_{meaning.value}"] = badge.text
    lines = [
        "/* The provincie Utrecht theme of Mijn Provincie, generated from chalicelib/theme.py: change colours there. */",
        ":root, .utrecht-theme {",
        *(f"  {_property(name)}: {value};" for name, value in colours.items()),
        *(f"  --utrecht-{token}: {value};" for token, value in _utrecht_tokens().items()),
        "}",
        *(
            f".baken-badge--{m} {{ --utrecht-status-badge-background-color: {_var(f'badge_{m}')};"
            f" --utrecht-status-badge-color: {_var(f'on_badge_{m}')}; }}"
            for m in (meaning.value for meaning in BADGES)
        ),
    ]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def version() -> str:
    """A short digest of the stylesheet, for its address: a changed colour reaches browsers at once."""
    return hashlib.sha256(stylesheet().encode()).hexdigest()[:12]
