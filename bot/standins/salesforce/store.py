"""The sandbox org's records, held in memory.

Records are plain dicts keyed by field API name with *every* field of the sObject
present (``None`` when empty), values as native Python types:

- id, string, picklist, reference, email, phone, url, textarea -> ``str``
- boolean -> ``bool``; currency, double, percent -> ``float``; int -> ``int``
- date -> ``datetime.date``; datetime -> timezone-aware ``datetime.datetime`` in UTC

Derived fields (Name, IsClosed, IsWon, StatusCode, TotalAmount, TotalPrice, auto
numbers, CreatedDate, SystemModstamp, ...) are computed on load the way the org would.
The store is guarded by a re-entrant lock; readers take ``store.lock`` for a consistent
snapshot while a data load replaces everything.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from bot.standins.salesforce import schema
from bot.standins.salesforce.schema import SOBJECTS, ChildRelationship, Field

UTC = dt.UTC


class DataLoadError(ValueError):
    """A data set that the org cannot hold: names the object, record and problem."""


class Clock:
    """The org's clock: real time, or a fixed/offset time the tests can set."""

    def __init__(self, fixed: dt.datetime | None = None) -> None:
        self._fixed = fixed
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            fixed = self._fixed
        return fixed if fixed is not None else dt.datetime.now(UTC)

    def set(self, when: dt.datetime | None) -> None:
        """Freeze the clock at ``when`` (aware), or return to real time with ``None``."""
        if when is not None and when.tzinfo is None:
            raise ValueError("clock time must be timezone-aware")
        with self._lock:
            self._fixed = when.astimezone(UTC) if when is not None else None


# --- value parsing / formatting -----------------------------------------------------


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def parse_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        out = value
    elif isinstance(value, dt.date):
        out = dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
    else:
        text = str(value).strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        # Salesforce writes +0000; fromisoformat in 3.11 accepts +00:00 and +0000.
        out = dt.datetime.fromisoformat(text)
    if out.tzinfo is None:
        out = out.replace(tzinfo=UTC)
    return out.astimezone(UTC)


def format_datetime(value: dt.datetime) -> str:
    v = value.astimezone(UTC)
    return v.strftime("%Y-%m-%dT%H:%M:%S.") + f"{v.microsecond // 1000:03d}+0000"


