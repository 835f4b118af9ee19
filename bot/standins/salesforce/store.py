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
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from bot.standins.salesforce import schema
from bot.standins.salesforce.schema import ChildRelationship, Field

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

# ISO 4217 minor units for the currencies that do not use two decimals (the default for a
# CurrencyType row whose DecimalPlaces the data set leaves out).
_MINOR_UNITS = {
    **dict.fromkeys(("JPY", "KRW", "VND", "CLP", "ISK", "PYG", "UGX", "XAF", "XOF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}
_ISO_RE = re.compile(r"^[A-Z]{3}$")
_ORG_ID = schema.make_id("00D", 1)
# Fields Salesforce itself defines; a data set's _picklists may not redefine them.
_SYSTEM_PICKLISTS = frozenset(
    {
        "CurrencyIsoCode",
        "DefaultCurrencyIsoCode",
        "TimeZoneSidKey",
        "LocaleSidKey",
        "DefaultLocaleSidKey",
        "IsoCode",
    }
)
_PICKLIST_KEYS = {
    "value",
    "label",
    "default",
    "active",
    "category",
    "closed",
    "won",
    "forecastCategory",
    "probability",
}


class OrgStore:
    """All records of the sandbox org, with the indexes the SOQL engine needs.

    ``timezone`` is the org's default time zone (``Organization.TimeZoneSidKey`` unless
    the data set gives one). The session the REST API serves belongs to the *integration
    user*: the first active User of the data set (in the order given). Its
    ``TimeZoneSidKey`` and ``LocaleSidKey`` (else the org's defaults) decide what TODAY
    and THIS_WEEK mean, and in a multicurrency org its ``DefaultCurrencyIsoCode`` is the
    currency ``convertCurrency()`` converts to.
    """

    def __init__(self, clock: Clock | None = None, timezone: str = "America/New_York") -> None:
        self.clock = clock or Clock()
        self.timezone = ZoneInfo(timezone)
        self.lock = threading.RLock()
        self.schema: schema.OrgSchema = schema.build_org_schema()
        self._records: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in self.schema.sobjects}
        # The recycle bin: deleted records by sObject, IsDeleted true (queryAll reads them).
        self._deleted: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in self.schema.sobjects}
        self._children: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = {}
        self._session_user: dict[str, Any] | None = None
        self._counters: dict[str, int] = defaultdict(int)
        self.load({})

    # -- reading
    def records(self, sobject: str, *, include_deleted: bool = False) -> list[dict[str, Any]]:
        """Every record of ``sobject`` in insertion order (do not mutate); with
        ``include_deleted``, those in the recycle bin after them (what ``queryAll`` reads)."""
        live = list(self._records[sobject].values())
        if include_deleted:
            live += self._deleted.get(sobject, {}).values()
        return live

    def deleted(self, sobject: str) -> dict[str, dict[str, Any]]:
        """The recycle bin's records of ``sobject`` by Id (IsDeleted true; mutable: the
        writer puts records in and takes them out)."""
        return self._deleted.setdefault(sobject, {})

    def in_bin(self, record_id: str) -> bool:
        """Is ``record_id`` (18 characters) a record in the recycle bin?"""
        obj = self.schema.sobject_for_id(record_id)
        return obj is not None and record_id in self._deleted.get(obj.name, {})

    def count(self, sobject: str) -> int:
        return len(self._records[sobject])

    def get(self, record_id: str) -> tuple[str, dict[str, Any]] | None:
        """(sObject name, record) for an Id of 15 or 18 characters, else None."""
        obj = self.schema.sobject_for_id(record_id)
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

    def by_reference(
        self, sobject: str, field_name: str, parent_id: str
    ) -> list[dict[str, Any]] | None:
        """The ``sobject`` records whose lookup ``field_name`` is ``parent_id`` (18
        characters), in insertion order, from the child index; None when that lookup has
        no index (the caller scans every record instead)."""
        index = self._children.get((sobject, field_name))
        if index is None:
            return None
        return index.get(parent_id, [])

    def now(self) -> dt.datetime:
        return self.clock.now()

    def organization(self) -> dict[str, Any]:
        """The org's one Organization record."""
        return next(iter(self._records["Organization"].values()))

    def session_user(self) -> dict[str, Any] | None:
        """The integration user the API session belongs to (None: no active User)."""
        return self._session_user

    def user_timezone(self) -> ZoneInfo:
        """The session user's time zone (its TimeZoneSidKey, else the org's)."""
        user = self._session_user
        key = (user or {}).get("TimeZoneSidKey") or self.organization()["TimeZoneSidKey"]
        return ZoneInfo(key)

    def user_locale(self) -> str:
        """The session user's LocaleSidKey, else the org's DefaultLocaleSidKey."""
        user = self._session_user
        return (user or {}).get("LocaleSidKey") or self.organization()["DefaultLocaleSidKey"]

    def week_start(self) -> int:
        """First day of the week for date literals (0 = Monday, 6 = Sunday), by locale."""
        return schema.LOCALE_FIRST_DAY[self.user_locale()]

    def user_currency(self) -> str | None:
        """The currency convertCurrency() converts to: the session user's
        DefaultCurrencyIsoCode, else the corporate currency (None: single-currency org)."""
        corporate = self.schema.corporate
        if corporate is None:
            return None
        user = self._session_user
        return (user or {}).get("DefaultCurrencyIsoCode") or corporate.iso

    def convert(self, amount: float, from_iso: str | None, to_iso: str) -> float:
        """``amount`` in ``from_iso`` expressed in ``to_iso`` (unrounded).

        CurrencyType.ConversionRate is the "conversion rate of this currency type against
        the corporate currency" (Object Reference, CurrencyType): one corporate unit is
        ``rate`` units, so amount / rate(from) * rate(to). A null currency is the
        corporate currency.
        """
        rates = self.schema.currencies
        source = rates[from_iso].rate if from_iso else 1.0
        return amount / source * rates[to_iso].rate

    def today(self) -> dt.date:
        """Today in the session user's time zone (the day TODAY means in SOQL)."""
        return self.clock.now().astimezone(self.user_timezone()).date()

    # -- writing
    def load(self, data: Mapping[str, Any]) -> dict[str, int]:
        """Replace every record with ``data`` (INTERFACE.md's data-file shape).

        Besides records keyed by sObject name, the data set may carry ``Organization``
        (one record), ``CurrencyType`` (a multicurrency org) and ``_picklists`` (the org's
        own picklist values). Validates names, types and picklist values, assigns missing
        Ids, computes derived fields. Returns the number of records loaded per object
        given. Raises DataLoadError with one line naming the problem; the old data then
        stays.
        """
        if not isinstance(data, Mapping):
            raise DataLoadError("the data set must be a JSON object keyed by sObject name")
        rows_by_object: dict[str, Any] = {}
        picklist_spec: Any = None
        for key, rows in data.items():
            if isinstance(key, str) and key.startswith("_"):
                if key != "_picklists":
                    raise DataLoadError(
                        f"unknown data-set key '{key}' (the only one starting with _ is _picklists)"
                    )
                picklist_spec = rows
                continue
            obj = schema.sobject_ci(str(key))
            if obj is not None:
                name = obj.name
            elif str(key).lower() == "currencytype":
                name = "CurrencyType"  # present only in the multicurrency org it makes
            else:
                raise DataLoadError(f"sObject type '{key}' is not supported")
            if name in rows_by_object:
                raise DataLoadError(f"{name} is given twice")
            if name == "Organization" and isinstance(rows, Mapping):
                rows = [rows]
            if not isinstance(rows, list):
                raise DataLoadError(f"{name}: expected a list of records")
            rows_by_object[name] = rows

        currencies = _parse_currencies(rows_by_object.get("CurrencyType") or [])
        if not currencies:
            rows_by_object.pop("CurrencyType", None)  # no rows: a single-currency org
        picklists, statuses = _parse_picklists(picklist_spec)
        org_rows = rows_by_object.get("Organization") or []
        if len(org_rows) > 1:
            raise DataLoadError("Organization: an org has exactly one Organization record")
        org_currency = "USD"
        if org_rows and isinstance(org_rows[0], Mapping):
            given = org_rows[0].get("DefaultCurrencyIsoCode")
            if given is not None and not currencies:
                if not isinstance(given, str) or not _ISO_RE.match(given):
                    raise DataLoadError(
                        f"Organization.DefaultCurrencyIsoCode: {given!r} is not a three-letter "
                        "ISO 4217 currency code"
                    )
                org_currency = given
        org_schema = schema.build_org_schema(
            currencies=currencies, org_currency=org_currency, picklists=picklists, **statuses
        )

        new: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in org_schema.sobjects}
        counters: dict[str, int] = defaultdict(int)
        now = self.clock.now()
        for obj_name, rows in rows_by_object.items():
            obj = org_schema.sobjects[obj_name]
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
                elif org_schema.sobject_for_id(rec["Id"]) is not obj:
                    raise DataLoadError(
                        f"{obj.name}[{i}]: Id {rec['Id']} does not have the {obj.name} "
                        f"key prefix {obj.key_prefix}"
                    )
                if rec["Id"] in new[obj.name]:
                    raise DataLoadError(f"{obj.name}[{i}]: duplicate Id {rec['Id']}")
                new[obj.name][rec["Id"]] = rec
        if not new["Organization"]:
            org = dict.fromkeys(org_schema.sobjects["Organization"].fields)
            org["Id"] = _ORG_ID
            new["Organization"][_ORG_ID] = org
        self._setup_org(org_schema, new)
        self._check_references(org_schema, new)
        _check_currencies(org_schema, new)
        _derive_all(org_schema, new, now)
        _check_picklists(org_schema, new)
        from bot.standins.salesforce.sharing import check_data

        check_data(new)
        session_user = next((u for u in new["User"].values() if u["IsActive"]), None)
        with self.lock:
            self.schema = org_schema
            self._records = new
            self._deleted = {n: {} for n in org_schema.sobjects}  # the bin goes with the data
            self._session_user = session_user
            self._reindex()
        return {k: len(new[k]) for k in rows_by_object if new[k]}

    def _setup_org(
        self, org_schema: schema.OrgSchema, new: dict[str, dict[str, dict[str, Any]]]
    ) -> None:
        """Defaults and checks for the Organization record and the users' locales."""
        org = next(iter(new["Organization"].values()))
        if org["Name"] is None:
            org["Name"] = "acctbot sandbox org"
        if org["FiscalYearStartMonth"] is None:
            org["FiscalYearStartMonth"] = 1  # a calendar fiscal year, Salesforce's default
        elif not 1 <= org["FiscalYearStartMonth"] <= 12:
            raise DataLoadError(
                f"Organization.FiscalYearStartMonth: {org['FiscalYearStartMonth']} is not a "
                "month (1 to 12)"
            )
        if org["UsesStartDateAsFiscalYearName"] is None:
            org["UsesStartDateAsFiscalYearName"] = False
        for rec in new.get("CurrencyType", {}).values():
            currency = org_schema.currencies[rec["IsoCode"]]
            rec["DecimalPlaces"] = currency.decimals
            rec["IsActive"] = currency.active
            rec["IsCorporate"] = currency.corporate
        corporate = org_schema.corporate
        if corporate is not None:
            given = org["DefaultCurrencyIsoCode"]
            if given is not None and given != corporate.iso:
                raise DataLoadError(
                    f"Organization.DefaultCurrencyIsoCode {given} is not the corporate currency "
                    f"{corporate.iso} (in a multicurrency org it is the corporate currency)"
                )
            org["DefaultCurrencyIsoCode"] = corporate.iso
        elif org["DefaultCurrencyIsoCode"] is None:
            org["DefaultCurrencyIsoCode"] = "USD"
        if org["TimeZoneSidKey"] is None:
            org["TimeZoneSidKey"] = self.timezone.key
        if org["DefaultLocaleSidKey"] is None:
            org["DefaultLocaleSidKey"] = schema.DEFAULT_LOCALE
        people = [("Organization", org, "TimeZoneSidKey", "DefaultLocaleSidKey")]
        people += [("User", u, "TimeZoneSidKey", "LocaleSidKey") for u in new["User"].values()]
        for obj_name, rec, tz_field, locale_field in people:
            zone = rec[tz_field]
            if zone is not None:
                try:
                    ZoneInfo(zone)
                except (KeyError, ValueError):
                    raise DataLoadError(
                        f"{obj_name} {rec['Id']}: {tz_field} {zone!r} is not a time zone "
                        "(use an IANA name such as Europe/Berlin)"
                    ) from None
            locale = rec[locale_field]
            if locale is not None and locale not in schema.LOCALE_FIRST_DAY:
                raise DataLoadError(
                    f"{obj_name} {rec['Id']}: {locale_field} {locale!r} is not a locale the "
                    f"sandbox knows (known: {', '.join(sorted(schema.LOCALE_FIRST_DAY))})"
                )

    def _reindex(self) -> None:
        self._children = {}
        for obj in self.schema.sobjects.values():
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
    def _check_references(
        org_schema: schema.OrgSchema, new: dict[str, dict[str, dict[str, Any]]]
    ) -> None:
        for obj_name, recs in new.items():
            obj = org_schema.sobjects[obj_name]
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


