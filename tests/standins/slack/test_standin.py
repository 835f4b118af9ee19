"""The Slack stand-in, exercised through slack_sdk and slack_bolt as the app will use them."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import requests
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.webhook import WebhookClient

from bot.standins.slack.standin import SlackStandIn, render_message, render_view
from tests.support.paths import REPO_ROOT

ANA = "U0ANA00001"
RAJ = "U0RAJ00001"
MODAL = {
    "type": "modal",
    "callback_id": "escalate",
    "title": {"type": "plain_text", "text": "Escalate"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "reason",
            "label": {"type": "plain_text", "text": "Reason"},
            "element": {"type": "plain_text_input", "action_id": "text"},
        },
        {
            "type": "input",
            "block_id": "priority",
            "label": {"type": "plain_text", "text": "Priority"},
            "element": {
                "type": "static_select",
                "action_id": "choice",
                "options": [
                    {"text": {"type": "plain_text", "text": "High"}, "value": "high"},
                    {"text": {"type": "plain_text", "text": "Low"}, "value": "low"},
                ],
            },
        },
    ],
}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        standin.add_user(ANA, "ana", "Ana Rep", "ana.rep@example.com")
        standin.add_user(RAJ, "raj", "Raj Rep", "raj.rep@example.com", tz="Europe/London")
        standin.add_channel("C0SMBEAST01", "smb-east")
        yield standin


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(token=slack.bot_token, base_url=slack.api_url)


def api_error(excinfo: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(excinfo.value.response["error"])


# -- a Bolt app served over HTTP in a thread ---------------------------------------------


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def bolt(slack: SlackStandIn) -> Iterator[tuple[App, str]]:
    """A Bolt app using the stand-in's Web API, served at (app, events URL)."""
    app = App(
        token=slack.bot_token,
        signing_secret=slack.signing_secret,
        client=WebClient(token=slack.bot_token, base_url=slack.api_url),
    )
    handler = SlackRequestHandler(app)
    server = make_server(
        "127.0.0.1", 0, handler, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- Web API -----------------------------------------------------------------------------


def test_auth_and_team(client: WebClient, slack: SlackStandIn) -> None:
    auth = client.auth_test()
    assert auth["user_id"] == slack.bot_user_id and auth["team_id"] == "T0ACCTBOT"
    assert auth["url"] == "https://acctbot-demo.slack.com/"
    assert client.team_info()["team"]["domain"] == "acctbot-demo"


def test_post_update_delete_and_history(client: WebClient, slack: SlackStandIn) -> None:
    first = client.chat_postMessage(channel="#smb-east", text="Acme &amp; Co: 3 orders")
    assert first["channel"] == "C0SMBEAST01"
    assert first["message"]["text"] == "Acme &amp; Co: 3 orders"
    assert first["message"]["bot_id"] == slack.bot_id
    second = client.chat_postMessage(
        channel="C0SMBEAST01", text="fallback", blocks=[section("*Acme*")]
    )
    assert float(second["ts"]) > float(first["ts"])
    reply = client.chat_postMessage(channel="C0SMBEAST01", text="in thread", thread_ts=first["ts"])
    assert reply["message"]["thread_ts"] == first["ts"]

    updated = client.chat_update(channel="C0SMBEAST01", ts=second["ts"], text="changed")
    assert updated["text"] == "changed" and "blocks" not in updated["message"]
    assert client.chat_delete(channel="C0SMBEAST01", ts=second["ts"])["ok"]
    with pytest.raises(SlackApiError) as exc:
        client.chat_update(channel="C0SMBEAST01", ts=second["ts"], text="gone")
    assert api_error(exc) == "message_not_found"

    history = client.conversations_history(channel="C0SMBEAST01")
    assert [m["text"] for m in history["messages"]] == ["Acme &amp; Co: 3 orders"]
    replies = client.conversations_replies(channel="C0SMBEAST01", ts=first["ts"])
    assert [m["text"] for m in replies["messages"]] == ["Acme &amp; Co: 3 orders", "in thread"]
    link = client.chat_getPermalink(channel="C0SMBEAST01", message_ts=first["ts"])["permalink"]
    assert (
        link
        == f"https://acctbot-demo.slack.com/archives/C0SMBEAST01/p{first['ts'].replace('.', '')}"
    )
    assert render_message(slack.messages("C0SMBEAST01")[0]) == "Acme & Co: 3 orders"


def test_user_message_cannot_be_edited_by_bot(client: WebClient, slack: SlackStandIn) -> None:
    message = slack.post_user_message("C0SMBEAST01", ANA, "hello")
    with pytest.raises(SlackApiError) as exc:
        client.chat_update(channel="C0SMBEAST01", ts=message["ts"], text="x")
    assert api_error(exc) == "cant_update_message"


def test_ephemeral(client: WebClient, slack: SlackStandIn) -> None:
    result = client.chat_postEphemeral(channel="C0SMBEAST01", user=ANA, text="only you")
    assert result["message_ts"]
    [entry] = slack.ephemeral_messages(ANA)
    assert entry["text"] == "only you" and entry["channel"] == "C0SMBEAST01"
    assert slack.messages("C0SMBEAST01") == []
    with pytest.raises(SlackApiError) as exc:
        client.chat_postEphemeral(channel="C0SMBEAST01", user="U0NOBODY01", text="x")
    assert api_error(exc) == "user_not_found"


def test_dm_via_conversations_open(client: WebClient, slack: SlackStandIn) -> None:
    opened = client.conversations_open(users=ANA)
    dm = opened["channel"]["id"]
    assert dm.startswith("D")
    again = client.conversations_open(users=ANA)
    assert again["channel"]["id"] == dm and again["already_open"] is True
    client.chat_postMessage(channel=dm, text="your digest")
    client.chat_postMessage(channel=ANA, text="posting to a user id lands in the DM")
    assert [m["text"] for m in slack.dm_messages(ANA)] == [
        "your digest",
        "posting to a user id lands in the DM",
    ]
    info = client.conversations_info(channel=dm)["channel"]
    assert info["is_im"] is True and info["user"] == ANA
    with pytest.raises(SlackApiError) as exc:
        client.conversations_open(users="U0NOBODY01")
    assert api_error(exc) == "user_not_found"


def test_users_info_and_lookup(client: WebClient) -> None:
    user = client.users_info(user=RAJ)["user"]
    assert user["profile"]["email"] == "raj.rep@example.com"
    assert user["tz"] == "Europe/London" and user["real_name"] == "Raj Rep"
    assert isinstance(user["tz_offset"], int) and user["is_bot"] is False
    assert client.users_lookupByEmail(email="Ana.Rep@example.com")["user"]["id"] == ANA
    with pytest.raises(SlackApiError) as exc:
        client.users_lookupByEmail(email="nobody@example.com")
    assert api_error(exc) == "users_not_found"
    with pytest.raises(SlackApiError) as exc:
        client.users_info(user="U0NOBODY01")
    assert api_error(exc) == "user_not_found"


def test_guests_and_users_list(slack: SlackStandIn, client: WebClient) -> None:
    slack.add_user("U0GUEST001", "pat", "Pat Partner", "pat@partner.example", guest="multi")
    slack.add_user("U0GUEST002", "gil", "Gil Agency", "gil@agency.example", guest="single")
    multi = client.users_info(user="U0GUEST001")["user"]
    single = client.users_info(user="U0GUEST002")["user"]
    assert (multi["is_restricted"], multi["is_ultra_restricted"]) == (True, False)
    assert (single["is_restricted"], single["is_ultra_restricted"]) == (True, True)
    member = client.users_info(user=ANA)["user"]
    assert (member["is_restricted"], member["is_ultra_restricted"]) == (False, False)
    with pytest.raises(ValueError):
        slack.add_user("U0BAD00001", "bad", "Bad", "", guest="yes")
    # users.list pages with a cursor; the last page's next_cursor is "".
    first = client.users_list(limit=2)
    assert len(first["members"]) == 2 and first["response_metadata"]["next_cursor"]
    ids = [m["id"] for page in client.users_list(limit=2) for m in page["members"]]
    assert sorted(ids) == sorted([slack.bot_user_id, ANA, RAJ, "U0GUEST001", "U0GUEST002"])
    everyone = client.users_list()
    assert len(everyone["members"]) == 5 and everyone["response_metadata"]["next_cursor"] == ""
    with pytest.raises(SlackApiError) as exc:
        client.users_list(cursor="not-a-cursor")
    assert api_error(exc) == "invalid_cursor"


def test_auth_errors_and_unknown_method(slack: SlackStandIn) -> None:
    with pytest.raises(SlackApiError) as exc:
        WebClient(token="xoxb-wrong", base_url=slack.api_url).auth_test()
    assert api_error(exc) == "invalid_auth"
    with pytest.raises(SlackApiError) as exc:
        WebClient(base_url=slack.api_url).auth_test()
    assert api_error(exc) == "not_authed"
    with pytest.raises(SlackApiError) as exc:
        WebClient(token=slack.bot_token, base_url=slack.api_url).api_call("chat.nonsense")
    assert api_error(exc) == "unknown_method"
    with pytest.raises(SlackApiError) as exc:
        WebClient(token=slack.bot_token, base_url=slack.api_url).apps_connections_open(
            app_token=slack.bot_token
        )
    assert api_error(exc) == "not_allowed_token_type"
    # token as a form field works too, and every call is recorded without it
    body = requests.post(
        slack.api_url + "auth.test", data={"token": slack.bot_token}, timeout=5
    ).json()
    assert body["ok"] is True
    assert all("token" not in call.args for call in slack.calls)


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_message_validation(client: WebClient) -> None:
    cases: list[tuple[dict[str, Any], str, str | None]] = [
        ({"blocks": [{"type": "divider"}] * 51}, "invalid_blocks", "/blocks]"),
        ({"blocks": [section("x" * 3001)]}, "invalid_blocks", "/blocks/0/text/text]"),
        (
            {"blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]},
            "invalid_blocks",
            "must be less than 151 characters",
        ),
        (
            {
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [
                            {"type": "button", "text": {"type": "plain_text", "text": "b" * 76}}
                        ],
                    }
                ]
            },
            "invalid_blocks",
            "/blocks/0/elements/0/text/text]",
        ),
        ({"blocks": [{"text": "no type"}]}, "invalid_blocks", "missing required field: type"),
        ({"blocks": [{"type": "sektion"}]}, "invalid_blocks", "unsupported type"),
        ({"text": "x" * 40_001}, "msg_too_long", None),
        ({}, "no_text", None),
    ]
    for kwargs, error, detail in cases:
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C0SMBEAST01", text=kwargs.pop("text", None), **kwargs)
        assert api_error(exc) == error, kwargs
        if detail:
            assert any(detail in e for e in exc.value.response["errors"])
            assert exc.value.response["response_metadata"]["messages"][0].startswith("[ERROR]")
    # exactly at the limits is fine
    client.chat_postMessage(channel="C0SMBEAST01", text="ok", blocks=[section("x" * 3000)] * 50)
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C0NOSUCH01", text="x")
    assert api_error(exc) == "channel_not_found"


