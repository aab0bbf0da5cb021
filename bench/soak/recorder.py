"""What Baken reports while it runs: delivery's possible duplicates and take-overs of claims, and its metrics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench.soak.platform import replaced
from chalicelib.domain.notifications import Notification, NotificationStatus
from chalicelib.domain.subscriptions import Channel
from chalicelib.services.ports import Clock


class DeliveryRecorder:
    """Stands in for ``wiring.services().delivery``: the real Delivery, remembering which notifications it reported as
    possible duplicates before sending them (Baken only logs and counts them) and which found a claim to take
    over (an e-mail left ``sending`` by a worker that died), looked up beforehand without faults."""

    def __init__(self, delivery: Callable[[], Any], peek: Callable[[str], Notification | None], clock: Clock) -> None:
        self._delivery = delivery
        self._peek = peek
        self._clock = clock
        self.flagged: Counter[str] = Counter()
        self.takeovers: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter()

    def deliver(self, notification_id: str) -> Any:
        stored = self._peek(notification_id)
        if (
            stored is not None
            and stored.status is NotificationStatus.SENDING
            and stored.channel is not Channel.PORTAL
            and (stored.claimed_until is None or stored.claimed_until <= self._clock.now())
        ):
            self.takeovers[notification_id] += 1
        result = self._delivery().deliver(notification_id)
        self.outcomes[result.outcome.value] += 1
        return result

    def possible_duplicate(self, notification: Notification) -> None:
        """Delivery's report, made before it sends what may be a duplicate (``wiring.possible_duplicate``)."""
        from chalicelib.observability import count

        self.flagged[notification.id] += 1
        count("PossibleDuplicate")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._delivery(), name)


@contextmanager
def observed(recorder: DeliveryRecorder, metrics: Counter[str]) -> Iterator[None]:
    """Baken's metrics counted here, its log quiet (thousands of warnings are the point), deliveries recorded."""
    from chalicelib import observability, wiring

    def count(name: str, value: float = 1) -> None:
        metrics[name] += int(value)

    log = observability.logger()
    level = log.log_level
    log.setLevel("CRITICAL")
    try:
        with (
            replaced(observability, "count", count),
            replaced(wiring.services(), "delivery", recorder),
        ):
            yield
    finally:
        log.setLevel(level)
