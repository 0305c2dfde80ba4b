"""The built-in geocoder on sentences written for these tests (no corpus text)."""

from __future__ import annotations

import math
import pickle
import subprocess
import sys

import pytest

from tocsin.geo.base import GEOCODERS, GeoHints, is_country_level, make_geocoder
from tocsin.geo.builtin import GeonamesGeocoder, geonames_geocoder
from tocsin.records import Toponym
from tocsin.settings import Settings

ALMATY = (43.25667, 76.92861)  # GeoNames 1526384


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(h))


def places(geocoder: GeonamesGeocoder, text: str, hints: GeoHints | None = None) -> dict[str, Toponym]:
    return {t.text: t for t in geocoder.parse(text, hints)}


def test_city_in_a_sentence(geocoder):
    text = "Protesters stormed the mayor's office in Almaty on Wednesday."
    (t,) = geocoder.parse(text)
    assert text[t.start : t.end] == t.text == "Almaty"
    assert t.place.country == "KAZ" and t.place.feature_class == "P" and t.place.geo_precision == 1
    assert km(t.place.latitude, t.place.longitude, *ALMATY) < 25


def test_country_name_beats_the_village_of_that_name(geocoder):
    found = places(geocoder, "Kazakhstan's largest city saw rallies near Almaty's central square.")
    country = found["Kazakhstan"].place
    assert country.country == "KAZ" and country.feature_code == "PCLI" and is_country_level(country)
    assert found["Almaty"].place.feature_class == "P" and not is_country_level(found["Almaty"].place)


def test_alternate_spellings_resolve_to_one_place(geocoder):
    ids = {
        geocoder.parse("Workers rallied in Aqtobe.")[0].place.geonameid,
        geocoder.parse("Workers rallied in Aktyubinsk.")[0].place.geonameid,
        geocoder.parse("workers rallied in aqtobe on friday, the union said.")[0].place.geonameid,
    }
    assert len(ids) == 1
    almaty = {
        geocoder.parse(f"Crowds gathered in {n} again.")[0].place.geonameid for n in ("Alma-Ata", "Almaty")
    }
    assert len(almaty) == 1


def test_old_name_baroda_is_vadodara(geocoder):
    old = geocoder.parse("The strike spread to Baroda by evening.")[0].place
    new = geocoder.parse("The strike spread to Vadodara by evening.")[0].place
    assert old.geonameid == new.geonameid and old.country == "IND"


def test_lower_case_text_with_a_dateline(geocoder):
    text = "ahmedabad: two persons were stabbed in may after a march near the police station, officers said."
    found = geocoder.parse(text)
    assert [t.text for t in found] == ["ahmedabad"]
    assert found[0].start == 0 and found[0].place.name == "Ahmedabad" and found[0].place.country == "IND"


def test_context_picks_among_same_named_towns(geocoder):
    south_africa = places(
        geocoder, "Police in Christiana, near Bloemhof in North West, said the march was peaceful."
    )
    assert south_africa["Christiana"].place.country == "ZAF"
    assert south_africa["Bloemhof"].place.country == "ZAF"
    tennessee = places(geocoder, "Residents of Christiana, Tennessee, drove to Murfreesboro for the rally.")
    assert tennessee["Christiana"].place.country == "USA"
    assert tennessee["Christiana"].place.admin1 == "Tennessee"


def test_demonyms_and_abbreviations_are_countries(geocoder):
    found = places(geocoder, "Kazakh police and Indian officials met US diplomats.")
    assert found["Kazakh"].place.country == "KAZ" and found["Kazakh"].place.feature_code == "PCLI"
    assert found["Indian"].place.country == "IND"
    assert found["US"].place.country == "USA"
    assert not places(geocoder, "Let us hope the Indian Ocean stays calm.")  # "us", and a longer name


def test_regions_districts_and_suffixes(geocoder):
    found = places(geocoder, "Oil workers struck in the Mangystau region and in Ahmedabad district.")
    region = found["Mangystau"].place
    assert region.country == "KAZ" and region.feature_code == "ADM1" and region.geo_precision == 3
    assert found["Ahmedabad"].place.geo_precision == 2
    parish = places(geocoder, "Deputies from Rapides Parish searched the area.")["Rapides Parish"].place
    assert parish.feature_code == "ADM2" and parish.admin1 == "Louisiana"


def test_common_words_titles_and_people_are_not_places(geocoder):
    assert not geocoder.parse("Police said the march may go ahead in March.")
    assert not geocoder.parse("Mr. Jackson told reporters that President Lincoln was right.")
    assert not geocoder.parse("Sgt. Bloemhof spoke on Dec. 20 to the crowd.")
    assert not geocoder.parse("A portrait of Abraham Lincoln hung beside one of Matthew D. Almaty.")
    # a name used for a person is a person throughout the text (one sense per discourse)
    assert not geocoder.parse("Senator Trapani arrived late. Trapani is a careful man.")


