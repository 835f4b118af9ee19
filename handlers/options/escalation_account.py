"""The escalation modal's account select: accounts whose name contains what was typed
(or the account a pasted Id or Salesforce link names), among those the person's
Salesforce user may read. Someone acctbot does not serve gets no options (an options
answer cannot carry a message)."""

import logging
from concurrent.futures import TimeoutError as FutureTimeout

from slack_bolt import Ack, BoltContext

from bot import audit
from bot.accounts.card import distinct_option_texts
from bot.blocks import option
from bot.escalations.prefill import search_options
from bot.people import AccessRefused, IdentityUnavailable
from bot.records import record_ref
from bot.services import services_of
from bot.text import read_argument

log = logging.getLogger(__name__)
BUDGET = 2.2  # seconds: Slack drops an options answer after 3
SEARCHED = 100  # characters of a typed name searched for


def escalation_account_options(ack: Ack, payload: dict, body: dict, context: BoltContext) -> None:
    svc = services_of(context)
    user_id = (body.get("user") or {}).get("id") or ""
    # What was typed, read as every command argument is (a link is its label, a link to a
    # Salesforce record is that record): Slack documents no escaping for this value, so
    # the stricter reading takes whichever form arrives.
    # Read first, then limit what is searched: a Salesforce link names its record
    # however long it is; only a name is cut to SEARCHED characters.
    text = read_argument(str(payload.get("value") or "")).text
    if record_ref(text) is None:
        text = text[:SEARCHED]
    if len(text) < 2:
        ack(options=[])  # Slack shows "no results" (slackapi/bolt-python#468, #580)
        return
    future = svc.submit(lambda: search_options(svc, user_id, text), what="account options")
    outcome = "ok"
    try:
        matches = future.result(timeout=BUDGET)
    except FutureTimeout:
        log.warning("account search for the escalation form took too long")
        matches, outcome = [], "error"
    except IdentityUnavailable:
        matches, outcome = [], "unavailable"
    except AccessRefused:
        matches, outcome = [], "refused"
    except Exception:
        matches, outcome = [], "error"
    matches = matches[:100]  # Slack shows at most 100 options
    texts = distinct_option_texts(matches)  # identical names told apart
    ack(options=[option(t, m.id) for (t, _), m in zip(texts, matches, strict=True)])
    audit.record(
        svc,
        action="refusal" if outcome in ("refused", "unavailable") else "lookup",
        command="escalation_account_options",
        slack_user_id=user_id,
        record_ids=[m.id for m in matches],
        outcome=outcome,
    )
