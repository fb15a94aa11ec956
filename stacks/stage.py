"""One environment of Outlay: six stacks wired by passing constructs, in dependency order."""

from __future__ import annotations

from typing import Any

from aws_cdk import Aspects, Environment, Stage, Tags
from constructs import Construct

from stacks.analytics_stack import AnalyticsStack
from stacks.api_stack import ApiStack
from stacks.auth_stack import AuthStack
from stacks.config import EnvironmentConfig
from stacks.constructs.cdk_providers import DeployTimeProviders
from stacks.data_stack import DataStack
from stacks.frontend_stack import FrontendStack
from stacks.scheduler_stack import SchedulerStack

STACK_IDS = ("auth", "data", "scheduler", "api", "frontend", "analytics")


def stage_id(config: EnvironmentConfig) -> str:
    return f"Outlay-{config.name}"


class OutlayStage(Stage):
    def __init__(self, scope: Construct, *, config: EnvironmentConfig, **kwargs: Any) -> None:
        # account/region stay None when unset: the stacks are env-agnostic and synth never calls AWS.
        env = Environment(account=config.resolved_account, region=config.resolved_region)
        super().__init__(scope, stage_id(config), env=env, **kwargs)
        self.config = config
        # Order matters only for readability; CDK derives deployment order from the references.
        self.auth = AuthStack(self, "auth", config=config)
        self.data = DataStack(self, "data", config=config)
        self.scheduler = SchedulerStack(self, "scheduler", config=config, data=self.data)
        self.api = ApiStack(
            self, "api", config=config, auth=self.auth, data=self.data, scheduler=self.scheduler
        )
        self.frontend = FrontendStack(
            self, "frontend", config=config, auth=self.auth, data=self.data, api=self.api
        )
        self.analytics = AnalyticsStack(
            self, "analytics", config=config, data=self.data, api=self.api, scheduler=self.scheduler
        )
        Aspects.of(self).add(DeployTimeProviders(config))
        Tags.of(self).add("app", "outlay")
        Tags.of(self).add("environment", config.name)
