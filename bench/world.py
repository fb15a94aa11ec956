"""A throwaway AWS for measuring: moto's server in its own process, one user's expenses seeded fast.

Seeding writes the same items the repository writes (expense items + their monthly aggregates),
via BatchWriteItem, because 100,000 transactional creates would measure moto, not Outlay.
"""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
from outlay import tables
from outlay.dal.expense_items import expense_to_item, serialize
from outlay.dal.search_index import index_items
from outlay.logic.summary import expected_summary
from outlay.models.expenses import Expense

from bench.common import ROOT, env
from local.provision import table_definition

REGION = "us-east-1"
SUB = "bench-user-0000"
CATEGORIES = ("Food", "Transport", "Housing", "Software")
CURRENCIES = ("USD", "EUR")


@dataclass(frozen=True)
class World:
    endpoint: str
    table: str
    bucket: str

    def env(self) -> dict[str, str]:
        return env() | {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "EXPENSES_TABLE": self.table,
            "RECEIPTS_BUCKET": self.bucket,
            "POWERTOOLS_TRACE_DISABLED": "1",
            "POWERTOOLS_METRICS_NAMESPACE": "Outlay",
        }

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=self.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def moto_world() -> Iterator[World]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        world = World(endpoint=f"http://127.0.0.1:{port}", table="bench-expenses", bucket="bench-receipts")
        definition = table_definition(tables.EXPENSES_TABLE) | {"TableName": world.table}
        definition.pop("StreamSpecification", None)  # no lake writer here: measure the API alone
        world.client("dynamodb").create_table(**definition)
        world.client("s3").create_bucket(Bucket=world.bucket)
        yield world
    finally:
        server.terminate()
        server.wait(timeout=10)


def _month_start(today: date, months_back: int) -> date:
    index = today.year * 12 + today.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def rare_positions(count: int) -> set[int]:
    """The three expenses whose vendor is "Marriott" (the bench's 3-match filter), at any size."""
    return {count // 7, count // 2, count - 5} if count >= 10 else set()


def demo_expenses(count: int, seed: int = 7) -> list[Expense]:
    """Deterministic spread: the first 96 expenses already cover every month x category x currency
    of the last 12 months, so summary reads are comparable across sizes (aggregates saturate).
    Every 10th expense is a trip (tag "trip", description "Trip to Lisbon": the 10% filters); three
    are at "Marriott" (`rare_positions`: the 3-match filters)."""
    rare = rare_positions(count)
    rng = random.Random(seed)
    today = date.today()
    now = datetime.now(UTC)
    expenses = []
    for n in range(count):
        month_start = _month_start(today, n % 12)
        day = month_start + timedelta(days=rng.randrange(28))
        expenses.append(
            Expense(
                id=f"bench{n:08d}",
                date=min(day, today),
                amount=Decimal(rng.randrange(100, 50_000)) / 100,
                currency=CURRENCIES[(n // 48) % len(CURRENCIES)],
                category=CATEGORIES[(n // 12) % 4],
                vendor="Marriott" if n in rare else f"Vendor {rng.randrange(200)}",
                description="Trip to Lisbon" if n % 10 == 3 else "benchmark expense",
                tags=["bench", "trip"] if n % 10 == 3 else ["bench"],
                source="manual",
                createdAt=now,
                updatedAt=now,
            )
        )
    return expenses


def seed_items(count: int) -> list[dict[str, Any]]:
    """`count` expenses for SUB plus the aggregate and filter/search index items the repository
    would maintain (plain Python values)."""
    expenses = demo_expenses(count)
    items = [expense_to_item(SUB, e, 1) for e in expenses]
    items += [item for e in expenses for item in index_items(SUB, e, 1)]
    for key, delta in expected_summary(expenses).items():
        items.append(
            {
                "pk": tables.user_pk(SUB),
                "sk": tables.summary_sk(key.month, key.currency, key.category),
                "type": "SUMMARY",
                "month": key.month,
                "currency": key.currency,
                "category": key.category,
                "total": delta.total,
                "count": delta.count,
            }
        )
    return items


def seed(world: World, count: int) -> None:
    """Write `seed_items(count)` into the world's table."""
    items = seed_items(count)
    ddb = world.client("dynamodb")
    for start in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": serialize(i)}} for i in items[start : start + 25]]
        pending: dict[str, Any] = {world.table: requests}
        while pending:
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def api_event(method: str, path: str, query: dict[str, str] | None = None) -> dict[str, Any]:
    """The REST proxy event API Gateway gives the handler for a signed-in SUB."""
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"origin": "http://localhost:8000"},
        "multiValueHeaders": {},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": None,
        "body": None,
        "isBase64Encoded": False,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "stage": "api",
            "requestId": "bench",
            "identity": {"sourceIp": "127.0.0.1"},
            "authorizer": {"claims": {"sub": SUB, "email": "bench@example.com"}},
        },
    }
