"""The sandbox org's SOQL engine: ``execute(query, store)``.

``soql_parser`` turns the text into a syntax tree; this module resolves names against
the schema (case-insensitively, as Salesforce does), checks literal types, and evaluates
the query over the in-memory ``OrgStore``, returning records in Salesforce REST shapes.

Semantics follow Salesforce's SOQL documentation rather than SQL:

- text comparisons (``=``, ``IN``, ``LIKE``) are case-insensitive; text sorts by the
  upper-cased value; picklists sort in their defined value order;
- there is no three-valued logic: ``field != 'x'`` and ``NOT IN`` match records whose
  field is null, ``=``/``<``/``LIKE`` never match a null; a boolean null equals false;
- ``ORDER BY`` puts nulls first unless ``NULLS LAST`` is given (the documented default);
- date literals (TODAY, THIS_WEEK, LAST_N_DAYS:n, ...) are ranges of local days in the
  time zone of the user the session belongs to, with weeks starting on that user's
  locale's first day (Sunday for en_US, Monday for en_GB, de_DE, fr_FR, ...);
  ``=`` means inside the range, ``<`` before its start, ``>`` after its end;
- in a multicurrency org, ``convertCurrency(field)`` converts to the user's currency,
  aggregate functions over currency fields return the corporate currency, ORDER BY a
  currency field sorts by the converted value, and ``Amount > USD5000`` compares the
  converted amounts ("Querying Currency Fields in Multicurrency Orgs", convertCurrency()).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.standins.salesforce import schema, sharing
from bot.standins.salesforce.schema import Field, SObject
from bot.standins.salesforce.soql_parser import (
    MALFORMED,
    AggCall,
    BoolOp,
    Comparison,
    Condition,
    ConvertCurrency,
    FieldPath,
    Literal,
    NotOp,
    OrderItem,
    Query,
    SoqlError,
    SubQuery,
    locate,
    parse,
)
from bot.standins.salesforce.store import OrgStore, json_value, to_json

__all__ = ["QueryResult", "SoqlError", "execute"]

INVALID_FIELD = "INVALID_FIELD"
INVALID_TYPE = "INVALID_TYPE"
INVALID_OPERATOR = "INVALID_QUERY_FILTER_OPERATOR"
MAX_PARENT_DEPTH = 5

_TEXTUAL = frozenset(schema.TEXT_TYPES) - {schema.ID, schema.REFERENCE}
_IDS = frozenset({schema.ID, schema.REFERENCE})
_TYPE_WORD = {
    schema.DATE: "date",
    schema.DATETIME: "dateTime",
    schema.BOOLEAN: "boolean",
    schema.INT: "integer",
    schema.CURRENCY: "double",
    schema.DOUBLE: "double",
    schema.PERCENT: "double",
}


@dataclass
class QueryResult:
    """Every row of a query. ``aggregate``: the rows are AggregateResults (GROUP BY or
    aggregate functions), which Salesforce never pages ("queries that include a GROUP BY
    clause can't use the query locator to get more results")."""

    total_size: int
    records: list[dict[str, Any]]
    aggregate: bool = False
    child_keys: tuple[str, ...] = ()  # the child relationships (subqueries) in each record


Record = dict[str, Any]
Getter = Callable[[Any], Any]
Predicate = Callable[[Any], bool]
# An operand of a condition: getter, field, position, and (for a currency field of a
# multicurrency org) the getter of its value in the corporate currency.
Operand = tuple[Getter, Field, int, Getter | None]


@dataclass
class Resolved:
    """A field path resolved against the schema."""

    rels: list[Field]  # lookup fields walked, root first
    field: Field
    objects: list[SObject]  # the object of each step: root, then each parent

    @property
    def target(self) -> SObject:
        return self.objects[-1]


def execute(
    query: str,
    store: OrgStore,
    *,
    api_version: str = "62.0",
    include_deleted: bool = False,
) -> QueryResult:
    """Run one SOQL query; all matching rows (after LIMIT/OFFSET), REST-shaped.
    ``include_deleted``: the ``queryAll`` resource, which also reads the recycle bin
    (records with IsDeleted true; REST API, "QueryAll")."""
    if not isinstance(query, str) or not query.strip():
        raise SoqlError(MALFORMED, "unexpected token: '<EOF>'")
    tree = parse(query)
    if sharing.is_access_query(tree):  # computed from the sharing model, not stored
        return sharing.run_access_query(tree, query, store, api_version)
    return _Engine(query, store, api_version, include_deleted=include_deleted).run(tree)


# --- helpers -------------------------------------------------------------------------

_SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def canonical_id(value: str) -> str | None:
    """The 18-character form of a 15- or 18-character Id (case repaired), else None."""
    if not value.isascii() or not value.isalnum():
        return None
    if len(value) == 15:
        return value + schema.id_suffix(value)
    if len(value) != 18:
        return None
    chars = list(value[:15])
    for chunk, code in enumerate(value[15:].upper()):
        bits = _SUFFIX_CHARS.find(code)
        if bits < 0:
            return None
        for i in range(5):
            k = chunk * 5 + i
            chars[k] = chars[k].upper() if bits >> i & 1 else chars[k].lower()
    body = "".join(chars)
    return body + schema.id_suffix(body)


def text_key(value: str) -> str:
    """Case-insensitive comparison key (English locale: upper-cased UTF-8 order)."""
    return value.upper()


def like_regex(pattern: str) -> re.Pattern[str]:
    """Compile a LIKE pattern source (``%``, ``_``; ``\\%``, ``\\_``, ``\\\\`` literal)."""
    out: list[str] = []
    i = 0
    src = text_key(pattern)
    while i < len(src):
        ch = src[i]
        if ch == "\\" and i + 1 < len(src):
            out.append(re.escape(src[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _add_months(d: dt.date, months: int) -> dt.date:
    m0 = d.month - 1 + months
    year, month = d.year + m0 // 12, m0 % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _period(
    unit: str, today: dt.date, k: int, week_start: int = schema.SUNDAY
) -> tuple[dt.date, dt.date]:
    """[start, end) of the unit-long period ``k`` periods from the current one.

    Weeks start on ``week_start`` (0 = Monday ... 6 = Sunday): "The first day of the
    week is determined by your locale" (SOQL date literals, LAST_WEEK/THIS_WEEK).
    """
    if unit == "DAY":
        start = today + dt.timedelta(days=k)
        return start, start + dt.timedelta(days=1)
    if unit == "WEEK":
        this = today - dt.timedelta(days=(today.weekday() - week_start) % 7)
        start = this + dt.timedelta(weeks=k)
        return start, start + dt.timedelta(weeks=1)
    months = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}[unit]
    if unit == "MONTH":
        base = today.replace(day=1)
    elif unit == "QUARTER":
        base = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    else:
        base = dt.date(today.year, 1, 1)
    start = _add_months(base, months * k)
    return start, _add_months(start, months)


def date_range(
    name: str, n: int | None, today: dt.date, week_start: int = schema.SUNDAY
) -> tuple[dt.date, dt.date]:
    """The local-day range [start, end) of a date literal such as THIS_WEEK, for a user
    whose today is ``today`` and whose weeks start on ``week_start`` (0 = Monday)."""
    simple = {"YESTERDAY": ("DAY", -1), "TODAY": ("DAY", 0), "TOMORROW": ("DAY", 1)}
    if name in simple:
        unit, k = simple[name]
        return _period(unit, today, k, week_start)
    if name == "LAST_90_DAYS":
        name, n = "LAST_N_DAYS", 90
    if name == "NEXT_90_DAYS":
        name, n = "NEXT_N_DAYS", 90
    if n is None:
        which, unit = name.split("_", 1)
        k = {"LAST": -1, "THIS": 0, "NEXT": 1}[which]
        return _period(unit, today, k, week_start)
    if name == "LAST_N_DAYS":  # includes today
        return today - dt.timedelta(days=n), today + dt.timedelta(days=1)
    if name == "NEXT_N_DAYS":  # starts tomorrow
        return today + dt.timedelta(days=1), today + dt.timedelta(days=n + 1)
    if name.endswith("_AGO"):  # N_WEEKS_AGO
        return _period(name.split("_")[1].rstrip("S"), today, -n, week_start)
    unit = name.split("_")[2].rstrip("S")  # LAST_N_WEEKS -> WEEK
    if name.startswith("LAST_"):
        return _period(unit, today, -n, week_start)[0], _period(unit, today, -1, week_start)[1]
    return _period(unit, today, 1, week_start)[0], _period(unit, today, n, week_start)[1]


# --- the engine ----------------------------------------------------------------------


class _Engine:
    def __init__(
        self, query: str, store: OrgStore, api_version: str, *, include_deleted: bool = False
    ) -> None:
        self.query = query
        self.store = store
        self.include_deleted = include_deleted
        self.schema = store.schema
        self.api_version = api_version
        self._today: dt.date | None = None

    # -- errors
    def fail(self, code: str, pos: int | None, message: str) -> SoqlError:
        return SoqlError(code, locate(self.query, pos, message))

    # -- names
    def sobject(self, name: str, pos: int) -> SObject:
        obj = self.schema.sobject_ci(name)
        if obj is None:
            raise self.fail(
                INVALID_TYPE,
                pos,
                f"sObject type '{name}' is not supported. If you are attempting to use a "
                "custom object, be sure to append the '__c' after the entity name. Please "
                "reference your WSDL or the describe call for the appropriate names.",
            )
        return obj

    def resolve(self, obj: SObject, path: FieldPath) -> Resolved:
        parts = list(path.parts)
        prefixed = len(parts) > 1 and parts[0].lower() == obj.name.lower()
        if prefixed and obj.relationship_ci(parts[0]) is None:
            parts = parts[1:]  # "Account.Name" FROM Account
        rels: list[Field] = []
        objects = [obj]
        current = obj
        for name in parts[:-1]:
            rel = current.relationship_ci(name)
            if rel is None or rel.reference_to is None:
                raise self.fail(
                    INVALID_FIELD,
                    path.pos,
                    f"Didn't understand relationship '{name}' in field path. If you are "
                    "attempting to use a custom relationship, be sure to append the '__r' "
                    "after the custom relationship name. Please reference your WSDL or the "
                    "describe call for the appropriate names.",
                )
            rels.append(rel)
            current = self.schema.sobjects[rel.reference_to]
            objects.append(current)
        if len(rels) > MAX_PARENT_DEPTH:
            raise self.fail(
                MALFORMED,
                path.pos,
                "SOQL statements cannot query relationships that are more than "
                f"{MAX_PARENT_DEPTH} levels away from the root entity object.",
            )
        f = current.field_ci(parts[-1])
        if f is None:
            raise self.fail(
                INVALID_FIELD,
                path.pos,
                f"No such column '{parts[-1]}' on entity '{current.name}'. If you are "
                "attempting to use a custom field, be sure to append the '__c' after the "
                "custom field name. Please reference your WSDL or the describe call for the "
                "appropriate names.",
            )
        return Resolved(rels, f, objects)

    def getter(self, res: Resolved) -> Getter:
        name = res.field.name
        if not res.rels:
            return lambda rec: rec[name]
        rels = [f.name for f in res.rels]
        get = self.store.get

        def walk(rec: Record) -> Any:
            for rel in rels:
                pid = rec[rel]
                if pid is None:
                    return None
                found = get(pid)
                if found is None:
                    return None
                rec = found[1]
            return rec[name]

        return walk

    # -- run
    def run(self, q: Query) -> QueryResult:
        obj = self.sobject(q.sobject, q.sobject_pos)
        aggs = [it.expr for it in q.select if isinstance(it.expr, AggCall)]
        bare = [a for a in aggs if a.arg is None]
        if bare and len(q.select) > 1:
            raise self.fail(
                MALFORMED, bare[0].pos, "COUNT() must be the only element in the SELECT list"
            )
        if bare:
            return self.run_count(obj, q)
        if aggs or q.group_by:
            return self.run_aggregate(obj, q)
        if q.having is not None:
            raise self.fail(MALFORMED, None, "HAVING can only be used with GROUP BY")
        select = self.compile_select(obj, q)
        build = self.builder(obj, q)
        rows = select(self.candidates(obj, q))
        records = [build(rec) for rec in rows]
        child_keys = tuple(
            rel.name
            for it in q.select
            if isinstance(it.expr, SubQuery)
            and (rel := obj.child_ci(it.expr.query.sobject)) is not None
        )
        return QueryResult(len(records), records, child_keys=child_keys)

    def run_count(self, obj: SObject, q: Query) -> QueryResult:
        if q.group_by:
            return self.run_aggregate(obj, q, count_only=True)
        if q.order_by:
            raise self.fail(
                MALFORMED, q.order_by[0].expr.pos, "ORDER BY cannot be used with COUNT()"
            )
        rows = self.filter_rows(obj, q, self.candidates(obj, q))
        rows = self.page(rows, q)
        return QueryResult(len(rows), [])

    def candidates(self, obj: SObject, q: Query) -> Sequence[Record]:
        """The records WHERE can match: with a top-level ``Lookup = 'Id'`` (alone or in
        an AND), only that parent's children, from the store's index (what a real org's
        index on a lookup does for speed); else every record. The full WHERE still runs
        on them, in the same insertion order, so no answer changes."""
        conds = [q.where] if isinstance(q.where, Comparison) else []
        if isinstance(q.where, BoolOp) and q.where.op == "AND":
            conds = [c for c in q.where.items if isinstance(c, Comparison)]
        for c in conds:
            if (
                c.op == "="
                and isinstance(c.left, FieldPath)
                and len(c.left.parts) == 1
                and isinstance(c.value, Literal)
                and c.value.kind == "STRING"
                and isinstance(c.value.value, str)
            ):
                f = obj.field_ci(c.left.parts[0])
                parent = canonical_id(c.value.value)
                if f is None or f.reference_to is None or parent is None:
                    continue
                found = self.store.by_reference(obj.name, f.name, parent)
                if found is not None:
                    if self.include_deleted:
                        binned = self.store.deleted(obj.name).values()
                        return [*found, *(r for r in binned if r.get(f.name) == parent)]
                    return found
        return self.store.records(obj.name, include_deleted=self.include_deleted)

    def compile_filter(self, obj: SObject, q: Query) -> Callable[[Sequence[Record]], list[Record]]:
        if q.where is None:
            return list
        pred = self.condition(q.where, lambda path: self.field_operand(obj, path))
        return lambda rows: [rec for rec in rows if pred(rec)]

    def filter_rows(self, obj: SObject, q: Query, rows: Sequence[Record]) -> list[Record]:
        return self.compile_filter(obj, q)(rows)

    def compile_select(self, obj: SObject, q: Query) -> Callable[[Sequence[Record]], list[Record]]:
        """Compile WHERE, ORDER BY, LIMIT and OFFSET into one function over records."""
        filt = self.compile_filter(obj, q)
        keys = []
        for item in q.order_by:
            if isinstance(item.expr, AggCall):
                raise self.fail(
                    MALFORMED,
                    item.expr.pos,
                    "Aggregate functions in ORDER BY need GROUP BY or aggregates in SELECT",
                )
            res = self.resolve(obj, item.expr)
            self.check_flag(res.field, "sortable", "sorted", item.expr.pos)
            # "Ordering is always based on the converted currency value, just like in
            # reports" (convertCurrency(), considerations): sort by the corporate amount.
            get = self.corporate_getter(res) if self.in_corporate(res.field) else self.getter(res)
            keys.append((get, self.sort_key(res.field), item))

        def run(rows: Sequence[Record]) -> list[Record]:
            out = filt(rows)
            if keys:
                out = sort_rows(out, keys)
            return self.page(out, q)

        return run

    @staticmethod
    def page(rows: list[Any], q: Query) -> list[Any]:
        start = q.offset or 0
        end = None if q.limit is None else start + q.limit
        return rows[start:end]

    def check_flag(self, f: Field, flag: str, verb: str, pos: int) -> None:
        if not getattr(f, flag):
            raise self.fail(
                INVALID_FIELD, pos, f"field '{f.name}' can not be {verb} in a query call"
            )

    # -- record shapes
    def attributes(self, obj: SObject, rec: Record) -> dict[str, str]:
        url = f"/services/data/v{self.api_version}/sobjects/{obj.name}/{rec['Id']}"
        return {"type": obj.name, "url": url}

    def builder(self, obj: SObject, q: Query) -> Callable[[Record], Record]:
        steps: list[Callable[[Record, Record], None]] = []
        seen: set[str] = set()
        for item in q.select:
            expr = item.expr
            if item.alias is not None and not isinstance(expr, ConvertCurrency):
                raise self.fail(
                    MALFORMED, None, f"unexpected token: '{item.alias}' (aliases need GROUP BY)"
                )
            if isinstance(expr, SubQuery):
                steps.append(self.child_step(obj, expr))
                continue
            path = expr.arg if isinstance(expr, ConvertCurrency) else expr
            assert isinstance(path, FieldPath)
            res = self.resolve(obj, path)
            convert = isinstance(expr, ConvertCurrency)
            if convert:
                self.check_convertible(res.field, expr.pos)
            key = item.alias or ".".join(
                [f.relationship_name or "" for f in res.rels] + [res.field.name]
            )
            if key.lower() in seen:
                raise self.fail(MALFORMED, path.pos, f"duplicate field selected: {path.text}")
            seen.add(key.lower())
            steps.append(self.field_step(res, convert=convert, alias=item.alias))

        def build(rec: Record) -> Record:
            out: Record = {"attributes": self.attributes(obj, rec)}
            for step in steps:
                step(rec, out)
            return out

        return build

    def field_step(
        self, res: Resolved, *, convert: bool = False, alias: str | None = None
    ) -> Callable[[Record, Record], None]:
        """Copy one field into the output record: nested under its relationship names
        (Account.Owner.Name -> {"Account": {"Owner": {"Name": ...}}}), or, for
        ``convertCurrency(field) alias``, at the top level under the alias. With
        ``convert`` the value is in the session user's currency."""
        f = res.field
        get = self.store.get
        if alias is not None:
            value_get = self.getter(res)
            iso_get = self.iso_getter(res)

            def aliased(rec: Record, out: Record) -> None:
                out[alias] = self.to_user_currency(value_get(rec), iso_get(rec))

            return aliased

        def step(rec: Record, out: Record) -> None:
            container: Record = out
            current: Record = rec
            for rel, parent_obj in zip(res.rels, res.objects[1:], strict=True):
                key = rel.relationship_name or rel.name
                if key not in container:
                    pid = current[rel.name]
                    found = get(pid) if pid is not None else None
                    if found is None:
                        container[key] = None
                        return
                    container[key] = {"attributes": self.attributes(parent_obj, found[1])}
                nested = container[key]
                if nested is None:
                    return
                pid = current[rel.name]
                found = get(pid) if pid is not None else None
                if found is None:
                    return
                current = found[1]
                container = nested
            value = current[f.name]
            if convert:
                container[f.name] = self.to_user_currency(value, current.get("CurrencyIsoCode"))
            else:
                container[f.name] = to_json(f, value)

        return step

    # -- currencies (multicurrency orgs)
    def check_convertible(self, f: Field, pos: int) -> None:
        """convertCurrency() needs a multicurrency org ("This action requires that the org
        has multiple currencies enabled") and a currency field."""
        if not self.schema.multi_currency:
            raise self.fail(
                MALFORMED,
                pos,
                "convertCurrency() requires an org with multiple currencies enabled; this org "
                f"uses one currency ({self.store.organization()['DefaultCurrencyIsoCode']})",
            )
        if f.type != schema.CURRENCY:
            raise self.fail(
                MALFORMED,
                pos,
                f"convertCurrency() can only be used on currency fields: '{f.name}' is of type "
                f"{_TYPE_WORD.get(f.type, f.type)}",
            )

    def iso_getter(self, res: Resolved) -> Getter:
        """The CurrencyIsoCode of the record that holds ``res``'s field."""
        iso_field = res.target.fields.get("CurrencyIsoCode")
        if iso_field is None:
            return lambda rec: None
        return self.getter(Resolved(res.rels, iso_field, res.objects))

    def corporate_getter(self, res: Resolved) -> Getter:
        """The field's value converted to the corporate currency (unrounded), or None."""
        value_get, iso_get = self.getter(res), self.iso_getter(res)
        corporate = self.schema.corporate
        assert corporate is not None
        convert = self.store.convert

        def get(rec: Record) -> Any:
            value = value_get(rec)
            return None if value is None else convert(value, iso_get(rec), corporate.iso)

        return get

    def in_corporate(self, f: Field) -> bool:
        """Whether ``f``'s values are compared, sorted and aggregated in the corporate
        currency: a currency field of a multicurrency org."""
        return f.type == schema.CURRENCY and self.schema.multi_currency

    def to_user_currency(self, value: Any, iso: str | None) -> Any:
        """A currency value in the session user's currency, rounded to its decimals."""
        if value is None:
            return None
        target = self.store.user_currency()
        assert target is not None
        converted = self.store.convert(value, iso, target)
        return round(converted, self.schema.currencies[target].decimals)

    def child_step(self, parent: SObject, sub: SubQuery) -> Callable[[Record, Record], None]:
        q = sub.query
        rel = parent.child_ci(q.sobject)
        if rel is None:
            raise self.fail(
                INVALID_TYPE,
                q.sobject_pos,
                f"Didn't understand relationship '{q.sobject}' in FROM part of query call. "
                "If you are attempting to use a custom relationship, be sure to append the "
                "'__r' after the custom relationship name. Please reference your WSDL or the "
                "describe call for the appropriate names.",
            )
        child = self.schema.sobjects[rel.child_sobject]
        if q.group_by or q.having or any(isinstance(it.expr, AggCall) for it in q.select):
            raise self.fail(
                MALFORMED, sub.pos, "Aggregate functions are not supported in a child subquery"
            )
        build = self.builder(child, q)
        select = self.compile_select(child, q)

        def step(rec: Record, out: Record) -> None:
            kids = self.store.children(rel, rec["Id"])
            rows = select(kids) if kids else []
            out[rel.name] = (
                {"totalSize": len(rows), "done": True, "records": [build(r) for r in rows]}
                if rows
                else None
            )

        return step

    # -- sorting
    def sort_key(self, f: Field) -> Callable[[Any], Any]:
        if f.type == schema.PICKLIST and f.picklist:
            order = {text_key(v.value): i for i, v in enumerate(f.picklist)}
            last = len(order)
            return lambda v: (order.get(text_key(v), last), text_key(v))
        if f.type in _TEXTUAL:
            return text_key
        return lambda v: v

    # -- conditions
    def field_operand(self, obj: SObject, left: FieldPath | AggCall) -> Operand:
        if isinstance(left, AggCall):
            raise self.fail(MALFORMED, left.pos, "Aggregate functions are not allowed here")
        res = self.resolve(obj, left)
        self.check_flag(res.field, "filterable", "filtered", left.pos)
        corporate = self.corporate_getter(res) if self.in_corporate(res.field) else None
        return self.getter(res), res.field, left.pos, corporate

    def condition(
        self,
        cond: Condition,
        operand: Callable[[FieldPath | AggCall], Operand],
    ) -> Predicate:
        if isinstance(cond, BoolOp):
            preds = [self.condition(c, operand) for c in cond.items]
            if cond.op == "AND":
                return lambda rec: all(p(rec) for p in preds)
            return lambda rec: any(p(rec) for p in preds)
        if isinstance(cond, NotOp):
            inner = self.condition(cond.item, operand)
            return lambda rec: not inner(rec)
        get, f, _, corporate = operand(cond.left)
        literals = cond.value if isinstance(cond.value, list) else [cond.value]
        iso_coded = {lit.kind == "CURRENCY" for lit in literals}
        if True in iso_coded:
            if len(iso_coded) > 1:
                # "If you use IN in the WHERE clause, you can't mix ISO_CODE and non-ISO_CODE
                # values."
                raise self.fail(
                    MALFORMED, cond.pos, "ISO-coded and plain values can't be mixed in IN"
                )
            return self.currency_comparison(cond, f, corporate, literals)
        return self.comparison(cond, get, f)

    def currency_comparison(
        self, c: Comparison, f: Field, corporate: Getter | None, literals: list[Literal]
    ) -> Predicate:
        """``Amount > USD5000``: "records will be returned if the record's currency Amount
        value is greater than the equivalent of USD5000" - both sides in the corporate
        currency. Not allowed with aggregate functions ("you can't use ISO_CODEvalue to
        represent a value in a particular currency")."""
        if c.op == "LIKE":
            return self.like(c, lambda rec: None, f)
        targets = [self.currency_literal(lit) for lit in literals]
        if corporate is None:
            if f.type == schema.CURRENCY or f.name.endswith("()"):
                raise self.fail(
                    MALFORMED,
                    c.pos,
                    "ISO-coded currency values can't be used with aggregate functions",
                )
            raise self.type_error(f, literals[0], _TYPE_WORD.get(f.type, f.type), False)
        if c.op in ("IN", "NOT IN", "=", "!="):
            wanted = {round(t, 9) for t in targets}

            def member(rec: Any) -> bool:
                value = corporate(rec)
                return value is not None and round(value, 9) in wanted

            if c.op in ("IN", "="):
                return member
            return lambda rec: not member(rec)
        if literals[0].kind == "NULL":  # unreachable: NULL is never ISO-coded
            raise self.fail(MALFORMED, c.pos, "null can't be ISO-coded")
        target = targets[0]
        tests: dict[str, Callable[[Any], bool]] = {
            "<": lambda v: v < target,
            "<=": lambda v: v <= target,
            ">": lambda v: v > target,
            ">=": lambda v: v >= target,
        }
        return _cmp(corporate, tests[c.op])

    def currency_literal(self, lit: Literal) -> float:
        """An ISO-coded value (USD5000) in the corporate currency. "Use an ISO code that
        your org has enabled and is active." """
        iso, amount = lit.value
        if not self.schema.multi_currency:
            raise self.fail(
                MALFORMED,
                lit.pos,
                f"ISO-coded currency values such as {iso}{amount} need an org with multiple "
                "currencies enabled",
            )
        currency = self.schema.currencies.get(iso)
        if currency is None or not currency.active:
            raise self.fail(MALFORMED, lit.pos, f"{iso} is not an active currency of this org")
        corporate = self.schema.corporate
        assert corporate is not None
        return self.store.convert(float(amount), iso, corporate.iso)

    def comparison(self, c: Comparison, get: Getter, f: Field) -> Predicate:
        op = c.op
        if op == "LIKE":
            return self.like(c, get, f)
        if f.type == schema.BOOLEAN and op not in ("=", "!=", "IN", "NOT IN"):
            raise self.fail(INVALID_OPERATOR, c.pos, "invalid operator on boolean field")
        if op in ("IN", "NOT IN"):
            assert isinstance(c.value, list)
            tests = [self.equality(lit, get, f) for lit in c.value]
            if op == "IN":
                return lambda rec: any(t(rec) for t in tests)
            return lambda rec: not any(t(rec) for t in tests)
        assert isinstance(c.value, Literal)
        lit = c.value
        if op in ("=", "!="):
            eq = self.equality(lit, get, f)
            return eq if op == "=" else (lambda rec: not eq(rec))
        if lit.kind == "NULL":
            raise self.fail(
                INVALID_OPERATOR, lit.pos, f"null can only be compared with = or !=, not {op}"
            )
        if lit.kind == "DATE_CONST":
            lo, hi = self.const_range(lit, f)
            if op == "<":
                return _cmp(get, lambda v: v < lo)
            if op == "<=":
                return _cmp(get, lambda v: v < hi)
            if op == ">":
                return _cmp(get, lambda v: v >= hi)
            return _cmp(get, lambda v: v >= lo)
        value = self.literal_value(lit, f)
        norm = self.normaliser(f)
        target = norm(value)
        tests: dict[str, Callable[[Any], bool]] = {
            "<": lambda v: norm(v) < target,
            "<=": lambda v: norm(v) <= target,
            ">": lambda v: norm(v) > target,
            ">=": lambda v: norm(v) >= target,
        }
        return _cmp(get, tests[op])

    def equality(self, lit: Literal, get: Getter, f: Field) -> Predicate:
        """A predicate for ``field = literal`` (SOQL two-valued semantics)."""
        boolean = f.type == schema.BOOLEAN
        if lit.kind == "NULL":
            if boolean:  # a null boolean is false
                return lambda rec: not get(rec)
            return lambda rec: get(rec) is None
        if lit.kind == "DATE_CONST":
            lo, hi = self.const_range(lit, f)
            return _cmp(get, lambda v: lo <= v < hi)
        value = self.literal_value(lit, f)
        if boolean:
            return lambda rec: bool(get(rec)) == value
        norm = self.normaliser(f)
        target = norm(value)
        return _cmp(get, lambda v: norm(v) == target)

    @staticmethod
    def normaliser(f: Field) -> Callable[[Any], Any]:
        if f.type in _TEXTUAL:
            return text_key
        return lambda v: v

    def like(self, c: Comparison, get: Getter, f: Field) -> Predicate:
        lit = c.value
        if f.type in _IDS:
            raise self.fail(INVALID_OPERATOR, c.pos, "invalid operator on id field")
        if f.type not in _TEXTUAL:
            raise self.fail(
                INVALID_FIELD,
                c.pos,
                f"LIKE operator is only valid on string fields: '{f.name}' is of type "
                f"{_TYPE_WORD.get(f.type, f.type)}",
            )
        if not isinstance(lit, Literal) or lit.kind != "STRING" or lit.token is None:
            raise self.fail(
                INVALID_FIELD,
                c.pos,
                f"value of filter criterion for field '{f.name}' must be of type string and "
                "should be enclosed in quotes",
            )
        regex = like_regex(lit.token.like or "")
        return _cmp(get, lambda v: regex.fullmatch(text_key(v)) is not None)

    def literal_value(self, lit: Literal, f: Field) -> Any:
        """The literal as a native value of ``f``'s type, or the Salesforce type error."""
        t = f.type
        kind = lit.kind
        if kind == "STRING" and lit.token is not None and lit.token.like_only:
            raise self.fail(
                MALFORMED,
                lit.pos,
                f"Invalid string literal '{lit.token.text}'. Illegal character sequence "
                "'\\%' or '\\_' outside a LIKE expression.",
            )
        if t in _IDS:
            if kind != "STRING":
                raise self.type_error(f, lit, "string", quoted=True)
            canonical = canonical_id(lit.value)
            if canonical is None:
                raise self.fail(INVALID_OPERATOR, lit.pos, f"invalid ID field: {lit.value}")
            return canonical
        if t in _TEXTUAL:
            if kind != "STRING":
                raise self.type_error(f, lit, "string", quoted=True)
            return lit.value
        word = _TYPE_WORD.get(t, t)
        if t == schema.BOOLEAN and kind == "BOOLEAN":
            return lit.value
        if t in schema.NUMERIC_TYPES and kind == "NUMBER":
            return lit.value
        if t == schema.DATE and kind == "DATE":
            return lit.value
        if t == schema.DATETIME and kind == "DATETIME":
            return lit.value
        raise self.type_error(f, lit, word, quoted=False)

    def type_error(self, f: Field, lit: Literal, word: str, quoted: bool) -> SoqlError:
        enclosed = "should be enclosed in quotes" if quoted else "should not be enclosed in quotes"
        return self.fail(
            INVALID_FIELD,
            lit.pos,
            f"value of filter criterion for field '{f.name}' must be of type {word} and {enclosed}",
        )

    def today(self) -> dt.date:
        if self._today is None:
            self._today = self.store.today()
        return self._today

    def const_range(self, lit: Literal, f: Field) -> tuple[Any, Any]:
        """[lo, hi) of a date literal in ``f``'s domain (local days, or UTC instants).

        Days are those of the session user's time zone and weeks start on its locale's
        first day: "The exact start and end of the range depends on the date literal and
        the locale of the user sending the query" (SOQL date literals).
        """
        if f.type not in (schema.DATE, schema.DATETIME):
            raise self.type_error(f, lit, _TYPE_WORD.get(f.type, f.type), f.type in _TEXTUAL)
        name, n = lit.value
        start, end = date_range(name, n, self.today(), self.store.week_start())
        if f.type == schema.DATE:
            return start, end
        tz = self.store.user_timezone()

        def instant(d: dt.date) -> dt.datetime:
            return dt.datetime(d.year, d.month, d.day, tzinfo=tz).astimezone(dt.UTC)

        return instant(start), instant(end)

    # -- aggregates
    def run_aggregate(self, obj: SObject, q: Query, count_only: bool = False) -> QueryResult:
        rows = self.filter_rows(obj, q, self.candidates(obj, q))
        group_res: list[Resolved] = []
        group_keys: dict[str, int] = {}  # lower-case path text -> index
        for path in q.group_by:
            res = self.resolve(obj, path)
            self.check_flag(res.field, "groupable", "grouped", path.pos)
            group_keys[self._path_key(res)] = len(group_res)
            group_res.append(res)
        group_get = [self.getter(r) for r in group_res]

        # Every aggregate used anywhere, by signature.
        agg_defs: dict[tuple[str, str], tuple[AggCall, Resolved | None]] = {}

        def register(call: AggCall) -> tuple[str, str]:
            res = None
            if call.arg is not None:
                res = self.resolve(obj, call.arg)
                self.check_aggregate(call, res.field)
            sig = (call.func, self._path_key(res) if res else "")
            agg_defs.setdefault(sig, (call, res))
            return sig

        columns: list[tuple[str, Callable[[Group], Any]]] = []
        expr_n = 0
        for item in q.select:
            expr = item.expr
            if isinstance(expr, SubQuery):
                raise self.fail(
                    MALFORMED, expr.pos, "Child subqueries cannot be used with aggregate queries"
                )
            if isinstance(expr, ConvertCurrency):
                # "You can't convert the result of an aggregate function into the user's
                # currency by calling the convertCurrency() function."
                raise self.fail(
                    MALFORMED,
                    expr.pos,
                    "convertCurrency() can't be used in an aggregate query: aggregate "
                    "functions return the corporate currency",
                )
            if isinstance(expr, AggCall):
                if expr.arg is None and count_only:
                    continue
                if expr.arg is None:
                    raise self.fail(
                        MALFORMED, expr.pos, "COUNT() must be the only element in the SELECT list"
                    )
                sig = register(expr)
                name = item.alias
                if name is None:
                    name = f"expr{expr_n}"
                    expr_n += 1
                columns.append((name, _agg_column(sig, agg_defs[sig][1])))
                continue
            res = self.resolve(obj, expr)
            index = group_keys.get(self._path_key(res))
            if index is None:
                raise self.fail(
                    MALFORMED, expr.pos, f"Field must be grouped or aggregated: {res.field.name}"
                )
            columns.append((item.alias or res.field.name, _group_column(index, res.field)))

        seen: set[str] = set()
        for name, _ in columns:
            if name.lower() in seen:
                raise self.fail(MALFORMED, None, f"duplicate alias: {name}")
            seen.add(name.lower())

        def operand(left: FieldPath | AggCall) -> Operand:
            if isinstance(left, AggCall):
                sig = register(left)
                agg_field = _agg_field(left, agg_defs[sig][1])
                return (lambda g: g.aggs[sig]), agg_field, left.pos, None
            res = self.resolve(obj, left)
            index = group_keys.get(self._path_key(res))
            if index is None:
                raise self.fail(
                    MALFORMED, left.pos, f"Field must be grouped or aggregated: {res.field.name}"
                )
            return (lambda g: g.values[index]), res.field, left.pos, None

        having = self.condition(q.having, operand) if q.having is not None else None
        order: list[tuple[Getter, Callable[[Any], Any], OrderItem]] = []
        for item in q.order_by:
            get, f, _, _ = operand(item.expr)
            order.append((get, self.sort_key(f), item))

        groups = self.make_groups(rows, group_res, group_get, bool(q.group_by))
        for g in groups:
            for sig, (call, res) in agg_defs.items():
                g.aggs[sig] = self.compute(call, res, g.rows)
        if having is not None:
            groups = [g for g in groups if having(g)]
        if order:
            groups = sort_rows(groups, order)
        groups = self.page(groups, q)
        if count_only:
            return QueryResult(len(groups), [], aggregate=True)
        records: list[Record] = []
        for g in groups:
            out: Record = {"attributes": {"type": "AggregateResult"}}
            for name, column in columns:
                out[name] = column(g)
            records.append(out)
        return QueryResult(len(records), records, aggregate=True)

    @staticmethod
    def _path_key(res: Resolved) -> str:
        return ".".join([f.name for f in res.rels] + [res.field.name]).lower()

    def check_aggregate(self, call: AggCall, f: Field) -> None:
        ok = True
        if call.func in ("SUM", "AVG"):
            ok = f.type in schema.NUMERIC_TYPES
        elif call.func in ("MIN", "MAX"):
            ok = f.type != schema.BOOLEAN
        if not ok or not f.aggregatable:
            raise self.fail(
                MALFORMED,
                call.pos,
                f"field {f.name} does not support aggregate operator {call.func}",
            )

    def make_groups(
        self,
        rows: list[Record],
        group_res: list[Resolved],
        group_get: list[Getter],
        grouped: bool,
    ) -> list[Group]:
        if not grouped:
            return [Group([], rows)]
        norms = [self.normaliser(r.field) for r in group_res]
        groups: dict[tuple[Any, ...], Group] = {}
        for rec in rows:
            values = [get(rec) for get in group_get]
            key = tuple(None if v is None else n(v) for v, n in zip(values, norms, strict=True))
            g = groups.get(key)
            if g is None:
                g = groups[key] = Group(values, [])
            g.rows.append(rec)
        return list(groups.values())

    def compute(self, call: AggCall, res: Resolved | None, rows: list[Record]) -> Any:
        """One aggregate over a group's rows.

        In a multicurrency org SUM/AVG/MIN/MAX of a currency field convert each row to the
        corporate currency first: "any currency data returned by using an aggregate
        function, such as SUM() or MAX(), is in the org's default currency"
        (convertCurrency(), considerations), rounded to its decimal places.
        """
        if res is None:
            return len(rows)
        func = call.func
        converted = func in ("SUM", "AVG", "MIN", "MAX") and self.in_corporate(res.field)
        get = self.corporate_getter(res) if converted else self.getter(res)
        values = [v for v in (get(r) for r in rows) if v is not None]
        if func == "COUNT":
            return len(values)
        if func == "COUNT_DISTINCT":
            return len({self.normaliser(res.field)(v) for v in values})
        if not values:
            return None
        if func == "SUM":
            result = sum(values)
        elif func == "AVG":
            result = sum(values) / len(values)
        else:
            key = self.sort_key(res.field)
            result = min(values, key=key) if func == "MIN" else max(values, key=key)
        if converted:
            corporate = self.schema.corporate
            assert corporate is not None
            return round(result, corporate.decimals)
        return result


@dataclass
class Group:
    values: list[Any]
    rows: list[Record]

    def __post_init__(self) -> None:
        self.aggs: dict[tuple[str, str], Any] = {}


def _agg_field(call: AggCall, res: Resolved | None) -> Field:
    """A stand-in Field giving an aggregate's result type (for HAVING and ORDER BY)."""
    if call.func in ("COUNT", "COUNT_DISTINCT"):
        return Field(name=f"{call.func}()", type=schema.INT, label=call.func)
    if call.func in ("SUM", "AVG") or res is None:
        return Field(name=f"{call.func}()", type=schema.DOUBLE, label=call.func)
    return res.field


def _agg_column(sig: tuple[str, str], res: Resolved | None) -> Callable[[Group], Any]:
    del res
    return lambda g: json_value(g.aggs[sig])


def _group_column(index: int, f: Field) -> Callable[[Group], Any]:
    return lambda g: to_json(f, g.values[index])


def _cmp(get: Getter, test: Callable[[Any], bool]) -> Predicate:
    """A predicate false for nulls, else ``test(value)``."""

    def pred(rec: Any) -> bool:
        v = get(rec)
        return v is not None and test(v)

    return pred


def sort_rows(
    rows: list[Any], keys: Sequence[tuple[Getter, Callable[[Any], Any], OrderItem]]
) -> list[Any]:
    """Stable multi-key sort; nulls first unless NULLS LAST (Salesforce's default)."""
    out = list(rows)
    for get, key, item in reversed(keys):
        nulls_first = True if item.nulls_first is None else item.nulls_first
        # With reverse=True the flag order flips, so pick the flag to land nulls right.
        null_flag = 0 if nulls_first != item.desc else 1

        def sort_key(
            row: Any, get: Getter = get, key: Callable[[Any], Any] = key, null_flag: int = null_flag
        ) -> Any:
            v = get(row)
            if v is None:
                return (null_flag, 0)
            return (1 - null_flag, key(v))

        out.sort(key=sort_key, reverse=item.desc)
    return out
