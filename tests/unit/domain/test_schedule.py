"""When an e-mail may go out: at once, at 07:00 after a quiet night, or with the daily or weekly digest.

Times are Dutch wall-clock times: the release moment stays 07:00 in Utrecht across the changes to and from summer
time, which in UTC is 05:00 in summer and 06:00 in winter. In 2026 the clocks go forward on Sunday 29 March
(02:00 → 03:00) and back on Sunday 25 October (03:00 → 02:00).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.schedule import hold_until, may_have_held_email
from chalicelib.domain.subscriptions import Channel, Frequency, Preferences
from chalicelib.domain.workdays import AMSTERDAM

IMMEDIATELY = Preferences(frozenset({Channel.EMAIL}), frequency=Frequency.IMMEDIATELY, quiet_hours=True)
NO_QUIET_HOURS = Preferences(frozenset({Channel.EMAIL}), frequency=Frequency.IMMEDIATELY, quiet_hours=False)
DAILY = Preferences(frozenset({Channel.EMAIL}), frequency=Frequency.DAILY)
WEEKLY = Preferences(frozenset({Channel.EMAIL}), frequency=Frequency.WEEKLY)


def _dutch(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Dutch wall-clock time, as the UTC moment a clock would report."""
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM).astimezone(UTC)


def _utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _email(preferences: Preferences, now: datetime, *, action_required: bool = False) -> datetime | None:
    return hold_until(preferences, Channel.EMAIL, action_required=action_required, now=now)


# --- quiet hours -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "now",
    [_dutch(2026, 10, 6, 21, 59), _dutch(2026, 10, 6, 7, 0), _dutch(2026, 10, 6, 12, 0)],
    ids=["21:59", "07:00", "12:00"],
)
def test_an_email_outside_the_quiet_hours_goes_out_at_once(now):
    assert _email(IMMEDIATELY, now) is None


@pytest.mark.parametrize(
    ("now", "released"),
    [
        (_dutch(2026, 10, 6, 22, 0), _dutch(2026, 10, 7, 7, 0)),
        (_dutch(2026, 10, 6, 23, 30), _dutch(2026, 10, 7, 7, 0)),
        (_dutch(2026, 10, 7, 0, 30), _dutch(2026, 10, 7, 7, 0)),
        (_dutch(2026, 10, 7, 6, 59), _dutch(2026, 10, 7, 7, 0)),
    ],
    ids=["22:00", "23:30", "00:30", "06:59"],
)
def test_an_email_in_the_quiet_hours_waits_until_the_next_07_00(now, released):
    assert _email(IMMEDIATELY, now) == released


def test_someone_who_turned_quiet_hours_off_gets_e_mail_at_night():
    assert _email(NO_QUIET_HOURS, _dutch(2026, 10, 6, 23, 30)) is None


# --- digests -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "released"),
    [
        (_dutch(2026, 10, 6, 12, 0), _dutch(2026, 10, 7, 7, 0)),
        (_dutch(2026, 10, 6, 23, 0), _dutch(2026, 10, 7, 7, 0)),
        (_dutch(2026, 10, 7, 6, 59), _dutch(2026, 10, 7, 7, 0)),
        (_dutch(2026, 10, 7, 7, 0), _dutch(2026, 10, 8, 7, 0)),
    ],
    ids=["midday", "late-evening", "just-before-07:00", "at-07:00"],
)
def test_the_daily_digest_goes_out_at_the_next_07_00(now, released):
    assert _email(DAILY, now) == released


def test_the_daily_digest_waits_even_for_someone_without_quiet_hours():
    daily_without_quiet_hours = Preferences(frozenset({Channel.EMAIL}), frequency=Frequency.DAILY, quiet_hours=False)

    assert _email(daily_without_quiet_hours, _dutch(2026, 10, 6, 12, 0)) == _dutch(2026, 10, 7, 7, 0)


@pytest.mark.parametrize(
    ("now", "released"),
    [
        (_dutch(2026, 10, 7, 12, 0), _dutch(2026, 10, 12, 7, 0)),  # Wednesday
        (_dutch(2026, 10, 11, 23, 0), _dutch(2026, 10, 12, 7, 0)),  # Sunday night
        (_dutch(2026, 10, 12, 6, 59), _dutch(2026, 10, 12, 7, 0)),  # Monday, just before
        (_dutch(2026, 10, 12, 7, 0), _dutch(2026, 10, 19, 7, 0)),  # Monday, at 07:00: next week's
    ],
    ids=["wednesday", "sunday-night", "monday-06:59", "monday-07:00"],
)
def test_the_weekly_digest_goes_out_on_the_next_monday_at_07_00(now, released):
    assert _email(WEEKLY, now) == released


# --- never held --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("preferences", [IMMEDIATELY, DAILY, WEEKLY], ids=["quiet-hours", "daily", "weekly"])
def test_an_email_that_asks_the_reader_to_act_is_never_held(preferences):
    assert _email(preferences, _dutch(2026, 10, 6, 23, 30), action_required=True) is None


@pytest.mark.parametrize("channel", [Channel.PORTAL, Channel.LETTER])
@pytest.mark.parametrize("preferences", [IMMEDIATELY, DAILY, WEEKLY], ids=["quiet-hours", "daily", "weekly"])
def test_the_portal_and_letters_are_never_held(channel, preferences):
    assert hold_until(preferences, channel, action_required=False, now=_dutch(2026, 10, 6, 23, 30)) is None


