"""The oracle: what must have been delivered to whom, computed from the committed changes with the matching rules
written out, and the checks of what arrived against it (lost, duplicates, ordering, what committed)."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bench.soak.faults import ANSWER_LOST, Faults
from bench.soak.recorder import DeliveryRecorder
from bench.soak.workload import Following, Workload
from chalicelib.domain.cases import Case
from chalicelib.domain.catalogue import Catalogue, Vertrouwelijkheid, Zaaktype
from chalicelib.domain.events import EventKind
from chalicelib.domain.notifications import Notification, NotificationStatus
from chalicelib.domain.schedule import hold_until
from chalicelib.domain.subscriptions import Channel, Scope

FAILED_STATES = {
    NotificationStatus.TECHNICAL_FAILURE,
    NotificationStatus.PERMANENT_FAILURE,
    NotificationStatus.TEMPORARY_FAILURE,
}
EXAMPLES = 5


@dataclass(frozen=True)
class FinalState:
    cases: list[Case]
    notifications: dict[str, Notification]
    emails: list[str]  # the reference of each e-mail the provider accepted, in the order sent
    berichtenbox: list[str]  # the notification of each berichtenbox message
    dead_letters: list[str]  # notification ids on the delivery dead-letter queue
    parked: list[dict[str, Any]]  # stream records given up on (on-failure destination)
    overtaken: set[str]  # notifications whose queue message a later one of its group overtook (FifoWatch)


@dataclass(frozen=True)
class Request:
    kind: str
    at: datetime
    outcome: str  # ok, failed, crashed


def after_replay(evaluation: dict[str, Any]) -> dict[str, Any]:
    """The figures that change when the operator replays what the stream gave up on."""
    return {
        "delivered": evaluation["delivered"],
        "lost": evaluation["lost"],
        "visibly_failed": evaluation["visible_failures_total"],
        "unflagged_duplicates": evaluation["duplicates"]["unflagged"],
        "unexpected_deliveries": evaluation["unexpected_deliveries"],
        "out_of_order": evaluation["ordering"]["out_of_order_by_kind"],
    }


def changes_report(requests: Sequence[Request], cases: Sequence[Case]) -> dict[str, Any]:
    """What the behandelaar asked, what the API answered, and what committed (each change has its own moment)."""
    committed: dict[datetime, str] = {}
    for case in cases:
        committed[case.registered_at] = "create"
        for entry in case.statuses[1:]:
            committed[entry.set_at] = "status"
        for message in case.messages:
            committed[message.posted_at] = "message"
    asked = Counter(r.kind for r in requests)
    outcomes = Counter(r.outcome for r in requests)
    failed = [r for r in requests if r.outcome != "ok"]
    asked_moments = {r.at for r in requests}
    return {
        "attempted": len(requests),
        "attempted_by_kind": dict(sorted(asked.items())),
        "answers": dict(sorted(outcomes.items())),
        "committed": len(committed),
        "committed_by_kind": dict(sorted(Counter(committed.values()).items())),
        "failed_but_committed": sum(1 for r in failed if r.at in committed),
        "failed_nothing_committed": sum(1 for r in failed if r.at not in committed),
        "ok_but_not_committed": sum(1 for r in requests if r.outcome == "ok" and r.at not in committed),
        "committed_not_asked": sum(1 for moment in committed if moment not in asked_moments),
    }


Key = tuple[str, str, str, str]  # case, status entry or message, subscriber, channel


@dataclass(frozen=True)
class Expected:
    case_id: str
    ref: str
    label: str  # the statustype, or "message"
    at: datetime
    subscriber_id: str
    channel: Channel


def expected_notifications(cases: Sequence[Case], workload: Workload, catalogue: Catalogue) -> dict[Key, Expected]:
    """Who must hear of each committed change, by the rules written out: the parties of a case hear of every
    status whose statustype says ``informeren`` and of every message; of a public case (publicatieindicatie, and
    openbaar) also whoever follows the case, one of its gemeenten or its topic — if they followed it before the
    change. One notification per channel the subscriber chose and can be reached on."""
    by_case: dict[str, list[Following]] = defaultdict(list)
    elsewhere: list[Following] = []
    for following in workload.following:
        if following.scope.case_id is not None:
            by_case[following.scope.case_id].append(following)
        else:
            elsewhere.append(following)
    expected: dict[Key, Expected] = {}

    def tell(case: Case, ref: str, label: str, at: datetime, people: set[str]) -> None:
        for subscriber_id in sorted(people):
            subscriber = workload.by_id.get(subscriber_id)
            channels = subscriber.reachable_channels if subscriber else frozenset({Channel.PORTAL})
            for channel in sorted(channels & {Channel.EMAIL, Channel.PORTAL}):
                expected[(case.id, ref, subscriber_id, channel.value)] = Expected(case.id, ref, label, at, subscriber_id, channel)

    for case in cases:
        zaaktype = catalogue.get(case.zaaktype)
        public = zaaktype.publicatie_indicatie and case.vertrouwelijkheid is Vertrouwelijkheid.OPENBAAR
        parties = set(case.followers)
        watchers = [f for f in by_case.get(case.id, []) + elsewhere if _follows(f.scope, case, zaaktype)] if public else []
        for entry in case.statuses:
            if zaaktype.statustype(entry.statustype).informeren:
                people = parties | {f.subscriber_id for f in watchers if f.since < entry.set_at}
                tell(case, entry.id, entry.statustype, entry.set_at, people)
        for message in case.messages:
            tell(case, message.id, "message", message.posted_at, parties)
    return expected


def _follows(scope: Scope, case: Case, zaaktype: Zaaktype) -> bool:
    if scope.case_id is not None:
        return scope.case_id == case.id
    topic = not scope.topics or zaaktype.onderwerp in scope.topics
    place = not scope.gemeenten or bool(scope.gemeenten & set(case.location.gemeenten))
    return topic and place


def _key(n: Notification) -> Key:
    return (n.case_id, n.ref, n.subscriber_id, n.channel.value)


def parked_changes(records: Sequence[dict[str, Any]]) -> set[tuple[str, str]]:
    """(case, status entry or message) of every change in a stream record given up on."""
    from chalicelib.adapters.dynamodb.mapping import case_from_image

    changes: set[tuple[str, str]] = set()
    for record in records:
        images = record.get("dynamodb", {})
        old, new = case_from_image(images.get("OldImage")), case_from_image(images.get("NewImage"))
        if new is None:
            continue
        known = {s.id for s in old.statuses} | {m.id for m in old.messages} if old else set()
        changes.update((new.id, ref) for ref in [s.id for s in new.statuses] + [m.id for m in new.messages] if ref not in known)
    return changes


UNFLAGGED_CAUSES = {
    ANSWER_LOST: "SES accepted it but its answer was lost (a timeout); delivery retried without a flag",
    "takeover": "a worker died after SES accepted it (crash, or the outbox refused 'delivered'); the take-over of its "
    "claim failed before sending, and the attempt that sent again was no take-over",
    "two_emails": "carried by a second, different e-mail (a later digest, or alone after a digest)",
    "unexplained": "no injected fault explains it",
}


def evaluate(
    state: FinalState, workload: Workload, catalogue: Catalogue, recorder: DeliveryRecorder, faults: Faults
) -> dict[str, Any]:
    expected = expected_notifications(state.cases, workload, catalogue)
    notifications = state.notifications
    by_key = {_key(n): n for n in notifications.values() if n.event_kind is not EventKind.DIGEST}
    carried: dict[Key, list[str]] = defaultdict(list)  # the e-mails (by reference) or berichtenbox messages that carried it
    first_email: dict[Key, tuple[int, bool]] = {}  # position of the first e-mail that carried it; in a digest?
    unknown_emails = 0
    for position, reference in enumerate(state.emails):
        carrier = notifications.get(reference)
        if carrier is None:
            unknown_emails += 1
            continue
        digest = carrier.event_kind is EventKind.DIGEST
        items = [notifications[i] for i in carrier.digest_items if i in notifications] if digest else [carrier]
        for item in items:
            carried[_key(item)].append(reference)
            first_email.setdefault(_key(item), (position, digest))
    for notification_id in state.berichtenbox:
        message = notifications.get(notification_id)
        if message is not None:
            carried[_key(message)].append(notification_id)

    dead, parked = set(state.dead_letters), parked_changes(state.parked)
    delivered = lost = 0
    visible: Counter[str] = Counter()
    lost_examples: list[dict[str, Any]] = []
    for key, wanted in expected.items():
        if carried.get(key):
            delivered += 1
            continue
        n = by_key.get(key)
        if n is not None and n.status in FAILED_STATES:
            visible[f"{n.status.value} ({n.reason})"] += 1
        elif n is not None and n.id in dead:
            visible["on the dead-letter queue"] += 1
        elif (wanted.case_id, wanted.ref) in parked:
            visible["change given up by the stream (on-failure destination)"] += 1
        else:
            lost += 1
            if len(lost_examples) < EXAMPLES:
                lost_examples.append(
                    {
                        "case": wanted.case_id,
                        "change": wanted.label,
                        "subscriber": wanted.subscriber_id,
                        "channel": wanted.channel.value,
                        "state": f"{n.status.value} ({n.reason})" if n else "never written",
                    }
                )
    unexpected = [key for key in carried if key not in expected]
    audience = Counter((e.case_id, e.ref) for e in expected.values())
    given_up = [change for change in parked if change in audience]

    duplicates = _duplicates(carried, recorder, faults)
    possible = _possible_duplicate_reports(recorder.flagged, notifications, carried)
    return {
        "expected": len(expected),
        "expected_by_channel": dict(sorted(Counter(e.channel.value for e in expected.values()).items())),
        "delivered": delivered,
        "lost": lost,
        "lost_examples": lost_examples,
        "visible_failures": dict(sorted(visible.items())),
        "visible_failures_total": sum(visible.values()),
        "changes_given_up_by_stream": {
            "changes": len(given_up),
            "notifications_each": round(sum(audience[c] for c in given_up) / len(given_up), 1) if given_up else None,
            "notifications_each_over_all_changes": round(len(expected) / len(audience), 1) if audience else None,
        },
        "duplicates": duplicates,
        "possible_duplicate_reports": possible,
        "unexpected_deliveries": len(unexpected),
        "unexpected_examples": [list(k) for k in unexpected[:EXAMPLES]],
        "emails_sent": len(state.emails),
        "emails_unknown_reference": unknown_emails,
        "digest_emails": sum(
            1 for r in state.emails if (n := notifications.get(r)) is not None and n.event_kind is EventKind.DIGEST
        ),
        "berichtenbox_messages": len(state.berichtenbox),
        "notifications_by_status": dict(sorted(Counter(n.status.value for n in notifications.values()).items())),
        "ordering": _ordering(expected, first_email, by_key, parked, state.overtaken, workload),
    }


def _duplicates(carried: Mapping[Key, list[str]], recorder: DeliveryRecorder, faults: Faults) -> dict[str, Any]:
    """Every delivery of a notification after its first, by cause: the same e-mail sent again (flagged by
    delivery, or not: then why), or the notification carried by a second, different e-mail (a digest and a
    digest, or a digest and the e-mail alone). A digest sent twice counts once for each item it carries."""
    extra = notifications = flagged_extra = 0
    causes: Counter[str] = Counter()
    examples: list[dict[str, Any]] = []
    for key, carriers in carried.items():
        if len(carriers) < 2:
            continue
        extra += len(carriers) - 1
        notifications += 1
        sends = Counter(carriers)
        found: list[str] = []
        for carrier, times in sends.items():
            if times < 2:
                continue
            if recorder.flagged.get(carrier):
                flagged_extra += times - 1
                continue
            if ANSWER_LOST in faults.by_reference.get(carrier, ()):
                cause = ANSWER_LOST
            elif recorder.takeovers.get(carrier):
                cause = "takeover"
            else:
                cause = "unexplained"
            causes[cause] += times - 1
            found.append(cause)
        if len(sends) > 1:
            causes["two_emails"] += len(sends) - 1
            found.append("two_emails")
        if found and len(examples) < EXAMPLES:
            examples.append({"notification": list(key), "deliveries": len(carriers), "emails": len(sends), "causes": found})
    return {
        "extra_deliveries": extra,
        "notifications_affected": notifications,
        "flagged_possible_duplicate": flagged_extra,
        "unflagged": extra - flagged_extra,
        "unflagged_by_cause": {UNFLAGGED_CAUSES[c]: n for c, n in causes.most_common()},
        "unflagged_examples": examples,
    }


def _possible_duplicate_reports(
    flagged: Mapping[str, int], notifications: Mapping[str, Notification], carried: Mapping[Key, list[str]]
) -> dict[str, int]:
    """Deliveries delivery reported as possible duplicates, and whether a second e-mail really went."""
    confirmed = unfounded = 0
    for carrier_id, times in flagged.items():
        carrier = notifications.get(carrier_id)
        if carrier is None:
            continue
        items = carrier.digest_items if carrier.event_kind is EventKind.DIGEST else (carrier_id,)
        keys = [_key(notifications[i]) for i in items if i in notifications]
        if any(len(carried.get(k, ())) > 1 for k in keys):
            confirmed += times
        else:
            unfounded += times
    return {"reports": sum(flagged.values()), "a_second_email_went": confirmed, "only_one_email_went": unfounded}


ORDER_HELD = "an e-mail held (quiet hours or digest) went after a later one"
ORDER_GIVEN_UP = "the older change was given up by the stream; the reconciler queued what it had written, an hour later"
ORDER_QUEUE = "the queue handed out a later message of the group first (not what SQS FIFO does)"
ORDER_OTHER = "between e-mails sent at once"


def _ordering(
    expected: Mapping[Key, Expected],
    first_email: Mapping[Key, tuple[int, bool]],
    by_key: Mapping[Key, Notification],
    parked: Collection[tuple[str, str]],
    overtaken: Collection[str],
    workload: Workload,
) -> dict[str, Any]:
    """The first e-mail carrying each change of one case to one subscriber, in the order they were sent, must be
    in the order the changes were made."""
    sequences: dict[tuple[str, str], list[tuple[int, datetime, Key, bool]]] = defaultdict(list)
    for key, (position, digest) in first_email.items():
        wanted = expected.get(key)
        if wanted is not None:
            sequences[(wanted.case_id, wanted.subscriber_id)].append((position, wanted.at, key, digest))
    pairs = 0
    violations: Counter[str] = Counter()
    examples: list[dict[str, Any]] = []
    for (case_id, subscriber_id), sent in sequences.items():
        sent.sort()
        for (_, newer_at, newer, newer_digest), (_, older_at, older, older_digest) in itertools.pairwise(sent):
            pairs += 1
            if older_at >= newer_at:
                continue  # in order
            if any(digest or _was_held(by_key.get(k), workload) for k, digest in ((newer, newer_digest), (older, older_digest))):
                kind = ORDER_HELD
            elif (case_id, older[1]) in parked:
                kind = ORDER_GIVEN_UP
            elif (n := by_key.get(older)) is not None and n.id in overtaken:
                kind = ORDER_QUEUE
            else:
                kind = ORDER_OTHER
            violations[kind] += 1
            if sum(1 for e in examples if e["why"] == kind) < 2:
                examples.append(
                    {
                        "case": case_id,
                        "subscriber": subscriber_id,
                        "sent_first": f"{expected[newer].label} of {newer_at:%d %H:%M:%S}",
                        "sent_after": f"{expected[older].label} of {older_at:%d %H:%M:%S}",
                        "why": kind,
                    }
                )
    return {
        "sequences": sum(1 for s in sequences.values() if len(s) > 1),
        "pairs_checked": pairs,
        "out_of_order": sum(violations.values()),
        "out_of_order_by_kind": dict(violations.most_common()),
        "examples": examples,
    }


def _was_held(notification: Notification | None, workload: Workload) -> bool:
    if notification is None:
        return False
    subscriber = workload.by_id.get(notification.subscriber_id)
    if subscriber is None:
        return False
    return hold_until(subscriber.preferences, Channel.EMAIL, action_required=False, now=notification.created_at) is not None
