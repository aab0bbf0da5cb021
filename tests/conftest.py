"""Test-wide settings. The environment is fixed before anything imports app.py, so the app is built for
the local stage (with its dev routes) and every AWS call goes to moto, never to a real account."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TEST_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
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
os.environ.update(TEST_ENVIRONMENT)
for leaked in (
    "AWS_ENDPOINT_URL",
    "AWS_PROFILE",
    "BAKEN_DEV_ISSUER_KEY_FILE",
    "BAKEN_CASES_STREAM_ARN",
    "BAKEN_DELIVERY_QUEUE_URL",
):
    os.environ.pop(leaked, None)
