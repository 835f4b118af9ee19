"""A fixed set of worker threads behind a bounded queue: backpressure instead of a backlog.

``concurrent.futures.ThreadPoolExecutor`` queues without limit, so under a slow
Salesforce a burst of commands waits minutes with no word to the user. A
:class:`WorkQueue` takes at most ``workers`` running plus ``max_waiting`` waiting jobs;
:meth:`WorkQueue.try_submit` returns ``None`` when it is full, so the caller can answer
"busy" at once. With ``max_wait`` it also refuses a job that would wait longer than that,
judging by how long recent jobs took, and as soon as the pace shows that a waiting job
will not start within ``max_wait`` of being queued, runs its ``on_stale`` callback
instead of its work ("busy" now rather than late); a job that still waited longer gets
the same when its turn comes.

:meth:`WorkQueue.drain` is the shutdown path (SIGTERM): no new jobs, the queued and
running ones get ``timeout`` seconds to finish, then every job still waiting or running
has its ``on_abandon`` callback run (e.g. "acctbot is restarting, try again"), so what
was acknowledged is answered either way.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

Callback = Callable[[], None]


@dataclass
class _Job:
    work: Callable[[], Any]
    future: Future[Any]
    queued_at: float
    what: str
    on_stale: Callback | None = None
    on_abandon: Callback | None = None


@dataclass
class QueueStats:
    """Counters since start: accepted, refused (full or draining), stale, abandoned."""

    accepted: int = 0
    refused: int = 0
    stale: int = 0
    abandoned: int = 0
    completed: int = 0
    max_wait_seen: float = 0.0
    average_run: float = 0.0  # seconds a job runs (moving average)


class WorkQueue:
    """``workers`` threads taking jobs from a queue of at most ``max_waiting``.

    Threads start lazily and are daemons (a stuck Salesforce call must not keep the
    process alive past its drain). Thread-safe.
    """

    def __init__(
        self,
        name: str,
        *,
        workers: int,
        max_waiting: int,
        max_wait: float | None = None,
    ) -> None:
        if workers < 1 or max_waiting < 0:
            raise ValueError("a work queue needs at least one worker and a non-negative queue")
        self.name = name
        self.workers = workers
        self.max_waiting = max_waiting
        self.max_wait = max_wait
        self.stats = QueueStats()
        self._waiting: deque[_Job] = deque()
        self._running: set[int] = set()
        self._running_jobs: dict[int, _Job] = {}
        self._threads: list[threading.Thread] = []
        self._cond = threading.Condition()
        self._closed = False
        self._seq = 0
        self._idle = 0  # threads waiting for a job
        self._started: dict[int, float] = {}  # running job -> when it started
        self._watching = False  # the thread that tells hopeless waiters "busy" early

    # -- submitting
    def try_submit(
        self,
        work: Callable[[], Any],
        *,
        what: str = "job",
        on_stale: Callback | None = None,
        on_abandon: Callback | None = None,
    ) -> Future[Any] | None:
        """Queue ``work``; its :class:`Future` (result or exception), or ``None`` when the
        queue is full or draining (nothing is queued then)."""
        with self._cond:
            busy = len(self._running) + len(self._waiting)
            if self._closed or busy >= self.workers + self.max_waiting or self._too_long():
                self.stats.refused += 1
                return None
            job = _Job(work, Future(), time.monotonic(), what, on_stale, on_abandon)
            self._waiting.append(job)
            self.stats.accepted += 1
            if self._idle < len(self._waiting) and len(self._threads) < self.workers:
                self._start_thread()
            if self.max_wait is not None and not self._watching:
                self._watching = True
                threading.Thread(target=self._watch, name=f"{self.name}-watch", daemon=True).start()
            self._cond.notify()
            return job.future

    def submit(self, work: Callable[[], Any], *, what: str = "job") -> Future[Any]:
        """Like :meth:`try_submit`, but a full queue gives a failed future
        (:class:`QueueFull`) instead of ``None``."""
        future = self.try_submit(work, what=what)
        if future is None:
            future = Future()
            future.set_exception(QueueFull(f"{self.name} is full"))
        return future

    def call(self, work: Callable[[], Any], *, timeout: float, what: str = "job") -> Any:
        """Run ``work`` here within ``timeout`` seconds, waiting for nothing else.

        Raises:
            QueueFull: no room right now (nothing was run).
            TimeoutError: not done in time (it may still finish in the background).
            Exception: whatever ``work`` raised.
        """
        future = self.try_submit(work, what=what)
        if future is None:
            raise QueueFull(f"{self.name} is full")
        return future.result(timeout=timeout)

    # -- state
    @property
    def pending(self) -> int:
        """Jobs waiting or running."""
        with self._cond:
            return len(self._waiting) + len(self._running)

    @property
    def closed(self) -> bool:
        return self._closed

    def _too_long(self) -> bool:
        """Would a new job wait past ``max_wait``, at the pace recent jobs ran?"""
        ahead = len(self._running) + len(self._waiting)
        if self.max_wait is None or ahead < self.workers:
            return False
        rounds = (ahead - self.workers) // self.workers + 1  # turns before a worker is free
        return rounds * self.stats.average_run > self.max_wait

    # -- workers
    def _start_thread(self) -> None:
        thread = threading.Thread(
            target=self._loop, name=f"{self.name}-{len(self._threads)}", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._idle += 1
                while not self._waiting and not self._closed:
                    self._cond.wait()
                self._idle -= 1
                if not self._waiting:  # closed and nothing left
                    return
                job = self._waiting.popleft()
                self._seq += 1
                token = self._seq
                self._running.add(token)
                self._running_jobs[token] = job
                self._started[token] = time.monotonic()
            try:
                self._run(job)
            finally:
                with self._cond:
                    self._running.discard(token)
                    self._running_jobs.pop(token, None)
                    self._started.pop(token, None)
                    self._cond.notify_all()

    def _run(self, job: _Job) -> None:
        waited = time.monotonic() - job.queued_at
        self.stats.max_wait_seen = max(self.stats.max_wait_seen, waited)
        if not job.future.set_running_or_notify_cancel():
            return
        if self.max_wait is not None and waited > self.max_wait and job.on_stale is not None:
            self.stats.stale += 1
            log.warning("%s: %s waited %.0f s; answering busy instead", self.name, job.what,
                        waited)  # fmt: skip
            _safely(job.on_stale, job.what)
            job.future.set_result(None)
            return
        started = time.monotonic()
        try:
            result = job.work()
        except BaseException as exc:
            job.future.set_exception(exc)
        else:
            job.future.set_result(result)
        finally:
            took = time.monotonic() - started
            with self._cond:
                self.stats.completed += 1
                avg = self.stats.average_run
                self.stats.average_run = took if avg == 0 else 0.8 * avg + 0.2 * took
                hopeless = self._hopeless(finishing=1)
            self._tell_busy(hopeless)

    def _watch(self) -> None:
        """Once a second, while jobs wait: tell those that cannot start in time "busy"."""
        while not self._closed:
            time.sleep(1.0)
            with self._cond:
                hopeless = self._hopeless(finishing=0)
            self._tell_busy(hopeless)

    def _tell_busy(self, hopeless: list[_Job]) -> None:
        for stale in hopeless:  # told "busy" now rather than when their turn comes
            self.stats.stale += 1
            _safely(stale.on_stale, stale.what)  # type: ignore[arg-type]
            stale.future.set_result(None)
        if hopeless:
            log.warning("%s: %d waiting jobs would wait past %.0f s; answered busy now",
                        self.name, len(hopeless), self.max_wait)  # fmt: skip

    def _pace(self, now: float) -> float:
        """Seconds a job takes: the recent average, or, while every worker is on a job
        that has run longer than that, at least as long as the shortest of those."""
        pace = self.stats.average_run
        if len(self._started) >= self.workers:
            pace = max(pace, min(now - t for t in self._started.values()))
        return pace

    def _hopeless(self, *, finishing: int) -> list[_Job]:
        """Under the lock: take out the waiting jobs (with an ``on_stale``) that would
        start later than ``max_wait`` after they were queued, at the pace jobs run
        (``finishing``: workers about to take a job now)."""
        now = time.monotonic()
        avg = self._pace(now)
        if self.max_wait is None or avg <= 0 or not self._waiting:
            return []
        free = self.workers - (len(self._running) - finishing)
        keep: deque[_Job] = deque()
        out: list[_Job] = []
        for job in self._waiting:
            ahead = len(keep) - free  # jobs before it once the free workers take theirs
            turns = 0 if ahead < 0 else ahead // self.workers + 1
            if job.on_stale is not None and now - job.queued_at + turns * avg > self.max_wait:
                out.append(job)
            else:
                keep.append(job)
        self._waiting = keep
        return out

    # -- shutdown
    def drain(self, timeout: float) -> tuple[int, int]:
        """Take no new jobs; give queued and running ones ``timeout`` seconds, then run
        ``on_abandon`` for each still waiting or running. Returns (finished, abandoned).
        """
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            self._closed = True
            before = len(self._waiting) + len(self._running)
            self._cond.notify_all()
            while self._waiting or self._running:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(timeout=min(left, 0.1))
            leftovers = list(self._waiting) + list(self._running_jobs.values())
            self._waiting.clear()
        for job in leftovers:
            job.future.cancel()
            if job.on_abandon is not None:
                self.stats.abandoned += 1
                _safely(job.on_abandon, job.what)
        return before - len(leftovers), len(leftovers)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking jobs (``ThreadPoolExecutor.shutdown``'s signature): with
        ``cancel_futures`` the waiting ones are dropped; with ``wait`` the rest finish."""
        with self._cond:
            self._closed = True
            if cancel_futures:
                for job in self._waiting:
                    job.future.cancel()
                self._waiting.clear()
            self._cond.notify_all()
        if wait:
            for thread in list(self._threads):
                thread.join()


class QueueFull(RuntimeError):
    """A :class:`WorkQueue` had no room (or is draining)."""


def _safely(callback: Callback, what: str) -> None:
    try:
        callback()
    except Exception:
        log.exception("answering %s failed", what)
