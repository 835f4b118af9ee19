""" "Still looking" holds under load, end to end: with more slow commands at once than
the worker pool has threads, everyone still gets one short "still looking" message at
about 1.5 s, ahead of their answer. The progress timer runs on its own threads
(bot/timers.py), started when the command is acknowledged, not when a worker is free."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bot.blocks import is_progress
from bot.standins.salesforce.server import SandboxOrg
from tests.support.harness import BotUnderTest
from tests.support.orgdata import NOW, small_org

COMMANDS = 24  # more than the pool's 16 workers


def test_everyone_hears_still_looking_on_time_when_the_pool_is_busy(
    org: SandboxOrg, running_bot: BotUnderTest
) -> None:
    bot = running_bot
    org.load(small_org())
    org.set_now(NOW)
    bot.services.cache.clear()
    bot.slack.clear()
    assert (bot.services.workers or bot.services.settings.workers) < COMMANDS
    org.set_faults({"latency_ms": 2500})  # Salesforce is slow: every request 2.5 s
    slow_after = bot.services.slow_after

    def ask(n: int) -> tuple[float, list[tuple[str, float]]]:
        sent_at = bot.slack.now()
        sent = bot.command("/account", f"Nothing matches {n}")
        assert sent.status == 200 and sent.user_error is None and not sent.body
        bot.answer(sent, timeout=90)
        shown = [
            ("progress" if is_progress(p.body) else "answer", p.at - sent_at)
            for p in bot.slack.responses(sent.response_url)
        ]
        return sent_at, shown

    try:
        with ThreadPoolExecutor(COMMANDS) as pool:
            results = list(pool.map(ask, range(COMMANDS)))
    finally:
        org.set_faults({})
    for _, shown in results:
        kinds = [kind for kind, _ in shown]
        assert kinds == ["progress", "answer"], shown  # one "still looking", then the answer
        progress_after = shown[0][1]
        assert slow_after - 0.1 <= progress_after < slow_after + 1.0, shown
