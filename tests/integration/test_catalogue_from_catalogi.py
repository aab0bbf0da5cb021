"""The catalogue read from the zaaksysteem's Catalogi API, end to end on moto: the operator's refresh and a
statustype changed in the stand-in's Catalogi API (its Notificaties component tells Baken on the kanaal zaaktypen)
are each read over HTTP by sync_zaak, merged with Baken's own settings and stored; every function then uses it —
the text a functional administrator typed in the zaaksysteem is the text Mark reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.domain.catalogi import CatalogiProblem
from chalicelib.domain.zgw import case_id_for
from chalicelib.ops import queue_catalogue_refresh
from devstack.zaaksysteem import MARK_ZAAK_UUID, MARK_ZAAKTYPE
from tests.integration.conftest import body, deliver_notificaties, headers, register_personas

NEW_TEXT = "Wij missen nog iets van u. Hieronder ziet u wat, en voor wanneer."
NEW_STEP = "Wij vragen u om iets dat nog ontbreekt."


@pytest.fixture
def catalogi(zaaksysteem: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The stand-in, with Baken reading its catalogue from the stand-in's Catalogi API."""
    monkeypatch.setenv("BAKEN_CATALOGUS_URL", zaaksysteem.catalogus_url)
    wiring.reset()
    return zaaksysteem


def _stored() -> Any:
    store = wiring.adapters().catalogue_store
    assert store is not None
    return store.load()


def test_a_statustekst_changed_in_the_catalogi_api_is_the_text_mark_reads(client, pipeline, catalogi):
    register_personas("mark", "fatima")
    own = [z.identificatie for z in wiring.catalogue_data()]
    # GIVEN the operator had the catalogue read once (make refresh-catalogue)
    queue_catalogue_refresh(wiring.adapters().notices, datetime.now(UTC))
    pipeline.run()
    first = _stored()
    assert [z["identificatie"] for z in first.data["zaaktypen"]] == own
    assert first.source == catalogi.catalogus_url
    assert not [n for n in first.notes if n.problem is CatalogiProblem.INVALID]
    # WHEN a functional administrator changes the statustekst of step 3 in the Catalogi API
    seen = len(catalogi.notificaties.messages)
    catalogi.change_statustype(MARK_ZAAKTYPE, 3, {"statustekst": NEW_TEXT, "toelichting": NEW_STEP})
    assert deliver_notificaties(client, catalogi, since=seen) == [204]
    pipeline.run()
    # THEN the stored catalogue has it, in Dutch, and in English until the translation is brought up to date
    second = _stored()
    assert second.fingerprint != first.fingerprint
    subsidie = next(z for z in second.data["zaaktypen"] if z["identificatie"] == MARK_ZAAKTYPE)
    assert subsidie["statustypen"][2]["statustekst"] == {"nl": NEW_TEXT, "en": NEW_TEXT}
    assert (MARK_ZAAKTYPE, "statustypen[3].statustekst") in [
        (n.zaaktype, n.detail) for n in second.notes if n.problem is CatalogiProblem.TRANSLATION_OUTDATED
    ]
    # AND once the functions read it again (within minutes; here a fresh start), the open catalogue shows the
    # step's new explanation
    wiring.reset()
    published = body(client.http.get(f"/api/zaaktypen/{MARK_ZAAKTYPE}"))
    assert NEW_STEP in json.dumps(published, ensure_ascii=False)
    # AND when Anna sets step 3 on Mark's zaak in the zaaksysteem, Mark reads the new text on his case
    catalogi.announce_zaak()
    catalogi.set_status(MARK_ZAAK_UUID, 3, "Stuur ons de begroting.")
    assert set(deliver_notificaties(client, catalogi, since=seen + 1)) == {204}
    pipeline.run()
    mine = body(client.http.get(f"/api/me/cases/{case_id_for(catalogi.mark_zaak_url)}", headers=headers("mark")))
    assert mine["status"]["statustype"] == "aanvullende-informatie-nodig"
    assert NEW_TEXT in json.dumps(mine, ensure_ascii=False)


def test_a_refresh_the_catalogi_api_refuses_leaves_the_catalogue_as_it_was_and_is_tried_again(client, pipeline, catalogi, stack):
    queue_catalogue_refresh(wiring.adapters().notices, datetime.now(UTC))
    pipeline.run()
    first = _stored()
    # WHEN the Catalogi API refuses Baken's credentials for a while
    catalogi.refuse("/catalogi/", times=1)
    seen = len(catalogi.notificaties.messages)
    catalogi.change_statustype(MARK_ZAAKTYPE, 2, {"statustekst": "Een behandelaar kijkt nu naar uw plan."})
    assert deliver_notificaties(client, catalogi, since=seen) == [204]
    pipeline.notices.poll_once()
    # THEN nothing changed, and the notice waits on its queue
    assert _stored() == first
    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=stack.outputs.values["NoticesQueueUrl"], AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    assert int(attributes["ApproximateNumberOfMessagesNotVisible"]) == 1


def test_without_a_catalogus_a_zaaktype_change_is_answered_and_ignored(client, pipeline, zaaksysteem):
    seen = len(zaaksysteem.notificaties.messages)
    zaaksysteem.change_statustype(MARK_ZAAKTYPE, 2, {"statustekst": "Anders."})
    assert deliver_notificaties(client, zaaksysteem, since=seen) == [204]
    assert pipeline.notices.poll_once() == 0
    assert wiring.adapters().catalogue_store is None
