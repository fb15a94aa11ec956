"""CloudFront's part locally: the built dashboard from web/dist, with the site's security headers."""

from __future__ import annotations

import mimetypes
from pathlib import Path

Reply = tuple[int, bytes, str, list[tuple[str, str]]]

_NO_WEB_PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><title>Outlay (local)</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto">
<h1>Outlay is running, but the dashboard is not built</h1>
<p>Run <code>make web</code> (or simply <code>make dev</code>, which builds it) and reload this page.
The API is up at <a href="/api/">/api</a> and <a href="/config.json">/config.json</a> is served.</p>
</body></html>"""


def page_security_headers(storage_url: str) -> list[tuple[str, str]]:
    """CloudFront's security-headers policy (stacks/constructs/site.py), with the local stand-ins:
    Cognito and the API are same-origin here; receipts and exports live in moto's S3."""
    csp = "; ".join(
        [
            "default-src 'self'",
            f"connect-src 'self' {storage_url}",
            f"img-src 'self' data: blob: {storage_url}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
    return [
        ("Content-Security-Policy", csp),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ]


def static_file(dist: Path | None, path: str, storage_url: str) -> Reply:
    """(status, body, content type, headers) for a GET of `path`; client-side routes get the shell."""
    if dist is None or not (dist / "index.html").is_file():
        return 200, _NO_WEB_PAGE, "text/html; charset=utf-8", [("Cache-Control", "no-cache")]
    target = (dist / path.lstrip("/")).resolve()
    if not target.is_relative_to(dist):
        return 404, b'{"message": "Not Found"}', "application/json", []
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        if Path(path).suffix:  # a missing asset is a 404, not the app shell
            return 404, b"Not Found", "text/plain; charset=utf-8", []
        target = dist / "index.html"  # client-side routes get the app shell
    content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
        content_type += "; charset=utf-8"
    cache = "no-cache" if target.suffix in (".html", ".json") else "public, max-age=300"
    headers = [("Cache-Control", cache), ("X-Content-Type-Options", "nosniff")]
    if target.suffix == ".html":
        headers += page_security_headers(storage_url)
    return 200, target.read_bytes(), content_type, headers
