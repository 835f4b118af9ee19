"""The sandbox org's REST resources, independent of HTTP plumbing.

``RestApi.dispatch`` takes one already-authenticated request (method, path, query
parameters, headers, body) and answers with status, JSON body and headers, the way
Salesforce's REST API does: versions, resources, describeGlobal, sObject basic info,
describe, record retrieval, query / queryAll with query locators, limits and composite,
and record writes (create, update, delete: ``writes.py``).
Authentication, API limits, fault injection and the request log live in ``server.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import threading
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.standins.salesforce import schema, soql
from bot.standins.salesforce.schema import Field, SObject
from bot.standins.salesforce.store import OrgStore, format_datetime, to_json
from bot.standins.salesforce.writes import RecordWriter, WriteError


def to_json_datetime(value: dt.datetime | None) -> str | None:
    """A datetime as Salesforce writes it (None stays None)."""
    return format_datetime(value) if value is not None else None


# --- versions -----------------------------------------------------------------------

OLDEST_VERSION = 31
LATEST_VERSION = 62


def version_label(major: int) -> str:
    """Release name of an API version: 31.0 is Summer '14, 62.0 is Winter '25."""
    k = major - 30
    season = ("Spring", "Summer", "Winter")[k % 3]
    return f"{season} '{14 + (k + 1) // 3:02d}"


VERSIONS: list[dict[str, str]] = [
    {"label": version_label(v), "url": f"/services/data/v{v}.0", "version": f"{v}.0"}
    for v in range(OLDEST_VERSION, LATEST_VERSION + 1)
]
_VERSION_SET = {v["version"] for v in VERSIONS}

DEFAULT_BATCH = 2000
MIN_BATCH = 200
# A child relationship's result inside its parent is paged like any query result:
# "Subquery results are like regular query results in that you might need to use
# queryMore() to retrieve all the records if there are many children" (SOQL and SOSL
# Reference, Understanding Query Results). The documentation gives no size; observed:
# a subquery with totalSize 257 returned 199 records and a child nextRecordsUrl
# (jsforce PR #1752, 2025), one with totalSize 1200 returned a locator ending -499
# (simple-salesforce #311, API 29.0). The sandbox takes the smaller: a child result
# of more than 199 rows comes back with its first 199, "done": false and a
# nextRecordsUrl ending -199; the locator then serves the rest 200 at a time (or the
# request's Sforce-Query-Options batchSize).
CHILD_FIRST_BATCH = 199
CHILD_BATCH = MIN_BATCH
# "In REST API, queries that include a GROUP BY clause can't use the query locator to get
# more results" (SOQL, Considerations for GROUP BY); past one batch Salesforce refuses
# the query with this message (quoted from real orgs in public code).
AGGREGATE_TOO_LONG = (
    "Aggregate query does not support queryMore(), use LIMIT to restrict the results to a "
    "single batch"
)
COMPOSITE_MAX_SUBREQUESTS = 25
COMPOSITE_MAX_QUERIES = 5

NOT_FOUND_MESSAGE = "The requested resource does not exist"


def error_body(code: str, message: str, fields: list[str] | None = None) -> list[dict[str, Any]]:
    """Salesforce's error shape: a JSON array of {message, errorCode[, fields]}."""
    err: dict[str, Any] = {"message": message, "errorCode": code}
    if fields is not None:
        err["fields"] = fields
    return [err]


def unknown_exception_message() -> str:
    error_id = f"{secrets.randbelow(10**10):010d}-{secrets.randbelow(10**5):05d}"
    return (
        "An unexpected error occurred. Please include this ErrorId if you contact support: "
        f"{error_id} ({-secrets.randbelow(10**10)})"
    )


# --- request / response -------------------------------------------------------------


