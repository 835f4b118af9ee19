"""A small thread-safe TTL cache for Salesforce answers."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

# Seconds a re-read of the records one viewer may read (an /orders or /pipeline answer
# asked again with ``Id IN (...)``) is kept, keyed by those Ids: short, since the list's
# own first read is never cached (capped by the cache's own TTL).
PART_TTL = 60.0


class TTLCache:
    """Keeps values for ``ttl`` seconds, at most ``maxsize`` entries (LRU)."""

    def __init__(
        self, ttl: float, maxsize: int = 1024, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.maxsize = maxsize
        self._clock = clock
        self._data: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            expires, value = item
            if expires <= self._clock():
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any, *, ttl: float | None = None) -> None:
        """Keep ``value`` for ``ttl`` seconds (default: the cache's own ttl)."""
        ttl = self.ttl if ttl is None else min(ttl, self.ttl)
        if ttl <= 0:
            return
        with self._lock:
            self._data[key] = (self._clock() + ttl, value)
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def invalidate(self, key: Hashable) -> None:
        with self._lock:
            self._data.pop(key, None)

    def get_or_load(self, key: Hashable, load: Callable[[], Any], *, fresh: bool = False) -> Any:
        """The cached value, or ``load()`` (stored). ``fresh`` always loads."""
        if not fresh:
            hit = self.get(key)
            if hit is not None:
                return hit
        value = load()
        self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
