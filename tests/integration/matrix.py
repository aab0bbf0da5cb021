"""The authorisation matrix as data: every route of the app, every kind of caller, the status each must get, and
the real objects the calls are made on (see tests/integration/test_authorization_matrix.py for what is checked).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from chalicelib import wiring
from tests.integration.conftest import PERSONAS, body, headers, link_token, mailbox, register_personas

#                 the persona, or the claims of a token the dev issuer signs
CALLERS: dict[str, str | dict[str, Any] | None] = {
    "anonymous": None,  # no Authorization header
    "mark": "mark",  # applicant, initiator of the case
    "karin": "karin",  # gemachtigde: her token says she represents Mark
    "jan": "jan",  # another applicant
    "anna": "anna",  # behandelaar of the case
    "pieter": "pieter",  # another behandelaar, author of the announcement
    "sanne": "sanne",  # KCC
    "operator": {"sub": "mdw-olaf-beheer", "name": "Olaf Beheer", "roles": ["operator"]},
    "unknown": {"sub": "mdw-ursula-x", "name": "Ursula", "roles": ["beheerder"]},  # a role Baken does not know
}
ROLES = tuple(CALLERS)

# Who sees what: applicants their own (Karin Mark's, since she acts for him), staff every case, only the case's
# own behandelaar changes it, the KCC reads and records contacts, announcements are for behandelaars (the author
# revises and submits, another approves or rejects: 409 is that four-eyes rule, not access). The links in e-mails
# carry their own signed token: who else is logged in does not matter there (the satisfaction question's button
# answers 303, back to the page that shows the answer).
MATRIX = """
method path                                                          anonymous mark karin jan anna pieter sanne operator unknown
GET    /api/health                                                   200       200  200   200 200  200    200   200      200
GET    /openapi.json                                                 200       200  200   200 200  200    200   200      200
GET    /api/zaaktypen                                                200       200  200   200 200  200    200   200      200
GET    /api/zaaktypen/{identificatie}                                200       200  200   200 200  200    200   200      200
GET    /api/servicenormen                                            200       200  200   200 200  200    200   200      200
GET    /api/servicenormen.csv                                        200       200  200   200 200  200    200   200      200
POST   /api/zgw/notificaties                                          401       401  401   401 401  401    401   401      401
POST   /api/zgw/cloudevents                                           401       401  401   401 401  401    401   401      401
GET    /api/dev/personas                                             200       200  200   200 200  200    200   200      200
POST   /api/dev/token                                                200       200  200   200 200  200    200   200      200
GET    /api/dev/mailbox                                              200       200  200   200 200  200    200   200      200
GET    /api/dev/letters                                              200       200  200   200 200  200    200   200      200
GET    /dev/mailbox                                                  200       200  200   200 200  200    200   200      200
GET    /api/me/cases                                                 401       200  200   200 403  403    403   403      403
GET    /api/me/cases/{case_id}                                       401       200  200   404 200  200    200   403      403
GET    /api/me/berichtenbox                                          401       200  200   200 403  403    403   403      403
POST   /api/me/berichtenbox/{message_id}/read                        401       200  200   404 403  403    403   403      403
GET    /api/me/subscriptions                                         401       200  200   200 403  403    403   403      403
POST   /api/me/subscriptions                                         401       201  201   201 403  403    403   403      403
PUT    /api/me/subscriptions/{subscription_id}                       401       200  404   404 403  403    403   403      403
DELETE /api/me/subscriptions/{subscription_id}                       401       200  404   404 403  403    403   403      403
GET    /api/me/preferences                                           401       200  200   200 403  403    403   403      403
PUT    /api/me/preferences                                           401       200  200   200 403  403    403   403      403
POST   /api/cases                                                    401       403  403   403 201  201    403   403      403
GET    /api/cases                                                    401       403  403   403 200  200    200   403      403
POST   /api/cases/search                                             401       403  403   403 200  200    200   403      403
GET    /api/cases/{case_id}                                          401       403  403   403 200  200    200   403      403
POST   /api/cases/{case_id}/status                                   401       403  403   403 201  403    403   403      403
POST   /api/cases/{case_id}/document-requests                        401       403  403   403 201  403    403   403      403
POST   /api/cases/{case_id}/document-requests/{document_id}/received 401       403  403   403 200  403    403   403      403
POST   /api/cases/{case_id}/messages                                 401       403  403   403 201  403    403   403      403
POST   /api/cases/{case_id}/extension                                401       403  403   403 201  403    403   403      403
POST   /api/cases/{case_id}/suspension                               401       403  403   403 201  403    403   403      403
DELETE /api/cases/{case_id}/suspension                               401       403  403   403 200  403    403   403      403
GET    /api/cases/{case_id}/notifications                            401       403  403   403 200  200    200   403      403
POST   /api/cases/{case_id}/contact-moments                          401       403  403   403 201  201    201   403      403
POST   /api/cases/{case_id}/gemachtigden                             401       403  403   403 201  403    403   403      403
POST   /api/announcements                                            401       403  403   403 201  201    403   403      403
GET    /api/announcements                                            401       403  403   403 200  200    403   403      403
GET    /api/announcements/{announcement_id}                          401       403  403   403 200  200    403   403      403
PUT    /api/announcements/{announcement_id}                          401       403  403   403 409  200    403   403      403
POST   /api/announcements/{announcement_id}/preview                  401       403  403   403 200  200    403   403      403
GET    /api/announcements/{announcement_id}/progress                 401       403  403   403 200  200    403   403      403
POST   /api/announcements/{announcement_id}/submit                   401       403  403   403 409  200    403   403      403
POST   /api/announcements/{announcement_id}/approve                  401       403  403   403 200  409    403   403      403
POST   /api/announcements/{announcement_id}/reject                   401       403  403   403 200  409    403   403      403
POST   /api/subscriptions                                            202       202  202   202 202  202    202   202      202
POST   /api/subscriptions/confirm                                    200       200  200   200 200  200    200   200      200
POST   /api/subscriptions/unsubscribe                                200       200  200   200 200  200    200   200      200
GET    /                                                             200       200  200   200 200  200    200   200      200
GET    /aankondigingen/{announcement_id}                             404       404  404   404 404  404    404   404      404
GET    /volgen                                                       200       200  200   200 200  200    200   200      200
POST   /volgen                                                       200       200  200   200 200  200    200   200      200
GET    /abonnement/bevestigen                                        200       200  200   200 200  200    200   200      200
POST   /abonnement/bevestigen                                        200       200  200   200 200  200    200   200      200
GET    /afmelden                                                     200       200  200   200 200  200    200   200      200
POST   /afmelden                                                     200       200  200   200 200  200    200   200      200
GET    /abonnement/beheren                                           200       200  200   200 200  200    200   200      200
POST   /abonnement/beheren                                           200       200  200   200 200  200    200   200      200
GET    /inloggen                                                     302       302  302   302 302  302    302   302      302
GET    /inloggen/terug                                               400       400  400   400 400  400    400   400      400
POST   /uitloggen                                                    403       403  403   403 403  403    403   403      403
GET    /mijn-zaken                                                   302       302  302   302 302  302    302   302      302
GET    /dev/inloggen                                                 400       400  400   400 400  400    400   400      400
POST   /dev/inloggen                                                 400       400  400   400 400  400    400   400      400
GET    /mijn-zaken/{case_id}                                         302       302  302   302 302  302    302   302      302
GET    /berichten                                                    302       302  302   302 302  302    302   302      302
GET    /berichten/{message_id}                                       302       302  302   302 302  302    302   302      302
GET    /assets/{name}                                                200       200  200   200 200  200    200   200      200
GET    /toegankelijkheid                                             200       200  200   200 200  200    200   200      200
GET    /producten                                                    200       200  200   200 200  200    200   200      200
GET    /producten/{identificatie}                                    200       200  200   200 200  200    200   200      200
GET    /hoe-snel-zijn-wij                                            200       200  200   200 200  200    200   200      200
GET    /tevredenheid/{token}                                         200       200  200   200 200  200    200   200      200
POST   /tevredenheid/{token}                                         303       303  303   303 303  303    303   303      303
GET    /kcc                                                          302       302  302   302 302  302    302   302      302
POST   /kcc                                                          302       302  302   302 302  302    302   302      302
GET    /kcc/zaken/{case_id}                                          302       302  302   302 302  302    302   302      302
POST   /kcc/zaken/{case_id}/contactmomenten                          302       302  302   302 302  302    302   302      302
GET    /werk                                                         302       302  302   302 302  302    302   302      302
GET    /werk/zaken/{case_id}                                         302       302  302   302 302  302    302   302      302
POST   /werk/zaken/{case_id}/status                                  302       302  302   302 302  302    302   302      302
POST   /werk/zaken/{case_id}/documenten                              302       302  302   302 302  302    302   302      302
POST   /werk/zaken/{case_id}/bericht                                 302       302  302   302 302  302    302   302      302
POST   /werk/zaken/{case_id}/documenten/{document_id}/ontvangen      302       302  302   302 302  302    302   302      302
POST   /werk/zaken/{case_id}/documenten/{document_id}/beoordeling    302       302  302   302 302  302    302   302      302
GET    /werk/zaken/{case_id}/bestanden/{file_id}                     302       302  302   302 302  302    302   302      302
GET    /mijn-zaken/{case_id}/documenten/{document_id}/ontvangen      302       302  302   302 302  302    302   302      302
GET    /mijn-zaken/{case_id}/bestanden/{file_id}                     302       302  302   302 302  302    302   302      302
POST   /mijn-zaken/{case_id}/vragen                                  302       302  302   302 302  302    302   302      302
POST   /mijn-zaken/{case_id}/tevredenheid                            302       302  302   302 302  302    302   302      302
POST   /werk/zaken/{case_id}/vragen/{question_id}/antwoord           302       302  302   302 302  302    302   302      302
GET    /werk/aankondigingen                                          302       302  302   302 302  302    302   302      302
GET    /werk/tevredenheid                                            302       302  302   302 302  302    302   302      302
GET    /werk/tevredenheid/{identificatie}                            302       302  302   302 302  302    302   302      302
POST   /werk/aankondigingen                                          302       302  302   302 302  302    302   302      302
GET    /werk/aankondigingen/{announcement_id}                        302       302  302   302 302  302    302   302      302
POST   /werk/aankondigingen/{announcement_id}/wijzigen               302       302  302   302 302  302    302   302      302
POST   /werk/aankondigingen/{announcement_id}/indienen               302       302  302   302 302  302    302   302      302
POST   /werk/aankondigingen/{announcement_id}/goedkeuren             302       302  302   302 302  302    302   302      302
POST   /werk/aankondigingen/{announcement_id}/afwijzen               302       302  302   302 302  302    302   302      302
GET    /mijn-abonnementen                                            302       302  302   302 302  302    302   302      302
POST   /mijn-abonnementen                                            302       302  302   302 302  302    302   302      302
POST   /mijn-abonnementen/{subscription_id}/stoppen                  302       302  302   302 302  302    302   302      302
GET    /mijn-voorkeuren                                              302       302  302   302 302  302    302   302      302
POST   /mijn-voorkeuren                                              302       302  302   302 302  302    302   302      302
GET    /werk/vragen                                                  302       302  302   302 302  302    302   302      302
GET    /mijn-zaken/{case_id}/brieven/{notification_id}               302       302  302   302 302  302    302   302      302
GET    /werk/vragen/{zaaktype}/{onderwerp}                           302       302  302   302 302  302    302   302      302
POST   /werk/vragen/{zaaktype}/{onderwerp}                           302       302  302   302 302  302    302   302      302
"""


def _parse(table: str) -> dict[tuple[str, str], dict[str, int]]:
    header, *rows = [line.split() for line in table.strip().splitlines() if line.strip()]
    assert tuple(header[2:]) == ROLES, header
    return {(method, path): dict(zip(ROLES, map(int, codes), strict=True)) for method, path, *codes in rows}


EXPECTED = _parse(MATRIX)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REFUSED = frozenset({401, 403, 404})

CASE = {
    "zaaktype": "subsidie-duurzame-recreatie",
    "omschrijving": "Duurzame recreatie Heuvelrug",
    "initiator": PERSONAS["mark"].claims["sub"],
    "gemeenten": ["GM1581"],
}
DRAFT = {
    "title": "Landbouwgrond beschikbaar bij Doorn",
    "text": "Er komt landbouwgrond vrij bij Doorn.",
    "topic": "grondbeheer",
    "gemeenten": ["GM1581"],
}
NEIGHBOUR = "buurvrouw@example.org"
FORM = "application/x-www-form-urlencoded"


def _json(value: Any) -> Callable[[World, str], str]:
    return lambda world, role: json.dumps(value)


def _address(role: str) -> str:
    """One address per caller: the per-address limit (3 an hour) is not what this matrix is about."""
    return f"volger-{role}@example.org"


@dataclass(frozen=True)
class Call:
    """How a row is called: its body, its query string, and what must be true of the world first."""

    body: Callable[[World, str], str] | None = None
    query: Callable[[World], dict[str, str]] | None = None
    given: Callable[[World], None] | None = None
    form: bool = False


CALLS: dict[tuple[str, str], Call] = {
    ("POST", "/api/dev/token"): Call(_json({"persona": "mark"})),
    ("POST", "/api/me/berichtenbox/{message_id}/read"): Call(_json({})),
    ("POST", "/api/me/subscriptions"): Call(_json({"topics": ["vergunningen"]})),
    ("PUT", "/api/me/subscriptions/{subscription_id}"): Call(_json({"topics": ["subsidies"]})),
    ("PUT", "/api/me/preferences"): Call(
        _json({"channels": ["portal"], "language": "nl", "frequency": "immediately", "quiet_hours": False})
    ),
    ("POST", "/api/cases"): Call(_json(CASE)),
    ("GET", "/api/cases"): Call(query=lambda world: {"case_number": world.case["case_number"]}),
    ("POST", "/api/cases/search"): Call(_json({"email": PERSONAS["mark"].email}), given=lambda world: world.make_case()),
    ("POST", "/api/cases/{case_id}/status"): Call(_json({"statustype": "in-behandeling"})),
    ("POST", "/api/cases/{case_id}/document-requests"): Call(_json({"documents": [{"omschrijving": "Begroting 2027"}]})),
    ("POST", "/api/cases/{case_id}/document-requests/{document_id}/received"): Call(_json({})),
    ("POST", "/api/cases/{case_id}/messages"): Call(_json({"text": "Wij hebben uw plan in goede orde ontvangen."})),
    ("POST", "/api/cases/{case_id}/extension"): Call(_json({"duur": "P2W", "reden": "Advies van het waterschap nodig."})),
    ("POST", "/api/cases/{case_id}/suspension"): Call(_json({"reden": "Wachten op de begroting."})),
    ("DELETE", "/api/cases/{case_id}/suspension"): Call(given=lambda world: world.suspend()),
    ("POST", "/api/cases/{case_id}/contact-moments"): Call(
        _json(
            {
                "kanaal": "telefoon",
                "onderwerp": "Vraag over de termijn",
                "inhoud": "Uitgelegd hoe lang het duurt.",
                "vertrouwelijk": False,
            }
        )
    ),
    ("POST", "/api/cases/{case_id}/gemachtigden"): Call(_json({"subject": PERSONAS["karin"].claims["sub"]})),
    ("POST", "/api/announcements"): Call(_json(DRAFT)),
    ("PUT", "/api/announcements/{announcement_id}"): Call(_json({**DRAFT, "text": "Er komt 12 hectare landbouwgrond vrij."})),
    ("POST", "/api/announcements/{announcement_id}/preview"): Call(_json({})),
    ("POST", "/api/announcements/{announcement_id}/submit"): Call(_json({})),
    ("POST", "/api/announcements/{announcement_id}/approve"): Call(_json({}), given=lambda world: world.submit()),
    ("POST", "/api/announcements/{announcement_id}/reject"): Call(
        _json({"reason": "Noem de oppervlakte van de grond."}), given=lambda world: world.submit()
    ),
    ("POST", "/api/subscriptions"): Call(lambda world, role: json.dumps({"email": _address(role), "topics": ["grondbeheer"]})),
    ("POST", "/api/subscriptions/confirm"): Call(lambda world, role: json.dumps({"token": world.links["confirm"]})),
    ("POST", "/api/subscriptions/unsubscribe"): Call(lambda world, role: json.dumps({"token": world.links["unsubscribe"]})),
    ("POST", "/volgen"): Call(
        lambda world, role: urlencode({"email": _address(role), "topic": "natuur-en-landschap"}), form=True
    ),
    ("GET", "/abonnement/bevestigen"): Call(query=lambda world: {"token": world.links["confirm"]}),
    ("POST", "/abonnement/bevestigen"): Call(lambda world, role: urlencode({"token": world.links["confirm"]}), form=True),
    ("GET", "/afmelden"): Call(query=lambda world: {"token": world.links["unsubscribe"]}),
    ("POST", "/afmelden"): Call(lambda world, role: urlencode({"token": world.links["unsubscribe"]}), form=True),
    ("GET", "/abonnement/beheren"): Call(query=lambda world: {"token": world.links["manage"]}),
    # the pages behind login read a session cookie, never a bearer token: without one, the same for everybody
    ("POST", "/uitloggen"): Call(lambda world, role: "", form=True),
    ("POST", "/kcc"): Call(lambda world, role: "", form=True),
    ("POST", "/kcc/zaken/{case_id}/contactmomenten"): Call(lambda world, role: "", form=True),
    ("POST", "/werk/vragen/{zaaktype}/{onderwerp}"): Call(lambda world, role: "", form=True),
    ("POST", "/werk/zaken/{case_id}/status"): Call(lambda world, role: "", form=True),
    ("POST", "/werk/zaken/{case_id}/documenten"): Call(lambda world, role: "", form=True),
    ("POST", "/werk/zaken/{case_id}/bericht"): Call(lambda world, role: "", form=True),
    ("POST", "/werk/zaken/{case_id}/documenten/{document_id}/ontvangen"): Call(lambda world, role: "", form=True),
    ("POST", "/werk/zaken/{case_id}/documenten/{document_id}/beoordeling"): Call(lambda world, role: "", form=True),
    ("POST", "/mijn-zaken/{case_id}/vragen"): Call(lambda world, role: "", form=True),
    ("POST", "/mijn-zaken/{case_id}/tevredenheid"): Call(lambda world, role: "", form=True),
    ("POST", "/tevredenheid/{token}"): Call(lambda world, role: urlencode({"cijfer": "4"}), form=True),
    ("GET", "/tevredenheid/{token}"): Call(query=lambda world: {"score": "4"}),
    ("POST", "/werk/zaken/{case_id}/vragen/{question_id}/antwoord"): Call(lambda world, role: "", form=True),
    ("POST", "/werk/aankondigingen"): Call(lambda world, role: "", form=True),
    ("POST", "/werk/aankondigingen/{announcement_id}/wijzigen"): Call(lambda world, role: "", form=True),
    ("POST", "/werk/aankondigingen/{announcement_id}/indienen"): Call(lambda world, role: "", form=True),
    ("POST", "/werk/aankondigingen/{announcement_id}/goedkeuren"): Call(lambda world, role: "", form=True),
    ("POST", "/werk/aankondigingen/{announcement_id}/afwijzen"): Call(lambda world, role: "", form=True),
    ("POST", "/mijn-abonnementen"): Call(lambda world, role: urlencode({"topic": "subsidies"}), form=True),
    ("POST", "/mijn-abonnementen/{subscription_id}/stoppen"): Call(lambda world, role: "", form=True),
    ("POST", "/mijn-voorkeuren"): Call(lambda world, role: urlencode({"channel": "portal"}), form=True),
    ("POST", "/dev/inloggen"): Call(lambda world, role: urlencode({"persona": "mark"}), form=True),
    ("POST", "/abonnement/beheren"): Call(
        lambda world, role: urlencode({"token": world.links["manage"], "frequency": "daily", "language": "nl"}), form=True
    ),
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def caller_headers(role: str, *, form: bool = False) -> dict[str, str]:
    who = CALLERS[role]
    result = headers(who) if isinstance(who, str) or who is None else {**headers(), "Authorization": f"Bearer {_token(who)}"}
    if form:
        result["Content-Type"] = FORM
    return result


def _token(claims: dict[str, Any]) -> str:
    issuer = wiring.adapters().dev_issuer
    assert issuer is not None
    return issuer.issue(claims)


def subject_of(role: str) -> str:
    who = CALLERS[role]
    if who is None:
        return "anonymous"
    return str(PERSONAS[who].claims["sub"] if isinstance(who, str) else who["sub"])


class World:
    """The objects the rows act on, made as the people of the story make them, each only when a row needs it."""

    def __init__(self, client: Any, pipeline: Any) -> None:
        self.client = client
        self.pipeline = pipeline
        register_personas("mark", "karin", "jan")

    def _ok(self, response: Any, status: int) -> Any:
        assert response.status_code == status, response.body
        return body(response)

    @cached_property
    def case(self) -> dict[str, Any]:
        """Mark's case, registered and handled by Anna."""
        return dict(self._ok(self.client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)), 201))

    @cached_property
    def document_id(self) -> str:
        requested = self.client.http.post(
            f"/api/cases/{self.case['id']}/document-requests",
            headers=headers("anna"),
            body='{"documents": [{"omschrijving": "Jaarrekening"}]}',
        )
        return str(self._ok(requested, 201)["missing_documents"][0]["id"])

    @cached_property
    def file_id(self) -> str:
        """A file's id: only pages take one, and they send whoever has no session to log in first (the pages'
        own tests try sent-in files as each kind of caller: tests/integration/test_document_uploads.py)."""
        return str(uuid.uuid4())

    @cached_property
    def question_id(self) -> str:
        """A question's id: only pages take one, and they send whoever has no session to log in first (the pages'
        own tests try questions as each kind of caller: tests/integration/test_questions.py)."""
        return str(uuid.uuid4())

    @cached_property
    def message_id(self) -> str:
        """The berichtenbox message that tells Mark his case was received (the oldest: newest come first)."""
        self.case  # noqa: B018 - made for its message
        self.pipeline.run()
        messages = self._ok(self.client.http.get("/api/me/berichtenbox", headers=headers("mark")), 200)["messages"]
        return str(messages[-1]["id"])

    @cached_property
    def token(self) -> str:
        """The token of a satisfaction link in the e-mail that tells Mark his case was decided."""
        decided = self.client.http.post(
            f"/api/cases/{self.case['id']}/status", headers=headers("anna"), body='{"statustype": "besluit-genomen"}'
        )
        self._ok(decided, 201)
        self.pipeline.run()
        for mail in mailbox(PERSONAS["mark"].email):
            found = re.search(r"/tevredenheid/([A-Za-z0-9._-]+)\?score=", mail.text)
            if found:
                return found.group(1)
        raise AssertionError("no satisfaction link in Mark's e-mail")

    @cached_property
    def subscription_id(self) -> str:
        """Mark follows permits in Zeist."""
        made = self.client.http.post(
            "/api/me/subscriptions", headers=headers("mark"), body='{"topics": ["vergunningen"], "gemeenten": ["GM0355"]}'
        )
        return str(self._ok(made, 201)["id"])

    @cached_property
    def announcement_id(self) -> str:
        """Pieter's announcement, a concept."""
        return str(
            self._ok(self.client.http.post("/api/announcements", headers=headers("pieter"), body=json.dumps(DRAFT)), 201)["id"]
        )

    @cached_property
    def links(self) -> dict[str, str]:
        """The tokens of the links in the confirmation e-mail a neighbour gets after asking to follow news."""
        asked = self.client.http.post(
            "/api/subscriptions", headers=headers(), body=json.dumps({"email": NEIGHBOUR, "topics": ["grondbeheer"]})
        )
        self._ok(asked, 202)
        self.pipeline.run()
        (mail,) = mailbox(NEIGHBOUR)
        return {
            "confirm": link_token(mail.text, "/abonnement/bevestigen"),
            "unsubscribe": link_token(mail.headers["List-Unsubscribe"], "/afmelden"),
            "manage": link_token(mail.text, "/abonnement/beheren"),
        }

    def make_case(self) -> None:
        """Mark's case, made now (so that a search by his address has something to find)."""
        self.case  # noqa: B018 - made for what it does

    def suspend(self) -> None:
        suspended = self.client.http.post(
            f"/api/cases/{self.case['id']}/suspension", headers=headers("anna"), body='{"reden": "Wachten op de begroting."}'
        )
        self._ok(suspended, 201)

    def submit(self) -> None:
        self._ok(
            self.client.http.post(f"/api/announcements/{self.announcement_id}/submit", headers=headers("pieter"), body="{}"), 200
        )

    def ids(self, path: str, *, missing: bool = False) -> list[str]:
        """The ids that fill the path's placeholders: of the real objects, or of objects that do not exist."""
        return [self._missing(name) if missing else self._real(name) for name in PLACEHOLDER.findall(path)]

    def _real(self, name: str) -> str:
        if name in ("identificatie", "zaaktype"):
            return "subsidie-duurzame-recreatie"
        if name == "onderwerp":
            return "begroting"
        if name == "notification_id":
            return "0" * 32
        if name == "name":
            return "utrecht-components.css"
        if name == "case_id":
            return str(self.case["id"])
        return str(getattr(self, name))

    @staticmethod
    def _missing(name: str) -> str:
        if name in ("identificatie", "zaaktype", "onderwerp"):
            return "bestaat-niet"
        if name == "message_id":
            return f"20261005T090000000000Z-{uuid.uuid4().hex}"
        return str(uuid.uuid4())

    def snapshot(self) -> dict[str, Any]:
        """Everything a refused call might have changed, as its owners see it."""
        made = self.__dict__
        state: dict[str, Any] = {
            "mark's subscriptions": body(self.client.http.get("/api/me/subscriptions", headers=headers("mark"))),
            "mark's preferences": body(self.client.http.get("/api/me/preferences", headers=headers("mark"))),
            "mark's cases": body(self.client.http.get("/api/me/cases", headers=headers("mark"))),
        }
        if "case" in made:
            state["the case"] = body(self.client.http.get(f"/api/cases/{self.case['id']}", headers=headers("anna")))
        if "message_id" in made:
            state["mark's berichtenbox"] = body(self.client.http.get("/api/me/berichtenbox", headers=headers("mark")))
        if "announcement_id" in made:
            state["the announcement"] = body(
                self.client.http.get(f"/api/announcements/{self.announcement_id}", headers=headers("pieter"))
            )
        return state


