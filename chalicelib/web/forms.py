"""Forms on pages: reading what was posted (bounded), showing what was wrong next to the field it is about, and
where a form goes after it did its work."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode

from chalicelib.domain.errors import DomainError, Issue
from chalicelib.domain.language import Language
from chalicelib.i18n import translate
from chalicelib.web.request import MAX_BODY_BYTES, BodyError, current_request
from chalicelib.web.texts import CONFLICT_TEXTS, PROBLEM_TITLES, RULE_TEXTS, issue_text

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
Fields = dict[str, list[str]]
NO_ERRORS: dict[str, Any] = {"errors": [], "field_errors": {}}


def read_fields(max_fields: int = 100) -> Fields:
    """The posted form, every value of every field; undecodable bytes become U+FFFD rather than an error."""
    raw: str | bytes = current_request().raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise BodyError(413, "body_too_large")
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    try:
        return parse_qs(text, max_num_fields=max_fields)
    except ValueError as error:  # more fields than allowed
        raise BodyError(413, "too_many_fields") from error


def last(fields: Mapping[str, list[str]], name: str) -> str:
    """The last value posted for ``name``; empty when it was not sent."""
    return (fields.get(name) or [""])[-1]


def form_errors(issues: list[Issue], fields: Mapping[str, tuple[str, str]], language: Language) -> dict[str, Any]:
    """The error summary (each linked to its field) and the message beside each field, naming the field in the
    page's language. ``fields`` maps a problem's path to the input it shows at and the text naming it (a
    message id)."""
    summary: list[dict[str, str | None]] = []
    by_field: dict[str, str] = {}
    for issue in issues:
        text = issue_text(issue.code, issue.params, language)
        found = _field_for(issue.field, fields)
        if found is None:
            summary.append({"anchor": None, "text": text})
            continue
        field, label = found
        named = f"{translate(language, label)}: {text}"
        summary.append({"anchor": field, "text": named})
        by_field.setdefault(field, named)
    return {"errors": summary, "field_errors": by_field}


def refusal_errors(error: DomainError, language: Language) -> dict[str, Any]:
    """A refused change as the form's error summary, not tied to a field."""
    return {"errors": [{"anchor": None, "text": problem_message(error, language)}], "field_errors": {}}


def _field_for(path: str, fields: Mapping[str, tuple[str, str]]) -> tuple[str, str] | None:
    """The field of ``postal_address.postcode`` itself; of ``topics.0``, that of ``topics``."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        found = fields.get(".".join(parts[:end]))
        if found is not None:
            return found
    return None


def back_to(path: str, flag: str, value: str = "1") -> str:
    """Where a form goes after it did its work: its page, saying so, in the language it was sent in."""
    chosen = dict(current_request().query_params or {}).get("lang")
    return f"{path}?{urlencode({flag: value, **({'lang': chosen} if chosen in ('nl', 'en') else {})})}"


def problem_message(error: DomainError, language: Language) -> str:
    """A refused change in words: the rule it broke, or the kind of problem."""
    rule = getattr(error, "rule", None)
    if rule in RULE_TEXTS:
        return translate(language, RULE_TEXTS[rule])
    conflict = getattr(error, "conflict", "case")
    if conflict != "case":  # the problem's title says that one
        return translate(language, CONFLICT_TEXTS[conflict])
    return translate(language, PROBLEM_TITLES["case_rule" if rule else error.code])
