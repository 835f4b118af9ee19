"""Differential test: the SOQL engine against an independent SQLite evaluation.

A seeded generator builds a data set (hundreds of Accounts, Opportunities and Orders
with nulls, apostrophes, %, _, backslashes and non-ASCII text) and a few hundred
structured queries. Each query is rendered twice: as SOQL for ``execute`` and as SQL
for an in-memory SQLite copy of the same records, where SOQL's semantics are spelled
out explicitly (case-insensitive text, no three-valued logic, nulls first, picklist
sort order, date literals computed with SQLite's own date functions over the records'
local dates). The answers must agree.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.standins.salesforce import schema
from bot.standins.salesforce.soql import execute
from bot.standins.salesforce.store import Clock, OrgStore

TZ_NAME = "America/New_York"
TZ = ZoneInfo(TZ_NAME)
NOW = dt.datetime(2026, 3, 10, 3, 30, tzinfo=dt.UTC)  # 9 Mar 23:30 EDT, two days after DST
TODAY = NOW.astimezone(TZ).date()
N_RECORD_QUERIES = 320
N_AGGREGATE_QUERIES = 120
N_COUNT_QUERIES = 40
N_DATE_LITERAL_QUERIES = 120

WORDS = [
    "Acme", "acme", "ACME", "O'Hare", "o'hare", "100%", "Fifty_Fifty", "back\\slash",
    "Café", "CAFÉ", "Ünïcode", "naïve", "Zürich", "Ωmega", "漢字", "Globex", "Initech",
    "Umbrella", "a_b", "a%b", "x'y", "Stark", "wayne", "WAYNE",
]  # fmt: skip
CITIES = ["Boston", "boston", "BOSTON", "Chicago", "São Paulo", "SÃO PAULO", "Köln", "new york"]
INDUSTRIES = ["Retail", "Banking", "Technology", "Telecommunications", "Energy", "Media"]
TYPES = ["Prospect", "Customer - Direct", "Other"]

# (path, kind) per object; kinds: text, pick, num, int, date, datetime, bool, ref
FIELDS: dict[str, list[tuple[str, str]]] = {
    "Account": [
        ("Name", "text"),
        ("Industry", "pick"),
        ("Type", "pick"),
        ("AnnualRevenue", "num"),
        ("NumberOfEmployees", "int"),
        ("BillingCity", "text"),
        ("CreatedDate", "datetime"),
        ("OwnerId", "ref"),
        ("Owner.Name", "text"),
        ("Owner.Email", "text"),
    ],
    "Opportunity": [
        ("Name", "text"),
        ("StageName", "pick"),
        ("Amount", "num"),
        ("CloseDate", "date"),
        ("CreatedDate", "datetime"),
        ("IsWon", "bool"),
        ("AccountId", "ref"),
        ("Account.Name", "text"),
        ("Account.Industry", "pick"),
        ("Account.AnnualRevenue", "num"),
        ("Owner.Name", "text"),
        ("Account.Owner.Name", "text"),
    ],
    "Order": [
        ("Status", "pick"),
        ("EffectiveDate", "date"),
        ("TotalAmount", "num"),
        ("OrderNumber", "text"),
        ("AccountId", "ref"),
        ("Account.Name", "text"),
        ("Account.BillingCity", "text"),
        ("Account.Type", "pick"),
        ("Owner.Name", "text"),
    ],
}
JOINS = (
    ' LEFT JOIN "Account" a ON a.Id = t.AccountId'
    ' LEFT JOIN "User" o ON o.Id = t.OwnerId'
    ' LEFT JOIN "User" ao ON ao.Id = a.OwnerId'
)
FROM_SQL = {
    "Account": 'FROM "Account" t LEFT JOIN "User" o ON o.Id = t.OwnerId',
    "Opportunity": 'FROM "Opportunity" t' + JOINS,
    "Order": 'FROM "Order" t' + JOINS,
}
DATE_CONSTS = [
    "TODAY", "YESTERDAY", "TOMORROW", "THIS_WEEK", "LAST_WEEK", "NEXT_WEEK", "THIS_MONTH",
    "LAST_MONTH", "NEXT_MONTH", "THIS_QUARTER", "LAST_QUARTER", "NEXT_QUARTER", "THIS_YEAR",
    "LAST_YEAR", "NEXT_YEAR", "LAST_N_DAYS", "NEXT_N_DAYS",
]  # fmt: skip


def sql_expr(path: str) -> str:
    parts = path.split(".")
    prefix = {"": "t", "Owner": "o", "Account": "a", "Account.Owner": "ao"}[".".join(parts[:-1])]
    return f"{prefix}.{parts[-1]}"


def picklist_of(obj: str, path: str) -> list[str]:
    current = schema.SOBJECTS[obj]
    parts = path.split(".")
    for rel in parts[:-1]:
        f = current.relationship_ci(rel)
        assert f is not None and f.reference_to
        current = schema.SOBJECTS[f.reference_to]
    f = current.fields[parts[-1]]
    return [v.value for v in f.picklist]


# --- the data set --------------------------------------------------------------------


def make_data(rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    def maybe(value: Any, p_null: float = 0.2) -> Any:
        return None if rng.random() < p_null else value

    def name() -> str:
        return " ".join(rng.sample(WORDS, rng.randint(1, 3))) + rng.choice(["", " Inc", " 2"])

    def local_datetime() -> str:
        spread = rng.choice([rng.randint(-400, 20), rng.randint(-20, 5), rng.randint(-8, 8)])
        day = TODAY + dt.timedelta(days=spread)
        clock = rng.choice(
            [dt.time(0, 0), dt.time(23, 59, 59), dt.time(rng.randint(0, 23), rng.randint(0, 59))]
        )
        local = dt.datetime.combine(day, clock, tzinfo=TZ)
        return local.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def close_date() -> str:
        days = rng.choice([rng.randint(-400, 400), rng.randint(-40, 40), rng.randint(-8, 8)])
        return (TODAY + dt.timedelta(days=days)).isoformat()

    users = [
        {"Id": schema.make_id("005", i + 1), "FirstName": first, "LastName": last,
         "Email": f"{first.lower()}.{i}@example.com"}
        for i, (first, last) in enumerate(
            [("Ana", "Rep"), ("raj", "rep"), ("Émile", "Zola"), ("Zoë", "O'Neil"), ("Bo", "Li")]
        )
    ]  # fmt: skip
    user_ids = [u["Id"] for u in users]
    accounts = []
    for i in range(300):
        accounts.append(
            {
                "Id": schema.make_id("001", i + 1),
                "Name": name(),
                "Industry": maybe(rng.choice(INDUSTRIES)),
                "Type": maybe(rng.choice(TYPES), 0.4),
                "AnnualRevenue": maybe(round(rng.uniform(-1000, 1_000_000), 2)),
                "NumberOfEmployees": maybe(rng.randint(0, 500)),
                "BillingCity": maybe(rng.choice(CITIES)),
                "OwnerId": maybe(rng.choice(user_ids), 0.1),
                "CreatedDate": local_datetime(),
            }
        )
    account_ids = [a["Id"] for a in accounts]
    opps = []
    for i in range(400):
        opps.append(
            {
                "Id": schema.make_id("006", i + 1),
                "Name": name(),
                "AccountId": maybe(rng.choice(account_ids)),
                "OwnerId": maybe(rng.choice(user_ids), 0.1),
                "StageName": rng.choice(list(schema.OPPORTUNITY_STAGES)),
                "Amount": maybe(rng.choice([round(rng.uniform(0, 50_000), 2), 100.0, 0.0])),
                "CloseDate": close_date(),
                "CreatedDate": local_datetime(),
            }
        )
    orders = []
    for i in range(300):
        orders.append(
            {
                "Id": schema.make_id("801", i + 1),
                "AccountId": rng.choice(account_ids),
                "OwnerId": maybe(rng.choice(user_ids)),
                "Status": rng.choice(list(schema.ORDER_STATUSES)),
                "EffectiveDate": close_date(),
                "TotalAmount": rng.choice([round(rng.uniform(0, 9000), 2), 42.0]),
            }
        )
    return {"User": users, "Account": accounts, "Opportunity": opps, "Order": orders}


def sql_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def make_sqlite(store: OrgStore) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.create_function("U", 1, lambda s: s.upper() if isinstance(s, str) else s)
    for obj in ("User", "Account", "Opportunity", "Order"):
        names = list(schema.SOBJECTS[obj].fields)
        cols = [*names, "CreatedDate__local"]
        conn.execute(f'CREATE TABLE "{obj}" ({", ".join(cols)})')
        rows = []
        for rec in store.records(obj):
            local = rec["CreatedDate"].astimezone(TZ).date().isoformat()
            rows.append([sql_value(rec[n]) for n in names] + [local])
        marks = ", ".join("?" for _ in cols)
        conn.executemany(f'INSERT INTO "{obj}" VALUES ({marks})', rows)
    return conn


@dataclass
class Org:
    store: OrgStore
    conn: sqlite3.Connection
    values: dict[tuple[str, str], list[Any]]  # (object, path) -> values seen (JSON-ish)


@pytest.fixture(scope="module")
def org() -> Org:
    rng = random.Random(20261122)
    store = OrgStore(Clock(NOW), timezone=TZ_NAME)
    store.load(make_data(rng))
    conn = make_sqlite(store)
    values: dict[tuple[str, str], list[Any]] = {}
    for obj, fields in FIELDS.items():
        for path, _ in fields:
            sql = f"SELECT {sql_expr(path)} {FROM_SQL[obj]}"
            values[(obj, path)] = [r[0] for r in conn.execute(sql)]
    return Org(store, conn, values)


# --- structured queries --------------------------------------------------------------


@dataclass
class Cond:
    kind: str  # cmp, in, like, null, dconst, bool, and, or, not
    path: str = ""
    ftype: str = ""
    op: str = ""
    value: Any = None
    items: list[Cond] = field(default_factory=list)


def soql_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def mutate_case(rng: random.Random, text: str) -> str:
    return rng.choice([text, text.upper(), text.lower(), text.swapcase()])


def soql_path(rng: random.Random, path: str) -> str:
    return ".".join(mutate_case(rng, p) for p in path.split("."))


class Generator:
    def __init__(self, rng: random.Random, org: Org, obj: str) -> None:
        self.rng = rng
        self.org = org
        self.obj = obj

    def sample(self, path: str) -> Any:
        values = [v for v in self.org.values[(self.obj, path)] if v is not None]
        return self.rng.choice(values) if values else None

    def condition(self, depth: int = 0) -> Cond:
        rng = self.rng
        if depth < 2 and rng.random() < 0.35:
            kind = rng.choice(["and", "or", "not"])
            if kind == "not":
                return Cond("not", items=[self.condition(depth + 1)])
            return Cond(kind, items=[self.condition(depth + 1) for _ in range(rng.randint(2, 3))])
        pool = FIELDS[self.obj]
        if rng.random() < 0.25:  # favour dates: their literals have the subtle semantics
            pool = [f for f in pool if f[1] in ("date", "datetime")]
        path, ftype = rng.choice(pool)
        return self.atom(path, ftype)

    def date_literal_atom(self) -> Cond:
        rng = self.rng
        path, ftype = rng.choice([f for f in FIELDS[self.obj] if f[1] in ("date", "datetime")])
        name = rng.choice(DATE_CONSTS)
        n = rng.choice([0, 1, 2, 7, 30]) if name.endswith("_N_DAYS") else None
        return Cond(
            "dconst", path, ftype, rng.choice(["=", "=", "!=", "<", "<=", ">", ">="]), (name, n)
        )

    def atom(self, path: str, ftype: str) -> Cond:
        rng = self.rng
        if rng.random() < 0.1 and ftype != "bool":
            return Cond("null", path, ftype, rng.choice(["=", "!="]))
        if ftype == "bool":
            return Cond("bool", path, ftype, rng.choice(["=", "!="]), rng.choice([True, False]))
        if ftype in ("text", "pick"):
            choice = rng.random()
            if choice < 0.3:
                return Cond("like", path, ftype, "LIKE", self.like_pattern(path))
            if choice < 0.5:
                vals = [self.text_value(path, ftype) for _ in range(rng.randint(1, 4))]
                return Cond("in", path, ftype, rng.choice(["IN", "NOT IN"]), vals)
            ops = ["=", "!="] if ftype == "pick" else ["=", "!=", "<", "<=", ">", ">="]
            return Cond("cmp", path, ftype, rng.choice(ops), self.text_value(path, ftype))
        if ftype == "ref":
            ids = [self.sample(path) or schema.make_id("001", 1) for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.5:
                return Cond("cmp", path, ftype, rng.choice(["=", "!="]), ids[0])
            return Cond("in", path, ftype, rng.choice(["IN", "NOT IN"]), ids)
        if ftype in ("num", "int"):
            value = self.sample(path)
            if value is None or rng.random() < 0.3:
                value = rng.choice([0, 100, -5, 2500.5, 50_000])
            if ftype == "int":
                value = int(value)
            if rng.random() < 0.2:
                vals = [self.sample(path) for _ in range(3)]
                vals = [int(v) if ftype == "int" else v for v in vals if v is not None] or [0]
                return Cond("in", path, ftype, rng.choice(["IN", "NOT IN"]), vals)
            return Cond("cmp", path, ftype, rng.choice(["=", "!=", "<", "<=", ">", ">="]), value)
        # date / datetime
        ops = ["=", "!=", "<", "<=", ">", ">="]
        if rng.random() < 0.5:
            name = rng.choice(DATE_CONSTS)
            n = rng.choice([0, 1, 7, 30, 120]) if name.endswith("_N_DAYS") else None
            return Cond("dconst", path, ftype, rng.choice(ops), (name, n))
        value = self.sample(path)
        if ftype == "date" and rng.random() < 0.2:
            vals = [v for v in (self.sample(path) for _ in range(3)) if v is not None]
            return Cond(
                "in", path, ftype, rng.choice(["IN", "NOT IN"]), vals or [TODAY.isoformat()]
            )
        return Cond("cmp", path, ftype, rng.choice(ops), value)

    def text_value(self, path: str, ftype: str) -> str:
        rng = self.rng
        if ftype == "pick":
            pool = picklist_of(self.obj, path)
            return mutate_case(rng, rng.choice(pool))
        value = self.sample(path)
        if value is None or rng.random() < 0.2:
            value = rng.choice(WORDS + CITIES)
        return mutate_case(rng, value)

    def like_pattern(self, path: str) -> list[tuple[str, str]]:
        """Segments: ("lit", text), ("%", ""), ("_", "")."""
        rng = self.rng
        value = self.sample(path) or "acme"
        start = rng.randint(0, max(0, len(value) - 1))
        piece = mutate_case(rng, value[start : start + rng.randint(1, 6)])
        segments: list[tuple[str, str]] = []
        if rng.random() < 0.7:
            segments.append(("%", ""))
        for ch in piece:
            if rng.random() < 0.15:
                segments.append(("_", ""))
            else:
                segments.append(("lit", ch))
        if rng.random() < 0.7 or not segments:
            segments.append(("%", ""))
        return segments


# --- rendering -----------------------------------------------------------------------


def soql_literal(rng: random.Random, value: Any, ftype: str) -> str:
    if ftype in ("text", "pick"):
        return soql_string(value)
    if ftype == "ref":
        return soql_string(rng.choice([value, value[:15]]))
    if ftype in ("num", "int"):
        return repr(value)
    if ftype == "date":
        return value
    if ftype == "datetime":  # stored as 'YYYY-MM-DD HH:MM:SS' UTC
        moment = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
        form = rng.randrange(3)
        if form == 0:
            return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        if form == 1:
            return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        return moment.astimezone(dt.timezone(dt.timedelta(hours=-5))).isoformat()
    raise AssertionError(ftype)


def to_soql(rng: random.Random, c: Cond) -> str:
    if c.kind in ("and", "or"):
        return "(" + f" {c.kind.upper()} ".join(to_soql(rng, i) for i in c.items) + ")"
    if c.kind == "not":
        return f"(NOT {to_soql(rng, c.items[0])})"
    path = soql_path(rng, c.path)
    if c.kind == "null":
        return f"{path} {c.op} null"
    if c.kind == "bool":
        return f"{path} {c.op} {str(c.value).lower()}"
    if c.kind == "dconst":
        name, n = c.value
        return f"{path} {c.op} {name}" + (f":{n}" if n is not None else "")
    if c.kind == "like":
        out = []
        for kind, ch in c.value:
            if kind != "lit":
                out.append(kind)
            else:
                out.append({"\\": "\\\\", "'": "\\'", "%": "\\%", "_": "\\_"}.get(ch, ch))
        return f"{path} LIKE '{''.join(out)}'"
    if c.kind == "in":
        vals = ", ".join(soql_literal(rng, v, c.ftype) for v in c.value)
        return f"{path} {c.op} ({vals})"
    return f"{path} {c.op} {soql_literal(rng, c.value, c.ftype)}"


DATE_SQL = {
    "TODAY": ("date(:t)", "date(:t, '+1 day')"),
    "YESTERDAY": ("date(:t, '-1 day')", "date(:t)"),
    "TOMORROW": ("date(:t, '+1 day')", "date(:t, '+2 days')"),
    "THIS_WEEK": ("date(:t, '-6 days', 'weekday 0')",
                  "date(:t, '-6 days', 'weekday 0', '+7 days')"),
    "LAST_WEEK": ("date(:t, '-6 days', 'weekday 0', '-7 days')",
                  "date(:t, '-6 days', 'weekday 0')"),
    "NEXT_WEEK": ("date(:t, '-6 days', 'weekday 0', '+7 days')",
                  "date(:t, '-6 days', 'weekday 0', '+14 days')"),
    "THIS_MONTH": ("date(:t, 'start of month')", "date(:t, 'start of month', '+1 month')"),
    "LAST_MONTH": ("date(:t, 'start of month', '-1 month')", "date(:t, 'start of month')"),
    "NEXT_MONTH": ("date(:t, 'start of month', '+1 month')",
                   "date(:t, 'start of month', '+2 months')"),
    "THIS_YEAR": ("date(:t, 'start of year')", "date(:t, 'start of year', '+1 year')"),
    "LAST_YEAR": ("date(:t, 'start of year', '-1 year')", "date(:t, 'start of year')"),
    "NEXT_YEAR": ("date(:t, 'start of year', '+1 year')", "date(:t, 'start of year', '+2 years')"),
    "LAST_N_DAYS": ("date(:t, printf('-%d days', :n))", "date(:t, '+1 day')"),
    "NEXT_N_DAYS": ("date(:t, '+1 day')", "date(:t, printf('+%d days', :n + 1))"),
}  # fmt: skip
_QUARTER = (
    "date(:t, 'start of month', printf('-%d months', (CAST(strftime('%m', :t) AS INT) - 1) % 3))"
)
for _name, _shift in (("LAST_QUARTER", -3), ("THIS_QUARTER", 0), ("NEXT_QUARTER", 3)):
    DATE_SQL[_name] = (
        f"date({_QUARTER}, '{_shift:+d} months')",
        f"date({_QUARTER}, '{_shift + 3:+d} months')",
    )


class SqlBuilder:
    def __init__(self, conn: sqlite3.Connection, obj: str) -> None:
        self.conn = conn
        self.obj = obj
        self.params: list[Any] = []

    def param(self, value: Any) -> str:
        self.params.append(value)
        return "?"

    def date_range(self, name: str, n: int | None) -> tuple[str, str]:
        lo_sql, hi_sql = DATE_SQL[name]
        row = self.conn.execute(
            f"SELECT {lo_sql}, {hi_sql}", {"t": TODAY.isoformat(), "n": n or 0}
        ).fetchone()
        return row[0], row[1]

    def cond(self, c: Cond) -> str:
        """SQL that is always 0 or 1, never NULL (SOQL has no three-valued logic)."""
        if c.kind in ("and", "or"):
            return "(" + f" {c.kind.upper()} ".join(self.cond(i) for i in c.items) + ")"
        if c.kind == "not":
            return f"(NOT {self.cond(c.items[0])})"
        col = sql_expr(c.path)
        text = c.ftype in ("text", "pick")
        key = f"U({col})" if text else col
        if c.kind == "null":
            return f"({col} IS NULL)" if c.op == "=" else f"({col} IS NOT NULL)"
        if c.kind == "bool":
            test = f"(COALESCE({col}, 0) = {int(c.value)})"
            return test if c.op == "=" else f"(NOT {test})"
        if c.kind == "like":
            pattern = "".join(
                kind if kind != "lit" else ("\\" + ch if ch in "\\%_" else ch)
                for kind, ch in c.value
            )
            return f"({col} IS NOT NULL AND U({col}) LIKE U({self.param(pattern)}) ESCAPE '\\')"
        if c.kind == "dconst":
            lo, hi = self.date_range(*c.value)
            # dateTime fields compare by the record's local day (computed on load)
            day = "t.CreatedDate__local" if c.ftype == "datetime" else col
            lo_p, hi_p = f"'{lo}'", f"'{hi}'"  # ISO dates from SQLite itself
            inside = {
                "=": f"{day} >= {lo_p} AND {day} < {hi_p}",
                "!=": f"NOT ({day} >= {lo_p} AND {day} < {hi_p})",
                "<": f"{day} < {lo_p}",
                "<=": f"{day} < {hi_p}",
                ">": f"{day} >= {hi_p}",
                ">=": f"{day} >= {lo_p}",
            }[c.op]
            if c.op == "!=":
                return f"({col} IS NULL OR {inside})"
            return f"({col} IS NOT NULL AND {inside})"
        if c.kind == "in":
            marks = ", ".join(
                f"U({self.param(v)})" if text else self.param(v) for v in c.value if v is not None
            )
            test = f"({col} IS NOT NULL AND {key} IN ({marks}))"
            return test if c.op == "IN" else f"(NOT {test})"
        value = f"U({self.param(c.value)})" if text else self.param(c.value)
        if c.op == "!=":
            return f"({col} IS NULL OR {key} <> {value})"
        return f"({col} IS NOT NULL AND {key} {c.op} {value})"

    def order_key(self, path: str, ftype: str) -> str:
        col = sql_expr(path)
        if ftype == "pick":
            values = picklist_of(self.obj, path)
            whens = " ".join(f"WHEN {self.param(v.upper())} THEN {i}" for i, v in enumerate(values))
            return f"CASE U({col}) {whens} ELSE NULL END"  # null stays null
        return f"U({col})" if ftype == "text" else col


# --- running and comparing -----------------------------------------------------------


def json_from_sql(value: Any, ftype: str) -> Any:
    if value is None:
        return None
    if ftype == "datetime":
        return value.replace(" ", "T") + ".000+0000"
    if ftype == "bool":
        return bool(value)
    return value


def json_path(rec: dict[str, Any], path: str) -> Any:
    current: Any = rec
    for part in path.split("."):
        if current is None:
            return None
        current = current[part]
    return current


def kind_of(obj: str, path: str) -> str:
    return dict(FIELDS[obj])[path]


def record_case(org: Org, seed: int) -> None:
    rng = random.Random(seed)
    obj = rng.choice(list(FIELDS))
    gen = Generator(rng, org, obj)
    where = gen.condition() if rng.random() < 0.9 else None
    fields = rng.sample(FIELDS[obj], rng.randint(1, 4))
    sortable = [f for f in FIELDS[obj] if f[1] != "ref"]
    order = [
        (path, ftype, rng.random() < 0.4, rng.choice([None, True, False]))
        for path, ftype in rng.sample(sortable, rng.randint(0, 2))
    ]
    limit = rng.choice([None, None, 1, 5, 50]) if order else None
    offset = rng.choice([None, None, 0, 3, 40]) if order else None

    select = ", ".join(["Id", *(soql_path(rng, p) for p, _ in fields)])
    soql = f"SELECT {select} FROM {mutate_case(rng, obj)}"
    if where is not None:
        soql += f" WHERE {to_soql(rng, where)}"
    if order:
        items = []
        for path, _, desc, nulls_first in order:
            item = soql_path(rng, path) + (" DESC" if desc else rng.choice(["", " ASC"]))
            if nulls_first is not None:
                item += " NULLS FIRST" if nulls_first else " NULLS LAST"
            items.append(item)
        soql += " ORDER BY " + ", ".join([*items, "Id"])
    if limit is not None:
        soql += f" LIMIT {limit}"
    if offset is not None:
        soql += f" OFFSET {offset}"

    sqlb = SqlBuilder(org.conn, obj)
    cols = ", ".join(["t.Id", *(sql_expr(p) for p, _ in fields)])
    sql = f"SELECT {cols} {FROM_SQL[obj]}"
    if where is not None:
        sql += f" WHERE {sqlb.cond(where)}"
    if order:
        keys = []
        for path, ftype, desc, nulls_first in order:
            nulls = "NULLS FIRST" if nulls_first in (None, True) else "NULLS LAST"
            keys.append(f"{sqlb.order_key(path, ftype)} {'DESC' if desc else 'ASC'} {nulls}")
        sql += " ORDER BY " + ", ".join([*keys, "t.Id"])
    sql += f" LIMIT {-1 if limit is None else limit} OFFSET {offset or 0}"

    result = execute(soql, org.store)
    rows = org.conn.execute(sql, sqlb.params).fetchall()
    got = [(rec["Id"], *(json_path(rec, p) for p, _ in fields)) for rec in result.records]
    want = [
        (row[0], *(json_from_sql(v, t) for v, (_, t) in zip(row[1:], fields, strict=True)))
        for row in rows
    ]
    if not order:
        got, want = sorted(got, key=repr), sorted(want, key=repr)
    assert result.total_size == len(want), soql
    assert got == want, f"{soql}\n{sql}"


def aggregate_case(org: Org, seed: int) -> None:
    rng = random.Random(seed)
    obj = rng.choice(list(FIELDS))
    gen = Generator(rng, org, obj)
    where = gen.condition() if rng.random() < 0.6 else None
    groupable = [f for f in FIELDS[obj] if f[1] in ("text", "pick", "date", "int", "bool")]
    groups = rng.sample(groupable, rng.randint(0, 2))
    numeric = [f for f in FIELDS[obj] if f[1] in ("num", "int")]
    ordered = [f for f in FIELDS[obj] if f[1] in ("num", "int", "date", "datetime", "text")]
    aggs: list[tuple[str, str | None, str]] = [("COUNT", "Id", "id")]
    for _ in range(rng.randint(0, 3)):
        func = rng.choice(["COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX"])
        pool = (
            numeric if func in ("SUM", "AVG") else ordered if func in ("MIN", "MAX") else groupable
        )
        path, ftype = rng.choice(pool)
        aggs.append((func, path, ftype))
    rng.shuffle(aggs)
    having = rng.choice([None, None, 1, 3]) if groups else None

    items = [f"{soql_path(rng, p)} g{i}" for i, (p, _) in enumerate(groups)]
    names: list[str] = []
    n_expr = 0
    for i, (func, path, _) in enumerate(aggs):
        if rng.random() < 0.5:
            items.append(f"{func}({path}) a{i}")
            names.append(f"a{i}")
        else:
            items.append(f"{func.lower()}({soql_path(rng, path or 'Id')})")
            names.append(f"expr{n_expr}")
            n_expr += 1
    soql = f"SELECT {', '.join(items)} FROM {obj}"
    if where is not None:
        soql += f" WHERE {to_soql(rng, where)}"
    if groups:
        soql += " GROUP BY " + ", ".join(soql_path(rng, p) for p, _ in groups)
    if having is not None:
        soql += f" HAVING COUNT(Id) > {having}"

    sqlb = SqlBuilder(org.conn, obj)
    gexprs = [f"U({sql_expr(p)})" if t in ("text", "pick") else sql_expr(p) for p, t in groups]
    aexprs = []
    for func, path, ftype in aggs:
        col = sql_expr(path or "Id")
        key = f"U({col})" if ftype in ("text", "pick") else col
        if func == "COUNT_DISTINCT":
            aexprs.append(f"COUNT(DISTINCT {key})")
        elif func in ("MIN", "MAX"):
            aexprs.append(f"{func}({key})")
        else:
            aexprs.append(f"{func}({col})")
    sql = f"SELECT {', '.join([*gexprs, *aexprs])} {FROM_SQL[obj]}"
    if where is not None:
        sql += f" WHERE {sqlb.cond(where)}"
    if groups:
        sql += " GROUP BY " + ", ".join(gexprs)
    if having is not None:
        sql += f" HAVING COUNT(t.Id) > {having}"

    def norm(value: Any, ftype: str) -> Any:
        if isinstance(value, str) and ftype in ("text", "pick"):
            return value.upper()
        if isinstance(value, float):
            return round(value, 4)
        return value

    result = execute(soql, org.store)
    got = {}
    for rec in result.records:
        assert rec["attributes"] == {"type": "AggregateResult"}
        key = tuple(norm(rec[f"g{i}"], t) for i, (_, t) in enumerate(groups))
        got[key] = tuple(norm(rec[n], t) for n, (_, _, t) in zip(names, aggs, strict=True))
    want = {}
    for row in org.conn.execute(sql, sqlb.params).fetchall():
        k = len(groups)
        key = tuple(norm(json_from_sql(v, t), t) for v, (_, t) in zip(row[:k], groups, strict=True))
        vals = []
        for v, (func, _, ftype) in zip(row[k:], aggs, strict=True):
            if func in ("MIN", "MAX"):
                v = json_from_sql(v, ftype)
            vals.append(norm(v, ftype))
        want[key] = tuple(vals)
    assert len(result.records) == len(want), soql
    assert got == want, f"{soql}\n{sql}"


def count_case(org: Org, seed: int, date_literal: bool = False) -> None:
    rng = random.Random(seed)
    obj = rng.choice(list(FIELDS))
    gen = Generator(rng, org, obj)
    where = gen.date_literal_atom() if date_literal else gen.condition()
    soql = f"SELECT COUNT() FROM {obj} WHERE {to_soql(rng, where)}"
    sqlb = SqlBuilder(org.conn, obj)
    sql = f"SELECT COUNT(*) {FROM_SQL[obj]} WHERE {sqlb.cond(where)}"
    (want,) = org.conn.execute(sql, sqlb.params).fetchone()
    result = execute(soql, org.store)
    assert (result.total_size, result.records) == (want, []), soql


@pytest.mark.parametrize("seed", range(N_DATE_LITERAL_QUERIES))
def test_date_literals_match_sqlite(org: Org, seed: int) -> None:
    count_case(org, 30_000 + seed, date_literal=True)


@pytest.mark.parametrize("seed", range(N_RECORD_QUERIES))
def test_records_match_sqlite(org: Org, seed: int) -> None:
    record_case(org, seed)


@pytest.mark.parametrize("seed", range(N_AGGREGATE_QUERIES))
def test_aggregates_match_sqlite(org: Org, seed: int) -> None:
    aggregate_case(org, 10_000 + seed)


@pytest.mark.parametrize("seed", range(N_COUNT_QUERIES))
def test_count_matches_sqlite(org: Org, seed: int) -> None:
    count_case(org, 20_000 + seed)


def test_the_data_set_exercises_the_awkward_cases(org: Org) -> None:
    names = org.values[("Account", "Name")]
    assert any("'" in n for n in names) and any("%" in n for n in names)
    assert any("_" in n for n in names) and any("\\" in n for n in names)
    assert any(not n.isascii() for n in names)
    assert None in org.values[("Account", "Industry")]
    assert None in org.values[("Opportunity", "Account.Name")]
