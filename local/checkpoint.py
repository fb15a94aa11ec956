"""`KEEP_STATE=1` between clean stops: a snapshot every few seconds while the data changes, so a
`kill -9` or a power loss loses at most the writes of the last interval (plus the time one
snapshot takes). A clean stop (Ctrl-C, SIGTERM) drains requests and snapshots last, losing none.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("outlay.local.checkpoint")

DEFAULT_INTERVAL_S = 2.0


class Checkpointer(threading.Thread):
    """Calls `take()` (which returns the change count its snapshot holds) whenever `changes()` moved."""

    def __init__(self, interval: float, changes: Callable[[], int], take: Callable[[], int]) -> None:
        super().__init__(name="state-checkpoint", daemon=True)
        self.interval = interval
        self.changes = changes
        self.take = take
        self.saved = changes()  # what was just restored (or nothing) is already on disk
        self.snapshots = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            if self.changes() == self.saved:
                continue
            try:
                self.saved = self.take()
                self.snapshots += 1
            except Exception:
                log.exception("could not snapshot the local state; retrying in %.1f s", self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=60)
