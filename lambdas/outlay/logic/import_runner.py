"""One user's cost import, start to finish, over injected ports (pure: no boto3, no clock reads).

connect -> for each month: Cost Explorer pages -> cost lines -> drafts -> upsert each -> count
-> record the run (always, failed or not) in the user's history.

The counts say what happened to each line: created, updated, unchanged, keptUserEdits (AWS reported a
value the user had changed; theirs was kept), dismissedSkipped (the user deleted it; not re-created)
and removed (AWS no longer reports it). The run says which months were final and which estimated.

Months are independent: a month Cost Explorer has no data for is marked failed and the others go on;
any other error (credentials, throttling) stops the run, since the next month would fail the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from outlay.logic import aws_errors
from outlay.logic.cost_import import (
    ExpenseDraft,
    MalformedCostDataError,
    drafts_for_month,
    is_estimated,
    lines_from_pages,
    totals_by_currency,
)
from outlay.logic.cost_rules import apply_rules, for_connection
from outlay.logic.cost_tags import TaggedCostSource, with_tag_split
from outlay.logic.errors import OutlayError, UpstreamUnavailableError
from outlay.models.cost_import import ImportRun, MonthProgress, Trigger
from outlay.models.cost_rules import CostRules
from outlay.models.expenses import CurrencyTotal


class CostSource(TaggedCostSource, Protocol):
    @property
    def account_id(self) -> str: ...

    def cost_and_usage_pages(self, month: str) -> list[dict[str, Any]]: ...


UPSERT_RESULTS = ("created", "updated", "unchanged", "kept_user_edits", "dismissed_skipped")


class ExpenseWriter(Protocol):
    """Writes one imported expense idempotently; returns one of `UPSERT_RESULTS`."""

    def upsert(self, sub: str, draft: ExpenseDraft) -> str: ...

    def remove_stale(self, sub: str, account_id: str, month: str, keep_ids: set[str]) -> int:
        """Delete this account-month's imported expenses whose line AWS no longer reports."""
        ...

    def remove_left_out(self, sub: str, expense_ids: set[str]) -> int:
        """Delete earlier imports of lines the user now leaves out, unless the user edited them."""
        ...


class RunStore(Protocol):
    def put(self, sub: str, run: ImportRun) -> None: ...


@dataclass
class ImportOutcome:
    run: ImportRun
    error: OutlayError | None = None  # set when the run failed or was partial

    @property
    def transient(self) -> bool:
        return self.error is not None and aws_errors.is_transient(self.error)


def run_import(
    *,
    sub: str,
    months: list[str],
    trigger: Trigger,
    connect: Callable[[], CostSource],
    writer: ExpenseWriter,
    runs: RunStore,
    now: Callable[[], str],
    run_id: str,
    rules: CostRules | None = None,
    connection_id: str | None = None,
) -> ImportOutcome:
    started = now()
    counts = dict.fromkeys((*UPSERT_RESULTS, "removed"), 0)
    amounts: list[tuple[str, Decimal]] = []
    done: list[str] = []
    estimated: list[str] = []
    failed: list[str] = []
    error: OutlayError | None = None
    account_id: str | None = None

    def record(status: str, message: str) -> ImportRun:
        run = ImportRun.model_validate(
            {
                "runId": run_id,
                "startedAt": started,
                "finishedAt": now(),
                "trigger": trigger,
                "months": months,
                "status": status,
                "accountId": account_id,
                "expensesCreated": counts["created"],
                "expensesUpdated": counts["updated"],
                "expensesUnchanged": counts["unchanged"],
                "expensesRemoved": counts["removed"],
                "expensesKeptUserEdits": counts["kept_user_edits"],
                "expensesDismissedSkipped": counts["dismissed_skipped"],
                "finalMonths": [m for m in done if m not in estimated],
                "estimatedMonths": [m for m in done if m in estimated],
                "totals": [CurrencyTotal(**t) for t in totals_by_currency(amounts)],
                "failedMonths": failed,
                "error": error.message if error else None,
                "errorCode": error.code if error else None,
                "message": message,
            }
        )
        runs.put(sub, run)
        return run

    try:
        source = connect()
        account_id = source.account_id
        for index, month in enumerate(months):
            try:
                pages = source.cost_and_usage_pages(month)
                lines = lines_from_pages(pages)
                if rules is not None:
                    lines = with_tag_split(source, month, lines, for_connection(rules.rules, connection_id))
                drafts, omitted = apply_rules(
                    drafts_for_month(sub, account_id, month, lines), lines, rules, connection_id
                )
                if is_estimated(pages):
                    estimated.append(month)
            except aws_errors.CostDataUnavailableError as exc:
                error = exc
                failed.append(month)
                continue
            except MalformedCostDataError:
                raise UpstreamUnavailableError(
                    f"Cost Explorer returned data for {month} that could not be read; will retry"
                ) from None
            except OutlayError:
                failed.extend(months[index:])
                raise
            for draft in drafts:
                outcome = _outcome(writer.upsert(sub, draft))
                counts[outcome] += 1
                if outcome != "dismissed_skipped":
                    amounts.append((draft.currency, draft.amount))
            counts["removed"] += writer.remove_stale(sub, account_id, month, {d.id for d in drafts} | omitted)
            if omitted:
                counts["removed"] += writer.remove_left_out(sub, omitted)
            done.append(month)
    except OutlayError as exc:
        error = exc
        for month in months:
            if month not in done and month not in failed:
                failed.append(month)
    except Exception:
        error = UpstreamUnavailableError("Internal error while saving the imported expenses; will retry")
        failed.extend(m for m in months if m not in done and m not in failed)
        record("partial" if done else "failed", _summary(done, failed, counts, error))
        raise

    status = "succeeded" if not failed else ("partial" if done else "failed")
    return ImportOutcome(
        run=record(status, _summary(done, failed, counts, error)), error=error if failed else None
    )


