"""Secrets from the store (moto's Secrets Manager and SSM): the token keys and the login clients' secrets are read
by name, never from a plain environment variable; rotating the token keys keeps the links already sent working."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from aws_lambda_powertools.utilities import parameters

from chalicelib.adapters.secrets import read_key_ring, read_secret
from chalicelib.config import ConfigurationError, OidcClient, local_settings
from chalicelib.domain.tokens import TokenPurpose, verify
from chalicelib.services.links import Links
from chalicelib.wiring import Adapters, _client_secret
from tests.factories import T0, FixedClock
from tests.integration.conftest import Stack

OLD = "the-key-that-signed-the-links-already-sent"
NEW = "the-key-that-signs-from-this-rotation-on"


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    parameters.clear_caches()
    yield
    parameters.clear_caches()


def _token(link: str) -> str:
    return link.split("token=", 1)[1]


def test_the_token_keys_come_from_secrets_manager_and_a_rotation_keeps_old_links_working(stack: Stack):
    secrets = stack.client("secretsmanager")
    secrets.create_secret(Name="baken/local/token-keys", SecretString=OLD)
    settings = replace(local_settings(), token_secret=b"", token_secret_name="baken/local/token-keys")
    clock = FixedClock(T0)

    # GIVEN a confirmation link sent before the rotation
    before = Adapters.on_aws(settings, clock=clock)
    link = Links("https://mijn.example", before.token_keys, clock).confirm("subscription-1")

    # WHEN the operator puts a new key first, keeping the old one (and the fingerprint key) in the ring
    secrets.put_secret_value(
        SecretId="baken/local/token-keys", SecretString=json.dumps({"keys": [NEW, OLD], "fingerprint_key": OLD})
    )
    parameters.clear_caches()  # a new function instance, or the cache's max_age passed
    after = Adapters.on_aws(settings, clock=clock)

    # THEN the old link still confirms, new links are signed with the new key, and addresses are found as before
    assert verify(_token(link), after.token_keys, TokenPurpose.CONFIRM, now=T0 + timedelta(days=1)).subject == "subscription-1"
    assert bytes(after.token_keys) == NEW.encode()
    new_link = Links("https://mijn.example", after.token_keys, clock).confirm("subscription-2")
    assert new_link != link
    assert after.fingerprint("mark@example.org") == before.fingerprint("mark@example.org")


def test_the_token_keys_can_be_an_ssm_securestring(stack: Stack):
    stack.client("ssm").put_parameter(Name="/baken/local/token-keys", Value=NEW, Type="SecureString")
    assert bytes(read_key_ring("/baken/local/token-keys")) == NEW.encode()


def test_a_login_clients_secret_is_read_from_the_store_when_the_token_endpoint_is_called(stack: Stack):
    stack.client("ssm").put_parameter(Name="/baken/local/broker-secret", Value="s3cret-from-ssm", Type="SecureString")
    stack.client("secretsmanager").create_secret(Name="baken/local/staff-secret", SecretString="s3cret-from-sm")
    settings = local_settings()
    assert _client_secret(settings, OidcClient("https://x", "a", "c", client_secret_name="/baken/local/broker-secret"))() == (
        "s3cret-from-ssm"
    )
    assert _client_secret(settings, OidcClient("https://x", "a", "c", client_secret_name="baken/local/staff-secret"))() == (
        "s3cret-from-sm"
    )


def test_a_missing_or_short_secret_is_a_configuration_error_naming_it(stack: Stack):
    with pytest.raises(ConfigurationError, match="baken/local/nothing"):
        read_secret("baken/local/nothing")
    stack.client("secretsmanager").create_secret(Name="baken/local/short", SecretString="short")
    with pytest.raises(ConfigurationError, match="baken/local/short"):
        read_key_ring("baken/local/short")
