"""Identity from a verified JWT (OIDC NL GOV): RS256 only, issuer, audience, expiry and not-before checked,
keys from configuration (a JWKS). In the local stage a built-in dev issuer signs tokens for the story's
personas with a key the local stack generates; other stages never trust that key."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import AuthenticationError
from chalicelib.domain.identity import Principal, Role, is_valid_subject

ALGORITHM = "RS256"
LEEWAY_SECONDS = 30


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not is_valid_subject(subject):
        raise AuthenticationError("bad_subject")
    raw_roles = claims.get("roles") or []
    if not isinstance(raw_roles, list):
        raise AuthenticationError("bad_roles")
    roles = frozenset(Role(r) for r in raw_roles if isinstance(r, str) and r in {x.value for x in Role})
    if not raw_roles:
        roles = frozenset({Role.APPLICANT})
    represents = claims.get("represents")
    represented: str | None = None
    if represents is not None:
        candidate = represents.get("sub") if isinstance(represents, dict) else None
        if not isinstance(candidate, str) or not is_valid_subject(candidate):
            raise AuthenticationError("bad_represents")
        represented = candidate
    name = claims.get("name")
    acr = claims.get("acr")
    return Principal(
        subject=subject,
        roles=roles,
        name=name if isinstance(name, str) else None,
        represents=represented,
        assurance=acr if isinstance(acr, str) else None,
    )


class JwtVerifier:
    """Checks ID and access tokens against the broker's keys. PyJWT is loaded, and the keys read, on the first
    check: a function that checks no token never pays for it."""

    def __init__(self, *, issuer: str, audience: str, jwks: dict[str, Any]) -> None:
        self._issuer = issuer
        self._audience = audience
        self._jwks = jwks
        self._loaded: dict[str | None, Any] | None = None

    @property
    def _keys(self) -> dict[str | None, Any]:
        if self._loaded is None:
            import jwt

            self._loaded = {
                key.get("kid"): jwt.PyJWK.from_dict(key, algorithm=ALGORITHM).key
                for key in self._jwks.get("keys", [])
                if key.get("kty") == "RSA" and key.get("use", "sig") == "sig"
            }
        return self._loaded

    def verify(self, token: str) -> Principal:
        return principal_from_claims(self.claims(token))

    def claims(self, token: str) -> dict[str, Any]:
        """The claims of ``token`` once its signature, issuer, audience and times are checked."""
        import jwt

        if not self._issuer or not self._audience or not self._keys:
            raise AuthenticationError("not_configured")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthenticationError("malformed") from None
        if header.get("alg") != ALGORITHM:
            raise AuthenticationError("algorithm")
        key = self._keys.get(header.get("kid"))
        if key is None:
            raise AuthenticationError("unknown_key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("expired") from None
        except jwt.ImmatureSignatureError:
            raise AuthenticationError("not_yet_valid") from None
        except jwt.InvalidAudienceError:
            raise AuthenticationError("audience") from None
        except jwt.InvalidIssuerError:
            raise AuthenticationError("issuer") from None
        except jwt.PyJWTError:
            raise AuthenticationError("invalid") from None
        return dict(claims)


@dataclass(frozen=True)
class Persona:
    """A test identity of the local dev issuer (see chalicelib/data/dev_personas.json)."""

    key: str
    claims: dict[str, Any]
    email: str | None
    description: str


class DevIssuer:
    """Signs tokens like the OIDC broker would, for local use only."""

    def __init__(self, *, private_key_pem: bytes, issuer: str, audience: str) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

        key = serialization.load_pem_private_key(private_key_pem, password=None)
        if not isinstance(key, RSAPrivateKey):
            raise TypeError("the dev issuer needs an RSA private key")
        self._private_key = key
        self._issuer = issuer
        self._audience = audience
        self.kid = "baken-local-dev"

    def jwks(self) -> dict[str, Any]:
        import jwt

        public = jwt.algorithms.RSAAlgorithm.to_jwk(self._private_key.public_key(), as_dict=True)
        public.update({"kid": self.kid, "use": "sig", "alg": ALGORITHM})
        return {"keys": [public]}

    def issue(self, claims: dict[str, Any], *, lifetime_seconds: int = 3600) -> str:
        import jwt

        now = int(time.time())
        payload = {
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime_seconds,
            "jti": str(uuid.uuid4()),
            **claims,
        }
        return jwt.encode(payload, self._private_key, algorithm=ALGORITHM, headers={"kid": self.kid})


def load_personas(path: str) -> dict[str, Persona]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return {
        item["key"]: Persona(item["key"], item["claims"], item.get("email"), item["description"]) for item in data["personas"]
    }
