"""The bot against Slack as it really is (issue 11), end to end: signed requests over HTTP
to the real app, answers read the way a person sees them.

1. A command's acknowledgement and response_url posts cannot be replaced or deleted: a
   command shows one answer (plus one "still looking" only when Salesforce is slow).
2. Typed domains and e-mails arrive as links; the bot reads what was typed.
3. Channels, people and user groups arrive as mentions; the bot resolves them.
4. A private channel the bot is not in cannot get a digest: subscribing it is refused.
5. (exactly once in channels the bot had not joined, #names: tests/digests and
   tests/cli/test_check.py, plus the #name start-up here.)
6. An error on a card shared in a channel goes to the presser, not over the card.
7. A retried event (same event_id) is handled once, on any replica.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from bot.blocks import is_progress
from bot.digests import service as digests
from bot.digests.runs import SlackPoster
from bot.infra.models import DigestRun, DigestSubscription
from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SentRequest, SlackStandIn
from bot.teams import parse_teams
from tests.support.blockcheck import all_text, assert_valid_message
from tests.support.harness import (
    ANA,
    CHANNEL,
    MARCUS,
    RAJ,
    BotUnderTest,
    message_ts,
    populate_workspace,
    posts,
    start_bot,
)
from tests.support.orgdata import ACME, ANA_SF, NOW, RAJ_SF, TEAMS_YAML, small_org

BOOKING = "001000000000007AAA"
BOOKING_ORDER = "801000000000009AAA"
PRIVATE = "G0DEALDESK1"
TEAMS_WITH_MEDIA = (
    TEAMS_YAML
    + """\
  - name: media-sales
    channel: C0GENERAL01
    owners: [raj.rep@example.com]
    managers: [U0MGR00001]
