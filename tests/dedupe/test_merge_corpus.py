"""Merging the events-dev gold events with copies made at run time, as if other articles reported them.

Each gold event gets two other reports: a wire re-run a day later (new ids, a different crowd figure,
coordinates ~1 km off, the name in capitals, injuries and issue dropped) and a local report (no crowd, no
toll, violence missed: a riot reported as a peaceful protest). Two distractors per event must stay
apart: the same report in a town ~110 km away, and on a day with no gold event at that place. Nothing
from the gold is written to the repository: everything is built here from ../shared at run time.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from tocsin.dedupe.merge import merge_events
from tocsin.records import PEACEFUL, RIOTS, Event, Evidence, Place, Source

pytestmark = pytest.mark.corpus


def _gold_events(shared: Path) -> list[Event]:
    out = []
    for line in (shared / "eval/events-dev/gold.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for k, g in enumerate(row["events"]):
            place = Place(
                g["location"],
                g["country"],
                g["latitude"],
                g["longitude"],
                None,
                g["admin1"],
                geo_precision=g["geo_precision"],
            )
            out.append(
                Event(
                    event_id=f"{row['doc_id']}#{k}",
                    event_type=g["event_type"],
                    sub_event_type=g["sub_event_type"],
                    alt_sub_event_types=tuple(g["alt_sub_event_types"]),
                    event_date=date.fromisoformat(g["event_date"]),
                    time_precision=g["time_precision"],
                    place=place,
                    evidence=tuple(Evidence(row["doc_id"], t, 0, len(t)) for t in g["evidence"]),
                    sources=(Source(row["doc_id"], published=row["published"]),),
                    crowd_size_low=g["crowd_size_low"],
                    crowd_size_high=g["crowd_size_high"],
                    fatalities=g["fatalities"] or 0,  # the gold may leave it null; Event counts 0
                    injuries=g["injuries"],
                    arrests=g["arrests"],
                    issue=g["issue"],
                )
            )
    return out


def _report(e: Event, doc: str, n: int, published: str, **changes: object) -> Event:
    evidence = tuple(replace(ev, doc_id=doc) for ev in e.evidence)
    return replace(
        e, event_id=f"{doc}#{n}", sources=(Source(doc, published=published),), evidence=evidence, **changes
    )  # type: ignore[arg-type]


def _moved(place: Place, km_north: float, name: str | None = None) -> Place:
    return replace(place, name=name or place.name, latitude=place.latitude + km_north / 111.2)  # type: ignore[operator]


def _scaled(v: int | None, f: float) -> int | None:
    return None if v is None else int(v * f)


def _free_day(e: Event, taken: list[Event]) -> date:
    """A later day with no other event near that place within any merge window (16 days)."""
    assert e.event_date is not None and e.place is not None
    for shift in range(1 if e.time_precision == 1 else 17, 400):
        day = e.event_date + timedelta(days=shift)
        if not any(
            abs(t.place.latitude - e.place.latitude) < 1 and abs((t.event_date - day).days) <= 16  # type: ignore[union-attr, operator]
            for t in taken
            if t is not e
        ):
            return day
    raise AssertionError("no free day")


def _reports(gold: list[Event]) -> tuple[list[Event], dict[str, set[str]], set[str]]:
    """Other reports of each gold event, and distractors; expected groups keyed by gold id."""
    reports: list[Event] = []
    groups: dict[str, set[str]] = {}
    distractors: set[str] = set()
    for e in gold:
        doc = e.sources[0].doc_id
        published = date.fromisoformat(e.sources[0].published or "2000-01-01")
        twin = (
            sum(
                1
                for g in gold
                if g.sources[0].doc_id == doc
                and g.event_date == e.event_date
                and g.place.name == e.place.name
            )
            > 1
        )  # type: ignore[union-attr]
        k = int(e.event_id.rsplit("#", 1)[1])
        wire = _report(
            e,
            f"{doc}~wire",
            k + 100,
            (published + timedelta(days=1)).isoformat(),
            crowd_size_low=_scaled(e.crowd_size_low, 0.8),
            crowd_size_high=_scaled(e.crowd_size_high, 1.5),
            injuries=None,
            issue=None,
            place=replace(_moved(e.place, 1.0), name=e.place.name.upper()),
        )  # type: ignore[arg-type]
        local = _report(
            e,
            f"{doc}~local",
            k + 200,
            published.isoformat(),
            crowd_size_low=None,
            crowd_size_high=None,
            fatalities=0,
            arrests=None,
            **(
                {}
                if twin or e.event_type != RIOTS
                else {"sub_event_type": PEACEFUL, "event_type": "Protests", "alt_sub_event_types": ()}
            ),
        )
        far = _report(
            e,
            f"{doc}~far",
            k + 300,
            published.isoformat(),
            place=_moved(e.place, 110.0, e.place.name + " North"),
        )  # type: ignore[arg-type]
        later = _report(
            e, f"{doc}~later", k + 400, published.isoformat(), event_date=_free_day(e, gold + reports)
        )
        reports += [wire, local, far, later]
        groups[e.event_id] = {e.event_id, wire.event_id, local.event_id}
        distractors |= {far.event_id, later.event_id}
    return reports, groups, distractors


def test_copies_merge_into_exactly_the_gold_events_and_distractors_stay_apart(shared: Path) -> None:
    gold = _gold_events(shared)
    assert len(gold) >= 30
    reports, groups, distractors = _reports(gold)
    everything = gold + reports
    random.Random(7).shuffle(everything)
    result = merge_events(everything)

    got = {frozenset(m) for m in result.members.values()}
    expected = {frozenset(g) for g in groups.values()} | {frozenset({d}) for d in distractors}
    assert got == expected
    by_id = {e.event_id: e for e in result.events}
    for g in gold:
        merged = by_id[g.event_id]  # the original report is the earliest: it names the event
        assert len(merged.sources) == 3
        assert {ev.doc_id for ev in merged.evidence} == {s.doc_id for s in merged.sources}
        assert (merged.event_type, merged.sub_event_type) == (g.event_type, g.sub_event_type)
        assert merged.fatalities == g.fatalities  # the wire re-run, a day later, repeats the toll
        assert merged.crowd_size_low == _scaled(g.crowd_size_low, 0.8)
        assert merged.crowd_size_high == _scaled(g.crowd_size_high, 1.5)
        assert merged.injuries == g.injuries and merged.arrests == g.arrests  # one source gives each
        said = {v.doc_id: v.sub_event_type for v in result.values[g.event_id]}
        assert len(said) == 3 and said[g.sources[0].doc_id] == g.sub_event_type


def test_merging_over_time_gives_the_same_events_with_stable_ids(shared: Path) -> None:
    gold = _gold_events(shared)
    reports, _, _ = _reports(gold)
    at_once = merge_events(gold + reports)
    first = merge_events(gold)
    later = merge_events(reports, existing=first.events, known_values=first.values)
    assert later.events == at_once.events
    assert not later.absorbed  # no gold events were wrongly merged at first
    assert {e.event_id for e in first.events} <= {e.event_id for e in later.events}
