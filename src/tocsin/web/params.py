"""URL filters → ``EventQuery``, with errors that say what a valid value looks like (HTTP 422)."""

# No ``from __future__ import annotations``: FastAPI reads these signatures at run time.

import math
import unicodedata
from datetime import date
from typing import Annotated, Literal

from fastapi import Query
from fastapi.exceptions import RequestValidationError

from tocsin.records import PROTESTS, RIOTS, SUB_EVENT_TYPES
from tocsin.web.query import BBox, EventQuery, search_terms

# Every type the API filters on, by its case-folded name → its spelling in the store.
EVENT_TYPES = {t.casefold(): t for t in (PROTESTS, RIOTS, *SUB_EVENT_TYPES)}
MAX_TEXT = 200  # characters of a free-text filter (admin1, q)


def invalid(param: str, message: str, value: object) -> RequestValidationError:
    """A 422 shaped like FastAPI's own validation errors."""
    return RequestValidationError(
        [{"type": "value_error", "loc": ("query", param), "msg": message, "input": value}]
    )


def parse_bbox(text: str) -> BBox:
    parts = text.split(",")
    example = "bbox=minlon,minlat,maxlon,maxlat, e.g. bbox=46.5,40.6,87.4,55.4"
    try:
        if len(parts) != 4:
            raise ValueError
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts)
    except ValueError:
        raise invalid("bbox", f"bbox must be four comma-separated numbers: {example}", text) from None
    if not all(math.isfinite(v) for v in (min_lon, min_lat, max_lon, max_lat)):
        raise invalid("bbox", f"bbox must be finite numbers: {example}", text)
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise invalid("bbox", "bbox longitudes must lie between -180 and 180", text)
    if not (-90 <= min_lat <= max_lat <= 90):
        raise invalid("bbox", "bbox latitudes must lie between -90 and 90, minlat first", text)
    return BBox(min_lon, min_lat, max_lon, max_lat)


async def event_query(
    country: Annotated[
        str | None, Query(description="ISO 3166-1 alpha-3 country code, e.g. KAZ", max_length=MAX_TEXT)
    ] = None,
    admin1: Annotated[
        str | None, Query(description="first-level region, e.g. Mangystau (any case)", max_length=MAX_TEXT)
    ] = None,
    since: Annotated[date | None, Query(description="first event date, YYYY-MM-DD")] = None,
    until: Annotated[date | None, Query(description="last event date, YYYY-MM-DD")] = None,
    type: Annotated[
        str | None,
        Query(description="event type (Protests, Riots) or sub-event type (Peaceful protest, ...)"),
    ] = None,
    bbox: Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat (WGS84 degrees)")] = None,
    q: Annotated[
        str | None,
        Query(description="words to find in the events' articles (all of them)", max_length=MAX_TEXT),
    ] = None,
    sort: Annotated[
        Literal["date", "-date", "fatalities", "-fatalities"],
        Query(description="order: date or fatalities, '-' for descending"),
    ] = "date",
) -> EventQuery:
    """The filters shared by the event list, the exports and the statistics.

    async only so that FastAPI calls it in place, not on a worker thread (it does no I/O)."""
    for name, value in (("admin1", admin1), ("q", q)):
        if value is not None and any(unicodedata.category(ch) == "Cc" and ch not in "\t\n" for ch in value):
            # SQLite's full-text parser ends a string at NUL: such text can only be a mistake or a probe
            raise invalid(name, f"{name} must not contain control characters", value)
    if country is not None and not (len(country) == 3 and country.isascii() and country.isalpha()):
        raise invalid("country", "country must be an ISO 3166-1 alpha-3 code such as KAZ or IND", country)
    if since and until and since > until:
        raise invalid("until", f"until ({until}) is before since ({since})", str(until))
    event_type = None
    if type is not None:
        event_type = EVENT_TYPES.get(type.strip().casefold())
        if event_type is None:
            known = ", ".join(sorted(EVENT_TYPES.values()))
            raise invalid("type", f"unknown event type {type[:MAX_TEXT]!r}; known types: {known}", type)
    try:
        terms = search_terms(q)
    except ValueError as exc:
        raise invalid("q", str(exc), q) from None
    return EventQuery(
        country=country.upper() if country else None,
        admin1=admin1.strip() or None if admin1 else None,
        since=since,
        until=until,
        event_type=event_type,
        bbox=parse_bbox(bbox) if bbox is not None else None,
        terms=terms,
        sort=sort,
    )
