"""moto standing in for AWS: the in-process server, boto3 clients against it, and the resources
`local.provision` creates in it.

moto keeps one port per process so boto3 clients that handlers cached from an earlier runtime keep
working; its backends are process-global, so every start resets them to an empty world.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

import boto3
import requests

from local import provision as prov

log = logging.getLogger("outlay.local")

ACCOUNT = "123456789012"  # moto's default account: the one every local resource lives in
FAKE_KEY = "testing"

_moto_port = 0  # chosen on first start, reused for the life of the process


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class LocalAws:
    """moto's server with the provisioned world in it; `resources` is set once `provision()` ran."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.url = ""
        self.resources: prov.Resources | None = None
        self._server: Any = None
        self._clients: dict[str, Any] = {}

    @property
    def res(self) -> prov.Resources:
        if self.resources is None:
            raise RuntimeError("LocalRuntime is not started")
        return self.resources

    def start(self) -> None:
        global _moto_port
        from moto.server import ThreadedMotoServer

        from local import moto_extras

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        moto_extras.install()
        if _moto_port and not _port_free(_moto_port):
            _moto_port = 0  # taken since the last runtime: moto would hang in start(); take a new one
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=_moto_port, verbose=False)
        self._server.start()
        _moto_port = self._server.get_host_and_port()[1]
        self.url = f"http://127.0.0.1:{_moto_port}"
        # moto's backends are process-global: start every runtime from an empty world.
        requests.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()

    @property
    def running(self) -> bool:
        return self._server is not None

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def provision(self, origins: list[str]) -> prov.Resources:
        session = boto3.Session(
            region_name=self.region, aws_access_key_id=FAKE_KEY, aws_secret_access_key=FAKE_KEY
        )
        self.resources = prov.provision(session, self.url, origins)
        return self.resources

    def client(self, service: str) -> Any:
        """A boto3 client pointed at this moto (fake credentials); made once per service (creating
        one takes tens of milliseconds; boto3 clients are safe to share between threads)."""
        if service not in self._clients:
            self._clients[service] = boto3.client(  # type: ignore[call-overload]
                service,
                region_name=self.region,
                endpoint_url=self.url,
                aws_access_key_id=FAKE_KEY,
                aws_secret_access_key=FAKE_KEY,
            )
        return self._clients[service]

    def trim_stream(self, last_sequence_number: str) -> None:
        """Forget stream records the lake writer has consumed (DynamoDB trims after 24 h).

        moto keeps every stream record forever; without trimming, memory grows with every write.
        """
        try:
            from moto.dynamodb.models import dynamodb_backends

            table = dynamodb_backends[ACCOUNT][self.region].tables[self.res.expenses_table]
            shard = table.stream_shard
            if shard is None:
                return
            count = int(last_sequence_number) + 1 - shard.starting_sequence_number
            if 0 < count <= len(shard.items):
                del shard.items[:count]
                shard.starting_sequence_number += count
        except (ImportError, KeyError, AttributeError, ValueError):  # pragma: no cover - moto internals
            log.debug("could not trim moto's stream", exc_info=True)

    def queue_cost_results(self, results: list[dict[str, Any]], account_id: str = ACCOUNT) -> None:
        """Queue GetCostAndUsage answers in moto (consumed one per distinct request)."""
        response = requests.post(
            f"{self.url}/moto-api/static/ce/cost-and-usage-results",
            json={"results": results, "account_id": account_id},
            timeout=10,
        )
        response.raise_for_status()

    def backend(self, service: str) -> Any:
        """moto's in-process backend for this account and region (`cognitoidp`, `kms`, `dynamodb`)."""
        import importlib

        module = importlib.import_module(f"moto.{service}.models")
        return getattr(module, f"{service}_backends")[ACCOUNT][self.region]
