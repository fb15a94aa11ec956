"""The text rules every request field shares: no control characters and no unpaired surrogates.

Control characters are Unicode category Cc: C0 (U+0000-U+001F), DEL (U+007F) and C1 (U+0080-U+009F).
A field may allow some of them by name (a description keeps tabs and line breaks). Unpaired surrogates
(category Cs, e.g. a JSON "\\ud800") are not text at all: no store or encoder can keep them.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

# For documents (OpenAPI): the same rule as a JSON Schema pattern, with nothing allowed.
NO_CONTROLS_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
NO_CONTROLS_BUT_TAB_PATTERN = "^[^\\u0000-\\u0008\\u000a-\\u001f\\u007f-\\u009f]*$"
NO_CONTROLS_BUT_TAB_NEWLINE_PATTERN = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"


def check_text(value: str, *, allow: str = "") -> str:
    """`value` unchanged, or ValueError naming what is wrong (never echoing the value)."""
    for char in value:
        if char in allow:
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            raise ValueError("must not contain control characters")
        if category == "Cs":
            raise ValueError("must not contain unpaired surrogates (not valid Unicode)")
    return value


def check_multiline_text(value: str) -> str:
    return check_text(value, allow="\t\n")


# The same, and not only whitespace (what is left after whitespace is collapsed must not be empty).
_TEXT = "[^\\u0000-\\u001f\\u007f-\\u009f]*"
NOT_BLANK_PATTERN = f"^{_TEXT}[^\\s\\u0000-\\u001f\\u007f-\\u009f]{_TEXT}$"


# A single-line string without control characters (query filters, file names, tags before cleaning).
PlainText = Annotated[
    str, AfterValidator(check_text), Field(json_schema_extra={"pattern": NO_CONTROLS_PATTERN})
]


def _ascii_integer(value: object) -> object:
    """Query strings: ASCII digits only ("12"), not "1.0", "+5", "5_0", " 5" or another script's digits."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("must be a whole number written with the digits 0-9")
    return value


# An integer query parameter.
QueryInt = Annotated[int, BeforeValidator(_ascii_integer)]
