"""Uploaded bank statements in the receipts bucket, under the owner's sub: a presigned POST pinned to
the exact key and a 1 byte..5 MB size (expires in 5 minutes), and the read the analysis and the
chunk workers do."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from outlay import tables
from outlay.dal.s3_base import LINK_TTL_SECONDS, BucketAdapter
from outlay.models.statements import MAX_STATEMENT_BYTES

CONTENT_TYPE = "text/csv"


class StatementFiles(BucketAdapter):
    def presigned_upload(self, sub: str, upload_id: str) -> dict[str, Any]:
        post = self.client.generate_presigned_post(
            Bucket=self.bucket,
            Key=tables.statement_key(sub, upload_id),
            Fields={"Content-Type": CONTENT_TYPE},
            Conditions=[{"Content-Type": CONTENT_TYPE}, ["content-length-range", 1, MAX_STATEMENT_BYTES]],
            ExpiresIn=LINK_TTL_SECONDS,
        )
        return {
            "url": post["url"],
            "fields": post["fields"],
            "maxBytes": MAX_STATEMENT_BYTES,
            "expiresIn": LINK_TTL_SECONDS,
        }

    def read(self, sub: str, upload_id: str) -> bytes | None:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=tables.statement_key(sub, upload_id))[
                "Body"
            ]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise
        return body.read(MAX_STATEMENT_BYTES + 1)
