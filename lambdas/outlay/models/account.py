"""Account self-service: what the user holds (shown before deletion), the export link, the deletion."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from outlay.models.fields import CamelModel, RequestModel

# What the user types to confirm: the API names it (GET /account) and checks it (DELETE /account).
DELETE_CONFIRMATION = "DELETE"


class AccountCounts(CamelModel):
    """Everything of one user, counted by kind (the confirmation step names each)."""

    expenses: int = 0
    receipts: int = Field(0, description="receipt files in storage")
    categories: int = Field(0, description="the user's own categories (starter ones are shared)")
    import_runs: int = 0
    exports: int = Field(0, description="earlier export files still in storage")
    connections: int = Field(0, description="stored AWS connections (with their encrypted secret)")
    lake_months: int = Field(0, description="months of expenses in the analytics data lake")
    other_items: int = Field(0, description="monthly totals, idempotency records and other bookkeeping")


class AccountInventory(CamelModel):
    user_id: str
    email: str
    counts: AccountCounts
    confirmation: str = Field(description="the text DELETE /account expects in `confirm`")


class AccountExport(CamelModel):
    url: str = Field(description="short-lived link to the JSON document")
    expires_in: int
    receipt_links_expire_in: int = Field(description="seconds the receipt links inside stay valid")
    counts: AccountCounts


class DeleteAccountRequest(RequestModel):
    confirm: str = Field(
        max_length=64,
        description=f'must be exactly "{DELETE_CONFIRMATION}"',
        json_schema_extra={"enum": [DELETE_CONFIRMATION]},
    )


class AccountDeletion(CamelModel):
    """`in_progress`: part of the data is gone, call again to continue (each call stays within the
    API's time limit); `deleted`: nothing of the user is left and the sign-in is gone."""

    status: Literal["in_progress", "deleted"]
    items_deleted: int
    objects_deleted: int
