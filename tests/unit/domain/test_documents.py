"""Files sent in for requested documents: names, kinds, sizes and keys (domain/documents.py), and what receiving,
accepting and asking again do to a case (domain/cases.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import documents
from chalicelib.domain.cases import (
    DocumentRequest,
    DocumentState,
    SubmittedFile,
    accept_document,
    ask_document_again,
    history_added,
    record_file,
    request_documents,
    set_status,
)
from chalicelib.domain.errors import CaseRuleError, DocumentRequestNotFoundError, ValidationError
from chalicelib.domain.events import EventKind, derive_events
from tests.factories import ANNA, SUBSIDIE, T0, a_case, zaaktype

CASE_ID = "11111111-1111-4111-8111-111111111111"
DOC = "22222222-2222-4222-8222-222222222222"
UPLOAD = "33333333-3333-4333-8333-333333333333"


def _file(file_id: str = UPLOAD) -> SubmittedFile:
    return SubmittedFile(file_id, "begroting.pdf", "application/pdf", 1234, "c2hh", T0 + timedelta(hours=1), "pu-mark")


def _requested():
    return request_documents(a_case(), (DocumentRequest(DOC, "Begroting 2027", T0, ANNA.id),))


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("begroting.pdf", "begroting.pdf"),
        ("C:\\Users\\mark\\Begroting 2027.pdf", "Begroting 2027.pdf"),
        ("../../etc/passwd", "passwd"),
        ('a"b<c>d|e?.pdf', "a_b_c_d_e_.pdf"),
        ("  ..verborgen.pdf ", "verborgen.pdf"),
        ("line\r\nbreak\x00.pdf", "linebreak.pdf"),
        ("e\u0301e.pdf", "\u00e9e.pdf"),  # NFC
        ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
        ("\U0001f600" * 80 + ".pdf", "\U0001f600" * 49 + ".pdf"),  # within 200 bytes
    ],
)
def test_a_file_name_is_kept_without_folders_unsafe_characters_or_excess_length(raw, kept):
    name = documents.sanitise_filename(raw)
    assert name == kept
    assert len(name) <= documents.MAX_FILENAME
    assert len(name.encode()) <= documents.MAX_FILENAME_BYTES


@pytest.mark.parametrize(
    ("name", "head", "content_type"),
    [
        ("a.pdf", b"%PDF-1.7", "application/pdf"),
        ("a.JPG", b"\xff\xd8\xff\xe0", "image/jpeg"),
        ("a.png", b"\x89PNG\r\n\x1a\n", "image/png"),
        ("a.xlsx", b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("a.docx", b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_a_kind_is_known_by_its_extension_and_confirmed_by_its_first_bytes(name, head, content_type):
    assert documents.file_type(name, head).content_type == content_type


@pytest.mark.parametrize(
    ("name", "head"), [("a.pdf", b"MZ\x90\x00"), ("a.exe", b"%PDF-1.7"), ("pdf", b"%PDF-"), ("a.docx", b"%PDF-")]
)
def test_a_file_that_is_not_what_its_name_says_is_refused_naming_the_file_field(name, head):
    with pytest.raises(ValidationError) as refused:
        documents.file_type(name, head)
    assert (refused.value.issues[0].field, refused.value.issues[0].code) == ("file", "wrong_file_type")


def test_a_file_must_hold_something_and_at_most_the_maximum():
    documents.check_size(1)
    documents.check_size(documents.MAX_BYTES)
    for size, code in ((0, "empty_file"), (documents.MAX_BYTES + 1, "file_too_large")):
        with pytest.raises(ValidationError) as refused:
            documents.check_size(size)
        assert refused.value.issues[0].code == code


def test_an_incoming_key_must_be_this_cases_and_documents():
    key = documents.incoming_prefix(CASE_ID, DOC, UPLOAD) + "Begroting 2027.pdf"
    assert documents.parse_incoming(key, CASE_ID, DOC) == (UPLOAD, "Begroting 2027.pdf")
    other = "44444444-4444-4444-8444-444444444444"
    for forged in (
        documents.incoming_prefix(other, DOC, UPLOAD) + "a.pdf",  # another case
        documents.incoming_prefix(CASE_ID, other, UPLOAD) + "a.pdf",  # another document
        f"incoming/{CASE_ID}/{DOC}/not-a-uuid/a.pdf",
        documents.stored_key(CASE_ID, DOC, UPLOAD),  # a kept file is not an upload
        documents.incoming_prefix(CASE_ID, DOC, UPLOAD),  # no file name
    ):
        with pytest.raises(ValidationError, match="key"):
            documents.parse_incoming(forged, CASE_ID, DOC)


def test_the_check_ties_an_upload_to_one_session():
    assert documents.upload_check("csrf-a", UPLOAD) == documents.upload_check("csrf-a", UPLOAD)
    assert documents.upload_check("csrf-a", UPLOAD) != documents.upload_check("csrf-b", UPLOAD)


def test_a_recorded_file_makes_the_document_received_and_waiting_for_a_verdict_once():
    case = _requested()
    received = record_file(case, DOC, _file())
    document = received.document(DOC)
    assert document.state is DocumentState.RECEIVED
    assert document.received_at == _file().uploaded_at
    assert received.missing_documents == ()
    assert received.documents_to_review == (document,)
    # the history gets the receipt; the stream tells nobody (the applicant sent it himself)
    assert [e.kind.value for e in history_added(case, received)] == ["received"]
    assert derive_events(case, received, zaaktype(SUBSIDIE), T0) == []
    # recorded again (a confirmation sent twice): nothing changes; another file: refused
    assert record_file(received, DOC, _file()) == received
    with pytest.raises(CaseRuleError, match="too_many_files"):
        record_file(received, DOC, _file("55555555-5555-4555-8555-555555555555"))
    with pytest.raises(DocumentRequestNotFoundError):
        record_file(case, "66666666-6666-4666-8666-666666666666", _file())


def test_accepting_closes_the_document_and_takes_no_more_files():
    received = record_file(_requested(), DOC, _file())
    accepted = accept_document(received, DOC, T0 + timedelta(days=1), ANNA.id)
    assert accepted.document(DOC).state is DocumentState.ACCEPTED
    assert accept_document(accepted, DOC, T0 + timedelta(days=2), ANNA.id) == accepted
    with pytest.raises(CaseRuleError, match="document_closed"):
        record_file(accepted, DOC, _file("55555555-5555-4555-8555-555555555555"))
    with pytest.raises(CaseRuleError, match="document_not_received"):
        accept_document(_requested(), DOC, T0, ANNA.id)


def test_asking_again_closes_the_received_one_and_opens_a_new_request_that_the_stream_tells():
    received = record_file(_requested(), DOC, _file())
    again = DocumentRequest(
        "77777777-7777-4777-8777-777777777777", "", T0 + timedelta(days=1), ANNA.id, reason="De btw ontbreekt."
    )
    with pytest.raises(ValidationError, match="reason"):
        ask_document_again(received, DOC, DocumentRequest(again.id, "", again.requested_at, ANNA.id, reason=" "))
    asked = ask_document_again(received, DOC, again)
    old, new = asked.document(DOC), asked.document(again.id)
    assert old.state is DocumentState.ASKED_AGAIN
    assert old.review is not None
    assert old.review.reason == "De btw ontbreekt."
    assert (new.omschrijving, new.reason, new.replaces, new.state) == (
        "Begroting 2027",
        "De btw ontbreekt.",
        DOC,
        DocumentState.REQUESTED,
    )
    assert asked.missing_documents == (new,)
    events = derive_events(received, asked, zaaktype(SUBSIDIE), T0)
    assert [(e.kind, e.ref) for e in events] == [(EventKind.DOCUMENTS_REQUESTED, again.id)]


def test_a_second_request_for_a_document_still_open_is_refused_unless_meant():
    case = _requested()
    with pytest.raises(ValidationError) as warned:
        request_documents(case, (DocumentRequest("d2", "  begroting   2027 ", T0, ANNA.id),))
    assert (warned.value.issues[0].field, warned.value.issues[0].code) == ("documents.0.omschrijving", "already_requested")
    assert (
        len(request_documents(case, (DocumentRequest("d2", "Begroting 2027", T0, ANNA.id),), repeat=True).missing_documents) == 2
    )
    # once received, asking for it again is a new request, not a repeat
    received = record_file(case, DOC, _file())
    assert request_documents(received, (DocumentRequest("d3", "Begroting 2027", T0, ANNA.id),)).missing_documents


def test_a_closed_case_takes_no_files():
    closed = set_status(_requested(), zaaktype(SUBSIDIE), _closing_status())
    with pytest.raises(CaseRuleError, match="case_closed"):
        record_file(closed, DOC, _file())


def _closing_status():
    from chalicelib.domain.cases import StatusEntry

    return StatusEntry("s-end", "besluit-genomen", T0 + timedelta(days=3), ANNA.id)
