"""Who hears about an escalation, and the look-ups done while the modal waits.

The escalation channel always; the managers of the reporter's team (teams file); the
account owner's manager in Salesforce (``User.ManagerId``, mapped to Slack by e-mail
with ``users.lookupByEmail``); on SLA reminders, the next manager up that chain.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.escalations.form import Draft
from bot.infra.salesforce import SalesforceError
from bot.people import AccessRefused, slack_email

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


@dataclass
class Route:
    """Who hears about an escalation (besides the escalation channel)."""

    team_managers: list[str] = field(default_factory=list)
    sf_manager: str | None = None  # Slack id of the account owner's manager
    sf_manager_sf_id: str | None = None
    account_name: str | None = None
    owner_name: str | None = None

    def recipients(self, reporter: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = [(u, "team_manager") for u in self.team_managers]
        if self.sf_manager and self.sf_manager not in self.team_managers:
            out.append((self.sf_manager, "sf_manager"))
        return [(u, role) for u, role in out if u != reporter]


def slack_id_for_email(services: Services, client: WebClient, email: str | None) -> str | None:
    """users.lookupByEmail, cached; None when Slack has nobody with that address."""
    if not email:
        return None
    key = ("slack_by_email", email.lower())
    hit = services.cache.get(key)
    if hit is not None:
        return hit or None
    try:
        user = client.users_lookupByEmail(email=email)["user"]
    except SlackApiError as exc:
        if exc.response.get("error") in ("users_not_found", "user_not_found"):
            services.cache.put(key, "")
            return None
        raise
    services.cache.put(key, user["id"])
    return str(user["id"])


def resolve_route(
    services: Services, client: WebClient, reporter: str, account_id: str | None
) -> Route:
    """Team managers (teams file) + the account owner's Salesforce manager (one query)."""
    email = slack_email(services, reporter, strict=True)
    route = Route(team_managers=services.teams.managers_of(reporter, email))
    if account_id:
        recs = services.salesforce.query_records(
            "SELECT Id, Name, Owner.Name, Owner.ManagerId, Owner.Manager.Email "
            "FROM Account WHERE Id = {}",
            account_id,
        )
        if recs:
            owner = recs[0].get("Owner") or {}
            route.account_name = recs[0].get("Name")
            route.owner_name = owner.get("Name")
            route.sf_manager_sf_id = owner.get("ManagerId")
            manager = owner.get("Manager") or {}
            route.sf_manager = slack_id_for_email(services, client, manager.get("Email"))
    return route


def next_manager_up(
    services: Services, client: WebClient, sf_user_id: str | None
) -> tuple[str | None, str | None]:
    """(Salesforce id, Slack id) of ``sf_user_id``'s manager, or (None, None)."""
    if not sf_user_id:
        return None, None
    recs = services.salesforce.query_records(
        "SELECT Id, ManagerId, Manager.Email FROM User WHERE Id = {}", sf_user_id
    )
    if not recs or not recs[0].get("ManagerId"):
        return None, None
    email = (recs[0].get("Manager") or {}).get("Email")
    return recs[0]["ManagerId"], slack_id_for_email(services, client, email)


@dataclass
class Prepared:
    draft: Draft | None
    route: Route | None
    errors: dict[str, str]


NO_ACCESS = "Your Salesforce user can't see that {what}, so you can't file an escalation on it."
SLOW_ACCESS = "I couldn't check your access to that account in time. Please submit again."


def _readable(services: Services, reporter: str, record_id: str) -> bool:
    from bot.visibility import readable_ids

    return record_id in readable_ids(services, reporter, [record_id])


def order_unchecked(number: str) -> str:
    """The modal error for an order Salesforce could not be asked about in time."""
    return (
        f"I could not check order {number} with Salesforce just now (it is slow or "
        "busy), so nothing is filed yet. Submit again in a moment, or clear the order "
        "number and mention it in the description."
    )


