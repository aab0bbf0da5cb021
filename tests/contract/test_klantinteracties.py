"""Klantinteracties (Open Klant 2) over real HTTP: a server on 127.0.0.1 records every request the adapter sends
and answers as Open Klant does. Each request body is checked against the field names, types, lengths and required
fields of the Klantinteracties API's request schemas (KlantcontactRequest, ActorRequest, ActorKlantcontactRequest,
OnderwerpobjectRequest, from maykinmedia/open-klant's openapi.yaml); the job that registers a contact moment is run
twice, and after a crash between a POST and remembering its answer."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from chalicelib.adapters.klantinteracties import HttpKlantinteracties
from chalicelib.adapters.memory import (
    InMemoryCases,
    InMemoryContacts,
    InMemoryEvents,
    InMemoryJobs,
    InMemoryLedger,
    InMemoryOutbox,
)
from chalicelib.domain.cloudevents import EventSource
from chalicelib.domain.contacts import ContactMoment
from chalicelib.services.outbound import CONTACT_JOB, Outbound
from chalicelib.services.ports import (
    KlantcontactActor,
    KlantinteractiesPermanentError,
    KlantinteractiesRetryableError,
    NewKlantcontact,
    Onderwerpobjectidentificator,
    RegistrationLedger,
)
from tests.factories import ANNA, T0, a_case

TOKEN = "open-klant-test-token"
PATH = "/klantinteracties/api/v1"
UUID_REF = {"uuid": str}
# Field -> (type, required, max length) from the published request schemas.
SCHEMAS: dict[str, dict[str, tuple[Any, bool, int | None]]] = {
    "klantcontacten": {
        "nummer": (str, False, 10),
        "kanaal": (str, True, 50),
        "onderwerp": (str, True, 200),
        "inhoud": (str, False, 1000),
        "indicatieContactGelukt": ((bool, type(None)), False, None),
        "taal": (str, True, 3),
        "vertrouwelijk": (bool, True, None),
        "plaatsgevondenOp": (str, True, None),
    },
    "actoren": {
        "naam": (str, True, 200),
        "soortActor": (str, True, None),
        "indicatieActief": (bool, False, None),
        "actoridentificator": (dict, False, None),
    },
    "actorklantcontacten": {"actor": (dict, True, None), "klantcontact": (dict, True, None)},
    "onderwerpobjecten": {
        "klantcontact": ((dict, type(None)), True, None),
        "wasKlantcontact": ((dict, type(None)), True, None),
        "onderwerpobjectidentificator": ((dict, type(None)), False, None),
    },
}
SOORT_ACTOR = {"medewerker", "geautomatiseerde_actor", "organisatorische_eenheid"}
IDENTIFICATOR = {"objectId": 200, "codeObjecttype": 200, "codeRegister": 200, "codeSoortObjectId": 200}


def check_request(collection: str, body: dict[str, Any]) -> None:
    schema = SCHEMAS[collection]
    assert set(body) <= set(schema), f"{collection}: fields not in the schema: {set(body) - set(schema)}"
    for name, (kind, required, length) in schema.items():
        if required:
            assert name in body, f"{collection}.{name} is required"
        if name in body:
            assert isinstance(body[name], kind), f"{collection}.{name} is {type(body[name]).__name__}"
            if length is not None and isinstance(body[name], str):
                assert len(body[name]) <= length, f"{collection}.{name} longer than {length}"
    if collection == "klantcontacten":
        datetime.fromisoformat(body["plaatsgevondenOp"].replace("Z", "+00:00"))
    if collection == "actoren":
        assert body["soortActor"] in SOORT_ACTOR
        assert set(body["actoridentificator"]) == set(IDENTIFICATOR)
    for ref in ("actor", "klantcontact", "wasKlantcontact"):
        if isinstance(body.get(ref), dict):
            assert set(body[ref]) == {"uuid"}
            assert uuid.UUID(body[ref]["uuid"])
    if isinstance(body.get("onderwerpobjectidentificator"), dict):
        assert set(body["onderwerpobjectidentificator"]) == set(IDENTIFICATOR)


class OpenKlant:
    """The recording stand-in: every request, and a queue of faults to answer with first."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, Any] | None, str]] = []
        self.faults: list[int | str] = []  # an HTTP status, "slow", or "ok" (answered as usual)
        self.created: dict[str, dict[str, Any]] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _answer(self, status: int, document: Any) -> None:
                data = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                outer.requests.append((method, self.path, body, self.headers.get("Authorization", "")))
                if outer.faults:
                    fault = outer.faults.pop(0)
                    if fault == "ok":
                        pass
                    elif fault == "slow":
                        time.sleep(0.5)
                        return self._answer(200, {})
                    else:
                        return self._answer(int(fault), {"detail": "injected"})
                if self.headers.get("Authorization") != f"Token {TOKEN}":
                    return self._answer(401, {"detail": "Authenticatiegegevens zijn niet opgegeven."})
                collection = self.path.split("?", 1)[0].removeprefix(PATH + "/").strip("/")
                if method == "GET":
                    found = [r for r in outer.created.values() if r["collection"] == collection]
                    return self._answer(200, {"count": len(found), "next": None, "previous": None, "results": found})
                assert body is not None
                check_request(collection, body)
                resource_uuid = str(uuid.uuid4())
                url = f"http://{self.headers['Host']}{PATH}/{collection}/{resource_uuid}"
                outer.created[url] = {"collection": collection, "uuid": resource_uuid, "url": url, **body}
                return self._answer(201, {"uuid": resource_uuid, "url": url, **body})

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}{PATH}"

    def posts(self, collection: str | None = None) -> list[dict[str, Any]]:
        return [
            b for m, p, b, _ in self.requests if m == "POST" and b is not None and (collection is None or f"/{collection}" in p)
        ]


