"""Tag rules on an AWS Organizations connection: one LINKED_ACCOUNT x SERVICE request per tag value
(not per member account), each linked account's lines split by its own parts and still adding up,
counted through the rate-limited Cost Explorer adapter; re-runs write no duplicates."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from outlay.dal.cost_explorer import CostExplorer
from outlay.logic.cost_import import (
    LINKED_ACCOUNT,
    MIN_AMOUNT,
    MalformedCostDataError,
    lines_by_account,
    organization_pages,
)
from outlay.logic.cost_tags import (
    linked_tag_parts,
    linked_tag_usage_request,
    organization_tag_parts,
    split_by_tags,
)
from outlay.logic.import_runner import ImportOutcome, run_import
from outlay.models.cost_rules import CostRule, CostRules

from .conftest import ce_result
from .test_import_runner import Runs, Writer

EC2 = "Amazon Elastic Compute Cloud - Compute"
S3 = "Amazon Simple Storage Service"
MANAGEMENT = "111122223333"
MEMBERS = [f"20000000000{i}" for i in range(1, 6)]
USAGE_ONLY = {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage"]}}


def rule(**fields: Any) -> CostRule:
    return CostRule.model_validate(fields)


ACME = rule(match="tag", tagKey="project", value="acme", category="Client work", tags=["acme"])
GLOBEX = rule(match="tag", tagKey="project", value="globex", category="Other", tags=["globex"])
TEAM = rule(match="tag", tagKey="team", value="data", category="Other")
EC2_INFRA = rule(match="service", value=EC2, category="Utilities")


def group(first: str, second: str, amount: str) -> dict[str, Any]:
    metric = {"Amount": amount, "Unit": "USD"}
    return {"Keys": [first, second], "Metrics": {"UnblendedCost": metric, "AmortizedCost": metric}}


def page(groups: list[dict[str, Any]], token: str | None = None) -> dict[str, Any]:
    return ce_result("2026-10-01", "2026-11-01", groups, token)


# ------------------------------------------------------------------------------- pure
def test_the_linked_tag_request_filters_one_value_and_groups_by_account_and_service() -> None:
    request = linked_tag_usage_request("2026-10", "team", "data", {"project": ["acme", "globex"]})
    assert request["GroupBy"] == [
        {"Type": "DIMENSION", "Key": LINKED_ACCOUNT},
        {"Type": "DIMENSION", "Key": "SERVICE"},
    ]
    assert request["Filter"] == {
        "And": [
            USAGE_ONLY,
            {"Tags": {"Key": "team", "Values": ["data"]}},
            {"Not": {"Tags": {"Key": "project", "Values": ["acme", "globex"]}}},
        ]
    }
    assert request["TimePeriod"] == {"Start": "2026-10-01", "End": "2026-11-01"}
    first = linked_tag_usage_request("2026-10", "project", "acme", {})
    assert first["Filter"] == {"And": [USAGE_ONLY, {"Tags": {"Key": "project", "Values": ["acme"]}}]}


def test_linked_tag_parts_sum_each_accounts_service_over_pages() -> None:
    pages = [
        page([group(MEMBERS[0], EC2, "10.004"), group(MEMBERS[1], S3, "1.00")], token="next"),
        page([group(MEMBERS[0], EC2, "2.50")]),
    ]
    parts = linked_tag_parts(pages, "project", "acme")
    assert {a: [(p.service, p.value, p.amount) for p in found] for a, found in parts.items()} == {
        MEMBERS[0]: [(EC2, "acme", Decimal("12.504"))],
        MEMBERS[1]: [(S3, "acme", Decimal("1.00"))],
    }


def test_linked_tag_parts_refuse_groups_not_keyed_by_account_and_service() -> None:
    with pytest.raises(MalformedCostDataError):
        linked_tag_parts([page([{**group(MEMBERS[0], EC2, "1"), "Keys": [EC2]}])], "project", "acme")


def test_an_organization_asks_once_per_tag_value_and_later_keys_exclude_earlier_ones() -> None:
    asked: list[tuple[str, str, dict[str, Any]]] = []

    class Source:
        def linked_tagged_usage_pages(self, month: str, key: str, value: str, exclude: Any) -> Any:
            asked.append((key, value, dict(exclude)))
            return [page([])]

    organization_tag_parts(Source(), "2026-10", [ACME, EC2_INFRA, TEAM, GLOBEX])  # type: ignore[arg-type]
    assert asked == [
        ("project", "acme", {}),
        ("project", "globex", {}),
        ("team", "data", {"project": ["acme", "globex"]}),
    ]
    asked.clear()
    assert organization_tag_parts(Source(), "2026-10", [EC2_INFRA]) == {}  # type: ignore[arg-type]
    assert asked == []


WANTED = {("project", "acme"), ("project", "globex")}
cents = st.integers(min_value=1, max_value=100_000).map(lambda c: Decimal(c).scaleb(-3))
ACCOUNTS = (MANAGEMENT, *MEMBERS[:3])
bill = st.dictionaries(st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from((EC2, S3))), cents, min_size=1)
tagged = st.dictionaries(
    st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from((EC2, S3)), st.sampled_from(("acme", "globex"))),
    st.integers(min_value=0, max_value=150_000).map(lambda c: Decimal(c).scaleb(-3)),
)


@given(bill=bill, tagged=tagged)
def test_each_accounts_lines_add_up_to_its_service_amount(
    bill: dict[tuple[str, str], Decimal], tagged: dict[tuple[str, str, str], Decimal]
) -> None:
    usage = [page([group(a, s, str(amount)) for (a, s), amount in sorted(bill.items())])]
    by_account = lines_by_account(organization_pages(usage, []), MANAGEMENT)
    parts: dict[str, list[Any]] = {}
    for value in ("acme", "globex"):
        groups = [group(a, s, str(x)) for (a, s, v), x in sorted(tagged.items()) if v == value]
        for account, found in linked_tag_parts([page(groups)], "project", value).items():
            parts.setdefault(account, []).extend(found)
    for account, lines in by_account.items():
        split = split_by_tags(lines, parts.get(account, []))
        assert len({line.line for line in split}) == len(split)  # ids stay unique per account
        # what the split writes is never below a cent (a line it leaves alone may be: drafts skip it)
        assert all(line.amount >= MIN_AMOUNT for line in split if line not in lines)
        for original in lines:
            pieces = [line for line in split if line.name == original.name]
            assert sum(line.amount for line in pieces) == original.amount
            assert {tag for line in pieces for tag in line.tags} <= WANTED


# ------------------------------------------------------------------------------- the runner
USAGE_BILL = [
    group(a, s, amount) for a in (MANAGEMENT, *MEMBERS) for s, amount in ((EC2, "40.00"), (S3, "10.00"))
]
RECORDS_BILL = [group(a, "Tax", "1.00") for a in (MANAGEMENT, *MEMBERS)]
TAGGED = {
    "acme": [
        group(MEMBERS[0], EC2, "15.004"),
        group(MEMBERS[1], EC2, "12.50"),
        group(MEMBERS[1], S3, "3.333"),
    ],
    "globex": [group(MEMBERS[0], EC2, "7.00"), group(MANAGEMENT, S3, "2.00")],
}


class FakeCe:
    """A Cost Explorer client answering by the request's shape; acme's tag answer comes in two pages."""

    def __init__(self) -> None:
        self.asked: list[dict[str, Any]] = []

    def get_cost_and_usage(self, **request: Any) -> dict[str, Any]:
        self.asked.append(request)
        keys = [g["Key"] for g in request["GroupBy"]]
        if keys == ["SERVICE", "RECORD_TYPE"]:  # a single account's month
            return page([group(EC2, "Usage", "40.00"), group("Tax", "Tax", "1.00")])
        if keys[1] == "RECORD_TYPE":
            return page(RECORDS_BILL)
        tags = [f["Tags"] for f in request["Filter"].get("And", []) if "Tags" in f]
        if keys[1] != "SERVICE" or not tags:
            return page([] if keys[1] != "SERVICE" else USAGE_BILL)
        (value,) = tags[0]["Values"]
        groups = TAGGED.get(value, [])
        if value != "acme":
            return page(groups)
        return page(groups[1:]) if request.get("NextPageToken") else page(groups[:1], token="more")


class Gate:
    def __init__(self) -> None:
        self.slots: list[str] = []

    def acquire(self, account_id: str) -> int:
        self.slots.append(account_id)
        return 0


def org_import(
    writer: Writer, rules: list[CostRule], skip: frozenset[str] = frozenset(), organization: bool = True
) -> tuple[ImportOutcome, CostExplorer, Gate, FakeCe]:
    client, gate = FakeCe(), Gate()
    explorer = CostExplorer(client, MANAGEMENT, organization=organization, limiter=gate)
    outcome = run_import(
        sub="u1",
        months=["2026-10"],
        trigger="manual",
        connect=lambda: explorer,
        writer=writer,
        runs=Runs(),
        now=lambda: "2026-11-01T09:00:00.000Z",
        run_id="run-1",
        connection_id="conn-org",
        skip_accounts=skip,
        rules=CostRules(rules=rules),
    )
    return outcome, explorer, gate, client


def test_five_members_two_tag_values_cost_two_more_requests_plus_pages_through_the_limiter() -> None:
    _, plain, plain_gate, _ = org_import(Writer(), [EC2_INFRA])
    assert plain.requests == len(plain_gate.slots) == 2  # usage + other records, no tag rule
    outcome, explorer, gate, client = org_import(Writer(), [ACME, GLOBEX])
    assert outcome.error is None and outcome.run.status == "succeeded"
    assert explorer.requests == 5  # 2 + 1 per tag value (acme, globex) + acme's second page
    assert gate.slots == [MANAGEMENT] * 5  # every request took a limiter slot first
    tag_requests = [r for r in client.asked if len(r["Filter"].get("And", [])) > 1]
    assert [(r["Filter"]["And"][1], r.get("NextPageToken")) for r in tag_requests] == [
        ({"Tags": {"Key": "project", "Values": ["acme"]}}, None),
        ({"Tags": {"Key": "project", "Values": ["acme"]}}, "more"),
        ({"Tags": {"Key": "project", "Values": ["globex"]}}, None),
    ]


def test_a_single_account_still_asks_once_per_tag_key() -> None:
    _, explorer, gate, client = org_import(Writer(), [ACME, GLOBEX], organization=False)
    assert explorer.requests == len(gate.slots) == 2  # the month + one SERVICE x TAG:project
    assert [g["Key"] for g in client.asked[1]["GroupBy"]] == ["SERVICE", "project"]


def test_each_linked_account_gets_its_own_tagged_lines_and_a_rerun_adds_none() -> None:
    writer = Writer()
    first, *_ = org_import(writer, [ACME, GLOBEX])
    lines = {(d.account_id, d.line): (d.amount, d.category, d.tags) for d in writer.rows.values()}
    ec2 = f"service:{EC2}"
    acme = (Decimal("15.00"), "Client work", ("aws", "acme"))
    assert lines[(MEMBERS[0], f"{ec2}|tag:project=acme")] == acme
    assert lines[(MEMBERS[0], f"{ec2}|tag:project=globex")] == (Decimal("7.00"), "Other", ("aws", "globex"))
    assert lines[(MEMBERS[0], ec2)] == (Decimal("18.00"), "Software", ("aws",))
    assert lines[(MEMBERS[1], f"service:{S3}|tag:project=acme")][0] == Decimal("3.33")
    assert lines[(MEMBERS[1], f"service:{S3}")][0] == Decimal("6.67")
    assert lines[(MANAGEMENT, f"service:{S3}|tag:project=globex")][0] == Decimal("2.00")
    assert (MEMBERS[2], f"{ec2}|tag:project=acme") not in lines  # untagged member: whole lines
    assert lines[(MEMBERS[2], ec2)][0] == Decimal("40.00")
    per_service = Counter[tuple[str, str]]()
    for d in writer.rows.values():
        if d.record_type == "Usage":
            per_service[(d.account_id, d.vendor)] += int(d.amount * 100)
    assert set(per_service.values()) == {4000, 1000}  # every account's EC2 and S3 still add up

    again, *_ = org_import(writer, [ACME, GLOBEX])
    assert again.run.expenses_created == 0 and again.run.expenses_updated == 0
    assert again.run.expenses_unchanged == first.run.expenses_created == len(writer.rows) == 23


def test_a_member_connected_directly_is_skipped_without_extra_requests() -> None:
    writer = Writer()
    outcome, explorer, *_ = org_import(writer, [ACME, GLOBEX], skip=frozenset({MEMBERS[1]}))
    assert explorer.requests == 5
    assert MEMBERS[1] not in outcome.run.accounts
    assert all(d.account_id != MEMBERS[1] for d in writer.rows.values())


def test_an_organization_month_clears_vanished_lines_in_one_pass_over_its_own_accounts() -> None:
    writer = Writer()
    org_import(writer, [ACME, GLOBEX], skip=frozenset({MEMBERS[1]}))
    ((month, accounts, kept),) = writer.stale_calls  # one read of the month, not one per account
    assert month == "2026-10"
    assert accounts == {MANAGEMENT, MEMBERS[0], *MEMBERS[2:]}  # the directly connected member is not ours
    assert kept == set(writer.rows)
