"""Digest schedules: cron in each team's time zone across DST, the periods they cover,
the jobs in the job store, a restart after a missed run, and a bad teams file."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import delete

import jobs.digests
from bot.digests import service as digests
from bot.digests.periods import (
    describe_schedule,
    last_fire,
    parse_time,
    period_for,
    schedule_for,
)
from bot.infra.models import DigestRun, DigestSubscription
from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SlackStandIn
from bot.teams import parse_teams
from jobs.scheduler import JOB_TABLE, create_scheduler
from tests.support.blockcheck import all_text, assert_valid_message
from tests.support.digest_org import digest_org
from tests.support.harness import BotUnderTest, posts, start_bot
from tests.support.orgdata import NOW, TEAMS_YAML

NY = ZoneInfo("America/New_York")
UTC = dt.UTC


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# --- triggers across time zones and DST -----------------------------------------------


def fires(schedule: str, tz: str, after: dt.datetime, n: int) -> list[dt.datetime]:
    """The job trigger's next ``n`` fire times from ``after``, as the scheduler asks."""
    trigger, out, prev = jobs.digests.DigestTrigger(schedule, tz), [], None
    now = after
    for _ in range(n):
        fire = trigger.get_next_fire_time(prev, now)
        assert fire is not None
        out.append(fire.astimezone(UTC))
        prev, now = fire, fire + dt.timedelta(seconds=1)
    return out


def test_new_york_8am_stays_8am_across_the_november_dst_change() -> None:
    # DST ends Sun Nov 1 2026: 8:00 EDT is 12:00 UTC, 8:00 EST is 13:00 UTC.
    got = fires("0 8 * * mon-fri", "America/New_York", utc(2026, 10, 29, 0), 3)
    assert got == [utc(2026, 10, 29, 12), utc(2026, 10, 30, 12), utc(2026, 11, 2, 13)]


def test_march_dst_change_and_other_zones() -> None:
    # DST starts Sun Mar 8 2026 in New York: Fri 13:00 UTC, then Mon 12:00 UTC.
    got = fires("0 8 * * mon-fri", "America/New_York", utc(2026, 3, 6, 0), 2)
    assert got == [utc(2026, 3, 6, 13), utc(2026, 3, 9, 12)]
    # London leaves BST on Oct 25 2026; Tokyo has no DST; Sydney starts DST on Oct 4.
    assert fires("30 9 * * *", "Europe/London", utc(2026, 10, 24, 0), 2) == [
        utc(2026, 10, 24, 8, 30),
        utc(2026, 10, 25, 9, 30),
    ]
    assert fires("0 8 * * *", "Asia/Tokyo", utc(2026, 10, 24, 0), 1) == [utc(2026, 10, 24, 23)]
    assert fires("0 8 * * *", "Australia/Sydney", utc(2026, 10, 2, 0), 3) == [
        utc(2026, 10, 2, 22),  # Sat Oct 3 8:00 AEST (+10)
        utc(2026, 10, 3, 21),  # Sun Oct 4 8:00 AEDT (+11), DST began at 2:00
        utc(2026, 10, 4, 21),
    ]


def test_weekly_and_monthly_follow_the_daily_time() -> None:
    team = parse_teams(TEAMS_YAML.replace('"0 8 * * mon-fri"', '"30 7 * * mon-fri"')).teams[0]
    assert schedule_for(team, "daily") == "30 7 * * mon-fri"
    assert schedule_for(team, "weekly") == "30 7 * * mon"
    assert schedule_for(team, "monthly") == "30 7 1 * *"
    assert describe_schedule("30 7 * * mon-fri") == "7:30 on Mon–Fri"
    assert [parse_time(t) for t in ("9:30", "17h", "9am", "5:30pm", "25:00")] == [
        (9, 30),
        (17, 0),
        (9, 0),
        (17, 30),
        None,
    ]


