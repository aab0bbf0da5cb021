"""The logged-in applicant's pages about following: Wat ik volg (their own cases, which they always hear of, with
what that means and a way to choose how; each subscription of their own in words with a button to stop it; and
a form to follow topics in a gemeente) and Mijn voorkeuren (channels, language, how often, quiet hours, the
address for letters).

They do what ``/api/me/subscriptions`` and ``/api/me/preferences`` do, with the same schemas and the same
service, for the session's principal: a gemachtigde's subscriptions are her own, and staff are refused (403)
as the API refuses them. Every form carries the session's CSRF token; a POST without it changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.domain.errors import (
    CaseRuleError,
    ForbiddenError,
    Issue,
    SubscriptionNotFoundError,
    TooManyRequestsError,
    ValidationError,
)
from chalicelib.domain.identity import Role
from chalicelib.domain.language import Language
from chalicelib.domain.subscriptions import Channel, Frequency, Subscriber, Subscription
from chalicelib.i18n import N_, translate
from chalicelib.web.bodies import ADDRESS, PREFERENCES, SCOPE, preference_change
from chalicelib.web.forms import NO_ERRORS, Fields, back_to, form_errors, last, refusal_errors
from chalicelib.web.pages import SignedIn, audit_page, message, not_found, page, redirect, render, too_many
from chalicelib.web.places import scope_from_body
from chalicelib.web.views import describe, to_follow

bp = Blueprint(__name__)

SUBSCRIPTIONS_PAGE = "/mijn-abonnementen"
PREFERENCES_PAGE = "/mijn-voorkeuren"
ADDRESS_FIELDS = tuple(spec.name for spec in ADDRESS.fields)
MAX_FIELDS = 40
APPLICANT = frozenset({Role.APPLICANT})

# The fields of the address for letters, by name.
ADDRESS_LABELS = {
    "naam": N_("Naam"),
    "straat": N_("Straat"),
    "huisnummer": N_("Huisnummer"),
    "postcode": N_("Postcode"),
    "woonplaats": N_("Woonplaats"),
}
# Where a problem the schema or the service names (``topics.0``, ``postal_address.postcode``) shows on a page:
# the form field it is about, and the text that names that field.
FOLLOW_FIELDS = {
    "topics": ("topics", N_("Onderwerpen")),
    "gemeenten": ("gemeente", N_("Gemeente")),
    "area": ("area_centre", N_("Een gebied rond een plaats (niet verplicht)")),
    "subscriptions": ("subscriptions", N_("Wat ik volg")),
}
PREFERENCE_FIELDS = {
    "channels": ("channels", N_("Hoe u berichten krijgt")),
    "language": ("language", N_("Taal van de berichten")),
    "frequency": ("frequency", N_("Hoe vaak")),
    "quiet_hours": ("quiet_hours", N_("Geen e-mail tussen 22.00 en 7.00 uur")),
    "postal_address": ("postal_address", N_("Uw adres voor brieven")),
    **{f"postal_address.{name}": (name, ADDRESS_LABELS[name]) for name in ADDRESS_FIELDS},
}
APPLICANTS_ONLY = N_("Deze pagina is voor inwoners en bedrijven die met DigiD of eHerkenning inloggen.")
# What the list page says after a redirect: ``?gevolgd=1`` or ``?gestopt=1``.
NOTICES = {"gevolgd": "followed", "gestopt": "stopped"}


def _refused(visit: SignedIn, action: str) -> Response:
    """Staff (and anyone else without the applicant role) get what the API gives them: 403."""
    audit_page(action, actor=visit.principal.subject, result=403)
    return message(403, APPLICANTS_ONLY)


def _form(path: str, action: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """A form's POST: only with the session's CSRF token and for an applicant (see ``_submit``)."""
    return page(bp, path, methods=("POST",), roles=APPLICANT, refused=APPLICANTS_ONLY, action=action, max_fields=MAX_FIELDS)


def _submit(visit: SignedIn, apply: Callable[[Fields], str], again: Callable[[ValidationError, Fields], Response]) -> Response:
    """``apply`` reads the form, calls the service and says where to go (303). A mistake shows the form
    ``again`` (400) with what was chosen, and nothing is written."""
    try:
        return redirect(apply(visit.fields))
    except ValidationError as error:
        return again(error, visit.fields)
    except SubscriptionNotFoundError:
        return not_found()
    except CaseRuleError as error:  # a party's own case: always followed (the page offers no button for it)
        return _subscriptions_page(visit, 409, errors=refusal_errors(error, visit.language))
    except TooManyRequestsError as error:
        return too_many(error.retry_after)


# Wat ik volg -----------------------------------------------------------------------------------------------


@page(bp, SUBSCRIPTIONS_PAGE)
def my_subscriptions(visit: SignedIn) -> Response:
    """Wat ik volg: their own cases (always followed: what that means, and where to choose how), every other
    subscription in words with a button to stop it, and a form to follow more."""
    query = visit.query
    return _subscriptions_page(visit, notice=next((text for flag, text in NOTICES.items() if query.get(flag) == "1"), None))


def _subscriptions_page(
    visit: SignedIn, status: int = 200, *, notice: str | None = None, fields: Fields | None = None, errors: Any = None
) -> Response:
    language = visit.language
    try:
        followed = wiring.services().subscription_service.mine(visit.principal)
        cases = wiring.services().case_queries.my_cases(visit.principal)
    except ForbiddenError:
        return _refused(visit, "list_subscriptions")
    chosen = fields or {}
    return render(
        "my_subscriptions",
        status,
        **to_follow(),
        **(errors or NO_ERRORS),
        own_cases=[
            {"id": view.case.id, "case_number": view.case.case_number, "product": view.zaaktype.omschrijving.in_(language)}
            for view in cases
        ],
        subscriptions=_described([s for s in followed if s.scope.case_id is None], language),
        chosen_topics=set(chosen.get("topic", [])),
        gemeente=last(chosen, "gemeente"),
        area_centre=last(chosen, "area_centre"),
        area_radius=last(chosen, "area_radius") or "2000",
        radii=RADII,
        notice=notice,
        csrf=visit.session.csrf,
    )


def _described(followed: list[Subscription], language: Language) -> list[tuple[str, str, bool]]:
    """Each subscription in words, and whether its index is complete (until then the page says it is being set
    up). A party's own cases are not among them: the page lists those apart, without a button to stop."""
    return [(subscription.id, describe(subscription, language), subscription.indexed) for subscription in followed]


