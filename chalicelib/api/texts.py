"""Texts the JSON API shows to people, in Dutch (B1) and English. Codes stay stable for programs."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.language import Language, Localized

PROBLEM_TITLES: dict[str, Localized] = {
    "invalid": Localized("De gegevens kloppen niet.", "The data is not valid."),
    "malformed_body": Localized("Wij kunnen de gegevens niet lezen.", "We cannot read the data."),
    "body_too_large": Localized("U stuurt te veel gegevens in één keer.", "You are sending too much data at once."),
    "unsupported_media_type": Localized("Stuur de gegevens als JSON.", "Send the data as JSON."),
    "unauthenticated": Localized(
        "U bent niet ingelogd, of uw sessie is verlopen.", "You are not logged in, or your session has expired."
    ),
    "forbidden": Localized("U mag dit niet doen.", "You are not allowed to do this."),
    "not_found": Localized("Wij kunnen dit niet vinden.", "We cannot find this."),
    "method_not_allowed": Localized("Deze actie kan hier niet.", "This action is not possible here."),
    "case_rule": Localized("Dit kan nu niet bij deze zaak.", "This is not possible for this case now."),
    "concurrent_update": Localized(
        "Iemand anders heeft de zaak net gewijzigd. Probeer het opnieuw.",
        "Someone else has just changed the case. Please try again.",
    ),
    "internal": Localized(
        "Er ging iets mis bij ons. Probeer het later opnieuw.", "Something went wrong on our side. Please try again later."
    ),
}

RULE_TEXTS: dict[str, Localized] = {
    "case_closed": Localized("De zaak is afgesloten.", "The case is closed."),
    "case_full": Localized(
        "Deze zaak kan niet meer van dit soort gegevens bevatten. Neem contact op met functioneel beheer.",
        "This case cannot hold more of this kind of data. Please contact application management.",
    ),
    "no_documents": Localized("Vraag minstens één document.", "Ask for at least one document."),
    "extension_not_allowed": Localized(
        "Bij dit soort zaak kan de termijn niet worden verlengd.", "The deadline of this kind of case cannot be extended."
    ),
    "already_extended": Localized("De termijn is al een keer verlengd.", "The deadline has already been extended once."),
    "extension_too_long": Localized("De verlenging is langer dan mag.", "The extension is longer than allowed."),
    "deadline_passed": Localized(
        "De termijn is al voorbij. Verlengen kan niet meer.", "The deadline has passed. It can no longer be extended."
    ),
    "suspension_not_allowed": Localized(
        "Bij dit soort zaak kan de termijn niet worden gepauzeerd.", "The deadline of this kind of case cannot be paused."
    ),
    "already_suspended": Localized("De termijn is al gepauzeerd.", "The deadline is already paused."),
    "suspension_overlaps": Localized("De pauze valt samen met een eerdere pauze.", "The pause overlaps an earlier pause."),
    "not_suspended": Localized("De termijn is niet gepauzeerd.", "The deadline is not paused."),
    "resume_before_suspension": Localized(
        "De pauze kan niet eindigen voordat hij begon.", "The pause cannot end before it started."
    ),
    "initiator_is_co_initiator": Localized(
        "De aanvrager staat ook als mede-aanvrager.", "The applicant is also listed as co-applicant."
    ),
}

ISSUE_TEXTS: dict[str, Localized] = {
    "required": Localized("Dit veld is verplicht.", "This field is required."),
    "unknown_field": Localized("Dit veld kennen wij niet.", "This field is not known."),
    "expected_object": Localized("Hier hoort een object.", "An object is expected here."),
    "expected_string": Localized("Hier hoort tekst.", "Text is expected here."),
    "expected_array": Localized("Hier hoort een lijst.", "A list is expected here."),
    "expected_integer": Localized("Hier hoort een heel getal.", "A whole number is expected here."),
    "expected_number": Localized("Hier hoort een getal.", "A number is expected here."),
    "expected_boolean": Localized("Hier hoort true of false.", "A value of true or false is expected here."),
    "expected_date": Localized("Hier hoort een datum als 2026-12-31.", "A date like 2026-12-31 is expected here."),
    "expected_datetime": Localized(
        "Hier hoort een tijdstip met tijdzone, zoals 2026-11-28T10:15:00+01:00.",
        "A moment with a time zone is expected here, like 2026-11-28T10:15:00+01:00.",
    ),
    "expected_duration": Localized("Hier hoort een termijn als P6W.", "A period like P6W is expected here."),
    "expected_https_url": Localized(
        "Hier hoort een link die begint met https://.", "A link starting with https:// is expected here."
    ),
    "empty": Localized("Dit veld is leeg.", "This field is empty."),
    "too_long": Localized("Deze tekst is te lang (maximaal {max} tekens).", "This text is too long (at most {max} characters)."),
    "too_many_items": Localized("Deze lijst is te lang (maximaal {max}).", "This list is too long (at most {max})."),
    "not_allowed": Localized("Deze waarde kan niet.", "This value is not allowed."),
    "invalid_format": Localized("Dit heeft niet de goede vorm.", "This does not have the right format."),
    "out_of_range": Localized("Dit getal ligt buiten het bereik.", "This number is out of range."),
    "control_characters": Localized(
        "Deze tekst bevat tekens die niet mogen.", "This text contains characters that are not allowed."
    ),
    "unknown_zaaktype": Localized("Dit soort zaak kennen wij niet.", "This kind of case is not known."),
    "unknown_statustype": Localized(
        "Deze status bestaat niet bij dit soort zaak.", "This status does not exist for this kind of case."
    ),
    "unknown_gemeente": Localized(
        "Deze gemeente ligt niet in de provincie Utrecht.", "This municipality is not in the province of Utrecht."
    ),
    "invalid_subject": Localized(
        "Dit is geen geldige pseudoniem-id. Gebruik nooit een BSN.",
        "This is not a valid pseudonymous id. Never use a citizen service number (BSN).",
    ),
    "contains_initiator": Localized("De aanvrager staat ook in deze lijst.", "The applicant is also in this list."),
    "in_future": Localized("Deze datum ligt in de toekomst.", "This date is in the future."),
    "in_past": Localized("Deze datum ligt in het verleden.", "This date is in the past."),
    "invalid_json": Localized("Dit is geen geldige JSON.", "This is not valid JSON."),
    "invalid_utf8": Localized("Dit is geen geldige UTF-8-tekst.", "This is not valid UTF-8 text."),
    "too_deep": Localized("De gegevens zijn te diep genest.", "The data is nested too deeply."),
    "duplicate_key": Localized("Een veld staat er twee keer in.", "A field appears twice."),
    "unknown_persona": Localized("Deze testpersoon bestaat niet.", "This test persona does not exist."),
    "invalid_interest": Localized("Dit is geen geldig onderwerp om te volgen.", "This is not a valid interest to follow."),
    "invalid_limit": Localized("Kies een aantal van 1 tot en met 100.", "Choose a number from 1 to 100."),
}

TIMELINE_TITLES: dict[str, Localized] = {
    "message": Localized("Bericht van uw behandelaar", "Message from your case handler"),
    "documents_requested": Localized("Wij hebben om een document gevraagd", "We asked for a document"),
    "document_received": Localized("Document ontvangen", "Document received"),
    "suspended": Localized("Termijn gepauzeerd", "Deadline paused"),
    "resumed": Localized("Termijn loopt weer", "Deadline running again"),
    "extended": Localized("Termijn verlengd", "Deadline extended"),
    "contact": Localized("Contact met de provincie", "Contact with the province"),
}


def issue_text(code: str, params: dict[str, Any], language: Language) -> str:
    template = ISSUE_TEXTS.get(code)
    if template is None:
        return code
    try:
        return template.in_(language).format(**params)
    except (KeyError, IndexError):
        return template.in_(language)
