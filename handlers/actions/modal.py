"""Opening a modal from a click or command, with a plain answer when Slack refuses."""

import logging

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def open_modal(
    client: WebClient, respond: Respond | None, trigger_id: str | None, view: dict, what: str
) -> bool:
    """``views.open``; on failure (an expired or missing trigger_id, Slack down) the user
    is told to try again and False is returned."""
    try:
        if not trigger_id:
            raise ValueError("no trigger_id")
        client.views_open(trigger_id=trigger_id, view=view)
        return True
    except (SlackApiError, ValueError, OSError) as exc:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else exc
        log.warning("views.open for %s failed: %s", what, error)
    if respond is not None:
        respond(
            text=f"I could not open the {what} form; please try again.",
            response_type="ephemeral",
            replace_original=False,
        )
    return False
