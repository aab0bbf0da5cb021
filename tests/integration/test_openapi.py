"""The OpenAPI document at /openapi.json tells the truth about the JSON API: it is valid OpenAPI 3.1; it
names every JSON route of the app with its methods and nothing else; each request body it shows is the
schema the route validates with; and real answers — results and problems — match what it documents."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from openapi_spec_validator import validate as validate_openapi

from chalicelib.routes.api import zgw as zgw_routes
from chalicelib.services.subscriptions import Outcome
from chalicelib.web.request import PATH_PARAMETERS
from chalicelib.web.responses import OUTCOMES
from chalicelib.web.schema import Schema
from tests.integration.conftest import body, headers, link_token, mailbox, register_personas

# Pages for people, answered in HTML: not part of the JSON API.
PAGES = {
    "/volgen",
    "/abonnement/bevestigen",
    "/abonnement/beheren",
    "/afmelden",
    "/dev/mailbox",
    "/inloggen",
    "/inloggen/terug",
    "/uitloggen",
    "/mijn-zaken",
    "/mijn-zaken/{case_id}",
    "/mijn-zaken/{case_id}/documenten/{document_id}/ontvangen",
    "/mijn-zaken/{case_id}/bestanden/{file_id}",
    "/werk/zaken/{case_id}/documenten/{document_id}/beoordeling",
    "/werk/zaken/{case_id}/bestanden/{file_id}",
    "/berichten",
    "/berichten/{message_id}",
    "/assets/{name}",
    "/toegankelijkheid",
    "/",
    "/aankondigingen/{announcement_id}",
    "/kcc",
    "/kcc/zaken/{case_id}",
    "/kcc/zaken/{case_id}/contactmomenten",
    "/werk",
    "/werk/zaken/{case_id}",
    "/werk/zaken/{case_id}/status",
    "/werk/zaken/{case_id}/documenten",
    "/werk/zaken/{case_id}/bericht",
    "/werk/zaken/{case_id}/documenten/{document_id}/ontvangen",
    "/werk/zaken/{case_id}/vragen/{question_id}/antwoord",
    "/mijn-zaken/{case_id}/vragen",
    "/werk/aankondigingen",
    "/werk/aankondigingen/{announcement_id}",
    "/werk/aankondigingen/{announcement_id}/afwijzen",
    "/werk/aankondigingen/{announcement_id}/goedkeuren",
    "/werk/aankondigingen/{announcement_id}/indienen",
    "/werk/aankondigingen/{announcement_id}/wijzigen",
    "/mijn-abonnementen",
    "/mijn-abonnementen/{subscription_id}/stoppen",
    "/mijn-voorkeuren",
    "/dev/inloggen",
    "/producten",
    "/producten/{identificatie}",
    "/hoe-snel-zijn-wij",
    "/werk/vragen",
    "/mijn-zaken/{case_id}/brieven/{notification_id}",
    "/werk/vragen/{zaaktype}/{onderwerp}",
    "/tevredenheid/{token}",
    "/mijn-zaken/{case_id}/tevredenheid",
    "/werk/tevredenheid",
    "/werk/tevredenheid/{identificatie}",
}
# A well-formed value for each path parameter (one that names nothing, unless a test fills in a real one).
SAMPLE_IDS = {
    "case_id": str(uuid.UUID(int=1)),
    "document_id": str(uuid.UUID(int=2)),
    "message_id": "20260101T000000000000Z-" + "0" * 32,
    "identificatie": "geen-zaaktype",
    "announcement_id": str(uuid.UUID(int=3)),
    "subscription_id": str(uuid.UUID(int=4)),
}
PERSONA_BY_TAG = {"cases": "anna", "announcements": "pieter", "me": "mark"}


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.http.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    return dict(body(response))


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


def fill(template: str, ids: dict[str, str] | None = None) -> str:
    values = {**SAMPLE_IDS, **(ids or {})}
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)


def validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator of ``schema`` that resolves the document's ``#/components/...`` references."""
    return Draft202012Validator(
        {**schema, "components": document["components"]}, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


class DocumentedApi:
    """Calls the app through the Chalice test client, holding each request body and each answer against the
    document, and remembering which operations answered with which statuses."""

    def __init__(self, client: Any, document: dict[str, Any]) -> None:
        self.client = client
        self.document = document
        self.answered: dict[tuple[str, str], set[int]] = {}

    def template(self, method: str, path: str) -> str:
        bare = path.split("?", maxsplit=1)[0]
        matches = [
            template
            for template, methods in self.document["paths"].items()
            if method.lower() in methods and re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", template), bare)
        ]
        assert matches, f"{method} {bare} is not documented"
        return min(matches, key=lambda t: t.count("{"))

    def call(
        self,
        method: str,
        path: str,
        persona: str | None = None,
        payload: Any = None,
        *,
        status: int,
        raw: bytes | None = None,
        content_type: str = "application/json",
    ) -> Any:
        template = self.template(method, path)
        operation = self.document["paths"][template][method.lower()]
        if payload is not None:
            request_schema = operation["requestBody"]["content"]["application/json"]["schema"]
            validator(self.document, request_schema).validate(payload)
        sent = raw if raw is not None else (json.dumps(payload).encode() if payload is not None else None)
        response = self.client.http.request(method, path, headers={**headers(persona), "Content-Type": content_type}, body=sent)
        assert response.status_code == status, response.body
        documented = operation["responses"].get(str(status))
        assert documented is not None, f"{method} {template} answered {status}, which it does not document"
        if "$ref" in documented:
            documented = self.document["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
        (media_type,) = documented["content"]
        if media_type == "text/csv":  # open data: the charset is a parameter of the media type
            assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
            answer: Any = response.body.decode("utf-8")
        else:
            assert response.headers["Content-Type"] == media_type
            answer = body(response)
        validator(self.document, documented["content"][media_type]["schema"]).validate(answer)
        for name, header in documented.get("headers", {}).items():
            assert not header.get("required") or name in response.headers, name
        self.answered.setdefault((method, template), set()).add(status)
        return answer


@pytest.fixture
def api(client, document) -> DocumentedApi:
    return DocumentedApi(client, document)


def test_the_document_is_valid_openapi_3_1_with_an_english_title_version_and_description(document):
    validate_openapi(document)
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] == "Baken API"
    assert document["info"]["version"]
    assert "bearer JWT" in document["info"]["description"]


def test_every_json_route_of_the_app_is_documented_with_its_methods_and_nothing_else(document, chalice_app):
    routes = {(path, method) for path, methods in chalice_app.app.routes.items() for method in methods}
    json_routes = {(path, method) for path, method in routes if path not in PAGES}
    documented = {(path, method) for path, method, _ in operations(document)}
    assert documented == json_routes
    assert {path for path, _ in routes} - {path for path, _ in json_routes} == PAGES


def test_path_parameters_are_documented_with_the_pattern_they_are_checked_against(document):
    for path, method, operation in operations(document):
        in_path = [p for p in operation.get("parameters", []) if p["in"] == "path"]
        assert [p["name"] for p in in_path] == re.findall(r"\{(\w+)\}", path), (method, path)
        for parameter in in_path:
            assert parameter["required"] is True
            assert parameter["schema"]["pattern"] == PATH_PARAMETERS[parameter["name"]][0].pattern


def test_open_routes_need_no_token_and_all_others_a_bearer_token_and_may_answer_401(document):
    open_routes = set()
    for path, method, operation in operations(document):
        if operation["security"] == []:
            open_routes.add((method, path))
            assert "401" not in operation["responses"]
        elif path.startswith("/api/zgw/"):
            # the zaaksysteem's callbacks: the abonnement's shared Authorization value, no person's token
            assert operation["security"] == [{"abonnement": []}]
            assert "401" in operation["responses"]
        else:
            assert operation["security"] == [{"bearer": []}]
            assert "401" in operation["responses"]
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "RS256; issuer, audience, expiry and not-before are checked",
    }
    assert ("POST", "/api/subscriptions") in open_routes
    assert ("GET", "/openapi.json") in open_routes
    assert ("POST", "/api/cases") not in open_routes


