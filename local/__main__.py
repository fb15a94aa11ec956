"""`python -m local [--port N] [--keep-state] [--reset-only]`: Outlay on localhost, no AWS account.

Starts moto (standing in for AWS), provisions the resources the stacks define, seeds a demo user,
and serves the dashboard + API on http://localhost:<port>/ until Ctrl-C.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import signal
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import TextIO

from local.checkpoint import DEFAULT_INTERVAL_S
from local.runtime import DEFAULT_STATE_DIR, DEFAULT_WEB_DIST, LocalRuntime, PortInUseError
from local.state import reset


class _DropMetricLines(io.TextIOBase):
    """stdout without Powertools' CloudWatch EMF lines (`{"_aws": ...}`)."""

    def __init__(self, target: TextIO) -> None:
        self._target = target
        self._line = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._line += text
        *lines, self._line = self._line.split("\n")
        for line in lines:
            if not line.startswith('{"_aws":'):
                self._target.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        self._target.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("PORT", "8000")), help="default: $PORT or 8000"
    )
    parser.add_argument(
        "--keep-state",
        action="store_true",
        default=os.environ.get("KEEP_STATE", "") not in ("", "0", "false"),
        help=f"restore/save data in {DEFAULT_STATE_DIR.name}/ (or KEEP_STATE=1 make dev)",
    )
    parser.add_argument(
        "--snapshot-every",
        type=float,
        default=DEFAULT_INTERVAL_S,
        metavar="SECONDS",
        help=f"with --keep-state: snapshot this often while data changes (default {DEFAULT_INTERVAL_S:g})",
    )
    parser.add_argument("--reset-only", action="store_true", help="delete the kept state and exit")
    parser.add_argument("--no-seed", action="store_true", help="start with no demo user or data")
    parser.add_argument("--web-dist", type=Path, default=DEFAULT_WEB_DIST, help="the built dashboard")
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--quiet", action="store_true", help="no access log")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # Lambda ships these to CloudWatch; on a terminal they drown the access log.
    sys.stdout = _DropMetricLines(sys.stdout)
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    if args.reset_only:
        removed = reset(args.state_dir)
        print(f"local state {'removed' if removed else 'was already empty'}: {args.state_dir}")
        return 0

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    started = time.monotonic()
    print(f"Starting Outlay locally on port {args.port} (moto stands in for AWS)...", flush=True)
    runtime = LocalRuntime(
        port=args.port,
        web_dist=args.web_dist,
        seed=not args.no_seed,
        seed_in_background=True,
        keep_state=args.keep_state,
        state_dir=args.state_dir,
        snapshot_every=args.snapshot_every,
        access_log=not args.quiet,
    )
    try:
        runtime.start()
    except PortInUseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        elapsed = time.monotonic() - started
        web = "" if (args.web_dist / "index.html").is_file() else "  (dashboard not built: run `make web`)"
        print()
        print(f"  Outlay is ready in {elapsed:.1f} s: {runtime.url}{web}")
        print(f"  API:        {runtime.api_url}")
        if runtime.demo_password:
            print(f"  Demo login: {runtime.demo_email} / {runtime.demo_password}")
        kept = (
            f"kept in {args.state_dir.name}/ (saved every {args.snapshot_every:g} s if changed, on stop)"
            if args.keep_state
            else "fresh (KEEP_STATE=1 make dev keeps it)"
        )
        print(f"  State:      {kept}")
        print("  Sign-up:    no e-mail is sent; any confirmation code works")
        print(f"  Import now: make import-now PORT={runtime.port}")
        print("  Ctrl-C to stop")
        print(flush=True)
        announced = False
        while not stop.wait(0.5):
            if not announced and runtime.seed_done:
                announced = True
                report = runtime.seed_report
                connected = ", demo AWS account connected" if report.get("awsConnected") else ""
                print(f"  Demo data ready: {report.get('expenses', 0)} expenses{connected}", flush=True)
        print("\nStopping...", flush=True)
    finally:
        runtime.stop()
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
