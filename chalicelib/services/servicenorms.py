"""Servicenormen measured and published (``chalicelib.domain.servicenorms`` says what counts).

``case_changed`` keeps the figures from the cases stream, case by case: a change that neither decides nor reopens a
case costs nothing (most changes); one that does costs one read (what the case counts for now) and one transaction
(that, and the month or months it moves between). The case's version makes it idempotent: the same record twice,
or an older one replayed after a newer one, changes nothing.

``recompute`` rebuilds one month of a zaaktype from its decided cases (an index of them, never a Scan), for an
operator after a fault or a change in how the figures are counted; it gives what counting case by case gives.

``report`` gives a zaaktype's last twelve months as published (small numbers hidden), one Query.
"""

from __future__ import annotations

from datetime import date

from chalicelib.domain.cases import Case
from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.errors import ConcurrentUpdateError
from chalicelib.domain.servicenorms import MonthFigures, Report, decided, last_months, report
from chalicelib.services.ports import CaseRepository, CountedCase, ServicenormStore

ATTEMPTS = 3


class ServicenormFigures:
    def __init__(self, store: ServicenormStore, cases: CaseRepository, catalogue: Catalogue) -> None:
        self._store = store
        self._cases = cases
        self._catalogue = catalogue

    def case_changed(self, old: Case | None, new: Case | None) -> bool:
        """Keep the figures up to date with a change of a case; True when they changed."""
        if new is None or (old is not None and old.closed_on is None and new.closed_on is None):
            return False  # neither decided nor reopened: most changes end here, without a read
        target = CountedCase(new.version, decided(new))
        for attempt in range(1, ATTEMPTS + 1):
            counted = self._store.counted(new.id)
            if counted is not None and counted.version >= new.version:
                return False  # this change, or a later one, was counted
            if counted is None and target.decided is None:
                return False  # reopened before it was ever counted
            try:
                # the same outcome at a newer version (a message on a decided case) writes the version alone, so
                # an older change replayed later cannot undo it
                return self._store.count(new.id, counted, target)
            except ConcurrentUpdateError:
                if attempt == ATTEMPTS:
                    raise
        return False

    def report(self, zaaktype: str, until: date, months: int = 12) -> Report:
        shown = last_months(until, months)
        return report(zaaktype, self._store.months(zaaktype, shown[0], shown[-1]), shown)

    def reports(self, until: date, months: int = 12) -> list[Report]:
        """Every zaaktype of the catalogue: one Query each."""
        return [self.report(z.identificatie, until, months) for z in self._catalogue]

    def recompute(self, zaaktype: str, month: str) -> MonthFigures:
        figures = MonthFigures(zaaktype, month)
        counted: dict[str, CountedCase] = {}
        for case in self._cases.decided_in(zaaktype, month):
            outcome = decided(case)
            if outcome is None or outcome.month != month:
                continue
            figures = figures.plus(outcome)
            counted[case.id] = CountedCase(case.version, outcome)
        self._store.replace_month(figures, counted)
        return figures
