"""Query of GET /aws-costs/overview (the AWS costs page)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class OverviewQuery(BaseModel):
    """`connection`: one connection's id, or `all` (every connection added up). Figures are cached
    per connection for 6 hours; `refresh=true` asks Cost Explorer again now, at most once per 10
    minutes per user (each refresh costs about 3 requests x $0.01 on the user's AWS bill)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    connection: str = Field("all", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    refresh: Literal["true", "false"] = "false"
