"""Record writes through Salesforce's standard REST endpoints: create, update, delete.

What the sandbox answers, after the REST API Developer Guide:

- ``POST sobjects/{Type}`` creates a record: **201** ``{"id": ..., "success": true,
  "errors": []}`` ("Create a Record", dome_sobject_create.htm).
- ``PATCH sobjects/{Type}/{Id}`` updates the fields given and leaves the others alone:
  **204**, no body ("Update a Record", dome_update_fields.htm).
- ``DELETE sobjects/{Type}/{Id}``: **204** ("Delete Records Using sObject Rows",
  resources_sobject_retrieve_delete.htm; "Status Codes and Error Responses",
  errorcodes.htm: 201 for POST, 204 for DELETE).
- Errors are Salesforce's JSON array ``[{"message", "errorCode", "fields"}]``.

Every save stamps ``LastModifiedDate``, ``SystemModstamp`` and ``LastModifiedById`` (a
create also ``CreatedDate`` and ``CreatedById``) with the org's clock and the *acting
user*: the API session's user (the first active User of the data set), unless a test or
the demo names another with the sandbox-only control endpoint
``POST /__sandbox__/acting-user`` (:meth:`RecordWriter.act_as`). The real API has no such
thing: a real change is always made by whoever is logged in.

Derived fields are derived again on each save with the same rules as a data load
(``store._derive_all``): StatusCode from an order's or contract's status, IsClosed/IsWon
from the stage, a case's IsClosed and ClosedDate, an order's TotalAmount from its
products, auto numbers. Writes hold the store's lock, so a query never sees half a save.

Deleted records go to the recycle bin with ``IsDeleted`` true: ``query`` never returns
them, ``queryAll`` does ("QueryAll returns records that are soft deleted due to a merge or
delete", REST API, resources_queryall), and a second DELETE or a PATCH of one is
``ENTITY_IS_DELETED`` rather than ``NOT_FOUND``. A delete does not move the record's
``SystemModstamp``: the documentation does not say it does, so nothing may rely on it
(the stricter reading); "Get Deleted" style detection reads the bin through queryAll.

Deleting an account takes with it what Salesforce takes: its contacts, its opportunities
(unless closed won, or owned by someone else than the deleting user) and its contracts
that are not activated; an account with cases, activated contracts, orders, other users'
or closed-won opportunities, or child accounts is not deleted (Salesforce Help,
"Considerations for Deleting Accounts": "Deleted accounts are moved to the Recycle Bin,
along with these associated items: Contacts, Opportunities, Contracts (if they're not
activated) ..."; "You can't delete an account if it ... has associated cases, activated
contracts, or related opportunities that are owned by other users"; closed won
opportunities need the person's confirmation in the UI, which the API cannot give, so
the stricter reading refuses). An order's products go with the order.

Kept separate from the read side (``server_api.py``, ``store.py``) on purpose: the REST
router calls :class:`RecordWriter` and nothing else changes records after a load.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bot.standins.salesforce import schema
from bot.standins.salesforce.schema import Field, SObject
from bot.standins.salesforce.store import (
    DataLoadError,
    OrgStore,
    _check_currencies,
    _derive_all,
    _number,
    coerce,
)

# Objects the API does not create, change or delete records of here: the org's own
# record, and its currencies (changing them would re-price every record; the sandbox
# does not model that, so it refuses rather than answer wrongly).
NOT_WRITABLE = frozenset({"Organization", "CurrencyType"})
# Fields a data set may give but the API never writes. Contract.EndDate: "Calculated end
# date of the contract. This value is calculated by adding the ContractTerm to the
# StartDate" (Object Reference, Contract: not createable or updateable).
READ_ONLY = frozenset({("Contract", "EndDate")})
# Required on create beyond the fields describe marks as not nillable. Order: "AccountId
# ... Required" (Object Reference, Order); Contract: AccountId "Required".
EXTRA_REQUIRED: dict[str, tuple[str, ...]] = {"Order": ("AccountId",), "Contract": ("AccountId",)}
# Auto-number fields: (first number, width), as a data load numbers them.
AUTO_NUMBERS: dict[str, tuple[str, int, int]] = {
    "Order": ("OrderNumber", 100, 8),
    "Case": ("CaseNumber", 1001, 8),
    "Contract": ("ContractNumber", 100, 8),
    "OrderItem": ("OrderItemNumber", 1, 10),
}
# Master-detail children deleted with their parent: an order's products (Object
# Reference, OrderItem: "OrderId ... the order this order product belongs to").
CASCADE = frozenset({("Order", "OrderItems")})
# What goes to the recycle bin with an account, when each may go (module docstring).
ACCOUNT_CASCADE = frozenset({"Contacts", "Opportunities", "Contracts"})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NEW_ID_BASE = 900_000


class WriteError(Exception):
    """A write Salesforce would refuse: HTTP status, error code, message, fields."""

    def __init__(
        self, status: int, code: str, message: str, fields: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields if fields is not None else []

    def body(self) -> list[dict[str, Any]]:
        """Salesforce's error array."""
        return [{"message": self.message, "errorCode": self.code, "fields": self.fields}]


