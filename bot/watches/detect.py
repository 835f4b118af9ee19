"""The check: what changed for everybody's watches since the last one, recorded once.

Every ``ACCTBOT_WATCH_INTERVAL_SECONDS`` (``jobs/watches.py``), :func:`run_check`:

1. reads every watch from the database and asks Salesforce, in **one composite request**,
   for the watched records whose ``SystemModstamp`` moved since the last check (see
   ``queries.py``). The window is kept in **the org's time**: it starts ``OVERLAP``
   before the org's clock at the last check's answer (its ``Date`` header), so a bot
   clock ahead of the org's, or a save committed late, loses nothing; nothing is said
   twice because each record is compared with the last values acctbot kept;
2. compares each record's watched fields with the last values kept (``rules.py``) and,
   when something changed, records the change and one notice per watcher in one
   transaction, conditional on the values it read (``repo.record_change``): two checks
   at once (two replicas) record it once, and an older read of the same second never
   replaces a newer one (``repo.newer``). A record acctbot has no values of is judged by
   ``rules.first_news``: created since the last check, or moved to a watched account.
   A record that moved to another account is told to its new account's watchers and its
   old account's, so the news follows the record;
3. once per day (in the org's time zone) **re-reads** (``queries.reread``, through
   ``queryAll``) the records whose news comes from the date alone (an order passing its
   effective date or becoming stuck, a contract entering its last 30 days) and every
   record watched directly, so a date alert is about the record as it is now, routed by
   its account now; a record deleted in Salesforce (``IsDeleted``, or gone from the bin)
   says nothing more: its watchers are told it was deleted and its watches end;
4. then hands the notices to :mod:`bot.watches.deliver` (quiet hours, snoozes, one DM a
   person, the outbox).

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

from bot.infra.models import WatchChange, WatchedRecord
from bot.infra.salesforce import SalesforceError
from bot.text import parse_sf_datetime
from bot.watches import deliver as delivery
from bot.watches import queries, repo, rules
from bot.watches.repo import Conflict, Seen, WatchRow
from bot.watches.rules import Change, Context, Snapshot

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

OVERLAP = dt.timedelta(minutes=2)
TIME_KINDS = ("Order", "Contract")  # kinds whose news can come from the date alone
_RACES = (Conflict, IntegrityError, OperationalError)


@dataclass
class CheckResult:
    """What one check did: Salesforce requests, records read, changes and notices
    recorded, DMs queued, records found deleted, which kinds were filtered by Id
    (``narrow``), the org's time of the answer, and why it could not read Salesforce
    (``failed``)."""

    requests: int = 0
    records: int = 0
    changes: int = 0
    notices: int = 0
    dms: int = 0
    deleted: int = 0
    narrow: dict[str, bool] = field(default_factory=dict)
    org_time: dt.datetime | None = None
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

    def recipients(
        self, record_id: str, accounts: list[str | None], *, account_news: bool = True
    ) -> dict[str, str]:
        """Slack user -> the watched Id they are told through: their own watch of the
        record first, else their watch of one of ``accounts`` (the record's account now,
        and before a move), unless it is no news to an account's watchers."""
        out: dict[str, str] = {}
        if account_news:
            for account in accounts:
                if account and account in self.accounts:
                    for user in self.watchers.get(account, []):
                        out.setdefault(user, account)
        for user in self.watchers.get(record_id, []):
            out[user] = record_id
        return out

    def covers(self, sobject: str, record_id: str, account_id: str | None) -> bool:
        return record_id in self.direct.get(sobject, set()) or (
            account_id is not None and account_id in self.accounts
        )


def context(services: Services, now: dt.datetime | None = None) -> Context:
    """The rules' context at ``now`` (the org's time; default the bot's clock): the org's
    today and zone, the stuck threshold, the org's draft status and top case priority
    (from describe, cached per process)."""
    vocab = services.vocabulary()
    today = now.astimezone(services.tz).date() if now is not None else services.today()
    return Context(
        today=today,
        tz=services.tz,
        stuck_days=services.settings.stuck_days,
        draft_status=vocab.draft_status,
        top_priority=vocab.top_priority,
        corporate=vocab.currencies.corporate,
    )


