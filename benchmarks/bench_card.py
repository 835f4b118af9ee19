"""Card benchmark: the cards of a 5,000-order account in a 100,000-order org.

    python benchmarks/bench_card.py [--orders 100000] [--big-account-orders 5000] [--runs 5]

The sandbox org (seeded, with Acme Corp given ``--big-account-orders`` of the orders) runs
in a child process, so its memory and CPU are not counted. This process builds and
renders each answer through the same functions the slash commands call (the cache
cleared before each, as for a first lookup), and prints per answer: Salesforce API
requests (from the sandbox's request log; a composite counts as one), the queries they
carried, the bot's CPU time (``time.process_time``: parsing, figuring, rendering, TLS on
its side) and wall time (medians over ``--runs``; the wall time is mostly the sandbox's,
which scans its records unindexed), and peak Python memory (tracemalloc) during one
answer. It also prints the headline figures the account card shows, so a run on an
older version shows what it got wrong. Not part of CI pass/fail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TODAY = dt.date(2026, 11, 18)
NOW = dt.datetime(2026, 11, 18, 15, 0, tzinfo=dt.UTC)  # Wed 10:00 New York


def serve_org(orders: int, big: int, seed: int, conn: Any) -> None:
    from bot.standins.salesforce.seed import generate
    from bot.standins.salesforce.server import SandboxOrg

    started = time.perf_counter()
    org = SandboxOrg(data=generate(seed, TODAY, orders=orders, big_account_orders=big))
    org.set_now(NOW)
    org.start()
    conn.send(
        {
            "instance_url": org.instance_url,
            "token": org.access_token,
            "ca": org.ca_path,
            "load_s": time.perf_counter() - started,
        }
    )
    conn.recv()  # until told to stop
    org.stop()


def control(instance_url: str, method: str) -> Any:
    resp = requests.request(method, f"{instance_url}/__sandbox__/requests", timeout=30)
    resp.raise_for_status()
    return json.loads(resp.content or b"null")


def make_services(info: dict[str, Any]) -> Any:
    from bot.infra.db import Database
    from bot.infra.salesforce import SalesforceService
    from bot.services import Services
    from bot.settings import Settings
    from bot.teams import parse_teams

    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": "bench",
            "SF_INSTANCE_URL": info["instance_url"],
            "SF_ACCESS_TOKEN": info["token"],
            "SF_TIMEOUT": "120",
            # The card's own cost, as measured before per-person visibility (issue 13);
            # benchmarks/bench_visibility.py measures what the check adds.
            "ACCTBOT_VISIBILITY": "workspace",
        }
    )
    db = Database("sqlite:///" + tempfile.mkdtemp(prefix="acctbot-bench-") + "/bench.db")
    db.upgrade()
    services = Services(
        settings=settings,
        salesforce=SalesforceService(settings.salesforce),
        teams=parse_teams("teams: []\n"),
        db=db,
        clock=lambda: NOW,
    )
    services.salesforce.client  # log in before measuring  # noqa: B018
    services.vocabulary()  # the org's picklists, read once per process
    _known_asker(services)
    return services


ASKER = "U0BENCH"


def _known_asker(services: Any) -> None:
    """The asker as acctbot knows them after their first command (Slack's profile and
    their Salesforce user cached), so no request in the measure is about who asks."""
    from bot.people import SalesforceUser

    rec = services.salesforce.query_records(
        "SELECT Id, Name, Email FROM User WHERE IsActive = true ORDER BY CreatedDate LIMIT 1"
    )[0]
    email = str(rec["Email"]).lower()
    profile = {"id": ASKER, "profile": {"email": email}}
    services.people_cache.put(("slack_user", ASKER), profile)
    services.people_cache.put(
        ("sf_user_by_email", email), SalesforceUser(rec["Id"], rec["Name"], email)
    )


def measure(
    info: dict[str, Any], services: Any, work: Callable[[], Any], runs: int
) -> dict[str, Any]:
    cpu: list[float] = []
    wall: list[float] = []
    requests_made: list[int] = []
    queries: list[int] = []
    result = None
    for i in range(runs):
        services.cache.clear()  # every run reads Salesforce, as a first lookup does
        control(info["instance_url"], "DELETE")
        if i == 0:
            tracemalloc.start()
        c0, w0 = time.process_time(), time.perf_counter()
        result = work()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        if i == 0:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        log = control(info["instance_url"], "GET")
        requests_made.append(len(log))
        queries.append(sum(len(e.get("subrequests") or [e]) for e in log))
    return {
        "result": result,
        "requests": max(requests_made),
        "queries": max(queries),
        "cpu_ms": statistics.median(cpu) * 1000,
        "wall_ms": statistics.median(wall) * 1000,
        "peak_kib": peak / 1024,
    }


def plain(message: Any) -> str:
    """A message's visible text, links as their labels."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.blocks)
    text = "\n".join(parts)
    return re.sub(r"<[^|>]+\|([^>]*)>", r"\1", text)


