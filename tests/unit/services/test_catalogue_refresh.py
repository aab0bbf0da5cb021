"""The catalogue refreshed from the Catalogi API on in-memory twins: a refresh stores the merged catalogue (a new
version only when it changed), a change an earlier refresh already read costs nothing, a Catalogi API that is down
leaves the stored catalogue as it was, and every function reads the stored one at most once per ttl."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from chalicelib.adapters.memory import InMemoryCatalogueStore, InMemoryNotices, InMemoryZaakSource
from chalicelib.domain.catalogi import CatalogiProblem
from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.errors import UnknownZaaktypeError
from chalicelib.domain.zgw import Handling, ZaakNotice
from chalicelib.services.catalogue_refresh import CLOCK_MARGIN, CatalogueRefresh, LiveCatalogue
from chalicelib.services.ports import ZgwUnavailableError
from chalicelib.services.zaak_sync import ZaakIntake
from tests.factories import SUBSIDIE, T0, FixedClock, catalogue, reference
from tests.zgw_builders import CATALOGI, zgw_zaaktype

OWN = json.loads((Path(__file__).resolve().parents[3] / "chalicelib" / "data" / "zaaktypen.json").read_text(encoding="utf-8"))
TOPICS = [t.slug for t in reference().topics()]
CATALOGUS = f"{CATALOGI}/catalogussen/cc000000-0000-4000-8000-000000000001"
NEW_TEXT = "Wij hebben nog iets van u nodig. U ziet hieronder wat."


@pytest.fixture
def world():
    source, store, clock = InMemoryZaakSource(), InMemoryCatalogueStore(), FixedClock(T0)
    source.catalogi = [zgw_zaaktype()]
    return source, store, clock, CatalogueRefresh(source, store, OWN, TOPICS, CATALOGUS, clock)


def _text_of_step(catalogue: Catalogue, n: int) -> str:
    text = catalogue.get(SUBSIDIE).statustypen[n - 1].statustekst
    assert text is not None
    return text.nl


def _texted(text: str):
    ours = zgw_zaaktype()
    return replace(ours, statustypen=tuple(replace(s, statustekst=text) if s.volgnummer == 3 else s for s in ours.statustypen))


def test_a_refresh_stores_the_merged_catalogue_and_a_version_only_when_it_changed(world):
    source, store, clock, refresh = world
    first = refresh.refresh()
    assert (first.refreshed, first.changed, first.merge.from_catalogi) == (True, True, (SUBSIDIE,))
    assert store.current.source == CATALOGUS
    assert store.current.read_at == T0
    clock.current += timedelta(hours=1)
    again = refresh.refresh()
    assert (again.refreshed, again.changed, len(store.versions)) == (True, False, 1)
    assert (store.current.read_at, store.current.changed_at) == (T0 + timedelta(hours=1), T0)
    source.catalogi = [_texted(NEW_TEXT)]
    clock.current += timedelta(hours=1)
    changed = refresh.refresh()
    assert (changed.changed, len(store.versions), store.current.changed_at) == (True, 2, clock.current)
    assert any(n.problem is CatalogiProblem.TRANSLATION_OUTDATED for n in store.current.notes)


def test_a_change_an_earlier_refresh_already_read_reads_nothing(world):
    source, _store, _clock, refresh = world
    refresh.refresh()
    announced_before = T0 - CLOCK_MARGIN - timedelta(seconds=1)
    source.catalogi = ZgwUnavailableError(CATALOGUS, "would fail if read")
    assert refresh.refresh(announced_before).refreshed is False
    # a change announced within the clock margin of the last read is read again
    with pytest.raises(ZgwUnavailableError):
        refresh.refresh(T0 - CLOCK_MARGIN + timedelta(seconds=1))


def test_a_catalogi_api_that_is_down_leaves_the_stored_catalogue_as_it_was(world):
    source, store, _, refresh = world
    refresh.refresh()
    before = store.current
    source.catalogi = ZgwUnavailableError(CATALOGUS, "timeout")
    with pytest.raises(ZgwUnavailableError):
        refresh.refresh()
    assert store.current is before


def test_every_function_reads_the_stored_catalogue_at_most_once_per_ttl():
    store, now = InMemoryCatalogueStore(), [0.0]
    live = LiveCatalogue(store, catalogue(), TOPICS, ttl=300, clock=lambda: now[0])
    # before the first refresh: Baken's own catalogue
    assert live.get(SUBSIDIE) == catalogue().get(SUBSIDIE)
    source = InMemoryZaakSource()
    source.catalogi = [_texted(NEW_TEXT)]
    CatalogueRefresh(source, store, OWN, TOPICS, CATALOGUS, FixedClock(T0)).refresh()
    assert _text_of_step(live, 3) != NEW_TEXT  # read 0 s ago: not again yet
    loads = store.loads
    now[0] = 301
    assert _text_of_step(live, 3) == NEW_TEXT
    for _ in range(100):
        assert len(live) == len(catalogue())
    assert store.loads == loads + 1


def test_a_stored_catalogue_that_is_not_valid_is_not_used_and_reported():
    store, reported = InMemoryCatalogueStore(), list[str]()
    source = InMemoryZaakSource()
    source.catalogi = [zgw_zaaktype()]
    CatalogueRefresh(source, store, OWN, TOPICS, CATALOGUS, FixedClock(T0)).refresh()
    assert store.current is not None
    store.current = replace(store.current, data={"zaaktypen": "broken"}, fingerprint="other")
    live = LiveCatalogue(store, catalogue(), TOPICS, on_unusable=reported.append)
    assert live.get(SUBSIDIE) == catalogue().get(SUBSIDIE)
    assert reported
    assert "zaaktypen" in reported[0]
    with pytest.raises(UnknownZaaktypeError):
        live.get("not-a-zaaktype")


def test_a_zaaktype_change_is_queued_only_when_the_catalogue_is_read_from_the_catalogi_api():
    changed = f"{CATALOGI}/statustypen/y"
    notice = ZaakNotice("n-1", f"{CATALOGI}/zaaktypen/x", "statustype", "partial_update", changed, T0, Handling.CATALOGUE)
    without, with_catalogi = InMemoryNotices(), InMemoryNotices()
    assert ZaakIntake(without).accept(notice) is False
    assert ZaakIntake(with_catalogi, reads_catalogue=True).accept(notice) is True
    assert (len(without.notices), len(with_catalogi.notices)) == (0, 1)
