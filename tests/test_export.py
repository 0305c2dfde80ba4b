"""Exports parse back, keep every field, and the JSON Lines export is scoreable by score_events.py."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from store.helpers import RIVERTON, event, result, varied_events
from tocsin.export import (
    ACLED_COLUMNS,
    CSV_COLUMNS,
    EXPORTERS,
    ExportCount,
    crowd_tag,
    event_record,
    write_csv,
    write_geojson,
    write_jsonl,
    write_parquet,
)
from tocsin.records import MOB_VIOLENCE, VIOLENT_DEMONSTRATION
from tocsin.store.base import open_store

GOLD_FIELDS = (
    "event_date", "time_precision", "country", "admin1", "location", "latitude", "longitude",
    "geo_precision", "event_type", "sub_event_type", "alt_sub_event_types", "crowd_size_low",
    "crowd_size_high", "fatalities", "injuries", "arrests", "issue", "notes", "evidence",
)  # fmt: skip


def scorer(shared: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_events", shared / "eval" / "score_events.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def exported(writer, events) -> tuple[str, ExportCount]:
    buf = io.StringIO(newline="")
    count = writer(events, buf)
    return buf.getvalue(), count


def test_jsonl_has_the_gold_fields_and_parses_back() -> None:
    events = varied_events()
    text, count = exported(write_jsonl, events)
    lines = [json.loads(line) for line in text.splitlines()]
    assert count == ExportCount(5) and len(lines) == 5
    for line, ev in zip(lines, events, strict=True):
        assert set(GOLD_FIELDS) | {"event_id", "sources", "certainty", "actors", "date_reason"} <= set(line)
        assert line == event_record(ev)
        assert line["event_id"] == ev.event_id
        assert line["evidence"][0] == {"doc_id": ev.evidence[0].doc_id, "text": ev.evidence[0].text,
                                       "start": 0, "end": len(ev.evidence[0].text)}  # fmt: skip
        assert line["sources"][0]["doc_id"] == ev.sources[0].doc_id
    assert lines[0]["event_date"] == "2024-03-05" and lines[0]["latitude"] == RIVERTON.latitude
    assert lines[1]["alt_sub_event_types"] == [MOB_VIOLENCE]
    assert lines[3]["event_date"] is None and lines[3]["date_reason"] == "no resolvable date"
    assert lines[4]["location"] is None and lines[4]["country"] is None


def test_jsonl_export_scores_with_the_shared_scorer(shared: Path) -> None:
    # a tiny gold written for this test: d1 and d2 agree; d3 is a day off with a different arrest
    # count; d6's event is missed; d4 has no gold event, so its (undated) prediction is a false positive
    rec = {e["event_id"]: e for e in map(event_record, varied_events())}
    gold_event = {k: rec["e-ken-1"][k] for k in GOLD_FIELDS}
    riot = {k: rec["e-ind-1"][k] for k in GOLD_FIELDS} | {
        "sub_event_type": MOB_VIOLENCE, "alt_sub_event_types": [VIOLENT_DEMONSTRATION]}  # fmt: skip
    late = {k: rec["e-ken-2"][k] for k in GOLD_FIELDS} | {"event_date": "2024-03-21", "arrests": 5}
    elsewhere = gold_event | {"latitude": 10.0, "longitude": 10.0, "location": "Faraway"}
    gold = [
        {"doc_id": "d1", "published": "2024-03-06", "events": [gold_event]},
        {"doc_id": "d2", "published": "2024-03-06", "events": [riot]},
        {"doc_id": "d3", "published": "2024-03-22", "events": [late]},
        {"doc_id": "d4", "published": "2024-03-06", "events": []},
        {"doc_id": "d6", "published": "2024-03-06", "events": [elsewhere]},
    ]
    text, _ = exported(write_jsonl, varied_events())
    got = scorer(shared).score(gold, [json.loads(line) for line in text.splitlines()])
    assert got["events"] == {
        "precision": 0.75,
        "recall": 0.75,
        "f1": 0.75,
        "tp": 3,
        "predicted": 4,
        "gold": 4,
    }
    assert (got["documents"]["tp"], got["documents"]["predicted"], got["documents"]["gold"]) == (3, 4, 4)
    matched = {k: (v["accuracy"], v["n"]) for k, v in got["on_matched"].items()}
    assert matched["date_exact"] == (round(2 / 3, 4), 3)
    assert matched["sub_event_type"] == (1.0, 3)  # alt_sub_event_types counts as agreeing
    assert matched["arrests"] == (0.5, 2)
    assert matched["location_25km"] == (1.0, 3)


def test_csv_uses_acled_columns_and_values() -> None:
    text, count = exported(lambda evs, fp: write_csv(evs, fp, timestamp=1_700_000_000), varied_events())
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames) == CSV_COLUMNS and CSV_COLUMNS[: len(ACLED_COLUMNS)] == ACLED_COLUMNS
    rows = {r["event_id_cnty"]: r for r in reader}
    assert count == ExportCount(5) and len(rows) == 5
    ken = rows["e-ken-1"]
    assert (ken["country"], ken["iso"], ken["iso3"]) == ("Kenya", "404", "KEN")
    assert (ken["event_date"], ken["year"], ken["time_precision"]) == ("2024-03-05", "2024", "1")
    assert (ken["latitude"], ken["longitude"]) == ("-1.2921", "36.8219")
    assert ken["actor1"] == "Protesters (Kenya)" and ken["inter1"] == "Protesters"
    assert ken["assoc_actor_1"] == "commuters; student union"
    assert ken["disorder_type"] == "Demonstrations"
    assert ken["tags"] == "crowd size=between 200 and 500"
    assert ken["source"] == "Example Daily" and ken["source_urls"] == "https://news.example/d1"
    assert ken["timestamp"] == "1700000000" and ken["injuries"] == ""
    ind = rows["e-ind-1"]
    assert (ind["country"], ind["iso"], ind["actor1"]) == ("India", "356", "Rioters (India)")
    assert (ind["fatalities"], ind["injuries"], ind["arrests"], ind["tags"]) == (
        "2", "7", "12", "crowd size=no report")  # fmt: skip
    assert rows["e-undated"]["event_date"] == "" and rows["e-undated"]["year"] == ""
    assert rows["e-unplaced"]["country"] == "" and rows["e-unplaced"]["latitude"] == ""


@pytest.mark.parametrize(
    ("low", "high", "tag"),
    [(3000, 3000, "3000"), (200, 500, "between 200 and 500"), (1000, None, "more than 1000"),
     (None, 40, "up to 40"), (None, None, "no report")],
)  # fmt: skip
def test_crowd_tag(low: int | None, high: int | None, tag: str) -> None:
    assert crowd_tag(low, high) == f"crowd size={tag}"


def test_geojson_points_and_skipped_events() -> None:
    text, count = exported(write_geojson, varied_events())
    doc = json.loads(text)
    assert doc["type"] == "FeatureCollection" and count == ExportCount(written=4, skipped=1)
    features = {f["id"]: f for f in doc["features"]}
    assert "e-unplaced" not in features and len(features) == 4
    ken = features["e-ken-1"]
    assert ken["geometry"] == {"type": "Point", "coordinates": [36.8219, -1.2921]}
    assert ken["properties"]["location"] == "Riverton" and ken["properties"]["crowd_size_low"] == 200
    empty, none = exported(write_geojson, [])
    assert json.loads(empty) == {"type": "FeatureCollection", "features": []} and none == ExportCount(0)


def test_exporters_registry_and_unicode() -> None:
    ev = event(
        "e-u", "d-u", "Marchers in Zürich chanted «non». Calm followed.", notes="Zürich: «non» à la réforme"
    )
    for name, writer in EXPORTERS.items():
        text, count = exported(writer, [ev])
        assert count.written == 1, name
        assert "Zürich: «non» à la réforme" in text, name


def test_parquet_round_trip(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "events.parquet"
    assert write_parquet(varied_events(), path) == ExportCount(5)
    rows = pq.read_table(path).to_pylist()
    expected = [event_record(e) | {"event_date": e.event_date} for e in varied_events()]
    assert rows == expected
    assert rows[0]["event_date"] == date(2024, 3, 5)
    assert write_parquet([], tmp_path / "none.parquet") == ExportCount(0)
    assert pq.read_table(tmp_path / "none.parquet").num_rows == 0


def test_store_to_export_matches_direct_export(tmp_path: Path) -> None:
    events = varied_events()
    store = open_store(str(tmp_path / "x.db"))
    run = store.begin_run(["test"])
    store.save([result(e.sources[0].doc_id, e.evidence[0].text, (e,)) for e in events], run)
    from_store, _ = exported(write_jsonl, store.events())
    direct, _ = exported(
        write_jsonl,
        sorted(events, key=lambda e: (e.event_date is None, e.event_date or date.min, e.event_id)),
    )
    assert from_store == direct
    store.close()
