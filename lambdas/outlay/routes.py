"""The one route table: the API stack, the local gateway and the OpenAPI document all read it.

Paths use API Gateway syntax (`{id}`). `function` names the Lambda (bounded context) that serves the
route; the API stack creates one integration per function, the local gateway one handler per function.
Models are named by dotted path so this module imports nothing heavier than the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Lambda functions that serve HTTP, keyed by the name the route table uses -> handler entry point.
HTTP_FUNCTIONS: dict[str, str] = {
    "expenses": "outlay.handlers.expenses_api.handler",
    "costs": "outlay.handlers.costs_api.handler",
    "account": "outlay.handlers.account_api.handler",
    "statements": "outlay.handlers.statements_api.handler",
}

# Lambda functions driven by events, not HTTP.
EVENT_FUNCTIONS: dict[str, str] = {
    "cost_import_dispatcher": "outlay.handlers.cost_import_dispatcher.handler",
    "cost_import_worker": "outlay.handlers.cost_import_worker.handler",
    "lake_writer": "outlay.handlers.lake_writer.handler",
    "fx_rates": "outlay.handlers.fx_rates.handler",
    "recurring_runner": "outlay.handlers.recurring_runner.handler",
    "statement_import_worker": "outlay.handlers.statement_import_worker.handler",
    # Invoked by the costs and worker functions (Lambda Invoke): seals and opens users' secrets.
    "envelope": "outlay.handlers.envelope_keeper.handler",
}

EXPENSE_FILTERS = ("from", "to", "month", "category", "tag", "vendor", "min", "max", "currency", "q")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    summary: str
    body_model: str | None = None  # dotted path of the pydantic request model
    body_required: bool = True
    query: tuple[str, ...] = field(default_factory=tuple)
    admin_only: bool = False

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(part[1:-1] for part in self.path.split("/") if part.startswith("{"))


_M = "outlay.models"

ROUTES: tuple[Route, ...] = (
    # --- expenses (bounded context: expense service) ---
    Route("POST", "/expenses", "expenses", "Create an expense", f"{_M}.expenses.CreateExpenseRequest"),
    Route(
        "GET",
        "/expenses",
        "expenses",
        "List expenses, newest first",
        query=(*EXPENSE_FILTERS, "limit", "next"),
    ),
    Route(
        "GET", "/expenses/export", "expenses", "Export the filtered expenses as CSV", query=EXPENSE_FILTERS
    ),
    Route("GET", "/expenses/{id}", "expenses", "Get one expense"),
    Route("PATCH", "/expenses/{id}", "expenses", "Update an expense", f"{_M}.expenses.UpdateExpenseRequest"),
    Route("DELETE", "/expenses/{id}", "expenses", "Move an expense to the trash (kept 30 days)"),
    Route("GET", "/trash", "expenses", "Deleted expenses, restorable for 30 days", query=("limit", "next")),
    Route("DELETE", "/trash", "expenses", "Empty the trash (receipts too)"),
    Route("POST", "/trash/{id}/restore", "expenses", "Restore a deleted expense: same id, same receipt"),
    Route("DELETE", "/trash/{id}", "expenses", "Delete a trashed expense for good (receipt too)"),
    Route(
        "POST",
        "/expenses/{id}/receipt",
        "expenses",
        "Start a receipt upload (presigned POST)",
        f"{_M}.expenses.ReceiptUploadRequest",
    ),
    Route("GET", "/expenses/{id}/receipt", "expenses", "Get a short-lived link to the receipt"),
    Route(
        "GET",
        "/summary",
        "expenses",
        "Totals per month x category x currency",
        query=("from", "to", "category", "currency"),
    ),
    Route("GET", "/categories", "expenses", "Starter categories plus the user's own"),
    Route(
        "POST",
        "/categories",
        "expenses",
        "Add a category of the user's own",
        f"{_M}.expenses.CreateCategoryRequest",
    ),
    Route("GET", "/currencies", "expenses", "ISO 4217 currencies and their minor units (decimals)"),
    Route("GET", "/profile", "expenses", "The user's preferences (default currency)"),
    Route(
        "PUT", "/profile", "expenses", "Update the user's preferences", f"{_M}.expenses.UpdateProfileRequest"
    ),
    # --- AWS cost tracking (bounded context: credentials + import) ---
    Route("GET", "/aws-credentials", "costs", "Connection status, never a secret"),
    Route(
        "POST",
        "/aws-credentials",
        "costs",
        "Validate and save credentials (role or keys)",
        f"{_M}.credentials.SaveCredentialsRequest",
    ),
    Route("DELETE", "/aws-credentials", "costs", "Remove the stored credentials"),
    Route(
        "PUT",
        "/aws-credentials/toggle",
        "costs",
        "Enable or disable scheduled imports",
        f"{_M}.credentials.ToggleRequest",
    ),
    Route("GET", "/aws-credentials/role-setup", "costs", "ExternalId, policy and template for the role"),
    Route(
        "POST",
        "/aws-cost-import",
        "costs",
        "Import the caller's AWS costs: one month now (200), several months queued (202 + run id)",
        f"{_M}.cost_import.ImportRequest",
        body_required=False,
    ),
    Route(
        "POST",
        "/aws-cost-import/all",
        "costs",
        "Import for every enabled user (admins only)",
        admin_only=True,
    ),
    Route("GET", "/aws-cost-import/history", "costs", "The caller's import runs", query=("limit", "next")),
    Route("GET", "/aws-cost-import/runs/{runId}", "costs", "One import run, with month-by-month progress"),
    Route(
        "GET",
        "/aws-cost-import/dismissed",
        "costs",
        "Imported lines the caller deleted (imports skip them)",
        query=("limit", "next"),
    ),
    Route(
        "POST",
        "/aws-cost-import/dismissed/{id}/restore",
        "costs",
        "Restore a dismissed imported line (imports update it again)",
    ),
    Route("GET", "/aws-costs/forecast", "costs", "This month's cost forecast"),
    # --- account self-service (bounded context: everything of one user) ---
    Route("GET", "/account", "account", "What the account holds, counted by kind, before deletion"),
    Route(
        "POST",
        "/account/export",
        "account",
        "Download all my data: one JSON document (receipts as links), never a secret",
    ),
    Route(
        "DELETE",
        "/account",
        "account",
        "Delete everything of the caller's and the sign-in (202 = in progress, call again)",
        f"{_M}.account.DeleteAccountRequest",
    ),
    # --- budgets (issue 18.1; served by the expenses function) ---
    Route(
        "GET",
        "/budgets",
        "expenses",
        "Budgets with the month's status (spent, remaining, days left)",
        query=("month",),
    ),
    Route(
        "PUT",
        "/budgets",
        "expenses",
        "Set the monthly budget of one category (or the overall one) in one currency",
        f"{_M}.budgets.PutBudgetRequest",
    ),
    Route(
        "DELETE",
        "/budgets",
        "expenses",
        "Delete one budget (category + currency; no category: the overall one); returns it for undo",
        query=("currency", "category"),
    ),
    # --- AWS connections (bounded context: credentials + import) ---
    Route("GET", "/aws-connections", "costs", "The caller's AWS connections (never a secret)"),
    Route(
        "POST",
        "/aws-connections",
        "costs",
        "Validate (STS) and add an AWS connection: role or keys; 409 if the account is connected",
        f"{_M}.connections.CreateConnectionRequest",
    ),
    Route("GET", "/aws-connections/{id}", "costs", "One AWS connection"),
    Route(
        "PATCH",
        "/aws-connections/{id}",
        "costs",
        "Rename, pause or resume an AWS connection",
        f"{_M}.connections.UpdateConnectionRequest",
    ),
    Route(
        "DELETE",
        "/aws-connections/{id}",
        "costs",
        "Delete an AWS connection (imported lines stay); restorable for 10 minutes (Undo)",
    ),
    Route(
        "POST",
        "/aws-connections/{id}/restore",
        "costs",
        "Undo a delete: the same connection comes back; 404 after 10 minutes, 409 if re-added",
    ),
    Route(
        "GET",
        "/aws-connections/{id}/history",
        "costs",
        "The import runs of one connection, newest first",
        query=("limit", "next"),
    ),
    # --- rules (AWS lines -> categories, credits shown or left out) ---
    Route("GET", "/aws-cost-rules", "costs", "The caller's rules from AWS lines to categories, in order"),
    Route(
        "PUT",
        "/aws-cost-rules",
        "costs",
        "Replace the ordered rules (first match wins) and the credits choice",
        f"{_M}.cost_rules.CostRulesRequest",
    ),
    Route(
        "GET",
        "/aws-cost-rules/preview",
        "costs",
        "What the saved rules would change on last month's imported lines at the next import",
    ),
    # --- AWS costs page (awspage) ---
    Route(
        "GET",
        "/aws-costs/overview",
        "costs",
        "Live AWS costs (month to date by day and service, forecast, 12 months), cached per connection",
        query=("connection", "refresh"),
    ),
    # --- AWS insights (issue 17) ---
    Route(
        "GET",
        "/aws-insights",
        "costs",
        "Waste, anomalies and commitments per AWS connection (cached with their time of reading)",
        query=("connection", "refresh", "cachedOnly"),
    ),
    Route("GET", "/aws-insights/settings", "costs", "The regions the insights scan"),
    Route(
        "PUT",
        "/aws-insights/settings",
        "costs",
        "Regions the insights scan (empty = regions with spend last month), monthly summary on/off",
        f"{_M}.insights.InsightsSettingsRequest",
    ),
    Route("DELETE", "/aws-insights/notice", "costs", "Dismiss the monthly insights summary"),
    # --- recurring expenses (served by the expenses function: rules live in the expenses table) ---
    Route("GET", "/recurring", "expenses", "The caller's recurring rules", query=("limit", "next")),
    Route(
        "POST",
        "/recurring",
        "expenses",
        "Create a recurring rule (occurrences already due are written at once)",
        f"{_M}.recurring.CreateRecurringRequest",
    ),
    Route("POST", "/recurring/run", "expenses", "Run now: write the caller's due occurrences"),
    Route("GET", "/recurring/{id}", "expenses", "Get one recurring rule"),
    Route(
        "PATCH",
        "/recurring/{id}",
        "expenses",
        "Update a rule (future occurrences only)",
        f"{_M}.recurring.UpdateRecurringRequest",
    ),
    Route("DELETE", "/recurring/{id}", "expenses", "Delete a rule (its occurrences stay)"),
    Route("POST", "/recurring/{id}/pause", "expenses", "Pause a rule"),
    Route("POST", "/recurring/{id}/resume", "expenses", "Resume a rule from today"),
    Route("POST", "/recurring/{id}/skip", "expenses", "Skip the rule's next occurrence"),
    # --- statements (bank-statement import) ---
    Route("POST", "/imports/statements", "statements", "Start a statement upload (presigned POST to S3)"),
    Route(
        "POST",
        "/imports/statements/{uploadId}/analyze",
        "statements",
        "Layout, proposed column mapping, bad rows by line and likely duplicates of an uploaded statement",
        f"{_M}.statements.AnalyzeRequest",
        body_required=False,
    ),
    Route(
        "POST",
        "/imports/statements/{uploadId}/commit",
        "statements",
        "Import the statement in the background (202 + run id); idempotent per file and row",
        f"{_M}.statements.CommitRequest",
    ),
    Route(
        "GET",
        "/imports/statements/runs",
        "statements",
        "The caller's statement imports",
        query=("limit", "next"),
    ),
    Route(
        "GET",
        "/imports/statements/runs/{runId}",
        "statements",
        "One statement import: progress and bad lines",
    ),
)
