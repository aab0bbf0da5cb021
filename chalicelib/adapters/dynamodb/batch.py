"""BatchWriteItem with the low-level client: 25 requests per call, what DynamoDB leaves unprocessed sent again with
exponential backoff, and an error (never a silent loss) when it keeps leaving some."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

ATTEMPTS = 8
PER_CALL = 25


class UnprocessedItemsError(RuntimeError):
    pass


def batch_write(client: Any, table: str, requests: Sequence[dict[str, Any]], sleep: Callable[[float], None]) -> None:
    """Write ``requests`` (``PutRequest``/``DeleteRequest``) to ``table``."""
    for start in range(0, len(requests), PER_CALL):
        pending: Any = {table: list(requests[start : start + PER_CALL])}
        for attempt in range(ATTEMPTS):
            if attempt:
                sleep(0.05 * 2**attempt)
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or None
            if not pending:
                break
        else:
            raise UnprocessedItemsError(f"DynamoDB kept items for {table} unprocessed after {ATTEMPTS} attempts")
