"""What only the PostgreSQL store does: its column types, writers in several processes taking turns,
schemas per team, web-search queries, connection errors. (Everything else: test_store.py.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from store.backends import fresh_database, server_url
from store.helpers import HILLSIDE, event, result
from tocsin.store.base import StoreError, open_store
from tocsin.store.postgres import WRITER_LOCK, PostgresStore

pytestmark = pytest.mark.postgres

TEXT_A = "Commuters marched in Riverton on Tuesday. Police watched from a distance."
TEXT_B = "Commuters marched in Riverton on Tuesday, and again on Wednesday. Police watched."


@pytest.fixture
def db() -> Iterator[str]:
    with fresh_database() as url:
        yield url


def test_columns_use_postgresql_types(db: str) -> None:
    store = open_store(db)
    types = {
        (r[0], r[1]): (r[2], r[3])
        for r in store._execute(
            "SELECT table_name, column_name, data_type, collation_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        )
    }
    assert types["runs", "id"][0] == "bigint"
    identity = store._execute(
        "SELECT is_identity FROM information_schema.columns WHERE table_name = 'runs' AND column_name = 'id'"
    ).fetchone()[0]
    assert identity == "YES"
    assert types["documents", "signature"][0] == "bytea"
    assert types["documents", "search"][0] == "tsvector"
    assert types["events", "event_date"][0] == "date"
    assert types["events", "event_id"] == ("text", "C")  # byte order, as SQLite sorts
    gin = store._execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'documents_search'").fetchone()[0]
    assert "USING gin (search)" in gin
    first, second = store.begin_run(["a"]), store.begin_run(["b"])
    assert second == first + 1
    store.close()


def test_signatures_round_trip_as_bytes_and_link_near_duplicates(db: str) -> None:
    store = open_store(db)
    store.save([result("d1", TEXT_A)], store.begin_run([]))
    store.close()
    again = open_store(db)  # a new process: the near-duplicate index is loaded from BYTEA signatures
    again.save([result("copy", TEXT_A + " ")], again.begin_run([]))
    assert again.document("copy").duplicate_of == "d1"
    again.close()


def test_writers_in_several_processes_take_turns(db: str) -> None:
    """Two writers save reports of one happening at once: the second waits for the first's batch and
    merges into its event, instead of both finding nothing stored and writing two events."""
    import psycopg

    a, b = open_store(db), open_store(db)
    runs = a.begin_run(["a"]), b.begin_run(["b"])
    batches = [
        [result("d1", TEXT_A, (event("e1", "d1", TEXT_A),))],
        [result("d2", TEXT_B, (event("e2", "d2", TEXT_B),))],
    ]
    done = [threading.Event(), threading.Event()]

    def save(i: int, store: PostgresStore) -> None:
        store.save(batches[i], runs[i])
        done[i].set()

    with psycopg.connect(db, autocommit=True) as holder:
        with holder.transaction():
            holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK,))  # a third writer's batch
            threads = [threading.Thread(target=save, args=(i, s)) for i, s in enumerate((a, b))]
            for t in threads:
                t.start()
            assert not done[0].wait(0.5) and not done[1].is_set()  # both wait for the lock
        for t in threads:
            t.join(timeout=30)
    assert all(d.is_set() for d in done)
    (merged,) = a.events()
    assert sorted(s.doc_id for s in merged.sources) == ["d1", "d2"]
    a.close()
    b.close()


def test_each_team_can_have_its_own_schema(db: str) -> None:
    """search_path in the URL's options puts a store in a schema: two stores share one database."""
    admin = open_store(db)
    for schema in ("team_a", "team_b"):
        admin._execute(f"CREATE SCHEMA {schema}")
    admin.close()
    stores = {s: open_store(f"{db}?options={quote(f'-csearch_path={s}')}") for s in ("team_a", "team_b")}
    stores["team_a"].save(
        [result("d1", TEXT_A, (event("e1", "d1", TEXT_A),))], stores["team_a"].begin_run([])
    )
    hill = event("e9", "d9", TEXT_B, place=HILLSIDE)
    stores["team_b"].save([result("d9", TEXT_B, (hill,))], stores["team_b"].begin_run([]))
    assert [e.event_id for e in stores["team_a"].events()] == ["e1"]
    assert [e.event_id for e in stores["team_b"].events()] == ["e9"]
    assert stores["team_b"].search_documents("Riverton") == ["d9"]
    for store in stores.values():
        store.close()


def test_full_text_queries_use_web_search_syntax(db: str) -> None:
    store = open_store(db)
    store.save([result("d1", TEXT_A), result("d2", TEXT_B)], store.begin_run([]))
    assert sorted(store.search_documents("riverton")) == ["d1", "d2"]
    assert store.search_documents("riverton -distance") == ["d2"]
    assert store.search_documents('"police watched from"') == ["d1"]
    assert store.search_documents('"unbalanced') == []  # never a syntax error
    store.close()


def test_a_read_only_handle_cannot_write(db: str) -> None:
    import psycopg

    open_store(db).close()
    reader = PostgresStore(db, read_only=True)
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        reader.begin_run(["x"])
    reader.close()


def test_connection_errors_say_what_to_check_and_hide_the_password() -> None:
    server_url()  # the tier asks for a server; this test needs none
    with pytest.raises(StoreError, match="cannot connect to postgresql://someone@127.0.0.1:1/nowhere") as err:
        open_store("postgresql://someone:s3cret-pw@127.0.0.1:1/nowhere")
    assert "s3cret-pw" not in str(err.value) and "createdb" in str(err.value)
    with pytest.raises(StoreError, match="cannot connect"):
        open_store("postgres://someone@127.0.0.1:1/nowhere")  # the short scheme is the same store


def test_a_database_not_in_utf8_is_refused(db: str) -> None:
    import psycopg

    latin = db + "_latin"  # another database on the same server
    name = latin.rsplit("/", 1)[1]
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute(
            f"CREATE DATABASE {name} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
        )
    try:
        with pytest.raises(StoreError, match="needs UTF8"):
            open_store(latin)
    finally:
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")
