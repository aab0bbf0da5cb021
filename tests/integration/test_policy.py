"""Each function's role allows exactly what that function does (least privilege per function): every AWS call
a full walkthrough makes is attributed to the Lambda function that would make it (the API, the stream handler,
delivery, the scheduled jobs, the feedback handler), and is allowed by that function's own policy
(.chalice/policy-prod-<function>.json) on its own table, index or queue; every action a function's policy grants
is used — by its code, or by Lambda's event source mapping on its behalf. Logs and secrets are granted in
infra/app.json on the function's own log group and the stage's secrets (tests/packaging checks those)."""

from __future__ import annotations

import contextlib
import fnmatch
import json
import re
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from types import FrameType
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from chalicelib.domain.cases import TAIL
from chalicelib.domain.notifications import NotificationStatus
from chalicelib.domain.subscriptions import Channel
from chalicelib.handlers.reconcile_notifications import reconcile
from chalicelib.handlers.release_held_email import release_held
from devstack.zaaksysteem import MARK_ZAAK_UUID
from tests.conftest import ROOT
from tests.factories import FixedClock
from tests.integration.conftest import DAYTIME, PERSONAS, body, deliver_notificaties, headers, mailbox, register_personas

CONFIG = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
FUNCTIONS = tuple(CONFIG["lambda_functions"])


def policy(function: str, stage: str = "prod") -> dict[str, Any]:
    name = CONFIG["stages"][stage]["lambda_functions"][function]["iam_policy_file"]
    return json.loads((ROOT / ".chalice" / name).read_text(encoding="utf-8"))


