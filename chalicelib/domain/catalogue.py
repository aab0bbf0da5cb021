"""What a kind of case promises, modelled on the ZGW Catalogi API (ZaakType, StatusType).

Zaaktypen are configuration: they are read from a data file in the repository and validated here, so a
broken file fails the deployment's tests instead of a citizen's request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chalicelib.domain.durations import Duration
from chalicelib.domain.errors import CatalogueError, InvalidDurationError, UnknownStatustypeError, UnknownZaaktypeError
from chalicelib.domain.language import Localized
from chalicelib.domain.question_topics import QuestionTopic, all_topics, topics_from_data, topics_to_data


class Product(StrEnum):
    SUBSIDIE = "subsidie"
    VERGUNNING = "vergunning"
    MELDING = "melding"
    KLACHT = "klacht"


class Vertrouwelijkheid(StrEnum):
    """ZGW ``vertrouwelijkheidaanduiding``, from open to most secret."""

    OPENBAAR = "openbaar"
    BEPERKT_OPENBAAR = "beperkt_openbaar"
    INTERN = "intern"
    ZAAKVERTROUWELIJK = "zaakvertrouwelijk"
    VERTROUWELIJK = "vertrouwelijk"
    CONFIDENTIEEL = "confidentieel"
    GEHEIM = "geheim"
    ZEER_GEHEIM = "zeer_geheim"


@dataclass(frozen=True)
class Statustype:
    """One step in a zaaktype's process. ``informeren``: the initiator must be told of it."""

    identificatie: str
    omschrijving: Localized
    volgnummer: int
    informeren: bool
    statustekst: Localized | None
    is_eindstatus: bool
    toelichting: Localized | None = None


@dataclass(frozen=True)
class Zaaktype:
    identificatie: str
    omschrijving: Localized
    product: Product
    case_number_prefix: str
    onderwerp: str
    doorlooptijd: Duration
    servicenorm: Duration | None
    verlenging_mogelijk: bool
    verlengingstermijn: Duration | None
    opschorting_mogelijk: bool
    publicatie_indicatie: bool
    vertrouwelijkheidaanduiding: Vertrouwelijkheid
    voorwaarden: Localized
    informatie_url: str
    statustypen: tuple[Statustype, ...]
    kosten: Localized | None = None  # what applying costs, in words (None: not stated)
    vraagonderwerpen: tuple[QuestionTopic, ...] = ()  # the product's own onderwerpen of questions

    @property
    def question_topics(self) -> tuple[QuestionTopic, ...]:
        """The managed list of onderwerpen questions about this product are counted by: its own, then the shared."""
        return all_topics(self.vraagonderwerpen)

    def statustype(self, identificatie: str) -> Statustype:
        for statustype in self.statustypen:
            if statustype.identificatie == identificatie:
                return statustype
        raise UnknownStatustypeError(self.identificatie, identificatie)

    @property
    def first_statustype(self) -> Statustype:
        return self.statustypen[0]

    def following(self, identificatie: str) -> tuple[Statustype, ...]:
        """The steps after ``identificatie`` in process order: "what happens next"."""
        current = self.statustype(identificatie)
        return tuple(s for s in self.statustypen if s.volgnummer > current.volgnummer)


