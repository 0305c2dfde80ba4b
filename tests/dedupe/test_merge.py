"""Event merging over events written for these tests (places, days and figures made up here)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest

from tocsin.dedupe.merge import merge_events, same_place
from tocsin.records import (
    INTERVENTION,
    MOB_VIOLENCE,
    PEACEFUL,
    PROTESTS,
    REPORTED,
    RIOTS,
    STATED,
    SUB_EVENT_TYPES,
    VIOLENT_DEMONSTRATION,
    Event,
    Evidence,
    Place,
    Source,
)

ALMATY = Place("Almaty", "KAZ", 43.25, 76.9167, 1526384, "Almaty", "P", "PPLA", 2_000_000, 1)
ALMA_ATA_ROW = Place("Alma-Ata", "KAZ", 43.2567, 76.9286, None, "Almaty", "P", "PPL", 0, 1)  # ~1 km away
AKTOBE = Place("Aktobe", "KAZ", 50.2797, 57.2072, 610611, "Aktobe", "P", "PPLA", 500_000, 1)
TALGAR = Place("Talgar", "KAZ", 43.3033, 77.2400, 1517323, "Almaty Oblysy", "P", "PPLA2", 45_000, 1)  # ~27 km
NO_COORDS = Place("Zhanaozen", "KAZ", None, None, None, None, "P", "", 0, 1)
DAY = date(2022, 1, 5)


def ev(
    doc: str,
    place: Place = ALMATY,
    day: date | None = DAY,
    sub: str = VIOLENT_DEMONSTRATION,
    *,
    precision: int | None = 1,
    published: str = "2022-01-05",
    **values: object,
) -> Event:
    return Event(
        event_id=f"{doc}|{place.name}|{day}",
        event_type=SUB_EVENT_TYPES[sub],
        sub_event_type=sub,
        event_date=day,
        time_precision=precision,
        place=place,
        evidence=(Evidence(doc, f"sentence of {doc}", 0, 14),),
        sources=(Source(doc, url=f"https://example.org/{doc}", published=published),),
        **values,  # type: ignore[arg-type]
    )


def test_almaty_riot_from_three_sources_is_one_event_with_range_and_sources() -> None:
    a = ev("a", crowd_size_low=3000, crowd_size_high=3000, published="2022-01-05T08:00")
    b = ev("b", crowd_size_low=None, crowd_size_high=None, published="2022-01-05T09:00")  # "thousands"
    c = ev("c", place=ALMA_ATA_ROW, crowd_size_low=5000, crowd_size_high=5000, published="2022-01-05T10:00")
    aktobe = ev("d", place=AKTOBE)
    result = merge_events([c, aktobe, b, a])
    assert len(result.events) == 2
    almaty = next(e for e in result.events if e.place.name == "Almaty")
    assert (almaty.crowd_size_low, almaty.crowd_size_high) == (3000, 5000)
    assert [s.doc_id for s in almaty.sources] == ["a", "b", "c"]
    assert {e.doc_id for e in almaty.evidence} == {"a", "b", "c"}
    assert almaty.event_id == a.event_id  # the earliest report gives the id
    assert result.members[almaty.event_id] == (a.event_id, b.event_id, c.event_id)
    said = {v.doc_id: (v.crowd_size_low, v.crowd_size_high) for v in result.values[almaty.event_id]}
    assert said == {"a": (3000, 3000), "b": (None, None), "c": (5000, 5000)}
    assert next(e for e in result.events if e.place.name == "Aktobe").sources[0].doc_id == "d"


def test_result_does_not_depend_on_input_order() -> None:
    events = [
        ev(d, published=f"2022-01-0{5 + i % 3}", crowd_size_low=100 * (i + 1))
        for i, d in enumerate("abcdefg")
    ] + [ev("x", place=AKTOBE), ev("y", place=TALGAR), ev("z", day=date(2022, 1, 6))]
    first = merge_events(events)
    for seed in range(5):
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)
        assert merge_events(shuffled) == first


def test_other_town_other_day_and_neighbouring_town_stay_apart() -> None:
    events = [ev("a"), ev("b", place=AKTOBE), ev("c", day=date(2022, 1, 6)), ev("d", place=TALGAR)]
    assert len(merge_events(events).events) == 4


def test_protest_and_riot_same_place_day_merge_to_most_severe_with_alternatives() -> None:
    peaceful = ev("a", sub=PEACEFUL, certainty=REPORTED)
    riot = ev("b", sub=VIOLENT_DEMONSTRATION, certainty=STATED)
    dispersed = ev("c", sub=INTERVENTION)
    (merged,) = merge_events([peaceful, riot, dispersed]).events
    assert (merged.event_type, merged.sub_event_type) == (RIOTS, VIOLENT_DEMONSTRATION)
    assert set(merged.alt_sub_event_types) == {PEACEFUL, INTERVENTION}
    assert merged.certainty == STATED


def test_fatalities_lowest_on_the_latest_report_day() -> None:
    early_low = ev("a", fatalities=2, published="2022-01-05")
    early_high = ev("b", fatalities=4, published="2022-01-05")
    silent = ev("c", fatalities=0, published="2022-01-07")  # no death mentioned: not a figure
    update = ev("d", fatalities=8, published="2022-01-06", injuries=30, arrests=12)
    update_low = ev("e", fatalities=7, published="2022-01-06", injuries=40)
    (merged,) = merge_events([early_low, early_high, silent, update, update_low]).events
    assert merged.fatalities == 7  # the toll was revised upwards on the 6th; lowest of that day
    assert (merged.injuries, merged.arrests) == (30, 12)
    (only_early,) = merge_events([early_low, early_high]).events
    assert only_early.fatalities == 2  # same-day disagreement: ACLED's lowest figure


def test_crowd_bounds_swap_when_reports_contradict() -> None:
    more_than = ev("a", crowd_size_low=1000)
    up_to = ev("b", crowd_size_high=500)
    (merged,) = merge_events([more_than, up_to]).events
    assert (merged.crowd_size_low, merged.crowd_size_high) == (500, 1000)


def test_two_events_of_one_article_never_merge() -> None:
    a = ev("a")
    a2 = replace(ev("a", place=ALMA_ATA_ROW), event_id="a|other")  # the extractor kept them apart
    assert len(merge_events([a, a2]).events) == 2


def test_week_dated_report_joins_nearest_exact_day_and_never_bridges_days() -> None:
    monday = ev("a", day=date(2022, 1, 3))
    thursday = ev("b", day=date(2022, 1, 6))
    week = ev("c", day=date(2022, 1, 5), precision=2)  # "last week", middle day
    result = merge_events([monday, thursday, week])
    assert len(result.events) == 2  # the week report did not chain Monday and Thursday
    joined = next(e for e in result.events if len(e.sources) == 2)
    assert joined.event_date == date(2022, 1, 6) and joined.time_precision == 1
    month_a = ev("m1", day=date(2022, 1, 15), precision=3)
    month_b = ev("m2", day=date(2022, 1, 15), precision=3, place=ALMA_ATA_ROW)
    assert len(merge_events([month_a, month_b]).events) == 1


def test_undated_or_unplaced_events_pass_through() -> None:
    undated = ev("a", day=None, precision=None)
    unplaced = replace(ev("b"), place=None)
    assert len(merge_events([undated, unplaced, ev("c")]).events) == 3


def test_places_without_coordinates_match_by_name() -> None:
    assert same_place(NO_COORDS, replace(NO_COORDS, name="zhanaozen"))
    assert len(merge_events([ev("a", place=NO_COORDS), ev("b", place=NO_COORDS)]).events) == 1


def test_existing_event_keeps_its_id_and_absorbs_a_bridged_one() -> None:
    first = merge_events([ev("a", published="2022-01-05T08:00"), ev("b", published="2022-01-05T09:00")])
    (canonical,) = first.events
    later = merge_events([ev("c", published="2022-01-06")], existing=first.events, known_values=first.values)
    (grown,) = later.events
    assert grown.event_id == canonical.event_id and len(grown.sources) == 3
    assert grown.event_id in later.changed and not later.absorbed
    # two stored events that a report shows to be one (the same place, two gazetteer rows)
    other = merge_events([ev("x", place=ALMA_ATA_ROW, published="2022-01-07")], existing=[])
    both = merge_events([], existing=[grown, *other.events])
    assert len(both.events) == 1
    assert both.absorbed == {other.events[0].event_id: canonical.event_id}


def test_unchanged_existing_event_is_not_reported_changed_and_reprocessed_doc_replaces_values() -> None:
    first = merge_events([ev("a", crowd_size_low=100), ev("b", crowd_size_low=300)])
    again = merge_events([], existing=first.events, known_values=first.values)
    assert again.events == first.events and not again.changed
    revised = replace(ev("b", crowd_size_low=900), event_id="b|v2")  # document b re-processed
    updated = merge_events([revised], existing=first.events, known_values=first.values)
    (merged,) = updated.events
    assert merged.crowd_size_low == 100 and len(merged.sources) == 2
    assert {v.doc_id: v.crowd_size_low for v in updated.values[merged.event_id]} == {"a": 100, "b": 900}


def test_same_id_as_new_and_existing_is_an_error() -> None:
    a = ev("a")
    with pytest.raises(ValueError, match="both new and existing"):
        merge_events([a], existing=[a])


def test_protests_type_is_kept_when_no_source_saw_violence() -> None:
    (merged,) = merge_events([ev("a", sub=PEACEFUL), ev("b", sub=PEACEFUL, issue="fuel prices")]).events
    assert (merged.event_type, merged.sub_event_type, merged.issue) == (PROTESTS, PEACEFUL, "fuel prices")
    assert merged.alt_sub_event_types == ()


def test_mob_violence_ties_with_violent_demonstration_go_to_the_majority() -> None:
    evts = [ev("a", sub=MOB_VIOLENCE), ev("b", sub=MOB_VIOLENCE), ev("c", sub=VIOLENT_DEMONSTRATION)]
    (merged,) = merge_events(evts).events
    assert merged.sub_event_type == MOB_VIOLENCE and merged.alt_sub_event_types == (VIOLENT_DEMONSTRATION,)