ACCOUNT_REGION = "arn:aws:{service}:eu-west-1:123456789012:"
# IAM actions a service operation needs. TransactWriteItems is authorised per item as Put/Update/Delete/
# ConditionCheck; SES v2 SendEmail with raw content also needs ses:SendRawEmail.
IMPLIED = {
    ("dynamodb", "TransactWriteItems"): (),
    ("sesv2", "SendEmail"): ("ses:SendEmail", "ses:SendRawEmail"),
    ("sqs", "SendMessageBatch"): ("sqs:SendMessage",),
}
# What Lambda does with the function's role on its behalf: the stream mapping reads the stream and sends what it
# gives up on to its on-failure destination; the queue mappings poll and delete.
EVENT_SOURCE_MAPPINGS: dict[str, set[str]] = {
    "on_case_change": {
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        "sqs:SendMessage",
    },
    "on_subscription_change": {
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        "sqs:SendMessage",
    },
    "deliver": {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"},
    "on_ses_feedback": {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"},
    "fan_out_job": {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"},
    "sync_zaak": {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"},
}
HANDLER_FILE = re.compile(r"chalicelib[/\\]handlers[/\\](\w+)\.py$")
MAPPING = "(event source mapping)"
PAUSED: list[bool] = []  # while not empty, the test arranges data itself: its calls are no function's


@contextlib.contextmanager
def arranging() -> Iterator[None]:
    PAUSED.append(True)
    try:
        yield
    finally:
        PAUSED.pop()


TEST = "(test)"


def _calling_function() -> str:
    """The Lambda function a boto3 call comes from, read from the call stack: the innermost handler module
    (chalicelib/handlers/<function>.py), else the local runner standing in for an event source mapping, else the
    API function when application code made it on a request, else the test itself."""
    frame: FrameType | None = sys._getframe(2)
    seen_application = False
    while frame is not None:
        filename = frame.f_code.co_filename
        found = HANDLER_FILE.search(filename)
        if found and found.group(1) in FUNCTIONS:
            return found.group(1)
        if filename.endswith(("devstack/runner.py", "devstack\\runner.py")):
            return MAPPING
        if "chalicelib" in filename:
            seen_application = True
        if f"{ROOT.name}/tests/" in filename.replace("\\", "/") and not filename.endswith("conftest.py"):
            break
        frame = frame.f_back
    return "api_handler" if seen_application else TEST


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
    if service == "events":
        bus = _prod(params["Entries"][0]["EventBusName"])
        return [(f"events:{operation}", f"{ACCOUNT_REGION.format(service='events')}event-bus/{bus}")]
    if service == "s3":
        bucket = f"arn:aws:s3:::{_prod(params['Bucket'])}"
        if operation == "CopyObject":
            source = params["CopySource"]
            return [
                ("s3:GetObject", f"arn:aws:s3:::{_prod(source['Bucket'])}/{source['Key']}"),
                ("s3:PutObject", f"{bucket}/{params['Key']}"),
            ]
        action = {"HeadObject": "s3:GetObject", "GetObject": "s3:GetObject", "DeleteObject": "s3:DeleteObject"}[operation]
        return [(action, f"{bucket}/{params['Key']}")]
    if service == "sesv2":
        identity = f"{ACCOUNT_REGION.format(service='ses')}identity/mijn.provincie-utrecht.nl"
        return [(action, identity) for action in IMPLIED[(service, operation)]]
    raise AssertionError(f"unexpected AWS call {service}:{operation}")


def _granted(document: dict[str, Any]) -> set[str]:
    return {a for s in document["Statement"] for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}


def _leading_keys(operation: str, params: dict[str, Any]) -> list[list[str] | None]:
    """The partition key values each resource ``_dynamodb_resources`` lists for a DynamoDB call touches (None where
    the call names no key: a Query, a read of a table without ``pk``)."""

    def pk(spec: dict[str, Any]) -> str | None:
        found = (spec.get("Key") or spec.get("Item") or {}).get("pk", {})
        return found.get("S") if isinstance(found, dict) else None

    def keys(*specs: dict[str, Any]) -> list[str] | None:
        found = [pk(spec) for spec in specs]
        return None if any(k is None for k in found) else [k for k in found if k is not None]

    if operation == "TransactWriteItems":
        return [keys(next(iter(item.values()))) for item in params["TransactItems"]]
    if operation == "BatchWriteItem":
        return [keys(*(next(iter(r.values())) for r in requests)) for requests in params["RequestItems"].values()]
    if operation == "Query" and not params.get("IndexName"):
        value = params.get("ExpressionAttributeValues", {}).get(":pk", {}).get("S")
        return [[value] if value and params.get("KeyConditionExpression", "").startswith("pk = :pk") else None]
    if operation == "BatchGetItem":
        return [keys(*({"Key": k} for k in spec["Keys"])) for spec in params["RequestItems"].values()]
    return [keys(params)]


def _allowed(document: dict[str, Any], action: str, resource: str, leading_keys: list[str] | None = None) -> bool:
    """Whether a statement allows ``action`` on ``resource``; a statement limited to some partitions
    (``dynamodb:LeadingKeys``) only for a call on one of those."""
    for statement in document["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        limited = statement.get("Condition", {}).get("ForAllValues:StringLike", {}).get("dynamodb:LeadingKeys")
        if limited is not None and (
            leading_keys is None or not all(any(fnmatch.fnmatchcase(key, k) for k in limited) for key in leading_keys)
        ):
            continue
        if action in actions and any(fnmatch.fnmatchcase(resource, pattern) for pattern in resources):
            return True
    return False


@pytest.fixture
def recorded(monkeypatch) -> list[tuple[str, str, dict[str, Any], str]]:
    """Every boto3 call: service, operation, parameters and the function that made it."""
    calls: list[tuple[str, str, dict[str, Any], str]] = []
    original = BaseClient._make_api_call

    def record(self, operation_name, api_params):
        if not PAUSED:
            calls.append((self.meta.service_model.service_name, operation_name, dict(api_params), _calling_function()))
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
    # two areas drawn as polygons: matching reads their shapes (BatchGetItem on the subscriptions table), in the
    # stream handler for the first index entry of the announcement's audience and in a job for the next
    for west in (5.36, 5.365):
        ring = [[west, 52.04], [5.38, 52.04], [5.38, 52.06], [west, 52.06], [west, 52.04]]
        drawn = {"topics": ["grondbeheer"], "area": {"polygon": {"type": "Polygon", "coordinates": [ring]}}}
        assert client.http.post("/api/me/subscriptions", headers=mark, body=json.dumps(drawn)).status_code == 201
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
    assert release_held(None)["jobs"] >= 1  # the digest jobs, which the jobs function runs
    pipeline.run()
    assert followed["id"]
    # the letter went to the letters queue
    assert any(op == "SendMessage" and "letters" in params["QueueUrl"] for _, op, params, _function in recorded)


def _a_throttled_email_and_the_reconciler(client, pipeline) -> None:
    """SES throttles one e-mail, so delivery backs off (ChangeMessageVisibility) and leaves it sending; a case
    change is told but not yet queued. Hours later the reconciler queues the waiting notification again and gives
    up on the one stuck in sending."""
    from chalicelib import wiring

    def throttled(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "slow down"}}, "SendEmail")

    ses = wiring.aws_client("sesv2")
    ses.meta.events.register_first("before-call.sesv2.SendEmail", throttled)
    case = {
        "zaaktype": "subsidie-duurzame-recreatie",
        "omschrijving": "x",
        "initiator": "pu-fatima-8d21e4",
        "gemeenten": ["GM1581"],
    }
    try:
        assert client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(case)).status_code == 201
        pipeline.run()
    finally:
        ses.meta.events.unregister("before-call.sesv2.SendEmail", throttled)
    now = wiring.adapters().clock.now()
    assert client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(case)).status_code == 201
    pipeline.stream.poll_once()
    with arranging():
        _lose_queued_messages(pipeline)
        (created, *_) = wiring.adapters().outbox.open_since(NotificationStatus.CREATED, now + timedelta(seconds=1), limit=1)
        wiring.adapters().outbox.transition(created, created.moved_to(NotificationStatus.SENDING, now))
    wiring.use(wiring.adapters().but(clock=FixedClock(now + timedelta(hours=73))))
    result = reconcile()
    assert result["requeued"] >= 1, result
    assert result["gave_up"] >= 1, result


def _lose_queued_messages(pipeline) -> None:
    """As if the delivery queue lost what was just sent to it: the notifications stay created."""
    sqs = pipeline.queue._sqs
    sqs.purge_queue(QueueUrl=pipeline.queue._url)


def _a_bounce(stack, case_id: str) -> None:
    """SES reports a hard bounce of an e-mail Baken sent to Mark: the feedback handler records it."""
    from chalicelib import wiring

    with arranging():
        sent = [n for n in wiring.adapters().outbox.for_case(case_id) if n.channel is Channel.EMAIL and n.provider_message_id]
    assert sent
    address = str(PERSONAS["mark"].email)
    event = {
        "eventType": "Bounce",
        "mail": {"timestamp": "2026-10-05T09:00:00.000Z", "messageId": sent[0].provider_message_id, "destination": [address]},
        "bounce": {"bounceType": "Permanent", "bounceSubType": "General", "bouncedRecipients": [{"emailAddress": address}]},
    }
    stack.client("sns").publish(TopicArn=stack.outputs.values["FeedbackTopicArn"], Message=json.dumps(event))


NEW_CASE = {
    "zaaktype": "subsidie-duurzame-recreatie",
    "omschrijving": "x",
    "initiator": "pu-mark-3f9a1c",
    "gemeenten": ["GM1581"],
}


def _a_document_sent_in(client, case: dict[str, Any]) -> None:
    """Mark sends a requested document from his case page (the browser's POST to S3 is the test's), and reads it."""
    from tests.integration.browsing import signed_in
    from tests.integration.test_document_uploads import PDF, _send, _upload_form

    with arranging():
        requested = client.http.post(
            f"/api/cases/{case['id']}/document-requests",
            headers=headers("anna"),
            body='{"documents": [{"omschrijving": "Begroting"}]}',
        )
        document_id = body(requested)["missing_documents"][-1]["id"]
        path = f"/mijn-zaken/{case['id']}"
        mark = signed_in(client, "mark", path)
    back = _send(None, _upload_form(mark.get(path).body.decode(), document_id), "begroting.pdf", PDF)
    assert mark.get(back).status_code == 303
    file_id = body(client.http.get(f"/api/cases/{case['id']}", headers=headers("anna")))["documents"][-1]["files"][0]["id"]
    assert mark.get(f"{path}/bestanden/{file_id}").status_code == 303


def _a_satisfaction_answer(client) -> None:
    """Mark answers the satisfaction question from the decision's e-mail, then changes his answer (its comment
    replaced); Anna reads the figures and a month's comments."""
    from tests.integration.browsing import FORM, Browser, log_in

    link = next(found for m in mailbox(str(PERSONAS["mark"].email)) if (found := re.search(r"/tevredenheid/[\w.-]+", m.text)))
    client.http.get(f"{link.group(0)}?score=2")
    client.http.post(link.group(0), headers=FORM, body="cijfer=2&opmerking=Het+duurde+lang.")
    client.http.post(link.group(0), headers=FORM, body="cijfer=4&opmerking=Toch+goed+geholpen.")
    with arranging():
        anna = Browser(client)
        log_in(anna, "anna", start="/werk/tevredenheid")
    assert anna.get("/werk/tevredenheid").status_code == 200
    assert anna.get("/werk/tevredenheid/subsidie-duurzame-recreatie").status_code == 200


def _a_document_due_today(client, pipeline) -> None:
    """A document asked for by today: the stream writes the watch's entries, the watch reminds Mark's case's parties
    (it runs in the morning of the same day) and puts the servicenorm alerts it finds on Anna's list."""
    from chalicelib import wiring
    from chalicelib.domain.workdays import AMSTERDAM
    from chalicelib.handlers.watch_deadlines import watch

    with arranging():
        case = body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(NEW_CASE)))
    today = wiring.adapters().clock.now().astimezone(AMSTERDAM).date().isoformat()
    documents = {"documents": [{"omschrijving": "Begroting", "due": today}]}
    client.http.post(f"/api/cases/{case['id']}/document-requests", headers=headers("anna"), body=json.dumps(documents))
    pipeline.run()
    assert watch()["reminders"] >= 1
    pipeline.run()
    # Anna logged in with her address, and an alert of today for her: the next run sends her morning overview
    with arranging():
        from chalicelib.domain.watch import Alert, StaffMember, WatchEntry, WatchKind

        adapters = wiring.adapters()
        adapters.staff.remember(StaffMember("mdw-anna-bakker", "Anna Bakker", "anna@provincie.example.nl"), DAYTIME)  # type: ignore[union-attr]
        on = date.fromisoformat(today)
        entry = WatchEntry(on, case["id"], WatchKind.NORM_SOON, on + timedelta(days=5))
        adapters.watch.alert("mdw-anna-bakker", Alert(entry, case["case_number"]))  # type: ignore[union-attr]
    assert watch()["digests_sent"] == 1


