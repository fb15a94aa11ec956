"""The trash: how long a deleted expense is kept, and which receipts go when the trash forgets one.

Deleting an expense moves it to the trash (an item `TRASH#<id>` written in the delete's own
transaction) for `TRASH_DAYS`; Undo and "Restore" bring back the same id, and its receipt object,
which is left in place at delete time. DynamoDB TTL removes the trash item after `expiresAt`; that
removal reaches the table's stream as a REMOVE made by the DynamoDB service itself, and the stream
consumer (the lake writer) then deletes the receipt object (`expired_receipts`). A restore or a
"delete permanently" also removes the trash item, but as a user's request, never as the service:
those records are not TTL expiries, so a restored expense keeps its receipt (a permanent delete
removes it itself).

Why the stream and not an S3 lifecycle rule: lifecycle expiry counts from an object's creation (or
a tag's presence, not its date), so it cannot say "30 days after the delete"; the TTL removal is
the one event that means exactly "the trash forgot this expense".

Locally (`make dev`, moto) TTL never runs: every read of the trash checks `expiresAt` itself, so an
expired item is neither listed nor restorable, exactly as in the cloud during TTL's lag; its
receipt object stays in the local bucket until `make dev-reset`. Pure: no AWS imports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from outlay import tables

TRASH_DAYS = 30
_TTL_PRINCIPAL = "dynamodb.amazonaws.com"


def expires_at(deleted_at: datetime) -> datetime:
    return deleted_at + timedelta(days=TRASH_DAYS)


@dataclass(frozen=True, order=True)
class ExpiredReceipt:
    sub: str
    expense_id: str


def _text(image: Mapping[str, Any], name: str) -> str | None:
    value = image.get(name)
    return str(value["S"]) if isinstance(value, dict) and isinstance(value.get("S"), str) else None


def is_ttl_removal(record: Mapping[str, Any]) -> bool:
    """A stream record of an item that DynamoDB's TTL process deleted (not a user's delete)."""
    identity = record.get("userIdentity") or {}
    return (
        record.get("eventName") == "REMOVE"
        and identity.get("type") == "Service"
        and identity.get("principalId") == _TTL_PRINCIPAL
    )


def expired_receipts(records: Iterable[Mapping[str, Any]]) -> dict[ExpiredReceipt, list[str]]:
    """The receipt objects to delete (trash items with a receipt that TTL removed) -> the sequence
    numbers of the records that said so."""
    found: dict[ExpiredReceipt, list[str]] = {}
    for record in records:
        if not is_ttl_removal(record):
            continue
        image = (record.get("dynamodb") or {}).get("OldImage") or {}
        pk, sk = _text(image, "pk"), _text(image, "sk")
        if not pk or not sk or not pk.startswith("USER#") or not sk.startswith(tables.TRASH_PREFIX):
            continue
        if _text(image, "receiptContentType"):
            key = ExpiredReceipt(pk[len("USER#") :], sk[len(tables.TRASH_PREFIX) :])
            found.setdefault(key, []).append(str((record.get("dynamodb") or {}).get("SequenceNumber", "")))
    return found