def _outcome(result: str) -> str:
    if result not in UPSERT_RESULTS:
        raise ValueError(f"unexpected upsert result {result!r}")
    return result


def _summary(done: list[str], failed: list[str], counts: dict[str, int], error: OutlayError | None) -> str:
    parts = []
    if done:
        parts.append(
            f"Imported {', '.join(done)}: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged"
            + (f", {counts['kept_user_edits']} kept your edits" if counts["kept_user_edits"] else "")
            + (f", {counts['dismissed_skipped']} dismissed (skipped)" if counts["dismissed_skipped"] else "")
            + (f", {counts['removed']} removed" if counts["removed"] else "")
        )
    if failed:
        parts.append(f"Failed {', '.join(failed)}: {error.message if error else 'unknown error'}")
    return ". ".join(parts) or "Nothing to import"


def queued_run_view(header: ImportRun, results: Mapping[str, ImportRun]) -> ImportRun:
    """A queued run (backfill) as shown: each month's own result (`results`, recorded by the worker
    that imported it) summed up; "running" while a month is still pending."""
    counts = dict.fromkeys(
        ("created", "updated", "unchanged", "removed", "kept_user_edits", "dismissed_skipped"), 0
    )
    amounts: list[tuple[str, Decimal]] = []
    progress: list[MonthProgress] = []
    failed: list[str] = []
    final: list[str] = []
    estimated: list[str] = []
    finished: list[str] = []
    account_id = header.account_id
    for month in header.months:
        result = results.get(month)
        if result is None:
            progress.append(MonthProgress(month=month, status="pending"))
            continue
        ok = result.status == "succeeded"
        progress.append(
            MonthProgress.model_validate(
                {
                    "month": month,
                    "status": "succeeded" if ok else "failed",
                    "finishedAt": result.finished_at,
                    "message": result.message,
                    "error": result.error,
                    "errorCode": result.error_code,
                }
            )
        )
        for name in counts:
            counts[name] += getattr(result, f"expenses_{name}")
        amounts.extend((t.currency, t.total) for t in result.totals)
        failed.extend(m for m in result.failed_months if m not in failed)
        final.extend(result.final_months)
        estimated.extend(result.estimated_months)
        finished.extend([result.finished_at] if result.finished_at else [])
        account_id = result.account_id or account_id
    pending = [p.month for p in progress if p.status == "pending"]
    done = len(header.months) - len(pending) - len(failed)
    status = "running" if pending else "succeeded" if not failed else "partial" if done else "failed"
    message = f"{done} of {len(header.months)} months imported"
    message += f", {len(failed)} failed" if failed else ""
    message += "" if pending else f": {counts['created']} created, {counts['updated']} updated"
    return header.model_copy(
        update={
            "status": status,
            "finished_at": None if pending else max(finished, default=header.started_at),
            "account_id": account_id,
            "expenses_created": counts["created"],
            "expenses_updated": counts["updated"],
            "expenses_unchanged": counts["unchanged"],
            "expenses_removed": counts["removed"],
            "expenses_kept_user_edits": counts["kept_user_edits"],
            "expenses_dismissed_skipped": counts["dismissed_skipped"],
            "totals": [CurrencyTotal(**t) for t in totals_by_currency(amounts)],
            "failed_months": failed,
            "final_months": final,
            "estimated_months": estimated,
            "message": message,
            "progress": progress,
        }
    )