def _not_found() -> WriteError:
    return WriteError(404, "NOT_FOUND", "The requested resource does not exist")


def _deleted() -> WriteError:
    # DML on a record in the recycle bin: "ENTITY_IS_DELETED: entity is deleted".
    return WriteError(404, "ENTITY_IS_DELETED", "entity is deleted")


@dataclass
class _Undo:
    """What a composite ``allOrNone`` request must put back if a later part fails."""

    saved: list[tuple[str, str, dict[str, Any] | None]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)


class RecordWriter:
    """Creates, updates and deletes records of an :class:`OrgStore` as the REST API
    does (see the module docstring). Thread-safe: every write holds ``store.lock``."""

    def __init__(self, store: OrgStore) -> None:
        self.store = store
        self._acting: str | None = None
        self._next = 0
        self._undo: _Undo | None = None

    # -- who is acting
    def session_user(self) -> str | None:
        """The API session's user: the first active User of the data set."""
        user = self.store.session_user()
        return str(user["Id"]) if user is not None else None

    def act_as(self, who: str | None) -> str | None:
        """Make later writes by ``who`` (a User Id, Username or e-mail; None: the session's
        user again). Returns the User Id. Raises ValueError if no such user exists."""
        if who is None or not str(who).strip():
            self._acting = None
            return None
        key = str(who).strip().lower()
        with self.store.lock:
            for user in self.store.records("User"):
                names = (
                    str(user["Id"]).lower(),
                    str(user["Id"])[:15].lower(),
                    str(user.get("Username") or "").lower(),
                    str(user.get("Email") or "").lower(),
                )
                if key in names:
                    self._acting = str(user["Id"])
                    return self._acting
        raise ValueError(f"no User with the Id, Username or Email {who!r}")

    @property
    def acting_user(self) -> str | None:
        """The User Id writes are made as now."""
        return self._acting or self.session_user()

    def _actor(self) -> str:
        actor = self.acting_user
        if actor is None:
            raise WriteError(
                500, "UNKNOWN_EXCEPTION", "The sandbox org has no active User to make changes."
            )
        if self.store.get(actor) is None:
            raise WriteError(
                500,
                "UNKNOWN_EXCEPTION",
                f"The sandbox's acting user {actor} is not in the loaded data; "
                "POST /__sandbox__/acting-user again.",
            )
        return actor

    # -- composite allOrNone
    @contextmanager
    def atomic(self) -> Iterator[Callable[[], None]]:
        """Collect what the writes inside change; the yielded function puts it all back
        (a composite request with ``allOrNone`` whose later part failed)."""
        with self.store.lock:
            outer, self._undo = self._undo, _Undo()
            undo = self._undo
            try:
                yield lambda: self._rollback(undo)
            finally:
                self._undo = outer

    def _remember(self, obj_name: str, record_id: str) -> None:
        undo = self._undo
        if undo is None or record_id in undo.seen:
            return
        undo.seen.add(record_id)
        current = self.store._records[obj_name].get(record_id)
        undo.saved.append((obj_name, record_id, dict(current) if current is not None else None))

    def _rollback(self, undo: _Undo) -> None:
        records = self.store._records
        for obj_name, record_id, before in reversed(undo.saved):
            live = records[obj_name].get(record_id)
            if before is None:
                records[obj_name].pop(record_id, None)
            elif live is None:
                records[obj_name][record_id] = before
            else:
                live.clear()
                live.update(before)
            if before is not None:
                self.store.deleted(obj_name).pop(record_id, None)
        undo.saved.clear()
        undo.seen.clear()
        self.store._reindex()

    # -- the three operations
    def create(self, sobject: str, body: Any) -> str:
        """Create a record from the JSON ``body``; returns its new 18-character Id."""
        obj = self._sobject(sobject)
        with self.store.lock:
            if obj.name == "User":
                # The sandbox's User has none of Alias, ProfileId, EmailEncodingKey or
                # LanguageLocaleKey, which a real org requires for a new user.
                raise WriteError(
                    400,
                    "REQUIRED_FIELD_MISSING",
                    "Required fields are missing: [Alias, EmailEncodingKey, "
                    "LanguageLocaleKey, ProfileId]",
                    ["Alias", "EmailEncodingKey", "LanguageLocaleKey", "ProfileId"],
                )
            if obj.name == "OrderItem":
                # An order product comes from a price book entry ("PricebookEntryId ...
                # Required", Object Reference, OrderItem); the sandbox has no price books.
                raise WriteError(
                    400,
                    "REQUIRED_FIELD_MISSING",
                    "Required fields are missing: [PricebookEntryId]",
                    ["PricebookEntryId"],
                )
            values = self._values(obj, body, creating=True)
            missing = [
                f.name
                for f in obj.fields.values()
                if _required(obj, f) and values.get(f.name) is None
            ]
            missing += [n for n in EXTRA_REQUIRED.get(obj.name, ()) if values.get(n) is None]
            if missing:
                raise WriteError(
                    400,
                    "REQUIRED_FIELD_MISSING",
                    f"Required fields are missing: [{', '.join(missing)}]",
                    missing,
                )
            actor = self._actor()
            now = self.store.now()
            rec: dict[str, Any] = dict.fromkeys(obj.fields)
            rec.update(values)
            rec["Id"] = self._new_id(obj)
            for f in obj.fields.values():
                if f.type == schema.BOOLEAN and rec[f.name] is None and not f.calculated:
                    rec[f.name] = False  # checkboxes default to false
            if "OwnerId" in obj.fields and rec["OwnerId"] is None:
                rec["OwnerId"] = actor
            if "CurrencyIsoCode" in obj.fields and rec["CurrencyIsoCode"] is None:
                # A new record is in its creator's currency (multicurrency orgs).
                user = self.store._records["User"].get(actor) or {}
                rec["CurrencyIsoCode"] = user.get("DefaultCurrencyIsoCode")
            rec["CreatedDate"] = rec["LastModifiedDate"] = rec["SystemModstamp"] = now
            rec["CreatedById"] = rec["LastModifiedById"] = actor
            if obj.name == "Order" and self._activates(rec, None):
                rec["ActivatedDate"] = rec["ActivatedDate"] or now
                rec["ActivatedById"] = rec["ActivatedById"] or actor
            numbered = AUTO_NUMBERS.get(obj.name)
            if numbered:
                name, start, width = numbered
                recs = dict(self.store._records[obj.name])
                recs[rec["Id"]] = rec
                _number(recs, name, start, width)
            self._derive(obj, rec)
            self._remember(obj.name, rec["Id"])
            self.store._records[obj.name][rec["Id"]] = rec
            self._index_add(obj, rec)
            return str(rec["Id"])

    def update(self, sobject: str, record_id: str, body: Any) -> None:
        """Apply the fields of the JSON ``body`` to one record."""
        obj = self._sobject(sobject)
        with self.store.lock:
            live = self._live(obj, record_id)
            values = self._values(obj, body, creating=False)
            actor = self._actor()
            now = self.store.now()
            rec = dict(live)
            before = dict(live)
            rec.update(values)
            rec["LastModifiedDate"] = rec["SystemModstamp"] = now
            rec["LastModifiedById"] = actor
            if obj.name in ("User", "Contact") and {"FirstName", "LastName"} & set(values):
                rec["Name"] = None  # derived again from the parts
            if obj.name == "Opportunity" and "StageName" in values:
                # Forecast category and probability are "implied by, but not directly
                # controlled by, the StageName field" (Object Reference, Opportunity): a
                # new stage brings its own unless the same save sets them.
                for implied in ("ForecastCategoryName", "Probability"):
                    if implied not in values:
                        rec[implied] = None
            self._check_reparent(obj, before, values)
            if obj.name == "Order":
                # ActivatedDate and ActivatedById are updateable (Object Reference, Order:
                # "Properties: Filter, ... Update"): what the body gives is kept, on any
                # save; an activation without them stamps now and the acting user.
                if self._activates(rec, before):
                    rec["ActivatedDate"] = values.get("ActivatedDate") or now
                    rec["ActivatedById"] = values.get("ActivatedById") or actor
                elif self._status_code(rec) != "Activated" and "ActivatedById" not in values:
                    rec["ActivatedById"] = None
            restarted = {"StartDate", "ContractTerm"} & set(values)
            if obj.name == "Contract" and restarted and rec.get("ContractTerm"):
                rec["EndDate"] = None  # derived again from the start and the term
            self._derive(obj, rec)
            self._remember(obj.name, live["Id"])
            parents_before = _lookups(obj, live)
            live.clear()
            live.update(rec)
            self._index_move(obj, live, parents_before)
            if obj.name == "OrderItem":
                for order_id in {before.get("OrderId"), live.get("OrderId")} - {None}:
                    self._rollup(order_id, now)

    def delete(self, sobject: str, record_id: str) -> None:
        """Delete one record (to the recycle bin)."""
        obj = self._sobject(sobject)
        with self.store.lock:
            live = self._live(obj, record_id)
            if obj.name == "User":
                # "You can't delete users, but you can deactivate them" (Salesforce Help,
                # "Deactivate Users").
                raise WriteError(
                    400,
                    "DELETE_FAILED",
                    "Users can't be deleted. Deactivate the user (IsActive = false) instead.",
                )
            cascaded = self._goes_with(obj, live, self._actor())
            now = self.store.now()
            for child_obj, child in cascaded:
                self._remove(child_obj, child)
            if obj.name == "OrderItem" and live.get("OrderId"):
                self._rollup(live["OrderId"], now)

    def _goes_with(
        self, obj: SObject, rec: dict[str, Any], actor: str
    ) -> list[tuple[SObject, dict[str, Any]]]:
        """What deleting ``rec`` deletes, children first and ``rec`` last (module
        docstring). Raises DELETE_FAILED, naming them, for children that keep it."""
        out: list[tuple[SObject, dict[str, Any]]] = []
        for rel in obj.children.values():
            children = list(self.store.children(rel, rec["Id"]))
            if not children:
                continue
            child_obj = self.store.schema.sobjects[rel.child_sobject]
            if (obj.name, rel.name) in CASCADE:
                out += [(child_obj, c) for c in children]
                continue
            if obj.name == "Account" and rel.name in ACCOUNT_CASCADE:
                keep = [c for c in children if not self._goes_with_account(child_obj, c, actor)]
                if not keep:
                    for child in children:
                        out += self._goes_with(child_obj, child, actor)
                    continue
                children = keep
            # The stricter reading: a record others still look up to is not deleted
            # out from under them.
            label = child_obj.label_plural.lower()
            name = rec.get("Name") or rec.get(_number_field(obj)) or rec["Id"]
            raise WriteError(
                400,
                "DELETE_FAILED",
                f"Your attempt to delete {name} could not be completed because it is "
                f"associated with the following {label}.: "
                + ", ".join(str(_title(child_obj, c)) for c in children[:5]),
            )
        out.append((obj, rec))
        return out

    def _goes_with_account(self, obj: SObject, rec: Mapping[str, Any], actor: str) -> bool:
        """Does this contact, opportunity or contract go to the recycle bin with its
        account (Salesforce Help, "Considerations for Deleting Accounts")?"""
        if obj.name == "Opportunity":
            return not rec.get("IsWon") and rec.get("OwnerId") == actor
        if obj.name == "Contract":
            return rec.get("StatusCode") != "Activated"
        return obj.name == "Contact"

    # -- helpers
    def _sobject(self, name: str) -> SObject:
        """The org's object ``name`` (case-insensitive) that the API writes records of."""
        obj = self.store.schema.sobject_ci(name)
        if obj is None:
            raise _not_found()
        if obj.name in NOT_WRITABLE:
            raise WriteError(
                400,
                "INVALID_TYPE_FOR_OPERATION",
                f"entity type {obj.name} does not support this operation in the sandbox org",
            )
        return obj

    def _check_reparent(
        self, obj: SObject, before: Mapping[str, Any], values: Mapping[str, Any]
    ) -> None:
        """An order's account "Can only be updated when the order's StatusCode value is
        Draft" (Object Reference, Order.AccountId), and only to an account its contract
        belongs to (Salesforce Help, "Editing and Deletion Limitations for Orders": "If
        the order has an associated contract, that contract is associated with the new
        account"); an activated contract's account is locked too (Salesforce Help, same
        page for contracts; support's answer on Salesforce Stack Exchange 116291). The
        error's wording is not documented: FIELD_INTEGRITY_EXCEPTION naming the field."""
        if obj.name not in ("Order", "Contract") or "AccountId" not in values:
            return
        new_account = values["AccountId"]
        if new_account == before.get("AccountId"):
            return
        code = self._status_code(before) if obj.name == "Order" else before.get("StatusCode")
        if code == "Activated":
            noun = obj.label.lower()
            raise WriteError(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                f"Account ID: You can't change the account of an activated {noun}.",
                ["AccountId"],
            )
        contract_id = values.get("ContractId", before.get("ContractId"))
        if obj.name == "Order" and contract_id:
            contract = self.store._records["Contract"].get(contract_id) or {}
            if contract.get("AccountId") != new_account:
                raise WriteError(
                    400,
                    "FIELD_INTEGRITY_EXCEPTION",
                    "Account ID: The order's contract belongs to another account; choose a "
                    "contract of the new account, or none.",
                    ["AccountId"],
                )

    def _status_code(self, rec: Mapping[str, Any]) -> str | None:
        """The status category (``StatusCode``) of an order's status, in this org."""
        return self.store.schema.order_statuses.get(rec.get("Status") or "")

    def _activates(self, rec: Mapping[str, Any], before: Mapping[str, Any] | None) -> bool:
        """Does this save move an order into the Activated status category?"""
        was = self._status_code(before) if before is not None else None
        return self._status_code(rec) == "Activated" and was != "Activated"

    def _live(self, obj: SObject, record_id: str) -> dict[str, Any]:
        owner = self.store.schema.sobject_for_id(record_id)
        if not schema.is_valid_id(record_id) or owner is not obj:
            raise _not_found()
        rid = schema.to_18(record_id)
        live = self.store._records[obj.name].get(rid)
        if live is None:
            raise _deleted() if self.store.in_bin(rid) else _not_found()
        return live

    def _new_id(self, obj: SObject) -> str:
        while True:
            self._next += 1
            candidate = schema.make_id(obj.key_prefix, _NEW_ID_BASE + self._next)
            if candidate not in self.store._records[obj.name] and not self.store.in_bin(candidate):
                return candidate

    def _values(self, obj: SObject, body: Any, *, creating: bool) -> dict[str, Any]:
        """The body's fields as store values, checked as Salesforce checks them."""
        if not isinstance(body, Mapping):
            raise WriteError(
                400,
                "JSON_PARSER_ERROR",
                "Cannot deserialize instance of "
                f"{obj.name} from {_token(body)} value or request may be missing a required "
                "field at [line:1, column:1]",
            )
        given: dict[str, tuple[Field, Any]] = {}
        for key, value in body.items():
            if key == "attributes":
                continue
            if str(key).lower() == "id":
                # "The Id field should not be specified in the sobject data."
                # (Create a Record, dome_sobject_create.htm)
                raise WriteError(
                    400,
                    "INVALID_FIELD",
                    "The Id field should not be specified in the sobject data.",
                )
            f = obj.field_ci(str(key))
            if f is None:
                raise WriteError(
                    400,
                    "INVALID_FIELD",
                    f"No such column '{key}' on sobject of type {obj.name}",
                )
            given[f.name] = (f, value)
        locked = [n for n, (f, _) in given.items() if f.calculated or (obj.name, n) in READ_ONLY]
        if locked:
            # Read-only fields (formula, roll-up, auto-number, system fields) are refused
            # by name: "Unable to create/update fields: ... Please check the security
            # settings of this field and verify that it is read/write for your profile or
            # permission set." (INVALID_FIELD_FOR_INSERT_UPDATE)
            raise WriteError(
                400,
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {', '.join(locked)}. Please check the "
                "security settings of this field and verify that it is read/write for your "
                "profile or permission set.",
                locked,
            )
        out: dict[str, Any] = {}
        for name, (f, raw) in given.items():
            out[name] = self._value(obj, f, raw, creating=creating)
        return out

    def _value(self, obj: SObject, f: Field, raw: Any, *, creating: bool) -> Any:
        if raw is None:
            if not f.nillable and f.type != schema.BOOLEAN and not creating:
                missing = f"Required fields are missing: [{f.name}]"
                raise WriteError(400, "REQUIRED_FIELD_MISSING", missing, [f.name])
            if f.type == schema.BOOLEAN:
                return False  # a checkbox is never null
            return None
        if isinstance(raw, dict | list):
            raise WriteError(
                400,
                "JSON_PARSER_ERROR",
                f"Cannot deserialize instance of {_java_type(f)} from {_token(raw)} value "
                f"{str(raw)[:40]} or request may be missing a required field",
            )
        if f.type in (schema.ID, schema.REFERENCE):
            return self._reference(f, str(raw))
        try:
            value = coerce(f, raw)
        except DataLoadError:
            raise WriteError(
                400,
                "JSON_PARSER_ERROR",
                f"Cannot deserialize instance of {_java_type(f)} from VALUE_STRING value "
                f"{raw} or request may be missing a required field",
            ) from None
        if isinstance(value, str):
            if f.type == schema.EMAIL and not _EMAIL.match(value):
                raise WriteError(
                    400,
                    "INVALID_EMAIL_ADDRESS",
                    f"{f.label}: invalid email address: {value}",
                    [f.name],
                )
            if f.type == schema.PICKLIST and f.restricted:
                allowed = {p.value for p in f.picklist if p.active}
                if value not in allowed:
                    raise WriteError(
                        400,
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        f"{f.label}: bad value for restricted picklist field: {value}",
                        [f.name],
                    )
            if f.length and len(value) > f.length and f.type != schema.PICKLIST:
                raise WriteError(
                    400,
                    "STRING_TOO_LONG",
                    f"{f.label}: data value too large: {value[:40]} (max length={f.length})",
                    [f.name],
                )
        return value

    def _reference(self, f: Field, raw: str) -> str:
        """A lookup's Id: malformed, of another object, or of no record are three
        different errors (MALFORMED_ID, FIELD_INTEGRITY_EXCEPTION,
        INVALID_CROSS_REFERENCE_KEY; Salesforce Help 000387915)."""
        if not schema.is_valid_id(raw):
            raise WriteError(
                400, "MALFORMED_ID", f"{f.label}: id value of incorrect type: {raw}", [f.name]
            )
        target = self.store.schema.sobject_for_id(raw)
        if target is None or target.name != f.reference_to:
            raise WriteError(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                f"{f.label}: id value of incorrect type: {raw}",
                [f.name],
            )
        rid = schema.to_18(raw)
        if rid not in self.store._records[target.name]:
            raise WriteError(
                400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [f.name]
            )
        return rid

    def _derive(self, obj: SObject, rec: dict[str, Any]) -> None:
        """Derive ``rec``'s computed fields as a data load would (an order with its
        products, for TotalAmount). Raises WriteError for a value the org refuses."""
        org = self.store.schema
        subset: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in org.sobjects}
        subset[obj.name][rec["Id"]] = rec
        if obj.name == "Order":
            for item in self.store.children(obj.children["OrderItems"], rec["Id"]):
                subset["OrderItem"][item["Id"]] = dict(item)
        try:
            _derive_all(org, subset, rec["SystemModstamp"])
            if obj.name == "OrderItem" and rec.get("OrderId"):
                # currencies are checked against the order's (a copy: not derived here)
                subset["Order"][rec["OrderId"]] = dict(self.store._records["Order"][rec["OrderId"]])
                subset["OrderItem"] = {rec["Id"]: rec}
            _check_currencies(org, subset)
        except DataLoadError as exc:  # a value the org does not have
            raise WriteError(400, "FIELD_INTEGRITY_EXCEPTION", str(exc)) from None

    def _rollup(self, order_id: str, now: dt.datetime) -> None:
        """An order's TotalAmount after one of its products changed, saved on the order
        as the person who changed the product. Salesforce lists when SystemModstamp and
        LastModifiedDate differ (Help 000387261, "Difference between SystemModStamp and
        LastModifiedDate": archive dates, a renamed picklist value, a bounced e-mail,
        LastActivityDate, *creating* a roll-up summary field, internal processes); a
        roll-up value that moves because a child was saved is not among them, and a
        roll-up "performs an update of the record [it resides] in" (so automation on the
        parent runs): LastModifiedDate, LastModifiedById and SystemModstamp all move."""
        order = self.store._records["Order"].get(order_id)
        if order is None:
            return
        self._remember("Order", order_id)
        items = self.store.children(
            self.store.schema.sobjects["Order"].children["OrderItems"], order_id
        )
        order["TotalAmount"] = round(sum(i.get("TotalPrice") or 0.0 for i in items), 2)
        order["SystemModstamp"] = order["LastModifiedDate"] = now
        order["LastModifiedById"] = self._actor()

    def _remove(self, obj: SObject, rec: dict[str, Any]) -> None:
        """Move ``rec`` to the recycle bin (IsDeleted true)."""
        self._remember(obj.name, rec["Id"])
        self.store._records[obj.name].pop(rec["Id"], None)
        self._index_drop(obj, rec, _lookups(obj, rec))
        rec["IsDeleted"] = True
        self.store.deleted(obj.name)[rec["Id"]] = rec

    # child-relationship indexes (store._children): (child sObject, lookup) -> parent -> list
    def _index_add(self, obj: SObject, rec: dict[str, Any]) -> None:
        self._index_move(obj, rec, {})

    def _index_drop(self, obj: SObject, rec: dict[str, Any], parents: dict[str, Any]) -> None:
        for (child, lookup), index in self.store._children.items():
            parent = parents.get(lookup)
            if child == obj.name and parent in index:
                index[parent] = [r for r in index[parent] if r is not rec]

    def _index_move(self, obj: SObject, rec: dict[str, Any], before: dict[str, Any]) -> None:
        """Re-file ``rec`` under the parents its lookups name now (``before``: then)."""
        for (child, lookup), index in self.store._children.items():
            old, new = before.get(lookup), rec.get(lookup)
            if child != obj.name or old == new:
                continue
            if old in index:
                index[old] = [r for r in index[old] if r is not rec]
            if new:
                index.setdefault(new, []).append(rec)


