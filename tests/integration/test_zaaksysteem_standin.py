"""The zaaksysteem stand-in (devstack.zaaksysteem) over real HTTP: ZGW authentication, the Zaken, Catalogi and
Klantinteracties APIs' shapes and status codes, the Notificaties callbacks (retried, repeated, reordered), the
faults the tests inject, and a stop that leaves nothing behind."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest

from devstack.zaaksysteem import (
    ANNA_MEDEWERKER,
    CATALOGUE,
    FATIMA_BSN,
    MARK_BSN,
    MARK_ZAAK_UUID,
    StandIn,
    elfproef,
    start_standin,
)

BAKEN = "baken"
SECRET = "a-secret-of-at-least-thirty-two-bytes-for-hs256"
CATALOGI_ONLY = "catalogi-only"
OTHER_SECRET = "another-secret-of-thirty-two-bytes-or-more-0"
CALLBACK_AUTH = "Bearer abonnement-secret-1234"
OPEN_KLANT_TOKEN = "open-klant-token-5678"
ZGW_MESSAGE_FIELDS = {"kanaal", "hoofdObject", "resource", "resourceUrl", "actie", "aanmaakdatum", "kenmerken"}
FOUT_FIELDS = {"type", "code", "title", "status", "detail", "instance"}


class Receiver:
    """Baken's callback as the stand-in sees it: records each POST (its Authorization header and body) and answers
    the statuses in ``answers`` one by one (then 204)."""

    def __init__(self) -> None:
        self.received: list[tuple[str | None, dict[str, Any]]] = []
        self.answers: list[int] = []
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                with receiver._arrived:
                    receiver.received.append((self.headers.get("Authorization"), body))
                    status = receiver.answers.pop(0) if receiver.answers else 204
                    receiver._arrived.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/zgw/notificaties"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[tuple[str | None, dict[str, Any]]]:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.received) < count and time.monotonic() < deadline:
                self._arrived.wait(deadline - time.monotonic())
            return list(self.received)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def standin(receiver: Receiver) -> Iterator[StandIn]:
    standin = start_standin(
        receiver.url,
        CALLBACK_AUTH,
        {BAKEN: SECRET, CATALOGI_ONLY: OTHER_SECRET},
        access={CATALOGI_ONLY: {"catalogi"}},
        tokens={OPEN_KLANT_TOKEN},
        page_size=2,
        retry_backoff=0.05,
    )
    yield standin
    standin.stop()


def call(
    method: str,
    url: str,
    *,
    token: str | None = None,
    auth: str | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 5,
) -> tuple[int, dict[str, str], Any]:
    """One HTTP request; the answer's status, headers and body (JSON when it parses, else the raw bytes)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token or auth:
        request.add_header("Authorization", auth or f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, answer_headers, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, raw = error.code, dict(error.headers), error.read()
    try:
        return status, answer_headers, json.loads(raw) if raw else None
    except ValueError:
        return status, answer_headers, raw


def zgw(standin: StandIn, method: str, url: str, body: Any = None, **headers: str) -> tuple[int, dict[str, str], Any]:
    return call(method, url, token=standin.token(BAKEN), body=body, headers=headers)


def read_zaak(standin: StandIn, url: str | None = None) -> tuple[int, dict[str, str], Any]:
    return zgw(standin, "GET", url or standin.mark_zaak_url, **{"Accept-Crs": "EPSG:4326"})


def statustype_url(standin: StandIn, volgnummer: int) -> str:
    _, _, zaak = read_zaak(standin)
    _, _, zaaktype = zgw(standin, "GET", zaak["zaaktype"])
    for url in zaaktype["statustypen"]:
        _, _, statustype = zgw(standin, "GET", url)
        if statustype["volgnummer"] == volgnummer:
            return str(url)
    raise LookupError(volgnummer)


# --- authentication ------------------------------------------------------------------------------------------


def test_a_client_with_a_valid_jwt_reads_marks_zaak_and_is_answered_in_epsg_4326(standin: StandIn) -> None:
    status, headers, zaak = read_zaak(standin)

    assert status == 200
    assert headers["Content-Crs"] == "EPSG:4326"
    assert zaak["url"] == standin.mark_zaak_url
    assert zaak["uuid"] == MARK_ZAAK_UUID
    assert zaak["identificatie"].startswith("ZAAK-")
    assert zaak["identificatie"].endswith("-0000123")
    assert elfproef(zaak["bronorganisatie"])
    assert zaak["vertrouwelijkheidaanduiding"] == "zaakvertrouwelijk"
    assert zaak["einddatum"] is None
    assert zaak["status"].startswith(f"{standin.zaken_url}/statussen/")


def test_reading_a_zaak_without_accept_crs_is_refused_with_412(standin: StandIn) -> None:
    status, headers, problem = zgw(standin, "GET", standin.mark_zaak_url)

    assert status == 412
    assert headers["Content-Type"] == "application/problem+json"
    assert set(problem) >= FOUT_FIELDS
    assert problem["code"] == "precondition_failed"


def _unknown_client() -> str:
    return jwt.encode({"iss": "x", "iat": int(time.time()), "client_id": "stranger"}, SECRET, algorithm="HS256")


def _wrong_secret() -> str:
    return jwt.encode({"iss": BAKEN, "iat": int(time.time()), "client_id": BAKEN}, OTHER_SECRET, algorithm="HS256")


def _expired() -> str:
    issued = int(time.time()) - 2 * 3600
    return jwt.encode({"iss": BAKEN, "iat": issued, "client_id": BAKEN}, SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer not-a-jwt",
        "Basic YmFrZW46c2VjcmV0",
        f"Token {OPEN_KLANT_TOKEN}",  # Open Klant's scheme is not the Zaken API's
        "unknown-client",
        "wrong-secret",
        "expired",
    ],
)
def test_a_request_without_a_valid_jwt_is_refused_with_401(standin: StandIn, authorization: str | None) -> None:
    tokens = {"unknown-client": _unknown_client, "wrong-secret": _wrong_secret, "expired": _expired}
    if authorization in tokens:
        authorization = f"Bearer {tokens[authorization]()}"

    status, _, problem = call("GET", standin.mark_zaak_url, auth=authorization, headers={"Accept-Crs": "EPSG:4326"})

    assert status == 401
    assert set(problem) >= FOUT_FIELDS
    assert problem["status"] == 401


