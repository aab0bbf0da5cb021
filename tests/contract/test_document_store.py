"""DocumentStore: the in-memory bucket and the documents bucket on S3 keep the same promises — an upload form for
one prefix that sends the browser back, what arrived found with its size and first bytes, a kept copy with its
SHA-256 as S3 computes it, removal that does not mind what is gone, and a link to read a kept file."""

from __future__ import annotations

import base64
import hashlib

import boto3

from chalicelib import wiring
from chalicelib.adapters.memory import InMemoryDocuments
from chalicelib.services.ports import DocumentStore

PREFIX = (
    "incoming/11111111-1111-4111-8111-111111111111/22222222-2222-4222-8222-222222222222/33333333-3333-4333-8333-333333333333/"
)
PDF = b"%PDF-1.7\n" + b"x" * 100


def _arrive(store: DocumentStore, key: str, content: bytes) -> None:
    """What a browser does with the form (S3's work, not the adapter's)."""
    if isinstance(store, InMemoryDocuments):
        store.objects[key] = (content, "application/octet-stream", "")
    else:
        bucket = wiring.services().settings.documents_bucket
        boto3.client("s3", region_name="eu-west-1").put_object(Bucket=bucket, Key=key, Body=content)


def test_an_upload_form_names_the_prefix_and_the_way_back(documents: DocumentStore):
    form = documents.upload_form(prefix=PREFIX, max_bytes=1_000, redirect_url="https://mijn.example/terug?check=1", expires_in=60)
    assert form.fields["key"] == PREFIX + "${filename}"
    assert form.fields["success_action_redirect"] == "https://mijn.example/terug?check=1"
    assert form.url.startswith("https://")
    assert form.file_field == "file"


def test_what_arrived_is_found_kept_with_its_checksum_and_removed(documents: DocumentStore):
    key = PREFIX + "begroting.pdf"
    assert documents.inspect(key, head_bytes=8) is None
    _arrive(documents, key, PDF)
    found = documents.inspect(key, head_bytes=8)
    assert found is not None
    assert (found.size, found.head) == (len(PDF), PDF[:8])

    checksum = documents.keep(key, "cases/a/b/c", content_type="application/pdf", content_disposition="attachment")

    assert checksum == base64.b64encode(hashlib.sha256(PDF).digest()).decode()
    kept = documents.inspect("cases/a/b/c", head_bytes=5)
    assert kept is not None
    assert kept.head == b"%PDF-"
    documents.delete(key)
    documents.delete(key)  # again: nothing there, no error
    assert documents.inspect(key, head_bytes=8) is None
    assert "cases/a/b/c" in documents.download_url("cases/a/b/c", expires_in=60)


def test_an_empty_file_is_found_with_no_bytes(documents: DocumentStore):
    _arrive(documents, PREFIX + "leeg.pdf", b"")
    found = documents.inspect(PREFIX + "leeg.pdf", head_bytes=8)
    assert found is not None
    assert (found.size, found.head) == (0, b"")
