"""The escalation modal's submission: validate, write (one transaction), then confirm.

The reporter must be someone acctbot serves, and the account and order ones their
Salesforce user may read (bot/escalations/routing.py); otherwise the modal says why and
nothing is written. The confirmation replaces the modal only after the escalation, its
history and every alert are committed; the alerts then go out through the outbox. The
same form submitted again (a double click, a replayed request) shows the same
confirmation and files nothing.
"""

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot import audit, payloads
from bot.delivery import outbox
from bot.escalations import form as escalation_form
from bot.escalations import routing as escalation_routing
from bot.escalations import service as escalations
from bot.escalations.views import filed_view
from bot.people import AccessRefused, identify_within
from bot.services import services_of

IDENTITY_BUDGET = 0.8  # seconds (usually cached from opening the modal)


def escalation_new(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    form = payloads.submission(body)
    svc = services_of(context)
    user_id = form.user_id
    draft, errors = escalation_form.read_form(form, svc.now())
    if draft is None:
        ack(response_action="errors", errors=errors)
        return
    try:
        identify_within(svc, user_id, IDENTITY_BUDGET)
    except AccessRefused as exc:
        ack(response_action="errors", errors={"description": str(exc)[:2000]})
        audit.record(
            svc,
            action="refusal",
            command="escalation_new",
            slack_user_id=user_id,
            outcome="refused",
        )
        return
    key = escalations.form_key(form.view_id, form.state_hash) if form.view_id else None
    before = escalations.filed_by_form(svc, key) if key else None
    if before is not None:  # this very form was filed already: the same confirmation
        channel = svc.settings.escalation_channel
        ack(response_action="update", view=filed_view(before.escalation, before.alerted, channel))
        return
    prepared = escalation_routing.prepare(svc, client, draft)
    if prepared.draft is None:
        ack(response_action="errors", errors=prepared.errors)
        denied = any("can't see" in e for e in prepared.errors.values())
        audit.record(
            svc,
            action="refusal" if denied else "escalation",
            command="escalation_new",
            slack_user_id=user_id,
            record_ids=[i for i in (draft.account_id, draft.order_id) if i],
            outcome="denied" if denied else "invalid",
        )
        return
    filed = escalations.create(svc, prepared.draft, prepared.route, form=key)
    ack(
        response_action="update",
        view=filed_view(filed.escalation, filed.alerted, svc.settings.escalation_channel),
    )
    if filed.repeated:  # a concurrent copy of this form filed it first
        return
    outbox.kick(svc)
    esc = filed.escalation
    audit.record(
        svc,
        action="escalation",
        command="escalation_new",
        slack_user_id=user_id,
        record_ids=[i for i in (esc.account_id, esc.order_id) if i],
    )