def _subscriptions_again(visit: SignedIn) -> Callable[[ValidationError, Fields], Response]:
    return lambda error, fields: _subscriptions_page(
        visit, 400, fields=fields, errors=form_errors(error.issues, FOLLOW_FIELDS, visit.language)
    )


# An area without a map: a circle of a chosen size around the centre of a gemeente ("within 3 km of Zeist").
RADII = (500, 1000, 2000, 3000, 5000)


def _area(fields: Fields) -> dict[str, Any] | None:
    """The circle the form chose, as the API's ``area``; an unknown centre or size is left for the schema to name."""
    centre = last(fields, "area_centre")
    if not centre:
        return None
    gemeente = wiring.reference_data().gemeente(centre)
    radius = last(fields, "area_radius")
    if gemeente is None or not radius.isdigit() or int(radius) not in RADII:
        raise ValidationError([Issue("area", "invalid_area")])
    return {"circle": {"lat": gemeente.centre.lat, "lon": gemeente.centre.lon, "radius_m": int(radius)}}


@_form(SUBSCRIPTIONS_PAGE, "follow")
def follow(visit: SignedIn) -> Response:
    """Follow the chosen topics in the chosen gemeente (no topic: all of them; no gemeente: anywhere)."""

    def apply(fields: Fields) -> str:
        gemeente = last(fields, "gemeente")
        body: dict[str, Any] = {"topics": fields.get("topic", []), "gemeenten": [gemeente] if gemeente else []}
        area = _area(fields)
        if area is not None:
            body["area"] = area
        wiring.services().subscription_service.follow(visit.principal, scope_from_body(SCOPE.parse(body)))
        return back_to(SUBSCRIPTIONS_PAGE, "gevolgd")

    return _submit(visit, apply, _subscriptions_again(visit))


