"""Servicenormen measured: what each decided case counts for in the figures the province publishes ("We handelen
volgens opgestelde servicenormen … toetsen, bijsturen en openbaar maken").

Per zaaktype and per month in which cases were decided (closed):

* **decided** — how many;
* **within the servicenorm** — decided on or before startdatum + servicenorm, the days of opschorting added (the
  province's own promise, shown as is); only for zaaktypen with a servicenorm;
* **within the legal term** — decided on or before the behandeltermijn as the law counts it: startdatum +
  doorlooptijd, + the verlenging, + the days of opschorting, moved past weekends and holidays (Algemene
  termijnenwet; ``chalicelib.domain.deadlines``);
* **doorlooptijd** — the net days from startdatum to the decision, the days of opschorting not counted; the median
  and the 90th percentile (nearest rank) from a histogram of those days, so a month's figures are exact and can be
  kept by adding and subtracting cases.

A suspension still open on the day of the decision counts up to that day. A case that is reopened stops counting
for its month; decided again, it counts for the month of its new decision.

Small numbers: a month of a zaaktype with fewer than ``SMALL_NUMBER`` decided cases is published as "te weinig
zaken" — no count, no shares, no doorlooptijd — so no figure is about one or two people's cases. The twelve-month
total is published when it reaches the threshold.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from chalicelib.domain.cases import Case
from chalicelib.domain.deadlines import deadline_for

SMALL_NUMBER = 5
MAX_DAYS = 3660  # a doorlooptijd beyond ten years is kept as ten years (bounded histogram)


@dataclass(frozen=True)
class Decided:
    """What one decided case counts for."""

    zaaktype: str
    month: str  # YYYY-MM of the decision
    days: int
    within_servicenorm: bool | None  # None: the zaaktype had no servicenorm
    within_term: bool


def _suspended_days(case: Case, decided_on: date) -> int:
    total = 0
    for suspension in case.suspensions:
        start = max(suspension.start, case.startdatum)
        end = min(suspension.end or decided_on, decided_on)
        total += max((end - start).days, 0)
    return total


def decided(case: Case) -> Decided | None:
    """What ``case`` counts for; None while it is open."""
    if case.closed_on is None:
        return None
    decided_on = case.closed_on
    # an opschorting still open on the day of the decision ends that day
    closed = tuple(replace(s, end=decided_on) if s.end is None else s for s in case.suspensions)
    deadline = deadline_for(replace(case, suspensions=closed))
    days = min(max((decided_on - case.startdatum).days - _suspended_days(case, decided_on), 0), MAX_DAYS)
    return Decided(
        zaaktype=case.zaaktype,
        month=decided_on.strftime("%Y-%m"),
        days=days,
        within_servicenorm=None if deadline.servicenorm_due is None else decided_on <= deadline.servicenorm_due,
        within_term=deadline.due is not None and decided_on <= deadline.due,
    )


@dataclass(frozen=True)
class MonthFigures:
    """One zaaktype's decided cases of one month, as kept: counts and the histogram of net days."""

    zaaktype: str
    month: str
    decided: int = 0
    with_servicenorm: int = 0
    within_servicenorm: int = 0
    within_term: int = 0
    days: Mapping[int, int] = field(default_factory=dict)

    def plus(self, case: Decided, sign: int = 1) -> MonthFigures:
        histogram = dict(self.days)
        histogram[case.days] = histogram.get(case.days, 0) + sign
        if histogram[case.days] == 0:
            del histogram[case.days]
        return replace(
            self,
            decided=self.decided + sign,
            with_servicenorm=self.with_servicenorm + (sign if case.within_servicenorm is not None else 0),
            within_servicenorm=self.within_servicenorm + (sign if case.within_servicenorm else 0),
            within_term=self.within_term + (sign if case.within_term else 0),
            days=histogram,
        )

    def merged(self, other: MonthFigures) -> MonthFigures:
        histogram = dict(self.days)
        for days, count in other.days.items():
            histogram[days] = histogram.get(days, 0) + count
        return replace(
            self,
            decided=self.decided + other.decided,
            with_servicenorm=self.with_servicenorm + other.with_servicenorm,
            within_servicenorm=self.within_servicenorm + other.within_servicenorm,
            within_term=self.within_term + other.within_term,
            days={d: c for d, c in histogram.items() if c},
        )


def percentile(histogram: Mapping[int, int], q: float) -> int | None:
    """The nearest-rank ``q``-th percentile (0 < q <= 100) of the values a histogram counts; None when empty."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    rank = max(1, math.ceil(q / 100 * total))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)


@dataclass(frozen=True)
class Published:
    """A month (or a total) as published: None everywhere when too few cases were decided."""

    period: str  # YYYY-MM, or "YYYY-MM/YYYY-MM" for a total
    decided: int | None
    share_within_servicenorm: float | None
    share_within_term: float | None
    median_days: int | None
    p90_days: int | None
    too_few: bool

    def to_json(self) -> dict[str, object]:
        return {
            "period": self.period,
            "decided": self.decided,
            "share_within_servicenorm": self.share_within_servicenorm,
            "share_within_term": self.share_within_term,
            "median_days": self.median_days,
            "p90_days": self.p90_days,
            "too_few": self.too_few,
        }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def published(figures: MonthFigures, period: str, threshold: int = SMALL_NUMBER) -> Published:
    if figures.decided < threshold:
        return Published(period, None, None, None, None, None, too_few=True)
    return Published(
        period=period,
        decided=figures.decided,
        share_within_servicenorm=_share(figures.within_servicenorm, figures.with_servicenorm),
        share_within_term=_share(figures.within_term, figures.decided),
        median_days=percentile(figures.days, 50),
        p90_days=percentile(figures.days, 90),
        too_few=False,
    )


def last_months(until: date, count: int = 12) -> list[str]:
    """The ``count`` months up to and including the month of ``until``, oldest first (YYYY-MM)."""
    months: list[str] = []
    year, month = until.year, until.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


@dataclass(frozen=True)
class Report:
    """A zaaktype's last months as published, and their total."""

    zaaktype: str
    months: tuple[Published, ...]
    total: Published


def report(zaaktype: str, figures: Iterable[MonthFigures], months: Sequence[str], threshold: int = SMALL_NUMBER) -> Report:
    by_month = {f.month: f for f in figures if f.zaaktype == zaaktype}
    total = MonthFigures(zaaktype, "")
    shown = []
    for month in months:
        found = by_month.get(month, MonthFigures(zaaktype, month))
        total = total.merged(found)
        shown.append(published(found, month, threshold))
    return Report(zaaktype, tuple(shown), published(total, f"{months[0]}/{months[-1]}", threshold))


def counted_change(before: Decided | None, after: Decided | None) -> list[tuple[Decided, int]]:
    """What to take out of (-1) and put into (+1) the month figures when a case that counted for ``before`` now
    counts for ``after``: nothing when they are the same."""
    if before == after:
        return []
    return [*([(before, -1)] if before else []), *([(after, 1)] if after else [])]


def month_start(month: str) -> date:
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1)


def month_end(month: str) -> date:
    start = month_start(month)
    following = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return following - timedelta(days=1)
