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
    CostLine,
    ExpenseDraft,
    MalformedCostDataError,
    drafts_for_month,
    is_estimated,
    lines_by_account,
    totals_by_currency,
)
from outlay.logic.cost_rules import apply_rules, for_connection
from outlay.logic.cost_tags import (
    TaggedCostSource,
    TagPart,
    organization_tag_parts,
    split_by_tags,
    with_tag_split,
)
from outlay.logic.errors import OutlayError, UpstreamUnavailableError
from outlay.models.cost_import import ImportRun, MonthProgress, Trigger
from outlay.models.cost_rules import CostRules
from outlay.models.expenses import CurrencyTotal


class CostSource(TaggedCostSource, Protocol):
    @property
    def account_id(self) -> str: ...

    def cost_and_usage_pages(self, month: str) -> list[dict[str, Any]]:
        """The month's pages: groups keyed (service, record type) for one account, or (account,
        name, record type) for an organization (`cost_import.organization_pages`)."""
        ...

    def account_names(self) -> Mapping[str, str]:
        """Names of the accounts an organization's lines belong to (empty when not allowed)."""
        ...


UPSERT_RESULTS = ("created", "updated", "unchanged", "kept_user_edits", "dismissed_skipped")


class ExpenseWriter(Protocol):
    """Writes one imported expense idempotently; returns one of `UPSERT_RESULTS`."""

    def upsert(self, sub: str, draft: ExpenseDraft) -> str: ...

    def remove_stale(self, sub: str, accounts: set[str], month: str, keep_ids: set[str]) -> int:
        """Delete these accounts' imported expenses of the month whose line AWS no longer reports."""
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


def _month_drafts(
    sub: str,
    month: str,
    source: CostSource,
    by_account: Mapping[str, list[CostLine]],
    names: Mapping[str, str],
    skip_accounts: frozenset[str],
    rules: CostRules | None,
    connection_id: str | None,
) -> dict[str, tuple[list[ExpenseDraft], set[str]]]:
    """Per account: the month's drafts after the user's rules, and the line ids left out (credits).

    Tag rules split a single account's lines with one SERVICE x TAG request per tag key; an
    organization's (lines per linked account, which that request cannot tell apart) with one
    LINKED_ACCOUNT x SERVICE request per tag value (`cost_tags.organization_tag_parts`), each
    account's lines cut by its own parts. Accounts left to their own connection need no request."""
    own_account_only = len(by_account) == 1
    applicable = for_connection(rules.rules, connection_id) if rules else []
    org_parts: dict[str, list[TagPart]] = {}
    if rules is not None and not own_account_only:
        org_parts = organization_tag_parts(source, month, applicable)
    out: dict[str, tuple[list[ExpenseDraft], set[str]]] = {}
    for account, lines in by_account.items():
        if account != source.account_id and account in skip_accounts:
            continue
        if rules is not None and own_account_only:
            lines = with_tag_split(source, month, lines, applicable)
        elif rules is not None:
            lines = split_by_tags(lines, org_parts.get(account, []))
        drafts = drafts_for_month(sub, account, month, lines, names.get(account))
        out[account] = apply_rules(drafts, lines, rules, connection_id)
    return out


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
    connection_id: str | None = None,
    skip_accounts: frozenset[str] = frozenset(),
    rules: CostRules | None = None,
) -> ImportOutcome:
    """`skip_accounts`: linked accounts the user has connected directly. An organization's import
    leaves them to their own connection (the direct connection wins: it is the user's explicit
    choice, with its own pause switch), so each account's lines are written by one connection."""
    started = now()
    counts = dict.fromkeys((*UPSERT_RESULTS, "removed"), 0)
    amounts: list[tuple[str, Decimal]] = []
    done: list[str] = []
    estimated: list[str] = []
    failed: list[str] = []
    error: OutlayError | None = None
    account_id: str | None = None
    accounts: set[str] = set()

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
                "connectionId": connection_id,
                "accounts": sorted(accounts),
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
        names: Mapping[str, str] | None = None
        for index, month in enumerate(months):
            try:
                pages = source.cost_and_usage_pages(month)
                by_account = lines_by_account(pages, account_id)
                by_account.setdefault(account_id, [])  # an empty month still clears stale lines
                if len(by_account) > 1 and names is None:
                    names = source.account_names()
                month_drafts = _month_drafts(
                    sub, month, source, by_account, names or {}, skip_accounts, rules, connection_id
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
            kept: set[str] = set()
            for account, (drafts, omitted) in month_drafts.items():
                accounts.add(account)
                for draft in drafts:
                    outcome = _outcome(writer.upsert(sub, draft))
                    counts[outcome] += 1
                    if outcome != "dismissed_skipped":
                        amounts.append((draft.currency, draft.amount))
                kept |= {d.id for d in drafts} | omitted
                if omitted:
                    counts["removed"] += writer.remove_left_out(sub, omitted)
            # One read of the month's imported lines for all of the connection's accounts (an
            # organization's too), not one per account.
            counts["removed"] += writer.remove_stale(sub, set(month_drafts), month, kept)
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
    accounts: set[str] = set(header.accounts)
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
        accounts.update(result.accounts)
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
            "accounts": sorted(accounts),
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
