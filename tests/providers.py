"""A stand-in OpenID provider on 127.0.0.1 for tests: its discovery document, its JWKS (which a test rotates) and a
token endpoint that records what it was sent and answers what the test put in ``token_answer``."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.adapters.identity import DevIssuer


def private_key_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


class Broker:
    """A provider on 127.0.0.1: its discovery document and its JWKS, whose keys the test rotates."""

    def __init__(self) -> None:
        self.jwks: dict[str, Any] = {"keys": []}
        self.requests: list[str] = []
        self.token_calls: list[tuple[str, dict[str, list[str]]]] = []
        self.token_answer: dict[str, Any] = {}
        broker = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                broker.requests.append(self.path)
                if self.path == "/.well-known/openid-configuration":
                    body = {
                        "issuer": broker.issuer,
                        "jwks_uri": f"{broker.issuer}/keys",
                        "authorization_endpoint": f"{broker.issuer}/authorize",
                        "token_endpoint": f"{broker.issuer}/token",
                    }
                elif self.path == "/keys":
                    body = broker.jwks
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # the token endpoint
                length = int(self.headers.get("Content-Length", "0"))
                broker.token_calls.append((self.headers.get("Authorization", ""), parse_qs(self.rfile.read(length).decode())))
                data = json.dumps(broker.token_answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def signer(self, kid: str, audience: str = "baken-api") -> DevIssuer:
        key = DevIssuer(private_key_pem=private_key_pem(), issuer=self.issuer, staff_issuer=self.issuer, audience=audience)
        key.kid = kid
        return key

    def publish(self, *signers: DevIssuer) -> None:
        self.jwks = {"keys": [k for s in signers for k in s.jwks()["keys"]]}

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
