"""Events to table rows and back, shared by every SQL store (plain dicts stop at this boundary)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from tocsin.records import SUB_EVENT_TYPES, Event, Evidence, Place, Source, place_fields

# Columns of ``events`` set from an Event (bookkeeping columns run_id/created_at/updated_at aside).
EVENT_COLUMNS = (
    "event_id", "event_type", "sub_event_type", "alt_sub_event_types",
    "event_date", "time_precision", "date_reason",
    "location", "admin1", "country", "latitude", "longitude", "geonameid", "geo_precision",
    "feature_class", "feature_code", "population",
    "crowd_size_low", "crowd_size_high", "fatalities", "injuries", "arrests",
    "issue", "actors", "certainty", "notes",
)  # fmt: skip

# What one source said about an event: event_sources.said_<name> ← event.<name> (or place.<name>)
SAID_COLUMNS = (
    "event_type", "sub_event_type", "event_date", "time_precision", "location", "latitude",
    "longitude", "crowd_size_low", "crowd_size_high", "fatalities", "injuries", "arrests", "certainty",
)  # fmt: skip

SOURCE_COLUMNS = ("url", "title", "published", "outlet")


def event_row(event: Event) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "alt_sub_event_types": json.dumps(list(event.alt_sub_event_types), ensure_ascii=False),
        "event_date": event.event_date.isoformat() if event.event_date else None,
        "time_precision": event.time_precision,
        "date_reason": event.date_reason,
        **place_fields(event.place),
        "crowd_size_low": event.crowd_size_low,
        "crowd_size_high": event.crowd_size_high,
        "fatalities": event.fatalities,
        "injuries": event.injuries,
        "arrests": event.arrests,
        "issue": event.issue,
        "actors": json.dumps(list(event.actors), ensure_ascii=False),
        "certainty": event.certainty,
        "notes": event.notes,
    }


def said_row(event: Event) -> dict[str, Any]:
    """The per-source values of ``event``, keyed by their event_sources column names."""
    row = event_row(event)
    return {f"said_{name}": row[name] for name in SAID_COLUMNS}


# said_* columns filled from a source's reconciled values (tocsin.dedupe.reconcile.SourceValues)
_VALUE_FIELDS = ("sub_event_type", "crowd_size_low", "crowd_size_high", "fatalities", "injuries", "arrests")


def said_columns() -> list[str]:
    return [f"said_{name}" for name in SAID_COLUMNS]


def said_values(values: Any, event: Event) -> dict[str, Any]:
    """The said_* columns for one source of a canonical event: its own reported values where it gave
    them (``values`` is a SourceValues), the canonical event's for the rest."""
    out = said_row(event)
    for name in _VALUE_FIELDS:
        out[f"said_{name}"] = getattr(values, name)
    out["said_event_type"] = SUB_EVENT_TYPES.get(values.sub_event_type, event.event_type)
    return out


def _place(row: Mapping[str, Any]) -> Place | None:
    if row["location"] is None and row["country"] is None:
        return None
    return Place(
        name=row["location"],
        country=row["country"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        geonameid=row["geonameid"],
        admin1=row["admin1"],
        feature_class=row["feature_class"] if row["feature_class"] is not None else "P",
        feature_code=row["feature_code"] or "",
        population=row["population"] or 0,
        geo_precision=row["geo_precision"] if row["geo_precision"] is not None else 1,
    )


def event_from_rows(
    row: Mapping[str, Any], sources: Sequence[Mapping[str, Any]], evidence: Sequence[Mapping[str, Any]]
) -> Event:
    """Rebuild an Event from its ``events`` row and its ordered source and evidence rows."""
    return Event(
        event_id=row["event_id"],
        event_type=row["event_type"],
        sub_event_type=row["sub_event_type"],
        event_date=date.fromisoformat(row["event_date"]) if row["event_date"] else None,
        time_precision=row["time_precision"],
        place=_place(row),
        evidence=tuple(
            Evidence(doc_id=e["doc_id"], text=e["text"], start=e["start_char"], end=e["end_char"])
            for e in evidence
        ),
        sources=tuple(Source(s["doc_id"], *(s[c] for c in SOURCE_COLUMNS)) for s in sources),
        crowd_size_low=row["crowd_size_low"],
        crowd_size_high=row["crowd_size_high"],
        fatalities=row["fatalities"],
        injuries=row["injuries"],
        arrests=row["arrests"],
        issue=row["issue"],
        actors=tuple(json.loads(row["actors"])),
        certainty=row["certainty"],
        notes=row["notes"],
        date_reason=row["date_reason"],
        alt_sub_event_types=tuple(json.loads(row["alt_sub_event_types"])),
    )
