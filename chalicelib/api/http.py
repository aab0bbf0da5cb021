"""What every JSON route shares: reading the body safely, knowing the caller, and answering errors as
RFC 9457 problem details (the NL API Design Rules and the ZGW APIs do the same), in Dutch or English.

A route is written as ``@endpoint(bp, "/path", methods=[...], action="...")`` around a function that takes
a ``Call``. Domain errors become 4xx answers naming the field and the problem; nothing a caller sends can
produce a 500, and anything unexpected is logged without its details reaching the caller.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from chalice.app import Blueprint, Request, Response

from chalicelib.api.schema import Schema
from chalicelib.api.texts import PROBLEM_TITLES, RULE_TEXTS, issue_text
from chalicelib.domain.errors import (
    AnnouncementNotFoundError,
    AuthenticationError,
    CaseNotFoundError,
    CaseRuleError,
    ConcurrentUpdateError,
    DocumentRequestNotFoundError,
    DomainError,
    ForbiddenError,
    InboxMessageNotFoundError,
    Issue,
    SubscriptionNotFoundError,
    TooManyRequestsError,
    UnknownZaaktypeError,
    ValidationError,
)
from chalicelib.domain.geo import GeometryError
from chalicelib.domain.identity import Principal
from chalicelib.domain.inbox import INBOX_MESSAGE_ID
from chalicelib.domain.language import Language
from chalicelib.domain.tokens import InvalidTokenError

PROBLEM_JSON = "application/problem+json"
JSON = "application/json"
MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 8
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_STATUS_BY_ERROR: tuple[tuple[type[DomainError], int, str], ...] = (
    (ValidationError, 400, "invalid"),
    (AuthenticationError, 401, "unauthenticated"),
    (ForbiddenError, 403, "forbidden"),
    (CaseNotFoundError, 404, "not_found"),
    (DocumentRequestNotFoundError, 404, "not_found"),
    (InboxMessageNotFoundError, 404, "not_found"),
    (UnknownZaaktypeError, 404, "not_found"),
    (AnnouncementNotFoundError, 404, "not_found"),
    (SubscriptionNotFoundError, 404, "not_found"),
    (TooManyRequestsError, 429, "too_many_requests"),
    (CaseRuleError, 409, "case_rule"),
    (ConcurrentUpdateError, 409, "concurrent_update"),
)


UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# A subscription someone made (a UUID), or one of a party of a case (see case_subscription_id).
SUBSCRIPTION_ID = re.compile(r"^(?:case-[0-9a-f]{24}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")
# Path parameters are checked before anything is read: a malformed id names nothing, so it is not found.
PATH_PARAMETERS: dict[str, tuple[re.Pattern[str], Callable[[str], DomainError]]] = {
    "case_id": (UUID, CaseNotFoundError),
    "document_id": (UUID, DocumentRequestNotFoundError),
    "message_id": (INBOX_MESSAGE_ID, InboxMessageNotFoundError),
    "identificatie": (re.compile(r"^[a-z0-9-]{1,80}$"), UnknownZaaktypeError),
    "announcement_id": (UUID, AnnouncementNotFoundError),
    "subscription_id": (SUBSCRIPTION_ID, SubscriptionNotFoundError),
}


def check_path_parameters(parameters: dict[str, str]) -> None:
    for name, value in parameters.items():
        pattern, not_found = PATH_PARAMETERS[name]
        if not pattern.match(value):
            raise not_found(value[:80])


class BodyError(Exception):
    """The body cannot be read at all: too large, not UTF-8, not JSON, too deep."""

    def __init__(self, status: int, title: str, issue: Issue | None = None) -> None:
        self.status = status
        self.title = title
        self.issue = issue
        super().__init__(title)


def problem(
    status: int,
    code: str,
    language: Language,
    *,
    issues: list[Issue] | None = None,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    title = PROBLEM_TITLES.get(code, PROBLEM_TITLES["internal"]).in_(language)
    body: dict[str, Any] = {"type": f"urn:baken:problem:{code}", "code": code, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if issues:
        body["invalidParams"] = [
            {"name": i.field, "code": i.code, "reason": issue_text(i.code, i.params, language)} for i in issues
        ]
    return Response(body=body, status_code=status, headers={"Content-Type": PROBLEM_JSON, **(headers or {})})


def _check_depth(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise BodyError(400, "malformed_body", Issue("body", "too_deep"))
    if isinstance(value, dict):
        for item in value.values():
            _check_depth(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_depth(item, depth + 1)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise BodyError(400, "malformed_body", Issue(key[:60], "duplicate_key"))
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise BodyError(400, "malformed_body", Issue("body", "invalid_json"))


def parse_json_body(raw: bytes | None) -> Any:
    """Bytes to a JSON value, refusing what is too large, not UTF-8, contains NUL, repeats a key or nests
    too deep."""
    raw = raw or b""
    if len(raw) > MAX_BODY_BYTES:
        raise BodyError(413, "body_too_large")
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BodyError(400, "malformed_body", Issue("body", "invalid_utf8")) from None
    if not text.strip():
        return {}
    if "\x00" in text:
        raise BodyError(400, "malformed_body", Issue("body", "control_characters"))
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except RecursionError:
        raise BodyError(400, "malformed_body", Issue("body", "too_deep")) from None
    except ValueError:  # not JSON, or a number beyond Python's digit limit
        raise BodyError(400, "malformed_body", Issue("body", "invalid_json")) from None
    _check_depth(value)
    return value


@dataclass
class Call:
    """One request as a route sees it."""

    request: Request
    language: Language
    declared_body: Schema | None = None
    _principal: Principal | None = field(default=None, repr=False)

    def principal(self) -> Principal:
        """The verified caller; AuthenticationError (401) when there is no valid bearer token."""
        if self._principal is None:
            from chalicelib import wiring

            header = str(self.request.headers.get("authorization", ""))
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise AuthenticationError("missing")
            self._principal = wiring.verifier().verify(token.strip())
        return self._principal

    def body(self, schema: Schema | None = None) -> dict[str, Any]:
        """The request body, validated by ``schema`` or else by the body the route declares (the one its
        documentation shows)."""
        schema = schema if schema is not None else self.declared_body
        if schema is None:
            raise TypeError("this route declares no body schema")
        raw = self.request.raw_body
        return schema.parse(parse_json_body(raw.encode("utf-8") if isinstance(raw, str) else raw))

    def query(self, name: str) -> str | None:
        params = self.request.query_params
        value = params.get(name) if params is not None else None
        return value if isinstance(value, str) else None

    @property
    def origin(self) -> str:
        return request_origin(self.request)

    @property
    def actor(self) -> str:
        return self._principal.subject if self._principal is not None else "anonymous"


def request_origin(request: Request) -> str:
    """Where a request came from (the source address API Gateway saw), for the audit log and rate limits."""
    identity = (request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=body, status_code=status, headers={"Content-Type": JSON, **(headers or {})})


def _error_response(error: Exception, language: Language) -> Response | None:
    if isinstance(error, BodyError):
        return problem(error.status, error.title, language, issues=[error.issue] if error.issue else None)
    if isinstance(error, InvalidTokenError):
        code = "token_expired" if error.reason == "expired" else "token_invalid"
        return problem(400, "invalid", language, issues=[Issue("token", code)])
    if isinstance(error, GeometryError):
        return problem(400, "invalid", language, issues=[Issue("area", f"geometry_{error.reason}", error.params)])
    for error_type, status, code in _STATUS_BY_ERROR:
        if isinstance(error, error_type):
            issues = error.issues if isinstance(error, ValidationError) else None
            detail = None
            headers = None
            if isinstance(error, CaseRuleError):
                rule_text = RULE_TEXTS.get(error.rule)
                detail = rule_text.in_(language) if rule_text else error.rule
            if isinstance(error, AuthenticationError):
                headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            if isinstance(error, TooManyRequestsError):
                headers = {"Retry-After": str(error.retry_after)}
            return problem(status, code, language, issues=issues, detail=detail, headers=headers)
    return None


@dataclass(frozen=True)
class Query:
    """A query parameter a route reads: its name and JSON Schema, for the API documentation."""

    name: str
    schema: dict[str, Any]
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class Operation:
    """What the API documentation says of one JSON route (see chalicelib/api/openapi.py)."""

    blueprint: Blueprint
    path: str
    method: str
    action: str
    public: bool
    summary: str
    description: str
    body: Schema | None
    example: dict[str, Any] | None
    query: tuple[Query, ...]
    response: dict[str, Any] | None
    statuses: tuple[int, ...]
    errors: frozenset[int]

    @property
    def path_parameters(self) -> tuple[str, ...]:
        return tuple(re.findall(r"\{(\w+)\}", self.path))


# Every route registered with ``endpoint``, in the order the modules were imported.
OPERATIONS: list[Operation] = []


def _error_statuses(path: str, *, public: bool, body: Schema | None, errors: tuple[int, ...]) -> frozenset[int]:
    """The error answers a route can give: those ``endpoint`` itself gives, and those the route names."""
    statuses = set(errors)
    if not public:
        statuses.add(401)
    if "{" in path:
        statuses.add(404)  # a malformed id names nothing
    if body is not None:
        statuses.update((400, 413, 415))
    return frozenset(statuses)


def endpoint(
    blueprint: Blueprint,
    path: str,
    *,
    action: str,
    methods: tuple[str, ...] = ("GET",),
    public: bool = False,
    summary: str = "",
    body: Schema | None = None,
    example: dict[str, Any] | None = None,
    query: tuple[Query, ...] = (),
    response: dict[str, Any] | None = None,
    status: int | tuple[int, ...] = 200,
    errors: tuple[int, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a JSON route that maps domain errors to problem answers and writes an audit line for
    every write and every refused access. Unless ``public``, the caller is authenticated before the route
    looks at anything else (401 comes before 400).

    The rest describes the route for the API documentation: ``body`` is the schema ``call.body()``
    validates (``example``: a body it accepts), ``query`` the query parameters the route reads, ``response`` the JSON Schema of a
    successful answer with ``status``, and ``errors`` the statuses of the problems the route itself can
    give beyond those this decorator adds (401, 404 for a path parameter, 400/413/415 for a body)."""
    statuses = (status,) if isinstance(status, int) else status

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def handle(**path_params: str) -> Response:
            from chalicelib.observability import audit, logger

            request = blueprint.current_request
            call = Call(
                request=request,
                language=Language.from_accept_language(request.headers.get("accept-language")),
                declared_body=body,
            )
            try:
                if not public:
                    call.principal()
                check_path_parameters(path_params)
                result = view(call, **path_params)
                answer = result if isinstance(result, Response) else json_response(result)
            except Exception as error:  # noqa: BLE001 - every error becomes an answer; unknown ones are logged
                mapped = _error_response(error, call.language)
                if mapped is None:
                    logger().exception("unhandled error", extra={"action": action})
                    mapped = problem(500, "internal", call.language)
                answer = mapped
            if request.method in WRITE_METHODS or answer.status_code in (401, 403, 404):
                object_id = "/".join(path_params.values()) or path
                audit(action, actor=call.actor, object_id=object_id, result=answer.status_code, origin=call.origin)
            return answer

        blueprint.route(path, methods=list(methods), content_types=[JSON])(handle)
        description = (view.__doc__ or "").strip()
        for method in methods:
            OPERATIONS.append(
                Operation(
                    blueprint=blueprint,
                    path=path,
                    method=method,
                    action=action,
                    public=public,
                    summary=summary or action.replace("_", " ").capitalize(),
                    description=" ".join(description.split()),
                    body=body,
                    example=example,
                    query=query,
                    response=response,
                    statuses=statuses,
                    errors=_error_statuses(path, public=public, body=body, errors=errors),
                )
            )
        return view

    return decorate


CHALICE_ERRORS = {
    "UnsupportedMediaType": (415, "unsupported_media_type"),
    "MethodNotAllowedError": (405, "method_not_allowed"),
    "BadRequestError": (400, "malformed_body"),
    "BadRequest": (400, "malformed_body"),
    "NotFoundError": (404, "not_found"),
    "InternalServerError": (500, "internal"),
}


def normalise_chalice_errors(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """HTTP middleware: answers Chalice gives on its own (405, 415) get the same problem shape as ours."""
    response = get_response(event)
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and set(body) == {"Code", "Message"}:
        status, code = CHALICE_ERRORS.get(str(body["Code"]), (response.status_code, "internal"))
        language = Language.from_accept_language(event.headers.get("accept-language"))
        kept = {k: str(v) for k, v in response.headers.items() if k.lower() == "allow"}
        return problem(status, code, language, headers=kept)
    return response
