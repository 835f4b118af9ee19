"""Digest content against the sandbox org, figures checked by hand (tests/support/digest_org.py),
posted through the real app's services to the Slack stand-in."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete

from bot.digests import data as digest_data
from bot.digests import service as digests
from bot.digests.render import paginate, to_terminal
from bot.infra.models import DigestRun, DigestSubscription, Escalation
from bot.standins.salesforce.server import SandboxOrg
from bot.teams import parse_teams
from tests.support.blockcheck import all_text, assert_valid_message
from tests.support.digest_org import EIGHT_AM, OTHER, digest_org, quiet_org
from tests.support.harness import BotUnderTest, posts
from tests.support.orgdata import ACME, ANA_SF, TEAMS_YAML

SMB = "C0SMBEAST01"


@pytest.fixture
def bot(org: SandboxOrg, running_bot: BotUnderTest) -> BotUnderTest:
    org.load(digest_org())
    org.set_now(EIGHT_AM + dt.timedelta(minutes=1))
    org.clear_log()
    with running_bot.services.db.session() as s:
        s.execute(delete(DigestRun))
        s.execute(delete(DigestSubscription))
    running_bot.services.teams = parse_teams(TEAMS_YAML)
    running_bot.slack.clear()
    running_bot.slack.clear_faults()
    _baseline.clear()
    _baseline.update({ch: len(posts(running_bot.slack, ch)) for ch in CHANNELS})
    return running_bot


CHANNELS = ("C0SMBEAST01", "C0MEDIA0001", "C0ENTNYC001", "C0GENERAL01")
_baseline: dict[str, int] = {}


def new_messages(bot: BotUnderTest, channel: str = SMB) -> list[dict]:
    """Messages posted in ``channel`` during this test (the stand-in keeps history)."""
    return posts(bot.slack, channel)[_baseline.get(channel, 0) :]


def team(bot: BotUnderTest, name: str = "smb-east"):  # type: ignore[no-untyped-def]
    found = bot.services.teams.get(name)
    assert found is not None
    return found


def posted(bot: BotUnderTest, kind: str = "daily") -> dict:
    outcome = digests.send_now(bot.services, team(bot), kind)
    assert outcome.status == "posted", outcome
    messages = new_messages(bot)
    assert len(messages) == 1
    assert_valid_message(messages[0])
    return messages[0]


# --- daily ----------------------------------------------------------------------------


def test_daily_sections_hand_checked(bot: BotUnderTest) -> None:
    msg = posted(bot)
    text = all_text(msg)
    assert "smb-east · daily digest · Wed Nov 18" in text
    # Activated yesterday (Nov 17, New York): 125 ($78), 127 ($1,200), and 129 at 23:30
    # local (04:30 UTC on the 18th); 130 (23:30 on the 16th) and Marcus's 136 are out.
    assert "*Activated yesterday*  3 orders · $1,778" in text
    assert "largest <" in text and "|00000127> $1,200" in text
    assert "00000130" not in text and "00000136" not in text and "99,999" not in text
    assert "*New orders*  2 · $1,500" in text and "00000128" in text
    # Not-dones, oldest first, with their ages; 128 (effective next week) is not one.
    nd = text[text.index("*Not done*") :]
    assert "*Not done*  3 orders · $1,392" in nd
    assert nd.index("00000124") < nd.index("00000123") < nd.index("00000126")
    assert "pending install for 29 days" in nd and "draft 16 days past its effective date" in nd
    assert "*Won yesterday*  1 deal · $40,000" in text and "Big win" in text
    assert "*Lost yesterday*  1 deal · $7,000" in text and "Lost bid" in text
    assert "Not ours" not in text and "88,000" not in text
    assert "*Closing this week*  2 deals · $65,000" in text
    assert "Fri Nov 20" in text and "Sat Nov 21" in text and "SIP trunks" not in text
    assert "*High-priority cases opened*  1" in text and "Outage at HQ" in text
    assert "Not our case" not in text
    assert "*Escalated cases open*  1" in text and "Double-billed" in text
    assert "2 days old" in text and "Old escalation, closed" not in text
    # Links go to the Salesforce records; the not-dones are grouped under their accounts.
    assert f"/lightning/r/{ACME}/view|Acme Corp> — 2 orders · $942 · oldest 29 days" in nd
    assert text.count(f"/lightning/r/{ACME}/view") == 1  # elsewhere accounts are named
    assert "/lightning/r/8010000000001" in text
    # Fixed number of Salesforce queries: orders, not-dones, opportunities, cases, in
    # one composite request.
    assert len(bot.sf_queries()) == 4 and len(bot.sf_requests()) == 1


def test_open_escalations_from_the_local_log(bot: BotUnderTest) -> None:
    opened = dt.datetime(2026, 11, 13, 15, 0, tzinfo=dt.UTC)

    def esc(n: int, account: str, name: str, status: str, what: str) -> Escalation:
        return Escalation(
            ref=f"ESC-000{n}", account_id=account, account_name=name, category="billing",
            severity="P1", description=f"{what}\nmore detail", reporter="U0ANA00001",
            status=status, created_at=opened, updated_at=opened,
        )  # fmt: skip

    with bot.services.db.session() as s:
        s.add_all(
            [
                esc(1, ACME, "Acme Corp", "open", "Install slipped twice"),
                esc(2, OTHER, "Other Co", "open", "Not ours"),
                esc(3, ACME, "Acme Corp", "acknowledged", "Credit pending"),
                esc(4, ACME, "Acme Corp", "resolved", "Fixed already"),
            ]
        )
    try:
        text = all_text(posted(bot))
    finally:
        with bot.services.db.session() as s:
            s.execute(delete(Escalation))
    assert "*Open escalations*  2" in text
    assert "ESC-0001" in text and "Install slipped twice" in text and "5 days old" in text
    assert "ESC-0003" in text and "acknowledged" in text and "more detail" not in text
    assert "ESC-0002" not in text and "ESC-0004" not in text
    # + one query for the escalated accounts' owners
    assert len(bot.sf_queries()) == 5 and len(bot.sf_requests()) == 2


def test_an_all_quiet_day_is_one_line(bot: BotUnderTest) -> None:
    bot.org.load(quiet_org())
    msg = posted(bot)
    assert len(msg["blocks"]) == 1
    assert "all quiet yesterday" in all_text(msg)


def test_monday_covers_the_weekend(bot: BotUnderTest) -> None:
    bot.org.set_now(dt.datetime(2026, 11, 23, 13, 1, tzinfo=dt.UTC))  # Mon 8:01
    text = all_text(posted(bot))
    assert "Mon Nov 23 (since Fri Nov 20)" in text


def test_long_digest_continues_in_the_thread(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digest_data, "LIST_LIMIT", 1000)
    data = digest_org()
    long_name = "Very Long Account Name Incorporated " * 2
    data["Account"].append({"Id": "001000000000099AAA", "Name": long_name, "OwnerId": ANA_SF})
    for i in range(400):
        data["Order"].append(
            {
                "OrderNumber": f"{5000 + i:08d}",
                "AccountId": "001000000000099AAA",
                "Status": "Activated",
                "EffectiveDate": "2026-11-17",
                "CreatedDate": "2026-11-17T15:00:00.000+0000",
                "ActivatedDate": "2026-11-17T16:00:00.000+0000",
                "TotalAmount": 100.0 + i,
            }
        )
        data["Order"].append(
            {
                "OrderNumber": f"{6000 + i:08d}",
                "AccountId": "001000000000099AAA",
                "Status": "Draft",
                "EffectiveDate": "2026-11-10",
                "CreatedDate": "2026-11-03T15:00:00.000+0000",
                "TotalAmount": 10.0,
            }
        )
    bot.org.load(data)
    outcome = digests.send_now(bot.services, team(bot))
    assert outcome.status == "posted"
    messages = new_messages(bot)
    top = [m for m in messages if m.get("thread_ts") in (None, m["ts"])]
    replies = [m for m in messages if m.get("thread_ts") and m["ts"] != m["thread_ts"]]
    assert len(top) == 1 and replies
    assert all(r["thread_ts"] == top[0]["ts"] for r in replies)
    for m in messages:
        assert_valid_message(m)
    assert "Continued in the thread" in all_text(top[0])
    assert len(messages) <= 3  # never more than the message and two replies
    everything = "\n".join(all_text(m) for m in messages)
    assert everything.count("|0000") >= 800  # 400 activated + 400 new lines
    # The 400 not-dones are one account's: one line with its count and its oldest three.
    assert "— 400 orders · $4,000 · oldest 15 days" in everything
    assert everything.count("draft 8 days past its effective date") == 3
    assert len(bot.sf_queries()) == 4


def test_paginate_keeps_every_block() -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": str(i)}} for i in range(120)]
    parts = paginate(blocks, "digest")
    assert [len(p.blocks) for p in parts] == [50, 50, 21]
    kept = [b for p in parts for b in p.blocks if b["type"] == "section"]
    assert [b["text"]["text"] for b in kept] == [str(i) for i in range(120)]


# --- weekly and monthly ---------------------------------------------------------------


def test_weekly_bookings_and_activations_against_the_week_before(bot: BotUnderTest) -> None:
    text = all_text(posted(bot, "weekly"))
    assert "smb-east · weekly report · week of Nov 8–Nov 14" in text
    assert "*Bookings*  $15,000 in 2 deals (:arrow_up: from $8,000, 88%)" in text
    assert "*Activations*  1 order · $2,000 (same as the week before)" in text
    assert "*Ana Ruiz*  booked $10,000 (1) vs $8,000 (1) · activated 1 ($2,000) vs 0 ($0)" in text
    assert "*Raj Patel*  booked $5,000 (1) vs $0 (0) · activated 0 ($0) vs 1 ($700)" in text
    assert len(bot.sf_queries()) == 2 and len(bot.sf_requests()) == 1


def test_monthly_productivity(bot: BotUnderTest) -> None:
    text = all_text(posted(bot, "monthly"))
    assert "smb-east · monthly productivity · October 2026" in text
    assert "*Orders processed*  4" in text and "*Activated*  3 · $4,500" in text
    assert "*Average time from order to activation*  4.5 days" in text
    assert "*Raj Patel*  1 processed · 2 activated ($3,500) · avg 4.8 days" in text
    assert "*Ana Ruiz*  3 processed · 1 activated ($1,000) · avg 4.0 days" in text
    assert len(bot.sf_requests()) == 1


# --- several teams, one query set -----------------------------------------------------

MANY_TEAMS = """\
timezone: America/New_York
teams:
  - name: smb-east
    channel: C0SMBEAST01
    owners: [ana.rep@example.com, raj.rep@example.com]
  - name: raj-west
    channel: C0MEDIA0001
    timezone: America/Los_Angeles
    schedule: "0 5 * * mon-fri"
    owners: [raj.rep@example.com]
  - name: ana-only
    channel: C0ENTNYC001
    owners: [ana.rep@example.com]
  - name: later
    channel: C0GENERAL01
    schedule: "0 9 * * mon-fri"
    owners: [ana.rep@example.com]
