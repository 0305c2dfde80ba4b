"""Plain-text tables of events for the terminal."""

from __future__ import annotations

import re
from collections.abc import Iterable

from tocsin.records import Event, Rejected

# Characters that would act on the terminal instead of being shown: control characters (ESC starts
# sequences that retitle windows, move the cursor or rewrite earlier lines) and bidirectional
# overrides (which reorder what is displayed). Stored text can come from any web page.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: control characters become U+FFFD, newlines spaces."""
    return _UNPRINTABLE.sub("\ufffd", text.replace("\n", " ").replace("\t", " "))


COLUMNS = ("date", "country", "location", "type", "sub-type", "crowd", "fat.", "inj.", "arr.", "certainty", "src")
MAX_CELL = 28


def _crowd(e: Event) -> str:
    low, high = e.crowd_size_low, e.crowd_size_high
    if low is None and high is None:
        return ""
    if low == high:
        return f"{low:,}"
    return f"{low:,}+" if high is None else (f"≤{high:,}" if low is None else f"{low:,}–{high:,}")


def _cells(e: Event) -> tuple[str, ...]:
    place = e.place
    return (
        e.event_date.isoformat() if e.event_date else "?",
        place.country if place else "",
        place.name if place else "",
        e.event_type,
        e.sub_event_type,
        _crowd(e),
        str(e.fatalities),
        "" if e.injuries is None else str(e.injuries),
        "" if e.arrests is None else str(e.arrests),
        e.certainty,
        str(len(e.sources)),
    )


def events_table(events: Iterable[Event]) -> str:
    cells = (tuple(printable(c) for c in _cells(e)) for e in events)
    rows = [tuple(c if len(c) <= MAX_CELL else c[: MAX_CELL - 1] + "…" for c in r) for r in cells]
    if not rows:
        return "no events\n"
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(COLUMNS)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(COLUMNS, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append(f"{len(rows)} event(s)")
    return "\n".join(lines) + "\n"


def rejects_lines(rejects: Iterable[Rejected]) -> str:
    """``doc_id<TAB>origin<TAB>reason`` a line, each field :func:`printable` (ids and reasons come
    from the input: an escape sequence in a JSONL id must not reach the terminal)."""
    return "".join(f"{printable(r.doc_id)}\t{printable(r.origin)}\t{printable(r.reason)}\n" for r in rejects)
