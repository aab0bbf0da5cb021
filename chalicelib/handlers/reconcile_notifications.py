"""reconcile_notifications — every 15 minutes, stuck notifications are resolved: created for over an hour,
queued again; sending for over 72 hours, temporary-failure."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import wiring

bp = Blueprint(__name__)


def reconcile(event: Any = None) -> dict[str, int]:
    from chalicelib.observability import count, flush_metrics, logger

    try:
        result = wiring.services().reconciler.run()
        logger().info("notifications reconciled", extra={"requeued": result.requeued, "gave_up": result.gave_up})
        count("StuckRequeued", result.requeued)
        count("StuckSendingGivenUp", result.gave_up)
        return {"requeued": result.requeued, "gave_up": result.gave_up}
    finally:
        flush_metrics()


@bp.schedule("rate(15 minutes)", name="reconcile_notifications")
def reconcile_notifications(event: Any) -> dict[str, int]:
    return reconcile(event)
