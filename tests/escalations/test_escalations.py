"""Escalations end to end: signed slash commands, modal submissions and button clicks
over HTTP to the real app, which reads the sandbox org, writes the local database and
posts through the outbox to the Slack stand-in.

Org for these tests: Ana (rep) reports to Priya in Salesforce, Priya to Denise; Marcus
manages Ana's team in the teams file. So an escalation on Ana's account alerts Marcus
(team) and Priya (Salesforce manager); SLA reminders widen to Denise.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from bot.delivery import outbox
from bot.delivery.posting import keyed
from bot.escalations import service as escalations
from bot.escalations.sla import SlaPolicy, add_business_days
from bot.infra.models import (
    Counter,
    Escalation,
    EscalationHistory,
    EscalationRecipient,
    OutboxMessage,
)
from bot.settings import ConfigError, Settings
from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SentRequest
from tests.support import raw
from tests.support.blockcheck import all_text, assert_valid_message
from tests.support.harness import ANA, MARCUS, RAJ, BotUnderTest
from tests.support.orgdata import ANA_SF, NOW, small_org

PRIYA = "U0MGR00002"
DENISE = "U0DIR00001"
PRIYA_SF = "005000000000005AAA"
DENISE_SF = "005000000000004AAA"
ESC_CHANNEL = "C0ESCALATE1"
_since = [0.0]  # Slack messages before this test started are ignored (refs restart)


def chain_org() -> dict[str, list[dict[str, Any]]]:
    data = small_org()
    data["User"] += [
        {
            "Id": DENISE_SF,
            "FirstName": "Denise",
            "LastName": "Caldwell",
            "Email": "denise.caldwell@example.com",
        },
        {
            "Id": PRIYA_SF,
            "FirstName": "Priya",
            "LastName": "Natarajan",
            "Email": "priya.natarajan@example.com",
            "ManagerId": DENISE_SF,
        },
    ]
    for user in data["User"]:
        if user["Id"] == ANA_SF:
            user["ManagerId"] = PRIYA_SF
    return data


@pytest.fixture
def bot(org: SandboxOrg, running_bot: BotUnderTest) -> Iterator[BotUnderTest]:
    org.load(chain_org())
    org.set_now(NOW)
    running_bot.forget(ANA, MARCUS, PRIYA, RAJ, DENISE)  # who they are is known
    org.clear_log()
    svc = running_bot.services
    svc.sla = SlaPolicy()
    running_bot.slack.up()
    running_bot.slack.clear()
    running_bot.slack.clear_faults()
    with svc.db.session() as s:  # a clean log (Core deletes; the ORM forbids them)
        for table in (OutboxMessage, EscalationRecipient, EscalationHistory, Escalation):
            s.execute(delete(table))
        s.execute(update(Counter).values(value=0))
    _since[0] = running_bot.slack.now()
    yield running_bot
    running_bot.slack.up()
    running_bot.slack.clear_faults()
    org.set_faults({})
    with contextlib.suppress(AssertionError):  # let this test's deliveries finish
        settle(running_bot, timeout=10)


# --- helpers --------------------------------------------------------------------------


def open_form(bot: BotUnderTest, text: str = "Acme Corp", user: str = ANA) -> dict[str, Any]:
    before = len(bot.slack.views_opened())
    sent = bot.command("/escalate", text, user=user)
    assert sent.status == 200 and sent.user_error is None and sent.elapsed_ms < 3000
    bot.slack.wait_until(lambda: len(bot.slack.views_opened()) > before, timeout=5)
    view = bot.slack.open_views(user)[-1]
    assert view["callback_id"] == "escalation_new" and len(view["blocks"]) <= 100
    return view


def submit(
    bot: BotUnderTest,
    view: dict[str, Any],
    *,
    user: str = ANA,
    account: Any = "initial",
    order: str | None = None,
    category: str = "billing",
    severity: str = "P1",
    description: str = "Customer was double-billed for the static IP block",
    due: int | None = None,
) -> SentRequest:
    values: dict[str, dict[str, Any]] = {
        "category": {"category_select": category},
        "severity": {"severity_select": severity},
        "description": {"description_input": description},
    }
    block = next(b for b in view["blocks"] if b.get("block_id") == "account")
    if account == "initial":
        account = block["element"].get("initial_option")
    if account:
        values["account"] = {"escalation_account": account}
    if order is not None:
        values["order"] = {"order_input": order}
    if due is not None:
        values["due"] = {"due_input": due}
    sent = bot.slack.view_submission(bot.url, user_id=user, view=view, values=values)
    assert sent.status == 200 and sent.user_error is None and sent.elapsed_ms < 3000, sent
    assert sent.problems == []
    return sent


def file_one(bot: BotUnderTest, **kw: Any) -> Escalation:
    sent = submit(bot, open_form(bot), **kw)
    assert sent.body["response_action"] == "update", sent.body
    settle(bot)
    rows, _ = escalations.search(bot.services, text=None)
    return rows[0]


def settle(bot: BotUnderTest, timeout: float = 15.0) -> None:
    """Until the outbox is empty (delivering too, as the scheduled job would)."""
    deadline = time.monotonic() + timeout
    while True:
        outbox.deliver_due(bot.services)
        with bot.services.db.session() as s:
            if outbox.pending(s) == 0:
                return
        assert time.monotonic() < deadline, "the outbox did not drain"
        time.sleep(0.2)


def with_ref(messages: list[dict[str, Any]], ref: str) -> list[dict[str, Any]]:
    return [m for m in messages if ref in m.get("text", "") and float(m["ts"]) >= _since[0]]


def alert_in(bot: BotUnderTest, channel: str, ref: str) -> dict[str, Any]:
    (message,) = with_ref(bot.slack.messages(channel), ref)
    return message


def click(bot: BotUnderTest, user: str, action_id: str, message: dict[str, Any],
          channel: str = ESC_CHANNEL) -> SentRequest:  # fmt: skip
    sent = bot.slack.block_action(
        bot.url, user_id=user, action_id=action_id, message=message, channel_id=channel
    )
    assert sent.status == 200 and sent.elapsed_ms < 3000
    return sent


def history(bot: BotUnderTest, esc_id: int) -> list[tuple[str, str, str | None, str | None]]:
    with bot.services.db.session() as s:
        rows = s.scalars(
            select(EscalationHistory)
            .where(EscalationHistory.escalation_id == esc_id)
            .order_by(EscalationHistory.id)
        ).all()
        return [(h.actor, h.action, h.from_value, h.to_value) for h in rows]


# --- filing ---------------------------------------------------------------------------


def test_escalate_opens_a_prefilled_modal_and_filing_alerts_channel_and_managers(
    bot: BotUnderTest,
) -> None:
    view = open_form(bot, "Acme Corp")
    account = view["blocks"][0]["element"]
    assert account["type"] == "external_select" and account["min_query_length"] == 2
    assert account["initial_option"]["value"].startswith("001000000000001")
    sent = submit(bot, view, due=int((NOW + dt.timedelta(days=1)).timestamp()))
    filed = sent.body["view"]
    assert "ESC-0001" in all_text(filed) and "is filed" in all_text(filed)
    assert bot.slack.open_views(ANA)[-1]["title"]["text"] == "Escalation filed"

    # In the database before the user was told (the answer came after the commit).
    (esc,), total = escalations.search(bot.services)
    assert total == 1 and esc.ref == "ESC-0001" and esc.status == "open"
    assert (esc.account_name, esc.category, esc.severity) == ("Acme Corp", "billing", "P1")
    assert esc.reporter == ANA and esc.owner_name == "Ana Ruiz"
    assert esc.due_at == NOW + dt.timedelta(days=1)
    assert esc.next_reminder_at == NOW + dt.timedelta(minutes=30)
    assert history(bot, esc.id)[0] == (ANA, "filed", None, "open")

    settle(bot)
    channel_card = alert_in(bot, ESC_CHANNEL, "ESC-0001")
    assert_valid_message(channel_card)
    text = all_text(channel_card)
    assert "Acme Corp" in text and "P1" in text and "double-billed" in text
    buttons = [e["action_id"] for b in channel_card["blocks"] if b["type"] == "actions"
               for e in b["elements"]]  # fmt: skip
    assert buttons == ["escalation_ack", "escalation_resolve", "escalation_reassign"]
    for manager in (MARCUS, PRIYA):  # team manager (teams file), Salesforce manager
        assert_valid_message(alert_in(bot, manager, "ESC-0001"))
    assert with_ref(bot.slack.dm_messages(DENISE), "ESC-0001") == []  # not yet
    (notice,) = with_ref(bot.slack.dm_messages(ANA), "ESC-0001")
    assert "You filed *ESC-0001*" in all_text(notice)
    with bot.services.db.session() as s:
        roles = dict(
            s.execute(
                select(EscalationRecipient.slack_user_id, EscalationRecipient.role).where(
                    EscalationRecipient.escalation_id == esc.id
                )
            ).all()
        )
    assert roles == {MARCUS: "team_manager", PRIYA: "sf_manager"}


@pytest.mark.parametrize(
    ("fields", "block", "says"),
    [
        ({"description": "broken"}, "description", "at least 10 characters"),
        ({"due": int((NOW - dt.timedelta(hours=1)).timestamp())}, "due", "already passed"),
        ({"order": "99999"}, "order", "no order 00099999"),
        ({"order": "banana"}, "order", "not an order number"),
        ({"account": None, "opened_with": ""}, "account", "Pick the account"),
        ({"order": "00000126"}, "order", "belongs to Acme Media Group"),
    ],
)
def test_validation_errors_show_inside_the_modal_and_nothing_is_written(
    bot: BotUnderTest, fields: dict[str, Any], block: str, says: str
) -> None:
    fields = dict(fields)
    # An untouched pre-filled account is submitted as it shows (as in Slack): a form with
    # no account is one opened without one.
    view = open_form(bot, fields.pop("opened_with", "Acme Corp"))
    sent = submit(bot, view, **fields)
    assert sent.body["response_action"] == "errors"
    assert says in sent.body["errors"][block]
    assert bot.slack.open_views(ANA)[-1]["callback_id"] == "escalation_new"  # still open
    assert escalations.search(bot.services)[1] == 0


def test_an_order_alone_gives_the_account(bot: BotUnderTest) -> None:
    view = open_form(bot, "123")
    order = next(b for b in view["blocks"] if b["block_id"] == "order")
    assert order["element"]["initial_value"] == "00000123"
    sent = submit(bot, view, account=None, order="00000123", category="order_quality")
    assert sent.body["response_action"] == "update"
    (esc,), _ = escalations.search(bot.services)
    assert (esc.order_number, esc.order_id) == ("00000123", "801000000000001AAA")
    assert esc.account_name == "Acme Corp" and esc.account_id == "001000000000001AAA"


def test_account_select_searches_salesforce(bot: BotUnderTest) -> None:
    view = open_form(bot, "")
    sent = bot.slack.block_suggestion(
        bot.url, user_id=ANA, action_id="escalation_account", block_id="account",
        value="acme", view=view,
    )  # fmt: skip
    assert sent.status == 200 and sent.problems == [] and sent.elapsed_ms < 3000
    labels = [o["text"]["text"] for o in sent.body["options"]]
    assert labels[0].startswith("Acme Corp") and labels[1].startswith("Acme Media Group")
    search, check = bot.sf_requests()[-2:]
    assert "LIKE '%acme%'" in search["soql"]
    assert "FROM UserRecordAccess" in check["soql"] and "001000000000002AAA" in check["soql"]


def test_escalate_button_on_an_account_card_opens_the_modal_for_that_account(
    bot: BotUnderTest,
) -> None:
    card = bot.ask("/account", "Acme Corp")
    escalate = next(
        e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == "escalate_from_card"
    )  # fmt: skip
    before = len(bot.slack.views_opened())
    sent = bot.slack.block_action(
        bot.url, user_id=ANA, action_id="escalate_from_card", value=escalate["value"],
        message={"ts": "1.0", "blocks": card["blocks"], "text": card["text"]},
    )  # fmt: skip
    assert sent.status == 200 and sent.elapsed_ms < 3000
    bot.slack.wait_until(lambda: len(bot.slack.views_opened()) > before, timeout=5)
    view = bot.slack.open_views(ANA)[-1]
    assert view["blocks"][0]["element"]["initial_option"]["text"]["text"] == "Acme Corp"


def test_escalate_help(bot: BotUnderTest) -> None:
    before = len(bot.slack.views_opened())
    sent = bot.command("/escalate", "help")
    assert "*/escalate* `[account or order]`" in json.dumps(sent.body)
    time.sleep(0.3)  # a modal would have been opened by now
    assert len(bot.slack.views_opened()) == before


# --- lifecycle and permissions --------------------------------------------------------


def test_lifecycle_updates_the_alerts_in_place_and_dms_the_reporter(bot: BotUnderTest) -> None:
    esc = file_one(bot)
    card = alert_in(bot, ESC_CHANNEL, esc.ref)
    click(bot, MARCUS, "escalation_ack", card)
    # The click is acknowledged at once and handled after: wait for the change itself.
    bot.slack.wait_until(lambda: escalations.get(bot.services, esc.id).status != "open")
    settle(bot)
    for where in (ESC_CHANNEL, MARCUS, PRIYA):
        updated = alert_in(bot, where, esc.ref)  # still one message: edited in place
        assert "acknowledged" in all_text(updated) and f"<@{MARCUS}>" in all_text(updated)
        assert "escalation_ack" not in json.dumps(updated["blocks"])
    assert alert_in(bot, ESC_CHANNEL, esc.ref)["ts"] == card["ts"]

    # Reassign to Raj through the modal.
    click(bot, PRIYA, "escalation_reassign", card)
    bot.slack.wait_until(lambda: bot.slack.open_views(PRIYA), timeout=5)
    modal = bot.slack.open_views(PRIYA)[-1]
    sent = bot.slack.view_submission(
        bot.url, user_id=PRIYA, view=modal, values={"assignee": {"assignee_select": RAJ}}
    )
    assert sent.status == 200 and not sent.body
    settle(bot)
    assert any("assigned *" in all_text(m) for m in with_ref(bot.slack.dm_messages(RAJ), esc.ref))
    assert f"<@{RAJ}>" in all_text(alert_in(bot, ESC_CHANNEL, esc.ref))

    # Resolve through the resolution modal.
    click(bot, MARCUS, "escalation_resolve", card)
    bot.slack.wait_until(lambda: bot.slack.open_views(MARCUS), timeout=5)
    modal = bot.slack.open_views(MARCUS)[-1]
    assert modal["callback_id"] == "escalation_resolve"
    sent = bot.slack.view_submission(
        bot.url, user_id=MARCUS, view=modal,
        values={"resolution": {"resolution_input": "Credit issued & billing fixed"}},
    )  # fmt: skip
    assert sent.status == 200 and not sent.body
    settle(bot)
    final = alert_in(bot, ESC_CHANNEL, esc.ref)
    assert_valid_message(final)
    assert "resolved" in all_text(final) and "Credit issued &amp; billing fixed" in all_text(final)
    assert not any(b["type"] == "actions" for b in final["blocks"])

    assert [h[1] for h in history(bot, esc.id)] == [
        "filed", "alerted", "acknowledged", "reassigned", "resolved",
    ]  # fmt: skip
    assert history(bot, esc.id)[3] == (PRIYA, "reassigned", MARCUS, RAJ)
    notices = [all_text(m) for m in with_ref(bot.slack.dm_messages(ANA), esc.ref)]
    assert len(notices) == 4  # filed, acknowledged, reassigned, resolved
    assert "resolved by" in notices[-1]


def test_only_managers_may_act(bot: BotUnderTest) -> None:
    esc = file_one(bot)
    card = alert_in(bot, ESC_CHANNEL, esc.ref)
    for action in ("escalation_ack", "escalation_resolve", "escalation_reassign"):
        sent = click(bot, RAJ, action, card)
        answer = bot.answer(sent)
        assert "not allowed" in answer["text"] and answer["response_type"] == "ephemeral"
    assert bot.slack.open_views(RAJ) == []
    assert escalations.get(bot.services, esc.id).status == "open"
    assert [h[1] for h in history(bot, esc.id)] == ["filed", "alerted"]


def test_two_managers_and_double_clicks_acknowledge_exactly_once(bot: BotUnderTest) -> None:
    esc = file_one(bot)
    card = alert_in(bot, ESC_CHANNEL, esc.ref)
    barrier = threading.Barrier(4)
    sent: list[SentRequest] = []

    def go(user: str) -> None:
        barrier.wait()
        sent.append(click(bot, user, "escalation_ack", card))

    threads = [threading.Thread(target=go, args=(u,)) for u in (MARCUS, MARCUS, PRIYA, PRIYA)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The clicks are answered at once; the acknowledgement follows on the worker pool.
    bot.slack.wait_until(
        lambda: any(h[1] == "acknowledged" for h in history(bot, esc.id)), timeout=10
    )
    settle(bot)
    acks = [h for h in history(bot, esc.id) if h[1] == "acknowledged"]
    assert len(acks) == 1
    winner = acks[0][0]
    losers = bot.slack.wait_until(
        lambda: (
            (r := [p for p in bot.slack.responses() if "already" in p.body.get("text", "")])
            and len(r) == 3
            and r
        ),
        timeout=5,
    )
    assert all(f"already acknowledged by <@{winner}>" in p.body["text"] for p in losers)
    assert escalations.get(bot.services, esc.id).acknowledged_by == winner


# --- SLA reminders --------------------------------------------------------------------


def test_sla_reminders_widen_up_the_chain_once_per_level(bot: BotUnderTest) -> None:
    svc = bot.services
    esc = file_one(bot, severity="P1")
    bot.org.set_now(NOW + dt.timedelta(minutes=29))
    assert escalations.run_sla_reminders(svc) == 0
    bot.org.set_now(NOW + dt.timedelta(minutes=31))
    assert escalations.run_sla_reminders(svc) == 1
    assert escalations.run_sla_reminders(svc) == 0  # once per level
    settle(bot)
    (denise,) = with_ref(bot.slack.dm_messages(DENISE), esc.ref)
    assert "Reminder 1" in all_text(denise) and "not acknowledged after 30 min" in all_text(denise)
    assert len(with_ref(bot.slack.messages(ESC_CHANNEL), esc.ref)) == 2  # alert + reminder
    assert len(with_ref(bot.slack.dm_messages(MARCUS), esc.ref)) == 2

    # Denise has no manager: one more reminder at the next level, then no more.
    bot.org.set_now(NOW + dt.timedelta(minutes=62))
    assert escalations.run_sla_reminders(svc) == 1
    bot.org.set_now(NOW + dt.timedelta(days=3))
    assert escalations.run_sla_reminders(svc) == 0
    settle(bot)
    reminded = [h for h in history(bot, esc.id) if h[1] == "reminded"]
    assert [(h[2], h[3]) for h in reminded] == [("0", "1"), ("1", "2")]

    # Denise may act now (she was alerted through the Salesforce chain).
    click(bot, DENISE, "escalation_ack", denise, channel=DENISE)
    settle(bot)
    assert escalations.get(svc, esc.id).status == "acknowledged"
    for m in with_ref(bot.slack.messages(ESC_CHANNEL), esc.ref):  # reminders update too
        assert "escalation_ack" not in json.dumps(m["blocks"])


def test_acknowledged_escalations_get_no_reminder(bot: BotUnderTest) -> None:
    esc = file_one(bot, severity="P2")
    click(bot, MARCUS, "escalation_ack", alert_in(bot, ESC_CHANNEL, esc.ref))
    bot.slack.wait_until(lambda: escalations.get(bot.services, esc.id).status != "open")
    bot.org.set_now(NOW + dt.timedelta(hours=5))
    assert escalations.run_sla_reminders(bot.services) == 0


def test_sla_policy_business_days_and_env() -> None:
    tz = __import__("zoneinfo").ZoneInfo("America/New_York")
    friday_4pm = dt.datetime(2026, 11, 20, 21, 0, tzinfo=dt.UTC)  # 4 pm in New York
    assert add_business_days(friday_4pm, 1, tz) == dt.datetime(2026, 11, 23, 21, 0, tzinfo=dt.UTC)
    base = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "SF_INSTANCE_URL": "https://sf.example.com",
        "SF_ACCESS_TOKEN": "t",
    }
    policy = Settings.from_env(
        {**base, "ACCTBOT_SLA_P1_MINUTES": "10", "ACCTBOT_SLA_P4_BUSINESS_DAYS": "2"}
    ).sla
    assert policy.deadline("P1", NOW, tz) == NOW + dt.timedelta(minutes=10)
    assert policy.deadline("P2", NOW, tz) == NOW + dt.timedelta(hours=2)
    wed = NOW  # Wednesday: P3 due Thursday, P4 (2 business days) Friday
    assert policy.deadline("P3", wed, tz).date() == dt.date(2026, 11, 19)
    assert policy.deadline("P4", wed, tz).date() == dt.date(2026, 11, 20)
    with pytest.raises(ConfigError, match="ACCTBOT_SLA_P2_MINUTES"):
        Settings.from_env({**base, "ACCTBOT_SLA_P2_MINUTES": "soon"})


# --- delivery under failure -----------------------------------------------------------


def test_rate_limited_beyond_the_clients_retries_still_delivers_once(bot: BotUnderTest) -> None:
    # Four 429s in a row: the outbox waits out each Retry-After and then posts once.
    bot.slack.fail("chat.postMessage", status=429, retry_after=1, count=4)
    sent = submit(bot, open_form(bot))
    assert sent.body["response_action"] == "update"
    (esc,), _ = escalations.search(bot.services)
    bot.slack.wait_until(lambda: len(bot.slack.calls_to("chat.postMessage")) >= 4, timeout=10)
    settle(bot)
    assert len(with_ref(bot.slack.messages(ESC_CHANNEL), esc.ref)) == 1
    for user in (MARCUS, PRIYA, ANA):
        assert len(with_ref(bot.slack.dm_messages(user), esc.ref)) == 1
    limited = [c for c in bot.slack.calls_to("chat.postMessage") if c.status == 429]
    assert len(limited) == 4


def test_an_alert_whose_answer_was_lost_is_not_posted_twice(bot: BotUnderTest) -> None:
    # Slack takes the first alert but the connection drops before its answer: the
    # outbox must find it in the channel's history rather than post it again (and
    # slack_sdk's connection-error retry, which would re-send blindly, must not run).
    bot.slack.fail("chat.postMessage", drop=True, count=1)
    submit(bot, open_form(bot))
    (esc,), _ = escalations.search(bot.services)
    bot.slack.wait_until(lambda: len(bot.slack.calls_to("chat.postMessage")) >= 4, timeout=10)
    with bot.services.db.session() as s:  # the doubtful one is due again now
        s.execute(update(OutboxMessage).values(next_attempt_at=outbox.utcnow()))
    settle(bot)
    assert len(with_ref(bot.slack.messages(ESC_CHANNEL), esc.ref)) == 1
    for user in (MARCUS, PRIYA, ANA):
        assert len(with_ref(bot.slack.dm_messages(user), esc.ref)) == 1
    assert bot.slack.calls_to("conversations.history")  # it looked before re-posting


def test_slack_down_then_up_delivers_every_alert_once(bot: BotUnderTest) -> None:
    view = open_form(bot)
    bot.slack.down()
    try:
        sent = submit(bot, view)  # users.info and lookupByEmail fail too: routing waits
        assert sent.body["response_action"] == "update"
        (esc,), _ = escalations.search(bot.services)

        def queued() -> dict[str, OutboxMessage]:
            with bot.services.db.session() as s:
                rows = s.scalars(select(OutboxMessage).where(OutboxMessage.escalation_id == esc.id))
                return {r.key: r for r in rows}

        deadline = time.monotonic() + 10  # the kick tries, fails and backs off
        while not any(r.last_error for r in queued().values()):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        rows = queued()
        assert f"esc:{esc.id}:route" in rows and f"esc:{esc.id}:card:channel" in rows
        assert all(r.delivered_at is None for r in rows.values())
        assert "URLError" in next(r.last_error for r in rows.values() if r.last_error)
    finally:
        bot.slack.up()
    settle(bot, timeout=20)
    assert len(with_ref(bot.slack.messages(ESC_CHANNEL), esc.ref)) == 1
    for user in (MARCUS, PRIYA, ANA):
        assert len(with_ref(bot.slack.dm_messages(user), esc.ref)) == 1


def test_slow_salesforce_leaves_routing_to_the_outbox_task(bot: BotUnderTest) -> None:
    view = open_form(bot)
    bot.org.set_faults({"latency_ms": 2200})
    sent = submit(bot, view)
    assert sent.body["response_action"] == "update" and sent.elapsed_ms < 3000
    (esc,), _ = escalations.search(bot.services)
    settle(bot, timeout=20)
    assert len(with_ref(bot.slack.dm_messages(PRIYA), esc.ref)) == 1
    assert len(with_ref(bot.slack.dm_messages(MARCUS), esc.ref)) == 1


def test_a_post_whose_worker_died_is_found_in_history_not_posted_twice(
    bot: BotUnderTest,
) -> None:
    view = open_form(bot)
    bot.slack.down("503")  # everything stays queued
    try:
        sent = submit(bot, view)
        assert sent.body["response_action"] == "update"
        (esc,), _ = escalations.search(bot.services)
        time.sleep(0.5)  # let the kick try (and fail) first
    finally:
        bot.slack.up()
    svc = bot.services
    key = f"esc:{esc.id}:card:channel"
    with svc.db.session() as s:  # make the channel card due now, alone
        s.execute(update(OutboxMessage).values(next_attempt_at=outbox.utcnow()))
    # A worker claims the row and posts it, then "dies" before marking it delivered.
    with svc.db.session() as s:
        claimed = [c for c in outbox.claim(s, limit=100) if c.row.key == key]
        (item,) = claimed
        svc.slack.chat_postMessage(**keyed(json.loads(item.row.payload), key))
        s.execute(  # release the others; let this claim's lease run out
            update(OutboxMessage)
            .where(OutboxMessage.key != key)
            .values(claim_token=None, claimed_until=None)
        )
        s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.key == key)
            .values(claimed_until=outbox.utcnow() - dt.timedelta(seconds=1))
        )
    settle(bot)
    assert len(with_ref(bot.slack.messages(ESC_CHANNEL), esc.ref)) == 1
    with svc.db.session() as s:
        row = s.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
        assert row.delivered_at is not None and row.result_ts


# --- reading --------------------------------------------------------------------------


def test_escalations_command_lists_open_mine_and_by_account(bot: BotUnderTest) -> None:
    first = file_one(bot)
    file_one(bot, severity="P3", category="installation",
             description="Install crew never showed up on Tuesday")  # fmt: skip
    click(bot, MARCUS, "escalation_ack", alert_in(bot, ESC_CHANNEL, first.ref))
    answer = bot.ask("/escalations")
    assert_valid_message(answer)
    assert "ESC-0001" in all_text(answer) and "ESC-0002" in all_text(answer)
    assert answer["response_type"] == "ephemeral"
    assert "ESC-0002" in all_text(bot.ask("/escalations", "mine"))
    assert "No escalations" in all_text(bot.ask("/escalations", "mine", user=RAJ))
    assert "ESC-0001" in all_text(bot.ask("/escalations", "acme"))
    assert "No escalations" in all_text(bot.ask("/escalations", "Zürich"))
    assert "ESC-0002" in all_text(bot.ask("/escalations", "esc-0002"))


def test_cli_list_and_export(bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from bot.cli import main

    esc = file_one(bot)
    click(bot, MARCUS, "escalation_ack", alert_in(bot, ESC_CHANNEL, esc.ref))
    bot.slack.wait_until(lambda: escalations.get(bot.services, esc.id).status != "open")
    monkeypatch.setenv("DATABASE_URL", bot.services.db.url)
    assert main(["escalations", "list"]) == 0
    out = capsys.readouterr().out
    assert "ESC-0001" in out and "acknowledged" in out and "Acme Corp" in out
    assert main(["escalations", "export", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["ref"] == "ESC-0001" and data[0]["description"].startswith("Customer")
    assert [h["action"] for h in data[0]["history"]] == ["filed", "alerted", "acknowledged"]
    assert main(["escalations", "export", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("ref,status,severity") and lines[1].startswith("ESC-0001,")


def test_jobs_are_scheduled_with_explicit_ids(tmp_path: Any) -> None:
    from bot.infra.db import Database
    from jobs import escalations as esc_jobs
    from jobs.scheduler import create_scheduler

    db = Database(f"sqlite:///{tmp_path}/jobs.db")
    for _ in range(2):  # a restart re-registers instead of duplicating
        scheduler = create_scheduler(db)
        scheduler.start(paused=True)
        settings = Settings.from_env(
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "SF_INSTANCE_URL": "https://sf.example.com",
                "SF_ACCESS_TOKEN": "t",
            }
        )
        esc_jobs.schedule(scheduler, settings)
        ids = sorted(j.id for j in scheduler.get_jobs())
        assert ids == ["escalations.outbox", "escalations.sla"]
        outbox_job = scheduler.get_job("escalations.outbox")
        assert outbox_job.trigger.interval.total_seconds() == 15
        assert outbox_job.func_ref == "jobs.escalations:deliver_outbox"
        scheduler.shutdown(wait=False)
    db.dispose()


# --- replays and repeats (issue 14, weakness 1) ------------------------------------------


def _replayable_submission(bot: BotUnderTest, view: dict[str, Any]) -> raw.Signed:
    values = {
        "category": {"category_select": "billing"},
        "severity": {"severity_select": "P2"},
        "description": {"description_input": "Customer was double-billed for the static IP"},
    }
    payload = bot.slack.view_submission_payload(user_id=ANA, view=view, values=values)
    return raw.interaction(bot.slack, payload)


def test_a_replayed_form_submission_files_one_escalation(bot: BotUnderTest) -> None:
    signed = _replayable_submission(bot, open_form(bot))
    first = signed.send(bot.url)
    assert first.status_code == 200 and first.json()["response_action"] == "update"
    for _ in range(2):  # the same signed request again: answered empty, nothing runs
        again = signed.send(bot.url)
        assert again.status_code == 200 and again.content == b""
    settle(bot)
    (esc,), total = escalations.search(bot.services)
    assert total == 1
    assert len(with_ref(bot.slack.messages(ESC_CHANNEL), esc.ref)) == 1
    for user in (MARCUS, PRIYA, ANA):
        assert len(with_ref(bot.slack.dm_messages(user), esc.ref)) == 1


def test_the_same_form_submitted_twice_files_once_and_confirms_twice(bot: BotUnderTest) -> None:
    # A double click (or a replay re-signed by someone with the secret): two different
    # requests carrying the same view id and the same state.
    view = open_form(bot)
    first = _replayable_submission(bot, view).send(bot.url)
    body = raw.sign(
        bot.slack, _replayable_submission(bot, view).body, timestamp=int(time.time()) - 2
    )
    second = body.send(bot.url)
    assert first.json()["response_action"] == second.json()["response_action"] == "update"
    assert "ESC-0001" in all_text(second.json()["view"])  # the same confirmation
    settle(bot)
    assert escalations.search(bot.services)[1] == 1
    assert len(with_ref(bot.slack.messages(ESC_CHANNEL), "ESC-0001")) == 1
    # Changing the form (another escalation on purpose) files a second one.
    other = open_form(bot)
    submit(bot, other, description="Install crew never arrived at the site")
    assert escalations.search(bot.services)[1] == 2


def test_concurrent_identical_submissions_file_exactly_once(bot: BotUnderTest) -> None:
    view = open_form(bot)
    body = _replayable_submission(bot, view).body
    now = int(time.time())
    signed = [raw.sign(bot.slack, body, timestamp=now - i) for i in range(4)]
    barrier = threading.Barrier(len(signed))
    answers: list[int] = []

    def go(s: raw.Signed) -> None:
        barrier.wait()
        answers.append(s.send(bot.url).status_code)

    threads = [threading.Thread(target=go, args=(s,)) for s in signed]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [200] * 4
    settle(bot)
    assert escalations.search(bot.services)[1] == 1
    assert len(with_ref(bot.slack.messages(ESC_CHANNEL), "ESC-0001")) == 1


def test_a_replayed_acknowledge_and_reassign_change_things_once(bot: BotUnderTest) -> None:
    esc = file_one(bot)
    card = alert_in(bot, ESC_CHANNEL, esc.ref)
    ack = bot.slack.block_action_payload(
        user_id=MARCUS, action_id="escalation_ack", message=card, channel_id=ESC_CHANNEL
    )
    signed = raw.interaction(bot.slack, ack)
    assert signed.send(bot.url).status_code == 200
    assert signed.send(bot.url).content == b""
    settle(bot)
    # Reassign through the modal, then the same submission replayed.
    click(bot, PRIYA, "escalation_reassign", card)
    bot.slack.wait_until(lambda: bot.slack.open_views(PRIYA), timeout=5)
    modal = bot.slack.open_views(PRIYA)[-1]
    payload = bot.slack.view_submission_payload(
        user_id=PRIYA, view=modal, values={"assignee": {"assignee_select": RAJ}}
    )
    reassign = raw.interaction(bot.slack, payload)
    assert reassign.send(bot.url).status_code == 200
    assert reassign.send(bot.url).content == b""
    settle(bot)
    actions = [h[1] for h in history(bot, esc.id)]
    assert actions == ["filed", "alerted", "acknowledged", "reassigned"]
    assert len([m for m in with_ref(bot.slack.dm_messages(RAJ), esc.ref)
                if "assigned *" in all_text(m)]) == 1  # fmt: skip


def test_reassigning_to_the_current_assignee_changes_nothing(bot: BotUnderTest) -> None:
    esc = file_one(bot)
    card = alert_in(bot, ESC_CHANNEL, esc.ref)
    click(bot, MARCUS, "escalation_ack", card)  # Marcus is now the assignee
    settle(bot)
    before_dms = len(with_ref(bot.slack.dm_messages(ANA), esc.ref))
    before_marcus = len(with_ref(bot.slack.dm_messages(MARCUS), esc.ref))
    for manager in (PRIYA, MARCUS):  # a fresh modal each time: not a replay
        click(bot, manager, "escalation_reassign", card)
        bot.slack.wait_until(lambda m=manager: bot.slack.open_views(m), timeout=5)
        modal = bot.slack.open_views(manager)[-1]
        sent = bot.slack.view_submission(
            bot.url, user_id=manager, view=modal, values={"assignee": {"assignee_select": MARCUS}}
        )
        assert sent.status == 200 and not sent.body  # the modal closes
    settle(bot)
    assert [h[1] for h in history(bot, esc.id)] == ["filed", "alerted", "acknowledged"]
    assert len(with_ref(bot.slack.dm_messages(ANA), esc.ref)) == before_dms
    assert len(with_ref(bot.slack.dm_messages(MARCUS), esc.ref)) == before_marcus
    # A non-manager still may not, even as a no-op.
    outcome = escalations.reassign(bot.services, esc.id, RAJ, MARCUS)
    assert not outcome.ok and "not allowed" in outcome.message


def test_an_alert_button_from_an_older_release_still_works(bot: BotUnderTest) -> None:
    esc = file_one(bot)
    card = alert_in(bot, ESC_CHANNEL, esc.ref)
    sent = bot.slack.block_action(
        bot.url, user_id=MARCUS, action_id="escalation_ack", value=str(esc.id),
        message=card, channel_id=ESC_CHANNEL,
    )  # fmt: skip
    assert sent.status == 200
    bot.slack.wait_until(lambda: escalations.get(bot.services, esc.id).status != "open")


@pytest.mark.parametrize("value", ["abc", "", "-1", "99999999999", '{"v": 9, "esc": 1}',
                                   '{"v": 1, "esc": "1"}', '{"v": 1}', "[1]"])  # fmt: skip
def test_an_unreadable_alert_button_says_it_is_out_of_date(bot: BotUnderTest, value: str) -> None:
    sent = bot.slack.block_action(
        bot.url, user_id=MARCUS, action_id="escalation_ack", value=value,
        message={"ts": "1.0", "blocks": [], "text": "x"}, channel_id=ESC_CHANNEL,
    )  # fmt: skip
    assert sent.status == 200 and sent.elapsed_ms < 1000
    assert "out of date" in bot.answer(sent)["text"]
