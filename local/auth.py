"""Verify a Cognito ID token the way API Gateway's Cognito user-pool authorizer does.

RS256 signature against the pool's JWKS, the pool's issuer, `token_use == "id"`, the app client as
audience, and expiry. What passes becomes `requestContext.authorizer.claims`, stringified the way
API Gateway's REST API hands claims to a Lambda proxy integration.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jwt

# API Gateway (REST) renders the numeric date claims as Java-style date strings.
_DATE_CLAIMS = ("exp", "iat", "auth_time")


class Unauthorized(Exception):
    """The token is missing, malformed, forged, expired or meant for someone else."""


def issuer_for(region: str, user_pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


class CognitoVerifier:
    def __init__(self, jwks_url: str, region: str, user_pool_id: str, client_id: str) -> None:
        self.issuer = issuer_for(region, user_pool_id)
        self.client_id = client_id
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600, timeout=5)

    def verify(self, authorization: str | None) -> dict[str, Any]:
        """Claims of a valid ID token in the `Authorization` header (raw token or `Bearer <token>`)."""
        if not authorization:
            raise Unauthorized("missing token")
        token = authorization.strip()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.client_id,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
            )
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthorized(type(exc).__name__) from exc
        if claims.get("token_use") != "id":
            raise Unauthorized("not an ID token")
        return claims


def api_gateway_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as API Gateway passes them: every value a string, lists as `a,b`, dates as text."""
    out: dict[str, str] = {}
    for name, value in claims.items():
        if name in _DATE_CLAIMS and isinstance(value, int | float):
            out[name] = datetime.fromtimestamp(value, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
        elif isinstance(value, list | tuple):
            out[name] = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        else:
            out[name] = str(value)
    return out
