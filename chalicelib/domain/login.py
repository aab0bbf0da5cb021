"""Logging in to the pages: the OIDC authorisation-code flow with PKCE (RFC 7636), and the session that
follows it.

While the browser is away at the login broker, a sealed cookie remembers the flow (which provider, state, nonce,
the PKCE verifier and where to return); the provider's answer must carry the same state, and the ID token the same
nonce. After it, a sealed session cookie carries who logged in (subject, roles, whom they act for), the CSRF token
every form must send back and the session's id. Both are encrypted with the service's keys (web/session.py): not
readable, not changeable. The session also lives on the server (``SessionRecord``): logging out ends it there, it
ends after ``IDLE_TIMEOUT`` without a request, and a staff member's roles are checked again every
``ROLES_RECHECK``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.identity import Principal, Role, is_valid_subject
from chalicelib.domain.tokens import InvalidTokenError

LOGIN_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=8)
IDLE_TIMEOUT = timedelta(minutes=30)
ROLES_RECHECK = timedelta(minutes=5)
TOUCH_EVERY = timedelta(minutes=1)  # how often a request moves the session's last-seen time (one write a minute)
SESSION_MAX_LENGTH = 2048


class Realm(StrEnum):
    """Who vouches for someone: the login broker (DigiD, eHerkenning) for citizens and businesses, or the
    province's own identity provider for its staff. Staff roles come from the staff realm only."""

    CITIZENS = "citizens"
    STAFF = "staff"


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
    realm: Realm = Realm.CITIZENS

    @classmethod
    def start(cls, return_to: str, now: datetime, realm: Realm = Realm.CITIZENS) -> LoginFlow:
        return cls(new_secret(), new_secret(), new_secret(), return_to, now + LOGIN_LIFETIME, realm)

    @property
    def challenge(self) -> str:
        return pkce_challenge(self.verifier)

    def body(self) -> dict[str, object]:
        return {
            "s": self.state,
            "n": self.nonce,
            "v": self.verifier,
            "r": self.return_to,
            "e": int(self.expires.timestamp()),
            "m": self.realm.value,
        }

    @classmethod
    def from_body(cls, body: dict[str, Any], *, now: datetime) -> LoginFlow:
        try:
            flow = cls(
                str(body["s"]),
                str(body["n"]),
                str(body["v"]),
                str(body["r"]),
                datetime.fromtimestamp(int(str(body["e"])), UTC),
                Realm(body["m"]),
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
    sid: str = ""
    realm: Realm = Realm.CITIZENS

    @classmethod
    def start(cls, principal: Principal, now: datetime, realm: Realm = Realm.CITIZENS) -> Session:
        return cls(principal, new_secret(), now + SESSION_LIFETIME, new_secret(), realm)

    def body(self) -> dict[str, object]:
        p = self.principal
        return {
            "sub": p.subject,
            "roles": sorted(r.value for r in p.roles),
            "name": p.name,
            "rep": p.represents,
            "acr": p.assurance,
            "csrf": self.csrf,
            "e": int(self.expires.timestamp()),
            "sid": self.sid,
            "m": self.realm.value,
        }

    @classmethod
    def from_body(cls, body: dict[str, Any], *, now: datetime) -> Session:
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
            session = cls(
                principal,
                str(body["csrf"]),
                datetime.fromtimestamp(int(str(body["e"])), UTC),
                str(body["sid"]),
                Realm(body["m"]),
            )
        except (KeyError, ValueError, OverflowError, OSError):
            raise InvalidTokenError("malformed") from None
        if session.expires < now:
            raise InvalidTokenError("expired")
        return session

    def accepts(self, csrf: str | None) -> bool:
        """Whether a form sent back this session's CSRF token."""
        return csrf is not None and hmac.compare_digest(csrf.encode(), self.csrf.encode())


@dataclass(frozen=True)
class SessionRecord:
    """The server's side of a session: it exists from login to logout (or expiry), knows when its owner was last
    seen and, for staff, the roles as last checked with the identity provider. ``refresh`` is the provider's
    refresh token (sealed), with which the roles are checked again without the browser."""

    sid: str
    subject: str
    realm: Realm
    roles: frozenset[Role]
    last_seen: datetime
    roles_checked: datetime
    expires: datetime
    refresh: str | None = None

    @classmethod
    def of(cls, session: Session, now: datetime, refresh: str | None = None) -> SessionRecord:
        p = session.principal
        return cls(session.sid, p.subject, session.realm, p.roles, now, now, session.expires, refresh)

    def idle(self, now: datetime) -> bool:
        return now - self.last_seen > IDLE_TIMEOUT or now > self.expires

    def roles_due(self, now: datetime) -> bool:
        """Whether a staff member's roles must be checked with the identity provider again."""
        return self.realm is Realm.STAFF and now - self.roles_checked >= ROLES_RECHECK

    def touch_due(self, now: datetime) -> bool:
        return now - self.last_seen >= TOUCH_EVERY
