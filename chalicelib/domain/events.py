"""Domain events: what happened that people should hear about, derived from a case's old and new state (a
DynamoDB stream record's two images), or from an announcement being approved.

Each event has a business id that is the same however often the record is delivered, so the outbox can
refuse duplicates: the status entry, the message or the document requests it is about.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from chalicelib.domain.cases import Case
from chalicelib.domain.catalogue import Vertrouwelijkheid, Zaaktype
from chalicelib.domain.deadlines import deadline_for
from chalicelib.domain.geo import Geometry, Polygon, geometry_keys
from chalicelib.domain.reference import Point
from chalicelib.domain.subscriptions import Interest


class EventKind(StrEnum):
    STATUS_CHANGED = "status_changed"
    DOCUMENTS_REQUESTED = "documents_requested"
    MESSAGE_POSTED = "message_posted"
    DEADLINE_CHANGED = "deadline_changed"
    DOCUMENT_REMINDER = "document_reminder"  # a requested document is due soon, or today (the deadline watch)
    ANNOUNCEMENT = "announcement"
    DIGEST = "digest"
    SUBSCRIPTION_CONFIRMATION = "subscription_confirmation"

    @property
    def action_required(self) -> bool:
        """The reader has to do something: such messages are never held back for a digest or the night."""
        return self in (EventKind.DOCUMENTS_REQUESTED, EventKind.DOCUMENT_REMINDER, EventKind.SUBSCRIPTION_CONFIRMATION)


# What happens to a case (the rest is about announcements, digests and subscriptions).
CASE_KINDS = frozenset(
    {
        EventKind.STATUS_CHANGED,
        EventKind.DOCUMENTS_REQUESTED,
        EventKind.MESSAGE_POSTED,
        EventKind.DEADLINE_CHANGED,
        EventKind.DOCUMENT_REMINDER,
    }
)


@dataclass(frozen=True)
class Place:
    """Where something happens: gemeenten (CBS codes) and, when known, a point or polygon."""

    gemeenten: tuple[str, ...] = ()
    geometry: Geometry | None = None


@dataclass(frozen=True)
class CaseEvent:
    """Something to tell people about. ``case_id`` is the case, or for an announcement the announcement."""

    id: str
    kind: EventKind
    case_id: str
    ref: str
    occurred_at: datetime
    public: bool
    topic: str | None = None
    place: Place | None = None


_ID_PARTS = {
    EventKind.STATUS_CHANGED: "status",
    EventKind.DOCUMENTS_REQUESTED: "documents",
    EventKind.MESSAGE_POSTED: "message",
    EventKind.DEADLINE_CHANGED: "deadline",
    EventKind.DOCUMENT_REMINDER: "watch",
    EventKind.ANNOUNCEMENT: "announcement",
    EventKind.DIGEST: "digest",
    EventKind.SUBSCRIPTION_CONFIRMATION: "confirmation",
}


def derive_events(old: Case | None, new: Case | None, zaaktype: Zaaktype, observed_at: datetime) -> list[CaseEvent]:
    """What changed between two states of one case that people should be told about.

    - a new status whose statustype has ``informeren``; when one write adds several statuses (an import)
      only the newest is told;
    - newly requested documents, as one event;
    - each new message;
    - a changed deadline (extended, paused or resumed) of an open case.
    A write that changes nothing of this yields nothing. Only a status change of a public case (publicatie-
    indicatie and openbaar) is news for followers of its topic and place; everything else is for its parties.
    """
    if new is None:
        return []
    public = zaaktype.publicatie_indicatie and new.vertrouwelijkheid is Vertrouwelijkheid.OPENBAAR
    place = Place(new.location.gemeenten, new.location.point)

    def event(kind: EventKind, ref: str, at: datetime, *, key: str | None = None, is_public: bool = False) -> CaseEvent:
        return CaseEvent(f"{new.id}/{_ID_PARTS[kind]}/{key or ref}", kind, new.id, ref, at, is_public, zaaktype.onderwerp, place)

    events: list[CaseEvent] = []
    known_statuses = {s.id for s in old.statuses} if old else set()
    added_statuses = [s for s in new.statuses if s.id not in known_statuses]
    if added_statuses:
        newest = added_statuses[-1]
        if zaaktype.statustype(newest.statustype).informeren:
            events.append(event(EventKind.STATUS_CHANGED, newest.id, newest.set_at, is_public=public))

    known_documents = {d.id for d in old.documents} if old else set()
    added_documents = [d for d in new.documents if d.id not in known_documents]
    if added_documents:
        ref = ",".join(sorted(d.id for d in added_documents))
        digest = hashlib.sha256(ref.encode()).hexdigest()[:16]
        events.append(event(EventKind.DOCUMENTS_REQUESTED, ref, added_documents[-1].requested_at, key=digest))

    known_messages = {m.id for m in old.messages} if old else set()
    events.extend(
        event(EventKind.MESSAGE_POSTED, message.id, message.posted_at)
        for message in new.messages
        if message.id not in known_messages
    )

    if old is not None and not new.is_closed and _deadline_shown(old) != _deadline_shown(new):
        events.append(event(EventKind.DEADLINE_CHANGED, f"v{new.version}", observed_at))
    return events


def interests_for(event: CaseEvent) -> list[Interest]:
    """The interest keys an event reaches, most specific first: its case; then, for public news, the cells
    of its location, its gemeenten (each also narrowed to the event's topic), and its topic anywhere."""
    interests = [] if event.kind is EventKind.ANNOUNCEMENT else [Interest.case(event.case_id)]
    if not event.public:
        return interests
    topic = event.topic
    places: list[Interest] = []
    if event.place is not None:
        if event.place.geometry is not None:
            places.extend(Interest.cell(key) for key in sorted(geometry_keys(event.place.geometry)))
        places.extend(Interest.gemeente(code) for code in event.place.gemeenten)
    for place in places:
        interests.append(place)
        if topic:
            interests.append(Interest(place.kind, place.value, topic))
    if topic:
        interests.append(Interest.topic_anywhere(topic))
    return interests


def _deadline_shown(case: Case) -> tuple[object, ...]:
    deadline = deadline_for(case)
    return (deadline.due, deadline.paused_since)


def event_to_json(event: CaseEvent) -> dict[str, Any]:
    """The event as a JSON object (a fan-out job carries it); ``event_from_json`` gives it back unchanged."""
    place: dict[str, Any] | None = None
    if event.place is not None:
        geometry = event.place.geometry
        shape: dict[str, Any] | None = None
        if isinstance(geometry, Point):
            shape = {"point": [geometry.lat, geometry.lon]}
        elif isinstance(geometry, Polygon):
            shape = {"rings": [[[p.lat, p.lon] for p in ring] for ring in geometry.rings]}
        place = {"gemeenten": list(event.place.gemeenten), "geometry": shape}
    return {
        "id": event.id,
        "kind": event.kind.value,
        "case_id": event.case_id,
        "ref": event.ref,
        "occurred_at": event.occurred_at.isoformat(),
        "public": event.public,
        "topic": event.topic,
        "place": place,
    }


def event_from_json(data: dict[str, Any]) -> CaseEvent:
    """The event ``event_to_json`` wrote (KeyError or ValueError for anything else)."""
    place = None
    if data["place"] is not None:
        shape = data["place"]["geometry"]
        geometry: Geometry | None = None
        if shape is not None and "point" in shape:
            geometry = Point(float(shape["point"][0]), float(shape["point"][1]))
        elif shape is not None:
            rings = [tuple(Point(float(lat), float(lon)) for lat, lon in ring) for ring in shape["rings"]]
            geometry = Polygon(rings[0], tuple(rings[1:]))
        place = Place(tuple(str(code) for code in data["place"]["gemeenten"]), geometry)
    return CaseEvent(
        id=str(data["id"]),
        kind=EventKind(data["kind"]),
        case_id=str(data["case_id"]),
        ref=str(data["ref"]),
        occurred_at=datetime.fromisoformat(data["occurred_at"]),
        public=bool(data["public"]),
        topic=data["topic"],
        place=place,
    )
