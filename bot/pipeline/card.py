"""The /pipeline card: the quarter by forecast category and stage, won, closing, slipped.

Every count and sum is exact (Salesforce's aggregates); lists name the first deals and
say how many more there are. Sums are in the org's corporate currency and say so when
other currencies were converted into them; a deal's amount is in its own currency.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.blocks import FIELD_TEXT, Message, as_of, fields_section, header, link, pack_lines, section
from bot.dates import quarter_label
from bot.pipeline.queries import Pipeline
from bot.text import escape_slack, money, parse_sf_date, plural, slack_date, truncate

MAX_STAGES = 12
NAME_CHARS = 40  # a stage's or account's name in a line (picklist values run to 255)


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
            _deal_section(
                f"*Closing this week* ({p.closing_count:,})",
                p,
                p.closing_this_week,
                p.closing_count,
                record_url,
            )
        )
    if p.slipped_count:
        blocks.append(
            _deal_section(
                f":warning: *Slipped* — close date passed, still open ({p.slipped_count:,})",
                p,
                p.slipped,
                p.slipped_count,
                record_url,
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
    categories = [
        f"{escape_slack(truncate(c, NAME_CHARS))}: {t.short()}"
        for c, t in p.open_by_category.items()
    ]
    stages = sorted(p.open_by_stage.items(), key=lambda kv: (-kv[1][1].amount, kv[0]))
    stage_lines = [
        f"{escape_slack(truncate(s, NAME_CHARS))}: {n:,} · {t.short()}"
        for s, (n, t) in stages[:MAX_STAGES]
    ]
    open_total, won_total = escape_slack(p.open_total.text()), escape_slack(p.won_total.text())

    def field(head: str, lines: list[str], hidden: int, what: str) -> str:
        if not lines:
            return f"{head}\n—"
        (text,) = pack_lines(
            head,
            lines,
            hidden=hidden,
            more=lambda n: f"…and {plural(n, what)}",
            limit=FIELD_TEXT,
        )
        return text

    return [
        f"*Open this quarter*\n{plural(p.open_count, 'deal')} · {open_total}",
        f"*Closed won so far*\n{plural(p.won_count, 'deal')} · {won_total}",
        field("*By forecast category*", categories, 0, "more category"),
        field("*By stage*", stage_lines, len(stages) - len(stage_lines), "more stage"),
    ]


def _deal_section(
    head: str, p: Pipeline, deals: list[dict[str, Any]], count: int, record_url: Any
) -> dict[str, Any]:
    """A titled list of deals in one section: as many lines as fit Slack's limit, and
    how many more there are (always said)."""
    lines = []
    for o in deals:
        acct = (o.get("Account") or {}).get("Name") or "—"
        close = slack_date(parse_sf_date(o["CloseDate"]), today=p.today)
        lines.append(
            f"• {link(record_url(o['Id']), truncate(o['Name'], 60))} · "
            f"{escape_slack(truncate(acct, NAME_CHARS))} · "
            f"{money(o.get('Amount'), p.currencies.of(o))} · "
            f"{escape_slack(truncate(o.get('StageName') or '—', NAME_CHARS))} · {close}"
        )
    (text,) = pack_lines(
        head,
        lines,
        hidden=max(0, count - len(deals)),
        more=lambda n: f"…and {plural(n, 'more deal')}",
    )
    return section(text)
