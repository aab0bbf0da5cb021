"""Charts drawn on the server as SVG: no script, readable without styles, the same figures in a table beside them.

``share_chart`` lays out one bar per month for a share (0..1) — the share of cases decided within the servicenorm
(within the legal term for a product without a servicenorm), or the share of satisfied answers. A month with too
few cases or answers has no bar: a short dash on the axis, and "te weinig" in the table. The template
(``templates/pages/_chart.html.j2``) draws it with a ``<title>`` and a ``<desc>`` that says in words what the chart
shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

WIDTH = 640
HEIGHT = 260
LEFT = 64  # room for the percentages, also in the larger type a phone shows them in
BOTTOM = 56  # room for the months: two lines (January has its year under it)
TOP = 12
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM


@dataclass(frozen=True)
class Bar:
    label: str
    x: float
    width: float
    y: float
    height: float
    value: float | None  # None: too few cases

    @property
    def percent(self) -> int | None:
        return None if self.value is None else round(self.value * 100)

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Gridline:
    y: float
    percent: int


@dataclass(frozen=True)
class ShareChart:
    width: int
    height: int
    left: int
    baseline: float
    bars: tuple[Bar, ...]
    gridlines: tuple[Gridline, ...]
    shown: int  # months with a bar
    lowest: int | None
    highest: int | None


class Period(Protocol):
    """A month (or a total) as published: its name, and whether it had too few to show (the small-number rule)."""

    @property
    def period(self) -> str: ...

    @property
    def too_few(self) -> bool: ...


P = TypeVar("P", bound=Period)


def share_chart(periods: Sequence[P], share: Callable[[P], float | None], label: Callable[[str], str]) -> ShareChart:
    """One bar per period for ``share(period)``; ``label(period)`` names it under the axis."""
    slot = (WIDTH - LEFT) / max(len(periods), 1)
    baseline = TOP + PLOT_HEIGHT
    bars = []
    for n, period in enumerate(periods):
        value = None if period.too_few else share(period)
        height = 0.0 if value is None else PLOT_HEIGHT * max(0.0, min(value, 1.0))
        bars.append(Bar(label(period.period), LEFT + n * slot + slot * 0.2, slot * 0.6, baseline - height, height, value))
    percents = [b.percent for b in bars if b.percent is not None]
    return ShareChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        baseline=baseline,
        bars=tuple(bars),
        gridlines=tuple(Gridline(baseline - PLOT_HEIGHT * p / 100, p) for p in (0, 25, 50, 75, 100)),
        shown=len(percents),
        lowest=min(percents) if percents else None,
        highest=max(percents) if percents else None,
    )
