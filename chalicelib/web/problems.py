"""Errors as RFC 9457 problem details (the NL API Design Rules and the ZGW APIs do the same), in Dutch or
English: domain errors become 4xx answers naming the field and the problem; the answers Chalice gives on its
own (405, 415) get the same shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.app import Request, Response

from chalicelib.domain.errors import (
    AnnouncementNotFoundError,
    AuthenticationError,
    BerichtenboxMessageNotFoundError,
    CaseNotFoundError,
    CaseRuleError,
    ConcurrentUpdateError,
    DocumentRequestNotFoundError,
    DomainError,
    ForbiddenError,
    Issue,
    QuestionNotFoundError,
    SubscriptionNotFoundError,
    TooManyRequestsError,
    UnknownZaaktypeError,
    ValidationError,
)
from chalicelib.domain.geo import GeometryError
from chalicelib.domain.language import Language
from chalicelib.domain.tokens import InvalidTokenError
from chalicelib.i18n import translate
from chalicelib.web.request import BodyError
from chalicelib.web.texts import AUTHENTICATION_TEXTS, CONFLICT_TEXTS, PROBLEM_TITLES, RULE_TEXTS, issue_text

PROBLEM_JSON = "application/problem+json"

_STATUS_BY_ERROR: tuple[tuple[type[DomainError], int, str], ...] = (
    (ValidationError, 400, "invalid"),
    (AuthenticationError, 401, "unauthenticated"),
    (ForbiddenError, 403, "forbidden"),
    (CaseNotFoundError, 404, "not_found"),
    (DocumentRequestNotFoundError, 404, "not_found"),
    (BerichtenboxMessageNotFoundError, 404, "not_found"),
    (QuestionNotFoundError, 404, "not_found"),
    (UnknownZaaktypeError, 404, "not_found"),
    (AnnouncementNotFoundError, 404, "not_found"),
    (SubscriptionNotFoundError, 404, "not_found"),
    (TooManyRequestsError, 429, "too_many_requests"),
    (CaseRuleError, 409, "case_rule"),
    (ConcurrentUpdateError, 409, "concurrent_update"),
)


def problem(
    status: int,
    code: str,
    language: Language,
    *,
    issues: list[Issue] | None = None,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    title = translate(language, PROBLEM_TITLES.get(code, PROBLEM_TITLES["internal"]))
    body: dict[str, Any] = {"type": f"urn:baken:problem:{code}", "code": code, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if issues:
        body["invalidParams"] = [
            {"name": i.field, "code": i.code, "reason": issue_text(i.code, i.params, language)} for i in issues
        ]
    return Response(body=body, status_code=status, headers={"Content-Type": PROBLEM_JSON, **(headers or {})})


def problem_for(error: Exception, language: Language) -> Response | None:
    """The answer to ``error`` when it is one a caller caused (their request, their rights); else None."""
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
                detail = translate(language, rule_text) if rule_text else error.rule
            if isinstance(error, ConcurrentUpdateError):
                detail = translate(language, CONFLICT_TEXTS[error.conflict])
            if isinstance(error, AuthenticationError):
                headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
                reason_text = AUTHENTICATION_TEXTS.get(error.reason)
                if reason_text:
                    detail = translate(language, reason_text)
            if isinstance(error, TooManyRequestsError):
                headers = {"Retry-After": str(error.retry_after)}
            return problem(status, code, language, issues=issues, detail=detail, headers=headers)
    return None


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
