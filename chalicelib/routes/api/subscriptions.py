"""Following things through the JSON API: logged-in people manage their own subscriptions and preferences;
anybody may ask to follow topics and places by e-mail (double opt-in); the links in e-mails confirm and
unsubscribe (the same actions as the pages behind those links)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.domain.language import Language
from chalicelib.i18n import translate
from chalicelib.web.bodies import BY_EMAIL, PREFERENCES, SCOPE, TOKEN, preference_change
from chalicelib.web.endpoint import RequestContext, endpoint, json_response
from chalicelib.web.places import scope_from_body
from chalicelib.web.presenters import preferences_json, subscription_json
from chalicelib.web.responses import CONFIRMATION_SENT, OUTCOME, STOPPED, SUBSCRIPTIONS, ref
from chalicelib.web.texts import CHECK_YOUR_EMAIL

if TYPE_CHECKING:
    pass

bp = Blueprint(__name__)


@endpoint(
    bp,
    "/api/me/subscriptions",
    action="list_subscriptions",
    summary="What I follow",
    response=SUBSCRIPTIONS,
    errors=(403,),
)
def my_subscriptions(ctx: RequestContext) -> Any:
    return {"subscriptions": [subscription_json(s) for s in wiring.services().subscription_service.mine(ctx.principal())]}


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
def follow(ctx: RequestContext) -> Any:
    scope = scope_from_body(ctx.body())
    return json_response(subscription_json(wiring.services().subscription_service.follow(ctx.principal(), scope)), 201)


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
def change(ctx: RequestContext, subscription_id: str) -> Any:
    scope = scope_from_body(ctx.body())
    return subscription_json(wiring.services().subscription_service.change(ctx.principal(), subscription_id, scope))


@endpoint(
    bp,
    "/api/me/subscriptions/{subscription_id}",
    methods=("DELETE",),
    action="stop_subscription",
    summary="Stop a subscription (stopping twice is harmless); a party's own case cannot be stopped (409)",
    response=STOPPED,
    errors=(403, 409),
)
def stop(ctx: RequestContext, subscription_id: str) -> Any:
    wiring.services().subscription_service.stop(ctx.principal(), subscription_id)
    return json_response({"stopped": subscription_id})


@endpoint(
    bp,
    "/api/me/preferences",
    action="read_preferences",
    summary="How I want to hear: channels, language, frequency, quiet hours",
    response=ref("Preferences"),
    errors=(403,),
)
def preferences(ctx: RequestContext) -> Any:
    return preferences_json(wiring.services().subscription_service.preferences(ctx.principal()))


@endpoint(
    bp,
    "/api/me/preferences",
    methods=("PUT",),
    action="set_preferences",
    summary="Choose channels (e-mail, berichtenbox, letter), language, frequency and quiet hours (10 changes an hour)",
    body=PREFERENCES,
    example={"channels": ["email", "portal"], "language": "nl", "frequency": "daily", "quiet_hours": True},
    response=ref("Preferences"),
    errors=(403, 429),
)
def set_preferences(ctx: RequestContext) -> Any:
    change = preference_change(ctx.body())
    return preferences_json(wiring.services().subscription_service.set_preferences(ctx.principal(), change))


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
def subscribe_by_email(ctx: RequestContext) -> Any:
    """Anybody, without logging in: the answer is the same whether or not the address is known."""
    body = ctx.body()
    language = Language(body.get("language", ctx.language.value))
    wiring.services().subscription_service.subscribe_by_email(body["email"], language, scope_from_body(body), source=ctx.origin)
    return json_response({"status": "confirmation_sent", "detail": translate(language, CHECK_YOUR_EMAIL)}, 202)


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
def confirm(ctx: RequestContext) -> Any:
    return {"outcome": wiring.services().subscription_service.confirm(ctx.body()["token"]).value}


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
def unsubscribe(ctx: RequestContext) -> Any:
    return {"outcome": wiring.services().subscription_service.unsubscribe(ctx.body()["token"]).value}