def _parse_currencies(rows: list[Any]) -> dict[str, schema.Currency]:
    """The CurrencyType rows of a data set as Currency values (validated; none: {}).

    Object Reference, CurrencyType: IsoCode is "a valid three-letter ISO currency code
    ... must be unique"; ConversionRate is against the corporate currency, so the
    corporate currency's own rate is 1; exactly one currency is corporate. A data set
    describes an org's state, so IsActive left out means active (give false for a
    deactivated currency); DecimalPlaces left out is the ISO 4217 minor unit.
    """
    fields = schema._currency_type(()).fields
    out: dict[str, schema.Currency] = {}
    for i, row in enumerate(rows):
        where = f"CurrencyType[{i}]"
        if not isinstance(row, Mapping):
            raise DataLoadError(f"{where}: expected an object")
        values: dict[str, Any] = {}
        for key, value in row.items():
            if key == "attributes":
                continue
            f = next((f for n, f in fields.items() if n.lower() == str(key).lower()), None)
            if f is None:
                raise DataLoadError(f"{where}: No such column '{key}'")
            try:
                values[f.name] = coerce(f, value)
            except DataLoadError as exc:
                raise DataLoadError(f"{where}.{exc}") from None
        iso = values.get("IsoCode")
        if not iso or not _ISO_RE.match(iso):
            raise DataLoadError(
                f"{where}: IsoCode {iso!r} is not a three-letter ISO 4217 currency code"
            )
        if iso in out:
            raise DataLoadError(f"{where}: IsoCode {iso} is given twice")
        rate = values.get("ConversionRate")
        if rate is None or rate <= 0:
            raise DataLoadError(f"{where}: {iso} needs a ConversionRate above 0, got {rate!r}")
        decimals = values.get("DecimalPlaces")
        if decimals is None:
            decimals = _MINOR_UNITS.get(iso, 2)
        active = values.get("IsActive")
        corporate = bool(values.get("IsCorporate"))
        out[iso] = schema.Currency(iso, rate, decimals, active is not False, corporate)
    if out:
        corporates = [c for c in out.values() if c.corporate]
        if len(corporates) != 1:
            raise DataLoadError(
                "CurrencyType: exactly one currency must have IsCorporate true, found "
                f"{len(corporates)}"
            )
        (corporate,) = corporates
        if corporate.rate != 1.0:
            raise DataLoadError(
                f"CurrencyType: the corporate currency {corporate.iso} must have ConversionRate "
                f"1 (the other rates are against it), got {corporate.rate}"
            )
        if not corporate.active:
            raise DataLoadError(f"CurrencyType: the corporate currency {corporate.iso} is inactive")
    return out


