"""The local stack over time: does ``make run`` stay usable for hours? Memory of the devstack process (moto,
the event runner, the handlers) and of ``chalice local``, and the time the local mailbox takes to answer,
while traffic runs through the whole stack.

What it does. ``python -m devstack`` is started as a user starts it (``devstack.launch``), with the demo data.
Then, for ``--minutes`` (default 60; ``--quick`` 2): Anna opens a case for Mark's group every
``CASE_EVERY`` seconds and posts a message on it (each an e-mail and a berichtenbox message for Mark and
Fatima, through the stream, the delivery queue and moto's SES), and Mark reads Mijn zaken and his berichtenbox;
every ``SAMPLE_EVERY`` seconds the resident memory (RSS) of both processes is read from /proc and the mailbox
(``GET /api/dev/mailbox?to=…`` and the ``/dev/mailbox`` page) is timed. Anna writes well under her rate limit
(1,000 changes an hour).

How to read it. ``growth_mb_per_hour`` is the devstack's RSS growth from the first sample after the warm-up
(``WARM_UP`` seconds: imports and first allocations) to the last, per hour; what moto must keep (cases,
notifications, e-mails sent, stream records) grows with the traffic, so it is not zero, but it must not grow
with time alone. The mailbox's time grows with the e-mails in it (each one is parsed), not with the requests
the stack has served. Linux only (/proc).
"""

from __future__ import annotations

import statistics
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from devstack.launch import RunningStack, start

MINUTES = 60
QUICK_MINUTES = 2
SAMPLE_EVERY = 30.0  # seconds
QUICK_SAMPLE_EVERY = 10.0
CASE_EVERY = 8.0  # seconds: two changes by Anna each time, 900 an hour
WARM_UP = 60.0
TOKEN_LIFETIME = 30 * 60  # renew well within the dev issuer's hour
MARK = "mark.visser@example.org"
CASE = {
    "zaaktype": "subsidie-duurzame-recreatie",
    "omschrijving": "Belasting van de lokale stack",
    "initiator": "pu-mark-3f9a1c",
    "co_initiators": ["pu-fatima-8d21e4"],
    "gemeenten": ["GM1581"],
}


def rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    (line,) = [line for line in status.splitlines() if line.startswith("VmRSS:")]
    return round(int(line.split()[1]) / 1024, 1)


def _child(pid: int) -> int | None:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                return int(stat.parent.name)
        except OSError:
            continue
    return None


