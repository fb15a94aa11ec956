"""Integration tests run the whole product on localhost (moto + local gateway) over real HTTP."""

from __future__ import annotations

import pytest
import requests

from local.pytest_plugin import SignedInUser, local_runtime, new_user
from local.runtime import LocalRuntime

__all__ = ["local_runtime"]


def pytest_configure(config: pytest.Config) -> None:
    # Handlers decorated with log_metrics warn when a request records no metric; noise here.
    config.addinivalue_line("filterwarnings", "ignore:No application metrics to publish:UserWarning")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture
def http() -> requests.Session:
    return requests.Session()


@pytest.fixture
def alice(local_runtime: LocalRuntime) -> SignedInUser:
    return new_user(local_runtime, "alice")


@pytest.fixture
def bob(local_runtime: LocalRuntime) -> SignedInUser:
    return new_user(local_runtime, "bob")
