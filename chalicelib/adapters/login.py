"""Login providers for the pages' OIDC authorisation-code flow with PKCE: the province's login broker
(DigiD and eHerkenning behind it) and its own identity provider for staff, each found through its discovery
document; and in the local stage the built-in dev issuer, which offers the story's personas on a page of its own
and hands out codes, ID tokens and refresh tokens in-process.

Baken authenticates to a token endpoint with ``private_key_jwt`` when it has a client key (RFC 7523: a JWT signed
with its private key, for the token endpoint as audience, valid for a minute, used once), else with
``client_secret_basic`` (RFC 6749 §2.3.1: the client id and secret, form-encoded, in an HTTP Basic header); over
HTTPS only outside the local stage. Key and secret are read from the secrets store when needed (cached for minutes,
so a rotated one is picked up without a deployment).
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.adapters.identity import DevIssuer, Persona, ProviderMetadata
from chalicelib.domain.errors import AuthenticationError
from chalicelib.domain.login import pkce_challenge
from chalicelib.domain.tokens import InvalidTokenError, read_signed, sign_body
from chalicelib.services.ports import LoginProvider, TokenAnswer

CODE_LIFETIME_SECONDS = 120
ASSERTION_LIFETIME_SECONDS = 60
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
REFRESH_LIFETIME_SECONDS = 8 * 3600
TOKEN_TIMEOUT_SECONDS = 10


def _basic(client_id: str, secret: str) -> str:
    """The HTTP Basic credentials of RFC 6749 §2.3.1: id and secret each form-encoded first."""
    pair = f"{urllib.parse.quote_plus(client_id)}:{urllib.parse.quote_plus(secret)}"
    return "Basic " + base64.b64encode(pair.encode()).decode("ascii")


def client_assertion(private_key_pem: str, *, client_id: str, audience: str) -> str:
    """The RFC 7523 client assertion of ``private_key_jwt``: issuer and subject Baken's client id, audience the
    token endpoint, a unique ``jti``, valid for a minute. Its key id is the key's RFC 7638 thumbprint, as the
    provider finds it in the JWKS Baken registered."""
    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    if not isinstance(key, RSAPrivateKey):
        raise AuthenticationError("client_key")
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    kid = _thumbprint(public)
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": str(uuid.uuid4()),
        "iat": now,
        "exp": now + ASSERTION_LIFETIME_SECONDS,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _thumbprint(public: dict[str, Any]) -> str:
    """RFC 7638: SHA-256 over the required members of an RSA JWK, in lexical order, without spaces."""
    import hashlib

    canonical = json.dumps({"e": public["e"], "kty": "RSA", "n": public["n"]}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


class OidcLoginProvider(LoginProvider):
    """The authorisation endpoint the browser goes to, and the token endpoint Baken calls with the code, both from
    the provider's discovery document. ``acr_values``: the assurance asked for (the broker shows only the means
    that reach it); the ID token's ``acr`` is checked again on return."""

    def __init__(
        self,
        *,
        metadata: ProviderMetadata,
        client_id: str,
        client_secret: Callable[[], str | None],
        client_key: Callable[[], str | None] = lambda: None,
        acr_values: tuple[str, ...] = (),
        scope: str = "openid",
    ) -> None:
        self._metadata = metadata
        self._client_id = client_id
        self._client_secret = client_secret
        self._client_key = client_key
        self._acr_values = acr_values
        self._scope = scope

    def authorize_url(self, *, state: str, nonce: str, challenge: str, redirect_uri: str, login_hint: str | None = None) -> str:
        if not self._client_id:
            raise AuthenticationError("not_configured")
        query = {
            "response_type": "code",
            "client_id": self._client_id,
            "redirect_uri": redirect_uri,
            "scope": self._scope,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        if self._acr_values:
            query["acr_values"] = " ".join(self._acr_values)
        if login_hint:
            query["login_hint"] = login_hint
        return f"{self._metadata.endpoint('authorization_endpoint')}?{urllib.parse.urlencode(query)}"

    def exchange(self, *, code: str, verifier: str, redirect_uri: str) -> TokenAnswer:
        return self._token(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier}
        )

    def refresh(self, refresh_token: str) -> TokenAnswer:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token, "scope": self._scope})

    def _token(self, form: dict[str, str]) -> TokenAnswer:
        url = self._metadata.endpoint("token_endpoint")
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme != "https" and not (self._metadata.allow_http and scheme == "http"):
            raise AuthenticationError("insecure_token_endpoint")
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        key = self._client_key()
        secret = None if key else self._client_secret()
        if key:
            form = {**form, "client_id": self._client_id, "client_assertion_type": JWT_BEARER}
            form["client_assertion"] = client_assertion(key, client_id=self._client_id, audience=url)
        elif secret:
            headers["Authorization"] = _basic(self._client_id, secret)
        else:
            form = {**form, "client_id": self._client_id}
        request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), headers=headers, method="POST")  # noqa: S310 - scheme checked
        try:
            with urllib.request.urlopen(request, timeout=TOKEN_TIMEOUT_SECONDS) as response:  # noqa: S310
                answer = json.loads(response.read())
        except (urllib.error.URLError, TimeoutError, OSError, ValueError):
            raise AuthenticationError("token_endpoint") from None
        token = answer.get("id_token") if isinstance(answer, dict) else None
        if not isinstance(token, str):
            raise AuthenticationError("no_id_token")
        refresh = answer.get("refresh_token")
        return TokenAnswer(token, refresh if isinstance(refresh, str) else None)


