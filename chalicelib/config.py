"""Typed configuration from the environment (set per stage in ``.chalice/config.json``).

Importing this module is cheap: nothing is read until ``settings()`` is called.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TypedDict

LOCAL_STAGE = "local"
PLACEHOLDER_STREAM_ARN = "arn:aws:dynamodb:eu-west-1:000000000000:table/baken-local-cases/stream/1970-01-01T00:00:00.000"
PLACEHOLDER_SUBSCRIPTIONS_STREAM_ARN = (
    "arn:aws:dynamodb:eu-west-1:000000000000:table/baken-local-subscriptions/stream/1970-01-01T00:00:00.000"
)


class ConfigurationError(Exception):
    """A required setting is missing or malformed: a deployment mistake."""


@dataclass(frozen=True)
class Tables:
    cases: str
    case_index: str
    subscriptions: str
    subscribers: str
    notifications: str
    berichtenbox: str  # the table keeps its first name, "inbox": renaming it would replace it, and its messages

    @classmethod
    def with_prefix(cls, prefix: str) -> Tables:
        return cls(
            cases=f"{prefix}cases",
            case_index=f"{prefix}case-index",
            subscriptions=f"{prefix}subscriptions",
            subscribers=f"{prefix}subscribers",
            notifications=f"{prefix}notifications",
            berichtenbox=f"{prefix}inbox",
        )


@dataclass(frozen=True)
class OidcClient:
    """One OpenID provider Baken trusts, and Baken as its client. Its endpoints and keys come from its discovery
    document (``<issuer>/.well-known/openid-configuration``); the client secret from the secrets store."""

    issuer: str
    audience: str  # of the API's bearer tokens (access tokens)
    client_id: str  # Baken's client id: the audience of the ID tokens of the pages' login
    client_secret_name: str | None = None  # a Secrets Manager secret, or an SSM SecureString when it starts with "/"
    client_secret: str | None = None  # the local stage only: never a plain environment variable elsewhere
    client_key_name: str | None = None  # a PEM private key in the store: private_key_jwt instead of the secret


@dataclass(frozen=True)
class ZgwApi:
    """One ZGW API Baken reads (Zaken, Catalogi): every URL under ``base_url`` is read as ``client_id``, with a JWT
    signed with that client's secret (from the store; ``secret`` on the local stage only)."""

    base_url: str
    client_id: str
    secret_name: str | None = None
    secret: str | None = None


@dataclass(frozen=True)
class ZgwLink:
    """The zaaksysteem Baken is connected to (``BAKEN_ZGW_APIS``); None when it is not connected."""

    apis: tuple[ZgwApi, ...]
    # the ``Authorization`` header value the abonnement in the Notificaties component was given
    callback_auth_name: str | None = None
    callback_auth: str | None = None  # the local stage only
    # the key and sector of the pairwise pseudonyms a rol's BSN becomes (the login broker uses the same)
    pseudonym_key_name: str | None = None
    pseudonym_key: str | None = None  # the local stage only
    pseudonym_sector: str = "baken"
    # the catalogus in the Catalogi API the catalogue is read from (``BAKEN_CATALOGUS_URL``); None: Baken's own
    catalogus_url: str | None = None


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    tables: Tables
    delivery_queue_name: str
    delivery_queue_url: str | None
    letters_queue_name: str
    cases_stream_arn: str
    sender: str
    ses_configuration_set: str | None
    portal_url: str
    citizens_oidc: OidcClient  # the login broker: DigiD and eHerkenning
    staff_oidc: OidcClient  # the province's own identity provider: behandelaars, KCC, operators
    dev_issuer_key_file: str | None
    notification_retention_days: int
    claim_seconds: int
    token_secret: bytes  # the local stage's key ring text; deployed stages read theirs from token_secret_name
    dev_clock_offset_seconds: float = 0.0
    token_secret_name: str | None = None  # a Secrets Manager secret, or an SSM SecureString when it starts with "/"
    secret_max_age_seconds: int = 300
    jobs_queue_name: str = "baken-local-jobs"
    fanout_unit: int = 1_000  # index entries one invocation reads for one event; the rest goes to jobs
    digest_group: int = 500  # subscribers one digest job handles
    zgw: ZgwLink | None = None
    notices_queue_name: str = "baken-local-zgw-notices.fifo"
    # events out (NL GOV CloudEvents on EventBridge) and the Klantinteracties API (off unless its url is set)
    event_bus_name: str = "baken-local-events"
    oin: str = "00000000000000000000"  # the province's OIN, in every event's source
    klantinteracties_url: str | None = None
    klantinteracties_token_name: str | None = None  # Secrets Manager name/ARN, or SSM SecureString ("/…")
    klantinteracties_token: str | None = None  # the local stage only
    klantcontact_notifications: bool = False  # also register each notification sent to a party as a klantcontact
    documents_bucket: str = "baken-local-documents"  # the S3 bucket of files applicants send in (BAKEN_DOCUMENTS_BUCKET)

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL_STAGE

    @property
    def oidc_issuer(self) -> str:
        return self.citizens_oidc.issuer

    @property
    def oidc_audience(self) -> str:
        return self.citizens_oidc.audience


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number") from None