def test_each_function_policy_allows_exactly_what_that_function_uses(client, stack, pipeline, recorded, monkeypatch, zaaksysteem):
    # GIVEN the production way of finding the queue (by name), and the story's people
    monkeypatch.delenv("BAKEN_DELIVERY_QUEUE_URL")
    # one index entry per unit of fan-out: the announcement's audience goes out through the jobs function too
    monkeypatch.setenv("BAKEN_FANOUT_UNIT", "1")
    # the catalogue read from the zaaksysteem's Catalogi API: every function reads it from its partition
    monkeypatch.setenv("BAKEN_CATALOGUS_URL", zaaksysteem.catalogus_url)
    # read on every use: in Lambda each function is a process of its own and reads it itself
    monkeypatch.setattr("chalicelib.services.catalogue_refresh.LIVE_TTL_SECONDS", 0.0)
    from chalicelib import wiring
    from chalicelib.ops import queue_catalogue_refresh

    wiring.reset()
    # at a working-day morning, so the neighbour's news is not held by quiet hours whenever the suite runs
    wiring.use(wiring.adapters().but(clock=FixedClock(DAYTIME)))
    register_personas("mark", "fatima")
    del recorded[:]
    queue_catalogue_refresh(wiring.adapters().notices, DAYTIME)
    pipeline.run()
    # WHEN every route and both handlers run
    anna, mark, sanne = headers("anna"), headers("mark"), headers("sanne")
    case = body(client.http.post("/api/cases", headers=anna, body=json.dumps(NEW_CASE)))
    url = f"/api/cases/{case['id']}"
    # a case decided: the stream function counts it in the servicenorm figures, the open data shows them
    decided = body(client.http.post("/api/cases", headers=anna, body=json.dumps({**NEW_CASE, "omschrijving": "besloten"})))
    client.http.post(f"/api/cases/{decided['id']}/status", headers=anna, body='{"statustype": "besluit-genomen"}')
    pipeline.run()
    client.http.get("/api/servicenormen")
    _a_satisfaction_answer(client)
    client.http.post(f"{url}/status", headers=anna, body='{"statustype": "in-behandeling"}')
    document = body(client.http.post(f"{url}/document-requests", headers=anna, body='{"documents": [{"omschrijving": "Plan"}]}'))
    client.http.post(f"{url}/document-requests/{document['documents'][0]['id']}/received", headers=anna, body="{}")
    client.http.post(f"{url}/messages", headers=anna, body='{"text": "Hallo"}')
    for later in range(TAIL):  # delivered after these, "Hallo" is read from the case's history
        client.http.post(f"{url}/messages", headers=anna, body=json.dumps({"text": f"Later {later}"}))
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
    _a_bounce(stack, case["id"])
    pipeline.run()
    _subscriptions_and_announcements(client, pipeline, recorded)
    # the zaaksysteem tells Baken of a zaak, then of a new status: the callback queues, sync_zaak writes the case
    zaaksysteem.announce_zaak()
    deliver_notificaties(client, zaaksysteem)
    pipeline.run()
    seen = len(zaaksysteem.notificaties.messages)
    zaaksysteem.set_status(MARK_ZAAK_UUID, 2)
    deliver_notificaties(client, zaaksysteem, since=seen)
    pipeline.run()
    _a_throttled_email_and_the_reconciler(client, pipeline)
    _a_document_due_today(client, pipeline)
    _a_document_sent_in(client, case)

    # THEN each call is allowed by the policy of the function that made it, on its own resource...
    used: dict[str, set[str]] = {function: set() for function in FUNCTIONS}
    refused = []
    # A queue's URL is looked up by name once per process and cached; in Lambda each function is its own process,
    # so a function that sends to a queue looked up by name looks it up itself
    looked_up = {params["QueueName"] for service, operation, params, _ in recorded if operation == "GetQueueUrl"}
    for service, operation, params, function in recorded:
        if function in (MAPPING, TEST):
            continue
        calls = _resources(service, operation, params)
        if operation in {"SendMessage", "SendMessageBatch"} and params["QueueUrl"].rsplit("/", 1)[-1] in looked_up:
            calls += _resources("sqs", "GetQueueUrl", {"QueueName": params["QueueUrl"].rsplit("/", 1)[-1]})
        keys = _leading_keys(operation, params) if service == "dynamodb" else []
        for n, (action, resource) in enumerate(calls):
            used[function].add(action)
            if not _allowed(policy(function), action, resource, keys[n] if n < len(keys) else None):
                refused.append((function, action, resource))
    assert sorted(set(refused)) == [], sorted(set(refused))
    # ...and no function's policy grants an action that function does not use (each function ran)
    for function in FUNCTIONS:
        assert used[function], f"{function} made no AWS call in the walkthrough"
        unused = _granted(policy(function)) - used[function] - EVENT_SOURCE_MAPPINGS.get(function, set())
        assert unused == set(), f"{function} is granted what it never uses: {sorted(unused)}"


