"""Integration fixtures: moto in-process, the data stack from infra/data.json, the Chalice test client, and
the real handlers driven by records read back from the moto stream and queue (devstack.runner)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from chalice.test import Client
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto import mock_aws

from chalicelib import wiring
from chalicelib.adapters.dev_mailbox import MailboxEntry, read_mailbox
from chalicelib.adapters.identity import load_personas
from chalicelib.domain.language import Language
from chalicelib.domain.subscriptions import Channel, Subscriber
from devstack import moto_transactions
from devstack.infra import StackOutputs, create_data_stack, mapping_settings
from devstack.runner import QueuePoller, StreamPoller, StreamSettings
from tests.conftest import ROOT
from tests.factories import T0

PERSONAS = load_personas(str(ROOT / "chalicelib" / "data" / "dev_personas.json"))


@pytest.fixture(scope="session")
def dev_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("keys") / "dev-issuer.pem"
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return path


@dataclass
class Stack:
    outputs: StackOutputs
    session: Any

    def client(self, service: str) -> Any:
        return self.session.client(service, region_name="eu-west-1")


@pytest.fixture(scope="session")
def botocore_session() -> Any:
    """One botocore session for the whole run: a new session parses every service model again (~0.2 s each),
    which is what dominates a fresh stack otherwise. Behaviour is the same; only the parsing is shared."""
    import botocore.session

    return botocore.session.get_session()


moto_transactions.install()  # moto's TransactWriteItems copies whole tables; this one copies the items named


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch, dev_key_file: Path, botocore_session: Any) -> Iterator[Stack]:
    monkeypatch.setattr("pynamodb.connection.base.get_session", lambda: botocore_session)
    with mock_aws():
        session = boto3.Session(botocore_session=botocore_session, region_name="eu-west-1")
        outputs = create_data_stack(session, "local")
        monkeypatch.setenv("BAKEN_CASES_STREAM_ARN", outputs.cases_stream_arn)
        monkeypatch.setenv("BAKEN_DOCUMENTS_BUCKET", outputs.documents_bucket)
        monkeypatch.setenv("BAKEN_SUBSCRIPTIONS_STREAM_ARN", outputs.subscriptions_stream_arn)
        monkeypatch.setenv("BAKEN_DELIVERY_QUEUE_URL", outputs.delivery_queue_url)
        monkeypatch.setenv("BAKEN_DEV_ISSUER_KEY_FILE", str(dev_key_file))
        wiring.reset()
        yield Stack(outputs, session)
        wiring.reset()


@pytest.fixture(scope="session")
def chalice_app() -> Any:
    import app

    return app


@pytest.fixture
def client(stack: Stack, chalice_app: Any) -> Iterator[Client]:
    with Client(chalice_app.app, stage_name="local", project_dir=str(ROOT)) as test_client:
        yield test_client


def token_for(persona: str) -> str:
    issuer = wiring.adapters().dev_issuer
    assert issuer is not None
    return issuer.issue(PERSONAS[persona].claims)


def headers(persona: str | None = None, language: str | None = None) -> dict[str, str]:
    result = {"Content-Type": "application/json"}
    if persona:
        result["Authorization"] = f"Bearer {token_for(persona)}"
    if language:
        result["Accept-Language"] = language
    return result


def register_personas(*keys: str) -> None:
    """Give applicants a subscriber profile with their e-mail address, as the portal does on first login."""
    for key in keys:
        persona = PERSONAS[key]
        wiring.adapters().subscribers.put(
            Subscriber(
                persona.claims["sub"],
                persona.email,
                Language.NL,
                frozenset({Channel.EMAIL, Channel.PORTAL}),
                T0,
                quiet_hours=False,
            )
        )


class Pipeline:
    """The stream and queue of the moto stack, feeding the app's real handlers."""

    def __init__(self, stack: Stack, app_module: Any) -> None:
        settings = mapping_settings("OnCaseChange")
        self.stream = StreamPoller(
            streams=stack.client("dynamodbstreams"),
            sqs=stack.client("sqs"),
            stream_arn=stack.outputs.cases_stream_arn,
            handler=app_module.app.handler_map["on_case_change"],
            settings=StreamSettings.from_mapping(settings, batch_size=25),
            failure_queue_url=stack.outputs.stream_failure_queue_url,
            retry_delay=0,
        )
        # the subscriptions' index, built off the request (services/indexing.py)
        self.index = StreamPoller(
            streams=stack.client("dynamodbstreams"),
            sqs=stack.client("sqs"),
            stream_arn=stack.outputs.subscriptions_stream_arn,
            handler=app_module.app.handler_map["on_subscription_change"],
            settings=StreamSettings.from_mapping(mapping_settings("OnSubscriptionChange"), batch_size=10),
            failure_queue_url=stack.outputs.stream_failure_queue_url,
            function_name="on_subscription_change",
            retry_delay=0,
        )
        self.queue = QueuePoller(
            sqs=stack.client("sqs"),
            queue_url=stack.outputs.delivery_queue_url,
            queue_arn=stack.outputs.values["DeliveryQueueArn"],
            handler=app_module.app.handler_map["deliver"],
        )
        self.feedback = QueuePoller(
            sqs=stack.client("sqs"),
            queue_url=stack.outputs.values["FeedbackQueueUrl"],
            queue_arn=stack.outputs.values["FeedbackQueueArn"],
            handler=app_module.app.handler_map["on_ses_feedback"],
            function_name="on_ses_feedback",
        )
        # the zaaksysteem's notices (services/zaak_sync.py)
        self.notices = QueuePoller(
            sqs=stack.client("sqs"),
            queue_url=stack.outputs.values["NoticesQueueUrl"],
            queue_arn=stack.outputs.values["NoticesQueueArn"],
            handler=app_module.app.handler_map["sync_zaak"],
            function_name="sync_zaak",
            batch_size=1,
        )
        self.jobs = QueuePoller(
            sqs=stack.client("sqs"),
            queue_url=stack.outputs.values["JobsQueueUrl"],
            queue_arn=stack.outputs.values["JobsQueueArn"],
            handler=app_module.app.handler_map["fan_out_job"],
            function_name="fan_out_job",
            batch_size=1,
        )

    def run(self, rounds: int = 50) -> None:
        """Until nothing moves: the index first (its stream runs seconds ahead of any news), then the rest."""
        for _ in range(rounds):
            moved = (
                self.index_all()
                + self.notices.poll_once()
                + self.stream.poll_once()
                + self.jobs.poll_once()
                + self.queue.poll_once()
                + self.feedback.poll_once()
            )
            if not moved and not self.stream.pending():
                return
        raise AssertionError("the pipeline did not settle")

    def index_all(self, rounds: int = 5_000) -> int:
        """Drain the subscriptions table's stream: every index complete. Returns the records taken."""
        taken = 0
        for _ in range(rounds):
            moved = self.index.poll_once()
            taken += moved
            if not moved and not self.index.pending():
                return taken
        raise AssertionError("the index did not settle")

    def run_for(self, time: SimulatedTime, seconds: float, *, step: float = 5.0) -> None:
        """Run while ``seconds`` of simulated time pass in ``step``s: what waits for a backoff comes back when
        its time has come, as it would on AWS."""
        end = time.current + timedelta(seconds=seconds)
        while time.current < end:
            self.run()
            time.advance(seconds=step)
        self.run()