def stage() -> str:
    """The stage name alone, read at import time by ``app.py`` to decide which routes exist."""
    return os.environ.get("BAKEN_STAGE", "")


def feedback_queue_name() -> str:
    """The queue of SES feedback (bounces, complaints, deliveries) the feedback handler is registered with; the
    SNS topic that feeds it has the same name."""
    return os.environ.get("BAKEN_FEEDBACK_QUEUE", "baken-local-ses-feedback")


def jobs_queue_name(env: Mapping[str, str] = os.environ) -> str:
    """The standard queue of background jobs (fan-out pages, digest groups) the jobs handler is registered with."""
    return env.get("BAKEN_JOBS_QUEUE", "baken-local-jobs")


def notices_queue_name(env: Mapping[str, str] = os.environ) -> str:
    """The FIFO queue of accepted ZGW notifications and CloudEvents ``sync_zaak`` is registered with."""
    return env.get("BAKEN_NOTICES_QUEUE", "baken-local-zgw-notices.fifo")


def handler_sources(env: Mapping[str, str] = os.environ) -> tuple[str, str]:
    """The stream ARN and queue name the event handlers are registered with (literal at import time;
    CloudFormation overrides the stream ARN at deployment, see infra/app.json)."""
    return (
        env.get("BAKEN_CASES_STREAM_ARN") or PLACEHOLDER_STREAM_ARN,
        env.get("BAKEN_DELIVERY_QUEUE", "baken-local-delivery.fifo"),
    )


def subscriptions_stream_source(env: Mapping[str, str] = os.environ) -> str:
    """The subscriptions table's stream ARN ``on_subscription_change`` is registered with (literal at import
    time; CloudFormation overrides it at deployment, see infra/app.json)."""
    return env.get("BAKEN_SUBSCRIPTIONS_STREAM_ARN") or PLACEHOLDER_SUBSCRIPTIONS_STREAM_ARN


REQUIRED_OUTSIDE_LOCAL = (
    "BAKEN_TABLE_PREFIX",
    "BAKEN_DELIVERY_QUEUE",
    "BAKEN_LETTERS_QUEUE",
    "BAKEN_FEEDBACK_QUEUE",
    "BAKEN_JOBS_QUEUE",
    "BAKEN_SENDER",
    "BAKEN_PORTAL_URL",
    "BAKEN_OIDC_ISSUER",
    "BAKEN_OIDC_AUDIENCE",
    "BAKEN_OIDC_CLIENT_ID",
    "BAKEN_STAFF_OIDC_ISSUER",
    "BAKEN_STAFF_OIDC_AUDIENCE",
    "BAKEN_STAFF_OIDC_CLIENT_ID",
    "BAKEN_TOKEN_SECRET_NAME",
)
# How Baken proves itself at each provider's token endpoint: a private key (private_key_jwt) or a secret.
CLIENT_CREDENTIALS = ("BAKEN_OIDC_CLIENT_", "BAKEN_STAFF_OIDC_CLIENT_")
# Secrets themselves are never environment variables outside the local stage: they are read from the store.
LOCAL_ONLY_SECRETS = (
    "BAKEN_TOKEN_SECRET",
    "BAKEN_OIDC_CLIENT_SECRET",
    "BAKEN_STAFF_OIDC_CLIENT_SECRET",
    "BAKEN_ZGW_CALLBACK_AUTH",
    "BAKEN_PSEUDONYM_KEY",
    "BAKEN_KLANTINTERACTIES_TOKEN",
)
LOCAL_TOKEN_SECRET = "baken-local-development-only-not-a-secret"  # noqa: S105 - only accepted on the local stage
LOCAL_STAFF_ISSUER = "urn:baken:local-dev-staff-issuer"
MINIMUM_SECRET_LENGTH = 32


