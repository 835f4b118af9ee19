"""Posting digests exactly once: claims, crashes, two processes on Postgres, Slack
failures and retries; the /digest command and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import delete, select

from bot.delivery.posting import keyed
from bot.digests import runs as digest_runs
from bot.digests import service as digests
from bot.digests.runs import RunKey, SlackPoster
from bot.infra.db import Database
from bot.infra.models import DigestRun, DigestSubscription
from bot.standins.salesforce.server import SandboxOrg
from bot.teams import parse_teams
from tests.support.blockcheck import all_text, assert_valid_message
from tests.support.digest_org import EIGHT_AM, digest_org
from tests.support.harness import ANA, MARCUS, BotUnderTest, bot_settings, posts
from tests.support.orgdata import TEAMS_YAML
from tests.support.paths import REPO_ROOT

SMB = "C0SMBEAST01"
KEY = RunKey("smb-east", "daily", SMB, "2026-11-18")


@pytest.fixture
def bot(org: SandboxOrg, running_bot: BotUnderTest) -> BotUnderTest:
    org.load(digest_org())
    org.set_now(EIGHT_AM + dt.timedelta(minutes=1))
    with running_bot.services.db.session() as s:
        s.execute(delete(DigestRun))
        s.execute(delete(DigestSubscription))
    running_bot.services.teams = parse_teams(TEAMS_YAML)
    running_bot.slack.clear()
    running_bot.slack.clear_faults()
    running_bot.slack.up()
    # A fresh channel history to go with the fresh digest_runs table: a digest for the
    # period already in the channel would rightly count as posted.
    running_bot.slack.clear_messages()
    running_bot.before = len(posts(running_bot.slack, SMB))  # type: ignore[attr-defined]
    return running_bot


def new_messages(bot: BotUnderTest) -> list[dict]:
    return posts(bot.slack, SMB)[bot.before :]  # type: ignore[attr-defined]


def smb(bot: BotUnderTest):  # type: ignore[no-untyped-def]
    return bot.services.teams.get("smb-east")


def poster(bot: BotUnderTest, sleeps: list[float], attempts: int = 3) -> SlackPoster:
    assert bot.services.slack is not None
    return SlackPoster(bot.services.slack, attempts=attempts, sleep=sleeps.append)


def run_row(bot: BotUnderTest) -> DigestRun:
    row = digest_runs.find(bot.services.db, KEY)
    assert row is not None
    return row


# --- idempotency and crashes ------------------------------------------------------------


def test_send_is_idempotent_for_the_period(bot: BotUnderTest) -> None:
    first = digests.send_now(bot.services, smb(bot))
    second = digests.send_now(bot.services, smb(bot))
    assert (first.status, second.status) == ("posted", "already posted")
    assert first.ts == second.ts and len(new_messages(bot)) == 1
    row = run_row(bot)
    assert (row.status, row.ts, row.parts_posted) == ("posted", first.ts, 1)


def test_a_crashed_claim_is_taken_over_after_its_lease(bot: BotUnderTest) -> None:
    now = bot.services.now()
    crashed = digest_runs.claim(bot.services.db, KEY, now=now, holder="dead-host:1")
    assert crashed is not None
    # Within the lease someone else is (maybe) posting it: hands off.
    assert digests.send_now(bot.services, smb(bot)).status == "in progress"
    assert new_messages(bot) == []
    # The lease runs out: the retry job takes it over and posts once.
    bot.org.set_now(now + digest_runs.LEASE + dt.timedelta(seconds=1))
    outcomes = digests.retry_pending(bot.services)
    assert [o.status for o in outcomes] == ["posted"]
    assert len(new_messages(bot)) == 1
    row = run_row(bot)
    assert row.attempts == 2 and row.claimed_by != "dead-host:1"
    # The crashed holder wakes up: its token is stale, it cannot touch the row.
    assert not digest_runs.mark_failed(bot.services.db, crashed, "late wake-up")
    assert run_row(bot).status == "posted"


def test_a_crash_between_thread_parts_resumes_without_reposting(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.digests import render as digest_render

    real = digest_render.render
    monkeypatch.setattr(
        digests, "render", lambda *a, **k: real(*a, **{**k, "max_blocks": 4})
    )  # a small page size makes the ordinary digest three messages
    now = bot.services.now()
    c = digest_runs.claim(bot.services.db, KEY, now=now)
    assert c is not None
    item = digests.Item(
        digests.find_delivery(bot.services, smb(bot), "daily"),
        digests.current_period(
            bot.services, digests.find_delivery(bot.services, smb(bot), "daily")
        ),
    )
    (data,) = digests.build(bot.services, [item])
    parts = digests.messages_for(bot.services, item, data)
    assert len(parts) >= 3
    resp = bot.services.slack.chat_postMessage(channel=SMB, **parts[0].payload())  # type: ignore[union-attr]
    digest_runs.record_part(bot.services.db, c, ts=resp["ts"], parts_posted=1, now=now)
    # ... and the process dies here. Later the retry picks up from part 2.
    bot.org.set_now(now + digest_runs.LEASE * 2)
    assert [o.status for o in digests.retry_pending(bot.services)] == ["posted"]
    msgs = new_messages(bot)
    assert len(msgs) == len(parts)
    assert [m.get("thread_ts") for m in msgs[1:]] == [resp["ts"]] * (len(parts) - 1)
    assert all_text(msgs[1]) == all_text(parts[1].payload())


# --- Slack failures ---------------------------------------------------------------------


def test_rate_limits_wait_for_retry_after_then_post(bot: BotUnderTest) -> None:
    sleeps: list[float] = []
    bot.slack.fail("chat.postMessage", status=429, retry_after=7, count=2)
    outcome = digests.send_now(bot.services, smb(bot), poster=poster(bot, sleeps))
    assert outcome.status == "posted" and sleeps == [7.0, 7.0]
    assert len(new_messages(bot)) == 1


def test_rate_limited_beyond_the_retries_fails_loudly_then_retries(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    sleeps: list[float] = []
    bot.slack.fail("chat.postMessage", status=429, retry_after=3, count=10)
    outcome = digests.send_now(bot.services, smb(bot), poster=poster(bot, sleeps))
    assert outcome.status == "failed" and "ratelimited" in outcome.detail
    assert sleeps == [3.0, 3.0] and new_messages(bot) == []
    assert run_row(bot).status == "failed"
    assert any(
        r.levelname == "ERROR" and "could not post the daily digest" in r.getMessage()
        for r in caplog.records
    )
    bot.slack.clear_faults()
    outcomes = digests.retry_pending(bot.services, poster=poster(bot, sleeps))
    assert [o.status for o in outcomes] == ["posted"] and len(new_messages(bot)) == 1
    assert digests.retry_pending(bot.services) == []


def test_a_post_slack_took_but_whose_answer_was_lost_is_not_repeated(
    bot: BotUnderTest,
) -> None:
    sleeps: list[float] = []
    bot.slack.fail("chat.postMessage", drop=True, count=1)  # posted, then a reset
    outcome = digests.send_now(bot.services, smb(bot), poster=poster(bot, sleeps))
    assert outcome.status == "posted"
    (message,) = new_messages(bot)
    assert outcome.ts == message["ts"] == run_row(bot).ts
    assert sleeps == [1.0] and bot.slack.calls_to("conversations.history")


def test_a_crash_right_after_slack_took_a_part_does_not_repeat_it(bot: BotUnderTest) -> None:
    now = bot.services.now()
    c = digest_runs.claim(bot.services.db, KEY, now=now, holder="dead-host:1")
    assert c is not None
    delivery = digests.find_delivery(bot.services, smb(bot), "daily")
    item = digests.Item(delivery, digests.current_period(bot.services, delivery))
    (data,) = digests.build(bot.services, [item])
    (part,) = digests.messages_for(bot.services, item, data)
    # The dead process posted the digest (with its key) and died before recording it.
    resp = bot.services.slack.chat_postMessage(  # type: ignore[union-attr]
        **keyed({"channel": SMB, **part.payload()}, f"digest:smb-east:daily:{SMB}:2026-11-18:0")
    )
    bot.org.set_now(now + digest_runs.LEASE + dt.timedelta(seconds=1))
    assert [o.status for o in digests.retry_pending(bot.services)] == ["posted"]
    assert [m["ts"] for m in new_messages(bot)] == [resp["ts"]]
    assert run_row(bot).ts == resp["ts"]


def test_slack_down_then_back(bot: BotUnderTest) -> None:
    sleeps: list[float] = []
    bot.slack.down()
    try:
        outcome = digests.send_now(bot.services, smb(bot), poster=poster(bot, sleeps))
    finally:
        bot.slack.up()
    assert outcome.status == "failed" and sleeps == [1.0, 2.0]  # exponential back-off
    assert [o.status for o in digests.retry_pending(bot.services)] == ["posted"]
    assert len(new_messages(bot)) == 1


def test_a_permanent_error_is_not_retried_in_a_loop(bot: BotUnderTest) -> None:
    sleeps: list[float] = []
    bot.slack.fail("chat.postMessage", error="not_in_channel", count=1)
    outcome = digests.send_now(bot.services, smb(bot), poster=poster(bot, sleeps))
    assert outcome.status == "failed" and outcome.detail == "not_in_channel" and sleeps == []


def test_salesforce_down_marks_the_run_failed_for_a_retry(bot: BotUnderTest) -> None:
    bot.org.set_faults({"status": 500, "count": 3})
    outcome = digests.send_now(bot.services, smb(bot))
    assert outcome.status == "failed" and "not answering" in outcome.detail
    bot.org.set_faults({})
    assert [o.status for o in digests.retry_pending(bot.services)] == ["posted"]


# --- two processes on Postgres ------------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path
    from bot.application import create_app
    from bot.digests import service as digests
    from bot.settings import Settings
    from bot.teams import parse_teams
    from tests.support.orgdata import TEAMS_YAML

    settings = Settings.from_env(json.loads(os.environ["WORKER_ENV"]))
    services = create_app(settings, teams=parse_teams(TEAMS_YAML), verify_token=False).services
    team = services.teams.get("smb-east")
    go = Path(os.environ["WORKER_GO"])
    Path(os.environ["WORKER_READY"]).touch()
    while not go.exists():
        time.sleep(0.005)
    outcome = digests.send_now(services, team)
    print(json.dumps({"status": outcome.status, "ts": outcome.ts}))
    """
)


