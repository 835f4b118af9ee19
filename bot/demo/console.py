"""``acctbot demo``: the real app, unchanged, on the sandbox org and the Slack stand-in,
driven from a console.

You act as a demo rep or manager: type slash commands as in Slack, see what Slack would
show (rendered for the terminal, buttons numbered), press a button by its number, fill
a modal field by field, and see channel posts and DMs as they arrive. With stdin not a
terminal it reads one command per line, prints the results, and exits 0 at the end.
"""

from __future__ import annotations

import datetime as dt
import queue
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from bot.blocks import is_progress
from bot.demo.render import Interactive, Numbering, mrkdwn, plain, render_message
from bot.standins.salesforce.seed import DEMO_SLACK_USERS, DEMO_TEAMS_FILE
from bot.standins.slack.standin import SentRequest
from bot.standins.stack import TEAM_CHANNELS, Stack
from bot.teams import load_teams

START_USER = "U0ANA00001"
# The slash commands manifest.yml declares (a test keeps the two in step). Slack itself
# answers any other command, without sending it to the app.
SLASH_COMMANDS = (
    "/account",
    "/order",
    "/orders",
    "/pipeline",
    "/escalate",
    "/escalations",
    "/digest",
    "/watch",
)

HELP = """\
Type slash commands exactly as in Slack; the answer shows as Slack would show it.
  /account <name | number | Id | link>   where an account stands   e.g. /account Acme
  /order <number | Id>                   an order                    e.g. /order 123
  /orders [mine | @user | account]       stuck and overdue orders    e.g. /orders @raj.rep
  /pipeline [mine | @user | team]        this quarter                e.g. /pipeline smb-east
  /escalate [account or order]           file an escalation (a modal, field by field)
  /escalations [open | mine | account]   list escalations
  /digest now <team>                     run a team's digest now     e.g. /digest now smb-east
  /watch <order | account | Id>          a DM when it changes        e.g. /watch 123
  /watch list | /watch stop <same>       what you watch; stop one
  /<command> help                        a command's usage
Salesforce (the sandbox org, through its REST API, as a person there would):
  /sf set <order number | Id> <Field> <value> [as <name>]
             change a record as someone, e.g. /sf set 123 Status Activated as raj;
             acctbot's watch check (every 60 s in production) then runs at once
  /sf morning   move the org's clock to 8:00 tomorrow (quiet hours end; held alerts go)
Console:
  3          press button 3 of the last output      3.2   choose option 2 of menu 3
  /as <name>  act as someone else (/as alone lists people: reps and managers); each
              sees only what their Salesforce user can read (try /as kevin, /order 123)
  /in #name   run commands in that channel (now: {channel})
  /show #name | /show dms    the messages in a channel, or your DMs
  /home       open acctbot's Home tab (your not-dones, quarter, escalations)
  help        this text       quit        leave (Ctrl-D too)"""


# A modal that keeps coming back with errors is closed after this many submissions, so a
# script (or an answer nobody can give) can never loop for ever.
MAX_MODAL_ROUNDS = 5


