"""HTTP entry point of the "costs" function: AWS connection, role setup, imports, history, forecast.

The user id is always `caller(app).sub` (verified token claims). Nothing here reads the environment
or builds a client at import time: `service()` and `resolver()` are built on first use
(`outlay.handlers.wiring.Lazy`), and tests swap the service with `service.use(...)`.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from outlay.handlers.http import build_resolver, caller, json_response, parse_body, parse_query
from outlay.handlers.wiring import Lazy
from outlay.models.aws_overview import OverviewQuery
from outlay.models.connections import CreateConnectionRequest, UpdateConnectionRequest
from outlay.models.cost_import import HistoryQuery, ImportRequest
from outlay.models.cost_rules import CostRulesRequest
from outlay.models.credentials import SaveCredentialsRequest, ToggleRequest
from outlay.models.insights import Insights, InsightsQuery, InsightsSettingsRequest
from outlay.models.settings import CostsSettings, load

if TYPE_CHECKING:
    from outlay.logic.aws_overview_service import AwsOverviewService
    from outlay.logic.costs_service import CostsService
    from outlay.logic.insights.service import InsightsService

logger = Logger(service="costs")


def _build_service() -> CostsService:
    from outlay.dal.wiring import build_costs_service  # boto3 and the adapters: first request, not INIT

    settings = load(CostsSettings)
    return build_costs_service(
        expenses_table=settings.expenses_table,
        receipts_bucket=settings.receipts_bucket,
        credentials_table=settings.credentials_table,
        envelope_function=settings.envelope_function,
        queue_url=settings.import_queue_url or None,
        service_account_id=settings.service_account_id,
    )


service = Lazy(_build_service)


def _build_overview() -> AwsOverviewService:
    from outlay.dal.wiring import build_aws_overview_service

    settings = load(CostsSettings)
    return build_aws_overview_service(
        credentials_table=settings.credentials_table,
        expenses_table=settings.expenses_table,
        envelope_function=settings.envelope_function,
    )


overview = Lazy(_build_overview)


def _build_insights() -> InsightsService:
    from outlay.dal.wiring import build_insights_service

    settings = load(CostsSettings)
    return build_insights_service(
        credentials_table=settings.credentials_table,
        expenses_table=settings.expenses_table,
        envelope_function=settings.envelope_function,
    )


insights = Lazy(_build_insights)


def _build_resolver() -> APIGatewayRestResolver:
    app = build_resolver(load(CostsSettings).origins)

    @app.get("/aws-credentials")
    def get_credentials() -> Response:
        return json_response(HTTPStatus.OK, service().status(caller(app).sub))

    @app.post("/aws-credentials")
    def save_credentials() -> Response:
        sub = caller(app).sub
        body = parse_body(app, SaveCredentialsRequest)
        result = service().save(sub, body)
        logger.info("aws credentials saved", extra={"type": body.root.type})
        return json_response(HTTPStatus.OK, result)

    @app.delete("/aws-credentials")
    def delete_credentials() -> Response:
        return json_response(HTTPStatus.OK, service().delete(caller(app).sub))

    @app.put("/aws-credentials/toggle")
    def toggle() -> Response:
        sub = caller(app).sub
        body = parse_body(app, ToggleRequest)
        return json_response(HTTPStatus.OK, service().toggle(sub, body.enabled))

    @app.get("/aws-credentials/role-setup")
    def role_setup() -> Response:
        return json_response(HTTPStatus.OK, service().role_setup(caller(app).sub))

    @app.post("/aws-cost-import")
    def import_now() -> Response:
        sub = caller(app).sub
        body = parse_body(app, ImportRequest, required=False)
        run = service().import_now(sub, body)
        logger.info("manual import", extra={"runId": run.run_id, "status": run.status})
        # A backfill was queued: 202 with the run id; GET /aws-cost-import/runs/{id} shows progress.
        return json_response(HTTPStatus.ACCEPTED if run.status == "running" else HTTPStatus.OK, run)

    @app.get("/aws-cost-import/runs/<run_id>")
    def get_run(run_id: str) -> Response:
        return json_response(HTTPStatus.OK, service().run(caller(app).sub, run_id))

    @app.post("/aws-cost-import/all")
    def import_all() -> Response:
        who = caller(app)
        result = service().enqueue_all_as(who.is_admin)
        logger.info("admin import queued", extra=result)
        return json_response(HTTPStatus.ACCEPTED, result)

    @app.get("/aws-cost-import/history")
    def history() -> Response:
        sub = caller(app).sub
        query = parse_query(app, HistoryQuery)
        return json_response(HTTPStatus.OK, service().history(sub, query.limit, query.next))

    @app.get("/aws-cost-import/dismissed")
    def dismissed() -> Response:
        sub = caller(app).sub
        query = parse_query(app, HistoryQuery)
        return json_response(HTTPStatus.OK, service().dismissed_lines(sub, query.limit, query.next))

    @app.post("/aws-cost-import/dismissed/<expense_id>/restore")
    def restore_dismissed(expense_id: str) -> Response:
        sub = caller(app).sub
        return json_response(HTTPStatus.OK, service().restore_dismissed(sub, expense_id))

    @app.get("/aws-connections")
    def list_connections() -> Response:
        return json_response(HTTPStatus.OK, service().connections.views(caller(app).sub))

    @app.post("/aws-connections")
    def add_connection() -> Response:
        sub = caller(app).sub
        body = parse_body(app, CreateConnectionRequest)
        view = service().connections.create(sub, body)
        logger.info("aws connection added", extra={"type": view.type, "organization": view.is_organization})
        return json_response(HTTPStatus.CREATED, view)

    @app.get("/aws-connections/<connection_id>")
    def get_connection(connection_id: str) -> Response:
        sub = caller(app).sub
        connections = service().connections
        return json_response(HTTPStatus.OK, connections.view(sub, connections.get(sub, connection_id)))

    @app.patch("/aws-connections/<connection_id>")
    def update_connection(connection_id: str) -> Response:
        sub = caller(app).sub
        body = parse_body(app, UpdateConnectionRequest)
        return json_response(HTTPStatus.OK, service().connections.update(sub, connection_id, body))

    @app.delete("/aws-connections/<connection_id>")
    def delete_connection(connection_id: str) -> Response:
        return json_response(HTTPStatus.OK, service().connections.delete(caller(app).sub, connection_id))

    @app.post("/aws-connections/<connection_id>/restore")
    def restore_connection(connection_id: str) -> Response:
        return json_response(HTTPStatus.OK, service().connections.restore(caller(app).sub, connection_id))

    @app.get("/aws-connections/<connection_id>/history")
    def connection_history(connection_id: str) -> Response:
        sub = caller(app).sub
        query = parse_query(app, HistoryQuery)
        return json_response(
            HTTPStatus.OK, service().connections.history(sub, connection_id, query.limit, query.next)
        )

    @app.get("/aws-costs/forecast")
    def forecast() -> Response:
        return json_response(HTTPStatus.OK, service().forecast(caller(app).sub))

    @app.get("/aws-cost-rules")
    def get_cost_rules() -> Response:
        return json_response(HTTPStatus.OK, service().rules(caller(app).sub))

    @app.put("/aws-cost-rules")
    def put_cost_rules() -> Response:
        sub = caller(app).sub
        body = parse_body(app, CostRulesRequest)
        rules = service().replace_rules(sub, body)
        logger.info("aws cost rules saved", extra={"rules": len(rules.rules), "credits": rules.credits})
        return json_response(HTTPStatus.OK, rules)

    @app.get("/aws-cost-rules/preview")
    def preview_cost_rules() -> Response:
        return json_response(HTTPStatus.OK, service().rules_preview(caller(app).sub))

    @app.get("/aws-costs/overview")
    def aws_costs_overview() -> Response:
        sub = caller(app).sub
        query = parse_query(app, OverviewQuery)
        result = overview().overview(sub, query.connection, refresh=query.refresh == "true")
        logger.info("aws costs overview", extra={"refresh": result.get("refresh", {}).get("status")})
        return json_response(HTTPStatus.OK, result)

    # --- AWS insights (issue 17) ---
    @app.get("/aws-insights")
    def get_insights() -> Response:
        sub = caller(app).sub
        query = parse_query(app, InsightsQuery)
        result = insights().insights(
            sub, query.connection, refresh=query.refresh == "true", cached_only=query.cached_only == "true"
        )
        shape = Insights.model_validate(result)  # the documented shape, nothing more
        return json_response(HTTPStatus.OK, shape.model_dump(mode="json", by_alias=True, exclude_none=True))

    @app.get("/aws-insights/settings")
    def get_insights_settings() -> Response:
        return json_response(HTTPStatus.OK, insights().settings(caller(app).sub))

    @app.put("/aws-insights/settings")
    def put_insights_settings() -> Response:
        sub = caller(app).sub
        body = parse_body(app, InsightsSettingsRequest)
        return json_response(HTTPStatus.OK, insights().save_settings(sub, body.regions, body.monthly_summary))

    @app.delete("/aws-insights/notice")
    def dismiss_insights_notice() -> Response:
        insights().dismiss_notice(caller(app).sub)
        return Response(status_code=HTTPStatus.NO_CONTENT.value)

    return app


resolver = Lazy(_build_resolver)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolver().resolve(event, context)
