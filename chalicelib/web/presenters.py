"""Domain objects as JSON, in the caller's language. The applicant's view and the staff view are the
same picture; staff additionally see who the parties are and the delivery status of notifications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chalicelib.domain.announcements import Announcement
from chalicelib.domain.berichtenbox import BerichtenboxMessage
from chalicelib.domain.case_view import CaseView, TimelineEntry, TimelineKind
from chalicelib.domain.cases import DocumentRequest, Link
from chalicelib.domain.catalogue import Statustype, Zaaktype
from chalicelib.domain.contacts import ContactMoment
from chalicelib.domain.geo import Area, Circle, Polygon, polygon_to_geojson
from chalicelib.domain.language import Language
from chalicelib.domain.notifications import Notification
from chalicelib.domain.reference import Point, ReferenceData
from chalicelib.domain.subscriptions import Subscriber, Subscription
from chalicelib.i18n import translate
from chalicelib.web.texts import TIMELINE_TITLES


def _when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _link(link: Link | None) -> dict[str, str] | None:
    return {"url": link.url, "label": link.label} if link else None


def _localized(text: Any, language: Language) -> str | None:
    return text.in_(language) if text is not None else None


def statustype_json(statustype: Statustype, language: Language) -> dict[str, Any]:
    return {
        "statustype": statustype.identificatie,
        "volgnummer": statustype.volgnummer,
        "omschrijving": statustype.omschrijving.in_(language),
        "toelichting": _localized(statustype.toelichting, language),
        "informeren": statustype.informeren,
        "is_eindstatus": statustype.is_eindstatus,
    }


def zaaktype_json(zaaktype: Zaaktype, language: Language) -> dict[str, Any]:
    return {
        "identificatie": zaaktype.identificatie,
        "omschrijving": zaaktype.omschrijving.in_(language),
        "product": zaaktype.product.value,
        "onderwerp": zaaktype.onderwerp,
        "doorlooptijd": str(zaaktype.doorlooptijd),
        "servicenorm": str(zaaktype.servicenorm) if zaaktype.servicenorm else None,
        "verlenging_mogelijk": zaaktype.verlenging_mogelijk,
        "verlengingstermijn": str(zaaktype.verlengingstermijn) if zaaktype.verlengingstermijn else None,
        "opschorting_mogelijk": zaaktype.opschorting_mogelijk,
        "voorwaarden": zaaktype.voorwaarden.in_(language),
        "informatie_url": zaaktype.informatie_url,
        "statustypen": [statustype_json(s, language) for s in zaaktype.statustypen],
        "vraagonderwerpen": [{"code": t.code, "naam": t.naam.in_(language)} for t in zaaktype.question_topics],
    }


def _document(document: DocumentRequest) -> dict[str, Any]:
    return {
        "id": document.id,
        "omschrijving": document.omschrijving,
        "requested_at": _when(document.requested_at),
        "due": _when(document.due),
        "received_at": _when(document.received_at),
        "state": document.state.value,
        "reason": document.reason,
        "verdict_reason": document.review.reason if document.review else None,
        "files": [
            {
                "id": f.id,
                "filename": f.filename,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
                "uploaded_at": _when(f.uploaded_at),
            }
            for f in document.files
        ],
    }


def contact_json(contact: ContactMoment, *, staff: bool) -> dict[str, Any]:
    """A contact moment with Klantinteracties field names. Staff get the internal note (``inhoud``), the
    sentence for the applicant, the subject, who took it and the labels; the applicant gets only what
    ``ContactMoment.as_applicant_sees_it`` leaves: its ``inhoud`` is the sentence written for them."""
    body: dict[str, Any] = {
        "id": contact.id,
        "kanaal": contact.kanaal,
        "inhoud": contact.inhoud,
        "plaatsgevonden_op": _when(contact.plaatsgevonden_op),
        "taal": contact.taal,
        "indicatie_contact_gelukt": contact.contact_gelukt,
    }
    if staff:
        body.update(
            {
                "onderwerp": contact.onderwerp,
                "vraagonderwerp": contact.vraagonderwerp,
                "for_applicant": contact.for_applicant,
                "medewerker": {"id": contact.medewerker.id, "naam": contact.medewerker.naam},
                "vertrouwelijk": contact.vertrouwelijk,
                "tags": list(contact.tags),
            }
        )
    return body


def _timeline_entry(entry: TimelineEntry, language: Language, *, staff: bool) -> dict[str, Any]:
    if entry.kind is TimelineKind.STATUS and entry.statustype is not None:
        title = entry.statustype.omschrijving.in_(language)
        body = _localized(entry.statustype.statustekst, language)
    else:
        title = translate(language, TIMELINE_TITLES[entry.kind.value])
        body = None
    result = {
        "kind": entry.kind.value,
        "at": _when(entry.at),
        "title": title,
        "statustekst": body,
        "text": entry.text,
        "link": _link(entry.link),
        "ref": entry.ref,
    }
    if entry.contact is not None:
        result["contact"] = contact_json(entry.contact, staff=staff)
    return result


def case_json(view: CaseView, language: Language, reference: ReferenceData, *, staff: bool, today: date) -> dict[str, Any]:
    case = view.case
    deadline = view.deadline
    gemeenten = []
    for code in case.location.gemeenten:
        gemeente = reference.gemeente(code)
        gemeenten.append({"code": code, "naam": gemeente.naam if gemeente else code})
    body: dict[str, Any] = {
        "id": case.id,
        "case_number": case.case_number,
        "zaaktype": {
            "identificatie": view.zaaktype.identificatie,
            "omschrijving": view.zaaktype.omschrijving.in_(language),
            "product": view.zaaktype.product.value,
            "informatie_url": view.zaaktype.informatie_url,
        },
        "omschrijving": case.omschrijving,
        "startdatum": _when(case.startdatum),
        "registered_at": _when(case.registered_at),
        "closed_on": _when(case.closed_on),
        "status": {
            **statustype_json(view.status, language),
            "statustekst": _localized(view.status.statustekst, language),
            "set_at": _when(view.status_entry.set_at),
            "toelichting_behandelaar": view.status_entry.toelichting,
        },
        "next_steps": [statustype_json(s, language) for s in view.next_steps],
        "deadline": {
            "due": _when(deadline.due),
            "state": deadline.state(today, closed=case.is_closed).value,
            "doorlooptijd": str(case.doorlooptijd),
            "servicenorm": str(case.servicenorm) if case.servicenorm else None,
            "servicenorm_due": _when(deadline.servicenorm_due),
            "paused_since": _when(deadline.paused_since),
            "days_left_when_paused": deadline.days_left_when_paused,
            "suspended_days": deadline.suspended_days,
            "extended": deadline.extended,
        },
        "behandelaar": {"naam": case.behandelaar.naam},
        "missing_documents": [_document(d) for d in view.missing_documents],
        "documents": [_document(d) for d in case.documents],
        "location": {
            "gemeenten": gemeenten,
            "point": {"lat": case.location.point.lat, "lon": case.location.point.lon} if case.location.point else None,
        },
        "timeline": [_timeline_entry(e, language, staff=staff) for e in view.timeline],
        "timeline_earlier": view.earlier,
    }
    if staff:
        body["behandelaar"]["id"] = case.behandelaar.id
        body["initiator"] = case.initiator
        body["co_initiators"] = list(case.co_initiators)
        body["gemachtigden"] = list(case.gemachtigden)
        body["vertrouwelijkheidaanduiding"] = case.vertrouwelijkheid.value
        body["version"] = case.version
        body["zaak_url"] = case.source  # the zaak in the zaaksysteem that owns the case; None: Baken holds it
    return body


def case_summary_json(view: CaseView, language: Language, *, today: date) -> dict[str, Any]:
    """A line in a list of cases ("Mijn zaken", the KCC's search): number, product, status, next step, deadline."""
    case = view.case
    return {
        "id": case.id,
        "case_number": case.case_number,
        "zaaktype": view.zaaktype.omschrijving.in_(language),
        "omschrijving": case.omschrijving,
        "status": view.status.omschrijving.in_(language),
        "next_step": view.next_steps[0].omschrijving.in_(language) if view.next_steps else None,
        "deadline": _when(view.deadline.due),
        "deadline_state": view.deadline.state(today, closed=case.is_closed).value,
        "missing_documents": len(view.missing_documents),
        "documents_to_review": len(case.documents_to_review),
    }


def case_list_json(views: list[CaseView], language: Language, *, today: date) -> dict[str, Any]:
    """A list of cases, one line each: an applicant's own, or those the KCC found."""
    return {"cases": [case_summary_json(view, language, today=today) for view in views]}


def notification_json(notification: Notification) -> dict[str, Any]:
    """Delivery status for behandelaar and KCC. The subscriber id is pseudonymous; no address is shown."""
    return {
        "id": notification.id,
        "event": notification.event_kind.value,
        "channel": notification.channel.value,
        "audience": notification.audience.value,
        "subscriber_id": notification.subscriber_id,
        "status": notification.status.value,
        "reason": notification.reason,
        "attempts": notification.attempts,
        "created_at": _when(notification.created_at),
        "updated_at": _when(notification.updated_at),
    }


def berichtenbox_json(message: BerichtenboxMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "case_id": message.case_id,
        "kind": message.kind.value,
        "title": message.title,
        "body": message.body,
        "link": _link(message.link),
        "created_at": _when(message.created_at),
        "read": not message.unread,
        "read_at": _when(message.read_at),
    }


def area_json(area: Area | None) -> dict[str, Any] | None:
    if isinstance(area, Circle):
        return {"circle": {"lat": area.center.lat, "lon": area.center.lon, "radius_m": area.radius_m}}
    if isinstance(area, Polygon):
        return {"polygon": polygon_to_geojson(area)}
    return None


def subscription_json(subscription: Subscription) -> dict[str, Any]:
    scope = subscription.scope
    return {
        "id": subscription.id,
        "case_id": scope.case_id,
        "topics": sorted(scope.topics),
        "gemeenten": sorted(scope.gemeenten),
        "area": area_json(scope.area),
        "origin": subscription.origin.value,
        "state": subscription.state.value,
        "indexed": subscription.indexed,
        "created_at": _when(subscription.created_at),
    }


def preferences_json(subscriber: Subscriber) -> dict[str, Any]:
    """What someone chose. The e-mail address is theirs to see; it appears in no other answer."""
    address = subscriber.postal_address
    return {
        "email": subscriber.email,
        "channels": sorted(c.value for c in subscriber.channels),
        "reachable_channels": sorted(c.value for c in subscriber.reachable_channels),
        "language": subscriber.language.value,
        "frequency": subscriber.frequency.value,
        "quiet_hours": subscriber.quiet_hours,
        "postal_address": address.__dict__ if address else None,
    }


def announcement_json(announcement: Announcement) -> dict[str, Any]:
    geometry = announcement.place.geometry
    return {
        "id": announcement.id,
        "title": announcement.title,
        "text": announcement.text,
        "topic": announcement.topic,
        "gemeenten": list(announcement.place.gemeenten),
        "point": {"lat": geometry.lat, "lon": geometry.lon} if isinstance(geometry, Point) else None,
        "polygon": polygon_to_geojson(geometry) if isinstance(geometry, Polygon) else None,
        "link": _link(announcement.link),
        "status": announcement.status.value,
        "author": {"id": announcement.author.id, "naam": announcement.author.naam},
        "created_at": _when(announcement.created_at),
        "submitted_at": _when(announcement.submitted_at),
        "decided_by": {"id": announcement.decided_by.id, "naam": announcement.decided_by.naam}
        if announcement.decided_by
        else None,
        "decided_at": _when(announcement.decided_at),
        "rejection_reason": announcement.rejection_reason,
    }
