"""The documents bucket on S3: presigned POST forms for uploads, HeadObject and a ranged GetObject to check what
arrived, CopyObject (with S3 computing the copy's SHA-256) to keep it, presigned GET links to read it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.documents import UPLOAD_CONTENT_TYPE
from chalicelib.services.ports import DocumentStore, StoredObject, UploadForm


class S3DocumentStore(DocumentStore):
    def __init__(self, client: Callable[[], Any], bucket: str, *, now: Callable[[], datetime]) -> None:
        self._client = client
        self._bucket = bucket
        self._now = now

    def upload_form(self, *, prefix: str, max_bytes: int, redirect_url: str, expires_in: int) -> UploadForm:
        fields = {"Content-Type": UPLOAD_CONTENT_TYPE, "success_action_redirect": redirect_url}
        conditions: list[Any] = [
            ["content-length-range", 1, max_bytes],
            ["starts-with", "$key", prefix],
            {"Content-Type": UPLOAD_CONTENT_TYPE},
            {"success_action_redirect": redirect_url},
        ]
        posted = self._client().generate_presigned_post(
            self._bucket, prefix + "${filename}", Fields=fields, Conditions=conditions, ExpiresIn=expires_in
        )
        return UploadForm(
            url=str(posted["url"]),
            fields={str(k): str(v) for k, v in posted["fields"].items()},
            expires_at=self._now() + timedelta(seconds=expires_in),
        )

    def inspect(self, key: str, *, head_bytes: int) -> StoredObject | None:
        from botocore.exceptions import ClientError

        client = self._client()
        try:
            head = client.head_object(Bucket=self._bucket, Key=key)
            size = int(head["ContentLength"])
            first = b""
            if size > 0:
                body = client.get_object(Bucket=self._bucket, Key=key, Range=f"bytes=0-{head_bytes - 1}")["Body"]
                first = body.read(head_bytes)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return StoredObject(size=size, head=first)

    def keep(self, source: str, key: str, *, content_type: str, content_disposition: str) -> str:
        copied = self._client().copy_object(
            Bucket=self._bucket,
            Key=key,
            CopySource={"Bucket": self._bucket, "Key": source},
            MetadataDirective="REPLACE",
            ContentType=content_type,
            ContentDisposition=content_disposition,
            ChecksumAlgorithm="SHA256",
        )
        return str(copied["CopyObjectResult"]["ChecksumSHA256"])

    def delete(self, key: str) -> None:
        self._client().delete_object(Bucket=self._bucket, Key=key)

    def download_url(self, key: str, *, expires_in: int) -> str:
        return str(
            self._client().generate_presigned_url("get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_in)
        )
