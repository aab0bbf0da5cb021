"""``python -m devstack.with_parent PID local …``: run the ``chalice`` command line (here ``chalice local …``) in
this process, and end it as soon as process PID, the devstack that started it, is gone.

The devstack starts ``chalice local`` in a session of its own (a Ctrl-C in the terminal reaches the devstack
alone, which then stops everything in order). When the devstack dies without stopping it (``kill -9``, an
out-of-memory kill, a test's timeout), nothing else would: ``chalice local`` would keep the port, and the next
start would find it in use. So a thread here watches the parent: once this process has been handed to another
parent, it exits. On Linux the kernel also sends SIGTERM the moment the parent dies (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading

WATCH_EVERY = 0.2  # seconds
PR_SET_PDEATHSIG = 1


def _signal_on_parent_death() -> None:
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def watch_parent(parent: int, every: float = WATCH_EVERY) -> threading.Thread:
    """End this process (exit status 0) once ``parent`` is no longer its parent."""

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(every)
        os._exit(0)

    thread = threading.Thread(target=watch, name="watch-parent", daemon=True)
    thread.start()
    return thread


def main(argv: list[str]) -> None:
    parent, *arguments = argv
    _signal_on_parent_death()
    watch_parent(int(parent))  # also when the parent died before this began: then it is no longer the parent
    from chalice.cli import main as chalice

    sys.argv = ["chalice", *arguments]
    chalice()


if __name__ == "__main__":
    main(sys.argv[1:])
