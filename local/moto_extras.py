"""What moto does not emulate (or does slowly) but `make dev` needs, added to moto's in-process server.

- Memory that follows the data, not the number of writes. moto's instance tracker appends every
  model object it ever creates (each DynamoDB item version, stream record, S3 key, SQS message) to a
  class-level list that only its web dashboard reads and only a reset clears: the local runtime
  never serves that dashboard, so objects are no longer tracked and are freed once moto drops them.
- DynamoDB `TransactWriteItems`: moto backs up each table by deep-copying it (items and stream) per
  transaction item, which costs time and memory in proportion to the table on every write. Here a
  transaction instead keeps an undo log of the items under its keys and the stream's end; a
  cancelled transaction puts those back and drops its stream records, so rollback semantics are
  unchanged (nothing written, nothing streamed). Transactions run one at a time, as DynamoDB
  isolates them.
- DynamoDB Streams `GetRecords`: moto stores a new shard iterator on every call and never drops
  one, so a poller reading the stream twice a second grows memory with time. AWS expires iterators
  after 15 minutes; here at most `MAX_SHARD_ITERATORS` live, the oldest expiring first.
- DynamoDB `UpdateItem` runs one at a time: DynamoDB applies a conditional update atomically, moto's
  threaded server does not lock, so two workers could both pass the Cost Explorer rate limiter's
  `n < 5` condition (`outlay.dal.ce_rate_limiter`) at once.
- Cost Explorer `GetCostAndUsage`: moto keeps queued answers per account, and an assumed role's
  credentials belong to the role's account. Locally every connected account (role or keys) sees the
  demo bill queued for moto's default account, unless answers were queued for that account itself.
- Cost Explorer grouped by `LINKED_ACCOUNT` (an AWS Organizations management account): moto's
  queued answers cannot split a bill per account, so an account listed in `ORGANIZATION_BILLS`
  answers from its registered function of the request (the seed registers the demo organization).
  Its tag rules' requests (LINKED_ACCOUNT x SERVICE filtered to one tag value) answer the demo's
  tagged usage (`local.seed.DEMO_TAGGED`) in every linked account that uses that service, capped at
  the account's amount; any other tag value carries nothing.
- Cost Explorer `GetCostAndUsage` grouped by a TAG (asked only for users with tag rules): moto would
  hand out the next queued answer, a month of the demo bill. Locally it answers the demo's tagged
  usage (`local.seed.DEMO_TAGGED`) for the requested period, unless the next queued answer is itself
  grouped by a tag (a test queued it).
- Cost Explorer `GetCostAndUsage` grouped by SERVICE alone (the AWS costs page: DAILY month to date,
  MONTHLY history): moto's queue hands out answers in request order, so these would take the import's
  queued months. Unless an answer was queued for that exact request, they get demo figures made from
  the demo bill (`local/seed.py` DEMO_SERVICES), the same for the same period on every call.
- Cost Explorer `GetCostForecast`: moto answers NotImplemented (HTTP 500, retried by botocore and
  shown as "AWS unavailable" in the dashboard). Locally it answers a demo forecast for the requested
  period, shaped like AWS's response: `Total {Amount, Unit}` + `ForecastResultsByTime`.
- Insights (issue 17): moto has no Cost Anomaly Detection, reservation or Savings Plans reads. Locally
  `GetAnomalies` answers one demo anomaly, the four utilization/coverage reads answer "no
  commitments" (zero purchased hours / commitment, as AWS does), and a `GetCostAndUsage` grouped by
  REGION or SERVICE alone (the insights' breakdowns, never the import's SERVICE x RECORD_TYPE) answers
  a demo breakdown instead of taking the import's queued bill. `backdate_snapshot` ages a moto
  snapshot so the demo has one older than 90 days.
- Lambda `Invoke` of the envelope function: moto would need Docker to run it; local.envelope_lambda
  answers with its real handler in-process, with Lambda's error shape.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

# Roughly the demo account's monthly bill (local/seed.py DEMO_SERVICES + tax).
DEMO_FORECAST_USD = Decimal("81.45")


def _get_cost_forecast(self: Any) -> str:
    request = json.loads(self.body or "{}")
    period = request.get("TimePeriod") or {}
    amount = str(DEMO_FORECAST_USD)
    return json.dumps(
        {
            "Total": {"Amount": amount, "Unit": "USD"},
            "ForecastResultsByTime": [
                {
                    "TimePeriod": {"Start": period.get("Start", ""), "End": period.get("End", "")},
                    "MeanValue": amount,
                    "PredictionIntervalLowerBound": str(DEMO_FORECAST_USD * Decimal("0.9")),
                    "PredictionIntervalUpperBound": str(DEMO_FORECAST_USD * Decimal("1.1")),
                }
            ],
        }
    )


DEMO_REGION = "us-east-1"  # where the demo account spends, and where local/seed.py puts its waste
DEMO_MONTHLY: dict[str, Decimal] = {  # roughly local/seed.py DEMO_SERVICES
    "Amazon Elastic Compute Cloud - Compute": Decimal("41.37"),
    "Amazon Relational Database Service": Decimal("27.80"),
    "Amazon Simple Storage Service": Decimal("3.12"),
}


def _money(amount: Decimal) -> dict[str, str]:
    return {"Amount": str(amount.quantize(Decimal("0.0001"))), "Unit": "USD"}


def _demo_breakdown(request: dict[str, Any]) -> dict[str, Any]:
    """Demo answer for GetCostAndUsage grouped by REGION or SERVICE (MONTHLY or DAILY)."""
    from datetime import date, timedelta

    key = request["GroupBy"][0]["Key"]
    start = date.fromisoformat(request["TimePeriod"]["Start"])
    end = date.fromisoformat(request["TimePeriod"]["End"])
    daily = request.get("Granularity") == "DAILY"
    periods = []
    while start < end:
        following = start + timedelta(days=1) if daily else (start + timedelta(days=32)).replace(day=1)
        if key == "REGION":
            groups = [
                {
                    "Keys": [DEMO_REGION],
                    "Metrics": {"UnblendedCost": _money(sum(DEMO_MONTHLY.values(), Decimal(0)))},
                }
            ]
        else:
            groups = []
            for service, monthly in DEMO_MONTHLY.items():
                amount = monthly / 30 if daily else monthly
                if daily and service.startswith("Amazon Elastic") and start.day >= 2:
                    amount *= 3  # the demo's run-rate anomaly (shown from the 4th of the month)
                groups.append({"Keys": [service], "Metrics": {"UnblendedCost": _money(amount)}})
        periods.append(
            {
                "TimePeriod": {"Start": start.isoformat(), "End": following.isoformat()},
                "Total": {},
                "Groups": groups,
                "Estimated": True,
            }
        )
        start = following
    return {"ResultsByTime": periods, "DimensionValueAttributes": []}


def _get_anomalies(self: Any) -> str:
    from datetime import UTC, datetime, timedelta

    start = (datetime.now(UTC) - timedelta(days=6)).date().isoformat()
    anomaly = {
        "AnomalyId": "demo-anomaly-1",
        "AnomalyStartDate": start,
        "DimensionValue": "Amazon Relational Database Service",
        "RootCauses": [{"Service": "Amazon Relational Database Service", "Region": DEMO_REGION}],
        "AnomalyScore": {"MaxScore": 0.86, "CurrentScore": 0.71},
        "Impact": {
            "MaxImpact": 3.3,
            "TotalImpact": 14.6,
            "TotalActualSpend": 19.9,
            "TotalExpectedSpend": 5.3,
        },
        "MonitorArn": "arn:aws:ce::123456789012:anomalymonitor/demo",
    }
    return json.dumps({"Anomalies": [anomaly]})


def _no_reservations(self: Any) -> str:
    hours = {"PurchasedHours": "0", "TotalActualHours": "0", "UnusedHours": "0", "UtilizationPercentage": "0"}
    return json.dumps({"UtilizationsByTime": [], "Total": hours, "CoveragesByTime": []})


def _no_savings_plans(self: Any) -> str:
    commitment = {
        "TotalCommitment": "0",
        "UsedCommitment": "0",
        "UnusedCommitment": "0",
        "UtilizationPercentage": "0",
    }
    return json.dumps(
        {
            "Total": {"Utilization": commitment},
            "SavingsPlansUtilizationsByTime": [],
            "SavingsPlansCoverages": [],
        }
    )


def backdate_snapshot(snapshot_id: str, region: str, when: Any, account: str = "123456789012") -> None:
    """Give a moto snapshot an older StartTime (AWS sets it; moto has no API to change it)."""
    from moto.ec2.models import ec2_backends

    ec2_backends[account][region].snapshots[snapshot_id].start_time = when


_transaction = threading.local()
_one_transaction_at_a_time = threading.Lock()


class _NoTableCopy:
    """Stands in for the `copy` module inside moto.dynamodb.models: inside a transaction, the table
    "backup" is the table itself (moto's rollback then assigns it to itself); `_undo_log` does the
    rollback instead."""

    def __init__(self, table_type: type) -> None:
        self._table_type = table_type

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if getattr(_transaction, "active", False) and isinstance(value, self._table_type):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


class _UndoLog:
    """What a transaction is about to touch: the items under its keys (copied) and where each
    table's stream ended. Rolling back puts those items back and drops the stream records the
    cancelled writes appended: DynamoDB writes nothing, and streams nothing, for a cancelled one."""

    def __init__(self, backend: Any, transact_items: list[dict[str, Any]]) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        self.items: list[tuple[Any, Any, Any, Any]] = []
        self.stream_ends: dict[int, tuple[Any, int]] = {}
        for entry in transact_items:
            for op_type, op in entry.items():
                table = backend.tables.get(op.get("TableName") if isinstance(op, dict) else None)
                if table is None:
                    continue
                attrs = op.get("Item") if op_type == "Put" else op.get("Key")
                try:
                    hash_key = DynamoType(attrs[table.hash_key_attr])
                    range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
                except (KeyError, TypeError):
                    continue  # moto rejects the operation before it writes anything
                self.items.append(
                    (table, hash_key, range_key, copy.deepcopy(_stored(table, hash_key, range_key)))
                )
                shard = table.stream_shard
                if shard is not None and id(shard) not in self.stream_ends:
                    self.stream_ends[id(shard)] = (shard, shard.starting_sequence_number + len(shard.items))

    def roll_back(self) -> None:
        for table, hash_key, range_key, original in reversed(self.items):
            if range_key is None:
                if original is None:
                    table.items.pop(hash_key, None)
                else:
                    table.items[hash_key] = original
            elif original is None:
                if hash_key in table.items:
                    table.items[hash_key].pop(range_key, None)
            else:
                table.items[hash_key][range_key] = original
        for shard, end in self.stream_ends.values():
            keep = end - shard.starting_sequence_number
            if keep >= 0:
                del shard.items[keep:]


def _stored(table: Any, hash_key: Any, range_key: Any) -> Any:
    """The stored item under a key, or None (without letting moto's defaultdict create entries)."""
    if hash_key not in table.items:
        return None
    stored = table.items[hash_key]
    return stored.get(range_key) if range_key is not None else stored


def _undo_instead_of_copy(transact_write_items: Any) -> Any:
    @functools.wraps(transact_write_items)
    def wrapper(self: Any, transact_items: list[dict[str, Any]], *args: Any, **kwargs: Any) -> Any:
        with _one_transaction_at_a_time:
            undo = _UndoLog(self, transact_items)
            _transaction.active = True
            try:
                return transact_write_items(self, transact_items, *args, **kwargs)
            except BaseException:
                undo.roll_back()
                raise
            finally:
                _transaction.active = False

    wrapper._outlay_undo_log = True  # type: ignore[attr-defined]
    return wrapper


def _new_untracked(cls: type, *args: Any, **kwargs: Any) -> Any:
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    if not getattr(DynamoDBStreamsBackend.get_records, "_outlay_expiring", False):
        DynamoDBStreamsBackend.get_records = _expire_old_iterators(  # type: ignore[method-assign]
            DynamoDBStreamsBackend.get_records
        )

    from local import envelope_lambda

    envelope_lambda.install()

    from moto.core.common_models import BaseModel

    return super(BaseModel, cls).__new__(cls)  # type: ignore[misc]


MAX_SHARD_ITERATORS = 1_000


def _expire_old_iterators(get_records: Any) -> Any:
    @functools.wraps(get_records)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = get_records(self, *args, **kwargs)
        iterators = self.shard_iterators
        while len(iterators) > MAX_SHARD_ITERATORS:
            iterators.pop(next(iter(iterators)))  # dicts keep insertion order: the oldest first
        return result

    wrapper._outlay_expiring = True  # type: ignore[attr-defined]
    return wrapper


DEFAULT_ACCOUNT = "123456789012"
# management account id -> GetCostAndUsage request -> answer, for requests grouped by LINKED_ACCOUNT
ORGANIZATION_BILLS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _demo_by_service(request: dict[str, Any]) -> dict[str, Any]:
    """A GetCostAndUsage answer grouped by SERVICE for the requested period and granularity."""
    import random
    from datetime import date, timedelta

    from local.seed import DEMO_SERVICES

    period = request.get("TimePeriod") or {}
    start, end = date.fromisoformat(period["Start"]), date.fromisoformat(period["End"])
    daily = request.get("Granularity") == "DAILY"
    results = []
    day = start
    while day < end:
        following = (
            day + timedelta(days=1) if daily else (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        )
        groups = []
        for service, monthly in DEMO_SERVICES.items():
            rng = random.Random(f"{day.isoformat()}|{service}")  # noqa: S311 - demo data
            amount = monthly * Decimal(rng.randint(60, 140)) / 100 / (30 if daily else 1)
            groups.append(
                {
                    "Keys": [service],
                    "Metrics": {
                        "UnblendedCost": {"Amount": str(amount.quantize(Decimal("0.0000001"))), "Unit": "USD"}
                    },
                }
            )
        results.append(
            {
                "TimePeriod": {"Start": day.isoformat(), "End": min(following, end).isoformat()},
                "Total": {},
                "Groups": groups,
                "Estimated": daily,
            }
        )
        day = following
    return {
        "ResultsByTime": results,
        "DimensionValueAttributes": [],
        "GroupDefinitions": [{"Type": "DIMENSION", "Key": "SERVICE"}],
    }


def _by_service_only(body: str) -> dict[str, Any] | None:
    try:
        request = json.loads(body)
    except ValueError:
        return None
    group_by = request.get("GroupBy") or []
    if len(group_by) == 1 and group_by[0].get("Key") == "SERVICE":
        return dict(request)
    return None


def _shared_demo_bill(get_cost_and_usage: Any) -> Any:
    @functools.wraps(get_cost_and_usage)
    def wrapper(self: Any, body: str) -> Any:
        organization = ORGANIZATION_BILLS.get(self.account_id)
        request = json.loads(body or "{}")
        group_keys = [g.get("Key") for g in request.get("GroupBy") or []]
        if organization is not None and group_keys[:1] == ["LINKED_ACCOUNT"]:
            tag = _tag_filter(request)
            return organization(request) if tag is None else _demo_linked_tags(organization, request, tag)
        if len(request.get("GroupBy") or []) == 1 and body not in self.cost_usage_results:
            # The AWS costs page (by SERVICE) and insights' breakdowns (e.g. by REGION): never the
            # import's queued bill.
            by_service = _by_service_only(body)
            return _demo_by_service(by_service) if by_service is not None else _demo_breakdown(request)
        own = body in self.cost_usage_results or self.cost_usage_results_queue
        if self.account_id != DEFAULT_ACCOUNT and not own:
            from moto.ce.models import ce_backends

            return ce_backends[DEFAULT_ACCOUNT]["global"].get_cost_and_usage(body)
        return get_cost_and_usage(self, body)

    wrapper._outlay_shared = True  # type: ignore[attr-defined]
    return wrapper


def _tag_filter(request: dict[str, Any]) -> dict[str, Any] | None:
    """The `Tags` expression of a request filtered to one tag value (`cost_tags.linked_tag_usage_request`)."""
    for expression in (request.get("Filter") or {}).get("And") or []:
        if isinstance(expression, dict) and "Tags" in expression:
            return dict(expression["Tags"])
    return None


def _demo_linked_tags(
    organization: Callable[[dict[str, Any]], dict[str, Any]], request: dict[str, Any], tag: dict[str, Any]
) -> dict[str, Any]:
    from local.seed import DEMO_TAGGED

    service, key, value, most = DEMO_TAGGED
    usage = organization({**request, "Filter": {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage"]}}})
    groups = []
    if tag.get("Key") == key and tag.get("Values") == [value]:
        for result in usage.get("ResultsByTime") or []:
            for group in result.get("Groups") or []:
                if group["Keys"][1] != service:
                    continue
                amount = min(Decimal(group["Metrics"]["UnblendedCost"]["Amount"]), most)
                metric = {"Amount": str(amount), "Unit": "USD"}
                groups.append(
                    {"Keys": group["Keys"], "Metrics": {"UnblendedCost": metric, "AmortizedCost": metric}}
                )
    period = request.get("TimePeriod") or {}
    return {
        "ResultsByTime": [{"TimePeriod": period, "Total": {}, "Groups": groups, "Estimated": False}],
        "DimensionValueAttributes": [],
        "GroupDefinitions": request.get("GroupBy") or [],
    }


def _is_tag_grouped(group_by: Any) -> bool:
    return any(isinstance(g, dict) and g.get("Type") == "TAG" for g in group_by or [])


def _demo_tags(get_cost_and_usage: Any) -> Any:
    @functools.wraps(get_cost_and_usage)
    def wrapper(self: Any, body: str) -> Any:
        request = json.loads(body or "{}")
        queued = self.cost_usage_results_queue
        if (
            not _is_tag_grouped(request.get("GroupBy"))
            or body in self.cost_usage_results
            or (queued and _is_tag_grouped(queued[0].get("GroupDefinitions")))
        ):
            return get_cost_and_usage(self, body)
        from local.seed import DEMO_TAGGED

        service, key, value, amount = DEMO_TAGGED
        tag_key = next(g["Key"] for g in request["GroupBy"] if g.get("Type") == "TAG")
        groups = []
        if tag_key == key:
            metric = {"Amount": str(amount), "Unit": "USD"}
            groups.append(
                {
                    "Keys": [service, f"{key}${value}"],
                    "Metrics": {"UnblendedCost": metric, "AmortizedCost": metric},
                }
            )
        period = request.get("TimePeriod") or {}
        return {
            "ResultsByTime": [{"TimePeriod": period, "Total": {}, "Groups": groups, "Estimated": False}],
            "DimensionValueAttributes": [],
            "GroupDefinitions": request["GroupBy"],
        }

    return wrapper


_UNTRACKED = staticmethod(_new_untracked)


_one_update_at_a_time = threading.Lock()


def _atomic_update(update_item: Any) -> Any:
    @functools.wraps(update_item)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _one_update_at_a_time:
            return update_item(self, *args, **kwargs)

    wrapper._outlay_atomic = True  # type: ignore[attr-defined]
    return wrapper


def install() -> None:
    """Idempotent; adds what moto lacks or does slowly, as described above."""
    from moto.ce.responses import CostExplorerResponse
    from moto.dynamodb import models as dynamodb_models
    from moto.dynamodb.models.table import Table

    if not hasattr(CostExplorerResponse, "get_cost_forecast"):
        CostExplorerResponse.get_cost_forecast = _get_cost_forecast  # type: ignore[attr-defined]
    for name, answer in (
        ("get_anomalies", _get_anomalies),
        ("get_reservation_utilization", _no_reservations),
        ("get_reservation_coverage", _no_reservations),
        ("get_savings_plans_utilization", _no_savings_plans),
        ("get_savings_plans_coverage", _no_savings_plans),
    ):
        if not hasattr(CostExplorerResponse, name):
            setattr(CostExplorerResponse, name, answer)

    from moto.ce.models import CostExplorerBackend

    if not getattr(CostExplorerBackend.get_cost_and_usage, "_outlay_shared", False):
        CostExplorerBackend.get_cost_and_usage = _shared_demo_bill(  # type: ignore[method-assign]
            _demo_tags(CostExplorerBackend.get_cost_and_usage)
        )

    backend = dynamodb_models.DynamoDBBackend
    if not getattr(backend.update_item, "_outlay_atomic", False):
        backend.update_item = _atomic_update(backend.update_item)  # type: ignore[method-assign]
    if not getattr(backend.transact_write_items, "_outlay_undo_log", False):
        dynamodb_models.copy = _NoTableCopy(Table)  # type: ignore[assignment]
        backend.transact_write_items = _undo_instead_of_copy(backend.transact_write_items)  # type: ignore[method-assign]

    from local import envelope_lambda

    envelope_lambda.install()

    from moto.core.common_models import BaseModel

    if BaseModel.__dict__["__new__"] is not _UNTRACKED:
        BaseModel.__new__ = _UNTRACKED  # type: ignore[assignment]
