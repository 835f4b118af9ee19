"""SOQL tokenizer and recursive-descent parser for the sandbox org.

The parser turns a SOQL string into the small dataclasses below. It knows the grammar
only; names are resolved against the schema (and types checked) by ``soql.py``.
Anything outside the supported subset raises a MALFORMED_QUERY that says the sandbox
does not support it, so a query is never silently answered wrongly.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any


class SoqlError(Exception):
    """A query error as Salesforce reports it: errorCode, message and HTTP status."""

    def __init__(self, error_code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message
        self.status = status

    def __repr__(self) -> str:
        return f"SoqlError({self.error_code!r}, {self.message!r}, {self.status})"


MALFORMED = "MALFORMED_QUERY"


def locate(query: str, pos: int | None, message: str) -> str:
    """Prefix ``message`` with the query line, a caret and "ERROR at Row:r:Column:c"."""
    if pos is None:
        return message
    pos = max(0, min(pos, len(query)))
    row = query.count("\n", 0, pos) + 1
    start = query.rfind("\n", 0, pos) + 1
    end = query.find("\n", pos)
    line = query[start : end if end >= 0 else len(query)]
    col = pos - start + 1
    return f"{line}\n{' ' * (col - 1)}^\nERROR at Row:{row}:Column:{col}\n{message}"


# --- tokens ----------------------------------------------------------------------------

IDENT = "IDENT"
STRING = "STRING"
NUMBER = "NUMBER"
DATE = "DATE"
DATETIME = "DATETIME"
OP = "OP"
PUNCT = "PUNCT"
EOF = "EOF"


@dataclass(frozen=True)
class Token:
    kind: str
    text: str  # the source text (for STRING: without the quotes, undecoded)
    pos: int
    value: Any = None  # decoded value (str, int/float, date, datetime)
    like: str | None = None  # STRING: LIKE pattern source, escapes normalised to \% \_ \\
    like_only: bool = False  # STRING: uses \% or \_ (valid in LIKE only)


_DATETIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})"
)
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?![\w.:])")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?![\w])")
# An ISO-coded decimal currency value such as USD5000.50 (one token, like USD5000).
_DECIMAL_CURRENCY_RE = re.compile(r"[A-Za-z]{3}\d+\.\d+(?![\w.])")
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_OPS = ("!=", "<>", "<=", ">=", "=", "<", ">")
_SIMPLE_ESCAPES = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    '"': '"',
    "'": "'",
}


def _bad_token(query: str, pos: int, text: str) -> SoqlError:
    return SoqlError(MALFORMED, locate(query, pos, f"unexpected token: '{text}'"))


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "'":
            tok, i = _read_string(query, i)
            tokens.append(tok)
            continue
        m = _DATETIME_RE.match(query, i)
        if m:
            tokens.append(Token(DATETIME, m.group(0), i, _parse_datetime(query, i, m)))
            i = m.end()
            continue
        m = _DATE_RE.match(query, i)
        if m:
            try:
                value = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                raise SoqlError(
                    MALFORMED, locate(query, i, f"invalid date: {m.group(0)}")
                ) from None
            tokens.append(Token(DATE, m.group(0), i, value))
            i = m.end()
            continue
        m = _NUMBER_RE.match(query, i)
        if m and (ch not in "+-" or not _follows_operand(tokens)):
            text = m.group(0)
            num: float | int = float(text) if "." in text else int(text)
            tokens.append(Token(NUMBER, text, i, num))
            i = m.end()
            continue
        m = _DECIMAL_CURRENCY_RE.match(query, i) or _IDENT_RE.match(query, i)
        if m:
            tokens.append(Token(IDENT, m.group(0), i))
            i = m.end()
            continue
        for op in _OPS:
            if query.startswith(op, i):
                tokens.append(Token(OP, op, i))
                i += len(op)
                break
        else:
            if ch in "(),:":
                tokens.append(Token(PUNCT, ch, i))
                i += 1
                continue
            end = i + 1
            while end < n and not query[end].isspace() and query[end] not in "(),'":
                end += 1
            raise _bad_token(query, i, query[i:end])
    tokens.append(Token(EOF, "<EOF>", n))
    return tokens


def _follows_operand(tokens: list[Token]) -> bool:
    return bool(tokens) and tokens[-1].kind in (NUMBER, IDENT, STRING, DATE, DATETIME)


def _parse_datetime(query: str, pos: int, m: re.Match[str]) -> dt.datetime:
    year, month, day, hour, minute, second = (int(m.group(k)) for k in range(1, 7))
    frac = m.group(7)
    micro = int((frac[1:] + "000000")[:6]) if frac else 0
    zone = m.group(8)
    if zone == "Z":
        tz = dt.UTC
    else:
        digits = zone[1:].replace(":", "")
        delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        tz = dt.timezone(delta if zone[0] == "+" else -delta)
    try:
        value = dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        raise SoqlError(MALFORMED, locate(query, pos, f"invalid dateTime: {m.group(0)}")) from None
    return value.astimezone(dt.UTC)


def _read_string(query: str, start: int) -> tuple[Token, int]:
    """Read a single-quoted literal at ``start``; return the token and the next index."""
    out: list[str] = []  # decoded value
    like: list[str] = []  # LIKE source: % and _ wildcards, \% \_ \\ literal
    like_only = False
    i, n = start + 1, len(query)
    while True:
        if i >= n:
            raise SoqlError(
                MALFORMED, locate(query, start, "unterminated string literal: missing closing '")
            )
        ch = query[i]
        if ch == "'":
            break
        if ch != "\\":
            out.append(ch)
            like.append(ch)
            i += 1
            continue
        esc = query[i + 1] if i + 1 < n else ""
        low = esc.lower()
        if esc in ("%", "_"):
            like_only = True
            out.append(esc)
            like.append("\\" + esc)
            i += 2
        elif esc == "\\":
            out.append("\\")
            like.append("\\\\")
            i += 2
        elif low in _SIMPLE_ESCAPES and (esc in "\"'" or esc.isalpha()):
            out.append(_SIMPLE_ESCAPES[low])
            like.append(_SIMPLE_ESCAPES[low])
            i += 2
        elif esc == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", query[i + 2 : i + 6]):
            char = chr(int(query[i + 2 : i + 6], 16))
            out.append(char)
            like.append("\\" + char if char in "%_\\" else char)
            i += 6
        else:
            seq = "\\" + esc
            raise SoqlError(
                MALFORMED,
                locate(
                    query,
                    i,
                    f"Invalid string literal '{query[start + 1 : i + 2]}'. Illegal character "
                    f"sequence '{seq}' in string literal.",
                ),
            )
    token = Token(
        STRING,
        query[start + 1 : i],
        start,
        "".join(out),
        like="".join(like),
        like_only=like_only,
    )
    return token, i + 1


# --- syntax tree ---------------------------------------------------------------------


@dataclass
class FieldPath:
    parts: list[str]
    pos: int

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass
class AggCall:
    func: str  # COUNT, COUNT_DISTINCT, SUM, MIN, MAX, AVG (upper case)
    arg: FieldPath | None  # None for COUNT()
    pos: int

    @property
    def signature(self) -> tuple[str, str]:
        return (self.func, self.arg.text.lower() if self.arg else "")


@dataclass
class ConvertCurrency:
    """``convertCurrency(field)`` in a SELECT list (SOQL and SOSL Reference,
    convertCurrency(): converts a currency field to the user's currency)."""

    arg: FieldPath
    pos: int


@dataclass
class SubQuery:
    query: Query
    pos: int


@dataclass
class SelectItem:
    expr: FieldPath | AggCall | SubQuery | ConvertCurrency
    alias: str | None = None


@dataclass
class Literal:
    kind: str  # STRING, NUMBER, DATE, DATETIME, NULL, BOOLEAN, DATE_CONST, CURRENCY
    value: Any  # for DATE_CONST: (NAME, n or None); for CURRENCY: (ISO code, amount)
    pos: int
    token: Token | None = None  # the STRING token (for LIKE patterns)


@dataclass
class Comparison:
    left: FieldPath | AggCall
    op: str  # = != < <= > >= LIKE IN NOT IN
    value: Literal | list[Literal]
    pos: int  # position of the value (for type errors)


@dataclass
class BoolOp:
    op: str  # AND, OR
    items: list[Condition]


@dataclass
class NotOp:
    item: Condition


Condition = Comparison | BoolOp | NotOp


@dataclass
class OrderItem:
    expr: FieldPath | AggCall
    desc: bool = False
    nulls_first: bool | None = None  # None: the default


@dataclass
class Query:
    select: list[SelectItem]
    sobject: str
    sobject_pos: int
    where: Condition | None = None
    group_by: list[FieldPath] = field(default_factory=list)
    having: Condition | None = None
    order_by: list[OrderItem] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None


# --- parser --------------------------------------------------------------------------

AGGREGATES = frozenset({"COUNT", "COUNT_DISTINCT", "SUM", "MIN", "MAX", "AVG"})
CONVERT_CURRENCY = "CONVERTCURRENCY"
_CURRENCY_VALUE_RE = re.compile(r"^([A-Za-z]{3})(\d+(?:\.\d+)?)$")
# "By default, SOQL statements can't exceed 100,000 characters" (SOQL and SOSL Limits;
# an over-long statement is a MALFORMED_QUERY, "SOQL statements cannot be longer than
# ... characters").
MAX_SOQL_LENGTH = 100_000
RESERVED = frozenset(
    {
        "AND",
        "ASC",
        "DESC",
        "EXCLUDES",
        "FIRST",
        "FROM",
        "GROUP",
        "HAVING",
        "IN",
        "INCLUDES",
        "LAST",
        "LIKE",
        "LIMIT",
        "NOT",
        "NULL",
        "NULLS",
        "OR",
        "SELECT",
        "WHERE",
        "WITH",
        "ORDER",
        "OFFSET",
        "FOR",
        "USING",
        "UPDATE",
        "TYPEOF",
        "TRUE",
        "FALSE",
        "BY",
    }
)
# Clause keywords after FROM that the sandbox does not implement.
_UNSUPPORTED_CLAUSES = {
    "USING": "USING SCOPE",
    "WITH": "WITH",
    "FOR": "FOR VIEW / FOR REFERENCE / FOR UPDATE",
    "UPDATE": "UPDATE TRACKING / UPDATE VIEWSTAT",
    "ALL": "ALL ROWS",
    "TYPEOF": "TYPEOF",
}
DATE_CONSTANTS = frozenset(
    {
        "YESTERDAY",
        "TODAY",
        "TOMORROW",
        "LAST_WEEK",
        "THIS_WEEK",
        "NEXT_WEEK",
        "LAST_MONTH",
        "THIS_MONTH",
        "NEXT_MONTH",
        "LAST_QUARTER",
        "THIS_QUARTER",
        "NEXT_QUARTER",
        "LAST_YEAR",
        "THIS_YEAR",
        "NEXT_YEAR",
        "LAST_90_DAYS",
        "NEXT_90_DAYS",
    }
)
DATE_CONSTANTS_N = frozenset(
    {
        "LAST_N_DAYS",
        "NEXT_N_DAYS",
        "N_DAYS_AGO",
        "LAST_N_WEEKS",
        "NEXT_N_WEEKS",
        "N_WEEKS_AGO",
        "LAST_N_MONTHS",
        "NEXT_N_MONTHS",
        "N_MONTHS_AGO",
        "LAST_N_QUARTERS",
        "NEXT_N_QUARTERS",
        "N_QUARTERS_AGO",
        "LAST_N_YEARS",
        "NEXT_N_YEARS",
        "N_YEARS_AGO",
    }
)


def unsupported(query: str, pos: int | None, what: str) -> SoqlError:
    return SoqlError(
        MALFORMED, locate(query, pos, f"{what} is not supported by the sandbox org's SOQL engine")
    )


class Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.i = 0

    # -- token helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != EOF:
            self.i += 1
        return tok

    def is_kw(self, *words: str, tok: Token | None = None) -> bool:
        t = tok or self.tok
        return t.kind == IDENT and t.text.upper() in words

    def is_punct(self, ch: str, tok: Token | None = None) -> bool:
        t = tok or self.tok
        return t.kind == PUNCT and t.text == ch

    def error(self, tok: Token | None = None) -> SoqlError:
        t = tok or self.tok
        text = t.text if t.kind != STRING else f"'{t.text}'"
        return _bad_token(self.query, t.pos, text)

    def expect_kw(self, word: str) -> Token:
        if not self.is_kw(word):
            raise self.error()
        return self.advance()

    def expect_punct(self, ch: str) -> Token:
        if not self.is_punct(ch):
            raise self.error()
        return self.advance()

    def unsupported(self, what: str, tok: Token | None = None) -> SoqlError:
        return unsupported(self.query, (tok or self.tok).pos, what)

    # -- grammar
    def parse(self) -> Query:
        q = self.parse_query(nested=False)
        if self.tok.kind != EOF:
            raise self.error()
        return q

    def parse_query(self, nested: bool) -> Query:
        self.expect_kw("SELECT")
        select = self.parse_select_list(nested)
        self.expect_kw("FROM")
        obj = self.tok
        # Object names may look like keywords (Order, Group): any identifier goes here.
        if obj.kind != IDENT or "." in obj.text:
            raise self.error()
        self.advance()
        q = Query(select=select, sobject=obj.text, sobject_pos=obj.pos)
        if self.tok.kind == IDENT and self.tok.text.upper() not in RESERVED | {"ALL"}:
            raise self.unsupported("An alias on the FROM object")
        self.check_unsupported_clause()
        if self.is_kw("WHERE"):
            self.advance()
            q.where = self.parse_condition(allow_agg=False)
        self.check_unsupported_clause()
        if self.is_kw("GROUP"):
            self.advance()
            self.expect_kw("BY")
            if self.is_kw("ROLLUP", "CUBE") and self.is_punct("(", self.peek()):
                raise self.unsupported(f"GROUP BY {self.tok.text.upper()}")
            q.group_by.append(self.parse_path())
            while self.is_punct(","):
                self.advance()
                q.group_by.append(self.parse_path())
        if self.is_kw("HAVING"):
            self.advance()
            q.having = self.parse_condition(allow_agg=True)
        if self.is_kw("ORDER"):
            self.advance()
            self.expect_kw("BY")
            q.order_by.append(self.parse_order_item())
            while self.is_punct(","):
                self.advance()
                q.order_by.append(self.parse_order_item())
        if self.is_kw("LIMIT"):
            self.advance()
            q.limit = self.parse_int()
        if self.is_kw("OFFSET"):
            self.advance()
            q.offset = self.parse_int()
        self.check_unsupported_clause()
        return q

    def check_unsupported_clause(self) -> None:
        if self.tok.kind == IDENT and self.tok.text.upper() in _UNSUPPORTED_CLAUSES:
            raise self.unsupported(_UNSUPPORTED_CLAUSES[self.tok.text.upper()])

    def parse_int(self) -> int:
        tok = self.tok
        if tok.kind == PUNCT and tok.text == ":":
            raise self.unsupported("A bind variable")
        if tok.kind != NUMBER or not isinstance(tok.value, int) or tok.value < 0:
            raise self.error()
        self.advance()
        return int(tok.value)

    def parse_select_list(self, nested: bool) -> list[SelectItem]:
        items = [self.parse_select_item(nested)]
        while self.is_punct(","):
            self.advance()
            items.append(self.parse_select_item(nested))
        return items

    def parse_select_item(self, nested: bool) -> SelectItem:
        tok = self.tok
        if self.is_punct("("):
            if nested:
                raise self.unsupported("A nested child subquery")
            self.advance()
            if not self.is_kw("SELECT"):
                raise self.error()
            sub = self.parse_query(nested=True)
            self.expect_punct(")")
            return SelectItem(SubQuery(sub, tok.pos))
        if tok.kind != IDENT or (tok.text.upper() in RESERVED and tok.text.upper() != "TYPEOF"):
            raise self.error()
        if tok.text.upper() == "TYPEOF":
            raise self.unsupported("TYPEOF")
        is_call = self.is_punct("(", self.peek())
        expr: FieldPath | AggCall | ConvertCurrency
        if is_call and tok.text.upper() == CONVERT_CURRENCY:
            expr = self.parse_convert_currency()
        else:
            expr = self.parse_function() if is_call else self.parse_path()
        alias = None
        if self.tok.kind == IDENT and self.tok.text.upper() not in RESERVED:
            alias = self.advance().text
        return SelectItem(expr, alias)

    def parse_convert_currency(self) -> ConvertCurrency:
        name = self.advance()
        self.expect_punct("(")
        if self.tok.kind == IDENT and self.is_punct("(", self.peek()):
            raise self.misuse(
                "convertCurrency() can't convert the result of a function: aggregate "
                "functions return the corporate currency"
            )
        arg = self.parse_path()
        self.expect_punct(")")
        return ConvertCurrency(arg, name.pos)

    def misuse(self, message: str, tok: Token | None = None) -> SoqlError:
        """A MALFORMED_QUERY for SOQL that Salesforce itself refuses."""
        return SoqlError(MALFORMED, locate(self.query, (tok or self.tok).pos, message))

    def parse_function(self) -> AggCall:
        name = self.advance()
        func = name.text.upper()
        if func not in AGGREGATES:
            raise self.unsupported(f"{name.text}()", name)
        self.expect_punct("(")
        arg = None
        if self.is_punct(")"):
            if func != "COUNT":
                raise self.error()
        else:
            if self.tok.kind == IDENT and self.is_punct("(", self.peek()):
                if self.tok.text.upper() == CONVERT_CURRENCY:
                    raise self.misuse(
                        "convertCurrency() can't be used inside an aggregate function: "
                        "aggregate functions return the corporate currency"
                    )
                raise self.unsupported(f"{self.tok.text}() inside an aggregate function")
            arg = self.parse_path()
        self.expect_punct(")")
        return AggCall(func, arg, name.pos)

    def parse_path(self) -> FieldPath:
        tok = self.tok
        if tok.kind != IDENT or tok.text.upper() in RESERVED:
            raise self.error()
        if self.is_punct("(", self.peek()):
            if tok.text.upper() == CONVERT_CURRENCY:
                raise self.misuse("convertCurrency() can only be used in the SELECT list")
            raise self.unsupported(f"{tok.text}()")
        self.advance()
        return FieldPath(tok.text.split("."), tok.pos)

    def parse_order_item(self) -> OrderItem:
        if self.is_kw(CONVERT_CURRENCY) and self.is_punct("(", self.peek()):
            # "Ordering is always based on the converted currency value, just like in
            # reports. Thus, convertCurrency() can't be used with the ORDER BY clause."
            raise self.misuse("convertCurrency() can't be used in ORDER BY")
        if self.tok.kind == IDENT and self.is_punct("(", self.peek()):
            expr: FieldPath | AggCall = self.parse_function()
        else:
            expr = self.parse_path()
        item = OrderItem(expr)
        if self.is_kw("ASC", "DESC"):
            item.desc = self.advance().text.upper() == "DESC"
        if self.is_kw("NULLS"):
            self.advance()
            if not self.is_kw("FIRST", "LAST"):
                raise self.error()
            item.nulls_first = self.advance().text.upper() == "FIRST"
        return item

    # -- conditions
    def parse_condition(self, allow_agg: bool) -> Condition:
        first = self.parse_term(allow_agg)
        if not self.is_kw("AND", "OR"):
            return first
        op = self.tok.text.upper()
        items = [first]
        while self.is_kw("AND", "OR"):
            if self.tok.text.upper() != op:
                # SOQL requires parentheses when AND and OR are mixed.
                raise self.error()
            self.advance()
            items.append(self.parse_term(allow_agg))
        return BoolOp(op, items)

    def parse_term(self, allow_agg: bool) -> Condition:
        if self.is_kw("NOT"):
            self.advance()
            return NotOp(self.parse_term(allow_agg))
        if self.is_punct("("):
            self.advance()
            cond = self.parse_condition(allow_agg)
            self.expect_punct(")")
            return cond
        return self.parse_comparison(allow_agg)

    def parse_comparison(self, allow_agg: bool) -> Comparison:
        tok = self.tok
        left: FieldPath | AggCall
        if tok.kind == IDENT and self.is_punct("(", self.peek()):
            if tok.text.upper() == CONVERT_CURRENCY:
                # "You can't use the convertCurrency() function in a WHERE clause. If you
                # do, an error is returned." Use an ISO-coded value instead (USD5000).
                raise self.misuse(
                    "convertCurrency() can't be used in a WHERE clause: compare with an "
                    "ISO-coded value such as USD5000"
                )
            if tok.text.upper() not in AGGREGATES:
                raise self.unsupported(f"{tok.text}()")
            if not allow_agg:
                raise SoqlError(
                    MALFORMED,
                    locate(
                        self.query,
                        tok.pos,
                        "Aggregate functions are not allowed in the WHERE clause; use HAVING",
                    ),
                )
            left = self.parse_function()
        else:
            left = self.parse_path()
        op_tok = self.tok
        if op_tok.kind == OP:
            self.advance()
            op = "!=" if op_tok.text == "<>" else op_tok.text
            value = self.parse_value()
            return Comparison(left, op, value, value.pos)
        if self.is_kw("LIKE"):
            self.advance()
            value = self.parse_value()
            return Comparison(left, "LIKE", value, value.pos)
        if self.is_kw("INCLUDES", "EXCLUDES"):
            raise self.unsupported(op_tok.text.upper())
        negate = False
        if self.is_kw("NOT") and self.is_kw("IN", tok=self.peek()):
            self.advance()
            negate = True
        if self.is_kw("IN"):
            self.advance()
            if self.is_punct(":"):
                raise self.unsupported("A bind variable")
            open_tok = self.expect_punct("(")
            if self.is_kw("SELECT"):
                raise self.unsupported("A semi-join or anti-join (IN (SELECT ...))")
            values = [self.parse_value()]
            while self.is_punct(","):
                self.advance()
                values.append(self.parse_value())
            self.expect_punct(")")
            return Comparison(left, "NOT IN" if negate else "IN", values, open_tok.pos)
        raise self.error()

    def parse_value(self) -> Literal:
        tok = self.tok
        if tok.kind == STRING:
            self.advance()
            return Literal(STRING, tok.value, tok.pos, tok)
        if tok.kind in (NUMBER, DATE, DATETIME):
            self.advance()
            return Literal(tok.kind, tok.value, tok.pos)
        if tok.kind == PUNCT and tok.text == ":":
            raise self.unsupported("A bind variable")
        if tok.kind == IDENT:
            word = tok.text.upper()
            if word == "NULL":
                self.advance()
                return Literal("NULL", None, tok.pos)
            if word in ("TRUE", "FALSE"):
                self.advance()
                return Literal("BOOLEAN", word == "TRUE", tok.pos)
            if word in DATE_CONSTANTS:
                self.advance()
                return Literal("DATE_CONST", (word, None), tok.pos)
            if word in DATE_CONSTANTS_N:
                self.advance()
                self.expect_punct(":")
                num = self.tok
                if num.kind != NUMBER or not isinstance(num.value, int) or num.value < 0:
                    raise self.error()
                self.advance()
                return Literal("DATE_CONST", (word, num.value), tok.pos)
            m = _CURRENCY_VALUE_RE.match(tok.text)
            if m:
                # WHERE Amount > USD5000: "opportunity records will be returned if the
                # record's currency Amount value is greater than the equivalent of USD5000"
                self.advance()
                amount = float(m.group(2)) if "." in m.group(2) else int(m.group(2))
                return Literal("CURRENCY", (m.group(1).upper(), amount), tok.pos)
            if "FISCAL" in word:
                raise self.unsupported(f"The fiscal date literal {word}")
            if self.is_punct("(", self.peek()):
                raise self.unsupported(f"{tok.text}()")
        raise self.error()


def parse(query: str) -> Query:
    if len(query) > MAX_SOQL_LENGTH:
        raise SoqlError(
            MALFORMED, f"SOQL statements cannot be longer than {MAX_SOQL_LENGTH} characters"
        )
    return Parser(query).parse()
