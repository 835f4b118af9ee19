"""Every field of every message acctbot sends is escaped, text fallbacks included (issue
14, weakness 7): Slack parses ``<!channel>``, ``<!here>``, ``<@U…>`` and ``<url|label>``
in a message's ``text`` as well as in its blocks, and notifications show the ``text``
(https://api.slack.com/reference/surfaces/formatting#escaping).

End to end: an org and a form full of hostile text, every feature exercised over HTTP,
then every Web API call, response_url post and acknowledgement the app sent is scanned.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import delete

from bot.digests import service as digests
from bot.escalations import service as escalations
from bot.infra.models import Escalation, EscalationHistory, EscalationRecipient, OutboxMessage
from bot.standins.salesforce.server import SandboxOrg
from tests.escalations.test_escalations import alert_in, open_form, settle, submit
from tests.support.harness import ANA, MARCUS, BotUnderTest
from tests.support.orgdata import ACME, NOW, small_org

HOSTILE = "<!channel> <!here> <!everyone> <https://evil.example|win> <@U0EVIL0001> &amp; x"
RAW_TOKENS = ("<!channel>", "<!here>", "<!everyone>", "<https://evil.example", "<@U0EVIL0001>")


def hostile_org() -> dict[str, list[dict[str, Any]]]:
    data = small_org()
    for account in data["Account"]:
        if account["Id"] == ACME:
            account["Name"] = "Acme " + HOSTILE
    for opp in data.get("Opportunity", []):
        opp["Name"] = f"{opp.get('Name', 'Deal')} {HOSTILE}"
    for case in data.get("Case", []):
        case["Subject"] = f"{case.get('Subject', 'Case')} {HOSTILE}"
    return data


@pytest.fixture
def bot(org: SandboxOrg, running_bot: BotUnderTest) -> BotUnderTest:
    org.load(hostile_org())
    org.set_now(NOW)
    svc = running_bot.services
    svc.cache.clear()
    running_bot.slack.clear()
    running_bot.slack.clear_messages()
    with svc.db.session() as s:
        for table in (OutboxMessage, EscalationRecipient, EscalationHistory, Escalation):
            s.execute(delete(table))
    return running_bot


def texts(node: Any) -> list[str]:
    """Every string Slack parses as markup in a message, view or call (JSON strings
    inside decoded). ``plain_text`` objects are shown literally, never parsed, so they
    are left out (https://api.slack.com/reference/block-kit/composition-objects#text)."""
    out: list[str] = []
    if isinstance(node, str):
        stripped = node.strip()
        if stripped[:1] in ("{", "["):
            try:
                return texts(json.loads(stripped))
            except ValueError:
                pass
        out.append(node)
    elif isinstance(node, dict):
        if node.get("type") == "plain_text":
            return out
        for key, value in node.items():
            if key not in ("value", "url", "private_metadata", "response_url", "metadata"):
                out += texts(value)
    elif isinstance(node, list):
        for item in node:
            out += texts(item)
    return out


def unescaped(node: Any) -> list[str]:
    return [t[:160] for t in texts(node) if any(tok in t for tok in RAW_TOKENS)]


def test_hostile_text_is_escaped_everywhere_including_fallbacks(bot: BotUnderTest) -> None:
    acks = []
    card = bot.ask("/account", ACME)  # the account card (name in header, fields, fallback)
    acks.append(bot.command("/account", HOSTILE).body)  # the ack repeats what was typed
    acks.append(bot.command("/escalations", HOSTILE).body)
    bot.ask("/escalations", HOSTILE)
    bot.ask("/order", "123")
    bot.ask("/orders", "mine")
    bot.ask("/pipeline", "mine")
    assert "Acme" in json.dumps(card)

    # An escalation with hostile text: the alert card and its plain-text fallback.
    view = open_form(bot, "")
    submit(
        bot,
        view,
        account={"text": {"type": "plain_text", "text": "Acme"}, "value": ACME},
        description="Outage " + HOSTILE,
    )
    settle(bot)
    (esc,), _ = escalations.search(bot.services)
    alert = alert_in(bot, "C0ESCALATE1", esc.ref)
    assert "&lt;!channel&gt;" in alert["text"]  # the fallback says it, escaped
    bot.ask("/escalations", "open")
    outcome = escalations.resolve(bot.services, esc.id, MARCUS, "Fixed " + HOSTILE)
    assert outcome.ok
    settle(bot)

    # Digests: the daily with the open escalation, weekly and monthly.
    esc2 = escalations.create(
        bot.services,
        escalations.Draft(
            reporter=ANA, category="billing", severity="P2",
            description="Still " + HOSTILE, account_id=ACME, account_name="Acme " + HOSTILE,
        ),
        escalations.Route(team_managers=[MARCUS]),
    )  # fmt: skip
    assert esc2.escalation.ref
    team = bot.services.teams.get("smb-east")
    assert team is not None
    for kind in ("daily", "weekly", "monthly"):
        for part in digests.preview(bot.services, team, kind):
            assert not unescaped(part.payload()), (kind, unescaped(part.payload()))
        digests.send_now(bot.services, team, kind)

    found = []
    for call in bot.slack.calls:
        found += [(call.method, t) for t in unescaped(call.args)]
    for post in bot.slack.responses():
        found += [("response_url", t) for t in unescaped(post.body)]
    for ack in acks:
        found += [("ack", t) for t in unescaped(ack)]
    assert found == [], [(w, t) for w, t in found]
    posted = [c for c in bot.slack.calls if c.method in ("chat.postMessage", "chat.update")]
    assert len(posted) >= 6  # alerts, DMs, updates and digests were all scanned
