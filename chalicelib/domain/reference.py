"""Reference data: the province's gemeenten (CBS codes) and the topics people can follow."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import CatalogueError
from chalicelib.domain.language import Localized

GEMEENTE_CODE = re.compile(r"^GM\d{4}$")
TOPIC_SLUG = re.compile(r"^[a-z][a-z0-9-]{1,40}$")


@dataclass(frozen=True)
class Point:
    """A WGS84 (EPSG:4326) position, as in ZGW ``zaakgeometrie``."""

    lat: float
    lon: float


@dataclass(frozen=True)
class Gemeente:
    code: str
    naam: str
    centre: Point
    population: int


@dataclass(frozen=True)
class Topic:
    slug: str
    naam: Localized
    beschrijving: Localized


class ReferenceData:
    """Gemeenten of the province and the topic catalogue, validated on load."""

    def __init__(self, gemeenten: list[Gemeente], topics: list[Topic]) -> None:
        self._gemeenten = {g.code: g for g in gemeenten}
        self._topics = {t.slug: t for t in topics}
        if len(self._gemeenten) != len(gemeenten) or len(self._topics) != len(topics):
            raise CatalogueError("gemeente codes and topic slugs must be unique")

    def gemeente(self, code: str) -> Gemeente | None:
        return self._gemeenten.get(code)

    def topic(self, slug: str) -> Topic | None:
        return self._topics.get(slug)

    def gemeenten(self) -> Iterator[Gemeente]:
        return iter(self._gemeenten.values())

    def topics(self) -> Iterator[Topic]:
        return iter(self._topics.values())

    @classmethod
    def from_data(cls, gemeenten: Any, topics: Any) -> ReferenceData:
        if not isinstance(gemeenten, Mapping) or not isinstance(gemeenten.get("gemeenten"), list):
            raise CatalogueError("gemeenten: expected an object with a 'gemeenten' list")
        if not isinstance(topics, Mapping) or not isinstance(topics.get("topics"), list):
            raise CatalogueError("topics: expected an object with a 'topics' list")
        return cls(
            [_gemeente(item) for item in gemeenten["gemeenten"]],
            [_topic(item) for item in topics["topics"]],
        )


def _gemeente(item: Any) -> Gemeente:
    code = item.get("code") if isinstance(item, Mapping) else None
    if not isinstance(code, str) or not GEMEENTE_CODE.match(code):
        raise CatalogueError(f"gemeente code {code!r} is not a CBS code like GM0344")
    try:
        return Gemeente(
            code=code,
            naam=str(item["naam"]),
            centre=Point(lat=float(item["centre"][0]), lon=float(item["centre"][1])),
            population=int(item["population"]),
        )
    except (KeyError, TypeError, ValueError, IndexError):
        raise CatalogueError(f"gemeente {code}: needs naam, centre [lat, lon] and population") from None


def _topic(item: Any) -> Topic:
    slug = item.get("slug") if isinstance(item, Mapping) else None
    if not isinstance(slug, str) or not TOPIC_SLUG.match(slug):
        raise CatalogueError(f"topic slug {slug!r} must be lowercase letters, digits and dashes")
    return Topic(
        slug=slug,
        naam=Localized.from_data(item.get("naam"), f"topic {slug}.naam"),
        beschrijving=Localized.from_data(item.get("beschrijving"), f"topic {slug}.beschrijving"),
    )
