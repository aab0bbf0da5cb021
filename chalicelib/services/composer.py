"""What a notification says: the message's context (case, announcement, digest or confirmation, with the
unsubscribe and manage links) and its rendering on the notification's channel.

Delivery asks it what to send; the behandelaar's preview asks it what a change not saved yet would say. Both
get the words from the same code, so a preview is what the applicant will receive.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, TypeVar

from chalicelib.domain.announcements import Announcement
from chalicelib.domain.cases import Case, CaseMessage, DocumentRequest, DocumentState, HistoryKind, StatusEntry
from chalicelib.domain.catalogue import Catalogue, Zaaktype
from chalicelib.domain.deadlines import deadline_for
from chalicelib.domain.errors import AnnouncementNotFoundError, CaseNotFoundError
from chalicelib.domain.events import CASE_KINDS, EventKind
from chalicelib.domain.matching import PARTY_CHANNELS, Audience
from chalicelib.domain.notifications import FailureReason, Notification
from chalicelib.domain.reference import ReferenceData
from chalicelib.domain.satisfaction import open_until
from chalicelib.domain.subscriptions import Channel, Subscriber, SubscriptionState
from chalicelib.domain.watch import reminder_ref
from chalicelib.services.links import Links
from chalicelib.services.ports import (
    AnnouncementRepository,
    CaseRepository,
    MessageContext,
    MessageRenderer,
    NotificationOutbox,
    RenderedEmail,
    RenderedPortalMessage,
    SubscriptionRepository,
)

_Item = TypeVar("_Item", StatusEntry, CaseMessage, DocumentRequest)


class Undeliverable(Exception):
    """This notification can never be sent: what it is about is gone, or nobody wants it any more."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class MessageRenderingError(Exception):
    """Rendering failed: a template is missing, asks for something its context lacks (StrictUndefined), or
    has an error. Rendering reads nothing but the packaged templates, so every attempt would fail the same way."""

    def __init__(self, cause: Exception) -> None:
        self.cause = type(cause).__name__
        super().__init__(self.cause)