def test_a_client_without_access_to_an_api_is_refused_with_403_there_and_served_elsewhere(standin: StandIn) -> None:
    _, _, zaak = read_zaak(standin)
    token = standin.token(CATALOGI_ONLY)

    refused, _, problem = call("GET", standin.mark_zaak_url, token=token, headers={"Accept-Crs": "EPSG:4326"})
    served, _, zaaktype = call("GET", zaak["zaaktype"], token=token)

    assert refused == 403
    assert problem["code"] == "permission_denied"
    assert served == 200
    assert zaaktype["identificatie"] == "subsidie-duurzame-recreatie"


# --- the story and the catalogue ---------------------------------------------------------------------------


def test_the_catalogi_api_has_bakens_zaaktype_with_the_same_statustypen(standin: StandIn) -> None:
    catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    entry = next(z for z in catalogue["zaaktypen"] if z["identificatie"] == "subsidie-duurzame-recreatie")
    _, _, zaak = read_zaak(standin)
    _, _, zaaktype = zgw(standin, "GET", zaak["zaaktype"])
    statustypen = [zgw(standin, "GET", url)[2] for url in zaaktype["statustypen"]]

    assert (zaaktype["doorlooptijd"], zaaktype["servicenorm"]) == ("P13W", "P8W")
    assert zaaktype["verlengingMogelijk"] is True
    assert zaaktype["opschortingEnAanhoudingMogelijk"] is True
    assert [(s["volgnummer"], s["omschrijving"], s["informeren"], s["statustekst"], s["isEindstatus"]) for s in statustypen] == [
        (
            step["volgnummer"],
            step["omschrijving"]["nl"],
            step["informeren"],
            step.get("statustekst", {}).get("nl", ""),
            step.get("isEindstatus", False),
        )
        for step in entry["statustypen"]
    ]
    _, _, current = zgw(standin, "GET", zaak["status"])
    assert current["statustype"] == statustypen[0]["url"]  # "Ontvangen"
    assert current["indicatieLaatstGezetteStatus"] is True


