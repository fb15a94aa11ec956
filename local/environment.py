"""The handlers' environment: they read settings from `os.environ`, as a Lambda does.

A runtime sets it on start and puts back what was there on stop; both are a cold start for the
handlers (cached settings, clients and resolvers are forgotten).
"""

from __future__ import annotations

import os

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def forget_handler_state() -> None:
    """Handlers cache settings, clients and resolvers per cold start; a new runtime is a cold start."""
    from outlay.handlers.wiring import reset_all
    from outlay.models.settings import load

    load.cache_clear()
    reset_all()


class HandlerEnvironment:
    """Sets the variables a deployed Lambda would see; `restore()` puts the previous values back."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def apply(self, region: str, endpoint_url: str, handler_env: dict[str, str]) -> None:
        values = {
            **FAKE_CREDENTIALS,
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            "AWS_ENDPOINT_URL": endpoint_url,
            "POWERTOOLS_TRACE_DISABLED": "1",
            "POWERTOOLS_METRICS_NAMESPACE": "Outlay",
            "POWERTOOLS_SERVICE_NAME": "outlay-local",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            **handler_env,
        }
        for name, value in values.items():
            if name not in self._saved:
                self._saved[name] = os.environ.get(name)
            os.environ[name] = value
        forget_handler_state()

    def restore(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved = {}
        forget_handler_state()  # clients cached against this moto must not outlive it
