"""What every route shares about the request it answers: the request itself (set by ``endpoint`` and ``page``
before a route runs, so helpers need not be handed it), where it came from, its path parameters checked before
anything is read, and the limit on a body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from chalice.app import Request

from chalicelib.domain.berichtenbox import BERICHTENBOX_MESSAGE_ID
from chalicelib.domain.errors import (
    AnnouncementNotFoundError,
    BerichtenboxMessageNotFoundError,
    CaseNotFoundError,
    DocumentRequestNotFoundError,
    DomainError,
    Issue,
    QuestionNotFoundError,
    SubscriptionNotFoundError,
    UnknownZaaktypeError,
    ValidationError,
)

MAX_BODY_BYTES = 64 * 1024

_current: ContextVar[Request] = ContextVar("baken_request")


@contextmanager
def answering(request: Request) -> Iterator[Request]:
    """Make ``request`` the one ``current_request()`` gives while a route answers it."""
    token = _current.set(request)
    try:
        yield request
    finally:
        _current.reset(token)


def current_request() -> Request:
    """The request being answered; only inside a route registered with ``endpoint`` or ``page``."""
    return _current.get()


def request_origin(request: Request) -> str:
    """Where a request came from (the source address API Gateway saw), for the audit log and rate limits."""
    identity = (request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def current_path() -> str:
    """The path asked for. Chalice's ``request.path`` is the route's pattern (``/mijn-zaken/{case_id}``)."""
    request = current_request()
    return request.path.format(**(request.uri_params or {}))


SECRET_PARAMETERS = frozenset({"token"})
"""Path parameters that are a credential (the signed token of a link in an e-mail): never written to a log."""


def logged_path() -> str:
    """The path asked for as logs and audit lines name it: a secret path parameter as its placeholder
    (``/tevredenheid/{token}``)."""
    request = current_request()
    values = {name: f"{{{name}}}" if name in SECRET_PARAMETERS else value for name, value in (request.uri_params or {}).items()}
    return request.path.format(**values)


class BodyError(Exception):
    """The body cannot be read at all: too large, not UTF-8, not JSON, too deep."""

    def __init__(self, status: int, title: str, issue: Issue | None = None) -> None:
        self.status = status
        self.title = title
        self.issue = issue
        super().__init__(title)


UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# A subscription someone made (a UUID), or one of a party of a case (see case_subscription_id).
SUBSCRIPTION_ID = re.compile(r"^(?:case-[0-9a-f]{24}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")
# Path parameters are checked before anything is read: a malformed id names nothing, so it is not found.
PATH_PARAMETERS: dict[str, tuple[re.Pattern[str], Callable[[str], DomainError]]] = {
    "case_id": (UUID, CaseNotFoundError),
    "document_id": (UUID, DocumentRequestNotFoundError),
    "file_id": (UUID, DocumentRequestNotFoundError),  # a file sent in for a requested document
    "message_id": (BERICHTENBOX_MESSAGE_ID, BerichtenboxMessageNotFoundError),
    "question_id": (UUID, QuestionNotFoundError),
    "notification_id": (re.compile(r"^[0-9a-f]{32}$"), CaseNotFoundError),  # a letter of the case: not found as it
    "identificatie": (re.compile(r"^[a-z0-9-]{1,80}$"), UnknownZaaktypeError),
    "zaaktype": (re.compile(r"^[a-z0-9-]{1,80}$"), UnknownZaaktypeError),
    "onderwerp": (re.compile(r"^[a-z0-9-]{1,40}$"), UnknownZaaktypeError),  # of a product: not found as the product
    "announcement_id": (UUID, AnnouncementNotFoundError),
    "subscription_id": (SUBSCRIPTION_ID, SubscriptionNotFoundError),
}


# No id Baken makes is longer (the longest, a berichtenbox message id, has 55 characters); DynamoDB allows a key
# of 1,024 bytes (sort key) or 2,048 (partition key), so a value past this never gets near one.
MAX_PATH_PARAMETER = 100


def check_path_parameters(parameters: dict[str, str]) -> None:
    """A ValidationError (400, naming the parameter) for a value too long to be any id; else the not-found
    error of the first parameter that cannot name anything. Nothing is looked up before both checks."""
    for name, value in parameters.items():
        if len(value) > MAX_PATH_PARAMETER:
            raise ValidationError.single(name, "too_long", max=MAX_PATH_PARAMETER)
    for name, value in parameters.items():
        pattern, not_found = PATH_PARAMETERS[name]
        if not pattern.match(value):
            raise not_found(value[:80])
