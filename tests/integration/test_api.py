"""The JSON API over the Chalice test client on moto: answers, errors as problem details naming the field,
access rules, and nothing written when a request is refused."""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import pytest

from tests.integration.conftest import body, headers, register_personas

CASE = {
    "zaaktype": "subsidie-duurzame-recreatie",
    "omschrijving": "Duurzame recreatie Heuvelrug",
    "initiator": "pu-mark-3f9a1c",
    "co_initiators": ["pu-fatima-8d21e4"],
    "gemeenten": ["GM1581"],
}


@pytest.fixture
def marks_case(client):
    register_personas("mark", "fatima", "jan")
    response = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE))
    assert response.status_code == 201, response.body
    return body(response)


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    answer = body(response)
    assert answer["status"] == status
    return answer


def test_health_and_the_catalogue_are_open_to_everyone(client):
    assert body(client.http.get("/api/health")) == {"status": "ok", "stage": "local"}
    zaaktypen = body(client.http.get("/api/zaaktypen", headers={"Accept-Language": "en"}))["zaaktypen"]
    subsidy = next(z for z in zaaktypen if z["identificatie"] == "subsidie-duurzame-recreatie")
    assert subsidy["omschrijving"] == "Grant for sustainable recreation"
    assert (subsidy["doorlooptijd"], subsidy["servicenorm"]) == ("P13W", "P8W")
    assert next(s["statustype"] for s in subsidy["statustypen"]) == "ontvangen"
    problem(client.http.get("/api/zaaktypen/bouwvergunning"), 404)


def test_a_created_case_is_answered_as_the_staff_see_it(client, marks_case):
    assert marks_case["case_number"].startswith("SUB-")
    assert marks_case["status"]["statustype"] == "ontvangen"
    assert marks_case["deadline"]["doorlooptijd"] == "P13W"
    assert marks_case["initiator"] == "pu-mark-3f9a1c"
    assert marks_case["location"]["gemeenten"] == [{"code": "GM1581", "naam": "Utrechtse Heuvelrug"}]
    found = client.http.get(f"/api/cases?case_number={marks_case['case_number']}", headers=headers("sanne"))
    assert body(found)["id"] == marks_case["id"]


def test_without_a_token_or_with_a_bad_one_the_answer_is_401_with_a_bearer_challenge(client, marks_case):
    for auth in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic YTpi"}):
        response = client.http.get(f"/api/me/cases/{marks_case['id']}", headers=auth)
        problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_kcc_may_read_but_never_change_a_case(client, marks_case):
    assert client.http.get(f"/api/cases/{marks_case['id']}", headers=headers("sanne")).status_code == 200
    answer = problem(
        client.http.post(
            f"/api/cases/{marks_case['id']}/status", headers=headers("sanne"), body='{"statustype": "in-behandeling"}'
        ),
        403,
    )
    assert answer["code"] == "forbidden"


def test_another_behandelaar_may_not_change_annas_case(client, marks_case):
    problem(client.http.post(f"/api/cases/{marks_case['id']}/messages", headers=headers("pieter"), body='{"text": "Hallo"}'), 403)


def test_someone_elses_case_looks_exactly_like_a_case_that_does_not_exist(client, marks_case):
    theirs = client.http.get(f"/api/me/cases/{marks_case['id']}", headers=headers("jan"))
    missing = client.http.get(f"/api/me/cases/{uuid.uuid4()}", headers=headers("jan"))
    assert problem(theirs, 404) == problem(missing, 404)


def test_a_query_parameter_naming_another_person_is_ignored(client, marks_case):
    mine = body(client.http.get("/api/me/cases?subject=pu-mark-3f9a1c&applicant=pu-mark-3f9a1c", headers=headers("jan")))
    assert mine == {"cases": []}