def test_two_processes_post_once_on_postgres(
    bot: BotUnderTest, postgres_server_url: str, tmp_path: Path
) -> None:
    db = Database(postgres_server_url)
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    db.upgrade()
    env = bot_settings(bot.org, bot.slack, DATABASE_URL=postgres_server_url)
    worker_env = {
        "SLACK_BOT_TOKEN": env.slack_bot_token,
        "SLACK_SIGNING_SECRET": env.slack_signing_secret,
        "SLACK_API_URL": env.slack_api_url,
        "SF_INSTANCE_URL": bot.org.instance_url,
        "SF_ACCESS_TOKEN": bot.org.access_token,
        "DATABASE_URL": postgres_server_url,
    }
    go = tmp_path / "go"
    procs = []
    for i in range(2):
        penv = {
            **os.environ,
            "WORKER_ENV": json.dumps(worker_env),
            "WORKER_GO": str(go),
            "WORKER_READY": str(tmp_path / f"ready{i}"),
            "PYTHONPATH": str(REPO_ROOT),
        }
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", WORKER],
                env=penv,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=tmp_path,
            )
        )
    deadline = time.monotonic() + 40
    while not all((tmp_path / f"ready{i}").exists() for i in range(2)):
        assert time.monotonic() < deadline, [p.stderr.read() for p in procs if p.poll() is not None]
        time.sleep(0.02)
    go.touch()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=40)
        assert p.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    statuses = sorted(r["status"] for r in results)
    assert statuses[0] in ("already posted", "in progress") and statuses[1] == "posted"
    assert len(new_messages(bot)) == 1
    with db.session() as s:
        rows = s.scalars(select(DigestRun)).all()
    assert len(rows) == 1 and rows[0].status == "posted"
    db.dispose()


