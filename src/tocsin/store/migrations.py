"""Schema migrations as code, numbered and recorded in ``schema_migrations``.

Each migration is a list of SQL statements or a Python step. ``SQLStore.migrate`` runs the
missing ones in order, each in its own transaction together with its record, so opening an old
database upgrades it and running it twice does nothing. Never edit a released migration: append
a new one.

The SQL sticks to standard types (TEXT, INTEGER, DOUBLE PRECISION, DATE, TIMESTAMP), so the
PostgreSQL migrations are the same statements translated by ``to_postgres`` (identity column for
``runs.id``, BIGINT for INTEGER, byte-ordered TEXT, BYTEA for BLOB), except the full-text index:
FTS5 in SQLite, a generated tsvector column with a GIN index in PostgreSQL. Dates and timestamps
are bound as ISO strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from tocsin.store.base import StoreError

Execute = Callable[..., Any]  # the store's execute(sql, params=()) in its own dialect
Step = Sequence[str] | Callable[[Execute], None]


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    step: Step


CORE_TABLES = (
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started TIMESTAMP NOT NULL,
        finished TIMESTAMP,
        sources TEXT NOT NULL,          -- JSON list of what was read
        stats TEXT                      -- JSON object, set by finish_run
    )""",
    """CREATE TABLE documents (
        doc_id TEXT PRIMARY KEY,
        content_hash TEXT NOT NULL,     -- the article's hash, or the raw hash when rejected
        raw_hash TEXT,                  -- raw_content_hash(raw): lets unchanged input skip cleaning
        origin TEXT NOT NULL DEFAULT '',
        url TEXT,
        title TEXT,
        published TEXT,                 -- ISO when cleaned, else as given
        outlet TEXT,
        language TEXT,
        text TEXT,                      -- clean text that evidence offsets point into
        status TEXT NOT NULL CHECK (status IN ('processed', 'rejected', 'skipped')),
        reason TEXT,
        relevance DOUBLE PRECISION,
        run_id INTEGER REFERENCES runs (id),
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE events (
        event_id TEXT PRIMARY KEY,
        event_type TEXT NOT NULL,
        sub_event_type TEXT NOT NULL,
        alt_sub_event_types TEXT NOT NULL DEFAULT '[]',   -- JSON list
        event_date DATE,
        time_precision INTEGER,
        date_reason TEXT,
        location TEXT,
        admin1 TEXT,
        country TEXT,                   -- ISO 3166-1 alpha-3
        latitude DOUBLE PRECISION,
        longitude DOUBLE PRECISION,
        geonameid INTEGER,
        geo_precision INTEGER,
        feature_class TEXT,
        feature_code TEXT,
        population INTEGER,
        crowd_size_low INTEGER,
        crowd_size_high INTEGER,
        fatalities INTEGER NOT NULL DEFAULT 0,
        injuries INTEGER,
        arrests INTEGER,
        issue TEXT,
        actors TEXT NOT NULL DEFAULT '[]',                -- JSON list
        certainty TEXT NOT NULL,
        notes TEXT NOT NULL DEFAULT '',
        run_id INTEGER REFERENCES runs (id),
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL
    )""",
    # One row per (event, document reporting it). The said_* columns keep what that document
    # said, so merged events can show which source said what; NULL when the source was attached
    # by a merge and never saved from its own document.
    """CREATE TABLE event_sources (
        event_id TEXT NOT NULL REFERENCES events (event_id) ON DELETE CASCADE,
        doc_id TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        url TEXT,
        title TEXT,
        published TEXT,
        outlet TEXT,
        said_event_type TEXT,
        said_sub_event_type TEXT,
        said_event_date DATE,
        said_time_precision INTEGER,
        said_location TEXT,
        said_latitude DOUBLE PRECISION,
        said_longitude DOUBLE PRECISION,
        said_crowd_size_low INTEGER,
        said_crowd_size_high INTEGER,
        said_fatalities INTEGER,
        said_injuries INTEGER,
        said_arrests INTEGER,
        said_certainty TEXT,
        PRIMARY KEY (event_id, doc_id)
    )""",
    # start/end are reserved words in SQL, hence start_char/end_char.
    """CREATE TABLE evidence (
        event_id TEXT NOT NULL REFERENCES events (event_id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        doc_id TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        PRIMARY KEY (event_id, position)
    )""",
)