def _check_deployed_stage(env: Mapping[str, str], stage_name: str) -> None:
    """Outside the local stage nothing falls back to a local default: a forgotten setting would otherwise
    send e-mails with links to 127.0.0.1, or write to the local tables."""
    missing = [name for name in REQUIRED_OUTSIDE_LOCAL if not env.get(name)]
    missing += [
        f"{p}KEY_NAME or {p}SECRET_NAME"
        for p in CLIENT_CREDENTIALS
        if not (env.get(f"{p}KEY_NAME") or env.get(f"{p}SECRET_NAME"))
    ]
    if missing:
        raise ConfigurationError(f"stage {stage_name or '(unset)'} needs {', '.join(missing)}")
    plain = [name for name in LOCAL_ONLY_SECRETS if env.get(name)]
    if plain:
        raise ConfigurationError(f"{', '.join(plain)}: secrets come from the secrets store outside the local stage (…_NAME)")
    for name in ("BAKEN_PORTAL_URL", "BAKEN_OIDC_ISSUER", "BAKEN_STAFF_OIDC_ISSUER"):
        if not env[name].startswith("https://"):
            raise ConfigurationError(f"{name} must be an https:// address outside the local stage")
    if env["BAKEN_OIDC_ISSUER"].rstrip("/") == env["BAKEN_STAFF_OIDC_ISSUER"].rstrip("/"):
        raise ConfigurationError("BAKEN_STAFF_OIDC_ISSUER must differ from BAKEN_OIDC_ISSUER: staff roles come from it only")


@lru_cache(maxsize=1)
def settings() -> Settings:
    """This process's settings, read from the environment once."""
    return settings_from(os.environ)


def local_settings() -> Settings:
    """The local stage's settings with nothing taken from the environment: what in-memory graphs run with."""
    return settings_from({"BAKEN_STAGE": LOCAL_STAGE})


def settings_from(env: Mapping[str, str]) -> Settings:
    """Settings from ``env``; outside the local stage every required setting must be there (ConfigurationError)."""
    stage_name = env.get("BAKEN_STAGE", "")
    if stage_name != LOCAL_STAGE:
        _check_deployed_stage(env, stage_name)
    stream_arn, queue_name = handler_sources(env)
    return Settings(
        stage=stage_name or "unset",
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "eu-west-1",
        tables=Tables.with_prefix(env.get("BAKEN_TABLE_PREFIX", "baken-local-")),
        delivery_queue_name=queue_name,
        delivery_queue_url=env.get("BAKEN_DELIVERY_QUEUE_URL") or None,
        letters_queue_name=env.get("BAKEN_LETTERS_QUEUE", "baken-local-letters"),
        cases_stream_arn=stream_arn,
        sender=env.get("BAKEN_SENDER", "Provincie Utrecht <noreply@mijn.provincie-utrecht.nl>"),
        ses_configuration_set=env.get("BAKEN_SES_CONFIGURATION_SET") or None,
        portal_url=env.get("BAKEN_PORTAL_URL", "http://127.0.0.1:8000").rstrip("/"),
        citizens_oidc=_oidc_client(env, "BAKEN_OIDC_", ""),
        staff_oidc=_oidc_client(env, "BAKEN_STAFF_OIDC_", *_local_staff_defaults(env, stage_name)),
        dev_issuer_key_file=env.get("BAKEN_DEV_ISSUER_KEY_FILE") or None,
        notification_retention_days=_int("BAKEN_NOTIFICATION_RETENTION_DAYS", 30),
        claim_seconds=_int("BAKEN_DELIVERY_CLAIM_SECONDS", 90),
        token_secret=(env.get("BAKEN_TOKEN_SECRET") or LOCAL_TOKEN_SECRET).encode() if stage_name == LOCAL_STAGE else b"",
        dev_clock_offset_seconds=_clock_offset(env, stage_name),
        token_secret_name=env.get("BAKEN_TOKEN_SECRET_NAME") or None,
        secret_max_age_seconds=_int("BAKEN_SECRET_MAX_AGE_SECONDS", 300),
        jobs_queue_name=jobs_queue_name(env),
        fanout_unit=max(1, _int("BAKEN_FANOUT_UNIT", 1_000)),
        digest_group=max(1, _int("BAKEN_DIGEST_GROUP", 500)),
        zgw=_zgw_link(env, stage_name),
        notices_queue_name=notices_queue_name(env),
        **_outbound(env),
        documents_bucket=env.get("BAKEN_DOCUMENTS_BUCKET") or "baken-local-documents",
    )


