from __future__ import annotations

import pytest

from tocsin.geo.geoparse import GeoparseInputError, geoparse_records


def test_records_in_toponyms_out(geocoder):
    out = list(
        geoparse_records(
            geocoder, [{"id": "a", "text": "Rallies in Almaty and Aqtobe."}, {"id": 2, "text": ""}]
        )
    )
    assert [o["id"] for o in out] == ["a", 2]
    first = out[0]["toponyms"]
    assert [t["text"] for t in first] == ["Almaty", "Aqtobe"]
    assert set(first[0]) == {
        "start", "end", "text", "geonameid", "name", "admin1", "country", "latitude", "longitude", "feature_class"
    }  # fmt: skip
    assert first[0]["country"] == "KAZ" and first[0]["start"] == 11
    assert out[1]["toponyms"] == []


def test_record_without_text_is_a_clear_error(geocoder):
    with pytest.raises(GeoparseInputError, match="record 1 has no 'text'"):
        list(geoparse_records(geocoder, [{"id": 1}]))
