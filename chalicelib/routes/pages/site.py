"""The site's own pages, open to anybody without logging in: the home page (what the service is, logging in,
following without DigiD, the products), the public page of each approved announcement (where the button in its
e-mail leads), the stylesheets every page uses, and the accessibility statement."""

from __future__ import annotations

from pathlib import Path

from chalice.app import Blueprint, Response

from chalicelib import theme, wiring
from chalicelib.domain.errors import AnnouncementNotFoundError
from chalicelib.web.pages import Visit, not_found, public_page, render
from chalicelib.web.views import day

bp = Blueprint(__name__)

ASSETS = Path(__file__).resolve().parents[2] / "assets"
MAX_ID_LENGTH = 100
# The NL Design System styles, copied from npm by ``make setup`` (package.json), and the province's theme made
# from chalicelib/theme.py (pages load it last, so its tokens win): nothing else is served.
THEME = "provincie-utrecht-theme.css"
STYLESHEETS = frozenset({"utrecht-design-tokens.css", "utrecht-components.css", THEME})


@public_page(bp, "/assets/{name}", actor=None)
def stylesheet(visit: Visit, name: str) -> Response:
    path = ASSETS / name
    if name == THEME:
        css = theme.stylesheet()
    elif name in STYLESHEETS and path.is_file():
        css = path.read_text(encoding="utf-8")
    else:
        return not_found()
    return Response(
        body=css,
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


@public_page(bp, "/", actor="anonymous")
def home(visit: Visit) -> Response:
    """What the service is; log in with DigiD or eHerkenning; follow news without DigiD; what can be applied
    for (the catalogue's zaaktypen, each with its page of information)."""
    language = visit.language
    products = sorted(
        (
            {"name": zaaktype.omschrijving.in_(language), "kind": zaaktype.product.value, "url": zaaktype.informatie_url}
            for zaaktype in wiring.catalogue_data()
        ),
        key=lambda product: (product["kind"], product["name"]),
    )
    return render("home", products=products)


@public_page(bp, "/aankondigingen/{announcement_id}", actor="anonymous")
def announcement(visit: Visit, announcement_id: str) -> Response:
    """An approved announcement as anybody may read it: what, where (the gemeenten), when, the topic, and the
    link to respond or read more when it has one. A draft, an unapproved or an unknown one is the not-found page."""
    language = visit.language
    if len(announcement_id) > MAX_ID_LENGTH:  # too long to be any id: not looked up
        return not_found()
    try:
        shown = wiring.services().announcements.published(announcement_id)
    except AnnouncementNotFoundError:
        return not_found()
    reference = wiring.reference_data()
    topic = reference.topic(shown.topic)
    return render(
        "public_announcement",
        announcement=shown,
        topic=topic.naam.in_(language) if topic else shown.topic,
        gemeenten=[g.naam for code in shown.place.gemeenten if (g := reference.gemeente(code))],
        published=day((shown.decided_at or shown.created_at).isoformat(), language),
    )
