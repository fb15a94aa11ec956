"""The write gate: what lets `KEEP_STATE=1` snapshot a consistent world and stop without losing an
acknowledged write.

Every request that may change data passes through it (shared); a snapshot holds it exclusively, so
it is taken between requests, never in the middle of one. Closing it (on stop) turns new requests
away with a 503 (not acknowledged, so the client knows to retry) and waits for those in flight.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class GateClosed(Exception):
    """The runtime is stopping: the request was not run."""


class WriteGate:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0
        self._exclusive = False
        self._exclusive_waiting = 0
        self._closed = False
        self.generation = 0  # bumped by every request that went through: "has anything changed?"

    @contextmanager
    def request(self) -> Iterator[None]:
        with self._cond:
            # Waiting snapshots go first, so a steady stream of requests cannot starve them.
            while (self._exclusive or self._exclusive_waiting) and not self._closed:
                self._cond.wait()
            if self._closed:
                raise GateClosed
            self._active += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                self.generation += 1
                self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[int]:
        """No request runs inside; yields the generation the world is at."""
        with self._cond:
            self._exclusive_waiting += 1
            try:
                self._cond.wait_for(lambda: not self._exclusive and not self._active)
            finally:
                self._exclusive_waiting -= 1
            self._exclusive = True
            generation = self.generation
        try:
            yield generation
        finally:
            with self._cond:
                self._exclusive = False
                self._cond.notify_all()

    def close(self, timeout: float = 30.0) -> bool:
        """Turn new requests away and wait for those in flight; False if some are still running."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            return self._cond.wait_for(lambda: not self._active, timeout)

    @property
    def closed(self) -> bool:
        return self._closed
