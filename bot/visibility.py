"""Who sees what: the records a person's own Salesforce user may read.

acctbot reads Salesforce as one integration user, who usually sees everything. With
``ACCTBOT_VISIBILITY=salesforce`` (the default) every record shown to a person is first
checked against *their* Salesforce user with the standard ``UserRecordAccess`` object,
asked by the integration user:

    SELECT RecordId, HasReadAccess FROM UserRecordAccess
    WHERE UserId = '005...' AND RecordId IN ('001...', ...)

Salesforce answers it by the org's whole sharing model (owner, role hierarchy,
organization-wide defaults, sharing rules, manual shares, teams, implicit sharing, View
All Data), which acctbot does not try to re-implement. "Up to 200 record IDs can be
queried" (Object Reference, UserRecordAccess:
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_userrecordaccess.htm),
so longer lists are asked 200 at a time; records the integration user cannot read, or
that no longer exist, come back without a row and count as not readable. The object
"doesn't consider whether a user's access is blocked by a restriction rule" (same page):
acctbot does not either (README, "Who sees what").

Each answer is kept for ``ACCTBOT_CACHE_TTL`` seconds per (Salesforce user, record), so a
repeated look-up costs no request, and one person's answer never serves another.

``ACCTBOT_VISIBILITY=workspace`` skips the check: every person acctbot serves sees what
the integration user sees. Either way the asker must be someone acctbot serves
(:func:`bot.people.identify`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, TypeVar

from bot.blocks import Message
from bot.people import Person, identify

if TYPE_CHECKING:
    from bot.services import Services

MAX_IDS_PER_QUERY = 200
ACCESS_SOQL = (
    "SELECT RecordId, HasReadAccess FROM UserRecordAccess WHERE UserId = {} AND RecordId IN {}"
)
_SF_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")

T = TypeVar("T")


def enforced(services: Services) -> bool:
    """True when records are checked against each person's Salesforce user."""
    return services.settings.visibility == "salesforce"


def readable_ids(services: Services, slack_user_id: str, record_ids: Collection[str]) -> set[str]:
    """The subset of ``record_ids`` (15- or 18-character Salesforce Ids, as given) that the
    Slack user's own Salesforce user may read; all of them with
    ``ACCTBOT_VISIBILITY=workspace``.

    At most one ``UserRecordAccess`` query per 200 Ids not already cached (none on a warm
    cache). Strings that are not Salesforce Ids are never readable.

    Raises:
        AccessRefused: the Slack user is not someone acctbot serves (guest, bot,
            deactivated, unmapped); IdentityUnavailable when Slack cannot say.
        SalesforceError: Salesforce could not be asked (same family as other queries).
    """
    person = identify(services, slack_user_id)
    if not enforced(services):
        return {i for i in record_ids if i}
    return readable_by(services, person, record_ids)


def readable_by(
    services: Services, person: Person, record_ids: Collection[str], *, fresh: bool = False
) -> set[str]:
    """:func:`readable_ids` for an already identified person, whatever the visibility
    mode (reassigning an escalation uses it). ``fresh`` asks Salesforce again instead of
    using the cache ("Refresh")."""
    ids = [i for i in dict.fromkeys(record_ids) if i and _SF_ID.match(i)]
    user = person.salesforce_user_id
    known: dict[str, bool] = {}
    missing: list[str] = []
    for record_id in ids:
        hit = None if fresh else services.access_cache.get(("read", user, record_id[:15]))
        if hit is None:
            missing.append(record_id)
        else:
            known[record_id[:15]] = bool(hit)
    for start in range(0, len(missing), MAX_IDS_PER_QUERY):
        batch = missing[start : start + MAX_IDS_PER_QUERY]
        rows = services.salesforce.query_records(ACCESS_SOQL, user, batch)
        granted = {str(r["RecordId"])[:15] for r in rows if r.get("HasReadAccess")}
        for record_id in batch:
            key15 = record_id[:15]
            known[key15] = key15 in granted
            services.access_cache.put(("read", user, key15), known[key15])
    return {i for i in ids if known.get(i[:15])}


def readable_records(
    services: Services,
    slack_user_id: str,
    records: Sequence[T],
    record_id: Callable[[T], str | None] = lambda r: r["Id"],  # type: ignore[index]
) -> list[T]:
    """The records (in order) whose Id the person may read; one check for all of them."""
    ids = [i for i in (record_id(r) for r in records) if i]
    readable = readable_ids(services, slack_user_id, ids)
    return [r for r in records if record_id(r) in readable]


def scope_note(services: Services, shared_by: str | None = None) -> str:
    """The words a card's "as of" line gets in ``salesforce`` mode: whose view it is."""
    if not enforced(services):
        return ""
    return f" · as <@{shared_by}> sees it" if shared_by else " · only what you can see"


def add_scope(msg: Message, note: str) -> Message:
    """Append ``note`` to the message's "From Salesforce as of" context line."""
    if not note:
        return msg
    for block in msg.blocks:
        if block.get("type") != "context":
            continue
        for element in block.get("elements") or []:
            text = element.get("text", "")
            if text.startswith("From Salesforce as of"):
                element["text"] = text + note
                return msg
    return msg
