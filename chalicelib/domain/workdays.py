"""Dutch statutory periods: the Algemene termijnenwet.

A period set by law that ends on a Saturday, a Sunday or a generally recognised holiday is extended to
the next day that is none of these (article 1). The holidays are listed in article 3: New Year's Day,
Easter Monday, Ascension Day, Whit Monday, Christmas Day and Boxing Day, the King's birthday and
5 May. Easter and Whit Sunday are Sundays already; Good Friday is not on the list.

Article 2 (a period of at least three days must include two working days) is not applied: every
doorlooptijd in the catalogue is measured in weeks, where it never makes a difference.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def amsterdam_date(moment: datetime) -> date:
    """The calendar date in the Netherlands at ``moment`` (an aware datetime)."""
    return moment.astimezone(AMSTERDAM).date()


def easter_sunday(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def kings_day(year: int) -> date:
    """27 April, or 26 April when the 27th is a Sunday."""
    day = date(year, 4, 27)
    return day - timedelta(days=1) if day.weekday() == 6 else day


@lru_cache(maxsize=64)
def general_holidays(year: int) -> frozenset[date]:
    """The generally recognised holidays of article 3 of the Algemene termijnenwet in ``year``."""
    easter = easter_sunday(year)
    return frozenset(
        {
            date(year, 1, 1),
            easter + timedelta(days=1),
            easter + timedelta(days=39),
            easter + timedelta(days=50),
            kings_day(year),
            date(year, 5, 5),
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in general_holidays(day.year)


def statutory_end(day: date) -> date:
    """Move the last day of a statutory period past weekends and holidays (article 1)."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(day: date, count: int) -> date:
    """The day ``count`` working days after ``day``: Saturdays, Sundays and the holidays above are not counted.
    ``day`` itself is never counted (a question asked on Friday with 5 working days is due the next Friday)."""
    if count < 0:
        raise ValueError("count must not be negative")
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
