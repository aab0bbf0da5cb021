"""The provincie Utrecht theme (chalicelib/theme.py): every colour pair the pages and e-mails use has the contrast
WCAG 2.x asks — 4.5:1 for text, 3:1 for focus indicators and other things that are not text — so a token changed
to a colour too pale fails here; the stylesheet made from it carries every colour; every badge state means
something."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from chalicelib.theme import (
    BADGE_STATES,
    BADGES,
    NON_TEXT,
    PAIRS,
    PALETTE,
    TEXT,
    Meaning,
    Pair,
    badge_class,
    contrast,
    passes,
    relative_luminance,
    stylesheet,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("pair", PAIRS, ids=[pair.where for pair in PAIRS])
def test_every_colour_pair_the_theme_uses_has_enough_contrast(pair: Pair):
    ratio = contrast(pair.foreground, pair.background)
    assert ratio >= pair.minimum, f"{pair.where}: {pair.foreground} on {pair.background} is {ratio:.2f}:1"


def test_the_contrast_is_computed_as_wcag_defines_it():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#fff", "#000") == contrast("#000000", "#ffffff")  # short form, either order
    assert relative_luminance("#808080") == pytest.approx(0.2159, abs=1e-4)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the palest grey that passes for text
    with pytest.raises(ValueError, match="not a hex colour"):
        relative_luminance("red")


@pytest.mark.parametrize(
    ("foreground", "background", "minimum"),
    [
        ("#ffffff", "#80a659", TEXT),  # the library's own green badge: 2.8:1
        ("#ffbf47", "#ffffff", NON_TEXT),  # the old yellow focus outline on white: 1.6:1
        ("#1a1a1a", "#cc0000", NON_TEXT),  # near-black beside the red button: 2.96:1, just too little
        ("#777777", "#ffffff", TEXT),  # grey text at 4.48:1
    ],
)
def test_a_pair_with_too_little_contrast_is_refused(foreground: str, background: str, minimum: float):
    assert not passes(Pair(foreground, background, minimum, "a pale pair"))


def test_the_focus_outline_stands_out_on_the_page_and_against_a_primary_button():
    focus = [pair for pair in PAIRS if pair.foreground == PALETTE.focus]
    assert {pair.background for pair in focus} >= {PALETTE.background, PALETTE.brand}
    assert all(pair.minimum >= NON_TEXT and passes(pair) for pair in focus)


def test_every_colour_and_every_badge_is_checked_in_some_pair():
    checked = {pair.foreground for pair in PAIRS} | {pair.background for pair in PAIRS}
    decoration = {PALETTE.divider}  # lines between parts of a page: no information, no minimum
    palette = {getattr(PALETTE, field.name) for field in fields(PALETTE)}
    assert palette - decoration <= checked
    for badge in BADGES.values():
        assert Pair(badge.text, badge.background, TEXT, "") in [Pair(p.foreground, p.background, p.minimum, "") for p in PAIRS]


def test_the_stylesheet_sets_the_component_tokens_from_the_palette():
    css = stylesheet()
    for field in fields(PALETTE):
        assert f"--baken-{field.name.replace('_', '-')}: {getattr(PALETTE, field.name)};" in css
    assert "--utrecht-button-primary-action-background-color: var(--baken-brand);" in css
    assert "--utrecht-link-color: var(--baken-link);" in css
    assert "--utrecht-focus-outline-color: var(--baken-focus);" in css
    for meaning in Meaning:
        assert f".baken-badge--{meaning.value} {{" in css


def test_the_page_layout_takes_every_colour_from_the_theme():
    layout = (ROOT / "templates/pages/_layout.html.j2").read_text(encoding="utf-8")
    style = layout[layout.index("<style>") : layout.index("</style>")]
    assert re.findall(r"#[0-9a-fA-F]{3,6}\b|rgb\(|hsl\(", style) == []
    assert "var(--baken-focus)" in style


def test_the_e_mails_take_every_colour_from_the_theme():
    for template in (ROOT / "templates/email").glob("*.html.j2"):
        assert re.findall(r"#[0-9a-fA-F]{3,6}\b", template.read_text(encoding="utf-8")) == [], template.name


def test_every_badge_state_has_a_meaning_and_the_meanings_differ_in_colour():
    assert badge_class("message:unread") == "utrecht-status-badge baken-badge--new"
    assert badge_class("deadline:overdue") == "utrecht-status-badge baken-badge--problem"
    assert badge_class("announcement:approved") == "utrecht-status-badge baken-badge--done"
    assert {BADGE_STATES["case:waiting"], BADGE_STATES["case:open"], BADGE_STATES["case:closed"]} == {
        Meaning.ACTION,
        Meaning.PROGRESS,
        Meaning.DONE,
    }
    assert len({badge.background for badge in BADGES.values()}) == len(BADGES)
    with pytest.raises(KeyError):
        badge_class("case:unheard-of")


def test_every_badge_state_a_template_shows_is_known():
    shown = set()
    for template in (ROOT / "templates").rglob("*.j2"):
        text = template.read_text(encoding="utf-8")
        shown |= set(re.findall(r'badge_class\("([a-z_]+:[a-z_]+)"\)', text))
        for prefix in re.findall(r'badge_class\("([a-z_]+:)" ~', text):
            assert any(state.startswith(prefix) for state in BADGE_STATES), prefix
    assert shown <= set(BADGE_STATES)
