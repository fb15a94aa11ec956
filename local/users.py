"""Cognito users in the local pool: sign-up, sign-in, admin-created users, and authorizer claims."""

from __future__ import annotations

import secrets
import string

from local.aws import LocalAws
from local.provision import ADMINS_GROUP


def strong_password() -> str:
    """Meets the pool policy (8+, upper, lower, digit, symbol) with room to spare."""
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(14))
    return f"Od{core}7!"


def sign_up(aws: LocalAws, email: str, password: str, *, confirm: bool = True) -> str:
    """Self sign-up through the app client (as the dashboard does); returns the user's sub."""
    idp = aws.client("cognito-idp")
    client_id = aws.res.client_id
    sub: str = idp.sign_up(
        ClientId=client_id,
        Username=email,
        Password=password,
        UserAttributes=[{"Name": "email", "Value": email}],
    )["UserSub"]
    if confirm:
        # moto accepts any confirmation code, like a user who clicked the e-mailed link.
        idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode="123456")
    return sub


def sign_in(aws: LocalAws, email: str, password: str) -> dict[str, str]:
    """USER_PASSWORD_AUTH; returns {IdToken, AccessToken, RefreshToken, ...}."""
    result: dict[str, str] = aws.client("cognito-idp").initiate_auth(
        ClientId=aws.res.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )["AuthenticationResult"]
    return result


def create_user(aws: LocalAws, email: str, password: str, *, admin: bool = False) -> str:
    """An administrator-created, confirmed user with a permanent password; returns the sub."""
    idp = aws.client("cognito-idp")
    pool_id = aws.res.user_pool_id
    user = idp.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )["User"]
    idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)
    if admin:
        add_to_group(aws, email, ADMINS_GROUP)
    return next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")


def add_to_group(aws: LocalAws, email: str, group: str) -> None:
    aws.client("cognito-idp").admin_add_user_to_group(
        UserPoolId=aws.res.user_pool_id, Username=email, GroupName=group
    )


def minted_claims(aws: LocalAws, sub: str, email: str, groups: tuple[str, ...] = ()) -> dict[str, str]:
    """Claims for invoking a handler directly (seeding), shaped like the authorizer's."""
    claims = {
        "sub": sub,
        "email": email,
        "email_verified": "true",
        "token_use": "id",
        "aud": aws.res.client_id,
        "iss": f"https://cognito-idp.{aws.region}.amazonaws.com/{aws.res.user_pool_id}",
    }
    if groups:
        claims["cognito:groups"] = ",".join(groups)
    return claims
