"""Composition root: concrete adapters -> the services the handlers call.

Every client is created lazily by its adapter (or injected here by tests and the benchmark), so
importing a handler never touches AWS or the environment. Handlers hold what these build in an
`outlay.handlers.wiring.Lazy`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from outlay.dal.expenses_repo import ExpensesRepository

if TYPE_CHECKING:
    from outlay.dal.aws_sessions import AwsSessions
    from outlay.dal.receipts import ReceiptStore
    from outlay.logic.account_service import AccountService
    from outlay.logic.aws_overview_service import AwsOverviewService
    from outlay.logic.budgets import BudgetsService
    from outlay.logic.conversions import Conversions
    from outlay.logic.costs_service import CostsService
    from outlay.logic.envelope import EnvelopeBox
    from outlay.logic.expenses_service import ExpensesService
    from outlay.logic.lake import LakeSync
    from outlay.logic.recurring_service import RecurringService
    from outlay.logic.statements_service import StatementsService


def build_expenses_service(
    *,
    expenses_table: str,
    receipts_bucket: str,
    dynamodb_client: Any = None,
    s3_client: Any = None,
    rates_table: str = "",
) -> ExpensesService:
    # Imported here, as in every builder below: a function loads only the adapters it is built from
    # (the lake writer and the cost import never compile the expenses service, receipts or export).
    from outlay.dal.export_store import ExportStore
    from outlay.dal.receipts import ReceiptStore
    from outlay.dal.s3_base import LINK_TTL_SECONDS
    from outlay.logic.expenses_service import ExpensesService

    repo = ExpensesRepository(expenses_table, dynamodb_client=dynamodb_client)
    return ExpensesService(
        repo=repo,
        receipts=ReceiptStore(receipts_bucket, s3_client=s3_client),
        exports=ExportStore(receipts_bucket, s3_client=s3_client),
        link_ttl_seconds=LINK_TTL_SECONDS,
        conversions=build_conversions(repo, rates_table, dynamodb_client) if rates_table else None,
    )


def build_account_service(
    *,
    expenses_table: str,
    credentials_table: str,
    receipts_bucket: str,
    lake_bucket: str,
    user_pool_id: str,
    dynamodb_client: Any = None,
    s3_client: Any = None,
    cognito_client: Any = None,
) -> AccountService:
    # Imported here: only the account function pays for these.
    from outlay.dal.account_data import ObjectVersions, PartitionItems
    from outlay.dal.budgets import BudgetsRepository
    from outlay.dal.connections_repo import ConnectionsRepository
    from outlay.dal.cost_rules import CostRulesStore
    from outlay.dal.export_store import ExportStore
    from outlay.dal.identity import CognitoIdentity
    from outlay.dal.import_runs import ImportRunsRepository
    from outlay.dal.receipts import ReceiptStore
    from outlay.dal.s3_base import LINK_TTL_SECONDS
    from outlay.logic.account_service import AccountService

    return AccountService(
        partition=PartitionItems(expenses_table, dynamodb_client=dynamodb_client),
        expenses=ExpensesRepository(expenses_table, dynamodb_client=dynamodb_client),
        runs=ImportRunsRepository(expenses_table, dynamodb_client=dynamodb_client),
        connections=ConnectionsRepository(credentials_table, dynamodb_client=dynamodb_client),
        files=ObjectVersions(receipts_bucket, s3_client=s3_client),
        lake=ObjectVersions(lake_bucket, s3_client=s3_client),
        exports=ExportStore(receipts_bucket, s3_client=s3_client),
        receipts=ReceiptStore(receipts_bucket, s3_client=s3_client),
        identity=CognitoIdentity(user_pool_id, client=cognito_client),
        link_ttl_seconds=LINK_TTL_SECONDS,
        budgets=BudgetsRepository(expenses_table, dynamodb_client=dynamodb_client),
        cost_rules=CostRulesStore(expenses_table, dynamodb_client=dynamodb_client),
    )


def build_lake_sync(
    *, expenses_table: str, lake_bucket: str, dynamodb_client: Any = None, s3_client: Any = None
) -> LakeSync:
    from outlay.dal.lake_store import LakeStore
    from outlay.logic.lake import LakeSync

    return LakeSync(
        expenses=ExpensesRepository(expenses_table, dynamodb_client=dynamodb_client),
        lake=LakeStore(lake_bucket, s3_client=s3_client),
    )


def build_receipt_store(*, receipts_bucket: str, s3_client: Any = None) -> ReceiptStore:
    from outlay.dal.receipts import ReceiptStore

    return ReceiptStore(receipts_bucket, s3_client=s3_client)


def build_costs_service(
    *,
    credentials_table: str,
    expenses_table: str | None = None,
    receipts_bucket: str | None = None,
    envelope_function: str = "",
    queue_url: str | None = None,
    service_account_id: str = "",
    role_template_url: str | None = None,
    dynamodb_client: Any = None,
    lambda_client: Any = None,
    sqs_client: Any = None,
    s3_client: Any = None,
    sessions: AwsSessions | None = None,
    writer: Any = None,
    clock: Callable[[], datetime] | None = None,
) -> CostsService:
    # Imported here, not at the top: the expenses and lake functions never pay for the STS/CE code.
    from outlay.dal.aws_sessions import AwsSessions
    from outlay.dal.budgets import BudgetsRepository
    from outlay.dal.ce_rate_limiter import CeRateLimiter
    from outlay.dal.connections import AccountConnector
    from outlay.dal.connections_repo import ConnectionsRepository
    from outlay.dal.cost_rules import CostRulesStore
    from outlay.dal.credentials_repo import CredentialsRepository
    from outlay.dal.expense_writer import RepositoryExpenseWriter
    from outlay.dal.import_queue import ImportQueue
    from outlay.dal.import_runs import ImportRunsRepository
    from outlay.logic.costs_service import CostsService

    sessions = sessions or AwsSessions()
    envelope = build_envelope_box(envelope_function=envelope_function, lambda_client=lambda_client)
    if writer is None and expenses_table:
        writer = RepositoryExpenseWriter.for_table(
            expenses_table, receipts_bucket or "", dynamodb_client=dynamodb_client, s3_client=s3_client
        )
    own_account: list[str] = []

    def service_account() -> str:
        # Our account is the principal users' roles trust. Deployed stacks pass it in; locally (moto)
        # it is whatever STS says we are.
        if service_account_id:
            return service_account_id
        if not own_account:
            own_account.append(sessions.own_account())
        return own_account[0]

    extra: dict[str, Any] = {"clock": clock} if clock else {}
    return CostsService(
        credentials=CredentialsRepository(credentials_table, dynamodb_client=dynamodb_client),
        runs=ImportRunsRepository(expenses_table or "", dynamodb_client=dynamodb_client),
        connector=AccountConnector(
            sessions,
            envelope,
            CeRateLimiter(expenses_table, dynamodb_client=dynamodb_client) if expenses_table else None,
        ),
        connection_store=ConnectionsRepository(credentials_table, dynamodb_client=dynamodb_client),
        writer=writer,
        dismissed=writer.repository if isinstance(writer, RepositoryExpenseWriter) else None,
        queue=ImportQueue(queue_url, sqs_client=sqs_client) if queue_url else None,
        service_account=service_account,
        role_template_url=role_template_url,
        forecasts=BudgetsRepository(expenses_table, dynamodb_client=dynamodb_client)
        if expenses_table
        else None,
        cost_rules=CostRulesStore(expenses_table, dynamodb_client=dynamodb_client)
        if expenses_table
        else None,
        categories=writer.repository if isinstance(writer, RepositoryExpenseWriter) else None,
        **extra,
    )


def build_envelope_box(*, envelope_function: str, lambda_client: Any = None) -> EnvelopeBox:
    """Users' secrets are sealed and opened by the envelope function, the only holder of the KMS key
    and of cryptography; locally `lambda_client` is local.envelope_lambda's in-process stand-in."""
    from outlay.dal.envelope_function import EnvelopeFunction

    return EnvelopeFunction(envelope_function, lambda_client=lambda_client)


