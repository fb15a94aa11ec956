"""`--keep-state`: moto has no disk persistence, so the logical data is snapshotted to
`.local-state/snapshot.json` (every few seconds while it changes, and on stop) and put back on the
next start.

The file is written to a temporary file created 0600 (owner only: it holds users' passwords and the
KMS key material), fsynced, then renamed over the previous snapshot: a crash at any moment leaves
either the previous snapshot or the new one, never a mix.

Kept: both tables' items, the receipts and lake buckets' objects, the Cognito users (with their
`sub`, so every `USER#<sub>` key still belongs to them, their password and groups), and the KMS key
(id and key material, so stored credentials still decrypt). Pool and client ids are new on each
start; nothing stored refers to them. Users' `sub`s and the key are put back by reaching into
moto's in-process backends, which is possible because moto runs inside this process.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local import users
from local.aws import LocalAws
from local.provision import ADMINS_GROUP, Resources

log = logging.getLogger("outlay.local.state")

SNAPSHOT = "snapshot.json"
VERSION = 1


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {"__b64__": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, set):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__b64__"}:
            return base64.b64decode(value["__b64__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def reset(state_dir: Path) -> bool:
    if state_dir.exists():
        shutil.rmtree(state_dir)
        return True
    return False


def load(state_dir: Path) -> dict[str, Any] | None:
    path = state_dir / SNAPSHOT
    if not path.is_file():
        return None
    try:
        data: dict[str, Any] = _decode(json.loads(path.read_text()))
    except (OSError, ValueError) as exc:
        _set_aside(path, f"it is unreadable ({exc})")
        return None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        _set_aside(path, "it was written by another version")
        return None
    return data


def _set_aside(path: Path, why: str) -> None:
    """Keep a snapshot this run cannot use out of the way of its next save, rather than overwrite it."""
    aside = path.with_name(f"snapshot.set-aside-{datetime.now(UTC):%Y%m%dT%H%M%S}.json")
    path.replace(aside)
    log.warning("starting fresh: the local state %s was moved to %s because %s", path, aside.name, why)


def _items(aws: LocalAws, table: str) -> list[dict[str, Any]]:
    """Every item of a table in boto3's shape, read from moto in-process: a scan over HTTP takes
    seconds per thousand items, and the snapshot is taken while requests wait."""
    return [
        _boto_shape(item.to_json()["Attributes"])
        for item in aws.backend("dynamodb").tables[table].all_items()
    ]


def _boto_shape(attributes: dict[str, Any]) -> dict[str, Any]:
    """moto's wire form (binary as base64 text) -> what a boto3 client reads (binary as bytes); new
    containers throughout, so the snapshot shares nothing with the live items."""
    return {name: _value(value) for name, value in attributes.items()}


def _value(value: dict[str, Any]) -> dict[str, Any]:
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": _binary(inner)}
    if kind == "BS":
        return {"BS": [_binary(v) for v in inner]}
    if kind == "M":
        return {"M": _boto_shape(inner)}
    if kind == "L":
        return {"L": [_value(v) for v in inner]}
    if kind in ("SS", "NS"):
        return {kind: list(inner)}
    return {kind: inner}


def _binary(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else base64.b64decode(value)


ObjectCache = dict[tuple[str, str], tuple[str, dict[str, Any]]]


def capture(aws: LocalAws, demo_password: str, cache: ObjectCache | None = None) -> dict[str, Any]:
    """The kept data, read from moto (take it while no request runs: see local.gate). With a
    `cache` kept between calls, only S3 objects whose ETag changed are read again."""
    res = aws.res
    cache = {} if cache is None else cache
    s3 = aws.client("s3")
    snapshot: dict[str, Any] = {
        "version": VERSION,
        "demoPassword": demo_password,
        "tables": {
            "expenses": _items(aws, res.expenses_table),
            "credentials": _items(aws, res.credentials_table),
        },
        "objects": {},
        "users": _users(aws),
        "kmsKey": _kms_key(aws),
    }
    listed: set[tuple[str, str]] = set()
    for name, bucket in (("receipts", res.receipts_bucket), ("lake", res.lake_bucket)):
        objects = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for entry in page.get("Contents", []):
                where, etag = (bucket, entry["Key"]), entry.get("ETag", "")
                listed.add(where)
                if where not in cache or cache[where][0] != etag:
                    obj = s3.get_object(Bucket=bucket, Key=entry["Key"])
                    kept = {
                        "key": entry["Key"],
                        "contentType": obj.get("ContentType", "binary/octet-stream"),
                        "metadata": obj.get("Metadata", {}),
                        "body": obj["Body"].read(),
                    }
                    cache[where] = (etag, kept)
                objects.append(cache[where][1])
        snapshot["objects"][name] = objects
    for gone in set(cache) - listed:
        del cache[gone]
    return snapshot


def write(snapshot: dict[str, Any], state_dir: Path) -> None:
    """Atomically replace the snapshot: 0600 from the first byte, fsynced before the rename."""
    data = json.dumps(_encode(snapshot)).encode()
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    state_dir.chmod(0o700)
    tmp = state_dir / (SNAPSHOT + ".tmp")
    tmp.unlink(missing_ok=True)  # left by a crash mid-write; never trusted
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, state_dir / SNAPSHOT)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    directory = os.open(state_dir, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power loss
    finally:
        os.close(directory)


def _pool(aws: LocalAws) -> Any:
    return aws.backend("cognitoidp").user_pools[aws.res.user_pool_id]


def _users(aws: LocalAws) -> list[dict[str, Any]]:
    kept = []
    for user in _pool(aws).users.values():
        attributes = {a["Name"]: a["Value"] for a in user.attributes}
        kept.append(
            {
                "email": attributes.get("email", user.username),
                "sub": user.id,
                "password": user.password,
                "status": user.status,
                "groups": sorted(g.group_name for g in user.groups),
            }
        )
    return kept


def _kms_key(aws: LocalAws) -> dict[str, Any]:
    key = aws.backend("kms").keys[aws.res.kms_key_id]
    return {"id": key.id, "material": bytes(key.key_material)}


def _index_older_snapshot(ddb: Any, table: str, items: list[dict[str, Any]]) -> None:
    """A snapshot kept before expenses had filter/search index items (issue 11) gets them now, the
    way a deployed table is migrated (`outlay.dal.search_index`), so filters find every match."""
    from outlay import tables
    from outlay.dal.search_index import SearchIndexBackfill

    sks = [str(item.get("sk", {}).get("S", "")) for item in items]
    has_expenses = any(sk.startswith(tables.EXPENSE_PREFIX) for sk in sks)
    if has_expenses and not any(sk.startswith(tables.INDEX_PREFIX) for sk in sks):
        done = SearchIndexBackfill(table, dynamodb_client=ddb).reindex_all()
        log.info("indexed %d kept expenses of %d users for filters and search", sum(done.values()), len(done))


def _day_totals_for_older_snapshot(ddb: Any, table: str, items: list[dict[str, Any]]) -> None:
    """A snapshot kept before daily aggregates existed (base currency) gets them now, the way a
    deployed table is migrated (`outlay.dal.day_totals`), so converted totals count every expense."""
    from outlay import tables
    from outlay.dal.day_totals import DailyTotalsBackfill

    sks = [str(item.get("sk", {}).get("S", "")) for item in items]
    if any(sk.startswith(tables.EXPENSE_PREFIX) for sk in sks) and not any(
        sk.startswith(tables.DAY_PREFIX) for sk in sks
    ):
        done = DailyTotalsBackfill(table, dynamodb_client=ddb).rebuild_all()
        log.info("rebuilt %d daily totals of %d users' kept expenses", sum(done.values()), len(done))


def restore(aws: LocalAws, snapshot: dict[str, Any]) -> Resources:
    """Put a snapshot back into a freshly provisioned world; returns (and keeps) the resources."""
    res = aws.res
    ddb, s3 = aws.client("dynamodb"), aws.client("s3")
    for name, table in (("expenses", res.expenses_table), ("credentials", res.credentials_table)):
        items = snapshot["tables"].get(name, [])
        for start in range(0, len(items), 25):  # BatchWriteItem's limit
            pending = {table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
            while pending:
                pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    _index_older_snapshot(ddb, res.expenses_table, snapshot["tables"].get("expenses", []))
    _day_totals_for_older_snapshot(ddb, res.expenses_table, snapshot["tables"].get("expenses", []))
    for name, bucket in (("receipts", res.receipts_bucket), ("lake", res.lake_bucket)):
        for obj in snapshot["objects"].get(name, []):
            s3.put_object(
                Bucket=bucket,
                Key=obj["key"],
                Body=obj["body"],
                ContentType=obj["contentType"],
                Metadata=obj.get("metadata") or {},
            )
    pool = _pool(aws)
    for user in snapshot.get("users", []):
        if user.get("status") != "CONFIRMED" or not user.get("password"):
            continue  # unconfirmed sign-ups simply sign up again
        users.create_user(aws, user["email"], user["password"])
        moto_user = pool._get_user(user["email"])
        moto_user.id = user["sub"]
        moto_user.update_attributes([{"Name": "sub", "Value": user["sub"]}])
        for group in user.get("groups", []):
            users.add_to_group(aws, user["email"], group or ADMINS_GROUP)
    key = snapshot.get("kmsKey")
    if key:
        backend = aws.backend("kms")
        moto_key = backend.keys.pop(res.kms_key_id)
        moto_key.arn = moto_key.arn.replace(res.kms_key_id, key["id"])
        moto_key.id = key["id"]
        moto_key.key_material = key["material"]
        backend.keys[key["id"]] = moto_key
        aliases = getattr(backend, "key_to_aliases", None)
        if isinstance(aliases, dict) and res.kms_key_id in aliases:
            aliases[key["id"]] = aliases.pop(res.kms_key_id)
        res = replace(res, kms_key_id=key["id"])
    aws.resources = res
    return res
