"""Bounded, ordered fan-out shared by the process pool and Dask: chunks in, results out in input order.

At most ``window × chunk`` documents are in flight at once and the input is read at most
``window × chunk / 2`` documents ahead of them, so however long the input, memory holds only
``1.5 × window × chunk`` documents (plus their results). Results come back in input order: the head
chunk is awaited before the next is submitted, which idles a worker only when one chunk is much slower
than the ``window - 1`` behind it.

The read-ahead is what lets the end of the input go out in smaller chunks: once it reaches the end, each
chunk is a window's share of what is left (guided self-scheduling), down to ``chunk / TAIL_SHARE``, so the
workers finish within a small chunk of each other instead of one idling while another works through its
last full chunk (with Dask's 64-document chunks that was ~0.5 s of an 8 s, 1,000-document run on 2
workers). Shrinking gradually, not all at once, keeps the number of tasks down: each costs the writer's
process a few ms under Dask (1,000 documents, 2 workers, chunks of 128: 18 tasks; 50 with the last
read-ahead cut into chunks of 8). The window counts documents, not chunks, so the small chunks keep as much work queued for the
workers as the full ones did: counting chunks left them a fraction of it at the end, and they idled while
the writer stored a batch (bench_dask's timeline, 2 workers: gaps between a worker's tasks up to 0.2-0.4 s
in some runs, none over 0.02 s since).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R", covariant=True)

# The smallest chunk at the end of the input, as a share of a full one: with Dask's 128-document chunks,
# 8 documents (~50-80 ms of a worker), so the workers finish within ~0.1 s of each other.
TAIL_SHARE = 16


class ResultOf(Protocol[R]):
    """What both ``concurrent.futures.Future`` and ``distributed.Future`` offer."""

    def result(self) -> R: ...


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def ordered_window(
    items: Iterable[T],
    submit: Callable[[list[T]], ResultOf[list[R]]],
    *,
    chunk: int,
    window: int,
) -> Iterator[R]:
    """``submit`` each chunk of ``items``; yield every result, in input order, with ≤ ``window`` chunks pending."""
    if chunk < 1 or window < 1:
        raise ValueError(f"chunk and window must be at least 1 (got chunk={chunk}, window={window})")
    source = iter(items)
    ahead: deque[T] = deque()  # read, not yet submitted
    read_ahead = max(chunk, window * chunk // 2)
    tail_chunk = max(1, -(-chunk // TAIL_SHARE))
    ended = False
    # in flight: at most window × chunk documents, however small the chunks (the tail's are smaller: counting
    # chunks would leave the workers a fraction of the work queued while the writer stores a batch)
    pending: deque[tuple[int, ResultOf[list[R]]]] = deque()
    in_flight = 0
    while True:
        if not ended:
            # the first chunks go out as soon as each is read, the read-ahead fills once they are in flight
            # (the workers idled while the client read it all: 384 GLOCON documents, ~40 ms, every run)
            want = chunk + 1 if in_flight < read_ahead else read_ahead + chunk
            ahead.extend(islice(source, want - len(ahead)))
            ended = len(ahead) < want
        if not ahead:
            break
        # at the end, guided self-scheduling: each chunk a window's share of what is left, down to tail_chunk
        size = max(tail_chunk, min(chunk, -(-len(ahead) // window))) if ended else chunk
        part = [ahead.popleft() for _ in range(min(size, len(ahead)))]
        while pending and in_flight + len(part) > window * chunk:
            sent, head = pending.popleft()
            in_flight -= sent
            yield from head.result()
        pending.append((len(part), submit(part)))
        in_flight += len(part)
    while pending:
        yield from pending.popleft()[1].result()
