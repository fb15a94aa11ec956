"""ISO 4217 currencies and their minor units (how many decimals an amount in that currency has).

Source: the `iso4217` package (public domain, ~12 KB), which ships the ISO 4217 maintenance agency's
List One as published (`iso4217.__published__`, 2026-01-01 for the pinned version). Every entry with
a numeric code is here, with its `CcyMnrUnts`: JPY 0, USD/EUR 2, KWD/BHD/OMR 3, CLF/UYW 4.

Entries whose minor unit is "N.A." (precious metals XAU/XAG/XPT/XPD, bond units XBA..XBD, XDR,
XSU, XUA, the testing code XTS and "no currency" XXX) are known but are not a currency an expense
can be paid in: `minor_units` refuses them with a message that says why.

`WITHDRAWN` keeps the codes Outlay accepted before they left List One (ISO 4217 List Three,
historic denominations), so expenses recorded in them stay readable and old receipts can still be
entered: ANG (replaced by XCG, 2025), BGN (Bulgaria adopted the euro, 2026), CUC (withdrawn 2021),
SLL (redenominated to SLE, 2022-2024), ZWL (replaced by ZWG, 2024); all had 2 minor units.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import iso4217

TABLE_PUBLISHED = iso4217.__published__.isoformat()


@dataclass(frozen=True)
class CurrencyInfo:
    code: str
    name: str
    minor_units: int | None  # None: ISO 4217 says "N.A." (not a currency of payment)
    withdrawn: bool = False


WITHDRAWN: Mapping[str, tuple[str, int]] = MappingProxyType(
    {
        "ANG": ("Netherlands Antillean Guilder", 2),
        "BGN": ("Bulgarian Lev", 2),
        "CUC": ("Peso Convertible", 2),
        "SLL": ("Leone (old)", 2),
        "ZWL": ("Zimbabwe Dollar", 2),
    }
)


def _load() -> dict[str, CurrencyInfo]:
    table: dict[str, CurrencyInfo] = {}
    for code, entry in iso4217.raw_table.items():
        if not code or entry.get("CcyNbr") is None:
            continue  # countries without a universal currency (e.g. Antarctica)
        raw = str(entry.get("CcyMnrUnts") or "")
        table[str(code)] = CurrencyInfo(
            code=str(code),
            name=str(entry.get("CcyNm") or code),
            minor_units=int(raw) if raw.isdigit() else None,
        )
    for code, (name, units) in WITHDRAWN.items():
        table.setdefault(code, CurrencyInfo(code=code, name=name, minor_units=units, withdrawn=True))
    return dict(sorted(table.items()))


CURRENCIES: Mapping[str, CurrencyInfo] = MappingProxyType(_load())

# Currencies an expense can be recorded in: every code with a defined minor unit.
PAYABLE: frozenset[str] = frozenset(code for code, info in CURRENCIES.items() if info.minor_units is not None)
MAX_MINOR_UNITS = max(info.minor_units or 0 for info in CURRENCIES.values())