@pytest.fixture
def pipeline(stack: Stack, chalice_app: Any) -> Pipeline:
    return Pipeline(stack, chalice_app)


def mailbox(to: str | None = None) -> list[MailboxEntry]:
    return [m for m in read_mailbox() if to is None or to in m.to]


def body(response: Any) -> Any:
    return json.loads(response.body)


# Shared by the subscription, announcement and page tests ---------------------------------------------------

from tests.factories import FixedClock  # noqa: E402 - appended with the helpers that use it

DAYTIME = T0  # Monday 5 October 2026, 11:00 in Utrecht: no quiet hours, no digest waiting for the morning


@pytest.fixture
def daytime(stack: Stack) -> FixedClock:
    """Baken's clock stopped on a working-day morning, so e-mail to people with quiet hours (the default for
    anyone who subscribes without DigiD) goes out at once; tests step it to cross rate-limit windows and
    link expiry."""
    clock = FixedClock(DAYTIME)
    wiring.use(wiring.adapters().but(clock=clock))
    return clock


def problem(response: Any, status: int) -> dict[str, Any]:
    """The problem+json body of ``response``, after checking it is one with ``status``."""
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    answer: dict[str, Any] = json.loads(response.body)
    assert answer["status"] == status
    return answer


def invalid_params(response: Any) -> dict[str, str]:
    """``{field: code}`` of a 400 problem answer."""
    return {p["name"]: p["code"] for p in problem(response, 400)["invalidParams"]}


def link_token(text: str, page: str) -> str:
    """The token of the first link to ``page`` (e.g. ``/afmelden``) in an e-mail's text."""
    import re
    import urllib.parse

    found = re.search(re.escape(page) + r"\?token=([A-Za-z0-9._~%-]+)", text)
    assert found, f"no {page} link in: {text}"
    return urllib.parse.unquote(found.group(1))


def announce(client: Client, **draft: Any) -> dict[str, Any]:
    """An announcement written and submitted by Pieter and approved by Anna: what goes out once the pipeline runs."""
    written = client.http.post("/api/announcements", headers=headers("pieter"), body=json.dumps(draft))
    assert written.status_code == 201, written.body
    url = f"/api/announcements/{body(written)['id']}"
    assert client.http.post(f"{url}/submit", headers=headers("pieter"), body="{}").status_code == 200
    approved = client.http.post(f"{url}/approve", headers=headers("anna"), body="{}")
    assert approved.status_code == 200, approved.body
    return dict(body(approved))