def test_first_names_and_title_case_headlines(geocoder):
    assert not geocoder.parse("The vigil was organised by Mary Quixley and her neighbours.")
    assert geocoder.parse("The vigil was held in Mary on Sunday.")[0].place.country == "TKM"
    headline = "Hope Fades As Reading Families Await News"
    assert not geocoder.parse(headline)  # capitals in a Title Case headline prove nothing
    assert geocoder.parse("Families in Reading await news.")[0].place.country == "GBR"


def test_dateline_hint_and_outlet_country(geocoder):
    text = "Hyderabad saw a sit-in by students on Monday."
    plain = geocoder.parse(text)[0].place
    hinted = geocoder.parse(text, GeoHints(outlet_country="PAK"))[0].place
    assert plain.country == "IND" and hinted.country == "PAK"


def test_offsets_and_order(geocoder):
    text = "From Almaty to Aqtobe and on to Kazakhstan’s west, then Baroda."
    found = geocoder.parse(text)
    assert [t.start for t in found] == sorted(t.start for t in found)
    assert all(text[t.start : t.end] == t.text for t in found)
    assert len(found) == 4


def test_registered_and_built_through_settings(tmp_path):
    geocoder = make_geocoder(Settings(cache_dir=tmp_path))
    assert isinstance(geocoder, GeonamesGeocoder) and geocoder.cache_dir == tmp_path
    assert GEOCODERS["geonames"] is geonames_geocoder


def test_unknown_geocoder_name_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="unknown geocoder 'nope'; registered: .*geonames"):
        make_geocoder(Settings(cache_dir=tmp_path, geocoder="nope"))


def test_geocoder_pickles_light_and_works_after(geocoder):
    blob = pickle.dumps(geocoder)
    assert len(blob) < 1000
    again = pickle.loads(blob)
    assert (
        again.parse("Rallies in Almaty.")[0].place.geonameid
        == geocoder.parse("Rallies in Almaty.")[0].place.geonameid
    )


def test_a_region_made_of_compass_named_regions(geocoder):
    """Sudan's first-level regions are North, South, West, ... Darfur: "Darfur" is their union."""
    found = places(geocoder, "Aid convoys reached camps in Darfur and in El Fasher last week.")
    darfur = found["Darfur"].place
    assert darfur.country == "SDN" and darfur.feature_code == "RGN" and darfur.geo_precision == 3
    assert darfur.geonameid is None and not is_country_level(darfur)
    fasher = found["El Fasher"].place
    assert fasher.country == "SDN"
    assert km(darfur.latitude, darfur.longitude, fasher.latitude, fasher.longitude) < 500


def test_a_township_is_a_town(geocoder):
    town, state = geocoder.parse("Residents of Hamilton Township, New Jersey, rallied outside the town hall.")
    assert town.text == "Hamilton" and town.place.feature_class == "P" and town.place.admin1 == "New Jersey"
    assert state.place.feature_code == "ADM1"


def test_a_type_word_before_the_name_sets_its_level(geocoder):
    text = "Farmers in Alberta and Manitoba protested; farmers also marched in the {}Washington."
    assert places(geocoder, text.format(""))["Washington"].place.feature_code == "PPLC"
    state = places(geocoder, text.format("state of "))["Washington"].place
    assert state.feature_code == "ADM1" and state.country == "USA"


def test_country_aliases_that_are_words_first_are_not_countries(geocoder):
    assert all(t.place.country != "CAF" for t in geocoder.parse("Car bombs hit Baghdad on Sunday."))
    assert all(t.place.country != "ISL" for t in geocoder.parse("Ferries to Plum Island were cancelled."))
    found = places(geocoder, "Protests spread across Britain and Iceland.")
    assert found["Britain"].place.country == "GBR" and found["Iceland"].place.country == "ISL"


def test_opening_the_index_loads_the_word_frequencies_too(gazetteer_index) -> None:
    """A worker loads wordfreq's table as it opens the index (~0.5 s), not while its first documents meet a
    name; in a fresh process, since this one may have loaded it already."""
    code = (
        "import sys\n"
        "from tocsin.geo.builtin import GeonamesGeocoder\n"
        f"g = GeonamesGeocoder({str(gazetteer_index.parent)!r})\n"
        "before = 'wordfreq' in sys.modules\n"
        "g.parse('Rain fell.')\n"  # no place and no name: only the index is opened
        "from tocsin.geo.recognize import _zipf\n"
        "print(before, 'wordfreq' in sys.modules, _zipf.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    before, after, cached = out.stdout.split()
    assert (before, after) == ("False", "True") and int(cached) >= 1