def test_not_in_channel(client: WebClient, slack: SlackStandIn) -> None:
    """A private channel the bot is not in does not exist for it; a public one it may
    post in only with chat:write.public."""
    slack.add_channel("C0PRIVATE1", "secret", is_private=True, bot_is_member=False)
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C0PRIVATE1", text="x")
    assert api_error(exc) == "channel_not_found"
    slack.add_channel("C0PUBNOBOT", "lobby", bot_is_member=False)
    slack.set_scopes(slack.scopes - {"chat:write.public"})
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C0PUBNOBOT", text="x")
    assert api_error(exc) == "not_in_channel"


# -- views -------------------------------------------------------------------------------


def test_views_open_needs_a_fresh_trigger(client: WebClient, slack: SlackStandIn) -> None:
    trigger = slack.issue_trigger_id(ANA)
    view = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert view["id"].startswith("V") and view["callback_id"] == "escalate"
    assert view["state"] == {"values": {}} and view["hash"]
    assert slack.open_views(ANA)[0]["id"] == view["id"]
    assert slack.views_opened()[0]["title"]["text"] == "Escalate"

    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id=trigger, view=MODAL)
    # views.open's documented code (dialog.open's is "trigger_exchanged"): slack_kit's copy
    # of Slack's method spec lists exchanged_trigger_id / expired_trigger_id / invalid_trigger_id
    assert api_error(exc) == "exchanged_trigger_id"
    stale = slack.issue_trigger_id(ANA)
    slack.advance(3.5)
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id=stale, view=MODAL)
    assert api_error(exc) == "expired_trigger_id"
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id="123.456.abc", view=MODAL)
    assert api_error(exc) == "invalid_trigger_id"


def test_views_update_push_publish(client: WebClient, slack: SlackStandIn) -> None:
    view = client.views_open(trigger_id=slack.issue_trigger_id(ANA), view=MODAL)["view"]
    updated = client.views_update(
        view_id=view["id"], hash=view["hash"], view={**MODAL, "private_metadata": "001"}
    )["view"]
    assert updated["id"] == view["id"] and updated["private_metadata"] == "001"
    with pytest.raises(SlackApiError) as exc:
        client.views_update(view_id=view["id"], hash=view["hash"], view=MODAL)
    assert api_error(exc) == "hash_conflict"
    pushed = client.views_push(trigger_id=slack.issue_trigger_id(ANA), view=MODAL)["view"]
    assert pushed["previous_view_id"] == view["id"] and pushed["root_view_id"] == view["id"]
    assert len(slack.open_views(ANA)) == 2

    bad = {**MODAL, "title": {"type": "plain_text", "text": "t" * 25}}
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id=slack.issue_trigger_id(ANA), view=bad)
    assert api_error(exc) == "invalid_arguments"
    assert "/view/title/text" in exc.value.response["response_metadata"]["messages"][0]
    too_many = {**MODAL, "blocks": [{"type": "divider"}] * 101}
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id=slack.issue_trigger_id(ANA), view=too_many)
    assert "no more than 100 items allowed" in str(exc.value.response["response_metadata"])

    home = {"type": "home", "blocks": [section("Your accounts")]}
    published = client.views_publish(user_id=ANA, view=home)["view"]
    assert slack.home_view(ANA)["id"] == published["id"]
    assert client.views_publish(user_id=ANA, view=home)["view"]["id"] == published["id"]


