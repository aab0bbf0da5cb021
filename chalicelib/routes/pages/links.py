"""The pages people reach from links in e-mails — confirm a subscription, unsubscribe, manage what they get —
and the page to follow topics and places by e-mail, without DigiD.

A GET never changes anything: a mail scanner that follows a link confirms or unsubscribes nothing. The page's
button POSTs. Mail clients may POST to the unsubscribe link directly (RFC 8058 one-click); that works too.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.domain.addresses import is_deliverable_address
from chalicelib.domain.errors import Issue, SubscriptionNotFoundError, TooManyRequestsError, ValidationError
from chalicelib.domain.language import Language
from chalicelib.domain.subscriptions import Frequency, Scope
from chalicelib.domain.tokens import InvalidTokenError, TokenPurpose
from chalicelib.i18n import N_
from chalicelib.web.forms import NO_ERRORS, Fields, form_errors
from chalicelib.web.pages import Visit, link_not_working, message, public_page, render, too_many
from chalicelib.web.request import request_origin
from chalicelib.web.texts import CHECK_YOUR_EMAIL
from chalicelib.web.views import describe, to_follow

bp = Blueprint(__name__)

# What the pages say after the button of a link was pressed, by the outcome.
CONFIRMED = {
    "done": N_("U bent aangemeld. U krijgt voortaan berichten."),
    "already": N_("U had dit al bevestigd. U krijgt berichten."),
    "stopped": N_("Deze aanmelding is gestopt. Wilt u toch berichten? Meld u dan opnieuw aan."),
}
TOO_MANY_TO_CONFIRM = N_(
    "U volgt al 25 dingen. Dat is het meeste dat kan. Stop eerst iets wat u volgt, met de link in een e-mail"
    " van ons. Daarna kunt u dit bevestigen."
)
# Where a problem with the follow form shows: the field it is about, and the text that names that field.
FOLLOW_FIELDS = {
    "email": ("email", N_("Uw e-mailadres")),
    "topics": ("topics", N_("Onderwerpen")),
    "gemeenten": ("gemeente", N_("Gemeente")),
}
UNSUBSCRIBED = {
    "done": N_("U bent afgemeld. U krijgt deze berichten niet meer."),
    "already": N_("U was al afgemeld."),
}
UNSUBSCRIBED_FROM_EMAIL = {
    "done": N_(
        "U krijgt geen e-mail meer van ons. Hebt u een zaak bij ons? Dan blijven de berichten daarover in uw berichtenbox komen."
    ),
    "already": N_("U krijgt al geen e-mail meer van ons."),
}


def _token(visit: Visit) -> str:
    """The link's token: posted by the page's button, or in the link's query."""
    return (visit.field("token") or visit.query.get("token") or "")[:1024]


@public_page(bp, "/volgen", actor="anonymous")
def follow_form(visit: Visit) -> Response:
    """The form; ``?onderwerp=<topic>`` (a product page's "follow this topic") has that topic chosen."""
    topic = visit.query.get("onderwerp", "")[:100]
    known = wiring.reference_data().topic(topic) is not None
    return _follow_page(fields={"topic": [topic]} if known else None)


def _follow_page(status: int = 200, fields: Fields | None = None, **errors: Any) -> Response:
    """The form; after a mistake, the error summary and the message at each field, with what the person chose and
    typed still in it."""
    chosen = fields or {}
    return render(
        "follow",
        status,
        **to_follow(),
        **{**NO_ERRORS, **errors},
        form={key: values[-1] for key, values in chosen.items()},
        chosen_topics=set(chosen.get("topic", [])),
    )


@public_page(bp, "/volgen", methods=("POST",), actor="anonymous")
def follow(visit: Visit) -> Response:
    form = visit.form
    language = visit.language
    topics = frozenset(visit.fields.get("topic", []))
    gemeente = form.get("gemeente") or ""
    email = form.get("email", "").strip()
    issues = [] if is_deliverable_address(email) else [Issue("email", "expected_email")]
    try:  # every mistake at once: the address and what to follow
        scope = Scope(topics=topics, gemeenten=frozenset({gemeente}) if gemeente else frozenset())
    except ValidationError as error:
        issues = [*issues, *error.issues]  # in the form's order: the address first
    try:
        if issues:
            raise ValidationError(issues)
        wanted = Language(form["language"]) if form.get("language") in ("nl", "en") else language
        wiring.services().subscription_service.subscribe_by_email(email, wanted, scope, source=request_origin(visit.request))
    except ValidationError as error:
        return _follow_page(400, visit.fields, **form_errors(error.issues, FOLLOW_FIELDS, language))
    except TooManyRequestsError as error:
        return too_many(error.retry_after)
    return message(200, CHECK_YOUR_EMAIL, title=N_("Kijk in uw e-mail"))


