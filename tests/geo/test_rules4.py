"""The fourth round's resolution rules, on sentences written for these tests (no corpus text)."""

from __future__ import annotations

from tocsin.geo.base import GeoHints


def found(geocoder, text, hints=None):
    return {t.text: t.place for t in geocoder.parse(text, hints)}


def test_a_bare_state_name_is_the_state_not_its_small_namesake_town(geocoder):
    # Oregon, Ohio lies a few miles from Toledo: context alone used to pick the town
    places = found(geocoder, "Teachers in Toledo and Sandusky marched on Friday; unions in Oregon sent support.")
    assert places["Oregon"].feature_code == "ADM1" and places["Oregon"].name == "Oregon"
    nevada = found(geocoder, "Farmers near Joplin and Carthage said Nevada had sent no water.")["Nevada"]
    assert nevada.feature_code == "ADM1" and nevada.name == "Nevada"
    # a dateline names the town itself
    town = found(geocoder, "OREGON, Ohio — Teachers marched on Friday.", GeoHints(dateline="Oregon"))["OREGON"]
    assert town.feature_class == "P" and town.admin1 == "Ohio"
    # a town holding a fair share of the state's people stays a rival: the capital is meant here
    dc = found(geocoder, "Protesters marched from the Capitol in Washington to the White House.")["Washington"]
    assert dc.feature_class == "P"
