"""The moto server embedded in the local stack, with two additions for a stack that runs for hours.

* ``GET /baken-dev/ses/sent`` answers the e-mails moto's SES accepted (``?to=`` narrows them to one address),
  read from the SES backend in this process. The local mailbox (``chalicelib.adapters.dev_mailbox``, in the
  ``chalice local`` process) reads it; moto's own ``/moto-api/data.json`` serialises every object moto ever
  made, which grows with every request until reading it takes longer than the mailbox may wait.
* Housekeeping, when the data stack is there and then once a minute. moto keeps a reference to every model
  object it ever creates, for its dashboard (``/moto-api/data.json``): every SQS message, stream record and
  shard iterator, and the deep copy of a whole table it makes for every ``TransactWriteItems`` (to roll back)
  and of an item for every ``UpdateItem`` — thousands of objects a second under traffic, never freed. The
  devstack turns that bookkeeping off for every model class loaded so far; what the services hold is
  untouched, only the dashboard shows nothing. And moto keeps every shard iterator it handed out, one per
  ``GetRecords`` call of the event runner; on AWS an iterator expires 15 minutes after it was handed out, and
  here it is forgotten then too.
* DynamoDB requests one at a time (``serialise_dynamodb``): moto's ``TransactWriteItems`` deep-copies every
  table it touches (to roll back), and a write by another request during that copy fails it with "dictionary
  changed size during iteration" — a 500 for parallel case registrations that DynamoDB never gives.
* ``TransactWriteItems`` that copies the items it names instead of whole tables (devstack/moto_transactions.py):
  without it a transaction's time grows with everything the table holds.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

SENT_MAIL_PATH = "/baken-dev/ses/sent"
SHARD_ITERATOR_LIFETIME = 15 * 60  # seconds, as on AWS
HOUSEKEEPING_EVERY = 60.0

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _with_sent_mail(app: WsgiApp) -> WsgiApp:
    """moto's WSGI app, answering ``SENT_MAIL_PATH`` itself."""
    from chalicelib.adapters.dev_mailbox import sent_in_process

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != SENT_MAIL_PATH:
            return app(environ, start_response)
        to = parse_qs(environ.get("QUERY_STRING", "")).get("to", [None])[0]
        body = json.dumps({"messages": sent_in_process(to)}).encode("utf-8")
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return serve


_DYNAMODB = threading.Lock()


def serialised(call_action: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """moto's DynamoDB request handler, answering one request at a time."""

    def one_at_a_time(handler: Any) -> Any:
        with _DYNAMODB:
            return call_action(handler)

    return one_at_a_time


def serialise_dynamodb() -> None:
    """Make moto's DynamoDB answer one request at a time (see the module's docstring)."""
    from moto.dynamodb.responses import DynamoHandler

    if not getattr(DynamoHandler, "_baken_serialised", False):
        DynamoHandler.call_action = serialised(DynamoHandler.call_action)  # type: ignore[method-assign]
        DynamoHandler._baken_serialised = True  # type: ignore[attr-defined]


class _Untracked(list[Any]):
    """Stands in for a moto model class's list of every instance it made: keeps none."""

    def append(self, instance: Any) -> None:
        return None


def untrack_models() -> None:
    """Stop moto's models keeping every instance (and drop those kept so far)."""
    from moto.core.model_instances import model_data

    for models in model_data.values():
        for model in models.values():
            if not isinstance(model.instances_tracked, _Untracked):  # type: ignore[attr-defined]
                model.instances_tracked = _Untracked()  # type: ignore[attr-defined]


class ShardIteratorExpiry:
    """Forgets the shard iterators moto handed out more than ``lifetime`` seconds ago.

    moto only ever adds to its dict of iterators, so they sit in the order they were handed out: each sweep
    notes how many there have been so far, and a later sweep forgets as many of the oldest as there had been
    ``lifetime`` seconds earlier."""

    def __init__(self, lifetime: float = SHARD_ITERATOR_LIFETIME) -> None:
        self._lifetime = lifetime
        self._marks: dict[int, deque[tuple[float, int]]] = {}
        self._forgotten: dict[int, int] = {}

    def sweep(self, iterators: dict[str, Any], now: float) -> int:
        """Forget the expired iterators of one backend; returns how many."""
        key = id(iterators)
        marks = self._marks.setdefault(key, deque())
        forgotten = self._forgotten.get(key, 0)
        marks.append((now, forgotten + len(iterators)))
        handed_out = forgotten
        while marks and now - marks[0][0] >= self._lifetime:
            handed_out = marks.popleft()[1]
        expired = list(iterators)[: handed_out - forgotten]  # a copy: moto adds while this runs
        for arn in expired:
            iterators.pop(arn, None)
        self._forgotten[key] = forgotten + len(expired)
        return len(expired)


def _stream_backends() -> list[Any]:
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    return [backend for regions in dynamodbstreams_backends.values() for backend in regions.values()]


class EmbeddedMoto:
    """moto's server in a thread of this process, as ``moto.server.ThreadedMotoServer`` runs it, plus the
    sent-mail path and the housekeeping."""

    def __init__(self, host: str, port: int, *, housekeeping_every: float | None = None) -> None:
        self.url = f"http://{host}:{port}"
        self._host = host
        self._port = port
        self._every = HOUSEKEEPING_EVERY if housekeeping_every is None else housekeeping_every
        self._stopping = threading.Event()
        self._server: Any = None
        self._threads: list[threading.Thread] = []
        self._expiry = ShardIteratorExpiry()

    def start(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        from devstack import moto_transactions

        serialise_dynamodb()
        moto_transactions.install()
        app = _with_sent_mail(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self._host, self._port, app, threaded=True, request_handler=MotoRequestHandler)
        self._threads = [
            threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, name="moto", daemon=True),
            threading.Thread(target=self._housekeeping, name="moto-housekeeping", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def housekeep(self, now: float | None = None) -> int:
        """One round of housekeeping; returns how many shard iterators were forgotten."""
        untrack_models()
        moment = time.monotonic() if now is None else now
        return sum(self._expiry.sweep(backend.shard_iterators, moment) for backend in _stream_backends())

    def _housekeeping(self) -> None:
        while not self._stopping.wait(self._every):
            self.housekeep()

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
