"""What a person may see of an account search: the matches and the suggestions cut to
the accounts their Salesforce user may read (bot/visibility.py), shared by ``/account``
and ``/watch`` so both answer alike.

Suggestions are always computed from readable accounts only, whether or not an account
the person may not read matched exactly, so the answer for a hidden account and for one
that does not exist is the same (no existence oracle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import visibility
from bot.accounts.queries import MAX_MATCHES, AccountMatch, Lookup
from bot.people import identify

if TYPE_CHECKING:
    from bot.services import Services


def visible_matches(
    svc: Services, user_id: str, found: Lookup
) -> tuple[list[AccountMatch], int, bool]:
    """The matches of ``found`` that ``user_id`` may read, best first (every candidate the
    search read, not only the picker's first ten), how many readable accounts match, and
    whether that count is exact (every match's Id was checked).

    One access check (up to 200 Ids, bot/visibility.py). Raises AccessRefused /
    IdentityUnavailable for someone acctbot does not serve.
    """
    if not visibility.enforced(svc):
        identify(svc, user_id)
        return list(found.matches), found.total, True
    candidates = found.candidates or found.matches
    readable = visibility.readable_ids(
        svc, user_id, [*found.match_ids, *(c.id for c in candidates)]
    )
    visible = [c for c in candidates if c.id in readable]
    if len(visible) < MAX_MATCHES:
        # The first candidates may all be hidden from this person while readable matches
        # lie further down: read those (by Id, one request) rather than miss them.
        seen = {c.id for c in candidates}
        more = [i for i in found.match_ids if i in readable and i not in seen]
        visible += svc.accounts.matches_by_ids(more[: MAX_MATCHES - len(visible)])
    checked = set(found.match_ids) | {c.id for c in candidates}
    return visible, len(readable & checked), found.total <= len(checked)


def readable_suggestions(
    svc: Services, user_id: str, text: str, found: Lookup | None = None, limit: int = 3
) -> list[str]:
    """Up to ``limit`` close names for ``text`` among the accounts ``user_id`` may read.

    ``found``: the search that matched nothing (its ``near`` names); None when something
    matched that the person may not read: then one more request
    (``AccountFinder.suggest_matches``), so an exact match the person may not read gives
    the same words as no match at all.
    """
    if not visibility.enforced(svc):
        if found is not None:
            return list(found.suggestions)[:limit]
        return svc.accounts.suggest(text, limit)
    near = found.near if found is not None else svc.accounts.suggest_matches(text)
    if not near:
        return []
    readable = visibility.readable_ids(svc, user_id, [i for i, _ in near])
    return [name for i, name in near if i in readable][:limit]
