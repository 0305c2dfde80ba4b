"""The bounded, ordered fan-out under the process pool and Dask."""

from __future__ import annotations

import itertools
import random
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from tocsin.scale.window import TAIL_SHARE, chunks, ordered_window


def test_results_come_back_in_input_order_when_chunks_finish_out_of_order() -> None:
    rng = random.Random(7)

    def slow(chunk: list[int]) -> list[int]:
        time.sleep(rng.random() / 200)
        return [x * 10 for x in chunk]

    with ThreadPoolExecutor(4) as pool:
        out = list(ordered_window(range(203), lambda c: pool.submit(slow, c), chunk=5, window=6))
    assert out == [x * 10 for x in range(203)]


def test_no_more_than_the_window_is_in_flight_and_input_is_read_lazily() -> None:
    lock = threading.Lock()
    in_flight = peak = 0
    read = 0

    def source():
        nonlocal read
        for i in itertools.count():  # endless: an eager reader would never return
            read += 1
            yield i

    def work(chunk: list[int]) -> list[int]:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.001)
        with lock:
            in_flight -= 1
        return chunk

    with ThreadPoolExecutor(8) as pool:
        first = list(itertools.islice(ordered_window(source(), lambda c: pool.submit(work, c), chunk=4, window=3), 50))
    assert first == list(range(50))
    assert peak <= 3
    # the chunks yielded from (13 × 4), a window of 3 chunks in flight, and the read-ahead (half a window)
    assert read <= 52 + 3 * 4 + 4 * 3 // 2 + 4


def test_the_end_of_the_input_goes_out_in_shrinking_chunks() -> None:
    sizes: list[int] = []

    def work(chunk: list[int]) -> list[int]:
        sizes.append(len(chunk))
        return chunk

    with ThreadPoolExecutor(2) as pool:
        out = list(ordered_window(range(1000), lambda c: pool.submit(work, c), chunk=64, window=4))
    assert out == list(range(1000))
    assert sum(sizes) == 1000
    assert set(sizes[:10]) == {64}  # full chunks while the input lasts
    tail = sizes[next(i for i, n in enumerate(sizes) if n < 64) :]
    # a window's share of what is left each time (guided self-scheduling), down to the smallest chunk
    assert all(a >= b for a, b in zip(tail, tail[1:], strict=False))  # never growing
    small = 64 // TAIL_SHARE
    assert max(tail) <= 48 and tail[-2] == small and sum(tail) >= 128
    assert len(tail) < sum(tail) // small  # fewer tasks than cutting the whole tail to the smallest size


def test_the_window_counts_documents_so_small_tail_chunks_keep_the_workers_fed() -> None:
    """window × chunk documents in flight, never more, and as many at the tail as before it: counting chunks
    would leave the workers 1/TAIL_SHARE of the work queued there while the writer stores a batch."""
    chunk, window = 64, 4
    submitted = consumed = 0
    in_flight: list[tuple[int, int]] = []  # (chunk size, documents submitted and not yet consumed)

    def submit(part: list[int]) -> Future[list[int]]:
        nonlocal submitted
        submitted += len(part)
        in_flight.append((len(part), submitted - consumed))
        done: Future[list[int]] = Future()
        done.set_result(part)
        return done

    for _ in ordered_window(range(2000), submit, chunk=chunk, window=window):
        consumed += 1
    assert max(n for _, n in in_flight) == window * chunk
    last_size, last_in_flight = in_flight[-1]
    assert last_size <= chunk // TAIL_SHARE
    assert last_in_flight > window * chunk // TAIL_SHARE  # more small chunks in flight than the window's count


def test_chunks_and_bad_sizes() -> None:
    assert list(chunks(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunks([], 3)) == []
    with pytest.raises(ValueError, match="at least 1"):
        list(ordered_window([1], lambda c: None, chunk=0, window=1))  # type: ignore[arg-type,return-value]
