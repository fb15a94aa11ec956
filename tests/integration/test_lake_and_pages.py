"""The stream -> lake writer mapping, and the dashboard + config.json served from the page origin."""

from __future__ import annotations

import http.client
import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from outlay.tables import lake_key

from local.auth import CognitoVerifier
from local.gateway import Gateway, make_server
from local.pytest_plugin import new_user
from local.runtime import LocalRuntime

WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"


def _lake_lines(rt: LocalRuntime, key: str) -> list[dict[str, object]] | None:
    s3 = rt.client("s3")
    try:
        body = s3.get_object(Bucket=rt.resources.lake_bucket, Key=key)["Body"].read()  # type: ignore[union-attr]
    except s3.exceptions.NoSuchKey:
        return None
    return [json.loads(line, parse_float=Decimal) for line in body.decode().splitlines() if line.strip()]


def test_stream_feeds_the_lake_writer(local_runtime: LocalRuntime) -> None:
    user = new_user(local_runtime, "lake")
    headers = {"Authorization": user.id_token}
    created = requests.post(
        f"{local_runtime.api_url}/expenses",
        json={
            "amount": "7.10",
            "currency": "USD",
            "date": "2025-05-09",
            "category": "Food",
            "vendor": "Bakery",
        },
        headers=headers,
        timeout=30,
    )
    assert created.status_code == 201, created.text
    expense_id = created.json()["id"]
    key = lake_key("2025", "05", user.sub)

    assert local_runtime.wait_for_lake(60)
    lines = _lake_lines(local_runtime, key)
    assert lines is not None, "the lake writer did not write the user-month"
    assert [(line["id"], Decimal(str(line["amount"]))) for line in lines] == [(expense_id, Decimal("7.10"))]

    deleted = requests.delete(f"{local_runtime.api_url}/expenses/{expense_id}", headers=headers, timeout=30)
    assert deleted.status_code == 204
    assert local_runtime.wait_for_lake(60)
    assert not _lake_lines(local_runtime, key)  # the month is empty: object gone (or empty)


def test_dashboard_is_served_with_the_right_headers(local_runtime: LocalRuntime) -> None:
    if not (WEB_DIST / "index.html").is_file():
        pytest.skip("web/dist is not built (make web)")
    index = requests.get(local_runtime.url, timeout=10)
    assert index.status_code == 200
    assert index.headers["Content-Type"].startswith("text/html")
    assert index.headers["Cache-Control"] == "no-cache"
    assert index.content == (WEB_DIST / "index.html").read_bytes()
    # The security headers CloudFront adds, with moto's S3 as the receipts/exports host.
    csp = index.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert f"connect-src 'self' {local_runtime.moto_url}" in csp
    assert "frame-ancestors 'none'" in csp
    assert index.headers["X-Frame-Options"] == "DENY"

    asset = next((WEB_DIST / "assets").glob("*.js"))
    served = requests.get(f"{local_runtime.url}assets/{asset.name}", timeout=10)
    assert served.status_code == 200
    assert "javascript" in served.headers["Content-Type"]
    assert served.content == asset.read_bytes()

    assert requests.get(f"{local_runtime.url}assets/missing-123.js", timeout=10).status_code == 404


def test_paths_outside_web_dist_are_never_served(local_runtime: LocalRuntime) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", local_runtime.port, timeout=10)
    for path in ("/../pyproject.toml", "/%2e%2e/pyproject.toml", "/assets/../../pyproject.toml"):
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        assert b"[tool.pytest" not in body, path
    connection.close()


def test_without_a_built_dashboard_a_page_says_how_to_build_it(tmp_path: Path) -> None:
    gateway = Gateway(
        verifier=CognitoVerifier("http://127.0.0.1:9/jwks.json", "us-east-1", "us-east-1_x", "client"),
        moto_url="http://127.0.0.1:9",
        web_dist=tmp_path / "dist",
        origins=[],
        config={"region": "us-east-1"},
        controls={},
    )
    server = make_server(gateway, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page = requests.get(f"http://127.0.0.1:{server.server_address[1]}/", timeout=10)
        assert page.status_code == 200
        assert "make web" in page.text
        config = requests.get(f"http://127.0.0.1:{server.server_address[1]}/config.json", timeout=10)
        assert config.json() == {"region": "us-east-1"}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
