"""The price table's arithmetic: GB x price per GB-month, hours x hourly price, rounded to the cent."""

from __future__ import annotations

from decimal import Decimal

from outlay.logic.insights import prices


def test_a_gp3_volume_costs_its_size_times_the_regions_gb_month_price() -> None:
    assert prices.volume_monthly("us-east-1", "gp3", 100) == prices.Price(Decimal("8.00"), False)
    assert prices.volume_monthly("us-west-2", "gp2", 50) == prices.Price(Decimal("5.00"), False)
    # Regions whose figures were not checked against AWS's pages are estimates, and say so.
    assert prices.volume_monthly("eu-west-1", "gp2", 50) == prices.Price(Decimal("5.50"), True)


def test_a_price_is_rounded_half_up_to_the_cent() -> None:
    # 0.0168 x 3 = 0.0504 -> 0.05 ; 0.0952 x 7 = 0.6664 -> 0.67
    assert prices.volume_monthly("eu-west-1", "sc1", 3).monthly == Decimal("0.05")
    assert prices.volume_monthly("eu-central-1", "gp3", 7).monthly == Decimal("0.67")


def test_an_idle_public_ipv4_costs_half_a_cent_an_hour_for_730_hours() -> None:
    assert prices.public_ipv4_monthly().monthly == Decimal("3.65")


def test_a_snapshot_is_priced_at_its_full_volume_size() -> None:
    assert prices.snapshot_monthly("us-east-1", 200).monthly == Decimal("10.00")


def test_a_region_missing_from_the_table_is_priced_as_us_east_1_and_marked_approximate() -> None:
    assert prices.volume_monthly("me-central-1", "gp3", 100) == prices.Price(Decimal("8.00"), True)
    assert prices.snapshot_monthly("me-central-1", 10).approximate is True


def test_an_unknown_volume_type_is_priced_as_gp2_and_marked_approximate() -> None:
    assert prices.volume_monthly("us-east-1", "gp9", 10) == prices.Price(Decimal("1.00"), True)


def test_every_region_prices_every_volume_type_and_the_table_says_when_and_where_from() -> None:
    for region, table in prices.REGION_PRICES.items():
        assert set(table.volume_gb_month) == {"gp3", "gp2", "io1", "io2", "st1", "sc1", "standard"}, region
        assert all(Decimal(0) < p < Decimal(1) for p in table.volume_gb_month.values()), region
    assert prices.PRICES_TAKEN and all(
        url.startswith("https://aws.amazon.com/") for url in prices.SOURCES.values()
    )


def test_the_badge_names_one_kind_by_name_and_several_kinds_as_idle_resources() -> None:
    from outlay.logic.insights.waste import Finding, badge_text

    def finding(kind: str, cost: str) -> Finding:
        return Finding(kind, "us-east-1", "id", "", Decimal(cost), False, "")  # type: ignore[arg-type]

    assert badge_text([]) is None
    assert badge_text([finding("unattached_volume", "8.00")] * 3) == "3 unattached volumes ~$24.00/month"
    assert badge_text([finding("idle_address", "3.65")]) == "1 idle Elastic IP ~$3.65/month"
    mixed = [finding("unattached_volume", "9.60"), finding("old_snapshot", "3.00")]
    assert badge_text(mixed) == "2 idle resources ~$12.60/month"
