"""GLOCON protest documents through the whole pipeline: a document counts as found when it gives an event.

GLOCON's documents carry no publication date, so this is also the check that undated text still gives
events (with an empty date and a reason). Floors are pinned just below the measured figures
(docs/accuracy.md, "Documents: GLOCON"); the shipped relevance model was trained on these documents,
so precision here is optimistic about the filter, not about mentions and extraction.
"""

import json
from pathlib import Path

import pytest

PRECISION_FLOOR = 0.95  # measured 1.000 (24 of 24)
RECALL_FLOOR = 0.48  # measured 0.500 (24 of 48); the rest are mostly outside ACLED's definition


@pytest.mark.corpus
def test_glocon_protest_documents_give_events(shared: Path, cache_dir: Path) -> None:
    from tocsin.pipeline import make_components, process
    from tocsin.records import RawDocument
    from tocsin.settings import Settings

    components = make_components(Settings.load(db=":memory:", cache_dir=cache_dir))
    tp = fp = fn = 0
    with open(shared / "eval" / "glocon" / "documents.jsonl", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            result = process(RawDocument(row["id"], text=row["text"]), components)
            found, gold = bool(result.events), row["label"] == 1
            tp, fp, fn = tp + (found and gold), fp + (found and not gold), fn + (gold and not found)
            assert all(e.event_date is not None or e.date_reason for e in result.events)
    assert tp / (tp + fp) >= PRECISION_FLOOR
    assert tp / (tp + fn) >= RECALL_FLOOR
