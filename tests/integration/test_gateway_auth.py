"""The local gateway's authorizer: only a valid Cognito ID token for this pool and client gets in."""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import time
from importlib import resources
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from outlay.routes import HTTP_FUNCTIONS

from local.pytest_plugin import SignedInUser
from local.runtime import LocalRuntime

UNAUTHORIZED = {"message": "Unauthorized"}


def _moto_private_key() -> jwt.PyJWK:
    raw = resources.files("moto.cognitoidp").joinpath("resources/jwks-private.json.gz").read_bytes()
    return jwt.PyJWK(json.loads(gzip.decompress(raw)))


def _b64url(raw: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def _get(rt: LocalRuntime, path: str, token: str | None = None) -> requests.Response:
    headers = {"Authorization": token} if token is not None else {}
    return requests.get(f"{rt.api_url}{path}", headers=headers, timeout=30)


def test_config_json_describes_the_local_world(local_runtime: LocalRuntime) -> None:
    response = requests.get(local_runtime.url + "config.json", timeout=10)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.json() == {
        "region": local_runtime.region,
        "apiUrl": local_runtime.api_url,
        "userPoolId": local_runtime.user_pool_id,
        "userPoolClientId": local_runtime.client_id,
        "cognitoEndpoint": local_runtime.url + "cognito/",
    }


def test_config_json_follows_the_origin_the_page_was_opened_on(local_runtime: LocalRuntime) -> None:
    config = requests.get(f"http://127.0.0.1:{local_runtime.port}/config.json", timeout=10).json()
    assert config["apiUrl"] == f"http://127.0.0.1:{local_runtime.port}/api"
    assert config["cognitoEndpoint"] == f"http://127.0.0.1:{local_runtime.port}/cognito/"


def test_missing_token_is_401(local_runtime: LocalRuntime) -> None:
    response = _get(local_runtime, "/expenses")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_garbage_token_is_401(local_runtime: LocalRuntime) -> None:
    assert _get(local_runtime, "/expenses", "not-a-jwt").status_code == 401


def test_unsigned_and_symmetric_tokens_are_401(local_runtime: LocalRuntime, alice: SignedInUser) -> None:
    claims = _claims(alice.id_token)
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": "dummy"})
    public_pem = (
        _moto_private_key()
        .key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    # The classic RS256 -> HS256 confusion: "signed" with the public key as an HMAC secret.
    signing_input = b".".join(
        _b64url(json.dumps(part).encode()) for part in ({"alg": "HS256", "kid": "dummy"}, claims)
    )
    signature = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    confused = (signing_input + b"." + _b64url(signature)).decode()
    for token in (unsigned, confused):
        assert _get(local_runtime, "/expenses", token).status_code == 401


def test_token_signed_with_another_key_is_401(local_runtime: LocalRuntime, alice: SignedInUser) -> None:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(_claims(alice.id_token), other_key, algorithm="RS256", headers={"kid": "dummy"})
    response = _get(local_runtime, "/expenses", forged)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_expired_token_is_401(local_runtime: LocalRuntime, alice: SignedInUser) -> None:
    claims = _claims(alice.id_token)
    claims["iat"] = claims["auth_time"] = int(time.time()) - 7200
    claims["exp"] = int(time.time()) - 3600
    key = _moto_private_key()
    expired = jwt.encode(claims, key.key, algorithm="RS256", headers={"kid": "dummy"})
    # The same claims re-signed with moto's key but a fresh expiry are accepted: only `exp` differs.
    claims["exp"] = int(time.time()) + 600
    fresh = jwt.encode(claims, key.key, algorithm="RS256", headers={"kid": "dummy"})
    assert _get(local_runtime, "/expenses", expired).status_code == 401
    assert _get(local_runtime, "/expenses", fresh).status_code == 200


def test_token_for_another_app_client_is_401(local_runtime: LocalRuntime, alice: SignedInUser) -> None:
    idp = local_runtime.client("cognito-idp")
    other_client = idp.create_user_pool_client(
        UserPoolId=local_runtime.user_pool_id,
        ClientName="someone-elses-app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    token = idp.initiate_auth(
        ClientId=other_client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": alice.email, "PASSWORD": alice.password},
    )["AuthenticationResult"]["IdToken"]
    assert _claims(token)["aud"] == other_client
    assert _get(local_runtime, "/expenses", token).status_code == 401


def test_token_from_another_pool_is_401(local_runtime: LocalRuntime) -> None:
    idp = local_runtime.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="another-pool", UsernameAttributes=["email"])["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="x", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username="eve@example.com", MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=pool, Username="eve@example.com", Password="Eve-pass-1!", Permanent=True
    )
    token = idp.initiate_auth(
        ClientId=client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "eve@example.com", "PASSWORD": "Eve-pass-1!"},
    )["AuthenticationResult"]["IdToken"]
    assert _get(local_runtime, "/expenses", token).status_code == 401


