"""Languages Baken speaks to people, and text that exists in each of them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chalicelib.domain.errors import CatalogueError


class Language(StrEnum):
    NL = "nl"
    EN = "en"

    @classmethod
    def from_accept_language(cls, header: str | None) -> Language:
        """Pick the first supported language of an HTTP Accept-Language header; Dutch by default."""
        if not header:
            return cls.NL
        ranked: list[tuple[float, int, str]] = []
        for position, part in enumerate(header.split(",")):
            tag, _, params = part.strip().partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            if quality > 0:  # q=0 means "not acceptable" (RFC 9110, section 12.4.2)
                ranked.append((-quality, position, tag.strip().lower()[:2]))
        supported = {language.value for language in cls}
        for _, _, prefix in sorted(ranked):
            if prefix in supported:
                return cls(prefix)
        return cls.NL


@dataclass(frozen=True)
class Localized:
    """A text in Dutch (the default) and English."""

    nl: str
    en: str

    def in_(self, language: Language) -> str:
        return self.en if language is Language.EN else self.nl

    def as_dict(self) -> dict[str, str]:
        return {"nl": self.nl, "en": self.en}

    @classmethod
    def from_data(cls, data: Any, where: str) -> Localized:
        if isinstance(data, dict) and isinstance(data.get("nl"), str) and isinstance(data.get("en"), str):
            return cls(nl=data["nl"], en=data["en"])
        raise CatalogueError(f"{where}: expected an object with 'nl' and 'en' texts")
