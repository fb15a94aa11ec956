"""DynamoDB access for expenses, monthly aggregates, categories, profile and idempotency records.

Every write of an expense maintains its `SUMMARY#` aggregates in the same TransactWriteItems, guarded
by an optimistic `version` check on the expense, so concurrent writers can never make the aggregates
drift: a writer that lost the race re-reads and retries. Aggregates never go below zero (the
decrement is conditional) and an emptied aggregate is deleted (best effort, conditional on count 0;
readers also drop count-0 items).

Used by the expenses API and by the cost importer (`upsert` with deterministic ids).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from outlay import tables
from outlay.dal.table_base import TableAdapter
from outlay.logic.errors import ConflictError, InvalidInputError, NotFoundError, UpstreamUnavailableError
from outlay.logic.expenses import IDEMPOTENCY_TTL_SECONDS, apply_changes, same_content, utc_now
from outlay.logic.summary import AggregateKey, Delta, aggregate_deltas, build_summary
from outlay.models.expenses import Expense, ExpenseFilters, ExpensePage, Summary, SummaryItem, is_valid_id

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

# Inside ExpensesRepository the name `list` is the method; annotations after it use this alias.
List = list

UpsertResult = Literal["created", "updated", "unchanged"]

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

# A list page reads at most this many times `limit` items when filters drop items.
READ_BUDGET_FACTOR = 3
EXPORT_PAGE_SIZE = 500
_MAX_ATTEMPTS = 6
_DATE_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}#[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_KEY_HIGH = "#~"  # sorts after '#<any id>' (ids use [A-Za-z0-9._:-], all below '~')


class _Retry(Exception):
    """A conditional write lost a race; re-read and try again."""


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def deserialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def expense_to_item(sub: str, expense: Expense, version: int) -> dict[str, Any]:
    """The stored item (plain Python values; Decimal numbers)."""
    item: dict[str, Any] = {
        "pk": tables.user_pk(sub),
        "sk": tables.expense_sk(expense.id),
        "type": "EXPENSE",
        "dateKey": tables.date_key(expense.date.isoformat(), expense.id),
        "id": expense.id,
        "date": expense.date.isoformat(),
        "amount": expense.amount,
        "currency": expense.currency,
        "category": expense.category,
        "vendor": expense.vendor,
        "vendorLower": expense.vendor.casefold(),
        "description": expense.description,
        "tags": list(expense.tags),
        "source": expense.source,
        "createdAt": _iso(expense.created_at),
        "updatedAt": _iso(expense.updated_at),
        "version": version,
    }
    if expense.receipt_content_type:
        item["receiptContentType"] = expense.receipt_content_type
    if expense.aws is not None:
        item["aws"] = expense.aws.model_dump(by_alias=True, exclude_none=True)
    return item


def item_to_expense(item: Mapping[str, Any]) -> Expense:
    data = {
        k: v for k, v in item.items() if k not in {"pk", "sk", "type", "dateKey", "vendorLower", "version"}
    }
    return Expense.model_validate(data)


def owner_of(pk: str) -> str | None:
    return pk[len("USER#") :] if pk.startswith("USER#") else None


class ExpensesRepository(TableAdapter):
    # ------------------------------------------------------------------------------- reads

    def _get_item(self, sub: str, sk: str) -> dict[str, Any] | None:
        response = self.client.get_item(
            TableName=self.table_name,
            Key=serialize({"pk": tables.user_pk(sub), "sk": sk}),
            ConsistentRead=True,
        )
        raw = response.get("Item")
        return deserialize(raw) if raw else None

    def _get_with_version(self, sub: str, expense_id: str) -> tuple[Expense, int] | None:
        if not is_valid_id(expense_id):
            return None
        item = self._get_item(sub, tables.expense_sk(expense_id))
        if item is None:
            return None
        return item_to_expense(item), int(item.get("version", 0))  # 0: written without a version

    def get(self, sub: str, expense_id: str) -> Expense:
        """The caller's expense; somebody else's id is indistinguishable from a missing one."""
        found = self._get_with_version(sub, expense_id)
        if found is None:
            raise NotFoundError("Expense not found")
        return found[0]

    # ------------------------------------------------------------------------------- writes

    def _aggregate_update(self, sub: str, key: AggregateKey, delta: Delta) -> TransactWriteItemTypeDef:
        values: dict[str, Any] = {
            ":t": delta.total,
            ":c": delta.count,
            ":m": key.month,
            ":cur": key.currency,
            ":cat": key.category,
            ":type": "SUMMARY",
        }
        update: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": serialize({"pk": tables.user_pk(sub), "sk": tables.summary_sk(*_key_parts(key))}),
            "UpdateExpression": (
                "ADD #total :t, #count :c SET #month = :m, #currency = :cur, #category = :cat, #type = :type"
            ),
            "ExpressionAttributeNames": {
                "#total": "total",
                "#count": "count",
                "#month": "month",
                "#currency": "currency",
                "#category": "category",
                "#type": "type",
            },
        }
        if delta.count < 0 or (delta.count == 0 and delta.total != 0):
            # Never below zero: removing N expenses needs at least N counted.
            values[":need"] = max(-delta.count, 1)
            update["ConditionExpression"] = "#count >= :need"
        update["ExpressionAttributeValues"] = serialize(values)
        return {"Update": update}  # type: ignore[typeddict-item]

    def _put_expense(
        self, sub: str, expense: Expense, version: int, expected_version: int | None
    ) -> TransactWriteItemTypeDef:
        put: dict[str, Any] = {
            "TableName": self.table_name,
            "Item": serialize(expense_to_item(sub, expense, version)),
        }
        if expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put.update(_version_condition(expected_version))
        return {"Put": put}  # type: ignore[typeddict-item]

    def _write(
        self,
        sub: str,
        old: Expense | None,
        new: Expense | None,
        old_version: int | None,
        extra: list[TransactWriteItemTypeDef] | None = None,
    ) -> None:
        """One transaction: the expense change + its aggregate deltas (+ extra items); raises
        _Cancelled with the per-item cancellation codes when a condition fails."""
        items: list[TransactWriteItemTypeDef] = []
        if new is not None:
            items.append(self._put_expense(sub, new, (old_version or 0) + 1, old_version))
        elif old is not None and old_version is not None:
            delete: dict[str, Any] = {
                "TableName": self.table_name,
                "Key": serialize({"pk": tables.user_pk(sub), "sk": tables.expense_sk(old.id)}),
                **_version_condition(old_version),
            }
            items.append({"Delete": delete})  # type: ignore[typeddict-item]
        deltas = aggregate_deltas(old, new)
        items.extend(self._aggregate_update(sub, key, delta) for key, delta in deltas.items())
        items.extend(extra or [])
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            codes = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
            raise _Cancelled(codes) from exc
        self._drop_empty_aggregates(sub, [k for k, d in deltas.items() if d.count < 0])

    def _drop_empty_aggregates(self, sub: str, keys: list[AggregateKey]) -> None:
        for key in keys:
            try:
                self.client.delete_item(
                    TableName=self.table_name,
                    Key=serialize({"pk": tables.user_pk(sub), "sk": tables.summary_sk(*_key_parts(key))}),
                    ConditionExpression="#count = :zero",
                    ExpressionAttributeNames={"#count": "count"},
                    ExpressionAttributeValues=serialize({":zero": 0}),
                )
            except ClientError:
                # Best effort: the write itself succeeded, and readers skip count-0 aggregates.
                continue

    def _with_retries(self, attempt: Callable[[], Any]) -> Any:
        for n in range(_MAX_ATTEMPTS):
            try:
                return attempt()
            except _Retry:
                if n == _MAX_ATTEMPTS - 1:
                    break
                time.sleep(random.uniform(0, 0.02 * 2**n))  # noqa: S311 - jitter, not crypto
        raise UpstreamUnavailableError("The expense is being changed concurrently; try again")

    def create(
        self,
        sub: str,
        expense: Expense,
        idempotency_key: str | None = None,
        request_hash: str | None = None,
    ) -> Expense:
        """Store a new expense (+ aggregates, + idempotency record). A replay of the same
        `idempotency_key` with the same `request_hash` returns the originally created expense."""
        if idempotency_key:
            replay = self._replay(sub, idempotency_key, request_hash)
            if replay is not None:
                return replay
        extra: list[TransactWriteItemTypeDef] = []
        if idempotency_key:
            now = utc_now()
            extra.append(
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": serialize(
                            {
                                "pk": tables.user_pk(sub),
                                "sk": tables.idempotency_sk(idempotency_key),
                                "type": "IDEMPOTENCY",
                                "expenseId": expense.id,
                                "requestHash": request_hash or "",
                                "expiresAt": int(
                                    (now + timedelta(seconds=IDEMPOTENCY_TTL_SECONDS)).timestamp()
                                ),
                            }
                        ),
                        # TTL deletion lags: an expired record counts as absent.
                        "ConditionExpression": "attribute_not_exists(pk) OR expiresAt < :now",
                        "ExpressionAttributeValues": serialize({":now": int(now.timestamp())}),
                    }
                }
            )
        try:
            self._write(sub, None, expense, None, extra)
        except _Cancelled as cancelled:
            if idempotency_key and cancelled.failed(len(cancelled.codes) - 1):
                replay = self._replay(sub, idempotency_key, request_hash)
                if replay is not None:
                    return replay
            if cancelled.failed(0):
                raise ConflictError("An expense with this id already exists") from cancelled
            raise UpstreamUnavailableError("The expense could not be saved; try again") from cancelled
        return expense

    def _replay(self, sub: str, key: str, request_hash: str | None) -> Expense | None:
        record = self._get_item(sub, tables.idempotency_sk(key))
        if record is None or int(record.get("expiresAt", 0)) < int(utc_now().timestamp()):
            return None
        if record.get("requestHash", "") != (request_hash or ""):
            raise ConflictError(
                "This Idempotency-Key was already used with a different request body; "
                "use a new key for a new expense",
                [{"field": "Idempotency-Key", "message": "reused with a different body"}],
            )
        found = self._get_with_version(sub, str(record["expenseId"]))
        if found is None:
            raise ConflictError(
                "The expense created with this Idempotency-Key has since been deleted",
                [{"field": "Idempotency-Key", "message": "original expense deleted"}],
            )
        return found[0]

    def update(self, sub: str, expense_id: str, changes: Mapping[str, Any]) -> Expense:
        """Apply validated field changes (snake_case names) and move aggregates/date key with them."""

        def attempt() -> Expense:
            found = self._get_with_version(sub, expense_id)
            if found is None:
                raise NotFoundError("Expense not found")
            old, version = found
            new = apply_changes(old, changes, utc_now())
            if same_content(old, new) and new.receipt_content_type == old.receipt_content_type:
                return old
            self._guarded_write(sub, old, new, version)
            return new

        result: Expense = self._with_retries(attempt)
        return result

    def set_receipt(self, sub: str, expense_id: str, content_type: str) -> Expense:
        return self.update(sub, expense_id, {"receipt_content_type": content_type})

    def delete(self, sub: str, expense_id: str) -> Expense:
        def attempt() -> Expense:
            found = self._get_with_version(sub, expense_id)
            if found is None:
                raise NotFoundError("Expense not found")
            old, version = found
            self._guarded_write(sub, old, None, version)
            return old

        result: Expense = self._with_retries(attempt)
        return result

    def upsert(self, sub: str, expense: Expense) -> UpsertResult:
        """Write an expense under its caller-chosen deterministic id, adjusting aggregates by the delta.

        Re-running an import leaves no duplicates and unchanged aggregates ("unchanged"). The first
        write keeps `createdAt`; a user-attached receipt survives re-imports.
        """

        def attempt() -> UpsertResult:
            found = self._get_with_version(sub, expense.id)
            if found is None:
                self._guarded_write(sub, None, expense, None)
                return "created"
            old, version = found
            merged = expense.model_copy(
                update={"created_at": old.created_at, "receipt_content_type": old.receipt_content_type}
            )
            if same_content(old, merged):
                return "unchanged"
            self._guarded_write(sub, old, merged, version)
            return "updated"

        result: UpsertResult = self._with_retries(attempt)
        return result

    def _guarded_write(self, sub: str, old: Expense | None, new: Expense | None, version: int | None) -> None:
        try:
            self._write(sub, old, new, version)
        except _Cancelled as cancelled:
            if cancelled.retryable:
                raise _Retry from cancelled
            raise ConflictError(
                "The monthly totals disagree with the expense; the change was refused"
            ) from cancelled

    # ------------------------------------------------------------------------------- listing

    def _date_condition(
        self, sub: str, filters: ExpenseFilters
    ) -> tuple[str, dict[str, Any], str | None, str | None]:
        values: dict[str, Any] = {":pk": tables.user_pk(sub)}
        low = filters.from_.isoformat() if filters.from_ else None
        high = filters.to.isoformat() + _KEY_HIGH if filters.to else None
        if low and high:
            condition = "pk = :pk AND dateKey BETWEEN :lo AND :hi"
            values.update({":lo": low, ":hi": high})
        elif low:
            condition = "pk = :pk AND dateKey >= :lo"
            values[":lo"] = low
        elif high:
            condition = "pk = :pk AND dateKey <= :hi"
            values[":hi"] = high
        else:
            condition = "pk = :pk"
        return condition, values, low, high

    @staticmethod
    def _filter_expression(
        filters: ExpenseFilters, values: dict[str, Any]
    ) -> tuple[str | None, dict[str, str]]:
        parts: list[str] = []
        names: dict[str, str] = {}
        if filters.category:
            parts.append("#category = :category")
            names["#category"] = "category"
            values[":category"] = filters.category
        if filters.tag:
            parts.append("contains(#tags, :tag)")
            names["#tags"] = "tags"
            values[":tag"] = filters.tag
        if filters.vendor:
            parts.append("begins_with(#vendorLower, :vendor)")
            names["#vendorLower"] = "vendorLower"
            values[":vendor"] = filters.vendor.casefold()
        if filters.min is not None:
            parts.append("#amount >= :min")
            names["#amount"] = "amount"
            values[":min"] = filters.min
        if filters.max is not None:
            parts.append("#amount <= :max")
            names["#amount"] = "amount"
            values[":max"] = filters.max
        if filters.currency:
            parts.append("#currency = :currency")
            names["#currency"] = "currency"
            values[":currency"] = filters.currency
        return (" AND ".join(parts) or None), names

    def _query_args(self, sub: str, filters: ExpenseFilters) -> tuple[dict[str, Any], str | None, str | None]:
        condition, values, low, high = self._date_condition(sub, filters)
        filter_expression, names = self._filter_expression(filters, values)
        args: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": tables.BY_DATE_INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": serialize(values),
            "ScanIndexForward": False,
        }
        if filter_expression:
            args["FilterExpression"] = filter_expression
            args["ExpressionAttributeNames"] = names
        return args, low, high

    def list(
        self, sub: str, filters: ExpenseFilters, limit: int = 50, cursor: str | None = None
    ) -> ExpensePage:
        """One page, newest date first. Reads at most READ_BUDGET_FACTOR x limit items; when filters
        drop items the page may be short, with `next` to continue."""
        args, low, high = self._query_args(sub, filters)
        start_key = decode_cursor(sub, cursor, low, high) if cursor else None
        budget = READ_BUDGET_FACTOR * limit
        read = 0
        items: List[Expense] = []
        next_key: str | None = None
        while True:
            query = dict(args, Limit=min(limit, budget - read) if filters.has_filters else limit - len(items))
            if start_key:
                query["ExclusiveStartKey"] = start_key
            response = self.client.query(**query)
            read += response.get("ScannedCount", 0)
            page = [deserialize(raw) for raw in response.get("Items", [])]
            lek = response.get("LastEvaluatedKey")
            room = limit - len(items)
            if len(page) > room:
                kept = page[:room]
                items.extend(item_to_expense(i) for i in kept)
                next_key = str(kept[-1]["dateKey"])
                break
            items.extend(item_to_expense(i) for i in page)
            if not lek:
                break
            start_key = lek
            if len(items) >= limit or read >= budget:
                next_key = str(deserialize(lek)["dateKey"])
                break
        return ExpensePage(items=items, next=encode_cursor(sub, next_key) if next_key else None)

    def iter_expenses(
        self, sub: str, filters: ExpenseFilters, page_size: int = EXPORT_PAGE_SIZE
    ) -> Iterator[Expense]:
        """Every matching expense, newest first, one query page in memory at a time."""
        args, _, _ = self._query_args(sub, filters)
        args["Limit"] = page_size
        while True:
            response = self.client.query(**args)
            for raw in response.get("Items", []):
                yield item_to_expense(deserialize(raw))
            lek = response.get("LastEvaluatedKey")
            if not lek:
                return
            args["ExclusiveStartKey"] = lek

    def month_expenses(self, sub: str, year: str, month: str) -> List[Expense]:
        """All of one user's expenses dated in one month, read consistently (the lake's source)."""
        args: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": tables.BY_DATE_INDEX,
            "KeyConditionExpression": "pk = :pk AND begins_with(dateKey, :month)",
            "ExpressionAttributeValues": serialize(
                {":pk": tables.user_pk(sub), ":month": f"{year}-{month}-"}
            ),
            "ConsistentRead": True,
        }
        result: List[Expense] = []
        while True:
            response = self.client.query(**args)
            result.extend(item_to_expense(deserialize(raw)) for raw in response.get("Items", []))
            lek = response.get("LastEvaluatedKey")
            if not lek:
                return sorted(result, key=lambda e: (e.date, e.id))
            args["ExclusiveStartKey"] = lek

    # ------------------------------------------------------------------------------- summary

    def summary(self, sub: str, start: str, end: str) -> Summary:
        """Totals per month x category x currency from the aggregate items only (one key range)."""
        args: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": serialize(
                {
                    ":pk": tables.user_pk(sub),
                    ":lo": f"{tables.SUMMARY_PREFIX}{start}#",
                    ":hi": f"{tables.SUMMARY_PREFIX}{end}$",  # '$' sorts right after '#'
                }
            ),
        }
        items: List[SummaryItem] = []
        while True:
            response = self.client.query(**args)
            for raw in response.get("Items", []):
                item = deserialize(raw)
                items.append(
                    SummaryItem(
                        month=item["month"],
                        category=item["category"],
                        currency=item["currency"],
                        total=item.get("total", Decimal(0)),
                        count=int(item.get("count", 0)),
                    )
                )
            lek = response.get("LastEvaluatedKey")
            if not lek:
                break
            args["ExclusiveStartKey"] = lek
        return build_summary(start, end, items)

    # ------------------------------------------------------------------------------- categories/profile

    def user_categories(self, sub: str) -> List[str]:
        args: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": serialize(
                {":pk": tables.user_pk(sub), ":prefix": tables.CATEGORY_PREFIX}
            ),
        }
        names: List[str] = []
        while True:
            response = self.client.query(**args)
            names.extend(str(deserialize(raw)["name"]) for raw in response.get("Items", []))
            lek = response.get("LastEvaluatedKey")
            if not lek:
                return sorted(names, key=str.casefold)
            args["ExclusiveStartKey"] = lek

    def find_category(self, sub: str, name: str) -> str | None:
        item = self._get_item(sub, tables.category_sk(name))
        return str(item["name"]) if item else None

    def add_category(self, sub: str, name: str) -> None:
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=serialize(
                    {
                        "pk": tables.user_pk(sub),
                        "sk": tables.category_sk(name),
                        "type": "CATEGORY",
                        "name": name,
                        "createdAt": _iso(utc_now()),
                    }
                ),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise ConflictError(
                    "You already have this category", [{"field": "name", "message": "duplicate"}]
                ) from exc
            raise

    def get_default_currency(self, sub: str) -> str | None:
        item = self._get_item(sub, tables.PROFILE_SK)
        return str(item["defaultCurrency"]) if item and item.get("defaultCurrency") else None

    def put_default_currency(self, sub: str, currency: str) -> None:
        self.client.put_item(
            TableName=self.table_name,
            Item=serialize(
                {
                    "pk": tables.user_pk(sub),
                    "sk": tables.PROFILE_SK,
                    "type": "PROFILE",
                    "defaultCurrency": currency,
                    "updatedAt": _iso(utc_now()),
                }
            ),
        )


class _Cancelled(Exception):
    """TransactWriteItems was cancelled; `codes` are the per-item reasons in request order."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(",".join(codes))
        self.codes = codes

    def failed(self, index: int) -> bool:
        return 0 <= index < len(self.codes) and self.codes[index] == "ConditionalCheckFailed"

    @property
    def retryable(self) -> bool:
        # The expense's own version check (item 0) or a concurrent transaction on the same items.
        # Unknown reasons (moto may omit them) are treated as a lost race too.
        return not self.codes or self.failed(0) or "TransactionConflict" in self.codes


