"""Posting to Slack exactly once.

``chat.postMessage`` has no idempotency key, so a post whose answer is lost (a read
timeout, a reset connection) may or may not have landed. Whoever posts something that
must appear once (escalation alerts, digests) therefore:

- posts with :func:`delivery_client`: no silent re-sends by slack_sdk's retry handlers
  (its connection-error handler would repeat a post Slack already took); the caller
  retries, and knows when a post is in doubt;
- tags the post with a key in message metadata (:func:`keyed`);
- before posting again after a doubtful failure (:func:`maybe_sent`), looks for that key
  in the channel's recent history (:func:`find_posted`; needs the *:history scopes).
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
from typing import Any

from slack_sdk import WebClient

log = logging.getLogger(__name__)

METADATA_EVENT = "acctbot_post"


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


def find_posted(
    client: WebClient, channel: str, key: str, since: dt.datetime
) -> tuple[str, str] | None:
    """(channel, ts) of a message carrying ``key`` posted since ``since``, or None
    (also when history cannot be read: then the caller posts again, at-least-once)."""
    try:
        if channel[:1] in ("U", "W"):  # a DM: posts to a user id land in the IM channel
            channel = client.conversations_open(users=channel)["channel"]["id"]
        resp = client.conversations_history(
            channel=channel,
            oldest=f"{since.timestamp() - 60:.6f}",
            limit=200,
            include_all_metadata=True,
        )
    except Exception as exc:
        log.warning("cannot check %s's history for %s (%s); posting again", channel, key, exc)
        return None
    for message in resp.get("messages") or []:
        meta = message.get("metadata") or {}
        if (meta.get("event_payload") or {}).get("key") == key:
            return channel, str(message["ts"])
    return None
