"""RELIABILITY test 19: schemathesis against the local stack, from the OpenAPI document it serves at
/openapi.json. For every operation it sends the document's examples, its boundary cases and random requests
— valid ones and ones that break it — as a behandelaar, an applicant or nobody, and the run must find nothing:
no server error; every status, media type, header and body as documented; every request the document forbids
refused; no operation that wants a token answering without one or with a bad one; 405 with Allow for a
method an operation does not have.

Schemathesis runs with its own engine (what ``schemathesis run`` does), in this process, so its failures are
shown with the request that reproduces them. The run is bounded by numbers of requests, never by the clock:
each operation's examples, its boundary cases and ``EXAMPLES_PER_OPERATION`` random requests per mode, with
no deadline per request (schemathesis sets none) and no time limit for the run (``max-time`` unset), so a busy
machine makes it slower, never different. The test's timeout only guards against a hang. (Its pytest loader
``schemathesis.pytest.from_fixture`` needs a private attribute that pytest 9.2 no longer has.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from schemathesis.engine import Status, from_schema
from schemathesis.engine import events as engine_events

from tests.e2e.conftest import LocalStack

pytestmark = pytest.mark.e2e

# Random requests per operation and mode (valid, invalid), on top of the examples and boundary cases.
EXAMPLES_PER_OPERATION = 10
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "ignored_auth",
    "unsupported_method",
)
# Methods an operation does not declare, sent to see 405 with Allow. Not TRACE or QUERY: the HTTP server
# under `chalice local` (Python's http.server) answers those 501 itself, before the app sees them, and
# API Gateway does not route them to the function either.
UNDECLARED_METHODS = ["GET", "PUT", "POST", "DELETE", "PATCH"]
# Who calls: staff routes as a behandelaar, the applicant's own routes as an applicant, open routes as nobody.
PERSONA_BY_TAG = {"cases": "anna", "announcements": "pieter", "me": "mark"}


def _config() -> Any:
    return schemathesis.Config.from_dict(
        {
            "seed": 19,
            "generation": {"max-examples": EXAMPLES_PER_OPERATION, "mode": "all", "database": "none"},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True, "unexpected-methods": UNDECLARED_METHODS},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "continue-on-failure": True,
            "request-timeout": 30,
        }
    )


def _with_persona_tokens(schema: Any, stack: LocalStack) -> None:
    tokens: dict[str, str] = {}

    class PersonaToken:
        """A bearer token of a persona who may call the operation (none for an open operation)."""

        def get(self, case: Any, context: Any) -> str | None:
            definition = case.operation.definition.raw
            if not definition.get("security") or definition["security"] == [{"abonnement": []}]:
                return None  # open, or the zaaksysteem's callbacks (a shared secret no persona has: 401 as documented)
            persona = PERSONA_BY_TAG[definition["tags"][0]]
            if persona not in tokens:
                tokens[persona] = stack.token(persona)
            return tokens[persona]

        def set(self, case: Any, data: str | None, context: Any) -> None:
            if data is not None:
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    schema.auth(refresh_interval=None)(PersonaToken)


def _describe(event: engine_events.ScenarioFinished) -> list[str]:
    found = []
    for nodes in event.recorder.checks.values():
        for node in nodes:
            if node.status == Status.FAILURE and node.failure_info is not None:
                failure = node.failure_info.failure
                found.append(
                    f"{event.recorder.label} [{node.name}] {failure.title}\n{failure.message}\n{node.failure_info.code_sample}"
                )
    return found


def _run(schema: Any) -> tuple[set[str], list[str]]:
    """Run schemathesis over ``schema``: the operations it tested, and what it found wrong."""
    problems: list[str] = []
    tested: set[str] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, engine_events.ScenarioFinished):
            tested.add(event.recorder.label)
            if event.status in (Status.FAILURE, Status.ERROR):
                problems.extend(_describe(event) or [f"{event.recorder.label}: {event.status}"])
        elif isinstance(event, engine_events.NonFatalError | engine_events.FatalError):
            problems.append(f"{type(event).__name__}: {event.info.title if hasattr(event, 'info') else event}")
    return tested, problems


# About 5 minutes on an idle 2-core machine, stack start included; a hang guard, far above what load makes of it.
@pytest.mark.timeout(1800)
def test_schemathesis_finds_nothing_wrong_with_any_operation(local_stack: LocalStack) -> None:
    schema = schemathesis.openapi.from_url(f"{local_stack.api}/openapi.json", config=_config())
    _with_persona_tokens(schema, local_stack)
    tested, problems = _run(schema)
    assert problems == [], "\n\n".join(dict.fromkeys(problems))
    documented = {f"{method.upper()} {path}" for path, methods in schema.raw_schema["paths"].items() for method in methods}
    # Schemathesis does not test the document it was loaded from (tests/integration/test_openapi.py does).
    assert tested == documented - {"GET /openapi.json"}
