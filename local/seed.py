"""Demo data for `make dev`: a demo user, a year of expenses, and Cost Explorer answers for the import.

Expenses go through the real expenses handler (POST /expenses with the demo user's claims), so the
monthly summary aggregates are maintained exactly as they are for a user typing them in. A fixed
random seed keeps the demo data the same from run to run (dates are relative to today).
"""

from __future__ import annotations

import json
import logging
import random
import threading
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from outlay import tables
from outlay.routes import HTTP_FUNCTIONS

from local import users
from local.aws import FAKE_KEY, LocalAws
from local.gate import WriteGate
from local.lambdas import HandlerMissing, invoke, match_route, rest_event
from local.seed_budgets import seed_demo_budgets

log = logging.getLogger("outlay.local.seed")

DEMO_EXPENSE_COUNT = 200
RANDOM_SEED = 20261121

# category -> (vendors, low, high) in whole currency units
CATALOG: dict[str, tuple[tuple[str, ...], int, int]] = {
    "Food": (("Whole Foods", "Trader Joe's", "Blue Bottle Coffee", "Chipotle", "Lidl", "Carrefour"), 4, 120),
    "Transport": (("Uber", "Lyft", "Shell", "MTA", "Deutsche Bahn"), 3, 90),
    "Housing": (("Rent - Maple Street", "IKEA", "Home Depot"), 40, 1800),
    "Utilities": (("Con Edison", "Comcast", "Verizon", "Vattenfall"), 25, 180),
    "Software": (("GitHub", "JetBrains", "Figma", "1Password", "Notion"), 4, 60),
    "Travel": (("Delta", "Lufthansa", "Marriott", "Airbnb", "Booking.com"), 60, 900),
    "Health": (("CVS Pharmacy", "City Dental", "Apotheke am Markt", "Equinox"), 10, 250),
    "Entertainment": (("Netflix", "Spotify", "AMC Theatres", "Steam"), 6, 80),
    "Other": (("Amazon", "Etsy", "Post Office"), 5, 150),
}
# Vendors that bill in euros (the demo user lives between New York and Berlin).
EUR_VENDORS = {"Lidl", "Carrefour", "Deutsche Bahn", "Vattenfall", "Lufthansa", "Apotheke am Markt"}
TAGS = ("work", "family", "recurring", "trip-lisbon", "reimbursable")

# Demo AWS bill: service -> typical monthly USD cost.
DEMO_SERVICES: dict[str, Decimal] = {
    "Amazon Elastic Compute Cloud - Compute": Decimal("41.37"),
    "Amazon Simple Storage Service": Decimal("3.12"),
    "Amazon Relational Database Service": Decimal("27.80"),
    "AWS Lambda": Decimal("0.84"),
    "Amazon CloudFront": Decimal("1.96"),
    "Amazon DynamoDB": Decimal("2.43"),
}


def demo_expenses(today: date, count: int = DEMO_EXPENSE_COUNT) -> list[dict[str, Any]]:
    """Request bodies for POST /expenses: spread over the last 12 months, stable for a given day."""
    rng = random.Random(RANDOM_SEED)  # noqa: S311 - demo data, not crypto
    bodies = []
    categories = list(CATALOG)
    weights = [22, 14, 4, 6, 8, 5, 6, 10, 5]
    for _ in range(count):
        category = rng.choices(categories, weights)[0]
        vendors, low, high = CATALOG[category]
        vendor = rng.choice(vendors)
        cents = rng.randint(low * 100, high * 100)
        day = today - timedelta(days=rng.randint(0, 364))
        tags = sorted(set(rng.sample(TAGS, k=rng.choice((0, 0, 1, 1, 2)))))
        bodies.append(
            {
                "amount": str(Decimal(cents) / 100),
                "currency": "EUR" if vendor in EUR_VENDORS else "USD",
                "date": day.isoformat(),
                "category": category,
                "vendor": vendor,
                "description": f"{vendor} ({category.lower()})",
                "tags": tags,
            }
        )
    return bodies


