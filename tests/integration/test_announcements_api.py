"""Announcements through the JSON API, end to end on moto: one behandelaar drafts, previews the audience (numbers
only), and submits; a second one approves, and only then do the stream and delivery handlers tell the
followers of that topic in that place — and nobody else."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.integration.conftest import (
    PERSONAS,
    body,
    follow,
    headers,
    invalid_params,
    mailbox,
    mails_of,
    problem,
    register_personas,
)

DOORN = {"lat": 52.05, "lon": 5.37}
AMERSFOORT = {"lat": 52.1561, "lon": 5.3878}
DRAFT = {
    "title": "Landbouwgrond beschikbaar",
    "text": "Er komt landbouwgrond vrij bij Doorn.",
    "topic": "grondbeheer",
    "gemeenten": ["GM1581"],
    "point": DOORN,
    "link": {"url": "https://www.provincie-utrecht.nl/grond", "label": "Meer over de grond"},
}
FOLLOWERS = ("mark", "fatima")  # reached: the topic in the gemeente; a circle around the point
OTHERS = ("jan", "karin")  # not reached: the topic elsewhere; another topic there and a circle elsewhere


def followers(client) -> None:
    register_personas("mark", "fatima", "jan", "karin")
    follow(client, "mark", {"topics": ["grondbeheer"], "gemeenten": ["GM1581"]})
    follow(client, "fatima", {"area": {"circle": {**DOORN, "radius_m": 500}}})
    follow(client, "jan", {"topics": ["grondbeheer"], "gemeenten": ["GM0307"]})
    follow(client, "karin", {"topics": ["subsidies"], "gemeenten": ["GM1581"]})
    follow(client, "karin", {"area": {"circle": {**AMERSFOORT, "radius_m": 2000}}})


def draft(client, persona: str = "pieter", **changes: Any) -> str:
    response = client.http.post("/api/announcements", headers=headers(persona), body=json.dumps({**DRAFT, **changes}))
    assert response.status_code == 201, response.body
    return f"/api/announcements/{body(response)['id']}"


def act(client, url: str, action: str, persona: str, payload: str = "{}") -> Any:
    return client.http.post(f"{url}/{action}", headers=headers(persona), body=payload)


def test_an_approved_announcement_reaches_exactly_the_audience_its_preview_counted(client, pipeline):
    # GIVEN followers of the topic in the gemeente and around the point, and others who follow something else
    followers(client)
    # WHEN Pieter drafts an announcement and previews its audience
    url = draft(client)
    preview = act(client, url, "preview", "pieter")
    # THEN he sees numbers per channel, and nobody's identity
    assert preview.status_code == 200, preview.body
    assert body(preview) == {"subscribers": 2, "by_channel": {"email": 2, "portal": 2}}
    raw = preview.body.decode()
    assert not any(secret in raw for p in (*FOLLOWERS, *OTHERS) for secret in (PERSONAS[p].email, PERSONAS[p].claims["sub"]))

    # WHEN he submits it: nothing goes out yet
    submitted = act(client, url, "submit", "pieter")
    assert body(submitted)["status"] == "submitted"
    pipeline.run()
    assert mailbox() == []

    # WHEN Anna approves it
    approved = act(client, url, "approve", "anna")
    assert approved.status_code == 200, approved.body
    assert (body(approved)["status"], body(approved)["decided_by"]["id"]) == ("approved", "mdw-anna-bakker")
    pipeline.run()
    # THEN each follower got it once by e-mail and in the berichtenbox; nobody else heard anything
    assert mails_of(*FOLLOWERS, *OTHERS) == {"mark": 1, "fatima": 1, "jan": 0, "karin": 0}
    (mail,) = mailbox(PERSONAS["mark"].email)
    assert mail.subject == "Nieuws van de provincie: Landbouwgrond beschikbaar"
    assert "Er komt landbouwgrond vrij bij Doorn." in mail.text
    assert "Meer over de grond: https://www.provincie-utrecht.nl/grond" in mail.text
    for persona in FOLLOWERS:
        kinds = [m["kind"] for m in body(client.http.get("/api/me/berichtenbox", headers=headers(persona)))["messages"]]
        assert kinds == ["announcement"], persona


def test_an_announcement_about_an_area_reaches_circles_that_overlap_it_and_not_those_beside_it(client, pipeline):
    followers(client)
    square = [[5.36, 52.04], [5.38, 52.04], [5.38, 52.06], [5.36, 52.06], [5.36, 52.04]]  # [lon, lat], around Doorn
    url = draft(client, point=None, gemeenten=[], polygon={"type": "Polygon", "coordinates": [square]})
    assert body(act(client, url, "preview", "pieter"))["subscribers"] == 1
    act(client, url, "submit", "pieter")
    assert act(client, url, "approve", "anna").status_code == 200
    pipeline.run()
    assert mails_of(*FOLLOWERS, *OTHERS) == {"mark": 0, "fatima": 1, "jan": 0, "karin": 0}


def test_the_author_cannot_approve_or_reject_his_own_announcement(client, pipeline):
    followers(client)
    url = draft(client)
    act(client, url, "submit", "pieter")
    for action, payload in (("approve", "{}"), ("reject", '{"reason": "Toch niet"}')):
        refused = problem(act(client, url, action, "pieter", payload), 409)
        assert refused["code"] == "case_rule"
        assert refused["detail"] == "Een collega moet dit goedkeuren. U kunt uw eigen bericht niet goedkeuren."
    assert body(client.http.get(url, headers=headers("pieter")))["status"] == "submitted"
    pipeline.run()
    assert mailbox() == []


def test_applicants_and_the_kcc_cannot_write_read_or_decide_announcements(client):
    register_personas("mark", "karin")
    url = draft(client)
    act(client, url, "submit", "pieter")
    for persona in ("mark", "karin", "sanne"):
        problem(client.http.post("/api/announcements", headers=headers(persona), body=json.dumps(DRAFT)), 403)
        problem(client.http.get("/api/announcements", headers=headers(persona)), 403)
        problem(client.http.get(url, headers=headers(persona)), 403)
        problem(act(client, url, "approve", persona), 403)
    problem(client.http.post("/api/announcements", headers=headers(), body=json.dumps(DRAFT)), 401)
    assert body(client.http.get(url, headers=headers("anna")))["status"] == "submitted"


def test_approving_twice_is_harmless_and_sends_once(client, pipeline):
    followers(client)
    url = draft(client)
    act(client, url, "submit", "pieter")
    first, second = act(client, url, "approve", "anna"), act(client, url, "approve", "anna")
    assert (first.status_code, second.status_code) == (200, 200)
    assert body(first) == body(second)
    pipeline.run()
    assert mails_of(*FOLLOWERS) == {"mark": 1, "fatima": 1}
    # once sent, it can no longer be changed or sent back
    problem(client.http.put(url, headers=headers("pieter"), body=json.dumps(DRAFT)), 409)
    assert problem(act(client, url, "reject", "anna", '{"reason": "Te laat"}'), 409)["code"] == "case_rule"


def test_a_rejected_announcement_sends_nothing_until_it_is_revised_resubmitted_and_approved(client, pipeline):
    followers(client)
    url = draft(client)
    # a concept cannot be approved: it must be submitted first
    assert problem(act(client, url, "approve", "anna"), 409)["code"] == "case_rule"
    act(client, url, "submit", "pieter")
    assert invalid_params(act(client, url, "reject", "anna")) == {"reason": "required"}

    rejected = act(client, url, "reject", "anna", '{"reason": "Noem de oppervlakte."}')
    assert (body(rejected)["status"], body(rejected)["rejection_reason"]) == ("rejected", "Noem de oppervlakte.")
    pipeline.run()
    assert mailbox() == []
    assert problem(act(client, url, "approve", "anna"), 409)["code"] == "case_rule"

    # only the author revises it; then it goes round again
    assert problem(client.http.put(url, headers=headers("anna"), body=json.dumps(DRAFT)), 409)["code"] == "case_rule"
    revised = client.http.put(url, headers=headers("pieter"), body=json.dumps({**DRAFT, "text": "Er komt 12 hectare vrij."}))
    assert body(revised)["status"] == "concept"
    act(client, url, "submit", "pieter")
    assert act(client, url, "approve", "anna").status_code == 200
    pipeline.run()
    (mail,) = mailbox(PERSONAS["mark"].email)
    assert "Er komt 12 hectare vrij." in mail.text


def test_announcements_are_listed_and_read_by_behandelaars_and_an_unknown_one_is_404(client):
    url = draft(client)
    listed = body(client.http.get("/api/announcements", headers=headers("anna")))["announcements"]
    read = body(client.http.get(url, headers=headers("anna")))
    assert [a["id"] for a in listed] == [read["id"]]
    assert (read["status"], read["author"]["id"], read["point"]) == ("concept", "mdw-pieter-jansen", DOORN)
    problem(client.http.get(f"/api/announcements/{uuid.uuid4()}", headers=headers("anna")), 404)
    problem(client.http.post("/api/announcements/not-an-id/approve", headers=headers("anna"), body="{}"), 404)


def test_a_draft_that_cannot_be_sent_is_400_naming_the_field(client):
    bow_tie = [[5.36, 52.04], [5.38, 52.06], [5.38, 52.04], [5.36, 52.06], [5.36, 52.04]]
    for changes, expected in (
        ({"topic": "bouwen"}, {"topic": "unknown_topic"}),
        ({"gemeenten": ["GM9999"]}, {"gemeenten.0": "unknown_gemeente"}),
        ({"gemeenten": [], "point": None}, {"gemeenten": "place_required"}),
        ({"polygon": {"type": "Polygon", "coordinates": [bow_tie]}}, {"polygon": "one_area_only"}),
        ({"point": None, "polygon": {"type": "Polygon", "coordinates": [bow_tie]}}, {"polygon": "geometry_self_intersecting"}),
        ({"point": {"lat": 51.0, "lon": 5.37}}, {"point": "geometry_outside_province"}),
        ({"link": {"url": "http://example.org", "label": "x"}}, {"link.url": "expected_https_url"}),
        ({"title": ""}, {"title": "empty"}),
    ):
        refused = client.http.post("/api/announcements", headers=headers("pieter"), body=json.dumps({**DRAFT, **changes}))
        assert invalid_params(refused) == expected, changes
    assert body(client.http.get("/api/announcements", headers=headers("pieter")))["announcements"] == []
