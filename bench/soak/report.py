"""The report: the soak's result as a short summary, one block per mode."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bench.soak.harness import MAX_TRIES


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _listed(counts: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} {_n(v)}" for k, v in counts.items())


def _mode_summary(name: str, r: dict[str, Any]) -> list[str]:
    changes, faults, dup, order = r["changes"], r["faults"], r["duplicates"], r["ordering"]
    possible, platform = r["possible_duplicate_reports"], r["platform"]
    stream, queue = platform["stream"], platform["delivery_queue"]
    sim, wall, crashes = r["simulated"], r["wall_seconds"], faults["crashes_by_point"]
    given_up = r["changes_given_up_by_stream"]
    return [
        f"{name}: {_n(changes['committed'])} changes committed ({_listed(changes['committed_by_kind'])}) "
        f"for {_n(r['subscribers'])} subscribers; {_n(changes['attempted'])} requests, "
        f"{_n(changes['given_up_after_tries'])} changes given up after {MAX_TRIES} tries",
        f"  calls under faults {_n(faults['calls_under_faults'])} ({_listed(faults['calls_under_faults_by_service'])}); "
        f"faults {_n(faults['faults_injected'])} = {faults['fault_share']:.1%} ({_listed(faults['faults_by_kind'])})",
        f"  API answers: {_listed(changes['answers'])}; failed but committed {_n(changes['failed_but_committed'])}, "
        f"failed with nothing committed {_n(changes['failed_nothing_committed'])}, "
        f"OK but not committed {changes['ok_but_not_committed']}",
        f"  expected {_n(r['expected'])} notifications ({_listed(r['expected_by_channel'])}) → delivered {_n(r['delivered'])}, "
        f"LOST {_n(r['lost'])}, visibly failed {_n(r['visible_failures_total'])}",
        *(f"    visibly failed: {_n(n)} {state}" for state, n in r["visible_failures"].items()),
        f"    changes given up by the stream: {_n(given_up['changes'])}, reaching {given_up['notifications_each']} "
        f"notifications each (all changes: {given_up['notifications_each_over_all_changes']})",
        f"  duplicates: {_n(dup['extra_deliveries'])} extra deliveries ({_n(dup['notifications_affected'])} notifications): "
        f"flagged possible_duplicate {_n(dup['flagged_possible_duplicate'])}, UNFLAGGED {_n(dup['unflagged'])}",
        *(f"    unflagged: {_n(n)} — {cause}" for cause, n in dup["unflagged_by_cause"].items()),
        f"  possible_duplicate reports {_n(possible['reports'])} "
        f"(metric PossibleDuplicate {_n(r['metrics'].get('PossibleDuplicate', 0))}): "
        f"a second e-mail went {_n(possible['a_second_email_went'])}, only one went {_n(possible['only_one_email_went'])}",
        f"  ordering: {_n(order['pairs_checked'])} consecutive e-mail pairs (one case, one subscriber), "
        f"out of order {_n(order['out_of_order'])}",
        *(f"    out of order: {_n(n)} — {why}" for why, n in order["out_of_order_by_kind"].items()),
        f"  then the operator replays the stream failure queue: "
        f"{_listed({k: v for k, v in r['operator_replay'].items() if k != 'after'})}",
        f"    after it: {_listed(r['operator_replay']['after'])}",
        f"  unexpected deliveries {r['unexpected_deliveries']}; "
        f"e-mails {_n(r['emails_sent'])} ({_n(r['digest_emails'])} digests), "
        f"berichtenbox {_n(r['berichtenbox_messages'])}",
        f"  final notification statuses: {_listed(r['notifications_by_status'])}",
        f"  crashes injected {_n(faults['crashes_injected'])}, most after: {_listed(dict(list(crashes.items())[:6]))}",
        f"  stream: {_n(stream['invocations'])} invocations, {_n(stream['retries'])} retries, "
        f"records given up {_n(stream['records_given_up'])}",
        f"  delivery queue: {_n(queue['invocations'])} invocations, {_n(queue['messages_failed'])} messages failed, "
        f"dead letters {_n(queue['dead_letters'])}, FIFO order broken by the queue {_n(queue['fifo_order_broken_by_the_queue'])}",
        f"  functions: {_listed(platform['functions'])}",
        *(f"  schedule {schedule}: {_listed(tally)}" for schedule, tally in platform["schedules"].items()),
        f"  simulated {sim['soak_hours']} h of changes from {sim['start']}, then {sim['drain']['simulated_hours']} h draining "
        f"(settled: {sim['drain']['settled']}); wall seconds: {_listed(wall)}",
        *(f"    lost: {example}" for example in r["lost_examples"]),
        *(f"    unflagged duplicate: {example}" for example in dup["unflagged_examples"][:3]),
        *(f"    out of order: {example}" for example in order["examples"]),
    ]


def summarize(result: dict[str, Any]) -> list[str]:
    mix = ", ".join(f"{k.replace('_', ' ')} {v:.0%}" for k, v in result["fault_mix"].items())
    return [
        f"{result['fault_rate']:.0%} of Baken's AWS calls fail while changes are made ({mix} of those); seed {result['seed']}",
        *_mode_summary("in memory", result["in_memory"]),
        *_mode_summary("moto", result["moto"]),
    ]
