"""The site's own pages: the stylesheets every page uses, and the accessibility statement."""

from __future__ import annotations

from pathlib import Path

from chalice.app import Blueprint, Response

from chalicelib.web.pages import Visit, not_found, public_page, render

bp = Blueprint(__name__)

ASSETS = Path(__file__).resolve().parents[2] / "assets"
# The NL Design System styles, copied from npm by ``make setup`` (package.json): nothing else is served.
STYLESHEETS = frozenset({"utrecht-design-tokens.css", "utrecht-components.css"})


@public_page(bp, "/assets/{name}", actor=None)
def stylesheet(visit: Visit, name: str) -> Response:
    path = ASSETS / name
    if name not in STYLESHEETS or not path.is_file():
        return not_found()
    return Response(
        body=path.read_text(encoding="utf-8"),
        status_code=200,
        headers={
            "Content-Type": "text/css; charset=utf-8",
            "Cache-Control": "public, max-age=86400",
            "X-Content-Type-Options": "nosniff",
        },
    )


@public_page(bp, "/toegankelijkheid")
def accessibility(visit: Visit) -> Response:
    """The accessibility statement: which requirements, how they are checked, and whom to call."""
    return render("accessibility")
