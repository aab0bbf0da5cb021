"""Logging in to the pages: the OIDC authorisation-code flow with PKCE (RFC 7636), and the session that
follows it.

While the browser is away at the login broker, a signed cookie remembers the flow (state, nonce, the PKCE
verifier and where to return); the broker's answer must carry the same state, and the ID token the same nonce.
After it, a signed session cookie carries who logged in (subject, roles, whom they act for) and the CSRF token
every form must send back. Both are signed with the service's secret: readable, never changeable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.domain.identity import Principal, Role, is_valid_subject
from chalicelib.domain.tokens import InvalidTokenError, read_signed, sign_body

LOGIN_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=8)
SESSION_MAX_LENGTH = 2048
# Where a login may return to: a path of this site, never another site (no "//host", no scheme).
_LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9/_\-.~%?=&]{0,300}")


def new_secret() -> str:
    """A random, URL-safe value of 256 bits (state, nonce, PKCE verifier, CSRF token)."""
    return secrets.token_urlsafe(32)


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of a PKCE code verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def safe_return_path(candidate: str | None, default: str) -> str:
    """``candidate`` when it is a path of this site, else ``default``: a login never sends anyone elsewhere."""
    if candidate and _LOCAL_PATH.fullmatch(candidate):
        return candidate
    return default


@dataclass(frozen=True)
class LoginFlow:
    """What the browser's trip to the login broker must come back with."""

    state: str
    nonce: str
    verifier: str
    return_to: str
    expires: datetime

    @classmethod
    def start(cls, return_to: str, now: datetime) -> LoginFlow:
        return cls(new_secret(), new_secret(), new_secret(), return_to, now + LOGIN_LIFETIME)

    @property
    def challenge(self) -> str:
        return pkce_challenge(self.verifier)

    def sign(self, secret: bytes) -> str:
        body = {"s": self.state, "n": self.nonce, "v": self.verifier, "r": self.return_to, "e": int(self.expires.timestamp())}
        return sign_body(body, secret, "login")

    @classmethod
    def from_signed(cls, text: str, secret: bytes, *, now: datetime) -> LoginFlow:
        body = read_signed(text, secret, "login")
        try:
            flow = cls(
                str(body["s"]),
                str(body["n"]),
                str(body["v"]),
                str(body["r"]),
                datetime.fromtimestamp(int(str(body["e"])), UTC),
            )
        except (KeyError, ValueError, OverflowError, OSError):
            raise InvalidTokenError("malformed") from None
        if flow.expires < now:
            raise InvalidTokenError("expired")
        return flow

    def matches(self, state: str | None) -> bool:
        return state is not None and hmac.compare_digest(state.encode(), self.state.encode())


@dataclass(frozen=True)
class Session:
    """Who is logged in to the pages, until when, and the CSRF token their forms carry."""

    principal: Principal
    csrf: str
    expires: datetime

    @classmethod
    def start(cls, principal: Principal, now: datetime) -> Session:
        return cls(principal, new_secret(), now + SESSION_LIFETIME)

    def sign(self, secret: bytes) -> str:
        p = self.principal
        body: dict[str, object] = {
            "sub": p.subject,
            "roles": sorted(r.value for r in p.roles),
            "name": p.name,
            "rep": p.represents,
            "acr": p.assurance,
            "csrf": self.csrf,
            "e": int(self.expires.timestamp()),
        }
        return sign_body(body, secret, "session")

    @classmethod
    def from_signed(cls, text: str, secret: bytes, *, now: datetime) -> Session:
        body = read_signed(text, secret, "session", max_length=SESSION_MAX_LENGTH)
        try:
            subject, represents = str(body["sub"]), body.get("rep")
            roles = body["roles"]
            if not is_valid_subject(subject) or not isinstance(roles, list):
                raise ValueError(subject)
            if represents is not None and not (isinstance(represents, str) and is_valid_subject(represents)):
                raise ValueError(represents)
            principal = Principal(
                subject=subject,
                roles=frozenset(Role(r) for r in roles),
                name=body["name"] if isinstance(body.get("name"), str) else None,
                represents=represents,
                assurance=body["acr"] if isinstance(body.get("acr"), str) else None,
            )
            session = cls(principal, str(body["csrf"]), datetime.fromtimestamp(int(str(body["e"])), UTC))
        except (KeyError, ValueError, OverflowError, OSError):
            raise InvalidTokenError("malformed") from None
        if session.expires < now:
            raise InvalidTokenError("expired")
        return session

    def accepts(self, csrf: str | None) -> bool:
        """Whether a form sent back this session's CSRF token."""
        return csrf is not None and hmac.compare_digest(csrf.encode(), self.csrf.encode())
