"""What the listeners share: settings, Salesforce desks, cache, clock, worker queues.

Listeners ``ack()`` at once and hand the slow work to :meth:`Services.answer`, which runs
it on a bounded queue separate from Bolt's listener threads (:class:`WorkQueue`), so the
3-second ack never waits behind a slow Salesforce. Every request gets exactly one
answer: its result, a clear error (the log gets the traceback), "busy" when the queue
is full, or "restarting" when the process is stopped before it got to it.

Look-ups made while Slack waits (the escalation form's type-ahead and pre-fill, the
order check on submit) run on a second, small queue with a hard time limit
(:meth:`Services.quick_call`), so they never take the answer workers nor hold a
listener longer than their budget.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.accounts.queries import AccountFinder
from bot.blocks import Message, error_message, without_share
from bot.cache import TTLCache
from bot.delivery.channels import Channels
from bot.escalations.sla import SlaPolicy

if TYPE_CHECKING:
    from bot.delivery.outbox import Task as OutboxTask
from bot.infra.db import Database
from bot.infra.salesforce import SalesforceError, SalesforceService
from bot.once import OnceKeys
from bot.orders.queries import OrderDesk
from bot.people import IDENTITY_TTL, AccessRefused, identify, refusal_message
from bot.pipeline.queries import PipelineDesk
from bot.settings import Settings
from bot.teams import Teams
from bot.timers import Timers
from bot.vocabulary import VocabularySource
from bot.workqueue import QueueFull, WorkQueue

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
# Seconds a command's answer may take before one short "still looking" message is posted
# ahead of it (a person waits about a second and a half before wondering).
SLOW_AFTER = 1.5
INTERNAL_ERROR = (
    "Something went wrong on acctbot's side, and it is logged. Try again in a "
    "moment; if it keeps happening, tell your Slack admin."
)
BUSY = (
    "acctbot is busy, try again in a minute. (Salesforce is answering slowly and "
    "requests are queueing up.)"
)
RESTARTING = "acctbot is restarting and could not finish this. Try again in a minute."
QUICK_WORKERS = 4  # threads for look-ups made while Slack waits (type-ahead, pre-fill)
QUICK_WAITING = 4
NOTICE_WORKERS = 4  # threads posting "busy" and "still looking" (never Bolt's threads)
NOTICE_WAITING = 2000
MAX_QUEUE_WAIT = 45.0  # seconds: a queued answer older than this says "busy" instead


def not_now(text: str, outcome: str) -> Message:
    """The error that answers a request acctbot did not get to ("busy", "restarting");
    ``outcome`` is what the audit log says."""
    msg = error_message(text)
    msg.outcome = outcome
    return msg


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Services:
    settings: Settings
    salesforce: SalesforceService
    teams: Teams
    db: Database
    clock: Clock = system_clock
    workers: int | None = None  # answer threads (default: ACCTBOT_WORKERS)
    slow_after: float = SLOW_AFTER  # seconds before a slow answer gets "still looking"
    slack: WebClient | None = None  # the app's Web API client, set by create_app
    sla: SlaPolicy = field(init=False)  # escalation reminders, from Settings
    # Outbox rows that run code instead of posting: method name -> task (create_app
    # registers them explicitly; see bot/delivery/outbox.py).
    outbox_tasks: dict[str, OutboxTask] = field(default_factory=dict)
    # Called after /digest subscribe|unsubscribe: the process that owns the scheduler
    # sets it to re-sync the digest jobs (others leave it; the maintenance job catches up).
    schedule_changed: Callable[[], None] = field(default=lambda: None)
    # One digest batch at a time in this process (claims in the database keep replicas
    # apart; this keeps one process's scheduled, retried and by-hand batches in order).
    digest_lock: threading.Lock = field(default_factory=threading.Lock)
    cache: TTLCache = field(init=False)
    # Who people are (bot/people.py) and what they may read (bot/visibility.py): keyed
    # by person, so one person's answer never reaches another.
    people_cache: TTLCache = field(init=False)
    access_cache: TTLCache = field(init=False)
    pool: WorkQueue = field(init=False)  # answers to commands and clicks
    quick: WorkQueue = field(init=False)  # look-ups made while Slack waits
    notices: WorkQueue = field(init=False)  # "busy", "still looking"
    once: OnceKeys = field(init=False)
    channels: Channels = field(init=False)  # channel ids by name; channels joined
    timers: Timers = field(init=False)
    tz: ZoneInfo = field(init=False)
    accounts: AccountFinder = field(init=False)
    orders: OrderDesk = field(init=False)
    pipeline: PipelineDesk = field(init=False)
    vocabulary: VocabularySource = field(init=False)

    def __post_init__(self) -> None:
        self.sla = self.settings.sla
        self.cache = TTLCache(self.settings.cache_ttl)
        self.people_cache = TTLCache(IDENTITY_TTL, maxsize=20_000)
        self.access_cache = TTLCache(self.settings.cache_ttl, maxsize=100_000)
        s = self.settings
        self.pool = WorkQueue(
            "acctbot",
            workers=self.workers or s.workers,
            max_waiting=s.queue_limit,
            max_wait=MAX_QUEUE_WAIT,
        )
        self.quick = WorkQueue("acctbot-quick", workers=QUICK_WORKERS, max_waiting=QUICK_WAITING)
        self.notices = WorkQueue(
            "acctbot-notices", workers=NOTICE_WORKERS, max_waiting=NOTICE_WAITING
        )
        self.once = OnceKeys(self.db)
        self.timers = Timers()
        self.channels = Channels()
        self.tz = ZoneInfo(self.settings.timezone)
        self.vocabulary = VocabularySource(self.salesforce)
        self.accounts = AccountFinder(
            self.salesforce,
            tz=self.tz,
            stuck_days=s.stuck_days,
            vocabulary=self.vocabulary,
            finished=s.finished_order_statuses,
        )
        self.orders = OrderDesk(
            self.salesforce,
            tz=self.tz,
            stuck_days=s.stuck_days,
            vocabulary=self.vocabulary,
            finished=s.finished_order_statuses,
        )
        self.pipeline = PipelineDesk(
            self.salesforce, vocabulary=self.vocabulary, week_start=s.week_start
        )

    # -- time
    def now(self) -> dt.datetime:
        return self.clock()

    def today(self) -> dt.date:
        return self.clock().astimezone(self.tz).date()

    def record_url(self, record_id: str) -> str:
        return self.salesforce.record_url(record_id)

    # -- background work with a guaranteed answer
    def answer(
        self,
        respond: Callable[..., Any],
        work: Callable[[], Message],
        *,
        replace_original: bool = False,
        what: str = "request",
        channel_id: str | None = None,
        user_id: str | None = None,
        progress: Message | None = None,
        audit: str | None = "lookup",
    ) -> Future[None]:
        """Queue ``work`` and answer exactly once: its message, a clear error, "busy"
        (the queue is full, or the job waited too long), or "restarting" (the process was
        stopped first). "Busy" for a full queue comes at once, from the small notice
        queue, so Bolt's listener threads never wait on it.

        A slash command is acknowledged with an empty body and answered here, once: Slack
        cannot replace or delete what a command's ``response_url`` posts ("it's not
        possible to reuse the same response_url to update the message", Slack on
        slackapi/bolt-python#1268), so every post stays on screen. With ``progress``, when
        the answer is not ready ``slow_after`` seconds after this call, that one short
        message is posted first; a fast answer comes alone, and the answer never depends
        on it.

        ``replace_original`` (a click on a card or picker) replaces the message that
        carried the button with the answer, never with an error: an error goes to the
        person who clicked as a new ephemeral message and the card stays (on a card shared
        in a channel, everyone would see it). The answer goes through ``response_url``; if
        Slack refuses it, see :meth:`deliver`.

        ``user_id`` (the asker) must be someone acctbot serves (:func:`bot.people.identify`)
        before ``work`` runs; anyone else gets the refusal instead. Then the audit log gets
        one line (``audit`` is its action; None writes none).
        """
        gate = threading.Lock()  # the progress post, if any, lands before the answer
        answered = threading.Event()

        def post_progress() -> None:
            with gate:
                if answered.is_set() or progress is None:
                    return
                try:
                    respond(**progress.payload(response_type="ephemeral"))
                except Exception as exc:  # only a courtesy: the answer still follows
                    log.warning("could not post progress for %s (%s)", what, exc)

        # Started now, not when a worker picks the task up: under load the task may wait
        # for a worker, and the person should still hear "still looking" on time. It
        # runs on the timers' own threads (bot/timers.py), never behind this pool's work.
        timer = (
            self.timers.call_later(self.slow_after, post_progress) if progress is not None else None
        )
        final = threading.Lock()  # the one answer: the work's, "busy" or "restarting"

        def finish(msg: Message) -> None:
            if not final.acquire(blocking=False):
                return  # answered already (the work finished while draining, say)
            if timer is not None:
                timer.cancel()
            with gate:
                answered.set()
            self.deliver(
                respond,
                msg,
                replace_original=replace_original and not msg.is_error,
                what=what,
                channel_id=channel_id,
                user_id=user_id,
            )
            if audit is not None:
                self.audit(audit, what, msg, user_id=user_id, channel_id=channel_id)

        def task() -> None:
            msg = self.compute(work, what=what, user_id=user_id)
            if self.settings.sharing == "off":
                msg = without_share(msg)
            finish(msg)

        future = self.pool.try_submit(
            task,
            what=what,
            on_stale=lambda: finish(not_now(BUSY, "busy")),
            on_abandon=lambda: finish(not_now(RESTARTING, "restarting")),
        )
        if future is None:
            log.warning("%s: the answer queue is full; telling the user acctbot is busy", what)
            future = self.notices.try_submit(lambda: finish(not_now(BUSY, "busy")), what=what)
            if future is None:
                log.error("%s: even the notice queue is full; the user gets no answer", what)
                future = Future()
                future.set_result(None)
        return future

    def audit(
        self,
        action: str,
        command: str,
        msg: Message,
        *,
        user_id: str | None,
        channel_id: str | None,
    ) -> None:
        """One audit line for an answer: its record Ids and outcome (a refused or denied
        request is logged as a "refusal"). Never raises."""
        from bot import audit

        if msg.outcome in ("refused", "denied", "unavailable"):
            action = "refusal"
        audit.record(
            self,
            action=action,
            command=command,
            slack_user_id=user_id,
            channel_id=channel_id,
            record_ids=msg.record_ids,
            outcome=msg.outcome,
        )

    def compute(
        self, work: Callable[[], Message], *, what: str, user_id: str | None = None
    ) -> Message:
        """``work()``'s message, or a clear error message (the log gets the traceback).

        With ``user_id``, the asker is identified first; a refusal is the answer then."""
        try:
            if user_id:
                identify(self, user_id)
            return work()
        except AccessRefused as exc:
            log.info("%s refused for %s: %s", what, user_id, exc.reason)
            return refusal_message(exc)
        except SalesforceError as exc:
            log.warning("%s failed: %s: %s", what, type(exc).__name__, exc)
            return error_message(exc.user_message)
        except Exception:
            log.exception("%s failed", what)
            return error_message(INTERNAL_ERROR)

    def deliver(
        self,
        respond: Callable[..., Any],
        msg: Message,
        *,
        replace_original: bool,
        what: str,
        channel_id: str | None = None,
        user_id: str | None = None,
    ) -> None:
        """Post ``msg`` for the person through ``respond`` (their response_url).

        If Slack refuses that (expired, used up, down), the message goes to ``user_id``
        with ``chat.postEphemeral`` in ``channel_id``; where the bot cannot post
        ephemerally (a channel it is not in: ``not_in_channel``, ``channel_not_found``,
        https://api.slack.com/methods/chat.postEphemeral), as a DM from the app instead.
        """
        problem = ""
        try:
            resp = respond(
                **msg.payload(response_type="ephemeral", replace_original=replace_original)
            )
            status = getattr(resp, "status_code", 200)
            if status == 200:
                return
            problem = f"HTTP {status} {getattr(resp, 'body', '')!s:.100}"
        except Exception as exc:
            problem = f"{type(exc).__name__}: {exc}"
        log.warning("response_url refused the answer to %s (%s)", what, problem)
        # Failures from here on are about reaching this person (a user or channel Slack
        # does not know, Slack down): warnings naming the cause, not tracebacks.
        if not (channel_id and user_id and self.slack):
            log.warning("could not deliver the answer to %s: no other way to reach the user", what)
            return
        try:
            self.slack.chat_postEphemeral(
                channel=channel_id, user=user_id, text=msg.text, blocks=msg.blocks
            )
            return
        except SlackApiError as exc:
            log.warning(
                "chat.postEphemeral of the answer to %s failed (%s); sending it as a DM",
                what,
                exc.response.get("error"),
            )
        except Exception as exc:
            log.warning("could not deliver the answer to %s: %s: %s", what,
                        type(exc).__name__, str(exc)[:200])  # fmt: skip
            return
        try:
            self.slack.chat_postMessage(channel=user_id, text=msg.text, blocks=msg.blocks)
        except SlackApiError as exc:
            log.warning("could not deliver the answer to %s: chat.postMessage said %s",
                        what, exc.response.get("error"))  # fmt: skip
        except Exception as exc:
            log.warning("could not deliver the answer to %s: %s: %s", what,
                        type(exc).__name__, str(exc)[:200])  # fmt: skip

    def submit(
        self,
        fn: Callable[[], Any],
        *,
        what: str,
        on_busy: Callable[[], None] | None = None,
        on_abandon: Callable[[], None] | None = None,
    ) -> Future[Any]:
        """Run ``fn`` on the answer queue (its exception is logged and set on the future).
        When the queue is full nothing runs: ``on_busy`` is called (on the notice queue),
        or the refusal is logged, and the future fails with :class:`QueueFull`."""

        def task() -> Any:
            try:
                return fn()
            except AccessRefused as exc:
                log.info("%s refused: %s", what, exc.reason)
                raise
            except Exception:
                log.exception("%s failed", what)
                raise

        future = self.pool.try_submit(task, what=what, on_stale=on_busy, on_abandon=on_abandon)
        if future is None:
            future = Future()
            future.set_exception(QueueFull(what))
            if on_busy is not None:
                self.notices.try_submit(on_busy, what=what)
            else:
                log.warning("%s skipped: the answer queue is full", what)
        return future

    def quick_call(self, fn: Callable[[], Any], *, timeout: float, what: str) -> Any:
        """``fn()`` on the small look-up queue, waiting at most ``timeout`` seconds.

        Raises:
            QueueFull: no room (too many look-ups are already waiting on Salesforce).
            TimeoutError: no answer in time (the look-up may finish in the background).
            Exception: whatever ``fn`` raised.
        """
        return self.quick.call(fn, timeout=timeout, what=what)

    def drain(self, timeout: float) -> tuple[int, int]:
        """On shutdown: take no new work, give what was acknowledged ``timeout`` seconds
        to be answered, then answer the rest "restarting". Returns (finished, abandoned)."""
        self.quick.shutdown(wait=False, cancel_futures=True)
        finished, abandoned = self.pool.drain(timeout)
        self.notices.drain(2.0)  # the "busy" answers already queued
        return finished, abandoned


def services_of(context: BoltContext) -> Services:
    services: Services = context["services"]
    return services
