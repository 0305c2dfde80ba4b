"""The one writer before the workers: local workers run at a lower scheduling priority.

On one machine the workers (a process pool or a local Dask cluster) share the cores with the process that
stores their results. At equal priority a busy machine gives the writer a time slice now and then, and
its work piles up until the workers are done: bench_dask's timeline showed batches of 128 documents taking
0.1-0.2 s to store while both workers ran, and ~0.1 s of stores left after the last task. At a lower
priority for the workers the writer runs as soon as a result arrives; the work is the same, it just no
longer waits for the end. Remote workers are left alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextlib import suppress

# Niceness of local workers (Unix: 0-19, higher yields more); the writer's process keeps its own.
WORKER_NICE = 5


def lower_own_priority() -> None:
    """In a worker process, before it starts working (a pool initializer): every thread it has, and those
    it starts later, yield to the writer."""
    lower_priority_of([os.getpid()])


def lower_priority_of(pids: Iterable[int]) -> None:
    """For processes already running with several threads (a local Dask cluster's worker, on itself as it
    starts: tocsin.scale.dask.YieldToWriter): every thread of each (Linux keeps a niceness per thread;
    threads started later inherit their starter's). Best effort: where there is no per-thread view (/proc)
    the process as a whole, where the system refuses nothing."""
    for pid in pids:
        task_dir = f"/proc/{pid}/task"
        for tid in os.listdir(task_dir) if os.path.isdir(task_dir) else [pid]:
            with suppress(AttributeError, OSError):
                os.setpriority(os.PRIO_PROCESS, int(tid), WORKER_NICE)
