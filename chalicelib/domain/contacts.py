"""Contact moments the KCC (or a behandelaar) records, after the Klantinteracties API's Klantcontact:
kanaal, onderwerp, inhoud, plaatsgevondenOp, taal, vertrouwelijk, indicatieContactGelukt.

A contact moment has two texts for two readers. ``inhoud`` is the internal note: what staff write down for the
next colleague ("Uitgelegd hoe de aanvrager de vergunning aanvraagt"), in their own words; the applicant never sees it.
``for_applicant`` is an optional sentence written to the applicant ("U belde ons over de vergunning van het
waterschap"): the only part of a contact moment the applicant's timeline shows, and only when there is one.
A moment stored before this sentence existed has none, so its note stays internal.

Tags are Baken's own (the Klantcontact has no field for them): short labels staff give a contact to classify
it ("dso", "vergunning-waterschap", "termijn"). They are internal, so only staff see them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.domain.cases import Medewerker
from chalicelib.domain.errors import Issue, ValidationError

KANALEN = ("telefoon", "e-mail", "balie", "brief", "chat", "webformulier", "sociale-media")

MAX_TAGS = 10
FOR_APPLICANT_MAX = 500
"""The sentence for the applicant is one or two sentences, not a second note."""
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
    for_applicant: str | None = None
    vraagonderwerp: str | None = None  # the onderwerp's code in the product's managed list (question_topics.py)

    def as_applicant_sees_it(self) -> ContactMoment | None:
        """The moment as it may be shown to the applicant: only the sentence written for them (as its text),
        with no internal note, subject or labels; None when there is no such sentence, or it is confidential."""
        if self.vertrouwelijk or not self.for_applicant:
            return None
        return replace(self, onderwerp="", inhoud=self.for_applicant, tags=(), vraagonderwerp=None)


def clean_for_applicant(text: str | None, *, vertrouwelijk: bool) -> str | None:
    """The sentence for the applicant as it is kept: without whitespace around it, None when empty. A
    confidential contact is shown to staff only, so it cannot have one (ValidationError on ``for_applicant``)."""
    cleaned = (text or "").strip() or None
    if cleaned is not None and vertrouwelijk:
        raise ValidationError.single("for_applicant", "not_with_vertrouwelijk")
    return cleaned