def call_api(
    method: str, path: str, claims: dict[str, str], body: Any = None, *, origin: str
) -> tuple[int, Any]:
    """Invoke the handler behind `method path` with claims, as the gateway would after the authorizer."""
    route, params, _ = match_route(method, path)
    if route is None:
        raise ValueError(f"no route {method} {path}")
    raw = json.dumps(body).encode() if body is not None else b""
    event = rest_event(
        route=route,
        method=method,
        path=path,
        query="",
        headers=[("Content-Type", "application/json"), ("Origin", origin)],
        body=raw,
        path_params=params,
        claims=claims,
        source_ip="127.0.0.1",
    )
    result = invoke(HTTP_FUNCTIONS[route.function], f"outlay-local-{route.function}", event)
    payload = json.loads(result["body"]) if result.get("body") else None
    return int(result["statusCode"]), payload


# The demo bill's tagged usage (answered by local/moto_extras.py for SERVICE x TAG requests) and the
# demo user's one rule that sends it to its own category: (service, tag key, tag value, USD per month).
DEMO_TAGGED = ("Amazon Elastic Compute Cloud - Compute", "project", "acme", Decimal("12.50"))
DEMO_RULE_CATEGORY = "Client work"


def demo_cost_results(today: date, months: int = 13) -> list[dict[str, Any]]:
    """GetCostAndUsage answers (SERVICE x RECORD_TYPE), newest month first, for moto's CE queue.

    moto hands out one queued answer per distinct request; the import asks for last month first.
    """
    rng = random.Random(RANDOM_SEED + 1)  # noqa: S311 - demo data
    results = []
    first = today.replace(day=1)
    for back in range(1, months + 1):
        start = first
        for _ in range(back):
            start = (start - timedelta(days=1)).replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        groups = []
        for service, base in DEMO_SERVICES.items():
            amount = (base * Decimal(rng.randint(80, 125)) / 100).quantize(Decimal("0.0000000001"))
            groups.append(_group(service, "Usage", amount))
        groups.append(_group("Tax", "Tax", Decimal("3.9100000000")))
        if back % 3 == 0:
            groups.append(_group("AWS Support (Developer)", "Credit", Decimal("-5.0000000000")))
        results.append(
            {
                "ResultsByTime": [
                    {
                        "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
                        "Total": {},
                        "Groups": groups,
                        "Estimated": False,
                    }
                ],
                "DimensionValueAttributes": [],
                "GroupDefinitions": [
                    {"Type": "DIMENSION", "Key": "SERVICE"},
                    {"Type": "DIMENSION", "Key": "RECORD_TYPE"},
                ],
            }
        )
    return results


def _group(service: str, record_type: str, amount: Decimal) -> dict[str, Any]:
    return {
        "Keys": [service, record_type],
        "Metrics": {
            "UnblendedCost": {"Amount": str(amount), "Unit": "USD"},
            "AmortizedCost": {"Amount": str(amount), "Unit": "USD"},
        },
    }


def create_demo_user(aws: LocalAws, email: str, password: str) -> str:
    """The demo login printed at start-up: confirmed, permanent password, not an admin."""
    return users.create_user(aws, email, password)


# Demo access key pair: any key works against moto (STS GetCallerIdentity answers for it).
DEMO_ACCESS_KEY_ID = "AKIAEXAMPLEOUTLAY001"  # AWS documentation style: never a real key
DEMO_SECRET_ACCESS_KEY = "outlay-demo-secret-not-a-real-key"  # noqa: S105 - a fake key for moto


