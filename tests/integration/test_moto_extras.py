"""What the runtime adds to moto keeps AWS's semantics: a failed transaction still writes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from local.runtime import LocalRuntime


def test_a_cancelled_transaction_writes_nothing(local_runtime: LocalRuntime) -> None:
    ddb = local_runtime.client("dynamodb")
    table = local_runtime.resources.expenses_table  # type: ignore[union-attr]
    key = {"pk": {"S": "USER#txn-test"}, "sk": {"S": "SUMMARY#2026-01#USD#Food"}}
    ddb.put_item(TableName=table, Item={**key, "total": {"N": "10"}})
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": {
                            "pk": {"S": "USER#txn-test"},
                            "sk": {"S": "EXPENSE#new"},
                            "dateKey": {"S": "x"},
                        },
                    }
                },
                {
                    "Update": {
                        "TableName": table,
                        "Key": key,
                        "UpdateExpression": "ADD #t :one",
                        "ExpressionAttributeNames": {"#t": "total"},
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": {"pk": {"S": "USER#txn-test"}, "sk": {"S": "PROFILE"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert "Item" not in ddb.get_item(
        TableName=table, Key={"pk": {"S": "USER#txn-test"}, "sk": {"S": "EXPENSE#new"}}
    )
    assert ddb.get_item(TableName=table, Key=key)["Item"]["total"] == {"N": "10"}


def test_cost_forecast_is_answered_for_the_requested_period(local_runtime: LocalRuntime) -> None:
    forecast = local_runtime.client("ce").get_cost_forecast(
        TimePeriod={"Start": "2026-11-21", "End": "2026-12-01"},
        Metric="UNBLENDED_COST",
        Granularity="MONTHLY",
    )
    assert forecast["Total"]["Unit"] == "USD"
    assert Decimal(forecast["Total"]["Amount"]) > 0
    assert forecast["ForecastResultsByTime"][0]["TimePeriod"] == {"Start": "2026-11-21", "End": "2026-12-01"}
