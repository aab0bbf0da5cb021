"""E-mail addresses: what Baken accepts (what SMTP without SMTPUTF8 and SES carry), and the canonical form a
per-address limit counts."""

from __future__ import annotations

import pytest

from chalicelib.domain.addresses import canonical_address, is_deliverable_address


@pytest.mark.parametrize(
    "address",
    [
        "buurvrouw@example.org",
        "Mark.Visser@Example.ORG",
        "mark+volgen@example.org",
        "o'brien@example.org",
        "a!#$%&'*+/=?^_`{|}~-z@example.org",
        "info@xn--bcher-kva.example",
        "x@a-b.co.uk",
        "x@example.xn--p1ai",
    ],
)
def test_dot_atom_ascii_addresses_are_accepted(address):
    assert is_deliverable_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "zoë@example.org",  # non-ASCII local part: would become an encoded word inside To:
        "zoe@bücher.example",  # an internationalised domain is accepted in its xn-- form only
        "a,b@example.org",
        "a;b@example.org",
        "<a>@example.org",
        '"a b"@example.org',
        '"ab"@example.org',
        "a b@example.org",
        "a\tb@example.org",
        "a(b)@example.org",
        "a[b]@example.org",
        "a\\b@example.org",
        "a:b@example.org",
        ".a@example.org",
        "a.@example.org",
        "a..b@example.org",
        "a@b@example.org",
        "a@-example.org",
        "a@example-.org",
        "a@example..org",
        "a@example",
        "a@example.o",
        "a@example.123",
        "@example.org",
        "a" * 65 + "@example.org",
        "a@" + "b" * 64 + ".org",
        "a@" + ("b" * 60 + ".") * 5 + "org",  # over 254 characters
    ],
)
def test_addresses_the_rfcs_or_ses_would_not_carry_plainly_are_refused(address):
    assert not is_deliverable_address(address)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Victim@Example.org", "victim@example.org"),
        ("victim+1@example.org", "victim@example.org"),
        ("victim+a+b@example.org", "victim@example.org"),
        ("v.ictim@example.org", "v.ictim@example.org"),  # elsewhere a dot may be another mailbox
        ("v.ictim@gmail.com", "victim@gmail.com"),
        ("V.i.c.t.i.m+spam@GoogleMail.com", "victim@gmail.com"),
        ("+only@example.org", "+only@example.org"),
    ],
)
def test_the_canonical_form_counts_one_mailbox_once(written, canonical):
    assert canonical_address(written) == canonical
