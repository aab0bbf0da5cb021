"""watch_deadlines — every 5 minutes, the deadline watch (``services/watch.py``): reminders to applicants about
requested documents that are due, and alerts on the behandelaars' work lists about servicenormen and legal terms
that are near or passed; from 08:00 on working days, once a run has done all it found, each behandelaar's morning
overview of them by e-mail. At most ``WATCH_LIMIT`` entries and ``DIGEST_LIMIT`` overviews per run; the rest waits
for the next."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import wiring

bp = Blueprint(__name__)


def watch(event: Any = None) -> dict[str, int]:
    from chalicelib.observability import count, flush_metrics, logger

    try:
        watch = wiring.services().deadline_watch
        result = watch.run()
        digests = watch.morning_digests(result)
        figures = {
            "looked_at": result.looked_at,
            "reminders": result.reminders,
            "alerts": result.alerts,
            "lapsed": result.lapsed,
            "digests_sent": digests.sent,
            "digests_without_address": digests.no_address,
            "digests_failed": digests.failed,
        }
        logger().info("deadlines watched", extra=figures)
        count("WatchEntriesHandled", result.looked_at)
        count("WatchReminders", result.reminders)
        count("WatchAlerts", result.alerts)
        count("StaffDigestsSent", digests.sent)
        count("StaffDigestsFailed", digests.failed)
        return figures
    finally:
        flush_metrics()


@bp.schedule("rate(5 minutes)", name="watch_deadlines")
def watch_deadlines(event: Any) -> dict[str, int]:
    return watch(event)
