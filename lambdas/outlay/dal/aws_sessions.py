"""Clients for a user's AWS account: validated keys or an assumed role. Error codes -> domain errors.

One boto3 Session is shared (service models load once per container); per-user clients get explicit
credentials. Clients honour AWS_ENDPOINT_URL, so `make dev` points them at moto's server.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from outlay.logic import aws_errors
from outlay.logic.errors import CredentialsRejectedError, OutlayError
from outlay.logic.role_setup import account_of_role, session_name

CE_REGION = "us-east-1"  # Cost Explorer's one endpoint
DEFAULT_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 8}, connect_timeout=5, read_timeout=20)


@dataclass(frozen=True)
class TemporaryCredentials:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    def __repr__(self) -> str:  # never print key material
        return "TemporaryCredentials(***)"

    def as_client_kwargs(self) -> dict[str, Any]:
        kwargs = {"aws_access_key_id": self.access_key_id, "aws_secret_access_key": self.secret_access_key}
        if self.session_token:
            kwargs["aws_session_token"] = self.session_token
        return kwargs


@contextmanager
def translated(operation: str) -> Iterator[None]:
    """Re-raise AWS failures as domain errors with our own text; the AWS message is dropped because
    it can echo the access key id. `from None` keeps the original (and its message) out of tracebacks."""
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", "Unknown"))
        raise aws_errors.error_for(code, operation) from None
    except ParamValidationError:
        raise CredentialsRejectedError(
            f"AWS rejected the request parameters for {operation}; check the values entered"
        ) from None
    except BotoCoreError:
        raise aws_errors.connection_error(operation) from None


ClientFactory = Callable[..., Any]


class AwsSessions:
    """Builds STS / Cost Explorer clients. `client_factory(service, **kwargs)` is injectable for tests
    (Stubber) and the benchmark (call counting); the default is a shared boto3 Session's `client`."""

    def __init__(
        self,
        client_factory: ClientFactory | None = None,
        config: Config | None = None,
        own_region: str | None = None,
    ) -> None:
        self._session: boto3.session.Session | None = None
        self._factory = client_factory
        self.config = config or DEFAULT_CONFIG
        self._own_region = own_region
        self._own_sts: Any = None

    @property
    def session(self) -> boto3.session.Session:
        if self._session is None:
            self._session = boto3.session.Session()
        return self._session

    def client(self, service: str, **kwargs: Any) -> Any:
        # A copy per client: botocore rewrites a Config's `retries` dict in place when it builds one.
        kwargs.setdefault("config", copy.deepcopy(self.config))
        if self._factory is not None:
            return self._factory(service, **kwargs)
        return self.session.client(service, **kwargs)  # type: ignore[call-overload]

    def own_sts(self) -> Any:
        """STS with the function's own role: used for AssumeRole into users' accounts."""
        if self._own_sts is None:
            region = self._own_region or self.session.region_name or CE_REGION
            self._own_sts = self.client("sts", region_name=region)
        return self._own_sts

    def caller_account(self, creds: TemporaryCredentials, region: str = CE_REGION) -> str:
        """GetCallerIdentity with `creds`: proves they work, and names the account they belong to."""
        sts = self.client("sts", region_name=region, **creds.as_client_kwargs())
        with translated("GetCallerIdentity"):
            return str(sts.get_caller_identity()["Account"])

    def own_account(self) -> str:
        with translated("GetCallerIdentity"):
            return str(self.own_sts().get_caller_identity()["Account"])

    def assume_role(self, role_arn: str, external_id: str, sub: str) -> TemporaryCredentials:
        with translated("AssumeRole"):
            response = self.own_sts().assume_role(
                RoleArn=role_arn,
                RoleSessionName=session_name(sub),
                ExternalId=external_id,
                DurationSeconds=900,
            )
        creds = response["Credentials"]
        return TemporaryCredentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])

    def role_account(self, role_arn: str, external_id: str, sub: str) -> tuple[str, TemporaryCredentials]:
        """AssumeRole(ExternalId) then GetCallerIdentity with the assumed credentials."""
        creds = self.assume_role(role_arn, external_id, sub)
        account = self.caller_account(creds)
        if account != account_of_role(role_arn):
            raise CredentialsRejectedError(
                "The assumed role belongs to a different account than its ARN says"
            )
        return account, creds

    def cost_explorer(self, creds: TemporaryCredentials) -> Any:
        """One attempt per call: `CostExplorer` retries throttling itself, through the shared rate
        limiter (botocore's own retries would bypass it)."""
        config = self.config.merge(Config(retries={"mode": "standard", "total_max_attempts": 1}))
        return self.client("ce", region_name=CE_REGION, config=config, **creds.as_client_kwargs())

    def organizations(self, creds: TemporaryCredentials) -> Any:
        return self.client("organizations", region_name=CE_REGION, **creds.as_client_kwargs())

    def management_account_of(self, creds: TemporaryCredentials) -> str | None:
        """The management account of the organization `creds` belong to; None when the account is
        in none, or the role may not call organizations:DescribeOrganization (optional statement)."""
        try:
            with translated("DescribeOrganization"):
                response = self.organizations(creds).describe_organization()
        except OutlayError:
            return None
        return str(response.get("Organization", {}).get("MasterAccountId") or "") or None