def seed_insights_demo(aws: LocalAws, now: datetime | None = None) -> dict[str, str]:
    """Waste for the insights to find in the demo account (issue 17): an unattached volume, a free
    Elastic IP and a snapshot older than 90 days, in the region the demo account spends in."""
    import boto3

    from local import moto_extras

    region = moto_extras.DEMO_REGION
    ec2 = boto3.client(
        "ec2",
        region_name=region,
        endpoint_url=aws.url,
        aws_access_key_id=FAKE_KEY,
        aws_secret_access_key=FAKE_KEY,
    )
    volume = ec2.create_volume(AvailabilityZone=f"{region}a", Size=120, VolumeType="gp3")["VolumeId"]
    ec2.create_tags(Resources=[volume], Tags=[{"Key": "Name", "Value": "old-build-cache"}])
    address = ec2.allocate_address(Domain="vpc")["AllocationId"]
    source = ec2.create_volume(AvailabilityZone=f"{region}a", Size=60, VolumeType="gp2")["VolumeId"]
    snapshot = ec2.create_snapshot(VolumeId=source, Description="before the 2025 migration")["SnapshotId"]
    ec2.delete_volume(VolumeId=source)
    moto_extras.backdate_snapshot(snapshot, region, (now or datetime.now(UTC)) - timedelta(days=200))
    return {"volume": volume, "address": address, "snapshot": snapshot}


def seed_demo_data(
    aws: LocalAws,
    sub: str,
    email: str,
    *,
    origin: str,
    count: int = DEMO_EXPENSE_COUNT,
    cancel: threading.Event | None = None,
    gate: WriteGate | None = None,
) -> dict[str, Any]:
    """A year of expenses and a connected (demo) AWS account for the demo user `sub`; each write
    passes the runtime's write gate like a request (snapshots fall between them)."""
    report: dict[str, Any] = {"expenses": 0}
    today = datetime.now(UTC).date()
    claims = users.minted_claims(aws, sub, email)
    passing = gate.request if gate is not None else nullcontext
    try:
        connection = {
            "type": "keys",
            "accessKeyId": DEMO_ACCESS_KEY_ID,
            "secretAccessKey": DEMO_SECRET_ACCESS_KEY,
            "region": aws.region,
        }
        with passing():
            status, payload = call_api("POST", "/aws-credentials", claims, connection, origin=origin)
        report["awsConnected"] = status in (200, 201)
        if not report["awsConnected"]:
            log.warning("demo AWS connection refused (%s): %s", status, payload)
    except HandlerMissing as exc:
        log.warning("no demo AWS connection: %s", exc)
    report["awsConnections"] = connect_demo_accounts(aws, claims, origin=origin, passing=passing)
    seed_demo_rule(claims, origin, passing)
    report["insights"] = seed_insights_demo(aws)
    try:
        for body in demo_expenses(today, count):
            if cancel is not None and cancel.is_set():
                break
            with passing():
                status, payload = call_api("POST", "/expenses", claims, body, origin=origin)
            if status not in (200, 201):
                log.warning("demo expense refused (%s): %s", status, payload)
                continue
            report["expenses"] += 1
    except HandlerMissing as exc:
        log.warning("no demo expenses: %s", exc)
    report["budgets"] = seed_demo_budgets(call_api, claims, origin=origin, passing=passing, cancel=cancel)
    report["recurringRules"] = seed_recurring_rules(claims, today, origin=origin, passing=passing)
    report["statementRows"] = seed_demo_statement(aws, claims, today, origin=origin, passing=passing)
    return report


# --- more AWS connections: a side-project account and an AWS organization (issue 16) ---
DEMO_SIDE_ACCOUNT = "222233334444"
DEMO_ORG_MANAGEMENT = "555566667777"
DEMO_LINKED_ACCOUNTS = ("Production", "Staging", "Data", "Sandbox", "Security")
DEMO_ROLE_NAME = "OutlayCostExplorerReadOnly"


