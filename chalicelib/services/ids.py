"""Identifiers Baken gives out: random UUIDs, never guessable and never derived from personal data."""

from __future__ import annotations

import uuid


def new_id() -> str:
    return str(uuid.uuid4())
