"""Ownership of imported lines, on moto with the real repository: re-imports change only what the
user has not changed, deleted lines stay dismissed until restored, and the counts say so."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from outlay.models.expenses import Expense

from .conftest import (
    MOTO_DEFAULT_ACCOUNT,
    OCTOBER_GROUPS,
    RECEIPTS,
    Moto,
    call,
    ce_group,
    ce_result,
    clear_ce_cache,
    repo,
)

S3 = "AWS - Amazon Simple Storage Service"
EC2 = "AWS - Amazon Elastic Compute Cloud - Compute"


def october(moto_aws: Moto, groups: list[dict[str, Any]] = OCTOBER_GROUPS, estimated: bool = False) -> None:
    clear_ce_cache()
    result = ce_result("2026-10-01", "2026-11-01", groups)
    result["ResultsByTime"][0]["Estimated"] = estimated
    moto_aws.queue_ce([result], account_id=MOTO_DEFAULT_ACCOUNT)


def reimport() -> dict[str, Any]:
    status, run = call("POST", "/aws-cost-import", body={"month": "2026-10"})
    assert status == 200, run
    return dict(run)


def by_vendor(moto_aws: Moto) -> dict[str, Expense]:
    return {e.vendor: e for e in repo(moto_aws).month_expenses("user-a", "2026", "10")}


def counts(run: dict[str, Any]) -> tuple[int, ...]:
    keys = ("Created", "Updated", "Unchanged", "KeptUserEdits", "DismissedSkipped", "Removed")
    return tuple(run[f"expenses{k}"] for k in keys)


def test_an_edit_marks_the_field_as_the_users(connected: Moto) -> None:
    october(connected)
    reimport()
    line = by_vendor(connected)[S3]
    assert line.user_edited == []
    edited = repo(connected).update("user-a", line.id, {"category": "Travel", "description": "backups"})
    assert edited.user_edited == ["category", "description"]
    with_receipt = repo(connected).set_receipt("user-a", line.id, "application/pdf")
    assert with_receipt.user_edited == ["category", "description", "receipt"]


def test_manual_expenses_get_no_edit_marks(connected: Moto) -> None:
    manual = Expense.model_validate(
        {
            "id": "m1",
            "date": "2026-10-01",
            "amount": "5.00",
            "currency": "USD",
            "category": "Food",
            "createdAt": "2026-10-01T00:00:00Z",
            "updatedAt": "2026-10-01T00:00:00Z",
        }
    )
    repo(connected).create("user-a", manual)
    assert repo(connected).update("user-a", "m1", {"category": "Travel"}).user_edited == []


def test_reimport_keeps_the_users_fields_and_updates_the_rest(connected: Moto) -> None:
    october(connected)
    reimport()
    line = by_vendor(connected)[S3]
    repo(connected).update(
        "user-a", line.id, {"category": "Travel", "tags": ["backup"], "vendor": "S3 backups"}
    )
    # AWS revises the S3 amount: an AWS-owned field the user did not touch, so it follows AWS.
    revised = [ce_group("Amazon Simple Storage Service", "Usage", "13.00"), *OCTOBER_GROUPS[2:]]
    october(connected, revised)
    run = reimport()
    assert counts(run) == (0, 0, 3, 1, 0, 0)
    stored = repo(connected).get("user-a", line.id)
    assert (stored.category, stored.tags, stored.vendor) == ("Travel", ["backup"], "S3 backups")
    assert stored.amount == Decimal("13.00") and stored.aws_reported is None
    assert stored.description == line.description  # not edited: still the import's


def test_a_user_changed_amount_is_kept_and_aws_value_is_shown(connected: Moto) -> None:
    october(connected)
    reimport()
    line = by_vendor(connected)[S3]
    repo(connected).update("user-a", line.id, {"amount": Decimal("10.00")})
    revised = [ce_group("Amazon Simple Storage Service", "Usage", "14.00"), *OCTOBER_GROUPS[2:]]
    october(connected, revised)
    run = reimport()
    assert run["expensesKeptUserEdits"] == 1
    stored = repo(connected).get("user-a", line.id)
    assert stored.amount == Decimal("10.00")
    assert stored.aws_reported is not None and stored.aws_reported.amount == Decimal("14.00")
    assert "1 kept your edits" in run["message"]
    # The summary counts the user's amount, not AWS's.
    totals = repo(connected).summary("user-a", "2026-10", "2026-10").model_dump(mode="json")["totals"]
    assert totals == [{"currency": "USD", "total": "42.62"}]  # 10.00 + 40.12 - 12.50 + 5.00
    # The user agrees with AWS again: the hint goes away.
    agreed = repo(connected).update("user-a", line.id, {"amount": Decimal("14.00")})
    assert agreed.aws_reported is None and "amount" in agreed.user_edited


def test_a_deleted_line_is_dismissed_and_never_comes_back(connected: Moto) -> None:
    october(connected)
    reimport()
    line = by_vendor(connected)[EC2]
    repo(connected).delete("user-a", line.id)
    for _ in range(2):
        run = reimport()
        assert counts(run) == (0, 0, 3, 0, 1, 0)
        assert EC2 not in by_vendor(connected)
        assert run["totals"] == [{"currency": "USD", "total": "4.85"}]  # without the dismissed 40.12
    status, page = call("GET", "/aws-cost-import/dismissed")
    assert status == 200 and page["next"] is None
    assert [(d["expense"]["id"], d["expense"]["vendor"]) for d in page["items"]] == [(line.id, EC2)]
    assert page["items"][0]["dismissedAt"]


def test_a_restored_line_is_back_with_the_users_edits_and_imports_update_it_again(connected: Moto) -> None:
    october(connected)
    reimport()
    line = by_vendor(connected)[EC2]
    repo(connected).update("user-a", line.id, {"description": "prod cluster"})
    repo(connected).delete("user-a", line.id)
    status, restored = call("POST", f"/aws-cost-import/dismissed/{line.id}/restore")
    assert status == 200 and restored["id"] == line.id and restored["description"] == "prod cluster"
    assert call("GET", "/aws-cost-import/dismissed")[1]["items"] == []
    run = reimport()
    assert counts(run) == (0, 0, 3, 1, 0, 0)  # back in the import; its edited description kept
    assert by_vendor(connected)[EC2].description == "prod cluster"
    assert call("POST", f"/aws-cost-import/dismissed/{line.id}/restore")[0] == 404


def test_restore_is_per_user(connected: Moto) -> None:
    october(connected)
    reimport()
    line = by_vendor(connected)[EC2]
    repo(connected).delete("user-a", line.id)
    assert call("POST", f"/aws-cost-import/dismissed/{line.id}/restore", sub="user-b")[0] == 404
    assert call("GET", "/aws-cost-import/dismissed", sub="user-b")[1]["items"] == []


def test_a_line_aws_stops_reporting_is_removed_with_its_receipt_and_not_dismissed(connected: Moto) -> None:
    october(connected)
    reimport()
    tax = by_vendor(connected)["AWS - Tax"]
    repo(connected).set_receipt("user-a", tax.id, "application/pdf")
    key = f"user-a/receipts/{tax.id}"
    connected.s3.put_object(Bucket=RECEIPTS, Key=key, Body=b"%PDF-1.4")
    october(connected, OCTOBER_GROUPS[:-1])  # the tax line is gone
    run = reimport()
    assert run["expensesRemoved"] == 1
    assert "AWS - Tax" not in by_vendor(connected)
    assert connected.s3.list_objects_v2(Bucket=RECEIPTS, Prefix="user-a/").get("KeyCount") == 0
    # Not a user's decision: should AWS report the line again, it comes back.
    october(connected)
    assert reimport()["expensesCreated"] == 1


def test_manual_delete_writes_no_dismissal(connected: Moto) -> None:
    manual = Expense.model_validate(
        {
            "id": "m2",
            "date": "2026-10-01",
            "amount": "5.00",
            "currency": "USD",
            "category": "Food",
            "createdAt": "2026-10-01T00:00:00Z",
            "updatedAt": "2026-10-01T00:00:00Z",
        }
    )
    repo(connected).create("user-a", manual)
    repo(connected).delete("user-a", "m2")
    assert repo(connected).dismissed_page("user-a")[0] == []


def test_estimated_lines_are_flagged_until_the_finalized_resync_clears_them(connected: Moto) -> None:
    october(connected, estimated=True)
    first = reimport()
    assert first["estimatedMonths"] == ["2026-10"] and first["finalMonths"] == []
    assert all(e.estimated for e in by_vendor(connected).values())
    line = by_vendor(connected)[S3]
    repo(connected).update("user-a", line.id, {"category": "Travel"})
    october(connected, estimated=False)  # the 8th: Cost Explorer has finalized the bill
    final = reimport()
    assert final["finalMonths"] == ["2026-10"] and final["estimatedMonths"] == []
    assert counts(final) == (0, 3, 0, 1, 0, 0)  # the flag is AWS's: cleared even on the edited line
    assert not any(e.estimated for e in by_vendor(connected).values())
    assert by_vendor(connected)[S3].category == "Travel"
    status, history = call("GET", "/aws-cost-import/history", query={"limit": "5"})
    assert status == 200
    assert sorted(tuple(r["finalMonths"]) for r in history["items"]) == [(), ("2026-10",)]