def test_each_documented_body_is_the_schema_the_route_validates_and_routes_without_one_read_none(client, document, monkeypatch):
    """Every route is called with a body holding a field no schema has; the schema the route parsed it with
    is recorded. A route documenting a body must refuse the field naming it, parsing with exactly the
    documented schema; a route documenting none must not parse the body at all."""
    register_personas("mark")
    parsed: list[Schema] = []
    real_parse = Schema.parse

    def recording_parse(self: Schema, data: Any, path: str = "") -> dict[str, Any]:
        parsed.append(self)
        return real_parse(self, data, path)

    monkeypatch.setattr(Schema, "parse", recording_parse)
    with_body = 0
    for path, method, operation in operations(document):
        if operation["security"] == [{"abonnement": []}]:
            continue  # a callback reads its body only after the sender's secret (test_zaaksysteem_link.py)
        parsed.clear()
        persona = PERSONA_BY_TAG.get(operation["tags"][0])
        response = client.http.request(method, fill(path), headers=headers(persona), body=b'{"no_such_field": 1}')
        documented = operation.get("requestBody")
        if documented is None:
            assert parsed == [], (method, path)
            continue
        with_body += 1
        assert response.status_code == 400, (method, path, response.body)
        assert {"name": "no_such_field", "code": "unknown_field"} in [
            {k: p[k] for k in ("name", "code")} for p in body(response)["invalidParams"]
        ], (method, path)
        (schema,) = parsed
        assert documented["content"]["application/json"]["schema"] == json.loads(json.dumps(schema.json_schema()))
        assert documented["required"] == bool(schema.json_schema()["required"])
    assert with_body >= 20