def test_the_api_function_cannot_send_email_or_read_the_stream_and_only_delivery_sends_email():
    # GIVEN each function's policy
    granted = {function: _granted(policy(function)) for function in FUNCTIONS}
    # THEN the public API function can neither send e-mail nor read the cases stream
    assert not {action for action in granted["api_handler"] if action.startswith("ses:")}
    assert not granted["api_handler"] & EVENT_SOURCE_MAPPINGS["on_case_change"] - {"sqs:SendMessage"}
    # AND only the delivery function sends e-mail to applicants, only the stream function reads the stream
    # (and the watch, its morning overview to the behandelaars)
    assert {function for function, actions in granted.items() if "ses:SendEmail" in actions} == {"deliver", "watch_deadlines"}
    assert {function for function, actions in granted.items() if "dynamodb:GetRecords" in actions} == {
        "on_case_change",
        "on_subscription_change",
    }


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_policy_files_are_the_ones_devstack_policies_writes(stage):
    from devstack.policies import file_name, rendered

    for function in FUNCTIONS:
        assert CONFIG["stages"][stage]["lambda_functions"][function]["iam_policy_file"] == file_name(stage, function)
        written = (ROOT / ".chalice" / file_name(stage, function)).read_text(encoding="utf-8")
        assert written == rendered(stage, function), f"run python -m devstack.policies ({file_name(stage, function)})"
