"""`LocalRuntime`: moto + provisioned resources + gateway + event pollers, in one process.

    with LocalRuntime(port=0, seed=False) as rt:
        requests.get(rt.url + "config.json")

The handlers run in this process and read their settings from `os.environ`, so only one runtime can
be active per process at a time; its environment is restored on `stop()`. moto keeps one port per
process so boto3 clients that handlers cached from an earlier runtime keep working.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import socket
import string
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import requests
from outlay.event_sources import DISPATCHER
from outlay.handlers.wiring import reset_all
from outlay.routes import EVENT_FUNCTIONS

from local import provision as prov
from local import state as state_mod
from local.auth import CognitoVerifier
from local.gateway import Gateway, make_server
from local.lambdas import invoke
from local.pollers import QueuePoller, StreamPoller, sqs_sender

log = logging.getLogger("outlay.local")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WEB_DIST = REPO_ROOT / "web" / "dist"
DEFAULT_STATE_DIR = REPO_ROOT / ".local-state"
DEMO_EMAIL = "demo@outlay.local"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


class PortInUseError(RuntimeError):
    def __init__(self, port: int) -> None:
        super().__init__(
            f"port {port} is already in use: stop whatever is using it, or pick another port, "
            f"e.g. `PORT={port + 1} make dev`"
        )
        self.port = port


_active_lock = threading.Lock()
_active: LocalRuntime | None = None
_moto_port = 0  # chosen on first start, reused for the life of the process


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def strong_password() -> str:
    """Meets the pool policy (8+, upper, lower, digit, symbol) with room to spare."""
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(14))
    return f"Od{core}7!"


def _forget_handler_state() -> None:
    """Handlers cache settings, clients and resolvers per cold start; a new runtime is a cold start."""
    reset_all()


class LocalRuntime:
    def __init__(
        self,
        port: int = 0,
        *,
        web_dist: Path | str | None = DEFAULT_WEB_DIST,
        seed: bool = True,
        seed_in_background: bool = False,
        demo_expenses: int = 200,
        keep_state: bool = False,
        state_dir: Path | str = DEFAULT_STATE_DIR,
        region: str | None = None,
        access_log: bool = False,
        host: str = "127.0.0.1",
    ) -> None:
        self.requested_port = port
        self.web_dist = Path(web_dist) if web_dist else None
        self.seed = seed
        self.seed_in_background = seed_in_background
        self.demo_expense_count = demo_expenses
        self._seed_thread: threading.Thread | None = None
        self._seeded = threading.Event()
        self._seed_cancel = threading.Event()
        self.keep_state = keep_state
        self.state_dir = Path(state_dir)
        self.region = region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        self.access_log = access_log
        self.host = host
        self.demo_email = DEMO_EMAIL
        self.demo_password = ""
        self.seed_report: dict[str, Any] = {}
        self._saved_env: dict[str, str | None] = {}
        self._moto: Any = None
        self._server: Any = None
        self._server_thread: threading.Thread | None = None
        self._stream: StreamPoller | None = None
        self._queue: QueuePoller | None = None
        self.resources: prov.Resources | None = None
        self.port = 0
        self.moto_url = ""

    # --- public surface --------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}/"

    @property
    def api_url(self) -> str:
        return f"http://localhost:{self.port}/api"

    @property
    def origins(self) -> list[str]:
        return [
            f"http://localhost:{self.port}",
            f"http://127.0.0.1:{self.port}",
            "http://localhost:5173",  # the dashboard's dev server
        ]

    @property
    def user_pool_id(self) -> str:
        return self._res.user_pool_id

    @property
    def client_id(self) -> str:
        return self._res.client_id

    @property
    def _res(self) -> prov.Resources:
        if self.resources is None:
            raise RuntimeError("LocalRuntime is not started")
        return self.resources

    def config_json(self) -> dict[str, str]:
        return {
            "region": self.region,
            "apiUrl": self.api_url,
            "userPoolId": self.user_pool_id,
            "userPoolClientId": self.client_id,
            "cognitoEndpoint": f"http://localhost:{self.port}/cognito/",
        }

    def client(self, service: str) -> Any:
        """A boto3 client pointed at this runtime's moto (fake credentials)."""
        return boto3.client(  # type: ignore[call-overload]
            service,
            region_name=self.region,
            endpoint_url=self.moto_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106
        )

    def __enter__(self) -> LocalRuntime:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> LocalRuntime:
        global _active
        with _active_lock:
            if _active is not None:
                raise RuntimeError("another LocalRuntime is already running in this process")
            _active = self
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        global _moto_port
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        # Bind the gateway first: a taken port is the most common failure, report it before work.
        gateway = Gateway(
            verifier=None,  # type: ignore[arg-type]
            moto_url="",
            web_dist=self.web_dist,
            origins=[],
            config={},
            controls={"import-now": self._control_import_now, "health": lambda _: {"ok": True}},
            access_log=self.access_log,
        )
        try:
            self._server = make_server(gateway, self.host, self.requested_port)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(self.requested_port) from exc
            raise
        self.port = self._server.server_address[1]

        from moto.server import ThreadedMotoServer

        from local import moto_extras

        moto_extras.install()

        if _moto_port and not _port_free(_moto_port):
            _moto_port = 0  # taken since the last runtime: moto would hang in start(); take a new one
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=_moto_port, verbose=False)
        self._moto.start()
        _moto_port = self._moto.get_host_and_port()[1]
        self.moto_url = f"http://127.0.0.1:{_moto_port}"
        # moto's backends are process-global: start every runtime from an empty world.
        requests.post(f"{self.moto_url}/moto-api/reset", timeout=10).raise_for_status()

        session = boto3.Session(
            region_name=self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106
        )
        resources = prov.provision(session, self.moto_url, self.origins)
        self.resources = resources
        self._set_env(resources.handler_environment(self.origins))

        snapshot = state_mod.load(self.state_dir) if self.keep_state else None
        if snapshot is not None:
            self.resources = state_mod.restore(self, snapshot)
            self._set_env(self.resources.handler_environment(self.origins))
            self.demo_password = snapshot.get("demoPassword", "")

        gateway.verifier = CognitoVerifier(
            f"{self.moto_url}/{self.user_pool_id}/.well-known/jwks.json",
            self.region,
            self.user_pool_id,
            self.client_id,
        )
        gateway.moto_url = self.moto_url
        gateway.origins = self.origins
        gateway.config = self.config_json()
        self._server_thread = threading.Thread(
            target=self._server.serve_forever, name="local-gateway", kwargs={"poll_interval": 0.2}
        )
        self._server_thread.start()

        res = self._res
        self._stream = StreamPoller(
            self.client("dynamodbstreams"),
            res.stream_arn,
            self.region,
            trim=self._trim_moto_stream,
            on_failure=sqs_sender(self.client("sqs"), res.lake_failures_url),
        )
        queue_arn = self.client("sqs").get_queue_attributes(
            QueueUrl=res.queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        self._queue = QueuePoller(self.client("sqs"), res.queue_url, queue_arn, self.region)
        self._stream.start()
        self._queue.start()

        if self.seed:
            from local import seed

            # moto forgets its Cost Explorer answers on every start, kept state or not.
            self.queue_cost_results(seed.demo_cost_results(datetime.now(UTC).date()))
        if snapshot is None and self.seed:
            from local import seed

            self.demo_password = strong_password()
            seed.create_demo_user(self)  # at once: the printed login works immediately
            self._seed_thread = threading.Thread(target=self._seed_data, name="demo-seed", daemon=True)
            self._seed_thread.start()
            if not self.seed_in_background:
                self.wait_for_seed()

    def _seed_data(self) -> None:
        from local import seed

        try:
            self.seed_report.update(seed.seed_demo_data(self, self._seed_cancel))
        except Exception:
            log.exception("seeding demo data failed")
            self.seed_report["error"] = "seeding failed; see the log above"
        finally:
            self._seeded.set()

    @property
    def seed_done(self) -> bool:
        return self._seeded.is_set()

    def wait_for_seed(self, timeout: float = 600.0) -> dict[str, Any]:
        """Block until the demo data is in (seed_in_background=True starts it in a thread)."""
        if self._seed_thread is not None:
            self._seeded.wait(timeout)
        return self.seed_report

    def _trim_moto_stream(self, last_sequence_number: str) -> None:
        """Forget stream records the lake writer has consumed (DynamoDB trims after 24 h).

        moto keeps every stream record forever and deep-copies the table, stream included, on each
        TransactWriteItems; without trimming, writes get slower with every write.
        """
        try:
            from moto.dynamodb.models import dynamodb_backends

            table = dynamodb_backends[state_mod.ACCOUNT][self.region].tables[self._res.expenses_table]
            shard = table.stream_shard
            if shard is None:
                return
            count = int(last_sequence_number) + 1 - shard.starting_sequence_number
            if 0 < count <= len(shard.items):
                del shard.items[:count]
                shard.starting_sequence_number += count
        except (ImportError, KeyError, AttributeError, ValueError):  # pragma: no cover - moto internals
            log.debug("could not trim moto's stream", exc_info=True)

    def stop(self) -> None:
        global _active
        try:
            self._seed_cancel.set()
            if self._seed_thread is not None:
                self._seed_thread.join(timeout=30)
            for poller in (self._stream, self._queue):
                if poller is not None:
                    poller.stop()
            for poller in (self._stream, self._queue):
                if poller is not None and poller.is_alive():
                    poller.join(timeout=30)
            if self._server is not None:
                if self._server_thread is not None:
                    self._server.shutdown()
                    self._server_thread.join(timeout=10)
                self._server.server_close()
            if self.keep_state and self.resources is not None and self._moto is not None:
                try:
                    state_mod.save(self, self.state_dir)
                except Exception:
                    log.exception("could not save the local state to %s", self.state_dir)
            if self._moto is not None:
                self._moto.stop()
        finally:
            self._restore_env()
            self._server = self._server_thread = self._moto = None
            self._stream = self._queue = None
            with _active_lock:
                if _active is self:
                    _active = None

    def _set_env(self, handler_env: dict[str, str]) -> None:
        values = {
            **FAKE_CREDENTIALS,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_ENDPOINT_URL": self.moto_url,
            "POWERTOOLS_TRACE_DISABLED": "1",
            "POWERTOOLS_METRICS_NAMESPACE": "Outlay",
            "POWERTOOLS_SERVICE_NAME": "outlay-local",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            **handler_env,
        }
        for name, value in values.items():
            if name not in self._saved_env:
                self._saved_env[name] = os.environ.get(name)
            os.environ[name] = value
        from outlay.models.settings import load

        load.cache_clear()
        _forget_handler_state()

    def _restore_env(self) -> None:
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env = {}
        from outlay.models.settings import load

        load.cache_clear()
        _forget_handler_state()  # clients cached against this moto must not outlive it

    # --- scheduler + event sources ---------------------------------------------------------------
    def run_import_now(self, wait: bool = True, timeout: float = 120.0) -> dict[str, Any]:
        """What EventBridge's monthly schedule does: the dispatcher fans out, the worker imports."""
        result = invoke(
            EVENT_FUNCTIONS["cost_import_dispatcher"],
            "outlay-local-cost-import-dispatcher",
            {"kind": "monthly"},
            timeout_s=DISPATCHER.timeout_s,
        )
        report: dict[str, Any] = {"dispatcher": result if isinstance(result, dict | list) else str(result)}
        if wait and self._queue is not None:
            processed, failed = self._queue.processed, self._queue.failed
            report["drained"] = self._queue.wait_idle(timeout)
            report["processed"] = self._queue.processed - processed
            report["failed"] = self._queue.failed - failed
        return report

    def _control_import_now(self, _: dict[str, Any]) -> dict[str, Any]:
        return self.run_import_now()

    def wait_for_lake(self, timeout: float = 30.0) -> bool:
        """Until the lake writer has seen every stream record written so far."""
        return self._stream.wait_idle(timeout) if self._stream else False

    def wait_for_queue(self, timeout: float = 60.0) -> bool:
        return self._queue.wait_idle(timeout) if self._queue else False

    # --- users -----------------------------------------------------------------------------------
    def sign_up(self, email: str, password: str, *, confirm: bool = True) -> str:
        """Self sign-up through the app client (as the dashboard does); returns the user's sub."""
        idp = self.client("cognito-idp")
        sub: str = idp.sign_up(
            ClientId=self.client_id,
            Username=email,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}],
        )["UserSub"]
        if confirm:
            # moto accepts any confirmation code, like a user who clicked the e-mailed link.
            idp.confirm_sign_up(ClientId=self.client_id, Username=email, ConfirmationCode="123456")
        return sub

    def sign_in(self, email: str, password: str) -> dict[str, str]:
        """USER_PASSWORD_AUTH; returns {IdToken, AccessToken, RefreshToken, ...}."""
        result: dict[str, str] = self.client("cognito-idp").initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )["AuthenticationResult"]
        return result

    def id_token(self, email: str, password: str) -> str:
        return self.sign_in(email, password)["IdToken"]

    def create_user(self, email: str, password: str, *, admin: bool = False) -> str:
        """An administrator-created, confirmed user with a permanent password; returns the sub."""
        idp = self.client("cognito-idp")
        user = idp.admin_create_user(
            UserPoolId=self.user_pool_id,
            Username=email,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
            ],
            MessageAction="SUPPRESS",
        )["User"]
        idp.admin_set_user_password(
            UserPoolId=self.user_pool_id, Username=email, Password=password, Permanent=True
        )
        if admin:
            idp.admin_add_user_to_group(
                UserPoolId=self.user_pool_id, Username=email, GroupName=prov.ADMINS_GROUP
            )
        return next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")

    def minted_claims(self, sub: str, email: str, groups: tuple[str, ...] = ()) -> dict[str, str]:
        """Claims for invoking a handler directly (seeding), shaped like the authorizer's."""
        claims = {
            "sub": sub,
            "email": email,
            "email_verified": "true",
            "token_use": "id",
            "aud": self.client_id,
            "iss": f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}",
        }
        if groups:
            claims["cognito:groups"] = ",".join(groups)
        return claims

    def queue_cost_results(self, results: list[dict[str, Any]], account_id: str = "123456789012") -> None:
        """Queue GetCostAndUsage answers in moto (consumed one per distinct request)."""
        response = requests.post(
            f"{self.moto_url}/moto-api/static/ce/cost-and-usage-results",
            json={"results": results, "account_id": account_id},
            timeout=10,
        )
        response.raise_for_status()


__all__ = ["DEMO_EMAIL", "LocalRuntime", "PortInUseError"]
