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
    "BAKEN_OIDC_CLIENT_ID": "baken-portal",
    "BAKEN_OIDC_CLIENT_SECRET_NAME": "baken/prod/broker-client-secret",
    "BAKEN_STAFF_OIDC_ISSUER": "https://login.microsoftonline.com/tenant/v2.0",
    "BAKEN_STAFF_OIDC_AUDIENCE": "api://baken",
    "BAKEN_STAFF_OIDC_CLIENT_ID": "baken-staff",
    "BAKEN_STAFF_OIDC_CLIENT_SECRET_NAME": "/baken/prod/staff-client-secret",
    "BAKEN_LETTERS_QUEUE": "baken-prod-letters",
    "BAKEN_FEEDBACK_QUEUE": "baken-prod-ses-feedback",
    "BAKEN_JOBS_QUEUE": "baken-prod-jobs",
    "BAKEN_TOKEN_SECRET_NAME": "baken/prod/token-keys",
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


@pytest.mark.parametrize(
    "missing",
    ["BAKEN_TABLE_PREFIX", "BAKEN_PORTAL_URL", "BAKEN_TOKEN_SECRET_NAME", "BAKEN_STAFF_OIDC_ISSUER", "BAKEN_OIDC_CLIENT_ID"],
)
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


@pytest.mark.parametrize("plain", ["BAKEN_TOKEN_SECRET", "BAKEN_OIDC_CLIENT_SECRET", "BAKEN_STAFF_OIDC_CLIENT_SECRET"])
def test_a_deployed_stage_refuses_a_secret_in_a_plain_environment_variable(monkeypatch, plain):
    for name, value in PROD.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(plain, "y" * 40)
    with pytest.raises(ConfigurationError, match=plain):
        settings()


def test_a_deployed_stage_refuses_one_issuer_for_citizens_and_staff(monkeypatch):
    for name, value in PROD.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("BAKEN_STAFF_OIDC_ISSUER", PROD["BAKEN_OIDC_ISSUER"] + "/")
    with pytest.raises(ConfigurationError, match="differ"):
        settings()


def test_a_deployed_stage_names_its_secrets_and_both_providers(monkeypatch):
    for name, value in PROD.items():
        monkeypatch.setenv(name, value)
    current = settings()
    assert current.token_secret_name == "baken/prod/token-keys"
    assert current.token_secret == b""
    assert (current.citizens_oidc.client_id, current.citizens_oidc.client_secret_name) == (
        "baken-portal",
        "baken/prod/broker-client-secret",
    )
    assert (current.staff_oidc.issuer, current.staff_oidc.audience, current.staff_oidc.client_secret_name) == (
        "https://login.microsoftonline.com/tenant/v2.0",
        "api://baken",
        "/baken/prod/staff-client-secret",
    )


def test_a_deployed_stage_may_prove_itself_with_a_client_key_instead_of_a_secret(monkeypatch):
    for name, value in PROD.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("BAKEN_OIDC_CLIENT_SECRET_NAME")
    with pytest.raises(ConfigurationError, match="BAKEN_OIDC_CLIENT_KEY_NAME or BAKEN_OIDC_CLIENT_SECRET_NAME"):
        settings()
    settings.cache_clear()
    monkeypatch.setenv("BAKEN_OIDC_CLIENT_KEY_NAME", "/baken/prod/broker-client-key")
    assert settings().citizens_oidc.client_key_name == "/baken/prod/broker-client-key"


ZGW_APIS = (
    '[{"base_url": "https://zaken.example.nl/zaken/api/v1/", "client_id": "baken", "secret_name": "baken/prod/zgw-zaken"},'
    ' {"base_url": "https://zaken.example.nl/catalogi/api/v1/", "client_id": "baken", "secret_name": "baken/prod/zgw-cat"}]'
)


def test_a_connected_zaaksysteem_names_its_apis_and_secrets(monkeypatch):
    for name, value in PROD.items():
        monkeypatch.setenv(name, value)
    assert settings().zgw is None  # not connected: nothing to read, the ZGW routes accept nothing
    settings.cache_clear()
    monkeypatch.setenv("BAKEN_ZGW_APIS", ZGW_APIS)
    monkeypatch.setenv("BAKEN_ZGW_CALLBACK_AUTH_NAME", "baken/prod/zgw-callback")
    monkeypatch.setenv("BAKEN_PSEUDONYM_KEY_NAME", "baken/prod/pseudonym-key")
    link = settings().zgw
    assert link is not None
    assert [(a.base_url, a.secret_name, a.secret) for a in link.apis] == [
        ("https://zaken.example.nl/zaken/api/v1/", "baken/prod/zgw-zaken", None),
        ("https://zaken.example.nl/catalogi/api/v1/", "baken/prod/zgw-cat", None),
    ]
    assert (link.callback_auth_name, link.pseudonym_key_name, link.pseudonym_sector) == (
        "baken/prod/zgw-callback",
        "baken/prod/pseudonym-key",
        "baken",
    )


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"BAKEN_ZGW_APIS": "not json"}, "JSON list"),
        ({"BAKEN_ZGW_APIS": "[]"}, "non-empty"),
        ({"BAKEN_ZGW_APIS": '[{"base_url": "http://zaken.example.nl/", "client_id": "b", "secret_name": "s"}]'}, "https://"),
        ({"BAKEN_ZGW_APIS": '[{"base_url": "https://zaken.example.nl/", "client_id": "b", "secret": "plain"}]'}, "secrets store"),
        ({"BAKEN_ZGW_APIS": '[{"base_url": "https://zaken.example.nl/", "client_id": "b"}]'}, "secret_name"),
        ({"BAKEN_ZGW_CALLBACK_AUTH_NAME": ""}, "BAKEN_ZGW_CALLBACK_AUTH_NAME"),
        ({"BAKEN_PSEUDONYM_KEY_NAME": ""}, "BAKEN_PSEUDONYM_KEY_NAME"),
        ({"BAKEN_ZGW_CALLBACK_AUTH": "Bearer plain"}, "secrets store"),
    ],
)
def test_a_zaaksysteem_link_that_is_incomplete_or_holds_a_plain_secret_refuses_to_start(monkeypatch, changes, problem):
    for name, value in {
        **PROD,
        "BAKEN_ZGW_APIS": ZGW_APIS,
        "BAKEN_ZGW_CALLBACK_AUTH_NAME": "baken/prod/zgw-callback",
        "BAKEN_PSEUDONYM_KEY_NAME": "baken/prod/pseudonym-key",
        **changes,
    }.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=problem):
        settings()