def test_marks_zaak_has_the_storys_rollen_and_gemeente(standin: StandIn) -> None:
    status, _, rollen = zgw(standin, "GET", f"{standin.zaken_url}/rollen?zaak={standin.mark_zaak_url}&page=1")
    everyone = rollen["results"] + zgw(standin, "GET", rollen["next"])[2]["results"]
    _, _, objecten = zgw(standin, "GET", f"{standin.zaken_url}/zaakobjecten?zaak={standin.mark_zaak_url}")

    assert status == 200
    by_kind = {r["omschrijvingGeneriek"]: r for r in everyone}
    assert by_kind["initiator"]["betrokkeneType"] == "natuurlijk_persoon"
    assert by_kind["initiator"]["betrokkeneIdentificatie"]["inpBsn"] == MARK_BSN
    assert by_kind["mede_initiator"]["betrokkeneIdentificatie"]["inpBsn"] == FATIMA_BSN
    assert by_kind["behandelaar"]["betrokkeneType"] == "medewerker"
    assert by_kind["behandelaar"]["betrokkeneIdentificatie"]["identificatie"] == ANNA_MEDEWERKER
    assert by_kind["behandelaar"]["betrokkeneIdentificatie"]["achternaam"] == "Bakker"
    assert all(elfproef(bsn) for bsn in (MARK_BSN, FATIMA_BSN))
    assert not elfproef("999993654")
    assert [(o["objectType"], o["objectIdentificatie"]) for o in objecten["results"]] == [
        ("gemeente", {"gemeenteCode": "1581", "gemeenteNaam": "Utrechtse Heuvelrug"})
    ]


def test_lists_are_paginated_with_links_to_the_next_and_previous_page(standin: StandIn) -> None:
    first_url = f"{standin.zaken_url}/rollen?zaak={standin.mark_zaak_url}"
    _, _, first = zgw(standin, "GET", first_url)
    _, _, second = zgw(standin, "GET", first["next"])
    beyond, _, problem = zgw(standin, "GET", f"{first_url}&page=3")
    bad_filter, _, invalid = zgw(standin, "GET", f"{standin.zaken_url}/rollen?zaak=not-a-url")

    assert (first["count"], len(first["results"]), first["previous"]) == (3, 2, None)
    assert (second["count"], len(second["results"]), second["next"]) == (3, 1, None)
    assert "page=2" in first["next"]
    assert "zaak=" in first["next"]
    assert zgw(standin, "GET", second["previous"])[2] == first
    assert {r["url"] for r in first["results"]}.isdisjoint(r["url"] for r in second["results"])
    assert (beyond, problem["code"]) == (404, "not_found")
    assert bad_filter == 400
    assert invalid["invalidParams"][0]["name"] == "zaak"


# --- statussen and the Notificaties callback -------------------------------------------------------------


