"""The pipeline on Dask distributed (a loopback LocalCluster): same results as a local run, one writer."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from distributed import Client, LocalCluster

from tocsin.cli import main
from tocsin.ingest import iter_documents, samples_dir
from tocsin.pipeline import make_components, run
from tocsin.scale.dask import ComponentsPlugin, local_client, local_cluster, plugin_name, process_on_dask
from tocsin.settings import Settings
from tocsin.store.base import open_store


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with local_cluster(2) as c:
        yield c


@pytest.fixture(scope="module")
def settings(cache_dir: Path) -> Settings:
    return Settings.load(db=":memory:", cache_dir=cache_dir)


@pytest.fixture(scope="module")
def components(settings: Settings):
    return make_components(settings)


def stored(sources: list[str], settings: Settings, db: Path, **kw) -> tuple[dict, list[tuple], list[tuple]]:
    store = open_store(str(db))
    try:
        summary = run(iter_documents(sources, settings), store, settings, sources=sources, **kw).as_dict()
        summary.pop("run_id")
        events = sorted((e.event_id, e.event_type, e.sub_event_type, str(e.event_date), e.place.geonameid if e.place else None,
                         e.crowd_size_low, e.fatalities, e.arrests, tuple(s.doc_id for s in e.sources)) for e in store.events())
        # near-duplicate links and stories are the writer's: the same whoever processed the documents
        docs = sorted((d.doc_id, d.status, d.content_hash, d.duplicate_of, d.story_id)
                      for d in map(store.document, _doc_ids(store)) if d)
        return summary, events, docs
    finally:
        store.close()


def _doc_ids(store) -> list[str]:
    return [row[0] for row in store._conn.execute("SELECT doc_id FROM documents")]


def events_dev(shared: Path, out: Path) -> Path:
    """events-dev documents as ingest JSONL in a temp folder (read from ../shared at test time)."""
    target = out / "events-dev.jsonl"
    shutil.copyfile(shared / "eval" / "events-dev" / "docs.jsonl", target)
    return target


@pytest.mark.corpus
def test_events_dev_on_dask_equals_a_local_run(cluster, settings, components, shared, tmp_path) -> None:
    src = [str(samples_dir()), str(events_dev(shared, tmp_path))]
    local = stored(src, settings, tmp_path / "local.db", components=components)
    on_dask = stored(src, Settings.load(db=":memory:", cache_dir=settings.cache_dir, dask=cluster.scheduler_address),
                     tmp_path / "dask.db")
    assert local[1], "no events at all: the comparison would prove nothing"
    assert on_dask == local
    assert local[0]["documents"] == 7 + sum(1 for _ in (shared / "eval/events-dev/docs.jsonl").open())


def test_run_with_an_open_client_equals_a_local_run(cluster, settings, components, tmp_path) -> None:
    from tocsin.scale.dask import _has_plugin

    src = [str(samples_dir())]
    local = stored(src, settings, tmp_path / "local.db", components=components)
    own = Settings.load(db=":memory:", cache_dir=settings.cache_dir, batch_size=3)  # settings.dask is empty
    with Client(cluster) as client:
        assert not client.run_on_scheduler(_has_plugin, name=plugin_name(own))
        given = stored(src, own, tmp_path / "given.db", dask_client=client)
        assert client.run_on_scheduler(_has_plugin, name=plugin_name(own))  # the documents went to the workers
    assert local[1] and given == local


def test_components_are_built_once_per_worker(cluster, settings) -> None:
    with Client(cluster) as client:
        name = plugin_name(settings)
        client.register_plugin(ComponentsPlugin(settings), name=name)

        def ids(dask_worker) -> int:  # noqa: ANN001
            return id(dask_worker.plugins[name].components())

        first, second = client.run(ids), client.run(ids)
        assert len(first) == 2 and first == second
        docs = list(iter_documents([str(samples_dir())], settings))
        results = list(process_on_dask(docs, settings, client))
        assert client.run(ids) == first
    assert len(results) == 7 and sum(len(r.events) for r in results if r) == 5
    # the workers send results back without the raw text; the writer puts back the very document it sent
    assert [r.raw for r in results] == docs and all(r.raw is doc for r, doc in zip(results, docs, strict=True))


def test_local_workers_keep_glibcs_adaptive_malloc_thresholds(monkeypatch) -> None:
    """Dask's nannies start their workers with MALLOC_TRIM_THRESHOLD_=65536 (and set it in the process that
    starts them): a local cluster's workers keep glibc's own thresholds, as a --workers pool's do."""
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with local_client(1) as client:
        seen = list(client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_").values())
    assert seen == [None]
    assert "MALLOC_TRIM_THRESHOLD_" not in os.environ


def test_cli_ingest_on_a_local_cluster_then_reingest_on_a_scheduler_is_a_no_op(
    cluster, cache_dir, monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("TOCSIN_CACHE", str(cache_dir))
    db = tmp_path / "cli.db"
    runner = CliRunner()
    args = ["ingest", "--quiet", "--db", str(db), str(samples_dir()), "--dask"]
    first = runner.invoke(main, [*args, "local", "--workers", "1"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "5 events in 5 documents" in first.output
    second = runner.invoke(main, [*args, cluster.scheduler_address], catch_exceptions=False)
    assert "0 events" in second.output and "7 already stored" in second.output
    export = runner.invoke(main, ["export", "--db", str(db)], catch_exceptions=False).output
    assert {json.loads(line)["location"] for line in export.splitlines()} >= {"Ruse", "Nakuru", "Kochi", "Jos"}


def test_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("tocsin.scale.dask.CONNECT_TIMEOUT_S", 1)
    result = CliRunner().invoke(main, ["ingest", "--quiet", "--db", str(tmp_path / "x.db"), "--dask",
                                       "tcp://127.0.0.1:9", str(samples_dir())])
    assert result.exit_code != 0
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
