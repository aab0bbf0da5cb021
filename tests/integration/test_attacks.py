"""Bad input and attacks (RELIABILITY.md, "Bad input and attacks" 1–15), each with the answer it must get, over
HTTP through the Chalice test client on moto, with e-mail read back as raw MIME from moto's SES.

Where an attack is already proven elsewhere the test is not repeated; the comment under its number says where.
Attack 16 (forged bounce notices) is proven with the SES feedback handling.

 1. Another applicant's case → 404 like a missing one, denial in the audit log     test_1_...
 2. ?applicant=B and the like → ignored                                           test_2_...
 3. KCC writes → 403                                  test_authorization_matrix.py (column sanne)
 4. Behandelaar writes to a case not theirs → 403     test_authorization_matrix.py (column pieter)
 5. Fields the caller may not set → 400 naming them, nothing changed              test_5_...
 6. alg none, RS256→HS256, bad signature → 401                                    test_6_and_7_...
 7. Expired, future nbf, wrong aud/iss → 401                                      test_6_and_7_...
 8. CR/LF in addresses → 400; CR/LF never an e-mail header                        test_8_...
 9. Template code in a message → shown literally                                  test_9_...
10. <script>, javascript:, onerror= → inert in e-mail and portal                   test_10_...
11. Forged, expired, foreign unsubscribe token → 404; GET changes nothing          test_11_...
12. Opt-in link replayed after unsubscribe; link scanners                         test_12_... and test_anonymous_subscriptions.py
13. 10 MB, deep nesting, NUL, invalid UTF-8 → 413/400, never 500                   test_13_...
14. Floods → 429 with Retry-After                                                 test_14_...
15. Guessable ids → UUIDs; not-found and forbidden look the same                  test_15_... and the matrix
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib import wiring
from chalicelib.config import settings
from chalicelib.domain.subscriptions import SubscriptionState
from chalicelib.domain.tokens import Token, TokenPurpose, sign, verify
from tests.integration.conftest import (
    PERSONAS,
    announce,
    body,
    headers,
    invalid_params,
    link_token,
    mailbox,
    problem,
    register_personas,
)
from tests.integration.matrix import CALLS, EXPECTED, ROLES, Call, World, caller_headers

MARK, JAN = PERSONAS["mark"], PERSONAS["jan"]
CASE = {
    "zaaktype": "subsidie-duurzame-recreatie",
    "omschrijving": "Duurzame recreatie Heuvelrug",
    "initiator": MARK.claims["sub"],
    "gemeenten": ["GM1581"],
}
NEIGHBOUR = "buurvrouw@example.org"
VICTIM = "victim@evil.example"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def marks_case(client) -> dict[str, Any]:
    register_personas("mark", "karin", "jan")
    created = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE))
    assert created.status_code == 201, created.body
    return dict(body(created))


def sent_mime() -> list[tuple[list[str], EmailMessage]]:
    """Every e-mail moto's SES accepted: its envelope recipients and the raw message as sent."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"]
    found = []
    for sent in backend.sent_messages:
        raw = sent.raw_data.encode() if isinstance(sent.raw_data, str) else sent.raw_data
        found.append((list(sent.destinations), message_from_bytes(raw, policy=policy.default)))
    return found


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


def markup(html: str) -> _Markup:
    parsed = _Markup()
    parsed.feed(html)
    parsed.close()
    return parsed


def assert_inert(html: str) -> None:
    """No script, no event handler, no link or source but https, a page's own address or a place on the page."""
    parsed = markup(html)
    assert "script" not in parsed.tags
    assert [name for name, _ in parsed.attributes if name.startswith("on")] == []
    for name, value in parsed.attributes:
        if name in {"href", "src", "action", "formaction"}:
            assert value.startswith(("https://", "/", "?", "#")), (name, value)


# 1. Applicant A asks for B's case → 404 (same as a missing case), denial logged ------------------------------------


def test_1_another_applicants_case_is_404_like_a_missing_one_and_the_denial_is_in_the_audit_log(client, app_log):
    case = marks_case(client)
    theirs = client.http.get(f"/api/me/cases/{case['id']}", headers=headers("jan"))
    missing_id = str(uuid.uuid4())
    missing = client.http.get(f"/api/me/cases/{missing_id}", headers=headers("jan"))

    assert (theirs.status_code, theirs.headers, theirs.body) == (missing.status_code, missing.headers, missing.body)
    assert problem(theirs, 404)["code"] == "not_found"
    denials = [line for line in app_log.audit() if line["result"] == 404]
    assert [(d["action"], d["actor"], d["object"], d["origin"]) for d in denials] == [
        ("view_my_case", JAN.claims["sub"], case["id"], "127.0.0.1"),
        ("view_my_case", JAN.claims["sub"], missing_id, "127.0.0.1"),
    ]
    assert all(d["timestamp"] for d in denials)


