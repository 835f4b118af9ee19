"""Mutated Slack payloads: every kind acctbot handles, taken from real ones (built by the
Slack stand-in from the app's own cards and modals) and damaged at random places.

Used by the fuzz test (hypothesis, a fixed number of examples) and by
``benchmarks/harden.py`` (more examples, random seeds). A mutation replaces a value with
any JSON value, deletes a key, or empties a container, one to three times.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from hypothesis import strategies as st

from bot.escalations import service as escalations
from bot.escalations import views as ec
from bot.escalations.form import Draft
from bot.escalations.routing import Route
from bot.escalations.views import Prefill
from bot.standins.slack.standin import SlackStandIn
from tests.support.harness import ANA, CHANNEL, MARCUS, BotUnderTest

Path = tuple[Any, ...]


@dataclass(frozen=True)
class Base:
    """A valid payload: ``form`` is a slash command (urlencoded fields), ``payload`` an
    interaction (``payload=<json>``), ``event`` an Events API body (JSON)."""

    kind: str  # command | interaction | event
    name: str
    data: dict[str, Any]

    def body(self, data: dict[str, Any] | None = None) -> tuple[bytes, str]:
        data = self.data if data is None else data
        if self.kind == "command":
            fields = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
            return urlencode(fields).encode(), "application/x-www-form-urlencoded"
        if self.kind == "interaction":
            return (
                urlencode({"payload": json.dumps(data)}).encode(),
                "application/x-www-form-urlencoded",
            )
        return json.dumps(data).encode(), "application/json"


def base_payloads(bot: BotUnderTest) -> list[Base]:
    """One valid payload of every kind the app handles, against ``bot``'s current data."""
    slack: SlackStandIn = bot.slack
    out: list[Base] = []
    for command, text in [
        ("/account", "Acme Corp"),
        ("/order", "123"),
        ("/orders", "mine"),
        ("/pipeline", ""),
        ("/digest", "preview smb-east"),
        ("/escalate", "Acme Corp"),
        ("/escalations", "open"),
        ("/watch", "list"),
    ]:
        out.append(Base("command", command, slack.command_payload(command, text, user_id=ANA)))
    card = bot.ask("/account", "acme")  # a picker
    picker = {"ts": "1700000000.000001", **card}
    out.append(
        Base(
            "interaction",
            "account_pick",
            slack.block_action_payload(
                user_id=ANA,
                action_id="account_pick",
                selected_option=card["blocks"][0]["accessory"]["options"][0]["value"],
                message=picker,
                channel_id=CHANNEL,
            ),
        )
    )
    account = {"ts": "1700000000.000002", **bot.ask("/account", "Acme Corp")}
    buttons = {
        e["action_id"]: e.get("value")
        for b in account["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }
    for action in ("share_card", "refresh_card", "escalate_from_card", "watch_card"):
        value = buttons.get(action)
        if value is None:
            continue
        out.append(
            Base(
                "interaction",
                action,
                slack.block_action_payload(
                    user_id=ANA, action_id=action, value=value, message=account, channel_id=CHANNEL
                ),
            )
        )
    svc = bot.services
    draft = Draft(
        reporter=ANA,
        category="billing",
        severity="P3",
        description="Fuzzing base escalation, double-billed",
        account_id="001000000000001AAA",
        account_name="Acme Corp",
    )
    esc = escalations.create(svc, draft, Route(team_managers=[MARCUS])).escalation
    alert = ec.alert_card(esc, record_url=lambda _id: None, tz=svc.tz).payload()
    alert_message = {"ts": "1700000000.000003", **alert}
    for action in ("escalation_ack", "escalation_resolve", "escalation_reassign"):
        out.append(
            Base(
                "interaction",
                action,
                slack.block_action_payload(
                    user_id=MARCUS, action_id=action, message=alert_message, channel_id=CHANNEL
                ),
            )
        )
    new_view = {"id": "V0FUZZNEW1", **ec.new_escalation_view(
        Prefill(account_id="001000000000001AAA", account_name="Acme Corp"),
        private_metadata={"channel": CHANNEL},
    )}  # fmt: skip
    values: dict[str, dict[str, Any]] = {
        "category": {"category_select": "billing"},
        "severity": {"severity_select": "P2"},
        "description": {"description_input": "Customer double-billed (fuzz)"},
        "order": {"order_input": "00000123"},
        "due": {"due_input": 1900000000},
    }
    out.append(
        Base(
            "interaction",
            "escalation_new",
            slack.view_submission_payload(user_id=ANA, view=new_view, values=values),
        )
    )
    resolve = {"id": "V0FUZZRES1", **ec.resolve_view(esc)}
    out.append(
        Base(
            "interaction",
            "escalation_resolve_submit",
            slack.view_submission_payload(
                user_id=MARCUS,
                view=resolve,
                values={"resolution": {"resolution_input": "Credit issued (fuzz)"}},
            ),
        )
    )
    reassign = {"id": "V0FUZZREA1", **ec.reassign_view(esc)}
    out.append(
        Base(
            "interaction",
            "escalation_reassign_submit",
            slack.view_submission_payload(
                user_id=MARCUS, view=reassign, values={"assignee": {"assignee_select": MARCUS}}
            ),
        )
    )
    out.append(
        Base(
            "interaction",
            "block_suggestion",
            {
                "type": "block_suggestion",
                "user": {"id": ANA, "team_id": slack.team_id},
                "team": {"id": slack.team_id},
                "api_app_id": slack.api_app_id,
                "token": slack.verification_token,
                "action_id": "escalation_account",
                "block_id": "account",
                "value": "acme",
                "container": {"type": "view", "view_id": "V0FUZZNEW1"},
                "view": new_view,
            },
        )
    )
    out.append(
        Base(
            "event",
            "app_home_opened",
            slack.event_envelope({"type": "app_home_opened", "user": ANA, "tab": "home"}),
        )
    )
    return out


# --- mutation ----------------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=6,
)
# Strings a payload field might plausibly be damaged into.
NASTY = st.sampled_from(
    ["", " ", "0", "-1", "1e999", "null", "{}", "[]", '{"v":1}', "<!channel>", "\x00",
     "U0NOBODY00", "001000000000001", "801zzzzzzzzzzzz", "9" * 40, "é" * 300]
)  # fmt: skip


def _paths(value: Any, path: Path = ()) -> Iterator[Path]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*path, i))


