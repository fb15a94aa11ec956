"""Environment variables of each function, validated once per cold start."""

from __future__ import annotations

import os
from functools import cache
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field


class _EnvModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True, defer_build=True)


class ApiSettings(_EnvModel):
    # Comma-separated cross-origin callers (the first is canonical); empty = same-origin only.
    allowed_origins: str = Field("", alias="ALLOWED_ORIGINS")

    @property
    def origins(self) -> list[str]:
        return [o.strip() for o in self.allowed_origins.split(",") if o.strip()]


class ExpensesSettings(ApiSettings):
    expenses_table: str = Field(alias="EXPENSES_TABLE")
    receipts_bucket: str = Field(alias="RECEIPTS_BUCKET")
    # ECB rates (read only); empty: no base-currency conversion (summaries stay per currency).
    rates_table: str = Field("", alias="RATES_TABLE")


class LakeSettings(_EnvModel):
    expenses_table: str = Field(alias="EXPENSES_TABLE")
    lake_bucket: str = Field(alias="LAKE_BUCKET")
    # Receipts of trashed expenses are deleted when TTL removes the trash item (stream REMOVE).
    receipts_bucket: str = Field(alias="RECEIPTS_BUCKET")


class CostsSettings(ApiSettings):
    expenses_table: str = Field(alias="EXPENSES_TABLE")
    # Imports remove a vanished line's receipt with it (the same removal as a user's delete).
    receipts_bucket: str = Field(alias="RECEIPTS_BUCKET")
    credentials_table: str = Field(alias="CREDENTIALS_TABLE")
    # The envelope function (name or ARN) that seals and opens users' secrets; this one holds no key.
    envelope_function: str = Field(alias="ENVELOPE_FUNCTION")
    import_queue_url: str = Field("", alias="IMPORT_QUEUE_URL")
    # The account that users' roles trust (ours); filled from the stack, read for role-setup.
    service_account_id: str = Field("", alias="SERVICE_ACCOUNT_ID")


class AccountSettings(ApiSettings):
    """Account self-service: reads and deletes everything of one user, and the user's sign-in."""

    expenses_table: str = Field(alias="EXPENSES_TABLE")
    credentials_table: str = Field(alias="CREDENTIALS_TABLE")
    receipts_bucket: str = Field(alias="RECEIPTS_BUCKET")
    lake_bucket: str = Field(alias="LAKE_BUCKET")
    user_pool_id: str = Field(alias="USER_POOL_ID")


def metrics_namespace() -> str:
    """The stack sets POWERTOOLS_METRICS_NAMESPACE per environment (Outlay/<env>); tests and the local
    runtime may import handlers before setting it, so they fall back to plain "Outlay"."""
    return os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "Outlay"


_Settings = TypeVar("_Settings", bound=_EnvModel)


@cache
def load(model: type[_Settings]) -> _Settings:
    """Read `model` from the environment once; tests call `load.cache_clear()` after changing env."""
    return model.model_validate(dict(os.environ))


class DispatcherSettings(_EnvModel):
    """Cost-import dispatcher: reads enabled user ids (never secrets), writes the queue."""

    credentials_table: str = Field(alias="CREDENTIALS_TABLE")
    import_queue_url: str = Field(alias="IMPORT_QUEUE_URL")


class WorkerSettings(_EnvModel):
    """Cost-import worker: has one user's credentials opened, writes that user's expenses."""

    expenses_table: str = Field(alias="EXPENSES_TABLE")
    receipts_bucket: str = Field(alias="RECEIPTS_BUCKET")
    credentials_table: str = Field(alias="CREDENTIALS_TABLE")
    # The envelope function (name or ARN) that seals and opens users' secrets; this one holds no key.
    envelope_function: str = Field(alias="ENVELOPE_FUNCTION")


class FxRatesSettings(_EnvModel):
    """The daily ECB rates function: writes the rates table, nothing else."""

    rates_table: str = Field(alias="RATES_TABLE")


class RecurringRunnerSettings(_EnvModel):
    """The daily recurring run: rules and occurrences live in the expenses table."""

    expenses_table: str = Field(alias="EXPENSES_TABLE")


class StatementsSettings(ApiSettings):
    """Statement import API: the user's expenses, uploaded statements (receipts bucket), the chunk queue."""

    expenses_table: str = Field(alias="EXPENSES_TABLE")
    receipts_bucket: str = Field(alias="RECEIPTS_BUCKET")
    statement_queue_url: str = Field(alias="STATEMENT_QUEUE_URL")


class StatementWorkerSettings(_EnvModel):
    """Statement chunk worker: reads one uploaded statement, writes that user's expenses."""

    expenses_table: str = Field(alias="EXPENSES_TABLE")
    receipts_bucket: str = Field(alias="RECEIPTS_BUCKET")
