"""The check: what changed for everybody's watches since the last one, recorded once.

Every ``ACCTBOT_WATCH_INTERVAL_SECONDS`` (``jobs/watches.py``), :func:`run_check`:

1. reads every watch from the database and asks Salesforce, in **one composite request**,
   for the watched records whose ``SystemModstamp`` moved since the last check (see
   ``queries.py``; the window starts ``OVERLAP`` before the last check, so a clock a
   little off or a save committed late is not missed, and nothing is said twice because
   each record is compared with the last values acctbot kept);
2. compares each record's watched fields with the last values kept (``rules.py``) and,
   when something changed, records the change and one notice per watcher in one
   transaction, conditional on the values it read (``repo.record_change``): two checks
   at once (two replicas) record it once;
3. once per day (in the org's time zone) re-reads the kept values against the new date:
   an order passing its effective date or becoming stuck, a contract entering its last
   30 days, with no change in Salesforce at all;
4. then hands the notices to :mod:`bot.watches.deliver` (quiet hours, snoozes, bundling,
   the outbox).

Nothing changed, nothing is written and nobody is told. No watches, no request.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from bot.infra.models import WatchChange
from bot.infra.salesforce import SalesforceError
from bot.text import parse_sf_datetime
from bot.watches import deliver as delivery
from bot.watches import queries, repo, rules
from bot.watches.repo import Conflict, Seen, WatchRow
from bot.watches.rules import Context, Snapshot

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

OVERLAP = dt.timedelta(minutes=2)
TIME_KINDS = ("Order", "Contract")  # kinds whose news can come from the date alone


@dataclass
class CheckResult:
    """What one check did: Salesforce requests, records read, changes and notices
    recorded, DMs queued, which kinds were filtered by Id (``narrow``), and why it could
    not read Salesforce (``failed``)."""

    requests: int = 0
    records: int = 0
    changes: int = 0
    notices: int = 0
    dms: int = 0
    narrow: dict[str, bool] = field(default_factory=dict)
    failed: str | None = None  # Salesforce could not be read: why


@dataclass
class _Coverage:
    """Who watches what, as the check needs it."""

    direct: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    accounts: set[str] = field(default_factory=set)
    watchers: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, watches: list[WatchRow]) -> _Coverage:
        cov = cls()
        for w in watches:
            if w.sobject == "Account":
                cov.accounts.add(w.record_id)
            else:
                cov.direct[w.sobject].add(w.record_id)
            cov.watchers[w.record_id].append(w.slack_user_id)
        return cov

    def recipients(self, record_id: str, account_id: str | None) -> dict[str, str]:
        """Slack user -> the watched Id they are told through (their own watch of the
        record first, else their watch of its account)."""
        out: dict[str, str] = {}
        if account_id and account_id in self.accounts:
            for user in self.watchers.get(account_id, []):
                out[user] = account_id
        for user in self.watchers.get(record_id, []):
            out[user] = record_id
        return out

    def covers(self, sobject: str, record_id: str, account_id: str | None) -> bool:
        return record_id in self.direct.get(sobject, set()) or (
            account_id is not None and account_id in self.accounts
        )


def context(services: Services) -> Context:
    """The rules' context now: the org's today and zone, the stuck threshold, the org's
    draft status and top case priority (from describe, cached per process)."""
    vocab = services.vocabulary()
    return Context(
        today=services.today(),
        tz=services.tz,
        stuck_days=services.settings.stuck_days,
        draft_status=vocab.draft_status,
        top_priority=vocab.top_priority,
        corporate=vocab.currencies.corporate,
    )


def currency_field(services: Services) -> str:
    """``", CurrencyIsoCode"`` in a multi-currency org, else "" (a constant)."""
    return services.vocabulary().currencies.field


def seen_from(sobject: str, rec: dict[str, Any], ctx: Context) -> Seen:
    """A record as Salesforce returned it (``rules.SELECTS``), as the check keeps it."""
    return Seen(
        record_id=rec["Id"],
        sobject=sobject,
        account_id=rec.get("AccountId"),
        label=rules.label_of(sobject, rec),
        snapshot=rules.snapshot(sobject, rec, ctx),
        modstamp=parse_sf_datetime(rec.get("SystemModstamp")),
    )


def run_check(services: Services, *, deliver: bool = True) -> CheckResult:
    """One check for every watch (see the module docstring), then the alerts that are
    due. Safe to run from several processes at once. When Salesforce cannot be read, the
    failure is in ``result.failed``, nothing moves forward (the next check starts from the
    same point, so nothing is lost) and the alerts already due still go out."""
    now = services.now()
    result = CheckResult()
    try:
        _detect(services, now, result)
    except SalesforceError as exc:
        result.failed = f"{exc.error_code or type(exc).__name__}: {exc}"
        log.warning("watch check: Salesforce failed (%s); the next check starts from here", exc)
    if deliver:
        result.dms = delivery.deliver(services)
    return result


def _detect(services: Services, now: dt.datetime, result: CheckResult) -> None:
    with services.db.session() as s:
        watches = repo.all_watches(s)
        last = repo.cursor(s) or repo.earliest_watch(s)
        flags_day = repo.get_meta(s, repo.FLAGS_DAY_KEY)
    cov = _Coverage.of(watches)
    ctx = context(services)
    if watches:
        since = (last or now) - OVERLAP
        before = services.salesforce.requests_made
        found, result.narrow = queries.changed_since(
            services.salesforce, since, cov.direct, cov.accounts, currency_field(services)
        )
        result.requests = services.salesforce.requests_made - before
        result.records = len(found)
        done = _compare(services, cov, ctx, found, since, now, result)
        if flags_day != ctx.today.isoformat():
            _new_day(services, cov, ctx, done, now, result)
    with services.db.session() as s:
        repo.advance_cursor(s, now, now)
        if flags_day != ctx.today.isoformat():
            repo.set_meta(s, repo.FLAGS_DAY_KEY, ctx.today.isoformat(), now)
        _forget_uncovered(s, started=now)


def _compare(
    services: Services,
    cov: _Coverage,
    ctx: Context,
    found: list[tuple[str, dict[str, Any]]],
    since: dt.datetime,
    now: dt.datetime,
    result: CheckResult,
) -> set[str]:
    """Record what changed among the records Salesforce returned; returns their Ids."""
    ids = [rec["Id"] for _, rec in found]
    with services.db.session() as s:
        kept = repo.known(s, ids)
    done: set[str] = set()
    for sobject, rec in found:
        rid, account = rec["Id"], rec.get("AccountId")
        if rid in done or not cov.covers(sobject, rid, account):
            continue  # a broad query's record nobody watches
        row = kept.get(rid)
        direct = rid in cov.direct.get(sobject, set())
        if sobject == "Opportunity" and row is None and rec.get("IsClosed") and not direct:
            continue  # an account watch covers open deals (and those it saw open)
        done.add(rid)
        seen = seen_from(sobject, rec, ctx)
        by = (rec.get("LastModifiedBy") or {}).get("Name")
        at = parse_sf_datetime(rec.get("LastModifiedDate"))
        try:
            if row is None:
                created = parse_sf_datetime(rec.get("CreatedDate"))
                news = rules.changes(
                    sobject, None, seen.snapshot, ctx, created=bool(created and created >= since)
                )
                with services.db.session() as s:
                    if repo.first_sight(s, seen, now) and news:
                        first = repo.record_first_news(s, seen, news, now, by, at)
                        _notify(s, cov, first, now, result)
                continue
            if row.modstamp and seen.modstamp and seen.modstamp < row.modstamp:
                continue  # an older read than what acctbot already has
            old = Snapshot.from_json(json.loads(row.fields))
            if old.to_json() == seen.snapshot.to_json():
                continue  # touched, but nothing watched changed
            news = rules.changes(sobject, old, seen.snapshot, ctx)
            if old.values == seen.snapshot.values:  # only the date moved: nobody did it
                by, at = None, None
            with services.db.session() as s:
                change = repo.record_change(
                    s, row, seen, news, changed_by=by, changed_at=at, now=now
                )
                if change is not None:
                    _notify(s, cov, change, now, result)
        except (Conflict, IntegrityError, OperationalError) as exc:
            # Another check recorded it first (or holds the row): theirs stands.
            log.info("watch check: %s already recorded elsewhere (%s)", rid, type(exc).__name__)
    return done


def _new_day(
    services: Services,
    cov: _Coverage,
    ctx: Context,
    done: set[str],
    now: dt.datetime,
    result: CheckResult,
) -> None:
    """The first check of a day: news that comes from the date alone."""
    with services.db.session() as s:
        rows = repo.known_of_kinds(s, TIME_KINDS)
    for row in rows:
        if row.record_id in done or not cov.covers(row.sobject, row.record_id, row.account_id):
            continue
        old = Snapshot.from_json(json.loads(row.fields))
        new = Snapshot(old.values, rules.flags(row.sobject, old.values, ctx))
        if new.flags == old.flags:
            continue
        news = rules.changes(row.sobject, old, new, ctx)
        seen = Seen(row.record_id, row.sobject, row.account_id, row.label, new, row.modstamp)
        try:
            with services.db.session() as s:
                change = repo.record_change(
                    s, row, seen, news, changed_by=None, changed_at=None, now=now
                )
                if change is not None:
                    _notify(s, cov, change, now, result)
        except (Conflict, IntegrityError, OperationalError) as exc:
            log.info("watch check: %s already recorded elsewhere (%s)", row.record_id, exc)


def _notify(
    session: Session, cov: _Coverage, change: WatchChange, now: dt.datetime, result: CheckResult
) -> None:
    result.changes += 1
    for user, watched in cov.recipients(change.record_id, change.account_id).items():
        repo.add_notice(session, user=user, change=change, watched_id=watched, now=now)
        result.notices += 1


def _forget_uncovered(session: Session, *, started: dt.datetime) -> None:
    """Last values of records no watch covers any more are dropped (they would be stale
    when a new watch starts; the new watch reads its own). Coverage is read again here,
    and values kept since this check started stay: a watch made meanwhile keeps its own."""
    cov = _Coverage.of(repo.all_watches(session))
    drop = [
        record_id
        for record_id, sobject, account_id in repo.kept_rows(session, before=started)
        if not cov.covers(sobject, record_id, account_id)
    ]
    repo.forget(session, drop)
