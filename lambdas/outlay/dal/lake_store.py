"""Objects of the S3 data lake (one JSON-lines object per user-month)."""

from __future__ import annotations

from outlay.dal.s3_base import BucketAdapter


class LakeStore(BucketAdapter):
    def put(self, key: str, body: bytes) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=key, Body=body, ContentType="application/x-ndjson; charset=utf-8"
        )

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)
