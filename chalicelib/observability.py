"""Logging and metrics in one place (powertools), created on first use to keep cold starts short.

Log with keys, never with f-strings, and never log personal data: subscriber and case ids are
pseudonymous; e-mail addresses, names, message texts and tokens never go into a log line.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

SERVICE = "baken"
NAMESPACE = "Baken"


@lru_cache(maxsize=1)
def logger() -> Logger:
    import logging

    from aws_lambda_powertools import Logger

    structured = Logger(service=SERVICE)
    # One JSON line per event: do not also hand records to the root logger, which chalice local and the
    # Lambda runtime give a handler of their own.
    logging.getLogger(SERVICE).propagate = False
    return structured


@lru_cache(maxsize=1)
def metrics() -> Metrics:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace=NAMESPACE, service=SERVICE)


def count(name: str, value: float = 1) -> None:
    """Add to a count metric, flushed by ``flush_metrics`` at the end of each invocation."""
    from aws_lambda_powertools.metrics import MetricUnit

    metrics().add_metric(name=name, unit=MetricUnit.Count, value=value)


def flush_metrics() -> None:
    """Emit this invocation's metrics; when metrics are disabled (local stage), drop them instead so they
    do not pile up in a warm process (powertools keeps them, and prints them once 100 are collected)."""
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled

    if is_metrics_disabled():
        metrics().clear_metrics()
        return
    metrics().flush_metrics(raise_on_empty_metrics=False)


# An object named in an audit line is cut here: a caller can send a path of any length, the log keeps the start.
MAX_AUDITED_OBJECT = 200


def audit(action: str, *, actor: str, object_id: str, result: str | int, origin: str, **extra: Any) -> None:
    """One audit line per write, denied access or staff read of personal data: who did what to which object,
    from where, with what result."""
    shown = object_id if len(object_id) <= MAX_AUDITED_OBJECT else object_id[:MAX_AUDITED_OBJECT] + "…"
    logger().info(
        "audit",
        extra={"audit": {"action": action, "actor": actor, "object": shown, "result": result, "origin": origin, **extra}},
    )