def url_for(world: World, method: str, path: str, *, missing: bool = False) -> str:
    filled = iter(world.ids(path, missing=missing))
    url = PLACEHOLDER.sub(lambda _: next(filled), path)
    call = CALLS.get((method, path), Call())
    if call.query is not None:
        query = call.query(world)
        if missing and "case_number" in query:
            query = {"case_number": "SUB-2026-999999"}
        url = f"{url}?{urlencode(query)}"
    return url


def call_as(world: World, method: str, path: str, role: str, *, missing: bool = False) -> Any:
    call = CALLS.get((method, path), Call())
    payload = call.body(world, role) if call.body is not None else None
    return world.client.http.request(
        method, url_for(world, method, path, missing=missing), headers=caller_headers(role, form=call.form), body=payload
    )


def looks_alike(role: str, status: int, path: str) -> bool:
    """Whether a refusal must look exactly like the answer for an object that does not exist."""
    if status not in REFUSED or not PLACEHOLDER.search(path):
        return False
    if not path.startswith("/api/"):  # a page's refusal is a page (test_public_pages compares those)
        return False
    return not (status == 403 and role == "pieter")  # a behandelaar reads every case: for him nothing is hidden


def check_audit(app_log, before: int, method: str, path: str, role: str, status: int, ids: list[str]) -> None:
    """One audit line for a write or a refusal, naming the caller (nobody, on a public route: it reads no token)."""
    # a public route, or a system's callback (its sender proves itself with a shared secret, not as a person)
    public = EXPECTED[(method, path)]["anonymous"] < 400 or path.startswith("/api/zgw/")
    lines = app_log.audit()[before:]
    if method not in WRITES and status not in REFUSED:
        return
    if not path.startswith("/api/"):
        return  # the pages' audit lines (no token: no actor) are checked in test_pages.py and test_login.py
    assert len(lines) == 1, (method, path, role, lines)
    (line,) = lines
    assert (line["actor"], line["result"], line["object"]) == (
        "anonymous" if public else subject_of(role),
        status,
        "/".join(ids) or path,
    ), line
    assert line["action"]
    assert line["origin"]
