"""Token verification: RS256 from the configured keys only, issuer/audience/expiry/not-before checked,
and the well-known attacks answered with an authentication error (HTTP 401)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.adapters.identity import DevIssuer, JwtVerifier, principal_from_claims
from chalicelib.domain.errors import AuthenticationError
from chalicelib.domain.identity import Role
from chalicelib.domain.login import Realm

ISSUER = "https://login.example.test"
STAFF_ISSUER = "https://idp.provincie.example.test"
AUDIENCE = "baken"
SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
MARK = {"sub": "pu-mark-3f9a1c", "acr": SUBSTANTIAL}


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@pytest.fixture(scope="module")
def issuer() -> DevIssuer:
    return DevIssuer(
        private_key_pem=_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)), issuer=ISSUER, audience=AUDIENCE
    )


@pytest.fixture(scope="module")
def verifier(issuer: DevIssuer) -> JwtVerifier:
    return JwtVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=issuer.jwks())


def _reason(verifier: JwtVerifier, token: str) -> str:
    with pytest.raises(AuthenticationError) as refused:
        verifier.verify(token)
    return refused.value.reason


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_valid_token_of_an_applicant_gives_their_pseudonymous_subject(issuer, verifier):
    principal = verifier.verify(issuer.issue({"sub": "pu-mark-3f9a1c", "acr": "http://eidas.europa.eu/LoA/substantial"}))
    assert principal.subject == "pu-mark-3f9a1c"
    assert principal.roles == frozenset({Role.APPLICANT})
    assert principal.assurance == "http://eidas.europa.eu/LoA/substantial"


def test_employee_roles_come_from_the_staff_issuers_claims_and_representation_from_the_brokers(issuer, verifier):
    staff = JwtVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=issuer.jwks(), realm=Realm.STAFF)
    anna = staff.verify(issuer.issue({"sub": "mdw-anna", "roles": ["behandelaar", "unknown"]}, realm=Realm.CITIZENS))
    assert anna.roles == frozenset({Role.BEHANDELAAR})
    karin = verifier.verify(issuer.issue({"sub": "pu-karin-2b6f90", "acr": SUBSTANTIAL, "represents": {"sub": "pu-mark-3f9a1c"}}))
    assert karin.acting_for == "pu-mark-3f9a1c"


def test_an_unsigned_token_with_alg_none_is_refused(issuer, verifier):
    claims = {"sub": "pu-mark-3f9a1c", "iss": ISSUER, "aud": AUDIENCE, "iat": int(time.time()), "exp": int(time.time()) + 60}
    token = f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': issuer.kid})}.{_b64(claims)}."
    assert _reason(verifier, token) == "algorithm"


def test_an_hs256_token_signed_with_the_public_key_is_refused(issuer, verifier):
    public_pem = issuer._private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = {"sub": "pu-mark-3f9a1c", "iss": ISSUER, "aud": AUDIENCE, "iat": int(time.time()), "exp": int(time.time()) + 60}
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": issuer.kid})
    body = _b64(claims)
    signature = (
        base64.urlsafe_b64encode(hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
    )
    assert _reason(verifier, f"{header}.{body}.{signature}") == "algorithm"


def test_a_token_signed_by_another_key_under_the_same_key_id_is_refused(issuer, verifier):
    impostor = DevIssuer(
        private_key_pem=_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)), issuer=ISSUER, audience=AUDIENCE
    )
    assert _reason(verifier, impostor.issue({"sub": "pu-mark-3f9a1c"})) == "invalid"


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": int(time.time()) - 3600}, "expired"),
        ({"nbf": int(time.time()) + 3600}, "not_yet_valid"),
        ({"aud": "someone-else"}, "audience"),
        ({"iss": "https://evil.example"}, "issuer"),
        ({"sub": "123456782"}, "bad_subject"),
        ({"represents": {"sub": "123456782"}}, "bad_represents"),
    ],
    ids=["expired", "not yet valid", "wrong audience", "wrong issuer", "bsn as subject", "bsn as represented"],
)
def test_tokens_that_are_not_for_us_now_are_refused(issuer, verifier, claims, reason):
    assert _reason(verifier, issuer.issue({**MARK, **claims})) == reason


def test_a_token_without_expiry_is_refused(issuer, verifier):
    token = jwt.encode(
        {"sub": "pu-mark-3f9a1c", "iss": ISSUER, "aud": AUDIENCE, "iat": int(time.time())},
        issuer._private_key,
        algorithm="RS256",
        headers={"kid": issuer.kid},
    )
    assert _reason(verifier, token) == "invalid"


def test_an_unknown_key_id_and_garbage_are_refused(issuer, verifier):
    other = jwt.encode({"sub": "x"}, issuer._private_key, algorithm="RS256", headers={"kid": "someone-elses-key"})
    assert _reason(verifier, other) == "unknown_key"
    assert _reason(verifier, "not-a-token") == "malformed"


def test_without_configured_keys_every_token_is_refused(issuer):
    unconfigured = JwtVerifier(issuer=ISSUER, audience=AUDIENCE, jwks={"keys": []})
    assert _reason(unconfigured, issuer.issue(MARK)) == "not_configured"


def test_a_citizen_is_an_applicant_and_a_staff_member_has_only_the_known_roles_their_provider_gives():
    assert principal_from_claims({"sub": "pu-x-123", "acr": SUBSTANTIAL}).roles == frozenset({Role.APPLICANT})
    assert principal_from_claims({"sub": "mdw-x", "roles": ["kcc", "admin"]}, Realm.STAFF).roles == frozenset({Role.KCC})
    assert principal_from_claims({"sub": "mdw-x", "roles": ["applicant"]}, Realm.STAFF).roles == frozenset()
    assert principal_from_claims({"sub": "mdw-x"}, Realm.STAFF).roles == frozenset()
