"""The zaaksysteem read over HTTP: the Zaken API (zaak, statussen, rollen, zaakobjecten) and the Catalogi API
(zaaktype, statustypen), as ``ZaakSource``.

Each request carries a fresh JWT (HS256) signed with the client secret of the API whose base URL the request goes
to, with the claims the ZGW APIs ask for (``iss`` = ``client_id``, ``iat``, ``client_id``, ``user_id``,
``user_representation``), and ``Accept-Crs: EPSG:4326`` so the Zaken API answers ``zaakgeometrie`` in WGS84.

The URLs come from outside (a notification names the zaak, the zaak names its zaaktype, a page names the next):
a URL that is not under one of the configured base URLs is never fetched (``ZgwUrlNotAllowedError``), and
redirects are not followed, so the bearer token never goes anywhere else. Every request is bounded: a timeout
per request, a size limit per answer, a page limit per list and a time limit per snapshot. 429, 5xx, timeouts and
connection errors are retried with exponential backoff and jitter (``Retry-After`` honoured up to a cap).

``catalogue`` reads a catalogus's zaaktypen (the version valid today of each) for the catalogue refresh.

Zaaktypen with their statustypen are cached per client (one per process, from the wiring) for ``cache_ttl``
seconds, at most ``cache_size`` of them: published zaaktypen do not change, a new version has a new URL.

Logs name the path of a URL and a status code, never a rol's identificatie or anything else from an answer.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, NoReturn

from chalicelib.domain.catalogi import current_versions
from chalicelib.domain.catalogue import Vertrouwelijkheid
from chalicelib.domain.durations import Duration
from chalicelib.domain.errors import InvalidDurationError
from chalicelib.domain.reference import Point
from chalicelib.domain.zgw import (
    BetrokkeneType,
    CatalogiListing,
    ZaakSnapshot,
    ZgwRol,
    ZgwStatus,
    ZgwStatustype,
    ZgwZaak,
    ZgwZaaktype,
    duration_or_none,
)
from chalicelib.services.ports import (
    ZaakGoneError,
    ZaakSource,
    ZgwError,
    ZgwRefusedError,
    ZgwResponseError,
    ZgwUnavailableError,
)

TIMEOUT_SECONDS = 5.0
ATTEMPTS = 3
BACKOFF_SECONDS = 0.5
MAX_RETRY_AFTER_SECONDS = 10.0
SNAPSHOT_DEADLINE_SECONDS = 25.0
CATALOGUE_DEADLINE_SECONDS = 50.0  # a refresh reads the list and one statustypen list per zaaktype Baken has
MAX_RESPONSE_BYTES = 1024 * 1024
MAX_PAGES = 20
CACHE_TTL_SECONDS = 600.0
CACHE_SIZE = 256
USER_ID = "baken"
USER_REPRESENTATION = "Baken"
CRS = "EPSG:4326"

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_ZAAK_URL = re.compile(rf"^(?P<base>/(?:.*/)?)zaken/{_UUID}/?$")
_ZAAKTYPE_URL = re.compile(r"^(?P<base>/(?:.*/)?)zaaktypen/[^/]+/?$")
_CATALOGUS_URL = re.compile(r"^(?P<base>/(?:.*/)?)catalogussen/[^/]+/?$")
_GEMEENTE_CODE = re.compile(r"(?:GM)?(\d{4})", re.IGNORECASE)
_RETRIED = frozenset({429, 500, 502, 503, 504})


class ZgwUrlNotAllowedError(ZgwError):
    """The URL is not under a configured base URL (or is no URL of the kind expected): never fetched. A notification
    that names such a zaak is not Baken's to follow; trying again changes nothing."""

    retry = False


@dataclass(frozen=True)
class ZgwApi:
    """One ZGW API Baken may read: its base URL (``https://zaken.example.nl/zaken/api/v1/``), Baken's client id
    there and the client secret (a callable, so a rotated secret is read again)."""

    base_url: str
    client_id: str
    secret_provider: Callable[[], str]

    def __post_init__(self) -> None:
        if not self.base_url.endswith("/"):
            object.__setattr__(self, "base_url", self.base_url + "/")