def test_periods() -> None:
    daily = period_for(
        "daily", dt.date(2026, 11, 18), schedule="0 8 * * mon-fri", timezone="America/New_York"
    )
    assert (daily.key, daily.start, daily.end, daily.covered) == (
        "2026-11-18",
        dt.date(2026, 11, 17),
        dt.date(2026, 11, 18),
        "yesterday",
    )
    # Monday after the DST change: Fri 00:00 EDT (04:00 UTC) to Mon 00:00 EST (05:00 UTC).
    monday = period_for(
        "daily", dt.date(2026, 11, 2), schedule="0 8 * * mon-fri", timezone="America/New_York"
    )
    assert monday.start == dt.date(2026, 10, 30)
    assert monday.utc(monday.start) == utc(2026, 10, 30, 4)
    assert monday.utc(monday.end) == utc(2026, 11, 2, 5)
    weekly = period_for(
        "weekly", dt.date(2026, 11, 16), schedule="0 8 * * mon", timezone="America/New_York"
    )
    assert (weekly.key, weekly.start, weekly.end, weekly.prev_start) == (
        "2026-11-08",
        dt.date(2026, 11, 8),
        dt.date(2026, 11, 15),
        dt.date(2026, 11, 1),
    )
    monthly = period_for(
        "monthly", dt.date(2026, 1, 1), schedule="0 8 1 * *", timezone="America/New_York"
    )
    assert (monthly.key, monthly.start, monthly.end) == (
        "2025-12",
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
    )


def test_last_fire_finds_the_run_a_late_job_belongs_to() -> None:
    now = utc(2026, 11, 18, 15)  # Wed 10:00 New York
    within = dt.timedelta(hours=6)
    fire = last_fire("0 8 * * mon-fri", "America/New_York", now, within=within)
    assert fire is not None
    assert fire.at == dt.datetime(2026, 11, 18, 8, tzinfo=NY) and fire.at.tzinfo == UTC
    assert fire.day == dt.date(2026, 11, 18)
    assert last_fire("0 8 * * sat", "America/New_York", now, within=within) is None


# --- the app: jobs in the store, a missed run ------------------------------------------


@pytest.fixture
def bot(sandbox: SandboxOrg, slack: SlackStandIn) -> Iterator[BotUnderTest]:
    sandbox.reset()
    sandbox.load(digest_org())
    running = start_bot(sandbox, slack)
    yield running
    running.stop()
    sandbox.reset()


def stored_jobs(bot: BotUnderTest) -> dict[str, dt.datetime | None]:
    scheduler = create_scheduler(bot.services.db)
    store = SQLAlchemyJobStore(engine=bot.services.db.engine, tablename=JOB_TABLE)
    store.start(scheduler, "default")
    return {j.id: j.next_run_time for j in store.get_all_jobs()}


def test_jobs_have_explicit_ids_and_follow_subscriptions(bot: BotUnderTest) -> None:
    scheduler = create_scheduler(bot.services.db, timezone=bot.services.tz)
    jobs.digests.schedule(scheduler, bot.services)
    scheduler.start(paused=True)
    try:
        ids = {j.id for j in scheduler.get_jobs()}
        assert ids == {
            "digest:daily:smb-east",
            "digest:weekly:smb-east",
            "digest:monthly:smb-east",
            "digest:maintain",
        }
        daily = scheduler.get_job("digest:daily:smb-east")
        assert str(daily.trigger.timezone) == "America/New_York"
        assert daily.kwargs["schedule"] == "0 8 * * mon-fri"
        assert daily.func_ref == "jobs.digests:run_scheduled"
        # A subscription from Slack adds a job; switching the weekly off removes one.
        team = bot.services.teams.get("smb-east")
        digests.subscribe(bot.services, team, "daily", "C0GENERAL01", at=(9, 30), user="U0ANA00001")
        digests.unsubscribe(
            bot.services, "C0SMBEAST01", team=None, kind="weekly", user="U0ANA00001"
        )
        bot.services.schedule_changed()
        ids = {j.id for j in scheduler.get_jobs()}
        assert "digest:daily:smb-east:C0GENERAL01" in ids and "digest:weekly:smb-east" not in ids
        assert scheduler.get_job("digest:daily:smb-east:C0GENERAL01").kwargs["schedule"] == (
            "30 9 * * mon-fri"
        )
    finally:
        scheduler.shutdown(wait=False)
    # A restart re-registers the same jobs, once each.
    again = create_scheduler(bot.services.db, timezone=bot.services.tz)
    jobs.digests.schedule(again, bot.services)
    again.start(paused=True)
    try:
        assert len(again.get_jobs()) == 4
    finally:
        again.shutdown(wait=False)
    with bot.services.db.session() as s:
        s.execute(delete(DigestSubscription))


