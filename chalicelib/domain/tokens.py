"""Signed, expiring tokens for links in e-mails (confirm a subscription, unsubscribe, manage preferences, answer
the satisfaction question about a closed case),
and keyed fingerprints of e-mail addresses (to find a subscriber, or count requests, without the address).

A token is ``<payload>.<signature>``: base64url JSON and an HMAC-SHA256 over it with the service's secret.
It names its purpose, so an unsubscribe token cannot confirm, and expires.

The secret is a ``KeyRing``: the newest key signs, older keys still verify, so a key can be replaced without
breaking the links already sent (an old key is dropped once the longest-lived link it signed has expired). The
fingerprints of e-mail addresses use a key of their own that never rotates: they are stored and looked up.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from chalicelib.domain.errors import DomainError

MAX_TOKEN_LENGTH = 1024
MINIMUM_KEY_LENGTH = 32


class KeyRing(bytes):
    """The keys that sign and verify. Its own value is the newest key, the one that signs (so it goes wherever a
    secret of bytes goes); ``older`` keys only verify; ``fingerprint_key`` keys the e-mail fingerprints."""

    older: tuple[bytes, ...]
    fingerprint_key: bytes

    def __new__(cls, newest: bytes, older: Sequence[bytes] = (), fingerprint_key: bytes | None = None) -> KeyRing:
        ring = super().__new__(cls, newest)
        ring.older = tuple(older)
        ring.fingerprint_key = fingerprint_key if fingerprint_key is not None else bytes(newest)
        return ring

    @property
    def verifying(self) -> tuple[bytes, ...]:
        """Every key that still verifies, newest first."""
        return (bytes(self), *self.older)

    @classmethod
    def parse(cls, text: str) -> KeyRing:
        """A key ring from a stored secret: one key as plain text, or JSON ``{"keys": [newest, …, oldest],
        "fingerprint_key": …}`` (without ``fingerprint_key`` the oldest key keys the fingerprints). ValueError when
        a key is shorter than 32 characters or the JSON has no keys."""
        text = text.strip()
        if text.startswith("{"):
            data = json.loads(text)
            keys = data.get("keys") if isinstance(data, dict) else None
            if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
                raise ValueError("a key ring needs a list of keys")
            fingerprint = data.get("fingerprint_key", keys[-1])
            if not isinstance(fingerprint, str):
                raise ValueError("fingerprint_key must be text")
        else:
            keys, fingerprint = [text], text
        if any(len(k) < MINIMUM_KEY_LENGTH for k in (*keys, fingerprint)):
            raise ValueError(f"every key needs at least {MINIMUM_KEY_LENGTH} characters")
        return cls(keys[0].encode(), [k.encode() for k in keys[1:]], fingerprint.encode())


def verifying_keys(secret: bytes) -> tuple[bytes, ...]:
    """The keys that verify what ``secret`` signed: every key of a ring, or the one secret."""
    return secret.verifying if isinstance(secret, KeyRing) else (secret,)


class TokenPurpose(StrEnum):
    CONFIRM = "confirm"
    UNSUBSCRIBE = "unsubscribe"
    MANAGE = "manage"
    SATISFACTION = "satisfaction"  # answer the satisfaction question about a closed case


class InvalidTokenError(DomainError):
    """Forged, expired, malformed or meant for something else: to the caller it is simply not found."""

    code = "invalid_token"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason=reason)


@dataclass(frozen=True)
class Token:
    purpose: TokenPurpose
    subject: str
    expires: datetime


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(payload: str, secret: bytes, context: str = "token") -> str:
    return _encode(hmac.new(secret, f"{context}:{payload}".encode(), hashlib.sha256).digest())


def sign_body(body: dict[str, object], secret: bytes, context: str) -> str:
    """``body`` as base64url JSON with an HMAC over it for ``context`` (what it is for: a token signed for one
    context never opens in another). Readable by whoever holds it, changeable by nobody."""
    payload = _encode(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_mac(payload, secret, context)}"


def read_signed(text: str, secret: bytes, context: str, *, max_length: int = MAX_TOKEN_LENGTH) -> dict[str, Any]:
    """What ``sign_body`` signed for ``context``, unchanged; else InvalidTokenError."""
    if not isinstance(text, str) or len(text) > max_length or not text.isascii() or text.count(".") != 1:
        raise InvalidTokenError("malformed")
    payload, signature = text.split(".")
    if not any(hmac.compare_digest(signature, _mac(payload, key, context)) for key in verifying_keys(secret)):
        raise InvalidTokenError("signature")
    try:
        body = json.loads(_decode(payload))
    except ValueError:
        raise InvalidTokenError("malformed") from None
    if not isinstance(body, dict):
        raise InvalidTokenError("malformed")
    return body


def sign(token: Token, secret: bytes) -> str:
    return sign_body({"p": token.purpose.value, "s": token.subject, "e": int(token.expires.timestamp())}, secret, "token")


def verify(text: str, secret: bytes, purpose: TokenPurpose, *, now: datetime) -> Token:
    """The token, if it is ours, unchanged, for ``purpose`` and not expired; else InvalidTokenError."""
    body = read_signed(text, secret, "token")
    try:
        token = Token(TokenPurpose(body["p"]), str(body["s"]), datetime.fromtimestamp(int(body["e"]), UTC))
    except (ValueError, KeyError, TypeError, OverflowError, OSError):
        raise InvalidTokenError("malformed") from None
    if token.purpose is not purpose:
        raise InvalidTokenError("purpose")
    if token.expires < now:
        raise InvalidTokenError("expired")
    return token


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_fingerprint(email: str, secret: bytes) -> str:
    """The same address (in any case) always gives the same fingerprint; the address cannot be read back. A key
    ring's fingerprint key is used, which does not rotate with the signing keys."""
    if isinstance(secret, KeyRing):
        secret = secret.fingerprint_key
    return hmac.new(secret, f"email:{normalise_email(email)}".encode(), hashlib.sha256).hexdigest()[:40]