def _timed_ms(url: str) -> tuple[float, int]:
    """How long the answer took, and its status (0: none came within two minutes)."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 - the local stack
            response.read()
            status = int(response.status)
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return round((time.perf_counter() - started) * 1000, 1), status


class Traffic:
    """Anna's cases and messages, Mark's reading; counts what it did and what went wrong."""

    def __init__(self, stack: RunningStack) -> None:
        self._stack = stack
        self._tokens: dict[str, str] = {}
        self._renewed = 0.0
        self.counts = {"cases": 0, "messages": 0, "reads": 0, "errors": 0}
        self.last_error: str | None = None

    def _token(self, persona: str) -> str:
        if time.monotonic() - self._renewed > TOKEN_LIFETIME:
            self._tokens = {p: self._stack.token(p) for p in ("anna", "mark")}
            self._renewed = time.monotonic()
        return self._tokens[persona]

    def _expect(self, status: int, answer: Any, wanted: int, what: str) -> bool:
        if status == wanted:
            self.counts[what] += 1
            return True
        self.counts["errors"] += 1
        self.last_error = f"{what}: {status} {str(answer)[:200]}"
        return False

    def case_and_message(self) -> None:
        status, case = self._stack.call("POST", "/api/cases", self._token("anna"), CASE)
        if self._expect(status, case, 201, "cases"):
            message = {"text": "Wij hebben uw aanvraag ontvangen en nemen die in behandeling."}
            status, answer = self._stack.call("POST", f"/api/cases/{case['id']}/messages", self._token("anna"), message)
            self._expect(status, answer, 201, "messages")

    def read(self) -> None:
        for path in ("/api/me/cases", "/api/me/berichtenbox"):
            status, answer = self._stack.call("GET", path, self._token("mark"))
            self._expect(status, answer, 200, "reads")


def _sample(stack: RunningStack, api_pid: int | None, started: float, traffic: Traffic) -> dict[str, Any]:
    mailbox_ms, mailbox_status = _timed_ms(f"{stack.api}/api/dev/mailbox?to={MARK}")
    page_ms, page_status = _timed_ms(f"{stack.api}/dev/mailbox")
    status, mails = stack.call("GET", f"/api/dev/mailbox?to={MARK}")
    return {
        "minute": round((time.monotonic() - started) / 60, 2),
        "devstack_rss_mb": rss_mb(stack.process.pid),
        "api_rss_mb": rss_mb(api_pid) if api_pid else None,
        "mailbox_ms": mailbox_ms if mailbox_status == 200 else None,
        "mailbox_page_ms": page_ms if page_status == 200 else None,
        "mailbox_failure": None if mailbox_status == 200 else f"{mailbox_status} after {mailbox_ms} ms",
        "mails_to_mark": len(mails["messages"]) if status == 200 else None,
        **traffic.counts,
    }


def measure(minutes: float, sample_every: float) -> dict[str, Any]:
    stack = start(RunningStack)
    try:
        api_pid = _child(stack.process.pid)
        traffic = Traffic(stack)
        started = time.monotonic()
        samples = [_sample(stack, api_pid, started, traffic)]
        next_case = next_sample = started
        while time.monotonic() - started < minutes * 60:
            now = time.monotonic()
            if now >= next_case:
                traffic.case_and_message()
                traffic.read()
                next_case = now + CASE_EVERY
            if now >= next_sample + sample_every:
                samples.append(_sample(stack, api_pid, started, traffic))
                next_sample = now
            time.sleep(0.2)
        samples.append(_sample(stack, api_pid, started, traffic))
        stopped_in = stack.stop()
    finally:
        stack.stop()
    return {
        "minutes": minutes,
        "samples": samples,
        "stopped_in_s": round(stopped_in, 2),
        "last_error": traffic.last_error,
        **_summary(samples),
    }


def _summary(samples: list[dict[str, Any]]) -> dict[str, Any]:
    rss = [s for s in samples if s["devstack_rss_mb"] is not None]
    warm = [s for s in rss if s["minute"] * 60 >= WARM_UP] or rss
    hours = (warm[-1]["minute"] - warm[0]["minute"]) / 60
    mailbox = [s["mailbox_ms"] for s in samples if s["mailbox_ms"] is not None]
    return {
        "devstack_rss_mb": {
            "first": rss[0]["devstack_rss_mb"],
            "last": rss[-1]["devstack_rss_mb"],
            "max": max(s["devstack_rss_mb"] for s in rss),
        },
        "api_rss_mb": {"first": samples[0]["api_rss_mb"], "last": samples[-1]["api_rss_mb"]},
        "growth_mb_per_hour": round((warm[-1]["devstack_rss_mb"] - warm[0]["devstack_rss_mb"]) / hours, 1) if hours > 0 else None,
        "mailbox_ms": {
            "first": mailbox[0] if mailbox else None,
            "last": mailbox[-1] if mailbox else None,
            "median": round(statistics.median(mailbox), 1) if mailbox else None,
            "max": max(mailbox) if mailbox else None,
            "failed": len(samples) - len(mailbox),
        },
    }


def run(quick: bool = False, minutes: float | None = None) -> dict[str, Any]:
    length = minutes if minutes is not None else QUICK_MINUTES if quick else MINUTES
    return measure(length, QUICK_SAMPLE_EVERY if quick or length <= 10 else SAMPLE_EVERY)


def summarize(result: dict[str, Any]) -> list[str]:
    last = result["samples"][-1]
    rss, mailbox = result["devstack_rss_mb"], result["mailbox_ms"]
    return [
        f"{result['minutes']} min: {last['cases']} cases, {last['messages']} messages, {last['reads']} reads, "
        f"{last['errors']} errors; {last['mails_to_mark']} e-mails to Mark",
        f"devstack RSS {rss['first']} → {rss['last']} MB (max {rss['max']}), "
        f"{result['growth_mb_per_hour']} MB/h after the warm-up; chalice local "
        f"{result['api_rss_mb']['first']} → {result['api_rss_mb']['last']} MB",
        f"mailbox {mailbox['first']} → {mailbox['last']} ms (median {mailbox['median']}, max {mailbox['max']}, "
        f"{mailbox['failed']} failed); stopped in {result['stopped_in_s']} s",
        *(
            f"  minute {s['minute']:>6}: devstack {s['devstack_rss_mb']} MB, api {s['api_rss_mb']} MB, "
            f"mailbox {s['mailbox_ms'] or s['mailbox_failure']} ms, page {s['mailbox_page_ms']} ms, "
            f"{s['mails_to_mark']} e-mails to Mark"
            for s in result["samples"]
        ),
    ]
