"""The jobs queue's consumer: a job message (JSON) to the service that does it — a page of an event's audience
(fan-out), a shard of the held e-mails or a group of their subscribers (digests). Every job is idempotent, so a
standard queue delivering one twice sends nothing twice."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.services.digests import DigestRun
from chalicelib.services.fanout import FanOut, FanOutJob
from chalicelib.services.outbound import CONTACT_JOB, NOTIFICATION_JOB, Outbound


class UnknownJobError(ValueError):
    """A message that is no job of ours (it goes to the dead-letter queue after the queue's retries)."""


@dataclass(frozen=True)
class JobResult:
    kind: str
    created: int = 0
    held: int = 0
    entries: int = 0
    subscribers: int = 0
    digests: int = 0
    released: int = 0
    jobs: int = 0


class Jobs:
    def __init__(self, fanout: FanOut, digests: DigestRun, outbound: Outbound | None = None) -> None:
        self._fanout = fanout
        self._digests = digests
        self._outbound = outbound  # events out and Klantinteracties (contact moments, sent notifications)

    def run(self, body: str) -> JobResult:
        try:
            job: Any = json.loads(body)
        except json.JSONDecodeError:
            raise UnknownJobError("not JSON") from None
        kind = job.get("kind") if isinstance(job, dict) else None
        if kind == "fanout":
            told = self._fanout.run_job(FanOutJob.from_json(job))
            return JobResult(kind, created=told.created, held=told.held, entries=told.entries, jobs=told.jobs)
        if kind in (CONTACT_JOB, NOTIFICATION_JOB) and self._outbound is not None:
            self._outbound.run_job(job)
            return JobResult(kind)
        if kind == "digest-shard":
            done = self._digests.run_shard(int(job["shard"]))
        elif kind == "digest-group":
            done = self._digests.run_group([str(i) for i in job["items"]])
        else:
            raise UnknownJobError(f"unknown job kind {str(kind)[:40]!r}")
        return JobResult(kind, subscribers=done.subscribers, digests=done.digests, released=done.released, jobs=done.jobs)
