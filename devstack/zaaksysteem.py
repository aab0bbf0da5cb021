"""A zaaksysteem stand-in for the local stack and the tests: the parts of the ZGW Zaken, Catalogi and Notificaties
APIs Baken uses, and the Klantinteracties API (Open Klant 2) it writes to, over real HTTP on 127.0.0.1.

The field names, JSON shapes and status codes are those of the published OpenAPI documents (Open Zaak's Zaken API
1.5 and Catalogi API 1.3, Open Klant 2's Klantinteracties API, VNG's Notificaties API). Everything is kept in memory.

* Zaken API ``/zaken/api/v1/``: a zaak (``Accept-Crs: EPSG:4326`` required, 412 without it), its statussen (POST
  sets the zaak's status; an eindstatus sets its einddatum), rollen and zaakobjecten; PATCH and DELETE of a zaak.
  Lists are paginated ``{count, next, previous, results}``.
* Catalogi API ``/catalogi/api/v1/``: zaaktypen, statustypen and roltypen, made from Baken's own catalogue
  (chalicelib/data/zaaktypen.json), so volgnummers, ``informeren`` and ``statustekst`` match Baken's.
* Klantinteracties API ``/klantinteracties/api/v1/``: klantcontacten, onderwerpobjecten, betrokkenen, actoren and
  actorklantcontacten, so a test or the walkthrough can list what Baken registered.
* Notificaties: the stand-in plays the Notificaties component. Each status created and each zaak changed or
  deleted through it is sent to every abonnement's callback, with the abonnement's ``Authorization`` header, in a
  background thread, retried with backoff on failure (at least once, as Open Notificaties delivers).
  ``hold``/``release`` deliver in another order; ``send_again`` delivers a message twice.
* Authentication as ZGW does it: ``Authorization: Bearer <JWT>`` signed HS256 with a known client's secret
  (claims iss, iat, client_id, user_id, user_representation); 401 otherwise, 403 for a client without access to
  the API. The Klantinteracties API also takes Open Klant's ``Authorization: Token <token>``.
* Faults per path prefix for the tests (500/503, a hang, malformed JSON, 401), from Python or ``/_standin/faults``.

``start_standin(...)`` starts it seeded with the story (STORY.md): Mark's subsidy zaak in gemeente Utrechtse
Heuvelrug, status "Ontvangen", with Mark as initiator, Fatima as mede-initiator and Anna as behandelaar.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "chalicelib" / "data" / "zaaktypen.json"

ZAKEN = "zaken"
CATALOGI = "catalogi"
KLANTINTERACTIES = "klantinteracties"
APIS = (ZAKEN, CATALOGI, KLANTINTERACTIES)
API_VERSIONS = {ZAKEN: "1.5.1", CATALOGI: "1.3.1", KLANTINTERACTIES: "0.0.3"}
CRS = "EPSG:4326"
ADMIN = "/_standin"

# The story's people as the zaaksysteem knows them. Test BSNs (they pass the elfproef; no real person has them):
# map them to the personas' subjects (pu-mark-3f9a1c, pu-fatima-8d21e4) where Baken pseudonymises a rol.
MARK_BSN = "999993653"
FATIMA_BSN = "999990627"
ANNA_MEDEWERKER = "mdw-anna-bakker"
# The organisation that registered the zaak: an example RSIN from the ZGW documentation (passes the elfproef).
BRONORGANISATIE = "002220647"
MARK_ZAAKTYPE = "subsidie-duurzame-recreatie"
UTRECHTSE_HEUVELRUG = ("1581", "Utrechtse Heuvelrug")  # CBS code GM1581, as the Zaken API writes it (4 digits)
_IDS = uuid.UUID("6f0e5b9c-2d4a-4f0e-9a55-4b61d7a1c0de")  # namespace: the seeded objects' uuids are stable
MARK_ZAAK_UUID = str(uuid.uuid5(_IDS, "zaak/mark"))


def stable_uuid(*parts: str) -> str:
    """The uuid the stand-in gives a seeded object: the same on every start."""
    return str(uuid.uuid5(_IDS, "/".join(parts)))


def elfproef(number: str) -> bool:
    """Whether a BSN or RSIN passes the 11-proof (weights 9..2 and -1)."""
    if not re.fullmatch(r"\d{9}", number):
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(digit) * weight for digit, weight in zip(number, weights, strict=True)) % 11 == 0


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --- errors in ZGW's problem format ------------------------------------------------------------------------


class ProblemError(Exception):
    """An answer in ZGW's error format (``Fout``, or ``ValidatieFout`` with ``invalidParams``)."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str = "",
        invalid_params: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail or title}")
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail or title
        self.invalid_params = invalid_params
        self.headers = dict(headers or {})

    def body(self, base_url: str) -> dict[str, Any]:
        kind = "".join(part.capitalize() for part in self.code.replace("-", "_").split("_"))
        body: dict[str, Any] = {
            "type": f"{base_url}/ref/fouten/{kind}/",
            "code": self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": f"urn:uuid:{uuid.uuid4()}",
        }
        if self.invalid_params is not None:
            body["invalidParams"] = self.invalid_params
        return body


def _not_found() -> ProblemError:
    return ProblemError(404, "not_found", "Niet gevonden.")


def _unauthenticated(detail: str) -> ProblemError:
    return ProblemError(401, "not_authenticated", "Authenticatiegegevens zijn niet opgegeven.", detail)


class _Invalid:
    """Collects the fields that fail validation; ``raise_if_any`` answers 400 with all of them."""

    def __init__(self) -> None:
        self.params: list[dict[str, str]] = []

    def add(self, name: str, code: str, reason: str) -> None:
        self.params.append({"name": name, "code": code, "reason": reason})

    def raise_if_any(self) -> None:
        if self.params:
            raise ProblemError(400, "invalid", "Invalid input.", "Ongeldige invoer.", self.params)

    def text(self, body: Mapping[str, Any], name: str, *, required: bool, max_length: int) -> str | None:
        value = body.get(name)
        if value is None or value == "":
            if required:
                self.add(name, "required", "Dit veld is vereist.")
            return None
        if not isinstance(value, str):
            self.add(name, "invalid", "Geen geldige string.")
            return None
        if len(value) > max_length:
            self.add(name, "max_length", f"Zorg ervoor dat dit veld niet meer dan {max_length} karakters bevat.")
            return None
        return value

    def moment(self, body: Mapping[str, Any], name: str, *, required: bool) -> datetime | None:
        value = body.get(name)
        if value is None:
            if required:
                self.add(name, "required", "Dit veld is vereist.")
            return None
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None:
            self.add(name, "invalid", "Datetime heeft een ongeldig formaat.")
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def boolean(self, body: Mapping[str, Any], name: str, *, required: bool) -> bool | None:
        value = body.get(name)
        if value is None:
            if required:
                self.add(name, "required", "Dit veld is vereist.")
            return None
        if not isinstance(value, bool):
            self.add(name, "invalid", "Moet een geldige boolean zijn.")
            return None
        return value


# --- faults --------------------------------------------------------------------------------------------------


@dataclass
class Fault:
    """What the stand-in does instead of answering, for requests whose path starts with ``prefix``.
    ``kind``: "status" (answer ``status``), "hang" (wait ``seconds``, then answer as usual), "malformed" (200 with
    broken JSON) or "unauthorized" (401). ``times``: for how many requests (None: until cleared)."""

    prefix: str
    kind: str
    status: int = 500
    seconds: float = 0.0
    times: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"prefix": self.prefix, "kind": self.kind, "status": self.status, "seconds": self.seconds, "times": self.times}


FAULT_KINDS = frozenset({"status", "hang", "malformed", "unauthorized"})


