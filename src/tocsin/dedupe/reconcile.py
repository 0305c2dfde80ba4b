"""Reconcile the values of several reports of one event into one canonical event, keeping who said what.

Rules (EVENTS-GOLD.md and ACLED practice), decided here once:

- ``sources``: the union, one per document, ordered by publication then id. When the same document is
  seen again (re-processed), its newer report replaces the older one everywhere.
- ``evidence``: the union, in source order.
- crowd: ``crowd_size_low`` = the lowest low, ``crowd_size_high`` = the highest high: the range every
  source's figure falls in. When the lows exceed the highs ("more than 1,000" against "up to 500") the
  two bounds are swapped, so the range still covers both reports.
- ``fatalities``: ACLED takes the lowest reported figure but revises it when later reporting updates the
  toll. Here: among the sources that give a figure (a non-zero count; the extractor writes 0 when no
  death is mentioned, so 0 cannot tell "none" from "not said"), keep those published on the latest day,
  and of those the lowest figure. Same-day disagreement → the lowest; a later toll → the later one (a
  rising toll, or a correction downwards). Sources with no publication date count as the earliest.
- ``injuries``, ``arrests``: the same rule over sources that give a number (None when none does).
- ``sub_event_type``: the most severe reported (a protest that one source saw turn violent is a riot);
  the others, and every source's own alternatives, go to ``alt_sub_event_types``.
- ``place``: the most precise place reported (lowest ``geo_precision``), the most-cited among those.
- ``certainty``: the most certain (one source stating it as fact outweighs another's "reportedly").
- ``issue``: the most-cited; ``actors``: the union.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from tocsin.records import (
    CERTAINTY_LEVELS,
    EXCESSIVE_FORCE,
    INTERVENTION,
    MOB_VIOLENCE,
    PEACEFUL,
    SUB_EVENT_TYPES,
    VIOLENT_DEMONSTRATION,
    Event,
    Evidence,
    Place,
    Source,
)

# Severity of sub-types: riots outrank protests (ACLED types a demonstration by its most violent
# reported episode). Violent demonstration and mob violence tie; the tie goes to the sub-type more
# sources reported, then to Violent demonstration (a demonstration context was reported).
SEVERITY: dict[str, int] = {
    PEACEFUL: 0,
    INTERVENTION: 1,
    EXCESSIVE_FORCE: 2,
    VIOLENT_DEMONSTRATION: 3,
    MOB_VIOLENCE: 3,
}
_TIE_ORDER = {VIOLENT_DEMONSTRATION: 0, MOB_VIOLENCE: 1}
_UNDATED = ""  # sorts before every ISO date: undated sources count as the earliest


@dataclass(frozen=True, slots=True)
class SourceValues:
    """What one source reported about one canonical event: kept so conflicting values stay visible."""

    doc_id: str
    published: str | None  # ISO date or datetime of the source
    event_id: str  # the per-article event these values came from
    sub_event_type: str
    crowd_size_low: int | None = None
    crowd_size_high: int | None = None
    fatalities: int = 0
    injuries: int | None = None
    arrests: int | None = None
    aggregate: bool = False  # True: values of an already-merged event whose per-source detail was not given

    @classmethod
    def of(cls, event: Event) -> SourceValues:
        """The values of a per-article event (its one source), or of a merged event as one aggregate."""
        src = latest_source(event.sources)
        return cls(
            doc_id=src.doc_id if src else "",
            published=src.published if src else None,
            event_id=event.event_id,
            sub_event_type=event.sub_event_type,
            crowd_size_low=event.crowd_size_low,
            crowd_size_high=event.crowd_size_high,
            fatalities=event.fatalities,
            injuries=event.injuries,
            arrests=event.arrests,
            aggregate=len(event.sources) > 1,
        )


def latest_source(sources: Sequence[Source]) -> Source | None:
    return max(sources, key=lambda s: (s.published or _UNDATED, s.doc_id), default=None)


def source_key(source: Source) -> tuple[str, str]:
    return (source.published or _UNDATED, source.doc_id)


def earliest_key(event: Event) -> tuple[str, str]:
    """Deterministic age of an event: its earliest source's publication, then its id."""
    first = min((source_key(s) for s in event.sources), default=(_UNDATED, ""))
    return (first[0], event.event_id)