def build_budgets_service(*, expenses_table: str, dynamodb_client: Any = None) -> BudgetsService:
    from outlay.dal.budgets import BudgetsRepository
    from outlay.logic.budgets import BudgetsService

    return BudgetsService(
        budgets=BudgetsRepository(expenses_table, dynamodb_client=dynamodb_client),
        spending=ExpensesRepository(expenses_table, dynamodb_client=dynamodb_client),
    )


def build_conversions(days: ExpensesRepository, rates_table: str, dynamodb_client: Any = None) -> Conversions:
    """Base-currency totals over a user's daily aggregates and the ECB rates table (read only)."""
    from outlay.dal.fx_rates import FxRates
    from outlay.logic.conversions import Conversions

    return Conversions(days=days, rates=FxRates(rates_table, dynamodb_client=dynamodb_client))


def build_aws_overview_service(
    *,
    credentials_table: str,
    expenses_table: str,
    envelope_function: str = "",
    dynamodb_client: Any = None,
    lambda_client: Any = None,
    sessions: AwsSessions | None = None,
    clock: Callable[[], datetime] | None = None,
) -> AwsOverviewService:
    """The AWS costs page: live Cost Explorer reads of each of the user's connections (through the
    shared rate limiter, as the import's), cached per connection in the expenses table."""
    from outlay.dal.aws_overview_store import ConnectionsDirectory, OverviewCacheRepository
    from outlay.logic.aws_overview_service import AwsOverviewService

    costs = build_costs_service(
        credentials_table=credentials_table,
        expenses_table=expenses_table,
        envelope_function=envelope_function,
        dynamodb_client=dynamodb_client,
        lambda_client=lambda_client,
        sessions=sessions,
        clock=clock,
    )
    extra: dict[str, Any] = {"clock": clock} if clock else {}
    return AwsOverviewService(
        connections=ConnectionsDirectory(costs.connections),
        cache=OverviewCacheRepository(expenses_table, dynamodb_client=dynamodb_client),
        **extra,
    )


