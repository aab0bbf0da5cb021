"""Soak run: thousands of case changes while one call in ten fails; what was lost, and what was sent twice.

The design (the promise, the workload, the faults, the platform, the two modes, the ground truth and what is
reported) is described in ``docs/soak.md``.
"""

from __future__ import annotations

import time
from typing import Any

from bench.soak.faults import FAULT_MIX, FAULT_RATE
from bench.soak.memory_harness import in_memory
from bench.soak.moto_harness import through_moto
from bench.soak.report import summarize
from bench.soak.workload import IN_MEMORY, IN_MEMORY_QUICK, MOTO, MOTO_QUICK, SEED

__all__ = ["run", "summarize"]


def run(quick: bool = False) -> dict[str, Any]:
    started = time.perf_counter()
    memory = in_memory(IN_MEMORY_QUICK if quick else IN_MEMORY)
    memory["wall_seconds"]["total"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    moto = through_moto(MOTO_QUICK if quick else MOTO)
    moto["wall_seconds"]["total"] = round(time.perf_counter() - started, 1)
    return {"seed": SEED, "fault_rate": FAULT_RATE, "fault_mix": FAULT_MIX, "in_memory": memory, "moto": moto}