def test_the_same_moment_in_another_time_zone_is_held_until_the_same_moment():
    in_utc = _dutch(2026, 10, 6, 23, 30)

    assert _email(IMMEDIATELY, in_utc.astimezone(AMSTERDAM)) == _email(IMMEDIATELY, in_utc) == _utc(2026, 10, 7, 5, 0)


# --- daylight saving time ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "released"),
    [
        # GIVEN the night the clocks go forward: 23:30 CET on Saturday is 22:30 UTC
        (_utc(2026, 3, 28, 22, 30), _utc(2026, 3, 29, 5, 0)),
        # 03:30 CEST on Sunday, just after the clocks jumped from 02:00 to 03:00
        (_utc(2026, 3, 29, 1, 30), _utc(2026, 3, 29, 5, 0)),
        # the evening after: 22:30 CEST on Sunday is 20:30 UTC
        (_utc(2026, 3, 29, 20, 30), _utc(2026, 3, 30, 5, 0)),
        # the night the clocks go back: 23:30 CEST on Saturday is 21:30 UTC
        (_utc(2026, 10, 24, 21, 30), _utc(2026, 10, 25, 6, 0)),
        # 02:30 on Sunday happens twice: first in summer time, then in winter time
        (_utc(2026, 10, 25, 0, 30), _utc(2026, 10, 25, 6, 0)),
        (_utc(2026, 10, 25, 1, 30), _utc(2026, 10, 25, 6, 0)),
        # the evening after: 22:30 CET on Sunday is 21:30 UTC
        (_utc(2026, 10, 25, 21, 30), _utc(2026, 10, 26, 6, 0)),
    ],
    ids=[
        "spring-saturday-night",
        "spring-just-after-the-jump",
        "spring-sunday-night",
        "autumn-saturday-night",
        "autumn-first-02:30",
        "autumn-second-02:30",
        "autumn-sunday-night",
    ],
)
def test_after_a_quiet_night_around_a_clock_change_mail_still_goes_out_at_07_00_dutch_time(now, released):
    # THEN 07:00 in Utrecht: 05:00 UTC in summer time, 06:00 UTC in winter time
    assert _email(IMMEDIATELY, now) == released


@pytest.mark.parametrize(
    ("now", "held"),
    [
        (_utc(2026, 3, 28, 20, 30), False),  # 21:30 CET
        (_utc(2026, 3, 29, 20, 30), True),  # 22:30 CEST: the same UTC time a day later is already night
        (_utc(2026, 10, 23, 5, 30), False),  # 07:30 CEST
        (_utc(2026, 10, 26, 5, 30), True),  # 06:30 CET: the same UTC time after the change is still night
    ],
    ids=["spring-before-21:30", "spring-after-22:30", "autumn-before-07:30", "autumn-after-06:30"],
)
def test_quiet_hours_follow_the_dutch_clock_not_utc(now, held):
    assert (_email(IMMEDIATELY, now) is not None) is held


@pytest.mark.parametrize(
    ("preferences", "now", "released"),
    [
        (WEEKLY, _dutch(2026, 3, 27, 12, 0), _utc(2026, 3, 30, 5, 0)),
        (WEEKLY, _dutch(2026, 10, 23, 12, 0), _utc(2026, 10, 26, 6, 0)),
        (DAILY, _dutch(2026, 3, 28, 12, 0), _utc(2026, 3, 29, 5, 0)),
        (DAILY, _dutch(2026, 10, 24, 12, 0), _utc(2026, 10, 25, 6, 0)),
    ],
    ids=["weekly-spring", "weekly-autumn", "daily-spring", "daily-autumn"],
)
def test_digests_over_a_clock_change_go_out_at_07_00_dutch_time(preferences, now, released):
    assert _email(preferences, now) == released


@pytest.mark.parametrize(
    ("frequency", "quiet_hours", "local_time", "may"),
    [
        (Frequency.DAILY, False, (14, 0), True),  # a digest reader always may
        (Frequency.WEEKLY, True, (14, 0), True),
        (Frequency.IMMEDIATELY, False, (23, 30), False),  # nothing is ever held for them
        (Frequency.IMMEDIATELY, True, (23, 30), True),  # tonight's e-mail waits
        (Frequency.IMMEDIATELY, True, (6, 59), True),
        (Frequency.IMMEDIATELY, True, (7, 10), True),  # the release run may not have run yet
        (Frequency.IMMEDIATELY, True, (9, 59), True),
        (Frequency.IMMEDIATELY, True, (10, 0), False),  # by ten it surely has
        (Frequency.IMMEDIATELY, True, (21, 59), False),
    ],
)
def test_who_may_have_e_mail_waiting(frequency, quiet_hours, local_time, may):
    hour, minute = local_time
    now = datetime(2026, 10, 6, hour, minute, tzinfo=AMSTERDAM).astimezone(UTC)
    preferences = Preferences(channels=frozenset({Channel.EMAIL}), frequency=frequency, quiet_hours=quiet_hours)
    assert may_have_held_email(preferences, now) is may
