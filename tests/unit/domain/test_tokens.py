"""Signed, expiring tokens for links in e-mails, and keyed fingerprints of e-mail addresses.

A token is only accepted when it is ours, unchanged, meant for the purpose at hand and not expired; anything else
is an InvalidTokenError whose ``reason`` says which, never another exception.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import DomainError
from chalicelib.domain.tokens import (
    MAX_TOKEN_LENGTH,
    InvalidTokenError,
    KeyRing,
    Token,
    TokenPurpose,
    email_fingerprint,
    sign,
    verify,
)
from chalicelib.domain.tokens import _mac as mac

SECRET = b"test-secret-of-thirty-two-bytes!"
OTHER_SECRET = b"another-secret-of-thirty-two-by!"
NOW = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
EXPIRES = NOW + timedelta(days=7)
TOKEN = Token(TokenPurpose.CONFIRM, "sub-000123", EXPIRES)


def _reason(text: str, *, secret: bytes = SECRET, purpose: TokenPurpose = TokenPurpose.CONFIRM, now: datetime = NOW) -> str:
    with pytest.raises(InvalidTokenError) as error:
        verify(text, secret, purpose, now=now)
    return error.value.reason


def _signed_payload(body: object) -> str:
    """A payload signed with our secret that ``sign`` would never write: only the checks after the signature stop it."""
    payload = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return f"{payload}.{mac(payload, SECRET)}"


def _flip(text: str, index: int) -> str:
    """``text`` with the character at ``index`` replaced by another base64url character."""
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


# --- round trip --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("purpose", list(TokenPurpose))
def test_a_signed_token_verifies_as_itself_for_its_own_purpose(purpose):
    token = Token(purpose, "sub-000123", EXPIRES)

    assert verify(sign(token, SECRET), SECRET, purpose, now=NOW) == token


def test_a_subject_with_any_characters_survives_the_round_trip():
    token = Token(TokenPurpose.MANAGE, 'café "Het Wapen" . subscriber/ü', EXPIRES)

    assert verify(sign(token, SECRET), SECRET, TokenPurpose.MANAGE, now=NOW).subject == token.subject


def test_a_token_is_url_safe_and_has_one_dot():
    text = sign(TOKEN, SECRET)

    assert text.count(".") == 1
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_signing_the_same_token_twice_gives_the_same_text():
    assert sign(TOKEN, SECRET) == sign(TOKEN, SECRET)


# --- forged or changed -------------------------------------------------------------------------------------------


def test_a_token_signed_with_another_secret_is_refused():
    assert _reason(sign(TOKEN, OTHER_SECRET)) == "signature"


@pytest.mark.parametrize("where", ["payload-start", "payload-end", "signature-start", "signature-end"])
def test_a_token_with_one_character_changed_is_refused(where):
    text = sign(TOKEN, SECRET)
    dot = text.index(".")
    index = {"payload-start": 0, "payload-end": dot - 2, "signature-start": dot + 1, "signature-end": len(text) - 2}[where]

    assert _reason(_flip(text, index)) == "signature"


def test_a_payload_swapped_from_another_token_is_refused():
    # GIVEN two genuine tokens for different subscribers
    mine = sign(TOKEN, SECRET)
    theirs = sign(Token(TokenPurpose.CONFIRM, "sub-999999", EXPIRES), SECRET)

    # WHEN their payload is combined with my signature
    forged = f"{theirs.split('.')[0]}.{mine.split('.')[1]}"

    assert _reason(forged) == "signature"


def test_a_forged_payload_with_a_later_expiry_is_refused():
    genuine = sign(TOKEN, SECRET)
    body = {"p": "confirm", "s": TOKEN.subject, "e": int((EXPIRES + timedelta(days=365)).timestamp())}
    payload = base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":"), sort_keys=True).encode()).rstrip(b"=")

    assert _reason(f"{payload.decode()}.{genuine.split('.')[1]}") == "signature"


# --- purpose and expiry ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signed_for", "used_for"),
    [
        (TokenPurpose.UNSUBSCRIBE, TokenPurpose.CONFIRM),
        (TokenPurpose.CONFIRM, TokenPurpose.MANAGE),
        (TokenPurpose.MANAGE, TokenPurpose.UNSUBSCRIBE),
    ],
)
def test_a_token_used_for_another_purpose_is_refused(signed_for, used_for):
    text = sign(Token(signed_for, "sub-000123", EXPIRES), SECRET)

    assert _reason(text, purpose=used_for) == "purpose"


def test_a_token_is_accepted_until_its_expiry_and_not_a_second_later():
    text = sign(TOKEN, SECRET)

    assert verify(text, SECRET, TokenPurpose.CONFIRM, now=EXPIRES - timedelta(seconds=1)) == TOKEN
    assert verify(text, SECRET, TokenPurpose.CONFIRM, now=EXPIRES) == TOKEN
    assert _reason(text, now=EXPIRES + timedelta(seconds=1)) == "expired"


def test_an_expired_token_is_a_domain_error_named_invalid_token():
    with pytest.raises(InvalidTokenError) as error:
        verify(sign(TOKEN, SECRET), SECRET, TokenPurpose.CONFIRM, now=EXPIRES + timedelta(days=1))

    assert isinstance(error.value, DomainError)
    assert (error.value.code, error.value.reason, error.value.params) == ("invalid_token", "expired", {"reason": "expired"})


# --- malformed ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "no-dot-at-all", "a.b.c", "..", "x" * (MAX_TOKEN_LENGTH + 1), "." + "x" * MAX_TOKEN_LENGTH],
    ids=["empty", "no-dot", "two-dots", "only-dots", "too-long", "too-long-with-dot"],
)
def test_a_string_that_cannot_be_a_token_is_malformed(text):
    assert _reason(text) == "malformed"


@pytest.mark.parametrize("text", [".", "abc.", ".abc", "abc.def", "!!!.???"])
def test_a_well_shaped_string_without_our_signature_is_refused(text):
    assert _reason(text) == "signature"


@pytest.mark.parametrize("value", [None, 42, b"abc.def"], ids=["none", "int", "bytes"])
def test_a_value_that_is_not_a_string_is_malformed(value):
    assert _reason(value) == "malformed"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("abc.défg", id="non-ascii-signature"),
        pytest.param("défg.abc", id="non-ascii-payload"),
        pytest.param("abc.\x00\n", id="control-characters"),
    ],
)
def test_a_string_with_characters_no_token_contains_is_refused_as_invalid(text):
    # e.g. a link mangled by a mail client: the caller must see "not found", not a server error
    assert _reason(text) in {"malformed", "signature"}


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        {"s": "sub-1", "e": 1_900_000_000},
        {"p": "confirm", "e": 1_900_000_000},
        {"p": "confirm", "s": "sub-1"},
        {"p": "delete-everything", "s": "sub-1", "e": 1_900_000_000},
        {"p": "confirm", "s": "sub-1", "e": "tomorrow"},
        {"p": "confirm", "s": "sub-1", "e": None},
    ],
    ids=["list", "string", "no-purpose", "no-subject", "no-expiry", "unknown-purpose", "text-expiry", "null-expiry"],
)
def test_a_signed_payload_that_is_not_a_token_is_malformed(body):
    assert _reason(_signed_payload(body)) == "malformed"


def test_a_signed_payload_that_is_not_json_is_malformed():
    payload = base64.urlsafe_b64encode(b"\xff\xfe not json").rstrip(b"=").decode()

    assert _reason(f"{payload}.{mac(payload, SECRET)}") == "malformed"


# --- e-mail fingerprints -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["Anna@Example.NL", "  anna@example.nl", "anna@example.nl\n", "\tANNA@EXAMPLE.NL  "])
def test_the_same_address_in_any_case_or_with_surrounding_spaces_has_the_same_fingerprint(variant):
    assert email_fingerprint(variant, SECRET) == email_fingerprint("anna@example.nl", SECRET)


def test_a_fingerprint_is_stable_and_40_hex_characters():
    fingerprint = email_fingerprint("anna@example.nl", SECRET)

    assert fingerprint == email_fingerprint("anna@example.nl", SECRET)
    assert len(fingerprint) == 40
    assert set(fingerprint) <= set("0123456789abcdef")


def test_different_addresses_have_different_fingerprints():
    assert email_fingerprint("anna@example.nl", SECRET) != email_fingerprint("anne@example.nl", SECRET)


def test_the_fingerprint_depends_on_the_secret():
    assert email_fingerprint("anna@example.nl", SECRET) != email_fingerprint("anna@example.nl", OTHER_SECRET)


# Key rotation ---------------------------------------------------------------------------------------------

OLD_KEY = b"the-old-key-that-signed-last-year-links"
NEW_KEY = b"the-new-key-that-signs-from-today-onward"
FINGERPRINT_KEY = b"the-key-of-the-stored-e-mail-fingerprints"


def test_a_link_signed_with_the_old_key_still_opens_after_a_new_key_signs():
    # GIVEN a link signed before the rotation
    before = sign(TOKEN, KeyRing(OLD_KEY))
    # WHEN a new key signs and the old one stays in the ring
    ring = KeyRing(NEW_KEY, [OLD_KEY])
    # THEN the old link opens, and new links are signed with the new key only
    assert verify(before, ring, TokenPurpose.CONFIRM, now=NOW).subject == "sub-000123"
    after = sign(TOKEN, ring)
    assert verify(after, KeyRing(NEW_KEY), TokenPurpose.CONFIRM, now=NOW) == TOKEN
    assert _reason(after, secret=KeyRing(OLD_KEY)) == "signature"


def test_a_link_of_a_key_that_left_the_ring_no_longer_opens():
    before = sign(TOKEN, KeyRing(OLD_KEY))
    assert _reason(before, secret=KeyRing(NEW_KEY)) == "signature"


def test_the_fingerprint_of_an_address_does_not_change_when_the_signing_key_does():
    old = KeyRing.parse(json.dumps({"keys": [OLD_KEY.decode()], "fingerprint_key": FINGERPRINT_KEY.decode()}))
    new = KeyRing.parse(json.dumps({"keys": [NEW_KEY.decode(), OLD_KEY.decode()], "fingerprint_key": FINGERPRINT_KEY.decode()}))
    assert email_fingerprint("mark@example.org", old) == email_fingerprint("mark@example.org", new)
    assert email_fingerprint("mark@example.org", new) == email_fingerprint("mark@example.org", FINGERPRINT_KEY)


def test_a_stored_secret_is_one_key_or_a_json_ring_newest_first():
    single = KeyRing.parse(OLD_KEY.decode())
    assert (bytes(single), single.older, single.fingerprint_key) == (OLD_KEY, (), OLD_KEY)
    ring = KeyRing.parse(json.dumps({"keys": [NEW_KEY.decode(), OLD_KEY.decode()]}))
    # without a fingerprint key the oldest key keys the fingerprints: the ring grew from that one key
    assert (bytes(ring), ring.verifying, ring.fingerprint_key) == (NEW_KEY, (NEW_KEY, OLD_KEY), OLD_KEY)


@pytest.mark.parametrize("text", ["short", '{"keys": []}', '{"keys": ["short"]}', '{"nokeys": 1}', '{"keys": [1]}'])
def test_a_stored_secret_with_a_short_key_or_no_keys_is_refused(text):
    with pytest.raises(ValueError, match="key"):
        KeyRing.parse(text)
