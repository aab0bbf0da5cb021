"""The case item's size in bytes, as DynamoDB counts it (at most 400 KB an item): bounded by the tail it keeps
and the byte limits of its texts, whatever the length of the case's history."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from chalicelib.adapters.dynamodb import mapping
from chalicelib.domain.cases import (
    LIMITS,
    TAIL,
    TEXT_BYTES,
    Case,
    CaseMessage,
    DocumentRequest,
    DocumentReview,
    Extension,
    Link,
    Location,
    StatusEntry,
    SubmittedFile,
    Suspension,
    Verdict,
    accept_document,
    add_gemachtigde,
    extend,
    mark_document_received,
    open_case,
    post_message,
    request_documents,
    resume,
    set_status,
    suspend,
)
from chalicelib.domain.documents import MAX_BYTES
from chalicelib.domain.durations import Duration
from tests.factories import ANNA, SUBSIDIE, T0, zaaktype

DYNAMODB_ITEM_LIMIT = 400 * 1024
# The worst case below comes to about 300 KB (every open request holding a file and a reason); this is the bound
# the test holds it to.
WORST_CASE_BOUND = 320 * 1024
EMOJI = "\U0001f600"  # four bytes in UTF-8


def _full(limit: str) -> str:
    """A text exactly at its byte limit, in four-byte characters (the most a character can take)."""
    return EMOJI * (TEXT_BYTES[limit] // 4)


def _size(value: dict[str, Any]) -> int:
    """The size of one DynamoDB attribute value (DynamoDB JSON), as DynamoDB bills and limits it: strings in
    UTF-8, numbers about one byte per two digits plus one, 3 bytes per list or map plus 1 per element."""
    (kind, inner), *_ = value.items()
    if kind in ("S", "B"):
        return len(inner.encode("utf-8"))
    if kind == "N":
        return len(inner) // 2 + 2
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS"):
        return sum(len(v.encode("utf-8")) for v in inner)
    if kind == "L":
        return 3 + sum(1 + _size(v) for v in inner)
    return 3 + sum(len(name.encode("utf-8")) + 1 + _size(v) for name, v in inner.items())


def item_size(case: Case) -> int:
    """The bytes of the case's item: every attribute's name and value."""
    serialized = mapping.case_to_record(case).serialize()
    return sum(len(name.encode("utf-8")) + _size(value) for name, value in serialized.items())


def _worst_case() -> Case:
    """A case with every bounded part full and every text at its byte limit in four-byte characters."""
    subsidie = zaaktype(SUBSIDIE)
    subject = "pu-" + "x" * 125  # the longest subject the API takes (128)
    case = open_case(
        case_id="c" * 36,
        case_number="SUB-2026-000001",
        zaaktype=subsidie,
        omschrijving=_full("omschrijving"),
        startdatum=T0.date(),
        registered_at=T0,
        behandelaar=ANNA,
        initiator=subject + "i",
        co_initiators=tuple(f"{subject[:-2]}{i:02d}" for i in range(20)),
        location=Location(tuple(f"GM{i:04d}" for i in range(26))),
        first_status_id="s" * 36,
    )
    for index in range(LIMITS["gemachtigden"]):
        case = add_gemachtigde(case, f"{subject[:-3]}g{index:02d}")
    for _ in range(LIMITS["suspensions"]):
        case = suspend(case, subsidie, Suspension(T0.date(), _full("reden")))
        case = resume(case, T0.date())
    case = extend(case, subsidie, Extension(Duration(weeks=6), _full("reden"), T0), current_due=None, today=T0.date())
    requests = tuple(
        DocumentRequest(f"{i:036d}", _full("documents.omschrijving"), T0, ANNA.id, T0.date())
        for i in range(LIMITS["open_documents"])
    )
    return request_documents(case, requests, repeat=True)


def _busy(case: Case, changes: int) -> Case:
    """``changes`` more of everything a history holds: statuses, messages, documents requested and received."""
    subsidie = zaaktype(SUBSIDIE)
    link = Link("https://" + "a" * (TEXT_BYTES["link.url"] - 8), _full("link.label"))
    for turn in range(case.counts.messages, case.counts.messages + changes):
        at = T0 + timedelta(minutes=turn + 1)
        statustype = ("in-behandeling", "aanvullende-informatie-nodig")[turn % 2]
        case = set_status(case, subsidie, StatusEntry(f"{turn:036d}", statustype, at, ANNA.id, _full("toelichting")))
        case = post_message(case, CaseMessage(f"m{turn:035d}", _full("text"), at, ANNA.id, link))
        received = case.missing_documents[0]
        case = mark_document_received(case, received.id, at)
        case = accept_document(case, received.id, at, ANNA.id)
        case = request_documents(
            case, (DocumentRequest(f"d{turn:035d}", _full("documents.omschrijving"), at, ANNA.id, T0.date()),), repeat=True
        )
    return case


def test_the_worst_case_item_stays_under_a_fixed_size_whatever_the_history_length():
    # GIVEN a case with every bounded part full and each text at its byte limit in four-byte characters
    case = _worst_case()
    sizes = []
    # WHEN 500 statuses, 500 messages, 500 document requests and 500 receipts follow (each at its byte limit)
    for _ in range(5):
        case = _busy(case, 100)
        sizes.append(item_size(case))
    # THEN the item keeps its tail and open documents only, and its size stays the same, far below 400 KB
    assert case.counts.statuses == 501
    assert (len(case.statuses), len(case.messages)) == (TAIL, TAIL)
    assert len(case.missing_documents) == LIMITS["open_documents"]
    assert LIMITS["open_documents"] < len(case.documents) <= LIMITS["open_documents"] + TAIL
    assert len(set(sizes)) == 1

    # AND even with the most the rules allow at once (every unfinished request asked again with a reason and holding
    # its file, and TAIL judged ones besides) the item is within the bound
    def file(i: int) -> SubmittedFile:
        return SubmittedFile(f"{i:036d}", _full("filename"), "application/" + "x" * 70, MAX_BYTES, "s" * 44, T0, ANNA.id)

    unfinished = tuple(
        replace(d, reason=_full("reason"), replaces="p" * 36, received_at=T0, files=(file(i),))
        for i, d in enumerate(case.missing_documents)
    )
    judged = tuple(
        replace(d, id=f"r{i:035d}", received_at=T0, review=DocumentReview(Verdict.ASKED_AGAIN, T0, ANNA.id, _full("reason")))
        for i, d in enumerate(unfinished[:TAIL])
    )
    most = replace(case, documents=(*unfinished, *judged))
    assert sizes[0] <= item_size(most) <= WORST_CASE_BOUND < DYNAMODB_ITEM_LIMIT


def test_the_size_measure_counts_bytes_not_characters():
    small = _worst_case()
    assert item_size(small) > TEXT_BYTES["reden"] * LIMITS["suspensions"]