INDEXES = (
    "CREATE INDEX events_date ON events (event_date, event_id)",
    "CREATE INDEX events_country_date ON events (country, event_date)",
    "CREATE INDEX events_type ON events (event_type)",
    "CREATE INDEX events_sub_type ON events (sub_event_type)",
    "CREATE INDEX event_sources_doc ON event_sources (doc_id)",
    "CREATE INDEX evidence_doc ON evidence (doc_id)",
    "CREATE INDEX documents_status ON documents (status)",
)


def fts5_available(execute: Execute) -> bool:
    try:
        execute("CREATE VIRTUAL TABLE temp.tocsin_fts_probe USING fts5(x)")
    except Exception as exc:  # sqlite3.OperationalError: "no such module: fts5"
        if "fts5" not in str(exc):
            raise
        return False
    execute("DROP TABLE temp.tocsin_fts_probe")
    return True


def _documents_fts(execute: Execute) -> None:
    """Full-text index of document titles and texts, when this SQLite has FTS5 (optional)."""
    if not fts5_available(execute):
        return
    # keyed by documents.rowid (kept by upserts), so replacing a document's entry is a key lookup
    execute("CREATE VIRTUAL TABLE documents_fts USING fts5(title, text)")
    execute(
        "INSERT INTO documents_fts (rowid, title, text) "
        "SELECT rowid, coalesce(title, ''), coalesce(text, '') FROM documents"
    )


# Stored signatures read this many at a time when the keys are filled in.
FILL_CHUNK = 1000


