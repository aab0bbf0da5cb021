"""Baken: proactive notifications and case status for provincie Utrecht.

This module only builds the Chalice app and registers its parts; reading it shows every entry point.
"""

from chalice.app import Chalice

from chalicelib import config
from chalicelib.api import (
    announcement_pages,
    announcements,
    applicant,
    login,
    pages,
    public,
    staff,
    staff_pages,
    subscription_pages,
    subscriptions,
    work_pages,
)
from chalicelib.api.http import normalise_chalice_errors
from chalicelib.events import delivery, feedback, schedules, stream

# configure_logs=False: Chalice would add a plain-text handler to the "baken" logger, which is also the
# structured powertools logger (chalicelib/observability.py), and every line would be printed twice.
app = Chalice(app_name="baken", configure_logs=False)
app.register_middleware(normalise_chalice_errors, "http")

app.register_blueprint(public.bp)
app.register_blueprint(staff.bp)
app.register_blueprint(applicant.bp)
app.register_blueprint(subscriptions.bp)
app.register_blueprint(announcements.bp)
app.register_blueprint(pages.bp)
app.register_blueprint(login.bp)
app.register_blueprint(staff_pages.bp)
app.register_blueprint(work_pages.bp)
app.register_blueprint(announcement_pages.bp)
app.register_blueprint(subscription_pages.bp)
app.register_blueprint(stream.bp)
app.register_blueprint(delivery.bp)
app.register_blueprint(feedback.bp)
app.register_blueprint(schedules.bp)

if config.stage() == config.LOCAL_STAGE:
    from chalicelib.api import dev

    app.register_blueprint(dev.bp)