class Faults:
    """The faults in force; the first one whose prefix matches a request applies to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; one of {sorted(FAULT_KINDS)}")
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def listed(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if path.startswith(fault.prefix):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None


# --- the Notificaties component --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Abonnement:
    """Where a Notificaties component delivers, and the ``Authorization`` header value it sends there."""

    callback_url: str
    auth: str | None = None


@dataclass(frozen=True)
class Delivery:
    """One attempt to deliver a message to a callback: the HTTP status it answered, or the error."""

    message: Mapping[str, Any]
    callback_url: str
    attempt: int
    status: int | None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Notificaties:
    """The Notificaties component: publishes each message to every abonnement in a background thread, in the
    order published, retrying a failed delivery up to ``retries`` times with a doubling backoff."""

    def __init__(self, *, retries: int = 5, backoff: float = 0.5, timeout: float = 5.0) -> None:
        self.abonnementen: list[Abonnement] = []
        self.messages: list[dict[str, Any]] = []  # every message published, in order
        self.deliveries: list[Delivery] = []
        self._retries = retries
        self._backoff = backoff
        self._timeout = timeout
        self._held: list[dict[str, Any]] | None = None
        self._queue: list[tuple[float, int, dict[str, Any], Abonnement, int]] = []
        self._sequence = itertools.count()
        self._in_flight = 0
        self._stopping = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="standin-notificaties", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._thread.is_alive():
            self._thread.join()

    def subscribe(self, callback_url: str, auth: str | None = None) -> Abonnement:
        abonnement = Abonnement(callback_url, auth)
        with self._changed:
            self.abonnementen.append(abonnement)
        return abonnement

    def publish(self, message: Mapping[str, Any]) -> None:
        """Send ``message`` to every abonnement (or keep it, while held)."""
        body = dict(message)
        with self._changed:
            self.messages.append(body)
            if self._held is not None:
                self._held.append(body)
                return
        self._enqueue(body)

    def send_again(self, message: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Deliver a message once more, unchanged, as a redelivery does (default: the last one published)."""
        with self._changed:
            if message is None and not self.messages:
                raise LookupError("no message was published yet")
            body = dict(message if message is not None else self.messages[-1])
        self._enqueue(body)
        return body

    def hold(self) -> None:
        """Keep the messages published from now on until ``release``."""
        with self._changed:
            if self._held is None:
                self._held = []

    def held(self) -> list[dict[str, Any]]:
        with self._changed:
            return list(self._held or [])

    def release(self, order: Sequence[int] | None = None) -> list[dict[str, Any]]:
        """Deliver the held messages in ``order`` (indexes into ``held()``; default: as published) and stop
        holding; returns them in the order sent. ``release([1, 0])`` sends the second before the first."""
        with self._changed:
            held = self._held or []
            self._held = None
        chosen = [held[index] for index in order] if order is not None else held
        for body in chosen:
            self._enqueue(body)
        return chosen

    def wait_until_idle(self, timeout: float = 10.0) -> bool:
        """Whether every delivery (retries included) is done within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._queue or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
        return True

    def _enqueue(self, body: dict[str, Any], abonnementen: Sequence[Abonnement] | None = None, attempt: int = 1) -> None:
        due = time.monotonic()
        with self._changed:
            if attempt > 1:
                due += self._backoff * 2 ** (attempt - 2)
            for abonnement in abonnementen if abonnementen is not None else self.abonnementen:
                heapq.heappush(self._queue, (due, next(self._sequence), body, abonnement, attempt))
            self._changed.notify_all()

    def _next(self) -> tuple[dict[str, Any], Abonnement, int] | None:
        with self._changed:
            while not self._stopping:
                if self._queue:
                    wait = self._queue[0][0] - time.monotonic()
                    if wait <= 0:
                        _, _, body, abonnement, attempt = heapq.heappop(self._queue)
                        self._in_flight += 1
                        return body, abonnement, attempt
                    self._changed.wait(wait)
                else:
                    self._changed.wait()
        return None

    def _run(self) -> None:
        while (work := self._next()) is not None:
            body, abonnement, attempt = work
            delivery = self._deliver(body, abonnement, attempt)
            if not delivery.succeeded and attempt <= self._retries:
                self._enqueue(body, [abonnement], attempt + 1)
            with self._changed:
                self.deliveries.append(delivery)
                self._in_flight -= 1
                self._changed.notify_all()

    def _deliver(self, body: dict[str, Any], abonnement: Abonnement, attempt: int) -> Delivery:
        request = urllib.request.Request(  # noqa: S310 - the callback configured for this local stand-in
            abonnement.callback_url, data=json.dumps(body).encode(), method="POST"
        )
        request.add_header("Content-Type", "application/json")
        if abonnement.auth:
            request.add_header("Authorization", abonnement.auth)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310 - see above
                return Delivery(body, abonnement.callback_url, attempt, response.status)
        except urllib.error.HTTPError as error:
            return Delivery(body, abonnement.callback_url, attempt, error.code, error.reason)
        except (OSError, ValueError) as error:
            return Delivery(body, abonnement.callback_url, attempt, None, repr(error))


# --- the request plumbing ------------------------------------------------------------------------------------


@dataclass
class Call:
    """One request as a route sees it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]  # names in lower case
    body: Any
    params: dict[str, str]
    client_id: str | None = None

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedRequest:
    """A request the stand-in received, for tests that check what Baken asked (no body, no token)."""

    method: str
    path: str
    query: str
    status: int
    client_id: str | None


Route = tuple[str, re.Pattern[str], Callable[[Call], Answer]]
_UUID = r"(?P<uuid>[0-9a-fA-F-]{36})"


def _route(method: str, pattern: str, handler: Callable[[Call], Answer]) -> Route:
    return method, re.compile(pattern.replace("{uuid}", _UUID) + "/?"), handler


