"""watch_deadlines — every 5 minutes, the deadline watch (``services/watch.py``): reminders to applicants about
requested documents that are due, and alerts on the behandelaars' work lists about servicenormen and legal terms
that are near or passed. At most ``WATCH_LIMIT`` entries per run; the rest waits for the next."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import wiring

bp = Blueprint(__name__)


def watch(event: Any = None) -> dict[str, int]:
    from chalicelib.observability import count, flush_metrics, logger

    try:
        result = wiring.services().deadline_watch.run()
        figures = {"looked_at": result.looked_at, "reminders": result.reminders, "alerts": result.alerts, "lapsed": result.lapsed}
        logger().info("deadlines watched", extra=figures)
        count("WatchEntriesHandled", result.looked_at)
        count("WatchReminders", result.reminders)
        count("WatchAlerts", result.alerts)
        return figures
    finally:
        flush_metrics()


@bp.schedule("rate(5 minutes)", name="watch_deadlines")
def watch_deadlines(event: Any) -> dict[str, int]:
    return watch(event)