def currency_field(services: Services) -> str:
    """``", CurrencyIsoCode"`` in a multi-currency org, else "" (a constant)."""
    return services.vocabulary().currencies.field


def seen_from(
    sobject: str, rec: dict[str, Any], ctx: Context, read_at: dt.datetime | None = None
) -> Seen:
    """A record as Salesforce returned it (``rules.SELECTS``), as the check keeps it;
    ``read_at``: the org's time when Salesforce answered."""
    return Seen(
        record_id=rec["Id"],
        sobject=sobject,
        account_id=rec.get("AccountId"),
        label=rules.label_of(sobject, rec),
        snapshot=rules.snapshot(sobject, rec, ctx),
        modstamp=parse_sf_datetime(rec.get("SystemModstamp")),
        read_at=read_at,
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


@dataclass
class _Check:
    """One check's state: who watches what, the window's start and the org's time."""

    services: Services
    cov: _Coverage
    ctx: Context
    since: dt.datetime
    read_at: dt.datetime  # the org's time of the answer being judged
    now: dt.datetime  # the bot's clock (when things were recorded)
    result: CheckResult
    done: set[str] = field(default_factory=set)


def _detect(services: Services, now: dt.datetime, result: CheckResult) -> None:
    with services.db.session() as s:
        watches = repo.all_watches(s)
        last = repo.cursor(s) or repo.earliest_watch(s)
        flags_day = repo.get_meta(s, repo.FLAGS_DAY_KEY)
        swept = repo.get_meta(s, repo.SWEPT_KEY)
    if not watches:
        with services.db.session() as s:
            repo.clear_cursor(s)
            if swept != repo.signature(watches):
                _forget_uncovered(s, started=now)
        return
    cov = _Coverage.of(watches)
    since = (last or now) - OVERLAP
    sf = services.salesforce
    before = sf.requests_made
    found = queries.changed_since(sf, since, cov.direct, cov.accounts, currency_field(services))
    result.requests = sf.requests_made - before
    result.records = len(found.records)
    result.narrow = found.narrow
    stamps = [parse_sf_datetime(rec.get("SystemModstamp")) for _, rec in found.records]
    latest = max((t for t in stamps if t is not None), default=None)
    org_now = found.answered or latest or now
    result.org_time = found.answered
    check = _Check(services, cov, context(services, org_now), since, org_now, now, result)
    _compare(check, found.records)
    today = check.ctx.today.isoformat()
    if flags_day != today:
        _new_day(check)
        result.requests = sf.requests_made - before
    with services.db.session() as s:
        if found.answered is not None or latest is not None:
            # The org's time (never the bot's): the next window starts OVERLAP before it.
            repo.advance_cursor(s, found.answered or latest, now)  # type: ignore[arg-type]
        if flags_day != today:
            repo.set_meta(s, repo.FLAGS_DAY_KEY, today, now)
        if swept != repo.signature(watches) or flags_day != today:
            _forget_uncovered(s, started=now)


def _compare(check: _Check, found: list[tuple[str, dict[str, Any]]]) -> None:
    """Judge every record Salesforce returned that a watch covers (now, or before it
    moved to another account)."""
    with check.services.db.session() as s:
        kept = repo.known(s, [rec["Id"] for _, rec in found])
    for sobject, rec in found:
        rid = rec["Id"]
        if rid in check.done:
            continue
        row = kept.get(rid)
        covered = check.cov.covers(sobject, rid, rec.get("AccountId"))
        was = row is not None and check.cov.covers(sobject, rid, row.account_id)
        if not covered and not was:
            continue  # a broad query's record nobody watches
        check.done.add(rid)
        try:
            _judge(check, sobject, rec, row)
        except _RACES as exc:
            # Another check recorded it first (or holds the row): theirs stands.
            log.info("watch check: %s already recorded elsewhere (%s)", rid, type(exc).__name__)


def _judge(check: _Check, sobject: str, rec: dict[str, Any], row: WatchedRecord | None) -> None:
    """Compare one record with what acctbot kept of it, and record what is news."""
    seen = seen_from(sobject, rec, check.ctx, check.read_at)
    db = check.services.db
    if row is None:
        created = parse_sf_datetime(rec.get("CreatedDate"))
        is_new = bool(created and created >= check.since)
        news = rules.first_news(sobject, seen.snapshot, check.ctx, created=is_new)
        if not is_new and seen.record_id in check.cov.direct.get(sobject, set()):
            news = []  # watched itself, not through an account: nothing "moved here"
        by, at, how = _attribution(sobject, rec, news, created=is_new)
        with db.session() as s:
            if repo.first_sight(s, seen, check.now) and news:
                first = repo.record_first_news(s, seen, news, check.now, by, at, how)
                _notify(
                    s, check, first, account_news=rules.account_news(sobject, None, seen.snapshot)
                )
        return
    if not repo.newer(row, seen):
        return  # an older read, or one of the same second that may be older
    old = Snapshot.from_json(json.loads(row.fields))
    if old.to_json() == seen.snapshot.to_json() and not _stamps_moved(row, seen):
        return  # touched, but nothing watched changed
    news = rules.changes(sobject, old, seen.snapshot, check.ctx)
    if not check.cov.covers(sobject, seen.record_id, seen.account_id):
        # It left every watch that covered it: its old account's watchers hear that it
        # moved, and nothing more about it.
        news = [c for c in news if c.kind == "moved"]
    by, at, how = _attribution(sobject, rec, news, created=False)
    if old.values == seen.snapshot.values:  # only the date moved: nobody did it
        by, at, how = None, None, None
    with db.session() as s:
        change = repo.record_change(
            s, row, seen, news, changed_by=by, changed_at=at, now=check.now, attribution=how
        )
        if change is not None:
            moved_from = row.account_id if rules.moved(old, seen.snapshot) else None
            _notify(
                s,
                check,
                change,
                account_news=rules.account_news(sobject, old, seen.snapshot),
                moved_from=moved_from,
            )


def _stamps_moved(row: WatchedRecord, seen: Seen) -> bool:
    """Is ``seen`` a later read of unchanged values (kept, so that a read of the same
    second is later judged against the right one)?"""
    settled_before = repo.settled(row.modstamp, row.read_at)
    return seen.modstamp != row.modstamp or (
        repo.settled(seen.modstamp, seen.read_at) and not settled_before
    )


def _attribution(
    sobject: str, rec: dict[str, Any], news: list[Change], *, created: bool
) -> tuple[str | None, dt.datetime | None, str | None]:
    """(who, when, what that is) for a change, saying no more than Salesforce knows: an
    order's activation names who activated it (``ActivatedBy``, ``ActivatedDate``); a
    new record who created it; anything else the record's *last save*
    (``LastModifiedBy``), which need not be the save that made the watched change."""
    if sobject == "Order" and any(c.kind == "activated" for c in news):
        name = (rec.get("ActivatedBy") or {}).get("Name")
        if name:
            return name, parse_sf_datetime(rec.get("ActivatedDate")), "activated"
    if created:
        name = (rec.get("CreatedBy") or {}).get("Name")
        if name:
            return name, parse_sf_datetime(rec.get("CreatedDate")), "created"
    name = (rec.get("LastModifiedBy") or {}).get("Name")
    return name, parse_sf_datetime(rec.get("LastModifiedDate")), "last_saved"


def _new_day(check: _Check) -> None:
    """The first check of a day: news from the date alone, about the records as they are
    now (re-read), and what was deleted among the records watched."""
    cov, ctx = check.cov, check.ctx
    with check.services.db.session() as s:
        rows = {r.record_id: r for r in repo.known_of_kinds(s, TIME_KINDS)}
        labels = {w.record_id: (w.label, w.account_id) for w in repo.watch_labels(s)}
    wanted: dict[str, set[str]] = defaultdict(set)
    for kept_row in rows.values():
        rid, sobject = kept_row.record_id, kept_row.sobject
        if rid in check.done or not cov.covers(sobject, rid, kept_row.account_id):
            continue
        old = Snapshot.from_json(json.loads(kept_row.fields))
        if rules.flags(sobject, old.values, ctx) != old.flags:
            wanted[sobject].add(rid)  # about to be announced: read it again
    for sobject, ids in cov.direct.items():
        wanted[sobject] |= ids - check.done
    wanted["Account"] |= cov.accounts
    if not any(wanted.values()):
        return
    again = queries.reread(check.services.salesforce, wanted, currency_field(check.services))
    if again.answered is not None:
        check.read_at = again.answered
    with check.services.db.session() as s:
        kept = repo.known(s, [rid for ids in wanted.values() for rid in ids])
    for sobject, ids in wanted.items():
        for rid in sorted(ids):
            got = again.records.get(rid)
            rec = got[1] if got is not None else None
            row = kept.get(rid)
            try:
                if rec is None or rec.get("IsDeleted"):
                    label, account = labels.get(rid, (row.label if row else rid, None))
                    how = "deleted" if rec is not None else "gone"
                    _gone(check, sobject, rid, label, row.account_id if row else account, how)
                elif sobject != "Account" and rid not in check.done:
                    check.done.add(rid)
                    covered = cov.covers(sobject, rid, rec.get("AccountId"))
                    if covered or (row is not None and cov.covers(sobject, rid, row.account_id)):
                        _judge(check, sobject, rec, row)
            except _RACES as exc:
                log.info("watch check: %s already recorded elsewhere (%s)", rid, exc)


def _gone(
    check: _Check,
    sobject: str,
    record_id: str,
    label: str,
    account_id: str | None,
    how: str,
) -> None:
    """A watched record no longer in Salesforce (``how``: "deleted", in the recycle bin;
    "gone", not returned at all): those who watch it *itself* are told once, their
    watches end and its kept values go. Its account's watchers are not told: whether
    each of them could read it, nobody can ask Salesforce any more (a deleted record has
    no UserRecordAccess row), and an alert never names what its reader may not read."""
    with check.services.db.session() as s:
        change = repo.record_gone(
            s,
            record_id=record_id,
            sobject=sobject,
            account_id=account_id if sobject != "Account" else record_id,
            label=label,
            now=check.now,
            kind=how,
        )
        _notify(s, check, change, account_news=sobject == "Account")
    check.result.deleted += 1
    log.info("watch check: %s %s is no longer in Salesforce; its watches ended", sobject, record_id)


def _notify(
    session: Session,
    check: _Check,
    change: WatchChange,
    *,
    account_news: bool = True,
    moved_from: str | None = None,
) -> None:
    check.result.changes += 1
    accounts = [change.account_id, moved_from]
    people = check.cov.recipients(change.record_id, accounts, account_news=account_news)
    for user, watched in people.items():
        repo.add_notice(session, user=user, change=change, watched_id=watched, now=check.now)
        check.result.notices += 1


def _forget_uncovered(session: Session, *, started: dt.datetime) -> None:
    """Last values of records no watch covers any more are dropped (they would be stale
    when a new watch starts; the new watch reads its own). Coverage is read again here,
    and values kept since this check started stay: a watch made meanwhile keeps its own.
    Run when the watches changed since the last time (their ``signature``), and daily:
    reading every kept value each minute would cost the most of a quiet check."""
    watches = repo.all_watches(session)
    cov = _Coverage.of(watches)
    drop = [
        record_id
        for record_id, sobject, account_id in repo.kept_rows(session, before=started)
        if not cov.covers(sobject, record_id, account_id)
    ]
    repo.forget(session, drop)
    repo.set_meta(session, repo.SWEPT_KEY, repo.signature(watches), started)
