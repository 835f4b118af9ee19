"""Exactly once when the duplicate check cannot look, or acctbot was removed, and what
happens to a digest whose channel is gone. Through the real app, its Slack client and
the stand-in over HTTP.

- A post whose answer was lost is in doubt; only a history (or thread) that was read
  settles it. Slack rate-limits ``conversations.history`` / ``.replies`` (Tier 3,
  https://api.slack.com/docs/rate-limits); a 429 there, a 5xx or a timeout leaves the
  post in doubt (waiting for Retry-After, or for a later retry): it is never posted on a
  guess.
- Removed from a public channel (``/remove @acctbot``), acctbot joins again when the
  check meets ``not_in_channel``, and looks again; "joined" is not remembered forever.
- A thread reply in doubt is looked for among the thread's replies.
- A subscribed channel acctbot can no longer post in (removed from a private channel,
  archived): the digest stops, is not retried for a day, the subscriber is told in a DM
  and ``/digest`` there says what happened.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import delete, select, update

from bot.blocks import Message
from bot.delivery import outbox
from bot.delivery.channels import READY_TTL, Channels
from bot.delivery.posting import keyed
from bot.digests import runs as digest_runs
from bot.digests import service as digests
from bot.digests.runs import RunKey, SlackPoster
from bot.infra.models import DigestRun, DigestSubscription, OutboxMessage
from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SlackStandIn
from bot.teams import parse_teams
from tests.support.blockcheck import all_text
from tests.support.digest_org import EIGHT_AM, digest_org
from tests.support.harness import ANA, MARCUS, BotUnderTest, posts
from tests.support.orgdata import TEAMS_YAML

SMB = "C0SMBEAST01"
ALERTS = "C0ESCALATE1"
PRIVATE = "G0DEALDESK1"
KEY = RunKey("smb-east", "daily", SMB, "2026-11-18")


@pytest.fixture(scope="module")
def workspace(slack: SlackStandIn) -> SlackStandIn:
    slack.add_channel(PRIVATE, "deal-desk", is_private=True, members=[ANA, MARCUS],
                      bot_is_member=False)  # fmt: skip
    return slack


@pytest.fixture
def bot(org: SandboxOrg, running_bot: BotUnderTest, workspace: SlackStandIn) -> BotUnderTest:
    org.load(digest_org())
    org.set_now(EIGHT_AM + dt.timedelta(minutes=1))
    svc = running_bot.services
    with svc.db.session() as s:
        s.execute(delete(DigestRun))
        s.execute(delete(DigestSubscription))
        s.execute(delete(OutboxMessage))
    svc.teams = parse_teams(TEAMS_YAML)
    svc.channels = Channels()  # what this process knows of its channels starts afresh
    running_bot.slack.clear()
    running_bot.slack.clear_faults()
    running_bot.slack.clear_messages()
    for channel in (SMB, ALERTS, PRIVATE):
        running_bot.slack.remove_bot(channel)
    return running_bot


def smb(bot: BotUnderTest):  # type: ignore[no-untyped-def]
    return bot.services.teams.get("smb-east")


def poster(bot: BotUnderTest, sleeps: list[float], attempts: int = 3) -> SlackPoster:
    """A poster whose waits pass on the stand-in's clock (Retry-After and back-off
    elapse for Slack too) without the test sleeping."""
    assert bot.services.slack is not None

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        bot.slack.advance(seconds)

    return SlackPoster(
        bot.services.slack, attempts=attempts, sleep=sleep, channels=bot.services.channels
    )


def statuses(bot: BotUnderTest, method: str, since: int = 0) -> list[Any]:
    return [(c.status, (c.response or {}).get("error")) for c in bot.slack.calls_to(method)[since:]]


def digests_in(bot: BotUnderTest, channel: str) -> list[dict[str, Any]]:
    return [m for m in posts(bot.slack, channel) if "digest" in m["text"] or "report" in m["text"]]


# --- 3. the check cannot look: rate limited, failing ---------------------------------------


def test_a_rate_limited_history_waits_for_retry_after_and_looks_again(bot: BotUnderTest) -> None:
    """Slack's own Tier 3 limit, not an injected fault: while acctbot backs off after its
    post lost its answer, this minute's conversations.history calls get used up."""
    other = WebClient(token=bot.slack.bot_token, base_url=bot.slack.api_url)  # no retries
    other.conversations_join(channel=SMB)
    bot.slack.fail("chat.postMessage", drop=True, count=1)  # lands; the answer is lost
    sleeps: list[float] = []
    checked_from: list[int] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 1:  # meanwhile the minute's allowance is spent elsewhere
            with pytest.raises(SlackApiError) as limited:
                for _ in range(60):
                    other.conversations_history(channel=SMB, limit=1)
            assert limited.value.response.status_code == 429
            checked_from.append(len(bot.slack.calls_to("conversations.history")))
        else:  # Retry-After passes on Slack's clock too
            bot.slack.advance(seconds)

    assert bot.services.slack is not None
    limited_poster = SlackPoster(
        bot.services.slack, attempts=4, sleep=sleep, channels=bot.services.channels
    )
    outcome = digests.send_now(bot.services, smb(bot), poster=limited_poster)
    assert outcome.status == "posted"
    (digest,) = digests_in(bot, SMB)  # once: never posted "just in case"
    assert outcome.ts == digest["ts"]
    checks = statuses(bot, "conversations.history", checked_from[0])
    assert checks[0] == (429, "ratelimited") and checks[-1] == (200, None)
    assert len(sleeps) >= 2  # the lost answer's back-off, then Retry-After


