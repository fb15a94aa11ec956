"""Query of GET /aws-costs/overview (the AWS costs page)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class OverviewQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    connection: str = Field("all", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    refresh: Literal["true", "false"] = "false"
