"""Work a server process repeats in the background: the change log's prune, the archive
schedule, the retention."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

log = logging.getLogger("openucs.periodic")


class PeriodicJob:
    """Runs `run_once` from a daemon thread every `every` until `close`: at once and then
    every turn, or after a first wait with `wait_first`. A failure is logged and the job
    runs again at its next turn: a database outage must not end the thread. `stopping` is
    set by `close`, for a long run to stop between its steps."""

    thread_name = "openucs-periodic"
    failure = "a background job failed; retrying at its next turn"

    def __init__(self, every: timedelta, *, wait_first: bool = False) -> None:
        self._every = every
        self._wait_first = wait_first
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return True

    def run_once(self) -> object:
        raise NotImplementedError

    def start(self) -> None:
        if self.enabled and self._thread is None:
            self.stopping.clear()
            self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
            self._thread.start()

    def close(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self.stopping.set()
            thread.join()

    def _loop(self) -> None:
        if self._wait_first and self.stopping.wait(self._every.total_seconds()):
            return
        while not self.stopping.is_set():
            try:
                self.run_once()
            except Exception:  # the thread must survive a database outage; it retries
                log.exception(self.failure)
            self.stopping.wait(self._every.total_seconds())
