"""Mark sends what is asked: the upload form on his case page (an S3 presigned POST), the confirmation that checks
and records the file, the list of what he sent in, downloads for the case's parties and staff only, and Anna's
verdict (accepted, or asked again with a reason, which reaches Mark through the stream like any request) — over
HTTP through the Chalice test client, on moto's S3 and DynamoDB, with the stream read back.

The browser's POST to S3 is S3's own work: here the file is put where the form lets the browser put it, and the
browser then comes back to the address S3 would send it to."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import urlencode, urlsplit

import boto3
import pytest

from chalicelib import wiring
from chalicelib.domain import documents
from tests.integration.browsing import CASE, csrf_token, redirect_target, signed_in
from tests.integration.conftest import PERSONAS, headers, register_personas

PDF = b"%PDF-1.7\n" + b"begroting " * 200
BEGROTING = "Begroting 2027"


def _case_with_request(client: Any, omschrijving: str = BEGROTING) -> tuple[dict[str, Any], str]:
    register_personas("mark", "jan")
    body = {**CASE, "initiator": PERSONAS["mark"].claims["sub"]}
    case = json.loads(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(body)).body)
    requested = client.http.post(
        f"/api/cases/{case['id']}/document-requests",
        headers=headers("anna"),
        body=json.dumps({"documents": [{"omschrijving": omschrijving, "due": "2099-01-15"}]}),
    )
    assert requested.status_code == 201, requested.body
    return case, json.loads(requested.body)["missing_documents"][0]["id"]


def _upload_form(page: str, document_id: str) -> dict[str, str]:
    """The hidden fields of the upload form for ``document_id``, and its action."""
    form = re.search(r'<form method="post" action="([^"]+)" enctype="multipart/form-data".*?</form>', page, re.DOTALL)
    assert form, "no upload form"
    assert f'id="file-{document_id}"' in form.group(0)
    fields = {html.unescape(n): html.unescape(v) for n, v in re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(0))}
    return {**fields, "action": html.unescape(form.group(1))}


def _send(stack: Any, form: dict[str, str], filename: str, content: bytes) -> str:
    """What the browser and S3 do with the form: the file lands under the form's key, and the browser is sent back
    to ``success_action_redirect`` with the bucket and key (as S3 does)."""
    key = form["key"].replace("${filename}", filename)
    s3 = boto3.client("s3", region_name="eu-west-1")  # the stack's own session would get boto3's S3 helpers twice
    s3.put_object(Bucket=wiring.services().settings.documents_bucket, Key=key, Body=content)
    back = urlsplit(form["success_action_redirect"])
    return f"{back.path}?{back.query}&{urlencode({'bucket': 'x', 'key': key})}"


def _keys(stack: Any) -> list[str]:
    listed = boto3.client("s3", region_name="eu-west-1").list_objects_v2(Bucket=wiring.services().settings.documents_bucket)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def _staff_case(client: Any, case_id: str) -> dict[str, Any]:
    return json.loads(client.http.get(f"/api/cases/{case_id}", headers=headers("anna")).body)


def test_mark_sends_the_begroting_sees_it_received_and_anna_accepts_it(client, stack, pipeline, daytime):
    case, document_id = _case_with_request(client)
    path = f"/mijn-zaken/{case['id']}"
    mark = signed_in(client, "mark", path)
    page = mark.get(path)
    text = page.body.decode()
    # the action box says what, by when (a date, not in brackets) and how
    assert "Wat u moet doen" in text
    assert BEGROTING in text
    assert "Stuur dit uiterlijk op <strong>15 januari 2099</strong>" in text
    form = _upload_form(text, document_id)
    assert form["Content-Type"] == documents.UPLOAD_CONTENT_TYPE
    assert form["key"].startswith(f"incoming/{case['id']}/{document_id}/")
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(form["action"]))
    assert f"form-action 'self' {origin}" in page.headers["Content-Security-Policy"]

    back = _send(stack, form, "begroting 2027.pdf", PDF)
    confirmed = mark.get(back)

    assert confirmed.status_code == 303
    assert f"?ontvangen={document_id}" in confirmed.headers["Location"]
    assert confirmed.headers["Location"].endswith("#bevestiging")
    shown = mark.get(redirect_target(confirmed)).body.decode()
    assert "Wij hebben uw bestand ontvangen" in shown
    assert "begroting 2027.pdf" in shown
    assert "Ontvangen, nog niet beoordeeld" in shown
    document = _staff_case(client, case["id"])["documents"][0]
    (file,) = document["files"]
    assert document["state"] == "received"
    assert (file["filename"], file["content_type"], file["size"]) == ("begroting 2027.pdf", "application/pdf", len(PDF))
    import base64
    import hashlib

    assert file["sha256"] == base64.b64encode(hashlib.sha256(PDF).digest()).decode()
    # kept under Baken's own key; the upload itself is gone
    assert _keys(stack) == [f"cases/{case['id']}/{document_id}/{file['id']}"]

    # the confirmation sent again records nothing new
    assert mark.get(back).status_code == 303
    assert len(_staff_case(client, case["id"])["documents"][0]["files"]) == 1

    # Mark downloads it through a short-lived link; Anna too; Jan, a stranger, finds nothing
    link = redirect_target(mark.get(f"{path}/bestanden/{file['id']}"))
    assert f"cases/{case['id']}/{document_id}/{file['id']}" in link
    anna = signed_in(client, "anna", f"/werk/zaken/{case['id']}")
    assert anna.get(f"/werk/zaken/{case['id']}/bestanden/{file['id']}").status_code == 303
    jan = signed_in(client, "jan", "/mijn-zaken")
    assert jan.get(f"{path}/bestanden/{file['id']}").status_code == 404
    # the KCC sees what Mark sees, the file too
    sanne = signed_in(client, "sanne", f"/kcc/zaken/{case['id']}")
    assert f'href="/werk/zaken/{case["id"]}/bestanden/{file["id"]}"' in sanne.get(f"/kcc/zaken/{case['id']}").body.decode()
    assert sanne.get(f"/werk/zaken/{case['id']}/bestanden/{file['id']}").status_code == 303

    # Anna sees "nieuw document" on her work list, and accepts it on the case page
    assert "Nieuw document" in anna.get("/werk").body.decode()
    work = anna.get(f"/werk/zaken/{case['id']}").body.decode()
    assert "Nieuwe documenten beoordelen" in work
    accepted = anna.post(
        f"/werk/zaken/{case['id']}/documenten/{document_id}/beoordeling",
        {"csrf": csrf_token(work), "document": document_id, "oordeel": "accepted", "actie": "versturen"},
    )
    assert accepted.status_code == 303
    assert "?opgeslagen=geaccepteerd" in accepted.headers["Location"]
    assert accepted.headers["Location"].endswith("#bevestiging")
    assert "Geaccepteerd" in mark.get(path).body.decode()
    assert "Nieuw document" not in anna.get("/werk").body.decode()


def test_a_document_asked_again_reaches_mark_with_the_reason_through_the_stream(client, stack, pipeline):
    case, document_id = _case_with_request(client)
    pipeline.run()
    path = f"/mijn-zaken/{case['id']}"
    mark = signed_in(client, "mark", path)
    assert mark.get(_send(stack, _upload_form(mark.get(path).body.decode(), document_id), "b.pdf", PDF)).status_code == 303
    anna = signed_in(client, "anna", f"/werk/zaken/{case['id']}")
    work = anna.get(f"/werk/zaken/{case['id']}").body.decode()
    review = f"/werk/zaken/{case['id']}/documenten/{document_id}/beoordeling"

    without_reason = anna.post(review, {"csrf": csrf_token(work), "document": document_id, "oordeel": "asked_again"})
    assert without_reason.status_code == 400
    assert '<a href="#reden">' in without_reason.body.decode()

    asked = anna.post(
        review,
        {"csrf": csrf_token(work), "document": document_id, "oordeel": "asked_again", "reden": "De btw ontbreekt."},
    )
    assert asked.status_code == 303
    pipeline.run()

    messages = json.loads(client.http.get("/api/me/berichtenbox", headers=headers("mark")).body)["messages"]
    newest = messages[0]
    assert newest["kind"] == "documents_requested"
    assert "De btw ontbreekt." in newest["body"]
    page = mark.get(path).body.decode()
    assert "Wij vragen dit opnieuw. De reden: De btw ontbreekt." in page
    assert "Opnieuw gevraagd" in page
    _upload_form(page, next(iter(_staff_case(client, case["id"])["missing_documents"]))["id"])


@pytest.mark.parametrize(
    ("filename", "content", "problem"),
    [
        ("begroting.pdf", b"MZ\x90\x00 not a pdf", "Dit bestand kunnen wij niet gebruiken"),
        ("begroting.exe", PDF, "Dit bestand kunnen wij niet gebruiken"),
        ("begroting.pdf", b"", "Het bestand is leeg"),
        ("begroting.pdf", PDF + b"x" * 2_000, "Het bestand is te groot"),
    ],
)
def test_a_bad_file_gets_a_clear_error_and_nothing_is_kept(client, stack, monkeypatch, filename, content, problem):
    monkeypatch.setattr(documents, "MAX_BYTES", len(PDF) + 1_000)
    case, document_id = _case_with_request(client)
    path = f"/mijn-zaken/{case['id']}"
    mark = signed_in(client, "mark", path)

    refused = mark.get(_send(stack, _upload_form(mark.get(path).body.decode(), document_id), filename, content))

    page = refused.body.decode()
    assert refused.status_code == 400
    assert "<title>Fout:" in page
    assert f'<a href="#file-{document_id}">' in page  # the summary links to the field
    assert f'id="file-{document_id}-error"' in page
    assert problem in page
    assert _keys(stack) == []
    assert _staff_case(client, case["id"])["documents"][0]["files"] == []


def test_hostile_confirmations_record_nothing(client, stack):
    case, document_id = _case_with_request(client)
    other, other_document = _case_with_request(client, "Jaarrekening")
    path = f"/mijn-zaken/{case['id']}"
    mark = signed_in(client, "mark", path)
    form = _upload_form(mark.get(path).body.decode(), document_id)
    back = _send(stack, form, "b.pdf", PDF)
    confirm = back.split("?")[0]
    query = dict(part.split("=", 1) for part in back.split("?")[1].split("&"))

    # a key of another case or document, or made up: refused, naming the file field
    foreign = f"incoming/{other['id']}/{other_document}/abc/b.pdf"
    assert mark.get(f"{confirm}?{urlencode({'check': query['check'], 'key': foreign})}").status_code == 400
    assert mark.get(f"{confirm}?{urlencode({'check': query['check'], 'key': 'cases/x/y/z'})}").status_code == 400
    # the right key without the check that ties it to Mark's session (a link from elsewhere): refused
    key = form["key"].replace("${filename}", "b.pdf")
    assert mark.get(f"{confirm}?{urlencode({'check': '0' * 32, 'key': key})}").status_code == 400
    # Jan confirms on Mark's case: it is not there for him
    jan = signed_in(client, "jan", "/mijn-zaken")
    assert jan.get(back).status_code == 404
    # an upload that never arrived
    missing = _upload_form(mark.get(path).body.decode(), document_id)
    never = urlsplit(missing["success_action_redirect"])
    absent = urlencode({"key": missing["key"].replace("${filename}", "x.pdf")})
    assert mark.get(f"{never.path}?{never.query}&{absent}").status_code == 400

    assert _staff_case(client, case["id"])["documents"][0]["files"] == []
    assert _staff_case(client, other["id"])["documents"][0]["files"] == []


def test_asking_again_for_a_document_still_open_is_warned_about(client):
    case, _ = _case_with_request(client)
    anna = signed_in(client, "anna", f"/werk/zaken/{case['id']}")
    work = anna.get(f"/werk/zaken/{case['id']}").body.decode()
    fields = {"csrf": csrf_token(work), "omschrijving": " begroting  2027 ", "actie": "versturen"}

    warned = anna.post(f"/werk/zaken/{case['id']}/documenten", fields)

    assert warned.status_code == 400
    assert re.search(r"U vroeg dit document al \(op \d{1,2} [a-z]+ 20\d\d\)", warned.body.decode())
    assert 'name="herhalen"' in warned.body.decode()
    assert len(_staff_case(client, case["id"])["missing_documents"]) == 1
    assert anna.post(f"/werk/zaken/{case['id']}/documenten", {**fields, "herhalen": "ja"}).status_code == 303
    assert len(_staff_case(client, case["id"])["missing_documents"]) == 2
    api = client.http.post(
        f"/api/cases/{case['id']}/document-requests",
        headers=headers("anna"),
        body=json.dumps({"documents": [{"omschrijving": BEGROTING}]}),
    )
    assert api.status_code == 400
    assert "documents.0.omschrijving" in api.body.decode()


def test_after_saving_a_message_the_page_opens_at_the_confirmation(client):
    case, _ = _case_with_request(client)
    anna = signed_in(client, "anna", f"/werk/zaken/{case['id']}")
    work = anna.get(f"/werk/zaken/{case['id']}").body.decode()
    sent = anna.post(
        f"/werk/zaken/{case['id']}/bericht", {"csrf": csrf_token(work), "text": "Wij kijken ernaar.", "actie": "versturen"}
    )
    assert "?opgeslagen=bericht" in sent.headers["Location"]
    assert sent.headers["Location"].endswith("#bevestiging")
    assert 'id="bevestiging"' in anna.get(redirect_target(sent)).body.decode()
