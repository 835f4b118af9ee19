"""Digest benchmark: a sandbox org with 100,000 orders, digests for 1 and for 20 teams.

    python benchmarks/bench_digest.py [--orders 100000] [--big-account-orders 5000] [--seed 42]

The sandbox org runs in a child process (so its memory is not counted); Acme Corp (Ana's)
gets ``--big-account-orders`` of the orders. This process builds and renders the daily,
weekly and monthly digests for all teams as one batch, and prints, per case: wall time,
the bot's CPU time (``time.process_time``), peak Python memory (tracemalloc) during the
run, the Salesforce API requests the run made and the distinct queries (from the
sandbox's request log), and the Slack messages the largest team's digest takes. Not part
of CI pass/fail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TODAY = dt.date(2026, 11, 18)
NOW = dt.datetime(2026, 11, 18, 13, 1, tzinfo=dt.UTC)  # Wed 8:01 New York
REPS = [
    "ana.rep@example.com",
    "raj.rep@example.com",
    "kevin.doyle@example.com",
    "lauren.chen@example.com",
    "david.goldberg@example.com",
    "jamal.washington@example.com",
    "emily.novak@example.com",
]
ZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London"]


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


def teams_yaml(n: int) -> str:
    lines = ["timezone: America/New_York", "teams:"]
    for i in range(n):
        owners = [REPS[(i + k) % len(REPS)] for k in range(1 + i % 3)]
        lines += [
            f"  - name: team-{i:02d}",
            f"    channel: C0TEAM{i:05d}",
            f"    timezone: {ZONES[i % len(ZONES)]}",
            f"    owners: [{', '.join(owners)}]",
        ]
    return "\n".join(lines) + "\n"


def control(instance_url: str, method: str) -> Any:
    resp = requests.request(method, f"{instance_url}/__sandbox__/requests", timeout=30)
    resp.raise_for_status()
    return json.loads(resp.content or b"null")


def run_case(info: dict[str, Any], n_teams: int) -> dict[str, Any]:
    from bot.digests import service as digests
    from bot.digests.periods import period_for
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
        }
    )
    db = Database("sqlite:///" + tempfile.mkdtemp(prefix="acctbot-bench-") + "/bench.db")
    db.upgrade()
    services = Services(
        settings=settings,
        salesforce=SalesforceService(settings.salesforce),
        teams=parse_teams(teams_yaml(n_teams)),
        db=db,
        clock=lambda: NOW,
    )
    services.salesforce.client  # log in before measuring  # noqa: B018
    results: dict[str, Any] = {}
    for kind in ("daily", "weekly", "monthly"):
        items = []
        for team in services.teams.teams:
            d = digests.find_delivery(services, team, kind)
            today = NOW.astimezone(d.tz).date()
            p = period_for(kind, today, schedule=d.schedule, timezone=team.timezone)
            items.append(digests.Item(d, p))
        control(info["instance_url"], "DELETE")
        tracemalloc.start()
        started, cpu = time.perf_counter(), time.process_time()
        data = digests.build(services, items)
        messages = [
            digests.messages_for(services, it, fig) for it, fig in zip(items, data, strict=True)
        ]
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        log = control(info["instance_url"], "GET")
        results[kind] = {
            "seconds": round(elapsed, 2),
            "cpu": round(cpu, 2),
            "peak_mib": round(peak / 2**20, 1),
            "sf_requests": len(log),
            "sf_queries": len(
                {s.get("soql") for e in log for s in e.get("subrequests") or [e] if s.get("soql")}
            ),
            "messages": max(len(m) for m in messages),
        }
    db.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--big-account-orders", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    parent, child = mp.Pipe()
    proc = mp.get_context("fork").Process(
        target=serve_org, args=(args.orders, args.big_account_orders, args.seed, child), daemon=True
    )
    proc.start()
    info = parent.recv()
    os.environ["REQUESTS_CA_BUNDLE"] = info["ca"]
    print(
        f"sandbox org: {args.orders:,} orders (seed {args.seed}), Acme Corp "
        f"{args.big_account_orders:,} of them; loaded in {info['load_s']:.1f}s"
    )
    head = ("teams", "kind", "time", "CPU", "peak mem", "SF requests", "distinct", "messages")
    print("{:>5}  {:<8} {:>7} {:>7} {:>9} {:>11} {:>7} {:>8}".format(*head))
    try:
        for n in (1, 20):
            for kind, r in run_case(info, n).items():
                print(
                    f"{n:>5}  {kind:<8} {r['seconds']:>6.2f}s {r['cpu']:>6.2f}s "
                    f"{r['peak_mib']:>7.1f}MiB {r['sf_requests']:>11} {r['sf_queries']:>7} "
                    f"{r['messages']:>8}"
                )
    finally:
        parent.send("stop")
        proc.join(timeout=10)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bot process max RSS: {rss:.0f} MiB (imports included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
