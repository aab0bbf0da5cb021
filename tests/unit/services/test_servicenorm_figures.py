"""The servicenorm figures kept case by case on in-memory twins: most changes cost nothing, a decision one read and
one write of the case and its month, the same change twice or an older one replayed changes nothing, a reopened
case leaves its month, and recomputing a month from its cases gives what counting case by case gave."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from chalicelib.adapters.memory import InMemoryCases, InMemoryServicenorms, InMemorySubscriptions
from chalicelib.services.servicenorms import ServicenormFigures
from tests.factories import SUBSIDIE, a_case, catalogue

START = date(2026, 10, 5)


@pytest.fixture
def world():
    store, cases = InMemoryServicenorms(), InMemoryCases(InMemorySubscriptions())
    return store, cases, ServicenormFigures(store, cases, catalogue())


def _closed(case, days: int, version: int):
    return replace(case, closed_on=START + timedelta(days=days), version=version)


def _figures(store, month="2026-11"):
    return store.figures.get((SUBSIDIE, month))


def test_a_change_that_decides_nothing_costs_nothing(world):
    store, _, figures = world
    case = a_case(startdatum=START)
    assert figures.case_changed(case, replace(case, omschrijving="anders", version=2)) is False
    assert (store.writes, store.cases) == (0, {})


def test_a_decision_counts_once_however_often_its_change_comes(world):
    store, _, figures = world
    case = a_case(startdatum=START)
    decided = _closed(case, 40, 2)
    assert figures.case_changed(case, decided) is True
    assert figures.case_changed(case, decided) is False  # the stream delivers at least once
    assert (_figures(store).decided, _figures(store).days, store.writes) == (1, {40: 1}, 2)


def test_an_older_change_replayed_after_a_newer_one_changes_nothing(world):
    store, _, figures = world
    case = a_case(startdatum=START)
    reopened = replace(_closed(case, 40, 2), closed_on=None, version=3)
    figures.case_changed(case, _closed(case, 40, 2))
    figures.case_changed(_closed(case, 40, 2), reopened)
    assert figures.case_changed(case, _closed(case, 40, 2)) is False  # the replayed decision
    assert _figures(store).decided == 0


def test_a_reopened_case_leaves_its_month_and_counts_for_the_month_of_its_new_decision(world):
    store, _, figures = world
    case = a_case(startdatum=START)
    first = _closed(case, 40, 2)
    reopened = replace(first, closed_on=None, version=3)
    again = _closed(case, 70, 4)
    for old, new in ((case, first), (first, reopened), (reopened, again)):
        figures.case_changed(old, new)
    assert (_figures(store, "2026-11").decided, _figures(store, "2026-12").decided) == (0, 1)
    assert _figures(store, "2026-12").days == {70: 1}


def test_a_message_on_a_decided_case_keeps_its_figures_and_moves_its_version(world):
    store, _, figures = world
    case = a_case(startdatum=START)
    decided = _closed(case, 40, 2)
    figures.case_changed(case, decided)
    figures.case_changed(decided, replace(decided, version=3))
    assert (_figures(store).decided, store.cases[case.id].version) == (1, 3)


def test_recomputing_a_month_from_its_cases_gives_what_counting_case_by_case_gave(world):
    store, cases, figures = world
    for n in range(12):
        case = a_case(startdatum=START + timedelta(days=n))
        decided = _closed(case, 30 + 3 * n, 2)
        cases.items[case.id] = decided
        figures.case_changed(case, decided)
    incremental = dict(store.figures)
    fresh = InMemoryServicenorms()
    recomputing = ServicenormFigures(fresh, cases, catalogue())
    for month in ("2026-11", "2026-12"):
        recomputing.recompute(SUBSIDIE, month)
    assert fresh.figures == incremental
    assert fresh.cases == store.cases
    shown = figures.report(SUBSIDIE, date(2026, 12, 31))
    assert shown.total.decided == 12
