"""The portal's berichtenbox: messages per subscriber, newest first, read or unread."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.cases import Link
from chalicelib.domain.events import EventKind
from chalicelib.domain.language import Language

BERICHTENBOX_MESSAGE_ID = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{32}$")


def berichtenbox_message_id(created_at: datetime, notification_id: str) -> str:
    """Sortable by time and unique per notification, so a retried delivery writes the same message."""
    return f"{created_at:%Y%m%dT%H%M%S%f}Z-{notification_id}"


@dataclass(frozen=True)
class BerichtenboxMessage:
    id: str
    subscriber_id: str
    notification_id: str
    case_id: str
    kind: EventKind
    title: str
    body: str
    link: Link | None
    created_at: datetime
    read_at: datetime | None = None
    language: Language | None = None  # the language it was written in (None: stored before this was kept)

    @property
    def unread(self) -> bool:
        return self.read_at is None
