"""OpenAPI 3.0.3 document and API Gateway request models, both derived from ROUTES + pydantic models.

- `request_schema("outlay.models.expenses.CreateExpenseRequest")` -> a self-contained JSON Schema
  draft-4 (what API Gateway request validation accepts): refs inlined, `const` -> `enum`, numeric
  `exclusiveMinimum` -> draft-4 boolean form, keywords API Gateway rejects dropped.
- `build_openapi()` -> the whole API as OpenAPI 3.0.3 (Cognito authorizer on every operation).
- `python -m outlay.openapi` prints it (sorted keys, indent 2); `make openapi` writes docs/openapi.json.

Import-light on purpose (pydantic + the models only, no boto3): the CDK API stack imports it.
A body model that cannot be imported is an error, never silently skipped.
"""

from __future__ import annotations

import copy
import importlib
import json
import sys
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from outlay.routes import ROUTES, Route

DRAFT4 = "http://json-schema.org/draft-04/schema#"
# Keywords API Gateway's draft-4 validator does not know or rejects.
_DRAFT4_DROP = {
    "format",
    "examples",
    "discriminator",
    "writeOnly",
    "readOnly",
    "deprecated",
    "$comment",
    "contentEncoding",
    "contentMediaType",
}
_OAS_DROP = {"examples", "$comment", "contentEncoding", "contentMediaType", "const"}

