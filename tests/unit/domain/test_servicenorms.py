"""What a decided case counts for in the published servicenorm figures: the legal term with verlenging, opschorting
and the Algemene termijnenwet, the servicenorm with opschorting, the net doorlooptijd; percentiles by nearest rank;
and small numbers never published."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from chalicelib.domain.cases import Extension, Suspension
from chalicelib.domain.durations import Duration
from chalicelib.domain.servicenorms import (
    SMALL_NUMBER,
    Decided,
    MonthFigures,
    counted_change,
    decided,
    last_months,
    percentile,
    published,
    report,
)
from tests.factories import KLACHT, SUBSIDIE, T0, a_case

START = date(2026, 10, 5)  # a Monday; subsidie: doorlooptijd 13 weeks, servicenorm 8 weeks, verlenging 6 weeks


def _decided(case) -> Decided:
    outcome = decided(case)
    assert outcome is not None
    return outcome


def _decided_after(days: int, **changes) -> Decided:
    case = replace(a_case(startdatum=START), **changes)
    return _decided(replace(case, closed_on=START + timedelta(days=days)))


def test_an_open_case_counts_for_nothing():
    assert decided(a_case()) is None


def test_decided_within_the_servicenorm_and_the_term():
    assert _decided_after(40) == Decided(SUBSIDIE, "2026-11", 40, within_servicenorm=True, within_term=True)


def test_past_the_servicenorm_but_within_the_legal_term():
    outcome = _decided_after(60)
    assert (outcome.within_servicenorm, outcome.within_term) == (False, True)


def test_past_the_legal_term():
    outcome = _decided_after(95)
    assert (outcome.within_servicenorm, outcome.within_term) == (False, False)


def test_opschorting_moves_both_dates_and_is_not_counted_as_doorlooptijd():
    suspended = (Suspension(START + timedelta(days=20), "wacht op advies", START + timedelta(days=30)),)
    outcome = _decided_after(62, suspensions=suspended)
    assert (outcome.days, outcome.within_servicenorm, outcome.within_term) == (52, True, True)


def test_an_opschorting_still_open_on_the_day_of_the_decision_counts_up_to_that_day():
    suspended = (Suspension(START + timedelta(days=30), "wacht op aanvulling"),)
    outcome = _decided_after(70, suspensions=suspended)
    assert (outcome.days, outcome.within_servicenorm, outcome.within_term) == (30, True, True)


def test_a_verlenging_moves_the_legal_term_not_the_servicenorm():
    extended = Extension(Duration(weeks=6), "advies van het waterschap", T0)
    outcome = _decided_after(120, extension=extended)
    assert (outcome.within_servicenorm, outcome.within_term) == (False, True)
    assert _decided_after(120).within_term is False


def test_a_term_ending_on_a_weekend_or_holiday_ends_on_the_next_working_day():
    saturday = date(2026, 10, 3)  # + 13 weeks = Saturday 2 January 2027; 1 January is a holiday
    case = a_case(startdatum=saturday)
    assert _decided(replace(case, closed_on=date(2027, 1, 4))).within_term is True  # Monday 4 January
    assert _decided(replace(case, closed_on=date(2027, 1, 5))).within_term is False


def test_a_zaaktype_without_a_servicenorm_counts_for_the_term_only():
    outcome = _decided(
        replace(a_case(zaaktype_id=KLACHT, startdatum=START), servicenorm=None, closed_on=START + timedelta(days=3))
    )
    assert outcome.within_servicenorm is None


@pytest.mark.parametrize(
    ("histogram", "median", "p90"),
    [({1: 1, 2: 1, 3: 1, 4: 1}, 2, 4), ({10: 9, 50: 1}, 10, 10), ({7: 1}, 7, 7), ({}, None, None), ({3: 5, 9: 5}, 3, 9)],
)
def test_percentiles_by_nearest_rank(histogram, median, p90):
    assert (percentile(histogram, 50), percentile(histogram, 90)) == (median, p90)


def _month(n: int, month: str = "2026-11") -> MonthFigures:
    figures = MonthFigures(SUBSIDIE, month)
    for days in range(n):
        figures = figures.plus(Decided(SUBSIDIE, month, 10 + days, within_servicenorm=days % 2 == 0, within_term=True))
    return figures


def test_fewer_than_the_threshold_is_published_as_too_few_and_nothing_else():
    assert published(_month(SMALL_NUMBER - 1), "2026-11").to_json() == {
        "period": "2026-11",
        "decided": None,
        "share_within_servicenorm": None,
        "share_within_term": None,
        "median_days": None,
        "p90_days": None,
        "too_few": True,
    }
    shown = published(_month(SMALL_NUMBER), "2026-11")
    assert (shown.decided, shown.share_within_servicenorm, shown.share_within_term, shown.median_days) == (5, 0.6, 1.0, 12)


def test_months_too_small_alone_are_published_in_the_total():
    months = last_months(date(2026, 12, 6))
    assert (months[0], months[-1], len(months)) == ("2026-01", "2026-12", 12)
    shown = report(SUBSIDIE, [_month(3, "2026-11"), _month(3, "2026-12")], months)
    assert [m.too_few for m in shown.months[-2:]] == [True, True]
    assert (shown.total.period, shown.total.decided, shown.total.too_few) == ("2026-01/2026-12", 6, False)


def test_taking_a_case_out_undoes_putting_it_in():
    case = Decided(SUBSIDIE, "2026-11", 12, within_servicenorm=True, within_term=False)
    assert _month(5).plus(case).plus(case, -1) == _month(5)
    assert counted_change(case, case) == []
    moved = replace(case, month="2026-12")
    assert counted_change(case, moved) == [(case, -1), (moved, 1)]
