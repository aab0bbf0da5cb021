"""The notices queue on SQS (FIFO, with a dead-letter queue): accepted ZGW notifications and CloudEvents waiting
for ``sync_zaak``. One message group per zaak (and one for the catalogue's refreshes), so the notices of one zaak
are worked on one at a time and in the order they came; the notice's id is the deduplication id, so a message the
zaaksysteem delivers twice within five minutes is queued once (and a later copy finds nothing new to write)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalicelib.domain.zgw import Handling, ZaakNotice, case_id_for
from chalicelib.services.ports import NoticeQueue

CATALOGUE_GROUP = "catalogue"  # one refresh of the catalogue at a time


class SqsNoticeQueue(NoticeQueue):
    def __init__(self, client: Callable[[], Any], queue_url: Callable[[], str]) -> None:
        self._client = client
        self._queue_url = queue_url

    def send(self, notice: ZaakNotice) -> None:
        self._client().send_message(
            QueueUrl=self._queue_url(),
            MessageBody=json.dumps(notice.to_json(), separators=(",", ":")),
            MessageGroupId=CATALOGUE_GROUP if notice.handling is Handling.CATALOGUE else case_id_for(notice.zaak_url),
            MessageDeduplicationId=notice.id,
        )