def prepare(
    services: Services, client: WebClient, draft: Draft, *, budget: float = 1.8
) -> Prepared:
    """Check the order and resolve the managers, within ``budget`` seconds in all.

    The look-ups run on the small look-up queue (:meth:`Services.quick_call`'s), never on
    the answer workers. An order Salesforce says does not exist, belongs to another
    account, or could not be checked in time (slow, failing, or too busy to ask) is an
    error in the modal: an order number is never filed unchecked. A route not resolved in
    time is left to the durable routing task. The account and the order must be ones the
    reporter's Salesforce user may read (bot/visibility.py): otherwise, or if that cannot
    be told in time, the modal says so and nothing is filed.
    """
    deadline = time.monotonic() + budget

    def left() -> float:
        return max(0.05, deadline - time.monotonic())

    def quick(fn: Callable[[], Any], what: str) -> Future[Any] | None:
        return services.quick.try_submit(fn, what=what)

    access_future: Future[bool] | None = None
    if draft.account_id:
        checked_account = draft.account_id
        access_future = quick(
            lambda: _readable(services, draft.reporter, checked_account), "access check"
        )
        if access_future is None:
            return Prepared(None, None, {"account": SLOW_ACCESS})
    order_future: Future[Any] | None = None
    if draft.order_ref is not None:
        kind, value = draft.order_ref

        def order_check() -> tuple[Any, bool]:
            order = services.orders.get(kind, value, services.today())
            ok = order is not None and _readable(services, draft.reporter, order.record["Id"])
            return order, ok

        order_future = quick(order_check, "order check")
        if order_future is None:
            log.warning("order %s not checked: the look-up queue is full", value)
            return Prepared(None, None, {"order": order_unchecked(value)})
    route_future: Future[Route] | None = None
    if draft.account_id or order_future is None:
        route_account = draft.account_id
        route_future = quick(
            lambda: resolve_route(services, client, draft.reporter, route_account), "route"
        )
    if order_future is not None:
        assert draft.order_ref is not None
        try:
            order, order_readable = order_future.result(timeout=left())
        except AccessRefused as exc:
            return Prepared(None, None, {"order": str(exc)[:2000]})
        except (FutureTimeout, SalesforceError) as exc:
            log.warning("order %s not checked (%s)", draft.order_ref[1], type(exc).__name__)
            return Prepared(None, None, {"order": order_unchecked(draft.order_ref[1])})
        if order is None:
            return Prepared(None, None, {"order": f"Salesforce has no order {draft.order_ref[1]}."})
        if not order_readable:
            return Prepared(None, None, {"order": NO_ACCESS.format(what="order")})
        rec = order.record
        if draft.account_id and rec.get("AccountId", "")[:15] != draft.account_id[:15]:
            other = (rec.get("Account") or {}).get("Name") or "another account"
            return Prepared(None, None, {"order": f"Order {order.number} belongs to {other}."})
        draft.order_id, draft.order_number = rec["Id"], order.number
        if not draft.account_id:
            # Orders follow their account's sharing: the order's account is readable.
            draft.account_id = rec.get("AccountId")
            draft.account_name = (rec.get("Account") or {}).get("Name")
        if route_future is None and draft.account_id:
            account_id = draft.account_id
            route_future = quick(
                lambda: resolve_route(services, client, draft.reporter, account_id), "route"
            )
    if access_future is not None:
        try:
            if not access_future.result(timeout=left()):
                return Prepared(None, None, {"account": NO_ACCESS.format(what="account")})
        except AccessRefused as exc:
            return Prepared(None, None, {"account": str(exc)[:2000]})
        except (FutureTimeout, SalesforceError):
            return Prepared(None, None, {"account": SLOW_ACCESS})
    route: Route | None = None
    if route_future is not None:
        try:
            route = route_future.result(timeout=left())
        except FutureTimeout:
            log.warning("routing did not finish in time; a task will do it")
        except Exception as exc:
            log.warning("routing failed (%s); a task will retry it", exc)
    else:
        log.warning("routing not started (the look-up queue is full); a task will do it")
    if route is not None and route.account_name:
        draft.account_name = route.account_name
    return Prepared(draft, route, {})
