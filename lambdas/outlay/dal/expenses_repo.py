"""The expenses table as one repository: expenses, monthly aggregates, categories, profile and
idempotency records of one user, each kept under that user's partition key.

One class per job, composed here (used by the expenses API, the lake writer and the cost importer):
- `expense_items`: how items look in the table, and the shared reads;
- `expense_writes`: transactional writes that keep the aggregates exact (`create`, `update`,
  `delete`, `upsert` with deterministic ids, `set_receipt`, `get`);
- `expense_queries`: `page` (filtered list), `iter_expenses` (export), `month_expenses` (lake),
  `dated_with_prefix` (imported lines);
- `expense_trash`: the trash item a delete writes, `restore`, `trash_page`, `purge`;
- `expense_summaries`: `summary` from the aggregates;
- `preferences`: categories and the default currency.
"""

from __future__ import annotations

from outlay.dal.expense_queries import ExpenseQueries
from outlay.dal.expense_summaries import ExpenseSummaries
from outlay.dal.expense_trash import ExpenseTrash
from outlay.dal.expense_writes import UpsertResult
from outlay.dal.preferences import Preferences

__all__ = ["ExpensesRepository", "UpsertResult"]


class ExpensesRepository(ExpenseTrash, ExpenseQueries, ExpenseSummaries, Preferences):
    """All reads and writes of the expenses table for the expenses API and the importers."""
