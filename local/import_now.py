"""`python -m local.import_now --port N`: run the monthly AWS cost import in a running `make dev`,
exactly as the EventBridge schedule would (dispatcher -> SQS -> worker)."""

from __future__ import annotations

import argparse
import json
import os
import sys

import requests

from local.gateway import LOCAL_CONTROL_HEADER


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.import_now", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args = parser.parse_args(argv)
    url = f"http://127.0.0.1:{args.port}/__local/import-now"
    try:
        response = requests.post(url, headers={LOCAL_CONTROL_HEADER: "1"}, json={}, timeout=300)
    except requests.ConnectionError:
        print(f"error: nothing answers on port {args.port}; start it with `make dev` (PORT={args.port})")
        return 1
    try:
        body = response.json()
    except ValueError:
        body = {"message": response.text}
    if not response.ok:
        print(f"error: import-now answered {response.status_code}: {body.get('message', body)}")
        return 1
    print("monthly import done:")
    print(json.dumps(body, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
