"""app_home_opened: publish the person's Home tab (Bolt acks events by itself).

Someone acctbot does not serve sees only how to get access (bot/home.py)."""

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot import payloads
from bot.home import publish_home
from bot.services import services_of


def app_home_opened(event: dict, client: WebClient, context: BoltContext) -> None:
    opened = payloads.home_opened(event)
    if opened.tab != "home":
        return
    svc = services_of(context)
    user_id = opened.user_id
    svc.submit(lambda: publish_home(svc, client, user_id), what="app home")
