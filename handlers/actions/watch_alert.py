"""The buttons on watch alerts and on ``/watch list``: Stop watching, Snooze, Resume.

Each answers the presser alone (a new ephemeral message; the alert itself stays)."""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.services import services_of
from bot.watches import service as watches


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def watch_stop(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    ack()
    svc = services_of(context)
    record_id = str(action.get("value") or "")
    svc.answer(respond, lambda: watches.stop_id(svc, _user(body), record_id), what="watch stop")


def watch_snooze(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    ack()
    svc = services_of(context)
    span = str(action.get("value") or "")
    svc.answer(respond, lambda: watches.snooze(svc, _user(body), span), what="watch snooze")


def watch_resume(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    ack()
    svc = services_of(context)
    svc.answer(respond, lambda: watches.resume(svc, _user(body)), what="watch resume")