_M = "outlay.models"
# What each operation returns on success: (status, dotted model or None for no body / free-form).
RESPONSES: dict[tuple[str, str], tuple[int, str | None]] = {
    ("POST", "/expenses"): (201, f"{_M}.expenses.Expense"),
    ("GET", "/expenses"): (200, f"{_M}.expenses.ExpensePage"),
    ("GET", "/expenses/export"): (200, f"{_M}.expenses.ExportResult"),
    ("GET", "/expenses/{id}"): (200, f"{_M}.expenses.Expense"),
    ("PATCH", "/expenses/{id}"): (200, f"{_M}.expenses.Expense"),
    ("DELETE", "/expenses/{id}"): (204, None),
    ("GET", "/trash"): (200, f"{_M}.expenses.TrashPage"),
    ("DELETE", "/trash"): (200, f"{_M}.expenses.EmptyTrashResult"),
    ("POST", "/trash/{id}/restore"): (200, f"{_M}.expenses.Expense"),
    ("DELETE", "/trash/{id}"): (204, None),
    ("POST", "/expenses/{id}/receipt"): (201, f"{_M}.expenses.ReceiptUpload"),
    ("GET", "/expenses/{id}/receipt"): (200, f"{_M}.expenses.ReceiptLink"),
    ("GET", "/summary"): (200, f"{_M}.expenses.Summary"),
    ("GET", "/categories"): (200, f"{_M}.expenses.CategoryList"),
    ("POST", "/categories"): (201, f"{_M}.expenses.Category"),
    ("GET", "/currencies"): (200, f"{_M}.expenses.CurrencyList"),
    ("GET", "/profile"): (200, f"{_M}.expenses.Profile"),
    ("PUT", "/profile"): (200, f"{_M}.expenses.Profile"),
    ("GET", "/aws-credentials"): (200, f"{_M}.credentials.CredentialsStatus"),
    ("POST", "/aws-cost-import"): (200, f"{_M}.cost_import.ImportRun"),
    ("POST", "/aws-cost-import/all"): (202, None),
    ("GET", "/account"): (200, f"{_M}.account.AccountInventory"),
    ("POST", "/account/export"): (200, f"{_M}.account.AccountExport"),
    ("DELETE", "/account"): (200, f"{_M}.account.AccountDeletion"),
    ("GET", "/budgets"): (200, f"{_M}.budgets.BudgetList"),
    ("PUT", "/budgets"): (200, f"{_M}.budgets.Budget"),
    ("DELETE", "/budgets"): (200, f"{_M}.budgets.Budget"),
    ("POST", "/aws-connections"): (201, f"{_M}.connections.ConnectionView"),
    ("GET", "/aws-connections/{id}"): (200, f"{_M}.connections.ConnectionView"),
    ("PATCH", "/aws-connections/{id}"): (200, f"{_M}.connections.ConnectionView"),
    ("GET", "/aws-insights"): (200, f"{_M}.insights.Insights"),
    ("GET", "/aws-insights/settings"): (200, f"{_M}.insights.InsightsSettings"),
    ("PUT", "/aws-insights/settings"): (200, f"{_M}.insights.InsightsSettings"),
    ("DELETE", "/aws-insights/notice"): (204, None),
    ("GET", "/recurring"): (200, f"{_M}.recurring.RecurringPage"),
    ("POST", "/recurring"): (201, f"{_M}.recurring.RecurringRule"),
    ("POST", "/recurring/run"): (200, f"{_M}.recurring.RecurringRunResult"),
    ("GET", "/recurring/{id}"): (200, f"{_M}.recurring.RecurringRule"),
    ("PATCH", "/recurring/{id}"): (200, f"{_M}.recurring.RecurringRule"),
    ("DELETE", "/recurring/{id}"): (204, None),
    ("POST", "/recurring/{id}/pause"): (200, f"{_M}.recurring.RecurringRule"),
    ("POST", "/recurring/{id}/resume"): (200, f"{_M}.recurring.RecurringRule"),
    ("POST", "/recurring/{id}/skip"): (200, f"{_M}.recurring.RecurringRule"),
    # --- statements ---
    ("POST", "/imports/statements"): (201, f"{_M}.statements.StatementUpload"),
    ("POST", "/imports/statements/{uploadId}/analyze"): (200, f"{_M}.statements.StatementAnalysis"),
    ("POST", "/imports/statements/{uploadId}/commit"): (202, f"{_M}.statements.StatementRun"),
    ("GET", "/imports/statements/runs"): (200, f"{_M}.statements.StatementRunPage"),
    ("GET", "/imports/statements/runs/{runId}"): (200, f"{_M}.statements.StatementRun"),
}
# Other outcomes of an operation: status -> (description, True = the success body, False = an error).
MORE_RESPONSES: dict[tuple[str, str], dict[str, tuple[str, bool]]] = {
    ("DELETE", "/account"): {
        "202": ("Part of the data is deleted; call again to continue (status in_progress)", True)
    },
    ("POST", "/account/export"): {
        "413": ("Too many expenses for one export; export them as CSV by date range", False)
    },
    ("POST", "/aws-cost-import"): {"404": ("`connectionId` is not one of the caller's connections", False)},
    ("GET", "/aws-costs/overview"): {"404": ("No AWS connection with that id (or another user's)", False)},
    ("GET", "/aws-insights"): {"404": ("No AWS connection with that id", False)},
    ("POST", "/recurring/{id}/pause"): {"409": ("The rule has ended", False)},
    ("POST", "/recurring/{id}/skip"): {"409": ("The rule has ended: no next occurrence", False)},
    ("PATCH", "/recurring/{id}"): {"409": ("The rule was changed meanwhile; reload it", False)},
}
# Query-string models give parameters their types; other parameters are plain strings.
QUERY_MODELS: dict[tuple[str, str], str] = {
    ("GET", "/expenses"): f"{_M}.queries.ListQuery",
    ("GET", "/expenses/export"): f"{_M}.queries.ExpenseFilters",
    ("GET", "/summary"): f"{_M}.queries.SummaryQuery",
    ("GET", "/trash"): f"{_M}.queries.TrashQuery",
    ("GET", "/aws-cost-import/history"): f"{_M}.cost_import.HistoryQuery",
    ("GET", "/aws-cost-import/dismissed"): f"{_M}.cost_import.HistoryQuery",
    ("GET", "/budgets"): f"{_M}.budgets.BudgetQuery",
    ("DELETE", "/budgets"): f"{_M}.budgets.BudgetKeyQuery",
    ("GET", "/aws-connections/{id}/history"): f"{_M}.cost_import.HistoryQuery",
    ("GET", "/aws-costs/overview"): f"{_M}.aws_overview.OverviewQuery",
    ("GET", "/aws-insights"): f"{_M}.insights.InsightsQuery",
    ("GET", "/recurring"): f"{_M}.queries.TrashQuery",
    ("GET", "/imports/statements/runs"): f"{_M}.queries.TrashQuery",
}
ERROR_MODEL = f"{_M}.expenses.ErrorBody"
SECURITY_SCHEME = "CognitoUserPool"


def load_model(dotted: str) -> type[BaseModel]:
    """Import `package.module.Model`; a missing module or name raises (never skipped)."""
    module_name, _, name = dotted.rpartition(".")
    model = getattr(importlib.import_module(module_name), name)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise TypeError(f"{dotted} is not a pydantic model")
    return model


