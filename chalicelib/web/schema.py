"""Declarative request schemas: strict (unknown fields are refused), every problem reported with the
dotted path of its field, values converted to domain types. A schema can also describe itself as JSON
Schema, so the API documentation is generated from the same definitions that validate."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from chalicelib.domain.durations import Duration
from chalicelib.domain.errors import InvalidDurationError, Issue, ValidationError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SINGLE_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Field:
    """One field of a request body. ``kind``: string, text (multi-line), integer, number, boolean, date,
    datetime, duration, url, array, object (with a schema) or json (any object, checked elsewhere).
    ``known``: the values reference data knows (gemeenten, topics, zaaktypen), which the route checks; the
    documentation lists them."""

    name: str
    kind: str
    required: bool = False
    max_length: int = 200
    max_bytes: int | None = None  # in UTF-8, as DynamoDB counts them, for texts stored where bytes run out
    pattern: str | None = None
    pattern_code: str = "invalid_format"
    choices: tuple[str, ...] | None = None
    items: Field | None = None
    max_items: int = 20
    schema: Schema | None = None
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""
    known: Callable[[], Iterable[str]] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Schema:
    fields: tuple[Field, ...] = field(default_factory=tuple)

    def parse(self, data: Any, path: str = "") -> dict[str, Any]:
        """Validate ``data``; return converted values (missing optional fields left out) or raise
        ValidationError listing every problem."""
        issues: list[Issue] = []
        result = self._parse_object(data, path, issues)
        if issues:
            raise ValidationError(issues)
        return result

    def _parse_object(self, data: Any, path: str, issues: list[Issue]) -> dict[str, Any]:
        if not isinstance(data, dict):
            issues.append(Issue(path or "body", "expected_object"))
            return {}
        known = {f.name for f in self.fields}
        for name in data:
            if name not in known:
                issues.append(Issue(_join(path, str(name)[:60]), "unknown_field"))
        result: dict[str, Any] = {}
        for spec in self.fields:
            where = _join(path, spec.name)
            if spec.name not in data or data[spec.name] is None:
                if spec.required:
                    issues.append(Issue(where, "required"))
                continue
            value = _convert(spec, data[spec.name], where, issues)
            if value is not None:
                result[spec.name] = value
        return result

    def json_schema(self) -> dict[str, Any]:
        """This schema as JSON Schema (2020-12, as OpenAPI 3.1 uses it): what ``parse`` accepts, as far as
        JSON Schema can say it, and the values reference data knows. An optional field may be ``null``:
        ``parse`` takes that as absent."""
        return {
            "type": "object",
            "additionalProperties": False,
            "required": [f.name for f in self.fields if f.required],
            "properties": {f.name: _described(f) for f in self.fields},
        }


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _convert(spec: Field, value: Any, where: str, issues: list[Issue]) -> Any:
    converter = _CONVERTERS[spec.kind]
    return converter(spec, value, where, issues)


def utf8_bytes(text: str) -> int:
    """The bytes ``text`` takes in UTF-8 (a lone surrogate counted as the three bytes it would take)."""
    return len(text.encode("utf-8", "surrogatepass"))


def _string_problem(spec: Field, text: str) -> Issue | None:
    control = _CONTROL if spec.kind == "text" else _SINGLE_LINE_CONTROL
    checks: tuple[tuple[bool, str, dict[str, Any]], ...] = (
        (bool(control.search(text)), "control_characters", {}),
        (not text, "empty", {}),
        (len(text) > spec.max_length, "too_long", {"max": spec.max_length}),
        (spec.max_bytes is not None and utf8_bytes(text) > spec.max_bytes, "too_many_bytes", {"max_bytes": spec.max_bytes}),
        (spec.choices is not None and text not in spec.choices, "not_allowed", {"allowed": list(spec.choices or ())}),
        (spec.pattern is not None and not re.fullmatch(spec.pattern, text), spec.pattern_code, {}),
    )
    for failed, code, params in checks:
        if failed:
            return Issue("", code, params)
    return None


def _string(spec: Field, value: Any, where: str, issues: list[Issue]) -> str | None:
    if not isinstance(value, str):
        issues.append(Issue(where, "expected_string"))
        return None
    text = value.strip()
    problem = _string_problem(spec, text)
    if problem is not None:
        issues.append(Issue(where, problem.code, problem.params))
        return None
    return text


EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
MAX_DURATION_DAYS = 10 * 366


def _date(spec: Field, value: Any, where: str, issues: list[Issue]) -> date | None:
    """A calendar date between 2000 and 2099: anything else is a typo, not a case."""
    parsed = None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None or not EARLIEST <= parsed <= LATEST:
        issues.append(Issue(where, "expected_date"))
        return None
    return parsed


def _datetime(spec: Field, value: Any, where: str, issues: list[Issue]) -> datetime | None:
    """An ISO-8601 moment with a time zone (``2026-11-28T10:15:00Z`` or ``...+01:00``), returned in UTC."""
    parsed = None
    if isinstance(value, str) and len(value) <= 40:
        try:
            parsed = datetime.fromisoformat(value).astimezone(UTC) if "T" in value else None
        except (ValueError, OverflowError):
            parsed = None
    if parsed is None or datetime.fromisoformat(value).tzinfo is None or not EARLIEST <= parsed.date() <= LATEST:
        issues.append(Issue(where, "expected_datetime"))
        return None
    return parsed


def _duration(spec: Field, value: Any, where: str, issues: list[Issue]) -> Duration | None:
    try:
        duration = Duration.parse(value) if isinstance(value, str) and len(value) <= 20 else None
    except InvalidDurationError:
        duration = None
    if duration is None or duration.is_zero or duration.approximate_days > MAX_DURATION_DAYS:
        issues.append(Issue(where, "expected_duration"))
        return None
    return duration


def _url(spec: Field, value: Any, where: str, issues: list[Issue]) -> str | None:
    text = _string(Field(spec.name, "string", max_length=2000, max_bytes=2000), value, where, issues)
    if text is None:
        return None
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in text):
        issues.append(Issue(where, "expected_https_url"))
        return None
    return text


def _number(spec: Field, value: Any, where: str, issues: list[Issue]) -> float | int | None:
    integer = spec.kind == "integer"
    if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)):
        issues.append(Issue(where, "expected_integer" if integer else "expected_number"))
        return None
    if (spec.minimum is not None and value < spec.minimum) or (spec.maximum is not None and value > spec.maximum):
        issues.append(Issue(where, "out_of_range", {"min": spec.minimum, "max": spec.maximum}))
        return None
    return value


def _boolean(spec: Field, value: Any, where: str, issues: list[Issue]) -> bool | None:
    if not isinstance(value, bool):
        issues.append(Issue(where, "expected_boolean"))
        return None
    return value


def _array(spec: Field, value: Any, where: str, issues: list[Issue]) -> list[Any] | None:
    if not isinstance(value, list):
        issues.append(Issue(where, "expected_array"))
        return None
    if len(value) > spec.max_items:
        issues.append(Issue(where, "too_many_items", {"max": spec.max_items}))
        return None
    before = len(issues)
    converted = [_convert(_items(spec), item, f"{where}.{index}", issues) for index, item in enumerate(value)]
    return converted if len(issues) == before else None


def _items(spec: Field) -> Field:
    if spec.items is None:
        raise TypeError(f"array field {spec.name} needs items")
    return spec.items


def _nested(spec: Field) -> Schema:
    if spec.schema is None:
        raise TypeError(f"object field {spec.name} needs a schema")
    return spec.schema


def _json(spec: Field, value: Any, where: str, issues: list[Issue]) -> dict[str, Any] | None:
    """Any JSON object, checked elsewhere (e.g. GeoJSON by the geometry rules)."""
    if not isinstance(value, dict):
        issues.append(Issue(where, "expected_object"))
        return None
    return value


def _object(spec: Field, value: Any, where: str, issues: list[Issue]) -> dict[str, Any] | None:
    before = len(issues)
    converted = _nested(spec)._parse_object(value, where, issues)
    return converted if len(issues) == before else None


_CONVERTERS = {
    "string": _string,
    "text": _string,
    "date": _date,
    "datetime": _datetime,
    "duration": _duration,
    "url": _url,
    "integer": _number,
    "number": _number,
    "boolean": _boolean,
    "array": _array,
    "object": _object,
    "json": _json,
}


# Text is stripped before it is checked, so its length and pattern are those of what remains: whitespace
# around it (control characters included) is allowed and not counted, and something must remain. Within it,
# control characters are refused (``text`` allows tab, line feed and carriage return). JSON Schema's
# ``maxLength`` would count the whitespace too, so the patterns carry the length.
_CONTROL_CLASS = {"string": r"\x00-\x1f\x7f", "text": r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"}


def _string_json_schema(spec: Field) -> dict[str, Any]:
    if spec.choices or spec.known is not None:
        values = list(spec.choices) if spec.choices else sorted(spec.known() if spec.known else ())
        return {"type": "string", "enum": values}
    if spec.pattern:
        # The field's own pattern says what remains, and mostly its length too (a longer one is refused before
        # the pattern is tried, so the document may allow more than a pattern that does not bound itself).
        pattern = rf"^\s*(?:{spec.pattern})\s*$"
    else:
        control = _CONTROL_CLASS[spec.kind]
        middle = "" if spec.max_length == 1 else rf"(?:[^{control}]{{0,{spec.max_length - 2}}}[^\s{control}])?"
        pattern = rf"^\s*[^\s{control}]{middle}\s*$"
    return {
        "type": "string",
        "pattern": pattern,
        "description": (
            f"1 to {spec.max_length} characters, not counting whitespace around them"
            + (f", and at most {spec.max_bytes} bytes in UTF-8" if spec.max_bytes is not None else "")
        ),
    }


def _number_json_schema(spec: Field) -> dict[str, Any]:
    described: dict[str, Any] = {"type": spec.kind}
    if spec.minimum is not None:
        described["minimum"] = spec.minimum
    if spec.maximum is not None:
        described["maximum"] = spec.maximum
    return described


_JSON_SCHEMA: dict[str, Callable[[Field], dict[str, Any]]] = {
    "string": _string_json_schema,
    "text": _string_json_schema,
    "date": lambda spec: {"type": "string", "format": "date", "pattern": r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$"},
    "datetime": lambda spec: {
        "type": "string",
        "format": "date-time",
        "pattern": r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}T",
        "maxLength": 40,
        "description": "with a time zone; 2000-2099",
    },
    "duration": lambda spec: {
        "type": "string",
        "format": "duration",
        "pattern": r"^\s*P(?:\d{1,4}Y)?(?:\d{1,5}M)?(?:\d{1,5}W)?(?:\d{1,6}D)?\s*$",
        "maxLength": 20,
        "description": f"an ISO 8601 duration in years, months, weeks and days, not zero, at most {MAX_DURATION_DAYS} days",
    },
    "url": lambda spec: {
        "type": "string",
        "pattern": r"^\s*[Hh][Tt][Tt][Pp][Ss]://[^\s/?#]\S{0,1991}\s*$",
        "description": "an https URL of at most 2000 characters (and bytes in UTF-8)",
    },
    "integer": _number_json_schema,
    "number": _number_json_schema,
    "boolean": lambda spec: {"type": "boolean"},
    "array": lambda spec: {"type": "array", "maxItems": spec.max_items, "items": _field_json_schema(_items(spec))},
    "object": lambda spec: _nested(spec).json_schema(),
    "json": lambda spec: {"type": "object"},
}


def _field_json_schema(spec: Field) -> dict[str, Any]:
    described: dict[str, Any] = _JSON_SCHEMA[spec.kind](spec)
    if spec.description:
        described["description"] = "; ".join(filter(None, (spec.description, described.get("description"))))
    return described


def _described(spec: Field) -> dict[str, Any]:
    """The field as JSON Schema; an optional one may also be null."""
    described = _field_json_schema(spec)
    return described if spec.required else {"anyOf": [described, {"type": "null"}]}
