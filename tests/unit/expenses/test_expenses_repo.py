"""ExpensesRepository against moto: the contract the API and the cost importer rely on."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import boto3
import pytest
from outlay import tables
from outlay.dal.cursors import encode_cursor
from outlay.dal.expenses_repo import ExpensesRepository
from outlay.logic.errors import ConflictError, InvalidInputError, NotFoundError
from outlay.models.expenses import AwsImportMeta, Expense
from outlay.models.queries import ExpenseFilters

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def make(expense_id: str, amount: str = "10.00", day: str = "2026-03-10", **kw: Any) -> Expense:
    data: dict[str, Any] = {
        "id": expense_id,
        "date": day,
        "amount": amount,
        "currency": "USD",
        "category": "Food",
        "created_at": NOW,
        "updated_at": NOW,
    }
    data.update(kw)
    return Expense.model_validate(data)


def aws_line(expense_id: str, amount: str, service: str = "Amazon S3") -> Expense:
    return make(
        expense_id,
        amount,
        day="2026-02-28",
        category="Software",
        vendor=f"AWS - {service}",
        description=f"AWS {service} charges for February 2026",
        source="aws",
        aws=AwsImportMeta(account_id="123456789012", month="2026-02", line=service),
    )


@pytest.fixture
def repo(expenses_table: str) -> ExpensesRepository:
    return ExpensesRepository(expenses_table, boto3.client("dynamodb", region_name="us-east-1"))


def summary_map(repo: ExpensesRepository, sub: str, start: str = "2025-01", end: str = "2026-12") -> dict:
    return {
        (i.month, i.category, i.currency): (i.total, i.count) for i in repo.summary(sub, start, end).items
    }


def raw_aggregates(sub: str) -> list[dict[str, Any]]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    out = client.query(
        TableName="outlay-test-expenses",
        KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
        ExpressionAttributeValues={":pk": {"S": tables.user_pk(sub)}, ":p": {"S": "SUMMARY#"}},
    )
    return out["Items"]


def test_create_get_roundtrip_keeps_exact_decimal(repo: ExpensesRepository) -> None:
    created = repo.create("alice", make("e1", "12.30", vendor="Cafe", tags=["x"]))
    got = repo.get("alice", "e1")
    assert got == created
    assert got.amount == Decimal("12.30") and str(got.amount) == "12.30"
    assert summary_map(repo, "alice") == {("2026-03", "Food", "USD"): (Decimal("12.30"), 1)}


def test_get_other_users_expense_is_not_found(repo: ExpensesRepository) -> None:
    repo.create("alice", make("e1"))
    with pytest.raises(NotFoundError):
        repo.get("bob", "e1")
    with pytest.raises(NotFoundError):
        repo.get("alice", "bad#id")


def test_update_moves_aggregates_and_date_key(repo: ExpensesRepository) -> None:
    repo.create("alice", make("e1", "10.00"))
    repo.create("alice", make("e2", "5.00"))
    updated = repo.update(
        "alice", "e1", {"date": date(2026, 4, 2), "category": "Travel", "amount": Decimal("7.00")}
    )
    assert updated.date == date(2026, 4, 2)
    assert summary_map(repo, "alice") == {
        ("2026-03", "Food", "USD"): (Decimal("5.00"), 1),
        ("2026-04", "Travel", "USD"): (Decimal("7.00"), 1),
    }
    april = repo.page("alice", ExpenseFilters.model_validate({"from": "2026-04-01", "to": "2026-04-30"}))
    assert [e.id for e in april.items] == ["e1"]


def test_delete_empties_and_removes_aggregate(repo: ExpensesRepository) -> None:
    repo.create("alice", make("e1", "10.00"))
    deleted = repo.delete("alice", "e1")
    assert deleted.id == "e1"
    assert summary_map(repo, "alice") == {}
    assert raw_aggregates("alice") == []  # the emptied aggregate item is gone, not left at count 0
    with pytest.raises(NotFoundError):
        repo.delete("alice", "e1")


def test_idempotent_create_returns_original_and_conflicts_on_other_body(repo: ExpensesRepository) -> None:
    first = repo.create("alice", make("e1"), idempotency_key="k-1", request_hash="h1")
    again = repo.create("alice", make("e2"), idempotency_key="k-1", request_hash="h1")
    assert again.id == first.id == "e1"
    assert summary_map(repo, "alice") == {("2026-03", "Food", "USD"): (Decimal("10.00"), 1)}
    with pytest.raises(ConflictError) as excinfo:
        repo.create("alice", make("e3"), idempotency_key="k-1", request_hash="other")
    assert "different request body" in excinfo.value.message
    # Keys are per user: bob may use the same key for his own expense.
    assert repo.create("bob", make("e9"), idempotency_key="k-1", request_hash="h1").id == "e9"


def test_upsert_three_imports_leave_no_duplicates(repo: ExpensesRepository) -> None:
    results = [repo.upsert("alice", aws_line("aws-s3-2026-02", "3.21")) for _ in range(3)]
    assert results == ["created", "unchanged", "unchanged"]
    assert summary_map(repo, "alice") == {("2026-02", "Software", "USD"): (Decimal("3.21"), 1)}
    assert repo.upsert("alice", aws_line("aws-s3-2026-02", "4.00")) == "updated"
    assert repo.upsert("alice", aws_line("aws-credit-2026-02", "-1.50", "Credit")) == "created"
    assert summary_map(repo, "alice") == {("2026-02", "Software", "USD"): (Decimal("2.50"), 2)}
    assert len(repo.page("alice", ExpenseFilters()).items) == 2


def test_upsert_keeps_created_at_and_receipt(repo: ExpensesRepository) -> None:
    repo.upsert("alice", aws_line("aws-x", "1.00"))
    repo.set_receipt("alice", "aws-x", "application/pdf")
    later = aws_line("aws-x", "2.00").model_copy(update={"created_at": datetime(2027, 1, 1, tzinfo=UTC)})
    assert repo.upsert("alice", later) == "updated"
    got = repo.get("alice", "aws-x")
    assert (
        got.created_at == NOW
        and got.receipt_content_type == "application/pdf"
        and got.amount == Decimal("2.00")
    )


def test_negative_amount_only_for_aws_source() -> None:
    with pytest.raises(ValueError, match="greater than 0"):
        make("e1", "-1.00")
    assert aws_line("c", "-1.00").amount == Decimal("-1.00")


def test_list_pages_newest_first_with_cursor(repo: ExpensesRepository) -> None:
    for n in range(1, 8):
        repo.create("alice", make(f"e{n}", day=f"2026-03-{n:02d}"))
    first = repo.page("alice", ExpenseFilters(), limit=3)
    assert [e.id for e in first.items] == ["e7", "e6", "e5"]
    second = repo.page("alice", ExpenseFilters(), limit=3, cursor=first.next)
    assert [e.id for e in second.items] == ["e4", "e3", "e2"]
    third = repo.page("alice", ExpenseFilters(), limit=3, cursor=second.next)
    assert [e.id for e in third.items] == ["e1"] and third.next is None


def test_selective_vendor_filter_returns_every_match_in_the_first_page(repo: ExpensesRepository) -> None:
    for n in range(1, 21):
        repo.create(
            "alice", make(f"e{n:02d}", day=f"2026-03-{n:02d}", vendor="Shop" if n % 10 == 0 else "Cafe")
        )
    page = repo.page("alice", ExpenseFilters(vendor="sho"), limit=2)
    assert [e.id for e in page.items] == ["e20", "e10"] and page.next is None


def test_cursor_of_other_user_or_garbage_is_rejected(repo: ExpensesRepository) -> None:
    repo.create("alice", make("e1", day="2026-03-01"))
    token = encode_cursor("alice", "2026-03-01#e1")
    assert repo.page("alice", ExpenseFilters(), cursor=token).items == []
    for sub, bad in (("bob", token), ("alice", "garbage!!"), ("alice", encode_cursor("alice", "x#y#z"))):
        for filters in (ExpenseFilters(), ExpenseFilters(vendor="ca")):
            with pytest.raises(InvalidInputError) as excinfo:
                repo.page(sub, filters, cursor=bad)
            assert excinfo.value.details[0]["field"] == "next"


def test_categories_and_profile(repo: ExpensesRepository) -> None:
    repo.add_category("alice", "Pets")
    with pytest.raises(ConflictError):
        repo.add_category("alice", "pets")
    assert repo.user_categories("alice") == ["Pets"] and repo.user_categories("bob") == []
    assert repo.get_default_currency("alice") is None
    repo.put_default_currency("alice", "EUR")
    assert repo.get_default_currency("alice") == "EUR"


def test_month_expenses_reads_one_month(repo: ExpensesRepository) -> None:
    repo.create("alice", make("a", day="2026-03-31"))
    repo.create("alice", make("b", day="2026-04-01"))
    assert [e.id for e in repo.month_expenses("alice", "2026", "03")] == ["a"]


def test_concurrent_writer_is_retried_without_drift(repo: ExpensesRepository) -> None:
    """Another writer changes the expense between our read and our transaction: the version check
    cancels ours, we re-read and re-apply, and the aggregates still match the final expense."""
    repo.create("alice", make("e1", "10.00"))
    rival = ExpensesRepository(repo.table_name, boto3.client("dynamodb", region_name="us-east-1"))
    fired: list[str] = []

    def race(**_: Any) -> None:
        if not fired:
            fired.append("x")
            rival.update("alice", "e1", {"amount": Decimal("40.00"), "category": "Travel"})

    repo.client.meta.events.register("before-call.dynamodb.TransactWriteItems", race)
    updated = repo.update("alice", "e1", {"vendor": "Cafe"})
    assert fired and updated.vendor == "Cafe" and updated.amount == Decimal("40.00")
    assert summary_map(repo, "alice") == {("2026-03", "Travel", "USD"): (Decimal("40.00"), 1)}


def test_idempotency_race_lost_in_transaction_replays_original(
    repo: ExpensesRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two retries race past the pre-check: the idempotency record's condition cancels the second
    transaction, which then returns the first expense (no duplicate, aggregates counted once)."""
    first = repo.create("alice", make("e1"), idempotency_key="k", request_hash="h")
    real_replay = repo._replay
    calls: list[int] = []

    def replay_missing_once(sub: str, key: str, request_hash: str | None) -> Expense | None:
        calls.append(1)
        return None if len(calls) == 1 else real_replay(sub, key, request_hash)

    monkeypatch.setattr(repo, "_replay", replay_missing_once)
    again = repo.create("alice", make("e2"), idempotency_key="k", request_hash="h")
    assert again.id == first.id and len(calls) == 2
    assert [e.id for e in repo.page("alice", ExpenseFilters()).items] == ["e1"]
    assert summary_map(repo, "alice") == {("2026-03", "Food", "USD"): (Decimal("10.00"), 1)}


