"""Who may see what, end to end: signed requests over HTTP to the real app, which checks
each person's Salesforce access with UserRecordAccess against the sandbox org's sharing
model (tests/support/orgdata.py ``private_org``: Ana and Raj are peers under Marcus; each
sees their own accounts, Zürich is shared with Ana, Raj has a deal on Ana's Acme Corp).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, select

from bot import audit
from bot.infra.models import (
    AuditEvent,
    DigestSubscription,
    Escalation,
    EscalationHistory,
    EscalationRecipient,
    OutboxMessage,
)
from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SentRequest
from tests.support.blockcheck import all_text, assert_valid_message
from tests.support.harness import ANA, MARCUS, RAJ, BotUnderTest, message_ts
from tests.support.orgdata import (
    ACME,
    ACME_MEDIA,
    NOW,
    OHARE,
    OHARE_ORDER,
    QUIET,
    RAJ_SF,
    RAJ_SIDE_DEAL,
    private_org,
)

GUESTS = ("U0GUEST001", "U0GUEST002")  # multi- and single-channel guests (stack.py)
PRIYA, LAUREN = "U0MGR00002", "U0LAU00001"  # mapped, outside Ana's team
BOT_USER, GONE = "U0BOTUSER1", "U0GONE0001"
KEVIN = "U0KEV00001"  # a full member with an e-mail no Salesforce user has
CHANNEL = "C0GENERAL01"


@pytest.fixture
def bot(org: SandboxOrg, running_bot: BotUnderTest) -> Iterator[BotUnderTest]:
    data = private_org()
    # The partner's guest even has a Salesforce user (a Customer Community login, say):
    # being mapped does not let a guest in.
    data["User"] += [
        {"LastName": "Partner", "FirstName": "Pat", "Email": "pat@partner.example"},
        # Salesforce users outside the SMB role hierarchy: they may read none of it.
        {"FirstName": "Priya", "LastName": "Natarajan", "Email": "priya.natarajan@example.com"},
        {"FirstName": "Lauren", "LastName": "Chen", "Email": "lauren.chen@example.com"},
    ]
    org.load(data)
    org.set_now(NOW)
    slack = running_bot.slack
    slack.add_user(BOT_USER, "zapbot", "Zap Bot", "", is_bot=True)
    slack.add_user(GONE, "gone", "Gone Person", "ana.rep@example.com", deleted=True)
    slack.add_user(KEVIN, "kevin", "Kevin Doyle", "kevin.doyle@example.com")
    running_bot.forget(ANA, RAJ, MARCUS)
    org.clear_log()
    slack.clear()
    slack.clear_faults()
    with running_bot.services.db.session() as s:  # Core deletes (the ORM forbids some)
        for table in (AuditEvent, OutboxMessage, EscalationRecipient, EscalationHistory,
                      Escalation):  # fmt: skip
            s.execute(delete(table))
    yield running_bot


@contextlib.contextmanager
def configured(bot: BotUnderTest, **changes: Any) -> Iterator[None]:
    """Run with other settings (visibility, sharing, admins), then put them back."""
    svc = bot.services
    before = svc.settings
    svc.settings = dataclasses.replace(before, **changes)
    try:
        yield
    finally:
        svc.settings = before


def press(
    bot: BotUnderTest, message: dict[str, Any], action_id: str, *, user: str, ts: str | None = None
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
        channel_id=CHANNEL,
        message=message if "ts" in message else {"ts": ts or message_ts(), **message},
    )


def buttons(message: dict[str, Any]) -> list[str]:
    return [
        e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]


def events(bot: BotUnderTest) -> list[dict[str, Any]]:
    """The audit log, once it has settled (an answer goes out before its line is written)."""
    deadline = time.monotonic() + 5
    rows = list(audit.events(bot.services.db))
    while time.monotonic() < deadline:
        time.sleep(0.3)
        again = list(audit.events(bot.services.db))
        if len(again) == len(rows):
            break
        rows = again
    return rows


def open_home(bot: BotUnderTest, user: str) -> str:
    before = len(bot.slack.calls_to("views.publish"))
    event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
    assert bot.slack.event(bot.url, event).status == 200
    bot.slack.wait_until(lambda: len(bot.slack.calls_to("views.publish")) > before, timeout=10)
    call = [c for c in bot.slack.calls_to("views.publish") if c.args.get("user_id") == user][-1]
    view = call.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    return all_text({"blocks": view["blocks"]})


def open_form(bot: BotUnderTest, text: str) -> dict[str, Any]:
    """``/escalate <text>`` as Ana: the modal that opens."""
    before = len(bot.slack.views_opened())
    sent = bot.command("/escalate", text, user=ANA)
    assert sent.status == 200 and sent.elapsed_ms < 3000
    bot.slack.wait_until(lambda: len(bot.slack.views_opened()) > before, timeout=5)
    form = bot.slack.open_views(ANA)[-1]
    assert form["callback_id"] == "escalation_new"
    return form


# --- who may use acctbot ------------------------------------------------------------------


@pytest.mark.parametrize("user", [*GUESTS, BOT_USER, GONE])
def test_guests_bots_and_deactivated_users_are_refused_everywhere(
    bot: BotUnderTest, user: str
) -> None:
    card = bot.ask("/account", "Acme Corp", user=ANA)  # someone else's card, to press
    bot.org.clear_log()
    refusals = []
    for command, text in [
        ("/account", "Acme Corp"),
        ("/order", "123"),
        ("/orders", "mine"),
        ("/pipeline", ""),
        ("/escalations", ""),
        ("/digest", "preview smb-east"),
    ]:
        refusals.append(all_text(bot.ask(command, text, user=user)))
    # Buttons on Ana's card, pressed by them: refused, nothing shared.
    for action in ("refresh_card", "share_card", "escalate_from_card"):
        refusals.append(all_text(bot.answer(press(bot, card, action, user=user))))
    # The escalation modal: a refusal instead of the form.
    views_before = len(bot.slack.views_opened())
    refusals.append(all_text(bot.answer(bot.command("/escalate", "Acme Corp", user=user))))
    assert len(bot.slack.views_opened()) == views_before
    # The modal's type-ahead: no options (an options answer cannot carry a message).
    view = {"id": "V1", "callback_id": "escalation_new", "blocks": []}
    sent = bot.slack.block_suggestion(
        bot.url,
        user_id=user,
        action_id="escalation_account",
        block_id="account",
        value="acme",
        view=view,
    )
    assert sent.status == 200 and sent.body["options"] == []
    # The App Home: the refusal, nothing else.
    refusals.append(open_home(bot, user))

    for text in refusals:
        assert "acctbot" in text
        assert any(w in text for w in ("full member", "people, not", "deactivated")), text
        # Nothing about any record: no name, number or figure.
        for word in ("Acme", "00000123", "$", "Pipeline", "Health", "Not dones"):
            assert word not in text, (word, text)
    if user in GUESTS:
        assert all("ask your Slack admin to make you a full member" in t for t in refusals)
    assert bot.sf_requests() == []  # nothing was read for them
    assert bot.slack.messages(CHANNEL) == []  # nothing shared
    logged = [e for e in events(bot) if e["slack_user_id"] == user]
    assert len(logged) == 12
    assert all(e["action"] == "refusal" and e["outcome"] == "refused" for e in logged)
    assert all(e["record_ids"] in ([], [ACME]) for e in logged)


def test_unmapped_people_are_told_how_to_get_access_and_an_admin_can_map_them(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    text = all_text(bot.ask("/orders", "mine", user=KEVIN))
    assert "none has your Slack e-mail address (kevin.doyle@example.com)" in text
    assert f"acctbot users map {KEVIN}" in text
    # An admin maps Kevin to Ana's Salesforce user (e.g. he is covering her desk) from a
    # terminal: the running app follows at once.
    for key, value in {
        "SLACK_BOT_TOKEN": bot.slack.bot_token,
        "SLACK_SIGNING_SECRET": bot.slack.signing_secret,
        "SLACK_API_URL": bot.slack.api_url,
        "SF_INSTANCE_URL": bot.org.instance_url,
        "SF_ACCESS_TOKEN": bot.org.access_token,
        "DATABASE_URL": bot.services.db.url,
    }.items():
        monkeypatch.setenv(key, value)
    assert main(["users", "map", KEVIN, "ana.rep@example.com"]) == 0
    assert f"{KEVIN} is now mapped to Ana Ruiz" in capsys.readouterr().out
    text = all_text(bot.ask("/orders", "mine", user=KEVIN))
    assert "3 orders" in text and "00000130" in text  # Ana's orders, as Ana may read them
    assert main(["users", "list"]) == 0
    listing = capsys.readouterr().out
    kevin = next(line for line in listing.splitlines() if line.startswith(KEVIN))
    assert "Ana Ruiz" in kevin and "override" in kevin
    guest = next(line for line in listing.splitlines() if line.startswith("U0GUEST001"))
    assert "guest" in guest
    assert "members: " in listing and "by admin override" in listing and "kept out" in listing
    assert main(["users", "map", KEVIN, "nobody@example.com"]) == 1
    assert "No active Salesforce user" in capsys.readouterr().err
    assert main(["users", "unmap", KEVIN]) == 0
    capsys.readouterr()
    assert "none has your Slack e-mail" in all_text(bot.ask("/orders", "mine", user=KEVIN))
    config = [e for e in events(bot) if e["action"] == "config"]
    assert [e["command"].split(" by ")[0] for e in config] == ["users map", "users unmap"]
    assert config[0]["slack_user_id"] == KEVIN and config[0]["salesforce_user_id"]


def test_two_salesforce_users_with_one_email_are_never_guessed_between(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An older admin login (View All Data) sharing Raj's e-mail: neither is picked; Raj
    is told to ask for a mapping, the CLI refuses the e-mail and takes the user Id."""
    from bot.cli import main

    data = private_org()
    data["Profile"] = [
        {"Id": "00e000000000001AAA", "Name": "System Administrator", "PermissionsViewAllData": True}
    ]
    data["User"].append(
        {"Id": "005000000000009AAA", "FirstName": "Raj", "LastName": "Admin",
         "Email": "raj.rep@example.com", "ProfileId": "00e000000000001AAA",
         "CreatedDate": "2020-01-01T00:00:00.000+0000"}
    )  # fmt: skip
    bot.org.load(data)
    bot.org.set_now(NOW)
    bot.forget()
    for command, text in (("/account", "O'Hare Signal & Sons"), ("/orders", "mine")):
        said = all_text(bot.ask(command, text, user=RAJ))
        assert "More than one Salesforce user has your e-mail" in said, said
        assert f"acctbot users map {RAJ}" in said and "O'Hare" not in said.split("\n", 1)[-1]
        assert "Health" not in said and "orders" not in said.split(".")[0]
    # Named by someone else: said plainly, no guess either.
    assert "More than one Salesforce user" in all_text(bot.ask("/orders", "@raj.rep", user=ANA))
    for key, value in {
        "SLACK_BOT_TOKEN": bot.slack.bot_token,
        "SLACK_SIGNING_SECRET": bot.slack.signing_secret,
        "SLACK_API_URL": bot.slack.api_url,
        "SF_INSTANCE_URL": bot.org.instance_url,
        "SF_ACCESS_TOKEN": bot.org.access_token,
        "DATABASE_URL": bot.services.db.url,
    }.items():
        monkeypatch.setenv(key, value)
    assert main(["users", "map", RAJ, "raj.rep@example.com"]) == 1
    err = capsys.readouterr().err
    assert "More than one active Salesforce user" in err and "005000000000009AAA" in err
    assert main(["users", "map", RAJ, RAJ_SF]) == 0
    capsys.readouterr()
    said = all_text(bot.ask("/account", OHARE, user=RAJ))
    assert "can't see that account" in said  # Raj's own user, not the admin's


