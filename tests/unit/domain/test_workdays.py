"""The Algemene termijnenwet: Dutch holidays, and a statutory period's last day moving past them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.workdays import amsterdam_date, easter_sunday, general_holidays, is_working_day, kings_day, statutory_end


@pytest.mark.parametrize(
    "expected",
    [
        date(2008, 3, 23),
        date(2011, 4, 24),
        date(2024, 3, 31),
        date(2025, 4, 20),
        date(2026, 4, 5),
        date(2027, 3, 28),
        date(2038, 4, 25),
        date(2285, 3, 22),
    ],
)
def test_easter_sunday_falls_on_the_known_date(expected):
    assert easter_sunday(expected.year) == expected


@given(st.integers(min_value=1583, max_value=4099))
def test_easter_is_always_a_sunday_between_22_march_and_25_april(year):
    easter = easter_sunday(year)
    assert easter.weekday() == 6
    assert date(year, 3, 22) <= easter <= date(year, 4, 25)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2024, date(2024, 4, 27)),
        (2025, date(2025, 4, 26)),  # 27 April 2025 is a Sunday
        (2026, date(2026, 4, 27)),
        (2031, date(2031, 4, 26)),  # 27 April 2031 is a Sunday
    ],
)
def test_kings_day_is_27_april_or_the_saturday_before_when_that_is_a_sunday(year, expected):
    assert kings_day(year) == expected


def test_the_general_holidays_of_2026_are_exactly_those_of_article_3():
    assert general_holidays(2026) == {
        date(2026, 1, 1),  # New Year's Day
        date(2026, 4, 6),  # Easter Monday
        date(2026, 4, 27),  # King's Day
        date(2026, 5, 5),  # Liberation Day
        date(2026, 5, 14),  # Ascension Day
        date(2026, 5, 25),  # Whit Monday
        date(2026, 12, 25),  # Christmas Day
        date(2026, 12, 26),  # Boxing Day
    }


@pytest.mark.parametrize(
    ("name", "day"),
    [
        ("Easter Monday", date(2025, 4, 21)),
        ("Ascension Day", date(2025, 5, 29)),
        ("Whit Monday", date(2025, 6, 9)),
        ("King's Day", date(2025, 4, 26)),
        ("5 May", date(2025, 5, 5)),
        ("Christmas Day", date(2025, 12, 25)),
        ("Boxing Day", date(2025, 12, 26)),
    ],
)
def test_a_moving_or_fixed_holiday_is_in_the_list_for_its_year(name, day):
    assert day in general_holidays(day.year), name


@pytest.mark.parametrize("good_friday", [date(2025, 4, 18), date(2026, 4, 3), date(2027, 3, 26)])
def test_good_friday_is_not_a_holiday_and_is_a_working_day(good_friday):
    assert good_friday not in general_holidays(good_friday.year)
    assert is_working_day(good_friday)


def test_when_kings_day_moves_to_the_26th_the_27th_is_not_the_holiday():
    # 27 April 2031 is a Sunday: the holiday is Saturday the 26th
    assert date(2031, 4, 27) not in general_holidays(2031)
    assert date(2031, 4, 26) in general_holidays(2031)


@pytest.mark.parametrize(
    ("last_day", "expected"),
    [
        (date(2026, 12, 26), date(2026, 12, 28)),  # Saturday (and Boxing Day) → Monday
        (date(2026, 10, 11), date(2026, 10, 12)),  # Sunday → Monday
        (date(2026, 10, 10), date(2026, 10, 12)),  # Saturday → Monday
        (date(2026, 12, 25), date(2026, 12, 28)),  # Christmas on a Friday → Monday
        (date(2026, 5, 14), date(2026, 5, 15)),  # Ascension Day (Thursday) → Friday
        (date(2026, 5, 5), date(2026, 5, 6)),  # 5 May on a Tuesday → Wednesday
        (date(2026, 4, 4), date(2026, 4, 7)),  # Saturday before Easter → past Easter Monday to Tuesday
        (date(2025, 4, 26), date(2025, 4, 28)),  # King's Day on a Saturday → Monday
        (date(2027, 1, 1), date(2027, 1, 4)),  # New Year's Day on a Friday → Monday
    ],
)
def test_a_last_day_on_a_weekend_or_holiday_moves_to_the_next_working_day(last_day, expected):
    assert statutory_end(last_day) == expected


@pytest.mark.parametrize(
    "working_day",
    [date(2026, 10, 5), date(2026, 12, 24), date(2026, 4, 3), date(2026, 5, 4), date(2026, 12, 31)],
)
def test_a_last_day_on_a_working_day_stays_where_it_is(working_day):
    assert statutory_end(working_day) == working_day


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_the_statutory_end_is_the_first_working_day_on_or_after_the_last_day(day):
    end = statutory_end(day)
    assert end >= day
    assert is_working_day(end)
    assert not any(is_working_day(day + timedelta(days=n)) for n in range((end - day).days))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # summer time (UTC+2): 22:00 UTC is already midnight in Amsterdam
        (datetime(2026, 7, 1, 21, 59, tzinfo=UTC), date(2026, 7, 1)),
        (datetime(2026, 7, 1, 22, 0, tzinfo=UTC), date(2026, 7, 2)),
        (datetime(2026, 7, 1, 23, 30, tzinfo=UTC), date(2026, 7, 2)),
        # winter time (UTC+1): 22:30 UTC is still the same day, 23:00 UTC is the next
        (datetime(2026, 1, 15, 22, 30, tzinfo=UTC), date(2026, 1, 15)),
        (datetime(2026, 1, 15, 23, 0, tzinfo=UTC), date(2026, 1, 16)),
        # the night to summer time, 29 March 2026: the evening before is winter, the evening after summer
        (datetime(2026, 3, 28, 22, 30, tzinfo=UTC), date(2026, 3, 28)),
        (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), date(2026, 3, 29)),
        (datetime(2026, 3, 29, 21, 30, tzinfo=UTC), date(2026, 3, 29)),
        (datetime(2026, 3, 29, 22, 30, tzinfo=UTC), date(2026, 3, 30)),
        # the night to winter time, 25 October 2026: the evening before is summer, the evening after winter
        (datetime(2026, 10, 24, 21, 30, tzinfo=UTC), date(2026, 10, 24)),
        (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), date(2026, 10, 25)),
        (datetime(2026, 10, 25, 22, 30, tzinfo=UTC), date(2026, 10, 25)),
        (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), date(2026, 10, 26)),
    ],
)
def test_the_amsterdam_date_follows_dutch_time_around_midnight_utc(moment, expected):
    assert amsterdam_date(moment) == expected
