"""boto3 clients for one region, each made on first use: boto3 is imported then, not when the graph is built,
so a Lambda function that never sends e-mail never makes an SES client."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any


class AwsClients:
    def __init__(self, region: str) -> None:
        self._region = region
        self._made: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        """The client for ``service`` (``sqs``, ``sesv2``, ``dynamodbstreams``…), made once."""
        if service not in self._made:
            import boto3

            self._made[service] = boto3.client(service, region_name=self._region)
        return self._made[service]

    def factory(self, service: str) -> Callable[[], Any]:
        """A callable giving the client for ``service``, for an adapter to call when it first needs it."""
        return partial(self.client, service)
