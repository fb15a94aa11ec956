"""Money rules: exact Decimal parsing (never via float), amounts in their currency's ISO 4217 minor units.

Pure Python, no AWS imports: models, the DAL and the cost importer all share these rules.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from outlay.logic.currencies import CURRENCIES, MAX_MINOR_UNITS, PAYABLE

MAX_AMOUNT = Decimal("1000000000")  # 1,000,000,000 in any currency

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


def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def _places_phrase(places: int) -> str:
    return (
        "no decimal places" if places == 0 else f"at most {places} decimal place{'s' if places > 1 else ''}"
    )


def minor_units(currency: str) -> int:
    """How many decimals an amount in `currency` has (ISO 4217 minor units: JPY 0, USD 2, KWD 3)."""
    info = CURRENCIES.get(currency)
    if info is None or info.minor_units is None:
        raise MoneyError(f"{currency} has no ISO 4217 minor unit")
    return info.minor_units


def to_money(
    value: object, *, currency: str | None = None, allow_negative: bool = False, allow_zero: bool = False
) -> Decimal:
    """Validate an amount; with `currency`, return it with exactly that currency's decimals
    (12.5 USD -> 12.50, 1200 JPY -> 1200, 1.234 KWD -> 1.234).

    Refuses more decimals than the currency has (5.50 JPY, 1.2345 KWD; 12.500 USD is 12.50 and is
    accepted), magnitudes above 1,000,000,000, zero/negative unless allowed. Without a currency the
    bound is the most any currency has (4), and the value is returned as parsed; the caller applies
    the currency once it is known (`in_currency`).
    """
    amount = parse_decimal(value)
    if abs(amount) > MAX_AMOUNT:
        raise MoneyError(f"must not exceed {MAX_AMOUNT:,}")
    places = minor_units(currency) if currency else MAX_MINOR_UNITS
    try:
        quantized = amount.quantize(_quantum(places))
    except InvalidOperation as exc:  # pragma: no cover - bounded above, cannot overflow the context
        raise MoneyError("is not a representable amount") from exc
    if quantized != amount:
        raise MoneyError(f"must have {_places_phrase(places)}" + (f" in {currency}" if currency else ""))
    if quantized == 0 and not allow_zero:
        raise MoneyError("must be greater than 0")
    if quantized < 0 and not allow_negative:
        raise MoneyError("must be greater than 0")
    return quantized if currency else amount


def in_currency(amount: Decimal, currency: str) -> Decimal:
    """An already-validated amount with exactly `currency`'s decimals; MoneyError if it has more."""
    return to_money(amount, currency=currency, allow_negative=True, allow_zero=True)


def round_to_currency(amount: Decimal, currency: str) -> Decimal:
    """A computed amount (an AWS bill's many-decimal cost, a forecast) rounded half-even to the
    currency's minor units; a code without them (e.g. XXX) keeps 2."""
    places = CURRENCIES[currency].minor_units if currency in PAYABLE else None
    return amount.quantize(_quantum(2 if places is None else places), rounding=ROUND_HALF_EVEN)


def check_currency(code: object) -> str:
    if not isinstance(code, str):
        raise MoneyError("must be an ISO 4217 code like USD")
    upper = code.strip().upper()
    if upper in PAYABLE:
        return upper
    if upper in CURRENCIES:
        raise MoneyError(
            f"{upper} has no minor unit in ISO 4217 (a metal, fund or testing code): "
            "record the expense in the currency it was paid in"
        )
    raise MoneyError("must be an ISO 4217 currency code like USD or EUR")


def money_text(amount: Decimal, currency: str | None = None) -> str:
    """The one string form of an amount in JSON, CSV and the lake: plain, no exponent, with the
    currency's decimals (5 JPY -> "5", 12.5 USD -> "12.50", 1.234 KWD -> "1.234").

    Never rounds: an amount stored with more digits than its currency has (written before amounts
    followed the currency's minor units) keeps them all. Without a currency: the exact digits.
    """
    if currency in PAYABLE:
        quantized = amount.quantize(_quantum(minor_units(currency)))
        if quantized == amount:
            return f"{quantized:f}"
    return f"{amount.normalize():f}"