# --- cards ------------------------------------------------------------------------------------


def test_a_card_the_person_may_not_read_is_refused_without_its_figures(bot: BotUnderTest) -> None:
    for command, text in [
        ("/account", OHARE),
        ("/account", f"https://x.lightning.force.com/lightning/r/Account/{OHARE}/view"),
        ("/order", OHARE_ORDER),
    ]:
        answer = bot.ask(command, text, user=RAJ)
        said = all_text(answer)
        assert "Your Salesforce user can't see that" in said, said
        assert "$" not in said and "Health" not in said and "Owner" not in said
        assert "share_card" not in json.dumps(answer)
    # Searched by name, an account he may not read is not there for him (as in
    # Salesforce's own search); the audit log still records the denial.
    by_name = all_text(bot.ask("/account", "O'Hare Signal & Sons", user=RAJ))
    assert "No account matches" in by_name and "Health" not in by_name
    by_number = all_text(bot.ask("/order", "130", user=RAJ))
    assert "No order matches" in by_number and "$" not in by_number
    denied = [e for e in events(bot) if e["action"] == "refusal"]
    assert len(denied) == 5 and all(e["outcome"] == "denied" for e in denied)
    assert {tuple(e["record_ids"]) for e in denied} == {(OHARE,), (OHARE_ORDER,)}
    assert all(e["salesforce_user_id"] == "005000000000002AAA" for e in denied)


