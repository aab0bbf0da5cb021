"""The catalogue from the zaaksysteem's Catalogi API, with Baken's own settings laid over it.

Where a province keeps its zaaktypen in a Catalogi API, that is where a functional administrator changes a
statustekst, a doorlooptijd or whether a step is ``informeren``; Baken takes those from there. What the Catalogi
API has no field for stays in Baken's own catalogue (chalicelib/data/zaaktypen.json): the product, the case
number prefix, the topic people follow, the conditions, the information link — and the English texts.

``merge_catalogi`` lays the two over each other, per zaaktype ``identificatie``:

* From the Catalogi API (the version valid today, ``definitief``): ``omschrijving``, ``doorlooptijd``,
  ``servicenorm``, ``verlengingMogelijk``, ``verlengingstermijn``, ``opschortingEnAanhoudingMogelijk``,
  ``publicatieIndicatie``, ``vertrouwelijkheidaanduiding``, and the statustypen with their ``volgnummer``,
  ``omschrijving``, ``informeren``, ``statustekst``, ``toelichting`` and ``isEindstatus``.
* From Baken's catalogue: ``product``, ``caseNumberPrefix``, ``onderwerp`` (the topic), ``voorwaarden``,
  ``informatieUrl``, and each statustype's ``identificatie`` (matched on the Dutch ``omschrijving``, else on
  ``volgnummer``; a step Baken's catalogue does not have gets one made from its omschrijving).
* English: the text of Baken's catalogue, as long as its Dutch is the Catalogi API's Dutch. When the Dutch was
  changed in the Catalogi API, the English translation no longer says the same: the Dutch text is shown in
  English too, and a note says which translation to bring up to date.

A zaaktype in the Catalogi API that Baken's catalogue does not have is left out (a note says so: Baken needs a
product, a prefix and a topic for it). A zaaktype only Baken's catalogue has stays as it is: cases Baken holds
itself use it. A zaaktype whose merge is not a valid catalogue entry keeps the version of Baken's catalogue.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from chalicelib.domain.catalogue import Catalogue, zaaktype_from_data
from chalicelib.domain.errors import CatalogueError
from chalicelib.domain.zgw import ZgwStatustype, ZgwZaaktype

MAX_NOTES = 200


class CatalogiProblem(StrEnum):
    NO_BAKEN_SETTINGS = "no_baken_settings"  # in the Catalogi API only: left out
    TRANSLATION_OUTDATED = "translation_outdated"  # the Dutch changed: English shows the Dutch until translated
    NO_TRANSLATION = "no_translation"  # a text Baken's catalogue does not have: English shows the Dutch
    NO_STATUSTEKST = "no_statustekst"  # informeren without a statustekst: Baken's text is used
    INVALID = "invalid"  # the merge is no valid entry: Baken's version stays
    NOT_IN_CATALOGI = "not_in_catalogi"  # in Baken's catalogue only: stays, for Baken's own cases


@dataclass(frozen=True)
class CatalogiNote:
    zaaktype: str
    problem: CatalogiProblem
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {"zaaktype": self.zaaktype, "problem": self.problem.value, "detail": self.detail}


@dataclass(frozen=True)
class CatalogiMerge:
    data: dict[str, Any]  # the data file's form
    catalogue: Catalogue
    from_catalogi: tuple[str, ...]
    notes: tuple[CatalogiNote, ...]

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.data)


@dataclass(frozen=True)
class StoredCatalogue:
    """The merged catalogue as the last refresh stored it. ``read_at``: when that refresh began reading the
    Catalogi API — a change the zaaksysteem announced before then is in it. ``changed_at``: when its content
    last changed."""

    data: Mapping[str, Any]
    fingerprint: str
    read_at: datetime
    changed_at: datetime
    source: str
    notes: tuple[CatalogiNote, ...] = ()


def fingerprint(data: Mapping[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def current_versions(zaaktypen: Iterable[ZgwZaaktype], today: date) -> list[ZgwZaaktype]:
    """Per ``identificatie`` the version valid ``today`` (not a concept; begun; not ended), the newest
    ``versiedatum`` when the zaaksysteem has more than one; in the order first seen."""
    chosen: dict[str, ZgwZaaktype] = {}
    for zaaktype in zaaktypen:
        if zaaktype.concept:
            continue
        if zaaktype.begin_geldigheid is not None and zaaktype.begin_geldigheid > today:
            continue
        if zaaktype.einde_geldigheid is not None and zaaktype.einde_geldigheid < today:
            continue
        earlier = chosen.get(zaaktype.identificatie)
        if earlier is None or _version_key(zaaktype) > _version_key(earlier):
            chosen[zaaktype.identificatie] = zaaktype
    return list(chosen.values())


def _version_key(zaaktype: ZgwZaaktype) -> tuple[date, date]:
    return (zaaktype.versiedatum or date.min, zaaktype.begin_geldigheid or date.min)


def slug(text: str) -> str:
    """An identificatie from a text: ``Aanvullende informatie nodig`` -> ``aanvullende-informatie-nodig``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:50] or "status"


