"""A thin, typed layer over simple-salesforce.

- builds the client from settings (session, password or JWT bearer),
- sets a timeout on every request,
- maps Salesforce's failures to one exception type each (below),
- re-logs in once when a session expires and the credentials allow it,
- and formats every value into SOQL with ``format_soql`` (never string formatting):
  simple-salesforce's formatter, which also keeps a value from ever reading as a
  composite reference (below).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote, urlencode

import requests
import simple_salesforce
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)
from simple_salesforce.format import SoqlFormatter

from bot.settings import SalesforceSettings

log = logging.getLogger(__name__)

T = TypeVar("T")

# Salesforce refuses a request whose URI and headers pass 16,384 bytes (HTTP 414/431;
# see PLATFORM.md, "URL length"). acctbot keeps the encoded query of every GET (and of
# every composite subrequest's url) under this many bytes, well below the limit with
# room for the instance host and the headers.
URL_BUDGET = 8_000

__all__ = [
    "COMPOSITE_QUERIES",
    "URL_BUDGET",
    "Reference",
    "SalesforceAuthError",
    "SalesforceError",
    "SalesforceForbidden",
    "SalesforceLimitExceeded",
    "SalesforceNotFound",
    "SalesforceQueryError",
    "SalesforceService",
    "SalesforceTimeout",
    "SalesforceUnavailable",
    "format_soql",
    "url_bytes",
]

# The Composite resource runs "up to 25 subrequests … up to 5 of these subrequests can be
# sObject Collections or query operations" (REST API Developer Guide, Composite).
COMPOSITE_QUERIES = 5


# --- SOQL values, and the composite references acctbot writes itself ------------------


@dataclass(frozen=True)
class Reference:
    """A composite reference acctbot writes itself: ``Reference("account",
    "records[0].Id")`` is ``@{account.records[0].Id}``, the value an earlier subrequest of
    the same composite answered (REST API Developer Guide, Composite, "referenceId …
    Use this syntax to include a reference: @{referenceId.FieldName}"). In
    :func:`format_soql` it is a quoted string whose text Salesforce substitutes.
    """

    ref: str
    path: str

    def __post_init__(self) -> None:
        if not _REFERENCE_PART.fullmatch(self.ref) or not _REFERENCE_PATH.fullmatch(self.path):
            raise ValueError(f"not a composite reference: {self.ref}.{self.path}")

    def __str__(self) -> str:
        return "@{" + self.ref + "." + self.path + "}"


_REFERENCE_PART = re.compile(r"[A-Za-z0-9_]+")
_REFERENCE_PATH = re.compile(r"[A-Za-z0-9_]+(?:\[[0-9]+\])?(?:\.[A-Za-z0-9_]+(?:\[[0-9]+\])?)*")
# In a SOQL string literal, "{" written as a unicode escape (SOQL and SOSL Reference,
# "Quoted String Escape Sequences": \uXXXX "A Unicode character with XXXX as the code").
_NEUTRAL_BRACE = "@\\u007B"


class _Formatter(SoqlFormatter):
    """simple-salesforce's SOQL formatter (quoting, ``{:like}``, ``{:literal}``), with one
    addition: a value never carries ``@{`` into the query.

    Salesforce substitutes ``@{referenceId.path}`` anywhere in a composite subrequest's
    url (Composite, "Using references"); the documentation gives no escape, so text
    someone typed (``/account Summit @{2026} Partners``) would be read as a reference to
    an earlier answer. Inside a quoted value acctbot writes the brace as ``\u007b``,
    which SOQL decodes back to ``{``: the same search, and nothing Salesforce substitutes.
    Only a :class:`Reference` is written as a reference.
    """

    def format_field(self, value: Any, format_spec: str) -> Any:
        if isinstance(value, Reference):
            if format_spec:
                raise ValueError("a composite reference takes no format spec")
            return "'" + str(value) + "'"
        out = super().format_field(value, format_spec)
        if format_spec == "literal" or not isinstance(out, str):
            return out
        return out.replace("@{", _NEUTRAL_BRACE)


def format_soql(query: str, *args: Any, **kwargs: Any) -> str:
    """Insert values quoted for SOQL into a format string (simple-salesforce's
    ``format_soql``: ``{}`` quotes a value, ``{:like}`` escapes one for LIKE); a
    :class:`Reference` becomes a composite reference, and no other value can."""
    return str(_Formatter().vformat(query, args, kwargs))


# --- exceptions: one per failure -----------------------------------------------------


class SalesforceError(Exception):
    """Base class. ``user_message`` is safe to show in Slack."""

    user_message = "Salesforce returned an error."

    def __init__(self, detail: str = "", *, error_code: str | None = None) -> None:
        super().__init__(detail or self.user_message)
        self.detail = detail
        self.error_code = error_code


class SalesforceUnavailable(SalesforceError):
    user_message = "Salesforce is not answering right now. Try again in a minute."


class SalesforceTimeout(SalesforceUnavailable):
    user_message = "Salesforce is taking too long to answer. Try again in a minute."


class SalesforceUntrusted(SalesforceUnavailable):
    """TLS verification failed: waiting will not help, trusting the right CA will."""

    user_message = (
        "acctbot does not trust Salesforce's HTTPS certificate. An admin should check "
        "REQUESTS_CA_BUNDLE (the CA file acctbot trusts) and the Salesforce URL."
    )


class SalesforceLimitExceeded(SalesforceError):
    user_message = (
        "Salesforce refused the request: the org's API request limit is used up. "
        "It frees up over the next hours; an admin can check Setup > Company Information."
    )


class SalesforceAuthError(SalesforceError):
    user_message = (
        "acctbot's Salesforce session has expired or is invalid. An admin needs to "
        "refresh its Salesforce credentials."
    )


class SalesforceForbidden(SalesforceError):
    user_message = "Salesforce says acctbot's user is not allowed to see that."


class SalesforceNotFound(SalesforceError):
    user_message = "Salesforce has no record with that Id."


class SalesforceQueryError(SalesforceError):
    user_message = "Salesforce rejected acctbot's query (this is a bug in acctbot)."


def _error_body(exc: simple_salesforce.exceptions.SalesforceError) -> tuple[str | None, str]:
    content = exc.content
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return content[0].get("errorCode"), str(content[0].get("message", ""))
    return None, str(content)[:500]


# --- the service ---------------------------------------------------------------------


class _TrustingAdapter(requests.adapters.HTTPAdapter):
    """An HTTPS adapter that verifies with ``ca_bundle`` when one is configured.

    ``Settings`` reads REQUESTS_CA_BUNDLE from the process environment *and* ``.env``;
    requests alone reads only the process environment, and lets CURL_CA_BUNDLE there
    override a session's ``verify`` (requests' ``merge_environment_settings``). Passing the
    configured bundle here makes the setting mean the same wherever it was written.
    """

    def __init__(self, ca_bundle: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ca_bundle = ca_bundle

    def send(  # type: ignore[override]  # same parameters, passed through by name
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        if self.ca_bundle and kwargs.get("verify") is not False:
            kwargs["verify"] = self.ca_bundle
        return super().send(request, **kwargs)


class SalesforceService:
    """Everything acctbot asks Salesforce goes through here."""

    def __init__(
        self,
        settings: SalesforceSettings,
        *,
        client_factory: Callable[[], Salesforce] | None = None,
    ) -> None:
        self.settings = settings
        self._factory = client_factory or self._build_client
        self._client: Salesforce | None = None
        self._lock = threading.Lock()
        self._describe_cache: dict[str, dict[str, Any]] = {}
        self.requests_made = 0  # API requests sent (a composite counts as one)
        self._answered = threading.local()  # this thread's last response's Date header

    # -- client
    def _build_client(self) -> Salesforce:
        s = self.settings
        session = requests.Session()
        # As many pooled connections as workers, so TLS sessions are reused under load.
        adapter = _TrustingAdapter(s.ca_bundle, pool_connections=4, pool_maxsize=32)
        session.mount("https://", adapter)
        if s.auth_mode == "session":
            return Salesforce(
                instance_url=s.instance_url,
                session_id=s.access_token,
                version=s.api_version,
                session=session,
            )
        if s.auth_mode == "jwt":
            return Salesforce(
                username=s.username,
                consumer_key=s.consumer_key,
                privatekey_file=s.private_key_file,
                domain=s.domain,
                version=s.api_version,
                session=session,
            )
        return Salesforce(
            username=s.username,
            password=s.password,
            security_token=s.security_token,
            domain=s.domain,
            version=s.api_version,
            session=session,
        )

    @property
    def client(self) -> Salesforce:
        with self._lock:
            if self._client is None:
                self._client = self._listen(self._call(self._factory))
            return self._client

    def _relogin(self, stale: Salesforce) -> Salesforce:
        with self._lock:
            if self._client is stale or self._client is None:
                log.info("Salesforce session expired; logging in again")
                self._client = self._listen(self._call(self._factory))
            return self._client

    def _listen(self, client: Salesforce) -> Salesforce:
        """Note the ``Date`` header of every answer the client gets (a requests response
        hook, run in the thread that made the request)."""
        session = getattr(client, "session", None)
        if session is not None:
            session.hooks.setdefault("response", []).append(self._note_date)
        return client

    def _note_date(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        stamp = response.headers.get("Date")
        try:
            when = email.utils.parsedate_to_datetime(stamp) if stamp else None
        except (TypeError, ValueError):
            when = None
        if when is not None and when.tzinfo is not None:
            self._answered.date = when.astimezone(dt.UTC)

    def server_time(self) -> dt.datetime | None:
        """The org's time (UTC, whole seconds) when it answered this thread's last request:
        its ``Date`` header (RFC 9110 §6.6.1: an origin server with a clock sends one on
        every response). None before any answer, or when the answer had none. The bot's
        own clock may be off; this is the clock ``SystemModstamp`` is stamped with."""
        return getattr(self._answered, "date", None)

    @property
    def instance_url(self) -> str:
        return "https://" + self.client.sf_instance

    def record_url(self, record_id: str) -> str:
        """A link that opens the record in Lightning Experience."""
        return f"{self.instance_url}/lightning/r/{record_id}/view"

    @property
    def api_usage(self) -> tuple[int, int] | None:
        """(used, max) from the last Sforce-Limit-Info header, if seen."""
        usage = self._client.api_usage.get("api-usage") if self._client else None
        return (usage.used, usage.total) if usage else None

    # -- calls
    @staticmethod
    def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except requests.Timeout as exc:
            raise SalesforceTimeout(str(exc)) from exc
        except requests.exceptions.SSLError as exc:
            raise SalesforceUntrusted(str(exc)) from exc
        except requests.ConnectionError as exc:
            raise SalesforceUnavailable(str(exc)) from exc
        except SalesforceExpiredSession as exc:
            code, message = _error_body(exc)
            raise SalesforceAuthError(message, error_code=code) from exc
        except SalesforceAuthenticationFailed as exc:
            raise SalesforceAuthError(str(exc), error_code="AUTHENTICATION_FAILED") from exc
        except SalesforceRefusedRequest as exc:
            code, message = _error_body(exc)
            if code == "REQUEST_LIMIT_EXCEEDED":
                raise SalesforceLimitExceeded(message, error_code=code) from exc
            raise SalesforceForbidden(message, error_code=code) from exc
        except SalesforceResourceNotFound as exc:
            code, message = _error_body(exc)
            raise SalesforceNotFound(message, error_code=code) from exc
        except SalesforceMalformedRequest as exc:
            code, message = _error_body(exc)
            raise SalesforceQueryError(message, error_code=code) from exc
        except SalesforceGeneralError as exc:
            code, message = _error_body(exc)
            raise SalesforceUnavailable(f"HTTP {exc.status}: {message}", error_code=code) from exc

    def _request(self, method_name: str, *args: Any, **kwargs: Any) -> Any:
        """Call a client method with the timeout; re-login once on an expired session."""
        kwargs.setdefault("timeout", self.settings.timeout)
        client = self.client
        self.requests_made += 1
        try:
            return self._call(getattr(client, method_name), *args, **kwargs)
        except SalesforceAuthError:
            if not self.settings.can_relogin:
                raise
            client = self._relogin(client)
            self.requests_made += 1
            return self._call(getattr(client, method_name), *args, **kwargs)

    def soql(self, template: str, *args: Any, **kwargs: Any) -> str:
        """Format a SOQL template: ``{}`` quotes a value, ``{:like}`` escapes for LIKE."""
        return format_soql(template, *args, **kwargs)

    def query(self, template: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """One request: the first page of a query (``totalSize``, ``done``, ``records``)."""
        return self._request("query", self.soql(template, *args, **kwargs))

    def query_records(self, template: str, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return list(self.query(template, *args, **kwargs)["records"])

    def query_iter(self, template: str, *args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every record of a query, page by page (memory stays flat)."""
        return self.iter_soql(self.soql(template, *args, **kwargs))

    def query_soql(self, soql: str) -> dict[str, Any]:
        """One request: the first page of an already formatted query (built from pieces
        each formatted with :meth:`soql`; never format a formatted query again)."""
        return self._request("query", soql)

    def iter_soql(self, soql: str) -> Iterator[dict[str, Any]]:
        """Every record of an already formatted query, page by page."""
        return self.pages(self._request("query", soql))

    def pages(self, result: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
        """Every record of a query result, following ``nextRecordsUrl`` (one request a
        page). Works for a child relationship's result inside its parent too, which
        Salesforce pages on its own ("done": false with its own ``nextRecordsUrl``;
        simple-salesforce #311): a child result of null (no children) yields nothing."""
        page, result = result, None  # keep one page alive at a time
        while page:
            yield from page.get("records") or []
            if page.get("done", True) or not page.get("nextRecordsUrl"):
                return
            page = self._request("query_more", page["nextRecordsUrl"], identifier_is_url=True)

    def query_more(self, next_records_url: str) -> dict[str, Any]:
        """One request: the page of a query behind ``nextRecordsUrl`` (a query's, or one
        that came back inside a composite response)."""
        return self._request("query_more", next_records_url, identifier_is_url=True)

    def count(self, template: str, *args: Any, **kwargs: Any) -> int:
        return int(self.query(template, *args, **kwargs)["totalSize"])

    def chunk_values(
        self, values: Sequence[T], build: Callable[[list[T]], str], *, budget: int = URL_BUDGET
    ) -> list[list[T]]:
        """``values`` in as few chunks as keep ``build(chunk)`` (the query for a chunk, its
        IN list) under ``budget`` bytes of URL: each chunk as long as fits, in order.

        The chunks partition ``values`` in order, so when each record matches exactly one
        value (an owner's e-mail, an Id) the chunks' records are disjoint and counts and
        sums over them add up exactly. Raises ValueError when one value alone is too long.
        """
        items = list(values)
        chunks: list[list[T]] = []
        start = 0
        while start < len(items):
            left = len(items) - start

            def fits(n: int, start: int = start) -> bool:
                return url_bytes(build(items[start : start + n])) <= budget

            if fits(left):
                chunks.append(items[start:])
                break
            if not fits(1):
                raise ValueError("one value alone makes the query too long for a URL")
            good, bad = 1, 2  # gallop to a size that does not fit, then bisect
            while bad < left and fits(bad):
                good, bad = bad, bad * 2
            bad = min(bad, left)
            while bad - good > 1:
                mid = (good + bad) // 2
                good, bad = (mid, bad) if fits(mid) else (good, mid)
            chunks.append(items[start : start + good])
            start += good
        return chunks

    def split_in(
        self, values: Sequence[T], build: Callable[[list[T]], str], *, budget: int = URL_BUDGET
    ) -> list[str]:
        """The queries ``build`` makes for the chunks of :meth:`chunk_values`."""
        return [build(chunk) for chunk in self.chunk_values(values, build, budget=budget)]

    def iter_in(
        self, values: Sequence[T], build: Callable[[list[T]], str]
    ) -> Iterator[dict[str, Any]]:
        """Every record of a query over a long IN list, chunked by :meth:`split_in` (the
        chunks asked :data:`COMPOSITE_QUERIES` at a time, see :meth:`iter_many`)."""
        for _, rec in self.iter_many(self.split_in(values, build)):
            yield rec

    def iter_many(self, soqls: Sequence[str]) -> Iterator[tuple[int, dict[str, Any]]]:
        """(index of the query, record) for every record of already formatted queries,
        query by query and page by page. The queries go :data:`COMPOSITE_QUERIES` at a
        time in one composite request (one API call for five first pages); a single one
        is a plain GET. Each further page is one request (``nextRecordsUrl``). One
        composite's first pages are held at a time, and each page is let go when read."""
        for first in range(0, len(soqls), COMPOSITE_QUERIES):
            group = list(soqls[first : first + COMPOSITE_QUERIES])
            if len(group) == 1:
                results = [self.query_soql(group[0])]
            else:
                found = self.composite_queries({f"q{i}": q for i, q in enumerate(group)})
                results = [found[f"q{i}"] for i in range(len(group))]
            for offset in range(len(group)):
                result, results[offset] = results[offset], {}
                for rec in self.pages(result):
                    yield first + offset, rec

    def composite_queries(
        self, queries: dict[str, str], *, include_deleted: bool = False
    ) -> dict[str, dict[str, Any]]:
        """Up to 5 already-formatted queries in one composite request (one API call);
        raises the first subrequest's error. ``include_deleted``: through ``queryAll``,
        which also returns records in the recycle bin (``IsDeleted`` true)."""
        results = self.composite_results(queries, include_deleted=include_deleted)
        for outcome in results.values():
            if isinstance(outcome, SalesforceError):
                raise outcome
        return {ref: r for ref, r in results.items() if not isinstance(r, SalesforceError)}

    def composite_results(
        self, queries: dict[str, str], *, include_deleted: bool = False
    ) -> dict[str, dict[str, Any] | SalesforceError]:
        """Up to 5 already-formatted queries in one composite request (one API call), each
        query's result or its error (``allOrNone`` false: one failing does not stop the
        others). A query may use an earlier one's answer through a reference such as
        ``@{account.records[0].Id}`` (Composite resource, "Using references"), which a
        subrequest whose earlier answer has no such value fails with PROCESSING_HALTED."""
        if not 0 < len(queries) <= 5:
            raise ValueError("a composite request carries 1 to 5 queries")
        version = self.settings.api_version
        resource = "queryAll" if include_deleted else "query"
        body = {
            "allOrNone": False,
            "compositeRequest": [
                {
                    "method": "GET",
                    "referenceId": ref,
                    "url": f"/services/data/v{version}/{resource}?" + _qs(q, references=True),
                }
                for ref, q in queries.items()
            ],
        }
        out = self._request("restful", "composite", method="POST", json=body)
        results: dict[str, dict[str, Any] | SalesforceError] = {}
        for sub in out["compositeResponse"]:
            status = sub.get("httpStatusCode", 500)
            if status >= 300:
                body_ = sub.get("body")
                first = body_[0] if isinstance(body_, list) and body_ else {}
                error = _error_for_status(status, first.get("errorCode"), first.get("message", ""))
                results[sub["referenceId"]] = error
            else:
                results[sub["referenceId"]] = sub["body"]
        return results

    def get(self, sobject: str, record_id: str) -> dict[str, Any]:
        return self._request("restful", f"sobjects/{sobject}/{record_id}")

    def userinfo(self) -> dict[str, Any]:
        """The session user as OpenID Connect's UserInfo endpoint describes it
        (``GET /services/oauth2/userinfo``: ``zoneinfo``, ``locale``, ``user_id``, …;
        Salesforce Help, "Query for User Information"). Not an API call."""
        client = self.client
        url = client.oauth2_url + "userinfo"
        timeout = self.settings.timeout

        def call() -> Any:
            return client._call_salesforce("GET", url, name="userinfo", timeout=timeout).json()

        result: dict[str, Any] = self._call(call)
        return result

    def describe(self, sobject: str) -> dict[str, Any]:
        """An sObject's describe, cached for the process (picklists, labels)."""
        cached = self._describe_cache.get(sobject)
        if cached is None:
            cached = self._request("restful", f"sobjects/{sobject}/describe")
            self._describe_cache[sobject] = cached
        return cached

    def forget_describes(self) -> None:
        """Drop the cached describe results (the next describe asks Salesforce)."""
        self._describe_cache.clear()

    def limits(self) -> dict[str, Any]:
        return self._request("restful", "limits")


# A composite reference as urlencode writes it: @{ref.records[0].Id}
_ENCODED_REFERENCE = re.compile(r"%40%7B([A-Za-z0-9_.]+(?:%5B[0-9]+%5D[A-Za-z0-9_.]*)*)%7D")


def _qs(query: str, *, references: bool = False) -> str:
    """``q=`` and the percent-encoded query; with ``references``, composite references
    (``@{...}``) stay as written, as Salesforce's examples send them."""
    encoded = urlencode({"q": query})
    if references:
        encoded = _ENCODED_REFERENCE.sub(lambda m: "@{" + unquote(m.group(1)) + "}", encoded)
    return encoded


def url_bytes(soql: str) -> int:
    """Bytes the query takes in a GET URL (``q=`` and the percent-encoded SOQL)."""
    return len(_qs(soql))


def _error_for_status(status: int, code: str | None, message: str) -> SalesforceError:
    if status == 401:
        return SalesforceAuthError(message, error_code=code)
    if status == 403:
        if code == "REQUEST_LIMIT_EXCEEDED":
            return SalesforceLimitExceeded(message, error_code=code)
        return SalesforceForbidden(message, error_code=code)
    if status == 404:
        return SalesforceNotFound(message, error_code=code)
    if status == 400:
        return SalesforceQueryError(message, error_code=code)
    return SalesforceUnavailable(f"HTTP {status}: {message}", error_code=code)
