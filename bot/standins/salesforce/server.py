"""The sandbox org's HTTPS server: a local stand-in for a Salesforce org.

``SandboxOrg`` serves Salesforce's REST API (see ``server_api.py``) over HTTPS with a
certificate from its own throw-away CA (trustme), so simple-salesforce works against it
unmodified once ``REQUESTS_CA_BUNDLE`` points at ``ca_path``. Around the REST resources it
adds what a real org has: session authentication, the daily API allocation with the
``Sforce-Limit-Info`` header, and what tests need: fault injection, a request log and
a settable clock, through the control endpoints under ``/__sandbox__/`` (no auth, not
counted, not logged):

- ``GET /__sandbox__/requests`` / ``DELETE``: the API request log / clear it
- ``POST /__sandbox__/faults`` (``GET`` shows, ``DELETE`` clears): e.g. ``{"latency_ms": 2000}``,
  ``{"error": "REQUEST_LIMIT_EXCEEDED", "count": 3}``, ``{"status": 500, "count": 1}``,
  optional ``"path"`` (a substring of the decoded request target); ``{}`` clears
- ``POST /__sandbox__/data``: replace the org's records (INTERFACE.md's data-file shape)
- ``GET|POST /__sandbox__/clock``: ``{"now": "2026-11-22T14:00:00Z"}`` or ``{"now": null}``
- ``GET|POST /__sandbox__/limits``: ``{"max": M, "remaining": R}``
- ``GET|POST /__sandbox__/acting-user``: ``{"user": "raj.rep@example.com"}`` (an Id,
  Username or e-mail) makes later REST writes be made by that User (LastModifiedById),
  ``{"user": null}`` by the session's user again. Sandbox-only: a real org's changes are
  made by whoever is logged in; tests and the demo use it to change a record "as someone
  else" without a second session.
- ``POST /__sandbox__/reset``: faults, log, limits, clock and acting user back to their
  start state
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import email.utils
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import trustme

from bot.standins.salesforce import schema
from bot.standins.salesforce.server_api import (
    ApiRequest,
    ApiResponse,
    QueryCursors,
    RestApi,
    error_body,
    parse_target,
    unknown_exception_message,
)
from bot.standins.salesforce.store import (
    Clock,
    DataLoadError,
    OrgStore,
    format_datetime,
    parse_datetime,
)
from bot.standins.salesforce.writes import RecordWriter

log = logging.getLogger(__name__)

CONTROL_PREFIX = "/__sandbox__"
MAX_LOG_ENTRIES = 10_000
USERINFO_PATH = "/services/oauth2/userinfo"
# "In each REST call, the maximum length for the combined URI and headers is 16,384
# bytes. A request exceeding this limit returns a 431 Request Header Fields Too Large
# error. If the URI itself exceeds this limit, the request returns a 414 URI Too Long
# error." (Salesforce Help 000386264; REST API Developer Guide, limits.) Salesforce's
# front end answers such a request itself, before the API (nothing is counted), with
# its web server's HTML error page ("Bad Message 431 reason: Request Header Fields Too
# Large", as integrations report it).
MAX_URI_AND_HEADERS = 16_384

# Error codes a fault can inject: HTTP status and Salesforce's message.
FAULT_ERRORS: dict[str, tuple[int, str]] = {
    "MALFORMED_QUERY": (400, "unexpected token: 'FROM'"),
    "INVALID_FIELD": (400, "No such column on entity."),
    "INVALID_TYPE": (400, "sObject type is not supported."),
    "INVALID_QUERY_LOCATOR": (400, "invalid query locator"),
    "QUERY_TIMEOUT": (400, "Your query request was running for too long."),
    "INVALID_SESSION_ID": (401, "Session expired or invalid"),
    "REQUEST_LIMIT_EXCEEDED": (403, "TotalRequests Limit exceeded."),
    "API_DISABLED_FOR_ORG": (403, "API is not enabled for this Organization or Partner"),
    "INSUFFICIENT_ACCESS": (403, "insufficient access rights on object id"),
    "NOT_FOUND": (404, "The requested resource does not exist"),
    "UNKNOWN_EXCEPTION": (500, ""),  # message carries a fresh ErrorId
    "SERVER_UNAVAILABLE": (503, "Server temporarily unavailable. Please try again later."),
}
STATUS_ERRORS: dict[int, str] = {
    400: "MALFORMED_QUERY",
    401: "INVALID_SESSION_ID",
    403: "REQUEST_LIMIT_EXCEEDED",
    404: "NOT_FOUND",
    500: "UNKNOWN_EXCEPTION",
    502: "SERVER_UNAVAILABLE",
    503: "SERVER_UNAVAILABLE",
    504: "SERVER_UNAVAILABLE",
}


@dataclass
class Fault:
    latency_ms: float = 0.0
    error: str | None = None
    status: int | None = None
    message: str | None = None
    count: int | None = None  # None: until cleared
    path: str | None = None

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> Fault | None:
        """Validate a fault spec (the JSON of ``POST /__sandbox__/faults``); {} is None."""
        if not isinstance(spec, Mapping):
            raise ValueError("a fault spec is a JSON object")
        allowed = {"latency_ms", "error", "status", "message", "count", "path"}
        unknown = sorted(set(spec) - allowed)
        if unknown:
            raise ValueError(f"unknown fault keys {unknown}; allowed: {sorted(allowed)}")
        if not any(spec.get(k) is not None for k in ("latency_ms", "error", "status")):
            if any(spec.get(k) is not None for k in ("count", "path", "message")):
                raise ValueError("a fault needs latency_ms, error or status")
            return None
        fault = cls()
        latency = spec.get("latency_ms")
        if latency is not None:
            if isinstance(latency, bool) or not isinstance(latency, int | float) or latency < 0:
                raise ValueError("latency_ms must be a number >= 0")
            fault.latency_ms = float(latency)
        error, status = spec.get("error"), spec.get("status")
        if status is not None and (
            isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599
        ):
            raise ValueError("status must be an HTTP error status 400..599")
        if error is not None:
            if not isinstance(error, str) or not error:
                raise ValueError("error must be a Salesforce error code such as INVALID_SESSION_ID")
            if error not in FAULT_ERRORS and status is None:
                raise ValueError(
                    f"unknown error code {error!r}: give a status with it, or use one of "
                    f"{sorted(FAULT_ERRORS)}"
                )
            fault.error = error
            fault.status = status if status is not None else FAULT_ERRORS[error][0]
        elif status is not None:
            fault.status = status
            fault.error = STATUS_ERRORS.get(
                status, "UNKNOWN_EXCEPTION" if status >= 500 else "INVALID_INPUT"
            )
        count = spec.get("count")
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 1
        ):
            raise ValueError("count must be a positive integer (or absent: until cleared)")
        fault.count = count
        for key in ("path", "message"):
            value = spec.get(key)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{key} must be a string")
        fault.path, fault.message = spec.get("path"), spec.get("message")
        return fault

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.latency_ms:
            out["latency_ms"] = self.latency_ms
        if self.error:
            out["error"] = self.error
            out["status"] = self.status
        if self.message:
            out["message"] = self.message
        if self.path:
            out["path"] = self.path
        out["count"] = self.count
        return out

    def response(self) -> ApiResponse:
        assert self.error is not None and self.status is not None
        message = self.message or FAULT_ERRORS.get(self.error, (0, ""))[1]
        if not message:
            message = (
                unknown_exception_message()
                if self.status >= 500
                else f"Injected fault {self.error}"
            )
        headers = {"WWW-Authenticate": "Token"} if self.status == 401 else {}
        return ApiResponse(self.status, error_body(self.error, message), headers)


class _ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _utc_iso(ts: float) -> str:
    return format_datetime(dt.datetime.fromtimestamp(ts, dt.UTC))


def _seeded_data(seed: int, today: dt.date) -> dict[str, list[dict[str, Any]]]:
    from bot.standins.salesforce.seed import generate

    return generate(seed, today)


class SandboxOrg:
    """A Salesforce org stand-in served over HTTPS on 127.0.0.1."""

    def __init__(
        self,
        *,
        data: Mapping[str, Any] | None = None,
        seed: int = 42,
        timezone: str = "America/New_York",
        clock: Clock | None = None,
        api_max: int = 100_000,
    ) -> None:
        self._own_clock = clock is None
        self.clock = clock or Clock()
        self.store = OrgStore(self.clock, timezone)
        self.seed = seed
        self.api_max = api_max
        self.access_token = (
            schema.make_id("00D", secrets.randbelow(62**6))[:15]
            + "!"
            + secrets.token_urlsafe(48).replace("-", ".")
        )
        self.instance_url = ""
        self.ca_path = ""
        self.port = 0
        self._lock = threading.Lock()
        self._max = api_max
        self._used = 0
        self._fault: Fault | None = None
        self._log: collections.deque[dict[str, Any]] = collections.deque(maxlen=MAX_LOG_ENTRIES)
        self._cursors = QueryCursors()
        self.writes = RecordWriter(self.store)
        self._api = RestApi(self.store, self._limits_now, self._cursors, self.writes)
        self._server: _HttpsServer | None = None
        self._thread: threading.Thread | None = None
        self._tmpdir: str | None = None
        self.load(data if data is not None else _seeded_data(seed, self.store.today()))

    # -- life cycle
    def start(self, port: int = 0) -> SandboxOrg:
        if self._server is not None:
            raise RuntimeError("the sandbox org is already running")
        tmpdir = tempfile.mkdtemp(prefix="acctbot-sandbox-")
        try:
            ca = trustme.CA(organization_name="acctbot sandbox org")
            cert = ca.issue_cert("127.0.0.1", "localhost")
            ca_path = os.path.join(tmpdir, "ca.pem")
            ca.cert_pem.write_to_path(ca_path)
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(ctx)
            server = _HttpsServer(("127.0.0.1", port), _Handler, ctx, self)
        except BaseException:
            shutil.rmtree(tmpdir, ignore_errors=True)
            raise
        self._tmpdir, self.ca_path, self._server = tmpdir, ca_path, server
        self.port = server.server_address[1]
        self.instance_url = f"https://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"sandbox-org-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.close_connections()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> SandboxOrg:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- helpers for tests and the control endpoints
    def load(self, data: Mapping[str, Any]) -> dict[str, int]:
        """Replace every record (raises DataLoadError; the old data then stays)."""
        return self.store.load(data)

    def set_faults(self, spec: Mapping[str, Any]) -> None:
        """Inject faults (see the module doc); ``{}`` clears. Raises ValueError."""
        fault = Fault.from_spec(spec)
        with self._lock:
            self._fault = fault

    def faults(self) -> dict[str, Any]:
        with self._lock:
            return self._fault.to_json() if self._fault is not None else {}

    def requests_log(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._log]

    def clear_log(self) -> int:
        with self._lock:
            n = len(self._log)
            self._log.clear()
            return n

    def set_limits(self, *, api_max: int | None = None, remaining: int | None = None) -> None:
        """Set the daily API allocation and/or what remains of it (until ``reset``)."""
        with self._lock:
            if api_max is not None:
                if api_max < 0:
                    raise ValueError("max must be >= 0")
                self._max = api_max
            if remaining is not None:
                if remaining < 0:
                    raise ValueError("remaining must be >= 0")
                self._used = self._max - remaining
            self._used = max(0, min(self._used, self._max))

    def limits(self) -> dict[str, int]:
        with self._lock:
            return {"max": self._max, "remaining": self._max - self._used, "used": self._used}

    def act_as(self, who: str | None) -> str | None:
        """Make later REST writes by ``who`` (User Id, Username or e-mail), or by the
        session's user again with None. Returns the User Id; raises ValueError."""
        return self.writes.act_as(who)

    @contextlib.contextmanager
    def acting_as(self, who: str) -> Iterator[str | None]:
        """``with org.acting_as("raj.rep@example.com"): sf.Order.update(...)``."""
        user = self.act_as(who)
        try:
            yield user
        finally:
            self.act_as(None)

    def set_now(self, when: dt.datetime | None) -> None:
        """Freeze the org's clock at ``when`` (aware), or back to real time with None."""
        self.clock.set(when)

    def reset(self) -> None:
        """Clear faults and the log, restore limits, put an owned clock back to real time."""
        with self._lock:
            self._fault = None
            self._log.clear()
            self._max = self.api_max
            self._used = 0
        if self._own_clock:
            self.clock.set(None)
        self.writes.act_as(None)

    # -- serving (called by the handler threads)
    def _limits_now(self) -> tuple[int, int]:
        with self._lock:
            return self._max, self._max - self._used

    def _usage_header(self) -> str:
        with self._lock:
            return f"api-usage={self._used}/{self._max}"

    def _take_fault(self, target: str) -> Fault | None:
        with self._lock:
            fault = self._fault
            if fault is None or (fault.path and fault.path not in target):
                return None
            if fault.count is not None:
                fault.count -= 1
                if fault.count <= 0:
                    self._fault = None
            return fault

    def _authorized(self, headers: Mapping[str, str]) -> bool:
        scheme, _, token = (headers.get("authorization") or "").strip().partition(" ")
        if scheme.lower() not in ("bearer", "oauth"):
            return False
        return secrets.compare_digest(token.strip().encode(), self.access_token.encode())

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> ApiResponse:
        """Answer one HTTP request (``target`` as on the request line, headers with
        lower-case names)."""
        path, params = parse_target(target)
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            try:
                return self._control(method, path, body)
            except _ControlError as exc:
                return ApiResponse(exc.status, {"error": exc.message})
        refused = _too_large(target, headers)
        if refused is not None:
            entry: dict[str, Any] = {"method": method, "path": path.rstrip("/") or "/"}
            q = params.get("q")
            if q and entry["path"].endswith(("/query", "/queryAll")):
                entry["soql"] = q[0]
            entry.update(refused.log)
            entry["status"] = refused.status
            entry["at"] = _utc_iso(time.time())
            entry["elapsed_ms"] = 0.0
            with self._lock:
                self._log.append(entry)
            return refused
        if not path.startswith("/services/"):
            return ApiResponse(
                404, error_body("NOT_FOUND", "The requested resource does not exist")
            )
        started = time.time()
        req = ApiRequest(method, path, params, headers, body)
        try:
            resp = self._serve_api(req, urllib.parse.unquote_plus(target))
        except Exception:
            log.exception("sandbox org: unexpected error on %s %s", method, target)
            resp = ApiResponse(500, error_body("UNKNOWN_EXCEPTION", unknown_exception_message()))
        entry: dict[str, Any] = {"method": method, "path": path.rstrip("/") or "/"}
        q = params.get("q")
        if q and entry["path"].endswith(("/query", "/queryAll")):
            entry["soql"] = q[0]  # also when refused, faulted or failed
        entry.update(resp.log)
        entry["status"] = resp.status
        entry["at"] = _utc_iso(started)
        entry["elapsed_ms"] = round((time.time() - started) * 1000, 1)
        with self._lock:
            self._log.append(entry)
        return resp

    def _serve_api(self, req: ApiRequest, target: str) -> ApiResponse:
        versions = req.path.rstrip("/") == "/services/data"
        fault = self._take_fault(target)
        if fault is not None and fault.latency_ms:
            time.sleep(fault.latency_ms / 1000)
        if not versions and not self._authorized(req.headers):
            return ApiResponse(
                401,
                error_body("INVALID_SESSION_ID", "Session expired or invalid"),
                {"WWW-Authenticate": "Token"},
            )
        if req.path.rstrip("/") == USERINFO_PATH:
            # An OAuth endpoint, not a REST API call: not counted against the allocation.
            if fault is not None and fault.error is not None:
                return fault.response()
            if req.method not in ("GET", "POST"):
                return ApiResponse(405, error_body("METHOD_NOT_ALLOWED", "use GET"))
            return self._api.userinfo(self.instance_url)
        if fault is not None and fault.error is not None:
            resp = fault.response()
            resp.log["fault"] = fault.error
            if not versions:
                resp.headers["Sforce-Limit-Info"] = self._usage_header()
            return resp
        if versions:  # the Versions resource needs no session and is not counted
            return self._api.dispatch(req)
        with self._lock:
            exhausted = self._used >= self._max
            if not exhausted:
                self._used += 1
        if exhausted:
            resp = ApiResponse(
                403, error_body("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            )
        else:
            resp = self._api.dispatch(req)
        resp.headers["Sforce-Limit-Info"] = self._usage_header()
        return resp

    # -- control endpoints
    def _control(self, method: str, path: str, body: bytes) -> ApiResponse:
        name = path[len(CONTROL_PREFIX) :].strip("/")
        routes: dict[str, tuple[str, ...]] = {
            "requests": ("GET", "DELETE"),
            "faults": ("GET", "POST", "DELETE"),
            "data": ("POST",),
            "clock": ("GET", "POST"),
            "limits": ("GET", "POST"),
            "acting-user": ("GET", "POST"),
            "reset": ("POST",),
        }
        if name not in routes:
            raise _ControlError(404, f"no sandbox control endpoint {path}")
        if method not in routes[name]:
            raise _ControlError(405, f"{path} allows {', '.join(routes[name])}")
        payload = _json_body(body) if method == "POST" else None

        if name == "requests":
            if method == "DELETE":
                return ApiResponse(200, {"cleared": self.clear_log()})
            return ApiResponse(200, self.requests_log())
        if name == "faults":
            if method == "POST":
                try:
                    self.set_faults(payload if payload is not None else {})
                except ValueError as exc:
                    raise _ControlError(400, str(exc)) from None
            elif method == "DELETE":
                self.set_faults({})
            return ApiResponse(200, self.faults())
        if name == "data":
            try:
                counts = self.load(payload)  # type: ignore[arg-type]
            except DataLoadError as exc:
                raise _ControlError(400, str(exc)) from None
            return ApiResponse(200, {"loaded": counts})
        if name == "clock":
            if method == "POST":
                self._set_clock(payload)
            now = self.clock.now()
            return ApiResponse(
                200, {"now": format_datetime(now), "today": self.store.today().isoformat()}
            )
        if name == "limits":
            if method == "POST":
                self._set_limits(payload)
            return ApiResponse(200, self.limits())
        if name == "acting-user":
            if method == "POST":
                if not isinstance(payload, dict) or set(payload) != {"user"}:
                    raise _ControlError(400, 'expected {"user": "<User Id, Username or e-mail>"}')
                try:
                    self.act_as(payload["user"])
                except ValueError as exc:
                    raise _ControlError(400, str(exc)) from None
            return ApiResponse(
                200,
                {"user": self.writes.acting_user, "session_user": self.writes.session_user()},
            )
        self.reset()  # name == "reset"
        return ApiResponse(200, {"reset": True})

    def _set_clock(self, payload: Any) -> None:
        if not isinstance(payload, dict) or "now" not in payload:
            raise _ControlError(400, 'expected {"now": "2026-11-22T14:00:00Z"} or {"now": null}')
        value = payload["now"]
        if value is None:
            self.set_now(None)
            return
        try:
            self.set_now(parse_datetime(value))
        except (TypeError, ValueError):
            raise _ControlError(400, f"now: {value!r} is not an ISO 8601 datetime") from None

    def _set_limits(self, payload: Any) -> None:
        if not isinstance(payload, dict) or not set(payload) <= {"max", "remaining"}:
            raise _ControlError(400, 'expected {"max": M, "remaining": R} (either may be left out)')
        for key in ("max", "remaining"):
            value = payload.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise _ControlError(400, f"{key} must be an integer")
        try:
            self.set_limits(api_max=payload.get("max"), remaining=payload.get("remaining"))
        except ValueError as exc:
            raise _ControlError(400, str(exc)) from None


def _too_large(target: str, headers: Mapping[str, str]) -> ApiResponse | None:
    """The 414/431 answer for a request over Salesforce's 16,384-byte URI + headers
    limit, else None. The URI is counted as sent on the request line (percent-encoded);
    each header as ``Name: value`` plus its line end."""
    uri = len(target.encode("utf-8"))
    header_bytes = sum(
        len(k.encode("latin-1", "replace")) + len(v.encode("latin-1", "replace")) + 4
        for k, v in headers.items()
    )
    if uri > MAX_URI_AND_HEADERS:
        status, reason = 414, "URI Too Long"
    elif uri + header_bytes > MAX_URI_AND_HEADERS:
        status, reason = 431, "Request Header Fields Too Large"
    else:
        return None
    page = f"<h1>Bad Message {status}</h1><pre>reason: {reason}</pre>".encode()
    return ApiResponse(
        status,
        None,
        {"Content-Type": "text/html;charset=iso-8859-1", "Connection": "close"},
        log={"refused": f"{reason}: {uri} bytes of URI and {header_bytes} of headers"},
        raw=page,
    )


def _json_body(body: bytes) -> Any:
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _ControlError(400, f"the request body is not valid JSON: {exc}") from None


# --- HTTP plumbing ------------------------------------------------------------------


class _HttpsServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # socketserver's default backlog of 5 resets bursts

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        ssl_context: ssl.SSLContext,
        org: SandboxOrg,
    ) -> None:
        self.ssl_context = ssl_context
        self.org = org
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__(address, handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake runs here, in the connection's own thread, so a slow or
        # failing client never holds up accept().
        try:
            request.settimeout(30)
            # Headers and body go out as separate writes: without NODELAY, Nagle's
            # algorithm and the client's delayed ACK add ~40 ms to every response.
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            return
        with self._conn_lock:
            self._connections.add(tls)
        try:
            tls.settimeout(None)
            super().finish_request(tls, client_address)
        except (OSError, ssl.SSLError):
            pass
        finally:
            with self._conn_lock:
                self._connections.discard(tls)
            with contextlib.suppress(OSError):
                tls.close()

    def close_connections(self) -> None:
        with self._conn_lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("sandbox org: connection error from %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SandboxOrg/1.0"
    sys_version = ""
    timeout = 120  # idle keep-alive connections close after this many seconds
    server: _HttpsServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header every response carries (RFC 9110 §6.6.1: an origin server
        with a clock sends it), from the *org's* clock, so a test that moves the org's
        clock moves what its responses say the time is, as a real org's would."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        now = self.server.org.clock.now().astimezone(dt.UTC)
        return email.utils.format_datetime(now, usegmt=True)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send(ApiResponse(400, error_body("INVALID_INPUT", "Unreadable request body")))
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        method = "GET" if self.command == "HEAD" else self.command
        resp = self.server.org.handle(method, self.path, headers, body)
        self._send(resp)

    def _send(self, resp: ApiResponse) -> None:
        payload = b""
        if resp.raw is not None:
            payload = resp.raw
            if resp.headers.get("Connection") == "close":
                self.close_connection = True
        elif resp.body is not None:
            payload = json.dumps(resp.body, ensure_ascii=False, separators=(",", ":")).encode()
        self.send_response(resp.status)
        if resp.body is not None and resp.raw is None:
            self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in resp.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD" and payload:
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


# --- `acctbot sandbox` --------------------------------------------------------------


def serve_forever(
    port: int = 0,
    data_file: str | None = None,
    seed: int = 42,
    timezone: str = "America/New_York",
) -> int:
    """Run the sandbox org until SIGINT/SIGTERM; print how to reach it. Returns the exit code."""
    data: Any = None
    if data_file:
        try:
            with open(data_file, encoding="utf-8") as fh:
                data = json.load(fh)
        except OSError as exc:
            return _fail(f"cannot read the data file {data_file}: {exc.strerror or exc}.")
        except (ValueError, UnicodeDecodeError) as exc:
            return _fail(f"the data file {data_file} is not valid JSON ({exc}).")
    try:
        ZoneInfo(timezone)
    except (KeyError, ValueError):
        return _fail(f"the time zone {timezone!r} is not an IANA time zone name.")
    try:
        org = SandboxOrg(data=data, seed=seed, timezone=timezone)
    except DataLoadError as exc:
        return _fail(f"the data file {data_file} is not a valid data set: {exc}.")
    try:
        org.start(port)
    except OSError as exc:
        return _fail(f"cannot listen on 127.0.0.1 port {port}: {exc.strerror or exc}.")

    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous: dict[int, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):  # not the main thread
            previous[sig] = signal.signal(sig, on_signal)
    try:
        print(f"SF_INSTANCE_URL={org.instance_url}", flush=True)
        print(f"SF_ACCESS_TOKEN={org.access_token}", flush=True)
        print(f"REQUESTS_CA_BUNDLE={org.ca_path}", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        org.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _fail(sentence: str) -> int:
    print(f"acctbot sandbox: {sentence}", file=sys.stderr, flush=True)
    return 2