def _parse_picklists(
    spec: Any,
) -> tuple[dict[tuple[str, str], tuple[schema.PicklistValue, ...]], dict[str, Any]]:
    """A data set's ``_picklists``: (object, field) -> values, and the status maps.

    ``{"Order.Status": [{"value": "Draft", "default": true, "category": "Draft"}, ...]}``.
    Each entry: ``value`` (required), ``label``, ``default``, ``active``, and where a
    status drives derived fields: ``category`` for Order.Status (Draft or Activated:
    OrderStatus.StatusCode) and Contract.Status (Draft, InApproval, Activated);
    ``closed`` for Case.Status (CaseStatus.IsClosed); ``closed``, ``won``,
    ``forecastCategory`` and ``probability`` for Opportunity.StageName (OpportunityStage).
    """
    if spec is None:
        return {}, {}
    if not isinstance(spec, Mapping):
        raise DataLoadError('_picklists: expected an object such as {"Order.Status": [...]}')
    picklists: dict[tuple[str, str], tuple[schema.PicklistValue, ...]] = {}
    statuses: dict[str, Any] = {}
    for key, entries in spec.items():
        obj_name, _, field_name = str(key).partition(".")
        obj = schema.sobject_ci(obj_name)
        f = obj.field_ci(field_name) if obj is not None and field_name else None
        if obj is None or f is None:
            raise DataLoadError(f"_picklists: {key!r} is not an Object.Field the sandbox has")
        where = f"_picklists {obj.name}.{f.name}"
        if f.type != schema.PICKLIST or f.calculated or f.name in _SYSTEM_PICKLISTS:
            raise DataLoadError(f"{where}: not a picklist an org can define")
        if not isinstance(entries, list) or not entries:
            raise DataLoadError(f"{where}: expected a non-empty list of values")
        kind = f"{obj.name}.{f.name}"
        values: list[schema.PicklistValue] = []
        meta: dict[str, Mapping[str, Any]] = {}
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                raise DataLoadError(f"{where}[{i}]: expected an object with a value")
            unknown = sorted(set(entry) - _PICKLIST_KEYS)
            if unknown:
                raise DataLoadError(f"{where}[{i}]: unknown key {unknown[0]!r}")
            value = entry.get("value")
            if not isinstance(value, str) or not value.strip() or len(value) > 255:
                raise DataLoadError(f"{where}[{i}]: value must be a non-empty text")
            if value.lower() in seen:
                raise DataLoadError(f"{where}: the value {value!r} is given twice")
            seen.add(value.lower())
            for flag in ("default", "active", "closed", "won"):
                if flag in entry and not isinstance(entry[flag], bool):
                    raise DataLoadError(f"{where} {value!r}: {flag} must be true or false")
            label = entry.get("label", value)
            if not isinstance(label, str):
                raise DataLoadError(f"{where} {value!r}: label must be a text")
            allowed = {
                "Order.Status": {"category"},
                "Contract.Status": {"category"},
                "Case.Status": {"closed"},
                "Opportunity.StageName": {"closed", "won", "forecastCategory", "probability"},
            }.get(kind, set())
            extra = sorted(
                set(entry)
                & {"category", "closed", "won", "forecastCategory", "probability"} - allowed
            )
            if extra:
                raise DataLoadError(f"{where} {value!r}: {extra[0]!r} does not apply to {kind}")
            values.append(
                schema.PicklistValue(
                    value, label, bool(entry.get("default")), entry.get("active", True)
                )
            )
            meta[value] = entry
        defaults = [v for v in values if v.default]
        if len(defaults) > 1:
            raise DataLoadError(f"{where}: more than one default value")
        if defaults and not defaults[0].active:
            raise DataLoadError(f"{where}: the default value {defaults[0].value!r} is inactive")
        picklists[(obj.name, f.name)] = tuple(values)
        if kind in ("Order.Status", "Contract.Status"):
            allowed_categories = (
                schema.ORDER_STATUS_CATEGORIES
                if kind == "Order.Status"
                else schema.CONTRACT_STATUS_CATEGORIES
            )
            categories: dict[str, str] = {}
            for value, entry in meta.items():
                category = entry.get("category")
                if category not in allowed_categories:
                    raise DataLoadError(
                        f"{where} {value!r}: category must be one of "
                        f"{', '.join(allowed_categories)}, got {category!r}"
                    )
                categories[value] = category
            for needed in ("Draft", "Activated"):
                if needed not in categories.values():
                    raise DataLoadError(f"{where}: no value in the {needed} category")
            statuses["order_statuses" if kind == "Order.Status" else "contract_statuses"] = (
                categories
            )
        elif kind == "Case.Status":
            closed: dict[str, bool] = {}
            for value, entry in meta.items():
                if not isinstance(entry.get("closed"), bool):
                    raise DataLoadError(f"{where} {value!r}: closed (true or false) is required")
                closed[value] = entry["closed"]
            if all(closed.values()) or not any(closed.values()):
                raise DataLoadError(f"{where}: needs both open and closed values")
            statuses["case_statuses"] = closed
        elif kind == "Opportunity.StageName":
            stages: dict[str, tuple[bool, bool, str, float]] = {}
            for value, entry in meta.items():
                is_closed, is_won = entry.get("closed"), entry.get("won", False)
                if not isinstance(is_closed, bool):
                    raise DataLoadError(f"{where} {value!r}: closed (true or false) is required")
                if is_won and not is_closed:
                    raise DataLoadError(f"{where} {value!r}: a won stage is closed")
                default_category = "Closed" if is_won else "Omitted" if is_closed else "Pipeline"
                category = entry.get("forecastCategory", default_category)
                if category not in schema.FORECAST_CATEGORIES:
                    raise DataLoadError(
                        f"{where} {value!r}: forecastCategory must be one of "
                        f"{', '.join(schema.FORECAST_CATEGORIES)}"
                    )
                probability = entry.get(
                    "probability", 100.0 if is_won else 0.0 if is_closed else 10.0
                )
                if (
                    isinstance(probability, bool)
                    or not isinstance(probability, int | float)
                    or not (0 <= probability <= 100)
                ):
                    raise DataLoadError(f"{where} {value!r}: probability must be 0..100")
                stages[value] = (is_closed, bool(is_won), category, float(probability))
            statuses["stages"] = stages
    return picklists, statuses


