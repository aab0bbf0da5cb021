"""Texts the JSON API shows to people, in Dutch (B1) and English. Codes stay stable for programs."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.contacts import MAX_TAG_LENGTH
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
    "too_many_requests": Localized(
        "U doet dit te vaak. Probeer het later opnieuw.", "You are doing this too often. Please try again later."
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
    "four_eyes": Localized(
        "Een collega moet dit goedkeuren. U kunt uw eigen bericht niet goedkeuren.",
        "A colleague must approve this. You cannot approve your own announcement.",
    ),
    "not_the_author": Localized(
        "Alleen wie het bericht schreef, kan dit doen.", "Only the author of the announcement can do this."
    ),
    "announcement_locked": Localized(
        "Dit bericht is al ingediend of verstuurd. U kunt het niet meer wijzigen.",
        "This announcement has been submitted or sent. You can no longer change it.",
    ),
    "not_submitted": Localized(
        "Dit bericht is niet ingediend om goed te keuren.", "This announcement was not submitted for approval."
    ),
}

ISSUE_TEXTS: dict[str, Localized] = {
    "nothing_changed": Localized(
        "Dit verandert niets aan de zaak. Kies iets anders.", "This changes nothing in the case. Choose something else."
    ),
    "invalid_area": Localized("Kies een plaats en een afstand uit de lijst.", "Choose a place and a distance from the list."),
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
    "too_many_subscriptions": Localized(
        "U volgt al {max} dingen. Stop eerst iets wat u volgt.", "You already follow {max} things. Stop one first."
    ),
    "area_too_large_for_topics": Localized(
        "Dit gebied is te groot voor zoveel onderwerpen. Kies een kleiner gebied of minder onderwerpen.",
        "This area is too large for so many topics. Choose a smaller area or fewer topics.",
    ),
    "no_email_address": Localized(
        "Wij hebben geen e-mailadres van u. Kies een ander kanaal.",
        "We do not have an e-mail address for you. Choose another channel.",
    ),
    "token_expired": Localized(
        "Deze link is verlopen. Meld u opnieuw aan of gebruik de link uit de nieuwste e-mail.",
        "This link has expired. Subscribe again or use the link from the latest e-mail.",
    ),
    "token_invalid": Localized("Deze link is niet geldig of niet compleet.", "This link is not valid or not complete."),
    "too_many_items": Localized("Deze lijst is te lang (maximaal {max}).", "This list is too long (at most {max})."),
    "not_allowed": Localized("Deze waarde kan niet.", "This value is not allowed."),
    "invalid_format": Localized("Dit heeft niet de goede vorm.", "This does not have the right format."),
    "invalid_tag": Localized(
        f"Een label heeft alleen letters, cijfers en streepjes (geen spaties) en is maximaal {MAX_TAG_LENGTH} tekens lang.",
        f"A label has only letters, digits and hyphens (no spaces) and is at most {MAX_TAG_LENGTH} characters long.",
    ),
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
    "unknown_topic": Localized("Dit onderwerp kennen wij niet.", "This topic is not known."),
    "nothing_to_follow": Localized(
        "Kies minstens een onderwerp, een gemeente of een gebied.", "Choose at least a topic, a municipality or an area."
    ),
    "one_area_only": Localized("Kies een cirkel of een vlak, niet allebei.", "Choose a circle or a polygon, not both."),
    "case_subscription_fixed": Localized(
        "Een abonnement op uw eigen zaak kunt u stoppen, maar niet veranderen.",
        "A subscription to your own case can be stopped, but not changed.",
    ),
    "required_for_letters": Localized("Voor brieven hebben wij uw adres nodig.", "We need your address to send letters."),
    "place_required": Localized("Kies minstens een gemeente of een plek.", "Choose at least a municipality or a place."),
    "required_channel": Localized(
        "Kies minstens één manier om berichten te krijgen.", "Choose at least one way to receive messages."
    ),
    "expected_email": Localized("Dit is geen geldig e-mailadres.", "This is not a valid e-mail address."),
    "geometry_not_a_polygon": Localized("Dit is geen GeoJSON-vlak (Polygon).", "This is not a GeoJSON Polygon."),
    "geometry_bad_coordinates": Localized("Een of meer coördinaten kloppen niet.", "One or more coordinates are not valid."),
    "geometry_too_few_positions": Localized("Een rand heeft minstens 4 punten nodig.", "A ring needs at least 4 positions."),
    "geometry_not_closed": Localized(
        "De rand is niet gesloten: het eerste en laatste punt moeten gelijk zijn.",
        "The ring is not closed: its first and last positions must be equal.",
    ),
    "geometry_self_intersecting": Localized("De rand kruist zichzelf.", "The ring crosses itself."),
    "geometry_hole_outside_exterior": Localized(
        "Een gat ligt niet helemaal binnen het vlak.", "A hole does not lie entirely inside the polygon."
    ),
    "geometry_zero_area": Localized("Het vlak heeft geen oppervlakte.", "The polygon has no area."),
    "geometry_too_many_vertices": Localized(
        "Het vlak heeft te veel punten (maximaal {max_vertices}).", "The polygon has too many vertices (at most {max_vertices})."
    ),
    "geometry_outside_province": Localized(
        "Dit gebied ligt (deels) buiten de provincie Utrecht.", "This area lies (partly) outside the province of Utrecht."
    ),
    "geometry_radius_out_of_range": Localized(
        "Kies een straal van {min_m:.0f} tot {max_m:.0f} meter.", "Choose a radius from {min_m:.0f} to {max_m:.0f} metres."
    ),
    "geometry_too_large": Localized(
        "Dit gebied is te groot. Kies een kleiner gebied of een gemeente.",
        "This area is too large. Choose a smaller area or a municipality.",
    ),
}

CHECK_INBOX = Localized(
    "Als het adres klopt, krijgt u een e-mail. Klik op de link in die e-mail om te bevestigen.",
    "If the address is right, you will receive an e-mail. Click the link in it to confirm.",
)

TIMELINE_TITLES: dict[str, Localized] = {
    "message": Localized("Bericht van uw behandelaar", "Message from your case handler"),
    "documents_requested": Localized("Wij hebben om een document gevraagd", "We asked for a document"),
    "document_received": Localized("Document ontvangen", "Document received"),
    "suspended": Localized("Termijn gepauzeerd", "Deadline paused"),
    "resumed": Localized("Termijn loopt weer", "Deadline running again"),
    "extended": Localized("Termijn verlengd", "Deadline extended"),
    "contact": Localized("Contact met de provincie", "Contact with the province"),
}


# The delivery table of the KCC and behandelaar pages: what was sent, on which channel, and how it went.
DELIVERY_TEXTS: dict[str, Localized] = {
    "status_changed": Localized("Nieuwe status", "New status"),
    "documents_requested": Localized("Documenten gevraagd", "Documents requested"),
    "message_posted": Localized("Bericht van de behandelaar", "Message from the case handler"),
    "deadline_changed": Localized("Termijn veranderd", "Deadline changed"),
    "announcement": Localized("Aankondiging", "Announcement"),
    "digest": Localized("Overzicht", "Summary"),
    "subscription_confirmation": Localized("Aanmelding bevestigen", "Confirm subscription"),
    "email": Localized("E-mail", "E-mail"),
    "portal": Localized("Berichtenbox", "Message box"),
    "letter": Localized("Brief", "Letter"),
    "held": Localized("Wacht op het afgesproken moment", "Waiting for the chosen time"),
    "created": Localized("Klaar om te versturen", "Ready to send"),
    "sending": Localized("Wordt verstuurd", "Being sent"),
    "delivered": Localized("Afgeleverd", "Delivered"),
    "permanent-failure": Localized("Kwam niet aan", "Not delivered"),
    "temporary-failure": Localized("Onbekend of het aankwam", "Unknown whether it arrived"),
    "technical-failure": Localized("Mislukt, beheer kijkt ernaar", "Failed; operations are looking into it"),
}


def issue_text(code: str, params: dict[str, Any], language: Language) -> str:
    template = ISSUE_TEXTS.get(code)
    if template is None:
        return code
    try:
        return template.in_(language).format(**params)
    except (KeyError, IndexError):
        return template.in_(language)


PAGE_TEXTS: dict[str, Localized] = {
    "work_title": Localized("Mijn werkvoorraad", "My work list"),
    "work_intro": Localized(
        "Uw open zaken. De zaak met de eerste termijn staat bovenaan.", "Your open cases, the first deadline at the top."
    ),
    "work_summary": Localized("Te laat: {overdue}. Binnen 7 dagen: {near}.", "Overdue: {overdue}. Within 7 days: {near}."),
    "work_empty": Localized("U hebt geen open zaken.", "You have no open cases."),
    "work_cut_off": Localized(
        "U ziet de {count} zaken met de eerste termijn. De tellingen gaan over die zaken.",
        "You see the {count} cases with the first deadline. The counts are about those cases.",
    ),
    "work_missing": Localized("Ontbreekt", "Missing"),
    "work_state_overdue": Localized("Te laat", "Overdue"),
    "work_state_near": Localized("Bijna", "Due soon"),
    "work_state_paused": Localized("Gepauzeerd", "Paused"),
    "work_state_on_track": Localized("Op tijd", "On track"),
    "work_only_behandelaar": Localized(
        "Deze pagina is voor behandelaars van de provincie.", "This page is for case handlers of the province."
    ),
    "work_back": Localized("Terug naar mijn werkvoorraad", "Back to my work list"),
    "work_not_yours": Localized(
        "Een collega behandelt deze zaak. U kunt hem bekijken, niet wijzigen.",
        "A colleague handles this case. You can look at it, not change it.",
    ),
    "work_actions": Localized("Aan de zaak werken", "Work on the case"),
    "work_closed": Localized("De zaak is afgesloten. Er kan niets meer bij.", "The case is closed. Nothing more can be added."),
    "work_status_title": Localized("Status wijzigen", "Change the status"),
    "work_statustype": Localized("Nieuwe status", "New status"),
    "work_choose_status": Localized("Kies een status", "Choose a status"),
    "work_current": Localized("nu", "now"),
    "work_toelichting": Localized("Toelichting voor de aanvrager (niet verplicht)", "Explanation for the applicant (optional)"),
    "work_documents_title": Localized("Documenten opvragen", "Ask for documents"),
    "work_document": Localized("Welk document?", "Which document?"),
    "work_document_due": Localized("Uiterlijk (niet verplicht)", "By (optional)"),
    "work_document_due_hint": Localized(
        "Laat leeg als er geen uiterste datum is.",
        "Leave empty if there is no deadline.",
    ),
    "work_message_title": Localized("Bericht sturen", "Send a message"),
    "work_message_text": Localized("Bericht", "Message"),
    "work_link_url": Localized("Link (niet verplicht, begint met https://)", "Link (optional, starts with https://)"),
    "work_link_label": Localized("Tekst van de link", "Text of the link"),
    "work_received_title": Localized("Document ontvangen", "Document received"),
    "work_received_button": Localized("Ontvangen", "Received"),
    "work_preview_button": Localized("Bekijk wat de aanvrager krijgt", "See what the applicant gets"),
    "work_send_button": Localized("Opslaan en versturen", "Save and send"),
    "work_preview_title": Localized("Voorbeeld: dit krijgt de aanvrager", "Preview: this is what the applicant gets"),
    "work_preview_nothing": Localized("De aanvrager krijgt hier geen bericht over.", "The applicant gets no message about this."),
    "work_preview_unchanged": Localized("Dit verandert niets aan de zaak.", "This changes nothing in the case."),
    "work_preview_others": Localized(
        "Andere betrokkenen die dit ook krijgen: {parties}. Volgers die het ook krijgen: {followers}.",
        "Other parties who get this too: {parties}. Followers who get it too: {followers}.",
    ),
    "work_preview_not_sent": Localized(
        "Nog niets is opgeslagen of verstuurd. Klopt het? Kies dan Opslaan en versturen.",
        "Nothing has been saved or sent yet. Is it right? Then choose Save and send.",
    ),
    "work_channel_email": Localized("E-mail", "E-mail"),
    "work_channel_portal": Localized("Berichtenbox", "Message box"),
    "work_channel_letter": Localized("Brief", "Letter"),
    "work_held": Localized(
        "Deze e-mail gaat pas weg op",
        "This e-mail will only go out on",
    ),
    "work_subject": Localized("Onderwerp", "Subject"),
    "work_at": Localized("om {time} uur", "at {time}"),
    "work_held_digest": Localized(
        "Koos de aanvrager voor een overzicht per dag of per week? Dan staat dit bericht daarin.",
        "Did the applicant choose a daily or weekly summary? Then this message is part of it.",
    ),
    "work_saved_status": Localized("De status is gewijzigd.", "The status has been changed."),
    "work_saved_documents": Localized("Het document is opgevraagd.", "The document has been requested."),
    "work_saved_message": Localized("Het bericht is verstuurd.", "The message has been sent."),
    "work_saved_received": Localized("Het document staat als ontvangen.", "The document is marked as received."),
    "work_saved_note": Localized(
        "De aanvrager krijgt bericht op de manier en het moment die hij koos.",
        "The applicant is told in the way and at the time they chose.",
    ),
    "ann_title": Localized("Aankondigingen", "Announcements"),
    "ann_intro": Localized(
        "Een aankondiging gaat naar iedereen die het onderwerp in dat gebied volgt. Een collega keurt hem eerst goed.",
        "An announcement goes to everyone who follows the topic in that area. A colleague approves it first.",
    ),
    "ann_recent": Localized("Recente aankondigingen", "Recent announcements"),
    "ann_none": Localized("Er zijn nog geen aankondigingen.", "There are no announcements yet."),
    "ann_new": Localized("Nieuwe aankondiging", "New announcement"),
    "ann_field_title": Localized("Titel", "Title"),
    "ann_field_text": Localized("Tekst", "Text"),
    "ann_field_topic": Localized("Onderwerp", "Topic"),
    "ann_field_gemeenten": Localized("Voor welke gemeenten?", "For which municipalities?"),
    "ann_field_gemeenten_hint": Localized(
        "Kies minstens één gemeente. De aankondiging gaat naar wie het onderwerp daar volgt, of een gebied in de buurt.",
        "Choose at least one municipality. The announcement goes to whoever follows the topic there, or an area nearby.",
    ),
    "ann_save": Localized("Opslaan als concept", "Save as draft"),
    "ann_revise": Localized("Aankondiging aanpassen", "Change the announcement"),
    "ann_saved_revised": Localized(
        "De aankondiging is aangepast. Dien hem in als hij klaar is.", "The announcement is changed. Submit it when it is ready."
    ),
    "ann_status": Localized("Status", "Status"),
    "ann_author": Localized("Geschreven door", "Written by"),
    "ann_status_concept": Localized("Concept", "Draft"),
    "ann_status_submitted": Localized("Wacht op goedkeuring", "Waiting for approval"),
    "ann_status_approved": Localized("Goedgekeurd en verstuurd", "Approved and sent"),
    "ann_status_rejected": Localized("Teruggestuurd", "Sent back"),
    "ann_audience": Localized("Wie krijgt dit?", "Who gets this?"),
    "ann_audience_size": Localized(
        "Nu zou deze aankondiging {subscribers} volger(s) bereiken.",
        "Right now this announcement would reach {subscribers} follower(s).",
    ),
    "ann_by_channel": Localized("Per kanaal", "By channel"),
    "ann_submit": Localized("Indienen voor goedkeuring", "Submit for approval"),
    "ann_approve": Localized("Goedkeuren en versturen", "Approve and send"),
    "ann_reject": Localized("Terugsturen", "Send back"),
    "ann_reason": Localized("Waarom stuurt u hem terug?", "Why are you sending it back?"),
    "ann_rejected_because": Localized("Teruggestuurd door {who}:", "Sent back by {who}:"),
    "ann_decided_by": Localized("Goedgekeurd door", "Approved by"),
    "ann_wait_for_colleague": Localized(
        "Een collega moet deze aankondiging goedkeuren. U kunt uw eigen aankondiging niet goedkeuren.",
        "A colleague must approve this announcement. You cannot approve your own.",
    ),
    "ann_saved_draft": Localized("De aankondiging is opgeslagen als concept.", "The announcement is saved as a draft."),
    "ann_saved_submitted": Localized("De aankondiging wacht op goedkeuring.", "The announcement is waiting for approval."),
    "ann_saved_approved": Localized(
        "De aankondiging is goedgekeurd. De volgers krijgen binnen enkele seconden bericht.",
        "The announcement is approved. Its followers will be told within seconds.",
    ),
    "ann_saved_rejected": Localized(
        "De aankondiging is teruggestuurd naar de schrijver.", "The announcement was sent back to its author."
    ),
    "ann_back": Localized("Terug naar aankondigingen", "Back to announcements"),
    "skip_link": Localized("Naar de inhoud", "Skip to content"),
    "nav_work": Localized("Werkvoorraad", "Work list"),
    "nav_announcements": Localized("Aankondigingen", "Announcements"),
    "nav_kcc": Localized("Zaak zoeken", "Find a case"),
    "kcc_title": Localized("Zaak zoeken", "Find a case"),
    "kcc_search_label": Localized("Zaaknummer of e-mailadres", "Case number or e-mail address"),
    "kcc_search_hint": Localized(
        "Bijvoorbeeld SUB-2026-000123. Weet de beller het zaaknummer niet? Vraag op welk e-mailadres hij of zij"
        " berichten van ons krijgt.",
        "For example SUB-2026-000123. Does the caller not know the case number? Ask at which e-mail address they"
        " get messages from us.",
    ),
    "kcc_search_button": Localized("Zoeken", "Search"),
    "kcc_not_found": Localized("Geen zaak met dit nummer.", "No case with this number."),
    "kcc_none_for_email": Localized("Wij vinden geen zaken bij dit e-mailadres.", "We found no cases for this e-mail address."),
    "kcc_found_title": Localized("Zaken bij dit e-mailadres", "Cases for this e-mail address"),
    "kcc_tags": Localized("Labels (niet verplicht)", "Labels (optional)"),
    "kcc_tags_hint": Localized(
        "Alleen medewerkers zien labels. Zet een komma tussen twee labels, bijvoorbeeld: dso, termijn. Gebruik"
        " letters, cijfers en streepjes.",
        "Only staff see labels. Put a comma between two labels, for example: dso, termijn. Use letters, digits and hyphens.",
    ),
    "kcc_tags_shown": Localized("Labels", "Labels"),
    "kcc_confidential": Localized("Vertrouwelijk: de aanvrager ziet dit niet.", "Confidential: the applicant does not see this."),
    "deliveries_more": Localized(
        "Hier staan de {count} nieuwste berichten. Er zijn er meer.",
        "These are the {count} newest messages. There are more.",
    ),
    "kcc_deliveries": Localized("Wat de aanvrager van ons kreeg", "What the applicant received from us"),
    "kcc_delivery_when": Localized("Wanneer", "When"),
    "kcc_delivery_what": Localized("Wat", "What"),
    "kcc_delivery_channel": Localized("Kanaal", "Channel"),
    "kcc_delivery_status": Localized("Status", "Status"),
    "kcc_contact_title": Localized("Contactmoment vastleggen", "Record a contact moment"),
    "kcc_kanaal": Localized("Kanaal", "Channel"),
    "kcc_onderwerp": Localized("Onderwerp", "Subject"),
    "kcc_inhoud": Localized("Samenvatting", "Summary"),
    "kcc_vertrouwelijk": Localized("Vertrouwelijk: alleen medewerkers zien dit", "Confidential: only staff see this"),
    "kcc_save": Localized("Vastleggen", "Record"),
    "kcc_saved": Localized("Het contactmoment staat bij de zaak.", "The contact moment is on the case."),
    "kcc_only_staff": Localized(
        "Deze pagina is voor medewerkers van de provincie.", "This page is for employees of the province."
    ),
    "a11y_link": Localized("Toegankelijkheid", "Accessibility"),
    "a11y_title": Localized("Toegankelijkheidsverklaring", "Accessibility statement"),
    "a11y_intro": Localized(
        "De provincie Utrecht wil dat iedereen deze pagina's kan gebruiken: ook met een schermlezer, alleen met"
        " het toetsenbord, vergroot of op een telefoon.",
        "The province of Utrecht wants everyone to be able to use these pages: with a screen reader, with the"
        " keyboard alone, zoomed in or on a phone.",
    ),
    "a11y_standard_title": Localized("Welke eisen", "Which requirements"),
    "a11y_standard": Localized(
        "De pagina's moeten voldoen aan de Web Content Accessibility Guidelines (WCAG) 2.1 op niveau A en AA, zoals"
        " het Besluit digitale toegankelijkheid overheid vraagt.",
        "The pages must meet the Web Content Accessibility Guidelines (WCAG) 2.1 at level A and AA, as the Dutch"
        " decree on digital accessibility for government requires.",
    ),
    "a11y_checks_title": Localized("Hoe wij dat controleren", "How we check this"),
    "a11y_checks": Localized(
        "Bij elke wijziging controleren wij elke pagina automatisch met axe-core in een echte browser, in het"
        " Nederlands en in het Engels. De pagina's werken zonder JavaScript. Een automatische controle vindt"
        " niet alles; een onderzoek door een deskundige volgt nog.",
        "With every change we check every page automatically with axe-core in a real browser, in Dutch and in"
        " English. The pages work without JavaScript. An automatic check does not find everything; a review by"
        " an expert is still to come.",
    ),
    "a11y_contact_title": Localized("Lukt iets niet?", "Is something not working?"),
    "a11y_contact": Localized(
        "Laat het ons weten. Bel 030 258 91 11 (maandag tot en met vrijdag, 8.30 tot 17.00 uur); wij helpen u"
        " ook telefonisch of per brief verder.",
        "Let us know. Call 030 258 91 11 (Monday to Friday, 8.30 to 17.00); we can also help you by phone or by letter.",
    ),
    "inbox_title": Localized("Berichtenbox", "Message box"),
    "inbox_empty": Localized("Er zijn nog geen berichten voor u.", "There are no messages for you yet."),
    "inbox_unread": Localized("nieuw", "new"),
    "inbox_older": Localized("Oudere berichten", "Older messages"),
    "inbox_back": Localized("Terug naar de berichtenbox", "Back to the message box"),
    "nav_cases": Localized("Mijn zaken", "My cases"),
    "nav_inbox": Localized("Berichtenbox", "Message box"),
    "nav_subscriptions": Localized("Wat ik volg", "What I follow"),
    "nav_preferences": Localized("Mijn voorkeuren", "My preferences"),
    "nav_label": Localized("Mijn pagina's", "My pages"),
    "applicants_only": Localized(
        "Deze pagina is voor inwoners en bedrijven die met DigiD of eHerkenning inloggen.",
        "This page is for residents and businesses who log in with DigiD or eHerkenning.",
    ),
    "form_expired": Localized(
        "Dit formulier is verlopen. Open de pagina opnieuw en probeer het nog een keer.",
        "This form has expired. Open the page again and try once more.",
    ),
    "errors_title": Localized("Er klopt iets niet", "Something is not right"),
    "my_subscriptions_title": Localized("Wat ik volg", "What I follow"),
    "my_subscriptions_intro": Localized(
        "Over deze dingen krijgt u berichten van ons. Wilt u iets niet meer volgen? Klik dan op Stoppen.",
        "You get messages from us about these things. Do you no longer want to follow something? Press Stop.",
    ),
    "my_subscriptions_empty": Localized("U volgt nu niets.", "You do not follow anything now."),
    "follow_more_title": Localized("Meer volgen", "Follow more"),
    "follow_more_intro": Localized(
        "Kies onderwerpen, een gemeente of allebei. Hoe u de berichten krijgt, kiest u bij Mijn voorkeuren.",
        "Choose topics, a municipality or both. You choose how you get the messages in My preferences.",
    ),
    "follow_more_button": Localized("Volgen", "Follow"),
    "followed": Localized("U volgt dit nu.", "You now follow this."),
    "stopped": Localized("U volgt dit niet meer.", "You no longer follow this."),
    "preferences_title": Localized("Mijn voorkeuren", "My preferences"),
    "preferences_intro": Localized(
        "Kies hoe, hoe vaak en in welke taal u berichten van ons krijgt. Dit geldt voor alles wat u volgt.",
        "Choose how, how often and in which language you get messages from us. This applies to everything you follow.",
    ),
    "channels_legend": Localized("Hoe wilt u berichten krijgen?", "How do you want to receive messages?"),
    "channels_hint": Localized("Kies er minstens één.", "Choose at least one."),
    "channels_field": Localized("Hoe u berichten krijgt", "How you receive messages"),
    "channel_email": Localized("Per e-mail", "By e-mail"),
    "channel_portal": Localized("In de berichtenbox op deze website", "In the message box on this website"),
    "channel_letter": Localized("Per brief", "By letter"),
    "frequency_field": Localized("Hoe vaak", "How often"),
    "quiet_hours_legend": Localized("Rust in de nacht", "Quiet at night"),
    "address_legend": Localized("Uw adres voor brieven", "Your address for letters"),
    "address_hint": Localized(
        "Alleen nodig als u berichten per brief wilt krijgen.", "Only needed if you want to receive messages by letter."
    ),
    "address_naam": Localized("Naam", "Name"),
    "address_straat": Localized("Straat", "Street"),
    "address_huisnummer": Localized("Huisnummer", "House number"),
    "address_postcode": Localized("Postcode", "Postcode"),
    "address_woonplaats": Localized("Woonplaats", "Town"),
    "case_title": Localized("Zaak", "Case"),
    "case_now": Localized("Waar uw zaak nu is", "Where your case is now"),
    "case_since": Localized("sinds", "since"),
    "case_next": Localized("Wat er hierna gebeurt", "What happens next"),
    "case_next_step": Localized("Hierna", "Next"),
    "case_list": Localized("Zaken", "Cases"),
    "case_missing": Localized("Wat wij nog van u nodig hebben", "What we still need from you"),
    "case_missing_due": Localized("graag uiterlijk", "please by"),
    "case_deadline_text": Localized("Wij beslissen uiterlijk op", "We decide by"),
    "case_deadline_paused": Localized(
        "De termijn staat stil. Wij laten u weten wanneer hij weer loopt.",
        "The deadline is on hold. We will let you know when it starts running again.",
    ),
    "case_servicenorm": Localized("Meestal zijn wij eerder klaar, rond", "Usually we are done sooner, around"),
    "case_behandelaar": Localized("Uw behandelaar", "Your case handler"),
    "case_timeline": Localized("Wat er is gebeurd", "What has happened"),
    "case_back": Localized("Terug naar mijn zaken", "Back to my cases"),
    "login": Localized("Inloggen", "Log in"),
    "logout": Localized("Uitloggen", "Log out"),
    "login_failed_title": Localized("Inloggen is niet gelukt", "Logging in did not work"),
    "login_failed_text": Localized(
        "Het inloggen is afgebroken of verlopen. Probeer het nog een keer.",
        "Logging in was cancelled or took too long. Please try again.",
    ),
    "logged_in_as": Localized("Ingelogd als", "Logged in as"),
    "acting_for": Localized("namens", "on behalf of"),
    "my_cases_title": Localized("Mijn zaken", "My cases"),
    "my_cases_empty": Localized("U hebt nog geen zaken bij de provincie.", "You have no cases with the province yet."),
    "case_number": Localized("Zaaknummer", "Case number"),
    "case_product": Localized("Onderwerp", "Subject"),
    "case_status": Localized("Status", "Status"),
    "case_deadline": Localized("Uiterlijk klaar", "Decision due"),
    "deadline_paused": Localized("gepauzeerd", "paused"),
    "unread_messages": Localized("Ongelezen berichten", "Unread messages"),
    "dev_login_title": Localized("Inloggen als testpersoon", "Log in as a test person"),
    "dev_login_intro": Localized(
        "Dit is de lokale testomgeving. Kies wie u bent; in productie logt u in met DigiD of eHerkenning.",
        "This is the local test environment. Choose who you are; in production you log in with DigiD or eHerkenning.",
    ),
    "site": Localized("Provincie Utrecht", "Province of Utrecht"),
    "other_language": Localized("English", "Nederlands"),
    "follow_title": Localized("Berichten van de provincie krijgen", "Get messages from the province"),
    "follow_intro": Localized(
        "Kies waarover u berichten wilt krijgen. Wij sturen u eerst een e-mail om te bevestigen. U hebt geen DigiD nodig.",
        "Choose what you want to hear about. We first send you an e-mail to confirm. You do not need DigiD.",
    ),
    "email_label": Localized("Uw e-mailadres", "Your e-mail address"),
    "topics_legend": Localized("Onderwerpen", "Topics"),
    "topics_hint": Localized(
        "Kiest u een gemeente en geen onderwerp? Dan krijgt u berichten over alle onderwerpen in die gemeente.",
        "Choose a municipality and no topic to hear about all topics in that municipality.",
    ),
    "gemeente_label": Localized("Gemeente", "Municipality"),
    "gemeente_any": Localized("Alle gemeenten", "All municipalities"),
    "area_legend": Localized("Een gebied rond een plaats (niet verplicht)", "An area around a place (optional)"),
    "area_hint": Localized(
        "Dan krijgt u ook nieuws over wat binnen die afstand van het centrum gebeurt, ook over de gemeentegrens.",
        "Then you also get news about what happens within that distance of the centre, also across the border.",
    ),
    "area_centre_label": Localized("Rond het centrum van", "Around the centre of"),
    "area_none": Localized("Geen gebied", "No area"),
    "area_radius_label": Localized("Hoe ver?", "How far?"),
    "language_label": Localized("Taal van de berichten", "Language of the messages"),
    "follow_button": Localized("Aanmelden", "Subscribe"),
    "sent_title": Localized("Kijk in uw e-mail", "Check your e-mail"),
    "confirm_title": Localized("Bevestig uw aanmelding", "Confirm your subscription"),
    "confirm_intro": Localized(
        "Klik op de knop om te bevestigen dat u berichten wilt krijgen.",
        "Press the button to confirm that you want to receive messages.",
    ),
    "confirm_button": Localized("Ja, ik wil berichten krijgen", "Yes, I want to receive messages"),
    "confirmed_title": Localized("Gelukt", "Done"),
    "confirmed_done": Localized(
        "U bent aangemeld. U krijgt voortaan berichten.", "You are subscribed. From now on you will receive messages."
    ),
    "confirmed_already": Localized(
        "U had dit al bevestigd. U krijgt berichten.", "You had already confirmed this. You receive messages."
    ),
    "confirmed_stopped": Localized(
        "Deze aanmelding is gestopt. Wilt u toch berichten? Meld u dan opnieuw aan.",
        "This subscription was stopped. Do you want messages after all? Please subscribe again.",
    ),
    "unsubscribe_title": Localized("Afmelden", "Unsubscribe"),
    "unsubscribe_intro": Localized(
        "Klik op de knop als u deze berichten niet meer wilt krijgen.", "Press the button if you no longer want these messages."
    ),
    "unsubscribe_button": Localized("Afmelden", "Unsubscribe"),
    "unsubscribed_done": Localized(
        "U bent afgemeld. U krijgt deze berichten niet meer.", "You are unsubscribed. You will not get these messages anymore."
    ),
    "unsubscribed_already": Localized("U was al afgemeld.", "You were already unsubscribed."),
    "manage_title": Localized("Uw keuzes", "Your choices"),
    "manage_intro": Localized(
        "Pas aan hoe vaak en in welke taal u berichten krijgt.", "Change how often and in which language you get messages."
    ),
    "frequency_legend": Localized("Hoe vaak?", "How often?"),
    "frequency_immediately": Localized("Meteen", "Right away"),
    "frequency_daily": Localized("Eén keer per dag (om 7.00 uur)", "Once a day (at 7.00)"),
    "frequency_weekly": Localized("Eén keer per week (maandag om 7.00 uur)", "Once a week (Monday at 7.00)"),
    "quiet_hours_label": Localized("Geen e-mail tussen 22.00 en 7.00 uur", "No e-mail between 22.00 and 7.00"),
    "subscriptions_legend": Localized("U volgt", "You follow"),
    "stop_label": Localized("Stoppen", "Stop"),
    "save_button": Localized("Opslaan", "Save"),
    "saved": Localized("Uw keuzes zijn opgeslagen.", "Your choices have been saved."),
    "all_topics": Localized("alle onderwerpen", "all topics"),
    "in_area": Localized("in het gebied dat u koos", "in the area you chose"),
    "own_case": Localized("uw zaak", "your case"),
    "not_found_title": Localized("Deze link werkt niet", "This link does not work"),
    "not_found_text": Localized(
        "De link is verlopen of niet compleet. Gebruik de link uit de nieuwste e-mail, of meld u opnieuw aan.",
        "The link has expired or is incomplete. Use the link from the latest e-mail, or subscribe again.",
    ),
    "error_title": Localized("Dat lukte niet", "That did not work"),
    "too_much": Localized(
        "U stuurde te veel gegevens in één keer. Maak de tekst korter en probeer het opnieuw.",
        "You sent too much at once. Make the text shorter and try again.",
    ),
    "too_many": Localized(
        "U hebt dit te vaak gedaan. Probeer het later opnieuw.", "You have done this too often. Please try again later."
    ),
    "questions": Localized(
        "Vragen? Bel 030 258 91 11 (maandag tot en met vrijdag, 8.30 tot 17.00 uur).",
        "Questions? Call +31 30 258 91 11 (Monday to Friday, 8.30 to 17.00).",
    ),
}