def test_every_example_body_is_valid_and_those_for_new_things_are_accepted_by_the_route(api, daytime):
    register_personas("mark")
    examples = 0
    for path, method, operation in operations(api.document):
        media = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        if "example" not in media:
            continue
        examples += 1
        validator(api.document, media["schema"]).validate(media["example"])
        if "{" not in path and operation["security"] != [{"abonnement": []}]:  # callbacks: test_zaaksysteem_link.py
            success = min(int(s) for s in operation["responses"] if s.startswith("2"))
            persona = PERSONA_BY_TAG.get(operation["tags"][0])
            api.call(method, path, persona, media["example"], status=success)
    assert examples >= 15


def test_the_outcomes_of_links_are_those_the_subscription_service_gives():
    assert set(OUTCOMES) == {o.value for o in Outcome}


CASE = {
    "zaaktype": "subsidie-duurzame-recreatie",
    "omschrijving": "Duurzame recreatie Heuvelrug",
    "initiator": "pu-mark-3f9a1c",
    "co_initiators": ["pu-fatima-8d21e4"],
    "gemeenten": ["GM1581"],
    "point": {"lat": 52.04, "lon": 5.34},
}
DRAFT = {"title": "Grond bij Doorn", "text": "Er komt grond vrij.", "topic": "grondbeheer", "gemeenten": ["GM1581"]}
NEIGHBOUR = "buurvrouw@example.org"