"""


def test_teams_due_together_share_one_query_set(bot: BotUnderTest) -> None:
    bot.services.teams = parse_teams(MANY_TEAMS)
    outcomes = digests.run_due(
        bot.services,
        kind="daily",
        team="smb-east",
        channel=SMB,
        schedule="0 8 * * mon-fri",
        timezone="America/New_York",
    )
    # 8:00 New York = 5:00 Los Angeles: three teams due now; "later" (9:00) is not.
    assert sorted(o.item.delivery.team.name for o in outcomes) == [
        "ana-only",
        "raj-west",
        "smb-east",
    ]
    assert all(o.status == "posted" for o in outcomes)
    assert len(bot.sf_queries()) == 4  # the same four queries as for one team
    assert len(bot.sf_requests()) == 1
    raj = all_text(new_messages(bot, "C0MEDIA0001")[0])
    ana = all_text(new_messages(bot, "C0ENTNYC001")[0])
    assert "00000127" in raj and "00000125" not in raj  # Raj's accounts only
    assert "00000125" in ana and "00000127" not in ana
    assert new_messages(bot, "C0GENERAL01") == []
    # The other teams' jobs fire too: nothing more is posted or queried.
    bot.org.clear_log()
    again = digests.run_due(
        bot.services,
        kind="daily",
        team="raj-west",
        channel="C0MEDIA0001",
        schedule="0 5 * * mon-fri",
        timezone="America/Los_Angeles",
    )
    assert {o.status for o in again} == {"already posted"}
    assert bot.sf_requests() == []


# --- the terminal ---------------------------------------------------------------------


def test_terminal_preview_reads_plainly(bot: BotUnderTest) -> None:
    text = to_terminal(digests.preview(bot.services, team(bot)))
    assert text.startswith("smb-east · daily digest · Wed Nov 18\n====")
    assert "Activated yesterday 3 orders · $1,778 · largest 00000127 $1,200" in text
    assert "• Acme Corp — 2 orders · $942 · oldest 29 days" in text
    assert "◦ 00000124 — pending install for 29 days" in text
    assert "<http" not in text and ":white_check_mark:" not in text
    assert new_messages(bot) == []  # a preview posts nothing
