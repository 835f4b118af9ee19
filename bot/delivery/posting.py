"""Posting to Slack exactly once.

``chat.postMessage`` has no idempotency key, so a post whose answer is lost (a read
timeout, a reset connection) may or may not have landed. Whoever posts something that
must appear once (escalation alerts, digests) therefore:

- posts with :func:`delivery_client`: no silent re-sends by slack_sdk's retry handlers
  (its connection-error handler would repeat a post Slack already took); the caller
  retries, and knows when a post is in doubt;
- tags the post with a key in message metadata (:func:`keyed`);
- before posting again after a doubtful failure (:func:`maybe_sent`), looks for that key
  in the channel's recent history, or the thread's replies (:func:`find_posted`; needs
  the *:history scopes).

Only an answer that was read settles the doubt. When the history cannot be read (Slack
rate-limits ``conversations.history`` and ``.replies``, Tier 3, about 50 a minute per
method, with HTTP 429 and ``Retry-After``: https://api.slack.com/docs/rate-limits; a 5xx,
a timeout), :func:`find_posted` raises :class:`HistoryUnavailable` and the post stays in
doubt, to be looked for again later: never posted "just in case". When acctbot is no
longer in the channel (someone removed it: ``not_in_channel``), it joins again (it had
joined that public channel itself, ``channels:join``) and looks once more.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

if TYPE_CHECKING:
    from bot.delivery.channels import Channels

log = logging.getLogger(__name__)

METADATA_EVENT = "acctbot_post"
# Errors after which nothing can be read or posted in the channel until a person acts
# (acctbot was removed from a private channel, the channel was archived or deleted).
CHANNEL_GONE = frozenset({"channel_not_found", "is_archived", "channel_is_archived"})
# Errors after which acctbot is not in the channel and cannot post or read there; for a
# public channel it can join again.
NOT_IN_CHANNEL = "not_in_channel"
HISTORY_PAGES = 10  # pages of 200 messages looked through for one key


class HistoryUnavailable(Exception):
    """The channel's history could not be read now (rate limited, Slack failing, a
    timeout, not in the channel and unable to join): whether the post landed is still
    unknown, so it must not be posted again yet. ``retry_after`` is Slack's Retry-After
    in seconds (a 429), else None."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class ChannelGone(Exception):
    """acctbot can neither read nor post in the channel for good (``error`` is one of
    :data:`CHANNEL_GONE`): there is nothing to post twice, and nothing to retry."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def delivery_client(client: WebClient) -> WebClient:
    """The same workspace and base URL as ``client``, without automatic retries (a client
    that has none already is returned as it is)."""
    if not getattr(client, "retry_handlers", None):
        return client
    return WebClient(
        token=client.token, base_url=client.base_url, timeout=client.timeout, retry_handlers=[]
    )


def keyed(payload: dict[str, Any], key: str) -> dict[str, Any]:
    """``payload`` carrying ``key`` in its message metadata."""
    return {**payload, "metadata": {"event_type": METADATA_EVENT, "event_payload": {"key": key}}}


def maybe_sent(exc: BaseException) -> bool:
    """Could Slack have taken the call before this error (a read timeout, a reset)?
    Not when the connection was never made (refused, no such host)."""
    reason = getattr(exc, "reason", exc)  # URLError wraps the socket error
    return not isinstance(reason, ConnectionRefusedError | socket.gaierror)


def retry_after(exc: SlackApiError) -> float | None:
    """Slack's ``Retry-After`` (seconds) on a 429, else None."""
    resp = exc.response
    if getattr(resp, "status_code", 0) != 429:
        return None
    headers = getattr(resp, "headers", None) or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(1.0, float(value)) if value is not None else 1.0
    except ValueError:
        return 1.0


def find_posted(
    client: WebClient,
    channel: str,
    key: str,
    since: dt.datetime,
    *,
    thread_ts: str | None = None,
    channels: Channels | None = None,
) -> tuple[str, str] | None:
    """(channel, ts) of a message carrying ``key`` posted since ``since``: in the
    channel's history (``conversations.history``), or with ``thread_ts`` among that
    thread's replies (``conversations.replies``: history lists only a thread's parent).
    None only when the messages were read and the key is not among them.

    On ``not_in_channel`` (acctbot was removed) and with ``channels``, acctbot joins the
    channel again (:meth:`bot.delivery.channels.Channels.rejoin`) and reads once more.

    Raises:
        HistoryUnavailable: the messages could not be read now (see the module
            docstring); the caller keeps the post in doubt and looks again later.
        ChannelGone: acctbot cannot read or post in the channel any more.
    """
    if channel[:1] in ("U", "W"):  # a DM: posts to a user id land in the IM channel
        try:
            channel = client.conversations_open(users=channel)["channel"]["id"]
        except Exception as exc:
            raise HistoryUnavailable(f"cannot open the DM ({_reason(exc)})") from exc
    rejoined = False
    while True:
        try:
            return _look(client, channel, key, since, thread_ts)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "")
            wait = retry_after(exc)
            if wait is not None:
                raise HistoryUnavailable("rate limited", wait) from exc
            if error in CHANNEL_GONE:
                raise ChannelGone(error) from exc
            if error == NOT_IN_CHANNEL and channels is not None and not rejoined:
                rejoined = True
                log.warning("acctbot is no longer in %s: joining it again to look for %s",
                            channel, key)  # fmt: skip
                if channels.rejoin(client, channel):
                    continue
                raise HistoryUnavailable(f"not in {channel}, and cannot join it") from exc
            if error == "thread_not_found":  # the parent is gone: no reply can be there
                return None
            if error == "missing_scope":
                # Without the history scopes nothing can ever be looked up: the post goes
                # out again (at-least-once), and `acctbot check` names the missing scope.
                log.error("cannot read %s's history for %s (missing_scope %s); posting again",
                          channel, key, exc.response.get("needed"))  # fmt: skip
                return None
            raise HistoryUnavailable(f"Slack error {error or _reason(exc)}") from exc
        except Exception as exc:  # timeouts, resets, connection refused
            raise HistoryUnavailable(_reason(exc)) from exc


def _look(
    client: WebClient, channel: str, key: str, since: dt.datetime, thread_ts: str | None
) -> tuple[str, str] | None:
    oldest = f"{since.timestamp() - 60:.6f}"
    cursor = None
    for _ in range(HISTORY_PAGES):
        if thread_ts:
            resp = client.conversations_replies(
                channel=channel, ts=thread_ts, oldest=oldest, limit=200,
                include_all_metadata=True, cursor=cursor,
            )  # fmt: skip
        else:
            resp = client.conversations_history(
                channel=channel, oldest=oldest, limit=200,
                include_all_metadata=True, cursor=cursor,
            )  # fmt: skip
        for message in resp.get("messages") or []:
            meta = message.get("metadata") or {}
            if (meta.get("event_payload") or {}).get("key") == key:
                return channel, str(message["ts"])
        cursor = (resp.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    raise HistoryUnavailable(f"more than {HISTORY_PAGES * 200} messages since {oldest}")


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]