def test_a_card_shows_only_the_children_the_person_may_read(bot: BotUnderTest) -> None:
    ana = all_text(bot.ask("/account", "Acme Corp", user=ANA))
    assert "3 open deals · $65,000" in ana and "side deal" not in ana  # not Raj's deal
    assert "only what you can see" in ana
    marcus = all_text(bot.ask("/account", "Acme Corp", user=MARCUS))
    assert "4 open deals · $72,000" in marcus  # his reps' deals, Raj's too
    # Raj reads Acme Corp only through his own deal on it (Salesforce's implicit sharing):
    # its orders follow the account; Ana's deals and cases stay private.
    raj = all_text(bot.ask("/account", "Acme Corp", user=RAJ))
    assert "1 open deal · $7,000" in raj and "Fiber upgrade" not in raj
    assert "1 Draft · 1 Pending Install" in raj
    assert "Open cases*\nnone open" in raj and "Double-billed" not in raj
    # Health is of what each may see: Ana's escalated case makes hers red, not Raj's.
    assert "1 escalated case open" in ana and "escalated case" not in raj


def test_caches_never_carry_one_persons_answer_to_another(bot: BotUnderTest) -> None:
    assert "$72,000" in all_text(bot.ask("/account", "Acme Corp", user=MARCUS))
    assert len(bot.sf_requests()) == 2  # the card (now cached) and Marcus's access
    # Ana and Raj may not read every deal: each gets the card read again for the deals
    # and cases they may read (their access check, then that read).
    ana = all_text(bot.ask("/account", "Acme Corp", user=ANA))
    assert "$65,000" in ana and "$72,000" not in ana
    assert len(bot.sf_requests()) == 4 and len(bot.access_checks()) == 2
    raj = all_text(bot.ask("/account", "Acme Corp", user=RAJ))
    assert "$7,000" in raj and "$65,000" not in raj
    assert len(bot.sf_requests()) == 6 and len(bot.access_checks()) == 3
    # Warm for everyone now: no request at all, and each still gets their own.
    assert "$72,000" in all_text(bot.ask("/account", "Acme Corp", user=MARCUS))
    assert "$65,000" in all_text(bot.ask("/account", "Acme Corp", user=ANA))
    assert "$7,000" in all_text(bot.ask("/account", "Acme Corp", user=RAJ))
    assert len(bot.sf_requests()) == 6
    # A card one person may not read is not served to them from another's cached copy.
    assert "Health" in all_text(bot.ask("/account", OHARE, user=ANA))
    assert "can't see that account" in all_text(bot.ask("/account", OHARE, user=RAJ))


def test_a_picker_and_suggestions_list_only_what_the_person_may_read(bot: BotUnderTest) -> None:
    marcus = bot.ask("/account", "acme", user=MARCUS)
    assert "2 accounts match *acme*" in all_text(marcus)
    # Ana reads one of the two: its card at once, no picker naming Raj's account.
    ana = all_text(bot.ask("/account", "acme", user=ANA))
    assert "Acme Corp" in ana and "Acme Media Group" not in ana and "Health" in ana
    # A name that matches only accounts Ana may not read is no match for her...
    nothing = all_text(bot.ask("/account", "Quiet Harbor", user=ANA))
    assert "No account matches *Quiet Harbor*" in nothing and "Health" not in nothing
    assert "No account matches" in all_text(bot.ask("/account", "A-1006", user=ANA))
    # ...and close names are suggested only among those she may read.
    typo = all_text(bot.ask("/account", "Acne Crop", user=ANA))
    assert "Did you mean *Acme Corp*" in typo and "Media" not in typo
    assert "Quiet Harbor Dental" in all_text(bot.ask("/account", "Quite Harbour", user=RAJ))
    assert "Quiet Harbor" not in all_text(bot.ask("/account", "Quite Harbour", user=ANA))


