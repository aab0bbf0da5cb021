"""A fault in Baken itself — a missing template, a template that asks for what its context lacks, a bug — fails
the same way on every attempt: the delivery handler ends it at once as technical-failure with the alarm metrics
``TechnicalFailure`` and ``SoftwareError``, instead of retrying it for 4 h 15 min as if it were a passing fault.
Passing faults are still retried (tests/integration/test_retries.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chalicelib import wiring
from chalicelib.adapters.templates import JinjaRenderer, templates_root
from chalicelib.domain.notifications import NotificationStatus
from chalicelib.domain.subscriptions import Channel
from tests.integration.conftest import PERSONAS, body, headers, mailbox, register_personas

MARK = PERSONAS["mark"].email
CASE = {"zaaktype": "subsidie-duurzame-recreatie", "omschrijving": "Test", "initiator": "pu-mark-3f9a1c", "gemeenten": ["GM1581"]}


@pytest.fixture
def metrics(monkeypatch) -> list[str]:
    counted: list[str] = []
    monkeypatch.setattr("chalicelib.observability.count", lambda name, value=1: counted.extend([name] * int(value)))
    return counted


@pytest.fixture
def postponed(stack) -> list[int]:
    """Every backoff delivery asks SQS for (ChangeMessageVisibility), in seconds."""
    asked: list[int] = []
    wiring.aws_client("sqs").meta.events.register(
        "before-parameter-build.sqs.ChangeMessageVisibility", lambda params, **_: asked.append(int(params["VisibilityTimeout"]))
    )
    return asked


def _templates_with(tmp_path: Path, change: str | None) -> Path:
    """A copy of the templates; the e-mail about a new status either gone (``None``) or with ``change`` appended."""
    root = tmp_path / "templates"
    shutil.copytree(templates_root(), root)
    subject = root / "email" / "status_changed.subject.j2"
    if change is None:
        subject.unlink()
    else:
        subject.write_text(subject.read_text() + change)
    return root


@pytest.mark.parametrize(
    ("change", "cause"),
    [(None, "TemplateNotFound"), ("{{ detail.no_such_value }}", "UndefinedError"), ("{{ case_number + 1 }}", "TypeError")],
    ids=["missing template", "undefined variable", "error in a template"],
)
def test_a_software_error_fails_the_notification_at_once_as_a_technical_failure_with_its_alarm_metric(
    client, stack, pipeline, tmp_path, metrics, postponed, app_log, change, cause
):
    register_personas("mark")
    # GIVEN Baken renders with templates that cannot work for the e-mail about a case's first status
    wiring.use(wiring.adapters().but(renderer=JinjaRenderer(_templates_with(tmp_path, change))))
    ses_calls: list[str] = []
    wiring.aws_client("sesv2").meta.events.register("before-call.sesv2.SendEmail", lambda **_: ses_calls.append("sent"))

    # WHEN a case of Mark's is registered and the handlers run
    case = body(client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(CASE)))
    pipeline.run()

    # THEN its e-mail is a technical failure at once, for a software error; no retry was scheduled, SES never
    # called, and both alarm metrics counted it once
    (email,) = [n for n in wiring.adapters().outbox.for_case(case["id"]) if n.channel is Channel.EMAIL]
    assert (email.status, email.reason, email.attempts) == (NotificationStatus.TECHNICAL_FAILURE, "software_error", 1)
    assert postponed == []
    assert ses_calls == []
    assert mailbox(MARK) == []
    assert (metrics.count("TechnicalFailure"), metrics.count("SoftwareError")) == (1, 1)
    # AND the log says what kind of error it was
    (line,) = [r for r in app_log.records() if r.get("message") == "delivery failed on a software error; not retried"]
    assert (line["level"], line["error_type"], line["notification_id"]) == ("ERROR", cause, email.id)
    # AND the berichtenbox message, whose templates work, arrived
    assert body(client.http.get("/api/me/berichtenbox", headers=headers("mark")))["unread"] == 1