@pytest.fixture
def open_klant() -> Iterator[OpenKlant]:
    stand_in = OpenKlant()
    thread = threading.Thread(target=stand_in.server.serve_forever, daemon=True)
    thread.start()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()


def adapter(open_klant: OpenKlant, **options: Any) -> HttpKlantinteracties:
    return HttpKlantinteracties(open_klant.base, lambda: TOKEN, pause=lambda _: None, **options)


def a_contact(**changes: Any) -> NewKlantcontact:
    fields: dict[str, Any] = {
        "kanaal": "telefoon",
        "onderwerp": "Vraag over de termijn",
        "inhoud": "x" * 1200,
        "indicatie_contact_gelukt": True,
        "taal": "nld",
        "vertrouwelijk": False,
        "plaatsgevonden_op": T0,
        "actor": KlantcontactActor("Anna Bakker", "medewerker", ANNA.id),
        "onderwerp_object": Onderwerpobjectidentificator("https://zaken.example/api/v1/zaken/1", "zaak", "zrc", "url"),
    }
    fields.update(changes)
    return NewKlantcontact(**fields)


def test_every_request_carries_the_token_and_matches_the_request_schemas(open_klant):
    api = adapter(open_klant)
    contact = a_contact()
    klantcontact = api.create_klantcontact(contact)
    actor = api.actor(contact.actor)
    api.link_actor(klantcontact, actor)
    api.link_onderwerp(klantcontact, contact.onderwerp_object)
    assert [p.split("?")[0].rsplit("/", 1)[-1] for _, p, _, _ in open_klant.requests] == [
        "klantcontacten",
        "actoren",
        "actoren",
        "actorklantcontacten",
        "onderwerpobjecten",
    ]
    assert {auth for *_, auth in open_klant.requests} == {f"Token {TOKEN}"}
    (sent,) = open_klant.posts("klantcontacten")
    assert len(sent["inhoud"]) == 1000
    assert sent["plaatsgevondenOp"] == "2026-10-05T09:00:00Z"
    # an actor is looked up by its identificator before it is created: the second time it is found
    assert api.actor(contact.actor) == actor
    assert len(open_klant.posts("actoren")) == 1


def test_a_get_is_retried_after_a_timeout_and_a_post_after_503_but_not_after_500(open_klant):
    api = adapter(open_klant, timeout=0.2)
    open_klant.faults = ["slow", 502]
    assert api.actor(KlantcontactActor("Baken", "geautomatiseerde_actor", "baken"))
    open_klant.faults = [503]
    api.create_klantcontact(a_contact())
    assert len(open_klant.posts("klantcontacten")) == 2  # the refused one, recorded, and the one that was made
    open_klant.faults = [500]
    with pytest.raises(KlantinteractiesRetryableError):
        api.create_klantcontact(a_contact())
    assert len(open_klant.posts("klantcontacten")) == 3  # not repeated: the server may have created it


