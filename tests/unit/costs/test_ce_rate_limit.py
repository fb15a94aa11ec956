"""Cost Explorer's 5 requests per second per calling account, held across workers, and the backoff
after throttling. Time is simulated: threads only wait through `SimClock.sleep`, and simulated time
moves on only when every running thread waits, so the counts below are exact (no timed asserts)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from outlay import tables
from outlay.dal.ce_rate_limiter import CeRateLimiter
from outlay.dal.cost_explorer import CostExplorer
from outlay.logic import rate_limit
from outlay.logic.errors import UpstreamUnavailableError

from tests.unit.conftest import EXPENSES_TABLE_NAME
from tests.unit.costs.conftest import ce_group, ce_result


class SimClock:
    """Discrete-event time shared by several threads: `sleep` parks the caller; when every running
    thread is parked, time jumps to the earliest wake-up. Between two waits a thread's work takes no
    simulated time, so a call recorded right after `acquire` is in the second it was granted."""

    def __init__(self, start: float, threads: int) -> None:
        self.now = start
        self._running = threads
        self._wakeups: list[float] = []
        self._cond = threading.Condition()

    def time(self) -> float:
        with self._cond:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._cond:
            wake = self.now + seconds
            self._wakeups.append(wake)
            self._running -= 1
            self._advance()
            while self.now < wake:
                self._cond.wait()
            self._running += 1

    def done(self) -> None:
        with self._cond:
            self._running -= 1
            self._advance()

    def _advance(self) -> None:
        if self._running == 0 and self._wakeups:
            self.now = max(self.now, min(self._wakeups))
            self._wakeups = [w for w in self._wakeups if w > self.now]
            self._cond.notify_all()


class AtomicTable:
    """DynamoDB applies a conditional update atomically; moto's in-process backend does not lock,
    so the test serialises the table calls the way DynamoDB does."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.Lock()

    def update_item(self, **kwargs: Any) -> Any:
        with self._lock:
            return self._client.update_item(**kwargs)


class RecordingCe:
    """A Cost Explorer client that records (account, simulated second) for every request."""

    def __init__(self, account: str, clock: SimClock, calls: list[tuple[str, int]], lock: threading.Lock):
        self.account, self.clock, self.calls, self.lock = account, clock, calls, lock

    def get_cost_and_usage(self, **_: Any) -> dict[str, Any]:
        with self.lock:
            self.calls.append((self.account, int(self.clock.time())))
        return ce_result("2026-10-01", "2026-11-01", [ce_group("AWS Lambda", "Usage", "1.00")])


@pytest.fixture
def table(dynamodb_client: Any) -> AtomicTable:
    from tests.unit.conftest import create_table

    create_table(dynamodb_client, tables.EXPENSES_TABLE, EXPENSES_TABLE_NAME)
    return AtomicTable(dynamodb_client)


def _burst(table: AtomicTable, accounts: list[str], workers_per_account: int, calls_each: int):
    """`workers_per_account` threads per account (each its own limiter + client, as separate Lambda
    workers would be), each making `calls_each` Cost Explorer requests at the same instant."""
    threads_total = len(accounts) * workers_per_account
    clock = SimClock(start=1_800_000_000.4, threads=threads_total)
    calls: list[tuple[str, int]] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker(account: str) -> None:
        try:
            limiter = CeRateLimiter(
                EXPENSES_TABLE_NAME,
                dynamodb_client=table,
                clock=clock.time,
                sleep=clock.sleep,  # type: ignore[arg-type]
            )
            explorer = CostExplorer(RecordingCe(account, clock, calls, lock), account, limiter=limiter)
            for _ in range(calls_each):
                explorer.cost_and_usage_pages("2026-10")
        except BaseException as exc:  # reported below, never swallowed
            errors.append(exc)
        finally:
            clock.done()

    threads = [
        threading.Thread(target=worker, args=(account,))
        for account in accounts
        for _ in range(workers_per_account)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return calls


def test_a_burst_from_many_workers_stays_within_5_calls_per_second_per_account(table: AtomicTable) -> None:
    accounts = ["111122223333", "444455556666"]
    calls = _burst(table, accounts, workers_per_account=4, calls_each=6)

    assert len(calls) == 2 * 4 * 6  # every request was made in the end
    per_second = Counter(calls)
    assert max(per_second.values()) == rate_limit.CE_REQUESTS_PER_SECOND  # the budget, used fully
    for account in accounts:
        seconds = sorted(second for (acct, second) in per_second if acct == account)
        # 24 calls at 5 per second: 5 consecutive seconds, none over budget
        assert [per_second[(account, s)] for s in seconds] == [5, 5, 5, 5, 4]


def test_accounts_do_not_share_a_budget(table: AtomicTable) -> None:
    calls = _burst(
        table, ["111122223333", "444455556666", "777788889999"], workers_per_account=1, calls_each=5
    )
    assert {second for _, second in calls} == {1_800_000_000}  # 3 x 5 calls, all in the first second


def test_a_caller_that_waits_too_long_gets_a_throttling_error(dynamodb_client: Any) -> None:
    from tests.unit.conftest import create_table

    create_table(dynamodb_client, tables.EXPENSES_TABLE, EXPENSES_TABLE_NAME)
    now = [1_800_000_000.0]
    limiter = CeRateLimiter(
        EXPENSES_TABLE_NAME,
        dynamodb_client=dynamodb_client,
        per_second=1,
        clock=lambda: now[0],
        sleep=lambda _s: None,  # time stands still: the second never frees up
        max_wait_s=0,
    )
    assert limiter.acquire("111122223333") == 1_800_000_000
    with pytest.raises(UpstreamUnavailableError, match="busy"):
        limiter.acquire("111122223333")


def test_the_counter_item_expires_by_ttl(dynamodb_client: Any) -> None:
    from tests.unit.conftest import create_table

    create_table(dynamodb_client, tables.EXPENSES_TABLE, EXPENSES_TABLE_NAME)
    limiter = CeRateLimiter(
        EXPENSES_TABLE_NAME, dynamodb_client=dynamodb_client, clock=lambda: 1_800_000_000.7
    )
    limiter.acquire("111122223333")
    item = dynamodb_client.get_item(
        TableName=EXPENSES_TABLE_NAME,
        Key={"pk": {"S": "CERATE#111122223333"}, "sk": {"S": "SECOND#1800000000"}},
    )["Item"]
    assert item["n"] == {"N": "1"}
    assert int(item["expiresAt"]["N"]) == 1_800_000_000 + rate_limit.SLOT_TTL_S


def _throttle(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "Rate exceeded"}}, "GetCostAndUsage")