def _neardup_keys(execute: Execute, table_options: str) -> None:
    """The neardup_keys table, filled from the signatures already stored, in place of neardup_bands."""
    from tocsin.dedupe.neardup import band_keys

    execute(
        "CREATE TABLE neardup_keys (band_key BIGINT NOT NULL, seq BIGINT NOT NULL, "  # seq: documents.neardup_seq
        f"PRIMARY KEY (band_key, seq)){table_options}"
    )
    last = 0
    while rows := execute(
        "SELECT neardup_seq, signature FROM documents WHERE neardup_seq > ? AND signature IS NOT NULL "
        "ORDER BY neardup_seq LIMIT ?", (last, FILL_CHUNK),
    ).fetchall():  # fmt: skip
        for seq, sig in rows:
            keys = band_keys(bytes(sig))
            execute(
                f"INSERT INTO neardup_keys (band_key, seq) VALUES {', '.join(['(?, ?)'] * len(keys))} "
                "ON CONFLICT DO NOTHING",
                [v for key in keys for v in (key, seq)],
            )
        last = rows[-1][0]
    execute("DROP TABLE neardup_bands")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "core tables", CORE_TABLES),
    Migration(2, "indexes for filters and document lookups", INDEXES),
    Migration(3, "optional full-text index of documents (FTS5)", _documents_fts),
    Migration(4, "near-duplicate links and stories of documents", (
        "ALTER TABLE documents ADD COLUMN duplicate_of TEXT",
        "ALTER TABLE documents ADD COLUMN story_id TEXT",
        "ALTER TABLE documents ADD COLUMN signature BLOB",
        "CREATE INDEX documents_story ON documents (story_id)",
    )),
    # The API's sorts (tocsin.store.query.SORTS) as indexes, so a page is read in index order instead
    # of sorting every matching event; a map box searches latitude instead of scanning. Measured on
    # 100,000 events: first page by date 8.7 ms → 0.02 ms, a 20°x15° box 30 ms → 3 ms.
    Migration(5, "indexes for the API's sort orders and map boxes", (
        "CREATE INDEX events_by_date ON events ((event_date IS NULL), event_date, event_id)",
        "CREATE INDEX events_by_date_desc ON events ((event_date IS NULL), event_date DESC, event_id)",
        "CREATE INDEX events_by_fatalities_desc ON events (fatalities DESC, (event_date IS NULL), "
        "event_date DESC, event_id)",
        "CREATE INDEX events_lat_lon ON events (latitude, longitude)",
    )),
    # The near-duplicate index as a table, so the writer holds none of it in memory: each signed document
    # gets an arrival rank (the earliest copy is the original) and one row per LSH band (band number and
    # its 12 bytes of the signature: tocsin.dedupe.neardup.LSH_BANDS x BAND_BYTES), filled here from the
    # signatures already stored. Stories look up stored documents by publication day.
    Migration(6, "near-duplicate LSH bands in a table; documents by publication day", (
        "ALTER TABLE documents ADD COLUMN neardup_seq INTEGER",
        "UPDATE documents SET neardup_seq = r.n FROM (SELECT doc_id, row_number() OVER "
        "(ORDER BY created_at, doc_id) AS n FROM documents WHERE signature IS NOT NULL) AS r "
        "WHERE documents.doc_id = r.doc_id",
        "CREATE UNIQUE INDEX documents_neardup_seq ON documents (neardup_seq)",
        """CREATE TABLE neardup_bands (
            band INTEGER NOT NULL,
            bucket BLOB NOT NULL,           -- the band's bytes of the signature
            seq INTEGER NOT NULL,           -- documents.neardup_seq
            PRIMARY KEY (band, bucket, seq)
        )""",
        "INSERT INTO neardup_bands (band, bucket, seq) SELECT b.n, substr(d.signature, b.n * 12 + 1, 12), "
        "d.neardup_seq FROM documents d CROSS JOIN ("
        + " UNION ALL ".join(f"SELECT {n} AS n" for n in range(37)) + ") AS b WHERE d.neardup_seq IS NOT NULL",
        "CREATE INDEX documents_published_day ON documents (substr(published, 1, 10))",
    )),
    # The API's sort orders within one country (the dashboard's and API clients' commonest filter), so a
    # country's page is read in index order instead of sorting all its events. Measured on 100,000
    # events (1,667 a country): a page by date 1.7 ms → 0.05 ms of SQL, by fatalities at offset 850
    # 2.7 ms → 0.09 ms, a text search within a country 7.2 ms → 1.5 ms (it stops at the page's end).
    # IF NOT EXISTS: a database taken back to an older version by hand may still have them.
    Migration(7, "indexes for the API's sort orders within a country", (
        "CREATE INDEX IF NOT EXISTS events_country_by_date ON events (country, (event_date IS NULL), event_date, event_id)",
        "CREATE INDEX IF NOT EXISTS events_country_by_date_desc ON events "
        "(country, (event_date IS NULL), event_date DESC, event_id)",
        "CREATE INDEX IF NOT EXISTS events_country_by_fatalities_desc ON events "
        "(country, fatalities DESC, (event_date IS NULL), event_date DESC, event_id)",
    )),
    # A map box sorted by date reads its events' sort keys from the index instead of each row (the box's
    # ~600 of 100,000 events: 2.2 ms → 0.8 ms; it replaces the (latitude, longitude) index, a prefix of
    # it); a text search within a country tests each event's evidence documents from an index alone.
    Migration(8, "covering indexes for map boxes and text search", (
        "CREATE INDEX IF NOT EXISTS events_lat_lon_date ON events "
        "(latitude, longitude, (event_date IS NULL), event_date, event_id)",
        "DROP INDEX IF EXISTS events_lat_lon",
        "CREATE INDEX IF NOT EXISTS evidence_event_doc ON evidence (event_id, doc_id)",
    )),
    # Event types within a country from the index alone: the count of a country's riots (1,666 events)
    # 1.0 ms → 0.12 ms, a country's statistics by type 2.1 ms → 0.17 ms.
    Migration(9, "index of event types within a country", (
        "CREATE INDEX IF NOT EXISTS events_country_type ON events (country, event_type, sub_event_type)",
    )),
    # Each LSH band as one 64-bit key (tocsin.dedupe.neardup.band_keys) in a table that is its own index
    # (SQLite: WITHOUT ROWID), instead of (band, 12-byte bucket) rows plus a separate primary-key index:
    # the one writer's CPU a stored GLOCON document for the bands, insert + lookup, 0.12 → ~0.06 ms.
    Migration(10, "near-duplicate bands as 64-bit keys", partial(_neardup_keys, table_options=" WITHOUT ROWID")),
)