def build_insights_service(
    *,
    credentials_table: str,
    expenses_table: str,
    envelope_function: str = "",
    dynamodb_client: Any = None,
    lambda_client: Any = None,
    sessions: AwsSessions | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Any:
    """AWS insights (issue 17) over each of the user's connections (read-only calls)."""
    from outlay.dal.aws_sessions import AwsSessions
    from outlay.dal.connections import AccountConnector
    from outlay.dal.insights_reader import ConnectionReaders
    from outlay.dal.insights_store import InsightsStore
    from outlay.logic.insights.service import InsightsService

    sessions = sessions or AwsSessions()
    costs = build_costs_service(
        credentials_table=credentials_table,
        expenses_table=expenses_table,
        envelope_function=envelope_function,
        dynamodb_client=dynamodb_client,
        lambda_client=lambda_client,
        sessions=sessions,
        clock=clock,
    )
    connector = AccountConnector(
        sessions, build_envelope_box(envelope_function=envelope_function, lambda_client=lambda_client)
    )
    extra: dict[str, Any] = {"clock": clock} if clock else {}
    return InsightsService(
        connections=ConnectionReaders(costs.connections, connector, sessions),
        store=InsightsStore(expenses_table, dynamodb_client=dynamodb_client),
        **extra,
    )


def build_recurring_service(
    *,
    expenses_table: str,
    dynamodb_client: Any = None,
    clock: Callable[[], datetime] | None = None,
    log_failure: Callable[[str, str, Exception], None] | None = None,
) -> RecurringService:
    from outlay.dal.recurring_rules import RecurringRules
    from outlay.logic.recurring_service import RecurringService

    extra: dict[str, Any] = {"clock": clock} if clock else {}
    if log_failure:
        extra["log_failure"] = log_failure
    return RecurringService(
        rules=RecurringRules(expenses_table, dynamodb_client=dynamodb_client),
        expenses=ExpensesRepository(expenses_table, dynamodb_client=dynamodb_client),
        **extra,
    )


def build_statements_service(
    *,
    expenses_table: str,
    receipts_bucket: str,
    queue_url: str = "",
    dynamodb_client: Any = None,
    s3_client: Any = None,
    sqs_client: Any = None,
    clock: Callable[[], datetime] | None = None,
) -> StatementsService:
    from outlay.dal.import_queue import WorkQueue
    from outlay.dal.statement_files import StatementFiles
    from outlay.dal.statement_layouts import StatementLayouts
    from outlay.dal.statement_runs import StatementRuns
    from outlay.logic.statements_service import StatementsService
    from outlay.models.statements import ChunkMessage

    extra: dict[str, Any] = {"clock": clock} if clock else {}
    return StatementsService(
        files=StatementFiles(receipts_bucket, s3_client=s3_client),
        layouts=StatementLayouts(expenses_table, dynamodb_client=dynamodb_client),
        runs=StatementRuns(expenses_table, dynamodb_client=dynamodb_client),
        expenses=ExpensesRepository(expenses_table, dynamodb_client=dynamodb_client),
        queue=WorkQueue[ChunkMessage](queue_url, sqs_client=sqs_client),
        **extra,
    )
