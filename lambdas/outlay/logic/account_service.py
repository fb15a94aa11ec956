"""Account self-service over injected ports (pure: no boto3): inventory, export, deletion.

- `inventory`: what the user holds, counted by kind, for the confirmation step before deletion.
- `export`: everything of the user's as one JSON document streamed into their export prefix
  (expenses with links to their receipts, categories, profile, AWS connections WITHOUT any secret,
  import history), answered with a short-lived link. Inline, bounded: at most
  `MAX_EXPORT_EXPENSES` expenses, so one request stays well inside API Gateway's 29 s.
- `delete`: the stored credentials first (a queued import then finds nothing to do), then every item
  of the user's partition whatever its kind (deleted by partition key, not by known kinds) with the
  data-lake objects of the months those items name, then every object version under the user's
  prefix, and the sign-in last. Each step is idempotent and the sign-in goes only once all data is
  gone, so a failure at any point leaves a user who can sign in and call again; a call that runs
  out of its time budget answers `in_progress` and the next call continues.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from outlay import tables
from outlay.logic.errors import InvalidInputError, PayloadTooLargeError
from outlay.logic.expenses import utc_now
from outlay.models.account import (
    DELETE_CONFIRMATION,
    AccountCounts,
    AccountDeletion,
    AccountExport,
    AccountInventory,
)
from outlay.models.budgets import Budget
from outlay.models.connections import StoredConnection
from outlay.models.cost_import import ImportRun
from outlay.models.cost_rules import CostRules
from outlay.models.expenses import Expense
from outlay.models.queries import ExpenseFilters

# 100,000 expenses export as CSV in 17.7 s (bench/RESULTS.md); half that many, plus the other kinds,
# keeps one JSON export well inside the 29-s API limit.
MAX_EXPORT_EXPENSES = 50_000
# Receipt links inside the downloaded document: long enough to read it and fetch them (a presigned
# link also ends when the signing function's session credentials do).
RECEIPT_LINK_SECONDS = 3600
IMPORT_HISTORY_PAGE = 100
# Items deleted between two looks at the clock (20 BatchWriteItem calls of 25).
DELETE_PAGE_ITEMS = 500


@dataclass(frozen=True)
class StoredItem:
    """One item of the user's partition: its sort key, and for an expense the month it falls in."""

    sk: str
    month: str | None = None  # yyyy-mm


# ------------------------------------------------------------------------------------------ ports
class UserPartition(Protocol):
    def pages(self, sub: str, page_size: int | None = None) -> Iterator[list[StoredItem]]: ...
    def delete(self, sub: str, sort_keys: Sequence[str]) -> None: ...


class UserObjects(Protocol):
    def keys(self, prefix: str) -> Iterator[str]: ...
    def purge(self, prefix: str) -> int: ...


class ExpenseSource(Protocol):
    def iter_expenses(self, sub: str, filters: ExpenseFilters) -> Iterator[Expense]: ...
    def user_categories(self, sub: str) -> list[str]: ...
    def get_default_currency(self, sub: str) -> str | None: ...
    def get_base_currency(self, sub: str) -> str | None: ...


class BudgetSource(Protocol):
    def list_budgets(self, sub: str) -> list[Budget]: ...


class ImportHistory(Protocol):
    def page(
        self, sub: str, limit: int = 20, next_token: str | None = None
    ) -> tuple[list[ImportRun], str | None]: ...


class CostRuleSource(Protocol):
    def get(self, sub: str) -> CostRules: ...


class StoredConnections(Protocol):
    def list(self, sub: str) -> list[StoredConnection]: ...
    def forget(self, sub: str) -> bool: ...


class ExportFiles(Protocol):
    def write(self, key: str, chunks: Iterable[bytes], *, file_name: str, content_type: str) -> int: ...
    def link(self, key: str) -> str: ...


class ReceiptLinks(Protocol):
    def presigned_download(
        self, sub: str, expense_id: str, content_type: str, expires_in: int = ...
    ) -> str: ...


