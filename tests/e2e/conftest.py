"""The local stack as a user starts it (``python -m devstack``, what ``make run`` runs): a real process with
real HTTP — the moto server, chalice local and the event runner — one per test module."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

READY_WITHIN = 180
MARK_EMAIL = "mark.visser@example.org"
JAN_EMAIL = "jan.degroot@example.org"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LocalStack:
    process: subprocess.Popen[str]
    api: str
    output: list[str] = field(default_factory=list)

    def call(self, method: str, path: str, token: str | None = None, payload: Any = None) -> tuple[int, Any]:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(f"{self.api}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read()
                kind = response.headers.get("Content-Type", "")
                return response.status, json.loads(body) if "json" in kind else body.decode()
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def token(self, persona: str) -> str:
        status, answer = self.call("POST", "/api/dev/token", payload={"persona": persona})
        assert status == 200, answer
        return str(answer["access_token"])

    def mails(self, to: str) -> list[dict[str, Any]]:
        status, answer = self.call("GET", f"/api/dev/mailbox?to={to}")
        assert status == 200
        return list(answer["messages"])


def wait_until(condition: Callable[[], bool], seconds: float) -> float:
    """Poll ``condition``; return how long it took to become true (fail after ``seconds``)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s")


@pytest.fixture(scope="module")
def local_stack() -> Iterator[LocalStack]:
    api_port, moto_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BAKEN_", "POWERTOOLS_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack", "--port", str(api_port), "--moto-port", str(moto_port), "--followers", "20"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    stack = LocalStack(process, f"http://127.0.0.1:{api_port}")
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            stack.output.append(line)
            if line.startswith("[baken] ready"):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(READY_WITHIN):
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("the local stack did not become ready:\n" + "".join(stack.output[-40:]))
    yield stack
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)


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