class FlakyCe:
    def __init__(self, failures: list[str]) -> None:
        self.failures = failures
        self.attempts = 0

    def get_cost_and_usage(self, **_: Any) -> dict[str, Any]:
        self.attempts += 1
        if self.failures:
            raise _throttle(self.failures.pop(0))
        return ce_result("2026-10-01", "2026-11-01", [ce_group("AWS Lambda", "Usage", "1.00")])


class CountingGate:
    def __init__(self) -> None:
        self.taken: list[str] = []

    def acquire(self, account_id: str) -> int:
        self.taken.append(account_id)
        return 0


def _explorer(
    client: Any, gate: CountingGate, sleeps: list[float], random: Callable[[], float]
) -> CostExplorer:
    return CostExplorer(client, "111122223333", limiter=gate, sleep=sleeps.append, random=random)


def test_throttling_backs_off_exponentially_with_jitter_and_every_retry_takes_a_slot() -> None:
    client, gate, sleeps = (
        FlakyCe(["ThrottlingException", "LimitExceededException", "ThrottlingException"]),
        CountingGate(),
        [],
    )
    pages = _explorer(client, gate, sleeps, random=lambda: 0.5).cost_and_usage_pages("2026-10")

    assert pages[0]["ResultsByTime"][0]["Groups"][0]["Keys"] == ["AWS Lambda", "Usage"]
    assert client.attempts == 4
    assert gate.taken == ["111122223333"] * 4  # the retries went through the shared limiter too
    assert sleeps == [0.125, 0.25, 0.5]  # half (jitter = 0.5) of 0.25 x 2^n


def test_backoff_is_bounded_by_its_cap() -> None:
    assert rate_limit.backoff_delay(30, lambda: 0.999) < rate_limit.BACKOFF_CAP_S
    assert rate_limit.backoff_delay(0, lambda: 0.0) == 0.0


def test_throttling_that_never_ends_becomes_a_503_after_the_bounded_attempts() -> None:
    client, gate, sleeps = FlakyCe(["ThrottlingException"] * 99), CountingGate(), []
    with pytest.raises(UpstreamUnavailableError, match="throttling"):
        _explorer(client, gate, sleeps, random=lambda: 1.0).cost_and_usage_pages("2026-10")
    assert client.attempts == rate_limit.THROTTLE_ATTEMPTS
    assert len(sleeps) == rate_limit.THROTTLE_ATTEMPTS - 1


def test_an_error_that_is_not_throttling_is_not_retried() -> None:
    client, gate, sleeps = FlakyCe(["AccessDeniedException"]), CountingGate(), []
    with pytest.raises(Exception, match="Access denied"):
        _explorer(client, gate, sleeps, random=lambda: 1.0).cost_and_usage_pages("2026-10")
    assert client.attempts == 1 and sleeps == []


def test_an_import_through_the_wired_service_takes_its_slot_from_the_shared_counter(
    connected: Any, service: Any
) -> None:
    from tests.unit.costs.conftest import EXPENSES, MOTO_DEFAULT_ACCOUNT, OCTOBER_GROUPS, call

    connected.queue_ce(
        [ce_result("2026-10-01", "2026-11-01", OCTOBER_GROUPS)], account_id=MOTO_DEFAULT_ACCOUNT
    )
    assert call("POST", "/aws-cost-import", body={"month": "2026-10"})[0] == 200
    counters = connected.ddb.query(
        TableName=EXPENSES,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": tables.ce_rate_pk(MOTO_DEFAULT_ACCOUNT)}},
    )["Items"]
    assert sum(int(item["n"]["N"]) for item in counters) == 1  # one GetCostAndUsage, one slot
