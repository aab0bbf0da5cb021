"""The deployed role's policy (.chalice/policy-prod.json) allows exactly what Baken does: every AWS call the
application makes in a full walkthrough is allowed on its own table, index or queue, and every action the
policy grants is used — by the code, or by Lambda's event source mappings on the function's behalf."""

from __future__ import annotations

import fnmatch
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from chalicelib.handlers.reconcile_notifications import reconcile
from chalicelib.handlers.release_held_email import release_held
from tests.conftest import ROOT
from tests.factories import FixedClock
from tests.integration.conftest import DAYTIME, body, headers, mailbox, register_personas

POLICY = json.loads((ROOT / ".chalice" / "policy-prod.json").read_text(encoding="utf-8"))
ACCOUNT_REGION = "arn:aws:{service}:eu-west-1:123456789012:"
# IAM actions a service operation needs. TransactWriteItems is authorised per item as Put/Update/Delete/
# ConditionCheck; SES v2 SendEmail with raw content also needs ses:SendRawEmail.
IMPLIED = {
    ("dynamodb", "TransactWriteItems"): (),
    ("sesv2", "SendEmail"): ("ses:SendEmail", "ses:SendRawEmail"),
    ("sqs", "SendMessageBatch"): ("sqs:SendMessage",),
}
TRANSACTION_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
# Used by Lambda on the function's behalf: reading the stream, polling the queue, logging, and the stream
# mapping's on-failure destination.
EVENT_SOURCE_MAPPINGS = {
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "sqs:SendMessage",
}


def _prod(name: str) -> str:
    return name.replace("baken-local-", "baken-prod-")


def _dynamodb_resources(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    arn = ACCOUNT_REGION.format(service="dynamodb")
    if operation == "TransactWriteItems":
        found = []
        for item in params["TransactItems"]:
            ((kind, spec),) = item.items()
            action = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}[
                kind
            ]
            found.append((f"dynamodb:{action}", f"{arn}table/{_prod(spec['TableName'])}"))
        return found
    tables = list(params["RequestItems"]) if operation in {"BatchGetItem", "BatchWriteItem"} else [params["TableName"]]
    suffix = f"/index/{params['IndexName']}" if params.get("IndexName") else ""
    return [(f"dynamodb:{operation}", f"{arn}table/{_prod(table)}{suffix}") for table in tables]


def _resources(service: str, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    if service == "dynamodb":
        return _dynamodb_resources(operation, params)
    if service == "sqs":
        name = params.get("QueueName") or params["QueueUrl"].rsplit("/", 1)[-1]
        actions = IMPLIED.get((service, operation), (f"sqs:{operation}",))
        return [(action, f"{ACCOUNT_REGION.format(service='sqs')}{_prod(name)}") for action in actions]
    if service == "sesv2":
        identity = f"{ACCOUNT_REGION.format(service='ses')}identity/mijn.provincie-utrecht.nl"
        return [(action, identity) for action in IMPLIED[(service, operation)]]
    raise AssertionError(f"unexpected AWS call {service}:{operation}")


def _allowed(action: str, resource: str) -> bool:
    for statement in POLICY["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if action in actions and any(fnmatch.fnmatchcase(resource, pattern) for pattern in resources):
            return True
    return False


@pytest.fixture
def recorded(monkeypatch) -> list[tuple[str, str, dict[str, Any]]]:
    calls: list[tuple[str, str, dict[str, Any]]] = []
    original = BaseClient._make_api_call

    def record(self, operation_name, api_params):
        calls.append((self.meta.service_model.service_name, operation_name, dict(api_params)))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", record)
    return calls


def _token(text: str, page: str) -> str:
    found = re.search(re.escape(page) + r"\?token=([A-Za-z0-9._~-]+)", text)
    assert found, text
    return found.group(1)


def _subscriptions_and_announcements(client, pipeline, recorded) -> None:
    """Preferences with a letter, own subscriptions (add, change, stop), an anonymous opt-in confirmed and
    unsubscribed, an announcement drafted, previewed and approved by a second behandelaar, and the daily
    digest released the next morning."""
    from chalicelib import wiring

    mark, anna, pieter = headers("mark"), headers("anna"), headers("pieter")
    preferences = {
        "channels": ["email", "portal", "letter"],
        "language": "nl",
        "frequency": "daily",
        "quiet_hours": True,
        "postal_address": {
            "naam": "M. Visser",
            "straat": "Dorpsstraat",
            "huisnummer": "1",
            "postcode": "3941 AB",
            "woonplaats": "Doorn",
        },
    }
    assert client.http.put("/api/me/preferences", headers=mark, body=json.dumps(preferences)).status_code == 200
    client.http.get("/api/me/preferences", headers=mark)
    followed = body(
        client.http.post("/api/me/subscriptions", headers=mark, body='{"topics": ["grondbeheer"], "gemeenten": ["GM1581"]}')
    )
    other = body(client.http.post("/api/me/subscriptions", headers=mark, body='{"topics": ["wegen-en-werkzaamheden"]}'))
    circle = {"area": {"circle": {"lat": 52.05, "lon": 5.37, "radius_m": 1500}}}
    client.http.put(f"/api/me/subscriptions/{other['id']}", headers=mark, body=json.dumps(circle))
    client.http.delete(f"/api/me/subscriptions/{other['id']}", headers=mark)
    client.http.get("/api/me/subscriptions", headers=mark)

    client.http.post(
        "/api/subscriptions",
        headers=headers(),
        body='{"email": "buurman@example.org", "topics": ["grondbeheer"], "gemeenten": ["GM1581"]}',
    )
    pipeline.run()
    (confirmation,) = mailbox("buurman@example.org")
    client.http.post(
        "/api/subscriptions/confirm",
        headers=headers(),
        body=json.dumps({"token": _token(confirmation.text, "/abonnement/bevestigen")}),
    )

    draft = {
        "title": "Grond beschikbaar",
        "text": "Er komt landbouwgrond vrij bij Doorn.",
        "topic": "grondbeheer",
        "gemeenten": ["GM1581"],
        "point": {"lat": 52.05, "lon": 5.37},
    }
    announcement = body(client.http.post("/api/announcements", headers=pieter, body=json.dumps(draft)))
    url = f"/api/announcements/{announcement['id']}"
    client.http.put(url, headers=pieter, body=json.dumps({**draft, "title": "Landbouwgrond beschikbaar"}))
    client.http.post(f"{url}/preview", headers=pieter, body="{}")
    client.http.post(f"{url}/submit", headers=pieter, body="{}")
    client.http.get(url, headers=anna)
    client.http.get("/api/announcements", headers=anna)
    client.http.post(f"{url}/approve", headers=anna, body="{}")
    pipeline.run()
    (news,) = [m for m in mailbox("buurman@example.org") if m.message_id != confirmation.message_id]
    client.http.post(
        "/api/subscriptions/unsubscribe", headers=headers(), body=json.dumps({"token": _token(news.text, "/afmelden")})
    )

    tomorrow = DAYTIME + timedelta(days=1, hours=1)
    wiring.use(wiring.adapters().but(clock=FixedClock(tomorrow)))
    assert release_held(None)["released"] >= 1
    pipeline.run()
    assert followed["id"]
    # the letter went to the letters queue
    assert any(op == "SendMessage" and "letters" in params["QueueUrl"] for _, op, params in recorded)


def _a_throttled_email_and_the_reconciler(client, pipeline) -> None:
    """SES throttles one e-mail, so delivery backs off (ChangeMessageVisibility); the reconciler runs."""
    from chalicelib import wiring

    def throttled(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "slow down"}}, "SendEmail")

    ses = wiring.aws_client("sesv2")
    ses.meta.events.register_first("before-call.sesv2.SendEmail", throttled)
    try:
        case = {
            "zaaktype": "subsidie-duurzame-recreatie",
            "omschrijving": "x",
            "initiator": "pu-fatima-8d21e4",
            "gemeenten": ["GM1581"],
        }
        assert client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(case)).status_code == 201
        pipeline.run()
    finally:
        ses.meta.events.unregister("before-call.sesv2.SendEmail", throttled)
    assert reconcile() == {"requeued": 0, "gave_up": 0}


