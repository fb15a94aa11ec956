"""Expenses API Lambda: expenses, receipts, export, summary, categories, profile, budgets.

Thin: parse the request, take the user from verified claims, call `ExpensesService` (where the rules
live), shape the response. The service and the resolver are built on the first invocation (not at
import; `outlay.handlers.wiring.Lazy`), so tests and the local runtime can set the environment first.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.metrics import MetricUnit

from outlay.handlers.http import build_resolver, caller, json_response, parse_body, parse_query
from outlay.handlers.recurring_routes import register as register_recurring
from outlay.handlers.wiring import Lazy
from outlay.logic.expenses_service import ExpensesService
from outlay.models.budgets import BudgetKeyQuery, BudgetQuery, PutBudgetRequest
from outlay.models.expenses import (
    CreateCategoryRequest,
    CreateExpenseRequest,
    ReceiptUploadRequest,
    UpdateExpenseRequest,
    UpdateProfileRequest,
)
from outlay.models.queries import ExpenseFilters, ListQuery, SummaryQuery, TrashQuery
from outlay.models.settings import ExpensesSettings, load, metrics_namespace

if TYPE_CHECKING:  # built (and imported) by the wiring on a budget request only
    from outlay.logic.budgets import BudgetsService

logger = Logger(service="expenses")
metrics = Metrics(namespace=metrics_namespace(), service="expenses")


def _build_service() -> ExpensesService:
    from outlay.dal.wiring import build_expenses_service  # boto3 and the adapters: first request, not INIT

    settings = load(ExpensesSettings)
    return build_expenses_service(
        expenses_table=settings.expenses_table,
        receipts_bucket=settings.receipts_bucket,
        rates_table=settings.rates_table,
    )


service = Lazy(_build_service)


def _build_budgets() -> BudgetsService:
    from outlay.dal.wiring import build_budgets_service

    return build_budgets_service(expenses_table=load(ExpensesSettings).expenses_table)


budgets = Lazy(_build_budgets)


def _register(app: APIGatewayRestResolver) -> None:
    @app.post("/expenses")
    def create_expense() -> Response:
        sub = caller(app).sub
        request = parse_body(app, CreateExpenseRequest)
        key = app.current_event.headers.get("Idempotency-Key")  # headers are case-insensitive
        created = service().create(sub, request, key)
        if created.new:
            metrics.add_metric(name="ExpensesCreated", unit=MetricUnit.Count, value=1)
            logger.info(
                "expense created", extra={"expense_id": created.expense.id, "source": created.expense.source}
            )
        return json_response(HTTPStatus.CREATED, created.expense)

    @app.get("/expenses")
    def list_expenses() -> Response:
        sub = caller(app).sub
        return json_response(HTTPStatus.OK, service().page(sub, parse_query(app, ListQuery)))

    # Registered before /expenses/<id> so "export" is never taken for an id.
    @app.get("/expenses/export")
    def export_expenses() -> Response:
        sub = caller(app).sub
        result = service().export(sub, parse_query(app, ExpenseFilters))
        logger.info("export written", extra={"rows": result.rows})
        return json_response(HTTPStatus.OK, result)

    @app.get("/expenses/<expense_id>")
    def get_expense(expense_id: str) -> Response:
        sub = caller(app).sub
        return json_response(HTTPStatus.OK, service().get(sub, expense_id))

    @app.patch("/expenses/<expense_id>")
    def update_expense(expense_id: str) -> Response:
        sub = caller(app).sub
        expense_id = ExpensesService.known_id(expense_id)  # 404 before any body error
        request = parse_body(app, UpdateExpenseRequest)
        return json_response(HTTPStatus.OK, service().update(sub, expense_id, request))

    @app.delete("/expenses/<expense_id>")
    def delete_expense(expense_id: str) -> Response:
        service().delete(caller(app).sub, expense_id)
        return Response(status_code=HTTPStatus.NO_CONTENT.value, body="")

    @app.get("/trash")
    def list_trash() -> Response:
        sub = caller(app).sub
        return json_response(HTTPStatus.OK, service().trash(sub, parse_query(app, TrashQuery)))

    @app.delete("/trash")
    def empty_trash() -> Response:
        return json_response(HTTPStatus.OK, service().empty_trash(caller(app).sub))

    @app.post("/trash/<expense_id>/restore")
    def restore_expense(expense_id: str) -> Response:
        restored = service().restore(caller(app).sub, expense_id)
        logger.info("expense restored", extra={"expense_id": restored.id})
        return json_response(HTTPStatus.OK, restored)

    @app.delete("/trash/<expense_id>")
    def purge_expense(expense_id: str) -> Response:
        service().purge(caller(app).sub, expense_id)
        return Response(status_code=HTTPStatus.NO_CONTENT.value, body="")

    @app.post("/expenses/<expense_id>/receipt")
    def start_receipt_upload(expense_id: str) -> Response:
        sub = caller(app).sub
        expense_id = ExpensesService.known_id(expense_id)  # 404 before any body error
        request = parse_body(app, ReceiptUploadRequest)
        upload = service().start_receipt_upload(sub, expense_id, request.content_type)
        return json_response(HTTPStatus.CREATED, upload)

    @app.get("/expenses/<expense_id>/receipt")
    def get_receipt(expense_id: str) -> Response:
        return json_response(HTTPStatus.OK, service().receipt_link(caller(app).sub, expense_id))

    @app.get("/summary")
    def summary() -> Response:
        sub = caller(app).sub
        return json_response(HTTPStatus.OK, service().summary(sub, parse_query(app, SummaryQuery)))

    @app.get("/categories")
    def list_categories() -> Response:
        return json_response(HTTPStatus.OK, service().categories(caller(app).sub))

    @app.post("/categories")
    def create_category() -> Response:
        sub = caller(app).sub
        request = parse_body(app, CreateCategoryRequest)
        return json_response(HTTPStatus.CREATED, service().add_category(sub, request.name))

    @app.get("/currencies")
    def list_currencies() -> Response:
        caller(app)  # authorized like every route, though the table is the same for everybody
        return json_response(HTTPStatus.OK, ExpensesService.currencies())

    @app.get("/profile")
    def get_profile() -> Response:
        return json_response(HTTPStatus.OK, service().profile(caller(app).sub))

    @app.put("/profile")
    def put_profile() -> Response:
        sub = caller(app).sub
        request = parse_body(app, UpdateProfileRequest)
        return json_response(HTTPStatus.OK, service().set_profile(sub, request))

    @app.get("/budgets")
    def list_budgets() -> Response:
        sub = caller(app).sub
        return json_response(HTTPStatus.OK, budgets().statuses(sub, parse_query(app, BudgetQuery).month))

    @app.put("/budgets")
    def put_budget() -> Response:
        sub = caller(app).sub
        return json_response(HTTPStatus.OK, budgets().put(sub, parse_body(app, PutBudgetRequest)))

    @app.delete("/budgets")
    def delete_budget() -> Response:
        sub = caller(app).sub
        query = parse_query(app, BudgetKeyQuery)
        return json_response(HTTPStatus.OK, budgets().delete(sub, query.currency, query.category))


def _build_resolver() -> APIGatewayRestResolver:
    resolver = build_resolver(load(ExpensesSettings).origins)
    _register(resolver)
    register_recurring(resolver)
    return resolver


resolver = Lazy(_build_resolver)


@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request_id = (event.get("requestContext") or {}).get("requestId")
    if request_id:
        logger.set_correlation_id(request_id)
    return resolver().resolve(event, context)
