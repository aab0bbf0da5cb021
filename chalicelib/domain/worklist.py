"""The behandelaar's work list: which of their open cases a filter keeps, in which order, and where a page of it
starts (a cursor).

Two orders, each an index on the behandelaar: by deadline (``deadline_sort``, see ``deadlines.work_order_key``:
dated cases by due date, then paused ones) and newest first (``open_since``, the moment an open case was
registered; closed cases are not in it). The deadline state (overdue, due within 7 days, later, paused) is a range
of ``deadline_sort``, so in deadline order that filter is the index's own key condition and costs nothing extra.
Product, status, words of the omschrijving — and the deadline state in the newest-first order — are not in any
key: they are checked on the cases read, and a request reads at most a bounded number of them (see
``services.case_queries.WORK_READ_BUDGET``); a page that stops at that bound says so and continues from there.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from enum import StrEnum

from chalicelib.domain.cases import Case
from chalicelib.domain.deadlines import Deadline, deadline_for, work_order_key
from chalicelib.domain.errors import ValidationError

NEAR_DAYS = 7  # "due within 7 days", as ``Deadline.state`` counts it
MAX_SEARCH = 80  # a search longer than an omschrijving (ZGW: 80 characters) finds nothing: refused
MAX_WORDS = 5
MAX_CURSOR = 200  # characters of an encoded cursor: every real one is far shorter
LAST_DAY = "9999-12-31"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DEADLINE_KEY = re.compile(r"^(1#\d{4}-\d{2}-\d{2}|2#paused)$")
OPEN_SINCE_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")


CASE_NUMBER = re.compile(r"^[A-Za-z]{2,10}-\d{4}-\d{1,10}$")


def looks_like_case_number(text: str) -> bool:
    """Whether a search is a case number (``SUB-2026-000123``): looked up in the case number index, not in words."""
    return bool(CASE_NUMBER.match(text))


class DeadlineFilter(StrEnum):
    """Which deadline state a work list shows (the values are the page's query values)."""

    ALL = "alle"
    OVERDUE = "te-laat"
    NEAR = "binnen-7-dagen"
    LATER = "later"
    PAUSED = "gepauzeerd"


class WorkOrder(StrEnum):
    DEADLINE = "termijn"  # soonest deadline first, paused cases after the dated ones
    NEWEST = "nieuwste"  # the case registered last first


class ServicenormState(StrEnum):
    WITHIN = "within"  # today is on or before the servicenorm date
    PASSED = "passed"  # servicenorm verlopen: the legal deadline may still be ahead
    NONE = "none"  # the zaaktype has no servicenorm, or the clock stands still


def open_since_key(case: Case) -> str | None:
    """The newest-first index's sort key of an open case (its registration moment, UTC); None once closed, so
    a closed case leaves that index."""
    if case.is_closed:
        return None
    return case.registered_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def deadline_range(chosen: DeadlineFilter, today: date) -> tuple[str, str]:
    """The range of ``deadline_sort`` (both ends included) that holds the open cases in state ``chosen`` on
    ``today``: the same states ``Deadline.state`` gives (overdue after the due day; near up to 7 days ahead)."""
    yesterday, near_end = today - timedelta(days=1), today + timedelta(days=NEAR_DAYS)
    ranges = {
        DeadlineFilter.ALL: ("1#", "2#paused"),
        DeadlineFilter.OVERDUE: ("1#", f"1#{yesterday.isoformat()}"),
        DeadlineFilter.NEAR: (f"1#{today.isoformat()}", f"1#{near_end.isoformat()}"),
        DeadlineFilter.LATER: (f"1#{(near_end + timedelta(days=1)).isoformat()}", f"1#{LAST_DAY}"),
        DeadlineFilter.PAUSED: ("2#paused", "2#paused"),
    }
    return ranges[chosen]


def deadline_filter_of(deadline: Deadline, today: date) -> DeadlineFilter:
    """The state an open case's deadline is in on ``today``, as the filter names it."""
    if deadline.due is None:
        return DeadlineFilter.PAUSED
    if today > deadline.due:
        return DeadlineFilter.OVERDUE
    if (deadline.due - today).days <= NEAR_DAYS:
        return DeadlineFilter.NEAR
    return DeadlineFilter.LATER


def servicenorm_state(deadline: Deadline, today: date) -> ServicenormState:
    """Whether the province's own norm for this case has passed on ``today``."""
    if deadline.servicenorm_due is None:
        return ServicenormState.NONE
    return ServicenormState.PASSED if today > deadline.servicenorm_due else ServicenormState.WITHIN


def _folded(text: str) -> str:
    """Lower case without accents: ``Één`` and ``een`` are the same word to someone searching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_words(text: str) -> tuple[str, ...]:
    """The words of a search (at most ``MAX_WORDS``), folded; a search that is too long is refused."""
    if len(text) > MAX_SEARCH:
        raise ValidationError.single("zoek", "too_long", max=MAX_SEARCH)
    return tuple(dict.fromkeys(_folded(text).split()))[:MAX_WORDS]


@dataclass(frozen=True)
class WorkFilter:
    """What the behandelaar narrowed the list to; each part empty (None, ALL, no words) keeps every case."""

    deadline: DeadlineFilter = DeadlineFilter.ALL
    zaaktype: str | None = None
    statustype: str | None = None
    words: tuple[str, ...] = ()

    @property
    def narrowed(self) -> bool:
        return self != WorkFilter()

    @property
    def narrowed_past_index(self) -> bool:
        """Narrowed by something no index key holds (product, status, words)."""
        return self.zaaktype is not None or self.statustype is not None or bool(self.words)

    def keeps(self, case: Case, today: date, *, check_deadline: bool) -> bool:
        """Whether ``case`` is in the list; ``check_deadline``: also its deadline state (the index range did
        not already)."""
        if self.zaaktype is not None and case.zaaktype != self.zaaktype:
            return False
        if self.statustype is not None and case.current_status.statustype != self.statustype:
            return False
        if self.words:
            text = _folded(f"{case.omschrijving} {case.case_number}")
            if not all(word in text for word in self.words):
                return False
        if check_deadline and self.deadline is not DeadlineFilter.ALL:
            return deadline_filter_of(deadline_for(case), today) is self.deadline
        return True


@dataclass(frozen=True)
class WorkPosition:
    """Where a case stands in an order's index: its sort key there and its id (the index's key)."""

    key: str
    case_id: str

    def encode(self) -> str:
        raw = json.dumps([self.key, self.case_id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def position_of(case: Case, order: WorkOrder) -> WorkPosition:
    """The position of an open case in the index of ``order``."""
    key = work_order_key(case) if order is WorkOrder.DEADLINE else open_since_key(case)
    return WorkPosition(key or "", case.id)


def decode_position(text: str, order: WorkOrder, bounds: tuple[str, str] | None, *, field: str) -> WorkPosition:
    """A cursor from a page's address, checked before it reaches a Query: it must decode, name a case id, and
    hold a sort key of ``order``'s index inside ``bounds`` (the filter's range). Anything else is ValidationError
    on ``field``: a hand-made or stale cursor is refused, never passed on."""
    refused = ValidationError.single(field, "invalid_cursor")
    if not text or len(text) > MAX_CURSOR:
        raise refused
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        key, case_id = json.loads(raw.decode())
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise refused from None
    if not isinstance(key, str) or not isinstance(case_id, str) or not UUID.match(case_id):
        raise refused
    pattern = DEADLINE_KEY if order is WorkOrder.DEADLINE else OPEN_SINCE_KEY
    if not pattern.match(key) or (bounds is not None and not bounds[0] <= key <= bounds[1]):
        raise refused
    return WorkPosition(key, case_id)