# 2. ?applicant=B or similar → ignored; never B's data ---------------------------------------------------------------
# test_api.py::test_a_query_parameter_naming_another_person_is_ignored does /api/me/cases; here every route of "me".

ABOUT_SOMEONE_ELSE = {
    "applicant": MARK.claims["sub"],
    "subject": MARK.claims["sub"],
    "sub": MARK.claims["sub"],
    "represents": MARK.claims["sub"],
    "subscriber_id": MARK.claims["sub"],
    "bsn": "123456782",
}


@pytest.mark.parametrize("path", ["/api/me/cases", "/api/me/berichtenbox", "/api/me/subscriptions", "/api/me/preferences"])
def test_2_query_parameters_naming_someone_else_are_ignored(client, pipeline, daytime, path):
    world = World(client, pipeline)
    world.message_id, world.subscription_id  # noqa: B018 - Mark has a case, a message and a subscription
    own = client.http.get(path, headers=headers("jan"))
    asked = client.http.get(f"{path}?{urlencode(ABOUT_SOMEONE_ELSE)}", headers=headers("jan"))
    assert (asked.status_code, body(asked)) == (200, body(own))
    assert MARK.claims["sub"] not in asked.body.decode()
    assert str(MARK.email) not in asked.body.decode()


# 3. KCC sends a write → 403: test_authorization_matrix.py, column sanne: 403 on every write to a case and an
#    announcement, each with an audit line, the case read back unchanged; test_api.py::test_the_kcc_may_read_but_never_
#    change_a_case. (The KCC may record a contact moment: that is its job, and it changes nothing about the case.)
# 4. Behandelaar writes to a case not theirs → 403: test_authorization_matrix.py, column pieter, on every case write;
#    test_api.py::test_another_behandelaar_may_not_change_annas_case.


# 5. Body with fields the caller may not set (role, verified, subscriber_id) → 400, nothing changed ------------------

JSON_WRITES = [
    (method, path)
    for (method, path), call in CALLS.items()
    if method in {"POST", "PUT"} and path.startswith("/api/") and call.body is not None and not path.startswith("/api/dev/")
]


def _allowed(method: str, path: str) -> str:
    """The first caller the matrix lets make this call."""
    return next(role for role in ROLES if EXPECTED[(method, path)][role] < 400)


@pytest.mark.parametrize(("method", "path"), JSON_WRITES, ids=[f"{m} {p}" for m, p in JSON_WRITES])
def test_5_fields_a_caller_may_not_set_are_refused_by_name_and_nothing_changes(client, pipeline, daytime, method, path):
    # GIVEN the objects the route acts on, and a body it would accept from this caller
    world = World(client, pipeline)
    call = CALLS[(method, path)]
    if call.given is not None:
        call.given(world)
    role = _allowed(method, path)
    assert call.body is not None
    valid = json.loads(call.body(world, role))
    url = _url_for(world, method, path)
    before = world.snapshot()
    for name, value in (("role", "behandelaar"), ("verified", True), ("subscriber_id", MARK.claims["sub"])):
        # WHEN the caller adds a field nobody may set
        refused = client.http.request(method, url, headers=caller_headers(role), body=json.dumps({**valid, name: value}))
        # THEN 400 naming exactly that field
        assert invalid_params(refused) == {name: "unknown_field"}, (name, refused.body)
    # AND nothing changed
    assert world.snapshot() == before


def _url_for(world: World, method: str, path: str) -> str:
    from tests.integration.matrix import url_for

    return url_for(world, method, path)


# 6. and 7. Tokens that are not ours or not for now → 401 --------------------------------------------------------------
# tests/unit/adapters/test_identity.py proves the reasons one by one; here each is refused over HTTP, with the same
# answer as no token at all (nothing says why), a Bearer challenge, and an audit line.


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    config = settings()
    return {
        "sub": MARK.claims["sub"],
        "iss": config.oidc_issuer,
        "aud": config.oidc_audience,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        **changes,
    }