def demo_organization(aws: LocalAws) -> list[tuple[str, str]]:
    """An AWS organization managed by `DEMO_ORG_MANAGEMENT` with five member accounts (in moto,
    created with that account's credentials); [(account id, name)], management account first."""
    creds = aws.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{DEMO_ORG_MANAGEMENT}:role/{DEMO_ROLE_NAME}", RoleSessionName="outlay-seed"
    )["Credentials"]
    import boto3

    org = boto3.client(
        "organizations",
        region_name="us-east-1",
        endpoint_url=aws.url,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    try:
        org.describe_organization()
    except org.exceptions.AWSOrganizationsNotInUseException:
        org.create_organization(FeatureSet="ALL")
        for name in DEMO_LINKED_ACCOUNTS:
            org.create_account(Email=f"{name.lower()}@example.com", AccountName=name)
    accounts = [(a["Id"], a["Name"]) for a in org.list_accounts()["Accounts"]]
    return sorted(accounts, key=lambda a: (a[0] != DEMO_ORG_MANAGEMENT, a[1]))


def demo_organization_bill(accounts: list[tuple[str, str]]) -> Any:
    """GetCostAndUsage grouped by LINKED_ACCOUNT for the demo organization: each account its own
    services and amounts (stable per account and month), tax per account, a credit now and then."""

    def answer(request: dict[str, Any]) -> dict[str, Any]:
        period = request.get("TimePeriod") or {}
        second = [g.get("Key") for g in request.get("GroupBy") or []][1:]
        usage_only = "Not" not in (request.get("Filter") or {})
        groups = []
        for index, (account, _) in enumerate(accounts):
            rng = random.Random(f"{account}{period.get('Start')}")  # noqa: S311 - demo data
            if usage_only and second == ["SERVICE"]:
                services = list(DEMO_SERVICES.items())[index % 3 : index % 3 + 3]
                for service, base in services:
                    amount = (base * Decimal(rng.randint(40, 160)) / 100 / (index + 1)).quantize(
                        Decimal("0.01")
                    )
                    groups.append(_linked_group(account, service, amount))
            elif not usage_only and second == ["RECORD_TYPE"]:
                groups.append(_linked_group(account, "Tax", Decimal("1.20") + index))
                if index == 2:
                    groups.append(_linked_group(account, "Credit", Decimal("-3.00")))
        return {
            "ResultsByTime": [{"TimePeriod": period, "Total": {}, "Groups": groups, "Estimated": False}],
            "DimensionValueAttributes": [],
            "GroupDefinitions": request.get("GroupBy") or [],
        }

    return answer


def _linked_group(account: str, key: str, amount: Decimal) -> dict[str, Any]:
    return {**_group(key, "", amount), "Keys": [account, key]}


def connect_demo_accounts(aws: LocalAws, claims: dict[str, str], *, origin: str, passing: Any) -> int:
    """Connect the demo user's side-project account and organization (roles; moto's STS lets the
    demo assume them). Returns how many connections were added."""
    from local import moto_extras

    added = 0
    try:
        accounts = demo_organization(aws)
        moto_extras.ORGANIZATION_BILLS[DEMO_ORG_MANAGEMENT] = demo_organization_bill(accounts)
        for account, name in ((DEMO_SIDE_ACCOUNT, "Side project"), (DEMO_ORG_MANAGEMENT, "Organization")):
            body = {"type": "role", "roleArn": f"arn:aws:iam::{account}:role/{DEMO_ROLE_NAME}", "name": name}
            with passing():
                status, payload = call_api("POST", "/aws-connections", claims, body, origin=origin)
            if status == 201:
                added += 1
            else:
                log.warning("demo AWS connection %s refused (%s): %s", name, status, payload)
    except HandlerMissing as exc:
        log.warning("no more demo AWS connections: %s", exc)
    return added


def seed_demo_rule(claims: dict[str, str], origin: str, passing: Any) -> None:
    """The demo user's own category "Client work" and one rule: usage tagged `project=acme` goes there,
    tagged `acme` (the import splits it off the EC2 line)."""
    _, key, value, _ = DEMO_TAGGED
    rule = {"match": "tag", "tagKey": key, "value": value, "category": DEMO_RULE_CATEGORY, "tags": [value]}
    try:
        with passing():
            call_api("POST", "/categories", claims, {"name": DEMO_RULE_CATEGORY}, origin=origin)
        with passing():
            status, payload = call_api("PUT", "/aws-cost-rules", claims, {"rules": [rule]}, origin=origin)
        if status != 200:
            log.warning("demo cost rule refused (%s): %s", status, payload)
    except HandlerMissing as exc:
        log.warning("no demo cost rule: %s", exc)


def demo_recurring_rules(today: date) -> list[dict[str, Any]]:
    """Two demo rules (POST /recurring bodies): rent on the 1st and a gym on the 31st, which shows
    month-end clamping (30 April, 28/29 February). Started two months ago, so each has occurrences."""
    start = (today.replace(day=1) - timedelta(days=40)).replace(day=1)
    return [
        {
            "every": 1,
            "unit": "month",
            "startDate": start.isoformat(),
            "amount": "1650.00",
            "currency": "USD",
            "category": "Housing",
            "vendor": "Rent - Maple Street",
            "description": "Monthly rent",
            "tags": ["recurring"],
        },
        {
            "every": 1,
            "unit": "month",
            "dayOfMonth": 31,
            "startDate": start.isoformat(),
            "amount": "49.00",
            "currency": "EUR",
            "category": "Health",
            "vendor": "Urban Sports Club",
            "description": "Gym membership (last day of the month)",
            "tags": ["recurring"],
        },
    ]


def seed_recurring_rules(claims: dict[str, str], today: date, *, origin: str, passing: Any) -> int:
    """The demo rules through the real handler; each writes its occurrences due so far."""
    created = 0
    try:
        for body in demo_recurring_rules(today):
            with passing():
                status, payload = call_api("POST", "/recurring", claims, body, origin=origin)
            if status == 201:
                created += 1
            else:
                log.warning("demo recurring rule refused (%s): %s", status, payload)
    except HandlerMissing as exc:
        log.warning("no demo recurring rules: %s", exc)
    return created


def demo_statement(today: date) -> str:
    """A small bank statement as a German bank exports it: ';', day-first dates, decimal comma,
    debits negative; one salary credit (skipped) and one line with a broken date (reported)."""
    lines = ["Buchungstag;Betrag;Empfänger;Verwendungszweck;Währung"]
    for n, (vendor, amount, memo) in enumerate(
        [
            ("Rewe Markt", "-54,20", "Lebensmittel"),
            ("Deutsche Bahn", "-1.129,00", "BahnCard 100"),
            ("Arbeitgeber GmbH", "3.200,00", "Gehalt"),
            ("Stadtwerke", "-86,40", "Strom"),
        ]
    ):
        lines.append(f"{today - timedelta(days=3 + n):%d.%m.%Y};{amount};{vendor};{memo};EUR")
    lines.append("31.02.2026;-9,99;Kiosk;Zeitung;EUR")
    return "\n".join(lines) + "\n"


def seed_demo_statement(
    aws: LocalAws, claims: dict[str, str], today: date, *, origin: str, passing: Any
) -> int:
    """Upload, analyze and commit the demo statement as the dashboard does (the upload goes straight
    to the bucket, as the browser's presigned POST would); returns the rows queued."""
    try:
        with passing():
            status, upload = call_api("POST", "/imports/statements", claims, origin=origin)
        if status != 201:
            log.warning("demo statement upload refused (%s): %s", status, upload)
            return 0
        key = tables.statement_key(claims["sub"], upload["uploadId"])
        aws.client("s3").put_object(
            Bucket=aws.res.receipts_bucket, Key=key, Body=demo_statement(today).encode()
        )
        path = f"/imports/statements/{upload['uploadId']}"
        with passing():
            status, analysis = call_api("POST", f"{path}/analyze", claims, {}, origin=origin)
        if status != 200 or not analysis.get("mapping"):
            log.warning("demo statement not analyzed (%s): %s", status, analysis)
            return 0
        body = {"mapping": analysis["mapping"], "fileName": "demo-statement.csv"}
        with passing():
            status, run = call_api("POST", f"{path}/commit", claims, body, origin=origin)
        return int(run.get("total", 0)) if status == 202 else 0
    except HandlerMissing as exc:
        log.warning("no demo statement: %s", exc)
        return 0
