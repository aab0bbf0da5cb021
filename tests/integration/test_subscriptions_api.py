"""Following things through the JSON API, end to end on moto: a logged-in person adds, lists, changes and
stops what they follow and chooses how they hear; every refused field is named with a code; and what they
follow is matched by the real stream and delivery handlers — once per person and channel, however many of
their subscriptions an event reaches."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.integration.conftest import PERSONAS, body, headers, invalid_params, mailbox, problem, register_personas

MARK, JAN, KARIN = PERSONAS["mark"], PERSONAS["jan"], PERSONAS["karin"]
ZEIST = {"lat": 52.0906, "lon": 5.2331}  # the centre of gemeente Zeist (GM0355)


def follow(client, persona: str, scope: dict[str, Any]) -> dict[str, Any]:
    response = client.http.post("/api/me/subscriptions", headers=headers(persona), body=json.dumps(scope))
    assert response.status_code == 201, response.body
    return dict(body(response))


def subscriptions_of(client, persona: str) -> list[dict[str, Any]]:
    response = client.http.get("/api/me/subscriptions", headers=headers(persona))
    assert response.status_code == 200, response.body
    return list(body(response)["subscriptions"])


def public_case(client, gemeente: str = "GM0355", point: dict[str, float] | None = None) -> dict[str, Any]:
    """An ontgrondingsvergunning (public: publicatie-indicatie, openbaar) registered by Anna for Jan; its first
    status, ``ontvangen``, is one people are told of."""
    case = {
        "zaaktype": "ontgrondingsvergunning",
        "omschrijving": "Zandwinning",
        "initiator": JAN.claims["sub"],
        "gemeenten": [gemeente],
        **({"point": point} if point else {}),
    }
    response = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(case))
    assert response.status_code == 201, response.body
    return dict(body(response))


def set_status(client, case: dict[str, Any], statustype: str) -> None:
    response = client.http.post(
        f"/api/cases/{case['id']}/status", headers=headers("anna"), body=json.dumps({"statustype": statustype})
    )
    assert response.status_code == 201, response.body


def berichtenbox_of(client, persona: str, case: dict[str, Any]) -> list[dict[str, Any]]:
    messages = body(client.http.get("/api/me/berichtenbox", headers=headers(persona)))["messages"]
    return [m for m in messages if m["case_id"] == case["id"]]


# Managing subscriptions -------------------------------------------------------------------------------------


def test_mark_adds_lists_changes_and_stops_his_own_subscriptions(client):
    register_personas("mark")
    # WHEN Mark follows permits in Zeist, and everything within 2 km of its centre
    permits = follow(client, "mark", {"topics": ["vergunningen"], "gemeenten": ["GM0355"]})
    nearby = follow(client, "mark", {"area": {"circle": {**ZEIST, "radius_m": 2000}}})

    # THEN both are active, made by himself, and listed
    assert (permits["topics"], permits["gemeenten"], permits["area"]) == (["vergunningen"], ["GM0355"], None)
    assert (permits["origin"], permits["state"], permits["case_id"]) == ("self", "active", None)
    assert nearby["area"] is not None
    assert {s["id"] for s in subscriptions_of(client, "mark")} == {permits["id"], nearby["id"]}

    # WHEN he changes the first: the same subscription, now following land in Utrechtse Heuvelrug
    changed = client.http.put(
        f"/api/me/subscriptions/{permits['id']}",
        headers=headers("mark"),
        body='{"topics": ["grondbeheer"], "gemeenten": ["GM1581"]}',
    )
    assert changed.status_code == 200, changed.body
    assert (body(changed)["id"], body(changed)["topics"], body(changed)["gemeenten"]) == (
        permits["id"],
        ["grondbeheer"],
        ["GM1581"],
    )

    # AND stops the second
    stopped = client.http.delete(f"/api/me/subscriptions/{nearby['id']}", headers=headers("mark"))
    assert (stopped.status_code, body(stopped)) == (200, {"stopped": nearby["id"]})

    # THEN only the changed one is left; stopping it again is harmless, changing it is no longer possible
    (left,) = subscriptions_of(client, "mark")
    assert (left["id"], left["topics"]) == (permits["id"], ["grondbeheer"])
    assert client.http.delete(f"/api/me/subscriptions/{nearby['id']}", headers=headers("mark")).status_code == 200
    problem(
        client.http.put(f"/api/me/subscriptions/{nearby['id']}", headers=headers("mark"), body='{"topics": ["subsidies"]}'), 404
    )
    assert [s["id"] for s in subscriptions_of(client, "mark")] == [permits["id"]]


def test_after_a_change_only_what_is_followed_now_is_matched(client, pipeline):
    # GIVEN Mark followed permits in Utrechtse Heuvelrug, then changed it to Zeist
    register_personas("mark")
    subscription = follow(client, "mark", {"topics": ["vergunningen"], "gemeenten": ["GM1581"]})
    client.http.put(
        f"/api/me/subscriptions/{subscription['id']}",
        headers=headers("mark"),
        body='{"topics": ["vergunningen"], "gemeenten": ["GM0355"]}',
    )
    # WHEN a permit case is opened in each
    public_case(client, "GM1581")
    pipeline.run()
    in_old_place = len(mailbox(MARK.email))
    zeist = public_case(client, "GM0355")
    pipeline.run()
    # THEN only Zeist's reached him
    assert in_old_place == 0
    (mail,) = mailbox(MARK.email)
    assert zeist["case_number"] in mail.text
    assert "Zeist" in mail.subject


def test_a_stopped_subscription_is_no_longer_matched(client, pipeline):
    register_personas("mark")
    subscription = follow(client, "mark", {"topics": ["vergunningen"], "gemeenten": ["GM0355"]})
    assert client.http.delete(f"/api/me/subscriptions/{subscription['id']}", headers=headers("mark")).status_code == 200
    case = public_case(client)
    pipeline.run()
    assert mailbox(MARK.email) == []
    assert berichtenbox_of(client, "mark", case) == []


# Validation -------------------------------------------------------------------------------------------------


def _ring(*corners: tuple[float, float]) -> list[list[float]]:
    """A closed GeoJSON ring from (lat, lon) corners."""
    return [[lon, lat] for lat, lon in (*corners, corners[0])]


SQUARE_IN_ZEIST = _ring((52.08, 5.22), (52.08, 5.25), (52.10, 5.25), (52.10, 5.22))
MANY_VERTICES = [[5.2331 + 0.01 * (i % 2), 52.0906 + 0.0001 * i] for i in range(300)]


REFUSED_SCOPES: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "unknown topic": ({"topics": ["bouwen"]}, {"topics.0": "unknown_topic"}),
    "unknown gemeente": ({"gemeenten": ["GM9999"]}, {"gemeenten.0": "unknown_gemeente"}),
    "not a gemeente code": ({"gemeenten": ["Zeist"]}, {"gemeenten.0": "invalid_format"}),
    "polygon not closed": (
        {"area": {"polygon": {"type": "Polygon", "coordinates": [SQUARE_IN_ZEIST[:-1]]}}},
        {"area.polygon": "geometry_not_closed"},
    ),
    "bow-tie polygon": (
        {
            "area": {
                "polygon": {"type": "Polygon", "coordinates": [_ring((52.08, 5.22), (52.10, 5.25), (52.08, 5.25), (52.10, 5.22))]}
            }
        },
        {"area.polygon": "geometry_self_intersecting"},
    ),
    "polygon in Groningen": (
        {
            "area": {
                "polygon": {"type": "Polygon", "coordinates": [_ring((53.20, 6.55), (53.20, 6.60), (53.23, 6.60), (53.23, 6.55))]}
            }
        },
        {"area.polygon": "geometry_outside_province"},
    ),
    "more than 500 vertices": (
        {
            "area": {
                "polygon": {"type": "Polygon", "coordinates": [[*MANY_VERTICES, *reversed(MANY_VERTICES[:-1]), MANY_VERTICES[0]]]}
            }
        },
        {"area.polygon": "geometry_too_many_vertices"},
    ),
    "radius too small": ({"area": {"circle": {**ZEIST, "radius_m": 50}}}, {"area.circle.radius_m": "out_of_range"}),
    "radius too large": ({"area": {"circle": {**ZEIST, "radius_m": 20_000}}}, {"area.circle.radius_m": "out_of_range"}),
    "circle and polygon": (
        {"area": {"circle": {**ZEIST, "radius_m": 500}, "polygon": {"type": "Polygon", "coordinates": [SQUARE_IN_ZEIST]}}},
        {"area": "one_area_only"},
    ),
    "nothing": ({}, {"topics": "nothing_to_follow"}),
    "somebody's case": ({"case_id": str(uuid.uuid4())}, {"case_id": "unknown_field"}),
}


def test_a_subscription_that_cannot_be_followed_is_400_naming_the_field_and_nothing_is_stored(client):
    register_personas("mark")
    for name, (scope, expected) in REFUSED_SCOPES.items():
        refused = client.http.post("/api/me/subscriptions", headers=headers("mark", language="en"), body=json.dumps(scope))
        assert invalid_params(refused) == expected, name
        assert all(p["reason"] and p["reason"] != p["code"] for p in body(refused)["invalidParams"]), name
    assert subscriptions_of(client, "mark") == []


def test_a_change_to_something_that_cannot_be_followed_is_refused_and_the_subscription_is_kept(client):
    register_personas("mark")
    kept = follow(client, "mark", {"topics": ["vergunningen"]})
    refused = client.http.put(
        f"/api/me/subscriptions/{kept['id']}",
        headers=headers("mark"),
        body='{"topics": ["vergunningen"], "gemeenten": ["GM9999"]}',
    )
    assert invalid_params(refused) == {"gemeenten.0": "unknown_gemeente"}
    assert subscriptions_of(client, "mark") == [kept]


def test_a_polygon_is_kept_as_sent_and_matches_cases_inside_it_but_not_just_outside(client, pipeline):
    register_personas("mark")
    polygon = {"type": "Polygon", "coordinates": [SQUARE_IN_ZEIST]}
    made = follow(client, "mark", {"topics": ["vergunningen"], "area": {"polygon": polygon}})
    assert made["area"] == {"polygon": polygon}
    assert subscriptions_of(client, "mark") == [made]

    public_case(client, point={"lat": 52.1004, "lon": 5.235})  # some 45 m north of its edge
    pipeline.run()
    assert mailbox(MARK.email) == []
    inside = public_case(client, point=ZEIST)
    pipeline.run()
    (mail,) = mailbox(MARK.email)
    assert inside["case_number"] in mail.text


def test_an_unknown_item_is_named_by_its_place_in_the_list_that_was_sent(client):
    register_personas("mark")
    for scope, expected in (
        ({"topics": ["vergunningen", "bouwen"]}, {"topics.1": "unknown_topic"}),
        ({"gemeenten": ["GM9999", "GM0355"]}, {"gemeenten.0": "unknown_gemeente"}),
    ):
        refused = client.http.post("/api/me/subscriptions", headers=headers("mark"), body=json.dumps(scope))
        assert invalid_params(refused) == expected


# Access -------------------------------------------------------------------------------------------------------


def test_someone_elses_subscription_looks_exactly_like_one_that_does_not_exist(client):
    register_personas("mark", "jan")
    marks = follow(client, "mark", {"topics": ["vergunningen"], "gemeenten": ["GM0355"]})
    for method, kwargs in (("PUT", {"body": '{"topics": ["subsidies"]}'}), ("DELETE", {})):
        theirs = client.http.request(method, f"/api/me/subscriptions/{marks['id']}", headers=headers("jan"), **kwargs)
        missing = client.http.request(method, f"/api/me/subscriptions/{uuid.uuid4()}", headers=headers("jan"), **kwargs)
        assert problem(theirs, 404) == problem(missing, 404)
    assert subscriptions_of(client, "jan") == []
    assert subscriptions_of(client, "mark") == [marks]


def test_without_a_token_the_answer_is_401_before_the_body_is_read(client):
    for method, path in (
        ("GET", "/api/me/subscriptions"),
        ("POST", "/api/me/subscriptions"),
        ("PUT", f"/api/me/subscriptions/{uuid.uuid4()}"),
        ("DELETE", f"/api/me/subscriptions/{uuid.uuid4()}"),
        ("GET", "/api/me/preferences"),
        ("PUT", "/api/me/preferences"),
    ):
        response = client.http.request(method, path, headers=headers(), body=b"{not json" if method in {"POST", "PUT"} else None)
        assert problem(response, 401)["code"] == "unauthenticated", (method, path)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_staff_have_no_subscriptions_of_their_own(client):
    problem(client.http.get("/api/me/subscriptions", headers=headers("sanne")), 403)
    problem(client.http.post("/api/me/subscriptions", headers=headers("anna"), body='{"topics": ["vergunningen"]}'), 403)


# Matching --------------------------------------------------------------------------------------------------


def test_overlapping_subscriptions_give_one_notification_per_channel_for_each_public_status(client, pipeline):
    # GIVEN Mark follows the same permits four ways: the topic in Zeist, everything in Zeist, the topic
    # anywhere, and a circle around the centre of Zeist
    register_personas("mark")
    for scope in (
        {"topics": ["vergunningen"], "gemeenten": ["GM0355"]},
        {"gemeenten": ["GM0355"]},
        {"topics": ["vergunningen"]},
        {"area": {"circle": {**ZEIST, "radius_m": 2000}}},
    ):
        follow(client, "mark", scope)

    # WHEN a public permit case opens at that point (its first status is told)
    case = public_case(client, "GM0355", point=ZEIST)
    pipeline.run()
    # THEN one e-mail, as a follower (no case content), and one berichtenbox message
    (mail,) = mailbox(MARK.email)
    assert mail.subject == "Nieuws over een ontgrondingsvergunning in de gemeente Zeist"
    assert case["case_number"] in mail.text
    assert len(berichtenbox_of(client, "mark", case)) == 1

    # WHEN a status people are not told of is set, and then the decision
    set_status(client, case, "in-behandeling")
    pipeline.run()
    assert len(mailbox(MARK.email)) == 1
    set_status(client, case, "besluit-genomen")
    pipeline.run()
    # THEN exactly one more of each
    assert len(mailbox(MARK.email)) == 2
    assert len(berichtenbox_of(client, "mark", case)) == 2


def test_a_case_that_is_not_public_is_news_for_nobody_but_its_parties(client, pipeline):
    register_personas("mark", "jan")
    follow(client, "mark", {"topics": ["subsidies"], "gemeenten": ["GM1581"]})
    follow(client, "mark", {"gemeenten": ["GM1581"]})
    case = {
        "zaaktype": "subsidie-duurzame-recreatie",
        "omschrijving": "Wandelroute",
        "initiator": JAN.claims["sub"],
        "gemeenten": ["GM1581"],
    }
    assert client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(case)).status_code == 201
    pipeline.run()
    assert mailbox(MARK.email) == []
    assert len(mailbox(JAN.email)) == 1


# Preferences -----------------------------------------------------------------------------------------------


def test_preferences_are_read_and_changed_and_apply_to_subscriptions_made_before(client, pipeline):
    # GIVEN Mark, known with his e-mail address, follows permits in Zeist
    register_personas("mark")
    follow(client, "mark", {"topics": ["vergunningen"], "gemeenten": ["GM0355"]})
    assert body(client.http.get("/api/me/preferences", headers=headers("mark"))) == {
        "email": MARK.email,
        "channels": ["email", "portal"],
        "reachable_channels": ["email", "portal"],
        "language": "nl",
        "frequency": "immediately",
        "quiet_hours": False,
        "postal_address": None,
    }

    # WHEN he chooses the berichtenbox only, in English
    wanted = {"channels": ["portal"], "language": "en", "frequency": "immediately", "quiet_hours": True}
    changed = client.http.put("/api/me/preferences", headers=headers("mark"), body=json.dumps(wanted))
    assert changed.status_code == 200, changed.body
    read = body(client.http.get("/api/me/preferences", headers=headers("mark")))
    assert {k: read[k] for k in wanted} == wanted

    # THEN news reaches his berichtenbox, in English, and no longer his e-mail
    case = public_case(client)
    pipeline.run()
    assert mailbox(MARK.email) == []
    (message,) = berichtenbox_of(client, "mark", case)
    assert message["title"].startswith("News")


def test_a_new_language_is_the_language_of_the_next_email(client, pipeline):
    register_personas("mark")
    follow(client, "mark", {"topics": ["vergunningen"]})
    english = {"channels": ["email"], "language": "en", "frequency": "immediately", "quiet_hours": False}
    assert client.http.put("/api/me/preferences", headers=headers("mark"), body=json.dumps(english)).status_code == 200
    public_case(client)
    pipeline.run()
    (mail,) = mailbox(MARK.email)
    assert mail.subject == "News about a case in the municipality of Zeist: Excavation permit"
    assert mail.headers["Content-Language"] == "en"


REFUSED_PREFERENCES: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "letter without address": ({"channels": ["email", "letter"]}, {"postal_address": "required_for_letters"}),
    "no channel": ({"channels": []}, {"channels": "required_channel"}),
    "unknown channel": ({"channels": ["sms"]}, {"channels.0": "not_allowed"}),
    "unknown language": ({"language": "de"}, {"language": "not_allowed"}),
    "unknown frequency": ({"frequency": "hourly"}, {"frequency": "not_allowed"}),
    "not a boolean": ({"quiet_hours": "yes"}, {"quiet_hours": "expected_boolean"}),
    "bad postcode": (
        {
            "postal_address": {
                "naam": "M. Visser",
                "straat": "Dorpsstraat",
                "huisnummer": "1",
                "postcode": "0123 AB",
                "woonplaats": "Doorn",
            }
        },
        {"postal_address.postcode": "invalid_format"},
    ),
    "an e-mail address": ({"email": "ander@example.org"}, {"email": "unknown_field"}),
}


def test_preferences_that_cannot_work_are_refused_naming_the_field_and_nothing_changes(client):
    register_personas("mark")
    before = body(client.http.get("/api/me/preferences", headers=headers("mark")))
    for name, (change, expected) in REFUSED_PREFERENCES.items():
        wanted = {"channels": ["email"], "language": "nl", "frequency": "daily", "quiet_hours": True, **change}
        refused = client.http.put("/api/me/preferences", headers=headers("mark"), body=json.dumps(wanted))
        assert invalid_params(refused) == expected, name
    assert body(client.http.get("/api/me/preferences", headers=headers("mark"))) == before


def test_the_eleventh_preference_change_in_an_hour_is_429_with_retry_after_and_changes_nothing(client):
    register_personas("mark")
    for turn in range(10):
        wanted = {"channels": ["email"], "language": "nl", "frequency": ("daily", "weekly")[turn % 2], "quiet_hours": True}
        assert client.http.put("/api/me/preferences", headers=headers("mark"), body=json.dumps(wanted)).status_code == 200
    before = body(client.http.get("/api/me/preferences", headers=headers("mark")))
    wanted = {"channels": ["portal"], "language": "en", "frequency": "immediately", "quiet_hours": False}
    refused = client.http.put("/api/me/preferences", headers=headers("mark"), body=json.dumps(wanted))
    assert problem(refused, 429)["code"] == "too_many_requests"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert body(client.http.get("/api/me/preferences", headers=headers("mark"))) == before


def test_letters_are_reachable_once_there_is_a_postal_address(client):
    register_personas("mark")
    address = {"naam": "M. Visser", "straat": "Dorpsstraat", "huisnummer": "1", "postcode": "3941ab", "woonplaats": "Doorn"}
    wanted = {"channels": ["letter"], "language": "nl", "frequency": "weekly", "quiet_hours": False, "postal_address": address}
    changed = client.http.put("/api/me/preferences", headers=headers("mark"), body=json.dumps(wanted))
    assert changed.status_code == 200, changed.body
    read = body(client.http.get("/api/me/preferences", headers=headers("mark")))
    assert (read["channels"], read["reachable_channels"], read["frequency"]) == (["letter"], ["letter"], "weekly")
    assert read["postal_address"] == {**address, "postcode": "3941AB"}


# Parties of a case -----------------------------------------------------------------------------------------


def _marks_case(client) -> dict[str, Any]:
    case = {
        "zaaktype": "subsidie-duurzame-recreatie",
        "omschrijving": "Duurzame recreatie Heuvelrug",
        "initiator": MARK.claims["sub"],
        "gemeenten": ["GM1581"],
    }
    response = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(case))
    assert response.status_code == 201, response.body
    return dict(body(response))


def test_a_gemachtigde_added_to_marks_case_is_told_of_its_status_changes(client, pipeline):
    # GIVEN Mark's case, its opening already told
    register_personas("mark", "karin", "jan")
    case = _marks_case(client)
    pipeline.run()
    assert mailbox(KARIN.email) == []

    # WHEN Anna registers Karin as acting for Mark (twice: the second time changes nothing)
    url = f"/api/cases/{case['id']}/gemachtigden"
    added = client.http.post(url, headers=headers("anna"), body=json.dumps({"subject": KARIN.claims["sub"]}))
    again = client.http.post(url, headers=headers("anna"), body=json.dumps({"subject": KARIN.claims["sub"]}))
    assert (added.status_code, again.status_code) == (201, 200)
    set_status(client, case, "in-behandeling")
    pipeline.run()

    # THEN Karin is told of the new status, as a party, once; Jan, unrelated, is told nothing
    (mail,) = mailbox(KARIN.email)
    assert mail.subject == f"Nieuwe informatie over uw zaak {case['case_number']}"
    assert len(mailbox(MARK.email)) == 2
    assert mailbox(JAN.email) == []
    # AND she sees that she follows the case
    (followed,) = subscriptions_of(client, "karin")
    assert (followed["case_id"], followed["origin"]) == (case["id"], "automatic")


def test_only_staff_register_a_gemachtigde(client):
    register_personas("mark")
    case = _marks_case(client)
    for persona in ("mark", "karin", "sanne"):
        problem(
            client.http.post(
                f"/api/cases/{case['id']}/gemachtigden",
                headers=headers(persona),
                body=json.dumps({"subject": KARIN.claims["sub"]}),
            ),
            403,
        )
    refused = client.http.post(f"/api/cases/{case['id']}/gemachtigden", headers=headers("anna"), body='{"subject": "123456782"}')
    assert invalid_params(refused) == {"subject": "invalid_subject"}


def test_a_party_cannot_stop_or_change_following_their_own_case_and_keeps_hearing_of_it(client, pipeline):
    register_personas("mark")
    case = _marks_case(client)
    pipeline.run()
    (own,) = subscriptions_of(client, "mark")
    refused = client.http.put(f"/api/me/subscriptions/{own['id']}", headers=headers("mark"), body='{"topics": ["subsidies"]}')
    assert invalid_params(refused) == {"scope": "case_subscription_fixed"}

    # WHEN Mark tries to stop his own case
    answer = problem(client.http.delete(f"/api/me/subscriptions/{own['id']}", headers=headers("mark")), 409)

    # THEN the answer names the rule and what to do instead, and nothing changed
    assert (answer["code"], answer["type"]) == ("case_rule", "urn:baken:problem:case_rule")
    assert "Mijn voorkeuren" in answer["detail"]
    assert "berichtenbox" in answer["detail"]
    assert [(s["id"], s["state"]) for s in subscriptions_of(client, "mark")] == [(own["id"], "active")]
    set_status(client, case, "in-behandeling")
    pipeline.run()
    assert len(mailbox(MARK.email)) == 2  # the opening, and the new status


def test_a_party_whose_own_case_was_stopped_in_old_data_still_hears_of_it_as_they_chose(client, pipeline):
    """Before, Wat ik volg had a Stoppen button for one's own case. A party it stopped is reached all the same:
    matching takes the parties from the case itself (domain/matching.py), so nothing is migrated."""
    from chalicelib import wiring
    from chalicelib.domain.subscriptions import SubscriptionState, case_subscription_id

    register_personas("mark", "fatima")
    fatima = PERSONAS["fatima"]
    created = client.http.post(
        "/api/cases",
        headers=headers("anna"),
        body=json.dumps(
            {
                "zaaktype": "subsidie-duurzame-recreatie",
                "omschrijving": "Duurzame recreatie Heuvelrug",
                "initiator": MARK.claims["sub"],
                "co_initiators": [fatima.claims["sub"]],
                "gemeenten": ["GM1581"],
            }
        ),
    )
    case = dict(body(created))
    pipeline.run()
    # GIVEN Fatima's automatic subscription was stopped (as the old button did), and its index entry is gone
    repository = wiring.adapters().subscriptions
    own = repository.get(case_subscription_id(case["id"], fatima.claims["sub"]))
    assert own is not None
    repository.store(own.revised(state=SubscriptionState.CANCELLED))
    pipeline.run()
    assert [e.subscriber_id for e in repository.entries_of(f"case#{case['id']}")] == [MARK.claims["sub"]]
    before = len(mailbox(fatima.email))

    # WHEN she chooses e-mail only, and Anna posts a message
    chosen = client.http.put(
        "/api/me/preferences",
        headers=headers("fatima"),
        body=json.dumps({"channels": ["email"], "language": "en", "frequency": "immediately", "quiet_hours": False}),
    )
    assert chosen.status_code == 200, chosen.body
    posted = client.http.post(
        f"/api/cases/{case['id']}/messages",
        headers=headers("anna"),
        body=json.dumps({"text": "Uw plan heeft ook een vergunning van het waterschap nodig."}),
    )
    assert posted.status_code == 201, posted.body
    pipeline.run()

    # THEN she finds it in her berichtenbox, and gets the e-mail she chose, in English
    assert [m["kind"] for m in berichtenbox_of(client, "fatima", case)].count("message_posted") == 1
    mails = mailbox(fatima.email)  # newest first
    assert len(mails) == before + 1
    assert mails[0].subject == f"New message about your case {case['case_number']}"


def test_the_unsubscribe_link_in_a_case_e_mail_says_it_stops_all_e_mail_and_the_berichtenbox_keeps_everything(client, pipeline):
    from urllib.parse import urlencode

    from tests.integration.browsing import FORM
    from tests.integration.conftest import link_token

    register_personas("mark")
    case = _marks_case(client)
    pipeline.run()
    (mail,) = mailbox(MARK.email)

    # THEN the e-mail names what its link stops, and what stays
    assert "stop alle e-mail van ons</a>" in mail.html
    assert "Berichten over uw zaak blijven wel in uw berichtenbox komen." in mail.html
    assert "Stop alle e-mail: " in mail.text
    assert ">meld u af<" not in mail.html

    # AND the page the link opens says it once more before anything changes
    token = link_token(mail.text, "/afmelden")
    page = client.http.get(f"/afmelden?{urlencode({'token': token})}").body.decode()
    assert "krijgt u geen e-mail meer van ons: niet over uw zaken en niet over wat u volgt." in page
    assert "Dan blijven alle berichten daarover in uw berichtenbox komen." in page
    assert "Klik op" not in page

    # WHEN he presses the button, and Anna sets a new status
    pressed = client.http.post("/afmelden", headers=FORM, body=urlencode({"token": token}))
    assert pressed.status_code == 200
    assert "U krijgt geen e-mail meer van ons." in pressed.body.decode()
    set_status(client, case, "in-behandeling")
    pipeline.run()

    # THEN no e-mail, and the message is in his berichtenbox
    assert len(mailbox(MARK.email)) == 1
    assert len(berichtenbox_of(client, "mark", case)) == 2