class SimulatedTime(FixedClock):
    """One clock for Baken and for moto's SQS (visibility timeouts, backoffs, receive counts over time), so a
    test can let hours pass in a second."""


@pytest.fixture
def simulated_time(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> SimulatedTime:
    import moto.sqs.models as sqs_models

    time = SimulatedTime(DAYTIME)
    monkeypatch.setattr(sqs_models, "unix_time", lambda *_: time.current.timestamp())
    monkeypatch.setattr(sqs_models, "unix_time_millis", lambda *_: time.current.timestamp() * 1000)
    wiring.use(wiring.adapters().but(clock=time))
    return time


@pytest.fixture(autouse=True)
def stream_pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The stream handler's pauses between the tries of a record: recorded, not slept."""
    from chalicelib.handlers import on_case_change as stream

    pauses: list[float] = []
    monkeypatch.setattr(stream, "pause", pauses.append)
    return pauses


@pytest.fixture
def ses_hook() -> Iterator[Callable[[Any], Any]]:
    """Hook a callable in before every SES SendEmail of the client in use (request it after ``simulated_time``,
    which rebuilds the clients); unhooked after the test. Returns what it hooked."""
    client = wiring.aws_client("sesv2")
    hooked: list[Any] = []

    def hook(fault: Any) -> Any:
        client.meta.events.register("before-call.sesv2.SendEmail", fault)
        hooked.append(fault)
        return fault

    yield hook
    for fault in hooked:
        client.meta.events.unregister("before-call.sesv2.SendEmail", fault)


def follow(client: Any, persona: str, scope: dict[str, Any]) -> None:
    """``persona`` follows ``scope`` through the API, and its index is complete (as the subscriptions stream
    leaves it seconds later; the stream's own records then find nothing left to do)."""
    response = client.http.post("/api/me/subscriptions", headers=headers(persona), body=json.dumps(scope))
    assert response.status_code == 201, response.body
    index_now(json.loads(response.body)["id"])


def index_now(subscription_id: str) -> None:
    """What ``on_subscription_change`` does for one subscription, done now, chunk by chunk, to the end."""
    indexer = wiring.services().indexer
    while not indexer.catch_up(subscription_id).done:
        pass


def mails_of(*personas: str) -> dict[str, int]:
    """How many e-mails each persona has in the dev mailbox."""
    return {p: len(mailbox(PERSONAS[p].email)) for p in personas}


CALLBACK_AUTH = "Bearer callback-secret-of-the-test-abonnement-0000000000"
ZGW_CLIENT_SECRET = "zgw-client-secret-of-the-tests-00000000000000"
OPEN_KLANT_TOKEN = "open-klant-token-of-the-tests-0000000000"


@pytest.fixture
def zaaksysteem(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The zaaksysteem stand-in (devstack/zaaksysteem.py) over real HTTP, seeded with Mark's zaak, and Baken
    connected to it as the local stack connects it. Its Notificaties component delivers nowhere: a test takes its
    messages (``standin.notificaties.messages``) to the callback route through the Chalice test client."""
    from devstack.zaaksysteem import start_standin

    standin = start_standin(None, None, {"baken": ZGW_CLIENT_SECRET}, retries=0, tokens=(OPEN_KLANT_TOKEN,))
    apis = [
        {"base_url": f"{standin.zaken_url}/", "client_id": "baken", "secret": ZGW_CLIENT_SECRET},
        {"base_url": f"{standin.catalogi_url}/", "client_id": "baken", "secret": ZGW_CLIENT_SECRET},
    ]
    monkeypatch.setenv("BAKEN_ZGW_APIS", json.dumps(apis))
    monkeypatch.setenv("BAKEN_ZGW_CALLBACK_AUTH", CALLBACK_AUTH)
    monkeypatch.setenv("BAKEN_PSEUDONYM_KEY", "pseudonym-key-of-the-tests-000000000000")
    monkeypatch.setenv("BAKEN_KLANTINTERACTIES_URL", standin.klantinteracties_url)
    monkeypatch.setenv("BAKEN_KLANTINTERACTIES_TOKEN", OPEN_KLANT_TOKEN)
    wiring.reset()
    try:
        yield standin
    finally:
        standin.stop()
        wiring.reset()


def deliver_notificaties(client: Client, standin: Any, *, since: int = 0) -> list[int]:
    """What the Notificaties component does: POST each message published since ``since`` to the callback with the
    abonnement's Authorization header. Returns the answers' status codes."""
    statuses = []
    for message in standin.notificaties.messages[since:]:
        response = client.http.post(
            "/api/zgw/notificaties",
            headers={"Content-Type": "application/json", "Authorization": CALLBACK_AUTH},
            body=json.dumps(message),
        )
        statuses.append(response.status_code)
    return statuses
