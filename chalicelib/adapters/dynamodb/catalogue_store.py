"""The catalogue refreshed from the Catalogi API (``CatalogueStore``), in the case-index table: the current one at
``catalogue`` / ``current``, and each one whose content changed at ``catalogue`` / ``version#<changed_at>``
(kept ``KEEP_VERSIONS``, then TTL removes it), so an operator can see which catalogue was in force when.

The catalogue is stored compressed (zlib) in one item: a province's catalogue in the data file's form is tens of
kilobytes, a fraction of that compressed, far below DynamoDB's 400 KB item limit. Every function reads the current
item with one GetItem at most every few minutes (``LiveCatalogue``)."""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import BinaryAttribute, JSONAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model

from chalicelib.adapters.dynamodb.models import point_at
from chalicelib.domain.catalogi import CatalogiNote, CatalogiProblem, StoredCatalogue
from chalicelib.services.ports import CatalogueStore

PARTITION = "catalogue"
CURRENT = "current"
KEEP_VERSIONS = timedelta(days=400)
MAX_STORED_BYTES = 350_000  # below the item limit, with room for the other attributes


class CatalogueTooLargeError(Exception):
    pass


class CatalogueItem(Model):
    class Meta:
        table_name = "baken-local-case-index"
        region = "eu-west-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    data = BinaryAttribute(legacy_encoding=False)
    fingerprint = UnicodeAttribute()
    read_at = UnicodeAttribute()
    changed_at = UnicodeAttribute()
    source = UnicodeAttribute()
    notes = JSONAttribute(default=list)
    expires_at = TTLAttribute(null=True)


class DynamoDBCatalogueStore(CatalogueStore):
    def __init__(self, table_name: str, region: str) -> None:
        point_at(CatalogueItem, table_name, region)

    def load(self) -> StoredCatalogue | None:
        try:
            item = CatalogueItem.get(PARTITION, CURRENT, consistent_read=True)
        except DoesNotExist:
            return None
        return StoredCatalogue(
            data=json.loads(zlib.decompress(item.data)),
            fingerprint=item.fingerprint,
            read_at=datetime.fromisoformat(item.read_at),
            changed_at=datetime.fromisoformat(item.changed_at),
            source=item.source,
            notes=tuple(
                CatalogiNote(str(n["zaaktype"]), CatalogiProblem(n["problem"]), str(n.get("detail", "")))
                for n in item.notes or []
                if n.get("problem") in {p.value for p in CatalogiProblem}
            ),
        )

    def save(self, stored: StoredCatalogue, *, changed: bool) -> None:
        packed = zlib.compress(json.dumps(stored.data, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), 9)
        if len(packed) > MAX_STORED_BYTES:
            raise CatalogueTooLargeError(f"the catalogue is {len(packed)} bytes compressed, more than {MAX_STORED_BYTES}")
        fields: dict[str, Any] = {
            "data": packed,
            "fingerprint": stored.fingerprint,
            "read_at": stored.read_at.isoformat(),
            "changed_at": stored.changed_at.isoformat(),
            "source": stored.source,
            "notes": [note.to_json() for note in stored.notes],
        }
        if changed:
            CatalogueItem(
                PARTITION, f"version#{stored.changed_at.isoformat()}", expires_at=stored.changed_at + KEEP_VERSIONS, **fields
            ).save()
        CatalogueItem(PARTITION, CURRENT, **fields).save()
