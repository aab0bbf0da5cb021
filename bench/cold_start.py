"""Cold start: what importing the Lambda entry modules costs in a fresh interpreter.

What it measures. Each sample is a new process of the project's virtualenv Python (``BAKEN_STAGE=prod``,
so no dev routes) that times its own imports with ``time.perf_counter`` — interpreter start-up is
reported apart as ``process_ms`` (the whole child process, for context only). One untimed run of each
measurement goes first so that bytecode caches exist; then the measurements take turns (round-robin), so a
passing burst of load on the machine touches all of them alike.

- ``app``: ``import app`` — what the API function (and, with Chalice, every function) imports first.
  Also the number of modules it loads (``len(sys.modules)`` before and after) and whether it pulls in
  the heavy libraries: boto3, botocore, pynamodb, jinja2 and aws_lambda_powertools must NOT be among them
  (they are imported lazily, on first use). The goal (README): ``import app`` ≤ 300 ms (``within_goal``
  reports it; a benchmark does not fail on it).
- ``stream_entry`` / ``delivery_entry``: ``import chalicelib.handlers.on_case_change`` and
  ``import chalicelib.handlers.deliver``, the modules of the event handlers.
- ``first_invocation``: ``import app`` followed by the modules a stream invocation needs on its first
  call (boto3, pynamodb.models, the powertools batch utility and Logger, jinja2), each timed in turn
  (``steps_ms``: the cost of each import given the ones before it); ``extra_ms`` is what the first
  invocation pays on top of the import of app.

How to read it: medians and p90 in milliseconds over N runs (N=15, quick N=5); the machine's speed
matters, so compare runs on the same machine.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUNS = 15
RUNS_QUICK = 5
GOAL_MS = 300.0
HEAVY = ("boto3", "botocore", "pynamodb", "jinja2", "aws_lambda_powertools")
ALSO_NOTED = ("jwt", "cryptography", "moto")
FIRST_INVOCATION = (
    "app",
    "boto3",
    "pynamodb.models",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools:Logger",
    "jinja2",
)

# Runs in the child: imports each step in turn ("module" or "module:attribute") and prints timings as JSON.
# Only built-in modules (sys, time) are used before the imports are measured, so the module count is what
# the first step loads into a bare interpreter; json is imported after the last step.
CHILD = """
import sys, time
steps = sys.argv[1].split(",")
watch = sys.argv[2].split(",")
before = set(sys.modules)
timings = []
for step in steps:
    module, _, attribute = step.partition(":")
    started = time.perf_counter()
    __import__(module)
    if attribute:
        getattr(sys.modules[module], attribute)
    timings.append((time.perf_counter() - started) * 1000)
    if len(timings) == 1:
        loaded = set(sys.modules) - before
        heavy = {name: name in sys.modules for name in watch}
        packages = sorted({name.partition(".")[0] for name in loaded} - set(sys.stdlib_module_names))
        packages = [name for name in packages if not name.startswith("_sysconfigdata")]
