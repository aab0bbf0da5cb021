"""The logged-in applicant's pages about following: Wat ik volg (/mijn-abonnementen) and Mijn voorkeuren
(/mijn-voorkeuren), over HTTP through the Chalice test client — what the pages change is what the JSON API
shows; mistakes are shown on the form (400) and change nothing; a form without the session's CSRF token changes
nothing (403); staff are refused as the API refuses them."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.browsing import CASE, FORM, Browser, csrf_token, log_in, redirect_target
from tests.integration.conftest import PERSONAS, body, headers, register_personas

SUBSCRIPTIONS = "/mijn-abonnementen"
PREFERENCES = "/mijn-voorkeuren"
ADDRESS = {"naam": "Mark Visser", "straat": "Dorpsstraat", "huisnummer": "12a", "postcode": "3941 ab", "woonplaats": "Doorn"}


def _post(browser: Browser, path: str, fields: list[tuple[str, str]]) -> Any:
    """A form post with repeated fields (several topics, several channels)."""
    return browser._keep(browser.client.http.post(path, headers=browser._headers(FORM), body=urlencode(fields)))


def _logged_in(client, persona: str = "mark", start: str = SUBSCRIPTIONS) -> tuple[Browser, str]:
    """``persona`` logged in on ``start``, and the CSRF token of their session."""
    register_personas(persona)
    browser = Browser(client)
    assert redirect_target(log_in(browser, persona, start=start)) == start
    return browser, csrf_token(browser.get(start).body.decode())


def _api(client, path: str, persona: str = "mark") -> Any:
    answer = client.http.get(path, headers=headers(persona))
    assert answer.status_code == 200, answer.body
    return body(answer)


def _stop_forms(page: str) -> dict[str, str]:
    """``{description: stop path}`` of the stop buttons on Wat ik volg."""
    return {
        description: path
        for path, description in re.findall(
            r'<form method="post" action="(/mijn-abonnementen/[^/]+/stoppen)\?lang=\w+">\s*'
            r'<input type="hidden" name="csrf" value="[^"]+">\s*'
            r'<button [^>]*aria-label="Stoppen: ([^"]+)">Stoppen</button>',
            page,
        )
    }


def _audited(app_log, action: str) -> list[tuple[str, Any]]:
    return [(line["actor"], line["result"]) for line in app_log.audit() if line["action"] == action]


MARK = PERSONAS["mark"].claims["sub"]


# Wat ik volg -----------------------------------------------------------------------------------------------


def test_mark_follows_a_topic_in_a_gemeente_from_the_page_and_the_api_shows_it(client, app_log):
    mark, csrf = _logged_in(client)
    page = mark.get(SUBSCRIPTIONS).body.decode()
    assert "U volgt zelf nog geen onderwerpen of plaatsen." in page
    assert '<input type="checkbox" name="topic" value="natuur-en-landschap">' in page
    assert re.search(r'<option value="GM0355">Zeist</option>', page)
    gemeente_choices = page.split('id="gemeente"')[1].split("</select>")[0]
    assert gemeente_choices.count("<option value=") == 27  # every gemeente of the province, and "all"
    area_centres = page.split('id="area_centre"')[1].split("</select>")[0]
    assert area_centres.count("<option value=") == 27  # every gemeente's centre, and "no area"

    # WHEN Mark follows nature and landscape in Zeist
    followed = _post(mark, SUBSCRIPTIONS, [("csrf", csrf), ("topic", "natuur-en-landschap"), ("gemeente", "GM0355")])

    # THEN he is sent back to the list, which says so and describes what he follows in words
    assert followed.status_code == 303
    assert redirect_target(followed) == f"{SUBSCRIPTIONS}?gevolgd=1"
    listed = mark.get(redirect_target(followed)).body.decode()
    assert '<div class="saved" role="status"><p>U volgt dit nu.</p></div>' in listed
    assert list(_stop_forms(listed)) == ["Natuur en landschap · Zeist"]
    # AND the JSON API shows the same subscription
    (subscription,) = _api(client, "/api/me/subscriptions")["subscriptions"]
    assert (subscription["topics"], subscription["gemeenten"], subscription["origin"]) == (
        ["natuur-en-landschap"],
        ["GM0355"],
        "self",
    )
    assert _audited(app_log, "follow") == [(MARK, 303)]


def test_mark_stops_what_he_follows_with_its_button_and_stopping_again_is_harmless(client):
    mark, csrf = _logged_in(client)
    for topic in ("grondbeheer", "subsidies"):
        assert _post(mark, SUBSCRIPTIONS, [("csrf", csrf), ("topic", topic)]).status_code == 303
    stops = _stop_forms(mark.get(SUBSCRIPTIONS).body.decode())
    assert set(stops) == {"Grondbeheer en beschikbare gronden", "Subsidies"}

    # WHEN he stops the grants
    stopped = mark.post(stops["Subsidies"], {"csrf": csrf})

    # THEN only land is left, on the page and in the API
    assert redirect_target(stopped) == f"{SUBSCRIPTIONS}?gestopt=1"
    page = mark.get(redirect_target(stopped)).body.decode()
    assert "U volgt dit niet meer." in page
    assert list(_stop_forms(page)) == ["Grondbeheer en beschikbare gronden"]
    assert [s["topics"] for s in _api(client, "/api/me/subscriptions")["subscriptions"]] == [["grondbeheer"]]
    # AND pressing the button again (an old tab) changes nothing
    assert redirect_target(mark.post(stops["Subsidies"], {"csrf": csrf})) == f"{SUBSCRIPTIONS}?gestopt=1"
    assert len(_api(client, "/api/me/subscriptions")["subscriptions"]) == 1


def test_his_own_case_is_listed_apart_with_what_it_means_and_no_button_to_stop_it(client, pipeline):
    created = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps({**CASE, "initiator": MARK}))
    assert created.status_code == 201
    pipeline.run()
    mark, csrf = _logged_in(client)
    page = mark.get(SUBSCRIPTIONS).body.decode()
    case = body(created)

    # THEN his case is under Uw zaken, linking to it, with what following it means and where to choose how
    assert f'<a class="utrecht-link" href="/mijn-zaken/{case["id"]}?lang=nl">{case["case_number"]}</a>' in page
    assert "Over uw eigen zaken krijgt u altijd berichten. U hoeft ze niet te volgen, en stoppen kan niet." in page
    assert "Elk bericht over uw zaak staat in uw berichtenbox." in page
    assert '<a class="utrecht-link" href="/mijn-voorkeuren?lang=nl">Kies hoe en hoe vaak u berichten krijgt</a>' in page
    # AND nothing on the page stops it
    assert _stop_forms(page) == {}
    assert "Klik op" not in page

    # AND a stop posted anyway (an old page, a crafted form) is refused on the page, and he still follows it
    (own,) = _api(client, "/api/me/subscriptions")["subscriptions"]
    refused = mark.post(f"{SUBSCRIPTIONS}/{own['id']}/stoppen", {"csrf": csrf})
    assert refused.status_code == 409
    refused_page = refused.body.decode()
    assert "<title>Fout: Wat ik volg" in refused_page
    assert "Over uw eigen zaak krijgt u altijd berichten in uw berichtenbox." in refused_page
    assert [s["state"] for s in _api(client, "/api/me/subscriptions")["subscriptions"]] == ["active"]


def test_someone_elses_subscription_cannot_be_stopped_from_the_page(client):
    mark, csrf = _logged_in(client)
    _post(mark, SUBSCRIPTIONS, [("csrf", csrf), ("topic", "grondbeheer")])
    (path,) = _stop_forms(mark.get(SUBSCRIPTIONS).body.decode()).values()

    jan, jans_csrf = _logged_in(client, "jan")
    assert jan.post(path, {"csrf": jans_csrf}).status_code == 404
    assert jan.post(f"{SUBSCRIPTIONS}/not-an-id/stoppen", {"csrf": jans_csrf}).status_code == 404
    assert len(_api(client, "/api/me/subscriptions")["subscriptions"]) == 1


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ([], "Onderwerpen: Kies minstens een onderwerp, een gemeente of een gebied."),
        ([("topic", "grondbeheer"), ("topic", "bouwen"), ("gemeente", "GM0355")], "Onderwerpen: Dit onderwerp kennen wij niet."),
        ([("topic", "grondbeheer"), ("gemeente", "GM9999")], "Gemeente: Deze gemeente ligt niet in de provincie Utrecht."),
    ],
)
def test_a_mistake_in_what_to_follow_is_named_on_the_form_and_nothing_is_followed(client, app_log, fields, error):
    mark, csrf = _logged_in(client)

    answer = _post(mark, SUBSCRIPTIONS, [("csrf", csrf), *fields])

    assert answer.status_code == 400
    page = answer.body.decode()
    anchor = "gemeente" if error.startswith("Gemeente") else "topics"
    # the summary at the top links to the field; the field says what is wrong and points to it
    assert re.search(rf'<div class="errors" role="alert"[^>]*>.*<a href="#{anchor}">{re.escape(error)}</a>', page, re.S)
    assert f'<p class="error-message" id="{anchor}-error">{error}</p>' in page
    assert re.search(rf'id="{anchor}"[^>]*aria-describedby="[^"]*{anchor}-error"', page)
    # what was chosen is still chosen
    for name, value in fields:
        if (name, value) == ("topic", "grondbeheer"):
            assert 'name="topic" value="grondbeheer" checked' in page
    if ("gemeente", "GM0355") in fields:
        assert '<option value="GM0355" selected>' in page
    assert _api(client, "/api/me/subscriptions")["subscriptions"] == []
    assert _audited(app_log, "follow") == [(MARK, 400)]


# Mijn voorkeuren -------------------------------------------------------------------------------------------


def test_mark_saves_his_preferences_and_reads_them_back_on_the_page_and_in_the_api(client, app_log):
    mark, csrf = _logged_in(client, start=PREFERENCES)
    page = mark.get(PREFERENCES).body.decode()
    assert 'name="channel" value="email" checked> Per e-mail (mark.visser@example.org)' in page
    assert 'name="channel" value="letter">' in page
    assert 'name="frequency" value="immediately" checked' in page

    # WHEN he chooses e-mail and letters, English, once a day, no e-mail at night, and types his address
    saved = _post(
        mark,
        PREFERENCES,
        [
            ("csrf", csrf),
            ("channel", "email"),
            ("channel", "letter"),
            ("language", "en"),
            ("frequency", "daily"),
            ("quiet_hours", "on"),
            *ADDRESS.items(),
        ],
    )

    # THEN the page says they are saved and shows them
    assert redirect_target(saved) == f"{PREFERENCES}?opgeslagen=1"
    page = mark.get(redirect_target(saved)).body.decode()
    assert '<div class="saved" role="status"><p>Uw keuzes zijn opgeslagen.</p></div>' in page
    for shown in (
        'name="channel" value="email" checked',
        'name="channel" value="letter" checked',
        'name="language" value="en" checked',
        'name="frequency" value="daily" checked',
        'name="quiet_hours" value="on" checked',
        'id="postcode" name="postcode" value="3941 AB"',
    ):
        assert shown in page, shown
    assert 'name="channel" value="portal" checked' not in page
    # AND the JSON API reads the same
    preferences = _api(client, "/api/me/preferences")
    assert {k: preferences[k] for k in ("channels", "language", "frequency", "quiet_hours")} == {
        "channels": ["email", "letter"],
        "language": "en",
        "frequency": "daily",
        "quiet_hours": True,
    }
    assert preferences["postal_address"] == {**ADDRESS, "postcode": "3941 AB"}
    assert _audited(app_log, "set_preferences") == [(MARK, 303)]


@pytest.mark.parametrize(
    ("fields", "anchor", "error"),
    [
        (
            [("language", "nl"), ("frequency", "daily")],
            "channels",
            "Hoe u berichten krijgt: Kies minstens één manier om berichten te krijgen.",
        ),
        (
            [("channel", "letter"), ("language", "nl"), ("frequency", "daily")],
            "postal_address",
            "Uw adres voor brieven: Voor brieven hebben wij uw adres nodig.",
        ),
        (
            [("channel", "letter"), ("language", "nl"), ("frequency", "daily"), *{**ADDRESS, "postcode": "0123"}.items()],
            "postcode",
            "Postcode: Dit heeft niet de goede vorm.",
        ),
        ([("channel", "portal"), ("language", "nl")], "frequency", "Hoe vaak: Dit veld is verplicht."),
        (
            [("channel", "portal"), ("language", "fr"), ("frequency", "daily")],
            "language",
            "Taal van de berichten: Deze waarde kan niet.",
        ),
        (
            [("channel", "fax"), ("language", "nl"), ("frequency", "daily")],
            "channels",
            "Hoe u berichten krijgt: Deze waarde kan niet.",
        ),
    ],
)
def test_a_mistake_in_the_preferences_is_named_on_the_form_and_nothing_is_saved(client, fields, anchor, error):
    mark, csrf = _logged_in(client, start=PREFERENCES)
    before = _api(client, "/api/me/preferences")

    answer = _post(mark, PREFERENCES, [("csrf", csrf), *fields])

    assert answer.status_code == 400
    page = answer.body.decode()
    assert f'<a href="#{anchor}">{error}</a>' in page
    assert f'<p class="error-message" id="{anchor}-error">{error}</p>' in page
    assert re.search(rf'id="{anchor}"[^>]*aria-describedby="[^"]*{anchor}-error"', page)
    # what was sent is shown back, not what was saved before
    for name, value in fields:
        if name in ADDRESS:
            assert f'name="{name}" value="{value}"' in page
    assert 'name="channel" value="email" checked' not in page
    assert _api(client, "/api/me/preferences") == before


# CSRF, login, staff, language ------------------------------------------------------------------------------


def test_a_form_without_the_sessions_csrf_token_changes_nothing(client, app_log):
    mark, csrf = _logged_in(client)
    _post(mark, SUBSCRIPTIONS, [("csrf", csrf), ("topic", "grondbeheer")])
    (stop_path,) = _stop_forms(mark.get(SUBSCRIPTIONS).body.decode()).values()
    subscriptions, preferences = _api(client, "/api/me/subscriptions"), _api(client, "/api/me/preferences")

    for path, fields in (
        (SUBSCRIPTIONS, [("topic", "subsidies")]),
        (stop_path, []),
        (PREFERENCES, [("channel", "portal"), ("language", "en"), ("frequency", "weekly")]),
    ):
        for token in ([], [("csrf", "not-the-sessions-token")]):
            # a form on another site, posted with Mark's cookie
            refused = _post(mark, path, [*token, *fields])
            assert refused.status_code == 403, path
            assert "Dit formulier is verlopen." in refused.body.decode()

    assert _api(client, "/api/me/subscriptions") == subscriptions
    assert _api(client, "/api/me/preferences") == preferences
    refusals = [line for line in app_log.audit() if line["result"] == 403]
    assert [(line["action"], line["actor"]) for line in refusals] == [
        ("follow", MARK),
        ("follow", MARK),
        ("stop_subscription", MARK),
        ("stop_subscription", MARK),
        ("set_preferences", MARK),
        ("set_preferences", MARK),
    ]
    assert refusals[2]["object"] == stop_path


@pytest.mark.parametrize("path", [SUBSCRIPTIONS, PREFERENCES])
def test_without_a_session_the_pages_send_to_login_and_back(client, path):
    browser = Browser(client)
    assert redirect_target(browser.get(path)) == f"/inloggen?{urlencode({'next': path})}"
    assert browser.post(path, {"csrf": "x"}).status_code == 302
    register_personas("mark")
    assert redirect_target(log_in(browser, "mark", start=path)) == path


def test_the_pages_in_english(client):
    mark, csrf = _logged_in(client)
    page = mark.get(f"{SUBSCRIPTIONS}?lang=en").body.decode()
    assert '<html lang="en">' in page
    assert '<h1 class="utrecht-heading-1">What I follow</h1>' in page
    assert "Land management and available land" in page
    assert f'action="{SUBSCRIPTIONS}?lang=en"' in page

    followed = _post(mark, f"{SUBSCRIPTIONS}?lang=en", [("csrf", csrf), ("topic", "grondbeheer"), ("gemeente", "GM1581")])
    assert redirect_target(followed) == f"{SUBSCRIPTIONS}?gevolgd=1&lang=en"
    listed = mark.get(redirect_target(followed)).body.decode()
    assert "You now follow this." in listed
    assert 'aria-label="Stop: Land management and available land · Utrechtse Heuvelrug">Stop</button>' in listed
    assert "Land management and available land · Utrechtse Heuvelrug" in listed

    refused = _post(mark, f"{PREFERENCES}?lang=en", [("csrf", csrf), ("language", "nl"), ("frequency", "daily")])
    assert refused.status_code == 400
    assert '<a href="#channels">How you receive messages: Choose at least one way to receive messages.</a>' in (
        refused.body.decode()
    )
    saved = _post(
        mark, f"{PREFERENCES}?lang=en", [("csrf", csrf), ("channel", "portal"), ("language", "nl"), ("frequency", "weekly")]
    )
    assert redirect_target(saved) == f"{PREFERENCES}?opgeslagen=1&lang=en"
    assert "Your choices have been saved." in mark.get(redirect_target(saved)).body.decode()


def test_every_page_of_an_applicant_has_their_menu_and_logging_out_in_the_header(client):
    mark, _ = _logged_in(client, start="/mijn-zaken")
    for path, current in (
        ("/mijn-zaken", "Mijn zaken"),
        ("/berichten", "Berichtenbox"),
        (SUBSCRIPTIONS, "Wat ik volg"),
        (PREFERENCES, "Mijn voorkeuren"),
    ):
        page = mark.get(path).body.decode()
        header = re.search(r"<header .*?</header>", page, re.S)
        assert header, path
        nav = re.search(r'<nav aria-label="Mijn pagina&#39;s" class="utrecht-nav-bar">.*?</nav>', header.group(0), re.S)
        assert nav, path
        assert re.findall(r'href="([^"?]+)', nav.group(0)) == ["/mijn-zaken", "/berichten", SUBSCRIPTIONS, PREFERENCES]
        # the page shown is marked, for a screen reader and visibly (the layout draws a bar under it)
        assert re.findall(r'aria-current="page">([^<]+)<', nav.group(0)) == [current], path
        assert '<form method="post" action="/uitloggen">' in header.group(0), path
        assert '<a class="baken-service" href="/?lang=nl">Mijn Provincie</a>' in header.group(0)


def test_karin_acting_for_mark_follows_for_herself_as_the_api_does(client):
    karin, csrf = _logged_in(client, "karin")
    assert _post(karin, SUBSCRIPTIONS, [("csrf", csrf), ("topic", "vergunningen")]).status_code == 303
    assert [s["topics"] for s in _api(client, "/api/me/subscriptions", "karin")["subscriptions"]] == [["vergunningen"]]
    register_personas("mark")
    assert _api(client, "/api/me/subscriptions", "mark")["subscriptions"] == []


def test_staff_get_the_refusal_the_api_gives_them(client, app_log):
    # GIVEN Sanne of the KCC, logged in, with her session's token from a case page
    created = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps({**CASE, "initiator": MARK}))
    assert created.status_code == 201
    sanne = Browser(client)
    log_in(sanne, "sanne", start="/kcc")
    csrf = csrf_token(sanne.get(f"/kcc/zaken/{body(created)['id']}").body.decode())

    # THEN the pages refuse her too, reading and writing, and change nothing
    for path in (SUBSCRIPTIONS, PREFERENCES):
        refused = sanne.get(path)
        assert refused.status_code == 403
        assert "Deze pagina is voor inwoners en bedrijven" in refused.body.decode()
    assert _post(sanne, SUBSCRIPTIONS, [("csrf", csrf), ("topic", "grondbeheer")]).status_code == 403
    assert _post(sanne, PREFERENCES, [("csrf", csrf), ("channel", "portal"), ("language", "nl")]).status_code == 403
    sanne_id = PERSONAS["sanne"].claims["sub"]
    assert _audited(app_log, "follow") == _audited(app_log, "set_preferences") == [(sanne_id, 403)]
    assert _audited(app_log, "list_subscriptions") == _audited(app_log, "read_preferences") == [(sanne_id, 403)]
    # AS the API does
    assert client.http.get("/api/me/subscriptions", headers=headers("sanne")).status_code == 403
    assert client.http.get("/api/me/preferences", headers=headers("sanne")).status_code == 403


FORM_FIELDS = st.sampled_from(["topic", "gemeente", "channel", "language", "frequency", "quiet_hours", *ADDRESS, "csrf", "x"])
CHOSEN = st.lists(
    st.tuples(FORM_FIELDS, st.text(max_size=30) | st.sampled_from(["grondbeheer", "GM0355", "letter", "en", "daily"])),
    max_size=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_form_mark_can_post_gives_a_server_error(client, data):
    mark, csrf = _logged_in(client)
    path = data.draw(
        st.sampled_from([SUBSCRIPTIONS, PREFERENCES, f"{SUBSCRIPTIONS}/{'0' * 8}-0000-4000-8000-{'0' * 12}/stoppen"])
    )
    fields = data.draw(CHOSEN, label="form")

    answer = _post(mark, path, [("csrf", csrf), *fields])

    assert answer.status_code in (303, 400, 403, 404, 413), (path, fields, answer.status_code)
    if answer.status_code != 303:
        assert answer.headers["Content-Type"] == "text/html; charset=utf-8"


def test_mark_follows_roadworks_within_3_km_of_zeist_and_sees_it_listed(client):
    register_personas("mark")
    mark = Browser(client)
    log_in(mark, "mark", start="/mijn-abonnementen")
    csrf = csrf_token(mark.get("/mijn-abonnementen").body.decode())

    followed = mark.post(
        "/mijn-abonnementen", {"csrf": csrf, "topic": "wegen-en-werkzaamheden", "area_centre": "GM0355", "area_radius": "3000"}
    )

    assert followed.status_code == 303
    mine = json.loads(client.http.get("/api/me/subscriptions", headers=headers("mark")).body)["subscriptions"]
    (circle,) = [s["area"]["circle"] for s in mine if s.get("area")]
    assert circle["radius_m"] == 3000
    assert (round(circle["lat"], 2), round(circle["lon"], 2)) == (52.09, 5.23)
    assert "in het gebied dat u koos" in mark.get("/mijn-abonnementen").body.decode()


def test_a_made_up_area_is_named_and_nothing_is_followed(client):
    register_personas("mark")
    mark = Browser(client)
    log_in(mark, "mark", start="/mijn-abonnementen")
    csrf = csrf_token(mark.get("/mijn-abonnementen").body.decode())
    before = json.loads(client.http.get("/api/me/subscriptions", headers=headers("mark")).body)["subscriptions"]

    answer = mark.post("/mijn-abonnementen", {"csrf": csrf, "area_centre": "GM0355", "area_radius": "999999"})

    assert answer.status_code == 400
    assert 'href="#area_centre"' in answer.body.decode()
    assert json.loads(client.http.get("/api/me/subscriptions", headers=headers("mark")).body)["subscriptions"] == before


def test_a_subscription_whose_index_is_being_built_is_listed_as_being_set_up(client, pipeline):
    mark, csrf = _logged_in(client)

    # WHEN Mark follows a gemeente from the page, before the subscriptions stream has built its index
    followed = _post(mark, SUBSCRIPTIONS, [("csrf", csrf), ("gemeente", "GM0355")])

    # THEN it is listed, with its stop button, and said to be set up still; the API says indexed: false
    listed = mark.get(redirect_target(followed)).body.decode()
    assert len(_stop_forms(listed)) == 1
    assert "Wordt ingesteld." in listed
    assert [s["indexed"] for s in _api(client, "/api/me/subscriptions")["subscriptions"]] == [False]
    # AND once the stream has run, it no longer is
    pipeline.index_all()
    assert "Wordt ingesteld." not in mark.get(SUBSCRIPTIONS).body.decode()
    assert [s["indexed"] for s in _api(client, "/api/me/subscriptions")["subscriptions"]] == [True]
