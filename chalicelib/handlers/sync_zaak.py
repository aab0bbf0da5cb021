"""sync_zaak — the notices queue (SQS FIFO, one message group per zaak, with a dead-letter queue): reads the zaak a
ZGW notification or CloudEvent is about from the zaaksysteem and brings its case to the zaak's state
(``services/zaak_sync.py``); the cases stream then tells whoever should hear.

A zaaksysteem that is down, slow, refuses Baken's credentials or answers malformed JSON fails the message alone
(ReportBatchItemFailures, set in infra/app.json): it is tried again after its visibility timeout, and the notices
after it for the same zaak wait (FIFO), so the zaak's changes are never applied out of order. After the queue's
retries the message waits in the dead-letter queue (its alarm tells the operator; ``make redrive`` sends it back).
A zaak that cannot become a case (a zaaktype Baken does not offer, no initiator) is logged and counted, not
retried: reading it again would give the same answer.

A notice of the kanaal ``zaaktypen`` (or from ``python -m chalicelib.ops refresh-catalogue``) refreshes the
catalogue from the Catalogi API when one is configured (``services/catalogue_refresh.py``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.config import notices_queue_name
from chalicelib.domain.zgw import Handling, ZaakNotice

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

bp = Blueprint(__name__)
QUEUE_NAME = notices_queue_name()
BATCH_SIZE = 1  # a FIFO batch is of one message group: one zaak's notices are one sync each anyway


def sync_notice(record: SQSRecord) -> None:
    from chalicelib.observability import count, logger
    from chalicelib.services.zaak_sync import SyncOutcome

    try:
        notice = ZaakNotice.from_json(json.loads(record.body))
    except (ValueError, KeyError, TypeError):
        logger().error("not a notice", extra={"message_id": record.message_id})
        count("ZgwNoticesRefused")
        return  # no notice of ours: retrying cannot help
    if notice.handling is Handling.CATALOGUE:
        refresh_catalogue(notice)
        return
    result = wiring.services().zaak_sync.sync(notice)
    extra = {"notice": notice.id, "resource": notice.resource, "outcome": result.outcome.value, "case_id": result.case_id}
    if result.outcome is SyncOutcome.REFUSED:
        logger().warning("zaak not taken over", extra={**extra, "problem": result.problem})
        count("ZgwZakenRefused")
    else:
        logger().info("zaak synchronised", extra={**extra, "case_writes": result.writes})
    count("ZgwNoticesDone")
    count("ZgwCaseWrites", result.writes)


def refresh_catalogue(notice: ZaakNotice) -> None:
    """A zaaktype changed in the Catalogi API (or an operator asked): refresh the catalogue. The Catalogi API
    down or refusing fails the message (tried again); what could not be taken over is logged as notes."""
    from chalicelib.observability import count, logger

    result = wiring.services().catalogue_refresh.refresh(notice.at)
    if not result.refreshed:
        logger().info("catalogue already current", extra={"notice": notice.id})
        return
    merge = result.merge
    notes = [note.to_json() for note in merge.notes] if merge else []
    logger().info(
        "catalogue refreshed",
        extra={
            "notice": notice.id,
            "changed": result.changed,
            "from_catalogi": list(merge.from_catalogi) if merge else [],
            "notes": notes,
        },
    )
    count("CatalogueRefreshed")
    count("CatalogueNotes", len(notes))


def process_notice_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda-shaped SQS event in, ``{"batchItemFailures": [...]}`` out."""
    from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response

    from chalicelib.observability import flush_metrics

    try:
        processor = SqsFifoPartialProcessor(skip_group_on_error=True)
        return dict(process_partial_response(event=event, record_handler=sync_notice, processor=processor, context=context))
    finally:
        flush_metrics()


@bp.on_sqs_message(queue=QUEUE_NAME, batch_size=BATCH_SIZE, name="sync_zaak")
def sync_zaak(event: Any) -> dict[str, Any]:
    return process_notice_batch(event.to_dict(), event.context)