def _check_currencies(
    org_schema: schema.OrgSchema, new: dict[str, dict[str, dict[str, Any]]]
) -> None:
    """Every record of a multicurrency org has a currency the org defines.

    A record left without CurrencyIsoCode gets the corporate currency; an order product
    always has its order's currency (Salesforce: an order's products come from a price
    book in the order's currency), and a user's DefaultCurrencyIsoCode defaults to the
    corporate currency.
    """
    corporate = org_schema.corporate
    if corporate is None:
        return
    codes = org_schema.currencies
    for obj_name in schema.CURRENCY_OBJECTS:
        fields = ["CurrencyIsoCode"] + (["DefaultCurrencyIsoCode"] if obj_name == "User" else [])
        for rec in new[obj_name].values():
            if obj_name == "OrderItem" and rec["OrderId"]:
                order_iso = new["Order"][rec["OrderId"]]["CurrencyIsoCode"] or corporate.iso
                if rec["CurrencyIsoCode"] is None:
                    rec["CurrencyIsoCode"] = order_iso
                elif rec["CurrencyIsoCode"] != order_iso:
                    raise DataLoadError(
                        f"OrderItem {rec['Id']}: CurrencyIsoCode {rec['CurrencyIsoCode']} is not "
                        f"its order's currency {order_iso}"
                    )
            for name in fields:
                if rec[name] is None:
                    rec[name] = corporate.iso
                elif rec[name] not in codes:
                    raise DataLoadError(
                        f"{obj_name} {rec['Id']}: bad value for restricted picklist field: "
                        f"{name} = {rec[name]!r} (the org's currencies: {', '.join(codes)})"
                    )