def test_access_token_instead_of_id_token_is_401(local_runtime: LocalRuntime, alice: SignedInUser) -> None:
    access = local_runtime.sign_in(alice.email, alice.password)["AccessToken"]
    assert _claims(access)["token_use"] == "access"
    assert _get(local_runtime, "/expenses", access).status_code == 401


def test_valid_id_token_reaches_the_handler(local_runtime: LocalRuntime, alice: SignedInUser) -> None:
    for token in (alice.id_token, f"Bearer {alice.id_token}"):
        response = _get(local_runtime, "/profile", token)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json() == {"defaultCurrency": "USD"}


def test_unknown_route_answers_like_api_gateway(local_runtime: LocalRuntime, alice: SignedInUser) -> None:
    response = _get(local_runtime, "/no-such-thing", alice.id_token)
    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}


def test_cors_preflight_allows_the_local_origin_only(local_runtime: LocalRuntime) -> None:
    origin = local_runtime.url.rstrip("/")
    ok = requests.options(
        f"{local_runtime.api_url}/expenses/abc",
        headers={"Origin": origin, "Access-Control-Request-Method": "PATCH"},
        timeout=10,
    )
    assert ok.status_code == 204
    assert ok.headers["Access-Control-Allow-Origin"] == origin
    assert "PATCH" in ok.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in ok.headers["Access-Control-Allow-Headers"]
    evil = requests.options(
        f"{local_runtime.api_url}/expenses",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    assert "Access-Control-Allow-Origin" not in evil.headers


def test_browser_sign_in_through_the_cognito_proxy(local_runtime: LocalRuntime) -> None:
    """What the dashboard does: unsigned Cognito JSON calls to config.cognitoEndpoint on the page origin."""
    endpoint = requests.get(local_runtime.url + "config.json", timeout=10).json()["cognitoEndpoint"]

    def call(operation: str, body: dict[str, Any]) -> requests.Response:
        return requests.post(
            endpoint,
            data=json.dumps(body),
            headers={
                "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
                "Content-Type": "application/x-amz-json-1.1",
            },
            timeout=10,
        )

    response = call(
        "InitiateAuth",
        {
            "ClientId": local_runtime.client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": local_runtime.demo_email, "PASSWORD": local_runtime.demo_password},
        },
    )
    assert response.status_code == 200, response.text
    id_token = response.json()["AuthenticationResult"]["IdToken"]
    assert _claims(id_token)["email"] == local_runtime.demo_email
    assert _get(local_runtime, "/profile", id_token).status_code == 200

    wrong = call(
        "InitiateAuth",
        {
            "ClientId": local_runtime.client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": local_runtime.demo_email, "PASSWORD": "Wrong-password-1!"},
        },
    )
    assert wrong.status_code == 400
    assert "NotAuthorizedException" in wrong.text


@pytest.mark.parametrize("weak", ["short1!A", "alllowercase1!", "NoDigits!!", "NoSymbols123"])
def test_pool_refuses_weak_passwords(local_runtime: LocalRuntime, weak: str) -> None:
    idp = local_runtime.client("cognito-idp")
    with pytest.raises(idp.exceptions.InvalidPasswordException):
        idp.sign_up(
            ClientId=local_runtime.client_id,
            Username=f"weak-{abs(hash(weak))}@example.com",
            Password=weak[:7] if weak == "short1!A" else weak,
        )


def test_a_refused_request_with_a_body_leaves_the_connection_usable(local_runtime: LocalRuntime) -> None:
    """Keep-alive: a 401 for a POST must not leave its body to be read as the next request."""
    session = requests.Session()
    body = json.dumps({"amount": "1.00", "currency": "USD", "category": "Food", "note": "x" * 5000})
    for _ in range(3):
        refused = session.post(f"{local_runtime.api_url}/expenses", data=body, timeout=10)
        assert refused.status_code == 401
        assert refused.json() == UNAUTHORIZED
        config = session.get(local_runtime.url + "config.json", timeout=10)
        assert config.status_code == 200
        assert config.json()["userPoolId"] == local_runtime.user_pool_id


def test_a_handler_that_does_not_exist_yet_answers_501(
    local_runtime: LocalRuntime, alice: SignedInUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(HTTP_FUNCTIONS, "costs", "outlay.handlers.not_written_yet.handler")
    response = _get(local_runtime, "/aws-credentials", alice.id_token)
    assert response.status_code == 501
    body = response.json()
    assert body["error"] == "not_implemented"
    assert "outlay.handlers.not_written_yet.handler" in body["message"]
    assert body["details"] == []
    # The other function is unaffected.
    assert _get(local_runtime, "/profile", alice.id_token).status_code == 200
