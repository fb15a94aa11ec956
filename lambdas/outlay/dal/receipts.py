"""Receipt objects in the receipts bucket: presigned POST for uploads, presigned GET for viewing.

Keys come from `tables.receipt_key(sub, id)` so every object sits under its owner's sub. The POST
policy pins the exact key, the exact Content-Type and a 1 byte..10 MB size, and expires in 5 minutes.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from outlay import tables
from outlay.dal.s3_base import LINK_TTL_SECONDS, BucketAdapter

MAX_RECEIPT_BYTES = 10 * 1024 * 1024


class ReceiptStore(BucketAdapter):
    def presigned_upload(self, sub: str, expense_id: str, content_type: str) -> dict[str, Any]:
        key = tables.receipt_key(sub, expense_id)
        post = self.client.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, MAX_RECEIPT_BYTES],
            ],
            ExpiresIn=LINK_TTL_SECONDS,
        )
        return {
            "url": post["url"],
            "fields": post["fields"],
            "key": key,
            "expiresIn": LINK_TTL_SECONDS,
            "maxBytes": MAX_RECEIPT_BYTES,
        }

    def exists(self, sub: str, expense_id: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=tables.receipt_key(sub, expense_id))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def presigned_download(
        self, sub: str, expense_id: str, content_type: str, expires_in: int = LINK_TTL_SECONDS
    ) -> str:
        return self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": tables.receipt_key(sub, expense_id),
                "ResponseContentType": content_type,
            },
            ExpiresIn=expires_in,
        )

    def delete(self, sub: str, expense_id: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=tables.receipt_key(sub, expense_id))
