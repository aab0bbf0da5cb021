"""The server's side of the pages' sessions: in the case-index table under ``session#<id>`` (sort key ``session``),
expiring through the table's TTL (``expires_at``) when the session's absolute lifetime ends. Logging out marks the
item ``ended`` (an UpdateItem, which the functions' policy already allows on that table; it needs no DeleteItem),
after which it opens nothing until TTL removes it. The in-memory twin keeps them in a dict."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.attributes import TTLAttribute as _TTL
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.models import Model

from chalicelib.config import Settings
from chalicelib.domain.identity import Role
from chalicelib.domain.login import Realm, SessionRecord
from chalicelib.services.ports import SessionStore

SORT_KEY = "session"


class SessionItem(Model):
    class Meta:
        table_name = "baken-local-case-index"
        region = "eu-west-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    subject = UnicodeAttribute()
    realm = UnicodeAttribute()
    roles = UnicodeSetAttribute(null=True)
    last_seen = NumberAttribute()
    roles_checked = NumberAttribute()
    sealed_refresh = UnicodeAttribute(null=True)
    ended = BooleanAttribute(null=True)
    expires_at = _TTL()


def _key(sid: str) -> str:
    return f"session#{sid}"


class DynamoDBSessions(SessionStore):
    def __init__(self, settings: Settings) -> None:
        SessionItem.Meta.table_name = settings.tables.case_index
        SessionItem.Meta.region = settings.region
        SessionItem._connection = None

    def put(self, record: SessionRecord) -> None:
        item = SessionItem(
            pk=_key(record.sid),
            sk=SORT_KEY,
            subject=record.subject,
            realm=record.realm.value,
            roles={r.value for r in record.roles} or None,
            last_seen=record.last_seen.timestamp(),
            roles_checked=record.roles_checked.timestamp(),
            sealed_refresh=record.refresh,
            expires_at=record.expires,
        )
        try:
            item.save(condition=SessionItem.ended.does_not_exist())
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def get(self, sid: str) -> SessionRecord | None:
        from datetime import UTC

        try:
            item = SessionItem.get(_key(sid), SORT_KEY, consistent_read=True)
        except DoesNotExist:
            return None
        if item.ended:
            return None
        return SessionRecord(
            sid=sid,
            subject=item.subject,
            realm=Realm(item.realm),
            roles=frozenset(Role(r) for r in item.roles or ()),
            last_seen=datetime.fromtimestamp(float(item.last_seen), UTC),
            roles_checked=datetime.fromtimestamp(float(item.roles_checked), UTC),
            expires=item.expires_at,
            refresh=item.sealed_refresh,
        )

    def end(self, sid: str) -> None:
        try:
            SessionItem(pk=_key(sid), sk=SORT_KEY).update(
                actions=[SessionItem.ended.set(True), SessionItem.sealed_refresh.remove()],
                condition=SessionItem.pk.exists(),
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise


class InMemorySessions(SessionStore):
    def __init__(self) -> None:
        self.records: dict[str, SessionRecord] = {}
        self.ended: set[str] = set()

    def put(self, record: SessionRecord) -> None:
        if record.sid not in self.ended:
            self.records[record.sid] = record

    def get(self, sid: str) -> SessionRecord | None:
        return self.records.get(sid)

    def end(self, sid: str) -> None:
        self.records.pop(sid, None)
        self.ended.add(sid)