def _forged(kind: str) -> str:  # noqa: PLR0911 - one way out per forgery
    issuer = wiring.adapters().dev_issuer
    assert issuer is not None
    private = issuer._private_key
    rs256 = {"kid": issuer.kid}
    if kind == "alg none":
        return f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': issuer.kid})}.{_b64(_claims())}."
    if kind == "RS256 to HS256 with the public key":
        public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        signed = f"{_b64({'alg': 'HS256', 'typ': 'JWT', 'kid': issuer.kid})}.{_b64(_claims())}"
        mac = base64.urlsafe_b64encode(hmac.new(public_pem, signed.encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
        return f"{signed}.{mac}"
    if kind == "signature changed":
        head, payload, signature = issuer.issue(MARK.claims).split(".")
        return f"{head}.{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    if kind == "claims changed after signing":
        head, _, signature = issuer.issue(MARK.claims).split(".")
        return f"{head}.{_b64(_claims(roles=['behandelaar']))}.{signature}"
    if kind == "signed by another key with our key id":
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(_claims(), other, algorithm="RS256", headers=rs256)
    if kind == "unknown key id":
        return jwt.encode(_claims(), private, algorithm="RS256", headers={"kid": "someone-elses"})
    changed: dict[str, dict[str, Any]] = {
        "expired": {"exp": int(time.time()) - 120},
        "not before in the future": {"nbf": int(time.time()) + 3600},
        "wrong audience": {"aud": "another-service"},
        "wrong issuer": {"iss": "https://login.evil.example"},
        "no expiry": {"exp": None},
    }
    claims = {k: v for k, v in _claims(**changed[kind]).items() if v is not None}
    return jwt.encode(claims, private, algorithm="RS256", headers=rs256)


TOKEN_ATTACKS = [
    "alg none",
    "RS256 to HS256 with the public key",
    "signature changed",
    "claims changed after signing",
    "signed by another key with our key id",
    "unknown key id",
    "expired",
    "not before in the future",
    "wrong audience",
    "wrong issuer",
    "no expiry",
]


@pytest.mark.parametrize("kind", TOKEN_ATTACKS)
def test_6_and_7_a_token_that_is_not_ours_or_not_for_now_is_401_like_no_token(client, app_log, kind):
    # GIVEN Mark's case, which his own token opens
    case = marks_case(client)
    url = f"/api/me/cases/{case['id']}"
    assert client.http.get(url, headers=headers("mark")).status_code == 200
    without = client.http.get(url, headers=headers())
    # WHEN a forged or stale token is sent
    answer = client.http.get(url, headers={**headers(), "Authorization": f"Bearer {_forged(kind)}"})
    # THEN 401 with a Bearer challenge, the same answer as without a token
    assert problem(answer, 401)["code"] == "unauthenticated"
    assert answer.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert (answer.status_code, answer.body) == (without.status_code, without.body)
    # AND an audit line for nobody in particular
    (line,) = app_log.audit()[-1:]
    assert (line["action"], line["actor"], line["object"], line["result"]) == ("view_my_case", "anonymous", case["id"], 401)


def test_6_the_same_forged_token_is_refused_on_a_staff_write_and_changes_nothing(client):
    case = marks_case(client)
    head, _, signature = wiring.adapters().dev_issuer.issue(PERSONAS["anna"].claims).split(".")  # type: ignore[union-attr]
    forged = f"{head}.{_b64(_claims(sub='mdw-anna-bakker', roles=['behandelaar']))}.{signature}"
    answer = client.http.post(
        f"/api/cases/{case['id']}/status",
        headers={**headers(), "Authorization": f"Bearer {forged}"},
        body='{"statustype": "in-behandeling"}',
    )
    problem(answer, 401)
    assert body(client.http.get(f"/api/cases/{case['id']}", headers=headers("anna")))["status"]["statustype"] == "ontvangen"


# 8. CR/LF: an address with CR/LF → 400; CR/LF in any text never becomes an e-mail header ----------------------------

BAD_ADDRESSES = {
    "CR LF": f"buurvrouw@example.org\r\nBcc: {VICTIM}",
    "LF": f"buurvrouw@example.org\nBcc: {VICTIM}",
    "CR": f"buurvrouw@example.org\rBcc: {VICTIM}",
    "line separator": f"buurvrouw@example.org\u2028Bcc: {VICTIM}",
    "next line": f"buurvrouw@example.org\x85Bcc: {VICTIM}",
    "encoded CR LF": f"buurvrouw@example.org%0d%0aBcc:{VICTIM}",
    "two addresses": f"buurvrouw@example.org, {VICTIM}",
    "name and CR LF": f"Buurvrouw <buurvrouw@example.org>\r\nBcc: {VICTIM}",
}


@pytest.mark.parametrize("address", BAD_ADDRESSES.values(), ids=BAD_ADDRESSES.keys())
def test_8_an_address_with_line_breaks_or_a_second_address_is_400_and_nothing_is_sent(client, pipeline, daytime, address):
    refused = client.http.post(
        "/api/subscriptions", headers=headers(), body=json.dumps({"email": address, "topics": ["grondbeheer"]})
    )
    assert set(invalid_params(refused)) == {"email"}
    page = client.http.post("/volgen", headers=FORM, body=urlencode({"email": address, "topic": "grondbeheer"}))
    assert page.status_code == 400
    assert "Dit is geen geldig e-mailadres." in page.body.decode()
    pipeline.run()
    assert sent_mime() == []


SINGLE_LINE_FIELDS = [
    ("/api/cases", "anna", {**CASE, "omschrijving": f"Recreatie\r\nBcc: {VICTIM}"}, "omschrijving"),
    (
        "/api/announcements",
        "pieter",
        {"title": f"Grond\r\nBcc: {VICTIM}", "text": "x", "topic": "grondbeheer", "gemeenten": ["GM1581"]},
        "title",
    ),
    (
        "/api/announcements",
        "pieter",
        {
            "title": "Grond",
            "text": "x",
            "topic": "grondbeheer",
            "gemeenten": ["GM1581"],
            "link": {"url": "https://www.provincie-utrecht.nl", "label": f"Meer\nBcc: {VICTIM}"},
        },
        "link.label",
    ),
]


@pytest.mark.parametrize(("path", "persona", "sent", "field"), SINGLE_LINE_FIELDS, ids=[f for *_, f in SINGLE_LINE_FIELDS])
def test_8_line_breaks_in_a_single_line_field_are_refused_by_name(client, path, persona, sent, field):
    register_personas("mark")
    assert invalid_params(client.http.post(path, headers=headers(persona), body=json.dumps(sent))) == {
        field: "control_characters"
    }


def test_8_line_breaks_in_texts_stay_in_the_body_and_never_become_a_header(client, pipeline, daytime):
    # GIVEN Mark's case, and Mark following land in Utrechtse Heuvelrug
    case = marks_case(client)
    follow = client.http.post("/api/me/subscriptions", headers=headers("mark"), body='{"topics": ["grondbeheer"]}')
    assert follow.status_code == 201
    injected = f"Zie bijlage.\r\nBcc: {VICTIM}\r\nSubject: Gewonnen!\r\n\r\n<b>klik</b>"
    # WHEN the behandelaar writes CR/LF and header lines in every text she may write on several lines
    url = f"/api/cases/{case['id']}"
    anna = headers("anna")
    for route, written in (
        ("messages", {"text": injected}),
        ("status", {"statustype": "in-behandeling", "toelichting": injected}),
        ("suspension", {"reden": injected}),
    ):
        assert client.http.post(f"{url}/{route}", headers=anna, body=json.dumps(written)).status_code == 201, route
    # AND an announcement goes out whose text has them, and whose title has Unicode line separators
    announce(
        client,
        title=f"Grond\u2028Bcc: {VICTIM}\x85Cc: {VICTIM}",
        text=injected,
        topic="grondbeheer",
        gemeenten=["GM1581"],
    )
    pipeline.run()

    # THEN every e-mail went to Mark alone, with no Bcc or Cc and one Subject line
    sent = sent_mime()
    assert len(sent) >= 2
    for destinations, message in sent:
        assert set(destinations) == {MARK.email}  # moto lists the envelope and the To header
        assert message.get_all("To") == [MARK.email]
        assert message.get_all("Bcc") is None
        assert message.get_all("Cc") is None
        assert len(message.get_all("Subject") or []) == 1
        assert "\n" not in str(message["Subject"])
    # AND the announcement's text is in its body, as text
    news = next(m for _, m in sent if "Nieuws van de provincie" in str(m["Subject"]))
    text = news.get_body(("plain",))
    assert text is not None
    assert f"Bcc: {VICTIM}" in text.get_content()
    assert str(news["Subject"]) == f"Nieuws van de provincie: Grond Bcc: {VICTIM} Cc: {VICTIM}"


# 9. {{ cycler.__init__.__globals__ }} in a message → shown literally, never evaluated ---------------------------------

TEMPLATE_CODE = (
    "{{ cycler.__init__.__globals__ }} {{ 83*1409 }} {% for x in range(3) %}{{ x }}{% endfor %} ${83*1409} {{ config }}"
)
EVALUATED = ("116947", "<function", "__builtins__", "<Config")


def test_9_template_code_written_by_staff_is_shown_literally_in_email_portal_and_case(client, pipeline, daytime):
    # GIVEN Mark's case and his interest in land
    case = marks_case(client)
    client.http.post("/api/me/subscriptions", headers=headers("mark"), body='{"topics": ["grondbeheer"]}')
    url = f"/api/cases/{case['id']}"
    # WHEN template code is written as a message, a status explanation, a contact note and an announcement
    for route, persona, sent in (
        ("messages", "anna", {"text": TEMPLATE_CODE}),
        ("status", "anna", {"statustype": "in-behandeling", "toelichting": TEMPLATE_CODE}),
        (
            "contact-moments",
            "sanne",
            {"kanaal": "telefoon", "onderwerp": TEMPLATE_CODE, "inhoud": TEMPLATE_CODE, "vertrouwelijk": False},
        ),
    ):
        assert client.http.post(f"{url}/{route}", headers=headers(persona), body=json.dumps(sent)).status_code == 201
    announce(client, title="{{ 83*1409 }}", text=TEMPLATE_CODE, topic="grondbeheer", gemeenten=["GM1581"])
    pipeline.run()

    # THEN the e-mail shows it as written: subject, text and HTML
    (news,) = [m for m in mailbox(str(MARK.email)) if m.subject.startswith("Nieuws van de provincie")]
    assert news.subject == "Nieuws van de provincie: {{ 83*1409 }}"
    assert TEMPLATE_CODE in news.text
    assert TEMPLATE_CODE in news.html
    # AND the berichtenbox shows it as written, in the message, the status and the announcement
    berichtenbox = body(client.http.get("/api/me/berichtenbox", headers=headers("mark")))["messages"]
    assert sum(TEMPLATE_CODE in m["body"] for m in berichtenbox) == 3
    assert any(m["title"].endswith("{{ 83*1409 }}") for m in berichtenbox)
    # AND the case shows the contact note as written, to Mark too
    timeline = json.dumps(body(client.http.get(f"/api/me/cases/{case['id']}", headers=headers("mark"))))
    assert json.dumps(TEMPLATE_CODE)[1:-1] in timeline
    # AND nothing was evaluated anywhere
    written = [news.subject, news.text, news.html, *(m["title"] + m["body"] for m in berichtenbox), timeline]
    assert [(shown, found) for shown in written for found in EVALUATED if found in shown] == []


def test_9_template_code_typed_into_the_follow_form_is_shown_back_literally(client):
    page = client.http.post("/volgen", headers=FORM, body=urlencode({"email": "{{ 83*1409 }}", "topic": "grondbeheer"}))
    assert page.status_code == 400
    assert 'value="{{ 83*1409 }}"' in page.body.decode()
    assert "116947" not in page.body.decode()


# 10. <script>, javascript: links, onerror= → inert in e-mail and portal ------------------------------------------------

HTML_ATTACK = (
    '<script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">klik</a>'
    '<svg onload=alert(1)></svg>"><iframe src=javascript:alert(1)>'
)


def test_10_html_written_by_staff_is_inert_in_email_and_portal(client, pipeline, daytime):
    # GIVEN Mark follows land; his case gets a message with HTML
    case = marks_case(client)
    client.http.post("/api/me/subscriptions", headers=headers("mark"), body='{"topics": ["grondbeheer"]}')
    posted = client.http.post(
        f"/api/cases/{case['id']}/messages", headers=headers("anna"), body=json.dumps({"text": HTML_ATTACK})
    )
    assert posted.status_code == 201
    # WHEN an announcement with HTML in its title, text and link label (and a quote in its link) goes out
    announce(
        client,
        title="<b onmouseover=alert(1)>Grond</b>",
        text=HTML_ATTACK,
        topic="grondbeheer",
        gemeenten=["GM1581"],
        link={"url": 'https://www.provincie-utrecht.nl/"onmouseover="alert(1)', "label": "<img src=x onerror=alert(1)>"},
    )
    pipeline.run()

    # THEN every e-mail's HTML has no script, no event handler and only https links
    for message in mailbox():
        assert_inert(message.html)
    (news,) = [m for m in mailbox(str(MARK.email)) if m.subject.startswith("Nieuws van de provincie")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in news.html
    # AND the berichtenbox hands the text over as JSON data, exactly as written
    berichtenbox = client.http.get("/api/me/berichtenbox", headers=headers("mark"))
    assert berichtenbox.headers["Content-Type"] == "application/json"
    assert sum(m["body"].startswith(HTML_ATTACK) for m in body(berichtenbox)["messages"]) == 2


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>", "http://x.nl"]
)
def test_10_links_that_are_not_https_are_refused(client, url):
    case = marks_case(client)
    link = {"url": url, "label": "Loket"}
    message = client.http.post(
        f"/api/cases/{case['id']}/messages", headers=headers("anna"), body=json.dumps({"text": "Zie het loket", "link": link})
    )
    assert invalid_params(message) == {"link.url": "expected_https_url"}
    draft = {"title": "Grond", "text": "x", "topic": "grondbeheer", "gemeenten": ["GM1581"], "link": link}
    assert invalid_params(client.http.post("/api/announcements", headers=headers("pieter"), body=json.dumps(draft))) == {
        "link.url": "expected_https_url"
    }


@pytest.mark.parametrize(
    "path",
    [
        "/volgen?x=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/volgen?lang=en&%22onmouseover=alert(1)=1",
        "/afmelden?token=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/abonnement/bevestigen?token=%3Cimg%20src=x%20onerror=alert(1)%3E",
        "/abonnement/beheren?token=javascript:alert(1)",
    ],
)
def test_10_what_is_put_in_a_page_address_is_inert_in_the_page(client, path):
    page = client.http.get(path)
    assert page.status_code in {200, 404}
    assert_inert(page.body.decode())


# 11. Forged, expired or foreign unsubscribe token → 404, no change; GET shows a confirm page only; repeat POST → 200 --
# Also: test_anonymous_subscriptions.py::test_forged_expired_or_misused_tokens_are_400_naming_token_and_change_nothing.
# The JSON API answers a bad token with 400 naming the field "token" (token_invalid, token_expired): the API's way
# of saying the link does not work; the pages answer 404.


def _subscription_of(token: str) -> str:
    subject = verify(token, settings().token_secret, TokenPurpose.UNSUBSCRIBE, now=wiring.services().clock.now()).subject
    return subject.partition(":")[2]


def _asked_twice(client, pipeline) -> tuple[dict[str, str], dict[str, str]]:
    """The neighbour asks to follow land and nature: two confirmation e-mails, the links of each."""
    for topic in ("grondbeheer", "natuur-en-landschap"):
        asked = client.http.post(
            "/api/subscriptions", headers=headers(), body=json.dumps({"email": NEIGHBOUR, "topics": [topic]})
        )
        assert asked.status_code == 202
    pipeline.run()
    first, second = (
        {
            "confirm": link_token(mail.text, "/abonnement/bevestigen"),
            "unsubscribe": link_token(mail.headers["List-Unsubscribe"], "/afmelden"),
            "manage": link_token(mail.text, "/abonnement/beheren"),
        }
        for mail in mailbox(NEIGHBOUR)
    )
    return first, second


def test_11_bad_unsubscribe_tokens_are_404_and_change_nothing_and_only_the_button_unsubscribes(client, pipeline, daytime):
    # GIVEN two subscriptions waiting for confirmation, each with its links
    links, other = _asked_twice(client, pipeline)
    token = links["unsubscribe"]
    subscription = _subscription_of(token)
    payload, signature = token.split(".")
    expires = daytime.current + timedelta(days=30)
    # (what opening, pressing and the API answer)
    forged: dict[str, tuple[str, int, int, int]] = {
        "signature changed": (f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}", 404, 404, 400),
        "signed with another secret": (
            sign(Token(TokenPurpose.UNSUBSCRIBE, f"subscription:{subscription}", expires), b"another-deployment"),
            404,
            404,
            400,
        ),
        "a confirmation token": (links["confirm"], 404, 404, 400),
        "a manage token": (links["manage"], 404, 404, 400),
        "not a token": ("vervalst", 404, 404, 400),
        # only Baken can sign one: the page shows its button (nothing is read on opening); pressing it finds nothing
        "ours, for a subscription that does not exist": (
            sign(Token(TokenPurpose.UNSUBSCRIBE, f"subscription:{uuid.uuid4()}", expires), settings().token_secret),
            200,
            404,
            404,
        ),
    }
    # WHEN each is opened, pressed, and sent to the API
    for name, (sent, on_opening, on_pressing, from_api) in forged.items():
        opened = client.http.get(f"/afmelden?{urlencode({'token': sent})}")
        pressed = client.http.post("/afmelden", headers=FORM, body=urlencode({"token": sent}))
        api = client.http.post("/api/subscriptions/unsubscribe", headers=headers(), body=json.dumps({"token": sent}))
        # THEN the pages say the link does not work, and the API names the token (or says it found nothing)
        assert (opened.status_code, pressed.status_code, api.status_code) == (on_opening, on_pressing, from_api), name
        assert "Deze link werkt niet" in pressed.body.decode(), name
        if from_api == 400:
            assert invalid_params(api) == {"token": "token_invalid"}, name
    # AND opening the real link (twice, as a mail scanner would) shows a button and changes nothing
    for _ in range(2):
        shown = client.http.get(f"/afmelden?{urlencode({'token': token})}")
        assert shown.status_code == 200
        assert '<form method="post" action="/afmelden' in shown.body.decode()
    assert wiring.adapters().subscriptions.get(subscription).state is SubscriptionState.PENDING  # type: ignore[union-attr]
    # WHEN the button is pressed, and pressed again
    first = client.http.post("/afmelden", headers=FORM, body=urlencode({"token": token}))
    again = client.http.post("/afmelden", headers=FORM, body=urlencode({"token": token}))
    # THEN the first stops it, the second says it already was
    assert (first.status_code, again.status_code) == (200, 200)
    assert "U bent afgemeld." in first.body.decode()
    assert "U was al afgemeld" in again.body.decode()
    assert wiring.adapters().subscriptions.get(subscription).state is SubscriptionState.CANCELLED  # type: ignore[union-attr]

    # WHEN the other subscription's unsubscribe link is used after it expired (400 days)
    other_subscription = _subscription_of(other["unsubscribe"])
    daytime.advance(days=401)
    late = client.http.post("/afmelden", headers=FORM, body=urlencode({"token": other["unsubscribe"]}))
    late_api = client.http.post(
        "/api/subscriptions/unsubscribe", headers=headers(), body=json.dumps({"token": other["unsubscribe"]})
    )
    # THEN 404 on the page, token_expired from the API, and that subscription is untouched
    assert late.status_code == 404
    assert invalid_params(late_api) == {"token": "token_expired"}
    assert wiring.adapters().subscriptions.get(other_subscription).state is SubscriptionState.PENDING  # type: ignore[union-attr]


# 12. Opt-in link replayed after unsubscribe → no re-subscribe; a link scanner's GET changes nothing ------------------
# Replay: test_anonymous_subscriptions.py::test_one_click_unsubscribe_stops_it_and_the_old_confirmation_link_does_not_
# bring_it_back and ::test_unsubscribing_from_the_confirmation_email_means_its_link_no_longer_confirms.
# One scanner GET of the confirmation link: ::test_opening_the_confirmation_link_confirms_nothing_only_its_button_does.
# Here a scanner that opens every link of the e-mail, in both parts and its headers.


PAGES = {"/volgen", "/abonnement/bevestigen", "/afmelden", "/abonnement/beheren"}


def _links(mail: Any) -> set[str]:
    found = set(re.findall(r"https?://[^\s<>\"']+", mail.text + " " + mail.headers["List-Unsubscribe"]))
    return found | {value for name, value in markup(mail.html).attributes if name == "href"}


def test_12_a_scanner_that_opens_every_link_in_the_email_confirms_and_stops_nothing(client, pipeline, daytime):
    # GIVEN a confirmation e-mail
    _asked_twice(client, pipeline)
    mail = mailbox(NEIGHBOUR)[0]
    confirm = link_token(mail.text, "/abonnement/bevestigen")
    subscription = verify(confirm, settings().token_secret, TokenPurpose.CONFIRM, now=wiring.services().clock.now()).subject
    # WHEN a mail scanner opens every link in it that leads to Baken's pages, twice
    opened = [urlsplit(link) for link in sorted(_links(mail))]
    to_pages = [f"{link.path}?{link.query}" for link in opened if link.path in PAGES]
    assert {path.partition("?")[0] for path in to_pages} == {"/abonnement/bevestigen", "/afmelden", "/abonnement/beheren"}
    for path in to_pages * 2:
        assert client.http.get(path).status_code == 200, path
    # THEN the subscription still waits for the button
    assert wiring.adapters().subscriptions.get(subscription).state is SubscriptionState.PENDING  # type: ignore[union-attr]
    # AND the button still works
    confirmed = client.http.post("/abonnement/bevestigen", headers=FORM, body=urlencode({"token": confirm}))
    assert "U bent aangemeld." in confirmed.body.decode()
    assert wiring.adapters().subscriptions.get(subscription).state is SubscriptionState.ACTIVE  # type: ignore[union-attr]


# 13. 10 MB body, deep JSON nesting, NUL bytes, invalid UTF-8 → 413/400, never 500 ---------------------------------------
# test_api.py::test_unreadable_bodies_are_refused_and_never_a_500 does one route with a 70 kB body; test_fuzz.py sends
# random JSON to every route. Here every JSON route that reads a body gets each, with the exact answer.

TEN_MB = 10 * 1024 * 1024
UNREADABLE = {
    "10 MB": (b'{"text": "' + b"x" * TEN_MB + b'"}', 413, None),
    "deep nesting": (b'{"a": ' * 8_000 + b"1" + b"}" * 8_000, 400, ("body", "too_deep")),
    "deep but small": (json.dumps({"a": [[[[[[[[[[1]]]]]]]]]]}).encode(), 400, ("body", "too_deep")),
    "raw NUL": (b'{"text": "a\x00b"}', 400, ("body", "control_characters")),
    "invalid UTF-8": (b'{"text": "\xc3\x28"}', 400, ("body", "invalid_utf8")),
    "overlong UTF-8": (b'{"text": "\xc0\xaf"}', 400, ("body", "invalid_utf8")),
    "UTF-16": ('{"text": "x"}'.encode("utf-16"), 400, ("body", "invalid_utf8")),
}
BODY_ROUTES = sorted(
    (method, path)
    for (method, path) in EXPECTED
    if method in {"POST", "PUT"} and path.startswith("/api/") and CALLS.get((method, path), Call()).body is not None
)


def _fill_with_missing(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: World._missing(m.group(1)), path)


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES, ids=[f"{m} {p}" for m, p in BODY_ROUTES])
def test_13_unreadable_bodies_get_413_or_400_on_every_route_never_500(client, method, path):
    role = _allowed(method, path)
    url = _fill_with_missing(path)
    for name, (raw, status, issue) in UNREADABLE.items():
        answer = client.http.request(method, url, headers=caller_headers(role), body=raw)
        refused = problem(answer, status)
        if issue is not None:
            assert [(p["name"], p["code"]) for p in refused["invalidParams"]] == [issue], name
        else:
            assert refused["code"] == "body_too_large", name


def test_13_an_escaped_nul_in_any_text_is_refused_by_name(client):
    case = marks_case(client)
    answer = client.http.post(f"/api/cases/{case['id']}/messages", headers=headers("anna"), body=b'{"text": "a\\u0000b"}')
    assert invalid_params(answer) == {"text": "control_characters"}


@pytest.mark.parametrize("path", ["/volgen", "/abonnement/bevestigen", "/afmelden", "/abonnement/beheren"])
def test_13_unreadable_forms_get_a_page_never_a_500(client, path):
    too_large = client.http.post(path, headers=FORM, body=b"email=" + b"x" * TEN_MB)
    assert too_large.status_code == 413
    assert too_large.headers["Content-Type"] == "text/html; charset=utf-8"
    for raw in (b"token=\xc3\x28&email=\xff", b"token=a\x00b", b"token=%00&email=%00", b"%" * 1000):
        answer = client.http.post(path, headers=FORM, body=raw)
        assert answer.status_code in {400, 404}, (path, raw)
        assert answer.headers["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f"], ids=["NUL", "BEL", "ESC", "DEL"])
