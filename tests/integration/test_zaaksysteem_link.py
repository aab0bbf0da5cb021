"""The zaaksysteem tells Baken, end to end on moto: the stand-in zaaksysteem (real HTTP, ZGW shapes, JWT) publishes
Notificaties API messages, the callback route queues them on the real FIFO queue, sync_zaak reads the zaak over HTTP
with the ZGW client and writes the case, and the cases stream, matching and delivery tell Mark — a status set in the
zaaksysteem reaches his mailbox and berichtenbox, nobody typed it twice. Duplicates, reordering, a zaaksysteem that
is down or refuses Baken, a deleted zaak and bad callbacks each end without anything lost, doubled or half-written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.domain.zgw import case_id_for
from devstack.zaaksysteem import MARK_ZAAK_UUID
from tests.integration.conftest import (
    CALLBACK_AUTH,
    PERSONAS,
    body,
    deliver_notificaties,
    headers,
    mailbox,
    problem,
    register_personas,
)

MARK = PERSONAS["mark"].claims["sub"]
FATIMA = PERSONAS["fatima"].claims["sub"]


def _case(standin: Any) -> Any:
    return wiring.adapters().cases.get(case_id_for(standin.mark_zaak_url))


def _callback(client: Any, message: Any, auth: str | None = CALLBACK_AUTH, content_type: str = "application/json") -> Any:
    sent = {"Content-Type": content_type, **({"Authorization": auth} if auth else {})}
    return client.http.post(
        "/api/zgw/notificaties", headers=sent, body=message if isinstance(message, str) else json.dumps(message)
    )


def _notices_waiting(stack: Any) -> int:
    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=stack.outputs.values["NoticesQueueUrl"],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


@pytest.fixture
def taken_over(client, pipeline, zaaksysteem, daytime):
    """Mark's zaak as Baken knows it once the zaaksysteem announced it."""
    register_personas("mark", "fatima")
    zaaksysteem.announce_zaak()
    assert deliver_notificaties(client, zaaksysteem) == [204]
    pipeline.run()
    return zaaksysteem


def test_a_status_set_in_the_zaaksysteem_reaches_mark_by_email_and_in_his_berichtenbox(client, pipeline, taken_over, stack):
    # GIVEN Baken took over Mark's zaak: its number, parties (from the rollen' BSNs, never stored) and behandelaar
    case = _case(taken_over)
    zaak = taken_over.get("zaken", MARK_ZAAK_UUID)
    assert (case.case_number, case.source, case.followers) == (zaak["identificatie"], taken_over.mark_zaak_url, (MARK, FATIMA))
    assert case.behandelaar.id == "mdw-anna-bakker"
    assert "999993653" not in json.dumps(wiring.adapters().cases.get(case.id).__dict__, default=str)
    before = len(mailbox("mark.visser@example.org"))
    seen = len(taken_over.notificaties.messages)
    # WHEN Anna sets the status in the zaaksysteem and its Notificaties component calls Baken
    taken_over.set_status(MARK_ZAAK_UUID, 3, "Stuur ons de begroting.")
    assert deliver_notificaties(client, taken_over, since=seen) == [204]
    pipeline.run()
    # THEN Mark has an e-mail and a berichtenbox message about it, and his case page shows it
    assert len(mailbox("mark.visser@example.org")) == before + 1
    messages = body(client.http.get("/api/me/berichtenbox", headers=headers("mark")))["messages"]
    assert any("informatie" in json.dumps(m).lower() for m in messages)
    mine = body(client.http.get(f"/api/me/cases/{case.id}", headers=headers("mark")))
    assert mine["status"]["statustype"] == "aanvullende-informatie-nodig"
    # AND the zaak was read over HTTP with a JWT, its zaaktype once (cached)
    assert _notices_waiting(stack) == 0
    zaaktype_reads = [r for r in taken_over.requests if "/zaaktypen/" in r.path]
    assert len(zaaktype_reads) == 1


def test_duplicate_and_out_of_order_notifications_tell_each_transition_once_in_order(client, pipeline, taken_over):
    before = len(mailbox("mark.visser@example.org"))
    seen = len(taken_over.notificaties.messages)
    taken_over.set_status(MARK_ZAAK_UUID, 2)
    taken_over.set_status(MARK_ZAAK_UUID, 3)
    status_2, status_3 = taken_over.notificaties.messages[seen:]
    # status 3's message arrives first, then status 2's, then 3's again
    for message in (status_3, status_2, status_3):
        assert _callback(client, message).status_code == 204
    pipeline.run()
    case = _case(taken_over)
    assert [s.statustype for s in case.statuses][-2:] == ["in-behandeling", "aanvullende-informatie-nodig"]
    subjects = [m.subject for m in mailbox("mark.visser@example.org")[before:]]
    assert len(subjects) == 2, subjects  # one e-mail per transition, none twice
    outbox = wiring.adapters().outbox.for_case(case.id)
    told = [(n.event_id, n.channel) for n in outbox if n.subscriber_id == MARK and "/status/" in n.event_id]
    assert len(told) == len(set(told)) == 6  # the first status and two transitions, by e-mail and in the berichtenbox


