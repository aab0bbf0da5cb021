"""A rol's betrokkene as the subject the person or company logs in with (``PartyPseudonyms``).

A person (``natuurlijk_persoon``) is named by a BSN in the zaaksysteem, and never in Baken: the login broker gives
Baken a pairwise pseudonymous subject instead (OIDC Core 1.0 §8.1, pairwise identifiers: one subject per person
per sector, computed from the BSN with a key the broker and Baken share for that sector). This adapter computes
the same subject from the rol's ``inpBsn``: HMAC-SHA256 over the sector and the BSN with that key, written as
``pu-`` and 24 lowercase hex digits (96 bits). So the initiator the zaaksysteem names is the person who logs in,
and the BSN is gone as soon as the rol is read: it is neither stored nor logged, and cannot be read back from the
subject without the key.

A company is named as ``chalicelib.adapters.identity`` names a represented company: ``kvk:<8 digits>`` by its KvK
number (``kvkNummer``; a vestiging by its company's), else ``rsin:<9 digits>`` by its RSIN (``innNnpId``, with the
eleven test). Older zaaksystemen put the KvK number in ``innNnpId``: eight digits there are read as one.

``local_personas`` (test BSN → subject) is for the local stage only: its dev issuer stands in for the broker and
gives its personas fixed subjects (chalicelib/data/dev_personas.json), not pairwise ones, so a zaak in the local
zaaksysteem that names a persona's test BSN must find that persona.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.domain.zgw import BetrokkeneType, ZgwRol
from chalicelib.services.ports import PartyPseudonyms

SUBJECT_PREFIX = "pu-"
SUBJECT_HEX_DIGITS = 24
_BSN = re.compile(r"\d{8,9}")
_KVK = re.compile(r"\d{8}")
_RSIN = re.compile(r"\d{9}")


def passes_elfproef(digits: str) -> bool:
    """The eleven test a BSN and an RSIN pass: the first eight digits weighted 9..2, minus the last digit, is a
    multiple of 11 (nine zeros are no number)."""
    if len(digits) != 9 or not digits.isdigit() or digits == "0" * 9:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


def pairwise_subject(bsn: str, *, key: bytes, sector: str) -> str:
    """The pairwise subject of a person in ``sector``: ``pu-`` + the first 24 hex digits of
    HMAC-SHA256(key, sector + "|" + bsn)."""
    digest = hmac.new(key, f"{sector}|{bsn}".encode(), hashlib.sha256).hexdigest()
    return SUBJECT_PREFIX + digest[:SUBJECT_HEX_DIGITS]


def _text(identificatie: Mapping[str, Any], name: str) -> str:
    value = identificatie.get(name)
    return value.strip() if isinstance(value, str) else ""


def _company(identificatie: Mapping[str, Any]) -> str | None:
    """A niet-natuurlijk persoon by its KvK number, else by its RSIN (eight digits in ``innNnpId``: a KvK number)."""
    kvk = _text(identificatie, "kvkNummer")
    if _KVK.fullmatch(kvk):
        return f"kvk:{kvk}"
    nnp = _text(identificatie, "innNnpId")
    if _KVK.fullmatch(nnp):
        return f"kvk:{nnp}"
    if _RSIN.fullmatch(nnp) and passes_elfproef(nnp):
        return f"rsin:{nnp}"
    return None


class PairwisePseudonyms(PartyPseudonyms):
    """``PartyPseudonyms`` by the broker's pairwise function (see the module docstring). ``key_provider`` gives the
    shared key (read again on each call, so a rotated secret is picked up where the provider caches it)."""

    def __init__(
        self,
        key_provider: Callable[[], bytes | str],
        sector: str,
        *,
        local_personas: Mapping[str, str] | None = None,
    ) -> None:
        if not sector:
            raise ValueError("a sector is required")
        self._key_provider = key_provider
        self._sector = sector
        self._local_personas = dict(local_personas or {})

    def subject_for(self, rol: ZgwRol) -> str | None:
        identificatie = rol.identificatie if isinstance(rol.identificatie, Mapping) else {}
        kind = rol.betrokkene_type
        if kind == BetrokkeneType.NATUURLIJK_PERSOON:
            return self._person(_text(identificatie, "inpBsn"))
        if kind == BetrokkeneType.NIET_NATUURLIJK_PERSOON:
            return _company(identificatie)
        if kind == BetrokkeneType.VESTIGING:
            kvk = _text(identificatie, "kvkNummer")
            return f"kvk:{kvk}" if _KVK.fullmatch(kvk) else None
        return None  # an organisatorische eenheid or a medewerker: not someone Baken informs

    def _person(self, bsn: str) -> str | None:
        if not _BSN.fullmatch(bsn):
            return None
        bsn = bsn.zfill(9)  # a BSN written without its leading zero
        if not passes_elfproef(bsn):
            return None
        persona = self._local_personas.get(bsn)
        if persona is not None:
            return persona
        key = self._key_provider()
        return pairwise_subject(bsn, key=key.encode() if isinstance(key, str) else key, sector=self._sector)
