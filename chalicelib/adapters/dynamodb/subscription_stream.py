"""The subscriptions table's stream, read for the chain: a record of a subscription definition becomes a
``SubscriptionTransition`` (its state before and after), from which ``domain.cloudevents`` tells whether it
started or stopped. Index entries and other items are None."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters.dynamodb.mapping import scope_from_json
from chalicelib.domain.cloudevents import SubscriptionStatus, SubscriptionTransition

DEFINITION = "definition"
PREFIX = "subscription#"


def _state(image: Mapping[str, Any] | None) -> SubscriptionStatus | None:
    if not image or image.get("member", {}).get("S") != DEFINITION:
        return None
    return SubscriptionStatus(str(image.get("state", {}).get("S", "pending")))


def subscription_transition(record: Mapping[str, Any], now: Callable[[], datetime]) -> SubscriptionTransition | None:
    """The transition a stream record of a definition shows; None for any other record."""
    dynamodb = record.get("dynamodb", {})
    keys = dynamodb.get("Keys", {})
    partition = str(keys.get("interest", {}).get("S", ""))
    if keys.get("member", {}).get("S") != DEFINITION or not partition.startswith(PREFIX):
        return None
    old, new = dynamodb.get("OldImage"), dynamodb.get("NewImage")
    image = new or old or {}
    revision = int(image.get("revision", {}).get("N", "1"))
    case_id = None
    if "scope" in image:
        case_id = scope_from_json(str(image["scope"].get("S", "{}"))).case_id
    created = dynamodb.get("ApproximateCreationDateTime")
    at = datetime.fromtimestamp(float(created), UTC) if created is not None else now()
    return SubscriptionTransition(
        subscription_id=partition.removeprefix(PREFIX),
        before=_state(old),
        after=_state(new),
        revision=revision,
        origin=str(image.get("origin", {}).get("S", "")),
        case_id=case_id,
        at=at,
    )
