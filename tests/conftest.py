"""Test-wide settings. The environment is fixed before anything imports app.py, so the app is built for
the local stage (with its dev routes) and every AWS call goes to moto, never to a real account."""

from __future__ import annotations

from pathlib import Path

from devstack.environment import use_in_process_environment

ROOT = Path(__file__).resolve().parents[1]

use_in_process_environment()
pytest_plugins = ["tests.logscan"]  # RELIABILITY test 20: the log scan over the whole run (tests/logscan.py)
