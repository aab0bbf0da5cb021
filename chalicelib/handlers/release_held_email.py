"""release_held_email — every 15 minutes, held e-mails whose time has come go out, alone or bundled into a
digest, so quiet hours end at 07:00 and daily and weekly digests arrive at 07:00, Dutch time. This function
only queues one job per shard of subscribers; ``fan_out_job`` does them (``DigestRun.run_shard``)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import wiring

bp = Blueprint(__name__)


def release_held(event: Any = None) -> dict[str, int]:
    from chalicelib.observability import count, flush_metrics, logger

    try:
        jobs = wiring.services().digest_run.schedule()
        logger().info("held e-mail jobs queued", extra={"jobs": jobs})
        count("DigestJobsQueued", jobs)
        return {"jobs": jobs}
    finally:
        flush_metrics()


@bp.schedule("rate(15 minutes)", name="release_held_email")
def release_held_email(event: Any) -> dict[str, int]:
    return release_held(event)
