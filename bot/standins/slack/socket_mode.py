"""Socket Mode stand-in: the WebSocket end that Slack's ``apps.connections.open`` URL names.

Behaves like Slack's Socket Mode server as documented: a client connects with a one-use
ticket, receives ``{"type": "hello", ...}``, then receives envelopes
(``slash_commands``, ``interactive``, ``events_api``) and answers each with an ack
``{"envelope_id": ..., "payload"?: ...}``. ``disconnect`` messages ask it to reconnect.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve


@dataclass
class Ack:
    """A client's acknowledgement of an envelope."""

    envelope_id: str
    payload: dict[str, Any] | None
    at: float
    raw: dict[str, Any] = field(default_factory=dict)


class SocketModeServer:
    """A websockets sync server in a thread; tickets come from ``issue_ticket``."""

    def __init__(self, app_id: str, on_ack: Callable[[dict[str, Any], Ack], None]) -> None:
        self._app_id = app_id
        self._on_ack = on_ack
        self._lock = threading.Condition()
        self._tickets: set[str] = set()
        self._connections: list[ServerConnection] = []
        self._sent: dict[str, dict[str, Any]] = {}
        self._acks: dict[str, Ack] = {}
        self.received: list[dict[str, Any]] = []
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        self._server = serve(
            self._handle,
            "127.0.0.1",
            0,
            process_request=self._check_ticket,
            ping_interval=None,
            compression=None,
        )
        self.port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="slack-standin-socket", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            conn.close()
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def issue_ticket(self) -> str:
        ticket = uuid.uuid4().hex
        with self._lock:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self._app_id}"

    # -- connection handling ---------------------------------------------------------------

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        query = parse_qs(urlsplit(request.path).query)
        ticket = (query.get("ticket") or [""])[0]
        with self._lock:
            if ticket in self._tickets:
                self._tickets.discard(ticket)  # a ticket opens one connection
                return None
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid_ticket\n")

    def _handle(self, connection: ServerConnection) -> None:
        with self._lock:
            self._connections.append(connection)
            count = len(self._connections)
            self._lock.notify_all()
        try:
            connection.send(
                json.dumps(
                    {
                        "type": "hello",
                        "num_connections": count,
                        "debug_info": {
                            "host": "applink-standin",
                            "build_number": 1,
                            "approximate_connection_time": 18060,
                        },
                        "connection_info": {"app_id": self._app_id},
                    }
                )
            )
            for raw in connection:
                try:
                    message = json.loads(raw)
                except (TypeError, ValueError):
                    continue
                if not isinstance(message, dict):
                    continue
                self._receive(message)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                if connection in self._connections:
                    self._connections.remove(connection)
                self._lock.notify_all()

    def _receive(self, message: dict[str, Any]) -> None:
        envelope_id = message.get("envelope_id")
        with self._lock:
            self.received.append(message)
            envelope = self._sent.get(envelope_id) if isinstance(envelope_id, str) else None
            if envelope is None or envelope_id in self._acks:
                return
            payload = message.get("payload")
            ack = Ack(
                envelope_id=str(envelope_id),
                payload=payload if isinstance(payload, dict) else None,
                at=time.time(),
                raw=message,
            )
            self._acks[ack.envelope_id] = ack
            self._lock.notify_all()
        self._on_ack(envelope, ack)

    # -- pushing ---------------------------------------------------------------------------

    @property
    def connection_count(self) -> int:
        with self._lock:
            return len(self._connections)

    def wait_for_connection(self, timeout: float = 5.0) -> None:
        with self._lock:
            if not self._lock.wait_for(lambda: self._connections, timeout):
                raise TimeoutError("no Socket Mode client connected")

    def send(self, envelope: dict[str, Any], timeout: float = 5.0) -> str:
        """Send to the most recent connection (Slack picks one of the open ones)."""
        self.wait_for_connection(timeout)
        with self._lock:
            connection = self._connections[-1]
            if "envelope_id" in envelope:
                self._sent[envelope["envelope_id"]] = envelope
        connection.send(json.dumps(envelope))
        return str(envelope.get("envelope_id", ""))

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``disconnect`` message to every connection."""
        with self._lock:
            conns = list(self._connections)
        message = json.dumps(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-standin"}}
        )
        for conn in conns:
            with contextlib.suppress(ConnectionClosed):
                conn.send(message)

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> Ack:
        with self._lock:
            if not self._lock.wait_for(lambda: envelope_id in self._acks, timeout):
                raise TimeoutError(f"no ack for envelope {envelope_id} within {timeout}s")
            return self._acks[envelope_id]

    def acks(self) -> list[Ack]:
        with self._lock:
            return list(self._acks.values())

    def clear(self) -> None:
        with self._lock:
            self._acks.clear()
            self._sent.clear()
            self.received.clear()
