"""One S3 bucket adapter: the client is injected (tests, moto) or created on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

# Presigned links (receipt view, receipt upload, export download) live at most five minutes.
LINK_TTL_SECONDS = 300


class BucketAdapter:
    def __init__(self, bucket: str, s3_client: S3Client | None = None) -> None:
        self.bucket = bucket
        self._client = s3_client

    @property
    def client(self) -> S3Client:
        if self._client is None:
            self._client = boto3.client("s3")
        return self._client