class DevLoginProvider(LoginProvider):
    """The local stage's stand-in for the broker: ``/dev/inloggen`` shows the personas, and choosing one
    returns a short-lived code that only this provider can exchange, with the PKCE verifier, for an ID token."""

    def __init__(self, *, issuer: DevIssuer, personas: Mapping[str, Persona], secret: bytes) -> None:
        self._issuer = issuer
        self._personas = personas
        self._secret = secret

    def authorize_url(self, *, state: str, nonce: str, challenge: str, redirect_uri: str, login_hint: str | None = None) -> str:
        query = {"state": state, "nonce": nonce, "code_challenge": challenge, "redirect_uri": redirect_uri}
        return f"/dev/inloggen?{urllib.parse.urlencode(query)}"

    def code_for(self, persona: str, *, nonce: str, challenge: str, redirect_uri: str) -> str:
        if persona not in self._personas:
            raise AuthenticationError("unknown_persona")
        body: dict[str, object] = {
            "p": persona,
            "n": nonce,
            "c": challenge,
            "r": redirect_uri,
            "e": int(time.time()) + CODE_LIFETIME_SECONDS,
        }
        return sign_body(body, self._secret, "dev-code")

    def exchange(self, *, code: str, verifier: str, redirect_uri: str) -> TokenAnswer:
        try:
            body: dict[str, Any] = read_signed(code, self._secret, "dev-code")
        except InvalidTokenError:
            raise AuthenticationError("bad_code") from None
        persona = self._personas.get(str(body.get("p")))
        if persona is None or int(body.get("e", 0)) < time.time():
            raise AuthenticationError("bad_code")
        if body.get("c") != pkce_challenge(verifier) or body.get("r") != redirect_uri:
            raise AuthenticationError("pkce")
        refresh = sign_body({"p": persona.key, "e": int(time.time()) + REFRESH_LIFETIME_SECONDS}, self._secret, "dev-refresh")
        return TokenAnswer(self._issuer.issue({**persona.claims, "nonce": body.get("n")}, lifetime_seconds=300), refresh)

    def refresh(self, refresh_token: str) -> TokenAnswer:
        """A new ID token with the persona's claims as they are now (a test takes a role away by changing them)."""
        try:
            body: dict[str, Any] = read_signed(refresh_token, self._secret, "dev-refresh")
        except InvalidTokenError:
            raise AuthenticationError("bad_refresh_token") from None
        persona = self._personas.get(str(body.get("p")))
        if persona is None or int(body.get("e", 0)) < time.time():
            raise AuthenticationError("bad_refresh_token")
        return TokenAnswer(self._issuer.issue(dict(persona.claims), lifetime_seconds=300), refresh_token)
