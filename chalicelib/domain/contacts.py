"""Contact moments the KCC (or a behandelaar) records, after the Klantinteracties API's Klantcontact:
kanaal, onderwerp, inhoud, plaatsgevondenOp, taal, vertrouwelijk, indicatieContactGelukt.

Tags are Baken's own (the Klantcontact has no field for them): short labels staff give a contact to classify
it ("dso", "vergunning-waterschap", "termijn"). They are internal, so only staff see them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.cases import Medewerker
from chalicelib.domain.errors import Issue, ValidationError

KANALEN = ("telefoon", "e-mail", "balie", "brief", "chat", "webformulier", "sociale-media")

MAX_TAGS = 10
MAX_TAG_LENGTH = 30
TAG_PATTERN = rf"[A-Za-z0-9](?:[A-Za-z0-9-]{{0,{MAX_TAG_LENGTH - 2}}}[A-Za-z0-9])?"
"""One tag as it may be given: letters a-z (either case), digits and hyphens, starting and ending with a letter or
a digit, at most ``MAX_TAG_LENGTH`` characters. No spaces: ``vergunning-waterschap``."""
_TAG = re.compile(TAG_PATTERN)


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as they are kept: without whitespace around them, in lower case, each once, in the order given.
    Raises ValidationError naming ``tags`` (more than ``MAX_TAGS``) or ``tags.<n>`` (the tag at index n)."""
    given = list(tags)
    if len(given) > MAX_TAGS:
        raise ValidationError.single("tags", "too_many_items", max=MAX_TAGS)
    trimmed = [tag.strip() for tag in given]
    wrong = [Issue(f"tags.{index}", "invalid_tag") for index, tag in enumerate(trimmed) if not _TAG.fullmatch(tag)]
    if wrong:
        raise ValidationError(wrong)
    return tuple(dict.fromkeys(tag.lower() for tag in trimmed))


@dataclass(frozen=True)
class ContactMoment:
    id: str
    case_id: str
    kanaal: str
    onderwerp: str
    inhoud: str
    plaatsgevonden_op: datetime
    medewerker: Medewerker
    taal: str = "nld"
    vertrouwelijk: bool = False
    contact_gelukt: bool = True
    tags: tuple[str, ...] = ()
