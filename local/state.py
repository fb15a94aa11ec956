"""`--keep-state`: moto has no disk persistence, so the logical data is snapshotted on shutdown to
`.local-state/` and put back on the next start.

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
import shutil
from dataclasses import replace
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
        log.warning("ignoring unreadable local state %s (%s); starting fresh", path, exc)
        return None
    if data.get("version") != VERSION:
        log.warning("ignoring local state of another version in %s; starting fresh", path)
        return None
    return data


def _scan(ddb: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in ddb.get_paginator("scan").paginate(TableName=table):
        items.extend(page.get("Items", []))
    return items


def save(aws: LocalAws, demo_password: str, state_dir: Path) -> None:
    res = aws.res
    ddb, s3 = aws.client("dynamodb"), aws.client("s3")
    snapshot: dict[str, Any] = {
        "version": VERSION,
        "demoPassword": demo_password,
        "tables": {
            "expenses": _scan(ddb, res.expenses_table),
            "credentials": _scan(ddb, res.credentials_table),
        },
        "objects": {},
        "users": _users(aws),
        "kmsKey": _kms_key(aws),
    }
    for name, bucket in (("receipts", res.receipts_bucket), ("lake", res.lake_bucket)):
        objects = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for entry in page.get("Contents", []):
                obj = s3.get_object(Bucket=bucket, Key=entry["Key"])
                objects.append(
                    {
                        "key": entry["Key"],
                        "contentType": obj.get("ContentType", "binary/octet-stream"),
                        "metadata": obj.get("Metadata", {}),
                        "body": obj["Body"].read(),
                    }
                )
        snapshot["objects"][name] = objects
    state_dir.mkdir(parents=True, exist_ok=True)
    tmp = state_dir / (SNAPSHOT + ".tmp")
    tmp.write_text(json.dumps(_encode(snapshot)))
    tmp.chmod(0o600)  # holds the local users' passwords
    tmp.replace(state_dir / SNAPSHOT)


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


def restore(aws: LocalAws, snapshot: dict[str, Any]) -> Resources:
    """Put a snapshot back into a freshly provisioned world; returns (and keeps) the resources."""
    res = aws.res
    ddb, s3 = aws.client("dynamodb"), aws.client("s3")
    for name, table in (("expenses", res.expenses_table), ("credentials", res.credentials_table)):
        for item in snapshot["tables"].get(name, []):
            ddb.put_item(TableName=table, Item=item)
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