# --- /digest ------------------------------------------------------------------------------


def test_digest_help_and_bad_input(bot: BotUnderTest) -> None:
    for text in ("help", "frobnicate", "subscribe"):
        sent = bot.command("/digest", text)
        assert sent.status == 200 and "/digest* `subscribe" in json.dumps(sent.body)
    assert bot.sf_requests() == []
    # /digest alone: what this channel gets, then the usage (one answer, from the pool,
    # for someone acctbot serves: only who the asker is was looked up)
    alone = bot.command("/digest", "", channel=SMB)
    assert alone.status == 200 and not alone.body
    text = all_text(bot.answer(alone))
    assert "This channel gets:" in text and "smb-east* daily" in text
    assert "/digest* `subscribe" in text
    assert all(" FROM User " in r.get("soql", "") for r in bot.sf_requests())


def test_digest_preview_is_ephemeral_and_valid(bot: BotUnderTest) -> None:
    answer = bot.ask("/digest", "preview smb-east", user=MARCUS)  # its manager
    assert_valid_message(answer)
    assert answer["response_type"] == "ephemeral"
    assert "smb-east · daily digest" in all_text(answer)
    assert new_messages(bot) == []
    weekly = bot.ask("/digest", "preview weekly", user=MARCUS)  # Marcus manages smb-east
    assert "weekly report" in all_text(weekly)
    assert "no team *nope*" in all_text(bot.ask("/digest", "preview nope"))


