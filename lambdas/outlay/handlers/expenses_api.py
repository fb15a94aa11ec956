"""Expenses API Lambda: expenses, receipts, export, summary, categories, profile.

Thin: parse the request, take the user from verified claims, call logic + DAL, shape the response.
Settings, clients and the resolver are built on the first invocation (not at import), so tests and
the local runtime can set the environment first; `reset()` forgets them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.metrics import MetricUnit

from outlay import tables
from outlay.dal.expenses_repo import ExpensesRepository
from outlay.dal.export_store import ExportStore
from outlay.dal.receipts import ReceiptStore
from outlay.dal.s3_base import LINK_TTL_SECONDS
from outlay.handlers.http import build_resolver, caller, json_response, parse_body, parse_query
from outlay.logic.csv_export import csv_chunks
from outlay.logic.errors import ConflictError, NotFoundError
from outlay.logic.expenses import (
    STARTER_CATEGORIES,
    build_expense,
    check_expense_id,
    check_idempotency_key,
    request_fingerprint,
    resolve_category,
    starter_category,
    utc_now,
)
from outlay.logic.money import DEFAULT_CURRENCY
from outlay.logic.summary import month_range
from outlay.models.expenses import (
    Category,
    CategoryList,
    CreateCategoryRequest,
    CreateExpenseRequest,
    ExpenseFilters,
    ExportResult,
    ListQuery,
    Profile,
    ReceiptLink,
    ReceiptUploadRequest,
    SummaryQuery,
    UpdateExpenseRequest,
    UpdateProfileRequest,
)
from outlay.models.settings import ExpensesSettings, load, metrics_namespace

FiltersT = TypeVar("FiltersT", bound=ExpenseFilters)

logger = Logger(service="expenses")
tracer = Tracer(service="expenses")
metrics = Metrics(namespace=metrics_namespace(), service="expenses")


@dataclass
class Deps:
    repo: ExpensesRepository
    receipts: ReceiptStore
    exports: ExportStore


_deps: Deps | None = None
_app: APIGatewayRestResolver | None = None


def deps() -> Deps:
    global _deps
    if _deps is None:
        settings = load(ExpensesSettings)
        _deps = Deps(
            repo=ExpensesRepository(settings.expenses_table),
            receipts=ReceiptStore(settings.receipts_bucket),
            exports=ExportStore(settings.receipts_bucket),
        )
    return _deps


def reset(new_deps: Deps | None = None) -> None:
    """Forget the resolver and clients (tests, or the local runtime after changing env)."""
    global _deps, _app
    _deps, _app = new_deps, None


def _expense_id(raw: str) -> str:
    if not check_expense_id(raw):
        raise NotFoundError("Expense not found")
    return raw


def _resolve_category(sub: str, name: str) -> str:
    """Starter categories need no read; otherwise one GetItem for the user's own (400 if unknown)."""
    own = None if starter_category(name) else deps().repo.find_category(sub, name)
    return resolve_category(name, [own] if own else [])


def _filters(app: APIGatewayRestResolver, model: type[FiltersT]) -> FiltersT:
    """Query filters; a starter category matches whatever its spelling ("food" finds "Food")."""
    filters = parse_query(app, model)
    if filters.category:
        filters = filters.model_copy(
            update={"category": starter_category(filters.category) or filters.category}
        )
    return filters


