"""Compass unions ("Darfur" from North/South/... Darfur) on invented subdivisions."""

from __future__ import annotations

from types import SimpleNamespace

from tocsin.geo.unions import compass_unions


def _sub(gid: int, name: str, *aliases: str, iso3: str = "XYZ", level: int = 1) -> SimpleNamespace:
    return SimpleNamespace(geonames_id=gid, name=name, aliases=aliases, admin_level=level,
                           country=SimpleNamespace(alpha3=iso3))  # fmt: skip


def _rare(_word: str, _lang: str) -> float:
    return 1.0


SUBS = [
    _sub(11, "Varnland Utara", "North Varnland"),
    _sub(12, "South Varnland"),
    _sub(13, "Varnland West", "Varnland Barat"),
    _sub(21, "Eastern Province"),
    _sub(22, "Western Province"),
    _sub(31, "North Quell Region"),
    _sub(32, "South Quell Region"),
    _sub(41, "North Brisk", iso3="XYZ"),
    _sub(42, "South Brisk", iso3="ABC"),  # another country: no union
    _sub(51, "North Ommel"),
    _sub(52, "South Ommel", level=2),  # a district is no first-level region
    _sub(61, "North Tarrow"),
    _sub(62, "South Tarrow"),
]


def test_stems_of_two_or_more_compass_named_regions_of_one_country():
    unions = compass_unions(SUBS, lambda name, iso3: False, _rare)
    assert sorted((u.name, u.country, u.member_ids, u.place_id) for u in unions) == [
        ("Tarrow", "XYZ", (61, 62), -61),
        ("Varnland", "XYZ", (11, 12, 13), -11),
    ]  # not "Province" (a type word), not "Quell Region", "Brisk" (two countries), "Ommel" (a district)


def test_names_already_taken_and_common_words_are_skipped():
    assert [u.name for u in compass_unions(SUBS, lambda name, _iso3: name == "Tarrow", _rare)] == ["Varnland"]
    common = compass_unions(SUBS, lambda name, iso3: False, lambda w, _: 5.0 if w == "varnland" else 1.0)
    assert [u.name for u in common] == ["Tarrow"]