def test_restart_after_a_missed_run_posts_once_late(bot: BotUnderTest) -> None:
    """The scheduler was down at 8:00: the job store still holds the 8:00 run. A new
    scheduler starting at 10:00 posts it once, saying it is late; another restart
    posts nothing more."""
    services = bot.services
    first = create_scheduler(services.db, timezone=services.tz)
    jobs.digests.schedule(first, services)
    first.start(paused=True)
    first.shutdown(wait=False)
    # Time passes with nothing running: the stored run is now overdue (2 hours ago,
    # within the misfire grace time). The bot's clock says Wed 10:00 New York.
    scheduler = create_scheduler(services.db)
    store = SQLAlchemyJobStore(engine=services.db.engine, tablename=JOB_TABLE)
    store.start(scheduler, "default")
    job = store.lookup_job("digest:daily:smb-east")
    job._modify(next_run_time=dt.datetime.now(UTC) - dt.timedelta(hours=2))
    store.update_job(job)
    bot.org.set_now(NOW)
    before = len(posts(bot.slack, "C0SMBEAST01"))

    second = create_scheduler(services.db, timezone=services.tz)
    jobs.digests.schedule(second, services)  # must not reset the overdue run
    second.start()
    try:
        bot.slack.wait_until(lambda: len(posts(bot.slack, "C0SMBEAST01")) > before, timeout=20)
        time.sleep(0.5)
    finally:
        second.shutdown(wait=True)
    new = posts(bot.slack, "C0SMBEAST01")[before:]
    assert len(new) == 1
    assert_valid_message(new[0])
    text = all_text(new[0])
    assert "daily digest · Wed Nov 18" in text
    assert "Late: this digest was due at 8:00 AM EST on Wed Nov 18" in text
    assert "posted at 10:00 AM EST." in text
    assert stored_jobs(bot)["digest:daily:smb-east"] > dt.datetime.now(UTC)

    third = create_scheduler(services.db, timezone=services.tz)
    jobs.digests.schedule(third, services)
    third.start()
    time.sleep(1.0)
    third.shutdown(wait=True)
    assert len(posts(bot.slack, "C0SMBEAST01")) == before + 1
    with services.db.session() as s:
        run = s.query(DigestRun).one()
        assert (run.status, run.period) == ("posted", "2026-11-18")


