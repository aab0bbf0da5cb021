"""Creates adapters and services on first use (cached per process, as Lambda keeps them warm).

Tests call ``reset()`` after changing the environment, or ``override()`` to put in-memory twins in place.
Nothing heavy is imported until a getter is first called.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from chalicelib.config import Settings, settings

if TYPE_CHECKING:
    from chalicelib.adapters.identity import DevIssuer, JwtVerifier, Persona
    from chalicelib.domain.catalogue import Catalogue
    from chalicelib.domain.notifications import Notification
    from chalicelib.domain.reference import ReferenceData
    from chalicelib.services.announcements import Announcements
    from chalicelib.services.case_commands import CaseCommands
    from chalicelib.services.case_queries import Berichtenbox, CaseQueries
    from chalicelib.services.contacts import ContactRegistry
    from chalicelib.services.delivery import Delivery
    from chalicelib.services.digests import DigestRun
    from chalicelib.services.fanout import FanOut
    from chalicelib.services.feedback import FeedbackRecorder
    from chalicelib.services.links import Links
    from chalicelib.services.ports import (
        AnnouncementRepository,
        CaseRepository,
        ChangeFeed,
        Clock,
        ContactMomentStore,
        DeliveryQueue,
        EmailSender,
        FeedbackSource,
        InboxStore,
        LetterSender,
        LoginProvider,
        MessageRenderer,
        NotificationOutbox,
        RateLimiter,
        SubscriberDirectory,
        SubscriptionRepository,
    )
    from chalicelib.services.previews import ChangePreviews
    from chalicelib.services.reconciler import Reconciler
    from chalicelib.services.subscriptions import SubscriptionService

DATA = Path(__file__).resolve().parent / "data"
_overrides: dict[str, Any] = {}


def override(**adapters: Any) -> None:
    """Replace adapters by name (``cases``, ``subscriptions``, ``subscribers``, ``outbox``, ``queue``,
    ``email``, ``inbox``, ``renderer``, ``clock``, ``verifier``) and rebuild the services around them."""
    _overrides.update(adapters)
    _clear()


def reset() -> None:
    """Forget every adapter and service, and the settings they were built from."""
    _overrides.clear()
    settings.cache_clear()
    _clear()


def _clear() -> None:
    for getter in _CACHED:
        getter.cache_clear()


def _read_json(name: str) -> Any:
    with open(DATA / name, encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=1)
def reference() -> ReferenceData:
    from chalicelib.domain.reference import ReferenceData

    return ReferenceData.from_data(_read_json("gemeenten.json"), _read_json("topics.json"))


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    from chalicelib.domain.catalogue import Catalogue

    return Catalogue.from_data(_read_json("zaaktypen.json"), (t.slug for t in reference().topics()))


@lru_cache(maxsize=1)
def clock() -> Clock:
    from chalicelib.services.ports import Clock

    return _overrides.get("clock") or Clock()


@lru_cache(maxsize=1)
def _bound_settings() -> Settings:
    current = settings()
    from chalicelib.adapters.dynamodb.models import bind

    bind(current)
    return current


def _dynamodb(name: str, class_name: str) -> Any:
    """An override by ``name``, or the DynamoDB adapter ``class_name`` on tables bound to this stage."""
    if name in _overrides:
        return _overrides[name]
    _bound_settings()
    from chalicelib.adapters.dynamodb import repositories

    return getattr(repositories, class_name)()


@lru_cache(maxsize=1)
def cases() -> CaseRepository:
    return cast("CaseRepository", _dynamodb("cases", "DynamoDBCases"))


@lru_cache(maxsize=1)
def announcement_store() -> AnnouncementRepository:
    return cast("AnnouncementRepository", _dynamodb("announcements", "DynamoDBAnnouncements"))


@lru_cache(maxsize=1)
def limiter() -> RateLimiter:
    return cast("RateLimiter", _dynamodb("limiter", "DynamoDBRateLimiter"))


@lru_cache(maxsize=1)
def contacts() -> ContactMomentStore:
    return cast("ContactMomentStore", _dynamodb("contacts", "DynamoDBContacts"))


@lru_cache(maxsize=1)
def subscriptions() -> SubscriptionRepository:
    return cast("SubscriptionRepository", _dynamodb("subscriptions", "DynamoDBSubscriptions"))


@lru_cache(maxsize=1)
def subscribers() -> SubscriberDirectory:
    if "subscribers" in _overrides:
        return cast("SubscriberDirectory", _overrides["subscribers"])
    _bound_settings()
    from chalicelib.adapters.dynamodb.repositories import DynamoDBSubscribers

    return DynamoDBSubscribers(fingerprint=email_fingerprinter())


@lru_cache(maxsize=1)
def email_fingerprinter() -> Callable[[str], str]:
    from functools import partial

    from chalicelib.domain.tokens import email_fingerprint

    return partial(email_fingerprint, secret=settings().token_secret)


@lru_cache(maxsize=1)
def outbox() -> NotificationOutbox:
    return cast("NotificationOutbox", _dynamodb("outbox", "DynamoDBOutbox"))


@lru_cache(maxsize=1)
def inbox() -> InboxStore:
    return cast("InboxStore", _dynamodb("inbox", "DynamoDBInbox"))


@lru_cache(maxsize=8)
def boto_client(service: str) -> Any:
    import boto3

    return boto3.client(service, region_name=settings().region)


@lru_cache(maxsize=1)
def queue() -> DeliveryQueue:
    if "queue" in _overrides:
        return _overrides["queue"]  # type: ignore[no-any-return]
    from chalicelib.adapters.sqs_queue import SqsDeliveryQueue

    client = boto_client("sqs")

    @lru_cache(maxsize=1)
    def queue_url() -> str:
        current = settings()
        return current.delivery_queue_url or str(client.get_queue_url(QueueName=current.delivery_queue_name)["QueueUrl"])

    return SqsDeliveryQueue(client, queue_url)


@lru_cache(maxsize=1)
def letters() -> LetterSender:
    if "letters" in _overrides:
        return cast("LetterSender", _overrides["letters"])
    from chalicelib.adapters.sqs_letters import SqsLetterSender

    client = boto_client("sqs")

    @lru_cache(maxsize=1)
    def queue_url() -> str:
        return str(client.get_queue_url(QueueName=settings().letters_queue_name)["QueueUrl"])

    return SqsLetterSender(client, queue_url)


@lru_cache(maxsize=1)
def change_feed() -> ChangeFeed:
    from chalicelib.adapters.dynamodb.stream import DynamoDBStreamChanges

    return DynamoDBStreamChanges(now=lambda: clock().now())


@lru_cache(maxsize=1)
def feedback_source() -> FeedbackSource:
    from chalicelib.adapters.ses_feedback import SnsFeedbackSource
    from chalicelib.config import feedback_queue_name

    return SnsFeedbackSource(topic_name=feedback_queue_name())


@lru_cache(maxsize=1)
def links() -> Links:
    from chalicelib.services.links import Links

    current = settings()
    return Links(current.portal_url, current.token_secret, clock())


@lru_cache(maxsize=1)
def email() -> EmailSender:
    if "email" in _overrides:
        return _overrides["email"]  # type: ignore[no-any-return]
    from chalicelib.adapters.ses_email import SesEmailSender

    current = settings()
    return SesEmailSender(boto_client("sesv2"), sender=current.sender, configuration_set=current.ses_configuration_set)


@lru_cache(maxsize=1)
def renderer() -> MessageRenderer:
    if "renderer" in _overrides:
        return _overrides["renderer"]  # type: ignore[no-any-return]
    from chalicelib.adapters.templates import JinjaRenderer

    return JinjaRenderer()


@lru_cache(maxsize=1)
def dev_issuer() -> DevIssuer | None:
    """The local dev issuer, only in the local stage and only when the local stack made a key."""
    current = settings()
    if not current.is_local or not current.dev_issuer_key_file:
        return None
    from chalicelib.adapters.identity import DevIssuer

    with open(current.dev_issuer_key_file, "rb") as handle:
        return DevIssuer(private_key_pem=handle.read(), issuer=current.oidc_issuer, audience=current.oidc_audience)


@lru_cache(maxsize=1)
def personas() -> dict[str, Persona]:
    """The local dev issuer's test identities (chalicelib/data/dev_personas.json)."""
    from chalicelib.adapters.identity import load_personas

    return load_personas(str(DATA / "dev_personas.json"))


