"""Run the pure pipeline stages on Dask distributed; the calling process stays the one writer.

    results = process_on_dask(items, settings)       # settings.dask: "tcp://host:8786" or "local"

* the same function as everywhere else (:func:`tocsin.pipeline.process_many`) runs on the workers, so the
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
import os
import pickle
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import dask
from distributed import Client, Future, LocalCluster, WorkerPlugin, get_worker

from tocsin.pipeline import Settled
from tocsin.records import DocumentResult, RawDocument
from tocsin.scale.priority import lower_priority_of
from tocsin.scale.window import ordered_window
from tocsin.settings import Settings

if TYPE_CHECKING:
    from tocsin.pipeline import Components

LOCAL = "local"
# Documents per task. Each task costs the writer's process (client, and for "local" the scheduler and the
# nannies, which run in it) a fixed ~4-8 ms of CPU, whatever its size (issue 7; at 8 documents a task that
# was ~1 ms a document). bench_dask (GLOCON, 2 workers), the client's CPU a document: 2.6-2.9 ms at 8, 2.0
# at 32, 1.7-2.1 at 64 (earlier rounds); in the seventh round, per thread over 2,000 documents, Dask's event
# loop 0.155-0.175 ms a document at 64 and 0.12-0.13 at 128, the whole client 0.57-0.63 and 0.52-0.55.
# Larger chunks hold more in flight: 128 HTML pages ≈ 22 MB a chunk, the window and read-ahead ~6 chunks.
CHUNK = 128
# Chunks in flight per worker thread: one running, one queued on the worker (the writer stores a chunk
# while they run).
WINDOW_PER_THREAD = 2
# Dask settings for --dask local, where the nannies and the scheduler live in the writer's process: no
# statistical profiler sampling each worker's task thread every 10 ms (a dashboard feature; there is no
# dashboard); the nannies' memory checks once a second, not every 0.1 s; the system monitors (psutil, one
# in every server, three of them in the writer's process) every 5 s and without the host's disk counters,
# not every 0.5 s with them (nothing reads them without a dashboard); no work stealing (each worker holds
# at most WINDOW_PER_THREAD chunks, so there is little to steal; its balancing pass ran every 100 ms); the
# event-loop watchdog ticking every second, not every 20 ms in each process. An idle 2-worker cluster
# measured 3.1% of a core in the writer's process and 2.8% in the workers with Dask's defaults; 1.0-1.3%
# and 0.8-1.2% with the monitors every second; 0.7-0.9% and 0.6% with these (20 s idle, two rounds).
# And glibc's own malloc thresholds in the workers, as in the --workers pool and a one-process run: Dask's
# nannies start their workers with MALLOC_TRIM_THRESHOLD_=65536 (to hand freed memory back to the OS),
# which also pins glibc's mmap threshold at 128 KiB, so each of spaCy's larger arrays was a fresh mapping,
# faulted in page by page and unmapped when freed: 250 minor page faults and 0.6-0.7 ms of system CPU a
# GLOCON document (8-9% of a worker's CPU), against 25 and 0.07-0.14 ms with glibc's adaptive thresholds,
# for 7 MB more peak RSS (issue 7, eighth round). None unsets a variable (distributed.nanny._get_env_variables).
LOCAL_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.system-monitor.disk": False,
    "distributed.scheduler.work-stealing": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}
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


# A result's raw document goes back as this stub: the client still holds the one it sent and puts it back.
_SENT_RAW = RawDocument("")


def _work(chunk: bytes, name: str) -> list[DocumentResult]:
    """Process the chunk's documents (pickled by ``_submit``; ``None``: settled by the client, not sent) and
    return compact results: each ``raw`` replaced by a stub, so the document's text or HTML is not pickled
    back to the writer."""
    from tocsin.pipeline import process_many

    components = get_worker().plugins[name].components()
    raws = [raw for raw in pickle.loads(chunk) if raw is not None]
    return [
        replace(result, raw=_SENT_RAW) if result.raw is raw else result
        for raw, result in zip(raws, process_many(raws, components), strict=True)
    ]


class _Pending:
    """One chunk in flight: the client's own items, and the future of the compact results of those it sent."""

    __slots__ = ("direct", "future", "items")

    def __init__(self, items: list[RawDocument | Settled], future: Future | None, direct: bool) -> None:
        self.items = items
        self.future = future
        self.direct = direct

    def result(self) -> list[DocumentResult | None]:
        done = iter(() if self.future is None else self.future.client.gather(self.future, direct=self.direct))
        out: list[DocumentResult | None] = []
        for item in self.items:
            if isinstance(item, Settled):
                out.append(item.result)
            else:
                result = next(done)
                out.append(replace(result, raw=item) if result.raw == _SENT_RAW else result)
        return out