# --- lists ------------------------------------------------------------------------------------


def test_lists_leave_out_what_the_person_may_not_read_and_total_the_rest(
    bot: BotUnderTest,
) -> None:
    ana = all_text(bot.ask("/orders", "mine", user=ANA))
    assert "3 orders" in ana and "00000130" in ana  # O'Hare's draft ($500) too
    # Raj asks for Ana's: he may read Acme Corp's orders (through his deal), not O'Hare's.
    raj = all_text(bot.ask("/orders", "@ana.rep", user=RAJ))
    assert "2 orders" in raj and "00000130" not in raj and "O'Hare" not in raj
    assert "$942 in all" in raj  # 693 + 249: the total is of what he may read
    marcus = all_text(bot.ask("/orders", "@ana.rep", user=MARCUS))
    assert "3 orders" in marcus and "00000130" in marcus and "$1,442 in all" in marcus
    # The team's pipeline: each sees the deals they may read, and totals them.
    ana = all_text(bot.ask("/pipeline", "smb-east", user=ANA))
    assert "Best Case" not in ana  # Raj's media flight on his account is not hers
    assert "Open this quarter*\n3 deals · $65,000" in ana
    marcus = all_text(bot.ask("/pipeline", "smb-east", user=MARCUS))
    assert "Open this quarter*\n5 deals · $80,000" in marcus  # + Raj's 8k flight and 7k deal


def test_the_modal_type_ahead_and_prefill_offer_only_readable_accounts(
    bot: BotUnderTest,
) -> None:
    view = {"id": "V1", "callback_id": "escalation_new", "blocks": []}

    def options(user: str) -> list[str]:
        sent = bot.slack.block_suggestion(bot.url, user_id=user, action_id="escalation_account",
                                          block_id="account", value="acme", view=view)  # fmt: skip
        assert sent.status == 200 and sent.problems == []
        return [o["text"]["text"] for o in sent.body["options"]]

    assert [o.split(" ·")[0] for o in options(MARCUS)] == ["Acme Corp", "Acme Media Group"]
    assert [o.split(" ·")[0] for o in options(ANA)] == ["Acme Corp"]
    # /escalate with an account Ana may not read: the form opens without it.
    form = open_form(bot, "Acme Media Group")
    account = next(b for b in form["blocks"] if b.get("block_id") == "account")
    assert "initial_option" not in account["element"]
    assert "Acme Media" not in json.dumps(account)
    # A hand-made submission for that account is refused inside the modal; nothing filed.
    values = {
        "account": {"escalation_account": {"text": {"type": "plain_text", "text": "x"},
                                           "value": ACME_MEDIA}},
        "category": {"category_select": "billing"},
        "severity": {"severity_select": "P2"},
        "description": {"description_input": "Customer says the bill is wrong again"},
    }  # fmt: skip
    sent = bot.slack.view_submission(bot.url, user_id=ANA, view=form, values=values)
    assert sent.body["response_action"] == "errors"
    assert "can't see that account" in sent.body["errors"]["account"]
    from bot.escalations import service as escalations

    assert escalations.search(bot.services)[1] == 0


def test_an_order_card_leaves_off_a_contract_the_person_may_not_read(bot: BotUnderTest) -> None:
    """Ana may read her order 00000130, not the contract it names (on Raj's account:
    contracts have their own sharing in Salesforce): the card shows the order without it."""
    hidden_contract = "800000000000077AAA"
    data = private_org()
    data["Contract"].append(
        {"Id": hidden_contract, "AccountId": QUIET, "Status": "Activated",
         "StartDate": "2025-01-01", "EndDate": "2027-06-30", "ContractTerm": 30}
    )  # fmt: skip
    for order in data["Order"]:
        if order.get("Id") == OHARE_ORDER:
            order["ContractId"] = hidden_contract
    bot.org.load(data)
    bot.org.set_now(NOW)
    bot.forget(ANA, MARCUS)
    marcus = all_text(bot.ask("/order", "130", user=MARCUS))
    assert "Contract" in marcus
    ana = bot.ask("/order", "130", user=ANA)
    assert "00000130" in all_text(ana) and "Contract" not in all_text(ana)
    assert hidden_contract not in json.dumps(ana)
    shown = [e for e in events(bot) if e["slack_user_id"] == ANA and e["command"] == "/order"]
    assert shown and hidden_contract not in shown[-1]["record_ids"]


def test_an_order_found_by_number_that_the_person_may_not_read_is_not_there(
    bot: BotUnderTest,
) -> None:
    hidden = all_text(bot.ask("/order", "130", user=RAJ))
    absent = all_text(bot.ask("/order", "999", user=RAJ))
    assert hidden == absent.replace("00000999", "00000130")
    assert "can't see that order" in all_text(bot.ask("/order", OHARE_ORDER, user=RAJ))
    denied = [e for e in events(bot) if e["command"] == "/order" and e["outcome"] == "denied"]
    assert [e["record_ids"] for e in denied] == [[OHARE_ORDER], [OHARE_ORDER]]


# --- sharing ----------------------------------------------------------------------------------


