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
from html import escape
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.schedule import in_quiet_hours
from chalicelib.domain.workdays import AMSTERDAM
from devstack.launch import NotReadyError, RunningStack, start
from tests.conftest import ROOT

# How long the local stack may take to start: it generates a year of demo history first (devstack/history.py),
# about two minutes on two busy cores. Less than the per-test timeout (pyproject.toml), which the module's first
# test spends on the start too, so that a slow start fails with what the stack printed and stops it. A module that
# needs none of the history starts with ``--no-history``; one that has a longer timeout may wait longer.
READY_WITHIN = 240
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
        # his report about the traffic light (the demo's recent past may give him decided cases of his own too)
        (case_id,) = [str(c["id"]) for c in mine["cases"] if "N221" in c["omschrijving"]]
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


def start_local_stack(*options: str, ready_within: float = READY_WITHIN) -> LocalStack:
    try:
        return start(LocalStack, "--followers", "20", *daytime_option(), *options, ready_within=ready_within)
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
# BAKEN_SCREENSHOTS names (``make test`` names one per run and prints it at the end). One folder per test module,
# each screenshot named <page>-<language>-<width>.png, and an index.html listing them all by page.
_SHOTS: dict[str, Any] = {"folder": None, "taken": set()}
SHOT_NAME = re.compile(r"^(?P<page>.+)-(?P<lang>[a-z]{2})-(?P<width>\d+)(?:-(?P<again>\d+))?\.png$")
LANGUAGES = {"nl": "Nederlands", "en": "English"}


@pytest.fixture(scope="session", autouse=True)
def screenshot_folder(testrun_uid: str) -> Iterator[Path]:
    folder = Path(os.environ.get("BAKEN_SCREENSHOTS") or ROOT / "build" / "screenshots" / testrun_uid[:12])
    folder.mkdir(parents=True, exist_ok=True)
    _SHOTS["folder"] = folder
    yield folder
    write_index(folder)  # by every worker as it ends: the last one lists them all


def _module_of_current_test() -> str:
    """The running test's module without ``test_`` (``every_page``): the folder of its screenshots."""
    nodeid = os.environ.get("PYTEST_CURRENT_TEST", "").split("::")[0]
    return Path(nodeid).stem.removeprefix("test_") or "other"


def check_page(page: Any, name: str | None = None) -> Path:
    """The page as it is now: no WCAG 2.1 A/AA violations that axe-core can find, and a full-page screenshot of
    it named after the page, its language and the window's width (``work-list-en-375.png``)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    assert results.violations_count == 0, results.generate_report()
    lang = page.evaluate("document.documentElement.lang")
    width = page.viewport_size["width"] if page.viewport_size else page.evaluate("window.innerWidth")
    slug = re.sub(r"[^a-z0-9]+", "-", (name or page.title()).lower()).strip("-")[:60]
    folder = _SHOTS["folder"] / _module_of_current_test()
    folder.mkdir(exist_ok=True)
    shot = folder / f"{slug}-{lang}-{width}.png"
    again = itertools.count(2)
    while shot in _SHOTS["taken"]:  # the same page again later in the test: keep both
        shot = folder / f"{slug}-{lang}-{width}-{next(again)}.png"
    _SHOTS["taken"].add(shot)
    page.screenshot(path=str(shot), full_page=True)
    return shot


def write_index(folder: Path) -> Path:
    """``index.html`` in ``folder``: every screenshot in it, by test module and page, with its language and width."""
    sections = []
    for module in sorted(p for p in folder.iterdir() if p.is_dir()):
        pages: dict[str, list[tuple[str, int, str]]] = {}
        for shot in sorted(module.glob("*.png")):
            found = SHOT_NAME.match(shot.name)
            page, lang, width = (found["page"], found["lang"], int(found["width"])) if found else (shot.stem, "?", 0)
            pages.setdefault(page, []).append((lang, width, shot.name))
        items = []
        for page, shots in sorted(pages.items()):
            links = "".join(
                f'<li><a href="{escape(module.name)}/{escape(file)}">{escape(LANGUAGES.get(lang, lang))}, {width} px'
                f'<br><img src="{escape(module.name)}/{escape(file)}" alt="" width="160" loading="lazy"></a></li>'
                for lang, width, file in sorted(shots, key=lambda s: (s[0] != "nl", -s[1], s[2]))
            )
            items.append(f'<h3 id="{escape(module.name)}-{escape(page)}">{escape(page)}</h3><ul>{links}</ul>')
        count = sum(len(s) for s in pages.values())
        sections.append(f"<h2>{escape(module.name)} ({count})</h2>{''.join(items)}")
    index = folder / "index.html"
    index.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Screenshots</title><style>'
        "body{font-family:sans-serif;margin:1rem 2rem}ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem}"
        "img{display:block;border:1px solid #ccc;margin-top:.25rem}h3{margin-bottom:.25rem}</style></head><body>"
        f"<h1>Screenshots in {escape(folder.name)}</h1>{''.join(sections)}</body></html>",
        encoding="utf-8",
    )
    return index


def shown(locator: Any) -> None:
    """Wait for what a click leads to (the next page may take a moment on a busy machine); fail if it never shows."""
    locator.wait_for(state="visible", timeout=15_000)
