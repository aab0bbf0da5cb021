"""Baken: proactive notifications and case status for provincie Utrecht.

This module only builds the Chalice app and registers its parts; reading it shows every entry point: the JSON
API (``chalicelib/routes/api``), the pages (``chalicelib/routes/pages``), the local stage's tools
(``chalicelib/routes/tools``) and one Lambda handler per function (``chalicelib/handlers``, each named as the
function is in ``.chalice/config.json``).
"""

from chalice.app import Chalice

from chalicelib import config
from chalicelib.handlers import (
    deliver,
    fan_out_job,
    on_case_change,
    on_ses_feedback,
    on_subscription_change,
    reconcile_notifications,
    release_held_email,
    sync_zaak,
    watch_deadlines,
)
from chalicelib.routes.api import announcements, applicant, cases, public, subscriptions, zgw
from chalicelib.routes.pages import announcements as announcement_pages
from chalicelib.routes.pages import applicant as applicant_pages
from chalicelib.routes.pages import following, kcc, links, login, products, satisfaction, site, work
from chalicelib.routes.pages import questions as question_pages
from chalicelib.web.headers import security_headers
from chalicelib.web.problems import normalise_chalice_errors

# configure_logs=False: Chalice would add a plain-text handler to the "baken" logger, which is also the
# structured powertools logger (chalicelib/observability.py), and every line would be printed twice.
app = Chalice(app_name="baken", configure_logs=False)
# The first registered runs outermost: the security headers go on every answer, the normalised errors too.
app.register_middleware(security_headers, "http")
app.register_middleware(normalise_chalice_errors, "http")

for routes in (public, cases, applicant, subscriptions, announcements, zgw):
    app.register_blueprint(routes.bp)
for pages in (
    site,
    links,
    login,
    applicant_pages,
    following,
    kcc,
    work,
    announcement_pages,
    products,
    question_pages,
    satisfaction,
):
    app.register_blueprint(pages.bp)
for handler in (
    on_case_change,
    deliver,
    release_held_email,
    reconcile_notifications,
    on_ses_feedback,
    on_subscription_change,
    fan_out_job,
    sync_zaak,
    watch_deadlines,
):
    app.register_blueprint(handler.bp)

if config.stage() == config.LOCAL_STAGE:
    from chalicelib.routes.tools import dev

    app.register_blueprint(dev.bp)
