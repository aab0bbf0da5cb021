"""The server's side of the pages' sessions (model ``SessionItem``, in the case-index table): logging out marks the
item ``ended`` (an UpdateItem, which the functions' policy already allows on that table; it needs no DeleteItem),
after which it opens nothing until TTL removes it."""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.adapters.dynamodb.models import SessionItem
from chalicelib.domain.identity import Role
from chalicelib.domain.login import Realm, SessionRecord
from chalicelib.services.ports import SessionStore

SORT_KEY = "session"


def _key(sid: str) -> str:
    return f"session#{sid}"


class DynamoDBSessions(SessionStore):
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
