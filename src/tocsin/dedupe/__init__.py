"""Cross-article deduplication, as pure functions over records (no database access).

- ``neardup``: ``NearDuplicateIndex`` — is this document a near-copy of one seen before?
- ``merge``: ``merge_events`` — per-article events → canonical events with every source (``MergeResult``,
  ``SourceValues`` from ``reconcile``).
- ``stories``: ``assign_stories``, ``StoryIndex``, ``stories_records`` — which articles tell one story.
- ``evaluate``: ``evaluate_ecbplus``, ``bcubed``.

Names are imported lazily so that ``tocsin.dedupe.merge`` does not pull in scikit-learn or datasketch.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "NearDuplicateIndex": "neardup",
    "find_near_duplicates": "neardup",
    "merge_events": "merge",
    "MergeResult": "merge",
    "SourceValues": "reconcile",
    "StoryDoc": "stories",
    "StoryIndex": "stories",
    "assign_stories": "stories",
    "stories_records": "stories",
    "evaluate_ecbplus": "evaluate",
    "bcubed": "evaluate",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'tocsin.dedupe' has no attribute {name!r}")
    return getattr(import_module(f"tocsin.dedupe.{_EXPORTS[name]}"), name)