def test_digest_subscribe_and_unsubscribe_persist(bot: BotUnderTest) -> None:
    # Only the team's managers (and ACCTBOT_ADMINS) may: Ana, a rep, is told so.
    refused = all_text(bot.ask("/digest", "subscribe smb-east weekly at 9:30"))
    assert "Only acctbot admins and the managers of *smb-east*" in refused
    assert ("smb-east", "weekly", "C0GENERAL01") not in {
        (d.team.name, d.kind, d.channel) for d in digests.deliveries(bot.services)
    }
    answer = bot.ask("/digest", "subscribe smb-east weekly at 9:30", user=MARCUS)
    text = all_text(answer)
    assert "This channel gets *smb-east*'s weekly digest at 9:30 on Mon" in text
    assert "Next: Mon Nov 23, 9:30 AM EST" in text
    found = {(d.team.name, d.kind, d.channel, d.schedule) for d in digests.deliveries(bot.services)}
    assert ("smb-east", "weekly", "C0GENERAL01", "30 9 * * mon") in found
    assert "Only acctbot admins" in all_text(bot.ask("/digest", "unsubscribe"))  # Ana
    gone = all_text(bot.ask("/digest", "unsubscribe", user=MARCUS))
    assert "no longer gets: smb-east weekly" in gone
    assert "nothing to stop" in all_text(bot.ask("/digest", "unsubscribe", user=MARCUS))
    with bot.services.db.session() as s:
        row = s.scalars(select(DigestSubscription)).one()
        assert (row.active, row.created_by) == (False, MARCUS)


# --- the CLI --------------------------------------------------------------------------------


