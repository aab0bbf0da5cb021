"""The jobs queue on SQS (standard, with a dead-letter queue): units of background work as JSON bodies, sent ten
to a request. A standard queue may deliver a message twice; every job is idempotent."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from chalicelib.services.ports import JobQueue

BATCH = 10


class JobSendError(Exception):
    """SQS did not take every job; the caller fails so its own work is tried again."""


class SqsJobQueue(JobQueue):
    def __init__(self, client: Callable[[], Any], queue_url: Callable[[], str]) -> None:
        self._client = client
        self._queue_url = queue_url

    def submit(self, jobs: Sequence[Mapping[str, Any]]) -> None:
        url = self._queue_url()
        for start in range(0, len(jobs), BATCH):
            chunk = jobs[start : start + BATCH]
            response = self._client().send_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "MessageBody": json.dumps(job, separators=(",", ":"))} for i, job in enumerate(chunk)],
            )
            failed = response.get("Failed") or []
            if failed:
                raise JobSendError(f"{len(failed)} of {len(chunk)} jobs not queued")