def test_13_control_characters_in_an_address_on_the_follow_page_are_refused(client, pipeline, daytime, character):
    page = client.http.post(
        "/volgen", headers=FORM, body=urlencode({"email": f"buur{character}vrouw@example.org", "topic": "grondbeheer"})
    )
    assert page.status_code == 400
    pipeline.run()
    assert sent_mime() == []


# 14. Flood of messages, or opt-in requests for random addresses → 429 with Retry-After ------------------------------
# One address: test_anonymous_subscriptions.py::test_the_fourth_request_for_one_address_within_the_hour_is_429_with_
# retry_after (API) and test_pages.py::test_the_fourth_request_for_one_address_is_a_429_page_with_retry_after.


def test_14_requests_for_many_random_addresses_from_one_place_get_429_with_retry_after(client, pipeline, daytime):
    # WHEN 30 random addresses are asked for from one place within the hour
    for number in range(30):
        asked = client.http.post(
            "/api/subscriptions",
            headers=headers(),
            body=json.dumps({"email": f"willekeurig-{number}@example.org", "topics": ["grondbeheer"]}),
        )
        assert asked.status_code == 202, number
    # THEN the 31st is refused, through the API and the page alike, saying when to come back
    refused = client.http.post(
        "/api/subscriptions", headers=headers(), body=json.dumps({"email": "nog-een@example.org", "topics": ["grondbeheer"]})
    )
    assert problem(refused, 429)["code"] == "too_many_requests"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    page = client.http.post("/volgen", headers=FORM, body=urlencode({"email": "nog-een@example.org", "topic": "grondbeheer"}))
    assert page.status_code == 429
    assert 0 < int(page.headers["Retry-After"]) <= 3600
    pipeline.run()
    assert mailbox("nog-een@example.org") == []
    assert len(sent_mime()) == 30


