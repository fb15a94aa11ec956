"""Waste classification: from EC2's Describe* answers (as boto3 returns them) to priced findings.

Four kinds, each a thing that keeps billing while doing nothing:
- `unattached_volume`: an EBS volume in state `available` (attached to nothing);
- `idle_address`: an Elastic IP not associated with anything (public IPv4 is billed per hour);
- `old_snapshot`: a snapshot of this account older than `SNAPSHOT_AGE_DAYS`;
- `stopped_instance`: a stopped instance whose attached volumes are still billed.
Each finding names the Cost Explorer service its charge appears under, so the dashboard can put a
badge on the matching imported expense line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from outlay.logic.insights import prices

SNAPSHOT_AGE_DAYS = 90
Kind = Literal["unattached_volume", "idle_address", "old_snapshot", "stopped_instance"]

# Where AWS bills each kind (Cost Explorer SERVICE values): EBS storage and snapshots under
# "EC2 - Other"; public IPv4 addresses under "Amazon Virtual Private Cloud" since February 2024.
EC2_OTHER = "EC2 - Other"
VPC = "Amazon Virtual Private Cloud"
BILLED_UNDER: dict[str, str] = {
    "unattached_volume": EC2_OTHER,
    "idle_address": VPC,
    "old_snapshot": EC2_OTHER,
    "stopped_instance": EC2_OTHER,
}
# The imported lines a waste badge is shown on: the EC2 family (an "AWS - EC2" line is where users look).
BADGE_SERVICES = ("Amazon Elastic Compute Cloud - Compute", EC2_OTHER, VPC)

_NOUNS: dict[str, tuple[str, str]] = {
    "unattached_volume": ("unattached volume", "unattached volumes"),
    "idle_address": ("idle Elastic IP", "idle Elastic IPs"),
    "old_snapshot": (
        f"snapshot older than {SNAPSHOT_AGE_DAYS} days",
        f"snapshots older than {SNAPSHOT_AGE_DAYS} days",
    ),
    "stopped_instance": ("stopped instance with volumes", "stopped instances with volumes"),
}


@dataclass(frozen=True)
class Finding:
    kind: Kind
    region: str
    resource_id: str
    description: str
    monthly_cost: Decimal
    approximate: bool
    console_url: str

    @property
    def service(self) -> str:
        return BILLED_UNDER[self.kind]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "region": self.region,
            "resourceId": self.resource_id,
            "description": self.description,
            "monthlyCost": str(self.monthly_cost),
            "currency": prices.CURRENCY,
            "approximate": self.approximate,
            "service": self.service,
            "consoleUrl": self.console_url,
        }


def console_url(region: str, kind: Kind, resource_id: str) -> str:
    base = f"https://{region}.console.aws.amazon.com/ec2/home?region={region}"
    page = {
        "unattached_volume": f"#VolumeDetails:volumeId={resource_id}",
        "old_snapshot": f"#SnapshotDetails:snapshotId={resource_id}",
        "idle_address": f"#ElasticIpDetails:AllocationId={resource_id}",
        "stopped_instance": f"#InstanceDetails:instanceId={resource_id}",
    }[kind]
    return base + page


def _name(tags: Iterable[Mapping[str, Any]] | None) -> str:
    for tag in tags or ():
        if tag.get("Key") == "Name" and tag.get("Value"):
            return f' "{tag["Value"]}"'
    return ""


def unattached_volumes(region: str, volumes: Iterable[Mapping[str, Any]]) -> list[Finding]:
    found = []
    for volume in volumes:
        if volume.get("State") != "available":
            continue
        size, vtype = int(volume.get("Size") or 0), str(volume.get("VolumeType") or "gp2")
        price = prices.volume_monthly(region, vtype, size)
        vid = str(volume["VolumeId"])
        found.append(
            Finding(
                "unattached_volume",
                region,
                vid,
                f"{size} GiB {vtype} volume{_name(volume.get('Tags'))}, attached to nothing",
                price.monthly,
                price.approximate,
                console_url(region, "unattached_volume", vid),
            )
        )
    return found


def idle_addresses(region: str, addresses: Iterable[Mapping[str, Any]]) -> list[Finding]:
    found = []
    for address in addresses:
        if address.get("AssociationId") or address.get("InstanceId") or address.get("NetworkInterfaceId"):
            continue
        ident = str(address.get("AllocationId") or address.get("PublicIp"))
        price = prices.public_ipv4_monthly()
        found.append(
            Finding(
                "idle_address",
                region,
                ident,
                f"Elastic IP {address.get('PublicIp', '')}{_name(address.get('Tags'))}, not associated",
                price.monthly,
                price.approximate,
                console_url(region, "idle_address", ident),
            )
        )
    return found


def old_snapshots(region: str, snapshots: Iterable[Mapping[str, Any]], now: datetime) -> list[Finding]:
    cutoff = now - timedelta(days=SNAPSHOT_AGE_DAYS)
    found = []
    for snapshot in snapshots:
        started = snapshot.get("StartTime")
        if not isinstance(started, datetime) or started > cutoff:
            continue
        size = int(snapshot.get("VolumeSize") or 0)
        price = prices.snapshot_monthly(region, size)
        sid = str(snapshot["SnapshotId"])
        age = (now - started).days
        found.append(
            Finding(
                "old_snapshot",
                region,
                sid,
                f"{size} GiB snapshot{_name(snapshot.get('Tags'))}, {age} days old",
                price.monthly,
                price.approximate,
                console_url(region, "old_snapshot", sid),
            )
        )
    return found


def stopped_instances(
    region: str, instances: Iterable[Mapping[str, Any]], volumes: Iterable[Mapping[str, Any]]
) -> list[Finding]:
    """Stopped instances priced by the volumes still attached to them (compute stops billing)."""
    attached: dict[str, list[Mapping[str, Any]]] = {}
    for volume in volumes:
        for attachment in volume.get("Attachments") or ():
            if attachment.get("InstanceId"):
                attached.setdefault(str(attachment["InstanceId"]), []).append(volume)
    found = []
    for instance in instances:
        if (instance.get("State") or {}).get("Name") != "stopped":
            continue
        iid = str(instance["InstanceId"])
        its = attached.get(iid, [])
        if not its:
            continue
        costs = [
            prices.volume_monthly(region, str(v.get("VolumeType") or "gp2"), int(v.get("Size") or 0))
            for v in its
        ]
        size = sum(int(v.get("Size") or 0) for v in its)
        count = len(its)
        found.append(
            Finding(
                "stopped_instance",
                region,
                iid,
                f"stopped {instance.get('InstanceType', 'instance')}{_name(instance.get('Tags'))} "
                f"keeps {count} volume{'s' if count != 1 else ''} ({size} GiB)",
                sum((c.monthly for c in costs), Decimal(0)),
                any(c.approximate for c in costs),
                console_url(region, "stopped_instance", iid),
            )
        )
    return found


def total(findings: Iterable[Finding]) -> Decimal:
    return sum((f.monthly_cost for f in findings), Decimal(0))


def badge_text(findings: list[Finding]) -> str | None:
    """ "3 unattached volumes ~$24.00/month"; several kinds: "5 idle resources ~$31.20/month"."""
    if not findings:
        return None
    kinds = {f.kind for f in findings}
    count = len(findings)
    what = _NOUNS[next(iter(kinds))][0 if count == 1 else 1] if len(kinds) == 1 else "idle resources"
    return f"{count} {what} ~${total(findings)}/month"
