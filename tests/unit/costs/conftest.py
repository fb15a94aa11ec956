"""Fixtures for the AWS cost-tracking tests: moto tables/KMS/SQS, API Gateway events with verified
claims, Cost Explorer results queued through moto's results API, and a fixed clock."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from moto import mock_aws
from outlay import tables
from outlay.dal.aws_sessions import AwsSessions
from outlay.dal.expenses_repo import ExpensesRepository
from outlay.dal.wiring import build_costs_service
from outlay.handlers import costs_api
from outlay.handlers.wiring import reset_all
from outlay.logic.costs_service import CostsService
from outlay.models.settings import load

from local.envelope_lambda import LOCAL_ENVELOPE_FUNCTION, InProcessLambda
from local.envelope_lambda import install as install_envelope_lambda
from tests.unit.conftest import create_table

REGION = "us-east-1"
EXPENSES = "costs-test-expenses"
CREDENTIALS = "costs-test-credentials"
RECEIPTS = "costs-test-receipts"
SERVICE_ACCOUNT = "999988887777"
NOW = datetime(2026, 11, 21, 21, 0, tzinfo=UTC)  # previous month = 2026-10
USER_ACCOUNT = "111122223333"
NO_SLEEP_RETRIES = Config(retries={"mode": "standard", "max_attempts": 3})


@pytest.fixture
def costs_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "EXPENSES_TABLE": EXPENSES,
        "CREDENTIALS_TABLE": CREDENTIALS,
        "RECEIPTS_BUCKET": RECEIPTS,
        "ALLOWED_ORIGINS": "https://app.example.com",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Outlay",
        "SERVICE_ACCOUNT_ID": SERVICE_ACCOUNT,
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    load.cache_clear()
    yield
    load.cache_clear()
    reset_all()


@dataclass
class Moto:
    ddb: Any
    kms: Any
    sqs: Any
    s3: Any
    key_id: str
    queue_url: str

    def queue_ce(self, results: list[dict[str, Any]], account_id: str = USER_ACCOUNT) -> None:
        """Queue GetCostAndUsage answers for `account_id` through moto's documented results API."""
        response = requests.post(
            "http://motoapi.amazonaws.com/moto-api/static/ce/cost-and-usage-results",
            json={"results": results, "account_id": account_id},
            timeout=5,
        )
        assert response.status_code == 201

    def credentials_item(self, sub: str) -> dict[str, Any] | None:
        """The user's item as stored, with the first connection's entry laid over it (DynamoDB
        JSON): what the seed's one-connection tests look at."""
        item = self.ddb.get_item(TableName=CREDENTIALS, Key={"userId": {"S": sub}}).get("Item")
        if item is None:
            return None
        entries = sorted(
            (entry["M"].get("createdAt", {}).get("S", ""), cid, entry["M"])
            for cid, entry in item.get("connections", {}).get("M", {}).items()
        )
        top = {k: v for k, v in item.items() if k not in ("connections", "accounts")}
        return {**top, **entries[0][2]} if entries else top

    def connection_ids(self, sub: str) -> list[str]:
        item = self.ddb.get_item(TableName=CREDENTIALS, Key={"userId": {"S": sub}}).get("Item") or {}
        return sorted(item.get("connections", {}).get("M", {}))

    def set_connection_field(self, sub: str, connection_id: str, name: str, value: dict[str, Any]) -> None:
        self.ddb.update_item(
            TableName=CREDENTIALS,
            Key={"userId": {"S": sub}},
            UpdateExpression="SET connections.#id.#f = :v",
            ExpressionAttributeNames={"#id": connection_id, "#f": name},
            ExpressionAttributeValues={":v": value},
        )

    def expense_items(self, sub: str) -> list[dict[str, Any]]:
        return self.ddb.query(
            TableName=EXPENSES,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
            ExpressionAttributeValues={":pk": {"S": tables.user_pk(sub)}, ":p": {"S": "EXPENSE#"}},
        )["Items"]


@pytest.fixture
def moto_aws(costs_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Moto]:
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name=REGION)
        create_table(ddb, tables.EXPENSES_TABLE, EXPENSES)
        create_table(ddb, tables.CREDENTIALS_TABLE, CREDENTIALS)
        kms = boto3.client("kms", region_name=REGION)
        key_id = kms.create_key(Description="outlay test")["KeyMetadata"]["KeyId"]
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(QueueName="costs-test-imports")["QueueUrl"]
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=RECEIPTS)
        monkeypatch.setenv("KMS_KEY_ID", key_id)
        monkeypatch.setenv("ENVELOPE_FUNCTION", LOCAL_ENVELOPE_FUNCTION)
        install_envelope_lambda()  # handlers built from env invoke it through moto
        monkeypatch.setenv("IMPORT_QUEUE_URL", queue_url)
        load.cache_clear()
        yield Moto(ddb=ddb, kms=kms, sqs=sqs, s3=s3, key_id=key_id, queue_url=queue_url)


def fixed_clock() -> datetime:
    return NOW