def _submit(client: Client, name: str, items: list[RawDocument | Settled], direct: bool) -> _Pending:
    """Send only the chunk's documents to be processed; settled items (rejections, known documents) stay here."""
    sent = [None if isinstance(item, Settled) else item for item in items]
    if all(raw is None for raw in sent):
        return _Pending(items, None, direct)
    # pickled here, once: as objects in the task, the documents were unpickled by the scheduler (in the
    # writer's process for "local") and pickled again for the worker, 11-27 µs more of that process's CPU a
    # GLOCON document (a test with 2 idle workers)
    blob = pickle.dumps(sent, protocol=pickle.HIGHEST_PROTOCOL)
    return _Pending(items, client.submit(_work, blob, name, pure=False), direct)


def _loopback(client: Client) -> bool:
    """Whether the scheduler listens on this machine's loopback, so its workers do too (a LocalCluster)."""
    host = urlsplit(client.scheduler.address).hostname or ""
    return host == "localhost" or host.startswith("127.") or host == "::1"


def _has_plugin(dask_scheduler: Any, name: str) -> bool:
    return name in dask_scheduler.worker_plugins


def local_cluster(workers: int) -> LocalCluster:
    """``workers`` processes of one thread each; the scheduler, its HTTP endpoint and the workers listen on
    127.0.0.1 only (the HTTP endpoint on a free port, with no dashboard)."""
    with dask.config.set(LOCAL_CONFIG):  # the nannies hand their config to the worker processes they start
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
def local_client(workers: int) -> Iterator[Client]:
    """A client of a new :func:`local_cluster`, with LOCAL_CONFIG in force for the cluster's and the client's
    whole life (the scheduler and the client read some of it as they start, in this process)."""
    with dask.config.set(LOCAL_CONFIG), local_cluster(workers) as cluster, Client(cluster) as client:
        # the writer first (tocsin.scale.priority), on restarted workers too
        client.register_plugin(YieldToWriter(), name="tocsin-yield-to-writer")
        yield client


class YieldToWriter(WorkerPlugin):
    """On a local cluster's worker as it starts: every thread of it, and those it starts later, yields to the
    one writer (tocsin.scale.priority)."""

    def setup(self, worker: Any) -> None:
        lower_priority_of([os.getpid()])


@contextmanager
def open_client(address: str, workers: int) -> Iterator[Client]:
    """A client of the scheduler at ``address``, or of a new loopback-only LocalCluster for ``"local"``."""
    if address == LOCAL:
        with local_client(workers) as client:
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
    """``settle_many`` every item on the cluster named by ``settings.dask`` (or on ``client``), in input order:
    the documents are processed on the workers, settled items stay here."""
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
    # results straight from a loopback worker, not relayed through the scheduler (in this process for "local")
    direct = _loopback(client)
    yield from ordered_window(
        items,
        lambda chunk: _submit(client, name, chunk, direct),
        chunk=CHUNK,
        window=WINDOW_PER_THREAD * threads,
    )
