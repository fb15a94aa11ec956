"""Statements API Lambda: bank-statement import (upload, analyze, commit, runs).

Thin: the user from verified claims, the body/query validated, `StatementsService` does the rest.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.metrics import MetricUnit

from outlay.handlers.http import build_resolver, caller, json_response, parse_body, parse_query
from outlay.handlers.wiring import Lazy
from outlay.logic.errors import NotFoundError
from outlay.models.queries import TrashQuery
from outlay.models.settings import StatementsSettings, load, metrics_namespace
from outlay.models.statements import RUN_ID_PATTERN, UPLOAD_ID_PATTERN, AnalyzeRequest, CommitRequest

if TYPE_CHECKING:  # built (and imported) by the wiring on the first request
    from outlay.logic.statements_service import StatementsService

logger = Logger(service="statements")
metrics = Metrics(namespace=metrics_namespace(), service="statements")


def _build_service() -> StatementsService:
    from outlay.dal.wiring import build_statements_service  # boto3 and the adapters: first request

    settings = load(StatementsSettings)
    return build_statements_service(
        expenses_table=settings.expenses_table,
        receipts_bucket=settings.receipts_bucket,
        queue_url=settings.statement_queue_url,
    )


service = Lazy(_build_service)


def _known(value: str, pattern: str, what: str) -> str:
    import re

    if not re.fullmatch(pattern.strip("^$"), value):
        raise NotFoundError(f"No {what} with this id")
    return value


def _register(app: APIGatewayRestResolver) -> None:
    @app.post("/imports/statements")
    def start_upload() -> Response:
        return json_response(HTTPStatus.CREATED, service().start_upload(caller(app).sub))

    @app.get("/imports/statements/runs")
    def list_runs() -> Response:
        sub = caller(app).sub
        query = parse_query(app, TrashQuery)
        return json_response(HTTPStatus.OK, service().page(sub, query.limit, query.next))

    @app.get("/imports/statements/runs/<run_id>")
    def get_run(run_id: str) -> Response:
        sub = caller(app).sub
        return json_response(HTTPStatus.OK, service().run(sub, _known(run_id, RUN_ID_PATTERN, "import")))

    @app.post("/imports/statements/<upload_id>/analyze")
    def analyze(upload_id: str) -> Response:
        sub = caller(app).sub
        upload_id = _known(upload_id, UPLOAD_ID_PATTERN, "statement")
        request = parse_body(app, AnalyzeRequest, required=False)
        return json_response(HTTPStatus.OK, service().analyze(sub, upload_id, request.mapping))

    @app.post("/imports/statements/<upload_id>/commit")
    def commit(upload_id: str) -> Response:
        sub = caller(app).sub
        upload_id = _known(upload_id, UPLOAD_ID_PATTERN, "statement")
        run = service().commit(sub, upload_id, parse_body(app, CommitRequest))
        metrics.add_metric(name="StatementRowsQueued", unit=MetricUnit.Count, value=run.total)
        logger.info(
            "statement import queued", extra={"runId": run.run_id, "rows": run.total, "chunks": run.chunks}
        )
        return json_response(HTTPStatus.ACCEPTED, run)


def _build_resolver() -> APIGatewayRestResolver:
    resolver = build_resolver(load(StatementsSettings).origins)
    _register(resolver)
    return resolver


resolver = Lazy(_build_resolver)


@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request_id = (event.get("requestContext") or {}).get("requestId")
    if request_id:
        logger.set_correlation_id(request_id)
    return resolver().resolve(event, context)