def _version_condition(expected: int) -> dict[str, Any]:
    """Optimistic lock on the expense: the version we read must still be there."""
    if expected == 0:
        return {
            "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(#version)",
            "ExpressionAttributeNames": {"#version": "version"},
        }
    return {
        "ConditionExpression": "#version = :expected",
        "ExpressionAttributeNames": {"#version": "version"},
        "ExpressionAttributeValues": serialize({":expected": expected}),
    }


def _key_parts(key: AggregateKey) -> tuple[str, str, str]:
    return key.month, key.currency, key.category


# ------------------------------------------------------------------------------- cursors


def _owner_tag(sub: str) -> str:
    return hashlib.sha256(f"outlay-cursor:{sub}".encode()).hexdigest()[:16]


def encode_cursor(sub: str, date_key: str) -> str:
    raw = json.dumps({"v": 1, "u": _owner_tag(sub), "k": date_key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _bad_cursor(reason: str) -> InvalidInputError:
    return InvalidInputError(
        "The `next` token is not valid for this list; start again without it",
        [{"field": "next", "message": reason}],
    )


def decode_cursor(sub: str, token: str, low: str | None = None, high: str | None = None) -> dict[str, Any]:
    """The LastEvaluatedKey a token stands for; garbage, another user's token or a token outside
    the requested date range -> 400 naming `next`."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _bad_cursor("malformed") from None
    if not isinstance(data, dict) or data.get("v") != 1 or not isinstance(data.get("k"), str):
        raise _bad_cursor("malformed")
    if data.get("u") != _owner_tag(sub):
        raise _bad_cursor("issued to another user")
    date_key = data["k"]
    if not _DATE_KEY.match(date_key):
        raise _bad_cursor("malformed")
    if (low and date_key < low) or (high and date_key > high):
        raise _bad_cursor("outside the requested date range")
    expense_id = date_key.split("#", 1)[1]
    return serialize({"pk": tables.user_pk(sub), "sk": tables.expense_sk(expense_id), "dateKey": date_key})