class _Server(ThreadingHTTPServer):
    standin: StandIn


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # HTTP/1.0: every connection closes after its answer, so no idle keep-alive holds a thread when stopping
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self.server.standin.handle(self, "GET")

    def do_POST(self) -> None:
        self.server.standin.handle(self, "POST")

    def do_PATCH(self) -> None:
        self.server.standin.handle(self, "PATCH")

    def do_PUT(self) -> None:
        self.server.standin.handle(self, "PUT")

    def do_DELETE(self) -> None:
        self.server.standin.handle(self, "DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        return


# --- the stand-in ----------------------------------------------------------------------------------------------


class StandIn:
    """The zaaksysteem stand-in: Zaken, Catalogi and Klantinteracties APIs on one local port, and the
    Notificaties component that tells the abonnementen of each change. Start it with ``start_standin``."""

    def __init__(
        self,
        clients: Mapping[str, str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        page_size: int = 100,
        access: Mapping[str, Collection[str]] | None = None,
        tokens: Collection[str] = (),
        jwt_max_age: float = 3600,
        notificaties: Notificaties | None = None,
    ) -> None:
        self.clients = dict(clients)
        self.access = {client: frozenset(apis) for client, apis in (access or {}).items()}
        self.tokens = frozenset(tokens)
        self.page_size = page_size
        self.jwt_max_age = jwt_max_age
        self.faults = Faults()
        self.notificaties = notificaties or Notificaties()
        self.requests: list[RecordedRequest] = []
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._store: dict[str, dict[str, dict[str, Any]]] = {
            name: {}
            for name in (
                "zaken",
                "statussen",
                "rollen",
                "zaakobjecten",
                "zaaktypen",
                "statustypen",
                "roltypen",
                "klantcontacten",
                "onderwerpobjecten",
                "betrokkenen",
                "actoren",
                "actorklantcontacten",
            )
        }
        self._server = _Server((host, port), _Handler)
        self._server.standin = self
        self.base_url = f"http://{host}:{self._server.server_address[1]}"
        self.zaken_url = f"{self.base_url}/zaken/api/v1"
        self.catalogi_url = f"{self.base_url}/catalogi/api/v1"
        self.klantinteracties_url = f"{self.base_url}/klantinteracties/api/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="standin")
        self._routes = self._routing()

    # life cycle

    def start(self) -> StandIn:
        self.notificaties.start()
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and delivering: every thread ended, the socket closed (hanging answers end at once)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()  # waits for the request threads
        self.notificaties.stop()

    def __enter__(self) -> StandIn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # URLs

    def url(self, resource: str, uuid_: str) -> str:
        """The URL of a stored object, e.g. ``url("zaken", MARK_ZAAK_UUID)``."""
        api = self.catalogi_url if resource in ("zaaktypen", "statustypen", "roltypen") else self.zaken_url
        if resource in ("klantcontacten", "onderwerpobjecten", "betrokkenen", "actoren", "actorklantcontacten"):
            api = self.klantinteracties_url
        return f"{api}/{resource}/{uuid_}"

    @property
    def mark_zaak_url(self) -> str:
        return self.url("zaken", MARK_ZAAK_UUID)

    def token(self, client_id: str, *, user_id: str = "baken", user_representation: str = "Baken") -> str:
        """A JWT as a ZGW client makes it, signed with ``client_id``'s secret."""
        claims = {
            "iss": client_id,
            "iat": int(time.time()),
            "client_id": client_id,
            "user_id": user_id,
            "user_representation": user_representation,
        }
        return jwt.encode(claims, self.clients[client_id], algorithm="HS256")

    # faults

    def fail(self, prefix: str, status: int = 500, *, times: int | None = None) -> Fault:
        """Answer ``status`` (e.g. 500, 503) to requests under ``prefix`` (a path, e.g. "/zaken/api/v1/zaken")."""
        return self.faults.add(Fault(prefix, "status", status=status, times=times))

    def hang(self, prefix: str, seconds: float, *, times: int | None = None) -> Fault:
        """Wait ``seconds`` before answering requests under ``prefix`` (a client with a shorter timeout gives up)."""
        return self.faults.add(Fault(prefix, "hang", seconds=seconds, times=times))

    def malform(self, prefix: str, *, times: int | None = None) -> Fault:
        """Answer 200 with JSON cut off halfway to requests under ``prefix``."""
        return self.faults.add(Fault(prefix, "malformed", status=200, times=times))

    def refuse(self, prefix: str, *, times: int | None = None) -> Fault:
        """Answer 401 to requests under ``prefix``, whatever token they carry."""
        return self.faults.add(Fault(prefix, "unauthorized", status=401, times=times))

    def clear_faults(self) -> None:
        self.faults.clear()

    # reading the store (tests, walkthrough)

    def get(self, resource: str, uuid_: str) -> dict[str, Any] | None:
        """A stored object as the API answers it, or None."""
        with self._lock:
            stored = self._store[resource].get(uuid_)
            return self._render(resource, stored) if stored is not None else None

    def all(self, resource: str) -> list[dict[str, Any]]:
        """Every stored object of a resource (e.g. "klantcontacten"), oldest first, as the API answers them."""
        with self._lock:
            return [self._render(resource, item) for item in self._store[resource].values()]

    # changing the zaak as a behandelaar does in the zaaksysteem

    def set_status(
        self, zaak_uuid: str, statustype_volgnummer: int, toelichting: str = "", *, at: datetime | None = None
    ) -> dict[str, Any]:
        """Give the zaak a new status, as ``POST statussen`` does (and tell the abonnementen); returns the status."""
        with self._lock:
            zaak = self._store["zaken"].get(zaak_uuid)
            if zaak is None:
                raise LookupError(f"no zaak {zaak_uuid}")
            statustype = next(
                (
                    s
                    for s in self._store["statustypen"].values()
                    if s["zaaktype"] == zaak["zaaktype"] and s["volgnummer"] == statustype_volgnummer
                ),
                None,
            )
            if statustype is None:
                raise LookupError(f"the zaaktype has no statustype with volgnummer {statustype_volgnummer}")
            body = {
                "zaak": zaak["url"],
                "statustype": statustype["url"],
                "datumStatusGezet": _iso(at or _now()),
                "statustoelichting": toelichting,
            }
            return self._create_status(body)

    def patch_zaak(self, zaak_uuid: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Change the zaak as ``PATCH zaken/{uuid}`` does, e.g. ``{"opschorting": {"indicatie": True, "reden": ".."}}``
        or ``{"verlenging": {"reden": "..", "duur": "P30D"}}`` (and tell the abonnementen); returns the zaak."""
        return self._patch_zaak(zaak_uuid, changes)

    def announce_zaak(self, zaak_uuid: str = MARK_ZAAK_UUID) -> dict[str, Any]:
        """Tell the abonnementen the zaak was created (resource "zaak", actie "create"), as Open Zaak does when a
        zaak is registered: seeding sends nothing, so this lets Baken learn of a seeded zaak once it listens."""
        with self._lock:
            zaak = self._store["zaken"].get(zaak_uuid)
            if zaak is None:
                raise LookupError(f"no zaak {zaak_uuid}")
            self._notify(zaak, "zaak", zaak["url"], "create")
            return self.notificaties.messages[-1]

    def delete_zaak(self, zaak_uuid: str) -> None:
        """Delete the zaak with its statussen, rollen and zaakobjecten (and tell the abonnementen)."""
        self._delete_zaak(zaak_uuid)

    # serving

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        path, query = parts.path, parse_qs(parts.query)
        answer, client_id = self._answer(handler, method, path, query)
        with self._lock:
            self.requests.append(RecordedRequest(method, path, parts.query, answer.status, client_id))
        self._write(handler, answer)

    def _answer(
        self, handler: BaseHTTPRequestHandler, method: str, path: str, query: dict[str, list[str]]
    ) -> tuple[Answer, str | None]:
        api = next((name for name in APIS if path.startswith(f"/{name}/api/v1/")), None)
        client_id: str | None = None
        try:
            if path.startswith(f"{ADMIN}/"):
                return self._admin(method, path, self._read_body(handler)), None
            fault = self.faults.take(path)
            if fault is not None and (faulty := self._apply(fault)) is not None:
                return faulty, None
            if api is None:
                raise _not_found()
            client_id = self._authenticate(api, handler.headers.get("Authorization"))
            call = Call(
                method,
                path,
                query,
                {name.lower(): value for name, value in handler.headers.items()},
                self._read_body(handler),
                {},
                client_id,
            )
            answer = self._dispatch(api, call)
        except ProblemError as problem:
            answer = self._problem(problem)
        except Exception as error:  # noqa: BLE001 - a stand-in bug answers 500 as a server would, and says what
            answer = self._problem(ProblemError(500, "error", "Er is een serverfout opgetreden.", repr(error)))
        if api is not None:
            answer.headers.setdefault("API-version", API_VERSIONS[api])
        return answer, client_id

    def _problem(self, problem: ProblemError) -> Answer:
        headers = {"Content-Type": "application/problem+json", **problem.headers}
        return Answer(problem.status, problem.body(self.base_url), headers)

    def _apply(self, fault: Fault) -> Answer | None:
        if fault.kind == "hang":
            self._stopping.wait(fault.seconds)
            return None
        if fault.kind == "malformed":
            return Answer(
                200, b'{"url": "' + self.base_url.encode() + b"/zaken/api/v1/zaken/", {"Content-Type": "application/json"}
            )
        if fault.kind == "unauthorized":
            raise ProblemError(401, "authentication_failed", "Incorrecte authenticatiegegevens.", "Het token is ongeldig.")
        titles = {500: "Er is een serverfout opgetreden.", 502: "Bad gateway.", 503: "Service tijdelijk niet beschikbaar."}
        raise ProblemError(fault.status, "error", titles.get(fault.status, "Fout."), "Ingestelde storing (stand-in).")

    @staticmethod
    def _read_body(handler: BaseHTTPRequestHandler) -> Any:
        length = int(handler.headers.get("Content-Length") or 0)
        if not length:
            return None
        raw = handler.rfile.read(length)
        try:
            return json.loads(raw)
        except ValueError:
            raise ProblemError(400, "parse_error", "Malformed request.", "JSON parse error.") from None

    def _write(self, handler: BaseHTTPRequestHandler, answer: Answer) -> None:
        body = answer.body
        data = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
        handler.send_response(answer.status)
        headers = {"Content-Type": "application/json", **answer.headers} if data else answer.headers
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (a hang longer than its timeout)
            handler.wfile.write(data)

    def _authenticate(self, api: str, header: str | None) -> str:
        """The client id of a valid ``Bearer`` JWT (or an Open Klant ``Token``); 401 or 403 otherwise."""
        if not header:
            raise _unauthenticated("Authorization header ontbreekt.")
        scheme, _, credential = header.partition(" ")
        if api == KLANTINTERACTIES and scheme == "Token":
            if credential in self.tokens:
                return "token"
            raise ProblemError(401, "authentication_failed", "Incorrecte authenticatiegegevens.", "Ongeldige token.")
        if scheme != "Bearer" or not credential:
            raise _unauthenticated("Verwacht 'Authorization: Bearer <JWT>'.")
        client_id = self._verified_client(credential.strip())
        allowed = self.access.get(client_id)
        if allowed is not None and api not in allowed:
            raise ProblemError(
                403,
                "permission_denied",
                "U heeft geen toestemming om deze actie uit te voeren.",
                f"Geen toegang tot de {api} API.",
            )
        return client_id

    def _verified_client(self, token: str) -> str:
        failed = ProblemError(401, "authentication_failed", "Incorrecte authenticatiegegevens.", "Het JWT is ongeldig.")
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise failed from None
        client_id = unverified.get("client_id") or unverified.get("iss")
        secret = self.clients.get(client_id) if isinstance(client_id, str) else None
        if secret is None or header.get("alg") != "HS256":
            raise failed
        try:
            claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["iat"]}, leeway=60)
        except jwt.PyJWTError:
            raise failed from None
        if claims["iat"] < time.time() - self.jwt_max_age:
            raise ProblemError(401, "authentication_failed", "Incorrecte authenticatiegegevens.", "Het JWT is verlopen.")
        return str(client_id)

    def _dispatch(self, api: str, call: Call) -> Answer:
        relative = call.path[len(f"/{api}/api/v1") :]
        allowed: list[str] = []
        for method, pattern, handler in self._routes[api]:
            match = pattern.fullmatch(relative)
            if match is None:
                continue
            if method != call.method:
                allowed.append(method)
                continue
            call.params = match.groupdict()
            with self._lock:
                return handler(call)
        if allowed:
            raise ProblemError(
                405, "method_not_allowed", f'Methode "{call.method}" niet toegestaan.', headers={"Allow": ", ".join(allowed)}
            )
        raise _not_found()

    def _routing(self) -> dict[str, list[Route]]:
        return {
            ZAKEN: [
                _route("GET", "/zaken/{uuid}", self._get_zaak),
                _route("PATCH", "/zaken/{uuid}", self._patch_zaak_call),
                _route("DELETE", "/zaken/{uuid}", self._delete_zaak_call),
                _route("GET", "/statussen", self._lister("statussen", {"zaak": "zaak", "statustype": "statustype"})),
                _route("POST", "/statussen", lambda call: self._created(self._create_status(call.body))),
                _route("GET", "/statussen/{uuid}", self._getter("statussen")),
                _route(
                    "GET", "/rollen", self._lister("rollen", {"zaak": "zaak", "omschrijvingGeneriek": "omschrijvingGeneriek"})
                ),
                _route("GET", "/rollen/{uuid}", self._getter("rollen")),
                _route("GET", "/zaakobjecten", self._lister("zaakobjecten", {"zaak": "zaak", "objectType": "objectType"})),
                _route("GET", "/zaakobjecten/{uuid}", self._getter("zaakobjecten")),
            ],
            CATALOGI: [
                _route(
                    "GET",
                    "/zaaktypen",
                    self._lister("zaaktypen", {"identificatie": "identificatie", "catalogus": "catalogus"}, _published),
                ),
                _route("GET", "/zaaktypen/{uuid}", self._getter("zaaktypen")),
                _route("GET", "/statustypen", self._lister("statustypen", {"zaaktype": "zaaktype"})),
                _route("GET", "/statustypen/{uuid}", self._getter("statustypen")),
                _route("GET", "/roltypen", self._lister("roltypen", {"zaaktype": "zaaktype"})),
                _route("GET", "/roltypen/{uuid}", self._getter("roltypen")),
            ],
            KLANTINTERACTIES: [
                _route("GET", "/klantcontacten", self._lister("klantcontacten", {}, self._klantcontact_filter)),
                _route("POST", "/klantcontacten", lambda call: self._created(self._create_klantcontact(call.body))),
                _route("GET", "/klantcontacten/{uuid}", self._getter("klantcontacten")),
                _route("GET", "/onderwerpobjecten", self._lister("onderwerpobjecten", {})),
                _route("POST", "/onderwerpobjecten", lambda call: self._created(self._create_onderwerpobject(call.body))),
                _route("GET", "/onderwerpobjecten/{uuid}", self._getter("onderwerpobjecten")),
                _route("GET", "/betrokkenen", self._lister("betrokkenen", {})),
                _route("POST", "/betrokkenen", lambda call: self._created(self._create_betrokkene(call.body))),
                _route("GET", "/betrokkenen/{uuid}", self._getter("betrokkenen")),
                _route("GET", "/actoren", self._lister("actoren", {})),
                _route("POST", "/actoren", lambda call: self._created(self._create_actor(call.body))),
                _route("GET", "/actoren/{uuid}", self._getter("actoren")),
                _route("GET", "/actorklantcontacten", self._lister("actorklantcontacten", {})),
                _route("POST", "/actorklantcontacten", lambda call: self._created(self._create_actorklantcontact(call.body))),
            ],
        }

    # generic reads

    def _getter(self, resource: str) -> Callable[[Call], Answer]:
        def get(call: Call) -> Answer:
            item = self._store[resource].get(call.params["uuid"].lower())
            if item is None:
                raise _not_found()
            return Answer(200, self._render(resource, item))

        return get

    def _lister(
        self,
        resource: str,
        filters: Mapping[str, str],
        custom: Callable[[Call, dict[str, Any]], bool] | None = None,
    ) -> Callable[[Call], Answer]:
        """A paginated list, filtered on the query parameters in ``filters`` (parameter -> field)."""

        def listing(call: Call) -> Answer:
            wanted = {f: call.arg(p) for p, f in filters.items() if call.arg(p) is not None}
            invalid = _Invalid()
            for parameter, value in wanted.items():
                if parameter in ("zaak", "zaaktype", "statustype") and not re.fullmatch(r"https?://\S+", value or ""):
                    invalid.add(parameter, "invalid", "Voer een geldige URL in.")
            invalid.raise_if_any()
            items = [
                self._render(resource, item)
                for item in self._store[resource].values()
                if all(item.get(f) == v for f, v in wanted.items()) and (custom is None or custom(call, item))
            ]
            return Answer(200, self._page(call, items))

        return listing

    def _page(self, call: Call, items: list[dict[str, Any]]) -> dict[str, Any]:
        raw = call.arg("page") or "1"
        pages = max(1, -(-len(items) // self.page_size))
        if not raw.isdigit() or not 1 <= int(raw) <= pages:
            raise ProblemError(404, "not_found", "Niet gevonden.", "Ongeldige pagina.")
        page = int(raw)

        def link(number: int) -> str | None:
            if not 1 <= number <= pages:
                return None
            query = {name: values[0] for name, values in call.query.items() if name != "page"}
            return f"{self.base_url}{call.path}?{urlencode({**query, 'page': number})}"

        start = (page - 1) * self.page_size
        return {
            "count": len(items),
            "next": link(page + 1),
            "previous": link(page - 1),
            "results": items[start : start + self.page_size],
        }

    def _created(self, item: dict[str, Any]) -> Answer:
        return Answer(201, item, {"Location": item["url"]})

    def _render(self, resource: str, item: dict[str, Any]) -> dict[str, Any]:
        """An object as the API answers it, with the fields it derives from other objects."""
        rendered = json.loads(json.dumps(item))
        if resource == "zaken":
            rendered.update(self._zaak_derived(item))
        elif resource == "statussen":
            zaak = self._store["zaken"].get(_last(item["zaak"]))
            rendered["indicatieLaatstGezetteStatus"] = zaak is not None and zaak.get("status") == item["url"]
        elif resource == "zaaktypen":
            rendered["statustypen"] = [s["url"] for s in self._ordered_statustypen(item["url"])]
            rendered["roltypen"] = [r["url"] for r in self._store["roltypen"].values() if r["zaaktype"] == item["url"]]
        elif resource == "klantcontacten":
            rendered.update(self._klantcontact_derived(item))
        return rendered

    # Zaken API

    def _zaak_derived(self, zaak: dict[str, Any]) -> dict[str, Any]:
        url = zaak["url"]
        return {
            "rollen": [r["url"] for r in self._store["rollen"].values() if r["zaak"] == url],
            "zaakobjecten": [o["url"] for o in self._store["zaakobjecten"].values() if o["zaak"] == url],
        }

    def _zaak_or_404(self, call: Call) -> dict[str, Any]:
        zaak = self._store["zaken"].get(call.params["uuid"].lower())
        if zaak is None:
            raise _not_found()
        return zaak

    @staticmethod
    def _crs(call: Call, *, body: bool) -> None:
        """The Zaken API's geo negotiation: ``Accept-Crs`` (and ``Content-Crs`` with a body) must be EPSG:4326."""
        names = ("Content-Crs", "Accept-Crs") if body else ("Accept-Crs",)
        for name in names:
            value = call.headers.get(name.lower())
            if value is None:
                raise ProblemError(412, "precondition_failed", "Precondition failed", f"'{name} header ontbreekt")
            if value != CRS:
                raise ProblemError(406, "not_acceptable", "Not acceptable", f"CRS '{value}' is niet ondersteund")

    def _get_zaak(self, call: Call) -> Answer:
        self._crs(call, body=False)
        zaak = self._zaak_or_404(call)
        return Answer(200, self._render("zaken", zaak), {"Content-Crs": CRS})

    def _patch_zaak_call(self, call: Call) -> Answer:
        self._crs(call, body=True)
        zaak = self._zaak_or_404(call)
        return Answer(200, self._patch_zaak(zaak["uuid"], call.body), {"Content-Crs": CRS})

    def _delete_zaak_call(self, call: Call) -> Answer:
        zaak = self._zaak_or_404(call)
        self._delete_zaak(zaak["uuid"])
        return Answer(204)

    def _kenmerken(self, zaak: Mapping[str, Any]) -> dict[str, str]:
        return {
            "bronorganisatie": zaak["bronorganisatie"],
            "zaaktype": zaak["zaaktype"],
            "vertrouwelijkheidaanduiding": zaak["vertrouwelijkheidaanduiding"],
        }

    @property
    def catalogus_url(self) -> str:
        """The catalogus the seeded zaaktypen are in."""
        return f"{self.catalogi_url}/catalogussen/{stable_uuid('catalogus')}"

    def change_statustype(self, zaaktype: str, volgnummer: int, changes: Mapping[str, Any]) -> dict[str, Any]:
        """A functional administrator changes a statustype of the zaaktype ``zaaktype`` (its identificatie), e.g.
        its ``statustekst`` or ``informeren``; the Notificaties component tells the abonnementen (kanaal
        ``zaaktypen``, resource ``statustype``)."""
        with self._lock:
            found = next(
                (
                    s
                    for s in self._store["statustypen"].values()
                    if s["zaaktypeIdentificatie"] == zaaktype and s["volgnummer"] == volgnummer
                ),
                None,
            )
            if found is None:
                raise LookupError(f"zaaktype {zaaktype} has no statustype {volgnummer}")
            found.update(changes)
            changed = dict(found)
        self.notificaties.publish(
            {
                "kanaal": "zaaktypen",
                "hoofdObject": changed["zaaktype"],
                "resource": "statustype",
                "resourceUrl": changed["url"],
                "actie": "partial_update",
                "aanmaakdatum": _iso(_now()),
                "kenmerken": {"catalogus": changed["catalogus"]},
            }
        )
        return changed

    def _notify(self, zaak: Mapping[str, Any], resource: str, resource_url: str, actie: str) -> None:
        self.notificaties.publish(
            {
                "kanaal": "zaken",
                "hoofdObject": zaak["url"],
                "resource": resource,
                "resourceUrl": resource_url,
                "actie": actie,
                "aanmaakdatum": _iso(_now()),
                "kenmerken": self._kenmerken(zaak),
            }
        )

    PATCHABLE = frozenset(
        {
            "omschrijving",
            "toelichting",
            "einddatumGepland",
            "uiterlijkeEinddatumAfdoening",
            "zaakgeometrie",
            "verlenging",
            "opschorting",
        }
    )

    def _patch_zaak(self, zaak_uuid: str, changes: Any) -> dict[str, Any]:
        with self._lock:
            zaak = self._store["zaken"].get(zaak_uuid)
            if zaak is None:
                raise _not_found()
            if not isinstance(changes, Mapping):
                raise ProblemError(400, "invalid", "Invalid input.", "Verwacht een object.", [])
            invalid = _Invalid()
            self._check_groups(changes, invalid)
            invalid.text(changes, "omschrijving", required=False, max_length=80)
            invalid.text(changes, "toelichting", required=False, max_length=1000)
            invalid.raise_if_any()
            zaak.update({name: value for name, value in changes.items() if name in self.PATCHABLE})
            self._notify(zaak, "zaak", zaak["url"], "partial_update")
            return self._render("zaken", zaak)

    @staticmethod
    def _check_groups(changes: Mapping[str, Any], invalid: _Invalid) -> None:
        verlenging = changes.get("verlenging")
        if verlenging is not None:
            if not isinstance(verlenging, Mapping):
                invalid.add("verlenging", "invalid", "Verwacht een object.")
            else:
                invalid.text(verlenging, "reden", required=True, max_length=200)
                duur = invalid.text(verlenging, "duur", required=True, max_length=50)
                if duur is not None and not re.fullmatch(r"P(?:\d+[YMWD])+(?:T(?:\d+[HMS])+)?", duur):
                    invalid.add("verlenging.duur", "invalid", "Geen geldige ISO-8601 duur.")
        opschorting = changes.get("opschorting")
        if opschorting is not None:
            if not isinstance(opschorting, Mapping):
                invalid.add("opschorting", "invalid", "Verwacht een object.")
            else:
                invalid.boolean(opschorting, "indicatie", required=True)
                if "reden" not in opschorting:  # required by the schema, and may be blank
                    invalid.add("opschorting.reden", "required", "Dit veld is vereist.")
                invalid.text(opschorting, "reden", required=False, max_length=200)

    def _delete_zaak(self, zaak_uuid: str) -> None:
        with self._lock:
            zaak = self._store["zaken"].pop(zaak_uuid, None)
            if zaak is None:
                raise _not_found()
            for resource in ("statussen", "rollen", "zaakobjecten"):
                for key in [k for k, v in self._store[resource].items() if v["zaak"] == zaak["url"]]:
                    del self._store[resource][key]
            self._notify(zaak, "zaak", zaak["url"], "destroy")

    def _create_status(self, body: Any) -> dict[str, Any]:
        """POST statussen: validated as Open Zaak does; the zaak's status becomes the newest one, an eindstatus
        closes the zaak (einddatum), a later non-final status reopens it."""
        with self._lock:
            if not isinstance(body, Mapping):
                raise ProblemError(400, "invalid", "Invalid input.", "Verwacht een object.", [])
            invalid = _Invalid()
            zaak_url = invalid.text(body, "zaak", required=True, max_length=1000)
            statustype_url = invalid.text(body, "statustype", required=True, max_length=1000)
            gezet = invalid.moment(body, "datumStatusGezet", required=True)
            toelichting = invalid.text(body, "statustoelichting", required=False, max_length=1000)
            zaak = self._store["zaken"].get(_last(zaak_url)) if zaak_url else None
            if zaak_url and (zaak is None or zaak["url"] != zaak_url):
                invalid.add("zaak", "does_not_exist", "De zaak bestaat niet.")
            statustype = self._store["statustypen"].get(_last(statustype_url)) if statustype_url else None
            if statustype_url and (statustype is None or statustype["url"] != statustype_url):
                invalid.add("statustype", "bad-url", "De URL verwijst niet naar een statustype.")
            elif zaak is not None and statustype is not None and statustype["zaaktype"] != zaak["zaaktype"]:
                invalid.add("nonFieldErrors", "zaaktype-mismatch", "Het statustype hoort niet bij het zaaktype van de zaak.")
            if (
                zaak is not None
                and gezet is not None
                and any(
                    s["zaak"] == zaak["url"] and _moment(s["datumStatusGezet"]) == gezet
                    for s in self._store["statussen"].values()
                )
            ):
                invalid.add("nonFieldErrors", "unique", "De velden zaak, datumStatusGezet moeten een unieke set zijn.")
            invalid.raise_if_any()
            if zaak is None or statustype is None or gezet is None:  # validated above; says so to the type checker
                raise ProblemError(400, "invalid", "Invalid input.", "Ongeldige invoer.", [])
            status_uuid = str(uuid.uuid4())
            status = {
                "url": self.url("statussen", status_uuid),
                "uuid": status_uuid,
                "zaak": zaak["url"],
                "statustype": statustype["url"],
                "datumStatusGezet": _iso(gezet),
                "statustoelichting": toelichting or "",
                "gezetdoor": body.get("gezetdoor"),
                "zaakinformatieobjecten": [],
            }
            self._store["statussen"][status_uuid] = status
            self._current_status(zaak)
            self._notify(zaak, "status", status["url"], "create")
            return self._render("statussen", status)

    def _current_status(self, zaak: dict[str, Any]) -> None:
        statuses = [s for s in self._store["statussen"].values() if s["zaak"] == zaak["url"]]
        newest = max(statuses, key=lambda s: _moment(s["datumStatusGezet"]), default=None)
        zaak["status"] = newest["url"] if newest else None
        statustype = self._store["statustypen"].get(_last(newest["statustype"])) if newest else None
        closed = statustype is not None and statustype["isEindstatus"]
        zaak["einddatum"] = _moment(newest["datumStatusGezet"]).date().isoformat() if newest and closed else None

    # Catalogi API

    def _ordered_statustypen(self, zaaktype_url: str) -> list[dict[str, Any]]:
        found = [s for s in self._store["statustypen"].values() if s["zaaktype"] == zaaktype_url]
        return sorted(found, key=lambda s: s["volgnummer"])

    # Klantinteracties API

    KLANTCONTACT_FILTERS: ClassVar[Mapping[str, str]] = {
        "onderwerpobject__onderwerpobjectidentificatorObjectId": "objectId",
        "onderwerpobject__onderwerpobjectidentificatorCodeObjecttype": "codeObjecttype",
        "onderwerpobject__onderwerpobjectidentificatorCodeRegister": "codeRegister",
        "onderwerpobject__onderwerpobjectidentificatorCodeSoortObjectId": "codeSoortObjectId",
    }

    def _klantcontact_filter(self, call: Call, item: dict[str, Any]) -> bool:
        """Open Klant's filters on what a klantcontact was about (its onderwerpobjecten' identificator)."""
        wanted = {key: call.arg(parameter) for parameter, key in self.KLANTCONTACT_FILTERS.items() if call.arg(parameter)}
        if not wanted:
            return True
        about = [
            o.get("onderwerpobjectidentificator") or {}
            for o in self._store["onderwerpobjecten"].values()
            if (o.get("klantcontact") or {}).get("uuid") == item["uuid"]
        ]
        return any(all(identificator.get(k) == v for k, v in wanted.items()) for identificator in about)

    def _klantcontact_derived(self, klantcontact: dict[str, Any]) -> dict[str, Any]:
        uuid_ = klantcontact["uuid"]

        def refs(resource: str, field_name: str) -> list[dict[str, str]]:
            return [
                {"uuid": item["uuid"], "url": item["url"]}
                for item in self._store[resource].values()
                if (item.get(field_name) or {}).get("uuid") == uuid_
            ]

        actoren = [
            self._store["actoren"][link["actor"]["uuid"]]
            for link in self._store["actorklantcontacten"].values()
            if link["klantcontact"]["uuid"] == uuid_ and link["actor"]["uuid"] in self._store["actoren"]
        ]
        return {
            "gingOverOnderwerpobjecten": refs("onderwerpobjecten", "klantcontact"),
            "hadBetrokkenen": refs("betrokkenen", "hadKlantcontact"),
            "hadBetrokkenActoren": [json.loads(json.dumps(actor)) for actor in actoren],
            "omvatteBijlagen": [],
            "leiddeTotInterneTaken": [],
        }

    def _foreign_key(
        self, body: Mapping[str, Any], name: str, resource: str, invalid: _Invalid, *, required: bool
    ) -> dict[str, str] | None:
        value = body.get(name)
        if value is None:
            if required:
                invalid.add(name, "required", "Dit veld is vereist.")
            return None
        key = value.get("uuid") if isinstance(value, Mapping) else None
        if not isinstance(key, str) or key not in self._store[resource]:
            invalid.add(name, "does_not_exist", f"Ongeldige uuid - object bestaat niet ({resource}).")
            return None
        return {"uuid": key, "url": self._store[resource][key]["url"]}

    def _new(self, resource: str, fields: dict[str, Any]) -> dict[str, Any]:
        new_uuid = str(uuid.uuid4())
        item = {"uuid": new_uuid, "url": self.url(resource, new_uuid), **fields}
        self._store[resource][new_uuid] = item
        return self._render(resource, item)

    def _create_klantcontact(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, Mapping):
            raise ProblemError(400, "invalid", "Invalid input.", "Verwacht een object.", [])
        invalid = _Invalid()
        plaatsgevonden = invalid.moment(body, "plaatsgevondenOp", required=False)
        fields: dict[str, Any] = {
            "nummer": invalid.text(body, "nummer", required=False, max_length=10),
            "kanaal": invalid.text(body, "kanaal", required=True, max_length=50),
            "onderwerp": invalid.text(body, "onderwerp", required=True, max_length=200),
            "inhoud": invalid.text(body, "inhoud", required=False, max_length=1000) or "",
            "indicatieContactGelukt": body.get("indicatieContactGelukt"),
            "taal": invalid.text(body, "taal", required=True, max_length=3),
            "vertrouwelijk": invalid.boolean(body, "vertrouwelijk", required=True),
            "plaatsgevondenOp": _iso(plaatsgevonden or _now()),
        }
        if fields["indicatieContactGelukt"] is not None and not isinstance(fields["indicatieContactGelukt"], bool):
            invalid.add("indicatieContactGelukt", "invalid", "Moet een geldige boolean zijn.")
        invalid.raise_if_any()
        fields["nummer"] = fields["nummer"] or f"{len(self._store['klantcontacten']) + 1:010d}"
        return self._new("klantcontacten", fields)

    def _create_onderwerpobject(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, Mapping):
            raise ProblemError(400, "invalid", "Invalid input.", "Verwacht een object.", [])
        invalid = _Invalid()
        identificator = body.get("onderwerpobjectidentificator")
        if identificator is not None:
            if not isinstance(identificator, Mapping):
                invalid.add("onderwerpobjectidentificator", "invalid", "Verwacht een object.")
            else:
                for name in ("objectId", "codeObjecttype", "codeRegister", "codeSoortObjectId"):
                    invalid.text(identificator, name, required=True, max_length=200)
        fields = {
            "klantcontact": self._foreign_key(body, "klantcontact", "klantcontacten", invalid, required=False),
            "wasKlantcontact": self._foreign_key(body, "wasKlantcontact", "klantcontacten", invalid, required=False),
            "onderwerpobjectidentificator": dict(identificator) if isinstance(identificator, Mapping) else None,
        }
        invalid.raise_if_any()
        return self._new("onderwerpobjecten", fields)

    def _create_betrokkene(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, Mapping):
            raise ProblemError(400, "invalid", "Invalid input.", "Verwacht een object.", [])
        invalid = _Invalid()
        rol = invalid.text(body, "rol", required=True, max_length=20)
        if rol is not None and rol not in ("vertegenwoordiger", "klant"):
            invalid.add("rol", "invalid_choice", f'"{rol}" is een ongeldige keuze.')
        contactnaam = body.get("contactnaam")
        fields: dict[str, Any] = {
            "wasPartij": None,
            "hadKlantcontact": self._foreign_key(body, "hadKlantcontact", "klantcontacten", invalid, required=True),
            "digitaleAdressen": [],
            "bezoekadres": body.get("bezoekadres"),
            "correspondentieadres": body.get("correspondentieadres"),
            "contactnaam": contactnaam,
            "volledigeNaam": _full_name(contactnaam),
            "rol": rol,
            "organisatienaam": invalid.text(body, "organisatienaam", required=False, max_length=200) or "",
            "initiator": invalid.boolean(body, "initiator", required=True),
        }
        invalid.raise_if_any()
        return self._new("betrokkenen", fields)

    def _create_actor(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, Mapping):
            raise ProblemError(400, "invalid", "Invalid input.", "Verwacht een object.", [])
        invalid = _Invalid()
        soort = invalid.text(body, "soortActor", required=True, max_length=30)
        if soort is not None and soort not in ("medewerker", "geautomatiseerde_actor", "organisatorische_eenheid"):
            invalid.add("soortActor", "invalid_choice", f'"{soort}" is een ongeldige keuze.')
        actief = invalid.boolean(body, "indicatieActief", required=False)
        fields = {
            "naam": invalid.text(body, "naam", required=True, max_length=200),
            "soortActor": soort,
            "indicatieActief": True if actief is None else actief,
            "actoridentificator": body.get("actoridentificator"),
            "actorIdentificatie": body.get("actorIdentificatie"),
        }
        invalid.raise_if_any()
        return self._new("actoren", fields)

    def _create_actorklantcontact(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, Mapping):
            raise ProblemError(400, "invalid", "Invalid input.", "Verwacht een object.", [])
        invalid = _Invalid()
        fields = {
            "actor": self._foreign_key(body, "actor", "actoren", invalid, required=True),
            "klantcontact": self._foreign_key(body, "klantcontact", "klantcontacten", invalid, required=True),
        }
        invalid.raise_if_any()
        return self._new("actorklantcontacten", fields)

    # the admin endpoint (no authentication: the stand-in listens on 127.0.0.1 only)

    def _admin(self, method: str, path: str, body: Any) -> Answer:
        """``/_standin/faults`` (GET lists, POST adds ``{prefix, kind, status, seconds, times}``, DELETE clears),
        ``POST /_standin/zaken/{uuid}/status`` with ``{volgnummer, toelichting}`` (the behandelaar sets a status),
        ``GET /_standin/klantcontacten`` (what was registered), ``GET /_standin/notificaties`` (what was sent)."""
        relative = path[len(ADMIN) :].rstrip("/")
        if relative == "/faults" and method == "GET":
            return Answer(200, [fault.to_json() for fault in self.faults.listed()])
        if relative == "/faults" and method == "DELETE":
            self.faults.clear()
            return Answer(204)
        if relative == "/faults" and method == "POST" and isinstance(body, Mapping):
            try:
                fault = Fault(
                    str(body["prefix"]),
                    str(body["kind"]),
                    int(body.get("status", 500)),
                    float(body.get("seconds", 0)),
                    body.get("times"),
                )
                return Answer(201, self.faults.add(fault).to_json())
            except (KeyError, TypeError, ValueError) as error:
                raise ProblemError(400, "invalid", "Invalid input.", str(error), []) from None
        status = re.fullmatch(rf"/zaken/{_UUID}/status", relative)
        if status and method == "POST" and isinstance(body, Mapping) and isinstance(body.get("volgnummer"), int):
            try:
                created = self.set_status(status["uuid"], body["volgnummer"], str(body.get("toelichting") or ""))
            except LookupError as error:
                raise ProblemError(404, "not_found", "Niet gevonden.", str(error)) from None
            return Answer(201, created)
        if relative == "/klantcontacten" and method == "GET":
            return Answer(200, self.all("klantcontacten"))
        if relative == "/notificaties" and method == "GET":
            return Answer(
                200,
                {"messages": self.notificaties.messages, "deliveries": [_delivery_json(d) for d in self.notificaties.deliveries]},
            )
        raise _not_found()

    # seeding

    def seed_catalogue(self, catalogue: Path = CATALOGUE, today: date | None = None) -> dict[str, str]:
        """The Catalogi API's zaaktypen, statustypen and roltypen from Baken's catalogue (Dutch texts); returns
        the zaaktype URL per identificatie."""
        data = json.loads(catalogue.read_text(encoding="utf-8"))
        begin = (today or _now().date()).replace(month=1, day=1).isoformat()
        catalogus = self.catalogus_url
        urls: dict[str, str] = {}
        with self._lock:
            for entry in data["zaaktypen"]:
                zaaktype = _zaaktype(
                    entry, self.url("zaaktypen", stable_uuid("zaaktype", entry["identificatie"])), catalogus, begin
                )
                self._store["zaaktypen"][_last(zaaktype["url"])] = zaaktype
                urls[entry["identificatie"]] = zaaktype["url"]
                last = max(s["volgnummer"] for s in entry["statustypen"])
                for step in entry["statustypen"]:
                    url = self.url("statustypen", stable_uuid("statustype", entry["identificatie"], str(step["volgnummer"])))
                    self._store["statustypen"][_last(url)] = _statustype(step, url, zaaktype, catalogus, last)
                for generiek, omschrijving in (
                    ("initiator", "Aanvrager"),
                    ("mede_initiator", "Mede-aanvrager"),
                    ("behandelaar", "Behandelaar"),
                ):
                    url = self.url("roltypen", stable_uuid("roltype", entry["identificatie"], generiek))
                    self._store["roltypen"][_last(url)] = {
                        "url": url,
                        "zaaktype": zaaktype["url"],
                        "zaaktypeIdentificatie": entry["identificatie"],
                        "omschrijving": omschrijving,
                        "omschrijvingGeneriek": generiek,
                        "catalogus": catalogus,
                        "beginGeldigheid": begin,
                        "eindeGeldigheid": None,
                        "beginObject": begin,
                        "eindeObject": None,
                    }
        return urls

    def seed_story(self, now: datetime | None = None) -> str:
        """Mark's subsidy zaak (STORY.md) with status "Ontvangen", its gemeente and its rollen; returns its URL."""
        moment = now or _now()
        started = moment - timedelta(days=21)
        zaaktypen = self.seed_catalogue(today=moment.date())
        zaaktype = zaaktypen[MARK_ZAAKTYPE]
        with self._lock:
            zaak = _zaak(self.url("zaken", MARK_ZAAK_UUID), zaaktype, started)
            self._store["zaken"][MARK_ZAAK_UUID] = zaak
            gemeente_uuid = stable_uuid("zaakobject", "mark", "gemeente")
            self._store["zaakobjecten"][gemeente_uuid] = {
                "url": self.url("zaakobjecten", gemeente_uuid),
                "uuid": gemeente_uuid,
                "zaak": zaak["url"],
                "object": "",
                "zaakobjecttype": "",
                "objectType": "gemeente",
                "objectTypeOverige": "",
                "objectTypeOverigeDefinitie": None,
                "relatieomschrijving": "Gemeente waar het project plaatsvindt",
                "objectIdentificatie": {"gemeenteCode": UTRECHTSE_HEUVELRUG[0], "gemeenteNaam": UTRECHTSE_HEUVELRUG[1]},
            }
            for rol in _story_rollen(started):
                rol_uuid = stable_uuid("rol", "mark", rol["omschrijvingGeneriek"])
                roltype = self.url("roltypen", stable_uuid("roltype", MARK_ZAAKTYPE, rol["omschrijvingGeneriek"]))
                self._store["rollen"][rol_uuid] = {
                    "url": self.url("rollen", rol_uuid),
                    "uuid": rol_uuid,
                    "zaak": zaak["url"],
                    "roltype": roltype,
                    "omschrijving": self._store["roltypen"][_last(roltype)]["omschrijving"],
                    **rol,
                }
            ontvangen = self._ordered_statustypen(zaaktype)[0]
            status_uuid = stable_uuid("status", "mark", "1")
            self._store["statussen"][status_uuid] = {
                "url": self.url("statussen", status_uuid),
                "uuid": status_uuid,
                "zaak": zaak["url"],
                "statustype": ontvangen["url"],
                "datumStatusGezet": _iso(started),
                "statustoelichting": "",
                "gezetdoor": None,
                "zaakinformatieobjecten": [],
            }
            self._current_status(zaak)
        return zaak["url"]


def _last(url: str | None) -> str:
    return (url or "").rstrip("/").rsplit("/", 1)[-1].lower()


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _full_name(contactnaam: Any) -> str:
    if not isinstance(contactnaam, Mapping):
        return ""
    parts = (contactnaam.get(k) for k in ("voornaam", "voorvoegselAchternaam", "achternaam"))
    return " ".join(str(p) for p in parts if p)


def _delivery_json(delivery: Delivery) -> dict[str, Any]:
    return {
        "callback": delivery.callback_url,
        "attempt": delivery.attempt,
        "status": delivery.status,
        "error": delivery.error,
        "resourceUrl": delivery.message.get("resourceUrl"),
    }


def _published(call: Call, zaaktype: dict[str, Any]) -> bool:
    """The Catalogi API's ``status`` filter: ``definitief`` (the default), ``concept`` or ``alles``."""
    wanted = call.arg("status") or "definitief"
    return wanted == "alles" or zaaktype["concept"] == (wanted == "concept")


def _zaaktype(entry: Mapping[str, Any], url: str, catalogus: str, begin: str) -> dict[str, Any]:
    """A Catalogi API ZaakType for an entry of Baken's catalogue."""
    return {
        "url": url,
        "identificatie": entry["identificatie"],
        "omschrijving": entry["omschrijving"]["nl"][:80],
        "omschrijvingGeneriek": "",
        "vertrouwelijkheidaanduiding": entry["vertrouwelijkheidaanduiding"],
        "doel": entry["voorwaarden"]["nl"],
        "aanleiding": "Een aanvraag of melding van een inwoner of organisatie.",
        "toelichting": "",
        "indicatieInternOfExtern": "extern",
        "handelingInitiator": "aanvragen",
        "onderwerp": entry["onderwerp"],
        "handelingBehandelaar": "behandelen",
        "doorlooptijd": entry["doorlooptijd"],
        "servicenorm": entry.get("servicenorm"),
        "opschortingEnAanhoudingMogelijk": entry["opschortingEnAanhoudingMogelijk"],
        "verlengingMogelijk": entry["verlengingMogelijk"],
        "verlengingstermijn": entry.get("verlengingstermijn"),
        "trefwoorden": [],
        "publicatieIndicatie": entry["publicatieIndicatie"],
        "publicatietekst": "",
        "verantwoordingsrelatie": [],
        "productenOfDiensten": [],
        "selectielijstProcestype": "",
        "referentieproces": {"naam": entry["product"], "link": ""},
        "concept": False,
        "verantwoordelijke": "Provincie Utrecht",
        "beginGeldigheid": begin,
        "eindeGeldigheid": None,
        "versiedatum": begin,
        "beginObject": begin,
        "eindeObject": None,
        "catalogus": catalogus,
        "resultaattypen": [],
        "eigenschappen": [],
        "informatieobjecttypen": [],
        "besluittypen": [],
        "deelzaaktypen": [],
        "gerelateerdeZaaktypen": [],
        "zaakobjecttypen": [],
    }


def _statustype(step: Mapping[str, Any], url: str, zaaktype: Mapping[str, Any], catalogus: str, last: int) -> dict[str, Any]:
    """A Catalogi API StatusType; ``isEindstatus`` is derived, as the Catalogi API does: the highest volgnummer."""
    return {
        "url": url,
        "omschrijving": step["omschrijving"]["nl"][:80],
        "omschrijvingGeneriek": step["identificatie"],
        "statustekst": (step.get("statustekst") or {}).get("nl", ""),
        "zaaktype": zaaktype["url"],
        "zaaktypeIdentificatie": zaaktype["identificatie"],
        "volgnummer": step["volgnummer"],
        "isEindstatus": step["volgnummer"] == last,
        "informeren": step["informeren"],
        "doorlooptijd": None,
        "toelichting": (step.get("toelichting") or {}).get("nl"),
        "checklistitemStatustype": [],
        "catalogus": catalogus,
        "eigenschappen": [],
        "zaakobjecttypen": [],
        "beginGeldigheid": zaaktype["beginGeldigheid"],
        "eindeGeldigheid": None,
        "beginObject": zaaktype["beginGeldigheid"],
        "eindeObject": None,
    }


def _zaak(url: str, zaaktype: str, started: datetime) -> dict[str, Any]:
    """Mark's subsidy zaak, stored without the fields derived from other objects (status, rollen, ...)."""
    return {
        "url": url,
        "uuid": _last(url),
        "identificatie": f"ZAAK-{started.year}-0000123",
        "bronorganisatie": BRONORGANISATIE,
        "omschrijving": "Duurzame recreatie op de Utrechtse Heuvelrug",
        "toelichting": "Aanvraag van initiatiefgroep 'Doe meer met de Utrechtse Heuvelrug'.",
        "zaaktype": zaaktype,
        "registratiedatum": started.date().isoformat(),
        "verantwoordelijkeOrganisatie": BRONORGANISATIE,
        "startdatum": started.date().isoformat(),
        "einddatum": None,
        "einddatumGepland": None,
        "uiterlijkeEinddatumAfdoening": None,
        "publicatiedatum": None,
        "communicatiekanaal": "",
        "productenOfDiensten": [],
        "vertrouwelijkheidaanduiding": "zaakvertrouwelijk",
        "betalingsindicatie": "",
        "betalingsindicatieWeergave": "",
        "laatsteBetaaldatum": None,
        "zaakgeometrie": {"type": "Point", "coordinates": [5.3690, 52.0466]},  # GeoJSON: longitude, latitude
        "verlenging": None,
        "opschorting": {"indicatie": False, "reden": ""},
        "selectielijstklasse": "",
        "hoofdzaak": None,
        "deelzaken": [],
        "relevanteAndereZaken": [],
        "eigenschappen": [],
        "status": None,
        "zaakinformatieobjecten": [],
        "kenmerken": [],
        "archiefnominatie": None,
        "archiefstatus": "nog_te_archiveren",
        "archiefactiedatum": None,
        "resultaat": None,
        "opdrachtgevendeOrganisatie": "",
        "processobjectaard": "",
        "startdatumBewaartermijn": None,
        "processobject": None,
    }


def _story_rollen(started: datetime) -> list[dict[str, Any]]:
    """Mark (initiator), Fatima (mede-initiator) and Anna (behandelaar), as Zaken API rollen."""

    def rol(generiek: str, kind: str, toelichting: str, identificatie: dict[str, Any]) -> dict[str, Any]:
        return {
            "betrokkene": "",
            "betrokkeneType": kind,
            "afwijkendeNaamBetrokkene": "",
            "omschrijvingGeneriek": generiek,
            "roltoelichting": toelichting,
            "registratiedatum": _iso(started),
            "indicatieMachtiging": "",
            "contactpersoonRol": None,
            "statussen": [],
            "betrokkeneIdentificatie": identificatie,
        }

    def persoon(bsn: str, voornamen: str, geslachtsnaam: str) -> dict[str, Any]:
        return {
            "inpBsn": bsn,
            "anpIdentificatie": "",
            "inpA_nummer": "",
            "geslachtsnaam": geslachtsnaam,
            "voorvoegselGeslachtsnaam": "",
            "voorletters": voornamen[0],
            "voornamen": voornamen,
            "geslachtsaanduiding": "",
            "geboortedatum": "",
            "verblijfsadres": None,
            "subVerblijfBuitenland": None,
        }

    return [
        rol("initiator", "natuurlijk_persoon", "Aanvrager namens de initiatiefgroep", persoon(MARK_BSN, "Mark", "Visser")),
        rol("mede_initiator", "natuurlijk_persoon", "Lid van de initiatiefgroep", persoon(FATIMA_BSN, "Fatima", "El Amrani")),
        rol(
            "behandelaar",
            "medewerker",
            "Behandelaar subsidies",
            {"identificatie": ANNA_MEDEWERKER, "achternaam": "Bakker", "voorletters": "A", "voorvoegselAchternaam": ""},
        ),
    ]


def start_standin(
    callback_url: str | None,
    callback_auth: str | None,
    clients: Mapping[str, str],
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    page_size: int = 100,
    access: Mapping[str, Collection[str]] | None = None,
    tokens: Collection[str] = (),
    seed: bool = True,
    now: datetime | None = None,
    retries: int = 5,
    retry_backoff: float = 0.5,
    delivery_timeout: float = 5.0,
) -> StandIn:
    """Start the stand-in on ``host`` (a free port unless ``port``), seeded with the story unless ``seed`` is
    False. ``clients``: ZGW client id -> secret (JWT HS256); ``access``: client id -> the APIs it may use
    ("zaken", "catalogi", "klantinteracties"; a client not named may use all); ``tokens``: Open Klant tokens for
    the Klantinteracties API. With a ``callback_url``, the Notificaties component delivers there with
    ``Authorization: <callback_auth>``. Stop it with ``.stop()``."""
    notificaties = Notificaties(retries=retries, backoff=retry_backoff, timeout=delivery_timeout)
    standin = StandIn(clients, host=host, port=port, page_size=page_size, access=access, tokens=tokens, notificaties=notificaties)
    if callback_url:
        notificaties.subscribe(callback_url, callback_auth)
    if seed:
        standin.seed_story(now)
    return standin.start()
