"""The environment for running Baken in-process against moto (tests and benchmarks): the local stage's
settings, fake credentials, and nothing that could reach a real AWS account."""

from __future__ import annotations

import os

IN_PROCESS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    # in-process moto answers DynamoDB Streams calls only without account-id endpoints
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "BAKEN_STAGE": "local",
    "BAKEN_TABLE_PREFIX": "baken-local-",
    "BAKEN_DELIVERY_QUEUE": "baken-local-delivery.fifo",
    "BAKEN_OIDC_ISSUER": "urn:baken:local-dev-issuer",
    "BAKEN_OIDC_AUDIENCE": "baken-local",
    "BAKEN_PORTAL_URL": "https://mijn.example.test",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}
# Set per run by the stack being used, or pointing somewhere real: never inherited.
PER_RUN = (
    "AWS_ENDPOINT_URL",
    "AWS_PROFILE",
    "BAKEN_DEV_ISSUER_KEY_FILE",
    "BAKEN_CASES_STREAM_ARN",
    "BAKEN_DELIVERY_QUEUE_URL",
    "BAKEN_DOCUMENTS_BUCKET",
)


def use_in_process_environment() -> None:
    os.environ.update(IN_PROCESS)
    for name in PER_RUN:
        os.environ.pop(name, None)
