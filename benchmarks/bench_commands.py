"""Benchmark the status commands on loopback (not part of CI's pass/fail).

    .venv/bin/python benchmarks/bench_commands.py [--rounds 3] [--concurrency 50]

Prints, all measured in this one run on the seeded sandbox org:
- ack latency p50/p95/p99 with N concurrent slash commands while Salesforce answers in 2 s,
  for acctbot and for a bare Bolt app that acks a static message (same server, same
  load), and their ratio (acctbot's overhead);
- end-to-end time per command (send -> answer posted to response_url), no added latency;
- Salesforce requests per command (from the sandbox org's request log);
- idle RSS of `python app.py` serving HTTP.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.standins.salesforce.seed import DEMO_TEAMS_FILE  # noqa: E402
from bot.standins.slack.standin import SentRequest  # noqa: E402
from bot.standins.stack import Stack  # noqa: E402
from bot.teams import load_teams  # noqa: E402

ANA = "U0ANA00001"
COMMANDS = [
    ("/account", "Acme Corp"),
    ("/order", "123"),
    ("/orders", "mine"),
    ("/pipeline", ""),
    ("/pipeline", "smb-east"),
]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def load(stack: Stack, url: str, n: int, rounds: int) -> list[float]:
    """Ack latencies (ms) of ``n`` concurrent /order commands, ``rounds`` times."""
    out: list[float] = []
    with ThreadPoolExecutor(n) as pool:
        for _ in range(rounds):
            sent: list[SentRequest] = list(
                pool.map(
                    lambda i: stack.slack.command(url, "/order", str(100 + i), user_id=ANA),
                    range(n),
                )
            )
            bad = [s for s in sent if s.status != 200 or s.user_error]
            if bad:
                raise SystemExit(f"{len(bad)} commands failed: {bad[0].user_error}")
            out += [s.elapsed_ms for s in sent]
            time.sleep(2.5)  # let the slow answers drain before the next round
    return out


def end_to_end(stack: Stack, command: str, text: str, runs: int) -> tuple[float, float, float]:
    """(median ms, p95 ms, Salesforce requests per command) with the cache cleared."""
    times, counts = [], []
    for _ in range(runs):
        stack.running.services.cache.clear()
        stack.running.services.access_cache.clear()
        stack.org.clear_log()
        t0 = time.time()
        sent = stack.command(command, text, user=ANA)
        post = stack.slack.wait_for_response(id=sent.response_url, timeout=30)
        times.append((post.at - t0) * 1000)
        time.sleep(0.05)
        counts.append(len(stack.org.requests_log()))
    return statistics.median(times), pct(times, 95), statistics.mean(counts)


def spawn(stack: Stack, script: str) -> tuple[subprocess.Popen[bytes], str]:
    """Run an app script in its own process on the stand-ins; (process, events URL)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": stack.slack.bot_token,
        "SLACK_SIGNING_SECRET": stack.slack.signing_secret,
        "SLACK_API_URL": stack.slack.api_url,
        "SF_INSTANCE_URL": stack.org.instance_url,
        "SF_ACCESS_TOKEN": stack.org.access_token,
        "REQUESTS_CA_BUNDLE": stack.org.ca_path,
        "DATABASE_URL": f"sqlite:////tmp/acctbot-bench-{port}.db",
        "PORT": str(port),
        "ACCTBOT_TEAMS_FILE": str(DEMO_TEAMS_FILE),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("SLACK_APP_TOKEN", None)
    proc = subprocess.Popen(
        [sys.executable, script, *(["--no-scheduler"] if script == "app.py" else [])],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/slack/events"
    for _ in range(300):
        try:
            requests.post(url, timeout=1)  # unsigned: 401, but it answers
            return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    raise SystemExit(f"{script} did not start")


def rss_mb(proc: subprocess.Popen[bytes]) -> float:
    status = Path(f"/proc/{proc.pid}/status").read_text()
    return int(next(x for x in status.splitlines() if x.startswith("VmRSS")).split()[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--runs", type=int, default=10, help="end-to-end runs per command")
    args = parser.parse_args()

    with Stack.start(teams=load_teams(DEMO_TEAMS_FILE), LOG_LEVEL="WARNING") as stack:
        print(
            f"Seeded org: {stack.org.store.count('Account')} accounts, "
            f"{stack.org.store.count('Order')} orders; concurrency {args.concurrency}, "
            f"{args.rounds} rounds\n"
        )
        print("End-to-end per command (no added latency, cache cleared each run)")
        print(f"  {'command':28} {'median ms':>10} {'p95 ms':>8} {'SF requests':>12}")
        for command, text in COMMANDS:
            med, p95, n = end_to_end(stack, command, text, args.runs)
            print(f"  {(command + ' ' + text).strip():28} {med:10.1f} {p95:8.1f} {n:12.1f}")
        stack.running.services.cache.clear()
        stack.running.services.access_cache.clear()
        stack.org.clear_log()
        stack.command("/account", "Acme Corp", user=ANA)
        time.sleep(1)
        stack.command("/account", "Acme Corp", user=ANA)
        time.sleep(1)
        print(
            f"  repeat /account within the TTL: {len(stack.org.requests_log())} SF request "
            "for two lookups\n"
        )

        ours_proc, ours_url = spawn(stack, "app.py")
        bare_proc, bare_url = spawn(stack, "benchmarks/bare_app.py")
        try:
            time.sleep(1.0)
            idle = rss_mb(ours_proc)
            stack.org.set_faults({"latency_ms": 2000})
            ours: list[float] = []
            bare: list[float] = []
            for _ in range(args.rounds):  # interleaved, so neither gets the warmer machine
                ours += load(stack, ours_url, args.concurrency, 1)
                bare += load(stack, bare_url, args.concurrency, 1)
            stack.org.set_faults({})
        finally:
            for proc in (ours_proc, bare_proc):
                proc.terminate()
                proc.wait(timeout=10)
            for leftover in Path("/tmp").glob("acctbot-bench-*.db*"):
                leftover.unlink(missing_ok=True)
        print(
            f"Ack latency, {args.concurrency} concurrent commands, Salesforce answering "
            "in 2 s (each app in its own process)"
        )
        print(f"  {'app':10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for name, vals in (("acctbot", ours), ("bare Bolt", bare)):
            print(
                f"  {name:10} {pct(vals, 50):8.1f} {pct(vals, 95):8.1f} {pct(vals, 99):8.1f} "
                f"{max(vals):8.1f}"
            )
        print(
            f"  overhead (acctbot / bare): p50 {pct(ours, 50) / pct(bare, 50):.2f}x, "
            f"p99 {pct(ours, 99) / pct(bare, 99):.2f}x\n"
        )
        print(f"Idle RSS of `python app.py` (HTTP mode): {idle:.1f} MB")


if __name__ == "__main__":
    main()