def test_a_created_status_becomes_the_zaaks_and_is_sent_to_the_callback_with_its_auth_header(
    standin: StandIn, receiver: Receiver
) -> None:
    body = {
        "zaak": standin.mark_zaak_url,
        "statustype": statustype_url(standin, 3),
        "datumStatusGezet": datetime.now(UTC).isoformat(),
        "statustoelichting": "Stuur ons de begroting.",
    }

    status, headers, created = zgw(standin, "POST", f"{standin.zaken_url}/statussen", body)
    (auth, message), *_ = receiver.wait_for(1)

    assert status == 201
    assert headers["Location"] == created["url"]
    assert created["statustoelichting"] == "Stuur ons de begroting."
    assert read_zaak(standin)[2]["status"] == created["url"]
    assert auth == CALLBACK_AUTH
    assert set(message) == ZGW_MESSAGE_FIELDS
    assert message["kanaal"] == "zaken"
    assert message["hoofdObject"] == standin.mark_zaak_url
    assert (message["resource"], message["resourceUrl"], message["actie"]) == ("status", created["url"], "create")
    _, _, zaak = read_zaak(standin)
    assert message["kenmerken"] == {
        "bronorganisatie": zaak["bronorganisatie"],
        "zaaktype": zaak["zaaktype"],
        "vertrouwelijkheidaanduiding": "zaakvertrouwelijk",
    }
    assert datetime.fromisoformat(message["aanmaakdatum"].replace("Z", "+00:00")).tzinfo is not None


def test_the_eindstatus_closes_the_zaak_on_the_day_it_was_set(standin: StandIn) -> None:
    at = datetime.now(UTC) + timedelta(hours=1)
    open_before = read_zaak(standin)[2]["einddatum"]

    standin.set_status(MARK_ZAAK_UUID, 5, "Subsidie verleend.", at=at)

    assert open_before is None
    assert read_zaak(standin)[2]["einddatum"] == at.date().isoformat()


def test_an_invalid_status_is_refused_with_400_naming_each_field(standin: StandIn) -> None:
    other_zaaktype = next(z for z in standin.all("zaaktypen") if z["identificatie"] == "klacht")
    wrong_type = other_zaaktype["statustypen"][0]
    missing, _, first = zgw(standin, "POST", f"{standin.zaken_url}/statussen", {"zaak": standin.mark_zaak_url})
    mismatch, _, second = zgw(
        standin,
        "POST",
        f"{standin.zaken_url}/statussen",
        {"zaak": standin.mark_zaak_url, "statustype": wrong_type, "datumStatusGezet": "2026-03-02T09:30:00Z"},
    )

    assert (missing, mismatch) == (400, 400)
    assert {p["name"] for p in first["invalidParams"]} == {"statustype", "datumStatusGezet"}
    assert [p["code"] for p in second["invalidParams"]] == ["zaaktype-mismatch"]
    assert set(second) >= FOUT_FIELDS | {"invalidParams"}


def test_a_failed_delivery_is_retried_until_the_callback_accepts_it(standin: StandIn, receiver: Receiver) -> None:
    receiver.answers = [503, 500]

    standin.set_status(MARK_ZAAK_UUID, 2)
    received = receiver.wait_for(3)

    assert standin.notificaties.wait_until_idle(5)
    assert len(received) == 3
    assert received[0] == received[1] == received[2]
    assert [(d.attempt, d.status) for d in standin.notificaties.deliveries] == [(1, 503), (2, 500), (3, 204)]


def test_a_message_sent_again_arrives_twice_unchanged(standin: StandIn, receiver: Receiver) -> None:
    standin.set_status(MARK_ZAAK_UUID, 2)
    receiver.wait_for(1)

    standin.notificaties.send_again()
    received = receiver.wait_for(2)

    assert len(received) == 2
    assert received[0] == received[1]


def test_held_messages_are_delivered_in_the_order_released(standin: StandIn, receiver: Receiver) -> None:
    standin.notificaties.hold()
    second = standin.set_status(MARK_ZAAK_UUID, 2)
    third = standin.set_status(MARK_ZAAK_UUID, 3)
    time.sleep(0.2)
    nothing_yet = list(receiver.received)

    standin.notificaties.release([1, 0])
    received = receiver.wait_for(2)

    assert nothing_yet == []
    assert [m["resourceUrl"] for _, m in received] == [third["url"], second["url"]]
    assert read_zaak(standin)[2]["status"] == third["url"]  # the zaaksysteem's state is the newest status


