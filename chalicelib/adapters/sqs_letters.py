"""Letters for the print-and-post partner, on an SQS queue they read. A letter is the non-digital
alternative, so it carries the message itself and the postal address (encrypted at rest by SQS)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalicelib.services.ports import LetterSender, OutgoingLetter


class SqsLetterSender(LetterSender):
    def __init__(self, client: Callable[[], Any], queue_url: Callable[[], str]) -> None:
        self._client = client  # the boto3 SQS client, made on first use
        self._queue_url = queue_url

    def send(self, *, letter: OutgoingLetter) -> str:
        body = {
            "reference": letter.reference,
            "language": letter.language,
            "recipient": letter.recipient.__dict__,
            "title": letter.title,
            "body": letter.body,
        }
        response = self._client().send_message(QueueUrl=self._queue_url(), MessageBody=json.dumps(body, ensure_ascii=False))
        return str(response["MessageId"])
