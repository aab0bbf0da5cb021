"""Following things through the JSON API: logged-in people manage their own subscriptions and preferences;
anybody may ask to follow topics and places by e-mail (double opt-in); the links in e-mails confirm and
unsubscribe (the same actions as the pages behind those links)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.http import Call, endpoint, json_response
from chalicelib.api.places import SCOPE_FIELDS, scope_from_body
from chalicelib.api.presenters import preferences_json, subscription_json
from chalicelib.api.responses import CONFIRMATION_SENT, OUTCOME, STOPPED, SUBSCRIPTIONS, ref
from chalicelib.api.schema import Field, Schema
from chalicelib.api.texts import CHECK_INBOX
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.language import Language
from chalicelib.domain.subscriptions import Channel, Frequency, PostalAddress

if TYPE_CHECKING:
    from chalicelib.services.subscriptions import PreferenceChange

bp = Blueprint(__name__)

EMAIL_PATTERN = r"[^@\s\x00-\x1f\x7f]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}"
EMAIL = Field("email", "string", required=True, max_length=254, pattern=EMAIL_PATTERN, pattern_code="expected_email")
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
        EMAIL,
        Field("language", "string", choices=tuple(lang.value for lang in Language)),
        *SCOPE_FIELDS,
    )
)
TOKEN = Schema((Field("token", "string", required=True, max_length=1024),))


@endpoint(
    bp,
    "/api/me/subscriptions",
    action="list_subscriptions",
    summary="What I follow",
    response=SUBSCRIPTIONS,
    errors=(403,),
)
def my_subscriptions(call: Call) -> Any:
    return {"subscriptions": [subscription_json(s) for s in wiring.subscription_service().mine(call.principal())]}


@endpoint(
    bp,
    "/api/me/subscriptions",
    methods=("POST",),
    action="follow",
    summary="Follow topics, gemeenten and/or an area (a circle or a GeoJSON polygon)",
    body=SCOPE,
    example={"topics": ["grondbeheer"], "area": {"circle": {"lat": 52.04, "lon": 5.34, "radius_m": 2000}}},
    response=ref("Subscription"),
    status=201,
    errors=(403,),
)
def follow(call: Call) -> Any:
    scope = scope_from_body(call.body())
    return json_response(subscription_json(wiring.subscription_service().follow(call.principal(), scope)), 201)


@endpoint(
    bp,
    "/api/me/subscriptions/{subscription_id}",
    methods=("PUT",),
    action="change_subscription",
    summary="Change what one subscription follows",
    body=SCOPE,
    example={"topics": ["grondbeheer", "natuur-en-landschap"], "gemeenten": ["GM1581"]},
    response=ref("Subscription"),
    errors=(403,),
)
def change(call: Call, subscription_id: str) -> Any:
    scope = scope_from_body(call.body())
    return subscription_json(wiring.subscription_service().change(call.principal(), subscription_id, scope))


@endpoint(
    bp,
    "/api/me/subscriptions/{subscription_id}",
    methods=("DELETE",),
    action="stop_subscription",
    summary="Stop a subscription (stopping twice is harmless)",
    response=STOPPED,
    errors=(403,),
)
def stop(call: Call, subscription_id: str) -> Any:
    wiring.subscription_service().stop(call.principal(), subscription_id)
    return json_response({"stopped": subscription_id})


@endpoint(
    bp,
    "/api/me/preferences",
    action="read_preferences",
    summary="How I want to hear: channels, language, frequency, quiet hours",
    response=ref("Preferences"),
    errors=(403,),
)
def preferences(call: Call) -> Any:
    return preferences_json(wiring.subscription_service().preferences(call.principal()))


@endpoint(
    bp,
    "/api/me/preferences",
    methods=("PUT",),
    action="set_preferences",
    summary="Choose channels (e-mail, berichtenbox, letter), language, frequency and quiet hours",
    body=PREFERENCES,
    example={"channels": ["email", "portal"], "language": "nl", "frequency": "daily", "quiet_hours": True},
    response=ref("Preferences"),
    errors=(403,),
)
def set_preferences(call: Call) -> Any:
    change = preference_change(call.body())
    return preferences_json(wiring.subscription_service().set_preferences(call.principal(), change))


def preference_change(body: dict[str, Any]) -> PreferenceChange:
    """Preferences as PREFERENCES parsed them, for the service: at least one channel; a postcode in capitals.
    The JSON route and the preferences page both read them this way."""
    from chalicelib.services.subscriptions import PreferenceChange

    if not body["channels"]:
        raise ValidationError.single("channels", "required_channel")
    address = body.get("postal_address")
    return PreferenceChange(
        channels=frozenset(Channel(c) for c in body["channels"]),
        language=Language(body["language"]),
        frequency=Frequency(body["frequency"]),
        quiet_hours=body["quiet_hours"],
        postal_address=PostalAddress(**{**address, "postcode": address["postcode"].upper()}) if address else None,
    )


@endpoint(
    bp,
    "/api/subscriptions",
    methods=("POST",),
    action="subscribe_by_email",
    public=True,
    summary="Follow by e-mail without logging in (double opt-in)",
    body=BY_EMAIL,
    example={"email": "buurvrouw@example.org", "language": "nl", "topics": ["grondbeheer"], "gemeenten": ["GM1581"]},
    response=CONFIRMATION_SENT,
    status=202,
    errors=(429,),
)
def subscribe_by_email(call: Call) -> Any:
    """Anybody, without logging in: the answer is the same whether or not the address is known."""
    body = call.body()
    language = Language(body.get("language", call.language.value))
    wiring.subscription_service().subscribe_by_email(body["email"], language, scope_from_body(body), source=call.origin)
    return json_response({"status": "confirmation_sent", "detail": CHECK_INBOX.in_(language)}, 202)


@endpoint(
    bp,
    "/api/subscriptions/confirm",
    methods=("POST",),
    action="confirm_subscription",
    public=True,
    summary="Confirm a subscription with the token of the link in the confirmation e-mail",
    body=TOKEN,
    response=OUTCOME,
    errors=(404,),
)
def confirm(call: Call) -> Any:
    return {"outcome": wiring.subscription_service().confirm(call.body()["token"]).value}


@endpoint(
    bp,
    "/api/subscriptions/unsubscribe",
    methods=("POST",),
    action="unsubscribe",
    public=True,
    summary="Stop with the token of the unsubscribe link in an e-mail (repeating is harmless)",
    body=TOKEN,
    response=OUTCOME,
    errors=(404,),
)
def unsubscribe(call: Call) -> Any:
    return {"outcome": wiring.subscription_service().unsubscribe(call.body()["token"]).value}