def coerce(f: Field, value: Any) -> Any:
    """Turn a JSON (or Python) value into the store's native type for field ``f``."""
    if value is None:
        return None
    t = f.type
    if t == schema.BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise DataLoadError(f"{f.name}: expected a boolean, got {value!r}")
    if t in (schema.CURRENCY, schema.DOUBLE, schema.PERCENT):
        if isinstance(value, bool):
            raise DataLoadError(f"{f.name}: expected a number, got {value!r}")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise DataLoadError(f"{f.name}: expected a number, got {value!r}") from None
    if t == schema.INT:
        if isinstance(value, bool):
            raise DataLoadError(f"{f.name}: expected an integer, got {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise DataLoadError(f"{f.name}: expected an integer, got {value!r}") from None
    if t == schema.DATE:
        try:
            return parse_date(value)
        except ValueError:
            raise DataLoadError(f"{f.name}: expected a date YYYY-MM-DD, got {value!r}") from None
    if t == schema.DATETIME:
        try:
            return parse_datetime(value)
        except ValueError:
            raise DataLoadError(f"{f.name}: expected a datetime, got {value!r}") from None
    if t in (schema.ID, schema.REFERENCE):
        text = str(value)
        if not schema.is_valid_id(text):
            raise DataLoadError(f"{f.name}: {text!r} is not a valid Salesforce Id")
        return schema.to_18(text)
    return str(value)


def to_json(f: Field, value: Any) -> Any:
    """The store value as Salesforce's REST API writes it."""
    if value is None:
        return None
    if f.type == schema.DATETIME:
        return format_datetime(value)
    if f.type == schema.DATE:
        return value.isoformat()
    return value


def json_value(value: Any) -> Any:
    """Format a bare value (e.g. an aggregate result) the way the REST API writes it."""
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --- the store ----------------------------------------------------------------------


class OrgStore:
    """All records of the sandbox org, with the indexes the SOQL engine needs."""

    def __init__(self, clock: Clock | None = None, timezone: str = "America/New_York") -> None:
        self.clock = clock or Clock()
        self.timezone = ZoneInfo(timezone)
        self.lock = threading.RLock()
        self._records: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in SOBJECTS}
        self._children: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = {}
        self._counters: dict[str, int] = defaultdict(int)

    # -- reading
    def records(self, sobject: str) -> list[dict[str, Any]]:
        """Every record of ``sobject`` in insertion order (do not mutate)."""
        return list(self._records[sobject].values())

    def count(self, sobject: str) -> int:
        return len(self._records[sobject])

    def get(self, record_id: str) -> tuple[str, dict[str, Any]] | None:
        """(sObject name, record) for an Id of 15 or 18 characters, else None."""
        obj = schema.sobject_for_id(record_id)
        if obj is None or not schema.is_valid_id(record_id):
            return None
        rec = self._records[obj.name].get(schema.to_18(record_id))
        return (obj.name, rec) if rec is not None else None

    def children(self, rel: ChildRelationship, parent_id: str) -> list[dict[str, Any]]:
        """Child records of one parent through a child relationship (insertion order)."""
        index = self._children.get((rel.child_sobject, rel.field))
        if index is None:
            return []
        return index.get(parent_id, [])

    def now(self) -> dt.datetime:
        return self.clock.now()

    def today(self) -> dt.date:
        """Today in the org's time zone."""
        return self.clock.now().astimezone(self.timezone).date()

    # -- writing
    def load(self, data: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[str, int]:
        """Replace every record with ``data`` (INTERFACE.md's data-file shape).

        Validates names and types, assigns missing Ids, computes derived fields.
        Raises DataLoadError naming the problem; on error the old data stays.
        """
        if not isinstance(data, Mapping):
            raise DataLoadError("the data set must be a JSON object keyed by sObject name")
        new: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in SOBJECTS}
        counters: dict[str, int] = defaultdict(int)
        now = self.clock.now()
        for obj_name, rows in data.items():
            obj = schema.sobject_ci(obj_name)
            if obj is None:
                raise DataLoadError(f"sObject type '{obj_name}' is not supported")
            if not isinstance(rows, list):
                raise DataLoadError(f"{obj.name}: expected a list of records")
            for i, row in enumerate(rows):
                if not isinstance(row, Mapping):
                    raise DataLoadError(f"{obj.name}[{i}]: expected an object")
                rec: dict[str, Any] = dict.fromkeys(obj.fields)
                for key, value in row.items():
                    if key == "attributes":
                        continue
                    f = obj.field_ci(key)
                    if f is None:
                        raise DataLoadError(f"{obj.name}[{i}]: No such column '{key}'")
                    try:
                        rec[f.name] = coerce(f, value)
                    except DataLoadError as exc:
                        raise DataLoadError(f"{obj.name}[{i}].{exc}") from None
                if rec["Id"] is None:
                    counters[obj.name] += 1
                    rec["Id"] = schema.make_id(obj.key_prefix, 500000 + counters[obj.name])
                elif schema.sobject_for_id(rec["Id"]) is not obj:
                    raise DataLoadError(
                        f"{obj.name}[{i}]: Id {rec['Id']} does not have the {obj.name} "
                        f"key prefix {obj.key_prefix}"
                    )
                if rec["Id"] in new[obj.name]:
                    raise DataLoadError(f"{obj.name}[{i}]: duplicate Id {rec['Id']}")
                new[obj.name][rec["Id"]] = rec
        self._check_references(new)
        _derive_all(new, now)
        with self.lock:
            self._records = new
            self._reindex()
        return {k: len(v) for k, v in new.items() if v}

    def _reindex(self) -> None:
        self._children = {}
        for obj in SOBJECTS.values():
            for rel in obj.children.values():
                key = (rel.child_sobject, rel.field)
                if key in self._children:
                    continue
                index: dict[str, list[dict[str, Any]]] = defaultdict(list)
                for rec in self._records[rel.child_sobject].values():
                    parent = rec.get(rel.field)
                    if parent:
                        index[parent].append(rec)
                self._children[key] = dict(index)

    @staticmethod
    def _check_references(new: dict[str, dict[str, dict[str, Any]]]) -> None:
        for obj_name, recs in new.items():
            obj = SOBJECTS[obj_name]
            refs = [f for f in obj.fields.values() if f.type == schema.REFERENCE]
            for rec in recs.values():
                for f in refs:
                    target = rec[f.name]
                    if target is None:
                        continue
                    assert f.reference_to is not None
                    if target not in new[f.reference_to]:
                        raise DataLoadError(
                            f"{obj_name} {rec['Id']}: {f.name} {target} does not match any "
                            f"{f.reference_to} in the data set"
                        )


