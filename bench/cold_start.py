"""Lambda cold start proxy: importing each handler module in a fresh interpreter vs `import boto3`."""

from __future__ import annotations

from outlay.routes import EVENT_FUNCTIONS, HTTP_FUNCTIONS

from bench.common import Row, time_python

TARGET = 1.3
# Handlers read settings lazily, but Powertools reads these at import; give them harmless values.
PRELUDE = "import os; os.environ.setdefault('POWERTOOLS_TRACE_DISABLED', '1'); "


def measure(runs: int = 7) -> list[Row]:
    floor = time_python("import boto3", runs)
    rows = []
    for name, entry in {**HTTP_FUNCTIONS, **EVENT_FUNCTIONS}.items():
        module = entry.rsplit(".", 1)[0]
        seconds = time_python(PRELUDE + f"import {module}", runs)
        ratio = seconds / floor
        rows.append(
            Row(
                what=f"Cold import of `{name}` handler vs `import boto3`",
                figure=f"{seconds * 1000:.0f} ms",
                floor=f"{floor * 1000:.0f} ms",
                ratio=ratio,
                target=f"≤ {TARGET}x",
                met=ratio <= TARGET,
                fix="Defer heavy imports (pydantic models of other routes, Powertools metrics/tracer) "
                "to first use; import only the router for the resource being called.",
            )
        )
    return rows
