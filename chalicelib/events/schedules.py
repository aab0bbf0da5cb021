"""Scheduled work, every 15 minutes: held e-mails whose time has come go out — alone, or bundled into a
digest — so quiet hours end at 07:00 and daily and weekly digests arrive at 07:00, Dutch time; and the
reconciler resolves stuck notifications (created for over an hour: queued again; sending for over 72 hours:
temporary-failure)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import wiring

bp = Blueprint(__name__)


def release_held(event: Any = None) -> dict[str, int]:
    from chalicelib.observability import count, flush_metrics, logger

    try:
        result = wiring.digest_run().run()
        logger().info(
            "held e-mails released", extra={"released": result.released, "digests": result.digests, "bundled": result.bundled}
        )
        count("HeldReleased", result.released)
        count("DigestsCreated", result.digests)
        return {"released": result.released, "digests": result.digests, "bundled": result.bundled}
    finally:
        flush_metrics()


@bp.schedule("rate(15 minutes)", name="release_held_email")
def release_held_email(event: Any) -> dict[str, int]:
    return release_held(event)


def reconcile(event: Any = None) -> dict[str, int]:
    from chalicelib.observability import count, flush_metrics, logger

    try:
        result = wiring.reconciler().run()
        logger().info("notifications reconciled", extra={"requeued": result.requeued, "gave_up": result.gave_up})
        count("StuckRequeued", result.requeued)
        count("StuckSendingGivenUp", result.gave_up)
        return {"requeued": result.requeued, "gave_up": result.gave_up}
    finally:
        flush_metrics()


@bp.schedule("rate(15 minutes)", name="reconcile_notifications")
def reconcile_notifications(event: Any) -> dict[str, int]:
    return reconcile(event)
