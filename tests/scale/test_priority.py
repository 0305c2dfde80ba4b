"""Local workers yield to the one writer (tocsin.scale.priority): lower scheduling priority, every thread."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest

from tocsin.scale.priority import WORKER_NICE, lower_own_priority, lower_priority_of

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread niceness is Linux's")


def _own_niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, 0)


def _niceness_after_lowering() -> int:
    lower_own_priority()
    return _own_niceness()


def test_a_worker_lowers_its_own_priority_and_the_writer_keeps_its_own() -> None:
    writer = _own_niceness()
    with ProcessPoolExecutor(1) as pool:
        assert pool.submit(_niceness_after_lowering).result() == max(writer, WORKER_NICE)
    assert _own_niceness() == writer


def test_the_writer_lowers_a_running_worker_and_the_threads_it_starts_later() -> None:
    code = (
        "import os, sys, threading\n"
        "sys.stdin.readline()\n"  # wait until the parent has lowered this process
        "seen = []\n"
        "t = threading.Thread(target=lambda: seen.append(os.getpriority(os.PRIO_PROCESS, 0)))\n"
        "t.start(); t.join()\n"
        "print(os.getpriority(os.PRIO_PROCESS, 0), seen[0])\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    writer = _own_niceness()
    lower_priority_of([child.pid])
    out, _ = child.communicate("go\n", timeout=30)
    assert [int(n) for n in out.split()] == [max(writer, WORKER_NICE)] * 2
    assert _own_niceness() == writer


def test_a_local_dask_cluster_runs_its_tasks_below_the_writer() -> None:
    from tocsin.scale.dask import local_client

    writer = _own_niceness()
    with local_client(1) as client:
        in_task = client.submit(_own_niceness, pure=False).result()  # the worker's task thread, started later
        on_loop = list(client.run(_own_niceness).values())  # the worker's event loop
        client.restart()  # a worker the nanny starts again (after a crash, or a restart) yields too
        again = client.submit(_own_niceness, pure=False).result()
    assert in_task == again == max(writer, WORKER_NICE) and on_loop == [max(writer, WORKER_NICE)]
    assert _own_niceness() == writer
