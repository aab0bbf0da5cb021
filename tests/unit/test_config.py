"""Settings: local defaults for the local stage only; a deployed stage with a missing setting refuses to start."""

from __future__ import annotations

import pytest

from chalicelib.config import ConfigurationError, settings

PROD = {
    "BAKEN_STAGE": "prod",
    "BAKEN_TABLE_PREFIX": "baken-prod-",
    "BAKEN_DELIVERY_QUEUE": "baken-prod-delivery.fifo",
    "BAKEN_SENDER": "Provincie Utrecht <noreply@mijn.provincie-utrecht.nl>",
    "BAKEN_PORTAL_URL": "https://mijn.provincie-utrecht.nl",
    "BAKEN_OIDC_ISSUER": "https://login.provincie-utrecht.nl",
    "BAKEN_OIDC_AUDIENCE": "baken",
    "BAKEN_OIDC_JWKS": '{"keys": []}',
    "BAKEN_LETTERS_QUEUE": "baken-prod-letters",
    "BAKEN_FEEDBACK_QUEUE": "baken-prod-ses-feedback",
    "BAKEN_TOKEN_SECRET": "x" * 40,
}


@pytest.fixture(autouse=True)
def fresh_settings():
    settings.cache_clear()
    yield
    settings.cache_clear()


def test_the_local_stage_has_defaults_for_everything(monkeypatch):
    monkeypatch.delenv("BAKEN_PORTAL_URL", raising=False)
    current = settings()
    assert (current.is_local, current.tables.cases, current.portal_url) == (True, "baken-local-cases", "http://127.0.0.1:8000")


def test_a_deployed_stage_with_every_setting_starts(monkeypatch):
    for name, value in PROD.items():
        monkeypatch.setenv(name, value)
    current = settings()
    assert (current.stage, current.tables.notifications, current.delivery_queue_name) == (
        "prod",
        "baken-prod-notifications",
        "baken-prod-delivery.fifo",
    )


@pytest.mark.parametrize("missing", ["BAKEN_TABLE_PREFIX", "BAKEN_PORTAL_URL", "BAKEN_OIDC_JWKS"])
def test_a_deployed_stage_missing_a_setting_refuses_to_start(monkeypatch, missing):
    for name, value in PROD.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigurationError, match=missing):
        settings()


def test_a_deployed_stage_links_to_the_portal_over_https_only(monkeypatch):
    for name, value in PROD.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("BAKEN_PORTAL_URL", "http://127.0.0.1:8000")
    with pytest.raises(ConfigurationError, match="https"):
        settings()


def test_without_a_stage_nothing_falls_back_to_local(monkeypatch):
    monkeypatch.delenv("BAKEN_STAGE")
    with pytest.raises(ConfigurationError):
        settings()


def test_the_local_clock_can_be_shifted_by_a_number_of_seconds(monkeypatch):
    monkeypatch.setenv("BAKEN_DEV_CLOCK_OFFSET", "-3600.5")
    assert settings().dev_clock_offset_seconds == -3600.5


@pytest.mark.parametrize(("stage", "offset", "problem"), [("local", "an hour", "number"), ("prod", "60", "local stage")])
def test_a_clock_offset_that_is_no_number_or_outside_the_local_stage_is_refused(monkeypatch, stage, offset, problem):
    for name, value in PROD.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("BAKEN_STAGE", stage)
    monkeypatch.setenv("BAKEN_DEV_CLOCK_OFFSET", offset)
    with pytest.raises(ConfigurationError, match=problem):
        settings()