# ------------------------------------------------------------------------------------ draft-4


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = _inline(copy.deepcopy(defs[ref.split("/")[-1]]), defs)
            extra = {k: _inline(v, defs) for k, v in node.items() if k != "$ref"}
            return {**target, **extra}
        return {k: _inline(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def _numeric_bounds(node: dict[str, Any], out: dict[str, Any]) -> None:
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = node.get(exclusive)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[bound] = value
            out[exclusive] = True


def to_draft4(node: Any) -> Any:
    if isinstance(node, list):
        return [to_draft4(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DRAFT4_DROP or key in {"exclusiveMinimum", "exclusiveMaximum"}:
            continue
        if key == "const":
            out["enum"] = [value]
        elif key in {"properties", "patternProperties", "definitions"}:
            out[key] = {name: to_draft4(sub) for name, sub in value.items()}
        else:
            out[key] = to_draft4(value)
    _numeric_bounds(node, out)
    return out


# What API Gateway's own request validation checks: the body's structure (JSON types, required,
# unknown and a minimum number of properties), the same for every client. Values (patterns, ranges,
# lengths, enums, dates) are left to the function, whose 400 names the field, so the dashboard can
# show it next to the input: a gateway refusal can only say "body". JSON numbers are one type here
# (the function checks decimals).
_STRUCTURAL_KEYS = {
    "$schema",
    "title",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "minProperties",  # "send at least one field" (partial updates)
    "items",
    "anyOf",
    "oneOf",
    "allOf",
}


def structural(node: Any) -> Any:
    """The structural part of a draft-4 schema (see _STRUCTURAL_KEYS); `oneOf` becomes `anyOf`."""
    if isinstance(node, list):
        return [structural(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key not in _STRUCTURAL_KEYS:
            continue
        if key == "properties":
            out[key] = {name: structural(sub) for name, sub in value.items()}
        elif key == "type":
            out[key] = [_json_type(v) for v in value] if isinstance(value, list) else _json_type(value)
        elif key == "oneOf":  # alternatives that differ only in values would all match structurally
            out["anyOf"] = structural(value)
        else:
            out[key] = structural(value)
    return out


def _json_type(name: str) -> str:
    return "number" if name == "integer" else name


def request_schema(dotted: str) -> dict[str, Any]:
    """A self-contained draft-4 JSON Schema for an API Gateway request model: the structure of the
    body (see `structural`); the local gateway validates bodies against exactly this schema."""
    model = load_model(dotted)
    schema = model.model_json_schema(by_alias=True, mode="validation")
    defs = schema.pop("$defs", {})
    result: dict[str, Any] = structural(to_draft4(_inline(schema, defs)))
    result["$schema"] = DRAFT4
    result.setdefault("title", model.__name__)
    return result


# API Gateway's answers to requests its validator refuses, in the product's error shape. The API stack
# installs them as gateway responses; the local gateway renders the same template with its own
# validator's message ($context.error.validationErrorString is API Gateway's).
VALIDATION_ERROR_STRING = "$context.error.validationErrorString"
GATEWAY_VALIDATION_RESPONSES: dict[str, tuple[str, str]] = {
    # response type -> (field named in `details`, message)
    "BAD_REQUEST_BODY": ("body", "Invalid request body"),
    "BAD_REQUEST_PARAMETERS": ("parameters", "Invalid request parameters"),
}


def gateway_error_template(response_type: str) -> str:
    """The application/json mapping template for a BAD_REQUEST_* gateway response."""
    field, message = GATEWAY_VALIDATION_RESPONSES[response_type]
    detail = f'{{"field": "{field}", "message": "{VALIDATION_ERROR_STRING}"}}'
    return f'{{"error": "invalid_input", "message": "{message}", "details": [{detail}]}}'


# ------------------------------------------------------------------------------------ OpenAPI 3.0


def to_oas30(node: Any) -> Any:
    """JSON Schema 2020-12 (pydantic) -> OpenAPI 3.0 schema objects."""
    if isinstance(node, list):
        return [to_oas30(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _OAS_DROP or key in {"exclusiveMinimum", "exclusiveMaximum"}:
            continue
        if key in {"properties", "patternProperties"}:
            out[key] = {name: to_oas30(sub) for name, sub in value.items()}
        elif key == "discriminator" and isinstance(value, dict):
            out[key] = value
        else:
            out[key] = to_oas30(value)
    if "const" in node:
        out["enum"] = [node["const"]]
    _numeric_bounds(node, out)
    for key in ("anyOf", "oneOf"):
        options = out.get(key)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            del out[key]
            out["nullable"] = True
            if len(rest) == 1 and "$ref" not in rest[0]:
                out = {**rest[0], **out}
                if "enum" in out:  # OpenAPI 3.0: `nullable` does not add null to an enum by itself
                    out["enum"] = [*out["enum"], None]
            elif len(rest) == 1:
                out["allOf"] = rest
            else:
                out[key] = rest
    kind = out.get("type")
    if isinstance(kind, list):
        del out["type"]
        kinds = [k for k in kind if k != "null"]
        if "null" in kind:
            out["nullable"] = True
        if len(kinds) == 1:
            out["type"] = kinds[0]
        else:
            out["anyOf"] = [{"type": k} for k in kinds]
    return out


def _operation_id(route: Route) -> str:
    words = [w.strip("{}") for w in route.path.replace("-", "/").split("/") if w]
    tail = "".join(w[:1].upper() + w[1:] for w in words)
    return route.method.lower() + tail


def build_openapi() -> dict[str, Any]:
    dotted_models: list[str] = sorted(
        {r.body_model for r in ROUTES if r.body_model}
        | {m for _, m in RESPONSES.values() if m}
        | set(QUERY_MODELS.values())
        | {ERROR_MODEL}
    )
    models = {dotted: load_model(dotted) for dotted in dotted_models}
    mode = {
        dotted: ("validation" if dotted.endswith(("Request", "Query", "Filters")) else "serialization")
        for dotted in dotted_models
    }
    keys, top = models_json_schema(
        [(models[d], mode[d]) for d in dotted_models],  # type: ignore[misc]
        by_alias=True,
        ref_template="#/components/schemas/{model}",
    )
    schemas = {name: to_oas30(schema) for name, schema in top.get("$defs", {}).items()}

    def ref(dotted: str) -> dict[str, Any]:
        schema = keys[(models[dotted], mode[dotted])]  # type: ignore[index]
        return to_oas30(dict(schema))

    error_ref = ref(ERROR_MODEL)
    paths: dict[str, Any] = {}
    for route in ROUTES:
        operation: dict[str, Any] = {
            "operationId": _operation_id(route),
            "summary": route.summary,
            "tags": [route.function],
            "security": [{SECURITY_SCHEME: []}],
        }
        parameters: list[dict[str, Any]] = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in route.path_params
        ]
        query_props: dict[str, Any] = {}
        query_required: set[str] = set()  # the function refuses a request without them (400 naming it)
        query_model = QUERY_MODELS.get((route.method, route.path))
        if query_model:
            query_schema = models[query_model].model_json_schema(by_alias=True, mode="validation")
            query_props = to_oas30(_inline(query_schema, query_schema.get("$defs", {}))).get("properties", {})
            query_required = set(query_schema.get("required", []))
            if query_schema.get("description"):  # the query model's docstring: the filter semantics
                operation["description"] = " ".join(query_schema["description"].split())
        for name in route.query:
            schema = dict(query_props.get(name, {"type": "string"}))
            for noise in ("title", "nullable"):  # an absent query parameter is the "null"
                schema.pop(noise, None)
            if schema.get("default", 0) is None:
                del schema["default"]
            parameters.append(
                {"name": name, "in": "query", "required": name in query_required, "schema": schema}
            )
        if parameters:
            operation["parameters"] = parameters
        if route.body_model:
            operation["requestBody"] = {
                "required": route.body_required,
                "content": {"application/json": {"schema": ref(route.body_model)}},
            }
        status, response_model = RESPONSES.get((route.method, route.path), (200, None))
        success: dict[str, Any] = {"description": "Success"}
        if status != 204:
            body_schema = ref(response_model) if response_model else {"type": "object"}
            success["content"] = {"application/json": {"schema": body_schema}}
        error = {"content": {"application/json": {"schema": error_ref}}}
        responses: dict[str, Any] = {
            str(status): success,
            "400": {"description": "Invalid input; `details` names the fields", **error},
            "401": {"description": "Missing or invalid token"},
            "403": {"description": "Not allowed for this user", **error},
        }
        if route.path_params or route.method == "DELETE":
            responses["404"] = {"description": "Not found (or another user's)", **error}
        if route.body_model:
            responses["413"] = {"description": "Body larger than 64 KB", **error}
        if route.method in {"POST", "PUT", "PATCH"}:
            responses["409"] = {"description": "Conflict", **error}
        responses["503"] = {"description": "A dependency is unavailable; retry later", **error}
        for code, (description, is_success) in MORE_RESPONSES.get((route.method, route.path), {}).items():
            body = {k: v for k, v in success.items() if k != "description"} if is_success else error
            responses[code] = {"description": description, **body}
        operation["responses"] = responses
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Outlay API",
            "version": "1.0.0",
            "description": "Expenses, summaries, receipts, exports and AWS cost import. Amounts are exact "
            "decimal strings; every operation needs a Cognito ID token.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "apiKey",
                    "name": "Authorization",
                    "in": "header",
                    "x-amazon-apigateway-authtype": "cognito_user_pools",
                }
            },
        },
        "security": [{SECURITY_SCHEME: []}],
    }


def render() -> str:
    return json.dumps(build_openapi(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
