"""The operator commands' settings: a deployed stage's names, never its secrets."""

from __future__ import annotations

import json

import pytest

from chalicelib.config import ConfigurationError, operator_settings
from tests.conftest import ROOT

PROD = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))["stages"]["prod"]["environment_variables"]


def test_a_deployed_stage_needs_only_its_names_for_the_operator_commands():
    # GIVEN the prod stage's committed settings: no token secret, no portal, no login settings
    current = operator_settings(PROD)
    # THEN the operator commands get prod's tables and queues, and no secret at all
    assert current.stage == "prod"
    assert current.tables.notifications == "baken-prod-notifications"
    assert current.delivery_queue_name == "baken-prod-delivery.fifo"
    assert current.token_secret == b""
    assert not current.is_local


def test_a_secret_in_the_environment_is_not_taken_either():
    current = operator_settings({**PROD, "BAKEN_TOKEN_SECRET": "x" * 40, "BAKEN_OIDC_CLIENT_SECRET": "y"})
    assert current.token_secret == b""
    assert current.citizens_oidc.client_secret is None
    assert current.staff_oidc.client_secret is None


def test_a_missing_name_is_named():
    with pytest.raises(ConfigurationError, match="BAKEN_TABLE_PREFIX"):
        operator_settings({"BAKEN_STAGE": "prod", "BAKEN_DELIVERY_QUEUE": "baken-prod-delivery.fifo"})
