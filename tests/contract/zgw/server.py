"""A zaaksysteem on 127.0.0.1 for contract tests: a real HTTP server (ephemeral port, a thread per request) that
answers ZGW-shaped JSON and records every request it gets.

Every well-formed answer is checked against the schema fragments in ``schemas/`` (taken from the published
OpenAPI documents, each naming its source) before it is served, so the fixtures cannot drift from what a real
Zaken or Catalogi API sends. Faults are answers too: a status code, a delay, a body that is deliberately not what
the schema says (``raw``).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

SCHEMAS = Path(__file__).parent / "schemas"


@cache
def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(name: str, document: Any) -> list[str]:
    """What is wrong with ``document`` by the fragment ``name`` (empty: it validates)."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator(name).iter_errors(document)]


def check(name: str, document: Any) -> Any:
    found = problems(name, document)
    if found:
        raise AssertionError(f"fixture does not match the {name} fragment: {found}")
    return document


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0


def json_answer(schema: str, document: Any, *, status: int = 200) -> Answer:
    """An answer whose body validates against the fragment ``schema``."""
    return Answer(status, json.dumps(check(schema, document)).encode(), {"Content-Type": "application/json"})


def page_answer(item_schema: str, items: Sequence[Any], *, next_url: str | None = None) -> Answer:
    """A page of a list endpoint: the page validates as a paginated list, each item against ``item_schema``."""
    for item in items:
        check(item_schema, item)
    document = {"count": len(items), "next": next_url, "previous": None, "results": list(items)}
    return Answer(200, json.dumps(check("paginated_list", document)).encode(), {"Content-Type": "application/json"})


def raw(body: bytes | str, *, status: int = 200, headers: Mapping[str, str] | None = None, delay: float = 0.0) -> Answer:
    """An answer served as it is: for faults (not JSON, a field missing, a status code, slowness)."""
    data = body.encode() if isinstance(body, str) else body
    return Answer(status, data, dict(headers or {"Content-Type": "application/json"}), delay)


@dataclass(frozen=True)
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]

    @property
    def target(self) -> str:
        return self.path + ("?" + urllib.parse.urlencode(self.query, doseq=True) if self.query else "")


class Zaaksysteem:
    """Routes by path and query (``/zaken/api/v1/rollen?zaak=...``); each route answers its answers in turn and
    repeats the last. Unknown targets answer 404."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Answer]] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def route(self, url: str, *answers: Answer) -> None:
        parts = urllib.parse.urlsplit(url)
        self.routes[self._key(parts.path, urllib.parse.parse_qs(parts.query))] = list(answers)

    def requests_to(self, url: str) -> list[Seen]:
        parts = urllib.parse.urlsplit(url)
        key = self._key(parts.path, urllib.parse.parse_qs(parts.query))
        return [s for s in self.seen if self._key(s.path, s.query) == key]

    @staticmethod
    def _key(path: str, query: Mapping[str, list[str]]) -> str:
        return path + "?" + urllib.parse.urlencode(sorted(query.items()), doseq=True)

    def _answer(self, path: str, query: dict[str, list[str]], headers: dict[str, str]) -> Answer:
        with self._lock:
            self.seen.append(Seen(path, query, headers))
            answers = self.routes.get(self._key(path, query))
            if not answers:
                return raw(b'{"detail": "not found"}', status=404)
            return answers.pop(0) if len(answers) > 1 else answers[0]

    @contextmanager
    def running(self) -> Iterator[Zaaksysteem]:
        system = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                answer = system._answer(parts.path, urllib.parse.parse_qs(parts.query), dict(self.headers.items()))
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