def _check_picklists(
    org_schema: schema.OrgSchema, new: dict[str, dict[str, dict[str, Any]]]
) -> None:
    """A value outside a restricted picklist's list is refused, as Salesforce refuses it
    ("bad value for restricted picklist field", INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST).
    Records may keep an inactive value (a value deactivated after they were saved)."""
    for obj_name, recs in new.items():
        obj = org_schema.sobjects[obj_name]
        restricted = [
            f
            for f in obj.fields.values()
            if f.type == schema.PICKLIST
            and f.restricted
            and f.name != "CurrencyIsoCode"
            and f.name != "DefaultCurrencyIsoCode"
            and f.picklist
        ]
        for f in restricted:
            allowed = {p.value for p in f.picklist}
            for rec in recs.values():
                value = rec[f.name]
                if value is not None and value not in allowed:
                    raise DataLoadError(
                        f"{obj_name} {rec['Id']}: bad value for restricted picklist field: "
                        f"{f.name} = {value!r} (the org's values: {', '.join(sorted(allowed))})"
                    )


def _default_value(org_schema: schema.OrgSchema, obj_name: str, field_name: str) -> str | None:
    """The default value of a picklist in this org (None: the picklist has none)."""
    f = org_schema.sobjects[obj_name].fields[field_name]
    return next((p.value for p in f.picklist if p.default), None)


