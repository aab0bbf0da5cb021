"""ISO-8601 durations as the ZGW Catalogi API uses them (``doorlooptijd``, ``servicenorm``).

Only calendar parts are meaningful for handling periods, so a duration here has years, months, weeks
and days. Adding one to a date follows the calendar: a month after 31 January is the last day of
February, as in Dutch law (Algemene termijnenwet counts calendar periods the same way).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.domain.errors import InvalidDurationError

_PATTERN = re.compile(r"^P(?:(?P<years>\d{1,4})Y)?(?:(?P<months>\d{1,5})M)?(?:(?P<weeks>\d{1,5})W)?(?:(?P<days>\d{1,6})D)?$")
MAXIMUM_DAYS = 100 * 366
"""No handling period is longer than a century; anything longer is a mistake (and would overflow dates)."""


@dataclass(frozen=True, order=True)
class Duration:
    """A non-negative calendar duration such as ``P8W`` or ``P1Y6M``."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse an ISO-8601 date duration; raise InvalidDurationError for anything else."""
        match = _PATTERN.match(text.strip()) if isinstance(text, str) else None
        if match is None or text.strip() == "P":
            raise InvalidDurationError(text)
        parts = {name: int(value) for name, value in match.groupdict().items() if value is not None}
        duration = cls(**parts)
        if duration.approximate_days > MAXIMUM_DAYS:
            raise InvalidDurationError(text)
        return duration

    @property
    def approximate_days(self) -> int:
        """An upper bound in days (a year as 366, a month as 31), for limits, never for deadlines."""
        return self.years * 366 + self.months * 31 + self.weeks * 7 + self.days

    def add_to(self, start: date) -> date:
        """The date this duration after ``start``, clamping to the end of a shorter month."""
        month_index = start.month - 1 + self.months + 12 * self.years
        year = start.year + month_index // 12
        month = month_index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return date(year, month, day) + timedelta(weeks=self.weeks, days=self.days)

    def __str__(self) -> str:
        text = "P"
        for amount, unit in ((self.years, "Y"), (self.months, "M"), (self.weeks, "W"), (self.days, "D")):
            if amount:
                text += f"{amount}{unit}"
        return text if text != "P" else "P0D"

    @property
    def is_zero(self) -> bool:
        return not (self.years or self.months or self.weeks or self.days)
