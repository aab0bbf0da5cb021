"""Sessions that end when they should, and who may log in how — over HTTP through the Chalice test client, with the
sessions in the moto case-index table.

- after ``/uitloggen`` the old cookie opens nothing, even when a copy of it is sent again;
- 30 minutes without a request end a session;
- a staff role taken away at the identity provider stops working within 5 minutes;
- a citizen below DigiD Substantieel gets a page (or a 401) that says why; a staff role from the citizens'
  issuer is refused with its reason; a company by its KvK number is someone to act for.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, cast

from chalicelib import wiring
from chalicelib.adapters.identity import Persona
from chalicelib.adapters.sealing import unseal
from chalicelib.domain.login import Realm, Session
from tests.integration.browsing import Browser, csrf_token, log_in
from tests.integration.conftest import PERSONAS, Stack, problem

SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"


def _session_items(stack: Stack) -> list[dict[str, Any]]:
    table = stack.session.resource("dynamodb", region_name="eu-west-1").Table("baken-local-case-index")
    return [item for item in table.scan()["Items"] if str(item["pk"]).startswith("session#")]


def _personas() -> dict[str, Persona]:
    return cast(dict[str, Persona], wiring.adapters().personas)


def test_after_logging_out_a_copy_of_the_old_cookie_opens_nothing(client, stack, daytime):
    # GIVEN Mark is logged in, and someone kept a copy of his session cookie
    browser = Browser(client)
    log_in(browser, "mark")
    copy = dict(browser.jar)
    (item,) = _session_items(stack)
    assert (item["subject"], item["realm"]) == (PERSONAS["mark"].claims["sub"], "citizens")

    # WHEN he logs out
    csrf = csrf_token(browser.get("/mijn-zaken").body.decode())
    assert browser.post("/uitloggen", {"csrf": csrf}).status_code == 303

    # THEN the copy of the cookie is no session: the page asks to log in
    thief = Browser(client)
    thief.jar.update(copy)
    answer = thief.get("/mijn-zaken")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/inloggen")
    (ended,) = _session_items(stack)
    assert ended["ended"] is True
    assert "sealed_refresh" not in ended


def test_thirty_minutes_without_a_request_end_the_session(client, daytime):
    browser = Browser(client)
    log_in(browser, "mark")
    # a request every 20 minutes keeps the session going
    for _ in range(3):
        daytime.advance(minutes=20)
        assert browser.get("/mijn-zaken").status_code == 200
    # 31 minutes of nothing end it
    daytime.advance(minutes=31)
    assert browser.get("/mijn-zaken").status_code == 302


def test_a_staff_role_taken_away_at_the_provider_stops_working_within_five_minutes(client, daytime):
    # GIVEN Anna works on her list
    anna = Browser(client)
    log_in(anna, "anna", start="/werk")
    assert anna.get("/werk").status_code == 200

    # WHEN the province's identity provider takes her behandelaar role away
    personas = _personas()
    personas["anna"] = replace(personas["anna"], claims={**personas["anna"].claims, "roles": []})

    # THEN she keeps it at most until the next check, 5 minutes after the last one
    daytime.advance(minutes=4)
    assert anna.get("/werk").status_code == 200
    daytime.advance(minutes=1)
    assert anna.get("/werk").status_code == 403


def test_a_staff_member_the_provider_no_longer_knows_is_logged_out_at_the_next_check(client, daytime):
    sanne = Browser(client)
    log_in(sanne, "sanne", start="/kcc")
    _personas().pop("sanne")
    daytime.advance(minutes=5)
    assert sanne.get("/kcc").status_code == 302


def test_a_citizen_who_logged_in_below_substantial_gets_a_page_that_says_why(client, daytime):
    # GIVEN someone who logged in with DigiD Midden (the app without its identity check)
    _personas()["midden"] = Persona(
        "midden",
        {"sub": "pu-midden-000001", "name": "Midden", "acr": "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract"},
        None,
        "DigiD Midden",
    )
    browser = Browser(client)

    answer = log_in(browser, "midden")

    # THEN no session, and a page that names the level needed
    assert answer.status_code == 401
    text = answer.body.decode()
    assert "te laag niveau" in text
    assert "DigiD Substantieel" in text
    assert not browser.jar.get("baken_session")


def _api(client: Any, claims: dict[str, Any], realm: Realm | None = None, language: str = "nl") -> Any:
    issuer = wiring.adapters().dev_issuer
    assert issuer is not None
    token = issuer.issue(claims, realm=realm)
    return client.http.get("/api/me/cases", headers={"Authorization": f"Bearer {token}", "Accept-Language": language})


def test_a_token_of_the_citizens_issuer_claiming_a_staff_role_gets_401_naming_the_reason(client):
    claims = {"sub": "pu-mark-3f9a1c", "acr": SUBSTANTIAL, "roles": ["behandelaar"]}
    answer = _api(client, claims, Realm.CITIZENS, language="en")
    body = problem(answer, 401)
    assert "staff identity provider" in body["detail"]
    # the same claims from the staff issuer are a behandelaar: not an applicant, so no cases of their own (403)
    problem(_api(client, claims, Realm.STAFF), 403)


def test_a_bearer_token_below_substantial_gets_401_naming_the_reason(client):
    body = problem(_api(client, {"sub": "pu-mark-3f9a1c", "acr": "http://eidas.europa.eu/LoA/low"}), 401)
    assert "te laag niveau" in body["detail"]
    body = problem(_api(client, {"sub": "pu-mark-3f9a1c"}, language="en"), 401)
    assert "no level of assurance" in body["detail"]


def test_a_forged_token_still_gets_no_reason(client):
    forged = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    body = problem(client.http.get("/api/me/cases", headers={"Authorization": f"Bearer {forged}"}), 401)
    assert "detail" not in body


def test_someone_acting_for_a_company_by_its_kvk_number_or_rsin_is_let_in(client):
    for represents in (
        {"sub": "12345678"},
        {"sub": "123456782", "sub_id_type": "urn:nl-eid-gdi:1.0:id:RSIN"},
    ):
        answer = _api(
            client, {"sub": "pu-karin-2b6f90", "acr": "urn:etoegang:core:assurance-class:loa3", "represents": represents}
        )
        assert answer.status_code == 200, answer.body
        assert json.loads(answer.body)["cases"] == []


def test_a_staff_session_without_a_refresh_token_asks_to_log_in_again_after_five_minutes(client, daytime):
    # GIVEN a staff provider that gave no refresh token at login
    anna = Browser(client)
    log_in(anna, "anna", start="/werk")
    store = wiring.adapters().sessions
    session = Session.from_body(unseal(anna.jar["baken_session"], wiring.adapters().token_keys, "session"), now=daytime.now())
    record = store.get(session.sid)
    assert record is not None
    store.put(replace(record, refresh=None))
    # THEN her roles hold for 5 minutes, and then she logs in again
    daytime.advance(minutes=4)
    assert anna.get("/werk").status_code == 200
    daytime.advance(minutes=1)
    assert anna.get("/werk").status_code == 302