def test_the_policy_allows_exactly_what_a_full_walkthrough_uses(client, pipeline, recorded, monkeypatch):
    # GIVEN the production way of finding the queue (by name), and the story's people
    monkeypatch.delenv("BAKEN_DELIVERY_QUEUE_URL")
    from chalicelib import wiring

    wiring.reset()
    # at a working-day morning, so the neighbour's news is not held by quiet hours whenever the suite runs
    wiring.use(wiring.adapters().but(clock=FixedClock(DAYTIME)))
    register_personas("mark", "fatima")
    del recorded[:]
    # WHEN every route and both handlers run
    anna, mark, sanne = headers("anna"), headers("mark"), headers("sanne")
    case = body(
        client.http.post(
            "/api/cases",
            headers=anna,
            body=json.dumps(
                {
                    "zaaktype": "subsidie-duurzame-recreatie",
                    "omschrijving": "x",
                    "initiator": "pu-mark-3f9a1c",
                    "gemeenten": ["GM1581"],
                }
            ),
        )
    )
    url = f"/api/cases/{case['id']}"
    client.http.post(f"{url}/status", headers=anna, body='{"statustype": "in-behandeling"}')
    document = body(client.http.post(f"{url}/document-requests", headers=anna, body='{"documents": [{"omschrijving": "Plan"}]}'))
    client.http.post(f"{url}/document-requests/{document['documents'][0]['id']}/received", headers=anna, body="{}")
    client.http.post(f"{url}/messages", headers=anna, body='{"text": "Hallo"}')
    client.http.post(
        f"{url}/contact-moments",
        headers=sanne,
        body='{"kanaal": "telefoon", "onderwerp": "x", "inhoud": "y", "vertrouwelijk": false}',
    )
    pipeline.run()
    client.http.get(url, headers=sanne)
    client.http.get(f"/api/cases?case_number={case['case_number']}", headers=sanne)
    client.http.get(f"{url}/notifications", headers=sanne)
    client.http.get("/api/me/cases", headers=mark)
    client.http.get(f"/api/me/cases/{case['id']}", headers=mark)
    message = body(client.http.get("/api/me/berichtenbox", headers=mark))["messages"][0]
    client.http.post(f"/api/me/berichtenbox/{message['id']}/read", headers=mark, body="{}")
    _subscriptions_and_announcements(client, pipeline, recorded)
    _a_throttled_email_and_the_reconciler(client, pipeline)

    # THEN each application call is allowed on its own resource...
    runner_calls = {
        ("dynamodbstreams", "DescribeStream"),
        ("dynamodbstreams", "GetShardIterator"),
        ("dynamodbstreams", "GetRecords"),
        ("sqs", "ReceiveMessage"),
        ("sqs", "DeleteMessageBatch"),
    }
    used: set[str] = set()
    refused = []
    for service, operation, params in recorded:
        if (service, operation) in runner_calls:
            continue
        for action, resource in _resources(service, operation, params):
            used.add(action)
            if not _allowed(action, resource):
                refused.append((action, resource))
    assert refused == []
    # ...and nothing in the policy is unused
    granted = {a for s in POLICY["Statement"] for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert granted - used - EVENT_SOURCE_MAPPINGS == set()
    assert used - granted == set()
