"""Everything of one user, whatever its kind: the user's partition of the expenses table, and object
versions under a key prefix (receipts bucket: `<sub>/`; lake: one object per user-month).

Used by account self-service only (inventory, deletion); the other contexts read and write through
their own repositories.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from outlay import tables
from outlay.dal.s3_base import BucketAdapter
from outlay.dal.table_base import TableAdapter
from outlay.logic.account_service import StoredItem
from outlay.logic.errors import UpstreamUnavailableError

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

BATCH_WRITE_MAX = 25
DELETE_OBJECTS_MAX = 1000
RETRIES = 5


class PartitionItems(TableAdapter):
    """The user's partition `USER#<sub>`: every item in it, whatever its kind."""

    def pages(self, sub: str, page_size: int | None = None) -> Iterator[list[StoredItem]]:
        """Pages of (sort key, month for expenses); consistent reads, so nothing written is missed.
        Without `page_size` a page is what one Query returns (up to 1 MB)."""
        args: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": tables.user_pk(sub)}},
            "ProjectionExpression": "sk, #date",
            "ExpressionAttributeNames": {"#date": "date"},
            "ConsistentRead": True,
        }
        if page_size:
            args["Limit"] = page_size
        while True:
            response = self.client.query(**args)
            page = [_stored_item(raw) for raw in response.get("Items", [])]
            if page:
                yield page
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            args["ExclusiveStartKey"] = last

    def delete(self, sub: str, sort_keys: Sequence[str]) -> None:
        pk = tables.user_pk(sub)
        for start in range(0, len(sort_keys), BATCH_WRITE_MAX):
            requests: list[Any] = [
                {"DeleteRequest": {"Key": {"pk": {"S": pk}, "sk": {"S": sk}}}}
                for sk in sort_keys[start : start + BATCH_WRITE_MAX]
            ]
            for attempt in range(RETRIES):
                response = self.client.batch_write_item(RequestItems={self.table_name: requests})
                requests = list(response.get("UnprocessedItems", {}).get(self.table_name, []))
                if not requests:
                    break
                time.sleep(0.05 * 2**attempt)  # throttled: back off, then retry only what is left
            else:
                raise UpstreamUnavailableError("The database is busy; try again in a minute")


def _stored_item(raw: dict[str, Any]) -> StoredItem:
    sk = str(raw["sk"]["S"])
    day = raw.get("date", {}).get("S")
    is_expense = sk.startswith(tables.EXPENSE_PREFIX) and isinstance(day, str) and len(day) >= 7
    return StoredItem(sk=sk, month=str(day)[:7] if is_expense else None)


class ObjectVersions(BucketAdapter):
    """Objects under a key prefix: current keys, and purging every version (and delete marker)."""

    def keys(self, prefix: str) -> Iterator[str]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield item["Key"]

    def purge(self, prefix: str) -> int:
        """Delete every version under `prefix`, so nothing is left to restore; returns the count."""
        deleted = 0
        paginator = self.client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            batch: list[ObjectIdentifierTypeDef] = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in (*page.get("Versions", []), *page.get("DeleteMarkers", []))
            ]
            for start in range(0, len(batch), DELETE_OBJECTS_MAX):
                chunk = batch[start : start + DELETE_OBJECTS_MAX]
                response = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": chunk, "Quiet": True}
                )
                if response.get("Errors"):
                    raise UpstreamUnavailableError("Storage refused a deletion; try again in a minute")
                deleted += len(chunk)
        return deleted
