"""Cost Explorer pages -> expense drafts: one per service, credits/refunds/tax apart, exact money."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from outlay.logic import cost_import
from outlay.logic.cost_import import MalformedCostDataError, drafts_for_month, expense_id, lines_from_pages

from .conftest import OCTOBER_GROUPS, ce_group, ce_result

SUB = "user-a"
ACCOUNT = "111122223333"


def drafts(groups: list[dict], month: str = "2026-10") -> list[cost_import.ExpenseDraft]:
    pages = [ce_result(f"{month}-01", "2026-11-01", groups)]
    return drafts_for_month(SUB, ACCOUNT, month, lines_from_pages(pages))


def test_request_is_one_monthly_call_grouped_by_service_and_record_type() -> None:
    request = cost_import.cost_and_usage_request("2026-10")
    assert request == {
        "TimePeriod": {"Start": "2026-10-01", "End": "2026-11-01"},
        "Granularity": "MONTHLY",
        "Metrics": ["UnblendedCost", "AmortizedCost"],
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "DIMENSION", "Key": "RECORD_TYPE"}],
    }


def test_service_lines_and_credits_tax_are_separate_expenses() -> None:
    by_vendor = {d.vendor: d for d in drafts(OCTOBER_GROUPS)}
    assert set(by_vendor) == {
        "AWS - Amazon Simple Storage Service",
        "AWS - Amazon Elastic Compute Cloud - Compute",
        "AWS - Credits",
        "AWS - Tax",
    }
    s3 = by_vendor["AWS - Amazon Simple Storage Service"]
    assert s3.amount == Decimal("12.35")
    assert s3.currency == "USD"
    assert s3.date == "2026-10-31"
    assert s3.category == "Software"
    assert s3.tags == ("aws",)
    assert s3.description == "AWS Amazon Simple Storage Service charges for October 2026"
    # credits from two services are summed into one negative Credits line, not netted into services
    assert by_vendor["AWS - Credits"].amount == Decimal("-12.50")
    assert by_vendor["AWS - Amazon Elastic Compute Cloud - Compute"].amount == Decimal("40.12")  # half-even
    assert by_vendor["AWS - Amazon Elastic Compute Cloud - Compute"].amortized_amount == Decimal("35.10")
    assert by_vendor["AWS - Tax"].amount == Decimal("5.00")
    assert by_vendor["AWS - Tax"].record_type == "Tax"


def test_sub_half_cent_lines_are_skipped_but_half_cent_is_kept() -> None:
    got = drafts([ce_group("AWS Lambda", "Usage", "0.0049"), ce_group("Amazon SNS", "Usage", "0.005")])
    assert [d.vendor for d in got] == ["AWS - Amazon SNS"]
    assert got[0].amount == Decimal("0.00")  # 0.005 half-even -> 0.00, but recorded as a real line


def test_pages_are_merged() -> None:
    pages = [
        ce_result("2026-10-01", "2026-11-01", [ce_group("AWS Lambda", "Usage", "1.00")], token="t"),
        ce_result(
            "2026-10-01",
            "2026-11-01",
            [ce_group("AWS Lambda", "Usage", "2.00"), ce_group("X", "Refund", "-1")],
        ),
    ]
    lines = lines_from_pages(pages)
    assert [(line.name, line.amount) for line in lines] == [
        ("AWS Lambda", Decimal("3.00")),
        ("Refunds", Decimal("-1.00")),
    ]


def test_currency_comes_from_the_unit_and_is_never_converted() -> None:
    got = drafts(
        [ce_group("AWS Lambda", "Usage", "3", unit="EUR"), ce_group("AWS Lambda", "Usage", "2", unit="USD")]
    )
    assert sorted((d.currency, d.amount) for d in got) == [("EUR", Decimal("3.00")), ("USD", Decimal("2.00"))]
    assert len({d.id for d in got}) == 2
    assert cost_import.totals_by_currency((d.currency, d.amount) for d in got) == [
        {"currency": "EUR", "total": "3.00"},
        {"currency": "USD", "total": "2.00"},
    ]


def test_ids_are_deterministic_and_distinct_per_line_month_account_user() -> None:
    first = {d.line: d.id for d in drafts(OCTOBER_GROUPS)}
    again = {d.line: d.id for d in drafts(OCTOBER_GROUPS)}
    assert first == again
    assert len(set(first.values())) == len(first)
    one = expense_id(SUB, ACCOUNT, "2026-10", "service:AWS Lambda")
    assert one.startswith("aws-") and len(one) == 30
    assert one != expense_id("user-b", ACCOUNT, "2026-10", "service:AWS Lambda")
    assert one != expense_id(SUB, "444455556666", "2026-10", "service:AWS Lambda")
    assert one != expense_id(SUB, ACCOUNT, "2026-09", "service:AWS Lambda")


@pytest.mark.parametrize(
    "group",
    [
        {"Keys": ["only-one"], "Metrics": {}},
        {"Keys": ["S3", "Usage"], "Metrics": {"UnblendedCost": {"Amount": "abc", "Unit": "USD"}}},
        {"Keys": ["S3", "Usage"], "Metrics": {"UnblendedCost": {"Amount": "1", "Unit": "dollars"}}},
        {"Keys": ["S3", "Usage"], "Metrics": {"UnblendedCost": {"Amount": "NaN", "Unit": "USD"}}},
    ],
)
def test_malformed_cost_data_is_refused(group: dict) -> None:
    with pytest.raises(MalformedCostDataError):
        lines_from_pages([ce_result("2026-10-01", "2026-11-01", [group])])


amounts = st.decimals(min_value=Decimal("-1000"), max_value=Decimal("100000"), places=6, allow_nan=False)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["S3", "EC2", "Lambda"]), st.sampled_from(["Usage", "Credit", "Tax"]), amounts
        ),
        max_size=20,
    )
)
def test_line_amounts_are_rounded_sums_of_their_groups(rows: list[tuple[str, str, Decimal]]) -> None:
    """Exactly one line per service (Usage) and per other record type, each the half-even rounded sum of
    its groups; only lines whose sum is below half a cent are left out."""
    groups = [ce_group(s, r, str(a)) for s, r, a in rows]
    lines = lines_from_pages([ce_result("2026-10-01", "2026-11-01", groups)])
    sums: dict[str, Decimal] = {}
    for service, record_type, amount in rows:
        key = f"service:{service}" if record_type == "Usage" else f"record:{record_type}"
        sums[key] = sums.get(key, Decimal(0)) + amount
    expected = {
        key: raw.quantize(Decimal("0.01"), rounding="ROUND_HALF_EVEN")
        for key, raw in sums.items()
        if abs(raw) >= Decimal("0.005")
    }
    assert {line.line: line.amount for line in lines} == expected
    assert len(lines) == len(expected)  # no line twice
    assert all(line.amount.as_tuple().exponent == -2 and line.currency == "USD" for line in lines)
