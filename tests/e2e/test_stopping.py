"""Stopping the local stack leaves nothing behind: after Ctrl-C or SIGTERM the devstack stops within seconds
and no process it started remains; after ``kill -9`` of the devstack, ``chalice local`` ends by itself; in
each case the ports are free for the next start. A port that is in use is refused with the process holding
it named. (Linux: the processes are read from /proc.)"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.launch import free_port
from tests.conftest import ROOT
from tests.e2e.conftest import LocalStack, start_local_stack, wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc"),
]
STOPPED_WITHIN = 10  # seconds, on a busy machine


def _parents() -> dict[int, int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    return parents


def _descendants(pid: int) -> set[int]:
    parents = _parents()
    found: set[int] = set()
    new = {pid}
    while new:
        new = {child for child, parent in parents.items() if parent in new} - found
        found |= new
    return found


def _running(pid: int) -> bool:
    """Still a process (a zombie, which only waits for its parent to read its exit status, is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _can_listen(port: int) -> bool:
    """Nothing listens on ``port`` any more. (Whether it can be bound again is not asked: once freed, an
    ephemeral port may at once be the source port of another program's connection on a busy machine.)"""
    listening = "0A"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as lines:
            for line in list(lines)[1:]:
                local, state = line.split()[1], line.split()[3]
                if int(local.rsplit(":", 1)[1], 16) == port and state == listening:
                    return False
    return True


def _started() -> tuple[LocalStack, set[int]]:
    stack = start_local_stack("--no-history")  # stopping needs no year of demo history
    family = _descendants(stack.process.pid)
    assert family, "the devstack started no process (chalice local)"
    return stack, family


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_and_sigterm_stop_every_process_within_seconds_and_free_the_ports(signum: int) -> None:
    stack, family = _started()

    took = stack.stop(signum)

    assert stack.process.returncode == 0, "".join(stack.output[-20:])
    assert took < STOPPED_WITHIN, f"stopping took {took:.1f} s"
    assert [pid for pid in family if _running(pid)] == []
    assert all(_can_listen(port) for port in stack.ports)
    wait_until(lambda: any(line.startswith("[baken] stopped") for line in stack.output), 5)


def test_after_kill_9_of_the_devstack_chalice_local_ends_by_itself_and_frees_the_port() -> None:
    stack, family = _started()

    stack.process.kill()  # the devstack alone, as `kill -9 <pid>` does: it cannot stop anything itself
    stack.process.wait()

    wait_until(lambda: not any(_running(pid) for pid in family), STOPPED_WITHIN)
    assert all(_can_listen(port) for port in stack.ports)


def test_a_port_in_use_is_refused_naming_the_process_that_holds_it() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BAKEN_"))}
        completed = subprocess.run(
            [sys.executable, "-m", "devstack", "--port", str(port), "--moto-port", str(free_port())],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert completed.returncode == 2
    assert f"Poort {port} op 127.0.0.1 is al in gebruik door proces {os.getpid()} " in completed.stdout
    assert f"Port {port} on 127.0.0.1 is in use by process {os.getpid()} " in completed.stdout