@pytest.mark.parametrize("fault", [{"status": 503}, {"status": 429, "retry_after": 120}])
def test_a_history_that_cannot_be_read_leaves_the_digest_in_doubt_for_a_later_retry(
    bot: BotUnderTest, fault: dict[str, Any]
) -> None:
    bot.slack.fail("chat.postMessage", drop=True, count=1)
    bot.slack.fail("conversations.history", count=20, **fault)
    sleeps: list[float] = []
    outcome = digests.send_now(bot.services, smb(bot), poster=poster(bot, sleeps))
    assert outcome.status == "failed"
    assert len(digests_in(bot, SMB)) == 1  # the lost post is there; nothing was re-posted
    row = digest_runs.find(bot.services.db, KEY)
    assert row is not None and row.status == "failed" and row.attempts < digest_runs.MAX_ATTEMPTS

    bot.slack.clear_faults()  # Slack answers again: the retry looks first, and finds it
    (retry,) = digests.retry_pending(bot.services, poster=poster(bot, sleeps))
    (digest,) = digests_in(bot, SMB)
    assert retry.status == "posted" and retry.ts == digest["ts"]


@pytest.mark.parametrize("fault", [{"status": 429, "retry_after": 30}, {"status": 500}])
def test_an_alert_in_doubt_is_not_posted_while_the_history_cannot_be_read(
    bot: BotUnderTest, fault: dict[str, Any]
) -> None:
    svc = bot.services
    with svc.db.session() as s:
        outbox.enqueue_post(s, key="doubt:1", target=ALERTS, message=Message("alert 1"), kind="t")
    bot.slack.fail("chat.postMessage", drop=True, count=1)
    assert outbox.deliver_due(svc).failed == 1  # in doubt now
    _due_now(bot)
    bot.slack.fail("conversations.history", count=1, **fault)
    started = outbox.utcnow()
    stats = outbox.deliver_due(svc)
    assert stats.failed == 1 and stats.delivered == 0 and stats.reconciled == 0
    assert [m["text"] for m in posts(bot.slack, ALERTS)] == ["alert 1"]
    row = _row(bot, "doubt:1")
    assert row.doubt_since is not None and row.delivered_at is None  # still in doubt
    if fault["status"] == 429:  # Slack's Retry-After decides when it looks again
        assert row.next_attempt_at >= started + dt.timedelta(seconds=29)

    _due_now(bot)
    assert outbox.deliver_due(svc).reconciled == 1
    assert [m["text"] for m in posts(bot.slack, ALERTS)] == ["alert 1"]
    assert _row(bot, "doubt:1").result_ts == posts(bot.slack, ALERTS)[0]["ts"]


