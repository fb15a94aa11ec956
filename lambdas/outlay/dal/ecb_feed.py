"""Downloads ECB's rates files over HTTPS (standard library; the function needs nothing else)."""

from __future__ import annotations

import urllib.error
import urllib.request

from outlay.logic.fx_refresh import FetchError

TIMEOUT_S = 20
MAX_BYTES = 2_000_000  # the 90-day file is ~70 KB; anything far bigger is not ECB's file


def fetch(url: str) -> bytes:
    if not url.startswith("https://"):
        raise FetchError(f"refusing a non-HTTPS rates URL: {url}")
    request = urllib.request.Request(url, headers={"User-Agent": "Outlay-ECB-rates/1"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - https only
            body: bytes = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FetchError(f"{url}: {exc}") from exc
    if len(body) > MAX_BYTES:
        raise FetchError(f"{url}: larger than {MAX_BYTES} bytes")
    return body
