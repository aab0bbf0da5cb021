"""The local stack as a user starts it (``python -m devstack``, what ``make run`` runs): a real process,
real HTTP, the moto server, chalice local and the event runner — walking the story's walkthrough, then
stopped with Ctrl-C."""

from __future__ import annotations

import json
import os
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
from typing import Any

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

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


def _wait_until(condition: Callable[[], bool], seconds: float) -> float:
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


def test_the_start_command_prints_the_urls_tokens_and_walkthrough(local_stack: LocalStack):
    printed = "".join(local_stack.output)
    assert f"{local_stack.api}/dev/mailbox" in printed
    assert "export MARK=ey" in printed
    assert "aanvullende-informatie-nodig" in printed


def test_the_story_walkthrough_over_http(local_stack: LocalStack):
    call = local_stack.call
    anna, mark, sanne, jan = (local_stack.token(p) for p in ("anna", "mark", "sanne", "jan"))
    status, mine = call("GET", "/api/me/cases", mark)
    assert status == 200
    (case,) = [c for c in mine["cases"] if c["case_number"].startswith("SUB-")]
    mark_before, jan_before = len(local_stack.mails(MARK_EMAIL)), len(local_stack.mails(JAN_EMAIL))
    _, inbox_before = call("GET", "/api/me/inbox", mark)

    # 1. Anna changes the status → Mark's e-mail and berichtenbox message arrive
    status, _ = call("POST", f"/api/cases/{case['id']}/status", anna, {"statustype": "aanvullende-informatie-nodig"})
    assert status == 201
    took = _wait_until(lambda: len(local_stack.mails(MARK_EMAIL)) == mark_before + 1, 10)
    print(f"status change → e-mail in the local mailbox: {took:.2f} s")
    newest = local_stack.mails(MARK_EMAIL)[0]
    assert case["case_number"] in newest["subject"]
    _, inbox = call("GET", "/api/me/inbox", mark)
    assert inbox["unread"] == inbox_before["unread"] + 1
    assert inbox["messages"][0]["title"] == "Nieuwe status: Aanvullende informatie nodig"

    # 2. the unrelated applicant got nothing
    assert len(local_stack.mails(JAN_EMAIL)) == jan_before

    # 3. the waterschap message, with the Omgevingsloket link
    link = {"url": "https://omgevingswet.overheid.nl/loket", "label": "Omgevingsloket"}
    text = "Voor uw plan is ook een vergunning van het waterschap nodig. Vraag die aan via het Omgevingsloket."
    status, _ = call("POST", f"/api/cases/{case['id']}/messages", anna, {"text": text, "link": link})
    assert status == 201
    _wait_until(lambda: len(local_stack.mails(MARK_EMAIL)) == mark_before + 2, 10)
    assert text not in local_stack.mails(MARK_EMAIL)[0]["text"]
    _, inbox = call("GET", "/api/me/inbox", mark)
    assert (inbox["messages"][0]["body"].startswith(text), inbox["messages"][0]["link"]) == (True, link)
    assert len(local_stack.mails(JAN_EMAIL)) == jan_before

    # 4. Mark sees status, message, missing documents, deadline beside servicenorm, and his behandelaar
    status, seen = call("GET", f"/api/me/cases/{case['id']}", mark)
    assert status == 200
    assert seen["status"]["omschrijving"] == "Aanvullende informatie nodig"
    assert [d["omschrijving"] for d in seen["missing_documents"]] == ["Begroting van het project"]
    assert seen["deadline"]["due"]
    assert seen["deadline"]["servicenorm_due"]
    assert (seen["deadline"]["doorlooptijd"], seen["deadline"]["servicenorm"]) == ("P13W", "P8W")
    assert seen["behandelaar"] == {"naam": "Anna Bakker"}
    message = next(e for e in seen["timeline"] if e["kind"] == "message")
    assert message["link"] == link

    # 5. the KCC sees the same picture and which notifications reached Mark
    status, kcc_view = call("GET", f"/api/cases/{case['id']}", sanne)
    assert status == 200
    assert (kcc_view["status"], kcc_view["missing_documents"]) == (seen["status"], seen["missing_documents"])
    _, delivered = call("GET", f"/api/cases/{case['id']}/notifications", sanne)
    marks = [n for n in delivered["notifications"] if n["subscriber_id"] == "pu-mark-3f9a1c"]
    assert {n["status"] for n in marks} == {"delivered"}
    assert {n["channel"] for n in marks} == {"email", "portal"}
    status, _ = call("POST", f"/api/cases/{case['id']}/status", sanne, {"statustype": "in-behandeling"})
    assert status == 403

    # 6. the KCC records the call; the behandelaar sees it on the timeline
    contact = {
        "kanaal": "telefoon",
        "onderwerp": "Vergunning waterschap",
        "inhoud": "Uitgelegd hoe hij de vergunning aanvraagt.",
        "vertrouwelijk": False,
    }
    status, _ = call("POST", f"/api/cases/{case['id']}/contact-moments", sanne, contact)
    assert status == 201
    _, annas_view = call("GET", f"/api/cases/{case['id']}", anna)
    newest_entry = annas_view["timeline"][0]
    assert newest_entry["kind"] == "contact"
    assert newest_entry["contact"]["kanaal"] == "telefoon"
    assert newest_entry["contact"]["medewerker"]["naam"] == "Sanne de Boer"

    # and someone else's case stays invisible to Jan
    assert call("GET", f"/api/me/cases/{case['id']}", jan)[0] == 404


def test_a_person_can_read_the_mailbox_as_a_page(local_stack: LocalStack):
    status, page = local_stack.call("GET", f"/dev/mailbox?to={MARK_EMAIL}")
    assert status == 200
    assert "<h1>Local mailbox</h1>" in page
    assert "SUB-" in page


def test_ctrl_c_stops_everything_cleanly(local_stack: LocalStack):
    local_stack.process.send_signal(signal.SIGINT)
    assert local_stack.process.wait(timeout=30) == 0
    assert "[baken] stopped" in "".join(local_stack.output)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{local_stack.api}/api/health", timeout=2)
