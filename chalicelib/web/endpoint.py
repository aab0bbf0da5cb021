"""The JSON request pipeline. A route is written as ``@endpoint(bp, "/path", methods=[...], action="...")``
around a function that takes a ``RequestContext``: the caller is authenticated (unless ``public``), the path
parameters checked, the body read safely and validated by the route's declared schema, and every error answered
as problem+json (see ``problems``). Nothing a caller sends can produce a 500; anything unexpected is logged
without its details reaching the caller. Every write, every refused access and every read of a route declared
``audit_reads`` (staff reading someone's case) leaves exactly one audit line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from chalice.app import Blueprint, Request, Response

from chalicelib.domain.errors import AuthenticationError, Issue
from chalicelib.domain.identity import Principal
from chalicelib.domain.language import Language
from chalicelib.web.problems import problem, problem_for
from chalicelib.web.request import MAX_BODY_BYTES, BodyError, answering, check_path_parameters, request_origin
from chalicelib.web.schema import Schema

JSON = "application/json"
MAX_DEPTH = 8
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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
class RequestContext:
    """One request as a route sees it."""

    request: Request
    language: Language
    declared_body: Schema | None = None
    _principal: Principal | None = field(default=None, repr=False)
    # What the route adds to its audit line: e.g. ``cases``, the ids of the cases a search showed.
    audit_extra: dict[str, Any] = field(default_factory=dict)

    def principal(self) -> Principal:
        """The verified caller; AuthenticationError (401) when there is no valid bearer token."""
        if self._principal is None:
            from chalicelib import wiring

            header = str(self.request.headers.get("authorization", ""))
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise AuthenticationError("missing")
            self._principal = wiring.adapters().verifier.verify(token.strip())
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


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=body, status_code=status, headers={"Content-Type": JSON, **(headers or {})})


@dataclass(frozen=True)
class Query:
    """A query parameter a route reads: its name and JSON Schema, for the API documentation."""

    name: str
    schema: dict[str, Any]
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class Operation:
    """What the API documentation says of one JSON route (see chalicelib/web/openapi.py)."""

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
    # a system's callback, proven by a shared secret in its Authorization header (no person's bearer token)
    callback: bool = False
    response_type: str = JSON  # the media type of a successful answer (open data: text/csv)

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
        statuses.update((400, 404))  # a malformed id names nothing; one too long to be any id is refused
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
    audit_reads: bool = False,
    content_types: tuple[str, ...] = (JSON,),
    callback: bool = False,
    response_type: str = JSON,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a JSON route that maps domain errors to problem answers and writes an audit line for
    every write and every refused access, and with ``audit_reads`` for every answer (a read of personal data
    by staff: BIO wants each one traceable). Unless ``public``, the caller is authenticated before the route
    looks at anything else (401 comes before 400).

    The rest describes the route for the API documentation: ``body`` is the schema ``ctx.body()``
    validates (``example``: a body it accepts), ``query`` the query parameters the route reads, ``response`` the JSON Schema of a
    successful answer with ``status``, and ``errors`` the statuses of the problems the route itself can
    give beyond those this decorator adds (401, 404 for a path parameter, 400/413/415 for a body)."""
    statuses = (status,) if isinstance(status, int) else status

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def handle(**path_params: str) -> Response:
            request = blueprint.current_request
            with answering(request):
                return _answer(request, path_params)

        def _answer(request: Request, path_params: dict[str, str]) -> Response:
            from chalicelib.observability import audit, logger

            ctx = RequestContext(
                request=request,
                language=Language.from_accept_language(request.headers.get("accept-language")),
                declared_body=body,
            )
            try:
                if not public:
                    ctx.principal()
                check_path_parameters(path_params)
                result = view(ctx, **path_params)
                answer = result if isinstance(result, Response) else json_response(result)
            except Exception as error:  # noqa: BLE001 - every error becomes an answer; unknown ones are logged
                mapped = problem_for(error, ctx.language)
                if mapped is None:
                    logger().exception("unhandled error", extra={"action": action})
                    mapped = problem(500, "internal", ctx.language)
                answer = mapped
            if audit_reads or request.method in WRITE_METHODS or answer.status_code in (401, 403, 404):
                object_id = "/".join(path_params.values()) or path
                audit(
                    action,
                    actor=ctx.actor,
                    object_id=object_id,
                    result=answer.status_code,
                    origin=ctx.origin,
                    **(ctx.audit_extra if answer.status_code < 400 else {}),
                )
            return answer

        blueprint.route(path, methods=list(methods), content_types=list(content_types))(handle)
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
                    callback=callback,
                    response_type=response_type,
                )
            )
        return view

    return decorate
