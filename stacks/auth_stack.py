"""auth: who the users are. Cognito user pool (email sign-in, TOTP MFA), SPA client, `admins` group."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from stacks.config import EnvironmentConfig
from stacks.constructs.buckets import removal_policy
from stacks.constructs.nag import acknowledge

_MFA = {"off": cognito.Mfa.OFF, "optional": cognito.Mfa.OPTIONAL, "required": cognito.Mfa.REQUIRED}
ADMINS_GROUP = "admins"  # outlay.handlers.http: Caller.is_admin checks this group name


class AuthStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs: Any):
        super().__init__(scope, construct_id, **kwargs)
        # Threat protection (the Plus plan) costs per active user: production gets it, others do not.
        plus = config.is_production
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            sign_in_aliases=cognito.SignInAliases(email=True),
            self_sign_up_enabled=True,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=8,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
            ),
            mfa=_MFA[config.mfa],
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False) if config.mfa != "off" else None,
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.PLUS if plus else cognito.FeaturePlan.ESSENTIALS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION
            if plus
            else None,
            deletion_protection=config.deletion_protection,
            removal_policy=removal_policy(config),
        )
        pool_resource = self.user_pool.node.default_child
        if not plus:
            acknowledge(
                pool_resource,  # type: ignore[arg-type]
                "AwsSolutions-COG8",
                "Non-production pool: the Plus plan (threat protection) is billed per active user; "
                "production enables it.",
            )
        if config.mfa != "required":
            acknowledge(
                pool_resource,  # type: ignore[arg-type]
                "AwsSolutions-COG2",
                f"MFA is '{config.mfa}' in {config.name} by configuration so testers can sign up "
                "quickly; TOTP stays available and production requires it.",
            )
        # Public SPA client: a browser cannot keep a secret. SRP for the web, USER_PASSWORD for tests/CLI.
        self.client = self.user_pool.add_client(
            "WebClient",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
            prevent_user_existence_errors=True,
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
            enable_token_revocation=True,
        )
        self.admins_group = cognito.CfnUserPoolGroup(
            self,
            "AdminsGroup",
            user_pool_id=self.user_pool.user_pool_id,
            group_name=ADMINS_GROUP,
            description="May run the cost import for every user",
        )
