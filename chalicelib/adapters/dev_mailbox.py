"""The local stage's mailbox: the e-mails SES accepted, read back from moto so a person can read them.

With a moto server (the local stack) they come from its ``/moto-api/data.json``; in-process (tests) from
moto's SES backend. Never used outside the local stage.
"""

from __future__ import annotations

import json
import os
import urllib.request
from dataclasses import dataclass
from email import message_from_bytes, policy
from typing import Any


@dataclass(frozen=True)
class MailboxEntry:
    message_id: str
    to: tuple[str, ...]
    subject: str
    date: str
    headers: dict[str, str]
    text: str
    html: str


def _parse(provider_id: str, raw: bytes, destinations: list[str]) -> MailboxEntry:
    message = message_from_bytes(raw, policy=policy.default)
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    return MailboxEntry(
        message_id=provider_id,
        to=tuple(dict.fromkeys(destinations or [str(message["To"])])),
        subject=str(message["Subject"] or ""),
        date=str(message["Date"] or ""),
        headers={k: str(v) for k, v in message.items()},
        text=text_part.get_content() if text_part is not None else "",
        html=html_part.get_content() if html_part is not None else "",
    )


def _raw_from_server(endpoint: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{endpoint.rstrip('/')}/moto-api/data.json", timeout=10) as response:  # noqa: S310 - local moto only
        data = json.load(response)
    return list(data.get("ses", {}).get("RawMessage", []))


def _raw_in_process() -> list[dict[str, Any]]:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    region = os.environ.get("AWS_DEFAULT_REGION", "eu-west-1")
    backend = ses_backends[DEFAULT_ACCOUNT_ID][region]
    return [
        {"id": m.id, "raw_data": m.raw_data, "destinations": list(m.destinations)}
        for m in backend.sent_messages
        if hasattr(m, "raw_data")
    ]


def read_mailbox() -> list[MailboxEntry]:
    """Every e-mail sent, newest first."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    raw_messages = _raw_from_server(endpoint) if endpoint else _raw_in_process()
    entries = [
        _parse(
            str(m["id"]),
            m["raw_data"].encode("utf-8") if isinstance(m["raw_data"], str) else m["raw_data"],
            m.get("destinations", []),
        )
        for m in raw_messages
    ]
    return list(reversed(entries))
