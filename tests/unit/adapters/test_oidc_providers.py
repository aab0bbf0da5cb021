"""Two providers, each for its own people; the assurance level; companies and machtigen chains; and the
providers' keys from their discovery documents, served over real HTTP by a local server that rotates its keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.adapters.identity import (
    REQUESTED_ACR,
    DevIssuer,
    IdentityVerifier,
    JwtVerifier,
    Provider,
    ProviderMetadata,
    RemoteKeys,
    StaticKeys,
    principal_from_claims,
)
from chalicelib.adapters.login import OidcLoginProvider
from chalicelib.domain.errors import AuthenticationError
from chalicelib.domain.identity import Role
from chalicelib.domain.login import Realm
from tests.providers import Broker

CITIZENS = "https://broker.example.test"
STAFF = "https://idp.provincie.example.test"
API = "baken-api"
CLIENT = "baken-pages"
SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"


def _pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


PEM = _pem()


@pytest.fixture(scope="module")
def signer() -> DevIssuer:
    return DevIssuer(private_key_pem=PEM, issuer=CITIZENS, staff_issuer=STAFF, audience=API)


def _verifier(signer: DevIssuer) -> IdentityVerifier:
    keys = StaticKeys(signer.jwks())
    return IdentityVerifier(
        {
            realm: Provider(
                realm,
                JwtVerifier(issuer=issuer, audience=API, keys=keys, realm=realm),
                JwtVerifier(issuer=issuer, audience=CLIENT, keys=keys, realm=realm),
            )
            for realm, issuer in ((Realm.CITIZENS, CITIZENS), (Realm.STAFF, STAFF))
        }
    )


def _refused(call: Any) -> str:
    with pytest.raises(AuthenticationError) as refused:
        call()
    return refused.value.reason


# Separate issuers ---------------------------------------------------------------------------------------------


def test_a_staff_role_claimed_by_the_citizens_issuer_is_refused_with_its_reason(signer):
    verifier = _verifier(signer)
    forged = signer.issue({"sub": "pu-mark-3f9a1c", "acr": SUBSTANTIAL, "roles": ["behandelaar"]}, realm=Realm.CITIZENS)
    assert _refused(lambda: verifier.verify(forged)) == "staff_role_from_citizens_issuer"


def test_the_same_role_from_the_staff_issuer_is_a_behandelaar(signer):
    anna = _verifier(signer).verify(signer.issue({"sub": "mdw-anna", "roles": ["behandelaar"]}))
    assert anna.roles == frozenset({Role.BEHANDELAAR})


def test_a_token_of_an_issuer_baken_does_not_trust_is_refused(signer):
    stranger = DevIssuer(private_key_pem=_pem(), issuer="https://elsewhere.example", audience=API)
    assert _refused(lambda: _verifier(signer).verify(stranger.issue({"sub": "pu-x-123"}))) == "issuer"


def test_an_id_token_is_checked_for_the_client_id_and_an_access_token_for_the_api(signer):
    verifier = _verifier(signer)
    impostor = DevIssuer(private_key_pem=_pem(), issuer=CITIZENS, audience=CLIENT)
    token_for_pages = DevIssuer(private_key_pem=PEM, issuer=CITIZENS, audience=CLIENT).issue(
        {"sub": "pu-mark-3f9a1c", "acr": SUBSTANTIAL}
    )
    claims, realm = verifier.id_token(token_for_pages, frozenset({Realm.CITIZENS}))
    assert (claims["aud"], realm) == (CLIENT, Realm.CITIZENS)
    # the ID token is no bearer token for the API, and an API token is no ID token
    assert _refused(lambda: verifier.verify(token_for_pages)) == "audience"
    api_token = signer.issue({"sub": "pu-mark-3f9a1c", "acr": SUBSTANTIAL})
    assert _refused(lambda: verifier.id_token(api_token, frozenset({Realm.CITIZENS}))) == "audience"
    # and a login that went to the staff provider takes no ID token of the broker
    assert _refused(lambda: verifier.id_token(token_for_pages, frozenset({Realm.STAFF}))) == "issuer"
    # nor one signed by another key under the broker's name
    assert (
        _refused(lambda: verifier.id_token(impostor.issue({"sub": "pu-x-1", "acr": SUBSTANTIAL}), frozenset(Realm))) == "invalid"
    )


# Assurance --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "acr",
    [
        "http://eidas.europa.eu/LoA/substantial",
        "http://eidas.europa.eu/LoA/high",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
        "urn:etoegang:core:assurance-class:loa3",
        "urn:etoegang:core:assurance-class:loa4",
    ],
    ids=["eIDAS substantial", "eIDAS high", "DigiD Substantieel", "DigiD Hoog", "EH3", "EH4"],
)
def test_substantial_or_higher_is_enough(acr):
    assert principal_from_claims({"sub": "pu-mark-3f9a1c", "acr": acr}).assurance == acr


@pytest.mark.parametrize(
    ("acr", "reason"),
    [
        (None, "assurance_missing"),
        ("", "assurance_missing"),
        ("http://eidas.europa.eu/LoA/low", "assurance_too_low"),
        ("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", "assurance_too_low"),
        ("urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract", "assurance_too_low"),
        ("urn:etoegang:core:assurance-class:loa2plus", "assurance_too_low"),
    ],
    ids=["missing", "empty", "eIDAS low", "DigiD Basis", "DigiD Midden", "EH2+"],
)
def test_lower_or_missing_assurance_is_refused_and_says_so(acr, reason):
    claims = {"sub": "pu-mark-3f9a1c"} | ({"acr": acr} if acr is not None else {})
    assert _refused(lambda: principal_from_claims(claims)) == reason


# Companies and machtigen -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("represents", "acting_for"),
    [
        ({"sub": "12345678"}, "kvk:12345678"),
        ({"sub": "12345678", "sub_id_type": "urn:nl-eid-gdi:1.0:id:KvKNr"}, "kvk:12345678"),
        ({"sub": "123456782", "sub_id_type": "urn:nl-eid-gdi:1.0:id:RSIN"}, "rsin:123456782"),
        ({"sub": "pu-mark-3f9a1c"}, "pu-mark-3f9a1c"),
    ],
    ids=["KvK number", "KvK number typed", "RSIN typed", "pseudonym"],
)
def test_ehrkenning_representations_of_a_company_work(represents, acting_for):
    karin = principal_from_claims({"sub": "pu-karin-2b6f90", "acr": SUBSTANTIAL, "represents": represents})
    assert karin.acting_for == acting_for


@pytest.mark.parametrize(
    "represents",
    [
        {"sub": "123456782"},  # nine digits without a type may be a BSN
        {"sub": "123456789", "sub_id_type": "urn:nl-eid-gdi:1.0:id:RSIN"},  # fails the eleven test
        {"sub": "1234567", "sub_id_type": "urn:nl-eid-gdi:1.0:id:KvKNr"},
        {"sub": 12345678},
        "12345678",
    ],
)
def test_a_represented_party_that_may_be_a_bsn_or_is_malformed_is_refused(represents):
    claims = {"sub": "pu-karin-2b6f90", "acr": SUBSTANTIAL, "represents": represents}
    assert _refused(lambda: principal_from_claims(claims)) == "bad_represents"


def test_a_machtigen_chain_in_act_acts_for_the_subject_and_gives_the_intermediary_nothing():
    claims = {
        "sub": "12345678",
        "sub_id_type": "urn:nl-eid-gdi:1.0:id:KvKNr",
        "acr": "urn:etoegang:core:assurance-class:loa3",
        "act": {"sub": "pu-karin-2b6f90", "act": {"sub": "87654321", "sub_id_type": "urn:nl-eid-gdi:1.0:id:KvKNr"}},
    }
    karin = principal_from_claims(claims)
    assert (karin.subject, karin.acting_for) == ("pu-karin-2b6f90", "kvk:12345678")


def test_a_chain_deeper_than_five_links_is_refused():
    act: dict[str, Any] = {"sub": "pu-end-000"}
    for _ in range(6):
        act = {"sub": "pu-link-000", "act": act}
    assert _refused(lambda: principal_from_claims({"sub": "12345678", "acr": SUBSTANTIAL, "act": act})) == "bad_represents"


# Keys from the discovery document, over HTTP -------------------------------------------------------------------


@pytest.fixture
def broker() -> Iterator[Broker]:
    running = Broker()
    yield running
    running.stop()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_keys_come_from_the_discovery_documents_jwks_uri_and_are_cached(broker):
    first = broker.signer("key-1")
    broker.publish(first)
    clock = Clock()
    keys = RemoteKeys(ProviderMetadata(broker.issuer, allow_http=True), now=clock)
    verifier = JwtVerifier(issuer=broker.issuer, audience=API, keys=keys)

    for _ in range(3):
        assert verifier.verify(first.issue({"sub": "pu-mark-3f9a1c", "acr": SUBSTANTIAL})).subject == "pu-mark-3f9a1c"

    assert broker.requests == ["/.well-known/openid-configuration", "/keys"]


def test_a_key_the_broker_rotated_in_is_fetched_on_its_first_token_and_unknown_ids_do_not_hammer_the_broker(broker):
    # GIVEN Baken knows the broker's first key
    first, second = broker.signer("key-1"), broker.signer("key-2")
    broker.publish(first)
    clock = Clock()
    keys = RemoteKeys(ProviderMetadata(broker.issuer, allow_http=True), now=clock, min_interval=60)
    verifier = JwtVerifier(issuer=broker.issuer, audience=API, keys=keys)
    verifier.verify(first.issue({"sub": "pu-mark-3f9a1c", "acr": SUBSTANTIAL}))
    # WHEN the broker rotates to a second key, a minute later
    broker.publish(first, second)
    clock.now += 61
    # THEN the first token with the new key id fetches the keys again, and is accepted
    assert verifier.verify(second.issue({"sub": "pu-mark-3f9a1c", "acr": SUBSTANTIAL})).subject == "pu-mark-3f9a1c"
    assert keys.fetches == 2
    # AND tokens with made-up key ids within the minute fetch nothing more
    stranger = broker.signer("made-up")
    for _ in range(5):
        assert _refused(lambda: verifier.verify(stranger.issue({"sub": "pu-x-123", "acr": SUBSTANTIAL}))) == "unknown_key"
    assert keys.fetches == 2
    # AND once the broker drops the first key, its tokens stop working after the next refresh
    broker.publish(second)
    clock.now += 3601
    assert _refused(lambda: verifier.verify(first.issue({"sub": "pu-x-123", "acr": SUBSTANTIAL}))) == "unknown_key"


def test_a_discovery_document_for_another_issuer_or_over_http_outside_local_is_refused(broker):
    broker.publish(broker.signer("key-1"))
    assert _refused(lambda: ProviderMetadata(broker.issuer).document()) == "insecure_provider_url"
    lying = ProviderMetadata(broker.issuer, allow_http=True, fetch=lambda url: {"issuer": "https://other.example"})
    assert _refused(lying.document) == "provider_issuer_mismatch"
    down = ProviderMetadata("http://127.0.0.1:9", allow_http=True)
    assert _refused(down.document) == "provider_unreachable"


# The login provider: authorisation request and token endpoint -------------------------------------------------


def test_the_authorisation_request_asks_for_substantial_assurance_at_the_discovered_endpoint(broker):
    from urllib.parse import parse_qs, urlsplit

    provider = OidcLoginProvider(
        metadata=ProviderMetadata(broker.issuer, allow_http=True),
        client_id="baken-pages",
        client_secret=lambda: "s3cret",
        acr_values=REQUESTED_ACR,
    )
    url = provider.authorize_url(state="st", nonce="no", challenge="ch", redirect_uri="https://mijn.example/inloggen/terug")
    split = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(split.query).items()}
    assert f"{split.scheme}://{split.netloc}{split.path}" == f"{broker.issuer}/authorize"
    assert query["acr_values"] == "http://eidas.europa.eu/LoA/substantial urn:etoegang:core:assurance-class:loa3"
    assert (query["client_id"], query["code_challenge_method"], query["response_type"]) == ("baken-pages", "S256", "code")


def test_the_code_is_exchanged_with_client_secret_basic_and_the_secret_never_in_the_form(broker):
    import base64

    broker.token_answer = {"id_token": "the-id-token", "refresh_token": "the-refresh-token", "token_type": "Bearer"}
    provider = OidcLoginProvider(
        metadata=ProviderMetadata(broker.issuer, allow_http=True), client_id="baken pages", client_secret=lambda: "s3cr:t&"
    )
    answer = provider.exchange(code="the-code", verifier="the-verifier", redirect_uri="https://mijn.example/inloggen/terug")
    assert (answer.id_token, answer.refresh_token) == ("the-id-token", "the-refresh-token")
    ((authorization, form),) = broker.token_calls
    # RFC 6749 2.3.1: id and secret form-encoded, then joined by a colon and base64-encoded
    assert authorization == "Basic " + base64.b64encode(b"baken+pages:s3cr%3At%26").decode()
    assert form["grant_type"] == ["authorization_code"]
    assert form["code_verifier"] == ["the-verifier"]
    assert "client_secret" not in form


def test_a_token_endpoint_over_plain_http_is_refused_outside_the_local_stage(broker):
    document = {"issuer": broker.issuer, "token_endpoint": f"{broker.issuer}/token"}
    provider = OidcLoginProvider(
        metadata=ProviderMetadata(broker.issuer, fetch=lambda url: document), client_id="baken", client_secret=lambda: "s3cret"
    )
    assert (
        _refused(lambda: provider.exchange(code="c", verifier="v", redirect_uri="https://x/terug")) == "insecure_token_endpoint"
    )
    assert broker.token_calls == []


def test_with_a_client_key_the_code_is_exchanged_with_a_private_key_jwt_for_the_token_endpoint(broker):
    import jwt as pyjwt

    # GIVEN Baken's client key (its public half registered at the provider)
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    broker.token_answer = {"id_token": "the-id-token"}
    provider = OidcLoginProvider(
        metadata=ProviderMetadata(broker.issuer, allow_http=True),
        client_id="baken-pages",
        client_secret=lambda: "never-used",
        client_key=pem.decode,
    )

    # WHEN a code is exchanged
    provider.exchange(code="the-code", verifier="the-verifier", redirect_uri="https://mijn.example/inloggen/terug")

    # THEN no secret travels: a one-minute assertion signed with the key, for the token endpoint, says who Baken is
    ((authorization, form),) = broker.token_calls
    assert authorization == ""
    assert form["client_assertion_type"] == ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]
    assertion = pyjwt.decode(
        form["client_assertion"][0], private.public_key(), algorithms=["RS256"], audience=f"{broker.issuer}/token"
    )
    assert (assertion["iss"], assertion["sub"]) == ("baken-pages", "baken-pages")
    assert assertion["exp"] - assertion["iat"] == 60
    assert pyjwt.get_unverified_header(form["client_assertion"][0])["kid"]
    assert "never-used" not in json.dumps(form)