# -- PostgreSQL ------------------------------------------------------------------------------------

# (pattern, replacement) applied in order to each SQLite statement. INTEGER is 64-bit in SQLite,
# so BIGINT; TEXT compares byte by byte in SQLite, so COLLATE "C" (same order whatever the
# database's locale, and lower()/ILIKE fold ASCII letters only, as SQLite's NOCASE and LIKE do).
_POSTGRES_TYPES = (
    (r"\bid INTEGER PRIMARY KEY\b", "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (r"\bINTEGER\b", "BIGINT"),
    (r"\bTEXT\b", 'TEXT COLLATE "C"'),
    (r"\bBLOB\b", "BYTEA"),
)


def to_postgres(statement: str) -> str:
    """A statement of the SQLite migrations in PostgreSQL's types (column types are upper case)."""
    for pattern, replacement in _POSTGRES_TYPES:
        statement = re.sub(pattern, replacement, statement)
    return statement


# Characters of title + text indexed for full-text search. A tsvector holds at most 1 MiB: with
# every word distinct, 200,000 characters make under 800 KiB (word bytes + 6 bytes a word), so no
# document can fail to save; a news article is 2,000-20,000 characters, well inside.
POSTGRES_FTS_CHARS = 200_000
# The document's title and text, as words folded by the 'simple' configuration (lower case, no
# stemming: the corpus mixes languages, as FTS5's unicode61 tokenizer assumes).
POSTGRES_FTS = (
    "ALTER TABLE documents ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', "
    f"left(coalesce(title, '') || ' ' || coalesce(text, ''), {POSTGRES_FTS_CHARS}))) STORED",
    "CREATE INDEX documents_search ON documents USING GIN (search)",
)

POSTGRES_MIGRATIONS: tuple[Migration, ...] = tuple(
    Migration(m.version, "full-text index of documents (tsvector, GIN)", POSTGRES_FTS)
    if m.version == 3
    else Migration(m.version, m.name, partial(_neardup_keys, table_options=""))
    if m.version == 10
    else Migration(m.version, m.name, tuple(map(to_postgres, m.step)))  # type: ignore[arg-type]
    for m in MIGRATIONS
)

BOOKKEEPING = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TIMESTAMP NOT NULL
)"""


def pending(done: set[int], migrations: Sequence[Migration], target: int | None = None) -> list[Migration]:
    """The migrations still to apply, in order, up to ``target``; StoreError when the database was
    written by a newer tocsin (it holds versions this code does not know)."""
    known = {m.version for m in migrations}
    newer = sorted(done - known)
    if newer and newer[-1] > max(known):
        raise StoreError(
            f"database schema is at version {newer[-1]}, newer than this tocsin knows "
            f"(up to {max(known)}); upgrade tocsin to open it"
        )
    return [
        m
        for m in sorted(migrations, key=lambda m: m.version)
        if m.version not in done and (target is None or m.version <= target)
    ]
