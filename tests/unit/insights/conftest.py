"""Insights tests reuse the costs fixtures (moto tables/KMS, a connected user, the fixed clock)."""

from __future__ import annotations

from tests.unit.costs.conftest import connected, costs_env, make_service, moto_aws, service

__all__ = ["connected", "costs_env", "make_service", "moto_aws", "service"]