def test_a_shared_card_is_what_the_sharer_may_see_whoever_refreshes_it(
    bot: BotUnderTest,
) -> None:
    card = bot.ask("/account", "Acme Corp", user=ANA)
    click = press(bot, card, "share_card", user=ANA)
    posted = bot.answer(click, predicate=lambda p: p.body.get("response_type") == "in_channel")
    assert_valid_message(posted)
    text = all_text(posted)
    assert "3 open deals · $65,000" in text and f"as <@{ANA}> sees it" in text
    # Marcus (who may read more) refreshes it: still Ana's view, for the whole channel.
    in_channel = bot.slack.messages(CHANNEL)[-1]
    fresh = all_text(bot.answer(press(bot, in_channel, "refresh_card", user=MARCUS)))
    assert "3 open deals · $65,000" in fresh and "$72,000" not in fresh
    shares = [e for e in events(bot) if e["action"] == "share"]
    assert len(shares) == 1 and ACME in shares[0]["record_ids"]
    assert RAJ_SIDE_DEAL not in shares[0]["record_ids"]
    assert [e["outcome"] for e in events(bot) if e["action"] == "refresh"] == ["ok"]


def test_sharing_can_be_limited_to_a_preview_or_turned_off(bot: BotUnderTest) -> None:
    with configured(bot, sharing="preview"):
        card = bot.ask("/account", "Acme Corp", user=ANA)
        click = press(bot, card, "share_card", user=ANA)
        posted = bot.answer(click, predicate=lambda p: p.body.get("response_type") == "in_channel")
        assert_valid_message(posted)
        text = all_text(posted)
        assert "Acme Corp" in text and "/lightning/r/001000000000001AAA/view" in json.dumps(posted)
        assert "$" not in text and "Health" not in text and buttons(posted) == []
        orders = bot.ask("/orders", "mine", user=ANA)
        click = press(bot, orders, "share_card", user=ANA)
        posted = bot.answer(click, predicate=lambda p: p.body.get("response_type") == "in_channel")
        text = all_text(posted)
        assert "Not dones" in text and "00000123" not in text and "run `/orders mine`" in text
    with configured(bot, sharing="off"):
        card = bot.ask("/account", "Acme Corp", user=ANA)
        assert "share_card" not in buttons(card) and "refresh_card" in buttons(card)
        assert "share_card" not in buttons(bot.ask("/pipeline", "", user=ANA))
        before = len(bot.slack.messages(CHANNEL))
        old = bot.slack.block_action(
            bot.url, user_id=ANA, action_id="share_card", channel_id=CHANNEL,
            value=json.dumps({"v": 1, "k": "account", "id": ACME}),
            message={"ts": "1.0", "blocks": card["blocks"], "text": card["text"]},
        )  # fmt: skip
        assert "turned off" in all_text(bot.answer(old))
        time.sleep(0.3)
        assert len(bot.slack.messages(CHANNEL)) == before


def test_refresh_on_a_shared_card_obeys_the_sharing_setting_of_now(bot: BotUnderTest) -> None:
    """A card shared while sharing was on: with ``off`` its Refresh is refused to the
    presser alone and the card stays; with ``preview`` it becomes name and link only."""
    card = bot.ask("/account", "Acme Corp", user=ANA)
    bot.answer(
        press(bot, card, "share_card", user=ANA),
        predicate=lambda p: p.body.get("response_type") == "in_channel",
    )
    in_channel = bot.slack.messages(CHANNEL)[-1]
    shared_text = all_text(in_channel)
    assert "$65,000" in shared_text
    with configured(bot, sharing="off"):
        said = bot.answer(press(bot, in_channel, "refresh_card", user=MARCUS))
        assert "turned off" in all_text(said) and "$" not in all_text(said)
        time.sleep(0.3)
        assert all_text(bot.slack.messages(CHANNEL)[-1]) == shared_text
    with configured(bot, sharing="preview"):
        fresh = all_text(bot.answer(press(bot, in_channel, "refresh_card", user=MARCUS)))
        assert "Acme Corp" in fresh and "$" not in fresh and "Health" not in fresh
    outcomes = [e["outcome"] for e in events(bot) if e["action"] in ("refresh", "refusal")]
    assert "sharing_off" in outcomes


def test_refresh_on_a_private_list_is_for_whoever_presses_it(bot: BotUnderTest) -> None:
    """The asker a private button names is not trusted: the list is read again as the
    presser may see it (a forged or replayed payload gets the presser's own view)."""
    orders = bot.ask("/orders", "mine", user=ANA)
    assert "00000130" in all_text(orders)
    fresh = all_text(bot.answer(press(bot, orders, "refresh_card", user=RAJ)))
    assert "00000130" not in fresh and "O'Hare" not in fresh


def test_people_from_other_organisations_in_shared_channels_are_refused(
    bot: BotUnderTest,
) -> None:
    """Slack Connect: a user of another team (users.info team_id), even with an e-mail a
    Salesforce user has, is refused like a guest; likewise one Slack marks is_stranger."""
    slack = bot.slack
    for user_id, stranger in (("U0EXT00001", False), ("U0EXT00002", True)):
        slack.add_user(user_id, user_id.lower(), "Ana (partner org)", "ana.rep@example.com")
        with slack._lock:
            if stranger:
                slack._users[user_id]["is_stranger"] = True
            else:
                slack._users[user_id]["team_id"] = "T0OTHERORG"
                slack._users[user_id]["profile"]["team"] = "T0OTHERORG"
        said = all_text(bot.ask("/account", "Acme Corp", user=user_id))
        assert "other organisations" in said and "Health" not in said, said