def test_14_a_flood_of_messages_to_one_case_gets_429_with_retry_after_and_its_people_are_not_flooded(client, pipeline, daytime):
    # GIVEN Mark's case, its opening told
    case = marks_case(client)
    pipeline.run()
    told = len(mailbox(str(MARK.email)))
    # WHEN its behandelaar (or whoever has her token) posts message after message
    answers = [
        client.http.post(f"/api/cases/{case['id']}/messages", headers=headers("anna"), body=json.dumps({"text": f"Bericht {n}"}))
        for n in range(12)
    ]
    # THEN after ten within the hour the case's people are protected: 429, saying when to come back
    assert [a.status_code for a in answers] == [201] * 10 + [429] * 2
    assert problem(answers[-1], 429)["code"] == "too_many_requests"
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 3600
    # AND Mark got ten e-mails, not twelve
    pipeline.run()
    assert len(mailbox(str(MARK.email))) - told == 10
    # (1,000 changes an hour per medewerker: tests/unit/services/test_rate_limits.py)


# 15. Guessable ids → ids are UUIDs; not-found and forbidden look the same -------------------------------------------
# Not-found and forbidden: the matrix compares every 401, 403 and 404 on a real object with the answer for a missing
# one (test_authorization_matrix.py), and test_1 above.


