"""The authorisation matrix (issue 4 §4, RELIABILITY promise 9): every route of the app, called by every kind of
caller, on real objects — Mark's case handled by Anna, its document request, Mark's berichtenbox message and
subscription, Pieter's announcement, real links from a confirmation e-mail — with the status each must get.

For every row, the calls that must be refused are made first; then the objects are read back to show that they
did not change; then the calls that must succeed. Every refused call (401, 403, 404) and every write leaves
exactly one audit line naming the caller and the answer. A 401 and a 404 look exactly like the answer for an
object that does not exist, and so does a 403 given for a missing role: a caller who may not see something
cannot learn whether it exists. (Another behandelaar may read every case, so for him 403 versus 404 tells
nothing new.)

The routes are read from ``app.routes``: a new route without a row, or a row without a route, fails.

There is no operator persona: ``Role.OPERATOR`` exists in chalicelib/domain/identity.py but no route grants it
anything (redriving the dead-letter queue is not an HTTP route), so the operator column is a token with
``roles: ["operator"]`` and is refused everywhere but the public routes, like a token with a role Baken does not
know.
"""

from __future__ import annotations

import pytest

from tests.integration.conftest import body, headers
from tests.integration.matrix import CALLS, EXPECTED, ROLES, Call, World, call_as, check_audit, looks_alike, url_for


@pytest.mark.parametrize(("method", "path"), list(EXPECTED), ids=[f"{m} {p}" for m, p in EXPECTED])
def test_every_caller_gets_the_answer_of_the_matrix(client, pipeline, daytime, app_log, method, path):
    # GIVEN the world the row acts on
    world = World(client, pipeline)
    expected = EXPECTED[(method, path)]
    call = CALLS.get((method, path), Call())
    if call.given is not None:
        call.given(world)
    ids = world.ids(path)
    url_for(world, method, path), call.body(world, "anonymous") if call.body else None  # make what the row's call needs
    observed: dict[str, int] = {}

    # WHEN everyone who must be refused tries
    before = world.snapshot()
    for role in (r for r in ROLES if expected[r] >= 400):
        logged = len(app_log.audit())
        answer = call_as(world, method, path, role)
        observed[role] = answer.status_code
        check_audit(app_log, logged, method, path, role, answer.status_code, ids)
        if looks_alike(role, answer.status_code, path):
            # THEN the refusal is the answer for something that does not exist
            missing = call_as(world, method, path, role, missing=True)
            assert (missing.status_code, body(missing)) == (answer.status_code, body(answer)), role
            assert answer.headers["Content-Type"] == "application/problem+json"
    # THEN nothing changed
    assert world.snapshot() == before

    # WHEN everyone who may, does
    for role in (r for r in ROLES if expected[r] < 400):
        logged = len(app_log.audit())
        answer = call_as(world, method, path, role)
        observed[role] = answer.status_code
        check_audit(app_log, logged, method, path, role, answer.status_code, ids)

    # THEN every caller got the answer of the matrix
    assert observed == expected


def test_every_route_of_the_app_has_a_row_and_every_row_a_route(chalice_app):
    routes = {(method, path) for path, methods in chalice_app.app.routes.items() for method in methods}
    assert sorted(routes - set(EXPECTED)) == [], "routes without a row in MATRIX"
    assert sorted(set(EXPECTED) - routes) == [], "rows in MATRIX without a route"
    assert set(CALLS) <= set(EXPECTED)


def test_lists_hold_the_callers_own_objects_and_those_of_whom_they_act_for(client, pipeline, daytime):
    # GIVEN Mark's case, his berichtenbox message and his subscription
    world = World(client, pipeline)
    case, message, subscription = world.case["id"], world.message_id, world.subscription_id

    def listed(path: str, persona: str, key: str) -> set[str]:
        return {item.get("id", item.get("case_id")) for item in body(client.http.get(path, headers=headers(persona)))[key]}

    def numbers(persona: str) -> set[str]:
        return {c["case_number"] for c in body(client.http.get("/api/me/cases", headers=headers(persona)))["cases"]}

    # THEN Mark and Karin (acting for him) see his case and his message; Jan sees neither
    assert numbers("mark") == numbers("karin") == {world.case["case_number"]}
    assert numbers("jan") == set()
    assert message in listed("/api/me/berichtenbox", "mark", "messages")
    assert message in listed("/api/me/berichtenbox", "karin", "messages")
    assert listed("/api/me/berichtenbox", "jan", "messages") == set()
    # AND a subscription is its maker's own: not even Karin sees Mark's
    assert subscription in listed("/api/me/subscriptions", "mark", "subscriptions")
    assert subscription not in listed("/api/me/subscriptions", "karin", "subscriptions")
    assert listed("/api/me/subscriptions", "jan", "subscriptions") == set()
    assert case
