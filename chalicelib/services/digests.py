"""Releasing held e-mails when their time has come: one held item goes out on its own, several for the same
subscriber go out as one digest e-mail. Run by a schedule (every 15 minutes); running it twice for the same
moment sends nothing twice, because a digest's id is derived from the items it bundles.

The schedule only hands out work: one job per shard of subscribers (``HELD_SHARDS``, by a hash of the subscriber
id, so one shard holds all of a person's held items). A shard job reads its shard's due items, handles the first
``GROUP`` subscribers itself and hands the others to group jobs of at most ``GROUP`` subscribers each, which
carry the ids of their items: no invocation handles more than ``GROUP`` people."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import astuple, dataclass, field
from datetime import datetime, timedelta

from chalicelib.domain.events import EventKind
from chalicelib.domain.notifications import HELD_SHARDS, Notification, NotificationStatus
from chalicelib.domain.subscriptions import Channel
from chalicelib.services.ports import Clock, DeliveryQueue, JobQueue, NotificationOutbox

GROUP = 500  # subscribers per digest job
GROUP_ITEMS = 5_000  # held items per group job at most (their ids travel in the job: SQS takes 256 KiB)
RELEASED = "released"  # the reason of a held e-mail made ``created`` to go out (fan-out looks for it)


@dataclass(frozen=True)
class DigestResult:
    released: int = 0
    digests: int = 0
    bundled: int = 0
    subscribers: int = field(default=0, compare=False)  # handled by this run or job
    jobs: int = field(default=0, compare=False)  # handed to other jobs

    def __add__(self, other: DigestResult) -> DigestResult:
        return DigestResult(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


def digest_id(subscriber_id: str, items: list[str]) -> str:
    return hashlib.sha256(("digest|" + subscriber_id + "|" + ",".join(sorted(items))).encode()).hexdigest()[:32]


class DigestRun:
    def __init__(
        self,
        outbox: NotificationOutbox,
        queue: DeliveryQueue,
        clock: Clock,
        retention: timedelta,
        *,
        jobs: JobQueue | None = None,
        group: int = GROUP,
    ) -> None:
        self._outbox = outbox
        self._queue = queue
        self._clock = clock
        self._retention = retention
        self._jobs = jobs
        self._group = group

    def schedule(self) -> int:
        """The schedule's part: one job per shard (without a jobs queue, the whole run here). The jobs count."""
        if self._jobs is None:
            self.run()
            return 0
        at = self._clock.now().isoformat()
        self._jobs.submit(
            [{"kind": "digest-shard", "v": 1, "id": f"{at}/{shard}", "shard": shard} for shard in range(HELD_SHARDS)]
        )
        return HELD_SHARDS

    def run_shard(self, shard: int) -> DigestResult:
        """One shard's due items: the first ``group`` subscribers handled here, the others handed to group jobs."""
        now = self._clock.now()
        by_subscriber = self._by_subscriber(self._outbox.held_until(now, shard=shard))
        people = sorted(by_subscriber)
        groups: list[list[str]] = []
        members = 0
        for subscriber_id in people[self._group :]:
            items = [n.id for n in by_subscriber[subscriber_id]]
            if not groups or members >= self._group or len(groups[-1]) + len(items) > GROUP_ITEMS:
                groups.append([])
                members = 0
            groups[-1].extend(items)
            members += 1
        if groups and self._jobs is None:
            raise RuntimeError("no jobs queue to hand the other subscribers to")
        if groups and self._jobs is not None:
            self._jobs.submit([{"kind": "digest-group", "v": 1, "id": f"{shard}/{g[0]}", "items": g} for g in groups])
        mine = {subscriber_id: by_subscriber[subscriber_id] for subscriber_id in people[: self._group]}
        return self._release(mine, now) + DigestResult(jobs=len(groups))

    def run_group(self, item_ids: list[str]) -> DigestResult:
        """A group job: the items it names that are still held and due, per subscriber, as ``run`` does."""
        now = self._clock.now()
        found = (self._outbox.get(identifier) for identifier in dict.fromkeys(item_ids))
        due = [
            n
            for n in found
            if n is not None and n.status is NotificationStatus.HELD and n.hold_until is not None and n.hold_until <= now
        ]
        return self._release(self._by_subscriber(sorted(due, key=lambda n: (n.hold_until or n.created_at, n.id))), now)

    @staticmethod
    def _by_subscriber(held: list[Notification]) -> dict[str, list[Notification]]:
        by_subscriber: dict[str, list[Notification]] = defaultdict(list)
        for notification in held:
            by_subscriber[notification.subscriber_id].append(notification)
        return by_subscriber

    def run(self) -> DigestResult:
        """Each person's due items are queued as soon as they are written, so a run that dies half-way has
        queued what it wrote, and the next run repairs what it finds half done.

        Items are taken into a digest (``bundled_in``) before the digest is written: an item goes out inside
        the one digest that took it, never alone or in a second one, however the runs before died. An item
        taken by a digest that was never written (the run died in between) is free again."""
        now = self._clock.now()
        return self._release(self._by_subscriber(self._outbox.held_until(now)), now)

    def _release(self, by_subscriber: dict[str, list[Notification]], now: datetime) -> DigestResult:
        released = digests = bundled = 0
        for subscriber_id, items in sorted(by_subscriber.items()):
            free, on_its_way = self._free(items, now)
            if on_its_way:
                continue  # what came later waits until the digest before it is out: nothing overtakes it
            if len(free) == 1:
                (item,) = free
                going = item.moved_to(NotificationStatus.CREATED, now, hold_until=None, reason=RELEASED)
                if self._outbox.transition(item, going):
                    self._queue.enqueue([going])
                    released += 1
                continue
            if not free:
                continue
            digest = self._digest(subscriber_id, free, now)
            taken = self._take(free, digest.id, now)
            if taken is None:
                continue  # another run changed one of them: the next run looks again
            if self._outbox.add_if_absent(digest):
                self._queue.enqueue([digest])
                digests += 1
                bundled += len(taken)
            elif (stored := self._outbox.get(digest.id)) is not None:
                self._repair(stored, taken, now)
        return DigestResult(released, digests, bundled, subscribers=len(by_subscriber))

    def _free(self, items: list[Notification], now: datetime) -> tuple[list[Notification], bool]:
        """The items no digest has, and whether a digest with some of the others is still on its way: those
        taken by a digest that exists are left to it (and it is repaired)."""
        taken: dict[str, list[Notification]] = defaultdict(list)
        free = []
        for item in items:
            if item.bundled_in is None:
                free.append(item)
            else:
                taken[item.bundled_in].append(item)
        on_its_way = False
        for identifier, its_items in taken.items():
            stored = self._outbox.get(identifier)
            if stored is None:
                free.extend(its_items)
            else:
                self._repair(stored, its_items, now)
                on_its_way = on_its_way or not stored.status.is_final
        return sorted(free, key=lambda n: (n.hold_until or n.created_at, n.id)), on_its_way

    def _take(self, items: list[Notification], identifier: str, now: datetime) -> list[Notification] | None:
        """``items`` taken into the digest ``identifier``, as now stored; None if one of them changed meanwhile."""
        taken = []
        for item in items:
            marked = item if item.bundled_in == identifier else item.moved_to(NotificationStatus.HELD, now, bundled_in=identifier)
            if marked is not item and not self._outbox.transition(item, marked):
                return None
            taken.append(marked)
        return taken

    def _digest(self, subscriber_id: str, items: list[Notification], now: datetime) -> Notification:
        ids = [item.id for item in items]
        identifier = digest_id(subscriber_id, ids)
        first = items[0]
        return Notification(
            id=identifier,
            event_id=f"digest/{identifier}",
            event_kind=EventKind.DIGEST,
            case_id=f"digest-{subscriber_id}",
            ref=subscriber_id,
            subscriber_id=subscriber_id,
            channel=Channel.EMAIL,
            language=first.language,
            audience=first.audience,
            status=NotificationStatus.CREATED,
            created_at=now,
            updated_at=now,
            expires_at=now + self._retention,
            digest_items=tuple(item.id for item in sorted(items, key=lambda n: (n.created_at, n.id))),
        )

    def _repair(self, stored: Notification, items: list[Notification], now: datetime) -> None:
        """The digest exists already. Still waiting to be sent (the run that wrote it died before queueing,
        or it waits for a retry): queue it again — delivery sends it once. Sent or failed, but its items not
        closed (a crash in between): close them now."""
        if stored.status is NotificationStatus.CREATED:
            self._queue.enqueue([stored])
            return
        if stored.status.is_final:
            for item in items:
                self._outbox.transition(item, item.moved_to(stored.status, now, reason=f"digest:{stored.id}"))
