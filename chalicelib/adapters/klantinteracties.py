"""The Klantinteracties API (Open Klant 2) over HTTPS, with the standard library (no client package to load).

Open Klant 2 authenticates a client with a static token: ``Authorization: Token <key>``; the key comes from the
secrets store (``BAKEN_KLANTINTERACTIES_TOKEN_NAME``), read on each call through its cache. Every request times out
after ``timeout`` seconds. A GET that times out, loses its connection or gets 429 or 5xx is tried again
(``attempts`` in all, pausing between); a POST only when the server surely did not act on it (connection refused,
429, 503), since Open Klant has no idempotency key: after a timeout or another 5xx it may have created the resource.
What is left is raised as ``KlantinteractiesRetryableError`` (the job is retried by its queue, and the ledger
then counts a possible duplicate). Another 4xx is ``KlantinteractiesPermanentError``. Created resources are
referred to by their ``uuid`` (the last part of their url), as the API's request schemas ask.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from datetime import UTC
from typing import Any

from chalicelib.services.ports import (
    KlantcontactActor,
    Klantinteracties,
    KlantinteractiesPermanentError,
    KlantinteractiesRetryableError,
    NewKlantcontact,
    Onderwerpobjectidentificator,
)

TIMEOUT_SECONDS = 10.0
ATTEMPTS = 3
PAUSES = (0.5, 2.0)
NOT_ACTED_ON = (429, 503)  # answers after which a POST surely created nothing
ACTOR_CODE_OBJECTTYPE = {"medewerker": "mdw", "geautomatiseerde_actor": "gat"}
ACTOR_CODE_REGISTER = "baken"
ACTOR_CODE_SOORT_OBJECT_ID = "idf"


def uuid_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


class HttpKlantinteracties(Klantinteracties):
    def __init__(
        self,
        base_url: str,
        token: Callable[[], str],
        *,
        timeout: float = TIMEOUT_SECONDS,
        attempts: int = ATTEMPTS,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError("the Klantinteracties API is an http(s) address")
        self._base = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._attempts = max(1, attempts)
        self._pause = pause

    def create_klantcontact(self, contact: NewKlantcontact) -> str:
        body: dict[str, Any] = {
            "kanaal": contact.kanaal[:50],
            "onderwerp": contact.onderwerp[:200],
            "indicatieContactGelukt": contact.indicatie_contact_gelukt,
            "taal": contact.taal,
            "vertrouwelijk": contact.vertrouwelijk,
            "plaatsgevondenOp": contact.plaatsgevonden_op.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        }
        if contact.inhoud:
            body["inhoud"] = contact.inhoud[:1000]
        return self._created("POST", "klantcontacten", body)

    def actor(self, actor: KlantcontactActor) -> str:
        identificator = {
            "objectId": actor.identificatie,
            "codeObjecttype": ACTOR_CODE_OBJECTTYPE.get(actor.soort_actor, "mdw"),
            "codeRegister": ACTOR_CODE_REGISTER,
            "codeSoortObjectId": ACTOR_CODE_SOORT_OBJECT_ID,
        }
        query = {f"actoridentificator{key[0].upper()}{key[1:]}": value for key, value in identificator.items()}
        found = self._request("GET", "actoren", query=query)
        results = found.get("results") if isinstance(found, dict) else None
        if isinstance(results, list) and results and isinstance(results[0], dict) and results[0].get("url"):
            return str(results[0]["url"])
        return self._created(
            "POST",
            "actoren",
            {
                "naam": actor.naam[:200],
                "soortActor": actor.soort_actor,
                "indicatieActief": True,
                "actoridentificator": identificator,
            },
        )

    def link_actor(self, klantcontact_url: str, actor_url: str) -> str:
        body = {"actor": {"uuid": uuid_of(actor_url)}, "klantcontact": {"uuid": uuid_of(klantcontact_url)}}
        return self._created("POST", "actorklantcontacten", body)

    def link_onderwerp(self, klantcontact_url: str, onderwerp: Onderwerpobjectidentificator) -> str:
        return self._created(
            "POST",
            "onderwerpobjecten",
            {
                "klantcontact": {"uuid": uuid_of(klantcontact_url)},
                "wasKlantcontact": None,
                "onderwerpobjectidentificator": {
                    "objectId": onderwerp.object_id,
                    "codeObjecttype": onderwerp.code_objecttype,
                    "codeRegister": onderwerp.code_register,
                    "codeSoortObjectId": onderwerp.code_soort_object_id,
                },
            },
        )

    def _created(self, method: str, collection: str, body: Mapping[str, Any]) -> str:
        answer = self._request(method, collection, body=body)
        url = answer.get("url") if isinstance(answer, dict) else None
        if not isinstance(url, str) or not url:
            raise KlantinteractiesRetryableError(f"{collection}: the answer has no url")
        return url

    def _request(
        self, method: str, collection: str, *, body: Mapping[str, Any] | None = None, query: Mapping[str, str] | None = None
    ) -> Any:
        url = f"{self._base}/{collection}"
        if query:
            url = f"{url}?{urllib.parse.urlencode(query)}"
        data = json.dumps(body).encode() if body is not None else None
        last = ""
        for attempt in range(self._attempts):
            if attempt:
                self._pause(PAUSES[min(attempt - 1, len(PAUSES) - 1)])
            request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
                url,
                data=data,
                method=method,
                headers={
                    "Authorization": f"Token {self._token()}",
                    "Accept": "application/json",
                    "Content-Type": "application/json",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                    text = response.read()
            except urllib.error.HTTPError as error:
                if error.code == 429 or error.code >= 500:
                    last = f"HTTP {error.code}"
                    if method == "GET" or error.code in NOT_ACTED_ON:
                        continue
                    break
                raise KlantinteractiesPermanentError(f"{method} {collection}: HTTP {error.code}") from None
            except (urllib.error.URLError, TimeoutError, OSError) as error:
                reason = getattr(error, "reason", error)
                last = type(reason).__name__
                if method == "GET" or isinstance(reason, ConnectionRefusedError):
                    continue
                break
            try:
                return json.loads(text) if text else {}
            except ValueError:
                last = "not JSON"
                continue
        raise KlantinteractiesRetryableError(f"{method} {collection}: {last}")
