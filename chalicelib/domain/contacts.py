"""Contact moments the KCC (or a behandelaar) records, after the Klantinteracties API's Klantcontact:
kanaal, onderwerp, inhoud, plaatsgevondenOp, taal, vertrouwelijk, indicatieContactGelukt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.cases import Medewerker

KANALEN = ("telefoon", "e-mail", "balie", "brief", "chat", "webformulier", "sociale-media")


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
