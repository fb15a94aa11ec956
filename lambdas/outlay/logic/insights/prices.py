"""The price table behind every waste estimate: what an idle resource costs per month, per region.

Prices are AWS's public on-demand list prices in USD from the pages in `SOURCES`, dated
`PRICES_TAKEN` (docs/INSIGHTS.md explains how to refresh them). Only the US regions in
`CHECKED_REGIONS` were checked against those pages; the other regions' figures were entered without
that check, so their estimates are marked approximate until someone compares them with the pages.
They cover the storage part only: provisioned IOPS/throughput above a volume's free baseline and
snapshot archive tiers are not counted, so an estimate is a floor for volumes. A snapshot is priced
at its full volume size, an upper bound (snapshots after the first store only changed blocks). A
region missing from the table is priced as us-east-1 and the estimate says so (`Price.approximate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PRICES_TAKEN = "2026-12-01"
CURRENCY = "USD"
SOURCES = {
    "ebs": "https://aws.amazon.com/ebs/pricing/",
    "public_ipv4": "https://aws.amazon.com/vpc/pricing/",
}
HOURS_PER_MONTH = Decimal(730)  # AWS's own convention on its pricing pages (8,760 h / 12)
PUBLIC_IPV4_PER_HOUR = Decimal("0.005")  # every public IPv4 address, idle Elastic IPs included
FALLBACK_REGION = "us-east-1"
CHECKED_REGIONS = frozenset({"us-east-1", "us-east-2", "us-west-2"})


@dataclass(frozen=True)
class RegionPrices:
    """USD per GB-month: EBS volume storage by volume type, and EBS snapshots (standard tier)."""

    volume_gb_month: dict[str, Decimal]
    snapshot_gb_month: Decimal


def _region(gp3: str, gp2: str, io: str, st1: str, sc1: str, standard: str, snapshot: str) -> RegionPrices:
    volume = {"gp3": gp3, "gp2": gp2, "io1": io, "io2": io, "st1": st1, "sc1": sc1, "standard": standard}
    return RegionPrices({k: Decimal(v) for k, v in volume.items()}, Decimal(snapshot))


_US = _region("0.08", "0.10", "0.125", "0.045", "0.015", "0.05", "0.05")
REGION_PRICES: dict[str, RegionPrices] = {
    "us-east-1": _US,
    "us-east-2": _US,
    "us-west-2": _US,
    "us-west-1": _region("0.096", "0.12", "0.138", "0.054", "0.018", "0.08", "0.055"),
    "ca-central-1": _region("0.088", "0.11", "0.138", "0.05", "0.0168", "0.055", "0.055"),
    "eu-west-1": _region("0.088", "0.11", "0.138", "0.05", "0.0168", "0.055", "0.05"),
    "eu-west-2": _region("0.0928", "0.116", "0.145", "0.053", "0.0174", "0.058", "0.053"),
    "eu-central-1": _region("0.0952", "0.119", "0.149", "0.054", "0.018", "0.059", "0.054"),
    "eu-north-1": _region("0.0836", "0.1045", "0.131", "0.0475", "0.0160", "0.0523", "0.0475"),
    "ap-southeast-1": _region("0.096", "0.12", "0.138", "0.054", "0.018", "0.08", "0.05"),
    "ap-southeast-2": _region("0.096", "0.12", "0.138", "0.054", "0.018", "0.08", "0.055"),
    "ap-northeast-1": _region("0.096", "0.12", "0.142", "0.054", "0.018", "0.08", "0.05"),
    "ap-south-1": _region("0.0912", "0.114", "0.131", "0.051", "0.0174", "0.08", "0.05"),
    "sa-east-1": _region("0.152", "0.19", "0.238", "0.086", "0.0285", "0.12", "0.068"),
}


@dataclass(frozen=True)
class Price:
    monthly: Decimal  # USD, rounded to the cent
    approximate: bool  # True when the region is not in the table (priced as us-east-1)


def _prices(region: str) -> tuple[RegionPrices, bool]:
    found = REGION_PRICES.get(region)
    if found is None:
        return REGION_PRICES[FALLBACK_REGION], True
    return found, region not in CHECKED_REGIONS


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def volume_monthly(region: str, volume_type: str, size_gb: int) -> Price:
    """An EBS volume's storage per month; an unknown volume type is priced as gp2 (and approximate)."""
    prices, approximate = _prices(region)
    per_gb = prices.volume_gb_month.get(volume_type)
    if per_gb is None:
        per_gb, approximate = prices.volume_gb_month["gp2"], True
    return Price(cents(per_gb * size_gb), approximate)


def snapshot_monthly(region: str, size_gb: int) -> Price:
    prices, approximate = _prices(region)
    return Price(cents(prices.snapshot_gb_month * size_gb), approximate)


def public_ipv4_monthly() -> Price:
    """Public IPv4 is the same price in every commercial region."""
    return Price(cents(PUBLIC_IPV4_PER_HOUR * HOURS_PER_MONTH), False)