def _usable(token: str, purpose: TokenPurpose) -> bool:
    try:
        wiring.services().subscription_service.check_token(token, purpose)
    except InvalidTokenError:
        return False
    return True


@public_page(bp, "/abonnement/bevestigen")
def confirm_page(visit: Visit) -> Response:
    """Only shows a button; following the link changes nothing. A link that cannot work says so at once."""
    token = _token(visit)
    return render("confirm", token=token) if _usable(token, TokenPurpose.CONFIRM) else link_not_working()


@public_page(bp, "/abonnement/bevestigen", methods=("POST",))
def confirm(visit: Visit) -> Response:
    try:
        outcome = wiring.services().subscription_service.confirm(_token(visit))
    except (InvalidTokenError, SubscriptionNotFoundError):
        return link_not_working()
    except ValidationError:  # the limit of what one person follows: confirming waits until they stop something
        return message(409, TOO_MANY_TO_CONFIRM)
    return message(200, CONFIRMED[outcome.value], title=N_("Gelukt"))


@public_page(bp, "/afmelden")
def unsubscribe_page(visit: Visit) -> Response:
    """Says exactly what unsubscribing stops — all e-mail (the berichtenbox keeps every message about the
    reader's own cases), or one subscription, named — with a button; following the link changes nothing."""
    token = _token(visit)
    try:
        target = wiring.services().subscription_service.unsubscribe_target(token)
    except InvalidTokenError:
        return link_not_working()
    except SubscriptionNotFoundError:  # our own link to what is gone: the button says so (a GET tells nothing)
        return render("unsubscribe", token=token, all_email=False, followed=None)
    followed = describe(target.subscription, visit.language) if target.subscription is not None else None
    return render("unsubscribe", token=token, all_email=target.all_email, followed=followed)


@public_page(bp, "/afmelden", methods=("POST",))
def unsubscribe(visit: Visit) -> Response:
    """From the page's button, or a mail client's one-click POST (body ``List-Unsubscribe=One-Click``).
    Doing it again is harmless."""
    token = _token(visit)
    try:
        target = wiring.services().subscription_service.unsubscribe_target(token)
        outcome = wiring.services().subscription_service.unsubscribe(token)
    except (InvalidTokenError, SubscriptionNotFoundError):
        return link_not_working()
    texts = UNSUBSCRIBED_FROM_EMAIL if target.all_email else UNSUBSCRIBED
    return message(200, texts[outcome.value], title=N_("Afmelden"))


@public_page(bp, "/abonnement/beheren")
def manage_page(visit: Visit) -> Response:
    return _manage(visit, _token(visit))


def _manage(visit: Visit, token: str, saved: bool = False) -> Response:
    try:
        subscriber, subscriptions = wiring.services().subscription_service.managed(token)
    except (InvalidTokenError, SubscriptionNotFoundError):
        return link_not_working()
    return render(
        "manage",
        token=token,
        subscriber=subscriber,
        frequencies=[f.value for f in Frequency],
        subscriptions=[(s.id, describe(s, visit.language)) for s in subscriptions],
        saved=saved,
    )


@public_page(bp, "/abonnement/beheren", methods=("POST",), max_fields=200)
def manage(visit: Visit) -> Response:
    token = _token(visit)
    frequency = visit.field("frequency") or "immediately"
    language = visit.field("language") or "nl"
    try:
        wiring.services().subscription_service.manage(
            token,
            frequency=Frequency(frequency) if frequency in {f.value for f in Frequency} else Frequency.IMMEDIATELY,
            language=Language(language) if language in ("nl", "en") else Language.NL,
            quiet_hours="quiet_hours" in visit.fields,
            stop=frozenset(visit.fields.get("stop", [])),
        )
    except (InvalidTokenError, SubscriptionNotFoundError):
        return link_not_working()
    except TooManyRequestsError as error:
        return too_many(error.retry_after)
    return _manage(visit, token, saved=True)