def headline(text: str) -> str:
    """The figures of an account card a reader checks first."""
    keep = []
    for pattern in (
        r"Pipeline\*\s+([^\n]+)",
        r"Won this quarter\*\s+([^\n]+)",
        r"(\S+ drafts? past effective date)",
        r"(\S+ orders? open too long)",
        r"Health: (\w+)",
    ):
        m = re.search(pattern, text)
        if m:
            keep.append(m.group(1).strip())
    return " | ".join(keep)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--big-account-orders", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    parent, child = mp.Pipe()
    proc = mp.get_context("fork").Process(
        target=serve_org,
        args=(args.orders, args.big_account_orders, args.seed, child),
        daemon=True,
    )
    proc.start()
    info = parent.recv()
    os.environ["REQUESTS_CA_BUNDLE"] = info["ca"]
    try:
        from bot.accounts.answer import account_answer, account_card_for
        from bot.orders.answer import orders_answer
        from bot.text import read_argument

        services = make_services(info)
        sf = services.salesforce
        acme = sf.query_records("SELECT Id FROM Account WHERE Name = 'Acme Corp'")[0]["Id"]
        acme_orders = sf.count("SELECT COUNT() FROM Order WHERE AccountId = {}", acme)
        small = sf.query_records(
            "SELECT Id, Name FROM Account WHERE Name = 'Quiet Harbor Dental' LIMIT 1"
        ) or sf.query_records("SELECT Id, Name FROM Account ORDER BY Name DESC LIMIT 1")
        small_id = small[0]["Id"]
        small_orders = sf.count("SELECT COUNT() FROM Order WHERE AccountId = {}", small_id)
        print(
            f"sandbox org: {args.orders:,} orders (seed {args.seed}), loaded in "
            f"{info['load_s']:.1f}s; Acme Corp has {acme_orders:,} orders, "
            f"{small[0]['Name']} {small_orders:,}"
        )
        cases: list[tuple[str, Callable[[], Any]]] = [
            (
                "/account <Id> (Acme Corp)",
                lambda: account_card_for(services, acme, viewer=ASKER, fresh=True),
            ),
            (
                "/account Acme Corp (by name)",
                lambda: account_answer(services, ASKER, read_argument("Acme Corp")),
            ),
            (
                f"/account <Id> ({small[0]['Name']})",
                lambda: account_card_for(services, small_id, viewer=ASKER, fresh=True),
            ),
            ("/orders Acme Corp", lambda: orders_answer(services, ASKER, "Acme Corp")),
        ]
        head = ("answer", "SF requests", "queries", "CPU ms", "wall ms", "peak KiB")
        print("{:<36} {:>11} {:>7} {:>7} {:>8} {:>9}".format(*head))
        figures: dict[str, str] = {}
        for name, work in cases:
            r = measure(info, services, work, args.runs)
            print(
                f"{name:<36} {r['requests']:>11} {r['queries']:>7} {r['cpu_ms']:>7.1f} "
                f"{r['wall_ms']:>8.1f} {r['peak_kib']:>9,.0f}"
            )
            figures[name] = plain(r["result"])
        print()
        print("Acme Corp's card says:", headline(figures["/account <Id> (Acme Corp)"]))
        m = re.search(r"\*?([\d,]+ orders?)\*? stuck or overdue", figures["/orders Acme Corp"])
        print("/orders Acme Corp says:", m.group(1) if m else "?")
        services.db.dispose()
    finally:
        parent.send("stop")
        proc.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