def test_a_zaaksysteem_that_is_down_or_refuses_baken_keeps_the_notice_until_it_answers(client, pipeline, taken_over, stack):
    # (a failed notice is visible again at once here; on AWS after the queue's visibility timeout)
    queue = stack.outputs.values["NoticesQueueUrl"]
    stack.client("sqs").set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeout": "0"})
    seen = len(taken_over.notificaties.messages)
    taken_over.set_status(MARK_ZAAK_UUID, 2)
    taken_over.fail("/zaken/api/v1/zaken", 503)
    # the callback is answered at once all the same: a slow or broken zaaksysteem never fails it
    assert deliver_notificaties(client, taken_over, since=seen) == [204]
    pipeline.notices.poll_once()
    assert _case(taken_over).current_status.statustype == "ontvangen"  # nothing half-written
    assert _notices_waiting(stack) == 1  # back on the queue
    taken_over.clear_faults()
    taken_over.refuse("/zaken/api/v1")
    pipeline.notices.poll_once()
    assert _case(taken_over).current_status.statustype == "ontvangen"
    assert _notices_waiting(stack) == 1
    taken_over.clear_faults()
    pipeline.run()
    assert _case(taken_over).current_status.statustype == "in-behandeling"
    assert _notices_waiting(stack) == 0


def test_a_deleted_zaak_leaves_the_case_as_last_known_and_is_not_retried(client, pipeline, taken_over, stack):
    seen = len(taken_over.notificaties.messages)
    taken_over.delete_zaak(MARK_ZAAK_UUID)
    assert deliver_notificaties(client, taken_over, since=seen) == [204]
    pipeline.run()
    assert _case(taken_over).current_status.statustype == "ontvangen"
    assert _notices_waiting(stack) == 0


def test_the_behandelaar_cannot_set_a_zaaksysteem_s_status_in_baken(client, taken_over):
    case = _case(taken_over)
    refused = client.http.post(
        f"/api/cases/{case.id}/status", headers=headers("anna"), body=json.dumps({"statustype": "in-behandeling"})
    )
    assert "zaaksysteem" in problem(refused, 409)["detail"]
    assert _case(taken_over).current_status.statustype == "ontvangen"
    sent = client.http.post(
        f"/api/cases/{case.id}/messages", headers=headers("anna"), body=json.dumps({"text": "Wij bellen u deze week."})
    )
    assert sent.status_code == 201


def test_a_callback_without_the_abonnement_s_header_or_with_a_bad_message_queues_nothing(client, zaaksysteem, stack):
    message = {
        "kanaal": "zaken",
        "hoofdObject": zaaksysteem.mark_zaak_url,
        "resource": "status",
        "resourceUrl": f"{zaaksysteem.zaken_url}/statussen/x",
        "actie": "create",
        "aanmaakdatum": "2026-10-06T12:00:00Z",
        "kenmerken": {},
    }
    assert _callback(client, message, auth=None).status_code == 401
    assert _callback(client, message, auth="Bearer guessed").status_code == 401
    bad = _callback(client, {**message, "hoofdObject": "ftp://x", "aanmaakdatum": "gisteren"})
    assert bad.status_code == 400
    fields = {p["name"] for p in body(bad)["invalidParams"]}
    assert fields == {"hoofdObject", "aanmaakdatum"}
    assert _callback(client, "{not json").status_code == 400
    assert _callback(client, json.dumps(message), content_type="text/plain").status_code == 415
    # Open Notificaties' check of a new abonnement, and a resource Baken shows nothing of: answered, not queued
    assert _callback(client, {**message, "kanaal": "test"}).status_code == 204
    assert _callback(client, {**message, "resource": "zaakverzoek"}).status_code == 204
    assert _notices_waiting(stack) == 0


def test_a_cloudevent_about_the_zaak_is_taken_like_a_notification(client, pipeline, zaaksysteem, stack, daytime):
    register_personas("mark", "fatima")
    event = {
        "specversion": "1.0",
        "id": "4f0e8b3c-1d7a-4b8e-9a55-0f7f5b0c9e21",
        "source": "urn:nld:oin:00000001002220647000:systeem:zaaksysteem",
        "type": "nl.overheid.zaken.zaak-aangemaakt",
        "subject": MARK_ZAAK_UUID,
        "time": "2026-10-06T12:00:00Z",
        "datacontenttype": "application/json",
        "dataref": zaaksysteem.mark_zaak_url,
    }
    response = client.http.post(
        "/api/zgw/cloudevents",
        headers={"Content-Type": "application/cloudevents+json", "Authorization": CALLBACK_AUTH},
        body=json.dumps(event),
    )
    assert response.status_code == 204
    pipeline.run()
    assert _case(zaaksysteem).source == zaaksysteem.mark_zaak_url


def test_the_kcc_s_contact_moment_about_the_zaak_is_a_klantcontact_in_klantinteracties(client, pipeline, taken_over):
    # GIVEN Mark's zaak from the zaaksysteem; WHEN Sanne (KCC) records his call
    case = _case(taken_over)
    recorded = client.http.post(
        f"/api/cases/{case.id}/contact-moments",
        headers=headers("sanne"),
        body=json.dumps(
            {"kanaal": "telefoon", "onderwerp": "Vergunning waterschap", "inhoud": "Uitgelegd hoe.", "vertrouwelijk": False}
        ),
    )
    assert recorded.status_code == 201
    pipeline.run()
    # THEN the Klantinteracties API has one klantcontact about it, its onderwerpobject the zaak
    klantcontacten = taken_over.all("klantcontacten")
    assert [k["onderwerp"] for k in klantcontacten] == ["Vergunning waterschap"]
    objecten = taken_over.all("onderwerpobjecten")
    assert [o["onderwerpobjectidentificator"]["objectId"] for o in objecten] == [taken_over.mark_zaak_url]
    # AND running the job again registers nothing twice
    pipeline.run()
    assert len(taken_over.all("klantcontacten")) == 1