def test_aggregate_never_goes_negative(repo: ExpensesRepository) -> None:
    """If an aggregate were ever wrong, a decrement below zero is refused rather than drifting further."""
    repo.create("alice", make("e1", "10.00"))
    client = boto3.client("dynamodb", region_name="us-east-1")
    client.update_item(
        TableName=repo.table_name,
        Key={"pk": {"S": "USER#alice"}, "sk": {"S": "SUMMARY#2026-03#USD#Food"}},
        UpdateExpression="SET #c = :zero",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":zero": {"N": "0"}},
    )
    with pytest.raises(ConflictError):
        repo.delete("alice", "e1")
    assert repo.get("alice", "e1").amount == Decimal("10.00")


def test_cursor_outside_requested_date_range_is_rejected(repo: ExpensesRepository) -> None:
    token = encode_cursor("alice", "2026-05-01#e1")
    march = ExpenseFilters.model_validate({"from": "2026-03-01", "to": "2026-03-31"})
    with pytest.raises(InvalidInputError) as excinfo:
        repo.page("alice", march, cursor=token)
    assert excinfo.value.details == [{"field": "next", "message": "outside the requested date range"}]


def test_items_written_without_version_can_still_be_changed(repo: ExpensesRepository) -> None:
    """An expense stored by other means (no `version` attribute) is updated and deleted normally."""
    repo.create("alice", make("e1", "10.00"))
    boto3.client("dynamodb", region_name="us-east-1").update_item(
        TableName=repo.table_name,
        Key={"pk": {"S": "USER#alice"}, "sk": {"S": "EXPENSE#e1"}},
        UpdateExpression="REMOVE version",
    )
    assert repo.update("alice", "e1", {"amount": Decimal("4.00")}).amount == Decimal("4.00")
    repo.delete("alice", "e1")
    assert summary_map(repo, "alice") == {}