def test_mark_and_the_person_acting_for_him_see_his_case_without_the_staff_fields(client, marks_case):
    for persona in ("mark", "karin"):
        seen = body(client.http.get(f"/api/me/cases/{marks_case['id']}", headers=headers(persona)))
        assert seen["case_number"] == marks_case["case_number"]
        assert "initiator" not in seen
        assert "id" not in seen["behandelaar"]
    listed = body(client.http.get("/api/me/cases", headers=headers("mark")))["cases"]
    assert [c["case_number"] for c in listed] == [marks_case["case_number"]]


def test_bad_fields_are_named_in_dutch_or_in_english(client, marks_case):
    bad = {**CASE, "initiator": "123456782", "gemeenten": ["GM9999"], "role": "behandelaar"}
    dutch = problem(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(bad)), 400)
    english = problem(client.http.post("/api/cases", headers=headers("anna", language="en"), body=json.dumps(bad)), 400)
    assert {p["name"] for p in dutch["invalidParams"]} == {"initiator", "role"}
    assert dutch["title"] == "De gegevens kloppen niet."
    assert english["title"] == "The data is not valid."
    reasons = {p["name"]: p["reason"] for p in english["invalidParams"]}
    assert reasons["role"] == "This field is not known."


def test_an_unknown_statustype_is_400_naming_it(client, marks_case):
    answer = problem(
        client.http.post(f"/api/cases/{marks_case['id']}/status", headers=headers("anna"), body='{"statustype": "goedgekeurd"}'),
        400,
    )
    assert answer["invalidParams"] == [
        {"name": "statustype", "code": "unknown_statustype", "reason": "Deze status bestaat niet bij dit soort zaak."}
    ]


def test_a_status_for_a_case_that_does_not_exist_is_404(client, marks_case):
    problem(
        client.http.post(f"/api/cases/{uuid.uuid4()}/status", headers=headers("anna"), body='{"statustype": "in-behandeling"}'),
        404,
    )


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"{not json", 400),
        (b'{"text": "\xff"}', 400),
        (b'{"text": "a\x00"}', 400),
        (b'{"text": "a", "text": "b"}', 400),
        (b"[" * 3000 + b"]" * 3000, 400),
        (b'{"text": "' + b"x" * 70_000 + b'"}', 413),
    ],
    ids=["broken json", "invalid utf-8", "nul byte", "repeated key", "deep nesting", "too large"],
)
def test_unreadable_bodies_are_refused_and_never_a_500(client, marks_case, raw, status):
    problem(client.http.post(f"/api/cases/{marks_case['id']}/messages", headers=headers("anna"), body=raw), status)