def test_cli_preview_and_send(
    bot: BotUnderTest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main

    teams = tmp_path / "teams.yml"
    teams.write_text(TEAMS_YAML)
    monkeypatch.chdir(tmp_path)
    settings = bot.services.settings
    for key, value in {
        "SLACK_BOT_TOKEN": settings.slack_bot_token,
        "SLACK_SIGNING_SECRET": settings.slack_signing_secret,
        "SLACK_API_URL": settings.slack_api_url,
        "SF_INSTANCE_URL": bot.org.instance_url,
        "SF_ACCESS_TOKEN": bot.org.access_token,
        "ACCTBOT_TEAMS_FILE": str(teams),
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
    }.items():
        monkeypatch.setenv(key, value)
    assert main(["digest", "preview", "--team", "smb-east", "--kind", "monthly"]) == 0
    out = capsys.readouterr().out
    assert "smb-east · monthly productivity" in out and "<http" not in out
    assert main(["digest", "send", "--team", "smb-east"]) == 0
    assert "Posted smb-east's daily digest to C0SMBEAST01" in capsys.readouterr().out
    assert main(["digest", "send", "--team", "smb-east"]) == 0
    assert "Already posted" in capsys.readouterr().out
    assert len(new_messages(bot)) == 1
    assert main(["digest", "preview", "--team", "nope"]) == 2
    assert "no team 'nope'" in capsys.readouterr().err


def test_a_long_retry_after_is_left_to_the_retry_job(bot: BotUnderTest) -> None:
    sleeps: list[float] = []
    bot.slack.fail("chat.postMessage", status=429, retry_after=120, count=1)
    outcome = digests.send_now(bot.services, smb(bot), poster=poster(bot, sleeps))
    assert outcome.status == "failed" and "rate limited for 120 s" in outcome.detail
    assert sleeps == [] and new_messages(bot) == []  # it did not sit on the batch
    assert [o.status for o in digests.retry_pending(bot.services)] == ["posted"]
    assert len(new_messages(bot)) == 1


# --- thread parts and bad rows (issue 14, weaknesses 8 and 3) ---------------------------


def test_a_thread_reply_whose_answer_was_lost_is_not_posted_twice(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.digests import render as digest_render

    real = digest_render.render
    monkeypatch.setattr(digests, "render", lambda *a, **k: real(*a, **{**k, "max_blocks": 4}))
    now = bot.services.now()
    c = digest_runs.claim(bot.services.db, KEY, now=now)
    assert c is not None
    delivery = digests.find_delivery(bot.services, smb(bot), "daily")
    item = digests.Item(delivery, digests.current_period(bot.services, delivery))
    (data,) = digests.build(bot.services, [item])
    parts = digests.messages_for(bot.services, item, data)
    assert len(parts) >= 3
    resp = bot.services.slack.chat_postMessage(  # type: ignore[union-attr]
        **keyed({"channel": SMB, **parts[0].payload()}, f"digest:smb-east:daily:{SMB}:2026-11-18:0")
    )
    digest_runs.record_part(bot.services.db, c, ts=resp["ts"], parts_posted=1, now=now)
    # The process dies; the retry posts the first thread reply, Slack takes it, and the
    # answer is lost (a reset). Channel history does not list thread replies.
    bot.org.set_now(now + digest_runs.LEASE * 2)
    bot.slack.fail("chat.postMessage", drop=True, count=1)
    sleeps: list[float] = []
    outcomes = digests.retry_pending(bot.services, poster=poster(bot, sleeps))
    assert [o.status for o in outcomes] == ["posted"]
    replies = [
        m for m in new_messages(bot) if m.get("thread_ts") == resp["ts"] and m["ts"] != resp["ts"]
    ]
    assert len(replies) == len(parts) - 1, [all_text(m)[:60] for m in replies]
    assert bot.slack.calls_to("conversations.replies")  # it looked in the thread


def test_a_malformed_escalation_row_does_not_cost_any_team_its_digest(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.infra.models import Escalation

    now = bot.services.now()
    with bot.services.db.session() as s:
        for n, account in enumerate(["001-not-an-id'", "001000000000001AAA"]):
            s.add(
                Escalation(
                    ref=f"ESC-90{n}", account_id=account, account_name="Acme Corp",
                    category="billing", severity="P2", description="Double-billed again",
                    reporter=ANA, status="open", created_at=now, updated_at=now,
                    sla_level=0, version=1,
                )
            )  # fmt: skip
    try:
        outcome = digests.send_now(bot.services, smb(bot))
        assert outcome.status == "posted", outcome.detail
        assert any("skipped escalation ESC-900" in r.getMessage() for r in caplog.records)
        (message,) = new_messages(bot)
        assert "ESC-901" in all_text(message) and "ESC-900" not in all_text(message)
    finally:
        with bot.services.db.session() as s:
            s.execute(delete(Escalation).where(Escalation.ref.in_(["ESC-900", "ESC-901"])))


def test_an_unreadable_salesforce_record_is_skipped_and_the_digest_says_so(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    # The sandbox org refuses malformed data, so this batch reads through a Salesforce
    # that returns the org's records plus one it cannot parse (a date that is no date).
    from bot.digests.data import Batch, Scope
    from bot.digests.render import render

    real = bot.services.salesforce

    class OneBadRecord:
        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(real, name)

        def iter_many(self, soqls):  # type: ignore[no-untyped-def]
            injected = False
            for index, rec in real.iter_many(soqls):
                if not injected and "FROM Order" in soqls[index]:
                    injected = True
                    yield index, {**rec, "Id": "801000000000BADAAA", "CreatedDate": "last Tuesday"}
                yield index, rec

    delivery = digests.find_delivery(bot.services, smb(bot), "daily")
    period = digests.current_period(bot.services, delivery)
    scope = Scope(frozenset(delivery.team.owners), period, bot.services.settings.stuck_days)
    batch = Batch(OneBadRecord(), [scope], bot.services.vocabulary())  # type: ignore[arg-type]
    batch.run("daily")
    assert batch.skipped >= 1 and scope.data.skipped == batch.skipped
    assert any("skipped Order record 801000000000BADAAA" in r.getMessage()
               or "801000000000BADAAA" in r.getMessage() for r in caplog.records)  # fmt: skip
    (first, *_) = render("smb-east", "daily", scope.data, bot.services.record_url)
    assert "could not be read and" in all_text(first.payload())
    assert "left out of these figures" in all_text(first.payload())
