"""What arrives from the zaaksysteem, held to the published message schemas: a Notificaties API message and an NL GOV
CloudEvent that validate against their fragments (tests/contract/zgw/schemas) are accepted by parse_notificatie
and parse_cloudevent with the right ZaakNotice; one the fragment refuses for a missing field is refused by the
parser naming the same field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.zgw import Handling, ZaakNotice, parse_cloudevent, parse_notificatie
from tests.contract.zgw.server import SCHEMAS, check, problems, validator

ZAKEN = "https://zaken.example.nl/zaken/api/v1"
ZAAK_UUID = "6f1e4c2a-3b5d-4e7f-8a9b-0c1d2e3f4a5b"
ZAAK = f"{ZAKEN}/zaken/{ZAAK_UUID}"


def notificatie(**changes: Any) -> dict[str, Any]:
    message = {
        "kanaal": "zaken",
        "hoofdObject": ZAAK,
        "resource": "status",
        "resourceUrl": f"{ZAKEN}/statussen/0c5a2b1e-9d8f-4e7a-b6c5-d4e3f2a1b0c9",
        "actie": "create",
        "aanmaakdatum": "2026-03-05T09:30:00Z",
        "kenmerken": {
            "bronorganisatie": "002220647",
            "zaaktype": "https://zaken.example.nl/catalogi/api/v1/zaaktypen/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            "vertrouwelijkheidaanduiding": "openbaar",
        },
    }
    return message | changes


def cloudevent(**changes: Any) -> dict[str, Any]:
    event = {
        "specversion": "1.0",
        "id": "f3dc1a2b-7e4d-4c8a-9b1f-2a3b4c5d6e7f",
        "source": "urn:nld:oin:00000001002220647000:systeem:zaaksysteem",
        "type": "nl.overheid.zaken.zaakstatus-gewijzigd",
        "subject": ZAAK_UUID,
        "time": "2026-03-05T09:30:00Z",
        "datacontenttype": "application/json",
        "dataref": ZAAK,
    }
    return event | changes


def test_every_fragment_is_a_json_schema_that_names_its_source() -> None:
    names = sorted(p.stem for p in SCHEMAS.glob("*.json"))
    assert names == [
        "betrokkene",
        "cloudevent",
        "klantcontact",
        "notificatie",
        "onderwerpobject",
        "paginated_list",
        "rol",
        "status",
        "statustype",
        "zaak",
        "zaakobject",
        "zaaktype",
    ]
    for name in names:
        schema = json.loads(Path(SCHEMAS / f"{name}.json").read_text())
        validator(name).check_schema(schema)
        assert schema["$comment"].startswith("Source: "), name


def test_a_status_notificatie_becomes_a_notice_to_read_the_zaak() -> None:
    message = check("notificatie", notificatie())

    notice = parse_notificatie(message)

    assert notice.zaak_url == ZAAK
    assert (notice.resource, notice.actie, notice.resource_url) == ("status", "create", message["resourceUrl"])
    assert notice.at == datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
    assert notice.handling is Handling.SYNC
    assert parse_notificatie(dict(message)).id == notice.id  # delivered again: the same notice
    assert ZaakNotice.from_json(notice.to_json()) == notice


@pytest.mark.parametrize(
    ("changes", "handling"),
    [
        ({"resource": "zaak", "resourceUrl": ZAAK, "actie": "partial_update"}, Handling.SYNC),
        ({"resource": "rol", "actie": "destroy"}, Handling.SYNC),
        ({"resource": "klantcontact"}, Handling.IGNORED),
        ({"kanaal": "test", "kenmerken": {}}, Handling.TEST),
        ({"resource": "zaakobject", "actie": "update"}, Handling.SYNC),
    ],
)
def test_each_kind_of_notificatie_that_validates_is_accepted(changes: dict[str, Any], handling: Handling) -> None:
    message = check("notificatie", notificatie(**changes))

    assert parse_notificatie(message).handling is handling


@pytest.mark.parametrize("missing", ["kanaal", "hoofdObject", "resource", "resourceUrl", "actie", "aanmaakdatum"])
def test_a_notificatie_without_a_required_field_is_refused_by_both_naming_it(missing: str) -> None:
    message = notificatie()
    del message[missing]
    assert problems("notificatie", message)

    with pytest.raises(ValidationError) as raised:
        parse_notificatie(message)
    assert missing in [issue.field for issue in raised.value.issues]


def test_a_cloudevent_with_a_dataref_becomes_a_notice_to_read_that_zaak() -> None:
    event = check("cloudevent", cloudevent())

    notice = parse_cloudevent(event)

    assert notice.zaak_url == ZAAK
    assert (notice.resource, notice.actie, notice.resource_url) == ("zaakstatus-gewijzigd", "event", ZAAK)
    assert notice.at == datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
    assert notice.handling is Handling.SYNC
    assert parse_cloudevent(dict(event)).id == notice.id


def test_a_cloudevent_naming_the_zaak_in_its_data_is_accepted() -> None:
    event = cloudevent(data={"zaak": ZAAK})
    del event["dataref"]
    check("cloudevent", event)

    assert parse_cloudevent(event).zaak_url == ZAAK


@pytest.mark.parametrize("missing", ["specversion", "id", "source", "type"])
def test_a_cloudevent_without_a_required_attribute_is_refused_by_both_naming_it(missing: str) -> None:
    event = cloudevent()
    del event[missing]
    assert problems("cloudevent", event)

    with pytest.raises(ValidationError) as raised:
        parse_cloudevent(event)
    assert missing in [issue.field for issue in raised.value.issues]


def test_the_cloudevent_fragment_holds_attribute_names_to_the_nl_gov_profile() -> None:
    assert problems("cloudevent", cloudevent(zaakIdentificatie="ZAAK-1"))  # upper case
    assert problems("cloudevent", cloudevent(averyveryverylongattribute="x"))  # over 20 characters
