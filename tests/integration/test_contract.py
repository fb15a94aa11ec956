"""Property-based contract test: schemathesis generates requests from docs/openapi.json (the document
`make openapi` writes) and sends them to the local runtime as a signed-in user. Every answer must be
documented (status, content type, body schema), never a server error, and a schema-valid request must
not be refused, except where acceptance depends on more than the request (listed below, with why).
Bounded: MAX_EXAMPLES generated requests per operation, plus schemathesis's coverage cases."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from outlay.logic.money import DEFAULT_CURRENCY, MoneyError, minor_units
from outlay.logic.summary import MAX_MONTHS
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from local.pytest_plugin import SignedInUser, new_user
from local.runtime import LocalRuntime

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
MAX_EXAMPLES = 25
# schemathesis's coverage phase (boundary values of every keyword, ~1,700 requests, minutes on a busy
# machine): on with OUTLAY_CONTRACT_COVERAGE=1; `make test` runs the bounded random phase.
COVERAGE_PHASE = os.environ.get("OUTLAY_CONTRACT_COVERAGE") == "1"
# Methods the document does not list are API Gateway's answer (403 "Missing Authentication Token"),
# not the document's: schemathesis's probes with undeclared methods (TRACE, ...) are left out.
CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": COVERAGE_PHASE, "unexpected-methods": []}}}
)
# Schema-valid, yet refused for reasons no static document can state:
STATEFUL_ACCEPTANCE = {
    # only finished months (up to last month, relative to today), and the caller must have connected AWS
    "POST /aws-cost-import",
    # AWS decides whether the role or key pair works (STS answers; a refusal is a documented 400)
    "POST /aws-credentials",
    # the same, and an account already connected or a 21st connection is a documented 409
    "POST /aws-connections",
    # each rule's category must be a starter one or the user's own (stored state); `tagKey` goes with
    # tag rules only and an account rule's value is 12 digits (relations between fields)
    "PUT /aws-cost-rules",
    # a connection id other than "all" must name one of the caller's connections (else a documented 404)
    "GET /aws-insights",
    # the document takes region-like words; whether one is an AWS region the service says (a 400 naming it)
    "PUT /aws-insights/settings",
}

# DELETE /account's one valid body deletes the contract user mid-run; unit and integration tests
# (tests/unit/account, tests/integration/test_account.py) cover it instead.
schema = schemathesis.openapi.from_path(DOCUMENT, config=CONFIG).exclude(method="DELETE", path="/account")
STATUSES: Counter[int] = Counter()  # answers per status, printed at the end (pytest -s shows it)


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print(f"\ncontract: {sum(STATUSES.values())} requests, by status {dict(sorted(STATUSES.items()))}")


def _acceptance_is_up_to_the_request(case: schemathesis.Case) -> bool:
    """False where a schema-valid request may still be refused (a documented 400), by rules that relate
    values to each other, to stored state or to AWS, which a static document cannot state."""
    if case.operation.label in STATEFUL_ACCEPTANCE:
        return False
    body = case.body if isinstance(case.body, dict) else {}
    if "amount" in body and _decimals(body["amount"]) > _minor_units_of(body.get("currency")):
        return False  # more decimals than the currency's ISO 4217 minor units (stated on `amount`)
    if body.get("dayOfMonth") is not None and body.get("unit", "month") != "month":
        return False  # a recurring rule's dayOfMonth is for monthly rules (stated on `dayOfMonth`)
    if body.get("endDate") and body.get("startDate") and str(body["endDate"]) < str(body["startDate"]):
        return False  # a recurring rule's endDate must not be before its startDate
    query = case.query or {}
    if "next" in query:
        return False  # a page cursor is opaque: only one a previous page returned is valid
    if "month" in query and ("from" in query or "to" in query):
        return False  # `month` replaces from/to (stated in the parameter's description)
    low, high = query.get("from"), query.get("to")
    if low is not None and high is not None and str(low) > str(high):
        return False  # `to` must not be before `from` (stated in the parameter's description)
    if case.operation.label == "GET /summary" and low is not None and high is not None:
        (y1, m1), (y2, m2) = (map(int, str(v).split("-")) for v in (low, high))
        if (y2 * 12 + m2) - (y1 * 12 + m1) >= MAX_MONTHS:
            return False  # a summary covers at most MAX_MONTHS months
    low, high = query.get("min"), query.get("max")
    return low is None or high is None or Decimal(str(low)) <= Decimal(str(high))


def _decimals(amount: object) -> int:
    text = str(amount).strip(" \t\n\r\f\v")
    return len(text.partition(".")[2])


def _minor_units_of(currency: object) -> int:
    """The digits a currency allows; a new user's default currency when the body names none."""
    code = str(currency).upper() if isinstance(currency, str) and currency else DEFAULT_CURRENCY
    try:
        return minor_units(code)
    except MoneyError:
        return 0  # an unknown code is refused anyway (a documented 400 naming `currency`)


@pytest.fixture(scope="module")
def contract_user(local_runtime: LocalRuntime) -> SignedInUser:
    return new_user(local_runtime, "contract")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_does_what_its_document_says(
    case: schemathesis.Case, local_runtime: LocalRuntime, contract_user: SignedInUser
) -> None:
    positive = case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE
    if positive and isinstance(case.body, dict) and "category" in case.body:
        # A category is a starter one or one the user created first: a valid request names one.
        case.body["category"] = "Food"
    excluded = [] if positive and _acceptance_is_up_to_the_request(case) else [positive_data_acceptance]
    # The document declares the Authorization header: a case whose headers were made invalid on purpose
    # (e.g. the header left out) is sent as generated, not with the user's token put back over it.
    mutated_headers = case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER)
    response = case.call_and_validate(
        base_url=local_runtime.api_url,
        headers=None if mutated_headers else contract_user.headers,
        excluded_checks=excluded,
    )
    STATUSES[response.status_code] += 1
