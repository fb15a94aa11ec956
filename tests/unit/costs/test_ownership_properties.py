"""Property: whatever users edit or delete between imports, and whatever AWS reports, no re-import
ever changes a field the user changed or brings back a line the user deleted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from outlay import tables
from outlay.dal.expense_writer import RepositoryExpenseWriter
from outlay.dal.expenses_repo import ExpensesRepository
from outlay.dal.receipts import ReceiptStore
from outlay.logic.cost_import import CostLine, drafts_for_month, expense_id

from tests.unit.conftest import create_table

SUB, ACCOUNT, MONTH = "alice", "111122223333", "2026-10"
SERVICES = ("Amazon S3", "AWS Lambda", "Amazon EC2")
IDS = [expense_id(SUB, ACCOUNT, MONTH, f"service:{name}") for name in SERVICES]

cents = st.integers(min_value=1, max_value=10_000).map(lambda c: Decimal(c).scaleb(-2))
bill = st.fixed_dictionaries({name: st.one_of(st.none(), cents) for name in SERVICES})  # None: not billed
edit = st.one_of(
    st.tuples(st.just("category"), st.sampled_from(["Travel", "Food", "Software"])),
    st.tuples(st.just("description"), st.text("abcxyz ", min_size=1, max_size=12).map(str.strip)),
    st.tuples(st.just("vendor"), st.sampled_from(["S3 backups", "Lambda", "AWS - Amazon EC2"])),
    st.tuples(st.just("tags"), st.lists(st.sampled_from(["aws", "prod", "dev"]), max_size=2, unique=True)),
    st.tuples(st.just("amount"), cents),
)
operation = st.one_of(
    st.tuples(st.just("import"), bill),
    st.tuples(st.just("edit"), st.tuples(st.sampled_from(IDS), edit)),
    st.tuples(st.just("delete"), st.sampled_from(IDS)),
)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "t",
        "AWS_SECRET_ACCESS_KEY": "t",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    yield


@contextmanager
def _moto_writer() -> Iterator[tuple[ExpensesRepository, RepositoryExpenseWriter]]:
    """The import's real expense writer over a fresh moto table and receipts bucket."""
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        create_table(ddb, tables.EXPENSES_TABLE, "own")
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="own-receipts")
        repo = ExpensesRepository("own", ddb)
        yield repo, RepositoryExpenseWriter(repo, ReceiptStore("own-receipts", s3_client=s3))


def _import(writer: RepositoryExpenseWriter, amounts: dict[str, Decimal | None]) -> None:
    lines = [
        CostLine(
            line=f"service:{name}", name=name, record_type="Usage", amount=a, amortized=a, currency="USD"
        )
        for name, a in amounts.items()
        if a is not None
    ]
    drafts = drafts_for_month(SUB, ACCOUNT, MONTH, lines)
    for draft in drafts:
        writer.upsert(SUB, draft)
    writer.remove_stale(SUB, {ACCOUNT}, MONTH, {d.id for d in drafts})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=bill, ops=st.lists(operation, min_size=1, max_size=8))
def test_reimports_never_change_user_fields_or_resurrect_dismissed_lines(
    aws_env: None, first: dict[str, Decimal | None], ops: list[tuple[str, Any]]
) -> None:
    with _moto_writer() as (repo, writer):
        _import(writer, first)
        users: dict[str, dict[str, Any]] = {}  # expense id -> field -> the user's last value
        dismissed: set[str] = set()
        for kind, arg in ops:
            stored = {e.id: e for e in repo.dated_with_prefix(SUB, "2026-10-31#aws-")}
            if kind == "import":
                _import(writer, arg)
                after = {e.id: e for e in repo.dated_with_prefix(SUB, "2026-10-31#aws-")}
                assert not dismissed & after.keys(), "a dismissed line came back"
                for gone in users.keys() - after.keys():  # AWS stopped reporting it: removed
                    del users[gone]
                for line_id, fields in users.items():
                    if line_id in after:
                        for name, value in fields.items():
                            assert getattr(after[line_id], name) == value, (line_id, name)
                            assert name in after[line_id].user_edited
            elif kind == "edit" and arg[0] in stored and getattr(stored[arg[0]], arg[1][0]) != arg[1][1]:
                line_id, (name, value) = arg
                repo.update(SUB, line_id, {name: value})
                users.setdefault(line_id, {})[name] = value
            elif kind == "delete" and arg in stored:
                repo.delete(SUB, arg)
                dismissed.add(arg)
                users.pop(arg, None)


def test_removing_vanished_lines_touches_only_the_named_accounts(aws_env: None) -> None:
    with _moto_writer() as (repo, writer):
        amount = Decimal("1.50")
        line = CostLine(
            line="service:Lambda",
            name="Lambda",
            record_type="Usage",
            amount=amount,
            amortized=amount,
            currency="USD",
        )
        for account in ("111111111111", "222222222222", "333333333333"):
            for draft in drafts_for_month(SUB, account, MONTH, [line]):
                writer.upsert(SUB, draft)

        removed = writer.remove_stale(SUB, {"111111111111", "222222222222"}, MONTH, set())

        left = [e.aws.account_id for e in repo.dated_with_prefix(SUB, "2026-10-31#aws-") if e.aws]
        assert removed == 2 and left == ["333333333333"]
