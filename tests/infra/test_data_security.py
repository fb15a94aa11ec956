"""Stateful resources: private and TLS-only buckets, PITR, encryption, and what each env keeps on delete."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infra.conftest import ENVIRONMENTS, Synthesized, resources

pytestmark = pytest.mark.infra

BLOCK_ALL = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}


def _denies_plain_http(policy: dict[str, Any]) -> bool:
    return any(
        s["Effect"] == "Deny"
        and s["Action"] == "s3:*"
        and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        for s in policy["PolicyDocument"]["Statement"]
    )


def test_every_bucket_is_private_encrypted_and_tls_only(synth: Synthesized) -> None:
    checked = 0
    for env, stack_id, template in synth.all_templates():
        buckets = resources(template, "AWS::S3::Bucket")
        policies = {
            p["Properties"]["Bucket"]["Ref"]: p["Properties"]
            for p in resources(template, "AWS::S3::BucketPolicy").values()
        }
        for logical_id, bucket in buckets.items():
            props = bucket["Properties"]
            where = (env, stack_id, logical_id)
            assert props["PublicAccessBlockConfiguration"] == BLOCK_ALL, where
            sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
            assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", where
            assert _denies_plain_http(policies[logical_id]), where
            checked += 1
    assert checked == len(ENVIRONMENTS) * 5  # access logs, lake, receipts, site, athena results


def test_buckets_log_to_the_access_log_bucket(synth: Synthesized) -> None:
    data = synth.json("dev", "data")
    buckets = resources(data, "AWS::S3::Bucket")
    log_bucket = next(k for k in buckets if k.startswith("AccessLogs"))
    assert "LoggingConfiguration" not in buckets[log_bucket]["Properties"]
    for logical_id in ("Lake", "Receipts"):
        bucket = next(v for k, v in buckets.items() if k.startswith(logical_id))
        assert bucket["Properties"]["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": log_bucket}
    for stack_id in ("frontend", "analytics"):
        for bucket in resources(synth.json("dev", stack_id), "AWS::S3::Bucket").values():
            destination = bucket["Properties"]["LoggingConfiguration"]["DestinationBucketName"]
            assert "Fn::ImportValue" in destination  # the data stack's access-log bucket


def test_receipts_bucket_has_no_cors_in_data_stack_and_exports_expire(synth: Synthesized) -> None:
    receipts = next(
        v
        for k, v in resources(synth.json("dev", "data"), "AWS::S3::Bucket").items()
        if k.startswith("Receipts")
    )["Properties"]
    assert "CorsConfiguration" not in receipts
    rule = receipts["LifecycleConfiguration"]["Rules"][0]
    assert rule["TagFilters"] == [{"Key": "kind", "Value": "export"}]
    assert rule["ExpirationInDays"] == 1
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    assert rule["Status"] == "Enabled"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_tables_have_pitr_on_demand_and_the_right_encryption(synth: Synthesized, env: str) -> None:
    tables = resources(synth.json(env, "data"), "AWS::DynamoDB::Table")
    expenses = next(v for k, v in tables.items() if k.startswith("Expenses"))["Properties"]
    credentials = next(v for k, v in tables.items() if k.startswith("AwsCredentials"))["Properties"]
    for props in (expenses, credentials):
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert props["BillingMode"] == "PAY_PER_REQUEST"
    # AWS managed key on both: no reader needs the CMK, which only seals users' secrets.
    assert expenses["SSESpecification"] == credentials["SSESpecification"] == {"SSEEnabled": True}
    assert expenses["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert expenses["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    assert expenses["LocalSecondaryIndexes"][0]["IndexName"] == "byDate"
    assert expenses["LocalSecondaryIndexes"][0]["KeySchema"][1] == {
        "AttributeName": "dateKey",
        "KeyType": "RANGE",
    }


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_kms_key_rotates(synth: Synthesized, env: str) -> None:
    synth.template(env, "data").has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_prod_retains_and_protects_state_dev_destroys_it(synth: Synthesized) -> None:
    for env, policy, protected in (("prod", "Retain", True), ("dev", "Delete", False)):
        data = synth.json(env, "data")
        for kind in ("AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::KMS::Key"):
            for logical_id, resource in resources(data, kind).items():
                assert resource["DeletionPolicy"] == policy, (env, logical_id)
        for table in resources(data, "AWS::DynamoDB::Table").values():
            assert table["Properties"]["DeletionProtectionEnabled"] is protected
        pool = next(iter(resources(synth.json(env, "auth"), "AWS::Cognito::UserPool").values()))
        assert pool["DeletionPolicy"] == policy
        assert pool["Properties"]["DeletionProtection"] == ("ACTIVE" if protected else "INACTIVE")
    # Auto-delete of objects exists only where buckets are destroyed.
    assert resources(synth.json("dev", "data"), "Custom::S3AutoDeleteObjects")
    assert not resources(synth.json("prod", "data"), "Custom::S3AutoDeleteObjects")


_PHYSICAL_NAMES = {"TableName", "FunctionName", "BucketName", "QueueName", "UserPoolName", "RoleName"}


def _literal_names(value: Any) -> list[str]:
    """Name properties given as plain strings anywhere in a resource (a Ref/GetAtt is fine)."""
    if isinstance(value, dict):
        found = [f"{k}={v}" for k, v in value.items() if k in _PHYSICAL_NAMES and isinstance(v, str)]
        return found + [n for v in value.values() for n in _literal_names(v)]
    if isinstance(value, list):
        return [n for v in value for n in _literal_names(v)]
    return []


def test_no_hard_coded_physical_names(synth: Synthesized) -> None:
    for env, stack_id, template in synth.all_templates():
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] == "AWS::CDK::Metadata":
                continue
            found = _literal_names(resource.get("Properties", {}))
            assert not found, (env, stack_id, logical_id, found)


def test_cognito_pool_settings(synth: Synthesized) -> None:
    for env, mfa in (("dev", "OPTIONAL"), ("prod", "ON")):
        pool = next(iter(resources(synth.json(env, "auth"), "AWS::Cognito::UserPool").values()))["Properties"]
        assert pool["UsernameAttributes"] == ["email"]
        assert pool["AutoVerifiedAttributes"] == ["email"]
        assert pool["MfaConfiguration"] == mfa
        assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
        assert pool["Policies"]["PasswordPolicy"] == {
            "MinimumLength": 8,
            "RequireLowercase": True,
            "RequireUppercase": True,
            "RequireNumbers": True,
            "RequireSymbols": True,
        }
        assert pool["AccountRecoverySetting"] == {
            "RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]
        }
        assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    client = next(iter(resources(synth.json("dev", "auth"), "AWS::Cognito::UserPoolClient").values()))
    assert client["Properties"]["GenerateSecret"] is False
    assert set(client["Properties"]["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    synth.template("dev", "auth").has_resource_properties(
        "AWS::Cognito::UserPoolGroup", {"GroupName": "admins"}
    )
