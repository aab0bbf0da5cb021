"""Run Baken's benchmarks: ``python -m bench [--quick] [--only NAME] [--minutes N] [--write-readme] [--json]``.

Runs cold_start, package_size, operations, cost, preferences, pages, throughput, matching, deadlines and soak in that
order,
prints a short summary of each, and writes every number (with the machine it ran on) to
``bench/results/<UTC timestamp>.json`` and
``bench/results/latest.json`` (git-ignored). Benchmarks measure; they never fail on a number. A benchmark
that raises is reported and the others still run; the exit status is then 1. ``local_stack`` (the local stack
under traffic for an hour, or ``--minutes N``) and ``fanout`` (over half an hour) run only when named:
``python -m bench --only local_stack``.
With ``--json`` the summaries go to standard error and the results (by benchmark) to standard output as JSON.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

BENCHMARKS = (
    "cold_start",
    "package_size",
    "operations",
    "cost",
    "preferences",
    "pages",
    "throughput",
    "matching",
    "deadlines",
    "soak",
    "fanout",
    "local_stack",
)
ON_REQUEST = ("fanout", "local_stack")  # long: only with --only
RESULTS = Path(__file__).resolve().parent / "results"
ROOT = RESULTS.parents[1]
LIST_SHOWN = 5
PACKAGES = ("boto3", "botocore", "moto", "pynamodb", "chalice", "aws-lambda-powertools", "Jinja2")


def _git(*args: str) -> str | None:
    try:
        completed = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout.strip()


def machine() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    status = _git("status", "--porcelain")
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "packages": versions,
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(status) if status is not None else None,
    }


def _load(name: str) -> Any | None:
    """The benchmark module, or None when it does not exist (yet)."""
    try:
        return importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as error:
        if error.name == f"bench.{name}":
            return None
        raise


def _generic_summary(result: Any, indent: str = "") -> list[str]:
    """For a benchmark without ``summarize``: its scalar values, one per line, nested keys indented."""
    if not isinstance(result, dict):
        return [f"{indent}{result}"]
    lines = []
    for key, value in result.items():
        if isinstance(value, dict):
            lines.append(f"{indent}{key}:")
            lines.extend(_generic_summary(value, indent + "  "))
        elif isinstance(value, list) and (len(value) > LIST_SHOWN or any(isinstance(v, dict | list) for v in value)):
            lines.append(f"{indent}{key}: {len(value)} entries{', first ' + str(LIST_SHOWN) if len(value) > LIST_SHOWN else ''}")
            lines.extend(f"{indent}  {_compact(v)}" for v in value[:LIST_SHOWN])
        else:
            lines.append(f"{indent}{key}: {value}")
    return lines


def _compact(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def run_one(
    name: str, quick: bool, minutes: float | None = None, write_readme: bool = False
) -> tuple[dict[str, Any], list[str], bool]:
    """Result, summary lines and whether it went well."""
    try:
        module = _load(name)
    except Exception as error:  # noqa: BLE001 - a broken benchmark must not stop the others
        return {"error": repr(error)}, [f"failed to import: {error!r}"], False
    if module is None:
        reason = f"skipped: bench/{name}.py does not exist (yet)"
        return {"skipped": reason}, [reason], True
    runner: Callable[..., dict[str, Any]] = module.run
    accepted = inspect.signature(runner).parameters
    length: dict[str, Any] = {"minutes": minutes} if minutes is not None and "minutes" in accepted else {}
    if write_readme and "write_readme" in accepted:
        length["write_readme"] = True
    started = time.perf_counter()
    try:
        result = runner(quick=quick, **length)
    except Exception as error:  # noqa: BLE001 - a failing benchmark is reported; the others still run
        return {"error": repr(error), "traceback": traceback.format_exc()}, [f"FAILED: {error!r}"], False
    seconds = time.perf_counter() - started
    summarize = getattr(module, "summarize", None)
    lines = summarize(result) if callable(summarize) else _generic_summary(result)
    return {**result, "benchmark_seconds": round(seconds, 2)}, [*lines, f"({seconds:.1f} s)"], True


def write_results(document: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{stamp}.json"
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
    path.write_text(text, encoding="utf-8")
    (RESULTS / "latest.json").write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer runs and smaller workloads (a smoke test)")
    parser.add_argument(
        "--only", choices=BENCHMARKS, action="append", metavar="NAME", help=f"run only NAME: {', '.join(BENCHMARKS)}"
    )
    parser.add_argument("--minutes", type=float, help="how long the benchmarks that run for a time run (local_stack)")
    parser.add_argument(
        "--write-readme", action="store_true", help="cost: store the counted figures and rewrite README.md's cost table"
    )
    parser.add_argument(
        "--json", action="store_true", help="the results as JSON on standard output (summaries on standard error)"
    )
    args = parser.parse_args(argv)
    out = sys.stderr if args.json else sys.stdout
    selected = [name for name in BENCHMARKS if (name in args.only if args.only else name not in ON_REQUEST)]

    document: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": machine(),
        "results": {},
    }
    ok = True
    for name in selected:
        print(f"== {name}", file=out, flush=True)
        result, lines, went_well = run_one(name, args.quick, args.minutes, args.write_readme)
        ok = ok and went_well
        document["results"][name] = result
        for line in lines:
            print(f"   {line}", file=out)
        print(file=out, flush=True)
    document["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    path = write_results(document)
    print(f"results: {path.relative_to(ROOT)} (and bench/results/latest.json)", file=out)
    if args.json:
        print(json.dumps(document["results"], indent=2, ensure_ascii=False, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