def test_seeding_sends_nothing_and_announcing_the_zaak_sends_its_creation(standin: StandIn, receiver: Receiver) -> None:
    time.sleep(0.1)
    before = list(receiver.received)

    standin.announce_zaak()
    (auth, message), *_ = receiver.wait_for(1)

    assert before == []
    assert auth == CALLBACK_AUTH
    assert (message["resource"], message["actie"], message["resourceUrl"]) == ("zaak", "create", standin.mark_zaak_url)


# --- changing and deleting the zaak -------------------------------------------------------------------------


def test_a_patched_zaak_is_changed_and_sent_as_a_partial_update(standin: StandIn, receiver: Receiver) -> None:
    crs = {"Accept-Crs": "EPSG:4326", "Content-Crs": "EPSG:4326"}
    change = {"verlenging": {"reden": "Advies van het waterschap", "duur": "P30D"}}

    without_crs, _, _ = zgw(standin, "PATCH", standin.mark_zaak_url, change)
    bad, _, problem = zgw(standin, "PATCH", standin.mark_zaak_url, {"verlenging": {"reden": "x", "duur": "30 days"}}, **crs)
    no_reden, _, reden_problem = zgw(standin, "PATCH", standin.mark_zaak_url, {"opschorting": {"indicatie": True}}, **crs)
    status, _, zaak = zgw(standin, "PATCH", standin.mark_zaak_url, change, **crs)
    (_, message), *_ = receiver.wait_for(1)

    assert without_crs == 412
    assert bad == 400
    assert problem["invalidParams"][0]["name"] == "verlenging.duur"
    assert (no_reden, reden_problem["invalidParams"][0]["name"]) == (400, "opschorting.reden")
    assert status == 200
    assert zaak["verlenging"] == change["verlenging"]
    assert (message["resource"], message["actie"], message["resourceUrl"]) == ("zaak", "partial_update", standin.mark_zaak_url)
    assert len(receiver.received) == 1  # the refused changes told nobody


def test_a_deleted_zaak_answers_404_with_its_statussen_and_rollen_gone(standin: StandIn, receiver: Receiver) -> None:
    _, _, zaak = read_zaak(standin)

    deleted, _, _ = zgw(standin, "DELETE", standin.mark_zaak_url)
    gone, _, problem = read_zaak(standin)
    _, _, rollen = zgw(standin, "GET", f"{standin.zaken_url}/rollen?zaak={standin.mark_zaak_url}")
    status_gone, _, _ = zgw(standin, "GET", zaak["status"])
    (_, message), *_ = receiver.wait_for(1)

    assert deleted == 204
    assert (gone, problem["code"]) == (404, "not_found")
    assert rollen["count"] == 0
    assert status_gone == 404
    assert (message["resource"], message["actie"]) == ("zaak", "destroy")


# --- faults ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [500, 503])
def test_a_failing_api_answers_its_status_with_a_problem_body(standin: StandIn, code: int) -> None:
    standin.fail("/zaken/api/v1/zaken", code)

    status, headers, problem = read_zaak(standin)

    assert status == code
    assert headers["Content-Type"] == "application/problem+json"
    assert set(problem) >= FOUT_FIELDS


def test_a_fault_for_a_number_of_requests_ends_by_itself_and_touches_only_its_prefix(standin: StandIn) -> None:
    standin.fail("/zaken/api/v1/zaken", 503, times=2)

    statuses = [read_zaak(standin)[0] for _ in range(3)]
    catalogue, _, _ = zgw(standin, "GET", f"{standin.catalogi_url}/zaaktypen")

    assert statuses == [503, 503, 200]
    assert catalogue == 200