def reconcile(event_id: str, members: Sequence[Event], values: Sequence[SourceValues]) -> Event:
    """One canonical event from the member events of a cluster and the per-source values.

    ``members`` are ordered oldest first; the first gives the fields no rule covers (date, notes
    are rebuilt). A newer member's document replaces an older one's for that document.
    """
    if len(members) == 1 and members[0].event_id == event_id:
        return members[0]
    fresh_docs = _docs_by_member(members)
    sources = _sources(members, fresh_docs)
    evidence = _evidence(members, fresh_docs)
    sub_type, alts = _sub_types(members, values)
    low, high = _crowd(values)
    place = _place(members)
    first = members[0]
    dated = min(members, key=lambda e: (e.time_precision or 9, earliest_key(e)))
    return replace(
        first,
        event_id=event_id,
        event_type=SUB_EVENT_TYPES.get(sub_type, first.event_type),
        sub_event_type=sub_type,
        alt_sub_event_types=alts,
        event_date=dated.event_date,
        time_precision=dated.time_precision,
        date_reason=dated.date_reason,
        place=place,
        sources=sources,
        evidence=evidence,
        crowd_size_low=low,
        crowd_size_high=high,
        fatalities=_latest_lowest([v.fatalities or None for v in values], values) or 0,
        injuries=_latest_lowest([v.injuries for v in values], values),
        arrests=_latest_lowest([v.arrests for v in values], values),
        issue=_most_cited([e.issue for e in members]),
        actors=tuple(dict.fromkeys(a for e in members for a in e.actors)),
        certainty=min((e.certainty for e in members), key=_certainty_rank),
        notes=_notes(sub_type, place, dated, len(sources)),
    )


def merge_values(values: Iterable[SourceValues]) -> tuple[SourceValues, ...]:
    """One entry per document (a later entry for the same document replaces the earlier), oldest first."""
    by_doc: dict[str, SourceValues] = {}
    for v in values:
        by_doc[v.doc_id or v.event_id] = v
    return tuple(sorted(by_doc.values(), key=lambda v: (v.published or _UNDATED, v.doc_id, v.event_id)))


def _docs_by_member(members: Sequence[Event]) -> dict[str, int]:
    """For each document, the index of the newest member citing it (re-processed documents win)."""
    owner: dict[str, int] = {}
    for i, e in enumerate(members):
        for s in e.sources:
            owner[s.doc_id] = i
    return owner


def _sources(members: Sequence[Event], owner: dict[str, int]) -> tuple[Source, ...]:
    kept = {s.doc_id: s for i, e in enumerate(members) for s in e.sources if owner[s.doc_id] == i}
    return tuple(sorted(kept.values(), key=source_key))


def _evidence(members: Sequence[Event], owner: dict[str, int]) -> tuple[Evidence, ...]:
    order = {
        doc: rank for rank, (_, doc) in enumerate(sorted(source_key(s) for e in members for s in e.sources))
    }
    kept = {
        (ev.doc_id, ev.start, ev.end, ev.text): ev
        for i, e in enumerate(members)
        for ev in e.evidence
        if owner.get(ev.doc_id, i) == i
    }
    return tuple(
        sorted(kept.values(), key=lambda ev: (order.get(ev.doc_id, len(order)), ev.doc_id, ev.start))
    )


def _sub_types(members: Sequence[Event], values: Sequence[SourceValues]) -> tuple[str, tuple[str, ...]]:
    said = Counter(v.sub_event_type for v in values)
    said.update(e.sub_event_type for e in members if e.sub_event_type not in said)
    best = max(said, key=lambda t: (SEVERITY.get(t, -1), said[t], -_TIE_ORDER.get(t, 9), t))
    others = [t for t in said if t != best]
    others += [a for e in members for a in e.alt_sub_event_types]
    alts = tuple(sorted({a for a in others if a != best}, key=lambda t: (SEVERITY.get(t, -1), t)))
    return best, alts


def _crowd(values: Sequence[SourceValues]) -> tuple[int | None, int | None]:
    lows = [v.crowd_size_low for v in values if v.crowd_size_low is not None]
    highs = [v.crowd_size_high for v in values if v.crowd_size_high is not None]
    low, high = (min(lows) if lows else None), (max(highs) if highs else None)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return low, high


def _latest_lowest(figures: Sequence[int | None], values: Sequence[SourceValues]) -> int | None:
    given = [
        (v.published[:10] if v.published else _UNDATED, f)
        for f, v in zip(figures, values, strict=True)
        if f is not None
    ]
    if not given:
        return None
    latest_day = max(day for day, _ in given)
    return min(f for day, f in given if day == latest_day)


def _place(members: Sequence[Event]) -> Place | None:
    places = [e.place for e in members if e.place is not None]
    if not places:
        return None
    cited = Counter(p.geonameid or p.name for p in places)
    return min(places, key=lambda p: (p.geo_precision, -cited[p.geonameid or p.name]))


def _most_cited(items: Iterable[str | None]) -> str | None:
    counts = Counter(i for i in items if i)
    return max(counts, key=lambda i: counts[i]) if counts else None  # ties: first cited (Counter order)


def _certainty_rank(level: str) -> int:
    return CERTAINTY_LEVELS.index(level) if level in CERTAINTY_LEVELS else len(CERTAINTY_LEVELS)


def _notes(sub_type: str, place: Place | None, dated: Event, n_sources: int) -> str:
    where = place.name if place else "an unknown place"
    when = dated.event_date.isoformat() if dated.event_date else "an unknown date"
    return f"{sub_type} in {where} on {when}, reported by {n_sources} source(s)."
