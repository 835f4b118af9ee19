"""What "who sees what" costs: Salesforce requests and latency per card and per list, with
``ACCTBOT_VISIBILITY=salesforce`` against ``workspace``, in one run (not part of CI).

    .venv/bin/python benchmarks/bench_visibility.py [--runs 7]

The real app on the seeded sandbox org (private sharing: roles, shares) and the Slack
stand-in, in this process. Each command is sent as a signed slash command and timed from
sending to the answer posted to response_url: on loopback, and again with 100 ms added to every
Salesforce request (a realistic round trip to a real org). Who the asker is, is known
(identified once, as after their first command of the hour). "cold": the answer and
access caches are empty; "warm": the same command again within the cache TTL. Prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.people import identify  # noqa: E402
from bot.standins.salesforce.seed import DEMO_TEAMS_FILE  # noqa: E402
from bot.standins.stack import Stack  # noqa: E402
from bot.teams import load_teams  # noqa: E402

ANA, MARCUS, KEVIN = "U0ANA00001", "U0MGR00001", "U0KEV00001"
NAMES = {MARCUS: " (Marcus)", KEVIN: " (Kevin)"}
CASES = [  # (kind, who, command, text)
    ("card", ANA, "/account", "Acme Corp"),
    ("card", ANA, "/order", "123"),
    ("list", ANA, "/orders", "mine"),
    ("list", ANA, "/pipeline", ""),
    ("list", MARCUS, "/pipeline", "smb-east"),
    ("list", MARCUS, "/orders", "Acme"),
    # A partial viewer: Kevin, a rep on smb-east, may read only his own accounts' records.
    ("list", KEVIN, "/pipeline", "smb-east"),
    ("list", KEVIN, "/orders", "Acme"),
]


def measure(stack: Stack, who: str, command: str, text: str) -> tuple[float, int, int]:
    """(ms from send to answer, Salesforce requests, of which UserRecordAccess queries)."""
    stack.org.clear_log()
    t0 = time.time()
    sent = stack.command(command, text, user=who)
    post = stack.slack.wait_for_response(id=sent.response_url, timeout=60)
    elapsed = (post.at - t0) * 1000
    time.sleep(0.05)
    log = stack.org.requests_log()
    access = sum(1 for r in log if "FROM UserRecordAccess" in (r.get("soql") or ""))
    return elapsed, len(log), access


def run(runs: int) -> None:
    stack = Stack.start(teams=load_teams(DEMO_TEAMS_FILE))
    svc = stack.running.services
    base = svc.settings
    rows: list[tuple[str, ...]] = []
    try:
        for who in (ANA, MARCUS, KEVIN):
            identify(svc, who)
        for kind, who, command, text in CASES:
            label = f"{command} {text}".strip() + NAMES.get(who, "")
            for mode in ("workspace", "salesforce"):
                svc.settings = dataclasses.replace(base, visibility=mode)
                for cache in ("cold", "warm"):
                    figures: list[str] = []
                    for latency in (0, 100):
                        stack.org.set_faults({"latency_ms": latency} if latency else {})
                        times, counts, checks = [], [], []
                        for _ in range(runs):
                            if cache == "cold":
                                svc.cache.clear()
                                svc.access_cache.clear()
                            else:
                                measure(stack, who, command, text)  # warm it up
                            ms, n, access = measure(stack, who, command, text)
                            times.append(ms)
                            counts.append(n)
                            checks.append(access)
                        if not figures:
                            figures += [
                                f"{statistics.mean(counts):g}",
                                f"{statistics.mean(checks):g}",
                            ]
                        figures.append(f"{statistics.median(times):.0f}")
                    rows.append((kind, label, mode, cache, *figures))
                stack.org.set_faults({})
    finally:
        svc.settings = base
        stack.stop()
    heads = (
        "kind",
        "command",
        "visibility",
        "cache",
        "SF requests",
        "of which access",
        "ms (loopback)",
        "ms (+100 ms/request)",
    )
    print("| " + " | ".join(heads) + " |")
    print("|" + "---|" * len(heads))
    for r in rows:
        print("| " + " | ".join(r) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per case (median)")
    run(parser.parse_args().runs)


if __name__ == "__main__":
    main()
