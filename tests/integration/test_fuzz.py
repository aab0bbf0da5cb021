"""Whatever a caller sends — any JSON, odd path values, odd query strings — Baken answers with a JSON
problem or a result, never a server error. Generated with hypothesis against every route of the app."""

from __future__ import annotations

import json
import re
import urllib.parse

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.conftest import body, headers, register_personas

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=15), children, max_size=5),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    ["statustype", "toelichting", "text", "link", "documents", "duur", "reden", "kanaal", "onderwerp", "inhoud",
     "vertrouwelijk", "plaatsgevonden_op", "zaaktype", "omschrijving", "initiator", "gemeenten", "point", "persona",
     "topics", "area", "email", "language", "frequency", "channels", "quiet_hours", "postal_address", "title",
     "topic", "polygon", "circle", "token", "reason", "medewerker"]
)  # fmt: skip
BODIES = JSON_VALUES | st.dictionaries(FIELDS, JSON_VALUES, max_size=6)
ODD_TEXT = st.text(min_size=1, max_size=60).filter(lambda t: t not in {".", ".."})
QUERIES = st.dictionaries(
    st.sampled_from(["limit", "after", "case_number", "to", "x", "token", "lang"]), st.text(max_size=30), max_size=3
)


def _routes(app) -> list[tuple[str, str]]:
    return sorted((path, method) for path, methods in app.routes.items() for method in methods)


def _fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", urllib.parse.quote(value, safe=""), path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_request_a_caller_can_make_is_answered_with_a_server_error(client, chalice_app, data):
    register_personas("mark")
    routes = _routes(chalice_app.app)
    path, method = data.draw(st.sampled_from(routes), label="route")
    value = data.draw(ODD_TEXT, label="path value")
    query = data.draw(QUERIES, label="query")
    persona = data.draw(st.sampled_from(["anna", "mark", "sanne", None]), label="persona")
    raw = json.dumps(data.draw(BODIES, label="body")).encode() if method in {"POST", "PUT", "PATCH"} else None

    url = _fill(path, value) + ("?" + urllib.parse.urlencode(query) if query else "")
    response = client.http.request(method, url, headers=headers(persona), body=raw)

    assert response.status_code < 500, (method, url, raw, response.body)
    if response.status_code >= 400 and (path.startswith("/api/") or response.status_code in {405, 415}):
        assert response.headers["Content-Type"] == "application/problem+json"
        assert body(response)["status"] == response.status_code
    elif response.status_code >= 400:  # a page for people, in words
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"


FORM_FIELDS = st.sampled_from(["token", "email", "topic", "gemeente", "language", "frequency", "quiet_hours", "stop", "x"])
FORM_BODIES = st.lists(st.tuples(FORM_FIELDS, st.text(max_size=40)), max_size=8).map(urllib.parse.urlencode) | st.binary(
    max_size=200
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_form_a_person_can_post_to_a_page_gives_a_server_error(client, data):
    path = data.draw(st.sampled_from(["/volgen", "/abonnement/bevestigen", "/afmelden", "/abonnement/beheren"]), label="page")
    form = data.draw(FORM_BODIES, label="form")
    raw = form.encode() if isinstance(form, str) else form

    response = client.http.post(path, headers={"Content-Type": "application/x-www-form-urlencoded"}, body=raw)

    assert response.status_code < 500, (path, raw, response.body)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(payload=st.dictionaries(FIELDS, JSON_VALUES, max_size=6), route=st.sampled_from(
    ["status", "messages", "document-requests", "extension", "suspension", "contact-moments"]
))  # fmt: skip
def test_bodies_for_a_real_case_are_validated_never_crash(client, payload, route):
    register_personas("mark")
    created = client.http.post(
        "/api/cases",
        headers=headers("anna"),
        body=json.dumps(
            {
                "zaaktype": "subsidie-duurzame-recreatie",
                "omschrijving": "x",
                "initiator": "pu-mark-3f9a1c",
                "gemeenten": ["GM1581"],
            }
        ),
    )
    case_id = body(created)["id"]
    persona = "sanne" if route == "contact-moments" else "anna"
    response = client.http.post(f"/api/cases/{case_id}/{route}", headers=headers(persona), body=json.dumps(payload))
    assert response.status_code < 500, (route, payload, response.body)