# -- faults ------------------------------------------------------------------------------


def test_rate_limit_honoured_by_retry_handler(slack: SlackStandIn) -> None:
    slack.fail("chat.postMessage", status=429, retry_after=1, count=1)
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    started = time.monotonic()
    client.chat_postMessage(channel="C0SMBEAST01", text="after the wait")
    waited = time.monotonic() - started
    attempts = slack.calls_to("chat.postMessage")
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[0].response == {"ok": False, "error": "ratelimited"}
    assert waited >= 1.0
    assert attempts[1].at - attempts[0].at >= 1.0


def test_rate_limit_header_without_retry(slack: SlackStandIn, client: WebClient) -> None:
    slack.fail("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C0SMBEAST01", text="x")
    assert exc.value.response.status_code == 429
    assert exc.value.response.headers["retry-after"] in ("7", ["7"])
    assert client.chat_postMessage(channel="C0SMBEAST01", text="x")["ok"]  # count=1 used up


def test_error_and_status_faults(slack: SlackStandIn, client: WebClient) -> None:
    slack.fail("users.info", error="fatal_error", count=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as exc:
            client.users_info(user=ANA)
        assert api_error(exc) == "fatal_error"
    assert client.users_info(user=ANA)["ok"]

    slack.fail(None, status=503, count=None, seconds=60)
    with pytest.raises(SlackApiError) as exc:
        client.auth_test()
    assert exc.value.response.status_code == 503
    slack.advance(61)
    assert client.auth_test()["ok"]


def test_down_and_up(slack: SlackStandIn, client: WebClient) -> None:
    slack.down("503")
    with pytest.raises(SlackApiError):
        client.auth_test()
    slack.up()
    slack.down("refuse")
    with pytest.raises(requests.ConnectionError):
        requests.post(slack.api_url + "auth.test", timeout=2)
    slack.up()
    assert client.auth_test()["ok"]


# -- response_url ------------------------------------------------------------------------


def test_response_url_limits(slack: SlackStandIn) -> None:
    payload = slack.command_payload("/account", "Acme", user_id=ANA)
    hook = WebhookClient(payload["response_url"])
    for n in range(5):
        result = hook.send(text=f"answer {n}")
        assert (result.status_code, result.body) == (200, "ok")
    used = hook.send(text="sixth")
    assert (used.status_code, used.body) == (404, "used_url")
    assert [e["text"] for e in slack.ephemeral_messages(ANA)] == [f"answer {n}" for n in range(5)]

    late = WebhookClient(slack.command_payload("/account", "Acme", user_id=ANA)["response_url"])
    slack.advance(30 * 60 + 1)
    expired = late.send(text="too late")
    assert (expired.status_code, expired.body) == (404, "expired_url")


def test_response_url_validation_and_effects(slack: SlackStandIn, client: WebClient) -> None:
    payload = slack.command_payload("/account", "Acme", user_id=ANA, channel_id="C0SMBEAST01")
    hook = WebhookClient(payload["response_url"])
    assert hook.send(text="x", blocks=[section("y" * 3001)]).body == "invalid_blocks"
    assert hook.send_dict({"response_type": "ephemeral"}).body == "no_text"
    assert hook.send(text="for everyone", response_type="in_channel").status_code == 200
    [posted] = slack.messages("C0SMBEAST01")
    assert posted["text"] == "for everyone"
    # a command's response_url cannot change what it posted: a replace is a new message
    hook.send(text="edited", replace_original=True)
    assert [m["text"] for m in slack.messages("C0SMBEAST01")] == ["for everyone"]
    assert [e["text"] for e in slack.ephemeral_messages(ANA)] == ["edited"]
    hook.send_dict({"delete_original": True})
    assert [m["text"] for m in slack.messages("C0SMBEAST01")] == ["for everyone"]
    posts = slack.responses(payload["response_url"])
    assert [r.status for r in posts] == [400, 400, 200, 200, 200]
    assert [r.effect for r in posts] == [None, None, "in_channel", "ephemeral", "ignored"]


def test_interaction_response_replaces_the_clicked_message(
    slack: SlackStandIn, client: WebClient
) -> None:
    blocks = [
        section("Escalate Acme?"),
        {
            "type": "actions",
            "block_id": "confirm",
            "elements": [
                {
                    "type": "button",
                    "action_id": "yes",
                    "text": {"type": "plain_text", "text": "Yes"},
                    "value": "001",
                }
            ],
        },
    ]
    posted = client.chat_postMessage(channel="C0SMBEAST01", text="Escalate?", blocks=blocks)
    payload = slack.block_action_payload(
        user_id=ANA, action_id="yes", message=posted["message"], channel_id="C0SMBEAST01"
    )
    assert payload["actions"][0]["block_id"] == "confirm"
    assert payload["actions"][0]["value"] == "001"
    assert payload["container"]["message_ts"] == posted["ts"]
    WebhookClient(payload["response_url"]).send(text="Escalated", replace_original=True)
    [message] = slack.messages("C0SMBEAST01")
    assert message["text"] == "Escalated" and "blocks" not in message


# -- requests to the app -----------------------------------------------------------------


def test_signature_checks_out(slack: SlackStandIn) -> None:
    body = b"token=x&command=%2Faccount&text=Acme"
    headers = slack.sign(body)
    verifier = SignatureVerifier(slack.signing_secret)
    assert verifier.is_valid_request(body, headers)
    assert not verifier.is_valid_request(body + b"x", headers)
    old = slack.sign(body, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid_request(body, old)  # replay window


def test_command_payload_escapes_like_slack(slack: SlackStandIn) -> None:
    payload = slack.command_payload(
        "/orders", "@ana O'Hare Signal & Sons <b> #smb-east", user_id=RAJ
    )
    assert (
        payload["text"]
        == "<@U0ANA00001|ana> O'Hare Signal &amp; Sons &lt;b&gt; <#C0SMBEAST01|smb-east>"
    )
    assert set(payload) == {
        "token", "team_id", "team_domain", "channel_id", "channel_name", "user_id",
        "user_name", "command", "text", "api_app_id", "is_enterprise_install",
        "response_url", "trigger_id",
    }  # fmt: skip
    assert payload["user_name"] == "raj" and payload["channel_name"] == "general"


def test_bolt_command_answered_through_response_url(
    slack: SlackStandIn, bolt: tuple[App, str]
) -> None:
    app, url = bolt
    seen: list[str] = []

    @app.command("/account")
    def account(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        ack()
        seen.append(command["text"])
        respond(text=f"Looking up {command['text']}", response_type="in_channel")

    sent = slack.command(url, "/account", "O'Hare Signal & Sons", user_id=ANA)
    assert sent.status == 200 and sent.user_error is None and sent.elapsed_ms < 3000
    post = slack.wait_for_response()
    assert post.status == 200 and post.body["text"] == "Looking up O'Hare Signal &amp; Sons"
    assert seen == ["O'Hare Signal &amp; Sons"]
    assert slack.messages("C0GENERAL01")[0]["text"] == "Looking up O'Hare Signal &amp; Sons"

    # a badly signed request is refused by Bolt
    bad = SlackStandIn(signing_secret="other-secret")
    assert bad.command(url, "/account", "x", user_id=ANA).status == 401


def test_bolt_ack_text_is_shown_and_slow_ack_times_out(
    slack: SlackStandIn, bolt: tuple[App, str]
) -> None:
    app, url = bolt

    @app.command("/orders")
    def orders(ack: Any) -> None:
        ack("No orders yet")

    @app.command("/slow")
    def slow(ack: Any) -> None:
        time.sleep(0.5)
        ack()

    slack.command(url, "/orders", "", user_id=ANA)
    assert slack.ephemeral_messages(ANA)[0]["text"] == "No orders yet"
    sent = slack.command(url, "/slow", "", user_id=ANA, deadline=0.2)
    assert sent.timed_out


def test_bolt_modal_flow(slack: SlackStandIn, bolt: tuple[App, str]) -> None:
    app, url = bolt
    submitted: list[dict[str, Any]] = []

    @app.command("/escalate")
    def escalate(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    @app.view("escalate")
    def on_submit(ack: Any, view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        if not values["reason"]["text"]["value"]:
            ack(response_action="errors", errors={"reason": "Say why"})
            return
        submitted.append(values)
        ack()

    slack.command(url, "/escalate", "Acme", user_id=ANA)
    slack.wait_for("views.open", lambda c: c.ok)
    [view] = slack.open_views(ANA)

    refused = slack.view_submission(url, user_id=ANA, view=view, values={})
    assert refused.body == {"response_action": "errors", "errors": {"reason": "Say why"}}
    assert refused.problems == [] and len(slack.open_views(ANA)) == 1

    done = slack.view_submission(
        url,
        user_id=ANA,
        view=view,
        values={"reason": {"text": "late"}, "priority": {"choice": "high"}},
    )
    assert done.status == 200 and slack.open_views(ANA) == []
    [values] = submitted
    assert values["reason"]["text"] == {"type": "plain_text_input", "value": "late"}
    assert values["priority"]["choice"]["selected_option"]["value"] == "high"


def test_bolt_block_action_and_suggestion(slack: SlackStandIn, bolt: tuple[App, str]) -> None:
    app, url = bolt

    @app.action("open_order")
    def open_order(ack: Any, respond: Any, action: dict[str, Any]) -> None:
        ack()
        respond(text=f"Order {action['value']}", replace_original=True)

    @app.options("account")
    def options(ack: Any, payload: dict[str, Any]) -> None:
        ack(
            options=[
                {"text": {"type": "plain_text", "text": f"{payload['value']} Corp"}, "value": "1"}
            ]
        )

    blocks = [
        {
            "type": "actions",
            "block_id": "b1",
            "elements": [
                {
                    "type": "button",
                    "action_id": "open_order",
                    "text": {"type": "plain_text", "text": "Open"},
                    "value": "00000101",
                }
            ],
        }
    ]
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    posted = client.chat_postMessage(channel="C0GENERAL01", text="orders", blocks=blocks)
    sent = slack.block_action(url, user_id=ANA, action_id="open_order", message=posted["message"])
    assert sent.status == 200 and sent.trigger_id and sent.response_url
    slack.wait_until(lambda: slack.messages("C0GENERAL01")[0]["text"] == "Order 00000101")

    suggestion = slack.block_suggestion(
        url, user_id=ANA, action_id="account", block_id="pick", value="Acme", view=MODAL
    )
    assert suggestion.body["options"][0]["text"]["text"] == "Acme Corp"
    assert suggestion.problems == []


def test_events_and_url_verification(slack: SlackStandIn, bolt: tuple[App, str]) -> None:
    app, url = bolt
    mentions: list[str] = []

    @app.event("app_mention")
    def mention(event: dict[str, Any]) -> None:
        mentions.append(event["text"])

    check = slack.url_verification(url, challenge="abc123")
    assert check.status == 200 and check.body == {"challenge": "abc123"}
    sent = slack.event(
        url,
        {"type": "app_mention", "user": ANA, "text": "<@U0ACCTBOT> hi", "channel": "C0GENERAL01"},
    )
    assert sent.status == 200 and sent.payload["event_id"].startswith("Ev")
    slack.wait_until(lambda: mentions)
    assert mentions == ["<@U0ACCTBOT> hi"]


# -- Socket Mode -------------------------------------------------------------------------


def test_socket_mode_with_sdk_client(slack: SlackStandIn) -> None:
    received: list[SocketModeRequest] = []
    web = WebClient(base_url=slack.api_url)
    client = SocketModeClient(
        app_token=slack.app_token, web_client=web, auto_reconnect_enabled=False
    )

    def listener(sm: SocketModeClient, req: SocketModeRequest) -> None:
        received.append(req)
        sm.send_socket_mode_response(
            SocketModeResponse(envelope_id=req.envelope_id, payload={"text": "pong"})
        )

    client.socket_mode_request_listeners.append(listener)
    client.connect()
    try:
        slack.wait_for_socket()
        envelope_id = slack.socket_command("/ping", "now & then", user_id=ANA)
        ack = slack.wait_for_ack(envelope_id)
        assert ack.payload == {"text": "pong"}
        assert received[0].type == "slash_commands"
        assert received[0].payload["text"] == "now &amp; then"
        assert slack.ephemeral_messages(ANA)[-1]["text"] == "pong"
    finally:
        client.close()


def test_socket_mode_with_bolt_handler(slack: SlackStandIn) -> None:
    app = App(
        token=slack.bot_token,
        client=WebClient(token=slack.bot_token, base_url=slack.api_url),
    )

    @app.command("/account")
    def account(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        ack()
        respond(text=f"Account {command['text']}")

    @app.action("go")
    def go(ack: Any) -> None:
        ack()

    handler = SocketModeHandler(app, app_token=slack.app_token)
    handler.client.web_client = WebClient(base_url=slack.api_url)
    handler.connect()
    try:
        slack.wait_for_socket()
        envelope_id = slack.socket_command("/account", "Acme", user_id=ANA)
        assert slack.wait_for_ack(envelope_id).envelope_id == envelope_id
        post = slack.wait_for_response()
        assert post.body["text"] == "Account Acme"

        payload = slack.block_action_payload(user_id=ANA, action_id="go")
        assert slack.wait_for_ack(slack.socket_interaction(payload)).payload in (None, {})
        assert json.loads(json.dumps(payload))["type"] == "block_actions"
    finally:
        handler.close()


# -- records and console hooks -----------------------------------------------------------


def test_records_wait_for_and_clear(slack: SlackStandIn, client: WebClient) -> None:
    def post_later() -> None:
        time.sleep(0.2)
        client.chat_postMessage(channel="C0SMBEAST01", text="late")

    threading.Thread(target=post_later).start()
    call = slack.wait_for("chat.postMessage", lambda c: c.args["text"] == "late", timeout=5)
    assert call.ok and call.args["channel"] == "C0SMBEAST01"
    assert slack.wait_for_message("#smb-east")["text"] == "late"
    with pytest.raises(TimeoutError):
        slack.wait_for("views.open", timeout=0.1)
    slack.fail("auth.test", error="fatal_error")
    slack.clear()
    assert slack.calls == [] and client.auth_test()["ok"]  # clear() drops faults too
    assert slack.messages("C0SMBEAST01")[0]["text"] == "late"  # state stays


def test_history_pages_with_cursor(slack: SlackStandIn, client: WebClient) -> None:
    for n in range(5):
        client.chat_postMessage(channel="C0SMBEAST01", text=str(n))
    first = client.conversations_history(channel="C0SMBEAST01", limit=3)
    assert [m["text"] for m in first["messages"]] == ["4", "3", "2"] and first["has_more"]
    cursor = first["response_metadata"]["next_cursor"]
    rest = client.conversations_history(channel="C0SMBEAST01", limit=3, cursor=cursor)
    assert [m["text"] for m in rest["messages"]] == ["1", "0"] and not rest["has_more"]


def test_block_action_in_a_modal_has_no_response_url(
    slack: SlackStandIn, client: WebClient
) -> None:
    view = client.views_open(trigger_id=slack.issue_trigger_id(ANA), view=MODAL)["view"]
    payload = slack.block_action_payload(
        user_id=ANA, action_id="choice", view=view, selected_option="low"
    )
    assert payload["container"] == {"type": "view", "view_id": view["id"]}
    assert "response_url" not in payload
    [action] = payload["actions"]
    assert action["type"] == "static_select" and action["block_id"] == "priority"
    assert action["selected_option"]["value"] == "low"


def test_subscribe_and_render(slack: SlackStandIn, client: WebClient) -> None:
    seen: list[tuple[str, str]] = []
    slack.subscribe(lambda kind, data: seen.append((kind, data.get("text", ""))))
    client.chat_postEphemeral(channel="C0GENERAL01", user=ANA, text="Acme &amp; Sons <@U0ANA00001>")
    view = client.views_open(trigger_id=slack.issue_trigger_id(ANA), view=MODAL)["view"]
    assert seen[0] == ("ephemeral", "Acme &amp; Sons <@U0ANA00001>")
    assert [k for k, _ in seen] == ["ephemeral", "view_opened"]
    assert render_message(slack.ephemeral_messages(ANA)[0]) == "Acme & Sons @U0ANA00001"
    assert render_view(view).splitlines()[0] == "┌ Escalate ┐"


def test_an_untouched_input_submits_its_initial_value() -> None:
    with SlackStandIn() as standin:
        view = {
            "type": "modal",
            "callback_id": "v",
            "title": {"type": "plain_text", "text": "T"},
            "submit": {"type": "plain_text", "text": "Go"},
            "blocks": [
                {
                    "type": "input",
                    "block_id": "a",
                    "label": {"type": "plain_text", "text": "A"},
                    "element": {
                        "type": "external_select",
                        "action_id": "acct",
                        "initial_option": {
                            "text": {"type": "plain_text", "text": "Acme"},
                            "value": "001X",
                        },
                    },
                },
                {
                    "type": "input",
                    "block_id": "b",
                    "label": {"type": "plain_text", "text": "B"},
                    "element": {
                        "type": "plain_text_input",
                        "action_id": "txt",
                        "initial_value": "hello",
                    },
                },
                {
                    "type": "input",
                    "block_id": "c",
                    "label": {"type": "plain_text", "text": "C"},
                    "element": {"type": "plain_text_input", "action_id": "empty"},
                },
            ],
        }
        payload = standin.view_submission_payload(
            user_id="U1", view=view, values={"b": {"txt": "changed"}}
        )
        state = payload["view"]["state"]["values"]
        assert state["a"]["acct"]["selected_option"]["value"] == "001X"
        assert state["b"]["txt"]["value"] == "changed"
        assert state["c"]["empty"]["value"] is None


# -- fidelity to Slack's documentation (audit) -----------------------------------------


def test_history_returns_metadata_payload_only_with_include_all_metadata(
    client: WebClient, slack: SlackStandIn
) -> None:
    """conversations.history / .replies: ``include_all_metadata`` "Return all metadata
    associated with this message", default false; without it the event_payload is not
    returned (slackapi/python-slack-sdk#1501)."""
    meta = {"event_type": "acctbot_post", "event_payload": {"key": "k-1"}}
    posted = client.chat_postMessage(channel="C0SMBEAST01", text="hi", metadata=meta)
    plain = client.conversations_history(channel="C0SMBEAST01")["messages"][0]
    assert plain["metadata"] == {"event_type": "acctbot_post"}
    full = client.conversations_history(channel="C0SMBEAST01", include_all_metadata=True)
    assert full["messages"][0]["metadata"] == meta
    replies = client.conversations_replies(channel="C0SMBEAST01", ts=posted["ts"])
    assert "event_payload" not in replies["messages"][0]["metadata"]
    replies = client.conversations_replies(
        channel="C0SMBEAST01", ts=posted["ts"], include_all_metadata=True
    )
    assert replies["messages"][0]["metadata"] == meta
    # the stored message keeps it all
    assert slack.messages("C0SMBEAST01")[0]["metadata"] == meta


def test_conversations_methods_take_a_conversation_id_only(
    client: WebClient, slack: SlackStandIn
) -> None:
    """conversations.history/replies/info: ``channel`` is the "Conversation ID"; unlike
    chat.postMessage they do not resolve a user ID to its DM or a #name to a channel."""
    posted = client.chat_postMessage(channel=ANA, text="to a user id: lands in the DM")
    for call in (
        lambda ch: client.conversations_history(channel=ch),
        lambda ch: client.conversations_info(channel=ch),
        lambda ch: client.conversations_replies(channel=ch, ts=posted["ts"]),
    ):
        for name in (ANA, "#smb-east", "smb-east"):
            with pytest.raises(SlackApiError) as exc:
                call(name)
            assert api_error(exc) == "channel_not_found"
    dm = client.conversations_open(users=ANA)["channel"]["id"]
    assert dm == posted["channel"]
    texts = [m["text"] for m in client.conversations_history(channel=dm)["messages"]]
    assert texts == ["to a user id: lands in the DM"]


# -- Slack as it really is: what a convenient stand-in would hide -----------------------


def test_a_commands_ack_cannot_be_replaced_or_deleted(
    slack: SlackStandIn, bolt: tuple[App, str]
) -> None:
    """A slash command's HTTP acknowledgement shows as an ephemeral message, and neither
    it nor anything posted through the command's response_url can be replaced or deleted
    there: a replace_original post arrives as a new message (bolt-python#1268,
    bolt-js#2287)."""
    app, url = bolt
    done = threading.Event()

    @app.command("/account")
    def account(ack: Any, respond: Any) -> None:
        ack("Looking up…")
        # The ack is on its way back to Slack; Slack shows it when it arrives, before the
        # posts below (which would otherwise race it).
        slack.wait_until(lambda: slack.ephemeral_messages(ANA), timeout=5)
        respond(text="first answer", response_type="in_channel")
        respond(text="the card", replace_original=True)
        respond(delete_original=True)
        respond(text="shared card", response_type="in_channel", replace_original=True)
        done.set()

    sent = slack.command(url, "/account", "Acme", user_id=ANA)
    assert sent.status == 200 and done.wait(5)
    slack.wait_until(lambda: len(slack.responses(sent.response_url)) == 4)
    assert [e["text"] for e in slack.ephemeral_messages(ANA)] == ["Looking up…", "the card"]
    assert [m["text"] for m in slack.messages("C0GENERAL01")] == ["first answer", "shared card"]
    posts = slack.responses(sent.response_url)
    assert [p.status for p in posts] == [200] * 4
    assert [p.effect for p in posts] == ["in_channel", "ephemeral", "ignored", "in_channel"]


def _button_blocks() -> list[dict[str, Any]]:
    return [
        section("Acme: 3 open orders"),
        {
            "type": "actions",
            "block_id": "card",
            "elements": [
                {
                    "type": "button",
                    "action_id": "refresh",
                    "text": {"type": "plain_text", "text": "Refresh"},
                    "value": "001",
                }
            ],
        },
    ]


def test_buttons_on_a_shared_message(slack: SlackStandIn, client: WebClient) -> None:
    """On an in_channel message a response_url post with replace_original changes the
    message for everyone; without it, it is a new ephemeral for the presser only."""
    shared = client.chat_postMessage(channel="C0SMBEAST01", text="card", blocks=_button_blocks())
    press = slack.block_action_payload(
        user_id=RAJ, action_id="refresh", message=shared["message"], channel_id="C0SMBEAST01"
    )
    hook = WebhookClient(press["response_url"])
    assert hook.send(text="Salesforce is not answering").status_code == 200
    assert [m["text"] for m in slack.messages("C0SMBEAST01")] == ["card"]
    assert [e["text"] for e in slack.ephemeral_messages(RAJ)] == ["Salesforce is not answering"]
    assert slack.ephemeral_messages(ANA) == []
    assert hook.send(text="refreshed", replace_original=True).status_code == 200
    [message] = slack.messages("C0SMBEAST01")
    assert message["text"] == "refreshed" and message["ts"] == shared["ts"]
    assert hook.send(text="again", replace_original=True).status_code == 200  # still that one
    assert [m["text"] for m in slack.messages("C0SMBEAST01")] == ["again"]
    assert [r.effect for r in slack.responses(press["response_url"])] == [
        "ephemeral",
        "replaced",
        "replaced",
    ]
    hook.send_dict({"delete_original": True})
    assert slack.messages("C0SMBEAST01") == []


def test_buttons_on_an_ephemeral_message(slack: SlackStandIn, client: WebClient) -> None:
    """The message that carried the interaction may be an ephemeral one: replace_original
    and delete_original work on it ("regardless of whether it was an ephemeral message")."""
    client.chat_postEphemeral(channel="C0SMBEAST01", user=ANA, text="pick", blocks=_button_blocks())
    [shown] = slack.ephemeral_messages(ANA)
    press = slack.block_action_payload(
        user_id=ANA, action_id="refresh", message=shown, channel_id="C0SMBEAST01"
    )
    assert press["container"]["is_ephemeral"] is True and "message" not in press
    hook = WebhookClient(press["response_url"])
    hook.send(text="chosen", replace_original=True)
    assert [e["text"] for e in slack.ephemeral_messages(ANA)] == ["chosen"]
    hook.send_dict({"delete_original": True})
    assert slack.ephemeral_messages(ANA) == []


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("Booking.com", "<http://Booking.com|Booking.com>"),
        ("booking.com", "<http://booking.com|booking.com>"),
        ("www.acme.co.uk", "<http://www.acme.co.uk|www.acme.co.uk>"),
        ("Amazon.com's orders", "<http://Amazon.com|Amazon.com>'s orders"),
        ("see acme.io/pricing.", "see <http://acme.io/pricing|acme.io/pricing>."),
        ("https://acme.example.com/a?b=1&c=2", "<https://acme.example.com/a?b=1&amp;c=2>"),
        (
            "https://acme.my.salesforce.com/lightning/r/Account/001000000000001AAA/view",
            "<https://acme.my.salesforce.com/lightning/r/Account/001000000000001AAA/view>",
        ),
        ("ana.rep@example.com", "<mailto:ana.rep@example.com|ana.rep@example.com>"),
        ("#smb-east weekly", "<#C0SMBEAST01|smb-east> weekly"),
        ("#SMB-East", "<#C0SMBEAST01|smb-east>"),
        ("@raj and @ana", "<@U0RAJ00001|raj> and <@U0ANA00001|ana>"),
        ("@sales-east", "<!subteam^S0SALESEAST|@sales-east>"),
        ("@here", "<!here>"),
        ("#no-such @nobody", "#no-such @nobody"),
        ("#secret", "#secret"),  # a private channel Ana is not in: she cannot name it
        ("O'Hare Signal & Sons <b>", "O'Hare Signal &amp; Sons &lt;b&gt;"),
        ("Acme Corp. St. Louis v1.2.3 e.g. 3.5", "Acme Corp. St. Louis v1.2.3 e.g. 3.5"),
        ("J.Crew", "J.Crew"),
    ],
)
def test_slash_command_text_is_sent_as_slack_sends_it(
    slack: SlackStandIn, typed: str, sent: str
) -> None:
    """With should_escape on, Slack's server links what it recognises before the app sees
    it; the label after ``|`` is what the person typed (api.slack.com/docs/formatting)."""
    slack.add_usergroup("S0SALESEAST", "sales-east", "Sales East", [ANA, RAJ])
    slack.add_channel("G0SECRET01", "secret", is_private=True, members=[RAJ])
    assert slack.command_payload("/account", typed, user_id=ANA)["text"] == sent


def test_private_channel_mention_for_a_member_and_escaping_off(slack: SlackStandIn) -> None:
    slack.add_channel("G0SECRET01", "secret", is_private=True, members=[RAJ])
    assert slack.command_payload("/digest", "#secret", user_id=RAJ)["text"] == (
        "<#G0SECRET01|>"  # a private channel's mention comes without its name
    )
    plain = slack.command_payload(
        "/account", "Booking.com & @ana #smb-east", user_id=ANA, should_escape=False
    )
    assert plain["text"] == "Booking.com &amp; @ana #smb-east"


def test_membership_decides_what_the_bot_may_read(client: WebClient, slack: SlackStandIn) -> None:
    """chat:write.public lets the bot post in a public channel it has not joined, but
    conversations.history/replies answer not_in_channel there (deno-slack-sdk#128); a
    private channel it is not in is channel_not_found for everything; it joins a public
    channel with conversations.join (channels:join) and is only invited into a private one."""
    slack.add_channel("C0LOBBY001", "lobby", bot_is_member=False)
    slack.add_channel("G0SECRET01", "secret", is_private=True, members=[ANA], bot_is_member=False)

    posted = client.chat_postMessage(channel="C0LOBBY001", text="digest")
    assert posted["channel"] == "C0LOBBY001"
    assert client.chat_postMessage(channel="#lobby", text="by name")["channel"] == "C0LOBBY001"
    for read in (
        lambda: client.conversations_history(channel="C0LOBBY001"),
        lambda: client.conversations_replies(channel="C0LOBBY001", ts=posted["ts"]),
    ):
        with pytest.raises(SlackApiError) as exc:
            read()
        assert api_error(exc) == "not_in_channel"
    with pytest.raises(SlackApiError) as exc:  # ephemerals need membership even so
        client.chat_postEphemeral(channel="C0LOBBY001", user=ANA, text="x")
    assert api_error(exc) == "not_in_channel"
    assert client.conversations_info(channel="C0LOBBY001")["channel"]["is_member"] is False

    for call in (
        lambda: client.chat_postMessage(channel="G0SECRET01", text="x"),
        lambda: client.chat_postMessage(channel="#secret", text="x"),
        lambda: client.chat_postEphemeral(channel="G0SECRET01", user=ANA, text="x"),
        lambda: client.conversations_history(channel="G0SECRET01"),
        lambda: client.conversations_info(channel="G0SECRET01"),
    ):
        with pytest.raises(SlackApiError) as exc:
            call()
        assert api_error(exc) == "channel_not_found"

    joined = client.conversations_join(channel="C0LOBBY001")
    assert joined["channel"]["is_member"] is True and "warning" not in joined
    history = client.conversations_history(channel="C0LOBBY001")["messages"]
    assert history[0]["subtype"] == "channel_join" and history[0]["user"] == slack.bot_user_id
    assert [m["text"] for m in history[1:]] == ["by name", "digest"]
    assert client.conversations_join(channel="C0LOBBY001")["warning"] == "already_in_channel"

    for channel, error in (
        ("G0SECRET01", "channel_not_found"),  # a private channel it cannot see
        (
            client.conversations_open(users=ANA)["channel"]["id"],
            "method_not_supported_for_channel_type",
        ),
        ("#lobby", "channel_not_found"),
        ("C0NOSUCH01", "channel_not_found"),
    ):
        with pytest.raises(SlackApiError) as exc:
            client.conversations_join(channel=channel)
        assert api_error(exc) == error, channel

    slack.invite_bot("G0SECRET01", by=ANA)  # only a person can bring it in
    client.chat_postMessage(channel="G0SECRET01", text="now I can")
    texts = [m["text"] for m in client.conversations_history(channel="G0SECRET01")["messages"]]
    assert texts == ["now I can", f"<@{slack.bot_user_id}> has joined the channel"]
    with pytest.raises(SlackApiError) as exc:  # seen now, but still not joinable
        client.conversations_join(channel="G0SECRET01")
    assert api_error(exc) == "method_not_supported_for_channel_type"


def test_missing_scope(client: WebClient, slack: SlackStandIn) -> None:
    """A method called without its scope answers missing_scope, naming what it needed."""
    slack.add_channel("C0LOBBY001", "lobby", bot_is_member=False)
    slack.set_scopes({"commands", "chat:write"})
    for call, needed in (
        (lambda: client.conversations_join(channel="C0LOBBY001"), "channels:join"),
        (lambda: client.users_info(user=ANA), "users:read"),
        (lambda: client.users_lookupByEmail(email="ana.rep@example.com"), "users:read.email"),
        (lambda: client.conversations_history(channel="C0SMBEAST01"), "channels:history"),
        (lambda: client.conversations_open(users=ANA), "im:write"),
    ):
        with pytest.raises(SlackApiError) as exc:
            call()
        assert api_error(exc) == "missing_scope"
        assert exc.value.response["needed"] == needed
        assert exc.value.response["provided"] == "chat:write,commands"
    with pytest.raises(SlackApiError) as exc:  # no chat:write.public: members only
        client.chat_postMessage(channel="C0LOBBY001", text="x")
    assert api_error(exc) == "not_in_channel"


def test_conversations_list_shows_what_the_bot_may_see(
    client: WebClient, slack: SlackStandIn
) -> None:
    slack.add_channel("C0LOBBY001", "lobby", bot_is_member=False)
    slack.add_channel("G0SECRET01", "secret", is_private=True, members=[ANA], bot_is_member=False)
    slack.add_channel("G0INVITED1", "invited", is_private=True, members=[ANA])
    public = {c["name"] for c in client.conversations_list()["channels"]}
    assert {"general", "smb-east", "lobby"} <= public and "invited" not in public
    both = client.conversations_list(types="public_channel,private_channel")["channels"]
    names = {c["name"] for c in both}
    assert "invited" in names and "secret" not in names  # only private channels it is in
    first = client.conversations_list(limit=2)
    assert len(first["channels"]) == 2 and first["response_metadata"]["next_cursor"]
    rest = client.conversations_list(limit=2, cursor=first["response_metadata"]["next_cursor"])
    assert {c["name"] for c in first["channels"] + rest["channels"]} == public
    slack.set_scopes(["chat:write", "channels:read"])
    with pytest.raises(SlackApiError) as exc:
        client.conversations_list(types="public_channel,private_channel")
    assert api_error(exc) == "missing_scope" and exc.value.response["needed"] == "groups:read"
    with pytest.raises(SlackApiError) as exc:
        client.conversations_list(types="public_channel,nonsense")
    assert api_error(exc) == "invalid_types"


def test_every_answer_carries_the_tokens_scopes(client: WebClient, slack: SlackStandIn) -> None:
    slack.set_scopes(["commands", "chat:write"])
    resp = client.auth_test()
    assert {k.lower(): v for k, v in resp.headers.items()}["x-oauth-scopes"] == (
        "chat:write,commands"
    )


def test_text_can_be_sent_exactly_as_slack_sends_it(slack: SlackStandIn) -> None:
    typed = slack.command_payload("/account", "Booking.com", user_id=ANA)
    assert typed["text"] == "<http://Booking.com|Booking.com>"
    pasted = slack.command_payload(
        "/account", "", user_id=ANA, sent_as="<https://x.lightning.force.com/r|Acme>"
    )
    assert pasted["text"] == "<https://x.lightning.force.com/r|Acme>"


def test_the_stack_installs_the_manifests_scopes() -> None:
    """The test and demo stacks grant the app exactly the bot scopes manifest.yml asks for."""
    import yaml

    from bot.standins.stack import APP_SCOPES, populate_workspace

    manifest = yaml.safe_load((REPO_ROOT / "manifest.yml").read_text())
    assert sorted(APP_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])
    with SlackStandIn() as standin:
        populate_workspace(standin)
        assert standin.scopes == frozenset(APP_SCOPES)


class _EventsApp:
    """A bare Events API endpoint whose answers a test scripts, one per delivery."""

    def __init__(self, answers: list[tuple[int, float, dict[str, str]]]) -> None:
        self.answers = answers
        self.seen: list[tuple[str, str | None, str | None]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = json.loads(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])))
        self.seen.append(
            (
                body["event_id"],
                environ.get("HTTP_X_SLACK_RETRY_NUM"),
                environ.get("HTTP_X_SLACK_RETRY_REASON"),
            )
        )
        status, delay, headers = self.answers[min(len(self.seen), len(self.answers)) - 1]
        time.sleep(delay)
        start_response(f"{status} X", [("Content-Type", "text/plain"), *headers.items()])
        return [b""]


@pytest.fixture
def events_app() -> Iterator[tuple[_EventsApp, str]]:
    app = _EventsApp([])
    server = make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_events_are_retried_with_the_same_event_id(
    slack: SlackStandIn, events_app: tuple[_EventsApp, str]
) -> None:
    """No 2xx within the deadline, or an error: Slack retries up to 3 times with
    X-Slack-Retry-Num / X-Slack-Retry-Reason and the same event_id."""
    app, url = events_app
    app.answers = [(500, 0, {}), (200, 0.6, {}), (200, 0, {})]
    event = {"type": "app_home_opened", "user": ANA, "channel": "D0ANA00001", "tab": "home"}
    sent = slack.event(url, event, deadline=0.4)
    event_id = sent.payload["event_id"]
    assert app.seen == [
        (event_id, None, None),
        (event_id, "1", "http_error"),
        (event_id, "2", "http_timeout"),
    ]
    assert [(a.retry_num, a.failure) for a in sent.attempts] == [
        (0, "http_error"),
        (1, "http_timeout"),
        (2, None),
    ]
    assert sent.status == 200 and sent.user_error is None

    app.seen.clear()
    app.answers = [(503, 0, {})]
    gave_up = slack.event(url, event)
    assert [s[1] for s in app.seen] == [None, "1", "2", "3"]  # the first try and 3 retries
    assert len({s[0] for s in app.seen}) == 1 and gave_up.user_error == "dispatch_failed"

    app.seen.clear()
    app.answers = [(500, 0, {"X-Slack-No-Retry": "1"})]
    slack.event(url, event)
    assert len(app.seen) == 1

    app.seen.clear()
    app.answers = [(200, 0, {})]
    once = slack.event(url, event)
    again = slack.redeliver(url, once, reason="http_timeout")
    assert app.seen == [
        (once.payload["event_id"], None, None),
        (once.payload["event_id"], "1", "http_timeout"),
    ]
    assert [a.retry_num for a in again.attempts] == [0, 1]


def test_events_to_an_app_that_is_down_are_retried(slack: SlackStandIn) -> None:
    sent = slack.event("http://127.0.0.1:9/slack/events", {"type": "app_home_opened"})
    assert [(a.retry_num, a.retry_reason, a.failure) for a in sent.attempts] == [
        (0, None, "connection_failed"),
        (1, "connection_failed", "connection_failed"),
        (2, "connection_failed", "connection_failed"),
        (3, "connection_failed", "connection_failed"),
    ]


def test_posting_rate_per_channel(slack: SlackStandIn, client: WebClient) -> None:
    """chat.postMessage: about one message a second per channel, short bursts allowed,
    then HTTP 429 ratelimited with Retry-After (api.slack.com/apis/rate-limits)."""
    slack.set_post_rate(per_second=1.0, burst=3)
    for n in range(3):
        client.chat_postMessage(channel="C0SMBEAST01", text=str(n))
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C0SMBEAST01", text="too fast")
    assert exc.value.response.status_code == 429
    assert api_error(exc) == "ratelimited"
    assert exc.value.response.headers["retry-after"] in ("1", ["1"])
    client.chat_postMessage(channel="C0GENERAL01", text="another channel has its own")
    client.chat_postEphemeral(channel="C0SMBEAST01", user=ANA, text="not counted")
    slack.advance(1.0)
    client.chat_postMessage(channel="C0SMBEAST01", text="one more a second")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C0SMBEAST01", text="still too fast")
    assert [m["text"] for m in slack.messages("C0SMBEAST01")] == [
        "0",
        "1",
        "2",
        "one more a second",
    ]

    patient = WebClient(token=slack.bot_token, base_url=slack.api_url)
    patient.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    assert patient.chat_postMessage(channel="C0SMBEAST01", text="waited")["ok"]

    slack.set_post_rate(burst=None)  # the knob: no limit
    for n in range(20):
        client.chat_postMessage(channel="C0SMBEAST01", text=f"flood {n}")


def test_default_burst_and_slow_refill(slack: SlackStandIn, client: WebClient) -> None:
    from bot.standins.slack.webapi import POST_BURST

    for n in range(POST_BURST):
        client.chat_postMessage(channel="C0SMBEAST01", text=str(n))
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C0SMBEAST01", text="over")
    assert exc.value.response.status_code == 429
    slack.set_post_rate(per_second=0.25, burst=1)
    client.chat_postMessage(channel="C0SMBEAST01", text="a fresh bucket")
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C0SMBEAST01", text="over")
    assert exc.value.response.headers["retry-after"] in ("4", ["4"])


# --- per-method rate limits (Tier 3) and what else the exactly-once checks meet -----------


def test_history_and_replies_are_rate_limited_per_method_like_tier_3(
    client: WebClient, slack: SlackStandIn
) -> None:
    """Rate limits apply "per API method per app per workspace"; conversations.history and
    .replies are Tier 3, "50+ per minute" (https://api.slack.com/docs/rate-limits): the
    51st call in a minute is HTTP 429 ``ratelimited`` with Retry-After, the other method
    keeps its own allowance, and a quiet while refills it."""
    client.conversations_join(channel="C0SMBEAST01")
    ts = client.chat_postMessage(channel="C0SMBEAST01", text="parent")["ts"]
    for _ in range(50):
        client.conversations_history(channel="C0SMBEAST01")
    with pytest.raises(SlackApiError) as exc:
        client.conversations_history(channel="C0SMBEAST01")
    assert exc.value.response.status_code == 429 and api_error(exc) == "ratelimited"
    wait = int(exc.value.response.headers["Retry-After"])
    assert 1 <= wait <= 2  # one call's worth of a 50-a-minute allowance, in whole seconds
    assert client.conversations_replies(channel="C0SMBEAST01", ts=ts)["ok"]  # its own limit
    slack.advance(wait)
    assert client.conversations_history(channel="C0SMBEAST01")["ok"]
    with pytest.raises(SlackApiError):  # one call came back, not a minute's worth
        client.conversations_history(channel="C0SMBEAST01")
    slack.advance(60)
    for _ in range(50):
        client.conversations_history(channel="C0SMBEAST01")
    slack.clear()  # a test's fresh start: full allowances again
    assert client.conversations_history(channel="C0SMBEAST01")["ok"]
    # other methods are not limited this way (a posting rate of their own aside)
    for _ in range(60):
        client.conversations_info(channel="C0SMBEAST01")


def test_an_empty_options_list_is_a_valid_type_ahead_answer() -> None:
    """Slack shows "no results" for ``{"options": []}`` (slackapi/bolt-python#468, #580);
    a static select's own options still need one or more."""
    from bot.standins.slack.blocks import validate_blocks, validate_options_response

    assert validate_options_response({"options": []}) == []
    assert validate_options_response({"option_groups": []}) == []
    assert validate_options_response({}) != []
    static = {
        "type": "actions",
        "elements": [{"type": "static_select", "action_id": "a", "options": []}],
    }
    assert validate_blocks([static]) != []


def test_a_private_channel_mention_comes_without_its_name(slack: SlackStandIn) -> None:
    """Slack sends a private channel's mention with an empty label, ``<#G123|>``
    (ltworf/localslackirc#333); a public channel's carries its name."""
    slack.add_channel("G0SECRET01", "secret", is_private=True, members=[ANA])
    payload = slack.command_payload("/pipeline", "#secret #smb-east", user_id=ANA)
    assert payload["text"] == "<#G0SECRET01|> <#C0SMBEAST01|smb-east>"