def _path(url: str) -> str:
    """What a log line may say of a URL: its path (no host, no query)."""
    return urllib.parse.urlsplit(url).path


def _log_warning(message: str, **keys: Any) -> None:
    from chalicelib.observability import logger

    logger().warning(message, extra=keys)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a place to go: following one would send the bearer token elsewhere."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> None:
        return None


class _TtlCache:
    """At most ``size`` values, each for ``ttl`` seconds; the least recently used goes first."""

    def __init__(self, *, ttl: float, size: int, clock: Callable[[], float]) -> None:
        self._ttl = ttl
        self._size = size
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, ZgwZaaktype]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> ZgwZaaktype | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if self._clock() - item[0] > self._ttl:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: str, value: ZgwZaaktype) -> None:
        with self._lock:
            self._items[key] = (self._clock(), value)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


# --- reading an answer: each field Baken relies on, checked --------------------------------------------------


class _Reader:
    """Checks the fields of one answer; a missing or mistyped one is a ZgwResponseError naming it."""

    def __init__(self, url: str) -> None:
        self.url = url

    def fail(self, field: str, problem: str) -> NoReturn:
        raise ZgwResponseError(self.url, f"{field}: {problem}")

    def obj(self, value: Any, field: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(field, "expected an object")
        return value

    def text(self, data: Mapping[str, Any], name: str, where: str, *, required: bool = True, max_length: int = 1000) -> str:
        value = data.get(name)
        if value is None:
            if required:
                self.fail(f"{where}.{name}", "required")
            return ""
        if not isinstance(value, str):
            self.fail(f"{where}.{name}", "expected a string")
        if len(value) > max_length:
            self.fail(f"{where}.{name}", f"longer than {max_length}")
        return value

    def optional_text(self, data: Mapping[str, Any], name: str, where: str, *, max_length: int = 1000) -> str | None:
        value = self.text(data, name, where, required=False, max_length=max_length)
        return value or None

    def url_field(self, data: Mapping[str, Any], name: str, where: str) -> str:
        value = self.text(data, name, where)
        if not value.startswith(("https://", "http://")):
            self.fail(f"{where}.{name}", "expected a URL")
        return value

    def flag(self, data: Mapping[str, Any], name: str, where: str, *, default: bool | None = None) -> bool:
        value = data.get(name)
        if value is None and default is not None:
            return default
        if not isinstance(value, bool):
            self.fail(f"{where}.{name}", "required" if value is None else "expected a boolean")
        return value

    def integer(self, data: Mapping[str, Any], name: str, where: str) -> int:
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{where}.{name}", "required" if value is None else "expected an integer")
        return value

    def day(self, data: Mapping[str, Any], name: str, where: str) -> date:
        value = data.get(name)
        if not isinstance(value, str):
            self.fail(f"{where}.{name}", "required" if value is None else "expected a date")
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{where}.{name}", "expected a date")

    def optional_day(self, data: Mapping[str, Any], name: str, where: str) -> date | None:
        value = data.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(f"{where}.{name}", "expected a date")
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{where}.{name}", "expected a date")

    def moment(self, data: Mapping[str, Any], name: str, where: str) -> datetime:
        value = data.get(name)
        if not isinstance(value, str):
            self.fail(f"{where}.{name}", "required" if value is None else "expected a date-time")
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{where}.{name}", "expected a date-time")
        if moment.tzinfo is None:
            self.fail(f"{where}.{name}", "expected a date-time with a time zone")
        return moment

    def duration(self, data: Mapping[str, Any], name: str, where: str) -> Duration:
        value = data.get(name)
        if not isinstance(value, str):
            self.fail(f"{where}.{name}", "required" if value is None else "expected a duration")
        try:
            return Duration.parse(value)
        except InvalidDurationError:
            self.fail(f"{where}.{name}", "expected an ISO 8601 duration")

    def vertrouwelijkheid(self, data: Mapping[str, Any], where: str) -> Vertrouwelijkheid:
        value = data.get("vertrouwelijkheidaanduiding")
        try:
            return Vertrouwelijkheid(str(value))
        except ValueError:
            self.fail(f"{where}.vertrouwelijkheidaanduiding", "required" if value is None else "unknown value")


def _centroid(ring: Sequence[Any]) -> tuple[float, float, float] | None:
    """(x, y, area) of a closed ring of ``[lon, lat]`` positions (shoelace); the mean of its points when it has
    no area; None when it holds no usable position."""
    points = [(float(p[0]), float(p[1])) for p in ring if _is_position(p)]
    if not points:
        return None
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-12:
        return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points), 0.0
    return cx / (3 * area), cy / (3 * area), abs(area) / 2