class _Notes:
    def __init__(self) -> None:
        self.items: list[CatalogiNote] = []

    def add(self, zaaktype: str, problem: CatalogiProblem, detail: str = "") -> None:
        if len(self.items) < MAX_NOTES:
            self.items.append(CatalogiNote(zaaktype, problem, detail))


def _localized(nl: str, own: Any, zaaktype: str, where: str, notes: _Notes) -> dict[str, str]:
    """The Catalogi API's Dutch with the English of Baken's catalogue while that still translates it."""
    if isinstance(own, Mapping) and isinstance(own.get("nl"), str) and isinstance(own.get("en"), str):
        if own["nl"].strip() == nl.strip():
            return {"nl": nl, "en": own["en"]}
        notes.add(zaaktype, CatalogiProblem.TRANSLATION_OUTDATED, where)
    else:
        notes.add(zaaktype, CatalogiProblem.NO_TRANSLATION, where)
    return {"nl": nl, "en": nl}


def _statustype(
    step: ZgwStatustype,
    own: Mapping[str, Any] | None,
    taken: set[str],
    zaaktype: str,
    notes: _Notes,
) -> dict[str, Any]:
    where = f"statustypen[{step.volgnummer}]"
    identificatie = own["identificatie"] if own and own.get("identificatie") not in taken else slug(step.omschrijving)
    if identificatie in taken:
        identificatie = f"{identificatie}-{step.volgnummer}"
    taken.add(identificatie)
    mine: Mapping[str, Any] = own or {}
    statustekst: Any = None
    if step.statustekst:
        statustekst = _localized(step.statustekst, mine.get("statustekst"), zaaktype, f"{where}.statustekst", notes)
    elif step.informeren:
        statustekst = mine.get("statustekst")
        notes.add(zaaktype, CatalogiProblem.NO_STATUSTEKST, where)
    toelichting: Any = mine.get("toelichting")
    if step.toelichting:
        toelichting = _localized(step.toelichting, toelichting, zaaktype, f"{where}.toelichting", notes)
    return {
        "identificatie": identificatie,
        "volgnummer": step.volgnummer,
        "omschrijving": _localized(step.omschrijving, mine.get("omschrijving"), zaaktype, f"{where}.omschrijving", notes),
        "informeren": step.informeren,
        "statustekst": statustekst,
        "toelichting": toelichting,
        "isEindstatus": step.is_eindstatus,
    }


