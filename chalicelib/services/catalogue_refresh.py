"""The catalogue from the zaaksysteem's Catalogi API: refreshed into the store, read from there by every function.

``CatalogueRefresh.refresh`` reads the configured catalogus (the zaaktypen Baken's own catalogue has, with their
statustypen), lays Baken's own settings over it (``chalicelib.domain.catalogi``) and stores the result. It runs
when the zaaksysteem announces a change on the kanaal ``zaaktypen`` (the notice goes through the notices queue,
in a message group of its own, so two refreshes never run at once) and when an operator asks for it
(``python -m chalicelib.ops refresh-catalogue``). A notice whose change an earlier refresh already read is done
without reading anything: a zaaktype published with ten statustypen is ten notifications, and one refresh.

``LiveCatalogue`` is the catalogue every use case gets when a catalogus is configured: the stored one, read again
at most every ``ttl`` seconds (one GetItem), so a change in the Catalogi API reaches every function within
minutes. Before the first refresh, or when the stored one cannot be used, it is Baken's own catalogue.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.catalogi import CatalogiMerge, StoredCatalogue, merge_catalogi
from chalicelib.domain.catalogue import Catalogue, Zaaktype
from chalicelib.domain.errors import CatalogueError
from chalicelib.services.ports import CatalogueStore, Clock, ZaakSource

LIVE_TTL_SECONDS = 300.0
# A notice sent this long before a refresh began reading is in that refresh (the zaaksysteem's clock and ours
# may differ a little; a notice within the margin is read again).
CLOCK_MARGIN = timedelta(seconds=60)


@dataclass(frozen=True)
class RefreshResult:
    refreshed: bool  # False: an earlier refresh already read the change
    changed: bool = False
    merge: CatalogiMerge | None = None


class CatalogueRefresh:
    def __init__(
        self,
        source: ZaakSource,
        store: CatalogueStore,
        own: Mapping[str, Any],
        topics: Collection[str],
        catalogus_url: str,
        clock: Clock,
    ) -> None:
        self._source = source
        self._store = store
        self._own = own
        self._topics = topics
        self._catalogus_url = catalogus_url
        self._clock = clock

    def refresh(self, announced_at: datetime | None = None) -> RefreshResult:
        """Read the catalogus and store the merged catalogue. ``announced_at``: when the zaaksysteem announced
        the change that asks for this refresh; nothing is read when a refresh begun after it is stored. Raises a
        ``ZgwError`` when the Catalogi API cannot be read (the stored catalogue stays as it was)."""
        stored = self._store.load()
        if announced_at is not None and stored is not None and stored.read_at >= announced_at + CLOCK_MARGIN:
            return RefreshResult(refreshed=False)
        read_at = self._clock.now()
        wanted = [entry["identificatie"] for entry in self._own["zaaktypen"]]
        listing = self._source.catalogue(self._catalogus_url, wanted, read_at.date())
        merge = merge_catalogi(listing.zaaktypen, self._own, self._topics, read_at.date(), elsewhere=listing.others)
        changed = stored is None or stored.fingerprint != merge.fingerprint
        self._store.save(
            StoredCatalogue(
                data=merge.data,
                fingerprint=merge.fingerprint,
                read_at=read_at,
                changed_at=read_at if changed or stored is None else stored.changed_at,
                source=self._catalogus_url,
                notes=merge.notes,
            ),
            changed=changed,
        )
        return RefreshResult(refreshed=True, changed=changed, merge=merge)


class LiveCatalogue(Catalogue):
    """The stored catalogue (see the module docstring), Baken's own (``fallback``) until there is one.
    ``on_unusable(reason)`` is told when the stored one is not a valid catalogue (it is then not used)."""

    def __init__(
        self,
        store: CatalogueStore,
        fallback: Catalogue,
        topics: Collection[str],
        *,
        ttl: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_unusable: Callable[[str], None] | None = None,
    ) -> None:
        # Deliberately not Catalogue.__init__: the zaaktypen are the current catalogue's, looked up per use.
        self._store = store
        self._topics = topics
        self._ttl = LIVE_TTL_SECONDS if ttl is None else ttl
        self._clock = clock
        self._on_unusable = on_unusable or (lambda reason: None)
        self._current = fallback
        self._fingerprint: str | None = None
        self._next_check = float("-inf")

    def current(self) -> Catalogue:
        now = self._clock()
        if now < self._next_check:
            return self._current
        self._next_check = now + self._ttl
        stored = self._store.load()
        if stored is not None and stored.fingerprint != self._fingerprint:
            try:
                self._current = Catalogue.from_data(stored.data, self._topics)
            except CatalogueError as error:
                self._on_unusable(str(error))
            self._fingerprint = stored.fingerprint
        return self._current

    def get(self, identificatie: str) -> Zaaktype:
        return self.current().get(identificatie)

    def __iter__(self) -> Iterator[Zaaktype]:
        return iter(self.current())

    def __len__(self) -> int:
        return len(self.current())

    def to_data(self) -> dict[str, Any]:
        return self.current().to_data()
