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


def test_a_council_area_named_x_city_is_the_town_x(geocoder):
    # "Dublin City" is Ireland's council area; here it is the Ohio suburb's council, as "Dublin" is
    places = found(geocoder, "Dublin City Council met on Monday. Dublin lies just north-west of Columbus, Ohio.")
    assert places["Dublin City"] == places["Dublin"]
    assert places["Dublin"].country == "USA" and places["Dublin"].admin1 == "Ohio"
    norfolk = found(geocoder, "The City of Norfolk closed two schools.")["City of Norfolk"]
    assert norfolk.feature_class == "P" and norfolk.name == "Norfolk"


def test_a_town_named_x_city_stays_whole(geocoder):
    places = found(geocoder, "Fans in Kansas City and Carson City cheered.")
    assert places["Kansas City"].name == "Kansas City" and places["Carson City"].name == "Carson City"


def test_a_closing_city_does_not_make_an_overlapping_match_longer(geocoder):
    places = found(geocoder, "The Los Angeles City Council voted on Tuesday.")
    assert places["Los Angeles"].name == "Los Angeles" and places["Los Angeles"].admin1 == "California"


def test_a_town_once_called_so_yields_to_the_town_of_that_name(geocoder):
    # Korolev near Moscow was once Kaliningrad; Pittsburg, California is spelt Pittsburgh in old records
    places = found(geocoder, "Sailors in Kaliningrad and dock workers in Moscow walked out.")
    assert places["Kaliningrad"].name == "Kaliningrad"
    places = found(geocoder, "Steelworkers in Pittsburgh marched; nurses in Oakland and Berkeley joined.")
    assert places["Pittsburgh"].name == "Pittsburgh" and places["Pittsburgh"].admin1 == "Pennsylvania"
    # a far bigger town known by the name as an alternate one stays a reading (Canton, Ohio is 70k)
    assert found(geocoder, "Traders in Canton and Hong Kong closed their shops.")["Canton"].name == "Guangzhou"


def test_a_towns_news_section_in_the_address_settles_the_bare_name(geocoder):
    text = "MANSFIELD — The council voted on Tuesday to refinance its debt."
    assert found(geocoder, text)["MANSFIELD"].country == "GBR"
    url = "https://www.fortworthbugle.com/mansfield_news/story/12.html"
    assert found(geocoder, text, GeoHints(url=url))["MANSFIELD"].admin1 == "Texas"


def test_a_country_next_door_stays_the_country(geocoder):
    # Nigeria has a Niger state, but Niger the country is its neighbour: among Nigerian towns it is meant
    niger = found(geocoder, "Health workers in Kano and Katsina said the outbreak had crossed from Niger.")["Niger"]
    assert niger.country == "NER"
    state = found(geocoder, "Flooding in Minna and Suleja, the worst in Niger State for years.")["Niger State"]
    assert state.country == "NGA" and state.feature_code == "ADM1"


def test_mount_and_fort_are_also_read_abbreviated(geocoder):
    places = found(geocoder, "A fire destroyed a barn near Mt. Pleasant on Tuesday. Crews from New London and Winfield helped.")
    assert places["Mt. Pleasant"].name == "Mount Pleasant" and places["Mt. Pleasant"].admin1 == "Iowa"
    worth = found(geocoder, "Teachers rallied in Ft. Worth and Dallas.")["Ft. Worth"]
    assert worth.name == "Fort Worth" and worth.admin1 == "Texas"
