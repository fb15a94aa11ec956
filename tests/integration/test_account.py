"""Account self-service over real HTTP on the local runtime: the confirmation names what will go, the
download holds everything and no secret, and deletion leaves nothing of the user behind (tables,
buckets, lake, sign-in) while the other user keeps everything."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from local.pytest_plugin import SignedInUser, new_user
from local.runtime import LocalRuntime

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32 + b"account-receipt"
SECRET = "Account+Export/CanarySecret0123456789"
KEY_ID = "AKIAACCOUNTEXPORT001"


class Api:
    def __init__(self, runtime: LocalRuntime, user: SignedInUser) -> None:
        self.base = runtime.api_url
        self.session = requests.Session()
        self.session.headers.update({"Authorization": user.id_token, "Origin": runtime.url.rstrip("/")})

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=120, **kwargs)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.text else None


def _fill(api: Api) -> None:
    api.ok("POST", "/categories", json={"name": "Board games"})
    first = api.ok(
        "POST", "/expenses", json={"amount": "30.00", "category": "Board games", "date": "2026-05-02"}
    )
    api.ok("POST", "/expenses", json={"amount": "4.20", "category": "Food", "date": "2026-06-09"})
    upload = api.ok("POST", f"/expenses/{first['id']}/receipt", json={"contentType": "image/png"})
    posted = requests.post(
        upload["url"], data=upload["fields"], files={"file": ("r.png", PNG, "image/png")}, timeout=30
    )
    assert posted.status_code in (200, 201, 204), posted.text
    api.ok(
        "POST",
        "/aws-credentials",
        # Scheduled imports off: the runtime is shared, and other tests count whom the schedule queues.
        json={"type": "keys", "accessKeyId": KEY_ID, "secretAccessKey": SECRET, "enabled": False},
    )


def _leftovers(runtime: LocalRuntime, sub: str) -> dict[str, list[str]]:
    """Every item and object version, in every table and bucket, that mentions `sub`."""
    res = runtime.resources
    assert res is not None
    ddb, s3 = runtime.client("dynamodb"), runtime.client("s3")
    found: dict[str, list[str]] = {}
    for table in (res.expenses_table, res.credentials_table):
        items = [i for p in ddb.get_paginator("scan").paginate(TableName=table) for i in p["Items"]]
        found[table] = [json.dumps(i) for i in items if sub in json.dumps(i)]
    for bucket in (res.receipts_bucket, res.lake_bucket):
        keys = [
            v["Key"]
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
            for v in (*page.get("Versions", []), *page.get("DeleteMarkers", []))
        ]
        found[bucket] = [k for k in keys if sub in k]
    return found


@pytest.fixture
def pair(local_runtime: LocalRuntime) -> tuple[SignedInUser, SignedInUser]:
    users = (new_user(local_runtime, "leaving"), new_user(local_runtime, "staying"))
    for user in users:
        _fill(Api(local_runtime, user))
    assert local_runtime.wait_for_lake()
    return users


def test_download_all_my_data_holds_every_kind_and_no_secret(
    local_runtime: LocalRuntime, pair: tuple[SignedInUser, SignedInUser]
) -> None:
    user, other = pair
    api = Api(local_runtime, user)

    inventory = api.ok("GET", "/account")
    assert inventory["counts"]["expenses"] == 2
    assert inventory["counts"]["receipts"] == 1
    assert inventory["counts"]["categories"] == 1
    assert inventory["counts"]["connections"] == 1
    assert inventory["counts"]["lakeMonths"] == 2
    assert inventory["confirmation"] == "DELETE"

    export = api.ok("POST", "/account/export")
    downloaded = requests.get(export["url"], timeout=30)
    assert downloaded.status_code == 200
    text = downloaded.text
    document = json.loads(text)
    assert document["user"]["id"] == user.sub
    assert document["categories"] == ["Board games"]
    assert sorted(e["amount"] for e in document["expenses"]) == ["30.00", "4.20"]
    assert document["connections"][0]["accessKeyId"] == f"{KEY_ID[:4]}…{KEY_ID[-4:]}"
    [receipt] = [e["receipt"] for e in document["expenses"] if "receipt" in e]
    assert requests.get(receipt["url"], timeout=30).content == PNG
    assert SECRET not in text and KEY_ID not in text and "ciphertext" not in text
    assert other.sub not in text


def test_delete_my_account_leaves_nothing_and_spares_the_other_user(
    local_runtime: LocalRuntime, pair: tuple[SignedInUser, SignedInUser]
) -> None:
    user, other = pair
    api = Api(local_runtime, user)
    other_before = _leftovers(local_runtime, other.sub)
    before = _leftovers(local_runtime, user.sub)
    assert all(before.values()), before  # something of the user in every table and bucket

    refused = api.call("DELETE", "/account", json={"confirm": "yes"})
    assert refused.status_code == 400
    assert refused.json()["details"][0]["field"] == "confirm"

    answer = api.call("DELETE", "/account", json={"confirm": "DELETE"})
    for _ in range(20):  # 202 = in progress: the page calls again
        if answer.status_code != 202:
            break
        answer = api.call("DELETE", "/account", json={"confirm": "DELETE"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "deleted"
    assert local_runtime.wait_for_lake()  # the stream's lake writer sees the deletions too

    assert _leftovers(local_runtime, user.sub) == {name: [] for name in before}
    with pytest.raises(ClientError) as signed_in:
        local_runtime.sign_in(user.email, user.password)
    assert signed_in.value.response["Error"]["Code"] in {"NotAuthorizedException", "UserNotFoundException"}
    assert _leftovers(local_runtime, other.sub) == other_before
    assert len(Api(local_runtime, other).ok("GET", "/expenses")["items"]) == 2
