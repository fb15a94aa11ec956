"""Streams an export into S3 with a multipart upload: memory stays at one part, whatever the rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from outlay.dal.s3_base import LINK_TTL_SECONDS, BucketAdapter

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

MIN_PART_BYTES = 5 * 1024 * 1024  # S3's minimum for every part but the last


class MultipartWriter:
    """Buffers at most `part_size` bytes (+ one chunk) and uploads each full part as it fills.

    Every part but the last is exactly `part_size` bytes. `abort()` on failure so no orphaned parts
    are left behind (the bucket's lifecycle rule also aborts incomplete uploads).
    """

    def __init__(
        self,
        s3_client: S3Client,
        bucket: str,
        key: str,
        *,
        part_size: int = MIN_PART_BYTES,
        content_type: str = "text/csv; charset=utf-8",
        tagging: str | None = None,
        content_disposition: str | None = None,
    ) -> None:
        if part_size < MIN_PART_BYTES:
            raise ValueError("S3 parts must be at least 5 MB")
        self.client = s3_client
        self.bucket = bucket
        self.key = key
        self.part_size = part_size
        extra: dict[str, str] = {"ContentType": content_type}
        if tagging:
            extra["Tagging"] = tagging
        if content_disposition:
            extra["ContentDisposition"] = content_disposition
        self.upload_id = self.client.create_multipart_upload(Bucket=bucket, Key=key, **extra)["UploadId"]  # type: ignore[arg-type]
        self._buffer = bytearray()
        self._parts: list[CompletedPartTypeDef] = []
        self.bytes_written = 0

    def write(self, chunk: bytes) -> None:
        self._buffer += chunk
        while len(self._buffer) >= self.part_size:
            with memoryview(self._buffer) as view:  # one copy of the part, not two
                part = bytes(view[: self.part_size])
            del self._buffer[: self.part_size]
            self._upload(part)

    def _upload(self, data: bytes) -> None:
        number = len(self._parts) + 1
        response = self.client.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=data
        )
        self._parts.append({"ETag": response["ETag"], "PartNumber": number})
        self.bytes_written += len(data)

    def complete(self) -> None:
        if self._buffer or not self._parts:
            self._upload(bytes(self._buffer))
            self._buffer.clear()
        self.client.complete_multipart_upload(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, MultipartUpload={"Parts": self._parts}
        )

    def abort(self) -> None:
        self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)


class ExportStore(BucketAdapter):
    def __init__(
        self, bucket: str, s3_client: S3Client | None = None, *, part_size: int = MIN_PART_BYTES
    ) -> None:
        super().__init__(bucket, s3_client)
        self.part_size = part_size

    def write(
        self,
        key: str,
        chunks: Iterable[bytes],
        *,
        file_name: str,
        content_type: str = "text/csv; charset=utf-8",
    ) -> int:
        """Upload `chunks` to `key` (tagged kind=export); returns the bytes written."""
        writer = MultipartWriter(
            self.client,
            self.bucket,
            key,
            part_size=self.part_size,
            content_type=content_type,
            tagging="kind=export",
            content_disposition=f'attachment; filename="{file_name}"',
        )
        try:
            for chunk in chunks:
                writer.write(chunk)
            writer.complete()
        except BaseException:
            writer.abort()
            raise
        return writer.bytes_written

    def link(self, key: str) -> str:
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=LINK_TTL_SECONDS
        )
