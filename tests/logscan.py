"""RELIABILITY test 20, the log scan: every log line the app writes during the whole test run is checked, and the
run fails if one of them contains an e-mail address, a BSN-like number, a token or the text of a message a test
sent, or if an audit line lacks actor, action, object, result, origin or timestamp.

What is scanned is what the app would print, not what the tests assert: the app's structured logger
(``chalicelib.observability``, one JSON line per record, formatted by powertools) opened up to every level, so
that INFO lines such as the audit trail are scanned although the tests print only warnings; and every record
of any other logger that reaches the root logger. Request bodies sent through the Chalice test client are
remembered, so that the free text of a message (``text``, ``toelichting``, ``inhoud`` ...) is recognised if it
ever turns up in a log line; test data may hold e-mail addresses everywhere else.

With pytest-xdist each worker scans its own lines and hands its findings to the controller
(``config.workeroutput``); the process that reports the run sets a failing exit status and lists them.
Registered in tests/conftest.py (``pytest_plugins``); its fixture ``app_log`` gives a test the lines written
during that test.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

# Each pattern starts where its run starts and never backtracks into it: a long line costs one pass, not n².
EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]++@[A-Za-z0-9-]++(?:\.[A-Za-z0-9-]++)++", re.ASCII)
NINE_DIGITS = re.compile(r"(?<![\w.])\d{9}(?![\w])", re.ASCII)
JWT = re.compile(r"eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*", re.ASCII)
LINK_TOKEN = re.compile(r"eyJ[\w-]{8,}\.[\w-]{43}(?![\w-])", re.ASCII)  # domain/tokens.py: base64 JSON . HMAC-SHA256
AUDIT_FIELDS = ("actor", "action", "object", "result", "origin")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}")
# Free text of a message, a reason or a description: what a behandelaar, KCC employee or applicant writes.
MESSAGE_FIELDS = frozenset(
    {"text", "toelichting", "reden", "reason", "inhoud", "onderwerp", "omschrijving", "title", "label", "naam", "straat"}
)
PROSE = re.compile(r"[^\W\d_]\s+[^\W\d_]")  # two words at least: "x" or "ja" would match anything
MIN_MESSAGE_LENGTH = 12
MAX_MESSAGE_LENGTH = 5000  # longer than any text field Baken accepts
# Loggers of test tooling that never runs in Lambda (moto stands in for AWS).
TOOLING = ("moto", "hypothesis", "werkzeug", "responses")
SHOWN = 25


def has_email_address(text: str) -> bool:
    return any(_top_level(m.group()) for m in EMAIL.finditer(text))


def _top_level(address: str) -> bool:
    label = address.rpartition(".")[2]
    return len(label) >= 2 and label.isalpha()


def passes_elfproef(digits: str) -> bool:
    """Whether nine digits could be a BSN: the weighted sum 9..2, minus the last digit, is a multiple of 11."""
    if len(digits) != 9 or not digits.isdigit() or digits == "0" * 9:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def message_texts(value: Any) -> Iterator[str]:
    """The free-text values of a request body that are long enough to recognise in a log line."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in MESSAGE_FIELDS and isinstance(item, str):
                text = item.strip()
                if MIN_MESSAGE_LENGTH <= len(text) <= MAX_MESSAGE_LENGTH and PROSE.search(text):
                    yield text
            else:
                yield from message_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from message_texts(item)


@dataclass(frozen=True)
class Finding:
    test: str
    rule: str
    line: str

    def render(self) -> str:
        line = self.line if len(self.line) <= 400 else self.line[:400] + "…"
        return f"{self.test}: {self.rule}\n    {line}"


@dataclass
class Scanner:
    """The rules of promise 12, applied to one line at a time."""

    messages: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    lines: int = 0
    audit_lines: int = 0
    test: str = "(outside any test)"
    recent: list[str] = field(default_factory=list)

    def remember_request(self, body: Any) -> None:
        if isinstance(body, bytes):
            body = body.decode("utf-8", errors="replace")
        if not isinstance(body, str) or not body.lstrip().startswith(("{", "[")):
            return
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):  # what the app refuses to read, nobody reads
            return
        self.messages.update(message_texts(parsed))

    def scan(self, line: str) -> list[str]:
        """The rules ``line`` breaks (and it is counted, and kept for the current test's ``app_log``)."""
        self.lines += 1
        self.recent.append(line)
        try:
            parsed = json.loads(line)
        except ValueError:
            parsed = None
        texts = [line, *_strings(parsed)] if parsed is not None else [line]
        broken = []
        if any(has_email_address(t) for t in texts):
            broken.append("e-mail address")
        if any(passes_elfproef(m.group()) for t in texts for m in NINE_DIGITS.finditer(t)):
            broken.append("BSN-like number")
        if any(JWT.search(t) or LINK_TOKEN.search(t) for t in texts):
            broken.append("token")
        if any(message in t for message in self.messages for t in texts):
            broken.append("text of a message sent by a test")
        if isinstance(parsed, dict) and parsed.get("message") == "audit":
            self.audit_lines += 1
            broken.extend(_audit_problems(parsed))
        self.findings.extend(Finding(self.test, rule, line) for rule in broken)
        return broken


def _audit_problems(parsed: dict[str, Any]) -> list[str]:
    trail = parsed.get("audit")
    if not isinstance(trail, dict):
        return ["audit line without its audit fields"]
    missing = [name for name in AUDIT_FIELDS if trail.get(name) in (None, "")]
    if not TIMESTAMP.match(str(parsed.get("timestamp", ""))):
        missing.append("timestamp")
    return [f"audit line without {', '.join(missing)}"] if missing else []


