"""The running app over a night the clocks go back, with its clock moved.

The app (served over HTTP, the Slack stand-in, the sandbox org) and its real scheduler
(APScheduler's BackgroundScheduler, jobs in the SQLAlchemy job store) share one injected
clock: the sandbox org's, which the app already reads, and which the scheduler is given
by replacing the ``datetime`` its module reads "now" from. The test moves that clock
through 2026-11-01 in New York (01:30 EDT is 05:30Z; at 06:00Z clocks go back to 01:00
EST, so 01:30 EST is 06:30Z) and wakes the scheduler at each step, as time passing would.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator

import apscheduler.schedulers.base
import pytest
from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
)
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import delete

import jobs.digests
from bot.digests import service as digests
from bot.infra.models import DigestRun
from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SlackStandIn
from bot.teams import parse_teams
from jobs.scheduler import JOB_TABLE, create_scheduler
from tests.support.blockcheck import all_text, assert_valid_message
from tests.support.digest_org import digest_org
from tests.support.harness import MARCUS, BotUnderTest, posts, start_bot

UTC = dt.UTC
NIGHT = "C0SMBEAST01"  # the team whose digests are at 01:30
DAY = "C0ENTNYC001"  # another team, at 8:00 Mon-Fri
TEAMS = """\
timezone: America/New_York
teams:
  - name: night
    channel: C0SMBEAST01
    schedule: "30 1 * * *"
    owners: [ana.rep@example.com, raj.rep@example.com]
    managers: [U0MGR00001]
  - name: day
    channel: C0ENTNYC001
    schedule: "0 8 * * mon-fri"
    owners: [ana.rep@example.com]
"""
FIRST_0130 = dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
SECOND_0130 = dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST, the same wall time
MONDAY_0130 = dt.datetime(2026, 11, 2, 6, 30, tzinfo=UTC)  # 01:30 EST
MONDAY_0800 = dt.datetime(2026, 11, 2, 13, 0, tzinfo=UTC)  # 08:00 EST


@pytest.fixture(scope="module")
def app(sandbox: SandboxOrg, slack: SlackStandIn) -> Iterator[BotUnderTest]:
    sandbox.reset()
    sandbox.load(digest_org())
    running = start_bot(sandbox, slack, teams=parse_teams(TEAMS))
    yield running
    running.stop()
    sandbox.reset()


@pytest.fixture
def bot(app: BotUnderTest) -> Iterator[BotUnderTest]:
    """The module's app with no digest posted and no job stored yet."""
    with app.services.db.session() as s:
        s.execute(delete(DigestRun))
    store = SQLAlchemyJobStore(engine=app.services.db.engine, tablename=JOB_TABLE)
    store.start(create_scheduler(app.services.db), "default")
    store.remove_all_jobs()
    yield app
    app.org.set_now(None)


class Night:
    """The real scheduler on the org's clock, and what it ran."""

    def __init__(self, bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch) -> None:
        clock = bot.org.clock

        class SchedulerClock(dt.datetime):
            @classmethod
            def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
                now = clock.now()
                return now.astimezone(tz) if tz is not None else now.replace(tzinfo=None)

        monkeypatch.setattr(apscheduler.schedulers.base, "datetime", SchedulerClock)
        self.bot = bot
        self.lock = threading.Lock()
        self.submitted: list[tuple[str, dt.datetime]] = []
        self.finished: list[JobEvent] = []
        self.scheduler: BackgroundScheduler = create_scheduler(
            bot.services.db, timezone=bot.services.tz
        )
        # Note each pass over the job store and the clock it started at, to know when the
        # scheduler has looked at the jobs since the clock moved.
        self.passes: list[dt.datetime] = []
        self.pass_done = threading.Condition(self.lock)
        process = self.scheduler._process_jobs

        def process_jobs() -> float | None:
            started = clock.now()
            try:
                return process()
            finally:
                with self.pass_done:
                    self.passes.append(started)
                    self.pass_done.notify_all()

        self.scheduler._process_jobs = process_jobs  # type: ignore[method-assign]
        self.scheduler.add_listener(self._event, EVENT_JOB_SUBMITTED)
        self.scheduler.add_listener(
            self._event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED
        )

    def _event(self, event: JobEvent) -> None:
        with self.lock:
            if event.code == EVENT_JOB_SUBMITTED:
                self.submitted += [(event.job_id, t) for t in event.scheduled_run_times]
            else:
                self.finished.append(event)

    def start(self) -> None:
        jobs.digests.schedule(self.scheduler, self.bot.services)
        self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)

    def next_runs(self) -> dict[str, dt.datetime | None]:
        return {
            j.id: j.next_run_time.astimezone(UTC) if j.next_run_time else None
            for j in self.scheduler.get_jobs()
            if j.id != jobs.digests.MAINTAIN_ID
        }

    def move_to(self, when: dt.datetime, *, timeout: float = 20.0) -> float:
        """Set the clock, wake the scheduler, wait for a pass over the jobs that started
        at ``when`` and for every run it started to finish. Returns the seconds it took."""
        started = time.perf_counter()
        self.bot.org.set_now(when)
        self.scheduler.wakeup()
        deadline = started + timeout
        with self.pass_done:
            while not any(p >= when for p in self.passes):
                assert self.pass_done.wait(deadline - time.perf_counter()), f"no pass at {when}"
        while True:
            with self.lock:
                done = len(self.finished) == len(self.submitted)
                errors = [e for e in self.finished if e.code == EVENT_JOB_ERROR]
            assert not errors, [getattr(e, "traceback", e) for e in errors]
            if done:
                due = [j for j, t in self.next_runs().items() if t is not None and t <= when]
                assert not due, f"at {when}: still due {due}"
                return time.perf_counter() - started
            assert time.perf_counter() < deadline, f"at {when}: runs still going"
            time.sleep(0.02)

    def runs_of(self, job_id: str) -> list[dt.datetime]:
        with self.lock:
            return [t.astimezone(UTC) for j, t in self.submitted if j == job_id]