class MessageComposer:
    def __init__(
        self,
        *,
        cases: CaseRepository,
        announcements: AnnouncementRepository,
        subscriptions: SubscriptionRepository,
        outbox: NotificationOutbox,
        catalogue: Catalogue,
        reference: ReferenceData,
        links: Links,
        renderer: MessageRenderer,
    ) -> None:
        self._cases = cases
        self._announcements = announcements
        self._subscriptions = subscriptions
        self._outbox = outbox
        self._catalogue = catalogue
        self._reference = reference
        self._links = links
        self._renderer = renderer
        self._batch_cases: dict[str, Case] | None = None
        self._batch_announcements: dict[str, Announcement] = {}

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Within one batch of messages a case or an announcement is read once, however many notifications are
        about it; what they render (a status entry, a message, an approved announcement: locked once approved)
        never changes once written. Outside it nothing is kept."""
        self._batch_cases = {}
        self._batch_announcements = {}
        try:
            yield
        finally:
            self._batch_cases = None
            self._batch_announcements = {}

    def compose(self, notification: Notification) -> MessageContext:
        """What ``notification`` says, in its language; Undeliverable when that can no longer be said."""
        return self._context(notification)

    def email(self, context: MessageContext) -> RenderedEmail:
        with _rendering():
            return self._renderer.email(context)

    def portal(self, context: MessageContext) -> RenderedPortalMessage:
        with _rendering():
            return self._renderer.portal(context)

    def letter(self, context: MessageContext) -> RenderedPortalMessage:
        with _rendering():
            return self._renderer.letter(context)

    def still_wanted(self, notification: Notification, subscriber: Subscriber | None) -> None:
        """Undeliverable for someone who stopped this channel, or this subscription, after it was planned (a
        digest waits up to a week). A confirmation was asked for just now, so it is never held; but an address
        without e-mail among its channels — its owner chose the berichtenbox only or stopped all e-mail, or it
        bounced hard or complained — gets no confirmation either: anybody can ask for one with any address.
        The request's answer was the same (the decision is made here, off the request)."""
        if notification.event_kind is EventKind.SUBSCRIPTION_CONFIRMATION:
            if subscriber is not None and Channel.EMAIL not in subscriber.channels:
                raise Undeliverable(FailureReason.OPTED_OUT)
            return
        if notification.audience is Audience.PARTY and notification.channel in PARTY_CHANNELS:
            return  # a party always finds every message about their case in the berichtenbox
        if subscriber is not None and notification.channel not in subscriber.channels:
            raise Undeliverable(FailureReason.OPTED_OUT)
        if notification.audience is Audience.FOLLOWER and notification.subscription_id:
            subscription = self._subscriptions.get(notification.subscription_id)
            if subscription is not None and subscription.state is not SubscriptionState.ACTIVE:
                raise Undeliverable(FailureReason.OPTED_OUT)

    def _case(self, case_id: str) -> Case:
        try:
            if self._batch_cases is None:
                return self._cases.get(case_id)
            if case_id not in self._batch_cases:
                self._batch_cases[case_id] = self._cases.get(case_id)
            return self._batch_cases[case_id]
        except CaseNotFoundError:
            raise Undeliverable(FailureReason.CASE_GONE) from None

    def _announcement(self, announcement_id: str) -> Announcement:
        if self._batch_cases is None:  # not inside a batch
            return self._announcements.get(announcement_id)
        if announcement_id not in self._batch_announcements:
            self._batch_announcements[announcement_id] = self._announcements.get(announcement_id)
        return self._batch_announcements[announcement_id]

    def _context(self, notification: Notification) -> MessageContext:
        kind = notification.event_kind
        if kind in CASE_KINDS:
            return self._case_context(notification)
        if kind is EventKind.ANNOUNCEMENT:
            return self._announcement_context(notification)
        if kind is EventKind.DIGEST:
            return self._digest_context(notification)
        return self._confirmation_context(notification)

    def _frame(self, notification: Notification, **values: Any) -> MessageContext:
        """The parts every message has: language, audience, the portal, and the unsubscribe and manage links."""
        unsubscribe = manage = None
        all_email = False
        if notification.channel is not Channel.PORTAL:  # the berichtenbox is behind login: no links to sign
            if notification.subscription_id and notification.audience is not Audience.PARTY:
                unsubscribe = self._links.unsubscribe_subscription(notification.subscription_id)
            else:
                # a party of a case stops e-mail (about everything), never the berichtenbox about their own case;
                # the e-mail says so next to the link
                unsubscribe = self._links.unsubscribe_email(notification.subscriber_id)
                all_email = True
            manage = self._links.manage(notification.subscriber_id)
        values.setdefault("case_number", None)
        values.setdefault("product", None)
        values.setdefault("portal_url", self._links.home())
        values.setdefault("link", None)
        return MessageContext(
            kind=notification.event_kind,
            audience=notification.audience,
            language=notification.language,
            home_url=self._links.home(),
            unsubscribe_url=unsubscribe,
            manage_url=manage,
            unsubscribe_all_email=all_email,
            **values,
        )

    def _gemeente_names(self, codes: tuple[str, ...]) -> list[str]:
        return [g.naam for code in codes if (g := self._reference.gemeente(code))]

    def preview(self, notification: Notification, case: Case) -> RenderedEmail | RenderedPortalMessage:
        """What ``notification`` would say about ``case`` (a change not saved yet), on its own channel, by the
        same code that delivers it; its unsubscribe and manage links carry no working token."""
        context = self._case_context(notification, case)
        context = replace(
            context,
            unsubscribe_url=_unsigned(context.unsubscribe_url),
            manage_url=_unsigned(context.manage_url),
            detail=_unsigned_question(context.detail),
        )
        if notification.channel is Channel.EMAIL:
            return self._renderer.email(context)
        if notification.channel is Channel.LETTER:
            return self._renderer.letter(context)
        return self._renderer.portal(context)

    def _case_context(self, notification: Notification, case: Case | None = None) -> MessageContext:
        case = case or self._case(notification.case_id)
        zaaktype = self._catalogue.get(case.zaaktype)
        party = notification.audience is Audience.PARTY
        detail, link = self._case_detail(notification, case, zaaktype, party)
        return self._frame(
            notification,
            case_number=case.case_number,
            product=zaaktype.omschrijving.in_(notification.language),
            portal_url=self._links.case(case.id) if party else self._links.home(),
            detail=detail,
            link=link,
        )

    def _case_detail(self, notification: Notification, case: Case, zaaktype: Zaaktype, party: bool) -> tuple[dict[str, Any], Any]:
        language = notification.language
        detail: dict[str, Any] = {"gemeenten": self._gemeente_names(case.location.gemeenten)}
        link = None
        kind = notification.event_kind
        if kind is EventKind.STATUS_CHANGED:
            entry = next((s for s in case.statuses if s.id == notification.ref), None)
            entry = entry or self._from_history(case, HistoryKind.STATUS, notification.ref, StatusEntry) or case.current_status
            statustype = zaaktype.statustype(entry.statustype)
            detail["status"] = statustype.omschrijving.in_(language)
            detail["statustekst"] = statustype.statustekst.in_(language) if statustype.statustekst else None
            detail["toelichting"] = entry.toelichting if party else None
            detail["is_eindstatus"] = statustype.is_eindstatus
            detail["satisfaction"] = self._satisfaction(notification, case) if statustype.is_eindstatus and party else None
        elif kind is EventKind.MESSAGE_POSTED:
            message = next((m for m in case.messages if m.id == notification.ref), None)
            message = message or self._from_history(case, HistoryKind.MESSAGE, notification.ref, CaseMessage)
            if message is None:
                raise Undeliverable(FailureReason.CASE_GONE)
            detail["text"] = message.text
            link = message.link
        elif kind is EventKind.DOCUMENTS_REQUESTED:
            # the request as it was made; what came in since is marked, not left out
            wanted = set(notification.ref.split(","))
            held = [d for d in case.documents if d.id in wanted]
            # one the case item no longer holds was received (open requests stay on it): from the history
            gone = sorted(wanted - {d.id for d in held})
            found = (self._from_history(case, HistoryKind.DOCUMENT_REQUESTED, i, DocumentRequest) for i in gone)
            earlier = [replace(d, received_at=d.received_at or d.requested_at) for d in found if d is not None]
            detail["documents"] = [
                {"omschrijving": d.omschrijving, "due": d.due, "received": d.received, "reason": d.reason}
                for d in (*earlier, *held)
            ]
        elif kind is EventKind.DOCUMENT_REMINDER:
            document_id, due, stage = reminder_ref(notification.ref)
            document = next((d for d in case.documents if d.id == document_id), None)
            if document is None or document.due != due or document.state is not DocumentState.REQUESTED:
                raise Undeliverable(FailureReason.NO_LONGER_NEEDED)  # sent in, or given another date, meanwhile
            detail["document"] = {"omschrijving": document.omschrijving, "due": document.due, "today": stage == "due"}
        elif kind is EventKind.DEADLINE_CHANGED:
            deadline = deadline_for(case)
            detail["due"] = deadline.due
            detail["paused"] = deadline.due is None
        return detail, link

    def _satisfaction(self, notification: Notification, case: Case) -> dict[str, Any] | None:
        """The satisfaction question in the message that tells a party their case closed: until when it is open
        and, in an e-mail, one signed link per score for this person (the berichtenbox and a letter send them to
        the case page, behind login)."""
        if case.closed_on is None:
            return None
        links = []
        if notification.channel is Channel.EMAIL:
            found = self._links.satisfaction(case.id, notification.subscriber_id, case.closed_on, notification.language.value)
            links = [{"score": score, "url": url} for score, url in found]
        return {"until": open_until(case.closed_on), "links": links}

    def _from_history(self, case: Case, kind: HistoryKind, ref: str, shape: type[_Item]) -> _Item | None:
        """What a notification is about when the case item no longer holds it in its tail (it was delivered after
        more happened, e.g. in a digest): the history entry, looked for newest first."""
        entry = self._cases.history_entry(case.id, kind, ref)
        return entry.item if entry is not None and isinstance(entry.item, shape) else None

    def _announcement_context(self, notification: Notification) -> MessageContext:
        try:
            announcement = self._announcement(notification.ref)
        except AnnouncementNotFoundError:
            raise Undeliverable(FailureReason.CASE_GONE) from None
        topic = self._reference.topic(announcement.topic)
        detail = {
            "title": announcement.title,
            "text": announcement.text,
            "topic": topic.naam.in_(notification.language) if topic else announcement.topic,
            "gemeenten": self._gemeente_names(announcement.place.gemeenten),
        }
        # its button opens the announcement's public page: it works for whoever got it, with or without DigiD
        return self._frame(
            notification, detail=detail, link=announcement.link, portal_url=self._links.announcement(announcement.id)
        )

    def _digest_context(self, notification: Notification) -> MessageContext:
        items = []
        for item_id in notification.digest_items:
            item = self._outbox.get(item_id)
            if item is None:
                continue
            with contextlib.suppress(Undeliverable):
                self.still_wanted(item, None)
                items.append(self._summary(self._context(item)))
        if not items:
            raise Undeliverable(FailureReason.OPTED_OUT)
        return self._frame(notification, detail={"items": items})

    @staticmethod
    def _summary(context: MessageContext) -> dict[str, Any]:
        return {
            "kind": context.kind.value,
            "case_number": context.case_number,
            "product": context.product,
            "title": context.detail.get("title"),
            "status": context.detail.get("status"),
            "gemeenten": context.detail.get("gemeenten", []),
        }

    def _confirmation_context(self, notification: Notification) -> MessageContext:
        subscription = self._subscriptions.get(notification.ref)
        if subscription is None:
            raise Undeliverable(FailureReason.CASE_GONE)
        scope = subscription.scope
        language = notification.language
        detail = {
            "confirm_url": self._links.confirm(subscription.id),
            "topics": [t.naam.in_(language) for slug in sorted(scope.topics) if (t := self._reference.topic(slug))],
            "gemeenten": self._gemeente_names(tuple(sorted(scope.gemeenten))),
            "area": scope.area is not None,
        }
        return self._frame(notification, detail=detail)


@contextmanager
def _rendering() -> Iterator[None]:
    """Whatever goes wrong inside the renderer is a MessageRenderingError."""
    try:
        yield
    except Exception as error:
        raise MessageRenderingError(error) from error


def _unsigned_question(detail: Mapping[str, Any]) -> Mapping[str, Any]:
    """The satisfaction links of a preview without their token: a behandelaar must not hold the applicant's link."""
    question = detail.get("satisfaction")
    if not question or not question["links"]:
        return detail
    links = [
        {**link, "url": re.sub(r"/tevredenheid/[^?]+", "/tevredenheid/voorbeeld", link["url"])} for link in question["links"]
    ]
    return {**detail, "satisfaction": {**question, "links": links}}


def _unsigned(url: str | None) -> str | None:
    """A signed link with its token left out, for a preview that must not hand anybody a working one."""
    return url.split("?", 1)[0] + "?token=voorbeeld" if url else None
