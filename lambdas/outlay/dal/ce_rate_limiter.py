"""The Cost Explorer rate limiter shared by every process: one DynamoDB counter per account and second.

`acquire(account)` adds 1 to the item (CERATE#<account>, SECOND#<epoch second>) only while it is
below `per_second` (a conditional update, atomic in DynamoDB), so however many import workers and API
functions run at once, at most `per_second` Cost Explorer calls per account start in any one second.
A caller refused a slot waits for the next second (plus jitter) and tries again, up to
`MAX_SLOT_WAIT_S`; then the call fails as throttled (HTTP 503 / retried by the queue).

Cost: one write request unit per granted call; a refused try also costs one (conditional writes
are billed when the condition fails). Items expire by TTL two minutes later.
"""

from __future__ import annotations

import random as _random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from outlay import tables
from outlay.dal.table_base import TableAdapter
from outlay.logic import rate_limit
from outlay.logic.errors import UpstreamUnavailableError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient


class CeRateLimiter(TableAdapter):
    def __init__(
        self,
        table_name: str,
        dynamodb_client: DynamoDBClient | None = None,
        *,
        per_second: int = rate_limit.CE_REQUESTS_PER_SECOND,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = _random.random,
        max_wait_s: float = rate_limit.MAX_SLOT_WAIT_S,
    ) -> None:
        super().__init__(table_name, dynamodb_client)
        self.per_second = per_second
        self._clock = clock
        self._sleep = sleep
        self._random = random
        self.max_wait_s = max_wait_s

    def acquire(self, account_id: str) -> int:
        """Block until a Cost Explorer call for `account_id` may start; returns the granted second."""
        deadline = self._clock() + self.max_wait_s
        while True:
            now = self._clock()
            second = rate_limit.slot_of(now)
            if self._take(account_id, second):
                return second
            if now >= deadline:
                raise UpstreamUnavailableError(
                    "AWS Cost Explorer is busy for this account right now; please try again in a minute"
                )
            self._sleep(rate_limit.wait_for_next_slot(now, self._random))

    def _take(self, account_id: str, second: int) -> bool:
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"pk": {"S": tables.ce_rate_pk(account_id)}, "sk": {"S": tables.ce_rate_sk(second)}},
                UpdateExpression="ADD #n :one SET expiresAt = :exp",
                ConditionExpression="attribute_not_exists(#n) OR #n < :limit",
                ExpressionAttributeNames={"#n": "n"},
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":limit": {"N": str(self.per_second)},
                    ":exp": {"N": str(second + rate_limit.SLOT_TTL_S)},
                },
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True
