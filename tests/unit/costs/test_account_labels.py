"""Every imported line says which AWS account it belongs to: API field, CSV column, lake column."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from outlay.logic.csv_export import COLUMNS, expense_row
from outlay.logic.lake import LAKE_COLUMNS, lake_line
from outlay.models.expenses import Expense

from stacks.constructs.glue_catalog import COLUMNS as GLUE_COLUMNS

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def expense(aws: dict[str, str] | None) -> Expense:
    return Expense.model_validate(
        {
            "id": "aws-x" if aws else "e1",
            "date": "2026-10-31",
            "amount": "3.10",
            "currency": "USD",
            "category": "Software",
            "vendor": "AWS - Amazon Simple Storage Service",
            "description": "d",
            "tags": ["aws"],
            "source": "aws" if aws else "manual",
            "createdAt": NOW,
            "updatedAt": NOW,
            "aws": aws,
        }
    )


IMPORTED = {"accountId": "444455556666", "accountName": "Staging", "month": "2026-10", "line": "service:S3"}


def test_the_api_field_csv_and_lake_carry_the_account() -> None:
    line = expense(IMPORTED)
    assert line.model_dump(mode="json", by_alias=True)["aws"]["accountName"] == "Staging"
    row = dict(zip(COLUMNS, expense_row(line), strict=True))
    assert row["awsAccountId"] == "444455556666"
    lake = json.loads(lake_line("alice", line))
    assert (lake["awsAccountId"], lake["awsAccountName"]) == ("444455556666", "Staging")
    assert list(lake) == list(LAKE_COLUMNS)
    assert ("awsAccountId", "string") in GLUE_COLUMNS and ("awsAccountName", "string") in GLUE_COLUMNS


def test_a_manual_expense_has_no_account() -> None:
    manual = expense(None)
    assert dict(zip(COLUMNS, expense_row(manual), strict=True))["awsAccountId"] == ""
    lake = json.loads(lake_line("alice", manual))
    assert lake["awsAccountId"] is None and lake["awsAccountName"] is None
