"""`LocalRuntime`: moto + provisioned resources + gateway + event pollers, in one process.

    with LocalRuntime(port=0, seed=False) as rt:
        requests.get(rt.url + "config.json")

The handlers run in this process and read their settings from `os.environ`, so only one runtime can
be active per process at a time; its environment is restored on `stop()`.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from outlay.event_sources import DISPATCHER, STATEMENT_QUEUE
from outlay.routes import EVENT_FUNCTIONS

from local import fx_table, users
from local import provision as prov
from local import seed as seed_mod
from local import state as state_mod
from local.auth import CognitoVerifier
from local.aws import LocalAws
from local.checkpoint import DEFAULT_INTERVAL_S, Checkpointer
from local.environment import HandlerEnvironment
from local.gate import WriteGate
from local.gateway import Gateway, make_server
from local.lambdas import invoke
from local.pollers import DailySchedule, QueuePoller, StreamPoller, run_recurring, sqs_sender

log = logging.getLogger("outlay.local")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WEB_DIST = REPO_ROOT / "web" / "dist"
DEFAULT_STATE_DIR = REPO_ROOT / ".local-state"
DEMO_EMAIL = "demo@outlay.local"


class PortInUseError(RuntimeError):
    def __init__(self, port: int) -> None:
        super().__init__(
            f"port {port} is already in use: stop whatever is using it, or pick another port, "
            f"e.g. `PORT={port + 1} make dev`"
        )
        self.port = port


_active_lock = threading.Lock()
_active: LocalRuntime | None = None


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
        snapshot_every: float = DEFAULT_INTERVAL_S,
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
        self.snapshot_every = snapshot_every
        self.gate = WriteGate()
        self._checkpointer: Checkpointer | None = None
        self._kept_objects: state_mod.ObjectCache = {}
        self.region = region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        self.access_log = access_log
        self.host = host
        self.demo_email = DEMO_EMAIL
        self.demo_password = ""
        self.seed_report: dict[str, Any] = {}
        self.aws = LocalAws(self.region)
        self._env = HandlerEnvironment()
        self._server: Any = None
        self._server_thread: threading.Thread | None = None
        self._stream: StreamPoller | None = None
        self._queue: QueuePoller | None = None
        self._daily: DailySchedule | None = None
        self._statements: QueuePoller | None = None  # statement import chunks
        self.port = 0

    # --- public surface --------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}/"

    @property
    def api_url(self) -> str:
        return f"http://localhost:{self.port}/api"

    @property
    def moto_url(self) -> str:
        return self.aws.url

    @property
    def resources(self) -> prov.Resources | None:
        return self.aws.resources

    @property
    def origins(self) -> list[str]:
        return [
            f"http://localhost:{self.port}",
            f"http://127.0.0.1:{self.port}",
            "http://localhost:5173",  # the dashboard's dev server
        ]

    @property
    def user_pool_id(self) -> str:
        return self.aws.res.user_pool_id

    @property
    def client_id(self) -> str:
        return self.aws.res.client_id

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
        return self.aws.client(service)

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
        # Bind the gateway first: a taken port is the most common failure, report it before work.
        gateway = Gateway(
            verifier=None,  # type: ignore[arg-type]
            moto_url="",
            web_dist=self.web_dist,
            origins=[],
            config={},
            controls={
                "import-now": self._control_import_now,
                "recurring-run": lambda _: self.run_recurring_now(),
                "health": lambda _: {"ok": True},
            },
            access_log=self.access_log,
            gate=self.gate,
        )
        try:
            self._server = make_server(gateway, self.host, self.requested_port)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(self.requested_port) from exc
            raise
        self.port = self._server.server_address[1]

        self.aws.start()
        resources = self.aws.provision(self.origins)
        snapshot = state_mod.load(self.state_dir) if self.keep_state else None
        if snapshot is not None:
            resources = state_mod.restore(self.aws, snapshot)
            self.demo_password = snapshot.get("demoPassword", "")
        self._env.apply(self.region, self.moto_url, resources.handler_environment(self.origins))
        # What the daily ECB function stores in the cloud, from the shipped table (no internet here).
        fx_table.load_shipped(self.aws.client("dynamodb"), resources.rates_table)

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
        self._start_pollers(resources)
        if self.keep_state:
            self._checkpointer = Checkpointer(self.snapshot_every, self._changes, self.checkpoint)
            self._checkpointer.start()

        if self.seed:
            # moto forgets its Cost Explorer answers on every start, kept state or not.
            self.aws.queue_cost_results(seed_mod.demo_cost_results(datetime.now(UTC).date()))
        if snapshot is None and self.seed:
            self.demo_password = users.strong_password()
            # At once: the printed login works immediately.
            self.seed_report["sub"] = seed_mod.create_demo_user(self.aws, self.demo_email, self.demo_password)
            self._seed_thread = threading.Thread(target=self._seed_data, name="demo-seed", daemon=True)
            self._seed_thread.start()
            if not self.seed_in_background:
                self.wait_for_seed()

    def _start_pollers(self, res: prov.Resources) -> None:
        self._stream = StreamPoller(
            self.client("dynamodbstreams"),
            res.stream_arn,
            self.region,
            trim=self.aws.trim_stream,
            on_failure=sqs_sender(self.client("sqs"), res.lake_failures_url),
        )
        queue_arn = self.client("sqs").get_queue_attributes(
            QueueUrl=res.queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        self._queue = QueuePoller(self.client("sqs"), res.queue_url, queue_arn, self.region)
        self._daily = DailySchedule()
        statement_arn = self.client("sqs").get_queue_attributes(
            QueueUrl=res.statement_queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        self._statements = QueuePoller(
            self.client("sqs"),
            res.statement_queue_url,
            statement_arn,
            self.region,
            function="statement_import_worker",
            spec=STATEMENT_QUEUE,
        )
        self._stream.start()
        self._queue.start()
        self._daily.start()
        self._statements.start()

    def _seed_data(self) -> None:
        try:
            report = seed_mod.seed_demo_data(
                self.aws,
                self.seed_report["sub"],
                self.demo_email,
                origin=self.origins[0],
                count=self.demo_expense_count,
                cancel=self._seed_cancel,
                gate=self.gate,
            )
            self.seed_report.update(report)
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

    # --- kept state ----------------------------------------------------------------------------------
    def _changes(self) -> int:
        """Grows with every request that may have written and every poller batch."""
        pollers = (self._stream, self._queue, self._daily, self._statements)
        return self.gate.generation + sum(p.batches for p in pollers if p is not None)

    @contextmanager
    def _quiet(self) -> Iterator[int]:
        """No request and no import-worker batch runs inside (the writers of user data); yields the
        change count the world is at. The lake writer is not waited for: the lake is derived from
        the table's stream, and a restore streams every item again, which rebuilds it."""
        with ExitStack() as stack:
            stack.enter_context(self.gate.exclusive())
            for writer in (self._queue, self._daily, self._statements):
                if writer is not None:
                    stack.enter_context(writer.paused())
            yield self._changes()

    def checkpoint(self) -> int:
        """Snapshot the kept state now, between requests; returns the change count it holds."""
        with self._quiet() as changes:
            snapshot = state_mod.capture(self.aws, self.demo_password, self._kept_objects)
        state_mod.write(snapshot, self.state_dir)
        return changes

    def stop(self) -> None:
        """Stop accepting, drain in-flight requests, stop the pollers, then take the last snapshot."""
        global _active
        try:
            self._seed_cancel.set()
            if self._seed_thread is not None:
                self._seed_thread.join(timeout=30)
            if self._server is not None:
                if self._server_thread is not None:
                    self._server.shutdown()
                    self._server_thread.join(timeout=10)
                self._server.server_close()
            if not self.gate.close(timeout=60):
                log.warning("requests still running after 60 s; stopping without them")
            for poller in (self._stream, self._queue, self._daily, self._statements):
                if poller is not None:
                    poller.stop()
            for poller in (self._stream, self._queue, self._daily, self._statements):
                if poller is not None and poller.is_alive():
                    poller.join(timeout=30)
            if self._checkpointer is not None:
                self._checkpointer.stop()
            if self.keep_state and self.resources is not None and self.aws.running:
                try:
                    snapshot = state_mod.capture(self.aws, self.demo_password, self._kept_objects)
                    state_mod.write(snapshot, self.state_dir)
                except Exception:
                    log.exception("could not save the local state to %s", self.state_dir)
            self.aws.stop()
        finally:
            self._env.restore()
            self._server = self._server_thread = None
            self._stream = self._queue = self._daily = self._statements = None
            self._checkpointer = None
            with _active_lock:
                if _active is self:
                    _active = None

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

    def run_recurring_now(self) -> dict[str, Any]:
        """What the daily EventBridge rule does (and `DailySchedule` once a day): the recurring runner."""
        result = run_recurring()
        return result if isinstance(result, dict) else {"result": str(result)}

    def wait_for_lake(self, timeout: float = 30.0) -> bool:
        """Until the lake writer has seen every stream record written so far."""
        return self._stream.wait_idle(timeout) if self._stream else False

    def wait_for_queue(self, timeout: float = 60.0) -> bool:
        return self._queue.wait_idle(timeout) if self._queue else False

    def wait_for_statements(self, timeout: float = 120.0) -> bool:
        """Until every queued statement chunk has been written."""
        return self._statements.wait_idle(timeout) if self._statements else False

    # --- users (see local.users) -----------------------------------------------------------------
    def sign_up(self, email: str, password: str, *, confirm: bool = True) -> str:
        return users.sign_up(self.aws, email, password, confirm=confirm)

    def sign_in(self, email: str, password: str) -> dict[str, str]:
        return users.sign_in(self.aws, email, password)

    def id_token(self, email: str, password: str) -> str:
        return self.sign_in(email, password)["IdToken"]

    def create_user(self, email: str, password: str, *, admin: bool = False) -> str:
        return users.create_user(self.aws, email, password, admin=admin)

    def minted_claims(self, sub: str, email: str, groups: tuple[str, ...] = ()) -> dict[str, str]:
        return users.minted_claims(self.aws, sub, email, groups)

    def queue_cost_results(self, results: list[dict[str, Any]], account_id: str = "123456789012") -> None:
        """Queue GetCostAndUsage answers in moto (consumed one per distinct request)."""
        self.aws.queue_cost_results(results, account_id)


__all__ = ["DEMO_EMAIL", "LocalRuntime", "PortInUseError"]