def _is_position(value: Any) -> bool:
    return (
        isinstance(value, list | tuple)
        and len(value) >= 2
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in value[:2])
    )


def representative_point(geometry: Any) -> Point | None:
    """A GeoJSON geometry (EPSG:4326, ``[lon, lat]``) as one point: a Point itself, the centroid of a Polygon's outer
    ring, the area-weighted centroid of a MultiPolygon's outer rings; None for anything else or out of range."""
    if not isinstance(geometry, Mapping):
        return None
    kind = geometry.get("type")
    coordinates: Any = geometry.get("coordinates")
    lon_lat: tuple[float, float] | None = None
    if kind == "Point" and _is_position(coordinates):
        lon_lat = float(coordinates[0]), float(coordinates[1])
    elif kind in ("Polygon", "MultiPolygon") and isinstance(coordinates, list):
        polygons = [coordinates] if kind == "Polygon" else coordinates
        parts = [_centroid(p[0]) for p in polygons if isinstance(p, list) and p and isinstance(p[0], list)]
        usable = [p for p in parts if p is not None]
        if usable:
            weight = sum(p[2] for p in usable)
            if weight > 0:
                lon_lat = sum(p[0] * p[2] for p in usable) / weight, sum(p[1] * p[2] for p in usable) / weight
            else:
                lon_lat = usable[0][0], usable[0][1]
    if lon_lat is None or not (-180 <= lon_lat[0] <= 180 and -90 <= lon_lat[1] <= 90):
        return None
    return Point(lat=lon_lat[1], lon=lon_lat[0])


def gemeente_code(value: Any) -> str | None:
    """A gemeente code as Baken writes it (CBS: ``GM0344``) from the Zaken API's ``gemeenteCode`` (``0344``, or
    already ``GM0344``); None when it is neither."""
    match = _GEMEENTE_CODE.fullmatch(value.strip()) if isinstance(value, str) else None
    return f"GM{match.group(1)}" if match else None