def _register(app: APIGatewayRestResolver) -> None:
    @app.post("/expenses")
    @tracer.capture_method
    def create_expense() -> Response:
        sub = caller(app).sub
        request = parse_body(app, CreateExpenseRequest)
        key = app.current_event.headers.get("Idempotency-Key")  # headers are case-insensitive
        key = check_idempotency_key(key) if key is not None else None
        repo = deps().repo
        category = _resolve_category(sub, request.category)
        default_currency = None if request.currency else repo.get_default_currency(sub)
        expense = build_expense(request, category=category, default_currency=default_currency, now=utc_now())
        stored = repo.create(
            sub, expense, idempotency_key=key, request_hash=request_fingerprint(request) if key else None
        )
        if stored.id == expense.id:
            metrics.add_metric(name="ExpensesCreated", unit=MetricUnit.Count, value=1)
            logger.info("expense created", extra={"expense_id": stored.id, "source": stored.source})
        return json_response(HTTPStatus.CREATED, stored)

    @app.get("/expenses")
    @tracer.capture_method
    def list_expenses() -> Response:
        sub = caller(app).sub
        query = _filters(app, ListQuery)
        page = deps().repo.page(sub, query, limit=query.limit, cursor=query.next)
        return json_response(HTTPStatus.OK, page)

    # Registered before /expenses/<id> so "export" is never taken for an id.
    @app.get("/expenses/export")
    @tracer.capture_method
    def export_expenses() -> Response:
        sub = caller(app).sub
        filters = _filters(app, ExpenseFilters)
        d = deps()
        now = datetime.now(UTC)
        stamp = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"
        key = tables.export_key(sub, stamp)
        counter = [0]
        d.exports.write(
            key, csv_chunks(d.repo.iter_expenses(sub, filters), counter), file_name=f"outlay-{stamp}.csv"
        )
        logger.info("export written", extra={"rows": counter[0]})
        result = ExportResult(url=d.exports.link(key), rows=counter[0], expires_in=LINK_TTL_SECONDS)
        return json_response(HTTPStatus.OK, result)

    @app.get("/expenses/<expense_id>")
    @tracer.capture_method
    def get_expense(expense_id: str) -> Response:
        sub = caller(app).sub
        return json_response(HTTPStatus.OK, deps().repo.get(sub, _expense_id(expense_id)))

    @app.patch("/expenses/<expense_id>")
    @tracer.capture_method
    def update_expense(expense_id: str) -> Response:
        sub = caller(app).sub
        expense_id = _expense_id(expense_id)
        request = parse_body(app, UpdateExpenseRequest)
        changes: dict[str, Any] = request.changes()
        if "category" in changes:
            changes["category"] = _resolve_category(sub, changes["category"])
        repo = deps().repo
        updated = repo.update(sub, expense_id, changes) if changes else repo.get(sub, expense_id)
        return json_response(HTTPStatus.OK, updated)

    @app.delete("/expenses/<expense_id>")
    @tracer.capture_method
    def delete_expense(expense_id: str) -> Response:
        sub = caller(app).sub
        d = deps()
        deleted = d.repo.delete(sub, _expense_id(expense_id))
        if deleted.receipt_content_type:
            d.receipts.delete(sub, deleted.id)
        return Response(status_code=HTTPStatus.NO_CONTENT.value, body="")

    @app.post("/expenses/<expense_id>/receipt")
    @tracer.capture_method
    def start_receipt_upload(expense_id: str) -> Response:
        sub = caller(app).sub
        expense_id = _expense_id(expense_id)
        request = parse_body(app, ReceiptUploadRequest)
        d = deps()
        d.repo.set_receipt(sub, expense_id, request.content_type)  # 404 for a missing/foreign id
        upload = d.receipts.presigned_upload(sub, expense_id, request.content_type)
        return json_response(HTTPStatus.CREATED, upload)

    @app.get("/expenses/<expense_id>/receipt")
    @tracer.capture_method
    def get_receipt(expense_id: str) -> Response:
        sub = caller(app).sub
        d = deps()
        expense = d.repo.get(sub, _expense_id(expense_id))
        if not expense.receipt_content_type or not d.receipts.exists(sub, expense.id):
            raise NotFoundError("This expense has no receipt")
        link = ReceiptLink(
            url=d.receipts.presigned_download(sub, expense.id, expense.receipt_content_type),
            expires_in=LINK_TTL_SECONDS,
            content_type=expense.receipt_content_type,
        )
        return json_response(HTTPStatus.OK, link)

    @app.get("/summary")
    @tracer.capture_method
    def summary() -> Response:
        sub = caller(app).sub
        query = parse_query(app, SummaryQuery)
        start, end = month_range(query.from_, query.to, utc_now().date())
        return json_response(HTTPStatus.OK, deps().repo.summary(sub, start, end))

    @app.get("/categories")
    @tracer.capture_method
    def list_categories() -> Response:
        sub = caller(app).sub
        items = [Category(name=name, builtin=True) for name in STARTER_CATEGORIES]
        items += [Category(name=name, builtin=False) for name in deps().repo.user_categories(sub)]
        return json_response(HTTPStatus.OK, CategoryList(items=items))

    @app.post("/categories")
    @tracer.capture_method
    def create_category() -> Response:
        sub = caller(app).sub
        request = parse_body(app, CreateCategoryRequest)
        if starter_category(request.name):
            raise ConflictError(
                "This is already a starter category", [{"field": "name", "message": "duplicate"}]
            )
        deps().repo.add_category(sub, request.name)
        return json_response(HTTPStatus.CREATED, Category(name=request.name, builtin=False))

    @app.get("/profile")
    @tracer.capture_method
    def get_profile() -> Response:
        sub = caller(app).sub
        currency = deps().repo.get_default_currency(sub) or DEFAULT_CURRENCY
        return json_response(HTTPStatus.OK, Profile(default_currency=currency))

    @app.put("/profile")
    @tracer.capture_method
    def put_profile() -> Response:
        sub = caller(app).sub
        request = parse_body(app, UpdateProfileRequest)
        deps().repo.put_default_currency(sub, request.default_currency)
        return json_response(HTTPStatus.OK, Profile(default_currency=request.default_currency))


def app() -> APIGatewayRestResolver:
    global _app
    if _app is None:
        resolver = build_resolver(load(ExpensesSettings).origins)
        _register(resolver)
        _app = resolver
    return _app


@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request_id = (event.get("requestContext") or {}).get("requestId")
    if request_id:
        logger.set_correlation_id(request_id)
    return app().resolve(event, context)
