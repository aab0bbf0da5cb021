"""Test-wide settings. The environment is fixed before anything imports app.py, so the app is built for
the local stage (with its dev routes) and every AWS call goes to moto, never to a real account."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

from devstack.environment import use_in_process_environment

ROOT = Path(__file__).resolve().parents[1]

use_in_process_environment()
# Property-based tests are bounded by their numbers of examples, never by the clock: on a busy machine a slow
# example is no failure (no deadline, no too-slow health check). The per-test timeout (pyproject.toml) only
# guards against a hang.
settings.register_profile("baken", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("baken")
pytest_plugins = ["tests.logscan"]  # RELIABILITY test 20: the log scan over the whole run (tests/logscan.py)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say where the browser tests left their screenshots, so a person can look at every page."""
    folder = os.environ.get("BAKEN_SCREENSHOTS")
    if folder and Path(folder).is_dir():
        count = len(list(Path(folder).rglob("*.png")))
        index = Path(folder) / "index.html"
        terminalreporter.write_line(
            f"screenshots: {count} pages in {folder}" + (f", listed in {index}" if index.exists() else "")
        )
