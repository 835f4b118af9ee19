"""Watch benchmark: 1,000 people watching 10 records each on the 100,000-order org.

    python benchmarks/bench_watches.py [--orders 100000] [--seed 42] [--changes 100]

The sandbox org runs in a child process (its CPU is not the bot's). This process plays
the bot: it makes the watches (10 a person: 2 accounts, 6 open orders, a deal and a case),
then runs the real check (``bot.watches.detect.run_check``, the job's function) for 10,
100 and 1,000 watchers, each time the day's first check (which also re-reads every record
watched directly and those about to be announced from the date), a busy minute
(``--changes`` records changed through the REST API just before, most of them watched)
and a quiet one (nothing changed).
Per check it prints the Salesforce requests (the sandbox's request log), the bot's CPU
time (``time.process_time``), the changes recorded and the DMs queued; then requests and
CPU per day at the default interval (60 s) next to the org's daily API allocation
(``GET /limits``, DailyApiRequests). Not part of CI pass/fail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TODAY = dt.date(2026, 11, 18)
NOW = dt.datetime(2026, 11, 18, 15, 0, tzinfo=dt.UTC)  # Wed 10:00 New York
INTERVAL = 60
PER_PERSON = 10


def serve_org(orders: int, seed: int, conn: Any) -> None:
    from bot.standins.salesforce.seed import generate
    from bot.standins.salesforce.server import SandboxOrg
    from bot.standins.salesforce.store import Clock

    started = time.perf_counter()
    org = SandboxOrg(data=generate(seed, TODAY, orders=orders), clock=Clock(NOW))
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


class Clock:
    """The bot's clock and the org's, moved together (one minute per check)."""

    def __init__(self, instance_url: str) -> None:
        self.url = instance_url
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += dt.timedelta(seconds=seconds)
        requests.post(
            f"{self.url}/__sandbox__/clock", json={"now": self.now.isoformat()}, timeout=30
        ).raise_for_status()


class Slack:
    """A Slack Web API client that records DMs (no network: Slack is not measured). Every
    watcher's profile has ``email``: the org's integration user's, so each is someone
    acctbot serves (bot/people.py) and their alerts are checked against that user's
    access (one UserRecordAccess query per person with news, as in production)."""

    def __init__(self, email: str) -> None:
        self.posts = 0
        self.lock = threading.Lock()
        self.email = email

    def chat_postMessage(self, **kw: Any) -> dict[str, Any]:
        with self.lock:
            self.posts += 1
            return {"ok": True, "channel": "D" + str(kw["channel"])[1:], "ts": f"{self.posts}.1"}

    def users_info(self, user: str) -> dict[str, Any]:
        return {
            "ok": True,
            "user": {"id": user, "tz": "America/New_York", "profile": {"email": self.email}},
        }


def log(info: dict[str, Any], method: str = "GET") -> Any:
    resp = requests.request(method, f"{info['instance_url']}/__sandbox__/requests", timeout=30)
    resp.raise_for_status()
    return json.loads(resp.content or b"null")


def pick_records(sf: Any) -> dict[str, list[dict[str, Any]]]:
    """Records to watch, read from the org (not measured)."""
    q = {
        "Account": "SELECT Id FROM Account ORDER BY Id LIMIT 2000",
        "Order": "SELECT Id, AccountId FROM Order WHERE StatusCode = 'Draft' ORDER BY Id "
        "LIMIT 6000",
        "Opportunity": "SELECT Id, AccountId FROM Opportunity WHERE IsClosed = false "
        "ORDER BY Id LIMIT 1000",
        "Case": "SELECT Id, AccountId FROM Case WHERE IsClosed = false ORDER BY Id LIMIT 1000",
    }
    return {kind: list(sf.query_all_iter(soql)) for kind, soql in q.items()}


def make_watches(services: Any, people: int, pool: dict[str, list[dict[str, Any]]]) -> int:
    """``people`` watchers with 10 watches each, and the starting values of what they
    watch (as /watch would keep them; done in bulk here, not measured)."""
    from bot.watches import detect, repo, rules

    plan = (("Account", 2), ("Order", 6), ("Opportunity", 1), ("Case", 1))
    chosen: dict[str, dict[str, dict[str, Any]]] = {k: {} for k, _ in plan}
    with services.db.session() as s:
        for p in range(people):
            user = f"U{p:09d}"
            for kind, n in plan:
                recs = pool[kind]
                for j in range(n):
                    rec = recs[(p * n + j * 7) % len(recs)]
                    chosen[kind][rec["Id"]] = rec
                    repo.add_watch(
                        s,
                        user=user,
                        record_id=rec["Id"],
                        sobject=kind,
                        label=f"{kind} {rec['Id']}",
                        account_id=rec.get("AccountId") or rec["Id"],
                        now=NOW,
                    )
    ctx = detect.context(services)
    sf = services.salesforce
    found: list[tuple[str, dict[str, Any]]] = []
    for kind in ("Order", "Opportunity", "Case"):
        ids = sorted(chosen[kind])
        for i in range(0, len(ids), 300):
            recs = sf.query_iter(rules.SELECTS[kind] + " WHERE Id IN {}", ids[i : i + 300])
            found += [(kind, rec) for rec in recs]
    # What an account watch starts from (queries.baseline): every record of the account,
    # 300 accounts a query.
    accounts = sorted(chosen["Account"])
    for i in range(0, len(accounts), 300):
        chunk = accounts[i : i + 300]
        for kind in ("Order", "Opportunity", "Case", "Contract"):
            soql = rules.SELECTS[kind] + " WHERE AccountId IN {}"
            found += [(kind, rec) for rec in sf.query_iter(soql, chunk)]
    with services.db.session() as s:
        for kind, rec in found:
            repo.first_sight(s, detect.seen_from(kind, rec, ctx, NOW), NOW)
        repo.advance_cursor(s, NOW, NOW)
    return len({rec["Id"] for _, rec in found})


def change_records(sf: Any, pool: dict[str, list[dict[str, Any]]], n: int, flip: int) -> None:
    """``n`` saves through the REST API: three quarters on watched orders and deals."""
    stages = ("Needs Analysis", "Value Proposition")
    statuses = ("Provisioning", "Draft")
    orders, deals = pool["Order"], pool["Opportunity"]
    for i in range(n):
        if i % 4 == 3:
            sf.Opportunity.update(deals[(i * 13) % len(deals)]["Id"], {"StageName": stages[flip]})
        else:
            sf.Order.update(orders[(i * 37) % len(orders)]["Id"], {"Status": statuses[flip]})


def run(info: dict[str, Any], args: argparse.Namespace) -> None:
    from simple_salesforce import Salesforce

    from bot.infra.db import Database
    from bot.infra.salesforce import SalesforceService
    from bot.services import Services
    from bot.settings import Settings
    from bot.teams import parse_teams
    from bot.watches import detect

    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": "bench",
            "SF_INSTANCE_URL": info["instance_url"],
            "SF_ACCESS_TOKEN": info["token"],
            "SF_TIMEOUT": "120",
            "ACCTBOT_WATCH_QUIET_HOURS": "off",
        }
    )
    sf = Salesforce(instance_url=info["instance_url"], session_id=info["token"])
    pool = pick_records(sf)
    # The first active User is the API session's (the integration user).
    email = sf.query("SELECT Email FROM User WHERE IsActive = true LIMIT 1")["records"][0]["Email"]
    limits = requests.get(
        f"{info['instance_url']}/services/data/v62.0/limits",
        headers={"Authorization": f"Bearer {info['token']}"},
        timeout=30,
    ).json()["DailyApiRequests"]
    clock = Clock(info["instance_url"])
    head = ("watchers", "watches", "records kept", "minute", "SF requests", "bot CPU", "wall",
            "changes", "DMs")  # fmt: skip
    print("{:>8} {:>8} {:>12}  {:<6} {:>11} {:>9} {:>8} {:>7} {:>5}".format(*head))
    rows: dict[int, dict[str, tuple[int, float]]] = {}
    for flip, people in enumerate((10, 100, 1000)):
        db = Database("sqlite:///" + tempfile.mkdtemp(prefix="acctbot-bench-") + "/bench.db")
        db.upgrade()
        services = Services(
            settings=settings,
            salesforce=SalesforceService(settings.salesforce),
            teams=parse_teams("teams: []\n"),
            db=db,
            clock=clock,
        )
        slack = Slack(email)
        services.slack = slack  # type: ignore[assignment]
        services.vocabulary()
        kept = make_watches(services, people, pool)
        rows[people] = {}
        # The day's first check also re-reads every kept value against the new date.
        for minute in ("first", "busy", "quiet"):
            clock.advance(INTERVAL)
            if minute == "busy":
                change_records(sf, pool, args.changes, flip % 2)
                clock.advance(1)
            log(info, "DELETE")
            cpu, wall = time.process_time(), time.perf_counter()
            result = detect.run_check(services)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            requests_made = len(log(info))
            rows[people][minute] = (requests_made, cpu)
            print(
                f"{people:>8} {people * PER_PERSON:>8} {kept:>12}  {minute:<6} "
                f"{requests_made:>11} {cpu * 1000:>7.0f}ms {wall * 1000:>6.0f}ms "
                f"{result.changes:>7} {result.dms:>5}"
            )
            narrow = ", ".join(f"{k} {'by Id' if n else 'all changed'}" for k, n in
                               result.narrow.items())  # fmt: skip
            if minute == "busy":
                print(f"{'':>32}  (filters: {narrow})")
        services.pool.shutdown(wait=True)
        db.dispose()
    checks = 86_400 // INTERVAL
    quiet_req, quiet_cpu = rows[1000]["quiet"]
    busy_req, busy_cpu = rows[1000]["busy"]
    first_cpu = rows[1000]["first"][1]
    print()
    print(f"At the default interval ({INTERVAL} s): {checks:,} checks a day.")
    print(
        f"Salesforce requests a day, 1,000 watchers: {quiet_req * checks:,} in quiet minutes, "
        f"{busy_req * checks:,} if every minute were as busy ({args.changes} saves a minute); "
        f"the org's daily API allocation: {limits['Max']:,} "
        f"({100 * busy_req * checks / limits['Max']:.1f}% at most)."
    )
    print(
        f"Bot CPU a day, 1,000 watchers: {quiet_cpu * checks / 60:.1f} min (quiet) to "
        f"{busy_cpu * checks / 60:.1f} min (every minute busy), plus "
        f"{first_cpu - quiet_cpu:.1f} s for the day's first check."
    )
    print(
        "Requests per check: "
        + ", ".join(f"{p} watchers {rows[p]['quiet'][0]}/{rows[p]['busy'][0]}" for p in rows)
        + " (quiet/busy): the same whatever the number of watchers."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--changes", type=int, default=100, help="saves in a busy minute")
    args = parser.parse_args(argv)
    parent, child = mp.Pipe()
    proc = mp.get_context("fork").Process(
        target=serve_org, args=(args.orders, args.seed, child), daemon=True
    )
    proc.start()
    info = parent.recv()
    os.environ["REQUESTS_CA_BUNDLE"] = info["ca"]
    print(
        f"sandbox org: {args.orders:,} orders (seed {args.seed}), loaded in {info['load_s']:.1f}s"
    )
    try:
        run(info, args)
    finally:
        parent.send("stop")
        proc.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
