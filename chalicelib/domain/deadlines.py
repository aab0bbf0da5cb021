"""The handling deadline (behandeltermijn) of a case and the province's own service norm.

deadline = startdatum + doorlooptijd (+ verlenging), plus every day the case was suspended (opschorting).
While a suspension is open the deadline has no date: the clock stands still, and we say how many days
were left when it stopped. The legal deadline moves past weekends and holidays (Algemene termijnenwet);
the servicenorm is the province's own promise and is shown as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from chalicelib.domain.cases import Case
from chalicelib.domain.workdays import statutory_end


class DeadlineState(StrEnum):
    ON_TRACK = "on_track"
    NEAR = "near"
    OVERDUE = "overdue"
    PAUSED = "paused"
    CLOSED = "closed"


@dataclass(frozen=True)
class Deadline:
    due: date | None
    servicenorm_due: date | None
    paused_since: date | None
    days_left_when_paused: int | None
    suspended_days: int
    extended: bool

    def state(self, today: date, *, closed: bool, near_days: int = 7) -> DeadlineState:
        """Where the case stands against its deadline on ``today`` (for work lists and badges)."""
        if closed:
            return DeadlineState.CLOSED
        if self.due is None:
            return DeadlineState.PAUSED
        if today > self.due:
            return DeadlineState.OVERDUE
        if (self.due - today).days <= near_days:
            return DeadlineState.NEAR
        return DeadlineState.ON_TRACK


def deadline_for(case: Case) -> Deadline:
    """Compute the behandeltermijn and the servicenorm date of ``case``."""
    completed_pause = sum(
        ((s.end - s.start).days for s in case.suspensions if s.end is not None),
        start=0,
    )
    base_end = case.doorlooptijd.add_to(case.startdatum)
    if case.extension is not None:
        base_end = case.extension.duur.add_to(base_end)
    unpaused_end = base_end + timedelta(days=completed_pause)
    servicenorm_due = case.servicenorm.add_to(case.startdatum) + timedelta(days=completed_pause) if case.servicenorm else None
    open_suspension = case.open_suspension
    if open_suspension is not None:
        return Deadline(
            due=None,
            servicenorm_due=None,
            paused_since=open_suspension.start,
            days_left_when_paused=max((unpaused_end - open_suspension.start).days, 0),
            suspended_days=completed_pause,
            extended=case.extension is not None,
        )
    return Deadline(
        due=statutory_end(unpaused_end),
        servicenorm_due=servicenorm_due,
        paused_since=None,
        days_left_when_paused=None,
        suspended_days=completed_pause,
        extended=case.extension is not None,
    )


# Work-list order: open cases by due date, paused ones after them, closed ones last.
CLOSED_ORDER = "3#"


def work_order_key(case: Case) -> str:
    """Where ``case`` stands in its behandelaar's work list (a string, so an index can sort on it)."""
    if case.is_closed:
        return f"{CLOSED_ORDER}{case.closed_on}"
    due = deadline_for(case).due
    return f"1#{due.isoformat()}" if due else "2#paused"