def _own_steps(steps: Sequence[ZgwStatustype], own: Sequence[Mapping[str, Any]]) -> dict[int, Mapping[str, Any]]:
    """Baken's step for each of the Catalogi API's (by volgnummer): the one with the same Dutch omschrijving, else
    the one at the same volgnummer that no other step took — so a step inserted in the process does not take
    the identity of the step it pushed on, and a step that was renamed keeps its own."""
    by_name = {str(s["omschrijving"]["nl"]).strip().casefold(): s for s in own}
    by_number = {s["volgnummer"]: s for s in own}
    matched: dict[int, Mapping[str, Any]] = {}
    used: set[str] = set()
    for step in steps:
        found = by_name.get(step.omschrijving.strip().casefold())
        if found is not None and found["identificatie"] not in used:
            matched[step.volgnummer] = found
            used.add(found["identificatie"])
    for step in steps:
        found = by_number.get(step.volgnummer)
        if step.volgnummer not in matched and found is not None and found["identificatie"] not in used:
            matched[step.volgnummer] = found
            used.add(found["identificatie"])
    return matched


def _merged_entry(zaaktype: ZgwZaaktype, own: Mapping[str, Any], notes: _Notes) -> dict[str, Any]:
    ident = zaaktype.identificatie
    own_steps = _own_steps(zaaktype.statustypen, [s for s in own.get("statustypen", []) if isinstance(s, Mapping)])
    taken: set[str] = set()
    return {
        **own,
        "omschrijving": _localized(zaaktype.omschrijving, own.get("omschrijving"), ident, "omschrijving", notes),
        "doorlooptijd": str(zaaktype.doorlooptijd),
        "servicenorm": None if zaaktype.servicenorm is None else str(zaaktype.servicenorm),
        "verlengingMogelijk": zaaktype.verlenging_mogelijk,
        "verlengingstermijn": None if zaaktype.verlengingstermijn is None else str(zaaktype.verlengingstermijn),
        "opschortingEnAanhoudingMogelijk": zaaktype.opschorting_mogelijk,
        "publicatieIndicatie": zaaktype.publicatie_indicatie,
        "vertrouwelijkheidaanduiding": zaaktype.vertrouwelijkheidaanduiding.value,
        "statustypen": [_statustype(s, own_steps.get(s.volgnummer), taken, ident, notes) for s in zaaktype.statustypen],
    }


def merge_catalogi(
    zaaktypen: Sequence[ZgwZaaktype],
    own: Mapping[str, Any],
    topics: Collection[str],
    today: date,
    *,
    elsewhere: Collection[str] = (),
) -> CatalogiMerge:
    """Baken's catalogue (``own``: the data file's content, valid) with what the Catalogi API says of its
    zaaktypen (see the module docstring). ``elsewhere``: identificaties the Catalogi API has that were not read
    (Baken's catalogue lacks them), for the notes. CatalogueError only when ``own`` is not a valid catalogue."""
    notes = _Notes()
    catalogi = {z.identificatie: z for z in current_versions(zaaktypen, today)}
    entries: list[dict[str, Any]] = []
    taken_over: list[str] = []
    for entry in own["zaaktypen"]:
        ident = entry["identificatie"]
        zaaktype = catalogi.pop(ident, None)
        if zaaktype is None:
            notes.add(ident, CatalogiProblem.NOT_IN_CATALOGI)
            entries.append(dict(entry))
            continue
        entry_notes = _Notes()
        merged = _merged_entry(zaaktype, entry, entry_notes)
        try:
            zaaktype_from_data(merged, set(topics))
        except CatalogueError as error:
            notes.add(ident, CatalogiProblem.INVALID, str(error))
            entries.append(dict(entry))
            continue
        for note in entry_notes.items:
            notes.add(note.zaaktype, note.problem, note.detail)
        entries.append(merged)
        taken_over.append(ident)
    for ident in sorted({*catalogi, *elsewhere}):
        notes.add(ident, CatalogiProblem.NO_BAKEN_SETTINGS)
    data = {"zaaktypen": entries}
    return CatalogiMerge(data, Catalogue.from_data(data, topics), tuple(taken_over), tuple(notes.items))
