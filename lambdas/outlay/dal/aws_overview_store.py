"""Adapters of the AWS costs page: its connections port and its per-connection cache.

`ConnectionsDirectory` is the connections port over the user's AWS connections (the collection at
`/aws-connections`, `outlay.logic.connections`).
`OverviewCacheRepository` keeps each connection's last figures as one item in the user's partition
(sk AWSCOSTS#<connection id>) and the user's last forced refresh (sk AWSCOSTS-REFRESH), claimed with a
conditional write so two refresh clicks at once still cost one refresh.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from outlay import tables
from outlay.dal.table_base import TableAdapter
from outlay.logic.aws_overview_service import ConnectionRef, OverviewReader

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

    from outlay.logic.connections import ConnectionsService


class ConnectionsDirectory:
    def __init__(self, connections: ConnectionsService) -> None:
        self.connections = connections

    def list(self, sub: str) -> list[ConnectionRef]:
        return [
            ConnectionRef(id=c.id, name=c.name, account_id=c.account_id or "unknown")
            for c in self.connections.summaries(sub)
        ]

    def explorer(self, sub: str, connection_id: str) -> OverviewReader:
        explorer: OverviewReader = self.connections.cost_explorer(sub, connection_id)
        return explorer


class OverviewCacheRepository(TableAdapter):
    def __init__(self, table_name: str, dynamodb_client: DynamoDBClient | None = None) -> None:
        super().__init__(table_name, dynamodb_client)

    def _key(self, sub: str, sk: str) -> dict[str, Any]:
        return {"pk": {"S": tables.user_pk(sub)}, "sk": {"S": sk}}

    def get(self, sub: str, connection_id: str) -> dict[str, Any] | None:
        item = self.client.get_item(
            TableName=self.table_name,
            Key=self._key(sub, tables.aws_costs_sk(connection_id)),
            ConsistentRead=True,
        ).get("Item")
        if not item or "figures" not in item:
            return None
        figures: dict[str, Any] = json.loads(item["figures"]["S"])
        return figures

    def put(self, sub: str, connection_id: str, figures: dict[str, Any]) -> None:
        self.client.put_item(
            TableName=self.table_name,
            Item={
                **self._key(sub, tables.aws_costs_sk(connection_id)),
                "type": {"S": "AWSCOSTS"},
                "fetchedAt": {"S": str(figures["fetchedAt"])},
                "figures": {"S": json.dumps(figures, separators=(",", ":"))},
            },
        )

    def claim_forced_refresh(self, sub: str, now_iso: str, not_before_iso: str) -> bool:
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item={
                    **self._key(sub, tables.AWS_COSTS_REFRESH_SK),
                    "type": {"S": "AWSCOSTS"},
                    "lastForcedAt": {"S": now_iso},
                },
                ConditionExpression="attribute_not_exists(lastForcedAt) OR lastForcedAt <= :cutoff",
                ExpressionAttributeValues={":cutoff": {"S": not_before_iso}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def last_forced_refresh(self, sub: str) -> str | None:
        item = self.client.get_item(
            TableName=self.table_name, Key=self._key(sub, tables.AWS_COSTS_REFRESH_SK), ConsistentRead=True
        ).get("Item")
        return item["lastForcedAt"]["S"] if item and "lastForcedAt" in item else None