def test_every_operation_answers_for_real_as_documented(api, pipeline, daytime):
    """One walk through the whole API: every documented operation is called with a request its document
    accepts, and every answer — body, media type, status — is what the document says."""
    register_personas("mark", "fatima", "jan")
    # The open routes
    api.call("GET", "/api/health", status=200)
    api.call("GET", "/openapi.json", status=200)
    api.call("GET", "/api/zaaktypen", status=200)
    api.call("GET", "/api/zaaktypen/subsidie-duurzame-recreatie", status=200)
    api.call("GET", "/api/servicenormen", status=200)
    assert api.call("GET", "/api/servicenormen.csv", status=200).startswith("zaaktype,period,decided,")
    api.call("GET", "/api/dev/personas", status=200)
    api.call("POST", "/api/dev/token", payload={"persona": "mark"}, status=200)
    # The zaaksysteem's callbacks, without the abonnement's secret (with it: test_zaaksysteem_link.py)
    zaak = "https://zaken.example.nl/zaken/api/v1/zaken/1"
    api.call("POST", "/api/zgw/notificaties", payload=zgw_routes.ACCEPTED_EXAMPLE, status=401)
    event = {"specversion": "1.0", "id": "1", "source": "urn:nld:oin:1:systeem:x", "type": "nl.overheid.zaken.x", "dataref": zaak}
    api.call("POST", "/api/zgw/cloudevents", payload=event, status=401)

    # Anna's case for Mark, from registration to a suspension lifted
    case = api.call("POST", "/api/cases", "anna", CASE, status=201)
    url = f"/api/cases/{case['id']}"
    api.call("GET", f"/api/cases?case_number={case['case_number']}", "sanne", status=200)
    found = api.call("POST", "/api/cases/search", "sanne", {"email": "mark.visser@example.org"}, status=200)
    assert [c["id"] for c in found["cases"]] == [case["id"]]
    api.call("POST", f"{url}/status", "anna", {"statustype": "aanvullende-informatie-nodig", "toelichting": None}, status=201)
    api.call("POST", f"{url}/status", "anna", {"statustype": "aanvullende-informatie-nodig"}, status=200)
    requested = api.call("POST", f"{url}/document-requests", "anna", {"documents": [{"omschrijving": "Begroting"}]}, status=201)
    document_id = requested["missing_documents"][0]["id"]
    link = {"url": "https://omgevingswet.overheid.nl/loket", "label": "Omgevingsloket"}
    api.call("POST", f"{url}/messages", "anna", {"text": "Vraag ook een vergunning aan.", "link": link}, status=201)
    api.call("POST", f"{url}/suspension", "anna", {"reden": "Wachten op de begroting"}, status=201)
    api.call("POST", f"{url}/document-requests/{document_id}/received", "anna", {}, status=200)
    api.call("DELETE", f"{url}/suspension", "anna", status=200)
    api.call("POST", f"{url}/extension", "anna", {"duur": "P2W", "reden": "Advies van het waterschap"}, status=201)
    contact = {"kanaal": "telefoon", "onderwerp": "Vergunning", "inhoud": "Uitgelegd.", "vertrouwelijk": False, "tags": ["dso"]}
    api.call("POST", f"{url}/contact-moments", "sanne", contact, status=201)
    api.call("POST", f"{url}/contact-moments", "sanne", {**contact, "vertrouwelijk": True}, status=201)
    api.call("POST", f"{url}/gemachtigden", "anna", {"subject": "pu-karin-2b6f90"}, status=201)
    api.call("POST", f"{url}/gemachtigden", "anna", {"subject": "pu-karin-2b6f90"}, status=200)
    pipeline.run()
    staff_view = api.call("GET", url, "anna", status=200)
    assert {e["kind"] for e in staff_view["timeline"]} >= {"status", "message", "suspended", "resumed", "extended", "contact"}
    assert api.call("GET", f"{url}/notifications", "sanne", status=200)["notifications"]

    # Mark's side: his cases, the case as he sees it, his berichtenbox
    api.call("GET", "/api/me/cases", "mark", status=200)
    api.call("GET", f"/api/me/cases/{case['id']}", "mark", status=200)
    first = api.call("GET", "/api/me/berichtenbox?limit=1", "mark", status=200)
    assert first["next_after"]
    api.call("GET", f"/api/me/berichtenbox?limit=1&after={first['next_after']}", "mark", status=200)
    api.call("POST", f"/api/me/berichtenbox/{first['messages'][0]['id']}/read", "mark", status=200)

    # What Mark follows, and how
    api.call("GET", "/api/me/subscriptions", "mark", status=200)
    circle = api.call(
        "POST", "/api/me/subscriptions", "mark", {"area": {"circle": {"lat": 52.04, "lon": 5.34, "radius_m": 500}}}, status=201
    )
    ring = [[5.30, 52.00], [5.40, 52.00], [5.40, 52.06], [5.30, 52.06], [5.30, 52.00]]
    polygon = {"topics": ["grondbeheer"], "area": {"polygon": {"type": "Polygon", "coordinates": [ring]}}}
    api.call("PUT", f"/api/me/subscriptions/{circle['id']}", "mark", polygon, status=200)
    api.call("POST", "/api/me/subscriptions", "mark", {"topics": ["grondbeheer"], "gemeenten": ["GM1581"]}, status=201)
    api.call("GET", "/api/me/subscriptions", "mark", status=200)
    api.call("DELETE", f"/api/me/subscriptions/{circle['id']}", "mark", status=200)
    api.call("GET", "/api/me/preferences", "mark", status=200)
    address = {"naam": "M. Visser", "straat": "Dorpsstraat", "huisnummer": "1", "postcode": "3941 AB", "woonplaats": "Doorn"}
    preferences = {
        "channels": ["email", "letter"],
        "language": "en",
        "frequency": "daily",
        "quiet_hours": True,
        "postal_address": address,
    }
    api.call("PUT", "/api/me/preferences", "mark", preferences, status=200)

    # A neighbour without DigiD follows land in Doorn, confirms, and stops
    api.call(
        "POST", "/api/subscriptions", payload={"email": NEIGHBOUR, "topics": ["grondbeheer"], "gemeenten": ["GM1581"]}, status=202
    )
    pipeline.run()
    (confirmation,) = mailbox(NEIGHBOUR)
    api.call(
        "POST",
        "/api/subscriptions/confirm",
        payload={"token": link_token(confirmation.text, "/abonnement/bevestigen")},
        status=200,
    )

    # Pieter's announcement, previewed, revised, submitted and approved by Anna; another one sent back
    announcement = api.call("POST", "/api/announcements", "pieter", {**DRAFT, "point": {"lat": 52.04, "lon": 5.34}}, status=201)
    a_url = f"/api/announcements/{announcement['id']}"
    api.call("GET", "/api/announcements", "anna", status=200)
    field = [[5.33, 52.03], [5.35, 52.03], [5.35, 52.05], [5.33, 52.05], [5.33, 52.03]]
    api.call("PUT", a_url, "pieter", {**DRAFT, "link": link, "polygon": {"type": "Polygon", "coordinates": [field]}}, status=200)
    api.call("GET", a_url, "anna", status=200)
    assert api.call("POST", f"{a_url}/preview", "pieter", {}, status=200)["subscribers"] >= 1
    api.call("POST", f"{a_url}/submit", "pieter", {}, status=200)
    api.call("POST", f"{a_url}/approve", "anna", {}, status=200)
    second = api.call("POST", "/api/announcements", "pieter", DRAFT, status=201)
    api.call("POST", f"/api/announcements/{second['id']}/submit", "pieter", status=200)
    api.call("POST", f"/api/announcements/{second['id']}/reject", "anna", {"reason": "Eerst de gemeente vragen."}, status=200)
    assert api.call("GET", f"{a_url}/progress", "anna", status=200)["state"] == "waiting"
    pipeline.run()
    progress = api.call("GET", f"{a_url}/progress", "pieter", status=200)
    assert progress["state"] == "done"
    assert progress["notifications_created"] >= 1

    news = [m for m in mailbox(NEIGHBOUR) if m is not confirmation and "List-Unsubscribe" in m.headers]
    assert news
    token = link_token(news[-1].text, "/afmelden")
    api.call("POST", "/api/subscriptions/unsubscribe", payload={"token": token}, status=200)
    api.call("POST", "/api/subscriptions/unsubscribe", payload={"token": token}, status=200)
    api.call("GET", f"/api/dev/mailbox?to={NEIGHBOUR}", status=200)
    api.call("GET", "/api/dev/letters", status=200)

    documented = {(method, path) for path, method, _ in operations(api.document)}
    # the callbacks answer 204 only to the abonnement's secret: that walk is test_zaaksysteem_link.py's
    callbacks = {op for op in documented if op[1].startswith("/api/zgw/")}
    unanswered = sorted(op for op in documented - callbacks if not any(200 <= s < 300 for s in api.answered.get(op, ())))
    assert unanswered == []


