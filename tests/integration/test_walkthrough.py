"""The story's walkthrough through the real handlers: a behandelaar changes Mark's case, Mark is told by
e-mail and in his berichtenbox, the unrelated applicant hears nothing."""

from __future__ import annotations

from tests.integration.conftest import PERSONAS, body, headers, mailbox, register_personas


def test_a_status_change_reaches_mark_by_email_and_in_his_berichtenbox(client, pipeline):
    # GIVEN Mark's case, created by his behandelaar, with the creation already told
    register_personas("mark", "fatima", "jan")
    created = client.http.post(
        "/api/cases",
        headers=headers("anna"),
        body='{"zaaktype": "subsidie-duurzame-recreatie", "omschrijving": "Duurzame recreatie Heuvelrug", '
        '"initiator": "pu-mark-3f9a1c", "co_initiators": ["pu-fatima-8d21e4"], "gemeenten": ["GM1581"]}',
    )
    assert created.status_code == 201, created.body
    case = body(created)
    pipeline.run()
    before = len(mailbox(PERSONAS["mark"].email))

    # WHEN the behandelaar sets a new status
    changed = client.http.post(
        f"/api/cases/{case['id']}/status", headers=headers("anna"), body='{"statustype": "in-behandeling"}'
    )
    assert changed.status_code == 201, changed.body
    pipeline.run()

    # THEN Mark has one more e-mail, naming only the case number and product
    mails = mailbox(PERSONAS["mark"].email)
    assert len(mails) == before + 1
    assert case["case_number"] in mails[0].subject
    assert "Subsidie duurzame recreatie" in mails[0].text
    # AND a berichtenbox message with the status
    berichtenbox = client.http.get("/api/me/berichtenbox", headers=headers("mark"))
    messages = body(berichtenbox)["messages"]
    assert messages[0]["title"] == "Nieuwe status: In behandeling"
    # AND Jan got nothing
    assert mailbox(PERSONAS["jan"].email) == []