class Catalogue:
    """The zaaktypen the province offers, looked up by ``identificatie``."""

    def __init__(self, zaaktypen: Iterable[Zaaktype]) -> None:
        self._by_id: dict[str, Zaaktype] = {}
        prefixes: set[str] = set()
        for zaaktype in zaaktypen:
            if zaaktype.identificatie in self._by_id:
                raise CatalogueError(f"zaaktype {zaaktype.identificatie} is defined twice")
            if zaaktype.case_number_prefix in prefixes:
                raise CatalogueError(f"case number prefix {zaaktype.case_number_prefix} is used twice")
            prefixes.add(zaaktype.case_number_prefix)
            self._by_id[zaaktype.identificatie] = zaaktype

    def get(self, identificatie: str) -> Zaaktype:
        try:
            return self._by_id[identificatie]
        except KeyError:
            raise UnknownZaaktypeError(identificatie) from None

    def __iter__(self) -> Any:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def to_data(self) -> dict[str, Any]:
        """The catalogue in the data file's form: ``Catalogue.from_data(c.to_data(), topics)`` gives it back."""
        return {"zaaktypen": [zaaktype_to_data(z) for z in self._by_id.values()]}

    @classmethod
    def from_data(cls, data: Any, known_topics: Iterable[str]) -> Catalogue:
        """Build and validate the catalogue from the parsed data file."""
        if not isinstance(data, Mapping) or not isinstance(data.get("zaaktypen"), list):
            raise CatalogueError("expected an object with a 'zaaktypen' list")
        topics = set(known_topics)
        return cls(zaaktype_from_data(item, topics) for item in data["zaaktypen"])


def _duration(data: Mapping[str, Any], key: str, where: str, *, required: bool) -> Duration | None:
    value = data.get(key)
    if value is None:
        if required:
            raise CatalogueError(f"{where}: '{key}' is required")
        return None
    try:
        return Duration.parse(value)
    except InvalidDurationError:
        raise CatalogueError(f"{where}: '{key}' is not an ISO-8601 duration: {value!r}") from None


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise CatalogueError(f"{where}: '{key}' must be a non-empty string")
    return value


def _optional_localized(data: Mapping[str, Any], key: str, where: str) -> Localized | None:
    return None if data.get(key) is None else Localized.from_data(data[key], f"{where}.{key}")


def _statustype_from_data(data: Any, where: str) -> Statustype:
    if not isinstance(data, Mapping):
        raise CatalogueError(f"{where}: expected an object")
    statustype = Statustype(
        identificatie=_text(data, "identificatie", where),
        omschrijving=Localized.from_data(data.get("omschrijving"), f"{where}.omschrijving"),
        volgnummer=int(data.get("volgnummer", 0)),
        informeren=bool(data.get("informeren", False)),
        statustekst=_optional_localized(data, "statustekst", where),
        is_eindstatus=bool(data.get("isEindstatus", False)),
        toelichting=_optional_localized(data, "toelichting", where),
    )
    if statustype.informeren and statustype.statustekst is None:
        raise CatalogueError(f"{where}: a statustype with informeren needs a statustekst")
    if len(statustype.omschrijving.nl) > 80 or len(statustype.omschrijving.en) > 80:
        raise CatalogueError(f"{where}: omschrijving is longer than 80 characters")
    return statustype