class _Capture(logging.Handler):
    def __init__(self, scanner: Scanner, *, formatter: logging.Formatter | None = None) -> None:
        super().__init__(level=logging.NOTSET)
        self.scanner = scanner
        if formatter is not None:
            self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.partition(".")[0] in TOOLING:
            return
        try:
            line = self.format(record)
        except Exception as error:  # noqa: BLE001 - a line that cannot be formatted is a finding, not a crash
            line = f"unformattable record from {record.name}: {type(error).__name__}"
            self.scanner.findings.append(Finding(self.scanner.test, "record that cannot be formatted", line))
            return
        self.scanner.scan(line)


class LogScan:
    """The plugin object: one per process (the controller and every xdist worker)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.scanner = Scanner()
        self.reported: list[dict[str, str]] = []
        self.workers_lines = 0
        self._root = _Capture(self.scanner, formatter=logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self._app = _Capture(self.scanner)
        self._undo: list[Any] = []

    # Setting up -----------------------------------------------------------------------------------------------

    def start(self) -> None:
        logging.getLogger().addHandler(self._root)
        self._undo.append(lambda: logging.getLogger().removeHandler(self._root))
        self._remember_request_bodies()
        self._open_up_the_app_logger()

    def stop(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()

    def _remember_request_bodies(self) -> None:
        from chalice.test import TestHTTPClient

        original = TestHTTPClient.request
        scanner = self.scanner

        @functools.wraps(original)
        def request(client: Any, method: str, path: str, headers: Any = None, body: bytes = b"") -> Any:
            scanner.remember_request(body)
            return original(client, method, path, headers=headers, body=body)

        TestHTTPClient.request = request  # type: ignore[method-assign,assignment]
        self._undo.append(lambda: setattr(TestHTTPClient, "request", original))

    def _open_up_the_app_logger(self) -> None:
        """The app's logger is made on first use, inside some test, bound to that moment's stdout: wrap the
        function that makes it, so that whenever it is made its records of every level reach the scan, while
        what it prints stays what it was (the handler keeps the configured level)."""
        from chalicelib import observability

        original = observability.logger
        capture = self._app

        @functools.wraps(original)
        def logger() -> Any:
            structured = original()
            underlying = logging.getLogger(observability.SERVICE)
            if capture not in underlying.handlers:
                printing = structured.registered_handler
                printing.setLevel(max(printing.level, underlying.level))
                capture.setFormatter(printing.formatter)  # the very line the app prints
                underlying.addHandler(capture)  # after the printing handler: powertools looks at handlers[0]
                underlying.setLevel(logging.DEBUG)
            return structured

        logger.cache_clear = original.cache_clear  # type: ignore[attr-defined]
        observability.logger = logger  # type: ignore[assignment]
        self._undo.append(lambda: setattr(observability, "logger", original))

    # Running --------------------------------------------------------------------------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Iterator[None]:
        self.scanner.test = item.nodeid
        self.scanner.recent.clear()
        try:
            return (yield)
        finally:
            self.scanner.test = "(between tests)"

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", {}) or {}
        self.reported.extend(json.loads(output.get("logscan_findings", "[]")))
        self.workers_lines += int(output.get("logscan_lines", 0))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        own = [{"test": f.test, "rule": f.rule, "line": f.line} for f in self.scanner.findings]
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:  # an xdist worker: the controller reports
            workeroutput["logscan_findings"] = json.dumps(own)
            workeroutput["logscan_lines"] = self.scanner.lines
            return
        self.reported.extend(own)
        if self.reported and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if getattr(self.config, "workeroutput", None) is not None:
            return
        lines = self.scanner.lines + self.workers_lines
        if not self.reported:
            terminalreporter.write_line(f"log scan: {lines} log lines, none with personal data or tokens")
            return
        terminalreporter.section("log scan (RELIABILITY test 20)", sep="=", red=True, bold=True)
        terminalreporter.write_line(f"{len(self.reported)} problems in {lines} log lines:")
        for found in self.reported[:SHOWN]:
            terminalreporter.write_line(Finding(found["test"], found["rule"], found["line"]).render())
        if len(self.reported) > SHOWN:
            terminalreporter.write_line(f"... and {len(self.reported) - SHOWN} more")


class AppLog:
    """The log lines the app wrote during one test, as it would print them."""

    def __init__(self, scanner: Scanner) -> None:
        self._scanner = scanner
        self._start = len(scanner.recent)

    def lines(self) -> list[str]:
        return self._scanner.recent[self._start :]

    def records(self) -> list[dict[str, Any]]:
        found = []
        for line in self.lines():
            try:
                parsed = json.loads(line)
            except ValueError:
                continue
            if isinstance(parsed, dict):
                found.append(parsed)
        return found

    def audit(self) -> list[dict[str, Any]]:
        """The audit entries, with the line's timestamp, oldest first."""
        return [{**r["audit"], "timestamp": r.get("timestamp")} for r in self.records() if r.get("message") == "audit"]


KEY = pytest.StashKey[LogScan]()


def pytest_configure(config: pytest.Config) -> None:
    plugin = LogScan(config)
    config.stash[KEY] = plugin
    config.pluginmanager.register(plugin, "baken-logscan")
    plugin.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    plugin = config.stash.get(KEY, None)
    if plugin is not None:
        plugin.stop()


@pytest.fixture
def app_log(request: pytest.FixtureRequest) -> AppLog:
    return AppLog(request.config.stash[KEY].scanner)
