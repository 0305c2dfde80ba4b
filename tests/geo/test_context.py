"""Context rules of the geocoder (issue 4), on sentences and web addresses written for these tests."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tocsin.geo.base import GeoHints
from tocsin.geo.build import _country_point, _region_point
from tocsin.geo.outlet import home_name_ids, outlet_country
from tocsin.geo.recognize import typed_list_names


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(h))


def resolved(geocoder, text, hints=None):
    return {t.text: t.place for t in geocoder.parse(text, hints)}


def test_the_outlets_town_in_its_web_address_settles_a_bare_name(geocoder):
    text = "Dublin council members voted on Tuesday to widen the road."
    assert resolved(geocoder, text)["Dublin"].country == "IRL"
    local = resolved(geocoder, text, GeoHints(url="https://www.columbusdailybugle.com/news/1"))
    assert local["Dublin"].admin1 == "Ohio"
    assert list(local) == ["Dublin"]  # the outlet's town lends context but is not a toponym of the text


def test_outlet_town_names_are_read_from_the_host_and_a_towns_news_section(geocoder):
    gz = geocoder.gazetteer
    assert [gz.key_of(i) for i in home_name_ids(gz, "http://www.lasvegassun.com/news/2009/x")] == ["las vegas"]
    citizen = "http://www.thelancasterandmorecambecitizen.co.uk/a"
    assert [gz.key_of(i) for i in home_name_ids(gz, citizen)] == ["lancaster"]
    for url in ("http://www.courant.com/a", "https://en.wikinews.org/wiki/Paris", None, "not a url"):
        assert home_name_ids(gz, url) == []  # "cour|ant" is no town; the path is not the outlet
    # ... unless a section of the path is a town's news: a big paper's pages for one suburb
    section = "https://www.thebugle.com/oakdale/mansfield_news/story/12.html"
    assert [gz.key_of(i) for i in home_name_ids(gz, section)] == ["mansfield"]
    assert home_name_ids(gz, "https://www.thebugle.com/local_news/12.html") == []  # "local" is no town


def test_the_outlets_country_from_its_domain(geocoder):
    gz = geocoder.gazetteer
    assert outlet_country(gz, "http://lfpress.ca/news/local/1") == "CAN"
    assert outlet_country(gz, "https://www.example-gazette.co.uk/x") == "GBR"
    for url in ("https://www.example.com/x", "https://radio.fm/x", "https://en.wikinews.org/wiki/X", None):
        assert outlet_country(gz, url) is None
    text = "Hundreds marched through London on Saturday."
    assert resolved(geocoder, text)["London"].country == "GBR"
    assert resolved(geocoder, text, GeoHints(url="http://lfpress.ca/news/1"))["London"].country == "CAN"


def test_a_name_listed_with_states_or_countries_is_one_of_them(geocoder):
    states = resolved(geocoder, "Flu cases rose in Ohio, Oregon, Georgia and Washington this winter.")
    assert {(p.country, p.feature_code) for p in states.values()} == {("USA", "ADM1")}
    countries = resolved(geocoder, "Talks between Russia, Georgia and Armenia resumed.")
    assert countries["Georgia"].country == "GEO" and countries["Georgia"].feature_code == "PCLI"


def test_names_listed_before_counties_are_counties(geocoder):
    text = "Farmers in Cooke, Grayson and Love counties lost cattle."
    assert [text[a:b] for a, b in typed_list_names(text)] == ["Cooke", "Grayson", "Love"]
    found = resolved(geocoder, text)
    assert set(found) == {"Cooke", "Grayson", "Love"}  # "Love" alone is an everyday word
    assert all(p.feature_code == "ADM2" for p in found.values())
    sentence_start = "In Becker, Clay and Swift counties snow fell."
    assert [sentence_start[a:b] for a, b in typed_list_names(sentence_start)] == ["Becker", "Clay", "Swift"]


def test_wire_datelines_vouch_for_names_but_labels_do_not(geocoder):
    found = resolved(geocoder, "Deputies were called out. CLINTON — A fire destroyed a barn on Sunday.")
    assert found["CLINTON"].country == "USA"
    assert list(resolved(geocoder, "ROUNDUP: Crowds marched in Almaty on Sunday.")) == ["Almaty"]


def test_people_evidence_that_is_not(geocoder):
    judge = "Voters picked a new Municipal Court Judge. Columbus attorney Ann Vix won. Columbus Council met."
    assert resolved(geocoder, judge)["Columbus"].country == "USA"
    assert resolved(geocoder, "He was known as Mr. Arlington. He died in Arlington on Sunday.")["Arlington"]
    assert resolved(geocoder, "A fire damaged a N.W. Rochester house.")["Rochester"].country == "USA"
    assert not geocoder.parse("Officer Mary K. Rochester spoke.")  # a middle initial after a first name


def test_diseases_named_after_places_are_not_places(geocoder):
    assert list(resolved(geocoder, "The Marburg virus was found in Uganda.")) == ["Uganda"]


def test_of_the_names_are_also_matched_without_the_article(geocoder):
    place = resolved(geocoder, "Aid reached the Democratic Republic of Congo.")["Democratic Republic of Congo"]
    assert place.country == "COD"


def test_country_points_sit_near_their_conventional_centres(geocoder):
    gz = geocoder.gazetteer
    usa = next(p for p, _ in gz.lookup("United States") if p.feature_code == "PCLI")
    assert km(usa.latitude, usa.longitude, 39.83, -98.58) < 161  # the contiguous states' centre, Kansas
    fiji = next(p for p, _ in gz.lookup("Fiji") if p.feature_code == "PCLI")
    assert abs(fiji.longitude) > 170  # not pulled across the antimeridian to longitude 0


def test_a_territory_across_the_antimeridian_keeps_its_centre_there():
    from tocsin.geo.build import _main_rings
    from tocsin.geo.territory import area_centre

    islands = [[[179.0, -18.0], [179.9, -18.0], [179.9, -17.0], [179.0, -17.0]],
               [[-179.9, -18.0], [-179.0, -18.0], [-179.0, -17.0], [-179.9, -17.0]]]  # fmt: skip
    entry = {"geoJSON": {"features": [{"geometry": {"type": "MultiPolygon", "coordinates": [[i] for i in islands]}}]}}
    lat, lon = area_centre(_main_rings(entry))
    assert abs(abs(lon) - 180.0) < 0.1 and -17.6 < lat < -17.4


def test_country_point_without_outline_falls_back_to_latlng():
    assert _country_point({"latlng": [10, 20]}) == (10, 20)


def test_region_point_follows_the_outline_not_the_crowd():
    # a 4 x 4 degree square region whose towns crowd into its south-west corner
    lats = [0.0, 0.0, 4.0, 4.0] + [0.1 + 0.01 * i for i in range(200)]
    lons = [0.0, 4.0, 0.0, 4.0] + [0.1 + 0.01 * i for i in range(200)]
    lat, lon = _region_point(lats, lons)
    assert abs(lat - 2.0) < 0.1 and abs(lon - 2.0) < 0.1
    assert _region_point([1.0, 1.0], [2.0, 2.0]) == (1.0, 2.0)  # a single town
    assert _region_point([0.0, 1.0, 2.0], [0.0, 1.0, 2.0]) == pytest.approx((1.0, 1.0))  # towns on a line


def test_area_centre_on_the_sphere_and_inside_test():
    from tocsin.geo.build import _inside
    from tocsin.geo.territory import area_centre

    square = np.array([[10.0, 40.0], [14.0, 40.0], [14.0, 44.0], [10.0, 44.0]])  # (lon, lat)
    lat, lon = area_centre([square])
    assert abs(lon - 12.0) < 0.05 and 41.9 < lat < 42.0  # a little south: cells shrink northwards
    assert _inside((42.0, 12.0), [square]) and not _inside((45.0, 12.0), [square])
    tiny = square / 100 + [170.0, 0.0]  # a 0.04-degree islet still gets grid points
    assert area_centre([tiny]) is not None
