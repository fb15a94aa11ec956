"""The expenses use cases, over injected ports (pure: no boto3; clock and export tokens injected).

The expenses API handler parses input, calls one of these, and maps the result. The concrete adapters
(DynamoDB repository, receipt and export buckets) are wired in `outlay.dal.wiring`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from outlay import tables
from outlay.logic.conversions import Conversions
from outlay.logic.csv_export import csv_chunks
from outlay.logic.currencies import CURRENCIES, TABLE_PUBLISHED
from outlay.logic.errors import ConflictError, NotFoundError
from outlay.logic.expenses import (
    STARTER_CATEGORIES,
    build_expense,
    check_expense_id,
    check_idempotency_key,
    request_fingerprint,
    resolve_category,
    starter_category,
    utc_now,
)
from outlay.logic.fx import BASE_CURRENCIES
from outlay.logic.money import DEFAULT_CURRENCY
from outlay.logic.summary import build_summary, month_range
from outlay.models.expenses import (
    Category,
    CategoryList,
    CreateExpenseRequest,
    CurrencyEntry,
    CurrencyList,
    EmptyTrashResult,
    Expense,
    ExpensePage,
    ExportResult,
    Profile,
    ReceiptLink,
    Summary,
    TrashedExpense,
    TrashPage,
    UpdateExpenseRequest,
    UpdateProfileRequest,
)
from outlay.models.queries import ExpenseFilters, ListQuery, SummaryQuery, TrashQuery

FiltersT = TypeVar("FiltersT", bound=ExpenseFilters)


# ------------------------------------------------------------------------------------------ ports
class ExpenseStore(Protocol):
    def get(self, sub: str, expense_id: str) -> Expense: ...
    def create(
        self, sub: str, expense: Expense, idempotency_key: str | None = None, request_hash: str | None = None
    ) -> Expense: ...
    def update(self, sub: str, expense_id: str, changes: Mapping[str, Any]) -> Expense: ...
    def set_receipt(self, sub: str, expense_id: str, content_type: str) -> Expense: ...
    def delete(
        self, sub: str, expense_id: str, *, trash_at: datetime | None = None, dismiss: bool = True
    ) -> Expense: ...
    def restore(self, sub: str, expense_id: str, now: datetime) -> Expense: ...
    def purge(self, sub: str, expense_id: str) -> TrashedExpense: ...
    def trash_page(
        self, sub: str, now: datetime, limit: int = 50, cursor: str | None = None
    ) -> TrashPage: ...
    def trashed_ids(self, sub: str) -> Iterator[str]: ...
    def page(
        self, sub: str, filters: ExpenseFilters, limit: int = 50, cursor: str | None = None
    ) -> ExpensePage: ...
    def iter_expenses(self, sub: str, filters: ExpenseFilters) -> Iterator[Expense]: ...
    def summary(self, sub: str, start: str, end: str) -> Summary: ...
    def user_categories(self, sub: str) -> list[str]: ...
    def find_category(self, sub: str, name: str) -> str | None: ...
    def add_category(self, sub: str, name: str) -> None: ...
    def get_default_currency(self, sub: str) -> str | None: ...
    def put_default_currency(self, sub: str, currency: str) -> None: ...
    def get_base_currency(self, sub: str) -> str | None: ...
    def put_base_currency(self, sub: str, currency: str | None) -> None: ...


class ReceiptFiles(Protocol):
    def presigned_upload(self, sub: str, expense_id: str, content_type: str) -> dict[str, Any]: ...
    def exists(self, sub: str, expense_id: str) -> bool: ...
    def presigned_download(self, sub: str, expense_id: str, content_type: str) -> str: ...
    def delete(self, sub: str, expense_id: str) -> None: ...


class ExportFiles(Protocol):
    def write(self, key: str, chunks: Iterable[bytes], *, file_name: str) -> int: ...
    def link(self, key: str) -> str: ...


def remove_expense(
    repo: ExpenseStore, receipts: ReceiptFiles, sub: str, expense_id: str, *, dismiss: bool = True
) -> Expense:
    """An expense goes away for good: the expense (dismissed too when it is an imported line and
    `dismiss`), then its receipt file when it has one. Imports use it for lines AWS stopped
    reporting; a user's delete goes to the trash instead (`ExpensesService.delete`)."""
    deleted = repo.delete(sub, expense_id, dismiss=dismiss)
    if deleted.receipt_content_type:
        receipts.delete(sub, deleted.id)
    return deleted