def test_malformed_json_is_answered_with_200(standin: StandIn) -> None:
    standin.malform("/zaken/api/v1/zaken")

    status, _, body = read_zaak(standin)

    assert status == 200
    assert isinstance(body, bytes)
    with pytest.raises(ValueError, match=r"Unterminated|Expecting"):
        json.loads(body)


def test_a_refusing_api_answers_401_to_a_valid_token(standin: StandIn) -> None:
    standin.refuse("/catalogi/")

    status, _, problem = zgw(standin, "GET", f"{standin.catalogi_url}/zaaktypen")

    assert status == 401
    assert problem["code"] == "authentication_failed"


def test_a_hanging_api_outlasts_a_client_timeout_then_answers(standin: StandIn) -> None:
    standin.hang("/zaken/api/v1/zaken", 1.0, times=1)
    token = standin.token(BAKEN)
    started = time.monotonic()

    with pytest.raises((TimeoutError, urllib.error.URLError)):
        call("GET", standin.mark_zaak_url, token=token, headers={"Accept-Crs": "EPSG:4326"}, timeout=0.3)

    assert 0.3 <= time.monotonic() - started < 1.0
    assert read_zaak(standin)[0] == 200


def test_faults_are_set_listed_and_cleared_over_http(standin: StandIn) -> None:
    admin = f"{standin.base_url}/_standin/faults"

    added, _, fault = call("POST", admin, body={"prefix": "/zaken/", "kind": "status", "status": 503})
    failing = read_zaak(standin)[0]
    _, _, listed = call("GET", admin)
    cleared, _, _ = call("DELETE", admin)
    wrong, _, _ = call("POST", admin, body={"prefix": "/zaken/", "kind": "explode"})

    assert (added, fault["kind"], failing) == (201, "status", 503)
    assert listed == [fault]
    assert cleared == 204
    assert read_zaak(standin)[0] == 200
    assert wrong == 400


def test_the_walkthrough_sets_a_status_over_http_and_it_reaches_the_callback(standin: StandIn, receiver: Receiver) -> None:
    status, _, created = call(
        "POST", f"{standin.base_url}/_standin/zaken/{MARK_ZAAK_UUID}/status", body={"volgnummer": 3, "toelichting": "Begroting"}
    )
    (_, message), *_ = receiver.wait_for(1)

    assert status == 201
    assert message["resourceUrl"] == created["url"]


# --- Klantinteracties ----------------------------------------------------------------------------------------


