"""Undo is real: delete moves an expense to a 30-day trash; restore brings back the same id with its
receipt, aggregates and list/filter presence; TTL expiry of the trash item removes the receipt."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from outlay import tables
from outlay.dal.expense_items import serialize
from outlay.handlers import lake_writer
from outlay.handlers.expenses_api import service
from outlay.handlers.wiring import reset_all
from outlay.logic.trash import TRASH_DAYS, expired_receipts

from tests.unit.expenses.expense_events import Call

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")
RECEIPTS = "outlay-test-receipts"


def create(call: Call, sub: str = "alice", **body: Any) -> dict[str, Any]:
    payload = {"amount": "10.00", "category": "Food", "date": "2026-03-10", **body}
    reply = call("POST", "/expenses", sub=sub, body=payload)
    assert reply.status == 201, reply.text
    return reply.json


def with_receipt(call: Call, s3_client: Any, expense: dict[str, Any]) -> str:
    call("POST", f"/expenses/{expense['id']}/receipt", body={"contentType": "image/png"})
    key = tables.receipt_key("alice", expense["id"])
    s3_client.put_object(Bucket=RECEIPTS, Key=key, Body=b"png")
    return key


def receipt_exists(s3_client: Any, key: str) -> bool:
    return s3_client.list_objects_v2(Bucket=RECEIPTS, Prefix=key).get("KeyCount") == 1


def march(call: Call, sub: str = "alice") -> Any:
    return call("GET", "/summary", sub=sub, query={"from": "2026-03", "to": "2026-03"}).json


def test_deleted_expense_leaves_list_filters_summary_and_export_and_is_in_the_trash(call: Call) -> None:
    kept = create(call, vendor="Bakery")
    gone = create(call, vendor="Marriott", category="Travel", amount="99.90")
    assert call("DELETE", f"/expenses/{gone['id']}").status == 204

    assert [e["id"] for e in call("GET", "/expenses").json["items"]] == [kept["id"]]
    assert call("GET", "/expenses", query={"vendor": "marr"}).json["items"] == []
    assert call("GET", "/expenses", query={"category": "Travel"}).json["items"] == []
    assert march(call)["totals"] == [{"currency": "USD", "total": "10.00"}]
    assert call("GET", "/expenses/export").json["rows"] == 1

    trash = call("GET", "/trash").json
    assert [item["id"] for item in trash["items"]] == [gone["id"]] and trash["next"] is None
    item = trash["items"][0]
    assert (item["amount"], item["vendor"], item["category"]) == ("99.90", "Marriott", "Travel")
    deleted = datetime.fromisoformat(item["deletedAt"].replace("Z", "+00:00"))
    expires = datetime.fromisoformat(item["expiresAt"].replace("Z", "+00:00"))
    assert expires - deleted == timedelta(days=TRASH_DAYS)


def test_restore_brings_back_the_same_id_with_its_receipt_and_totals(call: Call, s3_client: Any) -> None:
    expense = create(call, vendor="Marriott", tags=["trip"])
    key = with_receipt(call, s3_client, expense)
    before = march(call)
    assert call("DELETE", f"/expenses/{expense['id']}").status == 204
    assert receipt_exists(s3_client, key)  # left in place for the restore

    restored = call("POST", f"/trash/{expense['id']}/restore")
    assert restored.status == 200, restored.text
    body = restored.json
    assert body["id"] == expense["id"] and body["receiptContentType"] == "image/png"
    same = ("amount", "currency", "date", "vendor", "tags", "category", "createdAt")
    assert {k: body[k] for k in same} == {k: expense[k] for k in same}
    assert call("GET", f"/expenses/{expense['id']}/receipt").status == 200
    assert march(call) == before
    assert [e["id"] for e in call("GET", "/expenses", query={"vendor": "marr"}).json["items"]] == [
        expense["id"]
    ]
    assert call("GET", "/trash").json["items"] == []
    assert call("POST", f"/trash/{expense['id']}/restore").status == 404


def test_restore_lifts_the_dismissal_of_an_imported_line(
    call: Call, dynamodb_client: Any, expenses_table: str
) -> None:
    expense = create(call)
    call("DELETE", f"/expenses/{expense['id']}")
    dismissal = {"pk": tables.user_pk("alice"), "sk": tables.dismissed_sk(expense["id"])}
    dynamodb_client.put_item(TableName=expenses_table, Item=serialize({**dismissal, "type": "DISMISSED"}))
    assert call("POST", f"/trash/{expense['id']}/restore").status == 200
    assert "Item" not in dynamodb_client.get_item(TableName=expenses_table, Key=serialize(dismissal))


def test_restore_refuses_when_the_id_exists_again_and_keeps_the_trash_item(call: Call) -> None:
    expense = create(call)
    call("DELETE", f"/expenses/{expense['id']}")
    # e.g. an import re-created the line meanwhile
    service().repo.upsert("alice", service().repo.trash_page("alice", datetime.now(UTC)).items[0])
    reply = call("POST", f"/trash/{expense['id']}/restore")
    assert reply.status == 409
    assert [i["id"] for i in call("GET", "/trash").json["items"]] == [expense["id"]]


def test_an_expired_trash_item_is_neither_listed_nor_restorable(
    call: Call, dynamodb_client: Any, expenses_table: str
) -> None:
    # DynamoDB's TTL deletes lazily (and the local runtime not at all): expiry is checked on read.
    expense = create(call)
    call("DELETE", f"/expenses/{expense['id']}")
    dynamodb_client.update_item(
        TableName=expenses_table,
        Key=serialize({"pk": tables.user_pk("alice"), "sk": tables.trash_sk(expense["id"])}),
        UpdateExpression="SET expiresAt = :past",
        ExpressionAttributeValues=serialize({":past": int(datetime.now(UTC).timestamp()) - 1}),
    )
    assert call("GET", "/trash").json == {"items": [], "next": None}
    assert call("POST", f"/trash/{expense['id']}/restore").status == 404
    assert call("GET", f"/expenses/{expense['id']}").status == 404


def test_trash_pages_walk_every_item_once_and_cursors_are_per_user(call: Call) -> None:
    ids = {create(call, vendor=f"v{i}")["id"] for i in range(5)}
    for expense_id in ids:
        call("DELETE", f"/expenses/{expense_id}")
    seen: list[str] = []
    token = None
    while True:
        page = call("GET", "/trash", query={"limit": "2", **({"next": token} if token else {})}).json
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        token = page["next"]
        if not token:
            break
        assert call("GET", "/trash", sub="bob", query={"next": token}).status == 400
    assert sorted(seen) == sorted(ids)


def test_another_user_can_neither_see_restore_nor_purge_my_trash(call: Call) -> None:
    expense = create(call)
    call("DELETE", f"/expenses/{expense['id']}")
    assert call("GET", "/trash", sub="bob").json["items"] == []
    assert call("POST", f"/trash/{expense['id']}/restore", sub="bob").status == 404
    assert call("DELETE", f"/trash/{expense['id']}", sub="bob").status == 404
    assert len(call("GET", "/trash").json["items"]) == 1


def test_delete_permanently_and_empty_trash_remove_the_receipts(call: Call, s3_client: Any) -> None:
    one, two, three = create(call), create(call), create(call)
    keys = [with_receipt(call, s3_client, e) for e in (one, two)]
    for expense in (one, two, three):
        call("DELETE", f"/expenses/{expense['id']}")
    assert call("DELETE", f"/trash/{one['id']}").status == 204
    assert not receipt_exists(s3_client, keys[0]) and receipt_exists(s3_client, keys[1])
    assert call("POST", f"/trash/{one['id']}/restore").status == 404
    assert call("DELETE", "/trash").json == {"deleted": 2}
    assert not receipt_exists(s3_client, keys[1])
    assert call("GET", "/trash").json["items"] == []
    assert call("DELETE", f"/trash/{one['id']}").status == 404


# ----------------------------------------------------------------------- TTL expiry -> receipt


def trash_image(sub: str, expense_id: str, receipt: bool = True) -> dict[str, Any]:
    item = {"pk": tables.user_pk(sub), "sk": tables.trash_sk(expense_id), "type": "TRASH", "id": expense_id}
    if receipt:
        item["receiptContentType"] = "image/png"
    return serialize(item)


def removal(seq: str, image: dict[str, Any], by_ttl: bool) -> dict[str, Any]:
    record: dict[str, Any] = {
        "eventName": "REMOVE",
        "eventSource": "aws:dynamodb",
        "dynamodb": {"SequenceNumber": seq, "OldImage": image, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }
    if by_ttl:
        record["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    return record


def test_only_ttl_removals_of_trash_items_with_a_receipt_count() -> None:
    records = [
        removal("1", trash_image("alice", "a1"), by_ttl=True),
        removal("2", trash_image("alice", "a2"), by_ttl=False),  # restore / delete permanently
        removal("3", trash_image("alice", "a3", receipt=False), by_ttl=True),
        removal("4", serialize({"pk": "USER#alice", "sk": "EXPENSE#a4", "receiptContentType": "x"}), True),
    ]
    assert [(k.sub, k.expense_id, seqs) for k, seqs in expired_receipts(records).items()] == [
        ("alice", "a1", ["1"])
    ]


@pytest.fixture
def writer(expenses_table: str, lake_bucket: str, receipts_bucket: str) -> Iterator[None]:
    reset_all()
    yield
    reset_all()


def test_lake_writer_deletes_the_receipt_when_ttl_removes_the_trash_item(writer: None) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    for expense_id in ("a1", "a2"):
        s3.put_object(Bucket=RECEIPTS, Key=tables.receipt_key("alice", expense_id), Body=b"png")
    event = {
        "Records": [
            removal("1", trash_image("alice", "a1"), by_ttl=True),
            removal("2", trash_image("alice", "a2"), by_ttl=False),
        ]
    }
    assert lake_writer.handler(event, None) == {"batchItemFailures": []}
    left = [o["Key"] for o in s3.list_objects_v2(Bucket=RECEIPTS).get("Contents", [])]
    assert left == [tables.receipt_key("alice", "a2")]


def test_a_receipt_that_cannot_be_deleted_is_reported_for_retry(
    writer: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Any, sub: str, expense_id: str) -> None:
        raise RuntimeError("S3 unavailable")

    monkeypatch.setattr("outlay.dal.receipts.ReceiptStore.delete", refuse)
    event = {"Records": [removal("7", trash_image("alice", "a1"), by_ttl=True)]}
    assert lake_writer.handler(event, None) == {"batchItemFailures": [{"itemIdentifier": "7"}]}


def test_restoring_a_dismissed_line_still_in_the_trash_brings_back_its_receipt(
    dynamodb_client: Any, expenses_table: str
) -> None:
    """A user's delete of an imported line both trashes and dismisses it; "restore" from the dismissed
    list then takes the trash copy (receipt kept) and leaves neither marker behind."""
    from outlay.dal.expenses_repo import ExpensesRepository
    from outlay.models.expenses import Expense

    repo = ExpensesRepository(expenses_table, dynamodb_client=dynamodb_client)
    now = datetime(2026, 11, 2, tzinfo=UTC)
    line = Expense.model_validate(
        {
            "id": "aws-123456789012-2026-10-s3",
            "date": "2026-10-31",
            "amount": "3.12",
            "currency": "USD",
            "category": "Software",
            "vendor": "AWS - Amazon Simple Storage Service",
            "source": "aws",
            "createdAt": now,
            "updatedAt": now,
            "aws": {"accountId": "123456789012", "month": "2026-10", "line": "service:S3"},
        }
    )
    repo.upsert("alice", line)
    repo.set_receipt("alice", line.id, "image/png")
    repo.delete("alice", line.id, trash_at=datetime.now(UTC))
    assert repo.is_dismissed("alice", line.id)

    restored = repo.restore_dismissed("alice", line.id)

    assert restored.id == line.id and restored.receipt_content_type == "image/png"
    assert repo.get("alice", line.id).receipt_content_type == "image/png"
    assert not repo.is_dismissed("alice", line.id)
    trash_key = serialize({"pk": tables.user_pk("alice"), "sk": tables.trash_sk(line.id)})
    assert "Item" not in dynamodb_client.get_item(TableName=expenses_table, Key=trash_key)
