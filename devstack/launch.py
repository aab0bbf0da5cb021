"""Start ``python -m devstack`` as a user does — its own process, in a session of its own like a terminal's, on
free ports — talk to it over HTTP and stop it as a user does. For the end-to-end tests and the benchmarks."""

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class NotReadyError(RuntimeError):
    """The stack did not print that it is ready in time; the message ends with what it printed last."""


@dataclass
class RunningStack:
    process: subprocess.Popen[str]
    api: str
    ports: tuple[int, int]  # the API's and moto's
    output: list[str] = field(default_factory=list)

    def call(self, method: str, path: str, token: str | None = None, payload: Any = None) -> tuple[int, Any]:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(f"{self.api}{path}", data=data, method=method)  # noqa: S310 - the local stack
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the local stack
                body = response.read()
                kind = response.headers.get("Content-Type", "")
                return response.status, json.loads(body) if "json" in kind else body.decode()
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def token(self, persona: str) -> str:
        status, answer = self.call("POST", "/api/dev/token", payload={"persona": persona})
        if status != 200:
            raise RuntimeError(f"no token for {persona}: {status} {answer}")
        return str(answer["access_token"])

    def stop(self, signum: int = signal.SIGTERM, within: float = 30) -> float:
        """Stop as a user does — SIGINT to the process group is Ctrl-C in its terminal, SIGTERM goes to the
        devstack alone (``kill``, or make passing it on) — and return how long it took; SIGKILL after
        ``within`` seconds (``chalice local`` then ends by itself, see devstack.with_parent)."""
        started = time.monotonic()
        if self.process.poll() is None:
            if signum == signal.SIGINT:
                os.killpg(self.process.pid, signum)
            else:
                self.process.send_signal(signum)
            try:
                self.process.wait(timeout=within)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return time.monotonic() - started


Stack = TypeVar("Stack", bound=RunningStack)


def start(kind: type[Stack], *options: str, ready_within: float = 180) -> Stack:
    """``python -m devstack [options]`` on free ports, once it has printed ``[baken] ready``."""
    api_port, moto_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BAKEN_", "POWERTOOLS_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack", "--port", str(api_port), "--moto-port", str(moto_port), *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    stack = kind(process, f"http://127.0.0.1:{api_port}", (api_port, moto_port))
    ready = threading.Event()

    def read(lines: Any) -> None:
        for line in lines:
            stack.output.append(line)
            if line.startswith("[baken] ready"):
                ready.set()

    threading.Thread(target=read, args=(process.stdout,), daemon=True).start()
    if not ready.wait(ready_within):
        stack.stop()
        raise NotReadyError("the local stack did not become ready:\n" + "".join(stack.output[-40:]))
    return stack