# --- 4. removed from a public channel -----------------------------------------------------


def test_removed_from_a_public_channel_it_joins_again_and_finds_the_post(
    bot: BotUnderTest,
) -> None:
    sleeps: list[float] = []
    first = digests.send_now(bot.services, smb(bot), poster=poster(bot, sleeps))
    assert first.status == "posted"
    bot.slack.remove_bot(SMB)  # someone types /remove @acctbot
    history = len(bot.slack.calls_to("conversations.history"))
    bot.slack.fail("chat.postMessage", drop=True, count=1)
    weekly = digests.send_now(bot.services, smb(bot), "weekly", poster=poster(bot, sleeps))
    assert weekly.status == "posted"
    assert len(digests_in(bot, SMB)) == 2  # the daily and the weekly, each once
    assert statuses(bot, "conversations.history", history) == [
        (200, "not_in_channel"),
        (200, None),
    ]
    assert [c.args["channel"] for c in bot.slack.calls_to("conversations.join")] == [SMB, SMB]


def test_removed_from_the_alert_channel_the_outbox_joins_again_and_finds_the_alert(
    bot: BotUnderTest,
) -> None:
    svc = bot.services
    with svc.db.session() as s:
        outbox.enqueue_post(s, key="doubt:2", target=ALERTS, message=Message("alert 2"), kind="t")
    bot.slack.fail("chat.postMessage", drop=True, count=1)
    assert outbox.deliver_due(svc).failed == 1
    bot.slack.remove_bot(ALERTS)
    _due_now(bot)
    assert outbox.deliver_due(svc).reconciled == 1
    assert [m["text"] for m in posts(bot.slack, ALERTS)] == ["alert 2"]
    joins = [c.args["channel"] for c in bot.slack.calls_to("conversations.join")]
    assert joins == [ALERTS, ALERTS]


def test_joined_is_not_remembered_forever(bot: BotUnderTest) -> None:
    now = [0.0]
    channels = Channels(clock=lambda: now[0])
    client = bot.services.slack
    assert client is not None
    channels.prepare(client, SMB)
    channels.prepare(client, SMB)  # within READY_TTL: trusted
    assert len(bot.slack.calls_to("conversations.join")) == 1
    bot.slack.remove_bot(SMB)
    now[0] += READY_TTL + 1
    channels.prepare(client, SMB)  # a while later: joined again before posting
    assert len(bot.slack.calls_to("conversations.join")) == 2
    assert client.conversations_info(channel=SMB)["channel"]["is_member"] is True