@pytest.fixture
def night(bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Night]:
    bot.org.set_now(dt.datetime(2026, 10, 31, 12, 0, tzinfo=UTC))
    n = Night(bot, monkeypatch)
    yield n
    n.stop()


def posted(bot: BotUnderTest) -> list[tuple[str, str, str]]:
    """(team, kind, period) of each digest posted, sorted (jobs due together run in
    parallel, so their order is not fixed)."""
    with bot.services.db.session() as s:
        rows = s.query(DigestRun).all()
        return sorted((r.team, r.kind, r.period) for r in rows if r.status == "posted")


def cpu_while_idle(seconds: float) -> float:
    """CPU seconds this process uses over ``seconds`` of wall time, doing nothing."""
    before = time.process_time()
    time.sleep(seconds)
    return time.process_time() - before


def test_the_app_runs_each_digest_once_over_a_fall_back_night(
    bot: BotUnderTest, night: Night
) -> None:
    before = {c: len(posts(bot.slack, c)) for c in (NIGHT, DAY)}
    night.start()
    assert night.next_runs() == {
        "digest:daily:night": FIRST_0130,
        "digest:weekly:night": MONDAY_0130,
        "digest:monthly:night": FIRST_0130,
        "digest:daily:day": MONDAY_0800,
        "digest:weekly:day": dt.datetime(2026, 11, 2, 13, 0, tzinfo=UTC),
        "digest:monthly:day": dt.datetime(2026, 11, 1, 13, 0, tzinfo=UTC),
    }

    # Through the night in steps, both 01:30s included.
    steps = [
        FIRST_0130 - dt.timedelta(seconds=1),
        FIRST_0130,
        FIRST_0130 + dt.timedelta(minutes=20),
        dt.datetime(2026, 11, 1, 6, 0, tzinfo=UTC),  # 02:00 EDT -> 01:00 EST
        SECOND_0130 - dt.timedelta(seconds=1),
        SECOND_0130,
        SECOND_0130 + dt.timedelta(seconds=30),
        dt.datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
    ]
    took = [night.move_to(t) for t in steps]
    assert max(took) < 10, took
    # One run of the daily and one of the monthly, at the first 01:30; nothing at the second.
    assert night.runs_of("digest:daily:night") == [FIRST_0130]
    assert night.runs_of("digest:monthly:night") == [FIRST_0130]
    assert night.next_runs()["digest:daily:night"] == MONDAY_0130
    assert posted(bot) == [("night", "daily", "2026-11-01"), ("night", "monthly", "2026-10")]
    messages = posts(bot.slack, NIGHT)[before[NIGHT] :]
    assert len(messages) == 2
    for m in messages:
        assert_valid_message(m)
        assert "Late" not in all_text(m)
    assert any("daily digest · Sun Nov 1" in all_text(m) for m in messages)
    # Nothing spins after the second 01:30.
    assert cpu_while_idle(1.0) < 0.5

    # A job stored by an older version could still fire at the second 01:30: it is the
    # same run, already posted, and it answers at once.
    bot.org.set_now(SECOND_0130 + dt.timedelta(seconds=5))
    began = time.perf_counter()
    jobs.digests.run_scheduled("daily", "night", NIGHT, "30 1 * * *", "America/New_York")
    assert time.perf_counter() - began < 5
    assert len(posts(bot.slack, NIGHT)) == before[NIGHT] + 2

    # The 12:00 monthly of the other team, then Monday: 01:30 EST for the night team
    # (daily and weekly), 08:00 EST for the other team (its Monday daily covers Fri-Sun).
    for t in (
        dt.datetime(2026, 11, 1, 13, 0, tzinfo=UTC),
        MONDAY_0130,
        MONDAY_0130 + dt.timedelta(hours=1),
        MONDAY_0800,
    ):
        assert night.move_to(t) < 10
    assert night.runs_of("digest:daily:night") == [FIRST_0130, MONDAY_0130]
    assert night.runs_of("digest:weekly:night") == [MONDAY_0130]
    assert night.runs_of("digest:daily:day") == [MONDAY_0800]
    assert posted(bot) == sorted(
        [
            ("night", "daily", "2026-11-01"),
            ("night", "monthly", "2026-10"),
            ("day", "monthly", "2026-10"),
            ("night", "daily", "2026-11-02"),
            ("night", "weekly", "2026-10-25"),
            ("day", "daily", "2026-11-02"),
            ("day", "weekly", "2026-10-25"),
        ]
    )
    new_in_day = posts(bot.slack, DAY)[before[DAY] :]
    (day_daily,) = [m for m in new_in_day if "daily digest" in all_text(m)]
    assert "Mon Nov 2 (since Fri Oct 30)" in all_text(day_daily)
    assert night.next_runs()["digest:daily:night"] == dt.datetime(2026, 11, 3, 6, 30, tzinfo=UTC)
    assert cpu_while_idle(1.0) < 0.5

    # Tuesday: a preview of the night team's digest answers (it used to spin forever).
    bot.org.set_now(dt.datetime(2026, 11, 3, 15, 0, tzinfo=UTC))
    answer = bot.ask("/digest", "preview night", user=MARCUS, timeout=10)  # its manager
    assert "Tue Nov 3" in all_text(answer)


