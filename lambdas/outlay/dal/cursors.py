"""The one pagination token codec: an opaque, URL-safe token for a table position.

A token carries the sort-key value to continue after and a tag of the user it was issued to, so a
token is only ever accepted from the same user; anything else is a 400 naming `next`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from outlay.logic.errors import InvalidInputError


def _owner_tag(sub: str) -> str:
    return hashlib.sha256(f"outlay-cursor:{sub}".encode()).hexdigest()[:16]


def encode_cursor(sub: str, position: str) -> str:
    raw = json.dumps({"v": 1, "u": _owner_tag(sub), "k": position}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def bad_cursor(reason: str) -> InvalidInputError:
    return InvalidInputError(
        "The `next` token is not valid for this list; start again without it",
        [{"field": "next", "message": reason}],
    )


def decode_cursor(sub: str, token: str) -> str:
    """The position a token stands for; garbage or another user's token -> 400 naming `next`."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad_cursor("malformed") from None
    if not isinstance(data, dict) or data.get("v") != 1 or not isinstance(data.get("k"), str):
        raise bad_cursor("malformed")
    if data.get("u") != _owner_tag(sub):
        raise bad_cursor("issued to another user")
    return str(data["k"])
