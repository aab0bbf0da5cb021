"""Building a subscription's index off the request, in bounded chunks (from the subscriptions table's stream:
handlers/on_subscription_change.py).

A write of a subscription (follow, change, confirm, stop) stores only its definition, as a new ``revision``;
each record of the stream about a definition calls ``catch_up``, which reads the definition as it is now and
does the next ``CHUNK`` steps of ``domain.subscriptions.index_steps``: entries of earlier scopes removed first,
then the entries of this revision written. When steps remain, the count done is noted on the definition
(conditional on the revision): that write is itself a stream record, which continues the work. The last chunk
marks the revision indexed. So no invocation writes more than ``CHUNK`` entries per subscription, however
large the area.

Safe to run twice or to stop half-way: every step may be done again, progress only moves on after the steps
are written, and a definition that moved to a newer revision meanwhile is not touched (its own record
follows and finds the scopes to clean in ``previous_scopes``). What a half-built index means: the definition
is there first (the person sees it, marked as being set up, and can stop it); matching may already use the
entries written so far (somebody who asked to follow may hear early), and a stop is a new revision that
removes all of them (delivery refuses a stopped subscription's notifications meanwhile: composer.still_wanted).
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.subscriptions import index_steps
from chalicelib.services.ports import SubscriptionRepository

CHUNK = 1_000  # index entries written or removed per stream record at most


@dataclass(frozen=True)
class IndexProgress:
    written: int = 0
    removed: int = 0
    done: bool = True  # nothing left for the revision read (or nothing to do)


class Indexer:
    def __init__(self, subscriptions: SubscriptionRepository, chunk: int = CHUNK) -> None:
        self._subscriptions = subscriptions
        self._chunk = chunk

    def catch_up(self, subscription_id: str) -> IndexProgress:
        """The next chunk of the subscription's index as it is now (nothing once it is complete)."""
        current = self._subscriptions.get(subscription_id)
        if current is None or current.indexed:
            return IndexProgress()
        steps = index_steps(current)
        start = min(current.index_progress, len(steps))
        chunk = steps[start : start + self._chunk]
        removals = [step.entry for step in chunk if step.remove]
        writes = [step.entry for step in chunk if not step.remove]
        if removals:
            self._subscriptions.remove_entries(removals)
        if writes:
            self._subscriptions.write_entries(writes)
        done = start + len(chunk)
        if done < len(steps):
            self._subscriptions.record_index_progress(current.id, current.revision, done)
            return IndexProgress(len(writes), len(removals), done=False)
        self._subscriptions.mark_indexed(current.id, current.revision)
        return IndexProgress(len(writes), len(removals))
