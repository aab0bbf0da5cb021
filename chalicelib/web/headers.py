"""The security headers of every answer, set in one place (an HTTP middleware, see app.py) so that no route,
redirect or error can forget them:

- ``Strict-Transport-Security`` on every answer: JSON, pages, redirects, errors, stylesheets;
- ``X-Content-Type-Options: nosniff`` on every answer;
- ``Cache-Control: no-store`` on every JSON answer (cases, notifications and searches carry personal data; a
  shared cache or the browser's disk keeps none of it), unless the route chose its own;
- a redirect carries the headers of a page (``PAGE_HEADERS``): a browser treats it as one.
"""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Request, Response

HSTS = "max-age=31536000; includeSubDomains"  # one year, the value the Dutch NCSC's web guidelines ask for
NO_STORE = "no-store"
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": NO_STORE,
}
JSON_TYPES = ("application/json", "application/problem+json")


def allow_form_targets(response: Response, urls: list[str]) -> Response:
    """``response`` whose forms may also post to the origins of ``urls`` (the documents bucket's upload forms):
    the page's Content-Security-Policy names them in ``form-action`` beside this site."""
    from urllib.parse import urlsplit

    origins = sorted({f"{p.scheme}://{p.netloc}" for p in map(urlsplit, urls) if p.scheme in ("https", "http") and p.netloc})
    if origins:
        policy = str(response.headers.get("Content-Security-Policy", PAGE_HEADERS["Content-Security-Policy"]))
        allowed = "form-action 'self' " + " ".join(origins)
        response.headers["Content-Security-Policy"] = policy.replace("form-action 'self'", allowed)
    return response


def _missing(headers: dict[str, str | list[str]], name: str) -> bool:
    return name.lower() not in {key.lower() for key in headers}


def secure(response: Response) -> Response:
    """``response`` with the headers this module promises (those it set itself are kept)."""
    headers = response.headers
    wanted: dict[str, str] = {"Strict-Transport-Security": HSTS, "X-Content-Type-Options": "nosniff"}
    content_type = next((str(v) for k, v in headers.items() if k.lower() == "content-type"), "")
    if content_type.split(";")[0].strip() in JSON_TYPES:
        wanted["Cache-Control"] = NO_STORE
    if 300 <= response.status_code < 400:
        wanted |= PAGE_HEADERS
    for name, value in wanted.items():
        if _missing(headers, name):
            headers[name] = value
    return response


def security_headers(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """HTTP middleware: every answer leaves with the security headers (``secure``)."""
    return secure(get_response(event))
