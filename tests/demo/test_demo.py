"""`acctbot demo` scripted through stdin: the real app on the sandbox org and the Slack
stand-in, driven the way a newcomer would, checked on the rendered output."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.paths import REPO_ROOT

ROOT = REPO_ROOT

SCRIPT = """\
help
/account Acme
1.1
/order 123
/escalate Acme Corp

123
1
1
Customer double-billed for the static IP block since October

/as marcus
/show #escalations
1
/digest now smb-east
/digest now smb-east
/account help
/nonsense
7
/as ana
/home
/as kevin
/order 123
/account Acme Corp
"""


def run_demo(script: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SF_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo"],
        input=script,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def section(out: str, prompt_line: str) -> str:
    """The output printed after one input line, up to the next prompt."""
    start = out.index(prompt_line) + len(prompt_line)
    rest = out[start:]
    ends = [rest.find(p) for p in ("\nana> ", "\nmarcus> ", "\nkevin> ") if rest.find(p) != -1]
    return rest[: min(ends)] if ends else rest


def test_a_scripted_demo_session() -> None:
    proc = run_demo(SCRIPT)
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in out + proc.stderr
    assert "demo console error" not in out  # every console command ran without raising

    # The start screen suggests three commands to try.
    assert "You are Ana Ruiz" in out and "/account Acme" in out and "/orders mine" in out
    assert "Type slash commands exactly as in Slack" in section(out, "ana> help")

    # An ambiguous account gives a numbered picker; choosing 1.1 shows the card.
    picker = section(out, "ana> /account Acme\n")
    assert "accounts match Acme" in picker and "[1] ▾ Choose an account" in picker
    assert "1.1  Acme Corp" in picker
    card = section(out, "ana> 1.1")
    assert "▌ Acme Corp" in card and "Owner: Ana Ruiz" in card and "Health:" in card
    assert "[1] Share in channel  [2] Refresh  [3] Open in Salesforce ↗  [4] Escalate" in card

    # An order, with its items and the stuck flag.
    order = section(out, "ana> /order 123")
    assert "Order 00000123" in order and "Stuck:" in order and "line items" in order
    # One answer: no "Looking up" left above it (Slack could not take it back), and no
    # "still looking" for an answer that came at once.
    assert "Looking up" not in order and "Still looking" not in order
    assert order.count("only visible to you") == 1

    # An escalation filed through the modal, field by field, alerts the managers...
    filed = section(out, "What happened: Customer double-billed")
    assert "── #escalations · acctbot ──" in filed and "ESC-0001 · P1 · Billing" in filed
    assert "── DM to Marcus Bell · acctbot ──" in filed
    assert "You filed ESC-0001" in filed
    # ...and the manager acknowledges it from the channel; the alert updates in place.
    assert "You are now Marcus Bell" in out
    acked = section(out, "marcus> 1\n")
    assert "#escalations · acctbot (updated)" in acked
    assert "acknowledged by @Marcus Bell" in acked
    assert "ESC-0001 was acknowledged by @Marcus Bell" in acked  # the reporter's DM

    # A digest posts to the team channel, once per period.
    digest = section(out, "marcus> /digest now smb-east\n")
    assert "── #smb-east · acctbot ──" in digest and "daily digest" in digest
    again = out[out.index("marcus> /digest now smb-east", out.index(digest)) :]
    assert "already posted" in again.split("marcus> /account help")[0]

    # Help, unknown commands and stray numbers get an answer, not a crash.
    assert "/account" in section(out, "marcus> /account help")
    assert "/nonsense is not a valid command" in section(out, "marcus> /nonsense")
    assert "There is no [7]" in section(out, "marcus> 7")

    # The Home tab: Ana's own not-dones, quarter and the escalation she filed.
    home = section(out, "ana> /home")
    assert "── acctbot · Home tab ──" in home and "Not dones" in home
    assert "Your escalations — 1 open" in home and "ESC-0001" in home

    # Who sees what: Kevin, a rep on Ana's team (the same role, private accounts), may
    # not read Ana's order: asked by its number, it is not there for him (the same words
    # as for no such order), without any of its figures; nor her account by name.
    refused = section(out, "kevin> /order 123")
    assert "No order matches 00000123." in refused
    assert "Stuck" not in refused and "$" not in refused and "line items" not in refused
    assert "No account matches Acme Corp." in section(out, "kevin> /account Acme Corp")


def test_the_demo_exits_cleanly_at_end_of_input() -> None:
    proc = run_demo("")
    assert proc.returncode == 0
    assert "You are Ana Ruiz" in proc.stdout


def test_the_demo_knows_exactly_the_manifest_commands() -> None:
    import yaml

    from bot.demo.console import SLASH_COMMANDS

    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    declared = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert sorted(declared) == sorted(SLASH_COMMANDS)
    for c in manifest["features"]["slash_commands"]:
        assert c["description"] and c["usage_hint"] is not None


def test_the_demo_shows_a_watch_alert_arriving() -> None:
    """Whatever the hour: in New York's quiet hours the alert waits for /sf morning."""
    proc = run_demo(
        "/watch 123\n/sf set 123 Status Activated as raj\n/sf set 123 Colour red\n"
        "/sf set 99999 Status Draft\n/sf morning\n/watch list\n"
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "/watch 123         then /sf set 123 Status Activated as raj" in out
    assert "You're watching Order 00000123" in section(out, "ana> /watch 123")
    assert "Raj Patel set Status of Order 00000123 to Activated" in out
    assert "Salesforce refused it: No such column 'Colour' on sobject of type Order" in out
    assert "No order 99999 in Salesforce" in out
    assert out.count("── DM to Ana Ruiz · acctbot ──") == 1
    alert = out[out.index("── DM to Ana Ruiz · acctbot ──") :]
    assert "Status: Pending Install → Activated" in alert
    assert "Activated in Salesforce by Raj Patel" in alert  # ActivatedBy: known exactly
    assert "What you watch (1)" in section(out, "ana> /watch list")


def test_input_that_ends_inside_a_people_picker_closes_the_modal_and_exits() -> None:
    # The Reassign modal's person field at end of input (and with a name nobody has):
    # the modal closes and the demo exits, instead of asking "Choose a person." for ever.
    script = (
        "/escalate Acme Corp\n\n\n1\n2\nFiber build still blocked by landlord\n\n"
        "/as marcus\n/show #escalations\n3\nnobody-by-that-name\n"
    )
    result = run_demo(script)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "(modal closed" in result.stdout
    assert result.stdout.count("Choose a person") <= 5
