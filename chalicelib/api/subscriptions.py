"""Following things through the JSON API: logged-in people manage their own subscriptions and preferences;
anybody may ask to follow topics and places by e-mail (double opt-in); the links in e-mails confirm and
unsubscribe (the same actions as the pages behind those links)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.http import Call, endpoint, json_response
from chalicelib.api.places import SCOPE_FIELDS, scope_from_body
from chalicelib.api.presenters import preferences_json, subscription_json
from chalicelib.api.schema import Field, Schema
from chalicelib.api.texts import CHECK_INBOX
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.language import Language
from chalicelib.domain.subscriptions import Channel, Frequency, PostalAddress

bp = Blueprint(__name__)

EMAIL_PATTERN = r"[^@\s]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}"
SCOPE = Schema(SCOPE_FIELDS)
ADDRESS = Schema(
    (
        Field("naam", "string", required=True, max_length=120),
        Field("straat", "string", required=True, max_length=120),
        Field("huisnummer", "string", required=True, max_length=20),
        Field("postcode", "string", required=True, pattern=r"[1-9][0-9]{3} ?[A-Za-z]{2}"),
        Field("woonplaats", "string", required=True, max_length=80),
    )
)
PREFERENCES = Schema(
    (
        Field(
            "channels",
            "array",
            required=True,
            items=Field("channel", "string", choices=tuple(c.value for c in Channel)),
            max_items=3,
        ),
        Field("language", "string", required=True, choices=tuple(lang.value for lang in Language)),
        Field("frequency", "string", required=True, choices=tuple(f.value for f in Frequency)),
        Field("quiet_hours", "boolean", required=True, description="no e-mail between 22:00 and 07:00"),
        Field("postal_address", "object", schema=ADDRESS),
    )
)
BY_EMAIL = Schema(
    (
        Field("email", "string", required=True, max_length=254, pattern=EMAIL_PATTERN, pattern_code="expected_email"),
        Field("language", "string", choices=tuple(lang.value for lang in Language)),
        *SCOPE_FIELDS,
    )
)
TOKEN = Schema((Field("token", "string", required=True, max_length=1024),))


@endpoint(bp, "/api/me/subscriptions", action="list_subscriptions")
def my_subscriptions(call: Call) -> Any:
    return {"subscriptions": [subscription_json(s) for s in wiring.subscription_service().mine(call.principal())]}


@endpoint(bp, "/api/me/subscriptions", methods=("POST",), action="follow")
def follow(call: Call) -> Any:
    scope = scope_from_body(call.body(SCOPE))
    return json_response(subscription_json(wiring.subscription_service().follow(call.principal(), scope)), 201)


@endpoint(bp, "/api/me/subscriptions/{subscription_id}", methods=("PUT",), action="change_subscription")
def change(call: Call, subscription_id: str) -> Any:
    scope = scope_from_body(call.body(SCOPE))
    return subscription_json(wiring.subscription_service().change(call.principal(), subscription_id, scope))


@endpoint(bp, "/api/me/subscriptions/{subscription_id}", methods=("DELETE",), action="stop_subscription")
def stop(call: Call, subscription_id: str) -> Any:
    wiring.subscription_service().stop(call.principal(), subscription_id)
    return json_response({"stopped": subscription_id})


@endpoint(bp, "/api/me/preferences", action="read_preferences")
def preferences(call: Call) -> Any:
    return preferences_json(wiring.subscription_service().preferences(call.principal()))


@endpoint(bp, "/api/me/preferences", methods=("PUT",), action="set_preferences")
def set_preferences(call: Call) -> Any:
    from chalicelib.services.subscriptions import PreferenceChange

    body = call.body(PREFERENCES)
    if not body["channels"]:
        raise ValidationError.single("channels", "required_channel")
    address = body.get("postal_address")
    change = PreferenceChange(
        channels=frozenset(Channel(c) for c in body["channels"]),
        language=Language(body["language"]),
        frequency=Frequency(body["frequency"]),
        quiet_hours=body["quiet_hours"],
        postal_address=PostalAddress(**{**address, "postcode": address["postcode"].upper()}) if address else None,
    )
    return preferences_json(wiring.subscription_service().set_preferences(call.principal(), change))


@endpoint(bp, "/api/subscriptions", methods=("POST",), action="subscribe_by_email", public=True)
def subscribe_by_email(call: Call) -> Any:
    """Anybody, without logging in: the answer is the same whether or not the address is known."""
    body = call.body(BY_EMAIL)
    language = Language(body.get("language", call.language.value))
    wiring.subscription_service().subscribe_by_email(body["email"], language, scope_from_body(body), source=call.origin)
    return json_response({"status": "confirmation_sent", "detail": CHECK_INBOX.in_(language)}, 202)


@endpoint(bp, "/api/subscriptions/confirm", methods=("POST",), action="confirm_subscription", public=True)
def confirm(call: Call) -> Any:
    return {"outcome": wiring.subscription_service().confirm(call.body(TOKEN)["token"]).value}


@endpoint(bp, "/api/subscriptions/unsubscribe", methods=("POST",), action="unsubscribe", public=True)
def unsubscribe(call: Call) -> Any:
    return {"outcome": wiring.subscription_service().unsubscribe(call.body(TOKEN)["token"]).value}