@dataclass
class Created:
    expense: Expense
    new: bool  # False: an Idempotency-Key replay returned the expense created before


@dataclass
class ExpensesService:
    repo: ExpenseStore
    receipts: ReceiptFiles
    exports: ExportFiles
    link_ttl_seconds: int
    clock: Callable[[], datetime] = field(default=utc_now)
    new_token: Callable[[], str] = field(default=lambda: secrets.token_hex(4))
    # Base-currency totals (ECB rates); None where no rates table is wired (summaries stay per currency).
    conversions: Conversions | None = None

    # -------------------------------------------------------------------------------- helpers
    @staticmethod
    def known_id(raw: str) -> str:
        """An id that cannot exist is simply not found (never a 400 that reveals the id rules)."""
        if not check_expense_id(raw):
            raise NotFoundError("Expense not found")
        return raw

    def _category(self, sub: str, name: str) -> str:
        """Starter categories need no read; otherwise one GetItem for the user's own (400 if unknown)."""
        own = None if starter_category(name) else self.repo.find_category(sub, name)
        return resolve_category(name, [own] if own else [])

    @staticmethod
    def filters(filters: FiltersT) -> FiltersT:
        """A starter category matches whatever its spelling ("food" finds "Food")."""
        if filters.category:
            return filters.model_copy(
                update={"category": starter_category(filters.category) or filters.category}
            )
        return filters

    # -------------------------------------------------------------------------------- expenses
    def create(self, sub: str, request: CreateExpenseRequest, idempotency_key: str | None) -> Created:
        key = check_idempotency_key(idempotency_key) if idempotency_key is not None else None
        category = self._category(sub, request.category)
        default_currency = None if request.currency else self.repo.get_default_currency(sub)
        expense = build_expense(
            request, category=category, default_currency=default_currency, now=self.clock()
        )
        stored = self.repo.create(
            sub, expense, idempotency_key=key, request_hash=request_fingerprint(request) if key else None
        )
        return Created(stored, new=stored.id == expense.id)

    def page(self, sub: str, query: ListQuery) -> ExpensePage:
        query = self.filters(query)
        return self.repo.page(sub, query, limit=query.limit, cursor=query.next)

    def get(self, sub: str, expense_id: str) -> Expense:
        return self.repo.get(sub, self.known_id(expense_id))

    def update(self, sub: str, expense_id: str, request: UpdateExpenseRequest) -> Expense:
        expense_id = self.known_id(expense_id)
        changes: dict[str, Any] = request.changes()
        if "category" in changes:
            changes["category"] = self._category(sub, changes["category"])
        return self.repo.update(sub, expense_id, changes) if changes else self.repo.get(sub, expense_id)

    def delete(self, sub: str, expense_id: str) -> None:
        """Move the expense to the trash for TRASH_DAYS (same transaction as the delete; an imported
        line is also dismissed). Its receipt object stays: Undo/restore brings it back; TTL expiry of
        the trash item removes it."""
        self.repo.delete(sub, self.known_id(expense_id), trash_at=self.clock())

    # -------------------------------------------------------------------------------- trash
    def trash(self, sub: str, query: TrashQuery) -> TrashPage:
        return self.repo.trash_page(sub, self.clock(), limit=query.limit, cursor=query.next)

    def restore(self, sub: str, expense_id: str) -> Expense:
        """The same id back, with its receipt, aggregates and index items (the create transaction);
        an imported line's dismissal is lifted in that transaction."""
        if not check_expense_id(expense_id):
            raise NotFoundError("This expense is not in the trash")
        return self.repo.restore(sub, expense_id, self.clock())

    def purge(self, sub: str, expense_id: str) -> None:
        """Delete a trashed expense for good, with its receipt object."""
        if not check_expense_id(expense_id):
            raise NotFoundError("This expense is not in the trash")
        gone = self.repo.purge(sub, expense_id)
        if gone.receipt_content_type:
            self.receipts.delete(sub, gone.id)

    def empty_trash(self, sub: str) -> EmptyTrashResult:
        deleted = 0
        for expense_id in list(self.repo.trashed_ids(sub)):
            try:
                self.purge(sub, expense_id)
            except NotFoundError:
                continue  # restored or purged meanwhile
            deleted += 1
        return EmptyTrashResult(deleted=deleted)

    def export(self, sub: str, filters: ExpenseFilters) -> ExportResult:
        """Every matching expense as one CSV file under the user's prefix, and a link to it."""
        filters = self.filters(filters)
        stamp = f"{self.clock():%Y%m%dT%H%M%SZ}-{self.new_token()}"
        key = tables.export_key(sub, stamp)
        counter = [0]
        self.exports.write(
            key, csv_chunks(self.repo.iter_expenses(sub, filters), counter), file_name=f"outlay-{stamp}.csv"
        )
        return ExportResult(url=self.exports.link(key), rows=counter[0], expires_in=self.link_ttl_seconds)

    # -------------------------------------------------------------------------------- receipts
    def start_receipt_upload(self, sub: str, expense_id: str, content_type: str) -> dict[str, Any]:
        expense_id = self.known_id(expense_id)
        self.repo.set_receipt(sub, expense_id, content_type)  # 404 for a missing/foreign id
        return self.receipts.presigned_upload(sub, expense_id, content_type)

    def receipt_link(self, sub: str, expense_id: str) -> ReceiptLink:
        """404 unless the expense has a receipt and the file was actually uploaded."""
        expense = self.get(sub, expense_id)
        if not expense.receipt_content_type or not self.receipts.exists(sub, expense.id):
            raise NotFoundError("This expense has no receipt")
        return ReceiptLink(
            url=self.receipts.presigned_download(sub, expense.id, expense.receipt_content_type),
            expires_in=self.link_ttl_seconds,
            content_type=expense.receipt_content_type,
        )

    # ------------------------------------------------------------------- summary and preferences
    def summary(self, sub: str, query: SummaryQuery) -> Summary:
        """Whole months from the aggregates, narrowed to one category and/or currency when asked
        (exact and cheap: the aggregates are per month x currency x category)."""
        start, end = month_range(query.from_, query.to, self.clock().date())
        whole = self.repo.summary(sub, start, end)
        category = (starter_category(query.category) or query.category) if query.category else None
        result = (
            build_summary(start, end, whole.items, category=category, currency=query.currency)
            if query.category or query.currency
            else whole
        )
        base = self.repo.get_base_currency(sub) if self.conversions else None
        if self.conversions and base:
            result.converted = self.conversions.convert(
                sub, start, end, base, category=category, currency=query.currency, monthly=result.items
            )
        return result

    def categories(self, sub: str) -> CategoryList:
        items = [Category(name=name, builtin=True) for name in STARTER_CATEGORIES]
        items += [Category(name=name, builtin=False) for name in self.repo.user_categories(sub)]
        return CategoryList(items=items)

    def add_category(self, sub: str, name: str) -> Category:
        if starter_category(name):
            raise ConflictError(
                "This is already a starter category", [{"field": "name", "message": "duplicate"}]
            )
        self.repo.add_category(sub, name)
        return Category(name=name, builtin=False)

    @staticmethod
    def currencies() -> CurrencyList:
        return CurrencyList(
            published=TABLE_PUBLISHED,
            items=[
                CurrencyEntry(
                    code=info.code,
                    name=info.name,
                    minor_units=info.minor_units,
                    withdrawn=info.withdrawn,
                    ecb_rate=info.code in BASE_CURRENCIES,
                )
                for info in CURRENCIES.values()
                if info.minor_units is not None
            ],
        )

    def profile(self, sub: str) -> Profile:
        return Profile(
            default_currency=self.repo.get_default_currency(sub) or DEFAULT_CURRENCY,
            base_currency=self.repo.get_base_currency(sub),
        )

    def set_profile(self, sub: str, request: UpdateProfileRequest) -> Profile:
        """Only the fields sent change; `baseCurrency: null` turns conversion off."""
        if request.default_currency is not None:
            self.repo.put_default_currency(sub, request.default_currency)
        if "base_currency" in request.model_fields_set:
            self.repo.put_base_currency(sub, request.base_currency)
        return self.profile(sub)
