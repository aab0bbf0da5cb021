"""Identity from a verified JWT (OIDC NL GOV): RS256 only; issuer, audience, expiry and not-before checked.

Two providers are trusted, each for its own people (``Realm``): the login broker (DigiD, eHerkenning) for citizens
and businesses, and the province's identity provider for staff. A token names its issuer, which picks the provider;
a staff role is only ever read from the staff provider's tokens. Each provider's keys come from its discovery
document (``<issuer>/.well-known/openid-configuration`` → ``jwks_uri``), fetched over HTTPS, cached, and fetched
again when a token names a key id that is not known yet (at most once a minute), so the provider can rotate its
keys without Baken being told. The API's bearer tokens are checked with the API's audience, the pages' ID tokens
with Baken's client id: the one is never accepted as the other.

In the local stage a built-in dev issuer signs tokens for the story's personas with a key the local stack
generates, as two issuers (citizens and staff); other stages never trust that key.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import AuthenticationError
from chalicelib.domain.identity import STAFF, Principal, Role, is_valid_subject
from chalicelib.domain.login import Realm

ALGORITHM = "RS256"
LEEWAY_SECONDS = 30
FETCH_TIMEOUT_SECONDS = 5
KEYS_MAX_AGE_SECONDS = 3600
REFRESH_AT_MOST_EVERY_SECONDS = 60
MAX_DOCUMENT_BYTES = 256 * 1024

# Assurance (``acr``) enough for case data and personal details: DigiD Substantieel or Hoog, eHerkenning EH3 or
# EH4, or the eIDAS levels substantial and high. DigiD's SAML classes as Logius' DigiD interface specification names
# them: PasswordProtectedTransport = Basis, MobileTwoFactorContract = Midden, Smartcard = Substantieel,
# SmartcardPKI = Hoog.
SUBSTANTIAL_OR_HIGHER = frozenset(
    {
        "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
        "urn:etoegang:core:assurance-class:loa3",
        "urn:etoegang:core:assurance-class:loa4",
        "http://eidas.europa.eu/LoA/substantial",
        "http://eidas.europa.eu/LoA/high",
    }
)
REQUESTED_ACR = ("http://eidas.europa.eu/LoA/substantial", "urn:etoegang:core:assurance-class:loa3")

# Identifier types of a represented party (OIDC NL GOV ``sub_id_type``; the urn:nl-eid-gdi names).
KVK_TYPE = "urn:nl-eid-gdi:1.0:id:KvKNr"
RSIN_TYPE = "urn:nl-eid-gdi:1.0:id:RSIN"
_KVK = re.compile(r"\d{8}")
_RSIN = re.compile(r"\d{9}")
MAX_CHAIN = 5


def _elfproef(digits: str) -> bool:
    """The eleven test an RSIN (like a BSN) passes."""
    weights = range(9, 1, -1)
    total = sum(int(d) * w for d, w in zip(digits[:8], weights, strict=True)) - int(digits[8])
    return total % 11 == 0


def _represented(value: Any) -> str:
    """The represented party of a ``represents`` (or ``act``-style) object: a pseudonymous subject, or a company by
    its KvK number (8 digits) or RSIN (9 digits, only with its ``sub_id_type``: nine digits alone may be a BSN).
    Companies are namespaced (``kvk:12345678``, ``rsin:123456782``)."""
    candidate = value.get("sub") if isinstance(value, dict) else None
    id_type = value.get("sub_id_type") if isinstance(value, dict) else None
    if not isinstance(candidate, str):
        raise AuthenticationError("bad_represents")
    if id_type == RSIN_TYPE:
        if _RSIN.fullmatch(candidate) and _elfproef(candidate):
            return f"rsin:{candidate}"
        raise AuthenticationError("bad_represents")
    if id_type == KVK_TYPE or (id_type is None and _KVK.fullmatch(candidate)):
        if _KVK.fullmatch(candidate):
            return f"kvk:{candidate}"
        raise AuthenticationError("bad_represents")
    if id_type is not None and not isinstance(id_type, str):
        raise AuthenticationError("bad_represents")
    if not is_valid_subject(candidate):
        raise AuthenticationError("bad_represents")
    return candidate


def _chain(value: Any) -> int:
    """How many links a machtigen chain has (``act`` nested in ``act``); AuthenticationError past ``MAX_CHAIN``."""
    depth = 0
    while isinstance(value, dict) and "act" in value:
        depth += 1
        value = value["act"]
        if depth > MAX_CHAIN:
            raise AuthenticationError("bad_represents")
    return depth


def principal_from_claims(claims: dict[str, Any], realm: Realm = Realm.CITIZENS) -> Principal:
    """Who the verified ``claims`` say is asking. Citizens and businesses are applicants, never staff: a role
    claimed by the citizens' provider is refused (``staff_role_from_citizens_issuer``), and so is an assurance
    level below substantial (``assurance_missing``, ``assurance_too_low``). Staff have the roles their own
    provider gives them, and no others.

    Acting for someone else, read as OIDC NL GOV describes representation: either the broker's ``represents``
    object (the person at the keyboard in ``sub``, the represented party in ``represents.sub``), or the
    profile's ``act`` claim (RFC 8693: the represented party in ``sub``, the acting person in ``act.sub``; an
    ``act`` nested inside it is an earlier link of a chain — an intermediary such as an accountant's firm — which
    is checked for shape but gives no access of its own: access follows the represented party)."""
    subject = claims.get("sub")
    raw_roles = claims.get("roles")
    if realm is Realm.STAFF:
        if not isinstance(subject, str) or not is_valid_subject(subject):
            raise AuthenticationError("bad_subject")
        if raw_roles is not None and not isinstance(raw_roles, list):
            raise AuthenticationError("bad_roles")
        known = {r.value for r in STAFF | {Role.OPERATOR}}
        roles = frozenset(Role(r) for r in raw_roles or [] if isinstance(r, str) and r in known)
        name = claims.get("name")
        return Principal(subject=subject, roles=roles, name=name if isinstance(name, str) else None)
    if raw_roles:
        raise AuthenticationError("staff_role_from_citizens_issuer")
    acr = claims.get("acr")
    if not isinstance(acr, str) or not acr:
        raise AuthenticationError("assurance_missing")
    if acr not in SUBSTANTIAL_OR_HIGHER:
        raise AuthenticationError("assurance_too_low")
    represented: str | None = None
    act = claims.get("act")
    if act is not None:
        actor = act.get("sub") if isinstance(act, dict) else None
        if not isinstance(actor, str) or not is_valid_subject(actor):
            raise AuthenticationError("bad_represents")
        _chain(act)
        represented = _represented({"sub": subject, "sub_id_type": claims.get("sub_id_type")})
        subject = actor
    elif claims.get("represents") is not None:
        represents = claims["represents"]
        _chain(represents)
        represented = _represented(represents)
    if not isinstance(subject, str) or not is_valid_subject(subject):
        raise AuthenticationError("bad_subject")
    name = claims.get("name")
    return Principal(
        subject=subject,
        roles=frozenset({Role.APPLICANT}),
        name=name if isinstance(name, str) else None,
        represents=represented,
        assurance=acr,
    )


def fetch_json(url: str, *, allow_http: bool = False) -> dict[str, Any]:
    """A JSON object from ``url`` over HTTPS (plain HTTP only where allowed: the local stage and tests)."""
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme != "https" and not (allow_http and scheme == "http"):
        raise AuthenticationError("insecure_provider_url")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
            data = json.loads(response.read(MAX_DOCUMENT_BYTES + 1)[:MAX_DOCUMENT_BYTES])
    except (urllib.error.URLError, TimeoutError, OSError, ValueError):
        raise AuthenticationError("provider_unreachable") from None
    if not isinstance(data, dict):
        raise AuthenticationError("provider_unreachable")
    return data


def _rsa_keys(jwks: Mapping[str, Any]) -> dict[str | None, Any]:
    import jwt

    keys: dict[str | None, Any] = {}
    for key in jwks.get("keys", []) if isinstance(jwks.get("keys"), list) else []:
        if not isinstance(key, dict) or key.get("kty") != "RSA" or key.get("use", "sig") != "sig":
            continue
        try:
            keys[key.get("kid")] = jwt.PyJWK.from_dict(key, algorithm=ALGORITHM).key
        except jwt.PyJWTError:
            continue
    return keys


class StaticKeys:
    """Keys given once (the local dev issuer's, or a test's)."""

    def __init__(self, jwks: Mapping[str, Any]) -> None:
        self._jwks = jwks
        self._keys: dict[str | None, Any] | None = None

    def key(self, kid: str | None) -> Any:
        if self._keys is None:
            self._keys = _rsa_keys(self._jwks)
        return self._keys.get(kid)

    def configured(self) -> bool:
        return bool(self._jwks.get("keys"))


class ProviderMetadata:
    """An OpenID provider's discovery document, fetched on first use and kept for ``max_age`` seconds."""

    def __init__(
        self,
        issuer: str,
        *,
        allow_http: bool = False,
        max_age: float = KEYS_MAX_AGE_SECONDS,
        fetch: Callable[[str], dict[str, Any]] | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self.allow_http = allow_http
        self._fetch = fetch or (lambda url: fetch_json(url, allow_http=allow_http))
        self._max_age = max_age
        self._now = now
        self._document: dict[str, Any] | None = None
        self._fetched = 0.0
        self._lock = threading.Lock()

    def fetch(self, url: str) -> dict[str, Any]:
        return self._fetch(url)

    def document(self) -> dict[str, Any]:
        with self._lock:
            if self._document is None or self._now() - self._fetched > self._max_age:
                url = f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"
                document = self._fetch(url)
                if str(document.get("issuer", "")).rstrip("/") != self.issuer.rstrip("/"):
                    raise AuthenticationError("provider_issuer_mismatch")
                self._document, self._fetched = document, self._now()
            return self._document

    def endpoint(self, name: str) -> str:
        value = self.document().get(name)
        if not isinstance(value, str) or not value:
            raise AuthenticationError("provider_metadata")
        return value


class RemoteKeys:
    """A provider's signing keys from its ``jwks_uri``: cached for an hour, fetched again at once when a token names
    a key id not seen yet (the provider rotated), but at most once every ``min_interval`` seconds, so tokens
    with made-up key ids cannot make Baken hammer the provider."""

    def __init__(
        self,
        metadata: ProviderMetadata,
        *,
        max_age: float = KEYS_MAX_AGE_SECONDS,
        min_interval: float = REFRESH_AT_MOST_EVERY_SECONDS,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._metadata = metadata
        self._max_age = max_age
        self._min_interval = min_interval
        self._now = now
        self._keys: dict[str | None, Any] = {}
        self._fetched: float | None = None
        self._lock = threading.Lock()
        self.fetches = 0

    def _refresh(self) -> None:
        self.fetches += 1
        self._fetched = self._now()
        self._keys = _rsa_keys(self._metadata.fetch(self._metadata.endpoint("jwks_uri")))

    def key(self, kid: str | None) -> Any:
        with self._lock:
            age = None if self._fetched is None else self._now() - self._fetched
            if age is None or age > self._max_age or (kid not in self._keys and age >= self._min_interval):
                self._refresh()
            return self._keys.get(kid)

    def configured(self) -> bool:
        return bool(self._metadata.issuer)


class JwtVerifier:
    """Checks tokens of one issuer for one audience, with that issuer's keys. PyJWT is loaded on the first check:
    a function that checks no token never pays for it."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks: Mapping[str, Any] | None = None,
        keys: StaticKeys | RemoteKeys | None = None,
        realm: Realm = Realm.CITIZENS,
    ) -> None:
        self._issuer = issuer
        self._audience = audience
        self._keys = keys if keys is not None else StaticKeys(jwks or {"keys": []})
        self.realm = realm

    @property
    def issuer(self) -> str:
        return self._issuer

    def verify(self, token: str) -> Principal:
        return principal_from_claims(self.claims(token), self.realm)

    def claims(self, token: str) -> dict[str, Any]:
        """The claims of ``token`` once its signature, issuer, audience and times are checked."""
        import jwt

        if not self._issuer or not self._audience or not self._keys.configured():
            raise AuthenticationError("not_configured")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthenticationError("malformed") from None
        if header.get("alg") != ALGORITHM:
            raise AuthenticationError("algorithm")
        key = self._keys.key(header.get("kid"))
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


def unverified_issuer(token: str) -> str | None:
    """The ``iss`` a token claims, before anything is checked: only to choose whose keys check it."""
    import jwt

    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError:
        raise AuthenticationError("malformed") from None
    return issuer if isinstance(issuer, str) else None


@dataclass(frozen=True)
class Provider:
    """One trusted provider: its realm, and its verifiers of API bearer tokens and of the pages' ID tokens."""

    realm: Realm
    access: JwtVerifier  # audience: the API
    id_tokens: JwtVerifier  # audience: Baken's client id


class IdentityVerifier:
    """The providers Baken trusts, by issuer. ``verify`` checks an API bearer token; ``id_token`` an ID token from
    the pages' login, only from the realms that login may return from."""

    def __init__(self, providers: Mapping[Realm, Provider]) -> None:
        self._providers = dict(providers)
        self._by_issuer = {p.access.issuer.rstrip("/"): p for p in providers.values() if p.access.issuer}

    def _provider(self, token: str) -> Provider:
        issuer = unverified_issuer(token)
        provider = self._by_issuer.get((issuer or "").rstrip("/"))
        if provider is None:
            if not self._by_issuer:
                raise AuthenticationError("not_configured")
            raise AuthenticationError("issuer")
        return provider

    def verify(self, token: str) -> Principal:
        provider = self._provider(token)
        return principal_from_claims(provider.access.claims(token), provider.realm)

    def claims(self, token: str) -> dict[str, Any]:
        """The checked claims of an API bearer token (any trusted issuer)."""
        return self._provider(token).access.claims(token)

    def id_token(self, token: str, realms: frozenset[Realm]) -> tuple[dict[str, Any], Realm]:
        """The checked claims of an ID token, and whose: its issuer must be one of ``realms``, its audience
        Baken's client id there."""
        provider = self._provider(token)
        if provider.realm not in realms:
            raise AuthenticationError("issuer")
        return provider.id_tokens.claims(token), provider.realm


@dataclass(frozen=True)
class Persona:
    """A test identity of the local dev issuer (see chalicelib/data/dev_personas.json)."""

    key: str
    claims: dict[str, Any]
    email: str | None
    description: str


class DevIssuer:
    """Signs tokens like the OIDC broker and the staff provider would, for local use only."""

    def __init__(self, *, private_key_pem: bytes, issuer: str, audience: str, staff_issuer: str = "") -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

        key = serialization.load_pem_private_key(private_key_pem, password=None)
        if not isinstance(key, RSAPrivateKey):
            raise TypeError("the dev issuer needs an RSA private key")
        self._private_key = key
        self._issuer = issuer
        self._staff_issuer = staff_issuer or issuer
        self._audience = audience
        self.kid = "baken-local-dev"

    def jwks(self) -> dict[str, Any]:
        import jwt

        public = jwt.algorithms.RSAAlgorithm.to_jwk(self._private_key.public_key(), as_dict=True)
        public.update({"kid": self.kid, "use": "sig", "alg": ALGORITHM})
        return {"keys": [public]}

    def issue(self, claims: dict[str, Any], *, lifetime_seconds: int = 3600, realm: Realm | None = None) -> str:
        """A token for ``claims``, from the staff issuer when ``realm`` is staff (by default: when the claims carry
        roles, as only the province's own provider gives them), else from the citizens' one."""
        import jwt

        if realm is None:
            realm = Realm.STAFF if "roles" in claims else Realm.CITIZENS
        now = int(time.time())
        payload = {
            "iss": self._staff_issuer if realm is Realm.STAFF else self._issuer,
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
