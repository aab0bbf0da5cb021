"""The local stage's mailbox: the e-mails SES accepted, read back from moto so a person can read them.

In the local stack (``python -m devstack``) moto runs inside the devstack process and ``chalice local`` in
another: the mailbox asks the devstack for the sent e-mails at ``BAKEN_DEV_SENT_MAIL_URL``, which answers
from moto's SES backend (``devstack.embedded_moto``). Without that setting (tests, benchmarks: moto
in-process) it reads moto's SES backend directly. Never used outside the local stage.
"""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email import message_from_bytes, policy
from typing import Any

SENT_MAIL_URL = "BAKEN_DEV_SENT_MAIL_URL"
PARSED_KEPT = 10_000  # parsed e-mails kept, by provider id: parsing is most of a mailbox's time (~2.5 ms each)


@dataclass(frozen=True)
class MailboxEntry:
    message_id: str
    to: tuple[str, ...]
    subject: str
    date: str
    headers: dict[str, str]
    text: str
    html: str


_parsed: dict[str, MailboxEntry] = {}


def _addressed_to(addresses: tuple[str, ...] | list[str], to: str | None) -> bool:
    return to is None or to.lower() in (address.lower() for address in addresses)


def _parsed_once(message: dict[str, Any]) -> MailboxEntry:
    """An e-mail SES accepted never changes: parse it once."""
    provider_id = str(message["id"])
    entry = _parsed.get(provider_id)
    if entry is None:
        if len(_parsed) >= PARSED_KEPT:
            _parsed.clear()
        entry = _parsed[provider_id] = _parse(
            provider_id, str(message["raw_data"]).encode("utf-8"), message.get("destinations", [])
        )
    return entry


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


def sent_in_process(to: str | None = None) -> list[dict[str, Any]]:
    """The raw e-mails in this process's moto SES backend, oldest first; with ``to``, only those that may be
    addressed to it (one without destinations is decided on its To header, after parsing)."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    region = os.environ.get("AWS_DEFAULT_REGION", "eu-west-1")
    backend = ses_backends[DEFAULT_ACCOUNT_ID][region]
    return [
        {
            "id": m.id,
            "raw_data": m.raw_data.decode("utf-8") if isinstance(m.raw_data, bytes) else m.raw_data,
            "destinations": list(m.destinations),
        }
        for m in list(backend.sent_messages)  # a copy: the moto server appends while this runs
        if hasattr(m, "raw_data") and (not m.destinations or _addressed_to(m.destinations, to))
    ]


def _sent_from_devstack(url: str, to: str | None) -> list[dict[str, Any]]:
    query = f"?{urllib.parse.urlencode({'to': to})}" if to is not None else ""
    with urllib.request.urlopen(f"{url}{query}", timeout=10) as response:  # noqa: S310 - the local devstack only
        return list(json.load(response)["messages"])


def read_mailbox(to: str | None = None) -> list[MailboxEntry]:
    """Every e-mail sent (with ``to``: to that address, case-insensitive), newest first."""
    url = os.environ.get(SENT_MAIL_URL)
    raw_messages = _sent_from_devstack(url, to) if url else sent_in_process(to)
    entries = [_parsed_once(m) for m in raw_messages]
    return [entry for entry in reversed(entries) if _addressed_to(entry.to, to)]