class DemoConsole:
    def __init__(
        self, stack: Stack, out: TextIO, lines: Iterator[str], *, interactive: bool
    ) -> None:
        self.stack = stack
        self.slack = stack.slack
        self.out = out
        self.lines = lines
        self.interactive = interactive
        self.user = START_USER
        self.channel = "C0GENERAL01"
        self.numbering = Numbering()
        self._views_before = 0  # modals opened before the last command was sent
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.slack.subscribe(lambda kind, data: self.events.put((kind, data)))

    # -- output helpers
    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def name_of(self, user_id: str) -> str:
        user = self.slack.user(user_id)
        if user:
            return str(user.get("real_name") or user.get("name") or user_id)
        return "acctbot" if user_id == self.slack.bot_user_id else user_id

    def channel_name(self, channel_id: str) -> str:
        if channel_id.startswith("D"):
            for uid in DEMO_SLACK_USERS:
                if self.slack.dm_channel_id(uid) == channel_id:
                    return f"DM to {self.name_of(uid)}"
            return "DM"
        return "#" + TEAM_CHANNELS.get(channel_id, channel_id)

    @property
    def prompt(self) -> str:
        return DEMO_SLACK_USERS[self.user]["name"].split(".")[0] + "> "

    def read(self, prompt: str) -> str | None:
        """The next line of input (None at end of input)."""
        if self.interactive:
            try:
                return input(prompt)
            except EOFError:
                return None
        try:
            line = next(self.lines).rstrip("\n")
        except StopIteration:
            return None
        self.say(f"{prompt}{line}")
        return line

    # -- main loop
    def welcome(self) -> None:
        u = DEMO_SLACK_USERS[self.user]
        org = self.stack.org.store
        self.say(
            "acctbot demo: the real app on a sandbox Salesforce org "
            f"({org.count('Account'):,} accounts, {org.count('Order'):,} orders) "
            "and a local Slack."
        )
        self.say(f"You are {u['real_name']}, {u['title']}, in #general. Try:")
        self.say("  /account Acme      several match: choose one from the picker")
        self.say("  /order 123         an order stuck in Pending Install")
        self.say("  /orders mine       your stuck and overdue orders")
        self.say("  /watch 123         then /sf set 123 Status Activated as raj: a DM arrives")
        self.say("Type help for more, /as marcus to act as a sales manager, quit to leave.")
        self.say(
            "Each person sees only what their own Salesforce user can read: /as kevin, then "
            "/order 123.\n"
        )

    def run(self) -> int:
        self.welcome()
        while True:
            self.drain()
            line = self.read(self.prompt)
            if line is None:
                break
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line in ("quit", "exit", "/quit"):
                break
            try:
                self.handle(line)
            except Exception as exc:  # the console must survive anything the user types
                self.say(f"(demo console error: {type(exc).__name__}: {exc})")
        self.drain(quiet=0.3)
        return 0

    def handle(self, line: str) -> None:
        if line == "help":
            self.say(HELP.format(channel=self.channel_name(self.channel)))
        elif line.startswith("/as"):
            self.switch_user(line[3:].strip())
        elif line.startswith("/in "):
            self.switch_channel(line[4:].strip())
        elif line.startswith("/show"):
            self.show_history(line[5:].strip())
        elif line == "/home":
            self.open_home()
        elif line.startswith("/digest now"):
            self.digest_now(line[len("/digest now") :].strip())
        elif line == "/sf" or line.startswith("/sf "):
            self.salesforce(line[3:].strip())
        elif line[0].isdigit():
            self.press(line)
        elif line.startswith("/"):
            command, _, text = line.partition(" ")
            if command not in SLASH_COMMANDS:
                self.say(
                    f"Slack: {command} is not a valid command. Commands here: "
                    + ", ".join(SLASH_COMMANDS)
                    + " (and help)."
                )
                return
            self.send_command(command, text.strip())
        else:
            self.say(
                "Type a slash command (e.g. /account Acme), a number to press a button, or help."
            )

    # -- acting
    def switch_user(self, who: str) -> None:
        if not who:
            for u in DEMO_SLACK_USERS.values():
                role = "manager" if u["is_manager"] else "rep"
                self.say(
                    f"  {u['name'].split('.')[0]:10} {u['real_name']:18} {role:8} "
                    f"@{u['name']:14} {u['title']}"
                )
            self.say("Mention someone by their Slack handle, as Slack's @ list would: @raj.rep")
            return
        key = who.lstrip("@").lower()
        for uid, u in DEMO_SLACK_USERS.items():
            if key in (
                uid.lower(),
                u["name"].lower(),
                u["name"].split(".")[0],
                u["real_name"].lower(),
                u["real_name"].split()[0].lower(),
            ):
                self.user = uid
                self.numbering.clear()
                self.say(f"You are now {u['real_name']} ({u['title']}).")
                return
        self.say(f"No one called {who!r}. /as lists the people in the demo.")

    def switch_channel(self, name: str) -> None:
        name = name.lstrip("#")
        for cid, cname in TEAM_CHANNELS.items():
            if name in (cname, cid):
                self.channel = cid
                self.say(f"Now in #{cname}.")
                return
        self.say("Channels: " + ", ".join("#" + n for n in TEAM_CHANNELS.values()))

    def show_history(self, what: str) -> None:
        self.numbering.clear()
        if what == "dms":
            channel = self.slack.dm_channel_id(self.user)
        else:
            name = what.lstrip("#") or TEAM_CHANNELS[self.channel]
            channel = next((c for c, n in TEAM_CHANNELS.items() if n == name), "")
            if not channel:
                self.say("Channels: " + ", ".join("#" + n for n in TEAM_CHANNELS.values()))
                return
        messages = self.slack.messages(channel)[-10:]
        if not messages:
            self.say(f"(nothing in {self.channel_name(channel)} yet)")
        for m in messages:
            self.show_message(channel, m, "")

    def send_command(self, command: str, text: str) -> None:
        self.numbering.clear()
        started = time.monotonic()
        self._views_before = len(self.slack.views_opened())  # a modal the command opens
        sent = self.stack.command(command, text, user=self.user, channel=self.channel)
        if sent.user_error:
            self.say(f"Slack: {sent.user_error} (the app did not answer in time)")
            return
        self.settle(sent, started)

    def press(self, spec: str) -> None:
        number, _, choice = spec.partition(".")
        item = self.numbering.get(int(number)) if number.isdigit() else None
        if item is None:
            self.say(f"There is no [{number}] in the last output.")
            return
        el = item.element
        source = item.source
        kwargs: dict[str, Any] = {
            "user_id": self.user,
            "action_id": el["action_id"],
            "block_id": item.block_id,
            "channel_id": source["channel"],
            "message": source["message"],
        }
        if item.kind == "button":
            if el.get("url"):
                self.say(f"(opens {el['url']} in your browser)")
            kwargs["value"] = el.get("value")
        elif item.kind in ("static_select", "external_select", "overflow"):
            option = self.choose(item, choice)
            if option is None:
                return
            kwargs["selected_option"] = option
        elif item.kind == "users_select":
            user_id = self.ask_user("Whom?")
            if user_id is None:
                return
            kwargs["value"] = user_id
        self.numbering.clear()
        started = time.monotonic()
        sent = self.slack.block_action(self.stack.url, **kwargs)
        self.settle(sent, started)

    def choose(self, item: Interactive, choice: str) -> dict[str, Any] | None:
        options = item.options()
        if item.kind == "external_select" and not options:
            query = self.read("search: ")
            if query is None:
                return None
            options = self.suggest(item.element, item.block_id, query, None)
        if not choice:
            for i, opt in enumerate(options, 1):
                self.say(f"  {i}. {plain(opt.get('text'))}")
            answer = self.read("choose a number: ")
            if answer is None:
                return None
            choice = answer.strip()
        if not choice.isdigit() or not 0 < int(choice) <= len(options):
            self.say(f"Choose 1 to {len(options)}.")
            return None
        return options[int(choice) - 1]

    def ask_user(self, prompt: str) -> str | None:
        answer = self.read(f"{prompt} (a name, e.g. marcus): ")
        if answer is None:
            return None
        return self.find_user(answer)

    def find_user(self, answer: str) -> str | None:
        """The demo person a typed name, handle or Slack id means (None: says so)."""
        key = answer.strip().lstrip("@").lower()
        for uid, u in DEMO_SLACK_USERS.items():
            if key in (
                uid.lower(),
                u["name"].split(".")[0],
                u["real_name"].lower(),
                u["real_name"].split()[0].lower(),
            ):
                return uid
        self.say(f"No one called {answer!r}.")
        return None

    def suggest(
        self, el: dict[str, Any], block_id: str | None, query: str, view: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        sent = self.slack.block_suggestion(
            self.stack.url,
            user_id=self.user,
            action_id=el["action_id"],
            block_id=block_id or "",
            value=query,
            view=view,
        )
        body = sent.body if isinstance(sent.body, dict) else {}
        options = list(body.get("options") or [])
        for group in body.get("option_groups") or []:
            options += group.get("options") or []
        if not options:
            self.say("  (no matches)")
        return options

    def open_home(self) -> None:
        """Open acctbot's App Home tab, as clicking the app in Slack's sidebar does."""
        self.numbering.clear()
        started = time.monotonic()
        event = {
            "type": "app_home_opened",
            "user": self.user,
            "tab": "home",
            "channel": self.slack.dm_channel_id(self.user),
            "event_ts": str(time.time()),
        }
        self.slack.event(self.stack.url, event)
        self.settle(None, started, quiet=0.3, until=lambda: self.slack.home_view(self.user))

    def digest_now(self, team_name: str) -> None:
        """Post a team's daily digest now (idempotent per period, like the schedule)."""
        from bot.digests import service as digests

        self.numbering.clear()
        services = self.stack.running.services
        assert services is not None
        kind = "daily"
        words = team_name.split()
        if len(words) == 2 and words[1] in ("daily", "weekly", "monthly"):
            team_name, kind = words
        team = services.teams.get(team_name)
        if team is None:
            names = ", ".join(t.name for t in services.teams.teams)
            self.say(f"Which team? /digest now <team> [daily|weekly|monthly]; teams: {names}")
            return
        started = time.monotonic()
        outcome = digests.send_now(services, team, kind)
        self.settle(None, started, quiet=0.6)
        if outcome.status != "posted":
            self.say(
                f"({team.name}'s {kind} digest: {outcome.status}"
                + (f", {outcome.detail}" if outcome.detail else "")
                + ")"
            )

    def salesforce(self, args: str) -> None:
        """``/sf set <record> <Field> <value> [as <name>]`` and ``/sf morning``."""
        from simple_salesforce import Salesforce
        from simple_salesforce.exceptions import SalesforceError

        usage = (
            "Usage: /sf set <order number | Id> <Field> <value> [as <name>], e.g. "
            "/sf set 123 Status Activated as raj; or /sf morning."
        )
        self.numbering.clear()
        if args == "morning":
            self.morning()
            return
        words = args.split()
        if not words or words[0] != "set":
            self.say(usage)
            return
        words = words[1:]
        who = self.user
        if len(words) >= 2 and words[-2].lower() == "as":
            found = _person(words[-1])
            if found is None:
                self.say(f"No one called {words[-1]!r}. /as lists the people in the demo.")
                return
            who, words = found, words[:-2]
        if len(words) < 3:
            self.say(usage)
            return
        ref, field, raw = words[0], words[1], " ".join(words[2:])
        value: Any = {"null": None, "true": True, "false": False}.get(raw.lower(), raw)
        org = self.stack.org
        sf = Salesforce(instance_url=org.instance_url, session_id=org.access_token)
        try:
            target = _record(sf, ref)
            if target is None:
                self.say(f"No order {ref} in Salesforce (give an order number or a record Id).")
                return
            sobject, record_id, label = target
            with org.acting_as(DEMO_SLACK_USERS[who]["email"]):
                getattr(sf, sobject).update(record_id, {field: value})
        except SalesforceError as exc:
            content: Any = exc.content
            first: dict[str, Any] = content[0] if isinstance(content, list) and content else {}
            self.say(f"Salesforce refused it: {first.get('message') or exc}")
            return
        finally:
            sf.session.close()
        self.say(
            f"{DEMO_SLACK_USERS[who]['real_name']} set {field} of {label} to {raw} in Salesforce."
        )
        self.check_watches()

    def check_watches(self) -> None:
        """Run acctbot's watch check now (the scheduled job runs it every minute) and show
        the DMs it sends."""
        from sqlalchemy import func, select

        from bot.infra.models import WatchNotice
        from bot.watches import detect

        services = self.stack.running.services
        started = time.monotonic()
        result = detect.run_check(services)
        self.say(
            f"(acctbot's watch check: {result.requests} Salesforce request"
            f"{'' if result.requests == 1 else 's'}, {result.changes} change"
            f"{'' if result.changes == 1 else 's'} for watchers, {result.dms} DM"
            f"{'' if result.dms == 1 else 's'})"
        )
        self.settle(None, started, quiet=0.6)
        with services.db.session() as session:
            held = session.scalar(
                select(func.count(WatchNotice.id)).where(
                    WatchNotice.delivered_at.is_(None), WatchNotice.dropped.is_(None)
                )
            )
        if held:
            local = services.now().astimezone(services.tz).strftime("%-I:%M %p %Z")
            self.say(
                f"({held} alert{'s wait' if held > 1 else ' waits'} for the watcher's quiet "
                f"hours to end (it is {local}); /sf morning moves the clock there.)"
            )

    def morning(self) -> None:
        """Move the org's (and so acctbot's) clock to 8:00 tomorrow, then check."""
        from bot.watches.quiet import next_morning

        services = self.stack.running.services
        hours = services.settings.watch_quiet_hours
        starts = hours[1] if hours else dt.time(8, 0)
        when = next_morning(services.now(), services.tz, starts)
        self.stack.org.set_now(when)
        self.say(f"The org's clock is now {when.astimezone(services.tz):%a %b %-d, %-I:%M %p %Z}.")
        self.check_watches()

    # -- waiting for Slack to show things
    def settle(
        self,
        sent: SentRequest | None,
        started: float,
        *,
        timeout: float = 20.0,
        quiet: float = 0.4,
        until: Callable[[], Any] | None = None,
    ) -> None:
        """Show what arrives until the answer is in (or ``until()`` holds) and things
        have gone quiet."""
        answered = self._answered(sent) if until is None else (lambda idle: bool(until()))
        last = time.monotonic()
        deadline = started + timeout
        while True:
            try:
                kind, data = self.events.get(timeout=0.05)
            except queue.Empty:
                now = time.monotonic()
                if answered(now - last) and now - last >= quiet:
                    return
                if now > deadline:
                    self.say("(still working: the answer shows up when it arrives)")
                    return
                continue
            self.show(kind, data)
            last = time.monotonic()

    def _answered(self, sent: SentRequest | None) -> Callable[[float], bool]:
        """When the person has their answer. A command's is its acknowledgement when that
        carried one (usage, help), else its first response_url post that is not the
        "still looking" message, or a modal it opened (/escalate). A click is answered by
        any response_url post, or by quiet (an alert button updates the alert instead)."""
        if sent is None or not sent.response_url:
            return lambda idle: True
        url = sent.response_url
        if "command" not in sent.payload or sent.body:
            return lambda idle: bool(self.slack.responses(url)) or idle >= 1.0
        views_before = self._views_before

        def done(idle: float) -> bool:
            if any(not is_progress(p.body) for p in self.slack.responses(url)):
                return True
            return len(self.slack.views_opened()) > views_before

        return done

    def drain(self, quiet: float = 0.0) -> None:
        """Show whatever has arrived (e.g. alerts that came in the background)."""
        end = time.monotonic() + quiet
        while True:
            try:
                kind, data = self.events.get(timeout=0.05 if quiet else 0)
            except queue.Empty:
                if time.monotonic() >= end:
                    return
                continue
            self.show(kind, data)

    def show(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "ephemeral":
            if data.get("user") != self.user:
                return
            self.say(f"── only visible to you · {self.channel_name(data['channel'])} ──")
            source = {"kind": "ephemeral", "channel": data["channel"], "message": data}
            self.say(render_message(data, self.numbering, source, self.name_of))
        elif kind in ("message", "message_changed"):
            note = " (updated)" if kind == "message_changed" else ""
            self.show_message(data["channel"], data["message"], note)
        elif kind in ("view_opened", "view_pushed") and data.get("user") == self.user:
            self.fill_modal(data["view"])
        elif kind == "home_published" and data.get("user") == self.user:
            self.say("── acctbot · Home tab ──")
            source = {"kind": "home", "channel": "", "message": data["view"]}
            self.say(render_message(data["view"], self.numbering, source, self.name_of))

    def show_message(self, channel: str, message: dict[str, Any], note: str) -> None:
        who = self.name_of(message.get("user") or "") if message.get("user") else "acctbot"
        thread = " · in thread" if message.get("thread_ts") not in (None, message.get("ts")) else ""
        self.say(f"── {self.channel_name(channel)} · {who}{thread}{note} ──")
        source = {"kind": "message", "channel": channel, "message": message}
        self.say(render_message(message, self.numbering, source, self.name_of))

    # -- modals
    def fill_modal(self, view: dict[str, Any]) -> None:
        """Fill a modal field by field, submit it, and show errors until it is accepted."""
        values: dict[str, dict[str, Any]] = {}
        todo = [b for b in view.get("blocks") or [] if b.get("type") == "input"]
        for _ in range(MAX_MODAL_ROUNDS):
            self.say(f"┌ {plain(view.get('title'))} ┐  (type 'cancel' to close the modal)")
            for block in view.get("blocks") or []:
                if block.get("type") in ("section", "context", "header"):
                    self.say(render_message({"blocks": [block]}, Numbering(), {}, self.name_of))
            for block in todo:
                answer = self.ask_field(block, view)
                if answer == "cancel":
                    self.slack.view_closed(self.stack.url, user_id=self.user, view=view)
                    self.say("(modal closed)")
                    return
                if answer is not None:
                    el = block["element"]
                    values.setdefault(block["block_id"], {})[el["action_id"]] = answer
            sent = self.slack.view_submission(
                self.stack.url, user_id=self.user, view=view, values=values
            )
            body = sent.body if isinstance(sent.body, dict) else {}
            errors = body.get("errors") if body.get("response_action") == "errors" else None
            if not errors:
                self.say(f"[{plain(view.get('submit')) or 'Submit'}] sent.")
                return
            for message in errors.values():
                self.say(f"  ⚠️ {message}")
            todo = [b for b in todo if b.get("block_id") in errors]
        self.slack.view_closed(self.stack.url, user_id=self.user, view=view)
        self.say("(modal closed: it was not accepted after several tries)")

    def ask_field(self, block: dict[str, Any], view: dict[str, Any]) -> Any:
        el = block.get("element") or {}
        label = plain(block.get("label"))
        optional = ""
        if block.get("optional"):
            optional = " (Enter to skip)" if "optional" in label else " (optional, Enter to skip)"
        kind = el.get("type")
        initial = self._initial(el)
        default = f" [{initial[1]}]" if initial else ""
        hint = f"  ({plain(block.get('hint'))})" if block.get("hint") else ""
        if kind in ("static_select", "radio_buttons", "external_select"):
            options = list(el.get("options") or [])
            for group in el.get("option_groups") or []:
                options += group.get("options") or []
            if kind == "external_select":
                query = self.read(f"{label} — search{optional}{default}: ")
                if query is None or query.strip() == "cancel":
                    return "cancel"
                if not query.strip():
                    return initial[0] if initial else None
                options = self.suggest(el, block.get("block_id"), query.strip(), view)
            for i, opt in enumerate(options, 1):
                self.say(f"    {i}. {plain(opt.get('text'))}")
            answer = self.read(f"{label}{optional}{default}{hint}: ")
            if answer is None or answer.strip() == "cancel":
                return "cancel"
            answer = answer.strip()
            if not answer:
                return initial[0] if initial else None
            if answer.isdigit() and 0 < int(answer) <= len(options):
                return options[int(answer) - 1]
            match = [o for o in options if plain(o.get("text")).lower().startswith(answer.lower())]
            return match[0] if match else answer
        if kind == "users_select":
            answer = self.read(f"{label} (a name, e.g. marcus){optional}: ")
            if answer is None or answer.strip() == "cancel":
                return "cancel"
            return self.find_user(answer) if answer.strip() else None
        fmt = {
            "datepicker": " (YYYY-MM-DD)",
            "timepicker": " (HH:MM)",
            "datetimepicker": " (YYYY-MM-DD HH:MM)",
        }.get(str(kind), "")
        answer = self.read(f"{label}{fmt}{optional}{default}{hint}: ")
        if answer is None or answer.strip() == "cancel":
            return "cancel"
        if not answer.strip():
            return initial[0] if initial else None
        if kind == "datetimepicker":
            return _epoch(answer.strip(), self.slack.user(self.user) or {})
        return answer

    @staticmethod
    def _initial(el: dict[str, Any]) -> tuple[Any, str] | None:
        if el.get("initial_option"):
            return el["initial_option"], plain(el["initial_option"].get("text"))
        for key in ("initial_value", "initial_date", "initial_time", "initial_user"):
            if el.get(key):
                return el[key], str(el[key])
        return None


def _person(name: str) -> str | None:
    """The demo Slack user a first name (or user id) names."""
    key = name.lstrip("@").lower()
    for uid, u in DEMO_SLACK_USERS.items():
        if key in (uid.lower(), u["name"].split(".")[0], u["real_name"].split()[0].lower()):
            return uid
    return None


def _record(sf: Any, ref: str) -> tuple[str, str, str] | None:
    """(sObject, Id, label) of an order number or a record Id, else None."""
    from simple_salesforce import format_soql

    from bot.standins.salesforce import schema

    if schema.is_valid_id(ref) and schema.sobject_for_id(ref) is not None:
        obj = schema.sobject_for_id(ref)
        assert obj is not None
        return obj.name, ref, f"{obj.label} {ref}"
    digits = ref.lstrip("#").lstrip("0")
    if not digits.isdigit():
        return None
    number = digits.zfill(8)
    recs = sf.query(format_soql("SELECT Id FROM Order WHERE OrderNumber = {}", number))["records"]
    return ("Order", recs[0]["Id"], f"Order {number}") if recs else None


def _epoch(text: str, user: dict[str, Any]) -> Any:
    """'YYYY-MM-DD HH:MM' in the user's Slack time zone, as a datetimepicker sends it."""
    from zoneinfo import ZoneInfo

    try:
        when = dt.datetime.strptime(text, "%Y-%m-%d %H:%M")
    except ValueError:
        return text
    zone = ZoneInfo(user.get("tz") or "America/New_York")
    return int(when.replace(tzinfo=zone).timestamp())


def run_demo(*, seed: int = 42, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    interactive = stdin.isatty() and out.isatty()
    print("Starting the sandbox org, the Slack stand-in and acctbot…", file=out, flush=True)
    with Stack.start(teams=load_teams(DEMO_TEAMS_FILE), seed=seed) as stack:
        console = DemoConsole(stack, out, iter(stdin), interactive=interactive)
        return console.run()


__all__ = ["DemoConsole", "mrkdwn", "run_demo"]
