"""The one way a handler holds its dependencies (services, resolvers).

`Lazy(build)` builds its value on first call, never at import, so tests and the local runtime can
set the environment first. Tests swap in a service wired to moto/Stubber clients with one call,
`handler_module.service.use(svc)`; `reset_all()` forgets everything every handler built (the next
invocation is a cold start), which is what tests and the local runtime do after changing the
environment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

_every: list[Lazy[object]] = []


class Lazy(Generic[T]):
    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        _every.append(self)  # type: ignore[arg-type]

    def __call__(self) -> T:
        if self._value is None:
            self._value = self._build()
        return self._value

    def use(self, value: T | None) -> None:
        """Replace what this holds (a test's service); None forgets it, so the next call builds."""
        self._value = value


def reset_all() -> None:
    """Forget every handler's services and resolvers: the next invocation is a cold start."""
    for lazy in _every:
        lazy.use(None)
