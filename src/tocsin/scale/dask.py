"""Run the pure pipeline stages on Dask distributed; the calling process stays the one writer.

    results = process_on_dask(items, settings)       # settings.dask: "tcp://host:8786" or "local"

* the same function as everywhere else (:func:`tocsin.pipeline.settle`) runs on the workers, so the
  results (and the event ids, which hash the document id, place and day) equal a local run's;
* each worker builds its components once, lazily, in a worker plugin (never per document);
* documents go out in chunks with a bounded number in flight and come back in input order
  (:func:`tocsin.scale.window.ordered_window`), so memory stays flat however long the input;
* ``"local"`` starts a :class:`distributed.LocalCluster` of ``settings.workers`` processes (one thread
  each: the stages hold the GIL) listening on 127.0.0.1 only, and stops it at the end.

Needs the dask extra (``pip install 'tocsin[dask]'``); import this module only when Dask is asked for.
Workers of a remote cluster need tocsin installed, and the gazetteer index is built in their own
``settings.cache_dir`` the first time (a few minutes) unless it is already there.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from distributed import Client, LocalCluster, WorkerPlugin, get_worker

from tocsin.records import DocumentResult
from tocsin.scale.window import ordered_window
from tocsin.settings import Settings

if TYPE_CHECKING:
    from tocsin.pipeline import Components

LOCAL = "local"
# Documents per task: amortises the ~1 ms per-task scheduling cost against ~10 ms per document,
# and keeps a task's payload small (8 HTML pages of ~170 KB).
CHUNK = 8
# Chunks in flight per worker thread: one running, one queued on the worker, one being stored.
WINDOW_PER_THREAD = 3
# Seconds to wait for a remote scheduler before giving up with a clear error.
CONNECT_TIMEOUT_S = 10


class DaskUnavailable(RuntimeError):
    """The Dask scheduler cannot be reached; the message says what to do."""


def plugin_name(settings: Settings) -> str:
    """One plugin (one set of components) per distinct settings, so runs with different settings can share
    a cluster."""
    return "tocsin-components-" + hashlib.sha1(repr(settings).encode()).hexdigest()[:12]


class ComponentsPlugin(WorkerPlugin):
    """Holds a worker's components, built on first use and kept for every later task on that worker."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._components: Components | None = None
        self._lock = threading.Lock()

    def components(self) -> Components:
        # Built in the task's thread, not in setup(): setup runs on the worker's event loop, and a build
        # that loads the gazetteer (or creates it, minutes the first time) would stall its heartbeats.
        with self._lock:
            if self._components is None:
                from tocsin.pipeline import make_components

                self._components = make_components(self.settings)
            return self._components

    def __getstate__(self) -> dict[str, Any]:
        return {"settings": self.settings}  # components and locks are per process, never shipped

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["settings"])  # type: ignore[misc]


def _work(chunk: list[Any], name: str) -> list[DocumentResult | None]:
    from tocsin.pipeline import settle

    components = get_worker().plugins[name].components()
    return [settle(item, components) for item in chunk]


def _has_plugin(dask_scheduler: Any, name: str) -> bool:
    return name in dask_scheduler.worker_plugins


def local_cluster(workers: int) -> LocalCluster:
    """``workers`` processes of one thread each; the scheduler, its HTTP endpoint and the workers listen on
    127.0.0.1 only (the HTTP endpoint on a free port, with no dashboard)."""
    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        # dashboard_address=None alone still opens the scheduler's HTTP endpoint on port 8787
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0", "dashboard": False},
    )


@contextmanager
def open_client(address: str, workers: int) -> Iterator[Client]:
    """A client of the scheduler at ``address``, or of a new loopback-only LocalCluster for ``"local"``."""
    if address == LOCAL:
        with local_cluster(workers) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except OSError as exc:
        raise DaskUnavailable(
            f"cannot reach the Dask scheduler at {address} ({exc}): start one (dask scheduler; dask worker "
            f"{address} --nthreads 1) or use --dask local"
        ) from exc
    with client:
        yield client


def process_on_dask(
    items: Iterable[Any], settings: Settings, client: Client | None = None
) -> Iterator[DocumentResult | None]:
    """``settle`` every item on the cluster named by ``settings.dask`` (or on ``client``), in input order."""
    if client is None:
        if not settings.dask:
            raise ValueError("settings.dask is empty: give a scheduler address or 'local'")
        with open_client(settings.dask, settings.workers) as own:
            yield from process_on_dask(items, settings, own)
        return
    name = plugin_name(settings)
    if not client.run_on_scheduler(_has_plugin, name=name):  # registering again would rebuild components
        client.register_plugin(ComponentsPlugin(settings), name=name)
    threads = max(1, sum(client.nthreads().values()))
    yield from ordered_window(
        items,
        lambda chunk: client.submit(_work, chunk, name, pure=False),
        chunk=CHUNK,
        window=WINDOW_PER_THREAD * threads,
    )
