"""A browser's part in the page tests, over the Chalice test client: cookies kept between requests, redirects
followed one step at a time, the dev issuer's login walked through, and the CSRF token read from a form."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CASE = {
    "zaaktype": "subsidie-duurzame-recreatie",
    "omschrijving": "Duurzame recreatie Heuvelrug",
    "gemeenten": ["GM1581"],
}


def set_cookies(response: Any) -> dict[str, str]:
    """The cookies a response sets: name → the whole Set-Cookie line."""
    raw = response.headers.get("Set-Cookie") or response.headers.get("set-cookie") or []
    lines = raw if isinstance(raw, list) else [raw]
    return {line.split("=", 1)[0]: line for line in lines}


def _value(line: str) -> str:
    return line.split(";", 1)[0].split("=", 1)[1]


class Browser:
    """What a browser does with redirects and cookies, step by step."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.jar: dict[str, str] = {}

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.jar.items() if v)
        return {**({"Cookie": cookie} if cookie else {}), **(extra or {})}

    def _keep(self, response: Any) -> Any:
        for name, line in set_cookies(response).items():
            self.jar[name] = "" if "Max-Age=0" in line else _value(line)
        return response

    def get(self, path: str) -> Any:
        return self._keep(self.client.http.get(path, headers=self._headers()))

    def post(self, path: str, fields: dict[str, str]) -> Any:
        return self._keep(self.client.http.post(path, headers=self._headers(FORM), body=urlencode(fields)))


def redirect_target(response: Any) -> str:
    assert response.status_code in (302, 303), response.status_code
    target = response.headers["Location"]
    split = urlsplit(target)
    return f"{split.path}?{split.query}" if split.query else split.path


def signed_in(client: Any, persona: str, start: str = "/mijn-zaken") -> Browser:
    """A new browser with ``persona`` logged in, starting at ``start``."""
    browser = Browser(client)
    log_in(browser, persona, start=start)
    return browser


def log_in(browser: Browser, persona: str, start: str = "/mijn-zaken") -> Any:
    """From a page behind login, through the dev issuer's persona page, back to that page."""
    to_login = redirect_target(browser.get(start))
    to_issuer = redirect_target(browser.get(to_login))
    assert to_issuer.startswith("/dev/inloggen?")
    picker = browser.get(to_issuer)
    assert picker.status_code == 200
    flow = {k: v[0] for k, v in parse_qs(urlsplit(to_issuer).query).items()}
    back = redirect_target(browser.post("/dev/inloggen", {"persona": persona, **flow}))
    assert back.startswith("/inloggen/terug?")
    return browser.get(back)


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)