"""
)


def linked_org() -> dict[str, list[dict[str, Any]]]:
    """The small org plus an account whose name Slack turns into a link."""
    data = small_org()
    data["Account"].append(
        {
            "Id": BOOKING,
            "Name": "Booking.com",
            "AccountNumber": "A-1007",
            "OwnerId": ANA_SF,
            "LastActivityDate": "2026-11-16",
        }
    )
    data["Order"].append(
        {
            "Id": BOOKING_ORDER,
            "OrderNumber": "00000140",
            "AccountId": BOOKING,
            "OwnerId": ANA_SF,
            "Status": "Draft",
            "EffectiveDate": "2026-11-02",
            "CreatedDate": "2026-10-28T14:00:00.000+0000",
            "TotalAmount": 900.0,
        }
    )
    return data


@pytest.fixture(scope="module")
def workspace(slack: SlackStandIn) -> SlackStandIn:
    slack.add_usergroup("S0SMBSALES", "smb-sales", "SMB Sales", [ANA, RAJ])
    slack.add_channel(PRIVATE, "deal-desk", is_private=True, members=[ANA, MARCUS],
                      bot_is_member=False)  # fmt: skip
    return slack


@pytest.fixture
def bot(org: SandboxOrg, running_bot: BotUnderTest, workspace: SlackStandIn) -> BotUnderTest:
    org.load(linked_org())
    org.set_now(NOW)
    org.clear_log()
    svc = running_bot.services
    svc.cache.clear()
    svc.teams = parse_teams(TEAMS_YAML)
    with svc.db.session() as s:
        s.execute(delete(DigestSubscription))
        s.execute(delete(DigestRun))
    running_bot.slack.clear()
    running_bot.slack.clear_faults()
    return running_bot


def press(
    bot: BotUnderTest, message: dict, action_id: str, *, user: str = ANA, channel: str = CHANNEL
) -> SentRequest:
    button = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )
    return bot.slack.block_action(
        bot.url,
        user_id=user,
        action_id=action_id,
        value=button["value"],
        channel_id=channel,
        message=message if "ts" in message else {"ts": message_ts(), **message},
    )


def subscribed(bot: BotUnderTest) -> list[tuple[str, str, str, bool]]:
    with bot.services.db.session() as s:
        rows = s.scalars(select(DigestSubscription)).all()
        return [(r.team, r.kind, r.channel, r.active) for r in rows]


# --- 1. one answer per command ----------------------------------------------------------

ANSWERS = [
    ("/account", "Acme Corp", "Health"),
    ("/order", "123", "Order 00000123"),
    ("/orders", "mine", "your orders"),
    ("/pipeline", "", "Pipeline"),
    ("/escalations", "", "No escalations"),
    ("/digest", "preview smb-east", "daily digest"),
]


@pytest.mark.parametrize(("command", "text", "expect"), ANSWERS)
def test_a_command_shows_its_answer_and_nothing_else(
    bot: BotUnderTest, command: str, text: str, expect: str
) -> None:
    started = time.monotonic()
    # A digest preview is for the team's managers (Marcus); the rest as Ana, a rep.
    sent = bot.command(command, text, user=MARCUS if command == "/digest" else ANA)
    assert sent.status == 200 and sent.user_error is None
    assert not sent.body  # an empty ack: Slack would show anything in it, for good
    answer = bot.answer(sent)
    assert_valid_message(answer)
    assert expect in all_text(answer)
    # Past the moment a slow answer would get "still looking": a fast one came alone.
    time.sleep(max(0.0, bot.services.slow_after + 0.4 - (time.monotonic() - started)))
    assert bot.seen(sent) == [answer]
    assert not any(e.get("source") == "ack" for e in bot.slack.ephemeral_messages(ANA))


@pytest.mark.parametrize(
    ("command", "text", "expect"),
    [("/account", "Acme Corp", "Health"), ("/order", "123", "line item")],
)
def test_a_slow_answer_follows_one_still_looking_message(
    bot: BotUnderTest, command: str, text: str, expect: str
) -> None:
    bot.org.set_faults({"latency_ms": 2500})
    sent = bot.command(command, text)
    assert sent.elapsed_ms < 1000 and not sent.body
    answer = bot.answer(sent, timeout=20)
    shown = bot.seen(sent, settle=0.3)
    assert len(shown) == 2 and is_progress(shown[0]) and shown[1] == answer
    assert "Still looking" in all_text(shown[0]) and len(all_text(shown[0])) < 120
    assert expect in all_text(answer)  # the answer is whole on its own


def test_a_failure_is_the_one_answer(bot: BotUnderTest) -> None:
    bot.org.set_faults({"status": 500, "count": 5})
    sent = bot.command("/account", "Acme Corp")
    answer = bot.answer(sent)
    assert "Salesforce is not answering right now" in all_text(answer)
    assert bot.seen(sent, settle=bot.services.slow_after) == [answer]


@pytest.mark.parametrize(
    ("command", "text"),
    [("/account", "help"), ("/order", "abc"), ("/digest", "nonsense"), ("/escalations", "?")],
)
def test_usage_in_the_ack_is_the_one_answer(bot: BotUnderTest, command: str, text: str) -> None:
    sent = bot.command(command, text)
    assert command in all_text(bot.answer(sent))
    assert len(bot.seen(sent, settle=0.3)) == 1 and bot.sf_requests() == []


# --- 2. typed links ---------------------------------------------------------------------


def test_a_typed_domain_finds_the_account_named_so(bot: BotUnderTest) -> None:
    sent = bot.command("/account", "Booking.com")
    assert sent.payload["text"] == "<http://Booking.com|Booking.com>"  # as Slack sends it
    text = all_text(bot.answer(sent))
    assert "Booking.com" in text and "Health" in text and "http://" not in text


@pytest.mark.parametrize(
    ("command", "typed", "expect"),
    [
        ("/orders", "Booking.com", "00000140"),
        ("/orders", "booking.com", "00000140"),
        ("/escalations", "Booking.com", "matching “Booking.com”"),
        ("/account", "ana.rep@example.com", "No account matches *ana.rep@example.com*"),
        ("/orders", "support@booking.com", "support@booking.com"),
    ],
)
def test_links_and_addresses_read_as_typed(
    bot: BotUnderTest, command: str, typed: str, expect: str
) -> None:
    sent = bot.command(command, typed)
    assert sent.payload["text"].startswith("<")  # Slack made a link of it
    text = all_text(bot.answer(sent))
    assert expect in text and "mailto:" not in text and "http://" not in text


@pytest.mark.parametrize(
    "sent_as",
    [
        f"<https://acme.lightning.force.com/lightning/r/Account/{ACME}/view|the big one>",
        f"<https://acme.my.salesforce.com/{ACME[:15]}|Acme>",
        f"<https://acme.lightning.force.com/lightning/r/{ACME}/view>",
    ],
)
def test_a_link_to_a_salesforce_record_is_that_record(bot: BotUnderTest, sent_as: str) -> None:
    text = all_text(bot.answer(bot.command("/account", sent_as=sent_as)))
    assert "Acme Corp" in text and "Health" in text


def test_an_order_link_is_that_order(bot: BotUnderTest) -> None:
    link = f"<https://acme.lightning.force.com/lightning/r/Order/{BOOKING_ORDER}/view|my order>"
    assert "Order 00000140" in all_text(bot.answer(bot.command("/order", sent_as=link)))


# --- 3. mentions: channels, people, user groups ------------------------------------------


def test_digest_subscribe_takes_the_team_as_its_channel(bot: BotUnderTest) -> None:
    # Digest subscriptions are for the team's managers (Marcus) and ACCTBOT_ADMINS.
    sent = bot.command("/digest", "subscribe #smb-east weekly", user=MARCUS)
    assert sent.payload["text"] == "subscribe <#C0SMBEAST01|smb-east> weekly"
    answer = all_text(bot.answer(sent))
    assert "This channel gets *smb-east*'s weekly digest" in answer
    assert subscribed(bot) == [("smb-east", "weekly", CHANNEL, True)]
    preview = all_text(bot.answer(bot.command("/digest", "preview #smb-east", user=MARCUS)))
    assert "smb-east" in preview and "daily digest" in preview
    gone = all_text(bot.answer(bot.command("/digest", "unsubscribe #smb-east weekly", user=MARCUS)))
    assert "no longer gets: smb-east weekly" in gone


def test_a_channel_names_the_team_whose_channel_it_is_or_whose_name_it_carries(
    bot: BotUnderTest,
) -> None:
    bot.services.teams = parse_teams(TEAMS_WITH_MEDIA)
    # #smb-east is smb-east's channel; #general is media-sales's channel in the teams
    # file; #media-sales is nobody's channel but carries media-sales's name.
    assert "team smb-east" in all_text(bot.ask("/pipeline", "#smb-east"))
    assert "team media-sales" in all_text(bot.ask("/pipeline", "#general"))
    assert "team media-sales" in all_text(bot.ask("/pipeline", "#media-sales"))
    nobody = all_text(bot.ask("/pipeline", "#escalations"))
    assert "#escalations is not a team's channel" in nobody and "`smb-east`" in nobody
    no_team = all_text(bot.ask("/digest", "subscribe #escalations", user=MARCUS))
    assert "#escalations is not a team's channel" in no_team and subscribed(bot) == []


def test_people_are_mentions(bot: BotUnderTest) -> None:
    for command in ("/pipeline", "/orders"):
        sent = bot.command(command, "@raj.rep")
        assert sent.payload["text"] == f"<@{RAJ}|raj.rep>"
        assert "Raj Patel" in all_text(bot.answer(sent))
    escalations = all_text(bot.ask("/escalations", "@raj.rep"))
    assert "filed by or assigned to @raj.rep" in escalations
    person = all_text(bot.ask("/account", "@raj.rep"))
    assert "@raj.rep is a person, not an account" in person
    assert RAJ_SF not in json.dumps(bot.sf_requests())  # nobody looked Raj up as an account


@pytest.mark.parametrize("command", ["/orders", "/pipeline", "/account", "/escalations"])
@pytest.mark.parametrize("typed", ["@smb-sales", "@here"])
def test_a_user_group_or_everyone_gets_a_clear_answer(
    bot: BotUnderTest, command: str, typed: str
) -> None:
    sent = bot.command(command, typed)
    assert sent.payload["text"] in ("<!subteam^S0SMBSALES|@smb-sales>", "<!here>")
    text = all_text(bot.answer(sent))
    assert typed in text
    assert any(w in text for w in ("user group", "everyone here", "not an account", "not one"))
    assert bot.sf_requests() == []


def test_the_escalation_form_reads_its_argument_and_type_ahead_as_slack_sends_them(
    bot: BotUnderTest,
) -> None:
    before = len(bot.slack.views_opened())
    sent = bot.command("/escalate", "Booking.com")
    assert sent.payload["text"] == "<http://Booking.com|Booking.com>" and not sent.body
    bot.slack.wait_until(lambda: len(bot.slack.views_opened()) > before, timeout=5)
    view = bot.slack.open_views(ANA)[-1]
    account = view["blocks"][0]["element"]
    assert account["initial_option"]["value"] == BOOKING  # pre-filled: the typed domain

    record = f"https://acme.lightning.force.com/lightning/r/Account/{ACME}/view"
    for value, expect in [
        ("Booking.com", "Booking.com"),
        ("<http://Booking.com|Booking.com>", "Booking.com"),
        (record, "Acme Corp"),
        (f"<{record}|Acme>", "Acme Corp"),
    ]:
        options = bot.slack.block_suggestion(
            bot.url, user_id=ANA, action_id="escalation_account", block_id="account",
            value=value, view=view,
        )  # fmt: skip
        assert options.status == 200 and options.problems == []
        labels = [o["text"]["text"] for o in options.body["options"]]
        assert labels and labels[0].startswith(expect), (value, labels)


# --- 4. subscribing where the bot can post ------------------------------------------------


def test_a_private_channel_the_bot_is_not_in_is_not_subscribed(bot: BotUnderTest) -> None:
    sent = bot.command("/digest", "subscribe smb-east", channel=PRIVATE, user=MARCUS)
    text = all_text(bot.answer(sent))
    assert "I'm not in this private channel" in text and "/invite @acctbot" in text
    assert "This channel gets" not in text and subscribed(bot) == []

    bot.slack.invite_bot(PRIVATE, by=ANA)
    try:
        sent = bot.command("/digest", "subscribe smb-east", channel=PRIVATE, user=MARCUS)
        ok = all_text(bot.answer(sent))
        assert "This channel gets *smb-east*'s daily digest" in ok
        assert subscribed(bot) == [("smb-east", "daily", PRIVATE, True)]
        team = bot.services.teams.get("smb-east")
        assert team is not None
        delivery = digests.find_delivery(bot.services, team, "daily", PRIVATE)
        item = digests.Item(delivery, digests.current_period(bot.services, delivery))
        (outcome,) = digests.run_batch(bot.services, [item])
        assert outcome.status == "posted"
        assert posts(bot.slack, PRIVATE)[-1]["ts"] == outcome.ts
    finally:
        bot.slack.remove_bot(PRIVATE)


def test_a_public_channel_is_joined_when_subscribed(bot: BotUnderTest) -> None:
    bot.slack.remove_bot("C0ENTNYC001")
    sent = bot.command("/digest", "subscribe smb-east", channel="C0ENTNYC001", user=MARCUS)
    text = all_text(bot.answer(sent))
    assert "This channel gets *smb-east*'s daily digest" in text
    assert bot.slack.calls_to("conversations.join")[-1].args["channel"] == "C0ENTNYC001"
    info = bot.services.slack.conversations_info(channel="C0ENTNYC001")  # type: ignore[union-attr]
    assert info["channel"]["is_member"] is True


def test_a_dm_is_not_a_digest_channel(bot: BotUnderTest) -> None:
    dm = bot.slack.dm_channel_id(MARCUS)
    text = all_text(
        bot.answer(bot.command("/digest", "subscribe smb-east", channel=dm, user=MARCUS))
    )
    assert "Digests go to channels" in text and subscribed(bot) == []


# --- 5. #names resolved at start; posting where the bot has not joined ----------------------


def test_channel_names_become_ids_at_start_and_posts_there_stay_exactly_once(
    org: SandboxOrg,
) -> None:
    org.load(linked_org())
    org.set_now(NOW)
    teams = parse_teams(TEAMS_YAML.replace("C0SMBEAST01", "'#smb-east'"))
    with SlackStandIn() as slack:
        populate_workspace(slack)
        bot = start_bot(org, slack, teams=teams, ESCALATION_CHANNEL="#escalations")
        try:
            team = bot.services.teams.get("smb-east")
            assert team is not None and team.channel == "C0SMBEAST01"
            assert bot.services.settings.escalation_channel == "C0ESCALATE1"
            assert len(slack.calls_to("conversations.list")) == 1

            # acctbot never joined #smb-east; the first post there loses its answer.
            slack.fail("chat.postMessage", drop=True, count=1)
            poster = SlackPoster(
                bot.services.slack,  # type: ignore[arg-type]
                sleep=lambda s: None,
                channels=bot.services.channels,
            )
            outcome = digests.send_now(bot.services, team, "daily", poster=poster)
            assert outcome.status == "posted"
            (digest,) = posts(slack, "C0SMBEAST01")  # found in history, not posted again
            assert outcome.ts == digest["ts"]
            assert slack.calls_to("conversations.history")[-1].ok
        finally:
            bot.stop()


# --- 6. errors on shared messages go to the presser ------------------------------------------


@pytest.mark.parametrize(("command", "text"), [("/account", "Acme Corp"), ("/orders", "mine")])
def test_refresh_on_a_shared_card_while_salesforce_fails_tells_only_the_presser(
    bot: BotUnderTest, command: str, text: str
) -> None:
    card = bot.ask(command, text)
    share = press(bot, card, "share_card")
    bot.answer(share, predicate=lambda p: p.body.get("response_type") == "in_channel")
    shared = posts(bot.slack, CHANNEL)[-1]
    assert shared.get("bot_id") and "Refresh" in all_text(shared)

    bot.org.set_faults({"status": 500, "count": 10})
    click = press(bot, shared, "refresh_card", user=RAJ)
    answer = bot.answer(click)
    assert "Salesforce is not answering right now" in all_text(answer)
    assert answer["response_type"] == "ephemeral" and answer.get("replace_original") is False
    time.sleep(0.3)
    after = next(m for m in posts(bot.slack, CHANNEL) if m["ts"] == shared["ts"])
    assert after == shared  # untouched for everyone in the channel
    ephemeral = bot.slack.ephemeral_messages(RAJ, CHANNEL)[-1]
    assert "not answering" in ephemeral["text"]

    bot.org.set_faults({})  # once Salesforce is back, Refresh updates the shared card
    again = bot.answer(press(bot, shared, "refresh_card", user=RAJ))
    assert again["replace_original"] is True and "Refresh" in all_text(again)


def test_an_error_on_a_private_card_keeps_the_card(bot: BotUnderTest) -> None:
    card = bot.ask("/account", "Acme Corp")
    bot.org.set_faults({"status": 500, "count": 10})
    click = press(bot, card, "refresh_card")
    answer = bot.answer(click)
    assert "not answering" in all_text(answer) and answer.get("replace_original") is False
    assert [p.effect for p in bot.slack.responses(click.response_url)] == ["ephemeral"]


# --- 7. a retried event is handled once -----------------------------------------------------


def test_a_retried_event_is_handled_once_even_on_another_replica(
    org: SandboxOrg, tmp_path: Path
) -> None:
    org.load(linked_org())
    org.set_now(NOW)
    shared_db = f"sqlite:///{tmp_path}/shared.db"
    with SlackStandIn() as slack:
        populate_workspace(slack)
        first = start_bot(org, slack, DATABASE_URL=shared_db)
        second = start_bot(org, slack, DATABASE_URL=shared_db)
        try:
            event = {"type": "app_home_opened", "user": ANA, "tab": "home",
                     "channel": slack.dm_channel_id(ANA)}  # fmt: skip
            sent = slack.event(first.url, event)
            assert sent.status == 200 and [a.retry_num for a in sent.attempts] == [0]
            slack.wait_for("views.publish", timeout=15)
            # Slack retries (its copy of the answer was lost): same event_id, Retry-Num 1,
            # on the other replica; then once more on the first.
            retry = slack.redeliver(second.url, sent)
            again = slack.redeliver(first.url, retry)
            assert [a.retry_num for a in again.attempts] == [0, 1, 2]
            assert retry.status == 200 and again.status == 200
            assert retry.payload["event_id"] == sent.payload["event_id"]
            time.sleep(1.0)
            assert len(slack.calls_to("views.publish")) == 1
            # A new event (a new id) is handled as usual.
            slack.event(second.url, event)
            slack.wait_until(lambda: len(slack.calls_to("views.publish")) == 2, timeout=15)
        finally:
            first.stop()
            second.stop()


def test_alerts_past_slacks_posting_rate_arrive_once_each(bot: BotUnderTest) -> None:
    """About one message a second per channel after a short burst (the stand-in: 6): a
    burst of alerts to one channel is slowed by 429s with Retry-After, never doubled."""
    from bot.blocks import Message
    from bot.delivery import outbox
    from bot.infra.models import OutboxMessage

    channel = "C0MEDIA0001"
    keys = [f"rate-test:{n}" for n in range(9)]
    with bot.services.db.session() as s:
        s.execute(delete(OutboxMessage).where(OutboxMessage.key.like("rate-test:%")))
        for n, key in enumerate(keys):
            outbox.enqueue_post(
                s, key=key, target=channel, message=Message(f"alert {n}"), kind="test"
            )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        outbox.deliver_due(bot.services)
        with bot.services.db.session() as s:
            rows = s.scalars(select(OutboxMessage).where(OutboxMessage.key.in_(keys))).all()
            if all(r.delivered_at is not None for r in rows):
                break
        time.sleep(0.2)
    texts = [m["text"] for m in posts(bot.slack, channel) if m["text"].startswith("alert ")]
    assert sorted(texts) == sorted(f"alert {n}" for n in range(9))  # each exactly once
    limited = [c for c in bot.slack.calls_to("chat.postMessage") if c.status == 429]
    assert limited  # Slack did push back
