"""One DynamoDB table adapter: the client is injected (tests, moto, Stubber) or created on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient


class TableAdapter:
    def __init__(self, table_name: str, dynamodb_client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self._client = dynamodb_client

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = boto3.client("dynamodb")
        return self._client
