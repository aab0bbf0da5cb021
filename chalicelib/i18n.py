"""Texts in the reader's language, from gettext catalogues (``chalicelib/locale/<language>/LC_MESSAGES/baken.mo``).

Dutch is the source language: a message id is the Dutch (B1) text itself, and the English catalogue translates
it. Placeholders are named, ``%(name)s``, and a text is always formatted (a literal percent sign is ``%%``).
A catalogue is read with the standard library on first use, once per language; the ``.mo`` files are compiled
from the ``.po`` files when Baken is built (``make setup``), so neither Babel nor jinja2 is needed here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gettext import GNUTranslations

DOMAIN = "baken"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# How gettext joins a context and a message id (pgettext): "context\x04message".
CONTEXT_SEPARATOR = "\x04"


class CatalogueMissingError(RuntimeError):
    """A language's compiled catalogue is not there: Baken was not built (``make setup`` compiles it)."""


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue where it is defined; ``translate`` gives it in a language where it
    is shown."""
    return message


def NP_(context: str, message: str) -> str:
    """Like ``N_``, for a Dutch text that needs another translation in ``context`` than elsewhere."""
    return f"{context}{CONTEXT_SEPARATOR}{message}"


def catalogue_path(language: str) -> Path:
    """The compiled catalogue of ``language`` (``nl``, ``en``)."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


def translator(language: str) -> GNUTranslations:
    """The translations of ``language`` (a ``Language`` or its code), read on first use and kept."""
    return _read(str(language))


@cache
def _read(language: str) -> GNUTranslations:
    from gettext import GNUTranslations

    path = catalogue_path(language)
    try:
        with path.open("rb") as file:
            return GNUTranslations(file)
    except FileNotFoundError as error:
        raise CatalogueMissingError(f"{path} is missing: compile the catalogues with `make setup`") from error


def translate(language: str, message: str, /, **values: Any) -> str:
    """``message`` (a Dutch text marked with ``N_`` or ``NP_``) in ``language``, its placeholders filled
    from ``values``."""
    context, separator, text = message.rpartition(CONTEXT_SEPARATOR)
    words = translator(language)
    translated = words.pgettext(context, text) if separator else words.gettext(text)
    return translated % values