class ZgwClient(ZaakSource):
    """``ZaakSource`` over HTTP (see the module docstring)."""

    def __init__(
        self,
        apis: Sequence[ZgwApi],
        *,
        allow_http: bool = False,
        timeout: float = TIMEOUT_SECONDS,
        attempts: int = ATTEMPTS,
        backoff: float = BACKOFF_SECONDS,
        max_retry_after: float = MAX_RETRY_AFTER_SECONDS,
        deadline: float = SNAPSHOT_DEADLINE_SECONDS,
        max_bytes: int = MAX_RESPONSE_BYTES,
        max_pages: int = MAX_PAGES,
        cache_ttl: float = CACHE_TTL_SECONDS,
        cache_size: int = CACHE_SIZE,
        user_id: str = USER_ID,
        user_representation: str = USER_REPRESENTATION,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        for api in apis:
            parts = urllib.parse.urlsplit(api.base_url)
            if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
                raise ValueError(f"a ZGW base URL must be https: {api.base_url}")
            if not parts.netloc or parts.query or parts.fragment or parts.username or parts.password:
                raise ValueError(f"not a base URL: {api.base_url}")
        # The longest base first: a URL belongs to the most specific API it is under.
        self._apis = sorted(apis, key=lambda a: len(a.base_url), reverse=True)
        self._timeout = timeout
        self._attempts = max(1, attempts)
        self._backoff = backoff
        self._max_retry_after = max_retry_after
        self._deadline = deadline
        self._max_bytes = max_bytes
        self._max_pages = max_pages
        self._user_id = user_id
        self._user_representation = user_representation
        self._clock = clock
        self._wall_clock = wall_clock
        self._sleep = sleep
        self._jitter = jitter
        self._cache = _TtlCache(ttl=cache_ttl, size=cache_size, clock=clock)
        self._opener = urllib.request.build_opener(_NoRedirect)

    # --- the port ---------------------------------------------------------------------------------------

    def snapshot(self, zaak_url: str) -> ZaakSnapshot:
        until = self._clock() + self._deadline
        zaken_base = self._zaken_base(zaak_url)
        data = self._get(zaak_url, until, gone_is_final=True)
        zaak = self._zaak(data, zaak_url)
        statuses = self._statuses(zaken_base, zaak_url, until)
        zaaktype = self._zaaktype(zaak.zaaktype, until)
        if any(zaaktype.statustype(s.statustype) is None for s in statuses):
            # A statustype the cached zaaktype does not know: read the zaaktype again, once.
            zaaktype = self._zaaktype(zaak.zaaktype, until, fresh=True)
        rollen = self._rollen(zaken_base, zaak_url, until)
        gemeenten = self._gemeenten(zaken_base, zaak_url, until)
        return ZaakSnapshot(zaak=zaak, zaaktype=zaaktype, statuses=statuses, rollen=rollen, gemeenten=gemeenten)

    # --- where a URL may go -----------------------------------------------------------------------------

    def api_for(self, url: str) -> ZgwApi:
        """The configured API ``url`` is under; ZgwUrlNotAllowedError when there is none. Under means: the same
        scheme, host and port, a path below the base path, no ``.``/``..`` segments, no user info."""
        if not isinstance(url, str) or len(url) > 2000:
            raise ZgwUrlNotAllowedError(str(url)[:200], "not_allowed")
        try:
            parts = urllib.parse.urlsplit(url)
            port = parts.port
        except ValueError:
            raise ZgwUrlNotAllowedError(url, "not_allowed") from None
        segments = [urllib.parse.unquote(s) for s in parts.path.split("/")]
        if parts.username or parts.password or parts.fragment or any(s in (".", "..") for s in segments):
            raise ZgwUrlNotAllowedError(url, "not_allowed")
        for api in self._apis:
            base = urllib.parse.urlsplit(api.base_url)
            if (
                parts.scheme == base.scheme
                and (parts.hostname or "").lower() == (base.hostname or "").lower()
                and port == base.port
                and parts.path.startswith(base.path)
            ):
                return api
        raise ZgwUrlNotAllowedError(url, "not_allowed")

    def _zaken_base(self, zaak_url: str) -> str:
        self.api_for(zaak_url)
        parts = urllib.parse.urlsplit(zaak_url)
        match = _ZAAK_URL.match(parts.path)
        if match is None or parts.query:
            raise ZgwUrlNotAllowedError(zaak_url, "not_a_zaak_url")
        return str(urllib.parse.urlunsplit((parts.scheme, parts.netloc, match.group("base"), "", "")))

    @staticmethod
    def _catalogi_base(zaaktype_url: str) -> str:
        parts = urllib.parse.urlsplit(zaaktype_url)
        match = _ZAAKTYPE_URL.match(parts.path)
        if match is None or parts.query:
            raise ZgwUrlNotAllowedError(zaaktype_url, "not_a_zaaktype_url")
        return str(urllib.parse.urlunsplit((parts.scheme, parts.netloc, match.group("base"), "", "")))

    # --- HTTP -------------------------------------------------------------------------------------------

    def _token(self, api: ZgwApi) -> str:
        import jwt

        issued = int(self._wall_clock())
        claims = {
            "iss": api.client_id,
            "iat": issued,
            "client_id": api.client_id,
            "user_id": self._user_id,
            "user_representation": self._user_representation,
        }
        return str(jwt.encode(claims, api.secret_provider(), algorithm="HS256"))

    def _get(self, url: str, until: float, *, gone_is_final: bool = False) -> Any:
        """The JSON answer to a GET of ``url``, with the retries and limits of the module docstring."""
        api = self.api_for(url)
        problem = "no_answer"
        retry_after: str | None = None
        for attempt in range(self._attempts):
            if attempt:
                delay = self._delay(attempt, retry_after)
                if self._clock() + delay >= until:
                    break
                self._sleep(delay)
                retry_after = None
            remaining = until - self._clock()
            if remaining <= 0:
                break
            request = urllib.request.Request(  # noqa: S310 - only URLs under a configured http(s) base get here
                url,
                headers={
                    "Authorization": f"Bearer {self._token(api)}",
                    "Accept": "application/json",
                    "Accept-Crs": CRS,
                    "User-Agent": "Baken",
                },
            )
            try:
                with self._opener.open(request, timeout=min(self._timeout, remaining)) as response:
                    body = response.read(self._max_bytes + 1)
            except urllib.error.HTTPError as error:
                status = error.code
                retry_after = error.headers.get("Retry-After") if error.headers else None
                error.close()
                if status in (404, 410) and gone_is_final:
                    raise ZaakGoneError(url, f"status {status}") from None
                if status in (401, 403):
                    _log_warning("zgw_refused", zgw_path=_path(url), status=status)
                    raise ZgwRefusedError(url, f"status {status}") from None
                if status not in _RETRIED:
                    _log_warning("zgw_unexpected_status", zgw_path=_path(url), status=status)
                    raise ZgwResponseError(url, f"status {status}") from None
                problem = f"status {status}"
            except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as error:
                reason = getattr(error, "reason", error)
                problem = "timeout" if isinstance(reason, TimeoutError) else type(reason).__name__
            else:
                if len(body) > self._max_bytes:
                    raise ZgwResponseError(url, f"answer larger than {self._max_bytes} bytes")
                try:
                    return json.loads(body)
                except (ValueError, RecursionError):
                    raise ZgwResponseError(url, "answer is not JSON") from None
            _log_warning("zgw_retry", zgw_path=_path(url), problem=problem, attempt=attempt + 1)
        raise ZgwUnavailableError(url, problem)

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """Exponential backoff with jitter (half fixed, half random), or the server's ``Retry-After`` (seconds),
        capped at ``max_retry_after``."""
        if retry_after is not None and retry_after.strip().isdigit():
            return min(float(retry_after.strip()), self._max_retry_after)
        step = self._backoff * 2.0 ** (attempt - 1)
        return min(step / 2 + step / 2 * float(self._jitter()), self._max_retry_after)

    def _pages(self, first: str, until: float) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """The items of a list endpoint, following ``next`` (a paginated ``{count, next, previous, results}``, or
        a plain list as older Zaken API versions answer), at most ``max_pages`` pages."""
        url: str | None = first
        pages = 0
        while url is not None:
            pages += 1
            if pages > self._max_pages:
                raise ZgwResponseError(first, f"more than {self._max_pages} pages")
            data = self._get(url, until)
            read = _Reader(url)
            results: Any
            following: Any
            if isinstance(data, list):
                results, following = data, None
            else:
                page = read.obj(data, "page")
                results = page.get("results")
                following = page.get("next")
                if not isinstance(results, list):
                    read.fail("results", "required" if results is None else "expected an array")
                if following is not None and not isinstance(following, str):
                    read.fail("next", "expected a URL")
            for index, item in enumerate(results):
                yield url, read.obj(item, f"results[{index}]")
            url = following or None

    @staticmethod
    def _list_url(base: str, resource: str, **query: str) -> str:
        return f"{base}{resource}?{urllib.parse.urlencode(query)}"

    # --- mapping -----------------------------------------------------------------------------------------

    def _zaak(self, data: Any, zaak_url: str) -> ZgwZaak:
        read = _Reader(zaak_url)
        zaak = read.obj(data, "zaak")
        verlenging: tuple[str, Duration] | None = None
        raw_verlenging = zaak.get("verlenging")
        if raw_verlenging is not None:
            block = read.obj(raw_verlenging, "zaak.verlenging")
            if block.get("duur") not in (None, ""):
                verlenging = (
                    read.text(block, "reden", "zaak.verlenging", max_length=200),
                    read.duration(block, "duur", "zaak.verlenging"),
                )
        opschorting: tuple[bool, str] | None = None
        raw_opschorting = zaak.get("opschorting")
        if raw_opschorting is not None:
            block = read.obj(raw_opschorting, "zaak.opschorting")
            opschorting = (
                read.flag(block, "indicatie", "zaak.opschorting"),
                read.text(block, "reden", "zaak.opschorting", required=False, max_length=200),
            )
        return ZgwZaak(
            url=read.url_field(zaak, "url", "zaak"),
            uuid=read.text(zaak, "uuid", "zaak", max_length=36),
            identificatie=read.text(zaak, "identificatie", "zaak", max_length=40),
            bronorganisatie=read.text(zaak, "bronorganisatie", "zaak", max_length=9),
            omschrijving=read.text(zaak, "omschrijving", "zaak", required=False, max_length=80),
            zaaktype=read.url_field(zaak, "zaaktype", "zaak"),
            registratiedatum=read.day(zaak, "registratiedatum", "zaak"),
            startdatum=read.day(zaak, "startdatum", "zaak"),
            einddatum=read.optional_day(zaak, "einddatum", "zaak"),
            vertrouwelijkheidaanduiding=read.vertrouwelijkheid(zaak, "zaak"),
            verlenging=verlenging,
            opschorting=opschorting,
            zaakgeometrie=representative_point(zaak.get("zaakgeometrie")),
        )

    def _statuses(self, zaken_base: str, zaak_url: str, until: float) -> tuple[ZgwStatus, ...]:
        statuses = []
        for url, item in self._pages(self._list_url(zaken_base, "statussen", zaak=zaak_url), until):
            read = _Reader(url)
            statuses.append(
                ZgwStatus(
                    url=read.url_field(item, "url", "status"),
                    statustype=read.url_field(item, "statustype", "status"),
                    datum_status_gezet=read.moment(item, "datumStatusGezet", "status"),
                    statustoelichting=read.optional_text(item, "statustoelichting", "status"),
                )
            )
        return tuple(sorted(statuses, key=lambda s: (s.datum_status_gezet, s.url)))

    def _zaaktype(self, url: str, until: float, *, fresh: bool = False) -> ZgwZaaktype:
        cached = None if fresh else self._cache.get(url)
        if cached is not None:
            return cached
        read = _Reader(url)
        zaaktype = self._with_statustypen(self._zaaktype_fields(read, read.obj(self._get(url, until), "zaaktype")), until)
        self._cache.put(url, zaaktype)
        return zaaktype

    def _zaaktype_fields(self, read: _Reader, data: Mapping[str, Any]) -> ZgwZaaktype:
        """A ZaakType without its statustypen (read by ``_with_statustypen``)."""
        return ZgwZaaktype(
            url=read.url_field(data, "url", "zaaktype"),
            identificatie=read.text(data, "identificatie", "zaaktype", max_length=50),
            omschrijving=read.text(data, "omschrijving", "zaaktype", max_length=80),
            doorlooptijd=read.duration(data, "doorlooptijd", "zaaktype"),
            servicenorm=duration_or_none(data.get("servicenorm")),
            verlenging_mogelijk=read.flag(data, "verlengingMogelijk", "zaaktype"),
            verlengingstermijn=duration_or_none(data.get("verlengingstermijn")),
            opschorting_mogelijk=read.flag(data, "opschortingEnAanhoudingMogelijk", "zaaktype"),
            publicatie_indicatie=read.flag(data, "publicatieIndicatie", "zaaktype"),
            vertrouwelijkheidaanduiding=read.vertrouwelijkheid(data, "zaaktype"),
            onderwerp=read.text(data, "onderwerp", "zaaktype", max_length=80),
            statustypen=(),
            begin_geldigheid=read.optional_day(data, "beginGeldigheid", "zaaktype"),
            einde_geldigheid=read.optional_day(data, "eindeGeldigheid", "zaaktype"),
            versiedatum=read.optional_day(data, "versiedatum", "zaaktype"),
            concept=read.flag(data, "concept", "zaaktype", default=False),
        )

    def _with_statustypen(self, zaaktype: ZgwZaaktype, until: float) -> ZgwZaaktype:
        statustypen = []
        listing = self._list_url(self._catalogi_base(zaaktype.url), "statustypen", zaaktype=zaaktype.url)
        for page_url, item in self._pages(listing, until):
            read = _Reader(page_url)
            statustypen.append(
                ZgwStatustype(
                    url=read.url_field(item, "url", "statustype"),
                    omschrijving=read.text(item, "omschrijving", "statustype", max_length=80),
                    volgnummer=read.integer(item, "volgnummer", "statustype"),
                    is_eindstatus=read.flag(item, "isEindstatus", "statustype", default=False),
                    informeren=read.flag(item, "informeren", "statustype", default=False),
                    statustekst=read.optional_text(item, "statustekst", "statustype"),
                    toelichting=read.optional_text(item, "toelichting", "statustype"),
                )
            )
        return replace(zaaktype, statustypen=tuple(sorted(statustypen, key=lambda s: s.volgnummer)))

    def catalogue(self, catalogus_url: str, wanted: Collection[str], today: date) -> CatalogiListing:
        """The catalogus's zaaktypen (``status=definitief``, every version, paged), the version valid ``today`` of
        each, and the statustypen of those in ``wanted``: 1 + the zaaktypen's pages + one list per wanted one."""
        until = self._clock() + max(self._deadline, CATALOGUE_DEADLINE_SECONDS)
        self.api_for(catalogus_url)
        parts = urllib.parse.urlsplit(catalogus_url)
        match = _CATALOGUS_URL.match(parts.path)
        if match is None or parts.query:
            raise ZgwUrlNotAllowedError(catalogus_url, "not_a_catalogus_url")
        base = str(urllib.parse.urlunsplit((parts.scheme, parts.netloc, match.group("base"), "", "")))
        versions = [
            self._zaaktype_fields(_Reader(url), item)
            for url, item in self._pages(self._list_url(base, "zaaktypen", catalogus=catalogus_url, status="definitief"), until)
        ]
        current = current_versions(versions, today)
        chosen = tuple(self._with_statustypen(z, until) for z in current if z.identificatie in wanted)
        for zaaktype in chosen:
            self._cache.put(zaaktype.url, zaaktype)
        return CatalogiListing(chosen, tuple(z.identificatie for z in current if z.identificatie not in wanted))

    def _rollen(self, zaken_base: str, zaak_url: str, until: float) -> tuple[ZgwRol, ...]:
        known = {t.value for t in BetrokkeneType}
        rollen = []
        for url, item in self._pages(self._list_url(zaken_base, "rollen", zaak=zaak_url), until):
            read = _Reader(url)
            betrokkene_type = read.text(item, "betrokkeneType", "rol", max_length=50)
            if betrokkene_type not in known:
                read.fail("rol.betrokkeneType", "unknown value")
            identificatie = item.get("betrokkeneIdentificatie")
            if identificatie is not None and not isinstance(identificatie, Mapping):
                read.fail("rol.betrokkeneIdentificatie", "expected an object")
            rollen.append(
                ZgwRol(
                    url=read.url_field(item, "url", "rol"),
                    omschrijving_generiek=read.text(item, "omschrijvingGeneriek", "rol", max_length=80),
                    betrokkene_type=betrokkene_type,
                    indicatie_machtiging=read.optional_text(item, "indicatieMachtiging", "rol", max_length=50),
                    identificatie=dict(identificatie or {}),
                    roltoelichting=read.optional_text(item, "roltoelichting", "rol"),
                )
            )
        return tuple(rollen)

    def _gemeenten(self, zaken_base: str, zaak_url: str, until: float) -> tuple[str, ...]:
        codes: list[str] = []
        for url, item in self._pages(self._list_url(zaken_base, "zaakobjecten", zaak=zaak_url), until):
            if item.get("objectType") != "gemeente":
                continue  # adres, overige and the rest say nothing Baken uses
            identificatie = item.get("objectIdentificatie")
            if identificatie is None:
                continue  # a gemeente given by URL (``object``) only
            read = _Reader(url)
            raw = read.text(
                read.obj(identificatie, "zaakobject.objectIdentificatie"),
                "gemeenteCode",
                "zaakobject.objectIdentificatie",
                max_length=6,
            )
            code = gemeente_code(raw)
            if code is None:
                read.fail("zaakobject.objectIdentificatie.gemeenteCode", "expected four digits")
            if code not in codes:
                codes.append(code)
        return tuple(codes)
