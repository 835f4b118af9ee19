"""The App Home tab: where *your* accounts stand when you open acctbot in Slack.

Your not-dones, your quarter, the escalations you filed or own, what you watch, and the
commands. Two Salesforce requests (two composites: not-dones, pipeline), cached per person
like the commands' answers, and the check of what you may read (bot/visibility.py): every
count and sum is exact, of what your Salesforce user may read. The escalations and
watches come from the local database. Someone acctbot does not serve (a guest, an
unmapped person) sees only how to get access.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import context, divider, header, link, pack_lines, section
from bot.dates import quarter_label
from bot.escalations import service as escalations
from bot.escalations.status import ACTIVE
from bot.infra.salesforce import SalesforceError
from bot.orders.answer import readable_filter
from bot.orders.queries import MAX_LISTED as NOT_DONES_LISTED
from bot.people import AccessRefused, Person, identify
from bot.services import Services
from bot.text import escape_slack, plural, truncate
from bot.watches import service as watches
from bot.watches.card import LIST_PAGE

log = logging.getLogger(__name__)

MAX_LISTED = 5
OPEN = ACTIVE
REASON_CHARS = 120  # a not-done's reason in a line (it names the status, up to 255)

COMMANDS = (
    ("/account Acme", "where an account stands: pipeline, orders, cases, health"),
    ("/order 00000123", "an order, its items, and whether it is stuck"),
    ("/orders mine", "your stuck and overdue orders"),
    ("/pipeline", "this quarter: by forecast category, won, closing, slipped"),
    ("/escalate Acme", "file an escalation; managers are alerted"),
    ("/escalations mine", "escalations you filed or own"),
    ("/digest preview", "your team's daily digest, now"),
    ("/watch 00000123", "a DM when an order, account, deal, case or contract changes"),
)
MAX_WATCHES_LISTED = 10


def _salesforce_blocks(svc: Services, person: Person, shown: list[str]) -> list[dict[str, Any]]:
    today = svc.today()
    only = readable_filter(svc, person.slack_user_id)
    try:  # cached per person, like the commands' answers (errors are not cached)
        nd, p = svc.cache.get_or_load(
            ("home", person.slack_user_id, person.salesforce_user_id, svc.settings.visibility),
            lambda: (
                svc.orders.not_dones(
                    today, owner_email=person.email, limit=MAX_LISTED, readable=only
                ),
                svc.pipeline.for_owners([person.email], today, readable=only),
            ),
        )
    except SalesforceError as exc:
        return [section(f":warning: {exc.user_message}")]
    shown += [n.record["Id"] for n in nd.orders[:MAX_LISTED]]
    blocks: list[dict[str, Any]] = []
    if nd.total:
        head = (
            f"*Not dones* — {plural(nd.total, 'order')} stuck or overdue · "
            f"{escape_slack(nd.amount.text())}"
        )
        lines = []
        for n in nd.orders[:MAX_LISTED]:
            account = (n.record.get("Account") or {}).get("Name") or "—"
            lines.append(
                f"• {link(svc.record_url(n.record['Id']), n.record['OrderNumber'])} · "
                f"{escape_slack(truncate(account, 40))} · {plural(n.age_days, 'day')} · "
                f"_{escape_slack(truncate(n.reason, REASON_CHARS))}_"
            )
        (text,) = pack_lines(
            head,
            lines,
            hidden=max(0, nd.total - len(lines)),
            more=lambda n: (
                f"…and {plural(n, 'more order')}: `/orders mine` lists the oldest "
                f"{NOT_DONES_LISTED}."
            ),
        )
        blocks.append(section(text))
    else:
        blocks.append(section(":white_check_mark: *Not dones* — none. Nothing stuck or overdue."))
    blocks.append(
        section(
            f"*{quarter_label(today, p.fiscal)}* — {plural(p.open_count, 'open deal')} · "
            f"{escape_slack(p.open_total.text())} · won {escape_slack(p.won_total.text())} · "
            f"{p.closing_count:,} closing this week · {p.slipped_count:,} slipped"
        )
    )
    return blocks


def _escalation_blocks(svc: Services, user_id: str) -> list[dict[str, Any]]:
    rows, total = escalations.search_visible(
        svc, user_id, statuses=OPEN, user=user_id, limit=MAX_LISTED
    )
    if not total:
        return [section("*Your escalations* — none open.")]
    lines = [
        f"• *{e.ref}* {e.severity} {escape_slack(e.category)} · "
        f"{escape_slack(truncate(e.account_name or '—', 60))} · {e.status}"
        for e in rows
    ]
    (text,) = pack_lines(
        f"*Your escalations* — {total:,} open",
        lines,
        hidden=max(0, total - len(lines)),
        more=lambda n: f"…and {n:,} more: `/escalations mine` lists them.",
    )
    return [section(text)]


def _watch_blocks(svc: Services, user_id: str) -> list[dict[str, Any]]:
    mine = watches.home_watches(svc, user_id)
    if not mine:
        return [
            section(
                "*What you watch* — nothing yet. `/watch 00000123` or `/watch Acme`, or "
                "*Watch* on a card, and I'll DM you when it changes."
            )
        ]
    lines = [f"*What you watch* — {plural(len(mine), 'record')}"]
    for w in mine[:MAX_WATCHES_LISTED]:
        lines.append(f"• {link(svc.record_url(w.record_id), truncate(w.label, 80))}")
    if len(mine) > MAX_WATCHES_LISTED:
        more = len(mine) - MAX_WATCHES_LISTED
        lines.append(
            f"…and {more:,} more. `/watch list` shows them all, "
            f"{LIST_PAGE} a page, each with its Stop button."
        )
    return [section("\n".join(lines))]


def refused_view(exc: AccessRefused) -> dict[str, Any]:
    """The Home tab of someone acctbot does not serve: how to get access, nothing else."""
    return {"type": "home", "blocks": [header("acctbot"), section(str(exc))]}


def home_view(svc: Services, user_id: str, shown: list[str] | None = None) -> dict[str, Any]:
    """The Home tab for ``user_id``; the record Ids it shows are added to ``shown``.

    Raises:
        AccessRefused: ``user_id`` is not someone acctbot serves.
    """
    shown = [] if shown is None else shown
    try:
        person = identify(svc, user_id)
    except SalesforceError as exc:
        return {
            "type": "home",
            "blocks": [header("acctbot"), section(f":warning: {exc.user_message}")],
        }
    blocks: list[dict[str, Any]] = [
        header("acctbot"),
        section(f"Hi <@{user_id}>. Here is where your accounts stand."),
        *_salesforce_blocks(svc, person, shown),
        *_escalation_blocks(svc, user_id),
        *_watch_blocks(svc, user_id),
        divider(),
        section(
            "*Commands* (answers are only visible to you; share them with a button)\n"
            + "\n".join(f"`{c}` — {what}" for c, what in COMMANDS)
        ),
        context(
            f"From Salesforce as of {svc.now().astimezone(svc.tz).strftime('%b %-d, %-I:%M %p %Z')}"
            " · reopen this tab to refresh"
            + (" · only what you can see" if svc.settings.visibility == "salesforce" else "")
        ),
    ]
    return {"type": "home", "blocks": blocks}


def publish_home(svc: Services, client: WebClient, user_id: str) -> None:
    """Publish ``user_id``'s Home tab (or their refusal) and log it in the audit log."""
    from bot import audit

    shown: list[str] = []
    try:
        view = home_view(svc, user_id, shown)
        outcome = "ok"
    except AccessRefused as exc:
        view, outcome = refused_view(exc), "refused"
    try:
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:  # an unknown user, Slack down: there is nobody to tell
        log.warning("views.publish for %s's Home tab failed: %s", user_id,
                    exc.response.get("error"))  # fmt: skip
        outcome = "not_delivered"
    audit.record(
        svc,
        action="refusal" if outcome == "refused" else "lookup",
        command="app_home",
        slack_user_id=user_id,
        record_ids=shown,
        outcome=outcome,
    )