def test_a_klantcontact_about_the_zaak_is_registered_and_listed(standin: StandIn) -> None:
    api = standin.klantinteracties_url
    token = f"Token {OPEN_KLANT_TOKEN}"
    contact = {
        "kanaal": "telefoon",
        "onderwerp": "Vergunning waterschap",
        "inhoud": "Uitgelegd hoe hij de vergunning aanvraagt via het Omgevingsloket.",
        "indicatieContactGelukt": True,
        "taal": "nld",
        "vertrouwelijk": False,
        "plaatsgevondenOp": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
    }

    created, headers, klantcontact = call("POST", f"{api}/klantcontacten", auth=token, body=contact)
    about_zaak = {
        "klantcontact": {"uuid": klantcontact["uuid"]},
        "wasKlantcontact": None,
        "onderwerpobjectidentificator": {
            "objectId": MARK_ZAAK_UUID,
            "codeObjecttype": "zaak",
            "codeRegister": "openzaak",
            "codeSoortObjectId": "uuid",
        },
    }
    linked, _, onderwerpobject = call("POST", f"{api}/onderwerpobjecten", auth=token, body=about_zaak)
    _, _, actor = call(
        "POST", f"{api}/actoren", token=standin.token(BAKEN), body={"naam": "Baken", "soortActor": "geautomatiseerde_actor"}
    )
    call(
        "POST",
        f"{api}/actorklantcontacten",
        auth=token,
        body={"actor": {"uuid": actor["uuid"]}, "klantcontact": {"uuid": klantcontact["uuid"]}},
    )
    call(
        "POST",
        f"{api}/betrokkenen",
        auth=token,
        body={"hadKlantcontact": {"uuid": klantcontact["uuid"]}, "rol": "klant", "initiator": True},
    )
    listed, _, page = call(
        "GET", f"{api}/klantcontacten?onderwerpobject__onderwerpobjectidentificatorObjectId={MARK_ZAAK_UUID}", auth=token
    )
    _, _, elsewhere = call("GET", f"{api}/klantcontacten?onderwerpobject__onderwerpobjectidentificatorObjectId=other", auth=token)

    assert (created, linked, listed) == (201, 201, 200)
    assert headers["Location"] == klantcontact["url"]
    assert onderwerpobject["klantcontact"] == {"uuid": klantcontact["uuid"], "url": klantcontact["url"]}
    (found,) = page["results"]
    assert {k: found[k] for k in ("kanaal", "onderwerp", "inhoud", "taal", "vertrouwelijk", "indicatieContactGelukt")} == {
        k: contact[k] for k in ("kanaal", "onderwerp", "inhoud", "taal", "vertrouwelijk", "indicatieContactGelukt")
    }
    assert found["gingOverOnderwerpobjecten"] == [{"uuid": onderwerpobject["uuid"], "url": onderwerpobject["url"]}]
    assert [a["soortActor"] for a in found["hadBetrokkenActoren"]] == ["geautomatiseerde_actor"]
    assert len(found["hadBetrokkenen"]) == 1
    assert elsewhere["count"] == 0
    assert standin.all("klantcontacten") == [found]


def test_klantinteracties_refuses_an_incomplete_klantcontact_and_an_unknown_token(standin: StandIn) -> None:
    api = standin.klantinteracties_url

    invalid, _, problem = call("POST", f"{api}/klantcontacten", auth=f"Token {OPEN_KLANT_TOKEN}", body={"onderwerp": "x"})
    unknown, _, _ = call("GET", f"{api}/klantcontacten", auth="Token guessed")
    dangling, _, link_problem = call(
        "POST", f"{api}/onderwerpobjecten", auth=f"Token {OPEN_KLANT_TOKEN}", body={"klantcontact": {"uuid": MARK_ZAAK_UUID}}
    )

    assert invalid == 400
    assert {p["name"] for p in problem["invalidParams"]} == {"kanaal", "taal", "vertrouwelijk"}
    assert unknown == 401
    assert dangling == 400
    assert link_problem["invalidParams"][0]["code"] == "does_not_exist"


# --- stopping ------------------------------------------------------------------------------------------------


def test_stop_ends_every_thread_and_closes_the_port_while_a_request_hangs_and_a_delivery_waits_to_retry() -> None:
    with socket.socket() as closed:  # a callback nobody listens on: each delivery fails and waits to be retried
        closed.bind(("127.0.0.1", 0))
        nobody = f"http://127.0.0.1:{closed.getsockname()[1]}/callback"
    before = set(threading.enumerate())
    standin = start_standin(nobody, CALLBACK_AUTH, {BAKEN: SECRET}, retry_backoff=30)
    port = int(standin.base_url.rsplit(":", 1)[1])
    standin.hang("/zaken/", 30)
    hanging = threading.Thread(target=lambda: read_zaak(standin), daemon=True)
    hanging.start()
    standin.set_status(MARK_ZAAK_UUID, 2)
    deadline = time.monotonic() + 5
    while not standin.notificaties.deliveries and time.monotonic() < deadline:
        time.sleep(0.05)

    started = time.monotonic()
    standin.stop()
    hanging.join(5)

    assert standin.notificaties.deliveries[0].status is None  # refused, and a retry was pending
    assert time.monotonic() - started < 3
    assert not hanging.is_alive()
    assert set(threading.enumerate()) - before == set()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