def _set(root: Any, path: Path, op: str, new: Any) -> Any:
    if not path:
        return new if op == "replace" else root
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if op == "delete":
        del parent[last]
    elif op == "empty":
        parent[last] = type(parent[last])() if isinstance(parent[last], dict | list) else ""
    else:
        parent[last] = new
    return root


def fresh(slack: SlackStandIn, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with a new response_url and trigger_id, as every request from Slack has."""
    data = copy.deepcopy(data)
    user = data.get("user_id") or (data.get("user") or {}).get("id") or ANA
    channel = data.get("channel_id") or CHANNEL
    if "response_url" in data:
        data["response_url"] = slack._issue_response_url("command", channel, user)
    if "trigger_id" in data:
        data["trigger_id"] = slack.issue_trigger_id(user)
    return data


@st.composite
def mutated(draw: st.DrawFn, bases: list[Base], slack: SlackStandIn) -> tuple[Base, Any]:
    """A base payload (with fresh response_url and trigger_id) and a damaged copy of its
    data (commands stay flat string fields)."""
    base = draw(st.sampled_from(bases))
    data: Any = fresh(slack, base.data)
    for _ in range(draw(st.integers(1, 3))):
        if base.kind == "command":
            key = draw(st.sampled_from(sorted(data) or ["text"]))
            if draw(st.booleans()) and key in data:
                del data[key]
            else:
                data[key] = draw(NASTY | st.text(max_size=50))
            continue
        paths = list(_paths(data))
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["replace", "replace", "delete", "empty"]))
        if not path and op != "replace":
            continue
        new = draw(NASTY | JSON)
        data = _set(data, path, op, new)
    return base, data
