"""The /pipeline card: the quarter by forecast category and stage, won, closing, slipped."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.blocks import Message, as_of, fields_section, header, link, section
from bot.pipeline.queries import Pipeline
from bot.text import escape_slack, money, parse_sf_date, plural, slack_date, truncate


def pipeline_card(
    title: str, p: Pipeline, *, record_url: Any, now: dt.datetime, tz: dt.tzinfo
) -> Message:
    today = p.today
    q = (today.month - 1) // 3 + 1
    cat_lines = [f"{escape_slack(c)}: {money(v)}" for c, v in p.open_by_category.items()]
    stage_lines = [
        f"{escape_slack(s)}: {n} · {money(v)}"
        for s, (n, v) in sorted(p.open_by_stage.items(), key=lambda kv: -kv[1][1])
    ]
    blocks = [
        header(truncate(f"Pipeline Q{q} {today.year} — {title}", 150)),
        fields_section(
            [
                f"*Open this quarter*\n{plural(p.open_count, 'deal')} · {money(p.open_total)}",
                f"*Closed won so far*\n{plural(len(p.won), 'deal')} · {money(p.won_total)}",
                "*By forecast category*\n" + ("\n".join(cat_lines) or "—"),
                "*By stage*\n" + ("\n".join(stage_lines[:12]) or "—"),
            ]
        ),
    ]

    def deal_lines(deals: list[dict[str, Any]], limit: int = 10) -> str:
        out = []
        for o in deals[:limit]:
            acct = (o.get("Account") or {}).get("Name") or "—"
            close = slack_date(parse_sf_date(o["CloseDate"]), today=today)
            out.append(
                f"• {link(record_url(o['Id']), truncate(o['Name'], 60))} · "
                f"{escape_slack(truncate(acct, 40))} · {money(o.get('Amount'))} · "
                f"{escape_slack(o['StageName'])} · {close}"
            )
        if len(deals) > limit:
            out.append(f"…and {plural(len(deals) - limit, 'more deal')}")
        return "\n".join(out)

    if p.closing_this_week:
        blocks.append(
            section(
                f"*Closing this week* ({len(p.closing_this_week)})\n"
                + deal_lines(p.closing_this_week)
            )
        )
    if p.slipped:
        blocks.append(
            section(
                f":warning: *Slipped* — close date passed, still open "
                f"({len(p.slipped)})\n" + deal_lines(p.slipped)
            )
        )
    blocks.append(as_of(now, tz))
    text = (
        f"Pipeline Q{q} {today.year} for {title}: {money(p.open_total)} open in "
        f"{plural(p.open_count, 'deal')}, {money(p.won_total)} won, "
        f"{len(p.closing_this_week)} closing this week, {len(p.slipped)} slipped."
    )
    return Message(text=escape_slack(text), blocks=blocks)
