"""The texts Python code shows people, chosen by a stable code (problem, rule and issue codes, timeline and
delivery kinds); the codes stay the same for programs. Each text is a message id of the catalogue: the Dutch
(B1) text, translated with ``translate`` (``chalicelib/i18n.py``). The pages' own texts are in their templates.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.contacts import MAX_TAG_LENGTH
from chalicelib.domain.language import Language
from chalicelib.i18n import N_, translate, translator

PROBLEM_TITLES: dict[str, str] = {
    "invalid": N_("De gegevens kloppen niet."),
    "malformed_body": N_("Wij kunnen de gegevens niet lezen."),
    "body_too_large": N_("U stuurt te veel gegevens in één keer."),
    "unsupported_media_type": N_("Stuur de gegevens als JSON."),
    "unauthenticated": N_("U bent niet ingelogd, of uw sessie is verlopen."),
    "forbidden": N_("U mag dit niet doen."),
    "not_found": N_("Wij kunnen dit niet vinden."),
    "method_not_allowed": N_("Deze actie kan hier niet."),
    "case_rule": N_("Dit kan nu niet bij deze zaak."),
    "concurrent_update": N_("Iemand anders heeft de zaak net gewijzigd. Probeer het opnieuw."),
    "internal": N_("Er ging iets mis bij ons. Probeer het later opnieuw."),
    "too_many_requests": N_("U doet dit te vaak. Probeer het later opnieuw."),
}

# Why a token was refused, said only where the caller can do something about it; a forged, expired or foreign
# token gets no reason (an attacker learns nothing).
AUTHENTICATION_TEXTS: dict[str, str] = {
    "assurance_missing": N_(
        "Uw inlogmiddel geeft geen betrouwbaarheidsniveau door. Voor zaken en persoonsgegevens is DigiD Substantieel "
        "of eHerkenning EH3 nodig."
    ),
    "assurance_too_low": N_(
        "U bent ingelogd op een te laag niveau. Voor zaken en persoonsgegevens is DigiD Substantieel of eHerkenning EH3 nodig."
    ),
    "staff_role_from_citizens_issuer": N_(
        "Een rol van een medewerker wordt alleen aanvaard van het inlogsysteem voor medewerkers, niet van DigiD of eHerkenning."
    ),
    "callback_auth": N_("Deze melding heeft niet de Authorization-header die bij het abonnement is afgesproken."),
}

# What a 409 concurrent_update says collided (its ``detail``); nothing was stored in any of these cases.
CONFLICT_TEXTS: dict[str, str] = {
    "case": N_("Iemand anders heeft deze zaak op hetzelfde moment gewijzigd. Er is niets opgeslagen. Laad de zaak opnieuw."),
    "transaction": N_(
        "Andere wijzigingen aan dezelfde gegevens kwamen op hetzelfde moment binnen, ook na een paar nieuwe pogingen. "
        "Er is niets opgeslagen. Probeer het opnieuw."
    ),
    "case_number": N_("Er was op dit moment geen vrij zaaknummer te krijgen. Er is niets opgeslagen. Probeer het opnieuw."),
    "rate_limit": N_(
        "Er kwamen te veel van uw verzoeken op hetzelfde moment binnen. Er is niets opgeslagen. Probeer het opnieuw."
    ),
}

RULE_TEXTS: dict[str, str] = {
    "case_closed": N_("De zaak is afgesloten."),
    "case_full": N_("Deze zaak kan niet meer van dit soort gegevens bevatten. Neem contact op met functioneel beheer."),
    "no_documents": N_("Vraag minstens één document."),
    "extension_not_allowed": N_("Bij dit soort zaak kan de termijn niet worden verlengd."),
    "already_extended": N_("De termijn is al een keer verlengd."),
    "extension_too_long": N_("De verlenging is langer dan mag."),
    "deadline_passed": N_("De termijn is al voorbij. Verlengen kan niet meer."),
    "suspension_not_allowed": N_("Bij dit soort zaak kan de termijn niet worden gepauzeerd."),
    "already_suspended": N_("De termijn is al gepauzeerd."),
    "suspension_overlaps": N_("De pauze valt samen met een eerdere pauze."),
    "not_suspended": N_("De termijn is niet gepauzeerd."),
    "resume_before_suspension": N_("De pauze kan niet eindigen voordat hij begon."),
    "initiator_is_co_initiator": N_("De aanvrager staat ook als mede-aanvrager."),
    "four_eyes": N_("Een collega moet dit goedkeuren. U kunt uw eigen bericht niet goedkeuren."),
    "not_the_author": N_("Alleen wie het bericht schreef, kan dit doen."),
    "announcement_locked": N_("Dit bericht is al ingediend of verstuurd. U kunt het niet meer wijzigen."),
    "not_submitted": N_("Dit bericht is niet ingediend om goed te keuren."),
    "party_follows_own_case": N_(
        "Over uw eigen zaak krijgt u altijd berichten in uw berichtenbox. Hoe en hoe vaak u ze ook anders krijgt,"
        " kiest u bij Mijn voorkeuren."
    ),
    "document_closed": N_("Dit document is al beoordeeld. Er kan geen bestand meer bij."),
    "too_many_files": N_("Voor dit document hebben wij al een bestand. Uw behandelaar beoordeelt het eerst."),
    "document_not_received": N_("Dit document is nog niet ontvangen. U kunt het pas beoordelen als het er is."),
    "too_many_open_questions": N_(
        "Over deze zaak staan al veel vragen open die wij nog niet hebben beantwoord. Wacht op ons antwoord, of bel ons"
        " op 030 258 91 11."
    ),
    "question_form_used": N_(
        "U stuurde dit formulier al met een andere vraag. Laad de pagina opnieuw en stel uw vraag nog een keer."
    ),
    "question_answered": N_("Deze vraag is al beantwoord. Stuur een bericht als u nog iets wilt zeggen."),
    "satisfaction_closed": N_(
        "U kunt deze vraag nu niet beantwoorden. Dat kan vanaf het besluit over uw zaak tot 30 dagen daarna."
    ),
    "owned_by_zaaksysteem": N_(
        "Deze zaak staat in het zaaksysteem. Wijzig de status, de termijn en de gemachtigden daar. Baken neemt de wijziging over."
    ),
}

ISSUE_TEXTS: dict[str, str] = {
    "nothing_changed": N_("Dit verandert niets aan de zaak. Kies iets anders."),
    "already_requested": N_(
        "U vroeg dit document al (op %(requested_on)s) en het is nog niet ontvangen. Wilt u het toch nog een keer vragen? "
        "Kies dan hieronder voor nog een keer vragen."
    ),
    "wrong_file_type": N_(
        "Dit bestand kunnen wij niet gebruiken. Stuur een PDF, een foto (JPG of PNG), of een Word- of Excel-bestand "
        "(DOCX of XLSX)."
    ),
    "empty_file": N_("Het bestand is leeg. Kies het bestand opnieuw."),
    "file_too_large": N_("Het bestand is te groot. Stuur een bestand van hoogstens %(max_mb)s MB."),
    "file_missing": N_("Wij hebben geen bestand ontvangen. Kies het bestand en probeer het opnieuw."),
    "invalid_upload_key": N_("Dit bestand hoort niet bij dit document. Kies het bestand en probeer het opnieuw."),
    "upload_not_yours": N_("Deze link om een bestand te versturen is niet van u. Kies het bestand en probeer het opnieuw."),
    "not_your_case": N_("Kies een van uw zaken uit de lijst."),
    "form_out_of_date": N_("Dit formulier is verlopen. Laad de pagina opnieuw en stuur het nog een keer."),
    "invalid_area": N_("Kies een plaats en een afstand uit de lijst."),
    "required": N_("Dit veld is verplicht."),
    "unknown_field": N_("Dit veld kennen wij niet."),
    "expected_object": N_("Hier hoort een object."),
    "expected_string": N_("Hier hoort tekst."),
    "expected_array": N_("Hier hoort een lijst."),
    "expected_integer": N_("Hier hoort een heel getal."),
    "expected_number": N_("Hier hoort een getal."),
    "expected_boolean": N_("Hier hoort true of false."),
    "expected_date": N_("Hier hoort een datum als 2026-12-31."),
    "expected_datetime": N_("Hier hoort een tijdstip met tijdzone, zoals 2026-11-28T10:15:00+01:00."),
    "expected_duration": N_("Hier hoort een termijn als P6W."),
    "expected_https_url": N_("Hier hoort een link die begint met https://."),
    "expected_url": N_("Hier hoort een link die begint met http:// of https:// (maximaal %(max)s tekens)."),
    "empty": N_("Dit veld is leeg."),
    "too_long": N_("Deze tekst is te lang (maximaal %(max)s tekens)."),
    "too_many_bytes": N_(
        "Deze tekst is te lang (maximaal %(max_bytes)s bytes). Letters met een accent en emoji tellen voor 2 tot 4 bytes."
    ),
    "too_many_subscriptions": N_("U volgt al %(max)s dingen. Stop eerst iets wat u volgt."),
    "area_too_large_for_topics": N_(
        "Dit gebied is te groot voor zoveel onderwerpen. Kies een kleiner gebied of minder onderwerpen."
    ),
    "no_email_address": N_("Wij hebben geen e-mailadres van u. Kies een ander kanaal."),
    "token_expired": N_("Deze link is verlopen. Meld u opnieuw aan of gebruik de link uit de nieuwste e-mail."),
    "token_invalid": N_("Deze link is niet geldig of niet compleet."),
    "too_many_items": N_("Deze lijst is te lang (maximaal %(max)s)."),
    "not_allowed": N_("Deze waarde kan niet."),
    "not_a_choice": N_("Kies een van de mogelijkheden uit de lijst."),
    "invalid_cursor": N_("Deze link naar een andere pagina klopt niet (meer). Begin opnieuw bij de eerste pagina."),
    "invalid_format": N_("Dit heeft niet de goede vorm."),
    "invalid_tag": N_("Een label heeft alleen letters, cijfers en streepjes (geen spaties) en is maximaal %(max)s tekens lang."),
    "out_of_range": N_("Dit getal ligt buiten het bereik."),
    "control_characters": N_("Deze tekst bevat tekens die niet mogen."),
    "unknown_zaaktype": N_("Dit soort zaak kennen wij niet."),
    "unknown_statustype": N_("Deze status bestaat niet bij dit soort zaak."),
    "unknown_gemeente": N_("Deze gemeente ligt niet in de provincie Utrecht."),
    "invalid_subject": N_("Dit is geen geldige pseudoniem-id. Gebruik nooit een BSN."),
    "contains_initiator": N_("De aanvrager staat ook in deze lijst."),
    "in_future": N_("Deze datum ligt in de toekomst."),
    "in_past": N_("Deze datum ligt in het verleden."),
    "invalid_json": N_("Dit is geen geldige JSON."),
    "invalid_utf8": N_("Dit is geen geldige UTF-8-tekst."),
    "too_deep": N_("De gegevens zijn te diep genest."),
    "duplicate_key": N_("Een veld staat er twee keer in."),
    "unknown_persona": N_("Deze testpersoon bestaat niet."),
    "invalid_interest": N_("Dit is geen geldig onderwerp om te volgen."),
    "invalid_limit": N_("Kies een aantal van 1 tot en met 100."),
    "unknown_topic": N_("Dit onderwerp kennen wij niet."),
    "unknown_question_topic": N_("Kies een onderwerp uit de lijst."),
    "required_with_english": N_("Vul de vraag en het antwoord allebei in het Engels in, of laat ze allebei leeg."),
    "nothing_to_follow": N_("Kies minstens een onderwerp, een gemeente of een gebied."),
    "one_area_only": N_("Kies een cirkel of een vlak, niet allebei."),
    "case_subscription_fixed": N_("U volgt uw eigen zaak altijd. Dat kunt u niet veranderen."),
    "not_with_vertrouwelijk": N_(
        "Een vertrouwelijk contact heeft geen tekst voor de aanvrager. Maak dit veld leeg of zet vertrouwelijk uit."
    ),
    "required_for_letters": N_("Voor brieven hebben wij uw adres nodig."),
    "place_required": N_("Kies minstens een gemeente of een plek."),
    "required_channel": N_("Kies minstens één manier om berichten te krijgen."),
    "expected_email": N_(
        "Dit is geen geldig e-mailadres. Schrijf het als naam@voorbeeld.nl: zonder spaties, zonder tekens als"
        ' , ; < > " en zonder letters met accenten, zoals ë of é.'
    ),
    "geometry_not_a_polygon": N_("Dit is geen GeoJSON-vlak (Polygon)."),
    "geometry_bad_coordinates": N_("Een of meer coördinaten kloppen niet."),
    "geometry_too_few_positions": N_("Een rand heeft minstens 4 punten nodig."),
    "geometry_not_closed": N_("De rand is niet gesloten: het eerste en laatste punt moeten gelijk zijn."),
    "geometry_self_intersecting": N_("De rand kruist zichzelf."),
    "geometry_hole_outside_exterior": N_("Een gat ligt niet helemaal binnen het vlak."),
    "geometry_zero_area": N_("Het vlak heeft geen oppervlakte."),
    "geometry_too_many_vertices": N_("Het vlak heeft te veel punten (maximaal %(max_vertices)s)."),
    "geometry_outside_province": N_("Dit gebied ligt (deels) buiten de provincie Utrecht."),
    "geometry_radius_out_of_range": N_("Kies een straal van %(min_m).0f tot %(max_m).0f meter."),
    "geometry_too_large": N_("Dit gebied is te groot. Kies een kleiner gebied of een gemeente."),
}

# Placeholders an issue's text fills from Baken's own rules rather than from the issue.
ISSUE_CONSTANTS: dict[str, dict[str, Any]] = {"invalid_tag": {"max": MAX_TAG_LENGTH}}

CHECK_YOUR_EMAIL = N_("Als het adres klopt, krijgt u een e-mail. Open de link in die e-mail om te bevestigen.")

TIMELINE_TITLES: dict[str, str] = {
    "message": N_("Bericht van uw behandelaar"),
    "documents_requested": N_("Wij hebben om een document gevraagd"),
    "document_received": N_("Document ontvangen"),
    "suspended": N_("Termijn gepauzeerd"),
    "resumed": N_("Termijn loopt weer"),
    "extended": N_("Termijn verlengd"),
    "contact": N_("Contact met de provincie"),
    "question": N_("Vraag over de zaak"),
}

# The delivery table of the KCC and behandelaar pages: what was sent, on which channel, and how it went.
DELIVERY_TEXTS: dict[str, str] = {
    "status_changed": N_("Nieuwe status"),
    "documents_requested": N_("Documenten gevraagd"),
    "message_posted": N_("Bericht van de behandelaar"),
    "deadline_changed": N_("Termijn veranderd"),
    "document_reminder": N_("Herinnering: document"),
    "announcement": N_("Aankondiging"),
    "digest": N_("Overzicht"),
    "subscription_confirmation": N_("Aanmelding bevestigen"),
    "email": N_("E-mail"),
    "portal": N_("Berichtenbox"),
    "letter": N_("Brief"),
    "held": N_("Wacht op het afgesproken moment"),
    "created": N_("Klaar om te versturen"),
    "sending": N_("Wordt verstuurd"),
    "delivered": N_("Afgeleverd"),
    "permanent-failure": N_("Kwam niet aan"),
    "temporary-failure": N_("Onbekend of het aankwam"),
    "technical-failure": N_("Mislukt, beheer kijkt ernaar"),
}


def issue_text(code: str, params: dict[str, Any], language: Language) -> str:
    """The text of an issue in ``language``, its placeholders filled from ``params``; the code itself for an
    unknown code, the text unfilled when a placeholder is missing."""
    message = ISSUE_TEXTS.get(code)
    if message is None:
        return code
    try:
        return translate(language, message, **{**ISSUE_CONSTANTS.get(code, {}), **params})
    except (KeyError, TypeError, ValueError):  # a placeholder the issue does not fill
        return translator(language).gettext(message)


# What pages say that Python chooses (the rest of a page's words are in its template).
ERROR_TITLE = N_("Dat lukte niet")
NOT_FOUND_TITLE = N_("Pagina niet gevonden")
NOT_FOUND_TEXT = N_("Wij kunnen deze pagina niet vinden. Misschien klopt het adres niet, of is de pagina er niet meer.")
LINK_NOT_WORKING_TITLE = N_("Deze link werkt niet")
LINK_NOT_WORKING_TEXT = N_("De link is verlopen of niet compleet. Gebruik de link uit de nieuwste e-mail, of meld u opnieuw aan.")
TOO_MANY = N_("U hebt dit te vaak gedaan. Probeer het later opnieuw.")
TOO_MUCH = N_("U stuurde te veel gegevens in één keer. Maak de tekst korter en probeer het opnieuw.")
QUESTIONS = N_("Vragen? Bel 030 258 91 11 (maandag tot en met vrijdag, 8.30 tot 17.00 uur).")
FORM_EXPIRED = N_("Dit formulier is verlopen. Open de pagina opnieuw en probeer het nog een keer.")
ONLY_BEHANDELAAR = N_("Deze pagina is voor behandelaars van de provincie.")
ONLY_STAFF = N_("Deze pagina is voor medewerkers van de provincie.")
