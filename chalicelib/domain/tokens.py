"""Signed, expiring tokens for links in e-mails (confirm a subscription, unsubscribe, manage preferences),
and keyed fingerprints of e-mail addresses (to find a subscriber, or count requests, without the address).

A token is ``<payload>.<signature>``: base64url JSON and an HMAC-SHA256 over it with the service's secret.
It names its purpose, so an unsubscribe token cannot confirm, and expires.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from chalicelib.domain.errors import DomainError

MAX_TOKEN_LENGTH = 1024


class TokenPurpose(StrEnum):
    CONFIRM = "confirm"
    UNSUBSCRIBE = "unsubscribe"
    MANAGE = "manage"


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
    if not hmac.compare_digest(signature, _mac(payload, secret, context)):
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
    """The same address (in any case) always gives the same fingerprint; the address cannot be read back."""
    return hmac.new(secret, f"email:{normalise_email(email)}".encode(), hashlib.sha256).hexdigest()[:40]
