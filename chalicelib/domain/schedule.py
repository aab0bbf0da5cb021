"""When an e-mail may go out: at once, in the morning (no e-mail between 22:00 and 07:00), or with the daily
or weekly digest. Times are Dutch wall-clock times, so daylight saving changes move nothing people see.
Action-required messages and the portal and letter channels are never held."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from chalicelib.domain.subscriptions import Channel, Frequency, Preferences
from chalicelib.domain.workdays import AMSTERDAM

MORNING = time(7, 0)
NIGHT = time(22, 0)
DIGEST_WEEKDAY = 0  # Monday


def _at_morning(day: datetime) -> datetime:
    return datetime.combine(day.date(), MORNING, tzinfo=AMSTERDAM).astimezone(UTC)


def next_morning(now: datetime) -> datetime:
    """The next 07:00 in the Netherlands after ``now`` (today's, if it is still earlier)."""
    local = now.astimezone(AMSTERDAM)
    day = local if local.time() < MORNING else local + timedelta(days=1)
    return _at_morning(day)


def next_weekly(now: datetime) -> datetime:
    """The next Monday 07:00 in the Netherlands after ``now``."""
    local = now.astimezone(AMSTERDAM)
    days_ahead = (DIGEST_WEEKDAY - local.weekday()) % 7
    if days_ahead == 0 and local.time() >= MORNING:
        days_ahead = 7
    return _at_morning(local + timedelta(days=days_ahead))


def in_quiet_hours(now: datetime) -> bool:
    local = now.astimezone(AMSTERDAM).time()
    return local >= NIGHT or local < MORNING


def hold_until(preferences: Preferences, channel: Channel, *, action_required: bool, now: datetime) -> datetime | None:
    """``None`` to send now, or the moment an e-mail may be sent (alone, or in a digest)."""
    if channel is not Channel.EMAIL or action_required:
        return None
    if preferences.frequency is Frequency.DAILY:
        return next_morning(now)
    if preferences.frequency is Frequency.WEEKLY:
        return next_weekly(now)
    if preferences.quiet_hours and in_quiet_hours(now):
        return next_morning(now)
    return None


# How long after 07:00 a night's held e-mail may still wait for the release run (every 15 minutes, retried
# when it fails) before it is surely out.
RELEASE_GRACE = timedelta(hours=3)


def may_have_held_email(preferences: Preferences, now: datetime) -> bool:
    """Whether someone with ``preferences`` may have e-mail waiting at ``now``: a digest reader always, someone
    with quiet hours at night and in the hours after 07:00 until the night's e-mail is surely released."""
    if preferences.frequency is not Frequency.IMMEDIATELY:
        return True
    if not preferences.quiet_hours:
        return False
    if in_quiet_hours(now):
        return True
    morning = _at_morning(now.astimezone(AMSTERDAM))
    return morning <= now < morning + RELEASE_GRACE