def _required(obj: SObject, f: Field) -> bool:
    """Required on create: not nillable, written by the client, and given no default by
    the org (checkboxes default to false, OwnerId to the user, a picklist to its default)."""
    if f.nillable or f.calculated or f.type in (schema.ID, schema.BOOLEAN):
        return False
    if f.name == "OwnerId" or (obj.name, f.name) in READ_ONLY:
        return False
    return not any(p.default for p in f.picklist)


def _lookups(obj: SObject, rec: Mapping[str, Any]) -> dict[str, Any]:
    return {f.name: rec.get(f.name) for f in obj.fields.values() if f.type == schema.REFERENCE}


def _number_field(obj: SObject) -> str:
    numbered = AUTO_NUMBERS.get(obj.name)
    return numbered[0] if numbered else "Id"


def _title(obj: SObject, rec: Mapping[str, Any]) -> Any:
    return rec.get("Name") or rec.get(_number_field(obj)) or rec["Id"]


def _token(value: Any) -> str:
    """Jackson's name for the JSON token Salesforce's parser met."""
    if isinstance(value, list):
        return "START_ARRAY"
    if isinstance(value, dict):
        return "START_OBJECT"
    if isinstance(value, str):
        return "VALUE_STRING"
    if value is None:
        return "VALUE_NULL"
    return "VALUE_NUMBER_INT" if isinstance(value, int) else "VALUE_NUMBER_FLOAT"


def _java_type(f: Field) -> str:
    return {
        schema.BOOLEAN: "boolean",
        schema.CURRENCY: "double",
        schema.DOUBLE: "double",
        schema.PERCENT: "double",
        schema.INT: "int",
        schema.DATE: "date",
        schema.DATETIME: "datetime",
    }.get(f.type, "string")
