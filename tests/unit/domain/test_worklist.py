"""The work list's rules: which deadline state a case is in (the same as the index range that serves the filter),
the servicenorm beside it, what a search and a filter keep, and which cursors are refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from chalicelib.domain.deadlines import Deadline, deadline_for, work_order_key
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.worklist import (
    DeadlineFilter,
    ServicenormState,
    WorkFilter,
    WorkOrder,
    WorkPosition,
    deadline_filter_of,
    deadline_range,
    decode_position,
    looks_like_case_number,
    position_of,
    search_words,
    servicenorm_state,
)
from tests.factories import a_case

TODAY = date(2026, 10, 5)
CASE_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def _deadline(due: date | None, servicenorm_due: date | None = None) -> Deadline:
    return Deadline(due, servicenorm_due, None if due else TODAY, None, 0, False)


@pytest.mark.parametrize(
    ("due", "state"),
    [
        (TODAY - timedelta(days=1), DeadlineFilter.OVERDUE),
        (TODAY, DeadlineFilter.NEAR),
        (TODAY + timedelta(days=7), DeadlineFilter.NEAR),
        (TODAY + timedelta(days=8), DeadlineFilter.LATER),
        (None, DeadlineFilter.PAUSED),
    ],
)
def test_a_deadline_is_in_exactly_the_state_whose_index_range_holds_its_sort_key(due, state):
    key = f"1#{due.isoformat()}" if due else "2#paused"

    holding = [
        f
        for f in DeadlineFilter
        if f is not DeadlineFilter.ALL and deadline_range(f, TODAY)[0] <= key <= deadline_range(f, TODAY)[1]
    ]

    assert deadline_filter_of(_deadline(due), TODAY) is state
    assert holding == [state]
    low, high = deadline_range(DeadlineFilter.ALL, TODAY)
    assert low <= key <= high


def test_the_classification_agrees_with_the_deadlines_own_state_names():
    names = {"overdue": DeadlineFilter.OVERDUE, "near": DeadlineFilter.NEAR, "on_track": DeadlineFilter.LATER}
    for offset in range(-3, 12):
        deadline = _deadline(TODAY + timedelta(days=offset))
        assert names[deadline.state(TODAY, closed=False).value] is deadline_filter_of(deadline, TODAY)


def test_the_servicenorm_has_passed_only_after_its_day():
    assert servicenorm_state(_deadline(TODAY, TODAY), TODAY) is ServicenormState.WITHIN
    assert servicenorm_state(_deadline(TODAY, TODAY - timedelta(days=1)), TODAY) is ServicenormState.PASSED
    assert servicenorm_state(_deadline(TODAY), TODAY) is ServicenormState.NONE


def test_search_words_ignore_case_and_accents_and_a_search_too_long_is_refused():
    case = replace(a_case(), omschrijving="Één fietspad in Amerongen")

    assert WorkFilter(words=search_words("EEN  amerongen")).keeps(case, TODAY, check_deadline=False)
    assert not WorkFilter(words=search_words("fietspad wijk")).keeps(case, TODAY, check_deadline=False)
    with pytest.raises(ValidationError) as refused:
        search_words("x" * 81)
    assert refused.value.issues[0].field == "zoek"


def test_product_status_and_deadline_state_each_narrow_the_list():
    case = a_case()
    state = deadline_filter_of(deadline_for(case), TODAY)
    other = next(f for f in DeadlineFilter if f not in (state, DeadlineFilter.ALL))

    assert WorkFilter(zaaktype=case.zaaktype, statustype=case.current_status.statustype).keeps(case, TODAY, check_deadline=True)
    assert not WorkFilter(zaaktype="klacht").keeps(case, TODAY, check_deadline=True)
    assert not WorkFilter(statustype="in-behandeling").keeps(case, TODAY, check_deadline=True)
    assert WorkFilter(state).keeps(case, TODAY, check_deadline=True)
    assert not WorkFilter(other).keeps(case, TODAY, check_deadline=True)
    assert WorkFilter(other).keeps(case, TODAY, check_deadline=False)  # the index range checked it already


def test_a_case_number_is_told_apart_from_words():
    assert looks_like_case_number("SUB-2026-000123")
    assert looks_like_case_number("sub-2026-123")
    assert not looks_like_case_number("fietspad 2026")


def test_a_cursor_reads_back_as_the_position_it_was_made_from():
    case = replace(a_case(), id=CASE_ID)
    for order in WorkOrder:
        position = position_of(case, order)
        assert decode_position(position.encode(), order, None, field="na") == position
    assert position_of(case, WorkOrder.DEADLINE).key == work_order_key(case)
    assert position_of(replace(case, closed_on=TODAY), WorkOrder.NEWEST).key == ""  # closed: not in that index


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!",
        "A" * 201,
        WorkPosition("1#2026-10-01", "not-an-id").encode(),
        WorkPosition("3#2026-10-01", CASE_ID).encode(),  # a closed case's key: outside every range
        WorkPosition("1#2026-10-01' OR 1=1", CASE_ID).encode(),
        WorkPosition("1#2026-12-01", CASE_ID).encode(),  # later than the overdue range asked for
    ],
)
def test_a_cursor_nobody_made_or_outside_the_range_is_refused_at_its_field(cursor):
    with pytest.raises(ValidationError) as refused:
        decode_position(cursor, WorkOrder.DEADLINE, deadline_range(DeadlineFilter.OVERDUE, TODAY), field="na")

    assert [(issue.field, issue.code) for issue in refused.value.issues] == [("na", "invalid_cursor")]
