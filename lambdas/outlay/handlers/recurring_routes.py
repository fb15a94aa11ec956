"""`/recurring` routes, served by the expenses function (rules and their occurrences live in the
expenses table). Thin: user from verified claims, body/query parsed, `RecurringService` does the rest."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from outlay.handlers.http import caller, json_response, parse_body, parse_query
from outlay.handlers.wiring import Lazy
from outlay.models.queries import TrashQuery
from outlay.models.recurring import CreateRecurringRequest, UpdateRecurringRequest
from outlay.models.settings import ExpensesSettings, load

if TYPE_CHECKING:  # built (and imported) by the wiring on a /recurring request only
    from outlay.logic.recurring_service import RecurringService

logger = Logger(service="expenses")


def _log_failure(sub: str, rule_id: str, exc: Exception) -> None:
    logger.error("recurring rule failed", extra={"rule_id": rule_id, "error": type(exc).__name__})


def _build_service() -> RecurringService:
    from outlay.dal.wiring import build_recurring_service

    return build_recurring_service(
        expenses_table=load(ExpensesSettings).expenses_table, log_failure=_log_failure
    )


service = Lazy(_build_service)


def register(app: APIGatewayRestResolver) -> None:
    @app.get("/recurring")
    def list_rules() -> Response:
        sub = caller(app).sub
        query = parse_query(app, TrashQuery)
        return json_response(HTTPStatus.OK, service().page(sub, query.limit, query.next))

    @app.post("/recurring")
    def create_rule() -> Response:
        sub = caller(app).sub
        rule = service().create(sub, parse_body(app, CreateRecurringRequest))
        logger.info("recurring rule created", extra={"rule_id": rule.id})
        return json_response(HTTPStatus.CREATED, rule)

    # Registered before /recurring/<id> so "run" is never taken for an id.
    @app.post("/recurring/run")
    def run_now() -> Response:
        result = service().run_for_user(caller(app).sub)
        logger.info("recurring run (on demand)", extra={"run": result.model_dump()})
        return json_response(HTTPStatus.OK, result)

    @app.get("/recurring/<rule_id>")
    def get_rule(rule_id: str) -> Response:
        return json_response(HTTPStatus.OK, service().get(caller(app).sub, rule_id))

    @app.patch("/recurring/<rule_id>")
    def update_rule(rule_id: str) -> Response:
        sub = caller(app).sub
        request = parse_body(app, UpdateRecurringRequest)
        return json_response(HTTPStatus.OK, service().update(sub, rule_id, request))

    @app.delete("/recurring/<rule_id>")
    def delete_rule(rule_id: str) -> Response:
        service().delete(caller(app).sub, rule_id)
        return Response(status_code=HTTPStatus.NO_CONTENT.value, body="")

    @app.post("/recurring/<rule_id>/pause")
    def pause_rule(rule_id: str) -> Response:
        return json_response(HTTPStatus.OK, service().pause(caller(app).sub, rule_id))

    @app.post("/recurring/<rule_id>/resume")
    def resume_rule(rule_id: str) -> Response:
        return json_response(HTTPStatus.OK, service().resume(caller(app).sub, rule_id))

    @app.post("/recurring/<rule_id>/skip")
    def skip_next(rule_id: str) -> Response:
        return json_response(HTTPStatus.OK, service().skip_next(caller(app).sub, rule_id))