def _zgw_link(env: Mapping[str, str], stage_name: str) -> ZgwLink | None:
    """``BAKEN_ZGW_APIS``: a JSON list of ``{"base_url", "client_id", "secret_name"}`` (``"secret"`` instead on the
    local stage only); unset: no zaaksysteem is connected and the ZGW routes accept nothing."""
    raw = env.get("BAKEN_ZGW_APIS", "")
    if not raw:
        return None
    local = stage_name == LOCAL_STAGE
    try:
        entries = json.loads(raw)
    except ValueError:
        raise ConfigurationError("BAKEN_ZGW_APIS must be a JSON list") from None
    if not isinstance(entries, list) or not entries:
        raise ConfigurationError("BAKEN_ZGW_APIS must be a non-empty JSON list")
    apis = []
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("base_url"), str) or not entry.get("client_id"):
            raise ConfigurationError(f"BAKEN_ZGW_APIS[{n}] needs base_url and client_id")
        base = str(entry["base_url"])
        if not base.endswith("/") or not (base.startswith("https://") or (local and base.startswith("http://"))):
            raise ConfigurationError(f"BAKEN_ZGW_APIS[{n}].base_url must be an https:// address ending in /")
        if entry.get("secret") and not local:
            raise ConfigurationError(f"BAKEN_ZGW_APIS[{n}]: secrets come from the secrets store outside the local stage")
        if not (entry.get("secret_name") or entry.get("secret")):
            raise ConfigurationError(f"BAKEN_ZGW_APIS[{n}] needs secret_name")
        apis.append(ZgwApi(base, str(entry["client_id"]), entry.get("secret_name") or None, entry.get("secret") or None))
    link = ZgwLink(
        apis=tuple(apis),
        callback_auth_name=env.get("BAKEN_ZGW_CALLBACK_AUTH_NAME") or None,
        callback_auth=env.get("BAKEN_ZGW_CALLBACK_AUTH") or None,
        pseudonym_key_name=env.get("BAKEN_PSEUDONYM_KEY_NAME") or None,
        pseudonym_key=env.get("BAKEN_PSEUDONYM_KEY") or None,
        pseudonym_sector=env.get("BAKEN_PSEUDONYM_SECTOR") or "baken",
        catalogus_url=_catalogus_url(env, apis),
    )
    if not (link.callback_auth_name or link.callback_auth):
        raise ConfigurationError("a connected zaaksysteem needs BAKEN_ZGW_CALLBACK_AUTH_NAME")
    if not (link.pseudonym_key_name or link.pseudonym_key):
        raise ConfigurationError("a connected zaaksysteem needs BAKEN_PSEUDONYM_KEY_NAME")
    return link


def _catalogus_url(env: Mapping[str, str], apis: Sequence[ZgwApi]) -> str | None:
    """``BAKEN_CATALOGUS_URL``: the catalogus (``.../catalogussen/<uuid>``) under one of the ZGW APIs."""
    url = env.get("BAKEN_CATALOGUS_URL", "").strip()
    if not url:
        return None
    if not re.fullmatch(r"[^?#\s]+/catalogussen/[0-9a-fA-F-]{36}", url):
        raise ConfigurationError("BAKEN_CATALOGUS_URL must be the URL of a catalogus: <Catalogi API>/catalogussen/<uuid>")
    if not any(url.startswith(api.base_url) for api in apis):
        raise ConfigurationError("BAKEN_CATALOGUS_URL must be under one of the BAKEN_ZGW_APIS base URLs")
    return url


class _Outbound(TypedDict):
    event_bus_name: str
    oin: str
    klantinteracties_url: str | None
    klantinteracties_token_name: str | None
    klantinteracties_token: str | None
    klantcontact_notifications: bool


