"""Sliding-window rate limits, kept exactly: the moments of the last requests that were let through. A request
is allowed while fewer than ``limit`` of them lie within one window length before now — so a burst at the end
of one clock hour still counts at the start of the next, and Retry-After says exactly when the oldest of them
has slid out. Only ``limit`` moments per key are ever kept."""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Sequence


def admit(moments: Sequence[float], now: float, limit: int, window: float) -> tuple[list[float] | None, int | None]:
    """``(moments to keep, None)`` when a request at ``now`` is allowed (``now`` included), else
    ``(None, whole seconds until one would be, at least 1)``."""
    recent = sorted(moment for moment in moments if now - window < moment <= now)
    if len(recent) >= limit:
        return None, max(1, math.ceil(recent[-limit] + window - now))
    return [*recent, now][-limit:], None


def source_key(address: str) -> str:
    """What a per-source limit counts by: an IPv4 address, or an IPv6 client's /64 (one household or device
    can change the rest of its address at will). Anything unparseable counts as itself."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
