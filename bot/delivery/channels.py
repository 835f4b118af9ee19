"""Where acctbot posts: channel names resolved to ids, public channels joined before the
first post, and whether acctbot can post and read in a channel.

What Slack does (each is what the exactly-once checks in ``bot/delivery/posting.py``
depend on):

- ``conversations.history`` / ``.replies`` read only channels the bot is in: in a public
  channel it has not joined they answer ``not_in_channel``, even with ``channels:history``
  and ``chat:write.public`` ("a limitation / requirement of the channels:history scope",
  Slack on slackapi/deno-slack-sdk#128). So acctbot joins a public channel
  (``conversations.join``, scope ``channels:join``,
  https://api.slack.com/methods/conversations.join) before it first posts there.
- A private channel the bot is not in does not exist for it (``channel_not_found``); only
  a person can bring it in (``/invite``). ``conversations.join`` refuses private channels.
- Membership changes behind acctbot's back: anyone may ``/remove`` it from a channel.
  So "joined" is remembered only for ``READY_TTL`` seconds, and a ``not_in_channel``
  from history or replies (:func:`bot.delivery.posting.find_posted`) makes acctbot
  forget it and join again (:meth:`Channels.rejoin`) before it looks once more: it joined
  that public channel itself in the first place, and ``channels:join`` lets it.
- ``conversations.*`` methods take channel ids, not ``#names``
  (https://api.slack.com/methods/conversations.history, "Conversation ID"), so a channel
  written ``#name`` in the teams file or ``ESCALATION_CHANNEL`` is resolved to its id once,
  with ``conversations.list`` (``channels:read`` for public channels, ``groups:read`` for
  the private ones the bot is in; https://api.slack.com/methods/conversations.list).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

INVITE = "invite it with `/invite @acctbot` in that channel"
# Seconds a successful join (or "nothing to join") is trusted before the next post joins
# again: someone may have removed acctbot meanwhile.
READY_TTL = 600.0
# Seconds a channel's name (conversations.info) is remembered.
NAME_TTL = 600.0


def is_direct(channel: str) -> bool:
    """A user id (a DM is opened on the first post) or a DM channel id."""
    return channel[:1] in ("U", "W", "D")


@dataclass(frozen=True)
class Access:
    """What acctbot can do in one channel.

    ``channel`` is the id (or the ``#name`` when it could not be resolved); ``kind`` is
    ``"public"``, ``"private"``, ``"dm"`` or ``"unknown"``. ``can_post`` and ``can_read``
    (its history, for the exactly-once check) are as of now; ``problem`` is one sentence
    for a person when something is wrong, else None.
    """

    channel: str
    name: str | None
    kind: str
    member: bool
    can_post: bool
    can_read: bool
    problem: str | None = None

    @property
    def label(self) -> str:
        """``#name (C123)``, or whatever is known."""
        if self.name and self.name.lstrip("#") != self.channel.lstrip("#"):
            return f"#{self.name.lstrip('#')} ({self.channel})"
        return self.channel


class Channels:
    """Channel ids by name, and the channels this process has made sure it is in."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._ids: dict[str, str] = {}  # "name" (lower case, no #) -> id
        self._listed = False  # conversations.list has run once in this process
        # id -> when it was joined (or found to need no join); trusted for READY_TTL
        self._ready: dict[str, float] = {}
        self._names: dict[str, tuple[float, str | None]] = {}  # id -> (when, name)

    # -- names -------------------------------------------------------------------------

    def resolve(self, client: WebClient, names: Iterable[str]) -> dict[str, str]:
        """``{"#name": id}`` for the ``#names`` found (one ``conversations.list`` sweep of
        the public channels and the private ones acctbot is in, paged; once per process).
        Names not found are left out; a failure is logged and leaves them all out."""
        wanted = {n for n in names if n.startswith("#")}
        if not wanted:
            return {}
        with self._lock:
            listed = self._listed
        if not listed:
            self._list(client)
        with self._lock:
            return {n: self._ids[n[1:].lower()] for n in wanted if n[1:].lower() in self._ids}

    def _list(self, client: WebClient) -> None:
        found: dict[str, str] = {}
        for types in ("public_channel,private_channel", "public_channel"):
            try:
                cursor = None
                while True:
                    resp = client.conversations_list(
                        types=types, exclude_archived=True, limit=200, cursor=cursor
                    )
                    for ch in resp.get("channels") or []:
                        found[str(ch.get("name", "")).lower()] = str(ch["id"])
                    cursor = (resp.get("response_metadata") or {}).get("next_cursor")
                    if not cursor:
                        break
            except SlackApiError as exc:
                error = exc.response.get("error")
                if error == "missing_scope" and types != "public_channel":
                    log.warning("conversations.list: %s (%s); listing public channels only",
                                error, exc.response.get("needed"))  # fmt: skip
                    continue
                log.warning("cannot list channels to resolve #names (%s)", error)
                return
            except Exception as exc:
                log.warning("cannot list channels to resolve #names (%s)", exc)
                return
            break
        with self._lock:
            self._ids.update(found)
            self._listed = True

    def id_for(self, client: WebClient, channel: str) -> str:
        """The id of ``channel`` (a ``#name`` is resolved; anything else is returned as
        it is; a name that cannot be resolved stays a name)."""
        if not channel.startswith("#"):
            return channel
        return self.resolve(client, [channel]).get(channel, channel)

    # -- membership ----------------------------------------------------------------------

    def prepare(self, client: WebClient, channel: str) -> str:
        """Make sure acctbot is in ``channel`` before it posts there; returns the id to
        post to. A public channel is joined once per process; a private one cannot be
        joined (acctbot is in it only if invited). Never raises: when the join fails the
        post goes ahead and Slack's answer to it says what is wrong."""
        if is_direct(channel):
            return channel
        cid = self.id_for(client, channel)
        if self._is_ready(cid):
            return cid
        ready = False
        try:
            client.conversations_join(channel=cid)
            ready = True
        except SlackApiError as exc:
            error = exc.response.get("error")
            # A private channel (only an invite brings acctbot in), or an install without
            # channels:join (the post still goes out with chat:write.public; the history
            # check will say it cannot read).
            ready = error in ("method_not_supported_for_channel_type", "missing_scope")
            log.warning("cannot join %s before posting (%s)", cid, error)
        except Exception as exc:
            log.warning("cannot join %s before posting (%s)", cid, exc)
        if ready:
            self._mark_ready(cid)
        return cid

    def _is_ready(self, cid: str) -> bool:
        with self._lock:
            since = self._ready.get(cid)
            return since is not None and self._clock() - since < READY_TTL

    def _mark_ready(self, cid: str) -> None:
        with self._lock:
            self._ready[cid] = self._clock()

    def forget(self, channel: str) -> None:
        """Stop trusting that acctbot is in ``channel`` (an id): it was removed."""
        with self._lock:
            self._ready.pop(channel, None)

    def rejoin(self, client: WebClient, channel: str) -> bool:
        """acctbot was found not to be in ``channel`` (``not_in_channel``): forget what
        was known and join it again. True when acctbot is in it now; False when it
        cannot join (a private channel, no ``channels:join``, Slack failing), logged."""
        self.forget(channel)
        if is_direct(channel):
            return True
        return self._join(client, channel)

    def access(self, client: WebClient, channel: str, *, join: bool = False) -> Access:
        """Whether acctbot can post and read in ``channel`` (``conversations.info``);
        with ``join=True`` a public channel it is not in is joined first."""
        if is_direct(channel):
            return Access(channel, None, "dm", True, True, True)
        cid = self.id_for(client, channel)
        if cid.startswith("#"):
            return Access(
                cid, cid, "unknown", False, False, False,
                f"acctbot cannot find {cid}: no public channel has that name, and a private "
                f"channel is visible to acctbot only once invited ({INVITE}).",
            )  # fmt: skip
        try:
            info = client.conversations_info(channel=cid)["channel"]
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error == "channel_not_found":
                return Access(
                    cid, None, "private", False, False, False,
                    f"acctbot is not in this private channel (or it does not exist), so it "
                    f"can neither post nor read there: {INVITE}.",
                )  # fmt: skip
            return Access(cid, None, "unknown", False, False, False,
                          f"acctbot cannot check this channel ({error}).")  # fmt: skip
        name = info.get("name")
        private = bool(info.get("is_private"))
        kind = "private" if private else "public"
        if info.get("is_archived"):
            return Access(cid, name, kind, False, False, False, "the channel is archived.")
        member = bool(info.get("is_member"))
        if not member and not private and join:
            member = self._join(client, cid)
        if member:
            return Access(cid, name, kind, True, True, True)
        return Access(
            cid, name, kind, False, True, False,
            "acctbot is not in this public channel yet: it can post (chat:write.public) but "
            "not read its history until it joins, which it does before its first post.",
        )  # fmt: skip

    def _join(self, client: WebClient, cid: str) -> bool:
        try:
            client.conversations_join(channel=cid)
        except SlackApiError as exc:
            log.warning("cannot join %s (%s)", cid, exc.response.get("error"))
            return False
        except Exception as exc:
            log.warning("cannot join %s (%s)", cid, exc)
            return False
        self._mark_ready(cid)
        return True

    # -- names -------------------------------------------------------------------------

    def name_of(self, client: WebClient, channel: str) -> str | None:
        """The name of the channel with id ``channel`` (``conversations.info``, cached for
        ``NAME_TTL`` seconds), or None when acctbot cannot see it (a private channel it
        is not in answers ``channel_not_found``) or Slack fails (logged)."""
        if is_direct(channel):
            return None
        if channel.startswith("#"):
            return channel[1:] or None
        now = self._clock()
        with self._lock:
            hit = self._names.get(channel)
            if hit is not None and now - hit[0] < NAME_TTL:
                return hit[1]
        try:
            info = client.conversations_info(channel=channel)["channel"]
            name = str(info.get("name") or "") or None
        except SlackApiError as exc:
            log.info("cannot read the name of %s (%s)", channel, exc.response.get("error"))
            name = None
        except Exception as exc:
            log.warning("cannot read the name of %s (%s)", channel, exc)
            return None
        with self._lock:
            self._names[channel] = (now, name)
        return name