# --- workspace mode ---------------------------------------------------------------------------


def test_workspace_visibility_shows_every_mapped_person_what_acctbot_sees(
    bot: BotUnderTest,
) -> None:
    with configured(bot, visibility="workspace"):
        raj = all_text(bot.ask("/account", "O'Hare", user=RAJ))
        assert "O'Hare Signal & Sons" in raj and "Health" in raj
        assert "4 open deals · $72,000" in all_text(bot.ask("/account", "Acme Corp", user=ANA))
        assert bot.access_checks() == []  # no UserRecordAccess query at all
        # Still only for people acctbot serves.
        assert "full member" in all_text(bot.ask("/account", "Acme Corp", user=GUESTS[0]))
        assert "only what you can see" not in raj


# --- escalations and digests ----------------------------------------------------------------


def file_escalation(bot: BotUnderTest) -> Any:
    from bot.escalations import service as escalations

    form = open_form(bot, "Acme Corp")
    account = next(b for b in form["blocks"] if b.get("block_id") == "account")
    values = {
        "account": {"escalation_account": account["element"]["initial_option"]},
        "category": {"category_select": "billing"},
        "severity": {"severity_select": "P2"},
        "description": {"description_input": "Double-billed for the static IP block"},
    }
    sent = bot.slack.view_submission(bot.url, user_id=ANA, view=form, values=values)
    assert sent.body["response_action"] == "update", sent.body
    (esc,), _ = escalations.search(bot.services)
    return esc


def test_only_routed_managers_and_admins_act_and_assignees_must_read_the_account(
    bot: BotUnderTest,
) -> None:
    from bot.escalations import service as escalations
    from bot.teams import parse_teams
    from tests.support.orgdata import TEAMS_YAML

    svc = bot.services
    old_teams = svc.teams
    # Priya manages another team in the teams file; Ana's escalation is not routed to her.
    svc.teams = parse_teams(
        TEAMS_YAML + "  - name: enterprise\n    channel: C0ENTNYC001\n"
        "    owners: [lauren.chen@example.com]\n    managers: [U0MGR00002]\n"
    )
    try:
        esc = file_escalation(bot)

        def click(user: str, action: str) -> SentRequest:
            return bot.slack.block_action(
                bot.url,
                user_id=user,
                action_id=action,
                value=str(esc.id),
                message={"ts": "1.0", "blocks": [], "text": esc.ref},
                channel_id="C0ESCALATE1",
            )

        for action in ("escalation_ack", "escalation_resolve", "escalation_reassign"):
            assert "not allowed" in all_text(bot.answer(click(PRIYA, action)))
        assert bot.slack.open_views(PRIYA) == []
        with configured(bot, admins=frozenset({PRIYA})):  # an acctbot admin may
            before = len(bot.slack.views_opened())
            assert click(PRIYA, "escalation_reassign").status == 200
            bot.slack.wait_until(lambda: len(bot.slack.views_opened()) > before, timeout=5)
            modal = bot.slack.open_views(PRIYA)[-1]
            assert modal["callback_id"] == "escalation_reassign"

            def reassign(to: str) -> dict[str, Any]:
                sent = bot.slack.view_submission(
                    bot.url, user_id=PRIYA, view=modal, values={"assignee": {"assignee_select": to}}
                )
                assert sent.status == 200 and sent.elapsed_ms < 3000
                return sent.body or {}

            for nobody in ("U0STRANGER", GUESTS[0], BOT_USER):  # unmapped, guest, bot
                errors = reassign(nobody)["errors"]["assignee"]
                assert "mapped to an active Salesforce user" in errors
            # Lauren is mapped, but her Salesforce user may not read Acme Corp.
            assert "can't see Acme Corp" in reassign(LAUREN)["errors"]["assignee"]
            assert escalations.get(svc, esc.id).assignee is None
            assert reassign(RAJ) == {}  # Raj may read it (through his deal on it)
        assert escalations.get(svc, esc.id).assignee == RAJ
        # The assignee the escalation was handed to may act on it (its DM has the buttons).
        assert click(RAJ, "escalation_ack").status == 200
        bot.slack.wait_until(lambda: escalations.get(svc, esc.id).status == "acknowledged")
        assert escalations.get(svc, esc.id).acknowledged_by == RAJ
        logged = [(e["command"], e["outcome"]) for e in events(bot) if e["slack_user_id"] == PRIYA]
        assert ("escalation_ack", "denied") in logged
        assert ("escalation_resolve", "denied") in logged
        assert logged.count(("escalation_reassign", "denied")) == 1 + 4  # the button, then 4
        assert ("escalation_reassign", "ok") in logged
    finally:
        svc.teams = old_teams


