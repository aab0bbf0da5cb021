"""The local stack as a user starts it (``python -m devstack``, what ``make run`` runs): a real process with
real HTTP — the moto server, chalice local and the event runner — one per test module."""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.schedule import in_quiet_hours
from chalicelib.domain.workdays import AMSTERDAM
from devstack.launch import NotReadyError, RunningStack, start
from tests.conftest import ROOT

READY_WITHIN = 180
MARK_EMAIL = "mark.visser@example.org"
JAN_EMAIL = "jan.degroot@example.org"


class LocalStack(RunningStack):
    def mails(self, to: str) -> list[dict[str, Any]]:
        status, answer = self.call("GET", f"/api/dev/mailbox?to={to}")
        assert status == 200
        return list(answer["messages"])

    def close_jans_case(self) -> str:
        """Pieter decides Jan's report about the traffic light (afgehandeld); returns the case's id once the
        closing e-mail, with the satisfaction question's links, is in Jan's mailbox."""
        status, mine = self.call("GET", "/api/me/cases", self.token("jan"))
        assert status == 200, mine
        case_id = str(mine["cases"][0]["id"])
        if not any("/tevredenheid/" in mail["text"] for mail in self.mails(JAN_EMAIL)):
            status, answer = self.call(
                "POST", f"/api/cases/{case_id}/status", self.token("pieter"), {"statustype": "afgehandeld"}
            )
            assert status == 201, answer
            wait_until(lambda: any("/tevredenheid/" in mail["text"] for mail in self.mails(JAN_EMAIL)), 30)
        return case_id

    def satisfaction_link(self, score: int = 4) -> str:
        """The link for ``score`` in Jan's closing e-mail, as a path on this stack."""
        for mail in self.mails(JAN_EMAIL):
            found = re.search(rf"https?://[^/\s]+(/tevredenheid/[A-Za-z0-9._-]+\?score={score}&lang=\w+)", mail["text"])
            if found:
                return f"{self.api}{found.group(1)}"
        raise AssertionError("no satisfaction link in Jan's e-mail")


def wait_until(condition: Callable[[], bool], seconds: float) -> float:
    """Poll ``condition``; return how long it took to become true (fail after ``seconds``)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s")


def daytime_option() -> tuple[str, ...]:
    """``--at`` the next 10:00 in Utrecht when the suite runs at night: the stories expect e-mail to people with
    quiet hours (anyone who subscribes without DigiD) to go out at once, as it does by day."""
    now = datetime.now(UTC)
    if not in_quiet_hours(now):
        return ()
    local = now.astimezone(AMSTERDAM)
    morning = datetime.combine(local.date(), dt_time(10), tzinfo=AMSTERDAM)
    if morning <= local:
        morning += timedelta(days=1)
    return ("--at", morning.isoformat())


def start_local_stack() -> LocalStack:
    try:
        return start(LocalStack, "--followers", "20", *daytime_option(), ready_within=READY_WITHIN)
    except NotReadyError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module")
def local_stack() -> Iterator[LocalStack]:
    stack = start_local_stack()
    yield stack
    stack.stop()


CHROMIUM = os.environ.get("BAKEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's; ``make test`` installs it), driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser` (or set BAKEN_CHROMIUM)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# Screenshots of every page the tests check, for a person to look at: build/screenshots/<this run>/, or the folder
# BAKEN_SCREENSHOTS names (``make test`` names one per run and prints it at the end).
_SHOTS: dict[str, Any] = {"folder": None, "count": itertools.count(1)}


@pytest.fixture(scope="session", autouse=True)
def screenshot_folder(testrun_uid: str) -> Path:
    folder = Path(os.environ.get("BAKEN_SCREENSHOTS") or ROOT / "build" / "screenshots" / testrun_uid[:12])
    folder.mkdir(parents=True, exist_ok=True)
    _SHOTS["folder"] = folder
    return folder


def check_page(page: Any, name: str | None = None) -> Path:
    """The page as it is now: no WCAG 2.1 A/AA violations that axe-core can find, and a screenshot of it."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    assert results.violations_count == 0, results.generate_report()
    lang = page.evaluate("document.documentElement.lang")
    slug = re.sub(r"[^a-z0-9]+", "-", (name or page.title()).lower()).strip("-")[:60]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")
    shot = _SHOTS["folder"] / f"{worker}-{next(_SHOTS['count']):03d}-{slug}-{lang}.png"
    page.screenshot(path=str(shot), full_page=True)
    return shot


def shown(locator: Any) -> None:
    """Wait for what a click leads to (the next page may take a moment on a busy machine); fail if it never shows."""
    locator.wait_for(state="visible", timeout=15_000)
