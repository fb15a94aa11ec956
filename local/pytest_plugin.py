"""pytest fixtures for tests that need the whole product running on localhost.

Use it from a conftest with `from local.pytest_plugin import local_runtime  # noqa: F401` (pytest only
honours `pytest_plugins` in the root conftest), or list "local.pytest_plugin" there.

`local_runtime` is package-scoped: one moto world and one gateway on a free port for the test package
(tests/integration), seeded with the demo user (`.demo_email` / `.demo_password`); tests that need
their own users call `new_user()`. Not session-scoped on purpose: the runtime sets AWS_ENDPOINT_URL
and the handlers' environment in this process, which must not leak into later unit tests (they
use moto's in-process mocks), and only one runtime can run per process (see e2e's conftest).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from local.runtime import LocalRuntime

DEMO_EXPENSES = 24


@dataclass(frozen=True)
class SignedInUser:
    email: str
    password: str
    sub: str
    id_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": self.id_token}


@pytest.fixture(scope="package")
def local_runtime() -> Iterator[LocalRuntime]:
    # A smaller demo year than `make dev` (200): moto's transactional writes are slow.
    with LocalRuntime(port=0, seed=True, demo_expenses=DEMO_EXPENSES) as runtime:
        yield runtime


def new_user(runtime: LocalRuntime, prefix: str = "user") -> SignedInUser:
    """Sign up + confirm + sign in (USER_PASSWORD_AUTH) a fresh user; returns their ID token."""
    email = f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"
    password = f"Pw-{uuid.uuid4().hex[:12]}-9A!"
    sub = runtime.sign_up(email, password)
    return SignedInUser(email=email, password=password, sub=sub, id_token=runtime.id_token(email, password))
