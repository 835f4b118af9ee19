"""One thread that runs small callbacks later (e.g. "still looking" after 1.5 s).

``threading.Timer`` would start a thread per command; under a burst of commands this keeps
one sleeping thread for all of them. Due callbacks run on the timers' own small pool
(``workers`` threads), never on the pool that does the slow work: under a burst of slow
commands that pool is busy with exactly the work the "still looking" is about, and a
progress post queued behind it would come after the answer, or not at all. Callbacks
should be short (one HTTP post).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)


class Timer:
    """A scheduled callback; :meth:`cancel` stops it if it has not started."""

    def __init__(self, when: float, fn: Callable[[], None]) -> None:
        self.when = when  # time.monotonic() seconds
        self.fn = fn
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Timers:
    """Runs callbacks at their time: one daemon thread waits (started on first use) and
    hands each due callback to a pool of ``workers`` threads of its own."""

    def __init__(self, name: str = "acctbot-timers", *, workers: int = 8) -> None:
        self._name = name
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def call_later(self, delay: float, fn: Callable[[], None]) -> Timer:
        """Run ``fn()`` in ``delay`` seconds (at once if ``delay`` <= 0); returns its Timer."""
        timer = Timer(time.monotonic() + max(0.0, delay), fn)
        with self._cond:
            heapq.heappush(self._heap, (timer.when, next(self._seq), timer))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify()
        return timer

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(wait)
                _, _, timer = heapq.heappop(self._heap)
            if timer.cancelled:
                continue
            try:
                self._pool.submit(self._call, timer)
            except RuntimeError:  # the pool was shut down (the process is stopping)
                return

    @staticmethod
    def _call(timer: Timer) -> None:
        if timer.cancelled:
            return
        try:
            timer.fn()
        except Exception:
            log.exception("a timer callback failed")
