"""Load with a slow Salesforce, end to end over HTTP (issue 14, weaknesses 4 and 5): the
answer queue is bounded and says "busy" at once when full; acknowledgements never wait
on Salesforce; the escalation type-ahead and pre-fill run on their own small queue with
a hard time limit; an order number that could not be checked is not filed unchecked.

A bot with 2 answer workers and room for 3 more waiting keeps these small and quick;
``benchmarks/harden.py`` runs the issue's sizes (1,000 commands, a 10 s Salesforce)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.blocks import is_progress
from bot.escalations import service as escalations
from bot.services import BUSY
from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SentRequest, SlackStandIn
from tests.support.blockcheck import all_text
from tests.support.harness import ANA, BotUnderTest, start_bot
from tests.support.orgdata import NOW, small_org

WORKERS, WAITING = 2, 3


@pytest.fixture(scope="module")
def small_bot(sandbox: SandboxOrg, slack: SlackStandIn) -> Iterator[BotUnderTest]:
    bot = start_bot(sandbox, slack, ACCTBOT_WORKERS=str(WORKERS), ACCTBOT_QUEUE_LIMIT=str(WAITING))
    yield bot
    bot.stop()


@pytest.fixture
def bot(org: SandboxOrg, small_bot: BotUnderTest) -> Iterator[BotUnderTest]:
    org.load(small_org())
    org.set_now(NOW)
    small_bot.services.cache.clear()
    small_bot.slack.clear()
    yield small_bot
    org.set_faults({})
    deadline = time.monotonic() + 20
    while small_bot.services.pool.pending or small_bot.services.quick.pending:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def burst(bot: BotUnderTest, n: int, command: str = "/order", text: str = "123") -> list:
    sent: list[SentRequest] = []
    lock = threading.Lock()

    def one() -> None:
        s = bot.command(command, text)
        with lock:
            sent.append(s)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sent


def answers(bot: BotUnderTest, sent: list[SentRequest], timeout: float) -> list[list[Any]]:
    """Each command's answers (its "still looking" notes left out), once all have one."""
    deadline = time.monotonic() + timeout
    while True:
        got = [
            [p for p in bot.slack.responses(s.response_url) if not is_progress(p.body)]
            for s in sent
        ]
        if all(got) or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def test_a_full_answer_queue_says_busy_at_once_and_everyone_is_answered_once(
    bot: BotUnderTest,
) -> None:
    bot.org.set_faults({"latency_ms": 1500})
    n = 12
    started = bot.slack.now()  # the stand-in's clock stamps the answers
    sent = burst(bot, n)
    assert all(s.status == 200 and s.user_error is None for s in sent)
    assert max(s.elapsed_ms for s in sent) < 1000  # acks never wait on Salesforce
    got = answers(bot, sent, timeout=20)
    assert all(len(g) == 1 for g in got), [len(g) for g in got]  # exactly one answer each
    texts = [all_text(g[0].body) for g in got]
    busy = [t for t in texts if "acctbot is busy" in t]
    served = [t for t in texts if "Order 00000123" in t]
    assert len(served) == WORKERS + WAITING and len(busy) == n - WORKERS - WAITING
    busy_at = [g[0].at for g in got if "acctbot is busy" in all_text(g[0].body)]
    assert max(busy_at) - started < 1.5  # "busy" comes at once, not after the queue
    assert bot.services.pool.stats.refused >= len(busy)


def test_a_slow_salesforce_does_not_hold_the_escalate_ack_or_the_type_ahead(
    bot: BotUnderTest,
) -> None:
    bot.org.set_faults({"latency_ms": 4000})
    burst(bot, WORKERS + WAITING + 2)  # the answer queue is full and busy
    opened = len(bot.slack.views_opened())
    sent = [bot.command("/escalate", "Acme Corp") for _ in range(3)]
    assert all(s.status == 200 and s.elapsed_ms < 1000 for s in sent)
    bot.slack.wait_until(lambda: len(bot.slack.views_opened()) >= opened + 3, timeout=6)
    view = bot.slack.open_views(ANA)[-1]
    suggestions: list[SentRequest] = []

    def type_ahead() -> None:
        suggestions.append(
            bot.slack.block_suggestion(
                bot.url,
                user_id=ANA,
                action_id="escalation_account",
                block_id="account",
                value="acme",
                view=view,
            )
        )

    threads = [threading.Thread(target=type_ahead) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(suggestions) == 20
    assert all(s.status == 200 and s.user_error is None for s in suggestions)
    assert max(s.elapsed_ms for s in suggestions) < 2800  # inside Slack's 3 s, every one
    assert [s.problems for s in suggestions if s.problems] == [], [
        s.body for s in suggestions if s.problems
    ][:2]


def test_an_order_that_could_not_be_checked_is_not_filed_unchecked(bot: BotUnderTest) -> None:
    bot.slack.clear()
    sent = bot.command("/escalate", "")
    assert sent.status == 200
    bot.slack.wait_until(lambda: bot.slack.open_views(ANA), timeout=5)
    view = bot.slack.open_views(ANA)[-1]
    before = escalations.search(bot.services)[1]
    bot.org.set_faults({"latency_ms": 2500})
    submitted = bot.slack.view_submission(
        bot.url,
        user_id=ANA,
        view=view,
        values={
            "order": {"order_input": "00000123"},
            "category": {"category_select": "billing"},
            "severity": {"severity_select": "P2"},
            "description": {"description_input": "Customer was double-billed again"},
        },
    )
    assert submitted.status == 200 and submitted.user_error is None
    assert submitted.body["response_action"] == "errors"
    assert "could not check order 00000123" in submitted.body["errors"]["order"]
    assert escalations.search(bot.services)[1] == before  # nothing filed
    bot.org.set_faults({})
    again = bot.slack.view_submission(
        bot.url,
        user_id=ANA,
        view=view,
        values={
            "order": {"order_input": "00000123"},
            "category": {"category_select": "billing"},
            "severity": {"severity_select": "P2"},
            "description": {"description_input": "Customer was double-billed again"},
        },
    )
    assert again.body["response_action"] == "update"  # checked now: filed
    assert escalations.search(bot.services)[1] == before + 1


def test_busy_message_is_plain() -> None:
    assert BUSY.startswith("acctbot is busy, try again in a minute")