@lru_cache(maxsize=1)
def login_provider() -> LoginProvider:
    """The dev issuer in the local stage; else the configured OIDC broker."""
    current = settings()
    issuer = dev_issuer()
    if issuer is not None:
        from chalicelib.adapters.login import DevLoginProvider

        return DevLoginProvider(issuer=issuer, personas=personas(), secret=current.token_secret)
    from chalicelib.adapters.login import OidcLoginProvider

    return OidcLoginProvider(
        authorize_url=current.oidc_authorize_url,
        token_url=current.oidc_token_url,
        client_id=current.oidc_client_id,
        client_secret=current.oidc_client_secret,
    )


@lru_cache(maxsize=1)
def verifier() -> JwtVerifier:
    if "verifier" in _overrides:
        return _overrides["verifier"]  # type: ignore[no-any-return]
    from chalicelib.adapters.identity import JwtVerifier

    current = settings()
    issuer = dev_issuer()
    jwks = issuer.jwks() if issuer is not None else json.loads(current.oidc_jwks or '{"keys": []}')
    return JwtVerifier(issuer=current.oidc_issuer, audience=current.oidc_audience, jwks=jwks)


@lru_cache(maxsize=1)
def case_commands() -> CaseCommands:
    from chalicelib.services.case_commands import CaseCommands

    return CaseCommands(cases(), subscribers(), catalogue(), reference(), clock(), limiter=limiter())


