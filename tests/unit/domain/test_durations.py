"""ISO-8601 date durations: what we accept, how they add to a date, and how they print."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.durations import Duration
from chalicelib.domain.errors import InvalidDurationError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P8W", Duration(weeks=8)),
        ("P1Y6M", Duration(years=1, months=6)),
        ("P13W", Duration(weeks=13)),
        ("P5D", Duration(days=5)),
        ("P2Y3M4W5D", Duration(years=2, months=3, weeks=4, days=5)),
        ("P0D", Duration()),
    ],
)
def test_a_calendar_duration_is_parsed_into_its_parts(text, expected):
    assert Duration.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    ["P", "PT5H", "P1DT2H", "8W", "", "   ", "-P8W", "P-8W", "P8w", "P1.5W", "P8W6M", "weeks"],
)
def test_anything_but_a_calendar_duration_is_rejected(text):
    with pytest.raises(InvalidDurationError):
        Duration.parse(text)


@pytest.mark.parametrize("value", [None, 56, ["P8W"]])
def test_a_value_that_is_not_text_is_rejected_as_an_invalid_duration(value):
    with pytest.raises(InvalidDurationError):
        Duration.parse(value)


@pytest.mark.parametrize(
    ("duration", "start", "expected"),
    [
        ("P8W", date(2026, 10, 5), date(2026, 11, 30)),
        ("P5D", date(2026, 12, 29), date(2027, 1, 3)),
        ("P1M", date(2026, 3, 15), date(2026, 4, 15)),
        ("P1Y6M", date(2026, 10, 5), date(2028, 4, 5)),
        ("P3M", date(2026, 11, 30), date(2027, 2, 28)),
    ],
)
def test_a_duration_is_added_to_a_date_along_the_calendar(duration, start, expected):
    assert Duration.parse(duration).add_to(start) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 12, 31), date(2027, 1, 31)),
    ],
)
def test_a_month_after_the_31st_is_the_last_day_of_a_shorter_month(start, expected):
    assert Duration(months=1).add_to(start) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2024, 2, 29), date(2025, 2, 28)),
        (date(2024, 2, 29), date(2028, 2, 29)),
    ],
)
def test_a_year_after_a_leap_day_is_the_28th_unless_that_year_is_a_leap_year(start, expected):
    years = expected.year - start.year
    assert Duration(years=years).add_to(start) == expected


def test_months_are_added_before_weeks_and_days():
    # GIVEN 31 January, WHEN one month and one day are added
    # THEN the month clamps to 28 February first, and the day follows: 1 March (not 3 March)
    assert Duration(months=1, days=1).add_to(date(2026, 1, 31)) == date(2026, 3, 1)


@given(
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    weeks=st.integers(min_value=0, max_value=520),
    days=st.integers(min_value=0, max_value=3650),
)
def test_weeks_and_days_are_plain_numbers_of_days(start, weeks, days):
    assert Duration(weeks=weeks, days=days).add_to(start) == start + timedelta(weeks=weeks, days=days)


@pytest.mark.parametrize("text", ["P8W", "P1Y6M", "P13W", "P5D", "P2Y3M4W5D", "P1Y", "P3M"])
def test_a_duration_prints_as_the_text_it_was_parsed_from(text):
    assert str(Duration.parse(text)) == text


def test_a_zero_duration_prints_as_zero_days():
    assert str(Duration()) == "P0D"


@given(
    years=st.integers(min_value=0, max_value=50),
    months=st.integers(min_value=0, max_value=50),
    weeks=st.integers(min_value=0, max_value=500),
    days=st.integers(min_value=0, max_value=500),
)
def test_every_duration_survives_a_round_trip_through_its_text(years, months, weeks, days):
    duration = Duration(years, months, weeks, days)
    assert Duration.parse(str(duration)) == duration


@pytest.mark.parametrize(
    ("duration", "zero"),
    [(Duration(), True), (Duration.parse("P0D"), True), (Duration(days=1), False), (Duration(years=1), False)],
)
def test_only_a_duration_without_any_amount_is_zero(duration, zero):
    assert duration.is_zero is zero


@pytest.mark.parametrize(
    ("shorter", "longer"),
    [("P6W", "P8W"), ("P4D", "P5D"), ("P11M", "P1Y"), ("P1Y6M", "P2Y"), ("P6M", "P1Y")],
)
def test_a_shorter_duration_sorts_before_a_longer_one(shorter, longer):
    assert Duration.parse(shorter) < Duration.parse(longer)
    assert sorted([Duration.parse(longer), Duration.parse(shorter)]) == [Duration.parse(shorter), Duration.parse(longer)]
