"""HTTP entry point of the "account" function: what the user holds, download all of it, delete it.

The user id is `caller(app).sub` (verified token claims) and nothing else. This is the only function
that may delete across both tables and both data buckets, and delete the user's sign-in. Deletion
works within a time budget below API Gateway's 29 s: a call that runs out answers 202
`in_progress` and the client calls again (every step is idempotent).
"""

from __future__ import annotations

import time
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from outlay.handlers.http import build_resolver, caller, json_response, parse_body
from outlay.handlers.wiring import Lazy
from outlay.models.account import DeleteAccountRequest
from outlay.models.settings import AccountSettings, load

if TYPE_CHECKING:
    from outlay.logic.account_service import AccountService

logger = Logger(service="account")

# Stop starting new work this long after a deletion call began (API Gateway gives up at 29 s).
DELETE_BUDGET_SECONDS = 20.0


def _build_service() -> AccountService:
    from outlay.dal.wiring import build_account_service  # boto3 and the adapters: first request

    settings = load(AccountSettings)
    return build_account_service(
        expenses_table=settings.expenses_table,
        credentials_table=settings.credentials_table,
        receipts_bucket=settings.receipts_bucket,
        lake_bucket=settings.lake_bucket,
        user_pool_id=settings.user_pool_id,
    )


service = Lazy(_build_service)


def _build_resolver() -> APIGatewayRestResolver:
    app = build_resolver(load(AccountSettings).origins)

    @app.get("/account")
    def inventory() -> Response:
        who = caller(app)
        return json_response(HTTPStatus.OK, service().inventory(who.sub, who.email))

    @app.post("/account/export")
    def export() -> Response:
        who = caller(app)
        result = service().export(who.sub, who.email)
        logger.info("account export written", extra={"expenses": result.counts.expenses})
        return json_response(HTTPStatus.OK, result)

    @app.delete("/account")
    def delete() -> Response:
        sub = caller(app).sub
        body = parse_body(app, DeleteAccountRequest)
        deadline = time.monotonic() + DELETE_BUDGET_SECONDS
        result = service().delete(sub, body.confirm, time_up=lambda: time.monotonic() > deadline)
        logger.info(
            "account deletion",
            extra={"status": result.status, "items": result.items_deleted, "objects": result.objects_deleted},
        )
        status = HTTPStatus.OK if result.status == "deleted" else HTTPStatus.ACCEPTED
        return json_response(status, result)

    return app


resolver = Lazy(_build_resolver)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolver().resolve(event, context)
