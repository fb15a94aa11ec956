"""DynamoDB table shapes and item keys: the data stack, the local runtime and the DAL all read these.

Expenses table (single-table, everything of one user in one partition `USER#<sub>`):

- expense: sk EXPENSE#<id>; `dateKey` = <date>#<id> feeds the LSI
- monthly aggregate: sk SUMMARY#<yyyy-mm>#<currency>#<category>; total + count, same transaction
- user category: sk CATEGORY#<casefolded name>
- profile: sk PROFILE (default currency)
- idempotency record: sk IDEMPOTENCY#<key>, ttl `expiresAt`, same transaction as the create
- import run: sk IMPORTRUN#<started iso>#<run id> (cost-import history); RUNID#<run id> points to it
- trashed expense: sk TRASH#<id>; the expense's fields (no `dateKey`, so lists never see it) +
  `deletedAt`, ttl `expiresAt` = 30 days later; written in the delete's transaction, removed by the
  restore's; its receipt object is removed when TTL removes the item (lake writer, stream REMOVE)
- dismissed imported line: sk DISMISSED#<expense id>, no TTL (re-imports never re-create it;
  restoring from the trash or from the dismissed list lifts it)
- filter/search index item: sk IX#<kind>#<value>#<dateKey>, a full copy of the expense (type INDEX,
  no `dateKey` attribute so the LSI never lists it), written/deleted in the expense's transaction.
  Kinds and values come from `outlay.logic.search.index_entries` (category, currency, vendor
  prefixes, tags, word tokens; at most `MAX_INDEX_ENTRIES` per expense). Values never contain '#'
  (folded to a space), so `begins_with(sk, IX#<kind>#<value>#)` is exactly one bucket, newest first
  with ScanIndexForward=false, and a date range is a BETWEEN on the same prefix.
- daily aggregate: sk DAY#<yyyy-mm-dd>#<currency>#<category>; total + count, same transaction as the
  expense (like SUMMARY#): a base-currency summary converts each day's bucket at that day's ECB rate,
  so it reads O(days x currencies x categories shown), never the expenses themselves
- import run of one AWS connection: sk CONNRUN#<connection id>#<started iso>#<run id>, points to the
  run's IMPORTRUN item (`runSk`), so a connection's own history is one query, newest first
- AWS cost rules: sk AWSRULES; the ordered rules from AWS lines to categories + the credits choice
- AWS costs page cache: sk AWSCOSTS#<connection id>, the last Cost Explorer overview read for that
  connection (JSON + `fetchedAt`); sk AWSCOSTS-REFRESH remembers the user's last forced refresh.
- Cost Explorer rate counter (not user data: one per calling AWS account): pk CERATE#<account id>,
  sk SECOND#<epoch second>, `n` calls granted in that second, ttl `expiresAt` two minutes later.
- recurring rule: sk RECURRING#<rule id>. While active it also carries `dueShard` = DUE and
  `dueKey` = <next due date>#<sub>#<rule id>, the keys of the sparse `byDue` global index: the daily
  run reads `dueKey <= <today>#~` and so pays for the rules due, not for every user or rule. Paused
  and ended rules drop both attributes and leave the index.

The `byDate` local secondary index (sort key `dateKey`) lists a user's expenses newest first and
answers date ranges with a key condition, so a page reads O(page) items. Credentials table: one item
per user, partition key `userId` = sub; the user's AWS connections are a map in it (see
`outlay.dal.connections_repo`).

Rates table (not user data: only the scheduled rates function writes it, the APIs read it): one item
per ECB publication day, partition key `source` = "ECB", sort key `date`, attribute `rates` = a map
currency -> units per 1 EUR (the ECB reference rate, exact decimal).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IndexSpec:
    name: str
    sort_key: str
    partition_key: str | None = None  # None = local secondary index (shares the table's partition key)


@dataclass(frozen=True)
class TableSpec:
    logical_name: str
    partition_key: str
    sort_key: str | None = None
    indexes: tuple[IndexSpec, ...] = field(default_factory=tuple)
    ttl_attribute: str | None = None
    stream: bool = False


EXPENSES_TABLE = TableSpec(
    logical_name="Expenses",
    partition_key="pk",
    sort_key="sk",
    indexes=(
        IndexSpec(name="byDate", sort_key="dateKey"),
        IndexSpec(name="byDue", partition_key="dueShard", sort_key="dueKey"),
    ),
    ttl_attribute="expiresAt",
    stream=True,  # feeds the data-lake writer
)

CREDENTIALS_TABLE = TableSpec(logical_name="AwsCredentials", partition_key="userId")

RATES_TABLE = TableSpec(logical_name="FxRates", partition_key="source", sort_key="date")

BY_DATE_INDEX = "byDate"
BY_DUE_INDEX = "byDue"
DUE_SHARD = "DUE"


def user_pk(sub: str) -> str:
    return f"USER#{sub}"


def expense_sk(expense_id: str) -> str:
    return f"EXPENSE#{expense_id}"


def date_key(date_iso: str, expense_id: str) -> str:
    return f"{date_iso}#{expense_id}"


def summary_sk(month: str, currency: str, category: str) -> str:
    return f"SUMMARY#{month}#{currency}#{category}"


def category_sk(name: str) -> str:
    return f"CATEGORY#{name.casefold()}"


PROFILE_SK = "PROFILE"


def idempotency_sk(key: str) -> str:
    return f"IDEMPOTENCY#{key}"


def import_run_sk(started_at_iso: str, run_id: str) -> str:
    return f"IMPORTRUN#{started_at_iso}#{run_id}"


def trash_sk(expense_id: str) -> str:
    return f"TRASH#{expense_id}"


def run_id_sk(run_id: str) -> str:
    return f"RUNID#{run_id}"


def dismissed_sk(expense_id: str) -> str:
    return f"DISMISSED#{expense_id}"


def aws_costs_sk(connection_id: str) -> str:
    return f"AWSCOSTS#{connection_id}"


AWS_COSTS_REFRESH_SK = "AWSCOSTS-REFRESH"


def ce_rate_pk(account_id: str) -> str:
    return f"CERATE#{account_id}"


def ce_rate_sk(second: int) -> str:
    return f"SECOND#{second}"


def recurring_sk(rule_id: str) -> str:
    return f"RECURRING#{rule_id}"


def due_key(next_due_iso: str, sub: str, rule_id: str) -> str:
    return f"{next_due_iso}#{sub}#{rule_id}"


EXPENSE_PREFIX = "EXPENSE#"
TRASH_PREFIX = "TRASH#"
DISMISSED_PREFIX = "DISMISSED#"
SUMMARY_PREFIX = "SUMMARY#"
CATEGORY_PREFIX = "CATEGORY#"
IMPORT_RUN_PREFIX = "IMPORTRUN#"
INDEX_PREFIX = "IX#"
DAY_PREFIX = "DAY#"


def day_sk(day_iso: str, currency: str, category: str) -> str:
    return f"{DAY_PREFIX}{day_iso}#{currency}#{category}"


ECB_SOURCE = "ECB"


CONNECTION_RUN_PREFIX = "CONNRUN#"


def connection_runs_prefix(connection_id: str) -> str:
    return f"{CONNECTION_RUN_PREFIX}{connection_id}#"


def connection_run_sk(connection_id: str, started_at_iso: str, run_id: str) -> str:
    return f"{connection_runs_prefix(connection_id)}{started_at_iso}#{run_id}"


COST_RULES_SK = "AWSRULES"
RECURRING_PREFIX = "RECURRING#"


def index_prefix(kind: str, value: str) -> str:
    """The sort-key prefix of one index bucket (`value` holds no '#')."""
    return f"{INDEX_PREFIX}{kind}#{value}#"


def index_sk(kind: str, value: str, date_key_value: str) -> str:
    return index_prefix(kind, value) + date_key_value


# S3 keys of user data start with the user's sub (receipts bucket); the lake is partitioned by time.
def receipt_key(sub: str, expense_id: str) -> str:
    return f"{sub}/receipts/{expense_id}"


def export_key(sub: str, stamp: str, extension: str = "csv") -> str:
    return f"{sub}/exports/{stamp}.{extension}"


def lake_key(year: str, month: str, sub: str) -> str:
    """One JSON-lines object per user-month, rewritten from DynamoDB on every change of that month.

    Time partitions come first because the Glue table projects year/month; the sub is the object
    name so a user's month is one object (QuickSight and Athena read few large files, not millions).
    """
    return f"expenses/year={year}/month={month}/{sub}.json"


# Budgets (issue 18.1): one item per budget, and the AWS forecast the costs function last fetched.
# - budget: sk BUDGET#<currency>#<casefolded category>; the overall budget has an empty category
# - AWS forecast: sk FORECAST#<yyyy-mm>, written by the costs function whenever it fetches the
#   month's Cost Explorer forecast, read by the budgets check (the expenses function never calls AWS)
BUDGET_PREFIX = "BUDGET#"


def budget_sk(currency: str, category: str | None) -> str:
    return f"{BUDGET_PREFIX}{currency}#{(category or '').casefold()}"


def forecast_sk(month: str) -> str:
    return f"FORECAST#{month}"


# --- AWS insights (issue 17): cached results per connection, and the regions the user scans ---
def insights_sk(connection_id: str) -> str:
    """sk INSIGHTS#<connection id>: the last insights read for one connection (JSON + `readAt`)."""
    return f"INSIGHTS#{connection_id}"


INSIGHTS_SETTINGS_SK = "INSIGHTSSETTINGS"  # the regions the user chose to scan, monthly summary opt-in
INSIGHTS_NOTICE_SK = "INSIGHTSNOTICE"  # the monthly summary notice, until the user dismisses it
# --- statements (bank-statement import) ---
# - statement import run: sk STMTRUN#<run id> (run ids start with the UTC time, so newest first);
#   per-chunk results in its `chunkResults` map, like a backfill's `monthResults`
# - remembered column mapping of a file layout: sk STMTLAYOUT#<layout signature>
STATEMENT_RUN_PREFIX = "STMTRUN#"


def statement_run_sk(run_id: str) -> str:
    return f"{STATEMENT_RUN_PREFIX}{run_id}"


def statement_layout_sk(signature: str) -> str:
    return f"STMTLAYOUT#{signature}"


def statement_key(sub: str, upload_id: str) -> str:
    """An uploaded bank statement (receipts bucket, under the owner's sub)."""
    return f"{sub}/statements/{upload_id}.csv"
