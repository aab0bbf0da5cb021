"""The pages' login against real OpenID providers over HTTP (two servers on 127.0.0.1): the broker for citizens and
businesses, the province's provider for staff, each found through its discovery document. A staff page sends to
the staff provider, Mijn zaken to the broker with the assurance asked for; an ID token from the wrong provider, a
staff role from the broker, or too low an assurance give no session."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib import wiring
from chalicelib.adapters.identity import IdentityVerifier, JwtVerifier, Provider, ProviderMetadata, RemoteKeys
from chalicelib.adapters.login import OidcLoginProvider
from chalicelib.domain.login import Realm
from tests.integration.browsing import Browser, redirect_target
from tests.providers import Broker

API, CLIENT = "baken-api", "baken-pages"
SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"


@pytest.fixture
def providers(stack: Any) -> Iterator[dict[Realm, Broker]]:
    """The broker and the staff provider, and the app's graph using them."""
    running = {Realm.CITIZENS: Broker(), Realm.STAFF: Broker()}
    trusted: dict[Realm, Provider] = {}
    logins: dict[Realm, OidcLoginProvider] = {}
    for realm, broker in running.items():
        metadata = ProviderMetadata(broker.issuer, allow_http=True)
        keys = RemoteKeys(metadata)
        trusted[realm] = Provider(
            realm,
            JwtVerifier(issuer=broker.issuer, audience=API, keys=keys, realm=realm),
            JwtVerifier(issuer=broker.issuer, audience=CLIENT, keys=keys, realm=realm),
        )
        logins[realm] = OidcLoginProvider(
            metadata=metadata,
            client_id=CLIENT,
            client_secret=partial(str, f"secret-at-{realm.value}"),
            acr_values=(SUBSTANTIAL,) if realm is Realm.CITIZENS else (),
        )
    wiring.use(wiring.adapters().but(verifier=IdentityVerifier(trusted), logins=logins, login=logins[Realm.CITIZENS]))
    yield running
    for broker in running.values():
        broker.stop()


def _to_provider(browser: Browser, start: str) -> tuple[str, dict[str, str]]:
    """From a page behind login to the provider's authorisation endpoint: that URL and its query."""
    to_login = redirect_target(browser.get(start))
    answer = browser.get(to_login)
    assert answer.status_code == 302
    target = answer.headers["Location"]
    split = urlsplit(target)
    return f"{split.scheme}://{split.netloc}{split.path}", {k: v[0] for k, v in parse_qs(split.query).items()}


def _come_back(browser: Browser, broker: Broker, query: dict[str, str], claims: dict[str, Any]) -> Any:
    """The provider logs the person in and sends them back with a code; its token endpoint answers ``claims``."""
    signer = broker.signer("k1", audience=CLIENT)
    broker.publish(signer)
    broker.token_answer = {"id_token": signer.issue({**claims, "nonce": query["nonce"]}, realm=Realm.CITIZENS)}
    return browser.get(f"/inloggen/terug?code=the-code&state={query['state']}")


def test_a_staff_page_logs_in_at_the_staff_provider_with_the_client_secret(client, providers):
    staff = providers[Realm.STAFF]
    browser = Browser(client)

    endpoint, query = _to_provider(browser, "/werk")

    assert endpoint == f"{staff.issuer}/authorize"
    assert "acr_values" not in query
    back = _come_back(browser, staff, query, {"sub": "mdw-anna-bakker", "name": "Anna Bakker", "roles": ["behandelaar"]})
    assert redirect_target(back) == "/werk"
    assert browser.get("/werk").status_code == 200
    ((authorization, form),) = staff.token_calls
    assert authorization == "Basic " + base64.b64encode(b"baken-pages:secret-at-staff").decode()
    assert form["code"] == ["the-code"]


def test_mijn_zaken_logs_in_at_the_broker_asking_for_substantial(client, providers):
    broker = providers[Realm.CITIZENS]
    browser = Browser(client)

    endpoint, query = _to_provider(browser, "/mijn-zaken")

    assert endpoint == f"{broker.issuer}/authorize"
    assert query["acr_values"] == SUBSTANTIAL
    back = _come_back(browser, broker, query, {"sub": "pu-mark-3f9a1c", "acr": SUBSTANTIAL})
    assert redirect_target(back) == "/mijn-zaken"
    assert browser.get("/mijn-zaken").status_code == 200


def test_a_staff_role_from_the_broker_gives_no_session(client, providers):
    browser = Browser(client)
    _, query = _to_provider(browser, "/mijn-zaken")
    back = _come_back(browser, providers[Realm.CITIZENS], query, {"sub": "pu-x-000001", "acr": SUBSTANTIAL, "roles": ["kcc"]})
    assert back.status_code == 400
    assert not browser.jar.get("baken_session")


def test_an_id_token_of_the_broker_after_a_login_at_the_staff_provider_gives_no_session(client, providers):
    # a mix-up: the staff login's token endpoint hands back a token the broker signed
    browser = Browser(client)
    _, query = _to_provider(browser, "/kcc")
    citizens = providers[Realm.CITIZENS]
    signer = citizens.signer("k1", audience=CLIENT)
    citizens.publish(signer)
    providers[Realm.STAFF].token_answer = {
        "id_token": signer.issue({"sub": "pu-x-000001", "acr": SUBSTANTIAL, "nonce": query["nonce"]})
    }
    back = browser.get(f"/inloggen/terug?code=c&state={query['state']}")
    assert back.status_code == 400
    assert not browser.jar.get("baken_session")


def test_a_citizen_below_substantial_at_the_broker_gets_the_page_that_says_why(client, providers):
    browser = Browser(client)
    _, query = _to_provider(browser, "/mijn-zaken")
    low = {"sub": "pu-x-000001", "acr": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"}
    back = _come_back(browser, providers[Realm.CITIZENS], query, low)
    assert back.status_code == 401
    assert "DigiD Substantieel" in back.body.decode()
