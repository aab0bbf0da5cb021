"""Files an applicant sends in for a requested document: which kinds and sizes Baken takes, the name a file is
kept under, and where it lies in the documents bucket.

The browser sends a file straight to the bucket (an S3 presigned POST) under ``incoming/``, a prefix Baken chose
for this case, document and upload; the bucket forgets whatever lies there after a day. Baken then checks what
arrived (it exists, its size, its first bytes) and copies it to ``cases/<case>/<document>/<file>``, a key without
anything the applicant typed, before it records the file on the case. Nothing here reads a clock or the bucket.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

from chalicelib.domain.errors import ValidationError

MAX_BYTES = 20 * 1024 * 1024  # 20 MB: a scanned begroting or a few photos; S3 refuses more at the upload itself
# One file per requested document (pages of a begroting go as one PDF): what the behandelaar judges is one file,
# and the case item stays far below DynamoDB's 400 KB with every open request holding one.
MAX_FILES_PER_DOCUMENT = 1
MAX_FILENAME = 100  # characters of the name a file is kept and shown under
MAX_FILENAME_BYTES = 200  # and its bytes in UTF-8 (cases.TEXT_BYTES["filename"])
UPLOAD_SECONDS = 30 * 60  # how long an upload form stays valid
DOWNLOAD_SECONDS = 60  # how long a download link lives: it is made when someone clicks, and used at once
INCOMING = "incoming/"  # the bucket's lifecycle rule removes what lies here after a day
STORED = "cases/"
# What the browser sends as the object's type: never the file's own, so the bucket never serves an upload as
# a web page; Baken sets the real type when it copies the file, from what the file turned out to be.
UPLOAD_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    magic: bytes
    label: str  # how people know it


# Each kind Baken takes, known by its name's extension and checked by its first bytes (a renamed .exe is no PDF).
# DOCX and XLSX are ZIP containers: their first bytes are the same, their extension tells them apart.
FILE_TYPES = (
    FileType("pdf", "application/pdf", b"%PDF-", "PDF"),
    FileType("jpg", "image/jpeg", b"\xff\xd8\xff", "JPG"),
    FileType("jpeg", "image/jpeg", b"\xff\xd8\xff", "JPG"),
    FileType("png", "image/png", b"\x89PNG\r\n\x1a\n", "PNG"),
    FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04", "Word (DOCX)"),
    FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04", "Excel (XLSX)"),
)
SNIFF_BYTES = max(len(t.magic) for t in FILE_TYPES)
ACCEPT = ",".join(f".{t.extension}" for t in FILE_TYPES)  # the file input's ``accept``
_BY_EXTENSION = {t.extension: t for t in FILE_TYPES}

_ID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # an upload's id: a UUID Baken made
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"*/:<>?\\|]+')
_SPACES = re.compile(r"\s+")


def sanitise_filename(raw: str) -> str:
    """The name a file is kept and shown under: the last part of what the browser sent (no folders), in NFC,
    without control characters or characters that are unsafe in a file name or a header, spaces collapsed, no
    leading dot, at most ``MAX_FILENAME`` characters with its extension kept. Empty when nothing is left."""
    name = re.split(r"[/\\]", raw)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _SPACES.sub(" ", _UNSAFE.sub("_", name)).strip().lstrip(".").strip()
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    while stem and (len(stem) + len(suffix) > MAX_FILENAME or len((stem + suffix).encode("utf-8")) > MAX_FILENAME_BYTES):
        stem = stem[:-1]
    return (stem.rstrip() + suffix) if stem.strip() else suffix.lstrip(".")


def file_type(filename: str, head: bytes) -> FileType:
    """The kind of file by its extension, if its first bytes say the same; else 400 naming ``file``."""
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    kind = _BY_EXTENSION.get(extension)
    if kind is None or not head.startswith(kind.magic):
        raise ValidationError.single("file", "wrong_file_type")
    return kind


def check_size(size: int) -> None:
    """A file of ``size`` bytes is neither empty nor over ``MAX_BYTES``; else 400 naming ``file``."""
    if size <= 0:
        raise ValidationError.single("file", "empty_file")
    if size > MAX_BYTES:
        raise ValidationError.single("file", "file_too_large", max_mb=MAX_BYTES // (1024 * 1024))


def incoming_prefix(case_id: str, document_id: str, upload_id: str) -> str:
    """Where the browser may put one upload: the file's own name follows (S3 fills in ``${filename}``)."""
    return f"{INCOMING}{case_id}/{document_id}/{upload_id}/"


def parse_incoming(key: str, case_id: str, document_id: str) -> tuple[str, str]:
    """The upload id and the file's name in an incoming key, which must be this case's and document's; anything
    else (another case's key, a made-up one) is 400 naming ``key``."""
    prefix = f"{INCOMING}{re.escape(case_id)}/{re.escape(document_id)}/({_ID})/(.+)"
    match = re.fullmatch(prefix, key, flags=re.DOTALL) if len(key) <= 1024 else None
    if match is None:
        raise ValidationError.single("key", "invalid_upload_key")
    return match.group(1), match.group(2)


def stored_key(case_id: str, document_id: str, file_id: str) -> str:
    """Where a recorded file is kept: nothing in it was typed by the applicant."""
    return f"{STORED}{case_id}/{document_id}/{file_id}"


def upload_check(secret: str, upload_id: str) -> str:
    """What ties an upload to the session that asked for its form: the address the browser comes back to carries
    it, so a link from elsewhere cannot make someone's browser record a file (``secret``: the session's CSRF
    token, which never leaves the session)."""
    return hmac.new(secret.encode(), upload_id.encode(), hashlib.sha256).hexdigest()[:32]


def content_disposition(filename: str) -> str:
    """``attachment`` with the file's name, ASCII for old browsers and UTF-8 (RFC 6266 / 5987) for the rest."""
    from urllib.parse import quote

    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
