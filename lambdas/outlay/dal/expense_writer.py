"""Adapter: import drafts -> the expense service's repository (`ExpensesRepository.upsert`), which
keeps the monthly summaries in the same transaction and applies the ownership rules of imported lines
(field-level merge, dismissed lines skipped). Only this module knows the Expense model."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from outlay import tables
from outlay.logic import months
from outlay.logic.cost_import import ID_PREFIX, ExpenseDraft
from outlay.logic.expenses_service import remove_expense


class RepositoryExpenseWriter:
    def __init__(self, repository: Any, receipts: Any, clock: Callable[[], datetime] | None = None) -> None:
        self.repository = repository
        self.receipts = receipts
        self._clock = clock or (lambda: datetime.now(UTC))

    @classmethod
    def for_table(
        cls, table_name: str, receipts_bucket: str, dynamodb_client: Any = None, s3_client: Any = None
    ) -> RepositoryExpenseWriter:
        from outlay.dal.expenses_repo import ExpensesRepository
        from outlay.dal.receipts import ReceiptStore

        return cls(
            ExpensesRepository(table_name, dynamodb_client=dynamodb_client),
            ReceiptStore(receipts_bucket, s3_client=s3_client),
        )

    def upsert(self, sub: str, draft: ExpenseDraft) -> str:
        from outlay.models.expenses import Expense

        now = self._clock()
        expense = Expense.model_validate(
            {
                "id": draft.id,
                "date": draft.date,
                "amount": draft.amount,
                "currency": draft.currency,
                "category": draft.category,
                "vendor": draft.vendor,
                "description": draft.description,
                "tags": list(draft.tags),
                "source": "aws",
                "createdAt": now,
                "updatedAt": now,
                "estimated": draft.estimated,
                "aws": {
                    "accountId": draft.account_id,
                    "accountName": draft.account_name,
                    "month": draft.month,
                    "line": draft.line,
                    "recordType": draft.record_type,
                    "amortizedAmount": draft.amortized_amount,
                },
            }
        )
        return str(self.repository.upsert(sub, expense))

    def remove_stale(self, sub: str, accounts: set[str], month: str, keep_ids: set[str]) -> int:
        """Imported lines of these accounts' month that the latest Cost Explorer answer no longer has
        (e.g. a charge AWS reversed before the month was finalized) are deleted with their receipt
        (the same removal as a user's delete, without dismissing: should AWS report the line again,
        it comes back), so a re-run reflects the bill. Manual expenses and other accounts' lines are
        never touched.

        Imported expenses are dated the month's last day with ids `aws-...`, so one `byDate` query on
        the prefix `<last day>#aws-` reads exactly the candidates (not the whole month)."""
        prefix = tables.date_key(months.last_day(month).isoformat(), ID_PREFIX)
        removed = 0
        for expense in list(self.repository.dated_with_prefix(sub, prefix)):
            meta = expense.aws
            if (
                expense.source == "aws"
                and meta is not None
                and meta.account_id in accounts
                and meta.month == month
                and expense.id not in keep_ids
            ):
                remove_expense(self.repository, self.receipts, sub, expense.id, dismiss=False)
                removed += 1
        return removed

    def remove_left_out(self, sub: str, expense_ids: set[str]) -> int:
        """Earlier imports of lines the user now leaves out of the import (credits/refunds when they
        chose so) are removed like vanished lines, except the ones the user edited (theirs now)."""
        from outlay.logic.errors import NotFoundError

        removed = 0
        for expense_id in sorted(expense_ids):
            try:
                expense = self.repository.get(sub, expense_id)
            except NotFoundError:
                continue
            if expense.source != "aws" or expense.user_edited:
                continue
            remove_expense(self.repository, self.receipts, sub, expense_id, dismiss=False)
            removed += 1
        return removed

    def imported_lines(self, sub: str, month: str) -> list[Any]:
        """The month's imported lines (every account): the same one `byDate` query as `remove_stale`."""
        prefix = tables.date_key(months.last_day(month).isoformat(), ID_PREFIX)
        return [
            e
            for e in self.repository.dated_with_prefix(sub, prefix)
            if e.source == "aws" and e.aws is not None and e.aws.month == month
        ]