def test_digest_subscriptions_are_for_admins_and_the_teams_managers(bot: BotUnderTest) -> None:
    with bot.services.db.session() as s:
        s.execute(delete(DigestSubscription))
    try:
        for user in (ANA, PRIYA):  # a rep; a manager of no team in this teams file
            said = all_text(bot.ask("/digest", "subscribe smb-east", user=user))
            assert "Only acctbot admins and the managers of *smb-east*" in said
        # Previewing a team's digest names and sums its records, which a rep may not all
        # read: only its managers and admins (the private answer is not held to a
        # rep's own access otherwise).
        for user in (LAUREN, ANA):
            preview = all_text(bot.ask("/digest", "preview smb-east", user=user))
            assert "Only acctbot admins" in preview and "Quiet Harbor" not in preview
        raw = bot.ask("/digest", "preview smb-east", user=MARCUS)
        preview = all_text(raw)
        assert "daily digest" in preview
        # Names are escaped once (a link escapes its own label).
        assert "O'Hare Signal &amp; Sons" in json.dumps(raw) and "&amp;amp;" not in json.dumps(raw)
        previews = [e for e in events(bot) if e["slack_user_id"] == MARCUS]
        assert previews[-1]["record_ids"] and all(len(i) == 18 for i in previews[-1]["record_ids"])
        with configured(bot, admins=frozenset({LAUREN})):
            said = all_text(bot.ask("/digest", "subscribe smb-east", user=LAUREN))
            assert "This channel gets *smb-east*'s daily digest" in said
            gone = all_text(bot.ask("/digest", "unsubscribe smb-east", user=LAUREN))
            assert "no longer gets" in gone
        with bot.services.db.session() as s:
            rows = s.scalars(select(DigestSubscription)).all()
        assert [(r.created_by, r.active) for r in rows] == [(LAUREN, False)]
        config = [
            (e["slack_user_id"], e["outcome"])
            for e in events(bot)
            if e["command"] in ("/digest subscribe", "/digest unsubscribe")
        ]
        assert config == [(ANA, "denied"), (PRIYA, "denied"), (LAUREN, "ok"), (LAUREN, "ok")]
    finally:
        with bot.services.db.session() as s:
            s.execute(delete(DigestSubscription))


# --- the audit log -------------------------------------------------------------------------


