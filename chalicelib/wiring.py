"""The object graph: the adapters as one typed, frozen value, and the services built from them.

- ``Adapters.on_aws(settings)``: DynamoDB (pynamodb), SQS, SES, jinja2 and JWT, as a deployed stage (or the local
  stack on moto) uses them. Building it imports pynamodb, which every function needs; boto3 clients are made when
  an adapter first calls one, templates are compiled on the first render and JWT is loaded on the first check,
  so a function that sends no e-mail never pays for SES or jinja2.
- ``Adapters.in_memory()``: the in-memory twins of every port (the contract tests prove they behave alike), for
  unit tests and benchmarks. ``adapters.but(clock=…, email=…)`` swaps any of them.
- ``Services(adapters)``: each service built on its first use and kept.
- ``services()``: this process's graph, built on first use from the environment (Lambda keeps it warm between
  invocations); ``use(adapters)`` puts another graph in place, ``reset()`` forgets it and the settings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalicelib.config import OidcClient, Settings, local_settings, settings

if TYPE_CHECKING:
    from chalicelib.adapters.aws import AwsClients
    from chalicelib.adapters.identity import DevIssuer, IdentityVerifier, Persona
    from chalicelib.domain.catalogue import Catalogue
    from chalicelib.domain.contacts import ContactMoment
    from chalicelib.domain.login import Realm
    from chalicelib.domain.notifications import Notification
    from chalicelib.domain.reference import ReferenceData
    from chalicelib.domain.tokens import KeyRing
    from chalicelib.services.announcements import Announcements
    from chalicelib.services.case_commands import CaseCommands
    from chalicelib.services.case_queries import Berichtenbox, CaseQueries
    from chalicelib.services.catalogue_refresh import CatalogueRefresh
    from chalicelib.services.composer import MessageComposer
    from chalicelib.services.contacts import ContactRegistry
    from chalicelib.services.delivery import Delivery
    from chalicelib.services.digests import DigestRun
    from chalicelib.services.documents import DocumentUploads
    from chalicelib.services.fanout import FanOut
    from chalicelib.services.feedback import FeedbackRecorder
    from chalicelib.services.indexing import Indexer
    from chalicelib.services.jobs import Jobs
    from chalicelib.services.letters import CaseLetters
    from chalicelib.services.links import Links
    from chalicelib.services.outbound import Outbound
    from chalicelib.services.ports import (
        AnnouncementRepository,
        BerichtenboxStore,
        CaseRepository,
        CatalogueStore,
        ChangeFeed,
        Clock,
        ContactMomentStore,
        DeliveryQueue,
        DocumentStore,
        EmailSender,
        EventPublisher,
        FeedbackSource,
        JobQueue,
        Klantinteracties,
        LetterSender,
        LoginProvider,
        MessageRenderer,
        NoticeQueue,
        NotificationOutbox,
        PartyPseudonyms,
        ProgressStore,
        QuestionAnalysisStore,
        RateLimiter,
        RegistrationLedger,
        SatisfactionStore,
        ServicenormStore,
        SessionStore,
        StaffDirectory,
        SubscriberDirectory,
        SubscriptionRepository,
        WatchStore,
        ZaakSource,
    )
    from chalicelib.services.previews import ChangePreviews
    from chalicelib.services.question_topics import QuestionAnalysis
    from chalicelib.services.questions import QuestionDesk
    from chalicelib.services.reconciler import Reconciler
    from chalicelib.services.satisfaction import SatisfactionSurvey
    from chalicelib.services.servicenorms import ServicenormFigures
    from chalicelib.services.subscriptions import SubscriptionService
    from chalicelib.services.watch import DeadlineWatch
    from chalicelib.services.zaak_sync import ZaakIntake, ZaakSync

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, kw_only=True)
class Adapters:
    """One implementation of every port, and the settings they were made with."""

    settings: Settings
    clock: Clock
    cases: CaseRepository
    announcement_store: AnnouncementRepository
    contacts: ContactMomentStore
    subscriptions: SubscriptionRepository
    subscribers: SubscriberDirectory
    outbox: NotificationOutbox
    berichtenbox_store: BerichtenboxStore
    limiter: RateLimiter
    queue: DeliveryQueue
    jobs: JobQueue
    progress: ProgressStore
    letters: LetterSender
    email: EmailSender
    renderer: MessageRenderer
    changes: ChangeFeed
    feedback_source: FeedbackSource
    verifier: IdentityVerifier
    login: LoginProvider  # the citizens' (the broker's); ``logins`` has each realm's
    logins: Mapping[Realm, LoginProvider]
    token_keys: KeyRing  # signs the links in e-mails, seals the pages' cookies
    sessions: SessionStore
    fingerprint: Callable[[str], str]
    events: EventPublisher  # NL GOV CloudEvents out
    ledger: RegistrationLedger  # what jobs registered elsewhere (Klantinteracties)
    documents: DocumentStore  # the documents bucket: files applicants send in
    klantinteracties: Klantinteracties | None = None  # the province's Open Klant, when configured
    dev_issuer: DevIssuer | None = None  # the local stage's token issuer, when the local stack made a key
    personas: Mapping[str, Persona] = field(default_factory=dict)  # the dev issuer's test identities
    aws: AwsClients | None = None  # the boto3 clients the AWS adapters use (tests hook faults into them)
    # The zaaksysteem (settings.zgw): the notices queue always; reading it and pseudonymising its rollen only when
    # one is connected. ``zgw_callback_auth`` gives the abonnement's Authorization value (None: accept nothing).
    notices: NoticeQueue | None = None
    zaak_source: ZaakSource | None = None
    pseudonyms: PartyPseudonyms | None = None
    catalogue_store: CatalogueStore | None = None  # the catalogue refreshed from the Catalogi API, when configured
    servicenorms: ServicenormStore | None = None  # the servicenorm figures
    satisfaction: SatisfactionStore | None = None  # the answers to the satisfaction question, and their counts
    watch: WatchStore | None = None  # the deadline watch's entries and the behandelaars' alerts
    question_analysis: QuestionAnalysisStore | None = None  # questions counted per onderwerp; veelgestelde vragen
    staff: StaffDirectory | None = None  # staff e-mail addresses from their logins (the morning overview)
    zgw_callback_auth: Callable[[], str | None] = field(default=lambda: None, compare=False)

    @classmethod
    def on_aws(cls, current: Settings, *, clock: Clock | None = None) -> Adapters:
        from chalicelib.adapters.aws import AwsClients
        from chalicelib.adapters.dynamodb.models import bind
        from chalicelib.adapters.dynamodb.repositories import (
            DynamoDBAnnouncements,
            DynamoDBBerichtenbox,
            DynamoDBCases,
            DynamoDBContacts,
            DynamoDBOutbox,
            DynamoDBRateLimiter,
            DynamoDBSubscribers,
            DynamoDBSubscriptions,
        )
        from chalicelib.adapters.ses_email import SesEmailSender
        from chalicelib.adapters.sqs_letters import SqsLetterSender
        from chalicelib.adapters.sqs_queue import SqsDeliveryQueue

        bind(current)
        aws = AwsClients(current.region)
        sqs = aws.factory("sqs")

        @lru_cache(maxsize=1)
        def delivery_queue_url() -> str:
            return current.delivery_queue_url or str(sqs().get_queue_url(QueueName=current.delivery_queue_name)["QueueUrl"])

        @lru_cache(maxsize=1)
        def jobs_queue_url() -> str:
            return str(sqs().get_queue_url(QueueName=current.jobs_queue_name)["QueueUrl"])

        @lru_cache(maxsize=1)
        def notices_queue_url() -> str:
            return str(sqs().get_queue_url(QueueName=current.notices_queue_name)["QueueUrl"])

        @lru_cache(maxsize=1)
        def letters_queue_url() -> str:
            return str(sqs().get_queue_url(QueueName=current.letters_queue_name)["QueueUrl"])

        from chalicelib.adapters.dynamodb.ledger import DynamoDBLedger
        from chalicelib.adapters.dynamodb.progress import DynamoDBProgress
        from chalicelib.adapters.dynamodb.question_topics import DynamoDBQuestionAnalysis
        from chalicelib.adapters.dynamodb.satisfaction import DynamoDBSatisfaction
        from chalicelib.adapters.dynamodb.servicenorms import DynamoDBServicenorms
        from chalicelib.adapters.dynamodb.sessions import DynamoDBSessions
        from chalicelib.adapters.dynamodb.watch import DynamoDBStaff, DynamoDBWatch
        from chalicelib.adapters.eventbridge import EventBridgePublisher
        from chalicelib.adapters.s3_documents import S3DocumentStore
        from chalicelib.adapters.sqs_jobs import SqsJobQueue
        from chalicelib.adapters.sqs_notices import SqsNoticeQueue

        identity = _decoders_and_identity(current, clock or _system_clock(current))
        fingerprint = _fingerprinter(identity["token_keys"])
        return cls(
            **identity,
            sessions=DynamoDBSessions(),
            cases=DynamoDBCases(),
            announcement_store=DynamoDBAnnouncements(),
            contacts=DynamoDBContacts(),
            subscriptions=DynamoDBSubscriptions(),
            subscribers=DynamoDBSubscribers(fingerprint=fingerprint),
            outbox=DynamoDBOutbox(),
            berichtenbox_store=DynamoDBBerichtenbox(),
            limiter=DynamoDBRateLimiter(),
            queue=SqsDeliveryQueue(sqs, delivery_queue_url),
            jobs=SqsJobQueue(sqs, jobs_queue_url),
            progress=DynamoDBProgress(),
            letters=SqsLetterSender(sqs, letters_queue_url),
            email=SesEmailSender(aws.factory("sesv2"), sender=current.sender, configuration_set=current.ses_configuration_set),
            fingerprint=fingerprint,
            events=EventBridgePublisher(aws.factory("events"), current.event_bus_name),
            ledger=DynamoDBLedger(current.tables.case_index, current.region),
            documents=S3DocumentStore(aws.factory("s3"), current.documents_bucket, now=(clock or _system_clock(current)).now),
            klantinteracties=_klantinteracties(current),
            aws=aws,
            notices=SqsNoticeQueue(sqs, notices_queue_url),
            **_zgw_adapters(current),
            catalogue_store=_catalogue_store(current),
            servicenorms=DynamoDBServicenorms(aws.factory("dynamodb"), current.tables.case_index),
            question_analysis=DynamoDBQuestionAnalysis(),
            satisfaction=DynamoDBSatisfaction(aws.factory("dynamodb"), current.tables.case_index),
            watch=DynamoDBWatch(aws.factory("dynamodb"), current.tables.case_index),
            staff=DynamoDBStaff(aws.factory("dynamodb"), current.tables.case_index),
        )

    @classmethod
    def in_memory(cls, current: Settings | None = None, *, clock: Clock | None = None) -> Adapters:
        from chalicelib.adapters.memory import (
            InMemoryAnnouncements,
            InMemoryBerichtenbox,
            InMemoryCases,
            InMemoryCatalogueStore,
            InMemoryContacts,
            InMemoryDocuments,
            InMemoryEmail,
            InMemoryEvents,
            InMemoryJobs,
            InMemoryLedger,
            InMemoryLetters,
            InMemoryNotices,
            InMemoryOutbox,
            InMemoryProgress,
            InMemoryQuestionAnalysis,
            InMemoryQueue,
            InMemoryRateLimiter,
            InMemorySatisfaction,
            InMemoryServicenorms,
            InMemorySessions,
            InMemoryStaff,
            InMemorySubscribers,
            InMemorySubscriptions,
            InMemoryWatch,
            InMemoryZaakSource,
        )

        current = current or local_settings()
        subscriptions = InMemorySubscriptions()
        contacts = InMemoryContacts()
        identity = _decoders_and_identity(current, clock or _system_clock(current))
        return cls(
            **identity,
            sessions=InMemorySessions(),
            cases=InMemoryCases(subscriptions),
            announcement_store=InMemoryAnnouncements(),
            contacts=contacts,
            subscriptions=subscriptions,
            subscribers=InMemorySubscribers(),
            outbox=InMemoryOutbox(),
            berichtenbox_store=InMemoryBerichtenbox(),
            limiter=InMemoryRateLimiter(),
            queue=InMemoryQueue(),
            jobs=InMemoryJobs(),
            progress=InMemoryProgress(),
            letters=InMemoryLetters(),
            email=InMemoryEmail(),
            fingerprint=_fingerprinter(identity["token_keys"]),
            notices=InMemoryNotices(),
            **{**_zgw_adapters(current), "zaak_source": InMemoryZaakSource()},
            catalogue_store=InMemoryCatalogueStore(),
            servicenorms=InMemoryServicenorms(),
            question_analysis=InMemoryQuestionAnalysis(contacts),
            satisfaction=InMemorySatisfaction(),
            watch=InMemoryWatch(),
            staff=InMemoryStaff(),
            events=InMemoryEvents(),
            ledger=InMemoryLedger(),
            documents=InMemoryDocuments(identity["clock"].now),
        )

    def but(self, **changes: Any) -> Adapters:
        """The same adapters with some swapped (a fixed clock, a faulty queue, a recording e-mail sender)."""
        if "clock" in changes and "changes" not in changes:
            from chalicelib.adapters.dynamodb.stream import DynamoDBStreamChanges

            changes["changes"] = DynamoDBStreamChanges(now=changes["clock"].now)
        return replace(self, **changes)


def _zgw_adapters(current: Settings) -> dict[str, Any]:
    """Reading the connected zaaksysteem, pseudonymising its rollen and checking its callback: secrets from the
    store (the local stage's own from its settings). Nothing when no zaaksysteem is connected."""
    link = current.zgw
    if link is None:
        return {}
    from chalicelib.adapters.zgw import ZgwApi, ZgwClient
    from chalicelib.adapters.zgw_parties import PairwisePseudonyms

    def required(name: str | None, local: str | None) -> Callable[[], str]:
        read = _stored_secret(current, name, local)

        def value() -> str:
            found = read()
            if not found:
                from chalicelib.config import ConfigurationError

                raise ConfigurationError("a secret of the ZGW link is empty")
            return found

        return value

    apis = [ZgwApi(a.base_url, a.client_id, required(a.secret_name, a.secret)) for a in link.apis]
    personas = _persona_subjects() if current.is_local else None
    return {
        "zaak_source": ZgwClient(apis, allow_http=current.is_local),
        "pseudonyms": PairwisePseudonyms(
            required(link.pseudonym_key_name, link.pseudonym_key), link.pseudonym_sector, local_personas=personas
        ),
        "zgw_callback_auth": _stored_secret(current, link.callback_auth_name, link.callback_auth),
    }


def _catalogue_store(current: Settings) -> CatalogueStore | None:
    """Where the catalogue refreshed from the Catalogi API is kept: only when a catalogus is configured."""
    if current.zgw is None or current.zgw.catalogus_url is None:
        return None
    from chalicelib.adapters.dynamodb.catalogue_store import DynamoDBCatalogueStore

    return DynamoDBCatalogueStore(current.tables.case_index, current.region)


def _persona_subjects() -> dict[str, str]:
    """The local dev issuer's test people by their test BSN (``bsn`` in dev_personas.json): the subjects the dev
    issuer gives them, as a broker gives the same pairwise subject for a BSN."""
    personas = _read_json("dev_personas.json").get("personas", [])
    return {str(p["bsn"]): str(p["claims"]["sub"]) for p in personas if p.get("bsn")}


def _klantinteracties(current: Settings) -> Klantinteracties | None:
    """The Klantinteracties API over HTTP when its url is set (its token from the secrets store), else None."""
    if not current.klantinteracties_url:
        return None
    from chalicelib.adapters.klantinteracties import HttpKlantinteracties

    token = _stored_secret(current, current.klantinteracties_token_name, current.klantinteracties_token)
    return HttpKlantinteracties(current.klantinteracties_url, lambda: token() or "")


def _system_clock(current: Settings) -> Clock:
    from chalicelib.services.ports import Clock, ShiftedClock

    return ShiftedClock(current.dev_clock_offset_seconds) if current.dev_clock_offset_seconds else Clock()


def _fingerprinter(keys: KeyRing) -> Callable[[str], str]:
    from functools import partial

    from chalicelib.domain.tokens import email_fingerprint

    return partial(email_fingerprint, secret=keys)


def _token_keys(current: Settings) -> KeyRing:
    """The token keys: from the secrets store when the settings name a secret (every deployed stage), else the
    local stage's own."""
    from chalicelib.domain.tokens import KeyRing

    if current.token_secret_name:
        from chalicelib.adapters.secrets import read_key_ring

        return read_key_ring(current.token_secret_name, max_age=current.secret_max_age_seconds)
    if not current.token_secret:
        # The operator commands (config.operator_settings) never get the keys: they sign nothing. A throwaway key
        # keeps it so: whatever would be signed with it, no deployed function accepts.
        import secrets

        return KeyRing(secrets.token_bytes(32))
    try:
        return KeyRing.parse(current.token_secret.decode())
    except ValueError:
        from chalicelib.config import ConfigurationError

        raise ConfigurationError("BAKEN_TOKEN_SECRET is no key ring: one key of 32 characters or more") from None


def _client_key(current: Settings, client: OidcClient) -> Callable[[], str | None]:
    """The PEM private key of ``private_key_jwt`` from the secrets store, when the settings name one."""
    name = client.client_key_name
    if not name:
        return lambda: None
    from chalicelib.adapters.secrets import read_secret

    return lambda: read_secret(name, max_age=current.secret_max_age_seconds)


def _stored_secret(current: Settings, name: str | None, local: str | None) -> Callable[[], str | None]:
    """A secret read when needed: from the secrets store when the settings name it (cached for
    ``secret_max_age_seconds``, so a rotated one is picked up), else the local stage's own."""
    if not name:
        return lambda: local
    from chalicelib.adapters.secrets import read_secret

    return lambda: read_secret(name, max_age=current.secret_max_age_seconds)


def _client_secret(current: Settings, client: OidcClient) -> Callable[[], str | None]:
    """How a login provider gets its client secret when it calls the token endpoint."""
    return _stored_secret(current, client.client_secret_name, client.client_secret)


def _decoders_and_identity(current: Settings, clock: Clock) -> dict[str, Any]:
    """The adapters both graphs share: they decode what AWS hands a function, render messages and check
    identities, without calling AWS themselves (the token keys excepted, read once from the secrets store)."""
    from chalicelib.adapters.dynamodb.stream import DynamoDBStreamChanges
    from chalicelib.adapters.identity import (
        REQUESTED_ACR,
        IdentityVerifier,
        JwtVerifier,
        ProviderMetadata,
        RemoteKeys,
        StaticKeys,
        load_personas,
    )
    from chalicelib.adapters.identity import Provider as TrustedProvider
    from chalicelib.adapters.login import DevLoginProvider, OidcLoginProvider
    from chalicelib.adapters.ses_feedback import SnsFeedbackSource
    from chalicelib.adapters.templates import JinjaRenderer
    from chalicelib.config import feedback_queue_name
    from chalicelib.domain.login import Realm

    keys = _token_keys(current)
    issuer = _dev_issuer(current)
    personas = load_personas(str(DATA / "dev_personas.json")) if issuer is not None else {}
    clients = {Realm.CITIZENS: current.citizens_oidc, Realm.STAFF: current.staff_oidc}
    providers: dict[Realm, TrustedProvider] = {}
    logins: dict[Realm, LoginProvider] = {}
    dev_login = DevLoginProvider(issuer=issuer, personas=personas, secret=keys) if issuer is not None else None
    for realm, client in clients.items():
        source: StaticKeys | RemoteKeys
        if issuer is not None and dev_login is not None:
            source = StaticKeys(issuer.jwks())
            logins[realm] = dev_login
        else:
            metadata = ProviderMetadata(client.issuer, allow_http=current.is_local)
            source = RemoteKeys(metadata)
            logins[realm] = OidcLoginProvider(
                metadata=metadata,
                client_id=client.client_id,
                client_secret=_client_secret(current, client),
                client_key=_client_key(current, client),
                acr_values=REQUESTED_ACR if realm is Realm.CITIZENS else (),
                scope="openid" if realm is Realm.CITIZENS else "openid offline_access",
            )
        providers[realm] = TrustedProvider(
            realm=realm,
            access=JwtVerifier(issuer=client.issuer, audience=client.audience, keys=source, realm=realm),
            id_tokens=JwtVerifier(issuer=client.issuer, audience=client.client_id, keys=source, realm=realm),
        )
    return {
        "settings": current,
        "clock": clock,
        "renderer": JinjaRenderer(),
        "changes": DynamoDBStreamChanges(now=clock.now),
        "feedback_source": SnsFeedbackSource(topic_name=feedback_queue_name()),
        "verifier": IdentityVerifier(providers),
        "login": logins[Realm.CITIZENS],
        "logins": logins,
        "token_keys": keys,
        "dev_issuer": issuer,
        "personas": personas,
    }


def _dev_issuer(current: Settings) -> DevIssuer | None:
    """The local dev issuer, only in the local stage and only when the local stack made a key."""
    if not current.is_local or not current.dev_issuer_key_file:
        return None
    from chalicelib.adapters.identity import DevIssuer

    with open(current.dev_issuer_key_file, "rb") as handle:
        return DevIssuer(
            private_key_pem=handle.read(),
            issuer=current.citizens_oidc.issuer,
            staff_issuer=current.staff_oidc.issuer,
            audience=current.oidc_audience,
        )


def _read_json(name: str) -> Any:
    with open(DATA / name, encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=1)
def reference_data() -> ReferenceData:
    """The gemeenten and topics (chalicelib/data/), read once per process."""
    from chalicelib.domain.reference import ReferenceData

    return ReferenceData.from_data(_read_json("gemeenten.json"), _read_json("topics.json"))


@lru_cache(maxsize=1)
def catalogue_data() -> Catalogue:
    """The zaaktypen (chalicelib/data/zaaktypen.json), read once per process."""
    from chalicelib.domain.catalogue import Catalogue

    return Catalogue.from_data(_read_json("zaaktypen.json"), (t.slug for t in reference_data().topics()))


class Services:
    """The use cases, each made from the adapters on its first use."""

    def __init__(self, adapters: Adapters, *, on_possible_duplicate: Callable[[Notification], None] | None = None) -> None:
        self.adapters = adapters
        self._on_possible_duplicate = on_possible_duplicate or possible_duplicate

    @property
    def settings(self) -> Settings:
        return self.adapters.settings

    @property
    def clock(self) -> Clock:
        return self.adapters.clock

    @property
    def reference(self) -> ReferenceData:
        return reference_data()

    @cached_property
    def catalogue(self) -> Catalogue:
        """Baken's own catalogue; when a catalogus is configured, the one refreshed from the Catalogi API."""
        store = self.adapters.catalogue_store
        if self.settings.zgw is None or self.settings.zgw.catalogus_url is None or store is None:
            return catalogue_data()
        from chalicelib.services.catalogue_refresh import LiveCatalogue

        return LiveCatalogue(store, catalogue_data(), [t.slug for t in self.reference.topics()], on_unusable=unusable_catalogue)

    @cached_property
    def servicenorm_figures(self) -> ServicenormFigures:
        from chalicelib.config import ConfigurationError
        from chalicelib.services.servicenorms import ServicenormFigures

        if self.adapters.servicenorms is None:
            raise ConfigurationError("no store for the servicenorm figures")
        return ServicenormFigures(self.adapters.servicenorms, self.adapters.cases, self.catalogue)

    @cached_property
    def question_analysis(self) -> QuestionAnalysis:
        from chalicelib.config import ConfigurationError
        from chalicelib.services.question_topics import QuestionAnalysis

        if self.adapters.question_analysis is None:
            raise ConfigurationError("no store for the questions counted")
        return QuestionAnalysis(self.catalogue, self.adapters.question_analysis, self.clock)

    @cached_property
    def satisfaction(self) -> SatisfactionSurvey:
        from chalicelib.config import ConfigurationError
        from chalicelib.services.satisfaction import SatisfactionSurvey

        a = self.adapters
        if a.satisfaction is None:
            raise ConfigurationError("no store for the satisfaction answers")
        return SatisfactionSurvey(a.satisfaction, a.cases, self.catalogue, a.clock, a.token_keys)

    @cached_property
    def deadline_watch(self) -> DeadlineWatch:
        from chalicelib.config import ConfigurationError
        from chalicelib.services.watch import DeadlineWatch

        if self.adapters.watch is None:
            raise ConfigurationError("no store for the deadline watch")
        from chalicelib.services.watch import StaffMail

        a = self.adapters
        mail = None
        if a.staff is not None:
            mail = StaffMail(a.staff, a.renderer, a.email, work_url=f"{self.settings.portal_url}/werk")
        return DeadlineWatch(self.adapters.watch, a.cases, self.fanout, self.catalogue, self.clock, mail=mail)

    @cached_property
    def catalogue_refresh(self) -> CatalogueRefresh:
        from chalicelib.config import ConfigurationError
        from chalicelib.services.catalogue_refresh import CatalogueRefresh

        link, store, source = self.settings.zgw, self.adapters.catalogue_store, self.adapters.zaak_source
        if link is None or link.catalogus_url is None or store is None or source is None:
            raise ConfigurationError("no catalogus is configured (BAKEN_CATALOGUS_URL)")
        topics = [t.slug for t in self.reference.topics()]
        return CatalogueRefresh(source, store, _read_json("zaaktypen.json"), topics, link.catalogus_url, self.clock)

    @property
    def _retention(self) -> timedelta:
        return timedelta(days=self.settings.notification_retention_days)

    @cached_property
    def links(self) -> Links:
        from chalicelib.services.links import Links

        return Links(self.settings.portal_url, self.adapters.token_keys, self.clock)

    @cached_property
    def case_commands(self) -> CaseCommands:
        from chalicelib.services.case_commands import CaseCommands

        a = self.adapters
        return CaseCommands(a.cases, a.subscribers, self.catalogue, self.reference, a.clock, limiter=a.limiter)

    @cached_property
    def document_uploads(self) -> DocumentUploads:
        from chalicelib.services.documents import DocumentUploads

        a = self.adapters
        return DocumentUploads(a.cases, a.documents, a.clock, limiter=a.limiter)

    @cached_property
    def questions(self) -> QuestionDesk:
        from chalicelib.services.questions import QuestionDesk

        a = self.adapters
        return QuestionDesk(a.cases, a.contacts, self.catalogue, self.case_commands, a.clock, limiter=a.limiter)

    @cached_property
    def case_queries(self) -> CaseQueries:
        from chalicelib.services.case_queries import CaseQueries

        a = self.adapters
        return CaseQueries(a.cases, self.catalogue, a.outbox, a.contacts, a.subscribers)

    @cached_property
    def contact_registry(self) -> ContactRegistry:
        from chalicelib.services.contacts import ContactRegistry

        return ContactRegistry(
            self.adapters.cases, self.adapters.contacts, self.catalogue, self.clock, on_recorded=self._forward_contact
        )

    def _forward_contact(self, moment: ContactMoment) -> None:
        """Queue a stored contact moment for the chain. The moment is recorded either way: a failure here is an
        error line and the ``ContactMomentNotForwarded`` metric (alarm on it), never a failed request, which the
        KCC would repeat and record twice."""
        try:
            self.outbound.contact_recorded(moment)
        except Exception as error:  # noqa: BLE001 - the request succeeded; the gap is made visible instead
            from chalicelib.observability import count, logger

            logger().error(
                "contact moment not queued for the chain", extra={"contact_id": moment.id, "error_type": type(error).__name__}
            )
            count("ContactMomentNotForwarded")

    @cached_property
    def outbound(self) -> Outbound:
        from chalicelib.domain.cloudevents import EventSource
        from chalicelib.services.outbound import Outbound

        a = self.adapters
        return Outbound(
            events=a.events,
            source=EventSource(oin=self.settings.oin, api_url=self.settings.portal_url or "http://127.0.0.1:8000"),
            jobs=a.jobs,
            cases=a.cases,
            contacts=a.contacts,
            outbox=a.outbox,
            ledger=a.ledger,
            klantinteracties=a.klantinteracties,
            notifications_as_klantcontact=self.settings.klantcontact_notifications,
            on_possible_duplicate=possible_duplicate_klantcontact,
        )

    @cached_property
    def berichtenbox(self) -> Berichtenbox:
        from chalicelib.services.case_queries import Berichtenbox

        return Berichtenbox(self.adapters.berichtenbox_store, self.clock, self.adapters.cases)

    @cached_property
    def fanout(self) -> FanOut:
        from chalicelib.services.fanout import FanOut

        a = self.adapters
        return FanOut(
            self.catalogue,
            a.subscriptions,
            a.outbox,
            a.queue,
            a.clock,
            retention=self._retention,
            subscribers=a.subscribers,
            jobs=a.jobs,
            progress=a.progress,
            unit=self.settings.fanout_unit,
        )

    @cached_property
    def letters(self) -> CaseLetters:
        from chalicelib.services.letters import CaseLetters

        return CaseLetters(self.adapters.cases, self.adapters.outbox, self.composer)

    @cached_property
    def composer(self) -> MessageComposer:
        from chalicelib.services.composer import MessageComposer

        a = self.adapters
        return MessageComposer(
            cases=a.cases,
            announcements=a.announcement_store,
            subscriptions=a.subscriptions,
            outbox=a.outbox,
            catalogue=self.catalogue,
            reference=self.reference,
            links=self.links,
            renderer=a.renderer,
        )

    @cached_property
    def delivery(self) -> Delivery:
        from chalicelib.services.delivery import Delivery

        a = self.adapters
        return Delivery(
            outbox=a.outbox,
            composer=self.composer,
            subscribers=a.subscribers,
            email=a.email,
            letters=a.letters,
            berichtenbox=a.berichtenbox_store,
            clock=a.clock,
            claim=timedelta(seconds=self.settings.claim_seconds),
            on_possible_duplicate=self._on_possible_duplicate,
        )

    @cached_property
    def digest_run(self) -> DigestRun:
        from chalicelib.services.digests import DigestRun

        return DigestRun(
            self.adapters.outbox,
            self.adapters.queue,
            self.clock,
            self._retention,
            jobs=self.adapters.jobs,
            group=self.settings.digest_group,
        )

    @cached_property
    def jobs(self) -> Jobs:
        from chalicelib.services.jobs import Jobs

        return Jobs(self.fanout, self.digest_run, self.outbound)

    @cached_property
    def feedback(self) -> FeedbackRecorder:
        from chalicelib.services.feedback import FeedbackRecorder

        a = self.adapters
        return FeedbackRecorder(a.outbox, a.subscribers, a.clock, settled=self.outbound.notification_settled)

    @cached_property
    def reconciler(self) -> Reconciler:
        from chalicelib.services.reconciler import Reconciler

        return Reconciler(self.adapters.outbox, self.adapters.queue, self.clock)

    @cached_property
    def subscription_service(self) -> SubscriptionService:
        from chalicelib.services.subscriptions import SubscriptionService

        a = self.adapters
        return SubscriptionService(
            subscriptions=a.subscriptions,
            subscribers=a.subscribers,
            reference=self.reference,
            outbox=a.outbox,
            queue=a.queue,
            limiter=a.limiter,
            clock=a.clock,
            secret=self.adapters.token_keys,
            fingerprint=a.fingerprint,
            retention=self._retention,
        )

    @cached_property
    def indexer(self) -> Indexer:
        from chalicelib.services.indexing import Indexer

        return Indexer(self.adapters.subscriptions)

    @cached_property
    def announcements(self) -> Announcements:
        from chalicelib.services.announcements import Announcements

        return Announcements(self.adapters.announcement_store, self.reference, self.fanout, self.clock)

    @cached_property
    def zaak_intake(self) -> ZaakIntake:
        from chalicelib.services.zaak_sync import ZaakIntake

        if self.adapters.notices is None:
            from chalicelib.config import ConfigurationError

            raise ConfigurationError("no notices queue")
        return ZaakIntake(self.adapters.notices, reads_catalogue=self.adapters.catalogue_store is not None)

    @cached_property
    def zaak_sync(self) -> ZaakSync:
        from chalicelib.services.zaak_sync import ZaakSync

        source, pseudonyms = self.adapters.zaak_source, self.adapters.pseudonyms
        if source is None or pseudonyms is None:
            from chalicelib.config import ConfigurationError

            raise ConfigurationError("no zaaksysteem is connected (BAKEN_ZGW_APIS)")
        return ZaakSync(source, self.adapters.cases, self.catalogue, pseudonyms, self.clock)

    def zgw_callback_auth(self) -> str | None:
        """The Authorization value the Notificaties component sends with each message (None: none is expected)."""
        return self.adapters.zgw_callback_auth()

    @cached_property
    def change_previews(self) -> ChangePreviews:
        from chalicelib.services.previews import ChangePreviews

        return ChangePreviews(
            commands=self.case_commands, catalogue=self.catalogue, fanout=self.fanout, composer=self.composer, clock=self.clock
        )


def unusable_catalogue(reason: str) -> None:
    """The stored catalogue is not valid (the previous one stays in use): a log line and a metric."""
    from chalicelib.observability import count, logger

    logger().error("the stored catalogue cannot be used", extra={"reason": reason})
    count("CatalogueUnusable")


def possible_duplicate(notification: Notification) -> None:
    """An e-mail or letter that may already have gone out is about to go again: a log line (written at once,
    so it survives the attempt dying) and the PossibleDuplicate metric."""
    from chalicelib.observability import count, logger

    logger().warning(
        "sending a possible duplicate",
        extra={"notification_id": notification.id, "channel": notification.channel.value, "attempt": notification.attempts},
    )
    count("PossibleDuplicate")


def possible_duplicate_klantcontact(step: str) -> None:
    """A Klantinteracties step begun before and never answered is done again: it may now exist twice."""
    from chalicelib.observability import count, logger

    logger().warning("registering a possible duplicate in Klantinteracties", extra={"step": step})
    count("PossibleDuplicateKlantcontact")


_current: list[Services] = []


def services() -> Services:
    """This process's services, on the AWS adapters of this stage's settings unless ``use`` put others in place."""
    if not _current:
        _current.append(Services(Adapters.on_aws(settings())))
    return _current[0]


def adapters() -> Adapters:
    """The adapters under this process's services."""
    return services().adapters


def aws_client(service: str) -> Any:
    """The boto3 client for ``service`` of this process's AWS adapters (operator commands, fault hooks in tests)."""
    aws = adapters().aws
    if aws is None:
        raise RuntimeError("these adapters are in memory: there is no AWS client")
    return aws.client(service)


def use(graph: Adapters) -> Services:
    """Run this process on ``graph`` from now on (tests, benchmarks, the local stack's seeding)."""
    _current[:] = [Services(graph)]
    return _current[0]


def reset() -> None:
    """Forget the graph and the settings it was built from: the next ``services()`` reads the environment again."""
    _current.clear()
    settings.cache_clear()