class Identity(Protocol):
    def delete_user(self, sub: str) -> None: ...


def _never() -> bool:
    return False


# -------------------------------------------------------------------------------- pure helpers
def receipts_prefix(sub: str) -> str:
    return tables.receipt_key(sub, "")


def _profile(default_currency: str | None, base_currency: str | None) -> dict[str, str | None]:
    """The profile as exported; `baseCurrency` only when the user picked one (as GET /profile)."""
    profile: dict[str, str | None] = {"defaultCurrency": default_currency}
    if base_currency:
        profile["baseCurrency"] = base_currency
    return profile


def exports_prefix(sub: str) -> str:
    return tables.export_key(sub, "").rsplit("/", 1)[0] + "/"


def user_prefix(sub: str) -> str:
    """Every object of the user's in the receipts bucket (receipts, exports) sits under this."""
    return f"{sub}/"


def lake_object(sub: str, month: str) -> str:
    year, mm = month.split("-")
    return tables.lake_key(year, mm, sub)


def connection_view(stored: StoredConnection) -> dict[str, Any]:
    """A stored connection for the user's own eyes: named fields only, never the secret envelope."""
    return {
        "id": stored.connection_id,
        "name": stored.name,
        "isOrganization": stored.is_organization,
        "configured": stored.configured,
        "type": stored.type,
        "region": stored.region,
        "accountId": stored.account_id,
        "enabled": stored.enabled,
        "roleArn": stored.role_arn,
        "accessKeyId": stored.key_hint,  # masked when stored (AKIA…WXYZ)
        "externalId": stored.external_id,
        "createdAt": stored.created_at,
        "updatedAt": stored.updated_at,
    }


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


