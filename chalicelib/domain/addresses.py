"""E-mail addresses people type in: which ones Baken accepts, and the canonical form a limit counts.

**Accepted** (``is_deliverable_address``): what RFC 5321/5322 call a dot-atom, in ASCII, that SES sends without
SMTPUTF8 — ``local@domain``, at most 254 characters, the local part at most 64; the local part letters, digits
and ``!#$%&'*+/=?^_`{|}~-`` with single dots between them (no quoted strings: no spaces, ``,;<>"()[]\\:``);
the domain labels of letters, digits and hyphens (not at either end), ending in a top-level domain of letters
or an ``xn--`` label. A non-ASCII local part (``zoë@example.org``) is refused: SES does not send SMTPUTF8
reliably and an encoded word inside an address is invalid (RFC 2047 §5). An internationalised domain is
accepted in its ASCII form (``xn--…``).

**Canonical** (``canonical_address``): the same mailbox written differently counts once. Lower case; a
``+tag`` is dropped from the local part (sub-addressing, which most providers deliver to the same mailbox);
for ``gmail.com`` and ``googlemail.com`` dots in the local part are dropped too and the domain is
``gmail.com`` (Gmail ignores them; other providers do not, so elsewhere dots are kept). It is used only to
count requests: e-mail always goes to the address as it was given.
"""

from __future__ import annotations

import re

MAX_ADDRESS_LENGTH = 254
MAX_LOCAL_LENGTH = 64
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TLD = r"(?:[A-Za-z]{2,63}|[Xx][Nn]--[A-Za-z0-9-]{1,59})"
# One expression, also used as the JSON Schema pattern of the field: the look-ahead bounds the local part.
ADDRESS_PATTERN = rf"(?=[^@]{{1,{MAX_LOCAL_LENGTH}}}@){_ATEXT}+(?:\.{_ATEXT}+)*@(?:{_LABEL}\.)+{_TLD}"
_ADDRESS = re.compile(ADDRESS_PATTERN)
DOTS_IGNORED = frozenset({"gmail.com", "googlemail.com"})


def is_deliverable_address(text: str) -> bool:
    """Whether ``text`` (already stripped) is an address Baken accepts (see the module's rule)."""
    return len(text) <= MAX_ADDRESS_LENGTH and _ADDRESS.fullmatch(text) is not None


def canonical_address(address: str) -> str:
    """The form a per-address limit counts: ``Victim+1@Example.org`` and ``victim@example.org`` are one;
    ``v.ictim@gmail.com`` and ``victim@googlemail.com`` too."""
    local, _, domain = address.strip().lower().rpartition("@")
    local = local.split("+", 1)[0] or local
    if domain in DOTS_IGNORED:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"
