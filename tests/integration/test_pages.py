"""The HTML pages people reach without DigiD — the follow form and the pages behind the links in e-mails —
through the Chalice test client on moto: HTML with strict security headers, Dutch unless English is asked
for, errors shown on the form with what was typed, and a manage page that really changes how and what
someone hears."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from chalicelib.handlers.release_held_email import release_held
from chalicelib.theme import PALETTE, version
from tests.integration.conftest import PERSONAS, announce, body, headers, link_token, mailbox, register_personas

NEIGHBOUR = "buurvrouw@example.org"
THEME_LINK = "/assets/provincie-utrecht-theme.css?v={}"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SECURITY_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def page(response: Any, status: int) -> str:
    """The HTML of ``response``, after checking its status and that it carries every security header."""
    assert response.status_code == status, response.body
    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    return str(response.body.decode())


def post_form(client, path: str, fields: list[tuple[str, str]]) -> Any:
    return client.http.post(path, headers=FORM, body=urlencode(fields))


def follow_from_page(client, email: str = NEIGHBOUR, *fields: tuple[str, str]) -> Any:
    return post_form(client, "/volgen", [("email", email), *(fields or (("topic", "grondbeheer"), ("gemeente", "GM1581")))])


def a_token(client, pipeline) -> str:
    """A real confirmation token, from the e-mail the neighbour gets after asking."""
    assert follow_from_page(client).status_code == 200
    pipeline.run()
    (mail,) = mailbox(NEIGHBOUR)
    return link_token(mail.text, "/abonnement/bevestigen")


# Every page ----------------------------------------------------------------------------------------------------


def test_every_page_errors_included_is_html_with_strict_security_headers(client, pipeline, daytime):
    token = a_token(client, pipeline)
    for path, status in (
        ("/volgen", 200),
        (f"/abonnement/bevestigen?token={token}", 200),
        (f"/afmelden?token={token}", 404),  # a confirmation token does not unsubscribe
        ("/abonnement/bevestigen", 404),
        ("/afmelden", 404),
        ("/abonnement/beheren", 404),
        (f"/abonnement/beheren?token={token}", 404),  # a confirmation token does not open the manage page
    ):
        text = page(client.http.get(path), status)
        assert text.startswith("<!DOCTYPE html>"), path
        assert "<script" not in text, path
    page(post_form(client, "/volgen", [("email", "x")]), 400)
    page(post_form(client, "/abonnement/bevestigen", [("token", "vervalst")]), 404)


def test_pages_are_dutch_by_default_and_english_when_asked(client):
    dutch = page(client.http.get("/volgen"), 200)
    assert '<html lang="nl">' in dutch
    assert '<h1 class="utrecht-heading-1">Berichten van de provincie krijgen</h1>' in dutch
    assert 'href="/volgen?lang=en"' in dutch

    for asked in (
        {"path": "/volgen?lang=en"},
        {"headers": {"Accept-Language": "en-GB,en;q=0.9"}},
        {"headers": {"Accept-Language": "de, en;q=0.5"}},
    ):
        english = page(client.http.get(asked.get("path", "/volgen"), headers=asked.get("headers", {})), 200)
        assert '<html lang="en">' in english, asked
        assert '<h1 class="utrecht-heading-1">Get messages from the province</h1>' in english, asked
        assert "Land management and available land" in english, asked

    # the choice in the page's own switch wins over the browser's; other languages fall back to Dutch
    assert '<html lang="nl">' in page(client.http.get("/volgen?lang=nl", headers={"Accept-Language": "en"}), 200)
    assert '<html lang="nl">' in page(client.http.get("/volgen?lang=fr", headers={"Accept-Language": "fr"}), 200)


def test_the_follow_form_offers_every_topic_and_gemeente(client):
    text = page(client.http.get("/volgen"), 200)
    assert len(re.findall(r'<input type="checkbox" name="topic" value="[a-z-]+">', text)) == 8
    assert len(re.findall(r'<option value="GM\d{4}">', text)) == 26
    assert '<option value="GM1581">Utrechtse Heuvelrug</option>' in text


# The follow form -----------------------------------------------------------------------------------------------


def test_following_from_the_page_says_check_your_inbox_and_sends_the_confirmation(client, pipeline, daytime):
    sent = follow_from_page(
        client, NEIGHBOUR, ("topic", "grondbeheer"), ("topic", "natuur-en-landschap"), ("gemeente", "GM1581"), ("language", "en")
    )
    assert '<h1 class="utrecht-heading-1">Kijk in uw e-mail</h1>' in page(sent, 200)
    pipeline.run()
    (mail,) = mailbox(NEIGHBOUR)
    assert mail.subject == "Confirm that you want messages from the province"
    assert "about land management and available land, nature and landscape in the municipality of Utrechtse Heuvelrug" in (
        mail.text
    )


def test_a_bad_address_re_renders_the_form_with_the_error_and_what_was_typed(client, pipeline):
    for path, typed, error in (
        ("/volgen", "buurvrouw@@example", "Uw e-mailadres: Dit is geen geldig e-mailadres. Schrijf het als naam@voorbeeld.nl"),
        (
            "/volgen?lang=en",
            "buurvrouw.example.org",
            "Your e-mail address: This is not a valid e-mail address. Write it as name@example.nl",
        ),
    ):
        text = page(post_form(client, path, [("email", typed), ("topic", "grondbeheer")]), 400)
        # the error summary links to the field, where the same message is
        assert re.search(r'<div class="errors" role="alert"[^>]*>.*<a href="#email">' + re.escape(error), text, re.S), path
        assert re.search(r'<p class="error-message" id="email-error">' + re.escape(error), text), path
        assert (
            f'name="email" autocomplete="email" required value="{typed}" aria-describedby="email-error" aria-invalid="true"'
            in text
        )
        assert '<form method="post"' in text
    pipeline.run()
    assert mailbox() == []


def test_what_was_typed_is_shown_back_escaped(client):
    typed = '"><script>alert(1)</script>'
    text = page(follow_from_page(client, typed), 400)
    assert "<script>" not in text
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in text


def test_an_unknown_topic_or_no_choice_at_all_is_shown_as_an_error_on_the_form(client):
    text = page(follow_from_page(client, NEIGHBOUR, ("topic", "bouwen")), 400)
    assert '<a href="#topics">Onderwerpen: Dit onderwerp kennen wij niet.</a>' in text
    text = page(follow_from_page(client, NEIGHBOUR, ("gemeente", "")), 400)
    assert '<a href="#topics">Onderwerpen: Kies minstens een onderwerp, een gemeente of een gebied.</a>' in text
    assert '<p class="error-message" id="topics-error">Onderwerpen: Kies minstens een onderwerp' in text


def test_an_empty_follow_form_names_every_mistake_at_its_field(client):
    text = page(post_form(client, "/volgen", [("email", "")]), 400)
    assert text.count('<p class="error-message"') == 2
    assert '<a href="#topics">' in text
    assert '<a href="#email">' in text


def test_the_form_keeps_the_chosen_topics_and_gemeente_when_it_shows_an_error(client):
    text = page(follow_from_page(client, "fout", ("topic", "grondbeheer"), ("gemeente", "GM1581"), ("language", "en")), 400)
    assert re.search(r'name="topic" value="grondbeheer"\s+checked', text)
    assert re.search(r'<option value="GM1581"\s+selected', text)
    assert re.search(r'<option value="en"\s*selected', text)


def test_the_fourth_request_for_one_address_is_a_429_page_with_retry_after(client, pipeline, daytime):
    for _ in range(3):
        page(follow_from_page(client), 200)
    refused = follow_from_page(client)
    text = page(refused, 429)
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert "U hebt dit te vaak gedaan. Probeer het later opnieuw." in text
    pipeline.run()
    assert len(mailbox(NEIGHBOUR)) == 3


# The pages behind the links in e-mails -------------------------------------------------------------------------


def test_the_unsubscribe_page_button_posts_the_token_and_stops_the_subscription(client, pipeline, daytime, app_log):
    token = a_token(client, pipeline)
    confirmed = client.http.post("/api/subscriptions/confirm", headers=headers(), body=json.dumps({"token": token}))
    assert body(confirmed) == {"outcome": "done"}
    (confirmation,) = mailbox(NEIGHBOUR)
    unsubscribe = link_token(confirmation.text, "/afmelden")

    shown = page(client.http.get(f"/afmelden?token={unsubscribe}&lang=en"), 200)
    assert '<form method="post" action="/afmelden?lang=en">' in shown
    assert f'<input type="hidden" name="token" value="{unsubscribe}">' in shown
    pressed = page(post_form(client, "/afmelden?lang=en", [("token", unsubscribe)]), 200)
    assert "You are unsubscribed." in pressed
    # AND the write is in the audit log, by whoever held the link, without the token
    line = app_log.audit()[-1]
    assert {k: line[k] for k in ("action", "actor", "object", "result")} == {
        "action": "page_unsubscribe",
        "actor": "link_holder",
        "object": "/afmelden",
        "result": 200,
    }
    assert unsubscribe not in json.dumps(line)

    announce(client, title="Grond", text="Grond bij Doorn.", topic="grondbeheer", gemeenten=["GM1581"])
    pipeline.run()
    assert len(mailbox(NEIGHBOUR)) == 1  # the confirmation only


def test_the_one_click_post_is_accepted_as_multipart_form_data_too(client, pipeline, daytime):
    # RFC 8058 lets the mail client send "List-Unsubscribe=One-Click" as multipart/form-data
    a_token(client, pipeline)
    (confirmation,) = mailbox(NEIGHBOUR)
    unsubscribe = link_token(confirmation.headers["List-Unsubscribe"], "/afmelden")
    multipart = b'--grens\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--grens--\r\n'
    answer = client.http.post(
        f"/afmelden?token={unsubscribe}", headers={"Content-Type": "multipart/form-data; boundary=grens"}, body=multipart
    )
    assert "U bent afgemeld." in page(answer, 200)


def test_opening_a_link_that_cannot_work_says_so_at_once(client, pipeline, daytime, app_log):
    token = a_token(client, pipeline)
    daytime.advance(days=8)
    paths = (f"/abonnement/bevestigen?token={token}", "/abonnement/bevestigen?token=vervalst", "/afmelden?token=vervalst")
    for path in paths:
        assert "Deze link werkt niet" in page(client.http.get(path), 404), path
    # every refusal is in the audit log
    refused = [(line["action"], line["result"]) for line in app_log.audit()[-3:]]
    assert refused == [("page_confirm_page", 404), ("page_confirm_page", 404), ("page_unsubscribe_page", 404)]


# The manage page -----------------------------------------------------------------------------------------------


def _two_confirmed_subscriptions(client, pipeline) -> str:
    """The neighbour follows land in Utrechtse Heuvelrug and nature anywhere, both confirmed; the manage token."""
    page(follow_from_page(client, NEIGHBOUR, ("topic", "grondbeheer"), ("gemeente", "GM1581")), 200)
    page(follow_from_page(client, NEIGHBOUR, ("topic", "natuur-en-landschap")), 200)
    pipeline.run()
    confirmations = mailbox(NEIGHBOUR)
    assert len(confirmations) == 2
    for mail in confirmations:
        confirmed = post_form(client, "/abonnement/bevestigen", [("token", link_token(mail.text, "/abonnement/bevestigen"))])
        assert "U bent aangemeld." in page(confirmed, 200)
    return link_token(confirmations[0].text, "/abonnement/beheren")


def _stop_boxes(text: str) -> dict[str, str]:
    """``{description: subscription id}`` of the stop checkboxes on the manage page."""
    return {label: value for value, label in re.findall(r'name="stop" value="([^"]+)"> Stoppen: ([^<]+)</label>', text)}


def test_the_manage_page_stops_a_chosen_subscription_and_changes_the_language(client, pipeline, daytime):
    # GIVEN the neighbour follows two things, and opens the manage link from her e-mail
    token = _two_confirmed_subscriptions(client, pipeline)
    shown = page(client.http.get(f"/abonnement/beheren?token={token}"), 200)
    boxes = _stop_boxes(shown)
    assert set(boxes) == {"Grondbeheer en beschikbare gronden · Utrechtse Heuvelrug", "Natuur en landschap"}
    assert 'name="frequency" value="immediately" checked' in shown
    assert 'name="language" value="nl" checked' in shown

    # AND Mark follows land too
    register_personas("mark")
    marks = client.http.post("/api/me/subscriptions", headers=headers("mark"), body='{"topics": ["grondbeheer"]}')
    assert marks.status_code == 201, marks.body

    # WHEN she stops the land subscription and chooses English, immediately, no quiet hours (and the form is
    # tampered with to stop Mark's too)
    saved = post_form(
        client,
        "/abonnement/beheren",
        [
            ("token", token),
            ("frequency", "immediately"),
            ("language", "en"),
            ("stop", boxes["Grondbeheer en beschikbare gronden · Utrechtse Heuvelrug"]),
            ("stop", body(marks)["id"]),
        ],
    )
    # THEN the page says so and shows what is left
    text = page(saved, 200)
    assert "Uw keuzes zijn opgeslagen." in text
    assert set(_stop_boxes(text)) == {"Natuur en landschap"}
    assert 'name="language" value="en" checked' in text
    assert 'name="quiet_hours" value="on">' in text

    # AND news about land no longer reaches her; news about nature does, in English
    announce(client, title="Grond", text="Grond bij Doorn.", topic="grondbeheer", gemeenten=["GM1581"])
    announce(client, title="Nieuw bos", text="Er komt bos bij Doorn.", topic="natuur-en-landschap", gemeenten=["GM1581"])
    pipeline.run()
    news = [m.subject for m in mailbox(NEIGHBOUR) if "province:" in m.subject or "provincie:" in m.subject]
    assert news == ["News from the province: Nieuw bos"]
    # AND Mark's subscription, not hers, was left alone
    assert [m.subject for m in mailbox(PERSONAS["mark"].email)] == ["Nieuws van de provincie: Grond"]


def test_a_daily_choice_on_the_manage_page_bundles_news_into_the_next_mornings_email(client, pipeline, daytime):
    token = _two_confirmed_subscriptions(client, pipeline)
    saved = post_form(client, "/abonnement/beheren", [("token", token), ("frequency", "daily"), ("language", "nl")])
    assert 'name="frequency" value="daily" checked' in page(saved, 200)

    announce(client, title="Grond", text="Grond bij Doorn.", topic="grondbeheer", gemeenten=["GM1581"])
    announce(client, title="Nieuw bos", text="Er komt bos bij Doorn.", topic="natuur-en-landschap", gemeenten=["GM1581"])
    pipeline.run()
    assert len(mailbox(NEIGHBOUR)) == 2  # the confirmations: the news waits for the morning

    daytime.advance(days=1)
    release_held(None)
    pipeline.run()
    assert mailbox(NEIGHBOUR)[0].subject == "Uw overzicht van de provincie: 2 berichten"
    assert len(mailbox(NEIGHBOUR)) == 3


def test_the_manage_link_is_limited_like_the_preferences_page_and_says_when_to_try_again(client, pipeline, daytime):
    # GIVEN the neighbour saved her choices through the manage link ten times this hour
    token = _two_confirmed_subscriptions(client, pipeline)
    for turn in range(10):
        frequency = ("daily", "immediately")[turn % 2]
        assert post_form(client, "/abonnement/beheren", [("token", token), ("frequency", frequency)]).status_code == 200
    # WHEN she saves once more THEN the page asks her to try later (429 with Retry-After), and nothing changed
    refused = post_form(client, "/abonnement/beheren", [("token", token), ("frequency", "weekly")])
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert 'name="frequency" value="immediately" checked' in page(client.http.get(f"/abonnement/beheren?token={token}"), 200)


def test_the_manage_page_without_a_valid_token_changes_nothing(client, pipeline, daytime):
    token = _two_confirmed_subscriptions(client, pipeline)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    refused = post_form(client, "/abonnement/beheren", [("token", forged), ("frequency", "weekly")])
    assert "Deze link werkt niet" in page(refused, 404)
    shown = page(client.http.get(f"/abonnement/beheren?token={token}"), 200)
    assert 'name="frequency" value="immediately" checked' in shown
    assert len(_stop_boxes(shown)) == 2


def test_pages_are_styled_with_the_nl_design_system_and_the_province_theme_served_from_this_site(client):
    shown = client.http.get("/volgen")
    text = page(shown, 200)
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)">', text)
    # the theme comes last, so its tokens win over the library's
    assert links == ["/assets/utrecht-design-tokens.css", "/assets/utrecht-components.css", THEME_LINK.format(version())]
    assert 'class="utrecht-theme utrecht-body"' in text
    assert "style-src 'self'" in shown.headers["Content-Security-Policy"]
    for name in ("utrecht-design-tokens.css", "utrecht-components.css", "provincie-utrecht-theme.css"):
        css = client.http.get(f"/assets/{name}")
        assert css.status_code == 200, name
        assert css.headers["Content-Type"] == "text/css; charset=utf-8"
        assert css.headers["Cache-Control"] == "public, max-age=86400"
        assert b".utrecht-" in css.body
    theme = client.http.get(THEME_LINK.format(version())).body.decode()
    assert f"--baken-brand: {PALETTE.brand};" in theme
    assert "--utrecht-button-primary-action-background-color: var(--baken-brand);" in theme
    # the page's own styles take their colours from the theme: none of their own
    style = text[text.index("<style>") : text.index("</style>")]
    assert re.findall(r"#[0-9a-fA-F]{6}\b", style) == []
    assert "outline: 3px solid var(--baken-focus)" in style
    # nothing else is served from there
    for other in ("index.css", "..%2F..%2Fapp.py", ".installed"):
        assert client.http.get(f"/assets/{other}").status_code == 404, other


def test_an_emails_button_has_the_colour_of_the_pages_buttons(client, pipeline):
    assert follow_from_page(client).status_code == 200
    pipeline.run()
    (mail,) = mailbox(NEIGHBOUR)
    (button,) = re.findall(r'<a href="[^"]+/abonnement/bevestigen\?token=[^"]+" style="([^"]+)">', mail.html)
    theme = client.http.get("/assets/provincie-utrecht-theme.css").body.decode()
    brand = re.search(r"--baken-brand: (#[0-9a-f]{6});", theme)
    on_brand = re.search(r"--baken-on-brand: (#[0-9a-f]{6});", theme)
    assert brand
    assert on_brand
    assert f"background:{brand.group(1)};color:{on_brand.group(1)};" in button
    assert "--utrecht-button-primary-action-background-color: var(--baken-brand);" in theme
    # the e-mail's banner is the pages' header band, and its links have the pages' link colour
    assert f'<td style="background:{brand.group(1)};color:{on_brand.group(1)};' in mail.html
    assert f'style="color:{PALETTE.link};"' in mail.html


def test_the_header_names_the_province_and_the_service_and_every_title_says_both(client):
    for lang, organisation, title in (
        ("nl", "Provincie Utrecht", "Berichten van de provincie krijgen - Mijn Provincie - Provincie Utrecht"),
        ("en", "Province of Utrecht", "Get messages from the province - Mijn Provincie - Province of Utrecht"),
    ):
        text = page(client.http.get(f"/volgen?lang={lang}"), 200)
        header = re.search(r"<header .*?</header>", text, re.S)
        assert header
        assert f'<span class="baken-organisation">{organisation}</span>' in header.group(0)
        assert f'<a class="baken-service" href="/?lang={lang}">Mijn Provincie</a>' in header.group(0)
        assert f"<title>{title}</title>" in text
    # the service's start page is called by the service's name once
    assert "<title>Mijn Provincie - Provincie Utrecht</title>" in page(client.http.get("/"), 200)


def test_every_page_links_to_the_accessibility_statement_in_both_languages(client):
    assert '<a class="utrecht-link" href="/toegankelijkheid">Toegankelijkheid</a>' in page(client.http.get("/volgen"), 200)
    dutch = page(client.http.get("/toegankelijkheid"), 200)
    assert "WCAG" in dutch
    assert "Toegankelijkheidsverklaring" in dutch
    assert "Accessibility statement" in page(client.http.get("/toegankelijkheid?lang=en"), 200)
