"""NL GOV CloudEvents onto an EventBridge bus: ``events.put_events``, at most 10 entries a call (the API's limit).

Each entry carries the CloudEvent as EventBridge wants it: ``Source`` its source (the URN), ``DetailType`` its
type, ``Detail`` the whole CloudEvent in the structured JSON format, so a rule can match on
``detail-type`` or on any attribute (``detail.subject``), and a consumer reads the CloudEvent as it was sent.
PutEvents may take some entries of a call and refuse others (``FailedEntryCount``): only the refused ones are
sent again, with a short pause; what is still refused after ``ATTEMPTS`` raises ``EventPublishError``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from chalicelib.domain.cloudevents import CloudEvent
from chalicelib.services.ports import EventPublisher, EventPublishError

MAX_ENTRIES = 10
ATTEMPTS = 3
PAUSES = (0.1, 0.5)


class EventBridgePublisher(EventPublisher):
    def __init__(self, client: Callable[[], Any], bus_name: str, *, pause: Callable[[float], None] = time.sleep) -> None:
        self._client = client
        self._bus_name = bus_name
        self._pause = pause

    def _entry(self, event: CloudEvent) -> dict[str, Any]:
        return {
            "EventBusName": self._bus_name,
            "Source": event.source,
            "DetailType": event.type.value,
            "Detail": event.to_json(),
            "Time": event.time,
        }

    def publish(self, events: Sequence[CloudEvent]) -> None:
        for start in range(0, len(events), MAX_ENTRIES):
            self._put([self._entry(event) for event in events[start : start + MAX_ENTRIES]])

    def _put(self, entries: list[dict[str, Any]]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        pending = entries
        error: str = ""
        for attempt in range(ATTEMPTS):
            if attempt:
                self._pause(PAUSES[min(attempt - 1, len(PAUSES) - 1)])
            try:
                response = self._client().put_events(Entries=pending)
            except (BotoCoreError, ClientError) as failure:
                error = type(failure).__name__
                continue
            if not response.get("FailedEntryCount"):
                return
            results = response.get("Entries", [])
            refused = [entry for entry, result in zip(pending, results, strict=False) if result.get("ErrorCode")]
            codes = sorted({str(result.get("ErrorCode")) for result in results if result.get("ErrorCode")})
            # a response without per-entry results cannot say which were refused: send them all again
            pending = refused or pending
            error = ", ".join(codes) or "FailedEntryCount"
        raise EventPublishError(f"{len(pending)} events not published ({error})")