import json
print(json.dumps({"ms": timings, "modules": len(loaded), "packages": packages, "heavy": heavy}))
"""


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BAKEN_", "AWS_ENDPOINT"))}
    env["BAKEN_STAGE"] = "prod"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def sample(steps: Sequence[str]) -> dict[str, Any]:
    """One fresh interpreter importing ``steps`` in order."""
    started = time.perf_counter()
    completed = subprocess.run(
        [python(), "-c", CHILD, ",".join(steps), ",".join((*HEAVY, *ALSO_NOTED))],
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    process_ms = (time.perf_counter() - started) * 1000
    if completed.returncode != 0:
        raise RuntimeError(f"importing {list(steps)} failed:\n{completed.stderr.strip()}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    result["process_ms"] = process_ms
    return result


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p90 of 15 runs is the 14th fastest)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def spread(values: Sequence[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values), 1),
        "p90_ms": round(percentile(values, 0.9), 1),
        "min_ms": round(min(values), 1),
        "max_ms": round(max(values), 1),
    }


def measure(configurations: dict[str, Sequence[str]], runs: int) -> dict[str, list[dict[str, Any]]]:
    """``runs`` samples of each configuration, taken round-robin so that a passing burst of load on the
    machine touches all of them alike. One untimed sample of each goes first (bytecode caches)."""
    for steps in configurations.values():
        sample(steps)
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in configurations}
    for _ in range(runs):
        for name, steps in configurations.items():
            samples[name].append(sample(steps))
    return samples


def entry(module: str, samples: list[dict[str, Any]]) -> dict[str, Any]:
    first = samples[0]
    return {
        "module": module,
        "runs": len(samples),
        **spread([s["ms"][0] for s in samples]),
        "process_median_ms": round(statistics.median(s["process_ms"] for s in samples), 1),
        "modules_loaded": first["modules"],
        "non_stdlib_packages": first["packages"],
        "heavy_imported": {name: first["heavy"][name] for name in HEAVY},
        "also_imported": {name: first["heavy"][name] for name in ALSO_NOTED},
    }


def first_invocation(samples: list[dict[str, Any]]) -> dict[str, Any]:
    steps = {step: round(statistics.median(s["ms"][i] for s in samples), 1) for i, step in enumerate(FIRST_INVOCATION)}
    return {
        "steps": list(FIRST_INVOCATION),
        "runs": len(samples),
        "steps_ms": steps,
        "app": spread([s["ms"][0] for s in samples]),
        "extra": spread([sum(s["ms"][1:]) for s in samples]),
        "total": spread([sum(s["ms"]) for s in samples]),
        "process_median_ms": round(statistics.median(s["process_ms"] for s in samples), 1),
    }


ENTRIES = {"app": "app", "stream_entry": "chalicelib.handlers.on_case_change", "delivery_entry": "chalicelib.handlers.deliver"}


def run(quick: bool = False) -> dict[str, Any]:
    runs = RUNS_QUICK if quick else RUNS
    configurations: dict[str, Sequence[str]] = {name: [module] for name, module in ENTRIES.items()}
    configurations["first_invocation"] = FIRST_INVOCATION
    samples = measure(configurations, runs)
    entries = {name: entry(module, samples[name]) for name, module in ENTRIES.items()}
    app = entries.pop("app")
    return {
        "python": python(),
        "stage": "prod",
        "goal_ms": GOAL_MS,
        "app": {**app, "within_goal": app["median_ms"] <= GOAL_MS},
        **entries,
        "first_invocation": first_invocation(samples["first_invocation"]),
    }


def _line(label: str, result: dict[str, Any]) -> str:
    heavy = [name for name, present in result["heavy_imported"].items() if present]
    return (
        f"{label:<34} median {result['median_ms']:>6} ms  p90 {result['p90_ms']:>6} ms  "
        f"({result['modules_loaded']} modules, non-stdlib: {', '.join(result['non_stdlib_packages'])}; "
        f"heavy imported: {', '.join(heavy) or 'none'})"
    )


def summarize(result: dict[str, Any]) -> list[str]:
    app = result["app"]
    first = result["first_invocation"]
    steps = ", ".join(f"{step} {ms}" for step, ms in first["steps_ms"].items())
    return [
        _line("import app", app) + f"  goal ≤ {result['goal_ms']:.0f} ms: {'met' if app['within_goal'] else 'NOT met'}",
        _line("import chalicelib.handlers.on_case_change", result["stream_entry"]),
        _line("import chalicelib.handlers.deliver", result["delivery_entry"]),
        f"first stream invocation: app {first['app']['median_ms']} ms + imports {first['extra']['median_ms']} ms "
        f"(p90 {first['extra']['p90_ms']}) = {first['total']['median_ms']} ms (p90 {first['total']['p90_ms']})",
        f"  per step (median ms): {steps}",
        f"  whole child process, interpreter start-up included: app only {app['process_median_ms']} ms, "
        f"first invocation {first['process_median_ms']} ms",
    ]
