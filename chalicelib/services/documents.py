"""Files applicants send in for requested documents: an upload form straight to the documents bucket, the check
and record of what arrived, and short-lived links to read a file.

Nothing is half-stored. A file is recorded only after Baken found it under the incoming key it gave out, checked
its size and kind and copied it to a key of its own; the record is one conditional write of the case item (with
its history). What never gets a record — a form filled in and left, a file refused, a crash between copy and
write — is removed by the bucket's lifecycle rule on ``incoming/`` (a day), or by this service when it refuses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from chalicelib.domain import cases as rules
from chalicelib.domain import documents as files
from chalicelib.domain.cases import Case, DocumentRequest, SubmittedFile
from chalicelib.domain.errors import (
    ConcurrentUpdateError,
    DocumentRequestNotFoundError,
    TooManyRequestsError,
    ValidationError,
)
from chalicelib.domain.identity import STAFF, Principal, Role, ensure_can_view, require_any_role, require_role
from chalicelib.services.ids import new_id
from chalicelib.services.ports import CaseRepository, Clock, DocumentStore, RateLimiter, UploadForm

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
PER_APPLICANT = (60, timedelta(hours=1))  # files one person sends in an hour (a form each, and its confirmation)


@dataclass(frozen=True)
class Recorded:
    case: Case
    file: SubmittedFile
    changed: bool  # False: this file was recorded before (a confirmation sent again)


class DocumentUploads:
    def __init__(
        self,
        cases: CaseRepository,
        store: DocumentStore,
        clock: Clock,
        ids: Callable[[], str] = new_id,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._cases = cases
        self._store = store
        self._clock = clock
        self._ids = ids
        self._limiter = limiter

    def upload_forms(
        self, principal: Principal, case: Case, *, redirect: Callable[[DocumentRequest, str], str]
    ) -> dict[str, UploadForm]:
        """An upload form for each document of ``case`` that still takes files, for a party of the case (an
        applicant, or who acts for one); ``redirect(document, upload_id)`` is where the browser comes back to.
        Signing a form is local work: no call to storage."""
        require_role(principal, Role.APPLICANT, "upload_document")
        ensure_can_view(principal, case)
        if case.is_closed:
            return {}
        forms: dict[str, UploadForm] = {}
        for document in case.documents:
            if document.unfinished and len(document.files) < files.MAX_FILES_PER_DOCUMENT:
                upload_id = self._ids()
                forms[document.id] = self._store.upload_form(
                    prefix=files.incoming_prefix(case.id, document.id, upload_id),
                    max_bytes=files.MAX_BYTES,
                    redirect_url=redirect(document, upload_id),
                    expires_in=files.UPLOAD_SECONDS,
                )
        return forms

    def confirm(self, principal: Principal, case_id: str, document_id: str, key: str) -> Recorded:
        """Record the file the browser put at ``key``: it must be this case's and document's incoming key, be
        there, be 1 byte to ``MAX_BYTES`` and of a kind Baken takes; 400 naming ``key`` or ``file`` otherwise
        (and a refused file is removed). Sent again, it records nothing new."""
        require_role(principal, Role.APPLICANT, "upload_document")
        case = self._cases.get(case_id)
        ensure_can_view(principal, case)
        case.document(document_id)  # 404 for a document the case does not have
        upload_id, raw_name = files.parse_incoming(key, case.id, document_id)
        existing = _file(case, document_id, upload_id)
        if existing is not None:  # sent again: what was recorded stands
            return Recorded(case, existing, changed=False)
        self._throttle(principal)
        found = self._store.inspect(key, head_bytes=files.SNIFF_BYTES)
        if found is None:
            raise ValidationError.single("file", "file_missing")
        filename = files.sanitise_filename(raw_name)
        try:
            files.check_size(found.size)
            kind = files.file_type(filename, found.head)
        except ValidationError:
            self._store.delete(key)
            raise
        stored = files.stored_key(case.id, document_id, upload_id)
        checksum = self._store.keep(
            key, stored, content_type=kind.content_type, content_disposition=files.content_disposition(filename)
        )
        file = SubmittedFile(upload_id, filename, kind.content_type, found.size, checksum, self._clock.now(), principal.subject)
        try:
            recorded = self._record(case, document_id, file)
        except Exception:
            self._store.delete(stored)  # no record: no kept copy (the upload itself goes with the lifecycle rule)
            raise
        self._store.delete(key)
        return recorded

    def _record(self, case: Case, document_id: str, file: SubmittedFile) -> Recorded:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            changed = rules.record_file(case, document_id, file)
            if changed == case:
                return Recorded(case, _file(case, document_id, file.id) or file, changed=False)
            try:
                saved = self._cases.save(changed, [], rules.history_added(case, changed))
                return Recorded(saved, file, changed=True)
            except ConcurrentUpdateError:
                if attempt == MAX_ATTEMPTS:
                    raise
                case = self._cases.get(case.id)
        raise AssertionError("unreachable")

    def download_url(self, principal: Principal, case_id: str, file_id: str) -> str:
        """A link to read a file of the case for ``DOWNLOAD_SECONDS``: for its parties and staff only; a file
        the case does not have (or a case the caller may not see) is not found."""
        require_any_role(principal, STAFF | {Role.APPLICANT}, "download_document")
        case = self._cases.get(case_id)
        ensure_can_view(principal, case)
        for document in case.documents:
            for file in document.files:
                if file.id == file_id:
                    key = files.stored_key(case.id, document.id, file.id)
                    return self._store.download_url(key, expires_in=files.DOWNLOAD_SECONDS)
        raise DocumentRequestNotFoundError(file_id)

    def _throttle(self, principal: Principal) -> None:
        if self._limiter is None:
            return
        limit, window = PER_APPLICANT
        wait = self._limiter.hit(f"uploads:{principal.subject}", limit=limit, window=window, now=self._clock.now())
        if wait is not None:
            raise TooManyRequestsError(wait)


def _file(case: Case, document_id: str, file_id: str) -> SubmittedFile | None:
    for document in case.documents:
        if document.id == document_id:
            return next((f for f in document.files if f.id == file_id), None)
    return None
