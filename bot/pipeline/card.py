"""The /pipeline card: the quarter by forecast category and stage, won, closing, slipped.

Every count and sum is exact (Salesforce's aggregates); lists name the first deals and
say how many more there are. Sums are in the org's corporate currency and say so when
other currencies were converted into them; a deal's amount is in its own currency.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.blocks import Message, as_of, fields_section, header, link, section
from bot.dates import quarter_label
from bot.pipeline.queries import Pipeline
from bot.text import escape_slack, money, parse_sf_date, plural, slack_date, truncate

MAX_STAGES = 12


def pipeline_card(
    title: str, p: Pipeline, *, record_url: Any, now: dt.datetime, tz: dt.tzinfo
) -> Message:
    quarter = quarter_label(p.today, p.fiscal)
    blocks = [
        header(truncate(f"Pipeline {quarter} — {title}", 150)),
        fields_section(_figures(p)),
    ]
    if p.closing_count:
        blocks.append(
            section(
                f"*Closing this week* ({p.closing_count:,})\n"
                + _deal_lines(p, p.closing_this_week, p.closing_count, record_url)
            )
        )
    if p.slipped_count:
        blocks.append(
            section(
                f":warning: *Slipped* — close date passed, still open ({p.slipped_count:,})\n"
                + _deal_lines(p, p.slipped, p.slipped_count, record_url)
            )
        )
    blocks.append(as_of(now, tz))
    text = (
        f"Pipeline {quarter} for {title}: {p.open_total.text()} open in "
        f"{plural(p.open_count, 'deal')}, {p.won_total.text()} won, "
        f"{p.closing_count:,} closing this week, {p.slipped_count:,} slipped."
    )
    return Message(text=escape_slack(text), blocks=blocks)


def _figures(p: Pipeline) -> list[str]:
    categories = [f"{escape_slack(c)}: {t.short()}" for c, t in p.open_by_category.items()]
    stages = sorted(p.open_by_stage.items(), key=lambda kv: (-kv[1][1].amount, kv[0]))
    stage_lines = [f"{escape_slack(s)}: {n:,} · {t.short()}" for s, (n, t) in stages[:MAX_STAGES]]
    if len(stages) > MAX_STAGES:
        stage_lines.append(f"…and {plural(len(stages) - MAX_STAGES, 'more stage')}")
    open_total, won_total = escape_slack(p.open_total.text()), escape_slack(p.won_total.text())
    return [
        f"*Open this quarter*\n{plural(p.open_count, 'deal')} · {open_total}",
        f"*Closed won so far*\n{plural(p.won_count, 'deal')} · {won_total}",
        "*By forecast category*\n" + ("\n".join(categories) or "—"),
        "*By stage*\n" + ("\n".join(stage_lines) or "—"),
    ]


def _deal_lines(p: Pipeline, deals: list[dict[str, Any]], count: int, record_url: Any) -> str:
    out = []
    for o in deals:
        acct = (o.get("Account") or {}).get("Name") or "—"
        close = slack_date(parse_sf_date(o["CloseDate"]), today=p.today)
        out.append(
            f"• {link(record_url(o['Id']), truncate(o['Name'], 60))} · "
            f"{escape_slack(truncate(acct, 40))} · "
            f"{money(o.get('Amount'), p.currencies.of(o))} · "
            f"{escape_slack(o['StageName'])} · {close}"
        )
    if count > len(deals):
        out.append(f"…and {plural(count - len(deals), 'more deal')}")
    return "\n".join(out)
