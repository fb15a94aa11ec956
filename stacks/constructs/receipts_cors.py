"""CORS on the receipts bucket, set from the frontend stack (the only place that knows the site domain).

The browser uploads receipts with a presigned POST straight to S3, so the bucket must allow the site
origin. Declaring CORS on the bucket in the data stack would need the CloudFront domain there, i.e. a
cycle (frontend already depends on data); an SDK call from here applies it after both exist.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import custom_resources as cr
from constructs import Construct


class ReceiptsCors(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, bucket: s3.IBucket, allowed_origins: Sequence[str]
    ) -> None:
        super().__init__(scope, construct_id)
        rules = {
            "CORSRules": [
                {
                    "AllowedOrigins": list(allowed_origins),
                    "AllowedMethods": ["POST", "GET"],
                    "AllowedHeaders": ["*"],
                    "ExposeHeaders": ["ETag"],
                    "MaxAgeSeconds": 600,
                }
            ]
        }
        call = cr.AwsSdkCall(
            service="S3",
            action="putBucketCors",
            parameters={"Bucket": bucket.bucket_name, "CORSConfiguration": rules},
            physical_resource_id=cr.PhysicalResourceId.of(f"{bucket.bucket_name}-cors"),
        )
        self.resource = cr.AwsCustomResource(
            self,
            "PutBucketCors",
            on_create=call,
            on_update=call,
            on_delete=cr.AwsSdkCall(
                service="S3", action="deleteBucketCors", parameters={"Bucket": bucket.bucket_name}
            ),
            # Exactly this bucket; DeleteBucketCors is authorized by s3:PutBucketCORS too.
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [iam.PolicyStatement(actions=["s3:PutBucketCORS"], resources=[bucket.bucket_arn])]
            ),
            install_latest_aws_sdk=False,
            memory_size=256,
        )