def test_another_content_type_and_another_method_get_problem_answers_too(client, marks_case):
    problem(client.http.post("/api/cases", headers={**headers("anna"), "Content-Type": "text/plain"}, body="x"), 415)
    response = client.http.put("/api/health", headers=headers())
    assert problem(response, 405)["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "GET"


def test_a_closed_case_refuses_a_new_status_with_a_reason(client, marks_case):
    client.http.post(f"/api/cases/{marks_case['id']}/status", headers=headers("anna"), body='{"statustype": "besluit-genomen"}')
    answer = problem(
        client.http.post(
            f"/api/cases/{marks_case['id']}/status", headers=headers("anna"), body='{"statustype": "in-behandeling"}'
        ),
        409,
    )
    assert answer["detail"] == "De zaak is afgesloten."


def test_a_refused_request_writes_nothing(client, pipeline):
    # GIVEN an empty stack
    register_personas("mark")
    pipeline.run()
    # WHEN a behandelaar sends a case with a bad field, and the KCC tries to create one
    client.http.post("/api/cases", headers=headers("anna"), body=json.dumps({**CASE, "gemeenten": ["GM0000"]}))
    client.http.post("/api/cases", headers=headers("sanne"), body=json.dumps(CASE))
    # THEN no case exists and the stream carries no change
    assert body(client.http.get("/api/me/cases", headers=headers("mark"))) == {"cases": []}
    assert pipeline.stream.poll_once() == 0
    assert pipeline.stream.stats.invocations == 0


def test_setting_the_same_status_twice_changes_nothing_the_second_time(client, marks_case):
    url = f"/api/cases/{marks_case['id']}/status"
    first = client.http.post(url, headers=headers("anna"), body='{"statustype": "in-behandeling"}')
    second = client.http.post(url, headers=headers("anna"), body='{"statustype": "in-behandeling"}')
    assert (first.status_code, second.status_code) == (201, 200)
    assert body(second)["version"] == body(first)["version"]


def test_documents_messages_deadline_changes_and_contacts_show_on_the_timeline(client, marks_case):
    case_url = f"/api/cases/{marks_case['id']}"
    anna = headers("anna")
    requested = body(
        client.http.post(f"{case_url}/document-requests", headers=anna, body='{"documents": [{"omschrijving": "Begroting"}]}')
    )
    document = requested["missing_documents"][0]["id"]
    client.http.post(
        f"{case_url}/messages",
        headers=anna,
        body='{"text": "Zie het loket", "link": {"url": "https://omgevingswet.overheid.nl", "label": "Loket"}}',
    )
    client.http.post(f"{case_url}/suspension", headers=anna, body='{"reden": "Wachten op de begroting"}')
    paused = body(client.http.get(case_url, headers=anna))["deadline"]
    assert (paused["due"], paused["state"]) == (None, "paused")
    client.http.post(f"{case_url}/document-requests/{document}/received", headers=anna, body="{}")
    resumed = body(client.http.delete(f"{case_url}/suspension", headers=anna))
    assert resumed["deadline"]["due"] is not None
    assert resumed["missing_documents"] == []
    contact = client.http.post(
        f"{case_url}/contact-moments",
        headers=headers("sanne"),
        body='{"kanaal": "telefoon", "onderwerp": "Loket", "inhoud": "Uitgelegd.", "vertrouwelijk": false}',
    )
    assert body(contact)["medewerker"]["naam"] == "Sanne de Boer"
    kinds = [entry["kind"] for entry in body(client.http.get(case_url, headers=anna))["timeline"]]
    assert {"status", "documents_requested", "document_received", "message", "suspended", "resumed", "contact"} <= set(kinds)
    assert kinds[0] == "contact"


YEAR_ONE = b'"plaatsgevonden_op": "0001-01-01T00:00:00+14:00"'
ONCE_SERVER_ERRORS = [
    pytest.param("GET", "/api/me/berichtenbox?limit=%C2%B2", None, 400, id="superscript limit"),
    pytest.param("GET", "/api/me/berichtenbox?after=..%2F..", None, 400, id="odd after"),
    pytest.param("POST", "/api/cases/{id}/extension", b'{"duur": "P99999999Y", "reden": "x"}', 400, id="huge years"),
    pytest.param("POST", "/api/cases/{id}/extension", b'{"duur": "P99999999999D", "reden": "x"}', 400, id="huge days"),
    pytest.param("POST", "/api/cases/{id}/messages", b'{"text": ' + b"1" * 5000 + b"}", 400, id="huge number"),
    pytest.param(
        "POST",
        "/api/cases/{id}/contact-moments",
        b'{"kanaal": "telefoon", "onderwerp": "x", "inhoud": "y", "vertrouwelijk": false, ' + YEAR_ONE + b"}",
        400,
        id="year one",
    ),
    pytest.param("GET", "/api/cases/" + "x" * 3000, None, 400, id="long id"),  # too long to be any id: named
    pytest.param("GET", "/api/me/cases/%00", None, 404, id="nul id"),
    pytest.param("POST", "/api/cases/{id}/document-requests/not-a-uuid/received", b"{}", 404, id="bad document"),
    pytest.param("POST", "/api/me/berichtenbox/" + "a" * 2000 + "/read", b"{}", 400, id="long message id"),
]


@pytest.mark.parametrize(("method", "path", "raw", "status"), ONCE_SERVER_ERRORS)
def test_inputs_that_once_caused_server_errors_are_client_errors(client, marks_case, method, path, raw, status):
    persona = "sanne" if "contact-moments" in path else ("mark" if "/me/" in path else "anna")
    response = client.http.request(method, path.replace("{id}", marks_case["id"]), headers=headers(persona), body=raw)
    problem(response, status)


def test_a_token_whose_roles_claim_is_not_a_list_is_refused(client, marks_case):
    from chalicelib import wiring

    issuer = wiring.adapters().dev_issuer
    assert issuer is not None
    token = issuer.issue({"sub": "mdw-someone", "roles": 7})
    problem(client.http.get(f"/api/cases/{marks_case['id']}", headers={"Authorization": f"Bearer {token}"}), 401)


def test_a_contact_moment_needs_an_explicit_choice_whether_the_applicant_may_read_it(client, marks_case):
    answer = problem(
        client.http.post(
            f"/api/cases/{marks_case['id']}/contact-moments",
            headers=headers("sanne"),
            body='{"kanaal": "telefoon", "onderwerp": "x", "inhoud": "Beller klinkt geirriteerd"}',
        ),
        400,
    )
    assert [p["name"] for p in answer["invalidParams"]] == ["vertrouwelijk"]


def test_tags_of_a_contact_moment_are_kept_clean_and_shown_to_staff_only(client, marks_case):
    case_url = f"/api/cases/{marks_case['id']}"
    call = {"kanaal": "telefoon", "onderwerp": "Loket", "inhoud": "Uitgelegd.", "vertrouwelijk": False}
    recorded = client.http.post(
        f"{case_url}/contact-moments", headers=headers("sanne"), body=json.dumps({**call, "tags": ["DSO ", "termijn", "dso"]})
    )
    assert (recorded.status_code, body(recorded)["tags"]) == (201, ["dso", "termijn"])
    (staff,) = [
        e["contact"] for e in body(client.http.get(case_url, headers=headers("anna")))["timeline"] if e["kind"] == "contact"
    ]
    assert staff["tags"] == ["dso", "termijn"]
    mine = body(client.http.get(f"/api/me/cases/{marks_case['id']}", headers=headers("mark")))
    assert "contact" not in {e["kind"] for e in mine["timeline"]}  # no sentence for him: he sees nothing of it
    # AND a contact without tags has none
    untagged = client.http.post(f"{case_url}/contact-moments", headers=headers("sanne"), body=json.dumps(call))
    assert body(untagged)["tags"] == []


def test_a_contact_moment_keeps_its_internal_note_from_the_applicant_who_sees_only_the_sentence_for_them(client, marks_case):
    case_url = f"/api/cases/{marks_case['id']}"
    call = {
        "kanaal": "telefoon",
        "onderwerp": "Vergunning waterschap",
        "inhoud": "Uitgelegd hoe hij de vergunning aanvraagt.",
        "for_applicant": "U belde ons over de vergunning van het waterschap.",
        "vertrouwelijk": False,
    }
    recorded = client.http.post(f"{case_url}/contact-moments", headers=headers("sanne"), body=json.dumps(call))
    assert recorded.status_code == 201
    assert (body(recorded)["inhoud"], body(recorded)["for_applicant"]) == (call["inhoud"], call["for_applicant"])
    (staff,) = [e for e in body(client.http.get(case_url, headers=headers("anna")))["timeline"] if e["kind"] == "contact"]
    assert (staff["text"], staff["contact"]["for_applicant"]) == (call["inhoud"], call["for_applicant"])
    mine = client.http.get(f"/api/me/cases/{marks_case['id']}", headers=headers("mark"))
    (seen,) = [e for e in body(mine)["timeline"] if e["kind"] == "contact"]
    assert (seen["text"], seen["contact"]["inhoud"]) == (call["for_applicant"], call["for_applicant"])
    assert set(seen["contact"]) == {"id", "kanaal", "inhoud", "plaatsgevonden_op", "taal", "indicatie_contact_gelukt"}
    assert "aanvraagt" not in mine.body.decode()
    assert "Vergunning waterschap" not in mine.body.decode()


def test_a_confidential_contact_moment_with_a_sentence_for_the_applicant_is_400_naming_it(client, marks_case):
    case_url = f"/api/cases/{marks_case['id']}"
    call = {"kanaal": "telefoon", "onderwerp": "Klacht", "inhoud": "Boos.", "for_applicant": "U belde.", "vertrouwelijk": True}
    answer = problem(client.http.post(f"{case_url}/contact-moments", headers=headers("sanne"), body=json.dumps(call)), 400)
    assert [(p["name"], p["code"]) for p in answer["invalidParams"]] == [("for_applicant", "not_with_vertrouwelijk")]
    timeline = body(client.http.get(case_url, headers=headers("anna")))["timeline"]
    assert "contact" not in {entry["kind"] for entry in timeline}


def test_wrong_tags_are_400_naming_each_and_nothing_is_recorded(client, marks_case):
    case_url = f"/api/cases/{marks_case['id']}"
    call = {"kanaal": "telefoon", "onderwerp": "Loket", "inhoud": "Uitgelegd.", "vertrouwelijk": False}
    for tags, expected in (
        (["dso", "twee woorden", "-x"], {"tags.1": "invalid_tag", "tags.2": "invalid_tag"}),
        (["dso"] * 11, {"tags": "too_many_items"}),
        ("dso,termijn", {"tags": "expected_array"}),
    ):
        answer = problem(
            client.http.post(f"{case_url}/contact-moments", headers=headers("sanne"), body=json.dumps({**call, "tags": tags})),
            400,
        )
        assert {p["name"]: p["code"] for p in answer["invalidParams"]} == expected
    timeline = body(client.http.get(case_url, headers=headers("anna")))["timeline"]
    assert "contact" not in {entry["kind"] for entry in timeline}


def test_staff_find_the_cases_of_a_person_by_e_mail_address_and_applicants_may_not(client, marks_case, app_log):
    search = "/api/cases/search"
    found = client.http.post(search, headers=headers("sanne"), body='{"email": " Mark.Visser@example.org "}')
    assert [(c["id"], c["case_number"]) for c in body(found)["cases"]] == [(marks_case["id"], marks_case["case_number"])]
    assert body(client.http.post(search, headers=headers("anna"), body='{"email": "fatima.elamrani@example.org"}'))["cases"]
    # nobody with that address, and somebody (Jan) without cases: nothing
    for address in ("niemand@example.org", "jan.degroot@example.org"):
        assert body(client.http.post(search, headers=headers("sanne"), body=json.dumps({"email": address}))) == {"cases": []}
    problem(client.http.post(search, headers=headers("mark"), body='{"email": "jan.degroot@example.org"}'), 403)
    assert {
        p["name"]: p["code"]
        for p in problem(client.http.post(search, headers=headers("sanne"), body='{"email": "mark"}'), 400)["invalidParams"]
    } == {"email": "expected_email"}
    # every search is in the audit log; no address is in any log line
    audits = [(a["actor"], a["object"], a["result"]) for a in app_log.audit() if a["action"] == "find_cases_by_email"]
    assert audits[0] == ("mdw-sanne-deboer", search, 200)
    assert ("pu-mark-3f9a1c", search, 403) in audits
    assert len(audits) == 6
    assert not [line for line in app_log.lines() if "example.org" in line]


def test_98_status_changes_of_1000_emoji_each_are_all_stored_and_the_timeline_pages_through_them(client, marks_case):
    # GIVEN Mark's case, and status texts of 1,000 emoji (4,000 bytes each: the byte limit of a toelichting)
    case_url = f"/api/cases/{marks_case['id']}"
    anna, toelichting = headers("anna"), "\U0001f600" * 1000
    # WHEN Anna changes its status 98 times with such a text (once a 500 "Item size has exceeded", later a 409)
    answers = []
    for turn in range(98):
        change = {"statustype": ("in-behandeling", "aanvullende-informatie-nodig")[turn % 2], "toelichting": toelichting}
        answers.append(client.http.post(f"{case_url}/status", headers=anna, body=json.dumps(change)))
    # THEN every change is stored
    assert {answer.status_code for answer in answers} == {201}
    # AND the timeline shows the newest 20, and pages through all 99 statuses with ``before``
    seen: list[str] = []
    before = None
    while True:
        read = client.http.get(case_url + (f"?before={quote(before, safe='')}" if before else ""), headers=anna)
        assert read.status_code == 200, read.body
        case = body(read)
        seen.extend(entry["ref"] for entry in case["timeline"] if entry["kind"] == "status")
        before = case["timeline_earlier"]
        if before is None:
            break
    assert len(seen) == len(set(seen)) == 99
    # AND Mark sees the same on his own case
    assert len(body(client.http.get(f"/api/me/cases/{marks_case['id']}", headers=headers("mark")))["timeline"]) == 20


def test_a_text_over_its_byte_limit_is_400_naming_the_field_and_the_limit_never_a_500(client, marks_case):
    case_url, anna = f"/api/cases/{marks_case['id']}", headers("anna")
    # 1,001 emoji: fewer characters than the limit's bytes, but 4,004 bytes
    over = {"statustype": "in-behandeling", "toelichting": "\U0001f600" * 1001}
    refused = problem(client.http.post(f"{case_url}/status", headers=anna, body=json.dumps(over)), 400)
    assert [(p["name"], p["code"]) for p in refused["invalidParams"]] == [("toelichting", "too_many_bytes")]
    assert "4000 bytes" in refused["invalidParams"][0]["reason"]
    message = {"text": "Zie", "link": {"url": "https://example.org", "label": "é" * 241}}
    refused = problem(client.http.post(f"{case_url}/messages", headers=anna, body=json.dumps(message)), 400)
    assert [(p["name"], p["code"]) for p in refused["invalidParams"]] == [("link.label", "too_many_bytes")]
    documents = {"documents": [{"omschrijving": "\U0001f600" * 201}]}
    refused = problem(client.http.post(f"{case_url}/document-requests", headers=anna, body=json.dumps(documents)), 400)
    assert [p["name"] for p in refused["invalidParams"]] == ["documents.0.omschrijving"]
    # AND nothing was stored
    assert body(client.http.get(case_url, headers=anna))["version"] == marks_case["version"]


def test_a_timeline_cursor_that_names_no_moment_is_400_naming_before(client, marks_case):
    refused = problem(client.http.get(f"/api/cases/{marks_case['id']}?before=case%23x", headers=headers("anna")), 400)
    assert [p["name"] for p in refused["invalidParams"]] == ["before"]


def test_a_status_change_writes_the_case_item_and_its_history_item_in_one_transaction(client, marks_case, monkeypatch):
    from botocore.client import BaseClient

    calls: list[tuple[str, dict]] = []
    original = BaseClient._make_api_call

    def recording(self, operation, params):
        calls.append((operation, params))
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    # WHEN Anna sets a status
    change = {"statustype": "in-behandeling", "toelichting": "Wij kijken ernaar"}
    answer = client.http.post(f"/api/cases/{marks_case['id']}/status", headers=headers("anna"), body=json.dumps(change))
    assert answer.status_code == 201
    # THEN the case is written with exactly one TransactWriteItems of two items: the case item (its version checked)
    # and its new history item (written once); no other write touches the case
    (transaction,) = [params for operation, params in calls if operation == "TransactWriteItems"]
    puts = [item["Put"] for item in transaction["TransactItems"]]
    assert [put["Item"].get("kind", {}).get("S") for put in puts] == ["case", "status"]
    assert (puts[0]["ConditionExpression"], puts[0]["ExpressionAttributeNames"]) == ("#0 = :0", {"#0": "version"})
    assert puts[1]["ConditionExpression"] == "attribute_not_exists (#0)"
    assert puts[1]["Item"]["sk"]["S"].startswith("history#")
    assert puts[1]["Item"]["pk"]["S"] == f"case#{marks_case['id']}"
    case_writes = [op for op, params in calls if op in ("PutItem", "UpdateItem") and "cases" in params.get("TableName", "")]
    assert case_writes == []
