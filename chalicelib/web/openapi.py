"""The OpenAPI 3.1 document of the JSON API, generated from what the routes declare with ``endpoint``
(chalicelib/web/endpoint.py): paths and methods, path parameters with the patterns they are checked against,
query parameters, request bodies from the same schemas that validate them, bearer authentication, and
every answer a route gives: its result and its problems. Pages for people are not part of it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chalicelib.web.endpoint import JSON, Operation
from chalicelib.web.problems import PROBLEM_JSON
from chalicelib.web.request import MAX_PATH_PARAMETER, PATH_PARAMETERS
from chalicelib.web.responses import COMPONENTS

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
DESCRIPTION = """\
Baken tells applicants of provincie Utrecht what happens to their case, and tells people who follow a topic,
a place or a case when something changes that matters to them.

- **Identity.** A bearer JWT (RS256) from the province's login broker: DigiD for applicants (or someone they
  authorised), the employee login for behandelaars and the KCC. Issuer, audience, expiry and not-before are
  checked. Open routes need none.
- **Errors.** RFC 9457 problem details (`application/problem+json`); `invalidParams` names each field and what
  is wrong with it. Someone else's case answers 404, exactly like a case that does not exist.
- **Language.** Texts are in Dutch, or in English with `Accept-Language: en`.
- **Bodies.** JSON, at most 64 KiB, nested at most 8 deep; unknown fields are refused; `null` for an optional
  field means the same as leaving it out.
"""
STATUS_TEXTS = {
    200: "OK",
    201: "Created",
    202: "Accepted: a confirmation e-mail follows if the address can be used",
    400: "The request is invalid: `invalidParams` names each field and what is wrong with it",
    401: "No valid bearer token",
    403: "The caller may not do this",
    404: "Not found (or not the caller's to see)",
    409: "A rule of the case or announcement forbids this now (`detail` says which)",
    413: "The body is larger than 64 KiB",
    415: "The body is not `application/json`",
    429: "Too many requests: try again after `Retry-After` seconds",
}
TAGS = (
    ("public", "Open to everybody: health and the catalogue of zaaktypen."),
    ("cases", "Behandelaars change their cases; behandelaars and the KCC read any case."),
    ("me", "Applicants (or who acts for them): their cases, berichtenbox, subscriptions and preferences."),
    ("subscriptions", "Following by e-mail without logging in, and the links in e-mails."),
    ("announcements", "Announcements by behandelaars, approved by a second behandelaar."),
    ("dev", "The local stage only: test identities, the local mailbox and letters."),
)


def _tag(path: str) -> str:
    for prefix, tag in (
        ("/api/me/", "me"),
        ("/api/cases", "cases"),
        ("/api/subscriptions", "subscriptions"),
        ("/api/announcements", "announcements"),
        ("/api/dev/", "dev"),
    ):
        if path.startswith(prefix):
            return tag
    return "public"


def _path_parameter(name: str) -> dict[str, Any]:
    pattern, _ = PATH_PARAMETERS[name]
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": pattern.pattern, "maxLength": MAX_PATH_PARAMETER},
        "description": f"a value that does not match the pattern names nothing: 404; over {MAX_PATH_PARAMETER} characters: 400",
    }


def _request_body(operation: Operation) -> dict[str, Any] | None:
    if operation.body is None:
        return None
    schema = operation.body.json_schema()
    media: dict[str, Any] = {"schema": schema}
    if operation.example is not None:
        media["example"] = operation.example
    return {"required": bool(schema["required"]), "content": {JSON: media}}


def _responses(operation: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status in operation.statuses:
        content = {operation.response_type: {"schema": operation.response}} if operation.response is not None else {}
        responses[str(status)] = {"description": STATUS_TEXTS.get(status, "OK"), "content": content}
    for status in sorted(operation.errors):
        responses[str(status)] = {"$ref": f"#/components/responses/{status}"}
    return responses


def _operation(operation: Operation) -> dict[str, Any]:
    described: dict[str, Any] = {
        "operationId": operation.action,
        "summary": operation.summary,
        "tags": [_tag(operation.path)],
        "responses": _responses(operation),
    }
    if operation.description:
        described["description"] = operation.description
    parameters = [_path_parameter(name) for name in operation.path_parameters]
    parameters += [
        {
            "name": query.name,
            "in": "query",
            "required": query.required,
            "schema": query.schema,
            **({"description": query.description} if query.description else {}),
        }
        for query in operation.query
    ]
    if parameters:
        described["parameters"] = parameters
    body = _request_body(operation)
    if body is not None:
        described["requestBody"] = body
    described["security"] = [{"abonnement": []}] if operation.callback else [] if operation.public else [{"bearer": []}]
    return described


def _error_responses() -> dict[str, Any]:
    problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    responses: dict[str, Any] = {
        str(status): {"description": text, "content": problem} for status, text in STATUS_TEXTS.items() if status >= 400
    }
    responses["401"]["headers"] = {
        "WWW-Authenticate": {"required": True, "schema": {"type": "string", "pattern": "^Bearer"}},
    }
    responses["429"]["headers"] = {
        "Retry-After": {"required": True, "description": "seconds", "schema": {"type": "string", "pattern": "^[0-9]+$"}},
    }
    return responses


def document(operations: Iterable[Operation], routes: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The OpenAPI document of ``operations`` that are routes of the app (``app.routes``): a blueprint the
    app did not register, such as the dev routes outside the local stage, is left out."""
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        if operation.method not in routes.get(operation.path, {}):
            continue
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(operation)
    used_tags = {item["tags"][0] for methods in paths.values() for item in methods.values()}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Baken API",
            "version": API_VERSION,
            "summary": "Case status and proactive notifications of provincie Utrecht",
            "description": DESCRIPTION,
            "contact": {"name": "Provincie Utrecht"},
        },
        "tags": [{"name": name, "description": text} for name, text in TAGS if name in used_tags],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": COMPONENTS,
            "responses": _error_responses(),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "RS256; issuer, audience, expiry and not-before are checked",
                },
                "abonnement": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "the zaaksysteem's callbacks: the value agreed as auth in the Notificaties abonnement",
                },
            },
        },
    }