def test_problems_are_answered_as_documented_for_each_error_status(api, daytime):
    """The error answers are problem details, with the headers the document promises."""
    register_personas("mark")
    case = api.call("POST", "/api/cases", "anna", CASE, status=201)
    url = f"/api/cases/{case['id']}"
    api.call("POST", f"{url}/status", "anna", raw=b'{"statustype": "bestaat-niet"}', status=400)
    api.call("POST", f"{url}/status", raw=b'{"statustype": "x", "statustype": "y"}', persona="anna", status=400)
    api.call("GET", "/api/cases", "anna", status=400)
    api.call("GET", "/api/me/berichtenbox?limit=0", "mark", status=400)
    api.call("GET", url, status=401)
    api.call("GET", url, "mark", status=403)
    api.call("POST", f"{url}/status", "sanne", {"statustype": "in-behandeling"}, status=403)
    api.call("GET", f"/api/me/cases/{case['id']}", "jan", status=404)
    api.call("GET", "/api/cases/not-a-uuid", "anna", status=404)
    api.call("GET", "/api/zaaktypen/bouwvergunning", status=404)
    api.call("DELETE", f"{url}/suspension", "anna", status=409)
    api.call("POST", f"{url}/messages", "anna", raw=b'{"text": "' + b"lang verhaal " * 6_000 + b'"}', status=413)
    api.call("POST", f"{url}/messages", "anna", raw=b"hallo", content_type="text/plain", status=415)
    for _ in range(3):
        api.call("POST", "/api/subscriptions", payload={"email": NEIGHBOUR, "topics": ["grondbeheer"]}, status=202)
    api.call("POST", "/api/subscriptions", payload={"email": NEIGHBOUR, "topics": ["grondbeheer"]}, status=429)
