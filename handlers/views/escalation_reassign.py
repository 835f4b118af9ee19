"""The reassign modal's submission.

Only to someone acctbot serves (a full member mapped to an active Salesforce user) whose
Salesforce user may read the escalation's account (bot/escalations/service.py
``assignee_problem``): anyone else would be sent the account and the description."""

from concurrent.futures import TimeoutError as FutureTimeout

from slack_bolt import Ack, BoltContext

from bot import audit, payloads
from bot.delivery import outbox
from bot.escalations import service as escalations
from bot.infra.salesforce import SalesforceError
from bot.people import AccessRefused, identify_within
from bot.services import services_of
from bot.workqueue import QueueFull
from handlers.views.escalation_resolve import _plain

BUDGET = 1.8  # seconds for both checks, of the 3 a view submission has
SLOW = "I couldn't check that person's Salesforce access in time. Please submit again."


def escalation_reassign_submit(ack: Ack, body: dict, context: BoltContext) -> None:
    form = payloads.submission(body)
    esc_id = form.metadata_id()
    assignee = form.user("assignee", "assignee_select")
    svc = services_of(context)
    user_id = form.user_id
    if not assignee:
        ack(response_action="errors", errors={"assignee": "Choose a person."})
        return
    try:
        identify_within(svc, user_id, BUDGET / 2)
    except AccessRefused as exc:
        ack(response_action="errors", errors={"assignee": _plain(str(exc))})
        return
    esc = escalations.get(svc, esc_id)
    if esc is None:
        ack(response_action="errors", errors={"assignee": "That escalation no longer exists."})
        return
    try:  # on the small look-up queue: never behind the answer workers
        problem = svc.quick_call(
            lambda: escalations.assignee_problem(svc, esc, assignee),
            timeout=BUDGET / 2,
            what="assignee check",
        )
    except (FutureTimeout, SalesforceError, QueueFull):
        problem = SLOW
    record_ids = [i for i in (esc.account_id, esc.order_id) if i]
    if problem:
        ack(response_action="errors", errors={"assignee": _plain(problem)})
        audit.record(
            svc,
            action="refusal",
            command="escalation_reassign",
            slack_user_id=user_id,
            record_ids=record_ids,
            outcome="denied",
        )
        return
    outcome = escalations.reassign(svc, esc_id, user_id, assignee)
    if not outcome.ok:
        ack(response_action="errors", errors={"assignee": _plain(outcome.message)})
        return
    ack()
    if outcome.changed:  # reassigning to the current assignee writes nothing
        outbox.kick(svc)
    audit.record(
        svc,
        action="escalation",
        command="escalation_reassign",
        slack_user_id=user_id,
        record_ids=record_ids,
        outcome="ok" if outcome.changed else "unchanged",
    )
