"""The bounded work queue behind every answer: refuses when full instead of queueing
without end, answers stale jobs "busy", and on drain answers what it could not finish."""

from __future__ import annotations

import threading
import time

import pytest

from bot.workqueue import QueueFull, WorkQueue


def test_it_takes_workers_plus_waiting_then_refuses() -> None:
    q = WorkQueue("t", workers=2, max_waiting=3)
    gate = threading.Event()
    futures = [q.try_submit(gate.wait) for _ in range(7)]
    assert [f is not None for f in futures] == [True] * 5 + [False] * 2
    assert q.pending == 5 and q.stats.refused == 2
    gate.set()
    assert all(f.result(timeout=5) for f in futures if f is not None)
    assert q.try_submit(lambda: 1) is not None  # room again
    q.shutdown()


def test_a_job_that_waited_too_long_answers_busy_instead() -> None:
    q = WorkQueue("t", workers=1, max_waiting=5, max_wait=0.2)
    gate = threading.Event()
    ran, stale = [], []
    q.try_submit(gate.wait)
    q.try_submit(lambda: ran.append(1), on_stale=lambda: stale.append(1))
    time.sleep(0.4)
    gate.set()
    deadline = time.monotonic() + 5
    while not stale and time.monotonic() < deadline:
        time.sleep(0.01)
    assert stale == [1] and ran == []
    q.shutdown()


def test_drain_finishes_what_it_can_then_answers_the_rest() -> None:
    q = WorkQueue("t", workers=1, max_waiting=10)
    done, abandoned = [], []
    for i in range(5):
        q.try_submit(
            lambda i=i: (time.sleep(0.15), done.append(i)),
            on_abandon=lambda i=i: abandoned.append(i),
        )
    started = time.monotonic()
    finished, left = q.drain(0.4)
    assert time.monotonic() - started < 1.0
    assert q.try_submit(lambda: 1) is None  # no new work while draining
    assert finished == len(done) >= 2 and left == len(abandoned) >= 2
    assert finished + left == 5


def test_call_is_time_boxed_and_refuses_when_full() -> None:
    q = WorkQueue("t", workers=1, max_waiting=0)
    gate = threading.Event()
    with pytest.raises(TimeoutError):
        q.call(gate.wait, timeout=0.1)
    with pytest.raises(QueueFull):
        q.call(lambda: 1, timeout=1)
    gate.set()
    time.sleep(0.05)
    assert q.call(lambda: 42, timeout=1) == 42
    q.shutdown()


def test_it_refuses_at_once_what_would_wait_too_long_at_the_current_pace() -> None:
    q = WorkQueue("t", workers=1, max_waiting=10, max_wait=0.3)
    q.try_submit(lambda: time.sleep(0.2)).result(timeout=5)  # jobs take ~0.2 s now
    gate = threading.Event()
    assert q.try_submit(gate.wait) is not None  # running
    assert q.try_submit(lambda: 1) is not None  # would start in ~0.2 s: fine
    assert q.try_submit(lambda: 1) is None  # would start in ~0.4 s: "busy" now
    gate.set()
    q.shutdown()


def test_jobs_that_would_wait_too_long_are_told_busy_as_soon_as_the_pace_shows_it() -> None:
    q = WorkQueue("t", workers=1, max_waiting=10, max_wait=0.5)
    stale: list[int] = []
    ran: list[int] = []
    q.try_submit(lambda: time.sleep(0.3))  # running; nothing is known about the pace yet
    for i in range(4):
        q.try_submit(
            lambda i=i: (time.sleep(0.3), ran.append(i)), on_stale=lambda i=i: stale.append(i)
        )
    time.sleep(0.35)  # the first job is done: jobs take 0.3 s, so at most one more fits
    assert stale == [1, 2, 3] and q.pending <= 1  # told at once, not after their wait
    time.sleep(0.4)
    assert ran == [0]
    q.shutdown()
