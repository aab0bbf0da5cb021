"""release_held_email — every 15 minutes, held e-mails whose time has come go out, alone or bundled into a
digest, so quiet hours end at 07:00 and daily and weekly digests arrive at 07:00, Dutch time."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import wiring

bp = Blueprint(__name__)


def release_held(event: Any = None) -> dict[str, int]:
    from chalicelib.observability import count, flush_metrics, logger

    try:
        result = wiring.services().digest_run.run()
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
