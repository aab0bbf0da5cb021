"""What each page costs: AWS operations, items read, HTML bytes and time to answer, per page and person.

What it measures. The moto data stack with the app wired to it (``bench.operations.moto_bench``), a story-sized
world — Mark's case with two parties, a document request and a message delivered by the real stream and
delivery handlers, Anna handling ``WORK_CASES`` open cases in all (Mark and Fatima are parties of every one,
so Mark's pages list them all too) — and then each page requested through the
Chalice test client with a session cookie (the signed session the login sets), ``RUNS`` times:

- Mark: Mijn zaken, his case, the berichtenbox;
- Anna: her work list, Mark's case page, the preview of a message (``actie=voorbeeld``) and the announcements;
- Sanne: the KCC's case page.

How to read it. ``operations`` and ``items_read`` are exact per request and must not grow with the number of
cases a behandelaar has (the work list is one Query on the ``by_behandelaar`` index); the preview must write
nothing (``writes`` 0). ``bytes`` is the HTML sent. ``median_ms``/``max_ms`` include moto's in-process
DynamoDB, so they say more about rendering than about DynamoDB's own latency; machines here are shared and
noisy, so compare medians between commits on the same machine only.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from bench.operations import OperationCounter, moto_bench, tally

RUNS = 20
QUICK_RUNS = 3
WORK_CASES = 60
QUICK_WORK_CASES = 10
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _session_cookie(bench: Any, persona: str) -> tuple[str, str]:
    """The cookie header of a logged-in persona, and the session's CSRF token (as ``/inloggen/terug`` sets it)."""
    from chalicelib import wiring
    from chalicelib.adapters.identity import principal_from_claims
    from chalicelib.adapters.sealing import seal
    from chalicelib.domain.login import Realm, Session, SessionRecord
    from chalicelib.web.session import SESSION_COOKIE

    claims = bench.personas[persona]["claims"]
    realm = Realm.STAFF if "roles" in claims else Realm.CITIZENS
    now = wiring.services().clock.now()
    session = Session.start(principal_from_claims(claims, realm), now, realm)
    wiring.adapters().sessions.put(SessionRecord.of(session, now))
    return f"{SESSION_COOKIE}={seal(session.body(), wiring.adapters().token_keys, 'session')}", session.csrf


def _world(bench: Any, work_cases: int) -> dict[str, Any]:
    """Mark's case with a document request and a message, delivered; Anna's other open cases."""
    import json

    bench.register("mark", "fatima", "jan")
    case = bench.create_case("subsidie-duurzame-recreatie")
    anna = bench.headers("anna")
    requested = {"documents": [{"omschrijving": "Begroting van het project"}]}
    bench.client.http.post(f"/api/cases/{case['id']}/document-requests", headers=anna, body=json.dumps(requested).encode())
    message = {"text": "Voor uw plan is ook een vergunning van het waterschap nodig."}
    bench.client.http.post(f"/api/cases/{case['id']}/messages", headers=anna, body=json.dumps(message).encode())
    for _ in range(work_cases - 1):
        bench.create_case("melding-provinciale-weg")
    bench.drain_stream()
    bench.drain_queue()
    draft = {"title": "Grond bij Doorn", "text": "Er komt grond vrij.", "topic": "grondbeheer", "gemeenten": ["GM1581"]}
    announced = bench.client.http.post("/api/announcements", headers=bench.headers("pieter"), body=json.dumps(draft).encode())
    return {"case": case["id"], "announcement": json.loads(announced.body)["id"]}


def _measure(counter: OperationCounter, name: str, request: Callable[[], Any], runs: int) -> dict[str, Any]:
    timings, sizes, statuses = [], set(), set()
    for run in range(runs):
        with counter.in_phase(f"page.{name}.{run}"):
            started = time.perf_counter()
            response = request()
            timings.append((time.perf_counter() - started) * 1000)
        sizes.add(len(response.body))
        statuses.add(response.status_code)
    calls = counter.select(f"page.{name}.{runs - 1}")  # the last run: caches warm, as in a Lambda kept warm
    tallied = tally(calls)
    return {
        "status": sorted(statuses),
        "operations": tallied["total"],
        "by_operation": tallied["operations_by_table"],
        "items_read": sum(c.items or 0 for c in calls),
        "writes": sum(1 for c in calls if c.operation in WRITES),
        "bytes": max(sizes),
        "median_ms": round(statistics.median(timings), 1),
        "max_ms": round(max(timings), 1),
    }


def run(quick: bool = False) -> dict[str, Any]:
    runs, work_cases = (QUICK_RUNS, QUICK_WORK_CASES) if quick else (RUNS, WORK_CASES)
    counter = OperationCounter()
    with moto_bench(counter) as bench:
        with counter.in_phase("setup"):
            world = _world(bench, work_cases)
        case, http = world["case"], bench.client.http
        mark, _ = _session_cookie(bench, "mark")
        anna, csrf = _session_cookie(bench, "anna")
        sanne, _ = _session_cookie(bench, "sanne")
        preview = urlencode({"csrf": csrf, "text": "Wij hebben de begroting ontvangen.", "actie": "voorbeeld"})
        pages: dict[str, Callable[[], Any]] = {
            "mark: /mijn-zaken": lambda: http.get("/mijn-zaken", headers={"Cookie": mark}),
            "mark: /mijn-zaken/{case}": lambda: http.get(f"/mijn-zaken/{case}", headers={"Cookie": mark}),
            "mark: /berichten": lambda: http.get("/berichten", headers={"Cookie": mark}),
            "anna: /werk": lambda: http.get("/werk", headers={"Cookie": anna}),
            "anna: /werk/zaken/{case}": lambda: http.get(f"/werk/zaken/{case}", headers={"Cookie": anna}),
            "anna: preview of a message": lambda: http.post(
                f"/werk/zaken/{case}/bericht", headers={"Cookie": anna, **FORM}, body=preview
            ),
            "anna: /werk/aankondigingen/{id}": lambda: http.get(
                f"/werk/aankondigingen/{world['announcement']}", headers={"Cookie": anna}
            ),
            "sanne: /kcc/zaken/{case}": lambda: http.get(f"/kcc/zaken/{case}", headers={"Cookie": sanne}),
        }
        measured = {name: _measure(counter, name, request, runs) for name, request in pages.items()}
    return {
        "description": f"per page request (last of {runs} runs), with Anna handling {work_cases} open cases",
        "runs": runs,
        "work_cases": work_cases,
        "pages": measured,
    }


def summarize(result: dict[str, Any]) -> list[str]:
    lines = [result["description"]]
    for name, page in result["pages"].items():
        lines.append(
            f"  {name:<34} {page['status']} {page['operations']:>2} ops, {page['items_read']:>3} items, "
            f"{page['writes']} writes, {page['bytes'] / 1024:5.1f} KiB, median {page['median_ms']} ms (max {page['max_ms']})"
        )
    return lines
