"""Login providers for the pages' OIDC authorisation-code flow with PKCE: the province's login broker
(DigiD and eHerkenning behind it), and in the local stage the built-in dev issuer, which offers the story's
personas on a page of its own and hands out codes and ID tokens in-process."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from chalicelib.adapters.identity import DevIssuer, Persona
from chalicelib.domain.errors import AuthenticationError
from chalicelib.domain.login import pkce_challenge
from chalicelib.domain.tokens import InvalidTokenError, read_signed, sign_body
from chalicelib.services.ports import LoginProvider

CODE_LIFETIME_SECONDS = 120
TOKEN_TIMEOUT_SECONDS = 10


class OidcLoginProvider(LoginProvider):
    """The authorisation endpoint the browser goes to, and the token endpoint Baken calls with the code."""

    def __init__(self, *, authorize_url: str, token_url: str, client_id: str, client_secret: str | None) -> None:
        self._authorize_url = authorize_url
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret

    def authorize_url(self, *, state: str, nonce: str, challenge: str, redirect_uri: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self._client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid",
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return f"{self._authorize_url}?{urllib.parse.urlencode(query)}"

    def exchange(self, *, code: str, verifier: str, redirect_uri: str) -> str:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self._client_id,
            "code_verifier": verifier,
        }
        if self._client_secret:
            form["client_secret"] = self._client_secret
        request = urllib.request.Request(  # noqa: S310 - the configured https token endpoint
            self._token_url,
            data=urllib.parse.urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=TOKEN_TIMEOUT_SECONDS) as response:  # noqa: S310
                answer = json.loads(response.read())
        except (urllib.error.URLError, TimeoutError, ValueError):
            raise AuthenticationError("token_endpoint") from None
        token = answer.get("id_token") if isinstance(answer, dict) else None
        if not isinstance(token, str):
            raise AuthenticationError("no_id_token")
        return token


class DevLoginProvider(LoginProvider):
    """The local stage's stand-in for the broker: ``/dev/inloggen`` shows the personas, and choosing one
    returns a short-lived code that only this provider can exchange, with the PKCE verifier, for an ID token."""

    def __init__(self, *, issuer: DevIssuer, personas: dict[str, Persona], secret: bytes) -> None:
        self._issuer = issuer
        self._personas = personas
        self._secret = secret

    def authorize_url(self, *, state: str, nonce: str, challenge: str, redirect_uri: str) -> str:
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

    def exchange(self, *, code: str, verifier: str, redirect_uri: str) -> str:
        try:
            body: dict[str, Any] = read_signed(code, self._secret, "dev-code")
        except InvalidTokenError:
            raise AuthenticationError("bad_code") from None
        persona = self._personas.get(str(body.get("p")))
        if persona is None or int(body.get("e", 0)) < time.time():
            raise AuthenticationError("bad_code")
        if body.get("c") != pkce_challenge(verifier) or body.get("r") != redirect_uri:
            raise AuthenticationError("pkce")
        return self._issuer.issue({**persona.claims, "nonce": body.get("n")}, lifetime_seconds=300)
