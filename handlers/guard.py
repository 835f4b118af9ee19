"""Every listener is registered through :func:`guarded`: nothing it raises reaches Bolt.

Bolt runs a listener on its executor and waits for ``ack()``; if the listener raises
*after* acknowledging, Bolt's thread runner resets the acknowledgement and the HTTP
response waits out the 3-second ack timeout and ends as a 404
(``slack_bolt/listener/thread_runner.py``). So the guard catches everything:

- :class:`bot.payloads.Refused` (a payload of the wrong shape, a button from an older
  card): a warning line, and the user gets the refusal's answer ("this button is out of
  date, run the command again");
- anything else: the traceback is logged and the user gets the plain internal-error
  message.

The answer goes where the request allows: in the acknowledgement when it has not been
sent (a slash command's ephemeral text, an error modal for a submission, no options for
a type-ahead), otherwise to ``response_url``.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.kwargs_injection.args import Args

from bot.blocks import section
from bot.payloads import Refused
from bot.services import INTERNAL_ERROR

log = logging.getLogger("acctbot.listeners")


def guarded(fn: Callable[..., None]) -> Callable[[Args], None]:
    """``fn`` as a Bolt listener that never raises (see the module docstring). ``fn``
    takes Bolt's usual keyword arguments (``ack``, ``body``, ``respond``...)."""
    names = list(inspect.signature(fn).parameters)

    def listener(args: Args) -> None:
        try:
            fn(**{name: getattr(args, name) for name in names})
        except Refused as exc:
            log.warning("%s refused a payload: %s", fn.__name__, exc.reason)
            _answer(args, exc.answer)
        except Exception:
            log.exception("%s failed", fn.__name__)
            _answer(args, INTERNAL_ERROR)

    listener.__name__ = fn.__name__
    listener.__qualname__ = fn.__qualname__
    listener.__doc__ = fn.__doc__
    return listener


def _answer(args: Args, text: str) -> None:
    """Tell the user ``text`` through whatever the request still allows."""
    body: dict[str, Any] = args.body if isinstance(args.body, dict) else {}
    kind = body.get("type")
    try:
        if args.ack.response is None:
            if kind == "block_suggestion":
                args.ack(options=[])
                return
            if kind == "view_submission":
                args.ack(response_action="update", view=notice_modal(text))
                return
            if "command" in body and kind is None:
                args.ack(text=f":warning: {text}")
                return
            args.ack()
        if args.context.response_url and kind in (None, "block_actions"):
            args.respond(text=f":warning: {text}", response_type="ephemeral",
                         replace_original=False)  # fmt: skip
    except Exception as exc:  # Slack refused the answer: the log is all that is left
        log.warning("could not tell the user about the failure (%s: %s)",
                    type(exc).__name__, str(exc)[:200])  # fmt: skip


def notice_modal(text: str) -> dict[str, Any]:
    """A modal that only says ``text`` (mrkdwn), with a Close button."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "acctbot"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [section(f":warning: {text}")],
    }