def _outbound(env: Mapping[str, str]) -> _Outbound:
    """The event bus, the OIN and the Klantinteracties API (BAKEN_EVENT_BUS, BAKEN_OIN, BAKEN_KLANTINTERACTIES_*)."""
    oin = env.get("BAKEN_OIN") or "00000000000000000000"
    if len(oin) != 20 or not oin.isdigit():
        raise ConfigurationError("BAKEN_OIN must be the 20 digits of an OIN")
    url = (env.get("BAKEN_KLANTINTERACTIES_URL") or "").rstrip("/") or None
    token_name = env.get("BAKEN_KLANTINTERACTIES_TOKEN_NAME") or None
    token = env.get("BAKEN_KLANTINTERACTIES_TOKEN") or None
    if url is not None and token_name is None and token is None:
        raise ConfigurationError("BAKEN_KLANTINTERACTIES_URL needs BAKEN_KLANTINTERACTIES_TOKEN_NAME (its token in the store)")
    return {
        "event_bus_name": env.get("BAKEN_EVENT_BUS") or "baken-local-events",
        "oin": oin,
        "klantinteracties_url": url,
        "klantinteracties_token_name": token_name,
        "klantinteracties_token": token,
        "klantcontact_notifications": (env.get("BAKEN_KLANTCONTACT_NOTIFICATIONS") or "").lower() in ("1", "true", "on", "yes"),
    }


def _local_staff_defaults(env: Mapping[str, str], stage_name: str) -> tuple[str, str]:
    """The local stage's staff dev issuer, with the same audience as the citizens' one."""
    if stage_name != LOCAL_STAGE:
        return "", ""
    return LOCAL_STAFF_ISSUER, env.get("BAKEN_OIDC_AUDIENCE", "")


def _oidc_client(env: Mapping[str, str], prefix: str, local_issuer: str = "", local_audience: str = "") -> OidcClient:
    """The provider named by the settings that start with ``prefix``. The local stage's dev issuers need no client
    settings: the client id defaults to the API audience."""
    audience = env.get(f"{prefix}AUDIENCE") or local_audience
    return OidcClient(
        issuer=env.get(f"{prefix}ISSUER") or local_issuer,
        audience=audience,
        client_id=env.get(f"{prefix}CLIENT_ID") or audience,
        client_secret_name=env.get(f"{prefix}CLIENT_SECRET_NAME") or None,
        client_secret=env.get(f"{prefix}CLIENT_SECRET") or None,
        client_key_name=env.get(f"{prefix}CLIENT_KEY_NAME") or None,
    )


OPERATOR_REQUIRED = ("BAKEN_STAGE", "BAKEN_TABLE_PREFIX", "BAKEN_DELIVERY_QUEUE")


def operator_settings(env: Mapping[str, str]) -> Settings:
    """Settings for the operator commands (``python -m chalicelib.ops``), run from a workstation against a deployed
    stage: they move notifications between tables and queues, so they need the stage's names only — never its
    secrets (``token_secret`` is empty: nothing an operator command does signs or fingerprints), portal or login."""
    missing = [name for name in OPERATOR_REQUIRED if not env.get(name)]
    if missing:
        raise ConfigurationError(f"operator commands need {', '.join(missing)}")
    names_only = {name: value for name, value in env.items() if not name.startswith(("BAKEN_OIDC_", "BAKEN_TOKEN_SECRET"))}
    local = settings_from({**names_only, "BAKEN_STAGE": LOCAL_STAGE, "BAKEN_DEV_CLOCK_OFFSET": ""})
    return replace(local, stage=env["BAKEN_STAGE"], token_secret=b"", portal_url="", dev_issuer_key_file=None)


def _clock_offset(env: Mapping[str, str], stage_name: str) -> float:
    """How far the local stack's clock runs ahead of (or behind) the real one (``python -m devstack --at``)."""
    raw = env.get("BAKEN_DEV_CLOCK_OFFSET", "")
    if not raw:
        return 0.0
    if stage_name != LOCAL_STAGE:
        raise ConfigurationError("BAKEN_DEV_CLOCK_OFFSET is only accepted on the local stage")
    try:
        return float(raw)
    except ValueError:
        raise ConfigurationError("BAKEN_DEV_CLOCK_OFFSET must be a number of seconds") from None
