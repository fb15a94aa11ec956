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
from outlay.dal.export_store import ExportStore
from outlay.dal.receipts import ReceiptStore
from outlay.dal.s3_base import LINK_TTL_SECONDS
from outlay.logic.expenses_service import ExpensesService

if TYPE_CHECKING:
    from outlay.dal.aws_sessions import AwsSessions
    from outlay.logic.account_service import AccountService
    from outlay.logic.costs_service import CostsService
    from outlay.logic.lake import LakeSync
    from outlay.logic.statements_service import StatementsService


def build_expenses_service(
    *, expenses_table: str, receipts_bucket: str, dynamodb_client: Any = None, s3_client: Any = None
) -> ExpensesService:
    return ExpensesService(
        repo=ExpensesRepository(expenses_table, dynamodb_client=dynamodb_client),
        receipts=ReceiptStore(receipts_bucket, s3_client=s3_client),
        exports=ExportStore(receipts_bucket, s3_client=s3_client),
        link_ttl_seconds=LINK_TTL_SECONDS,
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
    from outlay.dal.credentials_repo import CredentialsRepository
    from outlay.dal.identity import CognitoIdentity
    from outlay.dal.import_runs import ImportRunsRepository
    from outlay.logic.account_service import AccountService

    return AccountService(
        partition=PartitionItems(expenses_table, dynamodb_client=dynamodb_client),
        expenses=ExpensesRepository(expenses_table, dynamodb_client=dynamodb_client),
        runs=ImportRunsRepository(expenses_table, dynamodb_client=dynamodb_client),
        connections=CredentialsRepository(credentials_table, dynamodb_client=dynamodb_client),
        files=ObjectVersions(receipts_bucket, s3_client=s3_client),
        lake=ObjectVersions(lake_bucket, s3_client=s3_client),
        exports=ExportStore(receipts_bucket, s3_client=s3_client),
        receipts=ReceiptStore(receipts_bucket, s3_client=s3_client),
        identity=CognitoIdentity(user_pool_id, client=cognito_client),
        link_ttl_seconds=LINK_TTL_SECONDS,
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
    return ReceiptStore(receipts_bucket, s3_client=s3_client)


def build_costs_service(
    *,
    credentials_table: str,
    expenses_table: str | None = None,
    receipts_bucket: str | None = None,
    kms_key_id: str | None = None,
    queue_url: str | None = None,
    service_account_id: str = "",
    role_template_url: str | None = None,
    dynamodb_client: Any = None,
    kms_client: Any = None,
    sqs_client: Any = None,
    s3_client: Any = None,
    sessions: AwsSessions | None = None,
    writer: Any = None,
    clock: Callable[[], datetime] | None = None,
) -> CostsService:
    # Imported here, not at the top: the expenses and lake functions never pay for KMS/AES-GCM/STS code.
    from outlay.dal.aws_sessions import AwsSessions
    from outlay.dal.connections import AccountConnector
    from outlay.dal.credentials_repo import CredentialsRepository
    from outlay.dal.expense_writer import RepositoryExpenseWriter
    from outlay.dal.import_queue import ImportQueue
    from outlay.dal.import_runs import ImportRunsRepository
    from outlay.dal.kms_envelope import KmsEnvelope
    from outlay.logic.costs_service import CostsService

    sessions = sessions or AwsSessions()
    envelope = KmsEnvelope(kms_key_id or "", kms_client=kms_client)
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
        connector=AccountConnector(sessions, envelope),
        writer=writer,
        dismissed=writer.repository if isinstance(writer, RepositoryExpenseWriter) else None,
        queue=ImportQueue(queue_url, sqs_client=sqs_client) if queue_url else None,
        service_account=service_account,
        role_template_url=role_template_url,
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