@_form(SUBSCRIPTIONS_PAGE + "/{subscription_id}/stoppen", "stop_subscription")
def stop(visit: SignedIn, subscription_id: str) -> Response:
    """Stop one subscription (stopping twice is harmless; someone else's is not found)."""

    def apply(fields: Fields) -> str:
        wiring.services().subscription_service.stop(visit.principal, subscription_id)
        return back_to(SUBSCRIPTIONS_PAGE, "gestopt")

    return _submit(visit, apply, _subscriptions_again(visit))


# Mijn voorkeuren -------------------------------------------------------------------------------------------


@page(bp, PREFERENCES_PAGE)
def my_preferences(visit: SignedIn) -> Response:
    """Mijn voorkeuren: how, how often and in which language; the address for letters."""
    return _preferences_page(visit, saved=visit.query.get("opgeslagen") == "1")


def _preferences_page(
    visit: SignedIn, status: int = 200, *, saved: bool = False, fields: Fields | None = None, errors: Any = None
) -> Response:
    try:
        subscriber = wiring.services().subscription_service.preferences(visit.principal)
    except ForbiddenError:
        return _refused(visit, "read_preferences")
    return render(
        "my_preferences",
        status,
        **(errors or NO_ERRORS),
        form=_chosen(subscriber) if fields is None else _posted(fields),
        email=subscriber.email,
        channels=[c.value for c in Channel],
        frequencies=[f.value for f in Frequency],
        address_fields=ADDRESS_FIELDS,
        address_labels={name: translate(visit.language, label) for name, label in ADDRESS_LABELS.items()},
        saved=saved,
        csrf=visit.session.csrf,
    )


def _chosen(subscriber: Subscriber) -> dict[str, Any]:
    """The form filled in with what the subscriber chose before."""
    address = subscriber.postal_address
    return {
        "channels": {c.value for c in subscriber.channels},
        "language": subscriber.language.value,
        "frequency": subscriber.frequency.value,
        "quiet_hours": subscriber.quiet_hours,
        "address": {name: getattr(address, name) if address else "" for name in ADDRESS_FIELDS},
    }


def _posted(fields: Fields) -> dict[str, Any]:
    """The form as it was sent, shown back after a mistake."""
    return {
        "channels": set(fields.get("channel", [])),
        "language": last(fields, "language"),
        "frequency": last(fields, "frequency"),
        "quiet_hours": "quiet_hours" in fields,
        "address": {name: last(fields, name) for name in ADDRESS_FIELDS},
    }


@_form(PREFERENCES_PAGE, "set_preferences")
def set_preferences(visit: SignedIn) -> Response:
    """Save the preferences, checked as PUT /api/me/preferences checks them; an address only if one is typed."""

    def apply(fields: Fields) -> str:
        form = _posted(fields)
        address = form["address"]
        body = {
            "channels": sorted(form["channels"]),
            "language": form["language"] or None,
            "frequency": form["frequency"] or None,
            "quiet_hours": form["quiet_hours"],
            "postal_address": address if any(value.strip() for value in address.values()) else None,
        }
        wiring.services().subscription_service.set_preferences(visit.principal, preference_change(PREFERENCES.parse(body)))
        return back_to(PREFERENCES_PAGE, "opgeslagen")

    def again(error: ValidationError, fields: Fields) -> Response:
        errors = form_errors(error.issues, PREFERENCE_FIELDS, visit.language)
        return _preferences_page(visit, 400, fields=fields, errors=errors)

    return _submit(visit, apply, again)