def test_a_run_missed_for_days_posts_once_late_covering_the_gap(bot: BotUnderTest) -> None:
    """Down from Monday's digest until Thursday 10:00, far past any grace time: the
    overdue job still runs once, and its digest covers every day since Monday's."""
    services = bot.services
    ny = ZoneInfo("America/New_York")
    bot.org.set_now(dt.datetime(2026, 11, 16, 9, 0, tzinfo=ny))  # Mon 9:00
    assert digests.send_now(services, services.teams.get("smb-east")).status == "posted"
    first = create_scheduler(services.db, timezone=services.tz)
    jobs.digests.schedule(first, services)
    first.start(paused=True)
    first.shutdown(wait=False)
    store = SQLAlchemyJobStore(engine=services.db.engine, tablename=JOB_TABLE)
    store.start(create_scheduler(services.db), "default")
    job = store.lookup_job("digest:daily:smb-east")
    job._modify(next_run_time=dt.datetime.now(UTC) - dt.timedelta(hours=50))  # Tue 8:00
    store.update_job(job)
    bot.org.set_now(dt.datetime(2026, 11, 19, 10, 0, tzinfo=ny))  # Thu 10:00
    before = len(posts(bot.slack, "C0SMBEAST01"))

    second = create_scheduler(services.db, timezone=services.tz)
    jobs.digests.schedule(second, services)
    second.start()
    try:
        bot.slack.wait_until(lambda: len(posts(bot.slack, "C0SMBEAST01")) > before, timeout=20)
        time.sleep(0.5)
    finally:
        second.shutdown(wait=True)
    (late,) = posts(bot.slack, "C0SMBEAST01")[before:]
    text = all_text(late)
    assert "daily digest · Thu Nov 19 (since Mon Nov 16)" in text
    assert "Late: this digest was due at 8:00 AM EST on Thu Nov 19" in text
    with services.db.session() as s:
        periods = sorted(r.period for r in s.query(DigestRun).all())
    assert periods == ["2026-11-16", "2026-11-19"]


def test_job_function_end_to_end_on_a_dst_monday(bot: BotUnderTest) -> None:
    """The job as the scheduler calls it, at 8:00 on the Monday after DST ends: it
    covers Fri Oct 30 00:00 EDT to Mon Nov 2 00:00 EST."""
    data = digest_org()
    for number, activated in (
        (201, "2026-10-30T04:30:00.000+0000"),  # Fri 00:30 EDT: in
        (202, "2026-11-02T04:30:00.000+0000"),  # Sun 23:30 EST: in
        (203, "2026-11-02T05:30:00.000+0000"),  # Mon 00:30 EST: out (today)
        (204, "2026-10-30T03:30:00.000+0000"),  # Thu 23:30 EDT: out (Friday's digest)
    ):
        data["Order"].append(
            {
                "OrderNumber": f"{number:08d}",
                "AccountId": "001000000000001AAA",
                "Status": "Activated",
                "EffectiveDate": "2026-10-29",
                "CreatedDate": "2026-10-20T14:00:00.000+0000",
                "ActivatedDate": activated,
                "TotalAmount": 100.0,
            }
        )
    bot.org.load(data)
    bot.org.set_now(dt.datetime(2026, 11, 2, 13, 0, 5, tzinfo=UTC))
    before = len(posts(bot.slack, "C0SMBEAST01"))
    jobs.digests.run_scheduled(
        "daily", "smb-east", "C0SMBEAST01", "0 8 * * mon-fri", "America/New_York"
    )
    new = posts(bot.slack, "C0SMBEAST01")[before:]
    assert len(new) == 1
    text = all_text(new[0])
    assert "Mon Nov 2 (since Fri Oct 30)" in text and "Late" not in text
    assert "00000201" in text and "00000202" in text
    assert "00000203" not in text and "00000204" not in text


# --- a bad teams file stops start-up -------------------------------------------------


def test_bad_teams_file_stops_run_naming_the_line(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import main

    teams = tmp_path / "teams.yml"
    teams.write_text(
        "teams:\n  - name: smb-east\n    channel: C0SMBEAST01\n    schedule: '0 8 * * funday'\n"
    )
    monkeypatch.chdir(tmp_path)
    for key, value in {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "SF_INSTANCE_URL": "https://127.0.0.1:1",
        "SF_ACCESS_TOKEN": "token",
        "ACCTBOT_TEAMS_FILE": str(teams),
        "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db",
    }.items():
        monkeypatch.setenv(key, value)
    assert main(["run", "--no-scheduler"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "line 4" in err and "funday" in err and "Traceback" not in err
