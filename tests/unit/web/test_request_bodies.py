"""Reading request bodies: strict schemas that name every bad field, and bodies that cannot be read at all
(too large, not UTF-8, NUL bytes, repeated keys, too deep) refused before any schema sees them."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.durations import Duration
from chalicelib.domain.errors import ValidationError
from chalicelib.web.bodies import BY_EMAIL, CASE_SEARCH, CONTACT_MOMENT, NEW_CASE, NEW_MESSAGE
from chalicelib.web.endpoint import parse_json_body
from chalicelib.web.request import MAX_BODY_BYTES, BodyError
from chalicelib.web.schema import Field, Schema

VALID_CASE = {
    "zaaktype": "subsidie-duurzame-recreatie",
    "omschrijving": "Duurzame recreatie",
    "initiator": "pu-mark-3f9a1c",
    "gemeenten": ["GM1581"],
}


def problems(schema: Schema, data) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        schema.parse(data)
    return {issue.field: issue.code for issue in refused.value.issues}


def test_a_valid_case_body_is_converted_to_domain_values():
    parsed = NEW_CASE.parse({**VALID_CASE, "startdatum": "2026-10-01", "point": {"lat": 52.04, "lon": 5.37}})
    assert parsed["startdatum"] == date(2026, 10, 1)
    assert parsed["point"] == {"lat": 52.04, "lon": 5.37}


def test_every_problem_is_reported_with_the_path_of_its_field():
    found = problems(
        NEW_CASE,
        {"zaaktype": 12, "omschrijving": "x" * 81, "gemeenten": ["GM1581", "Utrecht"], "point": {"lat": 10, "lon": 5.1}},
    )
    assert found == {
        "zaaktype": "expected_string",
        "omschrijving": "too_long",
        "initiator": "required",
        "gemeenten.1": "invalid_format",
        "point.lat": "out_of_range",
    }


@pytest.mark.parametrize("forbidden", ["role", "verified", "subscriber_id", "behandelaar"])
def test_fields_a_caller_may_not_set_are_refused_by_name(forbidden):
    assert problems(NEW_CASE, {**VALID_CASE, forbidden: "x"}) == {forbidden: "unknown_field"}


def test_control_characters_are_refused_in_single_line_fields_and_allowed_newlines_in_texts():
    assert problems(NEW_CASE, {**VALID_CASE, "omschrijving": "a\r\nBcc: v@y"}) == {"omschrijving": "control_characters"}
    assert NEW_MESSAGE.parse({"text": "Regel een\nRegel twee"})["text"] == "Regel een\nRegel twee"
    assert problems(NEW_MESSAGE, {"text": "bel\x07"}) == {"text": "control_characters"}


def test_links_must_be_https():
    for url in ("javascript:alert(1)", "http://omgevingswet.overheid.nl", "https://", "https://a b.nl"):
        assert problems(NEW_MESSAGE, {"text": "x", "link": {"url": url, "label": "Loket"}}) == {"link.url": "expected_https_url"}


def test_moments_need_a_time_zone_and_are_kept_in_utc():
    parsed = CONTACT_MOMENT.parse(
        {
            "kanaal": "telefoon",
            "onderwerp": "x",
            "inhoud": "y",
            "vertrouwelijk": False,
            "plaatsgevonden_op": "2026-11-28T10:15:00+01:00",
        }
    )
    assert parsed["plaatsgevonden_op"] == datetime(2026, 11, 28, 9, 15, tzinfo=UTC)
    naive = {
        "kanaal": "telefoon",
        "onderwerp": "x",
        "inhoud": "y",
        "vertrouwelijk": False,
        "plaatsgevonden_op": "2026-11-28T10:15:00",
    }
    assert problems(CONTACT_MOMENT, naive) == {"plaatsgevonden_op": "expected_datetime"}
    assert problems(CONTACT_MOMENT, {"kanaal": "fax", "onderwerp": "x", "inhoud": "y"}) == {
        "kanaal": "not_allowed",
        "vertrouwelijk": "required",
    }


CALL = {"kanaal": "telefoon", "onderwerp": "x", "inhoud": "y", "vertrouwelijk": False}


def test_tags_of_a_contact_moment_are_optional_and_each_wrong_one_is_named():
    assert "tags" not in CONTACT_MOMENT.parse(CALL)
    assert CONTACT_MOMENT.parse({**CALL, "tags": [" DSO ", "termijn"]})["tags"] == ["DSO", "termijn"]
    assert problems(CONTACT_MOMENT, {**CALL, "tags": ["dso", "twee woorden", "x" * 31, "", "a\x07"]}) == {
        "tags.1": "invalid_tag",
        "tags.2": "too_long",
        "tags.3": "empty",
        "tags.4": "control_characters",
    }
    assert problems(CONTACT_MOMENT, {**CALL, "tags": ["dso"] * 11}) == {"tags": "too_many_items"}
    assert problems(CONTACT_MOMENT, {**CALL, "tags": "dso, termijn"}) == {"tags": "expected_array"}


@pytest.mark.parametrize("tag", ["dso", " DSO ", "vergunning-waterschap", "a" * 30, "twee woorden", "-dso", "x" * 31, "é"])
def test_the_documented_tag_pattern_accepts_what_parsing_accepts(tag):
    documented = CONTACT_MOMENT.json_schema()["properties"]["tags"]["anyOf"][0]
    assert documented["maxItems"] == 10
    accepted = True
    try:
        CONTACT_MOMENT.parse({**CALL, "tags": [tag]})
    except ValidationError:
        accepted = False
    assert bool(re.fullmatch(documented["items"]["pattern"], tag)) == accepted


def test_durations_booleans_and_lists_are_checked_by_kind():
    schema = Schema(
        (Field("duur", "duration"), Field("flag", "boolean"), Field("tags", "array", items=Field("t", "string"), max_items=2))
    )
    assert schema.parse({"duur": "P6W"})["duur"] == Duration(weeks=6)
    assert problems(schema, {"duur": "P0D", "flag": "yes", "tags": ["a", "b", "c"]}) == {
        "duur": "expected_duration",
        "flag": "expected_boolean",
        "tags": "too_many_items",
    }


def test_the_schema_describes_itself_as_json_schema():
    described = NEW_CASE.json_schema()
    assert described["additionalProperties"] is False
    assert described["required"] == ["zaaktype", "omschrijving", "initiator", "gemeenten"]
    point = described["properties"]["point"]
    assert point["anyOf"][1] == {"type": "null"}, "an optional field may be null: parse takes that as absent"
    assert point["anyOf"][0]["properties"]["lat"] == {
        "type": "number",
        "minimum": 50.5,
        "maximum": 53.7,
        "description": "WGS84 latitude",
    }
    assert "anyOf" not in described["properties"]["zaaktype"], "a required field may not be null"


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b"x" * (MAX_BODY_BYTES + 1), 413, None),
        (b'{"text": "\xff"}', 400, "invalid_utf8"),
        (b'{"text": "a\x00b"}', 400, "control_characters"),
        (b'{"a": 1, "a": 2}', 400, "duplicate_key"),
        (b"[" * 5000 + b"]" * 5000, 400, "too_deep"),
        (json.dumps({"a": [[[[[[[[[[1]]]]]]]]]]}).encode(), 400, "too_deep"),
        (b'{"a": NaN}', 400, "invalid_json"),
        (b"{not json", 400, "invalid_json"),
    ],
    ids=["too large", "invalid utf-8", "nul byte", "repeated key", "deep arrays", "deep object", "NaN", "broken"],
)
def test_bodies_that_cannot_be_read_are_refused_before_validation(raw, status, code):
    with pytest.raises(BodyError) as refused:
        parse_json_body(raw)
    assert refused.value.status == status
    if code:
        assert refused.value.issue is not None
        assert refused.value.issue.code == code


def test_an_escaped_nul_reads_as_json_and_is_refused_by_the_schema():
    assert problems(NEW_MESSAGE, parse_json_body(b'{"text": "a\\u0000b"}')) == {"text": "control_characters"}


def test_an_empty_body_reads_as_an_empty_object():
    assert parse_json_body(b"") == {}
    assert parse_json_body(None) == {}


@pytest.mark.parametrize("schema", [BY_EMAIL, CASE_SEARCH])
@pytest.mark.parametrize("address", ["zoë@example.org", "a,b@example.org", '"a<b>"@example.org', "a b@example.org"])
def test_an_address_smtp_would_not_carry_plainly_is_refused_naming_the_email_field(schema, address):
    with pytest.raises(ValidationError) as refused:
        schema.parse({"email": address, "topics": ["grondbeheer"]} if schema is BY_EMAIL else {"email": address})
    assert [(i.field, i.code) for i in refused.value.issues] == [("email", "expected_email")]
