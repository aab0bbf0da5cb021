"""CatalogueStore: the in-memory twin and the case-index table keep the catalogue refreshed from the Catalogi API
alike — nothing before the first refresh, the current one as it was saved (notes and moments included), and a new
one replacing it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.adapters.dynamodb.catalogue_store import CatalogueItem, CatalogueTooLargeError, DynamoDBCatalogueStore
from chalicelib.adapters.memory import InMemoryCatalogueStore
from chalicelib.domain.catalogi import CatalogiNote, CatalogiProblem, StoredCatalogue, fingerprint
from chalicelib.services.ports import CatalogueStore
from tests.contract.conftest import twins
from tests.factories import T0

OWN = json.loads((Path(__file__).resolve().parents[2] / "chalicelib" / "data" / "zaaktypen.json").read_text(encoding="utf-8"))


def _real(_: object) -> CatalogueStore:
    settings = wiring.adapters().settings
    return DynamoDBCatalogueStore(settings.tables.case_index, settings.region)


stores = twins(InMemoryCatalogueStore, _real)


def _stored(**changes: Any) -> StoredCatalogue:
    notes = (CatalogiNote("klacht", CatalogiProblem.NOT_IN_CATALOGI), CatalogiNote("x", CatalogiProblem.INVALID, "why"))
    stored = StoredCatalogue(OWN, fingerprint(OWN), T0, T0 - timedelta(days=1), "https://zgw.example/catalogussen/1", notes)
    return replace(stored, **changes)


def test_nothing_is_stored_before_the_first_refresh(stores: CatalogueStore):
    assert stores.load() is None


def test_the_catalogue_comes_back_as_it_was_saved(stores: CatalogueStore):
    stores.save(_stored(), changed=True)
    assert stores.load() == _stored()


def test_a_newer_one_replaces_it(stores: CatalogueStore):
    stores.save(_stored(), changed=True)
    newer = _stored(read_at=T0 + timedelta(hours=1), data={"zaaktypen": OWN["zaaktypen"][:1]}, fingerprint="f2")
    stores.save(newer, changed=True)
    assert stores.load() == newer


def test_each_changed_catalogue_is_kept_as_a_version_on_dynamodb(stack):
    store = _real(stack)
    store.save(_stored(), changed=True)
    store.save(_stored(read_at=T0 + timedelta(hours=1)), changed=False)
    store.save(_stored(changed_at=T0 + timedelta(hours=2), fingerprint="f2"), changed=True)
    keys = [item.sk for item in CatalogueItem.query("catalogue")]
    assert keys == [
        "current",
        f"version#{(T0 - timedelta(days=1)).isoformat()}",
        f"version#{(T0 + timedelta(hours=2)).isoformat()}",
    ]


def test_a_catalogue_too_large_for_one_item_is_refused_and_the_stored_one_stays(stack):
    store = _real(stack)
    store.save(_stored(), changed=True)
    noise = {"zaaktypen": [{"identificatie": f"z{n}", "text": f"{n:x}" * 40 + str(hash(str(n)))} for n in range(20_000)]}
    with pytest.raises(CatalogueTooLargeError):
        store.save(_stored(data=noise, fingerprint="big"), changed=True)
    assert store.load() == _stored()
