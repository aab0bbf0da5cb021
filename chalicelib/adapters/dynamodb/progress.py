"""How far the fan-out of an event is (model ``FanOutProgressItem``, in the case-index table): every job adds its
id to ``done`` and its counts to the totals in one conditional UpdateItem, so a job retried or delivered twice is
counted once."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.adapters.dynamodb.models import FanOutProgressItem
from chalicelib.services.ports import JobProgress, ProgressStore

SORT_KEY = "progress"
KEEP = timedelta(days=90)  # then TTL removes it


def _key(event_id: str) -> str:
    return f"progress#{event_id}"


class DynamoDBProgress(ProgressStore):
    def _item(self, event_id: str) -> FanOutProgressItem:
        return FanOutProgressItem(pk=_key(event_id), sk=SORT_KEY)

    def plan(self, event_id: str, subject_id: str, job_ids: Collection[str]) -> None:
        if not job_ids:
            return
        self._item(event_id).update(
            actions=[
                FanOutProgressItem.subject_id.set(subject_id),
                FanOutProgressItem.planned.add(set(job_ids)),
                FanOutProgressItem.expires_at.set(datetime.now(UTC) + KEEP),
            ]
        )

    def finish(self, event_id: str, job_id: str, *, created: int, held: int) -> bool:
        try:
            self._item(event_id).update(
                actions=[
                    FanOutProgressItem.done.add({job_id}),
                    FanOutProgressItem.created.add(created),
                    FanOutProgressItem.held.add(held),
                ],
                condition=~FanOutProgressItem.done.contains(job_id),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def is_finished(self, event_id: str, job_id: str) -> bool:
        item = self._read(event_id)
        return item is not None and job_id in (item.done or set())

    def get(self, event_id: str) -> JobProgress | None:
        item = self._read(event_id)
        if item is None:
            return None
        return JobProgress(
            event_id=event_id,
            subject_id=item.subject_id or "",
            planned=len(item.planned or ()),
            done=len(item.done or ()),
            created=int(item.created or 0),
            held=int(item.held or 0),
        )

    def _read(self, event_id: str) -> FanOutProgressItem | None:
        try:
            return FanOutProgressItem.get(_key(event_id), SORT_KEY, consistent_read=True)
        except DoesNotExist:
            return None