def test_every_lookup_is_in_the_audit_log_and_exported_without_anything_sensitive(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    card = bot.ask("/account", "Acme Corp", user=ANA)
    bot.ask("/orders", "mine", user=ANA)
    bot.answer(press(bot, card, "refresh_card", user=ANA))
    open_home(bot, ANA)
    logged = events(bot)
    assert [(e["action"], e["command"]) for e in logged] == [
        ("lookup", "/account"),
        ("lookup", "/orders"),
        ("refresh", "refresh card"),
        ("lookup", "app_home"),
    ]
    first = logged[0]
    assert first["slack_user_id"] == ANA and first["salesforce_user_id"] == "005000000000001AAA"
    assert first["channel_id"] == CHANNEL and first["outcome"] == "ok"
    assert first["record_ids"][0] == ACME and len(first["record_ids"]) > 2  # + those named
    assert RAJ_SIDE_DEAL not in first["record_ids"]  # not shown to Ana, not logged as shown
    assert "801000000000001AAA" in logged[1]["record_ids"]

    monkeypatch.setenv("DATABASE_URL", bot.services.db.url)
    assert main(["audit", "export", "--format", "json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported == logged
    assert main(["audit", "export", "--format", "csv", "--since", "2026-11-18"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (
        lines[0]
        == "at,action,command,slack_user_id,salesforce_user_id,channel_id,record_ids,outcome"
    )
    assert len(lines) == 5 and lines[1].startswith("2026-11-18T15:00:00+00:00,lookup,/account,")
    assert main(["audit", "export", "--format", "csv", "--since", "2026-11-19"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1  # the header alone
    # Nothing sensitive: no search text, no names, no figures.
    raw = json.dumps(exported)
    for word in ("Acme", "Ana Ruiz", "$", "65,000", "mine"):
        assert word not in raw
    assert main(["audit", "export", "--format", "csv", "--since", "last week"]) == 2
    assert "--since 'last week' is not a date" in capsys.readouterr().err


def test_my_own_lists_and_home_leave_out_what_i_may_not_read(bot: BotUnderTest) -> None:
    # Raj owns an order on Ana's O'Hare account; orders follow their account's sharing,
    # so his "mine" does not show it (Salesforce would not show it to him either).
    data = private_org()
    data["Order"].append(
        {
            "OrderNumber": "00000131",
            "AccountId": OHARE,
            "OwnerId": "005000000000002AAA",
            "Status": "Draft",
            "EffectiveDate": "2026-11-02",
            "CreatedDate": "2026-10-30T14:00:00.000+0000",
            "TotalAmount": 900.0,
        }
    )
    bot.org.load(data)
    bot.forget(ANA, RAJ, MARCUS)
    mine = all_text(bot.ask("/orders", "mine", user=RAJ))
    assert "00000126" in mine and "00000131" not in mine and "1 order" in mine
    home = open_home(bot, RAJ)
    assert "Not dones* — 1 order stuck or overdue" in home and "00000131" not in home
    marcus = all_text(bot.ask("/orders", "@raj.rep", user=MARCUS))
    assert "00000131" in marcus and "2 orders" in marcus


def test_escalations_list_only_those_the_person_may_see(bot: BotUnderTest) -> None:
    esc = file_escalation(bot)  # on Ana's Acme Corp; alerted: Marcus
    assert esc.ref in all_text(bot.ask("/escalations", "", user=ANA))  # she filed it
    assert esc.ref in all_text(bot.ask("/escalations", "", user=MARCUS))  # alerted
    lauren = all_text(bot.ask("/escalations", "all", user=LAUREN))  # may not read Acme
    assert "No escalations" in lauren and "Acme" not in lauren and "Double" not in lauren
    assert esc.ref in all_text(bot.ask("/escalations", "acme", user=RAJ))  # reads Acme
    with configured(bot, admins=frozenset({LAUREN})):
        assert esc.ref in all_text(bot.ask("/escalations", "all", user=LAUREN))
    with configured(bot, visibility="workspace"):
        assert esc.ref in all_text(bot.ask("/escalations", "", user=LAUREN))


@pytest.mark.parametrize("fault", [{"error": "missing_scope"}, {"status": 503}])
def test_when_slack_cannot_say_who_is_asking_nothing_is_shown(
    bot: BotUnderTest, fault: dict[str, Any]
) -> None:
    bot.forget()  # nobody is known yet
    bot.org.clear_log()
    bot.slack.fail("users.info", count=20, **fault)
    try:
        text = all_text(bot.ask("/account", "Acme Corp", user=ANA))
    finally:
        bot.slack.clear_faults()
    assert "Acme" not in text and "$" not in text
    assert ("users:read" in text) if "error" in fault else ("couldn't check who you are" in text)
    assert bot.sf_requests() == []
    (event,) = events(bot)
    assert (event["action"], event["outcome"]) == ("refusal", "unavailable")
    # Nothing was cached: once Slack answers, Ana is served.
    assert "Health" in all_text(bot.ask("/account", "Acme Corp", user=ANA))


# --- /watch resolves as /account does -----------------------------------------------------


def test_watch_lists_suggests_and_refuses_only_as_the_person_may_read(bot: BotUnderTest) -> None:
    """/watch cuts its picker and suggestions to what the person may read, answers a
    hidden record found by name or number as if absent, refuses one named by Id without
    its label, and audits each refusal with the record's Id."""
    # Marcus reads both Acme accounts: a picker; Ana only Acme Corp: no picker of hers
    # names Acme Media Group, and her one readable match is watched straight away.
    marcus = all_text(bot.ask("/watch", "acme", user=MARCUS))
    assert "Acme Corp" in marcus and "Acme Media Group" in marcus
    ana = all_text(bot.ask("/watch", "acme", user=ANA))
    assert "Acme Media Group" not in ana and "You're watching" in ana
    # An exact hidden name, a near miss of it and a name nobody has: the same words.
    hidden = all_text(bot.ask("/watch", "Quiet Harbor Dental", user=ANA))
    assert hidden.startswith("No account or order matches Quiet Harbor Dental.")
    near = all_text(bot.ask("/watch", "Quite Harbour", user=ANA))
    assert "Quiet Harbor" not in near.replace("Quite Harbour", "")
    # By order number or account number: as if absent (no label).
    for text, user in (("00000130", RAJ), ("A-1001", LAUREN)):
        said = all_text(bot.ask("/watch", text, user=user))
        assert said.startswith(f"No account or order matches {text}."), said
        assert "O'Hare" not in said and "Acme" not in said
    absent = all_text(bot.ask("/watch", "00000999", user=RAJ))
    assert absent == all_text(bot.ask("/watch", "00000130", user=RAJ)).replace(
        "00000130", "00000999"
    )
    # By Id or link: refused, naming nothing of the record.
    for record_id, user, noun in ((OHARE_ORDER, RAJ, "order"), (RAJ_SIDE_DEAL, ANA, "deal")):
        said = all_text(bot.ask("/watch", record_id, user=user))
        assert f"can't see that {noun}" in said and "O'Hare" not in said
        assert "side deal" not in said and "Acme" not in said
    refusals = [e for e in events(bot) if e["command"] == "/watch" and e["outcome"] == "denied"]
    assert {tuple(e["record_ids"]) for e in refusals} >= {
        (QUIET,),
        (OHARE_ORDER,),
        (ACME,),
        (RAJ_SIDE_DEAL,),
    }


def test_pickers_find_readable_matches_behind_hidden_ones(bot: BotUnderTest) -> None:
    """60 accounts named "Acme A.." (Raj's, hidden from Ana) sort before Acme Corp: the
    picker and the type-ahead still find the one she may read."""
    data = private_org()
    for i in range(60):
        data["Account"].append({"Name": f"Acme A{i:02d}", "OwnerId": RAJ_SF})
    bot.org.load(data)
    bot.org.set_now(NOW)
    bot.forget(ANA)
    card = all_text(bot.ask("/account", "acme", user=ANA))
    assert "Acme Corp" in card and "Acme A0" not in card and "Health" in card
    watched = all_text(bot.ask("/watch", "acme", user=ANA))
    assert "Acme A0" not in watched and "Acme Corp" in watched
    view = {"id": "V1", "callback_id": "escalation_new", "blocks": []}
    sent = bot.slack.block_suggestion(
        bot.url, user_id=ANA, action_id="escalation_account", block_id="account",
        value="acme", view=view,
    )  # fmt: skip
    labels = [o["text"]["text"] for o in sent.body["options"]]
    assert any(label.startswith("Acme Corp") for label in labels), labels
    assert not any(label.startswith("Acme A") for label in labels), labels


def test_a_partial_viewer_pays_no_more_than_anyone_on_a_warm_list(bot: BotUnderTest) -> None:
    """/pipeline and /orders for someone who may read part of what they count: cold, the
    access check and the re-read of what they may read; warm, no more requests than a
    person who may read it all (the re-read is kept, keyed by the Ids)."""

    def cost(command: str, text: str, user: str) -> tuple[int, str]:
        bot.org.clear_log()
        said = all_text(bot.ask(command, text, user=user))
        return len(bot.sf_requests()), said

    for command, text, partial in (("/pipeline", "smb-east", ANA), ("/orders", "@ana.rep", RAJ)):
        bot.forget(partial, MARCUS)
        cost(command, text, MARCUS)
        full_warm, whole = cost(command, text, MARCUS)
        part_cold, _ = cost(command, text, partial)
        part_warm, part = cost(command, text, partial)
        assert part_cold == full_warm + 2, (command, part_cold, full_warm)
        assert part_warm == full_warm, (command, part_warm, full_warm)
        assert part != whole  # the partial viewer's figures are theirs
