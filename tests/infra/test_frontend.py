"""The dashboard's delivery: OAC, one origin for pages and API, security headers, config.json, CORS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import ENVIRONMENTS, Synthesized, resources

pytestmark = pytest.mark.infra

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def _distribution(synth: Synthesized, env: str) -> dict[str, Any]:
    template = synth.json(env, "frontend")
    return next(iter(resources(template, "AWS::CloudFront::Distribution").values()))["Properties"][
        "DistributionConfig"
    ]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_site_bucket_is_reached_only_through_origin_access_control(synth: Synthesized, env: str) -> None:
    template = synth.json(env, "frontend")
    config = _distribution(synth, env)
    s3_origins = [o for o in config["Origins"] if "S3OriginConfig" in o]
    assert len(s3_origins) == 1
    assert s3_origins[0]["S3OriginConfig"]["OriginAccessIdentity"] == ""
    assert "OriginAccessControlId" in s3_origins[0]
    assert not resources(template, "AWS::CloudFront::CloudFrontOriginAccessIdentity")
    assert config["DefaultRootObject"] == "index.html"
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"


def test_api_is_served_under_the_same_origin(synth: Synthesized) -> None:
    config = _distribution(synth, "prod")
    (behavior,) = config["CacheBehaviors"]
    assert behavior["PathPattern"] == "/api/*"
    assert behavior["CachePolicyId"] == CACHING_DISABLED
    assert behavior["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert len(behavior["AllowedMethods"]) == 7
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    origin = next(o for o in config["Origins"] if o["Id"] == behavior["TargetOriginId"])
    assert "execute-api" in json.dumps(origin["DomainName"])
    assert "OriginPath" not in origin  # stage `api` == path prefix `/api`
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"


def test_security_headers(synth: Synthesized) -> None:
    template = synth.json("dev", "frontend")
    policy = next(iter(resources(template, "AWS::CloudFront::ResponseHeadersPolicy").values()))
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = json.dumps(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    for directive in (
        "default-src 'self'",
        "connect-src 'self' https://cognito-idp.",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "img-src 'self' data: blob:" in csp
    assert "RegionalDomainName" in csp  # the receipts bucket, for presigned uploads and receipt links
    assert headers["StrictTransportSecurity"] == {
        "AccessControlMaxAgeSec": 63072000,
        "IncludeSubdomains": True,
        "Override": True,
    }
    assert headers["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"


def test_config_json_is_deployed_uncached_from_stack_values(synth: Synthesized) -> None:
    template = synth.json("dev", "frontend")
    deployments = list(resources(template, "Custom::CDKBucketDeployment").values())
    pages = next(d["Properties"] for d in deployments if "no-cache" in json.dumps(d["Properties"]))
    markers = json.dumps(pages["SourceMarkers"])
    assert "UserPool" in markers and "WebClient" in markers
    assert "DomainName" in markers  # apiUrl = https://<distribution>/api
    assert pages["Prune"] is False
    outputs = template["Outputs"]
    for name in ("SiteUrl", "ApiUrl"):
        output = next(v for k, v in outputs.items() if k.startswith(name))
        assert "Export" not in output


def test_receipts_cors_allows_the_site_and_configured_origins_only(synth: Synthesized) -> None:
    template = synth.json("dev", "frontend")
    cors = next(iter(resources(template, "Custom::AWS").values()))["Properties"]
    create = json.dumps(cors["Create"])
    assert "putBucketCors" in create
    assert "https://" in create and "DomainName" in create
    for origin in synth.config("dev").web_origins:
        assert origin in create
    assert '\\"AllowedMethods\\":[\\"POST\\",\\"GET\\"]' in create
    policy = next(
        p for k, p in resources(template, "AWS::IAM::Policy").items() if k.startswith("ReceiptsCors")
    )["Properties"]["PolicyDocument"]["Statement"]
    assert [s["Action"] for s in policy] == ["s3:PutBucketCORS"]
    assert "Fn::ImportValue" in json.dumps(policy[0]["Resource"])  # the receipts bucket, nothing else


def test_hashed_assets_are_immutable_and_html_is_not(synth: Synthesized) -> None:
    from stacks.constructs.site import ASSETS_DIR, WEB_DIST

    deployments = [
        d["Properties"]
        for d in resources(synth.json("dev", "frontend"), "Custom::CDKBucketDeployment").values()
    ]
    if not (WEB_DIST / ASSETS_DIR).is_dir():
        # Fresh clone: no web build, config.json alone, and synth still works.
        assert len(deployments) == 1
        return
    assets = next(d for d in deployments if d.get("DestinationBucketKeyPrefix") == f"{ASSETS_DIR}/")
    assert "immutable" in json.dumps(assets["SystemMetadata"]) and "max-age=31536000" in json.dumps(
        assets["SystemMetadata"]
    )
    assert assets["Prune"] is False


def test_fresh_clone_without_a_web_build_still_synthesizes_config_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aws_cdk import App, Stack
    from aws_cdk import aws_apigateway as apigw
    from aws_cdk import aws_s3 as s3
    from aws_cdk.assertions import Template

    import stacks.constructs.site as site
    from stacks.config import EnvironmentConfig

    monkeypatch.setattr(site, "WEB_DIST", tmp_path / "no-web-build")
    stack = Stack(App(), "probe")
    api = apigw.RestApi(stack, "Api")
    api.root.add_method("GET")
    site.Site(
        stack,
        "Site",
        config=EnvironmentConfig.model_validate({"name": "probe"}),
        api=api,
        receipts_bucket=s3.Bucket(stack, "Receipts"),
        access_logs=s3.Bucket(stack, "Logs"),
        web_config={"region": "eu-west-1", "userPoolId": "p", "userPoolClientId": "c"},
    )
    deployments = Template.from_stack(stack).find_resources("Custom::CDKBucketDeployment")
    assert len(deployments) == 1
    (only,) = deployments.values()
    assert len(only["Properties"]["SourceObjectKeys"]) == 1  # config.json, nothing else
