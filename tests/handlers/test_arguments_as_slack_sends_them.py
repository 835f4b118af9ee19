"""Arguments as Slack really sends them, end to end through the real HTTP path.

- A Salesforce record link or bare Id names its record, by the Id's key prefix (or the
  Lightning path): an account's gives that account's not-dones in /orders, an order's is
  that order, any other object's is named for what it is; never a search of account
  names for a URL, never a wrong all-clear. Long links are read first, then limited.
- Mentions without a name (``<@U123>``, ``<#C123|>``: real Slack sends private channels
  that way) are named through Slack or shown as Slack's own mention, never a bare id or a
  doubled ``##``; a user group without a label is "a user group"; a date without its
  fallback is the date.
- "Share in channel" removes the private card only once the channel post succeeded.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from sqlalchemy import delete

from bot.delivery.channels import Channels
from bot.infra.models import DigestRun, DigestSubscription
from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SlackStandIn
from bot.teams import parse_teams
from tests.handlers.test_slack_as_it_is import (
    BOOKING,
    BOOKING_ORDER,
    PRIVATE,
    TEAMS_WITH_MEDIA,
    linked_org,
    press,
)
from tests.support.blockcheck import all_text, assert_valid_message
from tests.support.harness import ANA, CHANNEL, MARCUS, RAJ, BotUnderTest, posts
from tests.support.orgdata import ACME, NOW, TEAMS_YAML

QUIET = "001000000000006AAA"  # Quiet Harbor Dental: no orders at all
ACME_ORDER = "801000000000001AAA"  # 00000123, Acme Corp's
OPPORTUNITY = "006000000000001AAA"
CASE = "500000000000001AAA"
CONTACT = "003000000000001AAA"
LIGHTNING = "https://acme.lightning.force.com/lightning/r"


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
    svc.channels = Channels()  # channel names and joins learnt afresh
    svc.teams = parse_teams(TEAMS_YAML)
    with svc.db.session() as s:
        s.execute(delete(DigestSubscription))
        s.execute(delete(DigestRun))
    running_bot.slack.clear()
    running_bot.slack.clear_faults()
    return running_bot


def answer_to(bot: BotUnderTest, command: str, sent_as: str) -> str:
    sent = bot.command(command, sent_as=sent_as)
    assert sent.status == 200 and sent.user_error is None
    answer = bot.answer(sent)
    assert_valid_message(answer)
    return all_text(answer)


# --- 1. record links and Ids by their object ----------------------------------------------


ACME_REFS = [
    f"<{LIGHTNING}/Account/{ACME}/view|Acme>",
    f"<{LIGHTNING}/Account/{ACME}/view>",
    f"<https://acme.my.salesforce.com/{ACME[:15]}|the big one>",
    ACME,
    ACME[:15],
]


@pytest.mark.parametrize("sent_as", ACME_REFS)
def test_orders_for_an_account_link_or_id_lists_that_accounts_not_dones(
    bot: BotUnderTest, sent_as: str
) -> None:
    text = answer_to(bot, "/orders", sent_as)
    assert "Not dones — Acme Corp" in text and "2 orders* stuck or overdue" in text
    assert "00000123" in text and "no stuck or overdue" not in text
    assert "https://" not in text.split("\n")[0]  # the title names the account, not the URL
    # the buttons re-ask the same question: a Refresh reads that account again
    card = bot.answer(bot.command("/orders", sent_as=sent_as))
    again = bot.answer(press(bot, card, "refresh_card"))
    assert "Not dones — Acme Corp" in all_text(again)


def test_orders_for_another_accounts_link(bot: BotUnderTest) -> None:
    text = answer_to(bot, "/orders", f"<{LIGHTNING}/Account/{BOOKING}/view|Booking.com>")
    assert "Not dones — Booking.com" in text and "00000140" in text


def test_an_account_with_nothing_stuck_is_an_all_clear_by_link_and_by_name(
    bot: BotUnderTest,
) -> None:
    by_link = answer_to(bot, "/orders", f"<{LIGHTNING}/Account/{QUIET}/view|Quiet>")
    assert "Quiet Harbor Dental*: no stuck or overdue orders" in by_link
    by_name = answer_to(bot, "/orders", "Quiet Harbor")
    assert "no stuck or overdue orders" in by_name


@pytest.mark.parametrize(
    "sent_as",
    ["Zzyzx Holdings", "<https://example.com/some/page>", "001000000000099AAA"],
)
def test_orders_for_something_no_account_is_says_so_never_an_all_clear(
    bot: BotUnderTest, sent_as: str
) -> None:
    text = answer_to(bot, "/orders", sent_as)
    assert "no stuck or overdue" not in text
    assert "No account" in text


@pytest.mark.parametrize(
    "sent_as",
    [f"<{LIGHTNING}/Order/{BOOKING_ORDER}/view|my order>", BOOKING_ORDER, BOOKING_ORDER[:15]],
)
def test_orders_for_an_order_link_or_id_is_that_order(bot: BotUnderTest, sent_as: str) -> None:
    text = answer_to(bot, "/orders", sent_as)
    assert "Order 00000140" in text and "no stuck or overdue" not in text


WRONG_OBJECTS = [
    (f"<{LIGHTNING}/Opportunity/{OPPORTUNITY}/view|Big deal>", "a link to an opportunity"),
    (f"<https://acme.my.salesforce.com/{CASE}|case>", "a link to a case"),
    (CONTACT, "a contact's Id"),
    (f"<{LIGHTNING}/Contract/800000000000001AAA/view>", "a link to a contract"),
]


@pytest.mark.parametrize(("sent_as", "named"), WRONG_OBJECTS)
@pytest.mark.parametrize("command", ["/account", "/orders", "/pipeline", "/escalations", "/order"])
def test_a_link_to_another_kind_of_record_is_named_for_what_it_is(
    bot: BotUnderTest, command: str, sent_as: str, named: str
) -> None:
    sent = bot.command(command, sent_as=sent_as)
    text = all_text(bot.answer(sent))
    assert f"That is {named}" in text, text
    assert "No account matches" not in text and "No escalations" not in text
    assert bot.sf_requests() == []  # told from the link itself: nothing was searched


@pytest.mark.parametrize(
    ("sent_as", "named"),
    [(f"<{LIGHTNING}/Contact/{CONTACT}/view|Jo>", "that is a link to a contact"),
     ("00Q000000000001AAA", "`00Q…` is the Id of another kind of record (a lead)")],
)  # fmt: skip
def test_watch_names_a_link_to_a_record_it_cannot_watch(
    bot: BotUnderTest, sent_as: str, named: str
) -> None:
    text = answer_to(bot, "/watch", sent_as)
    assert named in text and "No account matches" not in text


def test_account_and_order_links_in_the_other_command_say_where_they_go(
    bot: BotUnderTest,
) -> None:
    order_in_account = answer_to(bot, "/account", f"<{LIGHTNING}/Order/{BOOKING_ORDER}/view|o>")
    assert "That is a link to an order, not to an account" in order_in_account
    assert "`/order`" in order_in_account
    account_in_order = answer_to(bot, "/order", f"<{LIGHTNING}/Account/{ACME}/view|Acme>")
    assert "That is a link to an account, not to an order" in account_in_order
    assert "`/account`" in account_in_order
    account_in_pipeline = answer_to(bot, "/pipeline", ACME)
    assert "That is an account's Id, not a person or a team's" in account_in_pipeline
    assert bot.sf_requests() == []


def test_escalations_for_an_account_or_order_link(bot: BotUnderTest) -> None:
    account = f"<{LIGHTNING}/Account/{ACME}/view>"
    assert "for that account" in answer_to(bot, "/escalations", account)
    assert "for that order" in answer_to(bot, "/escalations", BOOKING_ORDER)


def test_the_escalation_form_names_a_wrong_link_and_prefills_an_order_link(
    bot: BotUnderTest,
) -> None:
    before = len(bot.slack.views_opened())
    bot.command("/escalate", sent_as=f"<{LIGHTNING}/Opportunity/{OPPORTUNITY}/view|deal>")
    bot.slack.wait_until(lambda: len(bot.slack.views_opened()) > before, timeout=5)
    view = bot.slack.open_views(ANA)[-1]
    text = all_text({"blocks": view["blocks"]})
    assert "That is a link to an opportunity" in text and "No account matches" not in text

    before = len(bot.slack.views_opened())
    bot.command("/escalate", sent_as=f"<{LIGHTNING}/Order/{BOOKING_ORDER}/view|my order>")
    bot.slack.wait_until(lambda: len(bot.slack.views_opened()) > before, timeout=5)
    view = bot.slack.open_views(ANA)[-1]
    assert view["blocks"][0]["element"]["initial_option"]["value"] == BOOKING


def test_the_forms_order_field_names_a_link_to_another_record(bot: BotUnderTest) -> None:
    before = len(bot.slack.views_opened())
    bot.command("/escalate", "Acme Corp")
    bot.slack.wait_until(lambda: len(bot.slack.views_opened()) > before, timeout=5)
    view = bot.slack.open_views(ANA)[-1]
    account = view["blocks"][0]["element"]["initial_option"]
    values = {
        "account": {"escalation_account": account},
        "order": {"order_input": f"{LIGHTNING}/Account/{ACME}/view"},
        "category": {"category_select": "billing"},
        "severity": {"severity_select": "P3"},
        "description": {"description_input": "Customer was double-billed again"},
    }
    sent = bot.slack.view_submission(bot.url, user_id=ANA, view=view, values=values)
    assert sent.status == 200 and sent.body["response_action"] == "errors"
    assert "That is a link to an account, not an order" in sent.body["errors"]["order"]


# --- 6. read first, then limit -----------------------------------------------------------


LONG_LINKS = [
    # a sandbox My Domain: 112 characters
    f"https://acme-holdings-international--uat.sandbox.lightning.force.com/lightning/r/Account/{ACME}/view",
    # a Lightning console tab with its workspace parameter
    f"{LIGHTNING}/Account/{ACME}/view?ws=%2Flightning%2Fr%2FCase%2F5008c00000AbCdEAAV%2Fview",
    # past 200 characters
    f"{LIGHTNING}/Account/{ACME}/view?0.source=alohaHeader&ws="
    + "%2Flightning%2Fr%2FCase%2F5008c00000AbCdEAAV%2Fview" * 4,
]


@pytest.mark.parametrize("link", LONG_LINKS)
def test_a_long_salesforce_link_is_read_whole_in_the_type_ahead(
    bot: BotUnderTest, link: str
) -> None:
    assert len(link) > 100
    before = len(bot.slack.views_opened())
    bot.command("/escalate", "")
    bot.slack.wait_until(lambda: len(bot.slack.views_opened()) > before, timeout=5)
    view = bot.slack.open_views(ANA)[-1]
    for value in (link, f"<{link}|Acme>"):
        options = bot.slack.block_suggestion(
            bot.url, user_id=ANA, action_id="escalation_account", block_id="account",
            value=value, view=view,
        )  # fmt: skip
        assert options.status == 200 and options.problems == []
        labels = [o["text"]["text"] for o in options.body["options"]]
        assert labels and labels[0].startswith("Acme Corp"), (value, labels)


def test_the_type_ahead_finds_an_order_links_account_and_answers_nothing_validly(
    bot: BotUnderTest,
) -> None:
    before = len(bot.slack.views_opened())
    bot.command("/escalate", "")
    bot.slack.wait_until(lambda: len(bot.slack.views_opened()) > before, timeout=5)
    view = bot.slack.open_views(ANA)[-1]

    def options(value: str) -> list[str]:
        sent = bot.slack.block_suggestion(
            bot.url, user_id=ANA, action_id="escalation_account", block_id="account",
            value=value, view=view,
        )  # fmt: skip
        assert sent.status == 200 and sent.problems == [], sent.problems
        return [o["text"]["text"] for o in sent.body["options"]]

    assert options(f"{LIGHTNING}/Order/{ACME_ORDER}/view")[0].startswith("Acme Corp")
    assert options("Nothing is called this") == []  # Slack shows "no results"
    assert options(f"{LIGHTNING}/Opportunity/{OPPORTUNITY}/view") == []


@pytest.mark.parametrize(
    ("command", "expect"),
    [
        ("/account", "Health"),
        ("/orders", "Not dones — Acme Corp"),
        ("/escalations", "for that account"),
    ],
)
def test_status_commands_take_a_salesforce_link_longer_than_their_text_limit(
    bot: BotUnderTest, command: str, expect: str
) -> None:
    link = LONG_LINKS[-1]
    assert len(link) > 200
    text = answer_to(bot, command, f"<{link}|Acme>")
    assert expect in text and "That is too long" not in text
    # typed text that long is still refused, in the acknowledgement
    assert "That is too long" in answer_to(bot, command, "A" * 201)


# --- 5 and 9. mentions without names --------------------------------------------------------


def test_a_private_channel_mention_arrives_without_its_name(bot: BotUnderTest) -> None:
    sent = bot.command("/pipeline", "#deal-desk", channel=PRIVATE)
    assert sent.payload["text"] == f"<#{PRIVATE}|>"  # as Slack sends a private channel


@pytest.mark.parametrize("sent_as", ["<#C0MEDIA0001|>", "<#C0MEDIA0001>"])
def test_a_channel_mention_without_a_name_finds_the_team_by_the_channels_name(
    bot: BotUnderTest, sent_as: str
) -> None:
    bot.services.teams = parse_teams(TEAMS_WITH_MEDIA)  # media-sales's channel is #general
    assert "team media-sales" in answer_to(bot, "/pipeline", sent_as)
    # Marcus manages media-sales: he may preview its digest
    sent = bot.command("/digest", sent_as=f"preview {sent_as}", user=MARCUS)
    assert "media-sales · daily digest" in all_text(bot.answer(sent))
    assert bot.slack.calls_to("conversations.info")  # the name came from Slack


def test_a_channel_mention_without_a_name_finds_the_team_by_the_channel(
    bot: BotUnderTest,
) -> None:
    assert "team smb-east" in answer_to(bot, "/pipeline", "<#C0SMBEAST01|>")
    bot.services.teams = parse_teams(TEAMS_YAML.replace("C0SMBEAST01", PRIVATE))
    sent = bot.command("/pipeline", "#deal-desk", channel=PRIVATE)  # <#G0DEALDESK1|>
    assert "team smb-east" in all_text(bot.answer(sent))


def test_no_doubled_hash_or_bare_id_for_a_channel_that_is_no_team(bot: BotUnderTest) -> None:
    for command, sent_as in [
        ("/digest", "subscribe <#C0ESCALATE1|>"),
        ("/digest", "preview <#C0ESCALATE1>"),
        ("/pipeline", "<#C0ESCALATE1|>"),
    ]:
        answer = bot.answer(bot.command(command, sent_as=sent_as))
        raw = json.dumps(answer)
        assert "#escalations is not a team's channel" in all_text(answer), raw
        assert "##" not in raw and "#C0ESCALATE1" not in raw.replace("<#C0ESCALATE1>", "")
    # a private channel acctbot cannot see: Slack's own mention, which Slack shows by name
    answer = bot.answer(bot.command("/pipeline", sent_as=f"<#{PRIVATE}|>"))
    raw = json.dumps(answer)
    assert f"<#{PRIVATE}> is not a team's channel" in raw
    assert "##" not in raw and f"#{PRIVATE} " not in raw.replace(f"<#{PRIVATE}>", "")


def test_a_person_without_a_name_is_named_never_a_bare_id(bot: BotUnderTest) -> None:
    bare = f"<@{RAJ}>"
    for command, expect in [
        ("/escalations", "filed by or assigned to @raj.rep"),
        ("/account", "@raj.rep is a person, not an account"),
        ("/orders", "Raj Patel"),
        ("/pipeline", "Raj Patel"),
    ]:
        answer = bot.answer(bot.command(command, sent_as=bare))
        raw = json.dumps(answer)
        assert expect in all_text(answer), (command, raw)
        # never "@U0RAJ00001" as text (a button may carry Slack's own <@U0RAJ00001|...>)
        assert f"@{RAJ}" not in re.sub(rf"<@{RAJ}(\|[^>]*)?>", "", raw)


def test_a_person_slack_cannot_name_is_slacks_own_mention(bot: BotUnderTest) -> None:
    answer = bot.answer(bot.command("/account", sent_as="<@U0NOBODY99>"))
    raw = json.dumps(answer)
    assert "<@U0NOBODY99> is a person" in raw  # Slack shows the mention as the name
    assert "@U0NOBODY99" not in raw.replace("<@U0NOBODY99>", "")


def test_a_user_group_without_a_label_and_a_date_without_its_fallback(
    bot: BotUnderTest,
) -> None:
    group = all_text(bot.answer(bot.command("/orders", sent_as="<!subteam^S0SMBSALES>")))
    assert "That is a user group, not one person" in group and "S0SMBSALES" not in group
    date = answer_to(bot, "/account", "<!date^1392734382^{date}>")
    assert "No account matches *February 18th, 2014*" in date and "@date" not in date


# --- 2. share in channel ---------------------------------------------------------------------


def test_a_share_slack_refuses_keeps_the_private_card_and_tells_the_presser(
    bot: BotUnderTest,
) -> None:
    card = bot.ask("/account", "Acme Corp")
    before = len(posts(bot.slack, CHANNEL))
    bot.slack.fail("response_url", status=500, count=1)  # the in_channel post fails
    click = press(bot, card, "share_card")
    told = bot.answer(click, predicate=lambda p: p.status == 200)
    assert "couldn't share this card" in all_text(told)
    assert told["response_type"] == "ephemeral" and told.get("replace_original") is False
    time.sleep(0.5)
    effects = [p.effect for p in bot.slack.responses(click.response_url)]
    assert "deleted" not in effects and "in_channel" not in effects  # the card stays
    assert len(posts(bot.slack, CHANNEL)) == before

    # Slack takes it the next time: shared for everyone, then the private copy goes
    again = press(bot, card, "share_card")
    bot.answer(again, predicate=lambda p: p.effect == "in_channel")
    bot.slack.wait_until(
        lambda: [p.effect for p in bot.slack.responses(again.response_url)][-1:] == ["deleted"],
        timeout=5,
    )
    effects = [p.effect for p in bot.slack.responses(again.response_url)]
    assert effects == ["in_channel", "deleted"]