def test_a_thread_reply_in_doubt_is_looked_for_in_its_thread(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.digests import render as digest_render

    real = digest_render.render
    monkeypatch.setattr(
        digests, "render", lambda *a, **k: real(*a, **{**k, "max_blocks": 4})
    )  # three messages: the digest and two replies in its thread
    svc = bot.services
    client = svc.slack
    assert client is not None
    now = svc.now()
    c = digest_runs.claim(svc.db, KEY, now=now, holder="dead-host:1")
    assert c is not None
    delivery = digests.find_delivery(svc, smb(bot), "daily")
    item = digests.Item(delivery, digests.current_period(svc, delivery))
    (data,) = digests.build(svc, [item])
    parts = digests.messages_for(svc, item, data)
    assert len(parts) >= 2
    # The dead process posted the digest and recorded it, then posted its first reply
    # and died before recording that.
    client.conversations_join(channel=SMB)
    key = f"digest:smb-east:daily:{SMB}:2026-11-18"
    top = client.chat_postMessage(**keyed({"channel": SMB, **parts[0].payload()}, f"{key}:0"))
    digest_runs.record_part(svc.db, c, ts=top["ts"], parts_posted=1, now=now)
    reply = client.chat_postMessage(
        **keyed({"channel": SMB, **parts[1].payload(thread_ts=top["ts"])}, f"{key}:1")
    )
    bot.org.set_now(now + digest_runs.LEASE + dt.timedelta(seconds=1))
    (outcome,) = digests.retry_pending(svc)
    assert outcome.status == "posted"
    replies = client.conversations_replies(channel=SMB, ts=top["ts"], include_all_metadata=True)
    thread = replies["messages"][1:]
    keys = [m["metadata"]["event_payload"]["key"] for m in thread]
    assert keys == [f"{key}:{n}" for n in range(1, len(parts))]  # each reply once
    assert thread[0]["ts"] == reply["ts"]
    assert bot.slack.calls_to("conversations.replies")


# --- 7. a subscribed channel acctbot can no longer post in -----------------------------------


def test_a_subscription_where_acctbot_was_removed_stops_and_the_subscriber_is_told(
    bot: BotUnderTest,
) -> None:
    svc = bot.services
    bot.slack.invite_bot(PRIVATE, by=ANA)
    sent = bot.command("/digest", "subscribe smb-east", user=MARCUS, channel=PRIVATE)
    assert "This channel gets *smb-east*'s daily digest" in all_text(bot.answer(sent))
    bot.slack.remove_bot(PRIVATE)  # someone removes acctbot from the private channel

    delivery = digests.find_delivery(svc, smb(bot), "daily", PRIVATE)
    item = digests.Item(delivery, digests.current_period(svc, delivery))
    sleeps: list[float] = []
    (outcome,) = digests.run_batch(svc, [item], poster=poster(bot, sleeps))
    assert outcome.status == "failed" and "channel_not_found" in outcome.detail
    assert sleeps == []  # not retried in a loop
    assert digests.retry_pending(svc) == []  # nor for a day: no retry can fix that
    with svc.db.session() as s:
        sub = s.scalars(select(DigestSubscription)).one()
        assert (sub.active, sub.stopped_reason) == (False, "channel_not_found")
    assert not [d for d in digests.deliveries(svc) if d.channel == PRIVATE]

    dm = bot.slack.dm_channel_id(MARCUS)  # the subscriber (a manager) hears it, once
    told = lambda: [m["text"] for m in posts(bot.slack, dm) if "I stopped posting" in m["text"]]  # noqa: E731
    bot.slack.wait_until(told, timeout=10)
    digests.channel_lost(svc, delivery, "channel_not_found")  # a second process: no 2nd DM
    outbox.deliver_due(svc)
    (dm_text,) = told()
    assert "smb-east" in dm_text and "/invite @acctbot" in dm_text

    here = all_text(bot.answer(bot.command("/digest", "", user=ANA, channel=PRIVATE)))
    assert "daily digest stopped here" in here and "channel_not_found" in here
    assert "/digest subscribe smb-east daily" in here

    bot.slack.invite_bot(PRIVATE, by=ANA)  # invited back and subscribed again
    sent = bot.command("/digest", "subscribe smb-east", user=MARCUS, channel=PRIVATE)
    again = all_text(bot.answer(sent))
    assert "This channel gets *smb-east*'s daily digest" in again and "stopped here" not in again
    with svc.db.session() as s:
        sub = s.scalars(select(DigestSubscription)).one()
        assert (sub.active, sub.stopped_at, sub.stopped_reason) == (True, None, None)


def test_a_teams_file_channel_that_is_gone_is_not_retried_and_is_logged(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    bot.services.teams = parse_teams(TEAMS_YAML.replace(SMB, PRIVATE))
    sleeps: list[float] = []
    outcome = digests.send_now(bot.services, smb(bot), poster=poster(bot, sleeps))
    assert outcome.status == "failed" and sleeps == []
    assert digests.retry_pending(bot.services) == []
    assert any(
        r.levelname == "ERROR"
        and "cannot post the daily digest of smb-east" in r.getMessage()
        and "/invite @acctbot" in r.getMessage()
        for r in caplog.records
    )


# --- helpers ------------------------------------------------------------------------------


def _due_now(bot: BotUnderTest) -> None:
    with bot.services.db.session() as s:
        s.execute(update(OutboxMessage).values(next_attempt_at=outbox.utcnow()))
    time.sleep(0.01)


def _row(bot: BotUnderTest, key: str) -> OutboxMessage:
    with bot.services.db.session() as s:
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.key == key)).one()
        s.expunge(row)
    row.next_attempt_at = outbox._aware(row.next_attempt_at)  # type: ignore[assignment]
    return row