def _derive_all(new: dict[str, dict[str, dict[str, Any]]], now: dt.datetime) -> None:
    """Compute the fields the org computes, as Salesforce would."""
    for obj_name, recs in new.items():
        for rec in recs.values():
            if rec.get("CreatedDate") is None:
                rec["CreatedDate"] = now
            if rec.get("LastModifiedDate") is None:
                rec["LastModifiedDate"] = rec["CreatedDate"]
            if rec.get("SystemModstamp") is None:
                rec["SystemModstamp"] = rec["LastModifiedDate"]
        if obj_name in ("User", "Contact"):
            for rec in recs.values():
                if rec["Name"] is None:
                    parts = [p for p in (rec.get("FirstName"), rec.get("LastName")) if p]
                    rec["Name"] = " ".join(parts) or None
                if obj_name == "User" and rec["IsActive"] is None:
                    rec["IsActive"] = True
                if obj_name == "User" and rec["Username"] is None:
                    rec["Username"] = rec.get("Email")

    for rec in new["Opportunity"].values():
        stage = schema.OPPORTUNITY_STAGES.get(rec["StageName"] or "")
        if stage is None:
            raise DataLoadError(
                f"Opportunity {rec['Id']}: bad value for restricted picklist field: "
                f"StageName = {rec['StageName']!r}"
            )
        is_closed, is_won, category, probability = stage
        rec["IsClosed"], rec["IsWon"] = is_closed, is_won
        if rec["ForecastCategoryName"] is None or is_closed:
            rec["ForecastCategoryName"] = category
        if rec["Probability"] is None:
            rec["Probability"] = probability

    for rec in new["Case"].values():
        if rec["Status"] is None:
            rec["Status"] = "New"
        if rec["Status"] not in schema.CASE_STATUSES:
            raise DataLoadError(f"Case {rec['Id']}: bad value for Status = {rec['Status']!r}")
        rec["IsClosed"] = schema.CASE_STATUSES[rec["Status"]]
        if rec["IsEscalated"] is None:
            rec["IsEscalated"] = rec["Status"] == "Escalated"
        if not rec["IsClosed"]:
            rec["ClosedDate"] = None
        elif rec["ClosedDate"] is None:
            rec["ClosedDate"] = rec["LastModifiedDate"]
        if rec["Priority"] is None:
            rec["Priority"] = "Medium"

    for obj_name, field_name, statuses in (
        ("Order", "StatusCode", schema.ORDER_STATUSES),
        ("Contract", "StatusCode", schema.CONTRACT_STATUSES),
    ):
        for rec in new[obj_name].values():
            if rec["Status"] is None:
                rec["Status"] = "Draft"
            if rec["Status"] not in statuses:
                raise DataLoadError(
                    f"{obj_name} {rec['Id']}: bad value for Status = {rec['Status']!r}"
                )
            rec[field_name] = statuses[rec["Status"]]

    for rec in new["Contract"].values():
        if rec["EndDate"] is None and rec["StartDate"] is not None and rec["ContractTerm"]:
            rec["EndDate"] = _add_months(rec["StartDate"], rec["ContractTerm"]) - dt.timedelta(
                days=1
            )

    for rec in new["OrderItem"].values():
        if rec["Quantity"] is not None and rec["UnitPrice"] is not None:
            rec["TotalPrice"] = round(rec["Quantity"] * rec["UnitPrice"], 2)
    totals: dict[str, float] = defaultdict(float)
    with_items: set[str] = set()
    for rec in new["OrderItem"].values():
        if rec["OrderId"]:
            with_items.add(rec["OrderId"])
            totals[rec["OrderId"]] += rec["TotalPrice"] or 0.0
    for rec in new["Order"].values():
        if rec["Id"] in with_items:
            rec["TotalAmount"] = round(totals[rec["Id"]], 2)
        elif rec["TotalAmount"] is None:
            # An order without products totals zero. A data set that gives an amount
            # for an item-less order keeps it (imported history).
            rec["TotalAmount"] = 0.0
        if rec["StatusCode"] != "Activated":
            rec["ActivatedDate"] = None

    _number(new["Order"], "OrderNumber", 100, 8)
    _number(new["Case"], "CaseNumber", 1001, 8)
    _number(new["Contract"], "ContractNumber", 100, 8)
    _number(new["OrderItem"], "OrderItemNumber", 1, 10)


def _number(recs: dict[str, dict[str, Any]], field: str, start: int, width: int) -> None:
    """Auto-number fields: keep given numbers, number the rest after the highest."""
    highest = start - 1
    for rec in recs.values():
        value = rec[field]
        if value is not None and str(value).isdigit():
            highest = max(highest, int(value))
    for rec in recs.values():
        if rec[field] is None:
            highest += 1
            rec[field] = str(highest).zfill(width)


def _add_months(d: dt.date, months: int) -> dt.date:
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    import calendar

    day = min(d.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)