def test_a_refusal_is_permanent_and_a_wrong_token_too(open_klant):
    open_klant.faults = [400]
    with pytest.raises(KlantinteractiesPermanentError):
        adapter(open_klant).create_klantcontact(a_contact())
    with pytest.raises(KlantinteractiesPermanentError):
        HttpKlantinteracties(open_klant.base, lambda: "wrong", pause=lambda _: None).create_klantcontact(a_contact())


def test_a_server_that_is_down_is_retryable(open_klant):
    base = open_klant.base
    open_klant.server.shutdown()
    open_klant.server.server_close()
    with pytest.raises(KlantinteractiesRetryableError):
        HttpKlantinteracties(base, lambda: TOKEN, pause=lambda _: None, timeout=0.5).create_klantcontact(a_contact())


class World:
    def __init__(self, open_klant: OpenKlant) -> None:
        self.cases = InMemoryCases()
        self.contacts = InMemoryContacts()
        self.events = InMemoryEvents()
        self.ledger = InMemoryLedger()
        self.duplicates: list[str] = []
        self.case = self.cases.create(a_case(version=0), [])
        self.outbound = Outbound(
            events=self.events,
            source=EventSource("00000001002220647000", "https://mijn.provincie-utrecht.nl"),
            jobs=InMemoryJobs(),
            cases=self.cases,
            contacts=self.contacts,
            outbox=InMemoryOutbox(),
            ledger=self.ledger,
            klantinteracties=adapter(open_klant),
            on_possible_duplicate=self.duplicates.append,
        )
        self.moment = ContactMoment(
            id="c-1",
            case_id=self.case.id,
            kanaal="telefoon",
            onderwerp="Vraag over de termijn",
            inhoud="Mark belde; uitgelegd dat de termijn loopt tot 1 december.",
            plaatsgevonden_op=T0,
            medewerker=ANNA,
            vertrouwelijk=True,
            tags=("termijn", "intern-label"),
        )
        self.contacts.add(self.moment)

    def job(self) -> dict[str, Any]:
        return {"kind": CONTACT_JOB, "case_id": self.case.id, "contact_id": "c-1", "at": T0.isoformat()}


def test_a_contact_moment_becomes_one_klantcontact_with_its_medewerker_and_the_case_even_when_the_job_runs_twice(open_klant):
    world = World(open_klant)
    world.outbound.run_job(world.job())
    world.outbound.run_job(world.job())
    (klantcontact,) = open_klant.posts("klantcontacten")
    assert klantcontact["inhoud"] == world.moment.inhoud
    assert klantcontact["vertrouwelijk"] is True
    assert "intern-label" not in json.dumps(open_klant.requests)  # tags are Baken's own
    (actor,) = open_klant.posts("actoren")
    assert actor["soortActor"] == "medewerker"
    assert actor["actoridentificator"]["objectId"] == ANNA.id
    (about,) = open_klant.posts("onderwerpobjecten")
    assert about["onderwerpobjectidentificator"]["objectId"] == f"https://mijn.provincie-utrecht.nl/api/cases/{world.case.id}"
    assert len(open_klant.posts("actorklantcontacten")) == 1
    assert len(world.events.of_type("nl.provincie-utrecht.baken.contactmoment-geregistreerd")) == 2  # same id twice
    assert len({e["id"] for e in world.events.published}) == 1
    assert world.duplicates == []


def test_a_crash_between_a_post_and_remembering_its_answer_registers_again_and_counts_a_possible_duplicate(open_klant):
    world = World(open_klant)
    world.outbound.run_job(world.job())
    (key,) = world.ledger.items
    # the worker died after the klantcontact was created and before its url was written
    world.ledger.items[key] = {"klantcontact": RegistrationLedger.PENDING}
    world.outbound.run_job(world.job())
    assert len(open_klant.posts("klantcontacten")) == 2
    assert world.duplicates == ["klantcontact"]
    assert world.ledger.items[key]["klantcontact"].startswith(open_klant.base)


def test_a_failed_step_is_retried_by_the_job_and_does_not_repeat_the_steps_before_it(open_klant):
    world = World(open_klant)
    open_klant.faults = ["ok", 400]  # the klantcontact is made, then the actor lookup is refused
    with pytest.raises(KlantinteractiesPermanentError):
        world.outbound.run_job({**world.job()})
    open_klant.faults = []
    # the first request (the klantcontact) succeeded before the fault: its url is remembered
    world.outbound.run_job(world.job())
    assert len(open_klant.posts("klantcontacten")) == 1
    assert len(open_klant.posts("onderwerpobjecten")) == 1
