"""The behandeltermijn (legal deadline) and the servicenorm of a case, and where a case stands against them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from chalicelib.domain.cases import Extension, Suspension
from chalicelib.domain.deadlines import Deadline, DeadlineState, deadline_for
from chalicelib.domain.durations import Duration
from tests.factories import T0, VERGUNNING, a_case

# A subsidy case (doorlooptijd P13W, servicenorm P8W) that starts on Monday 5 October 2026:
# 13 weeks later is Monday 4 January 2027, 8 weeks later Monday 30 November 2026.
START = date(2026, 10, 5)


def test_the_deadline_is_the_startdatum_plus_the_doorlooptijd():
    deadline = deadline_for(a_case(startdatum=START))

    assert deadline.due == date(2027, 1, 4)
    assert deadline.servicenorm_due == date(2026, 11, 30)
    assert deadline.extended is False
    assert deadline.suspended_days == 0


def test_an_extension_adds_its_duration_to_the_deadline_but_not_to_the_servicenorm():
    case = replace(a_case(startdatum=START), extension=Extension(Duration(weeks=6), "Advies nodig", T0))

    deadline = deadline_for(case)

    assert deadline.due == date(2027, 2, 15)
    assert deadline.servicenorm_due == date(2026, 11, 30)
    assert deadline.extended is True


def test_every_day_of_a_completed_suspension_moves_both_the_deadline_and_the_servicenorm():
    # GIVEN a case suspended for 10 days and then for 3 more
    case = replace(
        a_case(startdatum=START),
        suspensions=(
            Suspension(date(2026, 10, 12), "Wacht op begroting", end=date(2026, 10, 22)),
            Suspension(date(2026, 11, 2), "Wacht op projectplan", end=date(2026, 11, 5)),
        ),
    )

    deadline = deadline_for(case)

    # THEN 13 days are added: 4 January → Sunday 17 January, a statutory end on Monday 18 January
    assert deadline.suspended_days == 13
    assert deadline.due == date(2027, 1, 18)
    assert deadline.servicenorm_due == date(2026, 12, 13)


def test_an_open_suspension_stops_the_clock_and_says_how_many_days_were_left():
    # GIVEN a case suspended on 19 October, 77 days before its deadline of 4 January
    case = replace(a_case(startdatum=START), suspensions=(Suspension(date(2026, 10, 19), "Wacht op begroting"),))

    deadline = deadline_for(case)

    assert deadline.due is None
    assert deadline.servicenorm_due is None
    assert deadline.paused_since == date(2026, 10, 19)
    assert deadline.days_left_when_paused == 77


def test_days_left_when_paused_counts_earlier_completed_suspensions_and_the_extension():
    case = replace(
        a_case(startdatum=START),
        extension=Extension(Duration(weeks=1), "Advies nodig", T0),
        suspensions=(
            Suspension(date(2026, 10, 12), "Eerste", end=date(2026, 10, 14)),
            Suspension(date(2026, 10, 19), "Tweede"),
        ),
    )

    deadline = deadline_for(case)

    assert deadline.days_left_when_paused == 77 + 7 + 2
    assert deadline.suspended_days == 2
    assert deadline.extended is True


def test_a_suspension_opened_after_the_deadline_leaves_no_negative_days():
    case = replace(a_case(startdatum=START), suspensions=(Suspension(date(2027, 1, 20), "Te laat"),))

    assert deadline_for(case).days_left_when_paused == 0


def test_a_deadline_on_a_saturday_holiday_moves_to_monday_but_the_servicenorm_does_not():
    # GIVEN a permit case (P8W, servicenorm P6W) starting Saturday 31 October 2026:
    # 8 weeks later is Saturday 26 December (Boxing Day), 6 weeks later Saturday 12 December
    case = a_case(zaaktype_id=VERGUNNING, startdatum=date(2026, 10, 31))

    deadline = deadline_for(case)

    assert deadline.due == date(2026, 12, 28)
    assert deadline.servicenorm_due == date(2026, 12, 12)


def test_the_deadline_moves_to_a_working_day_after_the_suspended_days_are_added():
    # GIVEN a permit case due Monday 30 November 2026, suspended for 5 days → Saturday 5 December
    case = replace(
        a_case(zaaktype_id=VERGUNNING, startdatum=START),
        suspensions=(Suspension(date(2026, 10, 12), "Wacht", end=date(2026, 10, 17)),),
    )

    assert deadline_for(case).due == date(2026, 12, 7)


def test_a_case_without_a_servicenorm_has_no_servicenorm_date():
    case = replace(a_case(startdatum=START), servicenorm=None)

    assert deadline_for(case).servicenorm_due is None


def _due(day: date) -> Deadline:
    return Deadline(
        due=day, servicenorm_due=None, paused_since=None, days_left_when_paused=None, suspended_days=0, extended=False
    )


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 1), DeadlineState.ON_TRACK),
        (date(2026, 11, 22), DeadlineState.ON_TRACK),  # 8 days to go
        (date(2026, 11, 23), DeadlineState.NEAR),  # 7 days to go
        (date(2026, 11, 30), DeadlineState.NEAR),  # the last day itself
        (date(2026, 12, 1), DeadlineState.OVERDUE),
    ],
)
def test_an_open_case_is_on_track_near_within_seven_days_and_overdue_after_the_last_day(today, expected):
    assert _due(date(2026, 11, 30)).state(today, closed=False) is expected


def test_the_near_window_can_be_chosen():
    assert _due(date(2026, 11, 30)).state(date(2026, 11, 20), closed=False, near_days=10) is DeadlineState.NEAR
    assert _due(date(2026, 11, 30)).state(date(2026, 11, 25), closed=False, near_days=3) is DeadlineState.ON_TRACK


def test_a_deadline_without_a_date_is_paused():
    paused = Deadline(
        due=None,
        servicenorm_due=None,
        paused_since=date(2026, 10, 19),
        days_left_when_paused=77,
        suspended_days=0,
        extended=False,
    )

    assert paused.state(date(2026, 10, 20), closed=False) is DeadlineState.PAUSED


@pytest.mark.parametrize("today", [date(2026, 11, 1), date(2027, 6, 1)])
def test_a_closed_case_is_closed_whatever_its_deadline(today):
    assert _due(date(2026, 11, 30)).state(today, closed=True) is DeadlineState.CLOSED
