"""Money rules: exact Decimal parsing (never via float), 2-decimal amounts, ISO 4217 currency codes.

Pure Python, no AWS imports: models, the DAL and the cost importer all share these rules.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000000")  # 1,000,000,000 in any currency

# Active ISO 4217 alphabetic codes (circulating currencies + the few fund/precious-metal codes people
# actually type are left out on purpose: an expense is paid in money).
ISO_4217: frozenset[str] = frozenset(
    (
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SLL",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XCG",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWG",
        "ZWL",
    )
)

DEFAULT_CURRENCY = "USD"

# A plain decimal literal: optional sign, ASCII digits, optional fraction. No exponent, no underscores,
# no "NaN"/"Infinity", no other scripts' digits ("١٢") (Python's Decimal() would accept all of those).
_DECIMAL_TEXT = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$", re.ASCII)


class MoneyError(ValueError):
    """The value is not an acceptable amount; the message says why (it never echoes the input)."""


def parse_decimal(value: object) -> Decimal:
    """A JSON string or number -> Decimal, exactly. Floats and booleans are refused, never converted.

    HTTP bodies are decoded with `json.loads(parse_float=Decimal)`, so JSON numbers arrive here as
    Decimal or int; a Python float can only come from a programming error and would already have lost
    precision, so it is rejected rather than rounded.
    """
    if isinstance(value, bool):
        raise MoneyError("must be a decimal number or string, not a boolean")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        if not _DECIMAL_TEXT.match(value):
            raise MoneyError("must be a plain decimal like 12.50")
        result = Decimal(value.strip())
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise MoneyError("must be a finite number")
        raise MoneyError("must be a decimal string or exact JSON number, not a binary float")
    else:
        raise MoneyError("must be a decimal number or string")
    if not result.is_finite():
        raise MoneyError("must be a finite number")
    return result


def to_money(value: object, *, allow_negative: bool = False, allow_zero: bool = False) -> Decimal:
    """Validate an amount and return it quantized to exactly 2 decimal places (12.5 -> 12.50).

    Rejects more than 2 significant decimal places (12.345), magnitudes above 1,000,000,000,
    zero/negative unless allowed. 12.500 is the same value as 12.50 and is accepted.
    """
    amount = parse_decimal(value)
    if abs(amount) > MAX_AMOUNT:
        raise MoneyError(f"must not exceed {MAX_AMOUNT:,}")
    try:
        quantized = amount.quantize(CENT)
    except InvalidOperation as exc:  # pragma: no cover - bounded above, cannot overflow the context
        raise MoneyError("is not a representable amount") from exc
    if quantized != amount:
        raise MoneyError("must have at most 2 decimal places")
    if quantized == 0 and not allow_zero:
        raise MoneyError("must be greater than 0")
    if quantized < 0 and not allow_negative:
        raise MoneyError("must be greater than 0")
    return quantized


def round_money(value: Decimal) -> Decimal:
    """Round an upstream amount with more precision (e.g. Cost Explorer's 12.3456789) to cents.

    Banker's rounding (half-even) keeps many small lines from drifting upwards in aggregate.
    For importers: `Expense.amount` always has exactly 2 decimal places.
    """
    return parse_decimal(value).quantize(CENT, rounding=ROUND_HALF_EVEN)


def check_currency(code: object) -> str:
    if not isinstance(code, str):
        raise MoneyError("must be an ISO 4217 code like USD")
    upper = code.strip().upper()
    if upper not in ISO_4217:
        raise MoneyError("must be an ISO 4217 currency code like USD or EUR")
    return upper


def money_text(amount: Decimal) -> str:
    """The one string form of an amount in JSON, CSV and the lake: plain, 2 decimals, no exponent."""
    return f"{amount.quantize(CENT):f}"