def test_only_the_second_0130_firing_posts_the_day_once(bot: BotUnderTest) -> None:
    """Down through the first 01:30, back by the second: that run posts Sunday's digest
    once, late; a third firing in the same night posts nothing more."""
    args = ("daily", "night", NIGHT, "30 1 * * *", "America/New_York")
    before = len(posts(bot.slack, NIGHT))
    bot.org.set_now(SECOND_0130 + dt.timedelta(seconds=2))
    jobs.digests.run_scheduled(*args)
    bot.org.set_now(SECOND_0130 + dt.timedelta(minutes=10))
    jobs.digests.run_scheduled(*args)
    (message,) = posts(bot.slack, NIGHT)[before:]
    text = all_text(message)
    assert "daily digest · Sun Nov 1" in text
    assert "Late: this digest was due at 1:30 AM EDT on Sun Nov 1" in text
    assert posted(bot) == [("night", "daily", "2026-11-01")]


def test_jobs_stored_with_the_old_cron_trigger_switch_keeping_their_next_run(
    bot: BotUnderTest,
) -> None:
    """A job store written by a version that used APScheduler's CronTrigger: on start
    each digest job moves to the UTC-stepping trigger, and a run it was owed stays."""
    services = bot.services
    owed = dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # the old trigger's second 01:30
    old = create_scheduler(services.db, timezone=services.tz)
    store = SQLAlchemyJobStore(engine=services.db.engine, tablename=JOB_TABLE)
    store.start(old, "default")
    for d in digests.deliveries(services):
        store.add_job(
            Job(
                old,
                id=d.job_id,
                func=jobs.digests.JOB_FUNC,
                trigger=CronTrigger.from_crontab(d.schedule, timezone=d.tz),
                executor="default",
                args=(),
                kwargs=jobs.digests.job_kwargs(d),
                name=d.job_id,
                misfire_grace_time=None,
                coalesce=True,
                max_instances=1,
                next_run_time=owed,
            )
        )

    again = create_scheduler(services.db, timezone=services.tz)
    jobs.digests.schedule(again, services)
    again.start(paused=True)
    try:
        digest_jobs = [j for j in again.get_jobs() if j.id != jobs.digests.MAINTAIN_ID]
        assert len(digest_jobs) == 6
        for job in digest_jobs:
            assert isinstance(job.trigger, jobs.digests.DigestTrigger), job.id
            assert job.next_run_time == owed
    finally:
        again.shutdown(wait=False)
    stored = {j.id: j for j in store.get_all_jobs()}
    assert isinstance(stored["digest:daily:night"].trigger, jobs.digests.DigestTrigger)
    assert stored["digest:daily:night"].trigger.get_next_fire_time(owed, owed) == dt.datetime(
        2026, 11, 2, 6, 30, tzinfo=UTC
    )
