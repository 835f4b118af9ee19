"""The escalation modal's account select: accounts whose name contains what was typed
(or the account a pasted Id or Salesforce link names), among those the person's
Salesforce user may read. Someone acctbot does not serve gets no options (an options
answer cannot carry a message)."""

import logging
from concurrent.futures import TimeoutError as FutureTimeout

from slack_bolt import Ack, BoltContext

from bot import audit, payloads
from bot.accounts.card import distinct_option_texts
from bot.blocks import option
from bot.escalations.prefill import search_options
from bot.escalations.views import NO_ACCOUNT
from bot.people import AccessRefused, IdentityUnavailable
from bot.services import services_of
from bot.workqueue import QueueFull

log = logging.getLogger(__name__)
BUDGET = 2.0  # seconds: Slack drops an options answer after 3
# When Salesforce could not be asked in time, one option says so (picking it picks no
# account) rather than Slack's "no results", which would be wrong.
SLOW = "Salesforce is slow right now: type again in a moment"


def escalation_account_options(ack: Ack, body: dict, context: BoltContext) -> None:
    asked = payloads.suggestion(body)  # what was typed, read as a command argument is
    svc = services_of(context)
    user_id = asked.user_id
    text = asked.query
    if len(text) < 2:
        ack(options=[])  # Slack shows "no results" (slackapi/bolt-python#468, #580)
        return
    outcome, slow = "ok", False
    try:  # on the small look-up queue, with a hard time limit: in time, or said so
        matches = svc.quick_call(
            lambda: search_options(svc, user_id, text), timeout=BUDGET, what="account options"
        )
    except (FutureTimeout, QueueFull) as exc:
        log.warning("account search for the escalation form gave nothing (%s)",
                    type(exc).__name__)  # fmt: skip
        matches, outcome, slow = [], "error", True
    except IdentityUnavailable:
        matches, outcome, slow = [], "unavailable", True
    except AccessRefused:
        matches, outcome = [], "refused"
    except Exception:
        log.exception("account search for the escalation form failed")
        matches, outcome = [], "error"
    matches = matches[:100]  # Slack shows at most 100 options
    texts = distinct_option_texts(matches)  # identical names told apart
    options = [option(t, m.id) for (t, _), m in zip(texts, matches, strict=True)]
    ack(options=options or ([option(SLOW, NO_ACCOUNT)] if slow else []))
    audit.record(
        svc,
        action="refusal" if outcome in ("refused", "unavailable") else "lookup",
        command="escalation_account_options",
        slack_user_id=user_id,
        record_ids=[m.id for m in matches],
        outcome=outcome,
    )
