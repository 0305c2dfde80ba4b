"""A bounded cache of encoded API responses, valid for one version of the database's data.

Each entry is the JSON body of one read request (keyed by the endpoint and its typed query, so
``country=kaz`` and ``country=KAZ`` share it) and the data version it was computed at. The version
is read *before* the answer is computed, so an entry is never newer-labelled than its data; any
commit to the database (the API's own writer, ``tocsin ingest`` in another process) changes the
version, and the next request drops every entry. A store that cannot tell its version gets no
caching at all (``EventReader.data_version`` returns None).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

# Bytes of response bodies one server process keeps. A page of 50 events is ~40 KB, statistics for
# a country ~60 KB, a document view up to a few MB (its text): 64 MB holds ~1,000 typical answers.
CACHE_BYTES = 64 * 2**20
# Largest body worth keeping: bigger ones (a huge document) would push out hundreds of small ones.
MAX_ENTRY_BYTES = 2 * 2**20


@dataclass(frozen=True, slots=True)
class Cached:
    body: bytes
    etag: str  # strong ETag of the body: the same in every worker process, whatever its version


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


class ResponseCache:
    """Least-recently-used bodies up to ``max_bytes``, all for one data version at a time; thread-safe."""

    def __init__(self, max_bytes: int = CACHE_BYTES, max_entry_bytes: int = MAX_ENTRY_BYTES) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._entries: OrderedDict[Hashable, Cached] = OrderedDict()
        self._version: Hashable = None
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, version: Hashable) -> Cached | None:
        with self._lock:
            self._check(version)
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: Hashable, version: Hashable, body: bytes) -> Cached:
        """Keep ``body`` for ``key`` if ``version`` is still current; returns it with its ETag."""
        entry = Cached(body, etag_of(body))
        if len(body) > self.max_entry_bytes:
            return entry
        with self._lock:
            self._check(version)
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)
        return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _check(self, version: Hashable) -> None:
        # another version than the last one seen: the data changed (or a request that began before
        # the change ends after it; its answer is then kept under the version it began at)
        if version != self._version:
            self._entries.clear()
            self._bytes = 0
            self._version = version

    def __len__(self) -> int:
        return len(self._entries)
