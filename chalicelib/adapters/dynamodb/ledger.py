"""What a job already registered in another system (``RegistrationLedger``), in the case-index table: one item per
step under ``registration#<job key>`` (sort key ``step#<name>``), holding the created resource's url (or
``pending`` while the request is out). Read with one Query; kept ``KEEP`` (then TTL removes it), far longer than
a job is retried."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.adapters.dynamodb.models import point_at
from chalicelib.services.ports import RegistrationLedger

KEEP = timedelta(days=30)


class RegistrationStepItem(Model):
    class Meta:
        table_name = "baken-local-case-index"
        region = "eu-west-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    value = UnicodeAttribute()
    expires_at = TTLAttribute(null=True)


class DynamoDBLedger(RegistrationLedger):
    def __init__(self, table_name: str, region: str) -> None:
        point_at(RegistrationStepItem, table_name, region)

    def steps(self, key: str) -> dict[str, str]:
        return {
            item.sk.removeprefix("step#"): item.value
            for item in RegistrationStepItem.query(f"registration#{key}", RegistrationStepItem.sk.startswith("step#"))
        }

    def remember(self, key: str, step: str, value: str) -> None:
        RegistrationStepItem(pk=f"registration#{key}", sk=f"step#{step}", value=value, expires_at=datetime.now(UTC) + KEEP).save()