def _bad_value(
    obj_name: str, rec: dict[str, Any], field_name: str, allowed: Iterable[str]
) -> DataLoadError:
    return DataLoadError(
        f"{obj_name} {rec['Id']}: bad value for restricted picklist field: {field_name} = "
        f"{rec[field_name]!r} (the org's values: {', '.join(allowed)})"
    )


def _derive_all(
    org_schema: schema.OrgSchema, new: dict[str, dict[str, dict[str, Any]]], now: dt.datetime
) -> None:
    """Compute the fields the org computes, as Salesforce would, from the org's own
    picklists: IsClosed/IsWon/ForecastCategoryName from the stage (OpportunityStage),
    IsClosed from the case status (CaseStatus), StatusCode from the order and contract
    status category (OrderStatus/ContractStatus.StatusCode)."""
    # Every record has a creator and a last modifier; a data set that names none was
    # loaded by the API session's user (the first active User given).
    loader = next((u["Id"] for u in new["User"].values() if u.get("IsActive") is not False), None)
    for obj_name, recs in new.items():
        for rec in recs.values():
            if rec.get("IsDeleted"):
                raise DataLoadError(
                    f"{obj_name} {rec['Id']}: IsDeleted is true; a data set loads live "
                    "records (delete one through the REST API to put it in the recycle bin)"
                )
            rec["IsDeleted"] = False
            if rec.get("CreatedDate") is None:
                rec["CreatedDate"] = now
            if rec.get("LastModifiedDate") is None:
                rec["LastModifiedDate"] = rec["CreatedDate"]
            if rec.get("SystemModstamp") is None:
                rec["SystemModstamp"] = rec["LastModifiedDate"]
            if rec.get("CreatedById") is None:
                rec["CreatedById"] = loader
            if rec.get("LastModifiedById") is None:
                rec["LastModifiedById"] = rec["CreatedById"]
        if obj_name in ("User", "Contact"):
            for rec in recs.values():
                if rec["Name"] is None:
                    parts = [p for p in (rec.get("FirstName"), rec.get("LastName")) if p]
                    rec["Name"] = " ".join(parts) or None
                if obj_name == "User" and rec["IsActive"] is None:
                    rec["IsActive"] = True
                if obj_name == "User" and rec["Username"] is None:
                    rec["Username"] = rec.get("Email")

    stages = org_schema.stages
    for rec in new["Opportunity"].values():
        stage = stages.get(rec["StageName"] or "")
        if stage is None:
            raise _bad_value("Opportunity", rec, "StageName", stages)
        is_closed, is_won, category, probability = stage
        rec["IsClosed"], rec["IsWon"] = is_closed, is_won
        if rec["ForecastCategoryName"] is None or is_closed:
            rec["ForecastCategoryName"] = category
        if rec["Probability"] is None:
            rec["Probability"] = probability

    case_statuses = org_schema.case_statuses
    case_default = _default_value(org_schema, "Case", "Status")
    priority_default = _default_value(org_schema, "Case", "Priority")
    for rec in new["Case"].values():
        if rec["Status"] is None:
            rec["Status"] = case_default
        if rec["Status"] not in case_statuses:
            raise _bad_value("Case", rec, "Status", case_statuses)
        rec["IsClosed"] = case_statuses[rec["Status"]]
        if rec["IsEscalated"] is None:
            rec["IsEscalated"] = rec["Status"] == "Escalated"
        if not rec["IsClosed"]:
            rec["ClosedDate"] = None
        elif rec["ClosedDate"] is None:
            rec["ClosedDate"] = rec["LastModifiedDate"]
        if rec["Priority"] is None:
            rec["Priority"] = priority_default

    for obj_name, statuses in (
        ("Order", org_schema.order_statuses),
        ("Contract", org_schema.contract_statuses),
    ):
        default = _default_value(org_schema, obj_name, "Status")
        for rec in new[obj_name].values():
            if rec["Status"] is None:
                if default is None:
                    raise DataLoadError(
                        f"{obj_name} {rec['Id']}: Required fields are missing: [Status] (the "
                        "org's Status picklist has no default value)"
                    )
                rec["Status"] = default
            if rec["Status"] not in statuses:
                raise _bad_value(obj_name, rec, "Status", statuses)
            rec["StatusCode"] = statuses[rec["Status"]]

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
