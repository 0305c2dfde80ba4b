"""Bounded, ordered fan-out shared by the process pool and Dask: chunks in, results out in input order.

At most ``window`` chunks are in flight at once, so however long the input, memory holds only
``window × chunk`` documents (plus their results) and the input iterator is read no further ahead
than that. Results come back in input order: the head chunk is awaited before the next is submitted,
which idles a worker only when one chunk is much slower than the ``window - 1`` behind it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R", covariant=True)


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
    pending: deque[ResultOf[list[R]]] = deque()
    for part in chunks(items, chunk):
        if len(pending) >= window:
            yield from pending.popleft().result()
        pending.append(submit(part))
    while pending:
        yield from pending.popleft().result()