def test_15_ids_people_can_see_are_random_and_a_case_number_opens_nothing_for_applicants(client, pipeline, daytime):
    world = World(client, pipeline)
    case = world.case
    contact = client.http.post(
        f"/api/cases/{case['id']}/contact-moments",
        headers=headers("sanne"),
        body='{"kanaal": "telefoon", "onderwerp": "Termijn", "inhoud": "Uitgelegd.", "vertrouwelijk": false}',
    )
    ids = {
        "case": case["id"],
        "document request": world.document_id,
        "subscription": world.subscription_id,
        "announcement": world.announcement_id,
        "contact moment": body(contact)["id"],
    }
    # THEN every id Baken gives out is a random (version 4) UUID
    assert {name: value for name, value in ids.items() if not UUID4.match(value)} == {}
    # AND a berichtenbox message id carries 128 bits of a hash of its case's random id, not a counter
    assert re.fullmatch(r"\d{8}T\d{12}Z-[0-9a-f]{32}", world.message_id)
    # AND the one number that is sequential, the case number, opens nothing for an applicant
    number = case["case_number"]
    assert re.fullmatch(r"SUB-\d{4}-\d{6}", number)
    for persona in ("mark", "jan"):
        by_number = client.http.get(f"/api/me/cases/{number}", headers=headers(persona))
        missing = client.http.get(f"/api/me/cases/{uuid.uuid4()}", headers=headers(persona))
        assert (by_number.status_code, body(by_number)) == (404, body(missing))
        assert problem(client.http.get(f"/api/cases?case_number={number}", headers=headers(persona)), 403)
