"""Secrets from the secrets store: AWS Secrets Manager, or an SSM SecureString parameter when the name starts with
``/``. Read through Powertools Parameters, which caches each value for ``max_age`` seconds, so a rotated client
secret is used within minutes and a warm function does not call the store on every request.

Powertools Parameters (and boto3 with it) is imported on the first read: a function that reads no secret, and the
local stage, which has its secrets in its settings, never pay for it.
"""

from __future__ import annotations

from chalicelib.config import ConfigurationError
from chalicelib.domain.tokens import KeyRing

DEFAULT_MAX_AGE_SECONDS = 300


def read_secret(name: str, *, max_age: int = DEFAULT_MAX_AGE_SECONDS) -> str:
    """The text of the secret ``name``: a Secrets Manager name or ARN, or an SSM SecureString path (``/…``)."""
    from aws_lambda_powertools.utilities import parameters

    try:
        if name.startswith("/"):
            value = parameters.get_parameter(name, decrypt=True, max_age=max_age)
        else:
            value = parameters.get_secret(name, max_age=max_age)
    except parameters.exceptions.GetParameterError as error:
        raise ConfigurationError(f"the secret {name} cannot be read: {type(error.__cause__ or error).__name__}") from None
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"the secret {name} is empty")
    return value


def read_key_ring(name: str, *, max_age: int = DEFAULT_MAX_AGE_SECONDS) -> KeyRing:
    """The token keys stored under ``name`` (one key, or ``{"keys": [newest, …], "fingerprint_key": …}``)."""
    try:
        return KeyRing.parse(read_secret(name, max_age=max_age))
    except ValueError as error:
        raise ConfigurationError(f"the secret {name} is no key ring: {error}") from None