@pytest.fixture
def make_service(moto_aws: Moto) -> Callable[..., CostsService]:
    def make(
        sessions: AwsSessions | None = None, clock: Callable[[], datetime] = fixed_clock
    ) -> CostsService:
        return build_costs_service(
            credentials_table=CREDENTIALS,
            expenses_table=EXPENSES,
            receipts_bucket=RECEIPTS,
            envelope_function=LOCAL_ENVELOPE_FUNCTION,
            queue_url=moto_aws.queue_url,
            service_account_id=SERVICE_ACCOUNT,
            dynamodb_client=moto_aws.ddb,
            lambda_client=InProcessLambda.for_key(moto_aws.key_id, moto_aws.kms),
            sqs_client=moto_aws.sqs,
            s3_client=moto_aws.s3,
            sessions=sessions or AwsSessions(),
            clock=clock,
        )

    return make


@pytest.fixture
def service(make_service: Callable[..., CostsService]) -> CostsService:
    svc = make_service()
    costs_api.service.use(svc)
    return svc


class FakeContext:
    function_name = "costs"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:costs"
    aws_request_id = "req-1"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def api_event(
    method: str,
    path: str,
    *,
    sub: str = "user-a",
    body: Any = None,
    query: dict[str, str] | None = None,
    groups: str = "",
) -> dict[str, Any]:
    raw = body if isinstance(body, str) or body is None else json.dumps(body)
    claims = {"sub": sub, "email": f"{sub}@example.com"}
    if groups:
        claims["cognito:groups"] = groups
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"Origin": "https://app.example.com", "Content-Type": "application/json"},
        "multiValueHeaders": {},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "path": f"/prod{path}",
            "stage": "prod",
            "requestId": "r1",
            "accountId": "123456789012",
            "identity": {"sourceIp": "127.0.0.1"},
            "authorizer": {"claims": claims},
        },
        "body": raw,
        "isBase64Encoded": False,
    }


def call(method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    response = costs_api.handler(api_event(method, path, **kwargs), FakeContext())
    body = response.get("body")
    return response["statusCode"], (json.loads(body) if body else None)


def ce_group(
    service_name: str, record_type: str, unblended: str, amortized: str | None = None, unit: str = "USD"
) -> dict[str, Any]:
    return {
        "Keys": [service_name, record_type],
        "Metrics": {
            "UnblendedCost": {"Amount": unblended, "Unit": unit},
            "AmortizedCost": {"Amount": amortized if amortized is not None else unblended, "Unit": unit},
        },
    }


def ce_result(
    month_start: str, month_end: str, groups: list[dict[str, Any]], token: str | None = None
) -> dict[str, Any]:
    page: dict[str, Any] = {
        "ResultsByTime": [
            {
                "TimePeriod": {"Start": month_start, "End": month_end},
                "Total": {},
                "Groups": groups,
                "Estimated": False,
            }
        ],
        "DimensionValueAttributes": [],
    }
    if token:
        page["NextPageToken"] = token
    return page


OCTOBER_GROUPS = [
    ce_group("Amazon Simple Storage Service", "Usage", "12.3456"),
    ce_group("AWS Lambda", "Usage", "0.004"),  # below half a cent: skipped
    ce_group("Amazon Elastic Compute Cloud - Compute", "Usage", "40.125", "35.10"),
    ce_group("Amazon Elastic Compute Cloud - Compute", "Credit", "-10.00"),
    ce_group("Amazon Simple Storage Service", "Credit", "-2.50"),
    ce_group("Tax", "Tax", "5.00"),
]


MOTO_DEFAULT_ACCOUNT = "123456789012"  # what moto's STS says any non-moto key pair belongs to
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
KEYS = {
    "type": "keys",
    "accessKeyId": KEY_ID,
    "secretAccessKey": SECRET,
    "region": "us-east-1",
    "enabled": True,
}


@pytest.fixture
def connected(service: CostsService, moto_aws: Moto) -> Moto:
    """The caller (user-a) has connected AWS with an access-key pair."""
    assert call("POST", "/aws-credentials", body=KEYS)[0] == 200
    return moto_aws


def repo(moto_aws: Moto) -> ExpensesRepository:
    """The real expenses repository on the test's moto table."""
    return ExpensesRepository(EXPENSES, dynamodb_client=moto_aws.ddb)


def hybrid_sessions(**stubbed: Any) -> AwsSessions:
    """Real (moto) clients, except the services given, which get the provided (stubbed) client."""
    real = boto3.session.Session()

    def factory(service: str, **kwargs: Any) -> Any:
        if service in stubbed:
            return stubbed[service]
        return real.client(service, **kwargs)

    return AwsSessions(client_factory=factory)


def clear_ce_cache(account_id: str = MOTO_DEFAULT_ACCOUNT) -> None:
    """moto answers a repeated request body from a cache; forget it to serve a changed bill."""
    from moto.ce.models import ce_backends

    backend = ce_backends[account_id]["global"]
    backend.cost_usage_results.clear()
    backend.cost_usage_results_queue.clear()
