"""The store interface: SQLite (default) and PostgreSQL implement it; only the store writes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from tocsin.records import DocumentResult, Event, RawDocument, Rejected

# documents.status values
PROCESSED = "processed"  # cleaned and parsed for events (it may have none)
REJECTED = "rejected"  # could not be read or parsed; ``reason`` says why
SKIPPED = "skipped"  # cleaned, but not parsed for events (DocumentResult.skipped says why)
DOCUMENT_STATUSES = (PROCESSED, REJECTED, SKIPPED)


class StoreError(Exception):
    """The store cannot do what was asked (unreadable file, schema too new, unknown run...)."""


def raw_content_hash(raw: RawDocument) -> str:
    """SHA-256 of a document as it arrived (its text, else its HTML).

    Known before any cleaning, so the pipeline can ask ``is_known(raw.doc_id, raw_content_hash(raw))``
    and skip unchanged documents without cleaning them again.
    """
    body = raw.text if raw.text is not None else (raw.html or "")
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class EventFilter:
    country: str | None = None  # ISO3
    since: date | None = None
    until: date | None = None
    event_type: str | None = None  # event_type or sub_event_type
    limit: int | None = None
    doc_id: str | None = None  # only events this document is a source of


@dataclass(frozen=True, slots=True)
class StoredDocument:
    doc_id: str
    content_hash: str
    text: str | None
    title: str | None
    url: str | None
    published: str | None
    outlet: str | None
    origin: str
    status: str  # one of DOCUMENT_STATUSES
    reason: str | None
    language: str | None = None
    relevance: float | None = None
    run_id: int | None = None
    duplicate_of: str | None = None  # an earlier stored document this one nearly copies
    story_id: str | None = None  # documents about the same real-world happening share a story


class Store(Protocol):
    def migrate(self) -> None: ...
    def begin_run(self, sources: list[str]) -> int: ...
    def finish_run(self, run_id: int, stats: dict[str, Any]) -> None: ...
    def is_known(self, doc_id: str, content_hash: str) -> bool:
        """True when this exact document (same id and content) has already been stored.

        ``content_hash`` may be the article's hash or ``raw_content_hash(raw)``. Rejected documents
        are never known, so they are retried on the next run."""
        ...

    def save(self, results: list[DocumentResult], run_id: int, *, force: bool = False) -> None:
        """Store a batch in one transaction: documents, events (merged with the stored events of the
        same happenings), evidence, sources, rejections;
        ``force`` re-stores unchanged documents (reprocessing). Near-duplicates are linked from each result's
        ``fingerprint`` (computed by the store when missing), and saved articles are grouped into stories
        in bounded chunks.

        A result with ``skipped`` set is stored with status "skipped" and that reason."""
        ...

    def events(self, flt: EventFilter | None = None) -> Iterator[Event]: ...
    def rejects(self) -> Iterator[Rejected]: ...
    def document(self, doc_id: str) -> StoredDocument | None: ...
    def counts(self) -> dict[str, int]: ...
    def update_stories(self, run_id: int) -> int:
        """Group into stories what is still without one: what ``save`` collected since its last chunk (it
        groups every full chunk itself), then any stored article left without a story (by a killed run);
        returns the number of articles given a story. Call it at the end of a run."""
        ...

    def stories(self, limit: int = 100) -> list[dict[str, Any]]: ...
    def story_documents(self, story_id: str) -> list[StoredDocument]: ...
    def documents_for_reprocessing(self) -> Iterator[StoredDocument]: ...
    def close(self) -> None: ...


StoreFactory = Callable[[str], Store]
STORES: dict[str, StoreFactory] = {}  # URL scheme → factory; "" is a file path (SQLite)


def register_store(scheme: str) -> Callable[[StoreFactory], StoreFactory]:
    def deco(factory: StoreFactory) -> StoreFactory:
        STORES[scheme] = factory
        return factory

    return deco


def open_store(db: str) -> Store:
    """Open (and migrate) the store named by ``db``: a path, ``sqlite:///path`` or ``postgresql://…``."""
    from tocsin.store import builtin  # noqa: F401  (registers the built-in stores)

    scheme = db.split("://", 1)[0].lower() if "://" in db else ""
    if scheme.startswith("postgres"):
        scheme = "postgresql"
    try:
        factory = STORES[scheme]
    except KeyError:
        raise ValueError(f"no store for {db!r}; known schemes: {', '.join(sorted(STORES))}") from None
    store = factory(db)
    store.migrate()
    return store