def zaaktype_from_data(data: Any, topics: set[str]) -> Zaaktype:
    """One zaaktype of the data file, validated; CatalogueError naming what is wrong."""
    if not isinstance(data, Mapping):
        raise CatalogueError("every zaaktype must be an object")
    where = f"zaaktype {data.get('identificatie', '?')}"
    raw_statustypen = data.get("statustypen")
    if not isinstance(raw_statustypen, list) or not raw_statustypen:
        raise CatalogueError(f"{where}: needs at least one statustype")
    statustypen = tuple(
        sorted(
            (_statustype_from_data(item, f"{where}.statustypen[{i}]") for i, item in enumerate(raw_statustypen)),
            key=lambda s: s.volgnummer,
        )
    )
    if len({s.volgnummer for s in statustypen}) != len(statustypen):
        raise CatalogueError(f"{where}: volgnummers must be unique")
    if len({s.identificatie for s in statustypen}) != len(statustypen):
        raise CatalogueError(f"{where}: statustype identificaties must be unique")
    if not statustypen[-1].is_eindstatus or any(s.is_eindstatus for s in statustypen[:-1]):
        raise CatalogueError(f"{where}: the last statustype, and only that one, is the eindstatus")
    onderwerp = _text(data, "onderwerp", where)
    if onderwerp not in topics:
        raise CatalogueError(f"{where}: onderwerp {onderwerp!r} is not a known topic")
    prefix = _text(data, "caseNumberPrefix", where)
    if not prefix.isalpha() or not prefix.isupper() or len(prefix) > 6:
        raise CatalogueError(f"{where}: caseNumberPrefix must be 1-6 capital letters")
    verlenging_mogelijk = bool(data.get("verlengingMogelijk", False))
    verlengingstermijn = _duration(data, "verlengingstermijn", where, required=verlenging_mogelijk)
    doorlooptijd = _duration(data, "doorlooptijd", where, required=True) or Duration()
    try:
        product = Product(str(data.get("product")))
        vertrouwelijkheid = Vertrouwelijkheid(str(data.get("vertrouwelijkheidaanduiding", "zaakvertrouwelijk")))
    except ValueError as error:
        raise CatalogueError(f"{where}: {error}") from None
    return Zaaktype(
        identificatie=_text(data, "identificatie", where),
        omschrijving=Localized.from_data(data.get("omschrijving"), f"{where}.omschrijving"),
        product=product,
        case_number_prefix=prefix,
        onderwerp=onderwerp,
        doorlooptijd=doorlooptijd,
        servicenorm=_duration(data, "servicenorm", where, required=False),
        verlenging_mogelijk=verlenging_mogelijk,
        verlengingstermijn=verlengingstermijn,
        opschorting_mogelijk=bool(data.get("opschortingEnAanhoudingMogelijk", False)),
        publicatie_indicatie=bool(data.get("publicatieIndicatie", False)),
        vertrouwelijkheidaanduiding=vertrouwelijkheid,
        voorwaarden=Localized.from_data(data.get("voorwaarden"), f"{where}.voorwaarden"),
        informatie_url=_text(data, "informatieUrl", where),
        statustypen=statustypen,
        kosten=_optional_localized(data, "kosten", where),
        vraagonderwerpen=topics_from_data(data.get("vraagonderwerpen"), where),
    )


def _optional(value: Duration | Localized | None) -> Any:
    if value is None:
        return None
    return value.as_dict() if isinstance(value, Localized) else str(value)


def statustype_to_data(statustype: Statustype) -> dict[str, Any]:
    return {
        "identificatie": statustype.identificatie,
        "volgnummer": statustype.volgnummer,
        "omschrijving": statustype.omschrijving.as_dict(),
        "informeren": statustype.informeren,
        "statustekst": _optional(statustype.statustekst),
        "toelichting": _optional(statustype.toelichting),
        "isEindstatus": statustype.is_eindstatus,
    }


def zaaktype_to_data(zaaktype: Zaaktype) -> dict[str, Any]:
    """A zaaktype as the data file writes it."""
    return {
        "identificatie": zaaktype.identificatie,
        "omschrijving": zaaktype.omschrijving.as_dict(),
        "product": zaaktype.product.value,
        "caseNumberPrefix": zaaktype.case_number_prefix,
        "onderwerp": zaaktype.onderwerp,
        "doorlooptijd": str(zaaktype.doorlooptijd),
        "servicenorm": _optional(zaaktype.servicenorm),
        "verlengingMogelijk": zaaktype.verlenging_mogelijk,
        "verlengingstermijn": _optional(zaaktype.verlengingstermijn),
        "opschortingEnAanhoudingMogelijk": zaaktype.opschorting_mogelijk,
        "publicatieIndicatie": zaaktype.publicatie_indicatie,
        "vertrouwelijkheidaanduiding": zaaktype.vertrouwelijkheidaanduiding.value,
        "informatieUrl": zaaktype.informatie_url,
        "voorwaarden": zaaktype.voorwaarden.as_dict(),
        "kosten": _optional(zaaktype.kosten),
        "vraagonderwerpen": topics_to_data(zaaktype.vraagonderwerpen),
        "statustypen": [statustype_to_data(s) for s in zaaktype.statustypen],
    }
