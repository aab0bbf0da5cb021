"""The reconciler: stuck states resolve by themselves (docs: RELIABILITY.md, promise 6).

- ``created`` for over an hour: its queue message was lost (a crash between writing and queueing, a message
  that expired): queue it again. Delivery claims before it sends, so a notification queued twice is sent once.
- ``sending`` for over 72 hours: a worker claimed it and nothing more was heard, so nobody knows whether the
  e-mail went: ``temporary-failure``, visible to the behandelaar and the KCC, never sent again by itself.

Run by a schedule; each run handles at most ``limit`` of each, oldest first, so a backlog drains over runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from chalicelib.domain.notifications import FailureReason, NotificationStatus
from chalicelib.services.ports import Clock, DeliveryQueue, NotificationOutbox

STUCK_CREATED = timedelta(hours=1)
STUCK_SENDING = timedelta(hours=72)


@dataclass(frozen=True)
class ReconcileResult:
    requeued: int = 0
    gave_up: int = 0


class Reconciler:
    def __init__(self, outbox: NotificationOutbox, queue: DeliveryQueue, clock: Clock, *, limit: int = 500) -> None:
        self._outbox = outbox
        self._queue = queue
        self._clock = clock
        self._limit = limit

    def run(self) -> ReconcileResult:
        now = self._clock.now()
        waiting = self._outbox.open_since(NotificationStatus.CREATED, now - STUCK_CREATED, limit=self._limit)
        if waiting:
            self._queue.enqueue(waiting)
        gave_up = 0
        for stuck in self._outbox.open_since(NotificationStatus.SENDING, now - STUCK_SENDING, limit=self._limit):
            failed = stuck.moved_to(
                NotificationStatus.TEMPORARY_FAILURE, now, claimed_until=None, reason=FailureReason.STUCK_SENDING.value
            )
            gave_up += self._outbox.transition(stuck, failed)
        return ReconcileResult(requeued=len(waiting), gave_up=gave_up)
