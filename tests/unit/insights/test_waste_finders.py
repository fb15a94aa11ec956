"""Each waste finder on moto's EC2: what is found, what is left alone, and its monthly estimate."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest
from moto import mock_aws
from outlay.dal.aws_sessions import AwsSessions, TemporaryCredentials
from outlay.dal.insights_reader import AwsAccountReader
from outlay.logic.insights import waste

REGION = "eu-west-1"
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


@pytest.fixture
def ec2(costs_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # seconds per test; no finder reads AMIs
    with mock_aws():
        yield boto3.client("ec2", region_name=REGION)


@pytest.fixture
def reader(ec2: Any) -> AwsAccountReader:
    return AwsAccountReader(AwsSessions(), TemporaryCredentials("testing", "testing"))


def _instance(ec2: Any) -> str:
    image = ec2.register_image(Name="outlay-test", RootDeviceName="/dev/xvda")["ImageId"]
    return str(
        ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0][
            "InstanceId"
        ]
    )


def _backdate_snapshot(snapshot_id: str, when: datetime) -> None:
    from moto.ec2.models import ec2_backends

    ec2_backends["123456789012"][REGION].snapshots[snapshot_id].start_time = when


def test_an_unattached_volume_is_found_with_its_price_and_an_attached_one_is_not(
    ec2: Any, reader: AwsAccountReader
) -> None:
    loose = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=100, VolumeType="gp3")["VolumeId"]
    used = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=8, VolumeType="gp2")["VolumeId"]
    ec2.attach_volume(VolumeId=used, InstanceId=_instance(ec2), Device="/dev/sdf")

    [found] = waste.unattached_volumes(REGION, reader.volumes(REGION))
    assert (found.kind, found.resource_id, found.monthly_cost) == (
        "unattached_volume",
        loose,
        Decimal("8.80"),
    )
    assert found.console_url == (
        f"https://{REGION}.console.aws.amazon.com/ec2/home?region={REGION}#VolumeDetails:volumeId={loose}"
    )
    assert found.service == "EC2 - Other"


def test_a_free_elastic_ip_is_found_and_an_associated_one_is_not(ec2: Any, reader: AwsAccountReader) -> None:
    free = ec2.allocate_address(Domain="vpc")["AllocationId"]
    used = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=used, InstanceId=_instance(ec2))

    [found] = waste.idle_addresses(REGION, reader.addresses(REGION))
    assert (found.kind, found.resource_id, found.monthly_cost) == ("idle_address", free, Decimal("3.65"))
    assert found.service == "Amazon Virtual Private Cloud"


def test_a_snapshot_older_than_90_days_is_found_and_a_recent_one_is_not(
    ec2: Any, reader: AwsAccountReader
) -> None:
    volume = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=40, VolumeType="gp3")["VolumeId"]
    old = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    recent = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    _backdate_snapshot(old, NOW - timedelta(days=120))
    _backdate_snapshot(recent, NOW - timedelta(days=89))

    [found] = waste.old_snapshots(REGION, reader.snapshots(REGION), NOW)
    assert (found.kind, found.resource_id, found.monthly_cost) == ("old_snapshot", old, Decimal("2.00"))
    assert "120 days old" in found.description


def test_a_stopped_instance_is_priced_by_the_volumes_it_keeps_and_a_running_one_is_not(
    ec2: Any, reader: AwsAccountReader
) -> None:
    stopped, running = _instance(ec2), _instance(ec2)
    for instance in (stopped, running):
        extra = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=50, VolumeType="gp3")["VolumeId"]
        ec2.attach_volume(VolumeId=extra, InstanceId=instance, Device="/dev/sdf")
    ec2.stop_instances(InstanceIds=[stopped])

    volumes = reader.volumes(REGION)
    [found] = waste.stopped_instances(REGION, reader.instances(REGION), volumes)
    expected = sum(
        (
            waste.prices.volume_monthly(REGION, v["VolumeType"], v["Size"]).monthly
            for v in volumes
            for a in v["Attachments"]
            if a["InstanceId"] == stopped
        ),
        Decimal(0),
    )
    assert (found.kind, found.resource_id, found.monthly_cost) == ("stopped_instance", stopped, expected)
    assert expected >= Decimal("4.40")  # at least the 50 GiB gp3 volume we attached


def test_an_empty_region_finds_nothing(reader: AwsAccountReader) -> None:
    volumes = reader.volumes(REGION)
    assert waste.unattached_volumes(REGION, volumes) == []
    assert waste.idle_addresses(REGION, reader.addresses(REGION)) == []
    assert waste.stopped_instances(REGION, reader.instances(REGION), volumes) == []
