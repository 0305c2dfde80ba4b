"""Shared by the benchmarks: peak memory, markdown tables, and writing one section of docs/benchmarks.md in place."""

from __future__ import annotations

import resource
from collections.abc import Iterable, Sequence
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process (or of its finished children), in MB."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1e3


def write_section(heading: str, body: str) -> None:
    """Replace the section that starts with ``heading`` (a '## ' line) in docs/benchmarks.md, or append it;
    the other sections are kept as they are."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    start = text.find(heading)
    if start >= 0:
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + body + ("\n" + text[end + 1 :] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + body
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def markdown_table(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """Lines of a markdown table. A column title ending in ':' is right-aligned (numbers), the ':' dropped;
    cells are written with str()."""
    titles = [c.removesuffix(":") for c in columns]
    rule = ["---:" if c.endswith(":") else "---" for c in columns]
    lines = ["| " + " | ".join(titles) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def section(heading: str, intro: str, table: Sequence[str], *after: str) -> str:
    """A benchmarks.md section: heading, the paragraph saying how it was measured, the table, then notes."""
    lines = [heading, "", intro, "", *table]
    for note in after:
        lines += ["", note]
    return "\n".join(lines) + "\n"
