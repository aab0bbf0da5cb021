"""Sealed cookies: JSON encrypted and authenticated with AES-256-GCM, so whoever holds the cookie can neither read
nor change it. Each key of the token key ring gives its own AES key (HKDF-SHA256, one per purpose); the newest
seals, every key of the ring opens, so rotating the keys does not log anybody out.

A sealed value is ``v1.<base64url(nonce ‖ ciphertext ‖ tag)>``; the purpose (``session``, ``login``) is bound in
as associated data, so a value sealed for one purpose never opens as another.
"""

from __future__ import annotations

import base64
import json
import os
from functools import lru_cache
from typing import Any

from chalicelib.domain.tokens import InvalidTokenError, verifying_keys

VERSION = "v1"
NONCE_BYTES = 12


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=32)
def _aes_key(key: bytes, purpose: str) -> Any:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"baken sealed {purpose}".encode()).derive(key)
    return AESGCM(derived)


def seal(body: dict[str, object], keys: bytes, purpose: str) -> str:
    """``body`` encrypted with the newest key of ``keys`` for ``purpose``."""
    nonce = os.urandom(NONCE_BYTES)
    plain = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    sealed = _aes_key(verifying_keys(keys)[0], purpose).encrypt(nonce, plain, purpose.encode())
    return f"{VERSION}.{_encode(nonce + sealed)}"


def unseal(text: str, keys: bytes, purpose: str, *, max_length: int = 4096) -> dict[str, Any]:
    """What ``seal`` sealed for ``purpose`` with any key of ``keys``; else InvalidTokenError."""
    from cryptography.exceptions import InvalidTag

    if not isinstance(text, str) or len(text) > max_length or not text.isascii() or not text.startswith(f"{VERSION}."):
        raise InvalidTokenError("malformed")
    try:
        raw = _decode(text[len(VERSION) + 1 :])
    except ValueError:
        raise InvalidTokenError("malformed") from None
    if len(raw) <= NONCE_BYTES + 16:
        raise InvalidTokenError("malformed")
    nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    for key in verifying_keys(keys):
        try:
            plain = _aes_key(key, purpose).decrypt(nonce, sealed, purpose.encode())
        except InvalidTag:
            continue
        try:
            body = json.loads(plain)
        except ValueError:
            break
        if isinstance(body, dict):
            return body
        break
    raise InvalidTokenError("signature")