@lru_cache(maxsize=1)
def case_queries() -> CaseQueries:
    from chalicelib.services.case_queries import CaseQueries

    return CaseQueries(cases(), catalogue(), outbox(), contacts(), subscribers())


@lru_cache(maxsize=1)
def contact_registry() -> ContactRegistry:
    from chalicelib.services.contacts import ContactRegistry

    return ContactRegistry(cases(), contacts(), clock())


@lru_cache(maxsize=1)
def berichtenbox() -> Berichtenbox:
    from chalicelib.services.case_queries import Berichtenbox

    return Berichtenbox(inbox(), clock())


@lru_cache(maxsize=1)
def fanout() -> FanOut:
    from chalicelib.services.fanout import FanOut

    return FanOut(
        catalogue(),
        subscriptions(),
        outbox(),
        queue(),
        clock(),
        retention=timedelta(days=settings().notification_retention_days),
    )


@lru_cache(maxsize=1)
def delivery() -> Delivery:
    from chalicelib.services.delivery import Delivery

    return Delivery(
        outbox=outbox(),
        cases=cases(),
        announcements=announcement_store(),
        subscriptions=subscriptions(),
        catalogue=catalogue(),
        reference=reference(),
        subscribers=subscribers(),
        renderer=renderer(),
        email=email(),
        letters=letters(),
        inbox=inbox(),
        clock=clock(),
        links=links(),
        claim=timedelta(seconds=settings().claim_seconds),
        on_possible_duplicate=_possible_duplicate,
    )


def _possible_duplicate(notification: Notification) -> None:
    """An e-mail or letter that may already have gone out is about to go again: a log line (written at once,
    so it survives the attempt dying) and the PossibleDuplicate metric."""
    from chalicelib.observability import count, logger

    logger().warning(
        "sending a possible duplicate",
        extra={"notification_id": notification.id, "channel": notification.channel.value, "attempt": notification.attempts},
    )
    count("PossibleDuplicate")


@lru_cache(maxsize=1)
def digest_run() -> DigestRun:
    from chalicelib.services.digests import DigestRun

    return DigestRun(outbox(), queue(), clock(), timedelta(days=settings().notification_retention_days))


def feedback() -> FeedbackRecorder:
    from chalicelib.services.feedback import FeedbackRecorder

    return FeedbackRecorder(outbox(), subscribers(), subscriptions(), clock())


def reconciler() -> Reconciler:
    from chalicelib.services.reconciler import Reconciler

    return Reconciler(outbox(), queue(), clock())


@lru_cache(maxsize=1)
def subscription_service() -> SubscriptionService:
    from chalicelib.services.subscriptions import SubscriptionService

    current = settings()
    return SubscriptionService(
        subscriptions=subscriptions(),
        subscribers=subscribers(),
        reference=reference(),
        outbox=outbox(),
        queue=queue(),
        limiter=limiter(),
        clock=clock(),
        secret=current.token_secret,
        fingerprint=email_fingerprinter(),
        retention=timedelta(days=current.notification_retention_days),
    )


@lru_cache(maxsize=1)
def announcements() -> Announcements:
    from chalicelib.services.announcements import Announcements

    return Announcements(announcement_store(), reference(), fanout(), clock())


@lru_cache(maxsize=1)
def change_previews() -> ChangePreviews:
    from chalicelib.services.previews import ChangePreviews

    return ChangePreviews(commands=case_commands(), catalogue=catalogue(), fanout=fanout(), delivery=delivery(), clock=clock())


_CACHED = (
    reference,
    catalogue,
    clock,
    _bound_settings,
    cases,
    announcement_store,
    limiter,
    contacts,
    subscriptions,
    subscribers,
    email_fingerprinter,
    outbox,
    inbox,
    boto_client,
    queue,
    letters,
    links,
    change_feed,
    feedback_source,
    email,
    renderer,
    dev_issuer,
    personas,
    login_provider,
    verifier,
    case_commands,
    case_queries,
    contact_registry,
    berichtenbox,
    fanout,
    delivery,
    digest_run,
    subscription_service,
    announcements,
    change_previews,
)