@dataclass
class AccountService:
    partition: UserPartition
    expenses: ExpenseSource
    runs: ImportHistory
    connections: StoredConnections
    files: UserObjects  # the receipts bucket: receipts and exports under the user's prefix
    lake: UserObjects
    exports: ExportFiles
    receipts: ReceiptLinks
    identity: Identity
    link_ttl_seconds: int
    clock: Callable[[], datetime] = field(default=utc_now)
    new_token: Callable[[], str] = field(default=lambda: secrets.token_hex(4))
    max_export_expenses: int = MAX_EXPORT_EXPENSES
    budgets: BudgetSource | None = None
    cost_rules: CostRuleSource | None = None  # the user's rules from AWS lines to categories

    # -------------------------------------------------------------------------------- inventory
    def inventory(self, sub: str, email: str) -> AccountInventory:
        counts = AccountCounts()
        months: set[str] = set()
        for page in self.partition.pages(sub):
            for item in page:
                if item.sk.startswith(tables.EXPENSE_PREFIX):
                    counts.expenses += 1
                    if item.month:
                        months.add(item.month)
                elif item.sk.startswith(tables.CATEGORY_PREFIX):
                    counts.categories += 1
                elif item.sk.startswith(tables.IMPORT_RUN_PREFIX):
                    counts.import_runs += 1
                else:
                    counts.other_items += 1
        counts.lake_months = len(months)
        counts.receipts = sum(1 for _ in self.files.keys(receipts_prefix(sub)))
        counts.exports = sum(1 for _ in self.files.keys(exports_prefix(sub)))
        counts.connections = sum(1 for c in self.connections.list(sub) if c.configured)
        return AccountInventory(user_id=sub, email=email, counts=counts, confirmation=DELETE_CONFIRMATION)

    # -------------------------------------------------------------------------------- export
    def export(self, sub: str, email: str) -> AccountExport:
        now = self.clock()
        stamp = f"{now:%Y%m%dT%H%M%SZ}-{self.new_token()}"
        key = tables.export_key(sub, stamp, extension="json")
        counts = AccountCounts()
        self.exports.write(
            key,
            self._document(sub, email, now, counts),
            file_name=f"outlay-account-{stamp}.json",
            content_type="application/json; charset=utf-8",
        )
        return AccountExport(
            url=self.exports.link(key),
            expires_in=self.link_ttl_seconds,
            receipt_links_expire_in=RECEIPT_LINK_SECONDS,
            counts=counts,
        )

    def _history(self, sub: str) -> list[dict[str, Any]]:
        runs: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page, token = self.runs.page(sub, limit=IMPORT_HISTORY_PAGE, next_token=token)
            runs += [run.model_dump(mode="json", by_alias=True, exclude_none=True) for run in page]
            if not token:
                return runs

    def _document(self, sub: str, email: str, now: datetime, counts: AccountCounts) -> Iterator[bytes]:
        """The export as a stream of JSON fragments; expenses are written one at a time."""
        connections = [connection_view(c) for c in self.connections.list(sub)]
        categories = self.expenses.user_categories(sub)
        history = self._history(sub)
        with_receipt = {key.rsplit("/", 1)[-1] for key in self.files.keys(receipts_prefix(sub))}
        counts.categories, counts.import_runs = len(categories), len(history)
        counts.connections = sum(1 for c in connections if c["configured"])
        head = {
            "format": "outlay-account-export",
            "version": 1,
            "exportedAt": now.isoformat().replace("+00:00", "Z"),
            "user": {"id": sub, "email": email},
            "profile": _profile(
                self.expenses.get_default_currency(sub), self.expenses.get_base_currency(sub)
            ),
            "categories": categories,
            "connections": connections,
            "importHistory": history,
            "budgets": [
                b.model_dump(mode="json", by_alias=True)
                for b in (self.budgets.list_budgets(sub) if self.budgets else [])
            ],
        }
        if self.cost_rules is not None:
            head["awsCostRules"] = self.cost_rules.get(sub).model_dump(mode="json", by_alias=True)
        yield (_json(head)[:-1] + ',"expenses":[').encode("utf-8")
        for expense in self.expenses.iter_expenses(sub, ExpenseFilters()):
            if counts.expenses >= self.max_export_expenses:
                raise PayloadTooLargeError(
                    f"More than {self.max_export_expenses} expenses: too many to export at once. "
                    "Export them as CSV by date range (Expenses, Export)."
                )
            entry = expense.model_dump(mode="json", by_alias=True, exclude_none=True)
            if expense.receipt_content_type and expense.id in with_receipt:
                counts.receipts += 1
                entry["receipt"] = {
                    "contentType": expense.receipt_content_type,
                    "url": self.receipts.presigned_download(
                        sub, expense.id, expense.receipt_content_type, expires_in=RECEIPT_LINK_SECONDS
                    ),
                }
            yield ((b"," if counts.expenses else b"") + _json(entry).encode("utf-8"))
            counts.expenses += 1
        yield b"]}\n"

    # -------------------------------------------------------------------------------- deletion
    def delete(self, sub: str, confirm: str, time_up: Callable[[], bool] = _never) -> AccountDeletion:
        if confirm != DELETE_CONFIRMATION:
            raise InvalidInputError(
                f'Type "{DELETE_CONFIRMATION}" to confirm',
                [{"field": "confirm", "message": f'must be exactly "{DELETE_CONFIRMATION}"'}],
            )
        items = 1 if self.connections.forget(sub) else 0
        objects = 0
        months: set[str] = set()
        for page in self.partition.pages(sub, DELETE_PAGE_ITEMS):
            # Lake objects of a page's months go before its items, so a retry still knows the months.
            new_months = {item.month for item in page if item.month} - months
            for month in sorted(new_months):
                objects += self.lake.purge(lake_object(sub, month))
            months |= new_months
            self.partition.delete(sub, [item.sk for item in page])
            items += len(page)
            if time_up():
                return AccountDeletion(status="in_progress", items_deleted=items, objects_deleted=objects)
        objects += self.files.purge(user_prefix(sub))
        # Again: the lake writer may have rewritten a month from a change made before the deletion.
        for month in sorted(months):
            objects += self.lake.purge(lake_object(sub, month))
        self.identity.delete_user(sub)
        return AccountDeletion(status="deleted", items_deleted=items, objects_deleted=objects)
