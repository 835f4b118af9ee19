"""The escalation modal's account select: accounts whose name contains what was typed."""

import logging
from concurrent.futures import TimeoutError as FutureTimeout

from slack_bolt import Ack, BoltContext

from bot.blocks import option
from bot.escalations.views import account_option_label
from bot.services import services_of

log = logging.getLogger(__name__)
BUDGET = 2.2  # seconds: Slack drops an options answer after 3


def escalation_account_options(ack: Ack, payload: dict, context: BoltContext) -> None:
    svc = services_of(context)
    text = " ".join(str(payload.get("value") or "").split())[:100]
    if len(text) < 2:
        ack(options=[])
        return
    future = svc.submit(lambda: svc.accounts.search_options(text), what="account options")
    try:
        matches = future.result(timeout=BUDGET)
    except FutureTimeout:
        log.warning("account search for the escalation form took too long")
        matches = []
    except Exception:
        matches = []
    opts = []
    for m in matches[:100]:
        place = ", ".join(p for p in (m.city, m.state) if p) or None
        opts.append(option(account_option_label(m.name, m.number, place), m.id))
    ack(options=opts)
