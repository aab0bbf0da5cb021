"""ZgwClient against a zaaksysteem on 127.0.0.1 (tests/contract/zgw/server.py) whose answers validate against the
schema fragments of the published Zaken and Catalogi APIs: what it asks (JWT, headers, URLs, pages), what it
makes of the answers, what it caches, and every way the zaaksysteem can fail."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import jwt
import pytest

from chalicelib.adapters.zgw import ZgwApi, ZgwClient, ZgwUrlNotAllowedError
from chalicelib.domain.catalogue import Vertrouwelijkheid
from chalicelib.domain.durations import Duration
from chalicelib.domain.reference import Point
from chalicelib.services.ports import (
    ZaakGoneError,
    ZgwRefusedError,
    ZgwResponseError,
    ZgwUnavailableError,
)
from tests.contract.zgw.server import Zaaksysteem, json_answer, page_answer, problems, raw

ZAKEN_SECRET = "zaken-secret-for-tests-only-0123456789"
CATALOGI_SECRET = "catalogi-secret-for-tests-only-987654"
ZAAK_UUID = "6f1e4c2a-3b5d-4e7f-8a9b-0c1d2e3f4a5b"
ZAAKTYPE_UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
TEST_BSN = "999993653"  # a test BSN (passes the eleven test, issued to nobody)


@dataclass
class World:
    system: Zaaksysteem
    sleeps: list[float] = field(default_factory=list)

    @property
    def zaken(self) -> str:
        return f"{self.system.base}/zaken/api/v1/"

    @property
    def catalogi(self) -> str:
        return f"{self.system.base}/catalogi/api/v1/"

    @property
    def zaak_url(self) -> str:
        return f"{self.zaken}zaken/{ZAAK_UUID}"

    @property
    def zaaktype_url(self) -> str:
        return f"{self.catalogi}zaaktypen/{ZAAKTYPE_UUID}"

    def statustype_url(self, n: int) -> str:
        return f"{self.catalogi}statustypen/00000000-0000-4000-8000-00000000000{n}"

    def list_url(self, base: str, resource: str, **query: str) -> str:
        from urllib.parse import urlencode

        return f"{base}{resource}?{urlencode(query)}"

    def client(self, **options: Any) -> ZgwClient:
        apis = [
            ZgwApi(self.zaken, "baken-zaken", lambda: ZAKEN_SECRET),
            ZgwApi(self.catalogi, "baken-catalogi", lambda: CATALOGI_SECRET),
        ]
        settings: dict[str, Any] = {"allow_http": True, "sleep": self.sleeps.append, "jitter": lambda: 0.5}
        return ZgwClient(apis, **(settings | options))

    # --- documents that validate against the fragments ---------------------------------------------------

    def zaak(self, **changes: Any) -> dict[str, Any]:
        document = {
            "url": self.zaak_url,
            "uuid": ZAAK_UUID,
            "identificatie": "ZAAK-2026-0000042",
            "bronorganisatie": "002220647",
            "omschrijving": "Subsidie buurtinitiatief",
            "zaaktype": self.zaaktype_url,
            "registratiedatum": "2026-03-02",
            "verantwoordelijkeOrganisatie": "002220647",
            "startdatum": "2026-03-01",
            "einddatum": None,
            "vertrouwelijkheidaanduiding": "beperkt_openbaar",
            "zaakgeometrie": {"type": "Point", "coordinates": [5.1214, 52.0907]},
            "verlenging": {"reden": "Advies nodig", "duur": "P14D"},
            "opschorting": {"indicatie": False, "reden": ""},
            "status": f"{self.zaken}statussen/2",
        }
        return document | changes

    def zaaktype(self) -> dict[str, Any]:
        return {
            "url": self.zaaktype_url,
            "identificatie": "SUB-BUURT",
            "omschrijving": "Subsidie buurtinitiatief",
            "vertrouwelijkheidaanduiding": "openbaar",
            "doel": "Buurten helpen",
            "aanleiding": "Een aanvraag",
            "indicatieInternOfExtern": "inkomend",
            "handelingInitiator": "aanvragen",
            "onderwerp": "Subsidie",
            "handelingBehandelaar": "behandelen",
            "doorlooptijd": "P8W",
            "servicenorm": "P4W",
            "opschortingEnAanhoudingMogelijk": True,
            "verlengingMogelijk": True,
            "verlengingstermijn": "P4W",
            "publicatieIndicatie": False,
            "productenOfDiensten": [],
            "referentieproces": {"naam": "subsidie"},
            "verantwoordelijke": "Team subsidies",
            "beginGeldigheid": "2026-01-01",
            "versiedatum": "2026-01-01",
            "catalogus": f"{self.catalogi}catalogussen/1",
            "statustypen": [self.statustype_url(n) for n in (1, 2, 3)],
            "besluittypen": [],
            "gerelateerdeZaaktypen": [],
        }

    def statustype(self, n: int) -> dict[str, Any]:
        return {
            "url": self.statustype_url(n),
            "omschrijving": ["Ontvangen", "In behandeling", "Besloten", "Aangevuld"][n - 1],
            "statustekst": f"Tekst voor stap {n}",
            "zaaktype": self.zaaktype_url,
            "volgnummer": n,
            "isEindstatus": n == 3,
            "informeren": n != 2,
            "toelichting": None,
        }

    def status(self, n: int, statustype: int, moment: str) -> dict[str, Any]:
        return {
            "url": f"{self.zaken}statussen/{n}",
            "zaak": self.zaak_url,
            "statustype": self.statustype_url(statustype),
            "datumStatusGezet": moment,
            "statustoelichting": "",
        }

    def rol(self, n: int, kind: str, generiek: str, identificatie: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {
            "url": f"{self.zaken}rollen/{n}",
            "zaak": self.zaak_url,
            "betrokkeneType": kind,
            "roltype": f"{self.catalogi}roltypen/{n}",
            "omschrijving": generiek,
            "omschrijvingGeneriek": generiek,
            "roltoelichting": "",
            "indicatieMachtiging": "",
            "betrokkeneIdentificatie": identificatie,
        } | extra

    def zaakobject(self, n: int, kind: str, identificatie: dict[str, Any] | None) -> dict[str, Any]:
        document: dict[str, Any] = {"url": f"{self.zaken}zaakobjecten/{n}", "zaak": self.zaak_url, "objectType": kind}
        if identificatie is not None:
            document["objectIdentificatie"] = identificatie
        return document

    def serve_everything(self) -> None:
        """A zaak with two statuses (served newest first), a zaaktype with three statustypen, rollen on two pages
        and zaakobjecten of three kinds."""
        s = self.system
        s.route(self.zaak_url, json_answer("zaak", self.zaak()))
        s.route(self.zaaktype_url, json_answer("zaaktype", self.zaaktype()))
        s.route(
            self.list_url(self.catalogi, "statustypen", zaaktype=self.zaaktype_url),
            page_answer("statustype", [self.statustype(3), self.statustype(1), self.statustype(2)]),
        )
        s.route(
            self.list_url(self.zaken, "statussen", zaak=self.zaak_url),
            page_answer(
                "status",
                [self.status(2, 2, "2026-03-05T09:30:00Z"), self.status(1, 1, "2026-03-02T08:00:00+01:00")],
            ),
        )
        second_page = self.list_url(self.zaken, "rollen", zaak=self.zaak_url, page="2")
        s.route(
            self.list_url(self.zaken, "rollen", zaak=self.zaak_url),
            page_answer(
                "rol",
                [self.rol(1, "natuurlijk_persoon", "initiator", {"inpBsn": TEST_BSN, "geslachtsnaam": "Visser"})],
                next_url=second_page,
            ),
        )
        s.route(
            second_page,
            page_answer(
                "rol",
                [
                    self.rol(2, "medewerker", "behandelaar", {"identificatie": "anna", "achternaam": "Bakker"}),
                    self.rol(
                        3,
                        "niet_natuurlijk_persoon",
                        "mede_initiator",
                        {"innNnpId": "002220647", "statutaireNaam": "Stichting"},
                        indicatieMachtiging="gemachtigde",
                    ),
                ],
            ),
        )
        s.route(
            self.list_url(self.zaken, "zaakobjecten", zaak=self.zaak_url),
            page_answer(
                "zaakobject",
                [
                    self.zaakobject(1, "adres", {"identificatie": "0344200000123456", "wplWoonplaatsNaam": "Utrecht"}),
                    self.zaakobject(2, "gemeente", {"gemeenteCode": "0344", "gemeenteNaam": "Utrecht"}),
                    self.zaakobject(3, "overige", None),
                    self.zaakobject(4, "gemeente", {"gemeenteCode": "0344", "gemeenteNaam": "Utrecht"}),
                ],
            ),
        )


@pytest.fixture
def world() -> Iterator[World]:
    system = Zaaksysteem()
    with system.running():
        yield World(system)


def test_a_snapshot_reads_the_zaak_its_zaaktype_statuses_rollen_and_gemeenten(world: World) -> None:
    # GIVEN a zaaksysteem with a complete zaak
    world.serve_everything()

    # WHEN Baken reads it
    snapshot = world.client().snapshot(world.zaak_url)

    # THEN the zaak is as the Zaken API gave it
    zaak = snapshot.zaak
    assert (zaak.url, zaak.uuid, zaak.identificatie) == (world.zaak_url, ZAAK_UUID, "ZAAK-2026-0000042")
    assert (zaak.registratiedatum, zaak.startdatum, zaak.einddatum) == (date(2026, 3, 2), date(2026, 3, 1), None)
    assert zaak.vertrouwelijkheidaanduiding is Vertrouwelijkheid.BEPERKT_OPENBAAR
    assert zaak.verlenging == ("Advies nodig", Duration.parse("P14D"))
    assert zaak.opschorting == (False, "")
    assert zaak.zaakgeometrie == Point(lat=52.0907, lon=5.1214)
    # AND the zaaktype has its statustypen in process order
    zaaktype = snapshot.zaaktype
    assert (zaaktype.identificatie, zaaktype.doorlooptijd, zaaktype.servicenorm) == (
        "SUB-BUURT",
        Duration.parse("P8W"),
        Duration.parse("P4W"),
    )
    assert (zaaktype.verlenging_mogelijk, zaaktype.opschorting_mogelijk, zaaktype.publicatie_indicatie) == (True, True, False)
    assert [(s.volgnummer, s.is_eindstatus, s.informeren) for s in zaaktype.statustypen] == [
        (1, False, True),
        (2, False, False),
        (3, True, True),
    ]
    assert zaaktype.statustypen[0].statustekst == "Tekst voor stap 1"
    # AND the statuses come oldest first, whatever order the list had
    assert [s.url.rsplit("/", 1)[1] for s in snapshot.statuses] == ["1", "2"]
    assert snapshot.statuses[0].datum_status_gezet == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert snapshot.statuses[0].statustoelichting is None
    # AND the rollen of both pages are there, as given
    assert [(r.betrokkene_type, r.omschrijving_generiek, r.indicatie_machtiging) for r in snapshot.rollen] == [
        ("natuurlijk_persoon", "initiator", None),
        ("medewerker", "behandelaar", None),
        ("niet_natuurlijk_persoon", "mede_initiator", "gemachtigde"),
    ]
    assert snapshot.rollen[0].identificatie["inpBsn"] == TEST_BSN
    # AND the gemeente zaakobject gives its CBS code once; adres and overige are ignored
    assert snapshot.gemeenten == ("GM0344",)


def test_each_request_carries_a_jwt_signed_for_the_api_it_goes_to_and_the_zgw_headers(world: World) -> None:
    world.serve_everything()

    world.client().snapshot(world.zaak_url)

    assert len(world.system.seen) == 7  # zaak, statussen, zaaktype, statustypen, 2 pages of rollen, zaakobjecten
    for seen in world.system.seen:
        headers = {k.lower(): v for k, v in seen.headers.items()}
        assert headers["accept"] == "application/json"
        assert headers["accept-crs"] == "EPSG:4326"
        scheme, _, token = headers["authorization"].partition(" ")
        assert scheme == "Bearer"
        catalogi = seen.path.startswith("/catalogi/")
        secret = CATALOGI_SECRET if catalogi else ZAKEN_SECRET
        claims = jwt.decode(token, secret, algorithms=["HS256"])
        client_id = "baken-catalogi" if catalogi else "baken-zaken"
        assert claims["iss"] == claims["client_id"] == client_id
        assert claims["user_id"] == "baken"
        assert claims["user_representation"] == "Baken"
        assert isinstance(claims["iat"], int)
        assert jwt.get_unverified_header(token)["alg"] == "HS256"
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(token, ZAKEN_SECRET if catalogi else CATALOGI_SECRET, algorithms=["HS256"])


def test_it_asks_for_the_lists_of_this_zaak_and_follows_the_next_page(world: World) -> None:
    world.serve_everything()

    world.client().snapshot(world.zaak_url)

    targets = {(s.path, tuple(sorted((k, tuple(v)) for k, v in s.query.items()))) for s in world.system.seen}
    assert ("/zaken/api/v1/statussen", (("zaak", (world.zaak_url,)),)) in targets
    assert ("/zaken/api/v1/rollen", (("zaak", (world.zaak_url,)),)) in targets
    assert ("/zaken/api/v1/rollen", (("page", ("2",)), ("zaak", (world.zaak_url,)))) in targets
    assert ("/zaken/api/v1/zaakobjecten", (("zaak", (world.zaak_url,)),)) in targets
    assert ("/catalogi/api/v1/statustypen", (("zaaktype", (world.zaaktype_url,)),)) in targets


def test_a_second_snapshot_takes_the_zaaktype_from_the_cache(world: World) -> None:
    world.serve_everything()
    client = world.client()

    client.snapshot(world.zaak_url)
    client.snapshot(world.zaak_url)

    assert len(world.system.requests_to(world.zaaktype_url)) == 1
    statustypen = world.list_url(world.catalogi, "statustypen", zaaktype=world.zaaktype_url)
    assert len(world.system.requests_to(statustypen)) == 1
    assert len(world.system.requests_to(world.zaak_url)) == 2  # the zaak itself is read every time


def test_the_cache_forgets_a_zaaktype_after_its_time(world: World) -> None:
    world.serve_everything()
    now = [1000.0]
    client = world.client(clock=lambda: now[0], cache_ttl=600)

    client.snapshot(world.zaak_url)
    now[0] += 601
    client.snapshot(world.zaak_url)

    assert len(world.system.requests_to(world.zaaktype_url)) == 2


def test_a_status_of_a_statustype_the_cached_zaaktype_lacks_makes_it_read_again(world: World) -> None:
    world.serve_everything()
    client = world.client()
    client.snapshot(world.zaak_url)
    # GIVEN the zaaksysteem has a status of a statustype that was not there when the zaaktype was cached
    statustypen = world.list_url(world.catalogi, "statustypen", zaaktype=world.zaaktype_url)
    world.system.route(statustypen, page_answer("statustype", [world.statustype(n) for n in (1, 2, 3, 4)]))
    world.system.route(
        world.list_url(world.zaken, "statussen", zaak=world.zaak_url),
        page_answer("status", [world.status(1, 1, "2026-03-02T08:00:00Z"), world.status(4, 4, "2026-03-06T08:00:00Z")]),
    )

    snapshot = client.snapshot(world.zaak_url)

    assert snapshot.zaaktype.statustype(world.statustype_url(4)) is not None
    assert len(world.system.requests_to(statustypen)) == 2


# --- where the client may go ------------------------------------------------------------------------------


def test_a_zaak_outside_the_configured_apis_is_never_requested(world: World) -> None:
    world.serve_everything()
    client = world.client()
    elsewhere = [
        f"{world.system.base}/other/api/v1/zaken/{ZAAK_UUID}",
        world.zaak_url.replace("127.0.0.1", "localhost"),
        f"{world.zaken}../../other/api/v1/zaken/{ZAAK_UUID}",
        f"{world.zaken}%2e%2e/other/zaken/{ZAAK_UUID}",
        world.zaak_url.replace("http://", "http://user:pw@"),
        "file:///etc/passwd",
    ]

    for url in elsewhere:
        with pytest.raises(ZgwUrlNotAllowedError) as raised:
            client.snapshot(url)
        assert raised.value.retry is False

    assert world.system.seen == []


def test_a_zaaktype_or_next_page_outside_the_configured_apis_is_never_requested(world: World) -> None:
    world.serve_everything()
    foreign = f"{world.system.base}/elders/zaaktypen/{ZAAKTYPE_UUID}"
    world.system.route(world.zaak_url, json_answer("zaak", world.zaak(zaaktype=foreign)))

    with pytest.raises(ZgwUrlNotAllowedError):
        world.client().snapshot(world.zaak_url)
    assert world.system.requests_to(foreign) == []

    world.serve_everything()
    world.system.seen.clear()
    outside_page = f"{world.system.base}/elders/rollen?page=2"
    world.system.route(
        world.list_url(world.zaken, "rollen", zaak=world.zaak_url),
        page_answer("rol", [], next_url=outside_page),
    )
    with pytest.raises(ZgwUrlNotAllowedError):
        world.client().snapshot(world.zaak_url)
    assert all(not s.path.startswith("/elders") for s in world.system.seen)


def test_a_redirect_is_not_followed(world: World) -> None:
    world.system.route(world.zaak_url, raw(b"", status=302, headers={"Location": f"{world.system.base}/elders/secret"}))

    with pytest.raises(ZgwResponseError, match="status 302"):
        world.client().snapshot(world.zaak_url)
    assert [s.path for s in world.system.seen] == [f"/zaken/api/v1/zaken/{ZAAK_UUID}"]


def test_an_http_base_url_is_refused_unless_allowed() -> None:
    with pytest.raises(ValueError, match="https"):
        ZgwClient([ZgwApi("http://zaken.example.nl/zaken/api/v1/", "baken", lambda: "s")])


# --- faults -----------------------------------------------------------------------------------------------


def test_a_zaaksysteem_that_is_down_is_unavailable_after_the_retries() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps: list[float] = []
    client = ZgwClient(
        [ZgwApi(f"http://127.0.0.1:{port}/zaken/api/v1/", "baken", lambda: ZAKEN_SECRET)],
        allow_http=True,
        sleep=sleeps.append,
        jitter=lambda: 0.0,
    )

    with pytest.raises(ZgwUnavailableError) as raised:
        client.snapshot(f"http://127.0.0.1:{port}/zaken/api/v1/zaken/{ZAAK_UUID}")

    assert raised.value.retry is True
    assert sleeps == [0.25, 0.5]  # backoff 0.5 s doubling, half of it jitter (none here)


def test_a_slow_zaaksysteem_times_out_and_is_unavailable(world: World) -> None:
    world.system.route(world.zaak_url, raw(json.dumps(world.zaak()), delay=1.0))

    with pytest.raises(ZgwUnavailableError, match="timeout"):
        world.client(timeout=0.2, attempts=2).snapshot(world.zaak_url)
    assert len(world.system.requests_to(world.zaak_url)) == 2


def test_a_snapshot_stops_at_its_deadline(world: World) -> None:
    world.serve_everything()
    world.system.route(world.zaak_url, raw(json.dumps(world.zaak()), delay=0.4))

    with pytest.raises(ZgwUnavailableError):
        world.client(timeout=1.0, deadline=0.3).snapshot(world.zaak_url)


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_not_retried(world: World, status: int) -> None:
    world.system.route(world.zaak_url, raw(b'{"detail": "no"}', status=status))

    with pytest.raises(ZgwRefusedError, match=str(status)):
        world.client().snapshot(world.zaak_url)
    assert len(world.system.requests_to(world.zaak_url)) == 1


@pytest.mark.parametrize("status", [404, 410])
def test_a_zaak_that_is_gone_is_zaak_gone(world: World, status: int) -> None:
    world.system.route(world.zaak_url, raw(b'{"detail": "gone"}', status=status))

    with pytest.raises(ZaakGoneError) as raised:
        world.client().snapshot(world.zaak_url)
    assert raised.value.retry is False
    assert len(world.system.requests_to(world.zaak_url)) == 1


def test_a_server_error_is_retried_and_then_the_answer_is_used(world: World) -> None:
    world.serve_everything()
    world.system.route(world.zaak_url, raw(b'{"detail": "oops"}', status=500), json_answer("zaak", world.zaak()))

    snapshot = world.client().snapshot(world.zaak_url)

    assert snapshot.zaak.identificatie == "ZAAK-2026-0000042"
    assert len(world.system.requests_to(world.zaak_url)) == 2
    assert world.sleeps == [0.375]  # 0.25 fixed + 0.25 x jitter 0.5


def test_too_many_requests_waits_as_long_as_retry_after_says_up_to_the_cap(world: World) -> None:
    world.serve_everything()
    world.system.route(
        world.zaak_url,
        raw(b"{}", status=429, headers={"Retry-After": "3"}),
        raw(b"{}", status=503, headers={"Retry-After": "120"}),
        json_answer("zaak", world.zaak()),
    )

    world.client(max_retry_after=10).snapshot(world.zaak_url)

    assert world.sleeps == [3.0, 10.0]


def test_a_server_that_keeps_failing_is_unavailable(world: World) -> None:
    world.system.route(world.zaak_url, raw(b"{}", status=502))

    with pytest.raises(ZgwUnavailableError, match="502"):
        world.client().snapshot(world.zaak_url)
    assert len(world.system.requests_to(world.zaak_url)) == 3


def test_an_answer_that_is_not_json_is_a_response_error(world: World) -> None:
    world.system.route(world.zaak_url, raw(b"<html>maintenance</html>"))

    with pytest.raises(ZgwResponseError, match="not JSON"):
        world.client().snapshot(world.zaak_url)


def test_an_answer_too_large_is_a_response_error(world: World) -> None:
    world.system.route(world.zaak_url, raw(b'{"x": "' + b"a" * 5000 + b'"}'))

    with pytest.raises(ZgwResponseError, match="larger than 4096"):
        world.client(max_bytes=4096).snapshot(world.zaak_url)


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("identificatie", None, "zaak.identificatie: required"),
        ("startdatum", "1 maart", "zaak.startdatum: expected a date"),
        ("vertrouwelijkheidaanduiding", "topgeheim", "zaak.vertrouwelijkheidaanduiding: unknown value"),
        ("zaaktype", 42, "zaak.zaaktype: expected a string"),
    ],
)
def test_a_zaak_without_a_field_baken_relies_on_is_a_response_error_naming_it(
    world: World, field: str, value: Any, named: str
) -> None:
    broken = world.zaak()
    if value is None:
        del broken[field]
    else:
        broken[field] = value
    assert problems("zaak", broken), "the fault fixture must break the published schema"
    world.system.route(world.zaak_url, raw(json.dumps(broken)))

    with pytest.raises(ZgwResponseError) as raised:
        world.client().snapshot(world.zaak_url)
    assert raised.value.detail == named
    assert raised.value.retry is True


def test_a_statustype_without_volgnummer_is_a_response_error_naming_it(world: World) -> None:
    world.serve_everything()
    broken = world.statustype(1)
    del broken["volgnummer"]
    assert problems("statustype", broken)
    world.system.route(
        world.list_url(world.catalogi, "statustypen", zaaktype=world.zaaktype_url),
        raw(json.dumps({"count": 1, "next": None, "previous": None, "results": [broken]})),
    )

    with pytest.raises(ZgwResponseError, match=r"statustype\.volgnummer: required"):
        world.client().snapshot(world.zaak_url)


def test_a_list_without_results_is_a_response_error(world: World) -> None:
    world.serve_everything()
    world.system.route(world.list_url(world.zaken, "statussen", zaak=world.zaak_url), raw(b'{"count": 0}'))

    with pytest.raises(ZgwResponseError, match="results: required"):
        world.client().snapshot(world.zaak_url)


def test_a_list_longer_than_the_page_limit_is_a_response_error(world: World) -> None:
    world.serve_everything()
    rollen = world.list_url(world.zaken, "rollen", zaak=world.zaak_url)
    world.system.route(rollen, page_answer("rol", [], next_url=rollen))  # a next that never ends

    with pytest.raises(ZgwResponseError, match="more than 3 pages"):
        world.client(max_pages=3).snapshot(world.zaak_url)
    assert len(world.system.requests_to(rollen)) == 3


def test_a_plain_list_as_older_zaken_apis_answer_is_read_too(world: World) -> None:
    world.serve_everything()
    statussen = [world.status(1, 1, "2026-03-02T08:00:00Z")]
    world.system.route(world.list_url(world.zaken, "statussen", zaak=world.zaak_url), raw(json.dumps(statussen)))

    snapshot = world.client().snapshot(world.zaak_url)

    assert len(snapshot.statuses) == 1


def test_a_retry_is_logged_by_path_and_status_and_no_log_line_names_a_bsn(world: World, app_log: Any) -> None:
    world.serve_everything()
    world.system.route(
        world.list_url(world.zaken, "rollen", zaak=world.zaak_url),
        raw(b"{}", status=500),
        page_answer("rol", [world.rol(1, "natuurlijk_persoon", "initiator", {"inpBsn": TEST_BSN})]),
    )

    world.client().snapshot(world.zaak_url)

    retries = [r for r in app_log.records() if r.get("message") == "zgw_retry"]
    assert [(r["zgw_path"], r["problem"]) for r in retries] == [("/zaken/api/v1/rollen", "status 500")]
    assert not any(TEST_BSN in line or "127.0.0.1" in line for line in app_log.lines())


def test_the_catalogue_is_the_catalogus_version_valid_today_with_the_statustypen_of_the_zaaktypen_baken_has(
    world: World,
) -> None:
    # GIVEN a catalogus with two versions of SUB-BUURT (one ended), a concept and a zaaktype Baken does not have
    catalogus = f"{world.catalogi}catalogussen/7d3e0d8a-6c1b-4f0e-9b2a-5e4d3c2b1a09"
    ended = world.zaaktype() | {
        "url": f"{world.catalogi}zaaktypen/11111111-1111-4111-8111-111111111111",
        "beginGeldigheid": "2024-01-01",
        "eindeGeldigheid": "2025-12-31",
        "versiedatum": "2024-01-01",
        "doorlooptijd": "P12W",
    }
    concept = world.zaaktype() | {"url": f"{world.catalogi}zaaktypen/22222222-2222-4222-8222-222222222222", "concept": True}
    other = world.zaaktype() | {"url": f"{world.catalogi}zaaktypen/33333333-3333-4333-8333-333333333333", "identificatie": "VERG"}
    listing = world.list_url(world.catalogi, "zaaktypen", catalogus=catalogus, status="definitief")
    world.system.route(listing, page_answer("zaaktype", [ended, world.zaaktype(), concept, other]))
    world.system.route(
        world.list_url(world.catalogi, "statustypen", zaaktype=world.zaaktype_url),
        page_answer("statustype", [world.statustype(2), world.statustype(1), world.statustype(3)]),
    )

    # WHEN Baken reads the catalogue for the zaaktypen it has
    read = world.client().catalogue(catalogus, {"SUB-BUURT"}, date(2026, 12, 6))

    # THEN it has the version valid today, with its statustypen in process order, and names the other zaaktype
    [zaaktype] = read.zaaktypen
    assert (zaaktype.url, zaaktype.doorlooptijd, zaaktype.begin_geldigheid) == (
        world.zaaktype_url,
        Duration(weeks=8),
        date(2026, 1, 1),
    )
    assert [s.volgnummer for s in zaaktype.statustypen] == [1, 2, 3]
    assert read.others == ("VERG",)
    # AND it asked for the published zaaktypen of that catalogus, and the statustypen of SUB-BUURT only
    assert [(s.path, dict(s.query)) for s in world.system.seen] == [
        ("/catalogi/api/v1/zaaktypen", {"catalogus": [catalogus], "status": ["definitief"]}),
        ("/catalogi/api/v1/statustypen", {"zaaktype": [world.zaaktype_url]}),
    ]


def test_a_catalogus_url_outside_the_configured_apis_is_never_requested(world: World) -> None:
    with pytest.raises(ZgwUrlNotAllowedError):
        world.client().catalogue("https://elsewhere.example/catalogi/api/v1/catalogussen/1", {"SUB-BUURT"}, date(2026, 12, 6))
    with pytest.raises(ZgwUrlNotAllowedError):
        world.client().catalogue(f"{world.catalogi}zaaktypen/1", {"SUB-BUURT"}, date(2026, 12, 6))
    assert world.system.seen == []
