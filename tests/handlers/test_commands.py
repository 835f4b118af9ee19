"""The status commands end to end: signed requests over HTTP to the real app, which asks
the sandbox org over HTTPS with simple-salesforce and answers through response_url."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SentRequest
from tests.support.blockcheck import all_text, assert_valid_message
from tests.support.harness import ANA, CHANNEL, RAJ, BotUnderTest, message_ts
from tests.support.orgdata import ACME, DRAFT_ORDER, NOW, small_org


@pytest.fixture
def bot(org: SandboxOrg, running_bot: BotUnderTest) -> BotUnderTest:
    org.load(small_org())
    org.set_now(NOW)
    running_bot.forget(ANA, RAJ)  # who they are is known; what they may read is not
    org.clear_log()
    running_bot.slack.clear()
    running_bot.slack.clear_faults()
    return running_bot


def queries(bot: BotUnderTest) -> list[str]:
    """Every SOQL the bot sent, composite subrequests included, in order."""
    out = []
    for r in bot.sf_requests():
        subs = r.get("subrequests") or [r]
        out += [sub.get("soql") or sub["path"] for sub in subs]
    return out


def press(
    bot: BotUnderTest, message: dict, action_id: str, *, user: str = ANA, ts: str | None = None
) -> SentRequest:
    """Click the button ``action_id`` on ``message`` (an answer, or a posted message)."""
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


# --- /account -------------------------------------------------------------------------


def test_account_card_in_one_request(bot: BotUnderTest) -> None:
    sent = bot.command("/account", "Acme Corp")
    assert sent.status == 200 and sent.elapsed_ms < 3000
    assert not sent.body  # an empty ack: Slack could never take a "Looking up" back
    answer = bot.answer(sent)
    assert_valid_message(answer)
    assert not answer.get("replace_original") and answer["response_type"] == "ephemeral"
    text = all_text(answer)
    # Hand-checked against tests/support/orgdata.py (frozen Wed 2026-11-18):
    assert "Acme Corp" in text and "Ana Ruiz" in text and "Newark, NJ" in text
    assert "3 open deals · $65,000" in text  # 50k + 12k + 3k (slipped one still open)
    assert "Next close Nov 20" in text and "Fiber upgrade" in text
    assert "Won this quarter*  $20,000" in text  # Q4 renewal; June's win is last quarter
    assert "1 Draft · 1 Pending Install" in text
    assert "1 draft past effective date" in text and "1 order open too long" in text
    assert "Last activated" in text and "00000125" in text
    assert "1 High · 1 Medium" in text and "Double-billed" in text
    assert "ends Dec 31" in text and "Dec 31, 2027" not in text  # only the one ending soon
    assert "Nov 10 (8 days ago)" in text
    assert "Health: red" in text and "1 escalated case open" in text
    assert "1 deal past close date" in text
    # One Salesforce request for the whole card, and one check of what Ana may read.
    assert len(bot.sf_requests()) == 2 and len(bot.access_checks()) == 1


def test_a_contract_ending_today_is_on_the_card(bot: BotUnderTest) -> None:
    # NEXT_N_DAYS:90 starts tomorrow; the contract ending today must not drop off.
    bot.org.set_now(dt.datetime(2026, 12, 31, 15, 0, tzinfo=dt.UTC))
    text = all_text(bot.ask("/account", "Acme Corp"))
    assert "ends Dec 31" in text and "ends today" in text


def test_ambiguous_name_gives_a_picker_that_turns_into_the_card(bot: BotUnderTest) -> None:
    sent = bot.command("/account", "acme")
    picker = bot.answer(sent)
    assert_valid_message(picker)
    section = picker["blocks"][0]
    options = section["accessory"]["options"]
    assert [o["text"]["text"].split(" ·")[0] for o in options] == ["Acme Corp", "Acme Media Group"]
    bot.slack.clear()
    bot.org.clear_log()
    message = {"ts": "1.0", "blocks": picker["blocks"], "text": picker["text"]}
    click = bot.slack.block_action(
        bot.url,
        user_id=ANA,
        action_id="account_pick",
        block_id=section.get("block_id"),
        selected_option=options[1],
        message=message,
    )
    assert click.status == 200 and click.elapsed_ms < 3000
    card = bot.answer(click)
    assert card["replace_original"] is True
    assert "Acme Media Group" in all_text(card) and "Raj Patel" in all_text(card)
    # The card's composite, and one check of what Ana may read.
    assert len(bot.sf_requests()) == 2 and len(bot.access_checks()) == 1


def test_no_match_says_so_and_suggests_close_names(bot: BotUnderTest) -> None:
    answer = bot.ask("/account", "Acne Crop")
    text = all_text(answer)
    assert "No account matches *Acne Crop*" in text
    assert "Did you mean" in text and "Acme Corp" in text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("O'Hare Signal & Sons", "O'Hare Signal & Sons"),
        ("o'hare", "O'Hare Signal & Sons"),
        ("100%", "100% Fiber Co"),
        ("Zürich", "Zürich Data AG"),
        ("A-1004", "Zürich Data AG"),
        (ACME, "Acme Corp"),
        (ACME[:15], "Acme Corp"),
        (f"https://acme.lightning.force.com/lightning/r/Account/{ACME}/view", "Acme Corp"),
    ],
)
def test_names_numbers_ids_and_links_find_the_account(
    bot: BotUnderTest, typed: str, expected: str
) -> None:
    answer = bot.ask("/account", typed)
    assert_valid_message(answer)
    assert expected in all_text(answer)
    assert answer["blocks"][0]["type"] == "header"


@pytest.mark.parametrize("typed", ["%", "_", "\\", "' OR Name != '", "x' OR Id != null OR '"])
def test_wildcards_quotes_and_backslashes_cannot_change_the_query(
    bot: BotUnderTest, typed: str
) -> None:
    answer = bot.ask("/account", typed)
    text = all_text(answer)
    if typed == "%":
        assert "100% Fiber Co" in text  # the literal percent sign, not "everything"
        assert "Acme" not in text
    else:
        assert "No account matches" in text
    sent = queries(bot)
    assert any("LIKE '%" in q for q in sent)
    if "'" in typed:  # every quote arrived escaped inside a string literal
        assert all(typed.replace("'", "\\'") in q for q in sent if "Name =" in q)


@pytest.mark.parametrize("text", ["", "help", "  HELP "])
def test_account_help_and_empty_give_usage_without_asking_salesforce(
    bot: BotUnderTest, text: str
) -> None:
    sent = bot.command("/account", text)
    assert sent.status == 200
    assert "/account" in json.dumps(sent.body) and "account number" in json.dumps(sent.body)
    time.sleep(0.2)
    assert bot.sf_requests() == [] and bot.slack.responses() == []


def test_repeated_lookup_is_cached_and_refresh_rereads(bot: BotUnderTest) -> None:
    first = bot.ask("/account", "Acme Corp")
    assert "$65,000" in all_text(first)
    bot.ask("/account", "Acme Corp")
    # The card and the check of what Ana may read; the second answer came from the cache.
    assert len(bot.sf_requests()) == 2

    changed = small_org()
    changed["Opportunity"][0]["Amount"] = 60000
    bot.org.load(changed)
    cached = bot.ask("/account", "acme corp")
    assert "$65,000" in all_text(cached)  # within the TTL: the cached card
    before = len(bot.sf_requests())
    click = press(bot, first, "refresh_card")
    fresh = bot.answer(click)
    assert "$75,000" in all_text(fresh)  # 60k + 12k + 3k, read again
    assert len(bot.sf_requests()) == before + 2  # the card, and what Ana may read, again
    assert len(bot.access_checks()) == 2
    assert "$75,000" in all_text(bot.ask("/account", "Acme Corp"))  # cache now fresh too


def test_share_posts_the_card_in_channel_and_removes_the_private_one(bot: BotUnderTest) -> None:
    card = bot.ask("/account", "Acme Corp")
    click = press(bot, card, "share_card", user=ANA)
    posted = bot.answer(click, predicate=lambda p: p.body.get("response_type") == "in_channel")
    assert_valid_message(posted)
    text = all_text(posted)
    assert "Acme Corp" in text and f"shared by <@{ANA}>" in text
    assert not any(
        e["action_id"] == "share_card"
        for b in posted["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    )
    bot.slack.wait_for_response(
        lambda p: p.body.get("delete_original") is True, id=click.response_url
    )
    in_channel = bot.slack.messages("C0GENERAL01")
    assert any("Acme Corp" in m.get("text", "") for m in in_channel)

    # Someone else refreshing the shared card keeps who shared it.
    click = press(bot, in_channel[-1], "refresh_card", user=RAJ)
    refreshed = all_text(bot.answer(click))
    assert f"shared by <@{ANA}>" in refreshed and RAJ not in refreshed


@pytest.mark.parametrize("problem", ["gone", "limit"])
def test_a_share_that_fails_tells_only_the_sharer_and_keeps_their_card(
    bot: BotUnderTest, problem: str
) -> None:
    account = "001000000000099AAA" if problem == "gone" else ACME  # no such account
    if problem == "limit":
        bot.org.set_faults({"error": "REQUEST_LIMIT_EXCEEDED", "count": 5})
    posted_before = len(bot.slack.messages("C0GENERAL01"))
    click = bot.slack.block_action(
        bot.url,
        user_id=ANA,
        action_id="share_card",
        value=json.dumps({"k": "account", "id": account}),
        channel_id="C0GENERAL01",
        message={"ts": "1.0", "blocks": [], "text": "Acme Corp"},
    )
    answer = bot.answer(click)
    assert answer["response_type"] == "ephemeral" and answer.get("replace_original") is False
    says = "no longer exists" if problem == "gone" else "API request limit is used up"
    assert says in all_text(answer)
    time.sleep(0.3)
    assert len(bot.slack.responses(click.response_url)) == 1  # no in_channel post, no delete
    assert len(bot.slack.messages("C0GENERAL01")) == posted_before


# --- /order ---------------------------------------------------------------------------


def test_order_card_with_items_and_stuck_flag(bot: BotUnderTest) -> None:
    answer = bot.ask("/order", "123")
    assert_valid_message(answer)
    text = all_text(answer)
    assert "Order 00000123" in text and "Acme Corp" in text and "Ana Ruiz" in text
    assert "$693" in text  # 2 x 249 + 10 x 19.50
    assert "Business Internet 1 Gig × 2 @ $249 = $498" in text
    assert "SIP Trunk × 10 @ $19.50 = $195" in text
    assert "Stuck:* draft 16 days past its effective date" in text
    assert len(bot.sf_requests()) == 2 and len(bot.access_checks()) == 1


def test_order_by_id_and_activated_order_is_not_stuck(bot: BotUnderTest) -> None:
    text = all_text(bot.ask("/order", "00000125"))
    assert "Activated" in text and "Stuck" not in text and "Nov 17" in text
    assert "Order 00000123" in all_text(bot.ask("/order", DRAFT_ORDER))


@pytest.mark.parametrize("typed", ["", "help", "banana", "12ab"])
def test_order_bad_input_gets_usage(bot: BotUnderTest, typed: str) -> None:
    sent = bot.command("/order", typed)
    body = json.dumps(sent.body)
    assert "/order" in body and "00000123" in body
    assert bot.sf_requests() == []


def test_unknown_order_number_says_so(bot: BotUnderTest) -> None:
    assert "No order matches *00099999*" in all_text(bot.ask("/order", "99999"))


# --- /orders --------------------------------------------------------------------------


def test_orders_mine_lists_not_dones_oldest_first(bot: BotUnderTest) -> None:
    answer = bot.ask("/orders", "mine")
    assert_valid_message(answer)
    text = all_text(answer)
    assert "2 orders" in text
    # Pending since Oct 20 (29 days) comes before the draft effective Nov 2 (16 days).
    assert text.index("00000124") < text.index("00000123")
    assert "29 days" in text and "16 days" in text
    assert "00000125" not in text and "00000126" not in text  # activated; Raj's


def test_orders_for_a_mentioned_user_and_for_an_account(bot: BotUnderTest) -> None:
    text = all_text(bot.ask("/orders", "@raj.rep"))  # Slack sends <@U0RAJ00001|raj.rep>
    assert "Raj Patel" in text and "00000126" in text and "00000123" not in text
    text = all_text(bot.ask("/orders", "Acme Media"))
    assert "00000126" in text and "00000123" not in text


def test_orders_for_an_unmapped_user_says_how_to_fix_it(bot: BotUnderTest) -> None:
    # Asked about: the asker is told why that person can't be looked up.
    text = all_text(bot.ask("/orders", "@stranger"))
    assert "No active Salesforce user has the e-mail sam@elsewhere.example" in text
    text = all_text(bot.ask("/orders", "@guest"))
    assert "users:read.email" in text
    # Asking: acctbot answers only people it can map, and says how to get access.
    text = all_text(bot.ask("/orders", "mine", user="U0STRANGER"))
    assert "none has your Slack e-mail address (sam@elsewhere.example)" in text
    assert "acctbot users map U0STRANGER" in text and "00000" not in text
    text = all_text(bot.ask("/orders", "", user="U0NOEMAIL1"))
    assert "users:read.email" in text and "00000" not in text


def test_user_mapping_is_cached(bot: BotUnderTest) -> None:
    bot.ask("/orders", "mine")
    n = len(bot.sf_requests())
    calls = len(bot.slack.calls_to("users.info"))
    bot.services.cache.clear()
    bot.ask("/orders", "mine")
    assert len(bot.sf_requests()) == n + 1  # only the orders query again
    assert len(bot.slack.calls_to("users.info")) == calls


# --- /pipeline ------------------------------------------------------------------------


def test_pipeline_for_me(bot: BotUnderTest) -> None:
    answer = bot.ask("/pipeline")
    assert_valid_message(answer)
    text = all_text(answer)
    assert "Pipeline Q4 2026" in text
    # Open this quarter: Fiber upgrade 50k (Nov 20), SIP trunks 12k (Dec 15); the
    # slipped Nov 1 deal is in Q4 too, so 3 deals / $65,000.
    assert "3 deals · $65,000" in text
    assert "1 deal · $20,000" in text  # won this quarter
    assert "Commit: $50,000" in text and "Pipeline: $15,000" in text
    assert "Closing this week* (1)" in text and "Fiber upgrade" in text
    assert "Slipped" in text and "Old Wi-Fi deal" in text


def test_closing_this_week_runs_into_next_quarter(bot: BotUnderTest) -> None:
    # Tuesday Dec 29: this week runs Sunday Dec 27 - Saturday Jan 2, into Q1.
    data = small_org()
    data["Opportunity"].append(
        {
            "Name": "New year kickoff",
            "AccountId": ACME,
            "OwnerId": "005000000000001AAA",
            "StageName": "Negotiation/Review",
            "Amount": 4000,
            "CloseDate": "2027-01-01",
        }
    )
    bot.org.load(data)
    bot.org.set_now(dt.datetime(2026, 12, 29, 15, 0, tzinfo=dt.UTC))
    text = all_text(bot.ask("/pipeline"))
    assert "Closing this week* (1)" in text and "New year kickoff" in text
    assert "Open this quarter*\n3 deals · $65,000" in text  # Jan 1 is next quarter's


def test_pipeline_for_a_team_and_a_bad_name(bot: BotUnderTest) -> None:
    text = all_text(bot.ask("/pipeline", "smb-east"))
    assert "team smb-east" in text and "Best Case: $8,000" in text  # Raj's media flight
    text = all_text(bot.ask("/pipeline", "nonsense"))
    assert "is not a team or a person" in text and "smb-east" in text


# --- faults ---------------------------------------------------------------------------


def test_slow_salesforce_still_acks_at_once_and_answers_later(bot: BotUnderTest) -> None:
    bot.org.set_faults({"latency_ms": 3500})
    sent = bot.command("/account", "Acme Corp")
    assert sent.status == 200 and sent.user_error is None
    assert sent.elapsed_ms < 1000
    answer = bot.answer(sent, timeout=15)
    assert "Acme Corp" in all_text(answer) and "Health" in all_text(answer)


def test_salesforce_timeout_becomes_a_clear_message(bot: BotUnderTest) -> None:
    bot.org.set_faults({"latency_ms": 7000})  # beyond SF_TIMEOUT=5 in the harness
    sent = bot.command("/order", "123")
    assert sent.elapsed_ms < 1000
    assert "taking too long" in all_text(bot.answer(sent, timeout=15))


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        ({"status": 500, "count": 5}, "Salesforce is not answering right now"),
        ({"error": "REQUEST_LIMIT_EXCEEDED", "count": 5}, "API request limit is used up"),
        ({"error": "INVALID_SESSION_ID"}, "session has expired or is invalid"),
    ],
)
def test_salesforce_errors_reach_the_user(
    bot: BotUnderTest, fault: dict, says: str, caplog: pytest.LogCaptureFixture
) -> None:
    bot.org.set_faults(fault)
    sent = bot.command("/account", "Acme Corp")
    assert sent.elapsed_ms < 1000
    assert says in all_text(bot.answer(sent))
    assert any("/account failed" in r.getMessage() for r in caplog.records)


def test_fifty_concurrent_commands_are_all_acked_fast(bot: BotUnderTest) -> None:
    from concurrent.futures import ThreadPoolExecutor

    bot.org.set_faults({"latency_ms": 2000})
    with ThreadPoolExecutor(50) as pool:
        sent = list(pool.map(lambda i: bot.command("/order", str(123 + i % 4)), range(50)))
    assert all(s.status == 200 and s.user_error is None for s in sent)
    assert max(s.elapsed_ms for s in sent) < 3000
    for s in sent:
        assert "Order 0000012" in all_text(bot.answer(s, timeout=30))


def test_a_refused_response_url_falls_back_to_an_ephemeral_message(bot: BotUnderTest) -> None:
    bot.slack.invite_bot("C0MEDIA0001")  # chat.postEphemeral needs the bot in the channel
    bot.slack.fail("response_url", status=404, count=1)
    sent = bot.command("/order", "123", channel="C0MEDIA0001")
    assert sent.status == 200
    call = bot.slack.wait_for("chat.postEphemeral", timeout=15)
    assert call.ok and call.args["user"] == ANA and call.args["channel"] == "C0MEDIA0001"
    shown = bot.slack.ephemeral_messages(ANA, "C0MEDIA0001")
    assert "Order 00000123" in shown[-1]["text"]


def test_where_the_bot_cannot_post_ephemerally_the_fallback_is_a_dm(bot: BotUnderTest) -> None:
    bot.slack.fail("response_url", status=404, count=1)
    sent = bot.command("/order", "123", channel="C0ENTNYC001")  # a channel acctbot is not in
    assert sent.status == 200
    dm = bot.slack.wait_for_message(
        ANA, lambda m: "Order 00000123" in m.get("text", ""), timeout=15
    )
    assert dm["bot_id"]
    refused = bot.slack.calls_to("chat.postEphemeral")[-1]
    assert refused.response and refused.response["error"] == "not_in_channel"


@pytest.mark.parametrize("command", ["/orders", "/pipeline"])
def test_an_at_name_that_is_not_a_mention_is_nobody(bot: BotUnderTest, command: str) -> None:
    text = all_text(bot.ask(command, "@nobody", user=ANA))
    assert "I don't know who *@nobody* is" in text
    assert bot.sf_requests() == []


# --- App Home -------------------------------------------------------------------------


def open_home(bot: BotUnderTest, user: str) -> dict:
    event = {
        "type": "app_home_opened",
        "user": user,
        "channel": "D0HOME",
        "tab": "home",
        "event_ts": "1.0",
    }
    sent = bot.slack.event(bot.url, event)
    assert sent.status == 200 and sent.elapsed_ms < 3000
    call = bot.slack.wait_for("views.publish", lambda c: c.args.get("user_id") == user, timeout=15)
    view = call.args["view"]
    return json.loads(view) if isinstance(view, str) else view


def test_app_home_shows_my_not_dones_quarter_and_commands(bot: BotUnderTest) -> None:
    view = open_home(bot, ANA)
    assert len(view["blocks"]) <= 100
    assert_valid_message({"text": "home", "blocks": view["blocks"]}, max_blocks=100)
    text = all_text({"blocks": view["blocks"]})
    assert "Not dones* — 2 orders stuck or overdue" in text
    assert "00000124" in text and "00000123" in text
    assert (
        "Q4 2026* — 3 open deals · $65,000 · won $20,000 · 1 closing this week · 1 slipped" in text
    )
    assert "Your escalations* — none open" in text
    assert "/orders mine" in text
    assert bot.slack.home_view(ANA) is not None


def test_app_home_for_an_unmapped_user_says_how_to_fix_it(bot: BotUnderTest) -> None:
    text = all_text({"blocks": open_home(bot, "U0STRANGER")["blocks"]})
    assert "none has your Slack e-mail address (sam@elsewhere.example)" in text
    assert "acctbot users map U0STRANGER" in text
    assert "Not dones" not in text and "Q4" not in text  # nothing else: a plain refusal


def test_app_home_counts_every_not_done_and_lists_the_oldest(bot: BotUnderTest) -> None:
    data = small_org()
    for i in range(6):  # six more overdue drafts for Ana, effective Nov 1..6
        data["Order"].append(
            {
                "AccountId": ACME,
                "OwnerId": "005000000000001AAA",
                "Status": "Draft",
                "EffectiveDate": f"2026-11-0{i + 1}",
                "CreatedDate": "2026-11-10T14:00:00.000+0000",
                "TotalAmount": 10.0,
            }
        )
    bot.org.load(data)
    text = all_text({"blocks": open_home(bot, ANA)["blocks"]})
    assert "Not dones* — 8 orders stuck or overdue" in text
    assert "29 days" in text  # the pending order from Oct 20 is the oldest, listed first
    assert text.count("days past its effective date") == 4  # 5 listed: 1 pending + 4 drafts
    assert "…and 3 more orders: `/orders mine` lists the oldest 30." in text


def test_app_home_is_cached_and_survives_salesforce_errors(bot: BotUnderTest) -> None:
    open_home(bot, ANA)
    n = len(bot.sf_requests())
    bot.slack.clear()
    open_home(bot, ANA)
    assert len(bot.sf_requests()) == n  # within the TTL: no new Salesforce request
    bot.services.cache.clear()
    bot.org.set_faults({"error": "REQUEST_LIMIT_EXCEEDED", "count": 5})
    bot.slack.clear()
    text = all_text({"blocks": open_home(bot, ANA)["blocks"]})
    assert "API request limit is used up" in text and "/account Acme" in text


@pytest.mark.parametrize(
    ("command", "text", "private", "shared"),
    [
        ("/orders", "mine", "Not dones — your orders", "Not dones — Ana Ruiz"),
        ("/pipeline", "", "Pipeline Q4 2026 — you", "Pipeline Q4 2026 — Ana Ruiz"),
        ("/pipeline", "smb-east", "— team smb-east", "— team smb-east"),
    ],
)
def test_lists_can_be_shared_and_refreshed_for_the_person_who_asked(
    bot: BotUnderTest, command: str, text: str, private: str, shared: str
) -> None:
    answer = bot.ask(command, text)
    assert_valid_message(answer)
    assert private in all_text(answer)
    click = press(bot, answer, "share_card", user=ANA)
    posted = bot.answer(click, predicate=lambda p: p.body.get("response_type") == "in_channel")
    assert_valid_message(posted)
    assert shared in all_text(posted) and f"Shared by <@{ANA}>" in all_text(posted)
    # Raj refreshes Ana's shared list: still Ana's, still credited to her.
    again = press(bot, posted, "refresh_card", user=RAJ, ts="2.0")
    fresh = bot.answer(again)
    assert shared in all_text(fresh) and f"Shared by <@{ANA}>" in all_text(fresh)


def test_an_exact_name_is_found_even_when_many_names_sort_before_it(bot: BotUnderTest) -> None:
    data = small_org()
    data["Account"] += [
        {"Name": f"A Corp {i:02d}", "OwnerId": "005000000000001AAA"} for i in range(1, 16)
    ]
    data["Account"].append(
        {"Name": "Corp", "OwnerId": "005000000000002AAA", "BillingCity": "Exactville"}
    )
    bot.org.load(data)
    card = bot.ask("/account", "corp")
    assert card["blocks"][0]["text"]["text"] == "Corp"  # its card at once, not a picker
    assert "Exactville" in all_text(card)
    # Exact, prefix, contains, count and Ids: one composite; and what Ana may read.
    assert len(bot.sf_requests()) == 2 and len(bot.access_checks()) == 1
    picker = bot.ask("/account", "A Corp")
    text = all_text(picker)
    assert "15 accounts match *A Corp*. Here are the best 10" in text
    options = picker["blocks"][0]["accessory"]["options"]
    assert len(options) == 10 and options[0]["text"]["text"].startswith("A Corp 01")


@pytest.mark.parametrize("action_id", ["refresh_card", "share_card", "escalate_from_card"])
@pytest.mark.parametrize("value", ['{"k": "opportunity", "id": "006"}', "garbage", '{"k": []}'])
def test_a_button_from_an_unknown_card_says_it_is_out_of_date(
    bot: BotUnderTest, action_id: str, value: str
) -> None:
    card = bot.ask("/account", "Acme Corp")
    bot.org.clear_log()
    sent = bot.slack.block_action(
        bot.url,
        user_id=ANA,
        action_id=action_id,
        value=value,
        channel_id=CHANNEL,
        message={"ts": "1.0", **card},
    )
    assert sent.status == 200
    reply = bot.answer(sent)
    assert "out of date" in all_text(reply) and reply.get("replace_original") is not True
    assert bot.sf_requests() == []  # nothing was looked up


@pytest.mark.parametrize(
    "command",
    ["/account", "/order", "/orders", "/pipeline", "/escalate", "/escalations", "/digest"],
)
def test_usage_text_shows_its_angle_brackets(bot: BotUnderTest, command: str) -> None:
    """Slack reads <...> as a link or mention even inside code: a usage line like
    `<order number | Salesforce Id>` must arrive escaped or half of it disappears."""
    sent = bot.command(command, "help")
    assert sent.status == 200
    texts = [sent.body.get("text", "")] + [
        b["text"]["text"] for b in sent.body.get("blocks", []) if b.get("type") == "section"
    ]
    assert any(command in t for t in texts)
    for t in texts:
        assert "<" not in t and ">" not in t, t


# --- repeats (issue 14, weakness 1) -----------------------------------------------------


def test_a_replayed_or_double_clicked_share_posts_once(bot: BotUnderTest) -> None:
    from tests.support import raw

    card = bot.ask("/account", "Acme Corp")
    message = {"ts": "1700000000.000100", **card}
    value = next(
        e["value"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == "share_card"
    )  # fmt: skip
    before = len(bot.slack.messages(CHANNEL))
    payload = bot.slack.block_action_payload(
        user_id=ANA, action_id="share_card", value=value, message=message, channel_id=CHANNEL
    )
    signed = raw.interaction(bot.slack, payload)
    assert signed.send(bot.url).status_code == 200
    assert signed.send(bot.url).content == b""  # the same request: not run again
    # A double click: a second, different request from the same message.
    second = bot.slack.block_action(
        bot.url, user_id=ANA, action_id="share_card", value=value, message=message,
        channel_id=CHANNEL,
    )  # fmt: skip
    assert second.status == 200
    bot.slack.wait_until(lambda: len(bot.slack.messages(CHANNEL)) > before, timeout=10)
    time.sleep(0.5)
    shared = [m for m in bot.slack.messages(CHANNEL)[before:] if "Acme Corp" in m.get("text", "")]
    assert len(shared) == 1
    assert bot.slack.responses(second.response_url) == []  # the second press did nothing


def test_a_button_from_an_older_card_says_it_is_out_of_date(bot: BotUnderTest) -> None:
    for action in ("share_card", "refresh_card", "escalate_from_card"):
        for value in ("123", '{"v": 7, "k": "account", "id": "x"}', '{"k": "account", "id": 5}',
                      '{"k": "account", "id": "not-an-id"}', None):  # fmt: skip
            sent = bot.slack.block_action(
                bot.url, user_id=ANA, action_id=action, value=value, channel_id=CHANNEL,
                message={"ts": "1.0", "blocks": [], "text": "old card"},
            )  # fmt: skip
            assert sent.status == 200 and sent.elapsed_ms < 1000
            assert "out of date" in bot.answer(sent)["text"]