@dataclass
class ApiRequest:
    method: str
    path: str  # decoded URL path without the query string
    params: dict[str, list[str]] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    def param(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class ApiResponse:
    status: int
    body: Any = None  # JSON-ready; None means no body
    headers: dict[str, str] = field(default_factory=dict)
    log: dict[str, Any] = field(default_factory=dict)  # extra request-log fields
    raw: bytes | None = None  # a non-JSON body (sent with headers' Content-Type)


class ApiError(Exception):
    """An error answered as Salesforce's JSON error array."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> ApiResponse:
        return ApiResponse(self.status, error_body(self.code, self.message))


def not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", NOT_FOUND_MESSAGE)


def method_not_allowed(method: str, allowed: tuple[str, ...]) -> ApiError:
    return ApiError(
        405,
        "METHOD_NOT_ALLOWED",
        f"HTTP Method '{method}' not allowed. Allowed are {','.join(allowed)}",
    )


def parse_target(target: str) -> tuple[str, dict[str, list[str]]]:
    """Split a request target into decoded path and query parameters."""
    parts = urllib.parse.urlsplit(target)
    path = urllib.parse.unquote(parts.path)
    params = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    return path, params


# --- query cursors ------------------------------------------------------------------


@dataclass
class _Cursor:
    records: list[dict[str, Any]]
    total_size: int
    batch_size: int
    touched: float
    child_keys: tuple[str, ...] = ()  # child relationship names in the records
    children: list[str] = field(default_factory=list)  # child locators of the last page
    is_child: bool = False


class QueryCursors:
    """Snapshots of query results behind query locators (bounded, expiring).

    Since API 56.0 "There isn't a limit on the number of open cursors" (App Limits,
    API Query Cursor Limits); the sandbox keeps up to ``max_cursors`` (oldest dropped)
    and lets an idle one expire after 15 minutes, stricter than the real two days.
    """

    def __init__(self, max_cursors: int = 10_000, ttl_seconds: float = 15 * 60) -> None:
        self._cursors: OrderedDict[str, _Cursor] = OrderedDict()
        self._lock = threading.Lock()
        self._counter = 0
        self._salt = secrets.randbelow(62**4)
        self.max_cursors = max_cursors
        self.ttl_seconds = ttl_seconds

    def add(
        self,
        records: list[dict[str, Any]],
        total_size: int,
        batch_size: int,
        *,
        child_keys: tuple[str, ...] = (),
        is_child: bool = False,
    ) -> str:
        with self._lock:
            self._counter += 1
            locator = schema.make_id("01g", self._salt * 100_000 + self._counter)
            self._cursors[locator] = _Cursor(
                records,
                total_size,
                batch_size,
                time.monotonic(),
                child_keys=child_keys,
                is_child=is_child,
            )
            self._expire()
            while len(self._cursors) > self.max_cursors:
                self._cursors.popitem(last=False)
            return locator

    def get(self, locator: str) -> _Cursor | None:
        with self._lock:
            self._expire()
            cursor = self._cursors.get(locator)
            if cursor is not None:
                cursor.touched = time.monotonic()
                self._cursors.move_to_end(locator)
            return cursor

    def drop(self, locators: list[str]) -> None:
        """Invalidate these locators (a later use is INVALID_QUERY_LOCATOR)."""
        with self._lock:
            for locator in locators:
                self._cursors.pop(locator, None)

    def clear(self) -> None:
        with self._lock:
            self._cursors.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._cursors)

    def _expire(self) -> None:
        cutoff = time.monotonic() - self.ttl_seconds
        for locator in [k for k, c in self._cursors.items() if c.touched < cutoff]:
            del self._cursors[locator]


# --- describe -----------------------------------------------------------------------

_SOAP_TYPES = {
    schema.ID: "tns:ID",
    schema.REFERENCE: "tns:ID",
    schema.BOOLEAN: "xsd:boolean",
    schema.CURRENCY: "xsd:double",
    schema.DOUBLE: "xsd:double",
    schema.PERCENT: "xsd:double",
    schema.INT: "xsd:int",
    schema.DATE: "xsd:date",
    schema.DATETIME: "xsd:dateTime",
}


def _sobject_urls(obj: SObject, version: str) -> dict[str, str]:
    base = f"/services/data/v{version}/sobjects/{obj.name}"
    return {
        "rowTemplate": base + "/{ID}",
        "defaultValues": base + "/defaultValues?recordTypeId&fields",
        "describe": base + "/describe",
        "sobject": base,
    }


# Objects an API client can read but not create or delete (Object Reference:
# Organization supports describeSObjects(), query(), retrieve(), update(); CurrencyType
# "Your client application can't delete this object").
_NOT_CREATEABLE = frozenset({"Organization"})
_NOT_DELETABLE = frozenset({"Organization", "CurrencyType"})


def sobject_basic(obj: SObject, version: str) -> dict[str, Any]:
    """The describeGlobal entry of an sObject."""
    return {
        "activateable": obj.name in ("Order", "Contract"),
        "createable": obj.name not in _NOT_CREATEABLE,
        "custom": False,
        "customSetting": False,
        "deletable": obj.name not in _NOT_DELETABLE,
        "deprecatedAndHidden": False,
        "feedEnabled": False,
        "hasSubtypes": False,
        "isSubtype": False,
        "keyPrefix": obj.key_prefix,
        "label": obj.label,
        "labelPlural": obj.label_plural,
        "layoutable": True,
        "mergeable": obj.name in ("Account", "Contact", "Case"),
        "mruEnabled": True,
        "name": obj.name,
        "queryable": True,
        "replicateable": True,
        "retrieveable": True,
        "searchable": True,
        "triggerable": True,
        "undeletable": obj.name not in _NOT_DELETABLE,
        "updateable": True,
        "urls": _sobject_urls(obj, version),
    }


def _is_auto_number(f: Field) -> bool:
    return f.calculated and f.type == schema.STRING and f.name.endswith("Number")


def describe_field(obj: SObject, f: Field) -> dict[str, Any]:
    writable = not f.calculated and f.type != schema.ID
    numeric = f.type in schema.NUMERIC_TYPES
    text = f.type in schema.TEXT_TYPES
    return {
        "aggregatable": f.aggregatable,
        "autoNumber": _is_auto_number(f),
        "byteLength": f.length * 3 if text else 0,
        "calculated": f.calculated,
        "cascadeDelete": False,
        "caseSensitive": False,
        "createable": writable,
        "custom": False,
        "defaultValue": None,
        "defaultedOnCreate": f.type == schema.ID or f.name in ("OwnerId", "CreatedDate"),
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": 9 if f.type == schema.INT else 0,
        "externalId": False,
        "filterable": f.filterable,
        "groupable": f.groupable,
        "htmlFormatted": False,
        "idLookup": f.type == schema.ID or f.name in ("Name", "Email") or _is_auto_number(f),
        "label": f.label,
        "length": f.length,
        "name": f.name,
        "nameField": f.name == "Name"
        or (f.name.endswith("Number") and _is_auto_number(f) and "Name" not in obj.fields),
        "namePointing": False,
        "nillable": f.nillable,
        "permissionable": f.nillable and writable,
        "picklistValues": [
            {
                "active": p.active,
                "defaultValue": p.default,
                "label": p.label if p.label is not None else p.value,
                "validFor": None,
                "value": p.value,
            }
            for p in f.picklist
        ],
        "polymorphicForeignKey": False,
        "precision": 18 if f.type in (schema.CURRENCY, schema.DOUBLE, schema.PERCENT) else 0,
        "referenceTo": [f.reference_to] if f.reference_to else [],
        "relationshipName": f.relationship_name,
        "relationshipOrder": None,
        "restrictedPicklist": f.restricted,
        "scale": 2 if numeric and f.type != schema.INT else 0,
        "soapType": _SOAP_TYPES.get(f.type, "xsd:string"),
        "sortable": f.sortable,
        "type": f.type,
        "unique": False,
        "updateable": writable,
    }


def describe_sobject(obj: SObject, version: str) -> dict[str, Any]:
    out = sobject_basic(obj, version)
    out.update(
        {
            "childRelationships": [
                {
                    "cascadeDelete": False,
                    "childSObject": rel.child_sobject,
                    "deprecatedAndHidden": False,
                    "field": rel.field,
                    "junctionIdListNames": [],
                    "junctionReferenceTo": [],
                    "relationshipName": rel.name,
                    "restrictedDelete": False,
                }
                for rel in obj.children.values()
            ],
            "fields": [describe_field(obj, f) for f in obj.fields.values()],
            "recordTypeInfos": [],
            "supportedScopes": [{"label": "All " + obj.label_plural.lower(), "name": "everything"}],
        }
    )
    return dict(sorted(out.items()))


def record_json(
    obj: SObject, rec: Mapping[str, Any], version: str, fields: list[Field] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "attributes": {
            "type": obj.name,
            "url": f"/services/data/v{version}/sobjects/{obj.name}/{rec['Id']}",
        }
    }
    for f in fields if fields is not None else obj.fields.values():
        out[f.name] = to_json(f, rec.get(f.name))
    return out


# --- limits -------------------------------------------------------------------------

_STATIC_LIMITS: dict[str, int] = {
    "ConcurrentAsyncGetReportInstances": 200,
    "ConcurrentSyncReportRuns": 20,
    "DailyAsyncApexExecutions": 250000,
    "DailyBulkApiBatches": 15000,
    "DailyBulkV2QueryJobs": 10000,
    "DailyStreamingApiEvents": 1000000,
    "DataStorageMB": 5120,
    "FileStorageMB": 20480,
    "HourlyAsyncReportRuns": 1200,
    "HourlyDashboardRefreshes": 200,
    "HourlySyncReportRuns": 500,
    "SingleEmail": 5000,
}


def limits_body(api_max: int, api_remaining: int) -> dict[str, Any]:
    out: dict[str, Any] = {k: {"Max": v, "Remaining": v} for k, v in _STATIC_LIMITS.items()}
    out["DailyApiRequests"] = {"Max": api_max, "Remaining": api_remaining}
    return dict(sorted(out.items()))


# --- the API ------------------------------------------------------------------------

_VERSION_RE = re.compile(r"^/services/data/v(\d+\.\d+|latest)(?:/(.*))?$")
_LOCATOR_RE = re.compile(r"^(01g[0-9A-Za-z]{15})-(\d+)$")
_REFERENCE_RE = re.compile(r"@\{([A-Za-z0-9_]+)((?:\.[^.}\[]+|\[\d+\])*)\}")
_PATH_STEP_RE = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _batch_size(header: str | None) -> int | None:
    """batchSize from a Sforce-Query-Options header, clamped to 200..2000."""
    if not header:
        return None
    for part in header.split(","):
        key, _, value = part.partition("=")
        if key.strip().lower() == "batchsize":
            try:
                n = int(value.strip())
            except ValueError:
                return None
            return max(MIN_BATCH, min(DEFAULT_BATCH, n))
    return None


class RestApi:
    """Answers REST requests against an OrgStore."""

    def __init__(
        self,
        store: OrgStore,
        limits: Callable[[], tuple[int, int]],
        cursors: QueryCursors,
        writes: RecordWriter | None = None,
    ) -> None:
        self.store = store
        self.limits = limits  # () -> (max, remaining) after counting this request
        self.cursors = cursors
        self.writes = writes if writes is not None else RecordWriter(store)

    # -- OpenID Connect UserInfo
    def userinfo(self, instance_url: str) -> ApiResponse:
        """``GET /services/oauth2/userinfo``: who the session belongs to.

        Salesforce Help, "Query for User Information" (the UserInfo endpoint, OpenID
        Connect): the user's ids, names, e-mail, ``zoneinfo`` (time zone), ``locale``,
        ``language``, ``utcOffset`` (milliseconds), ``active``, ``user_type`` and the API
        ``urls``. The session user is the integration user (OrgStore.session_user).
        """
        with self.store.lock:
            user = self.store.session_user()
            org = self.store.organization()
            if user is None:
                return ApiResponse(
                    404, error_body("NOT_FOUND", "the sandbox org's data set has no active User")
                )
            zone = self.store.user_timezone()
            locale = self.store.user_locale()
            now = self.store.now()
        offset = now.astimezone(zone).utcoffset() or dt.timedelta(0)
        org_id, user_id = org["Id"], user["Id"]
        base = instance_url
        urls = {
            "enterprise": f"{base}/services/Soap/c/{{version}}/{org_id[:15]}",
            "metadata": f"{base}/services/Soap/m/{{version}}/{org_id[:15]}",
            "partner": f"{base}/services/Soap/u/{{version}}/{org_id[:15]}",
            "rest": f"{base}/services/data/v{{version}}/",
            "sobjects": f"{base}/services/data/v{{version}}/sobjects/",
            "search": f"{base}/services/data/v{{version}}/search/",
            "query": f"{base}/services/data/v{{version}}/query/",
            "recent": f"{base}/services/data/v{{version}}/recent/",
            "profile": f"{base}/{user_id[:15]}",
            "custom_domain": base,
        }
        email = user["Email"] or ""
        body = {
            "sub": f"{base}/id/{org_id}/{user_id}",
            "user_id": user_id,
            "organization_id": org_id,
            "preferred_username": user["Username"],
            "nickname": email.split("@")[0] or None,
            "name": user["Name"],
            "email": email or None,
            "email_verified": True,
            "given_name": user["FirstName"],
            "family_name": user["LastName"],
            "zoneinfo": zone.key,
            "photos": {
                "picture": f"{base}/profilephoto/005/F",
                "thumbnail": f"{base}/profilephoto/005/T",
            },
            "profile": f"{base}/{user_id[:15]}",
            "picture": f"{base}/profilephoto/005/F",
            "address": {},
            "is_salesforce_integration_user": False,
            "urls": urls,
            "active": bool(user["IsActive"]),
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": locale,
            "utcOffset": int(offset.total_seconds() * 1000),
            "updated_at": to_json_datetime(user["LastModifiedDate"]),
            "is_app_installed": True,
        }
        return ApiResponse(200, body)

    # -- entry point
    def dispatch(self, req: ApiRequest, *, in_composite: bool = False) -> ApiResponse:
        try:
            return self._route(req, in_composite)
        except ApiError as exc:
            return exc.response()
        except WriteError as exc:
            return ApiResponse(exc.status, exc.body())
        except soql.SoqlError as exc:
            return ApiResponse(exc.status, error_body(exc.error_code, exc.message))

    def _route(self, req: ApiRequest, in_composite: bool) -> ApiResponse:
        path = req.path.rstrip("/") or "/"
        if path == "/services/data":
            self._allow(req, "GET", "HEAD")
            return ApiResponse(200, VERSIONS)
        m = _VERSION_RE.match(path)
        if m is None:
            raise not_found()
        version = m.group(1)
        if version == "latest":
            version = VERSIONS[-1]["version"]
        if version not in _VERSION_SET:
            raise not_found()
        rest = [p for p in (m.group(2) or "").split("/") if p]
        if not rest:
            self._allow(req, "GET", "HEAD")
            return ApiResponse(200, self._resources(version))
        head, tail = rest[0], rest[1:]
        if head in ("query", "queryAll"):
            self._allow(req, "GET", "HEAD")
            include_deleted = head == "queryAll"
            if not tail:
                return self._query(req, version, head, include_deleted)
            if len(tail) == 1:
                return self._query_more(req, version, head, tail[0])
            raise not_found()
        if head == "sobjects":
            return self._sobjects(req, version, tail)
        if head == "limits" and not tail:
            self._allow(req, "GET", "HEAD")
            max_, remaining = self.limits()
            return ApiResponse(200, limits_body(max_, remaining))
        if head == "composite" and not tail:
            self._allow(req, "POST")
            if in_composite:
                raise ApiError(400, "INVALID_INPUT", "Composite requests can't be nested.")
            return self._composite(req, version)
        raise not_found()

    @staticmethod
    def _allow(req: ApiRequest, *methods: str) -> None:
        if req.method not in methods:
            raise method_not_allowed(req.method, methods)

    @staticmethod
    def _resources(version: str) -> dict[str, str]:
        base = f"/services/data/v{version}"
        names = ("composite", "limits", "query", "queryAll", "sobjects")
        return {name: f"{base}/{name}" for name in names}

    # -- sObjects
    def _sobjects(self, req: ApiRequest, version: str, tail: list[str]) -> ApiResponse:
        if not tail:
            self._allow(req, "GET", "HEAD")
            return ApiResponse(
                200,
                {
                    "encoding": "UTF-8",
                    "maxBatchSize": 200,
                    "sobjects": [
                        sobject_basic(o, version) for o in self.store.schema.sobjects.values()
                    ],
                },
            )
        obj = self.store.schema.sobject_ci(tail[0])
        if obj is None:
            raise not_found()
        if len(tail) == 1:
            self._allow(req, "GET", "HEAD", "POST")
            if req.method == "POST":
                new_id = self.writes.create(obj.name, _json_body(req))
                return ApiResponse(201, {"id": new_id, "success": True, "errors": []})
            return ApiResponse(
                200, {"objectDescribe": sobject_basic(obj, version), "recentItems": []}
            )
        if len(tail) == 2 and tail[1] == "describe":
            self._allow(req, "GET", "HEAD")
            return ApiResponse(200, describe_sobject(obj, version))
        if len(tail) == 2:
            self._allow(req, "GET", "HEAD", "PATCH", "DELETE")
            if req.method == "PATCH":
                self.writes.update(obj.name, tail[1], _json_body(req))
                return ApiResponse(204)
            if req.method == "DELETE":
                self.writes.delete(obj.name, tail[1])
                return ApiResponse(204)
            return self._record(req, version, obj, tail[1])
        raise not_found()

    def _record(self, req: ApiRequest, version: str, obj: SObject, record_id: str) -> ApiResponse:
        fields: list[Field] | None = None
        wanted = req.param("fields")
        if wanted:
            fields = []
            for name in (n.strip() for n in wanted.split(",")):
                if not name:
                    continue
                f = obj.field_ci(name)
                if f is None:
                    raise ApiError(
                        400,
                        "INVALID_FIELD",
                        f"No such column '{name}' on entity '{obj.name}'. If you are attempting "
                        "to use a custom field, be sure to append the '__c' after the custom "
                        "field name. Please reference your WSDL or the describe call for the "
                        "appropriate names.",
                    )
                fields.append(f)
        with self.store.lock:
            found = self.store.get(record_id)
            if found is None or found[0] != obj.name:
                raise not_found()
            return ApiResponse(200, record_json(obj, found[1], version, fields))

    # -- queries
    def _query(
        self, req: ApiRequest, version: str, endpoint: str, include_deleted: bool
    ) -> ApiResponse:
        q = req.param("q")
        if q is None or not q.strip():
            raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
        log = {"soql": q}
        try:
            with self.store.lock:
                result = soql.execute(
                    q, self.store, api_version=version, include_deleted=include_deleted
                )
        except soql.SoqlError as exc:
            return ApiResponse(exc.status, error_body(exc.error_code, exc.message), log=log)
        batch = _batch_size(req.header("Sforce-Query-Options")) or DEFAULT_BATCH
        records = result.records
        if result.aggregate and len(records) > batch:
            return ApiResponse(400, error_body("EXCEEDED_ID_LIMIT", AGGREGATE_TOO_LONG), log=log)
        child_batch = _batch_size(req.header("Sforce-Query-Options")) or CHILD_BATCH
        page, end, children = self._build_page(
            records, result.child_keys, 0, batch, child_batch, version, endpoint
        )
        body: dict[str, Any] = {"totalSize": result.total_size, "done": end >= len(records)}
        if end < len(records):
            locator = self.cursors.add(
                records, result.total_size, batch, child_keys=result.child_keys
            )
            self.cursors.get(locator).children = children  # type: ignore[union-attr]
            log["locator"] = locator
            body["nextRecordsUrl"] = f"/services/data/v{version}/{endpoint}/{locator}-{end}"
        body["records"] = page
        return ApiResponse(200, body, log=log)

    def _query_more(
        self, req: ApiRequest, version: str, endpoint: str, identifier: str
    ) -> ApiResponse:
        m = _LOCATOR_RE.match(identifier)
        if m is None:
            raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        locator, offset = m.group(1), int(m.group(2))
        cursor = self.cursors.get(locator)
        if cursor is None or offset > len(cursor.records):
            raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        header_batch = _batch_size(req.header("Sforce-Query-Options"))
        batch = header_batch or cursor.batch_size
        # "A queryMore() call on a parent object invalidates all child cursors in the
        # previous result set" (SOAP API, QueryLocator).
        self.cursors.drop(cursor.children)
        page, end, children = self._build_page(
            cursor.records,
            cursor.child_keys,
            offset,
            batch,
            header_batch or CHILD_BATCH,
            version,
            endpoint,
        )
        cursor.children = children
        body: dict[str, Any] = {"totalSize": cursor.total_size, "done": end >= len(cursor.records)}
        if end < len(cursor.records):
            body["nextRecordsUrl"] = f"/services/data/v{version}/{endpoint}/{locator}-{end}"
        body["records"] = page
        return ApiResponse(200, body, log={"locator": locator})

    def _build_page(
        self,
        records: list[dict[str, Any]],
        child_keys: tuple[str, ...],
        offset: int,
        batch: int,
        child_batch: int,
        version: str,
        endpoint: str,
    ) -> tuple[list[dict[str, Any]], int, list[str]]:
        """One page of a result from ``offset``: (records, end offset, child locators).

        "Child objects count toward the number of records for the batch size. For example,
        in relationship queries, multiple child objects are returned per parent row
        returned" (REST API, Query Options Header): a page holds parents until the parents
        plus the child rows returned with them reach the batch size (always at least one
        parent). A child result longer than CHILD_FIRST_BATCH is cut there and given its
        own query locator.
        """
        out: list[dict[str, Any]] = []
        children: list[str] = []
        cost = 0
        end = offset
        while end < len(records):
            rec = records[end]
            rec_cost = 1
            for key in child_keys:
                sub = rec.get(key)
                if sub:
                    rec_cost += min(len(sub["records"]), CHILD_FIRST_BATCH)
            if out and cost + rec_cost > batch:
                break
            cost += rec_cost
            out.append(
                self._cut_children(rec, child_keys, child_batch, version, endpoint, children)
            )
            end += 1
        return out, end, children

    def _cut_children(
        self,
        rec: dict[str, Any],
        child_keys: tuple[str, ...],
        child_batch: int,
        version: str,
        endpoint: str,
        locators: list[str],
    ) -> dict[str, Any]:
        """``rec`` with each child result longer than CHILD_FIRST_BATCH rows cut to its
        first rows, ``"done": false`` and a ``nextRecordsUrl`` to the rest (the snapshot
        keeps every row; a copy is returned only when something is cut)."""
        out = rec
        for key in child_keys:
            sub = rec.get(key)
            if not sub or len(sub["records"]) <= CHILD_FIRST_BATCH:
                continue
            rows = sub["records"]
            locator = self.cursors.add(rows, sub["totalSize"], child_batch, is_child=True)
            locators.append(locator)
            if out is rec:
                out = dict(rec)
            out[key] = {
                "totalSize": sub["totalSize"],
                "done": False,
                "nextRecordsUrl": (
                    f"/services/data/v{version}/{endpoint}/{locator}-{CHILD_FIRST_BATCH}"
                ),
                "records": rows[:CHILD_FIRST_BATCH],
            }
        return out

    # -- composite
    def _composite(self, req: ApiRequest, version: str) -> ApiResponse:
        try:
            payload = json.loads(req.body or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None
        subs = payload.get("compositeRequest") if isinstance(payload, dict) else None
        if not isinstance(subs, list) or not subs:
            raise ApiError(
                400, "INVALID_INPUT", "Composite request must contain a compositeRequest list."
            )
        all_or_none = bool(payload.get("allOrNone", False))
        if len(subs) > COMPOSITE_MAX_SUBREQUESTS:
            raise ApiError(
                400,
                "LIMIT_EXCEEDED",
                f"The request can’t contain more than {COMPOSITE_MAX_SUBREQUESTS} operations.",
            )
        for i, sub in enumerate(subs):
            if not isinstance(sub, dict) or not isinstance(sub.get("url"), str):
                raise ApiError(400, "INVALID_INPUT", f"compositeRequest[{i}] needs a url.")
            if not isinstance(sub.get("referenceId"), str) or not sub["referenceId"]:
                raise ApiError(400, "INVALID_INPUT", f"compositeRequest[{i}] needs a referenceId.")
        queries = sum(1 for s in subs if self._is_query(s["url"]))
        if queries > COMPOSITE_MAX_QUERIES:
            raise ApiError(
                400,
                "LIMIT_EXCEEDED",
                f"The request can’t contain more than {COMPOSITE_MAX_QUERIES} query operations.",
            )

        # Writes inside an allOrNone request are undone when a later part fails, as
        # Salesforce rolls the whole request back (the store's lock is held meanwhile).
        with self.writes.atomic() as rollback:
            return self._run_composite(version, subs, all_or_none, rollback)

    def _run_composite(
        self,
        version: str,
        subs: list[dict[str, Any]],
        all_or_none: bool,
        rollback: Callable[[], None],
    ) -> ApiResponse:
        results: dict[str, Any] = {}
        out: list[dict[str, Any]] = []
        sub_log: list[dict[str, Any]] = []
        failed = False
        for sub in subs:
            ref = sub["referenceId"]
            method = str(sub.get("method", "GET")).upper()
            if failed and all_or_none:
                out.append(_halted(ref))
                sub_log.append({"method": method, "path": sub["url"], "status": 400})
                continue
            try:
                url = self._resolve_references(sub["url"], results)
                path, params = parse_target(url)
                headers = {
                    str(k).lower(): str(v) for k, v in (sub.get("httpHeaders") or {}).items()
                }
                body = sub.get("body")
                sub_req = ApiRequest(
                    method,
                    path,
                    params,
                    headers,
                    json.dumps(body).encode() if body is not None else b"",
                )
                if not path.startswith("/services/data/v"):
                    raise ApiError(
                        400, "INVALID_INPUT", "Subrequest urls must start with /services/data/"
                    )
                resp = self.dispatch(sub_req, in_composite=True)
            except ApiError as exc:
                path = sub["url"]
                resp = exc.response()
            entry: dict[str, Any] = {"method": method, "path": path, "status": resp.status}
            entry.update(resp.log)
            entry["referenceId"] = ref
            sub_log.append(entry)
            if resp.status < 300:
                results[ref] = resp.body
            else:
                failed = True
            out.append(
                {
                    "body": resp.body,
                    "httpHeaders": {},
                    "httpStatusCode": resp.status,
                    "referenceId": ref,
                }
            )
        if failed and all_or_none:
            # Salesforce rolls the whole request back: every other subrequest reports 400.
            rollback()
            for item in out:
                if item["httpStatusCode"] < 300:
                    item.update(_halted(item["referenceId"]))
        return ApiResponse(200, {"compositeResponse": out}, log={"subrequests": sub_log})

    @staticmethod
    def _is_query(url: str) -> bool:
        path = urllib.parse.urlsplit(url).path.rstrip("/")
        m = _VERSION_RE.match(path)
        if m is None:
            return False
        head = (m.group(2) or "").split("/")[0]
        return head in ("query", "queryAll")

    @staticmethod
    def _resolve_references(url: str, results: Mapping[str, Any]) -> str:
        if "%40%7b" in url.lower():  # an encoded @{...} reference
            url = re.sub(
                r"%40%7[bB](.*?)%7[dD]", lambda m: "@{" + urllib.parse.unquote(m[1]) + "}", url
            )

        def replace(m: re.Match[str]) -> str:
            ref, steps = m.group(1), m.group(2)
            if ref not in results:
                raise _bad_reference(m.group(0), ref)
            value: Any = results[ref]
            for step in _PATH_STEP_RE.finditer(steps):
                key, index = step.group(1), step.group(2)
                try:
                    value = value[int(index)] if index is not None else value[key]
                except (KeyError, IndexError, TypeError):
                    raise _bad_reference(m.group(0), ref) from None
            if isinstance(value, dict | list) or value is None:
                raise _bad_reference(m.group(0), ref)
            text = json.dumps(value) if isinstance(value, bool) else str(value)
            return urllib.parse.quote(text, safe="")

        return _REFERENCE_RE.sub(replace, url)


def _json_body(req: ApiRequest) -> Any:
    """The JSON body of a write (Salesforce: JSON_PARSER_ERROR when it is not JSON, in the
    words of its JSON parser, Jackson; see :func:`parser_error`)."""
    if not req.body or not req.body.strip():
        raise ApiError(
            400, "JSON_PARSER_ERROR", "No content to map due to end-of-input at [line:1, column:0]"
        )
    try:
        text = req.body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(
            400, "JSON_PARSER_ERROR", "Invalid UTF-8 start byte at [line:1, column:1]"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(400, "JSON_PARSER_ERROR", parser_error(text, exc)) from None


# Python's json messages -> what Jackson (Salesforce's JSON parser) says at the same spot.
_JACKSON = {
    "Expecting property name enclosed in double quotes": (
        "was expecting double-quote to start field name"
    ),
    "Expecting value": (
        "expected a valid value (number, String, array, object, 'true', 'false' or 'null')"
    ),
    "Expecting ',' delimiter": "was expecting comma to separate entries",
    "Expecting ':' delimiter": "was expecting a colon to separate field name and value",
    "Extra data": "expected end-of-input",
}


def parser_error(text: str, exc: json.JSONDecodeError) -> str:
    """A malformed body's JSON_PARSER_ERROR message as Salesforce words it: Jackson's
    "Unexpected character ('b' (code 98)): was expecting double-quote to start field name
    at [line:1, column:3]" (column 1-based, counted past the character, as in the
    messages Salesforce returns: Salesforce Stack Exchange 137599 and 301508), or
    "Unexpected end-of-input" when the body stops early."""
    line, column = exc.lineno, exc.colno
    what = _JACKSON.get(exc.msg)
    if exc.pos >= len(text) or exc.msg.startswith("Unterminated string"):
        expecting = what or "expected close marker"
        return f"Unexpected end-of-input: {expecting} at [line:{line}, column:{column}]"
    char = text[exc.pos]
    if exc.msg.startswith("Invalid control character"):
        return (
            f"Illegal unquoted character ((CTRL-CHAR, code {ord(char)})): has to be escaped "
            f"using backslash to be included in string value at [line:{line}, column:{column + 1}]"
        )
    expecting = what or "expected a valid value"
    return (
        f"Unexpected character ('{char}' (code {ord(char)})): {expecting} "
        f"at [line:{line}, column:{column + 1}]"
    )


def _bad_reference(expr: str, ref: str) -> ApiError:
    return ApiError(
        400,
        "PROCESSING_HALTED",
        f"Invalid reference specified. No value for {expr[2:-1]} found in {ref}. "
        f"Provided referenceId ('{ref}') must start with a letter or a number, and it can "
        "contain only letters, numbers and underscores ('_').",
    )


def _halted(ref: str) -> dict[str, Any]:
    return {
        "body": error_body(
            "PROCESSING_HALTED",
            "The transaction was rolled back since another operation in the same transaction "
            "failed.",
        ),
        "httpHeaders": {},
        "httpStatusCode": 400,
        "referenceId": ref,
    }
