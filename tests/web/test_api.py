"""The REST API in process (TestClient) over a seeded store: filters, pages, exports, errors."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from tocsin.store.base import open_store
from tocsin.store.query import SUBSTRING, EventQuery
from web.seed import SEED_COUNTRIES, SEED_EVENTS, XSS_IMG


def ids(response) -> list[str]:  # noqa: ANN001
    assert response.status_code == 200, response.text
    return [e["event_id"] for e in response.json()["events"]]


# -- listing, sorting, paging ------------------------------------------------------------------------


def test_list_sorted_by_date_undated_last(any_client: TestClient) -> None:
    body = any_client.get("/api/events").json()
    assert body["total"] == SEED_EVENTS
    events = body["events"]
    dates = [e["event_date"] for e in events]
    assert dates[-1] is None
    assert dates[:-1] == sorted(dates[:-1])
    assert ids(any_client.get("/api/events?sort=-date"))[0] == "ev-ke-1"
    assert ids(any_client.get("/api/events?sort=-fatalities"))[0] == "ev-kz-2"


def test_pages_cover_everything_once_with_the_total(any_client: TestClient) -> None:
    seen: list[str] = []
    for offset in range(0, SEED_EVENTS + 2, 3):
        body = any_client.get(f"/api/events?limit=3&offset={offset}").json()
        assert body["total"] == SEED_EVENTS and body["limit"] == 3 and body["offset"] == offset
        seen += [e["event_id"] for e in body["events"]]
    assert sorted(seen) == sorted(set(seen)) and len(seen) == SEED_EVENTS


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=KAZ", {"ev-kz-1", "ev-kz-2", "ev-kz-3"}),
        ("country=ind", {"ev-in-1", "ev-in-2"}),
        ("admin1=almaty", {"ev-kz-2"}),
        ("admin1=Atyrau&country=KAZ", {"ev-kz-1", "ev-kz-3"}),
        ("since=2024-01-01", {"ev-in-1", "ev-in-2", "ev-ke-1"}),
        ("since=2022-01-04&until=2024-03-12", {"ev-kz-2", "ev-kz-3", "ev-in-1", "ev-in-2"}),
        ("type=Riots", {"ev-kz-2", "ev-in-2"}),
        ("type=peaceful%20protest", {"ev-kz-1", "ev-in-1", "ev-ke-1", "ev-ke-2"}),
        ("type=Protest%20with%20intervention", {"ev-kz-3"}),
        ("bbox=46,40,88,56", {"ev-kz-1", "ev-kz-2", "ev-kz-3"}),
        ("bbox=30,-10,40,0", {"ev-ke-1"}),
        ("bbox=170,-90,-170,90", set()),  # crosses the antimeridian, holds none of them
        ("bbox=60,-90,40,90", {"ev-kz-2", "ev-in-1", "ev-in-2", "ev-ke-1"}),  # lon >= 60 or lon <= 40
        ("country=KAZ&type=Riots&since=2022-01-05", {"ev-kz-2"}),
    ],
)
def test_filters(any_client: TestClient, query: str, expected: set[str]) -> None:
    response = any_client.get(f"/api/events?{query}")
    assert set(ids(response)) == expected
    assert response.json()["total"] == len(expected)


def test_text_search(any_client: TestClient) -> None:
    body = any_client.get("/api/events", params={"q": "tear gas"}).json()
    found = {e["event_id"] for e in body["events"]}
    if body["search"] == "fts":  # whole articles: both events of the article mentioning tear gas
        assert found == {"ev-kz-2", "ev-kz-3"}
    else:  # evidence sentences
        assert body["search"] == "substring" and found == {"ev-kz-3"}
    assert {e["event_id"] for e in any_client.get("/api/events?q=farm").json()["events"]} >= {"ev-in-1"}
    assert any_client.get("/api/events", params={"q": "tear gas zebra"}).json()["total"] == 0


def test_substring_search_escapes_like_wildcards(seeded: str) -> None:
    store = open_store(seeded)
    try:
        store.search_mode = SUBSTRING  # as on a SQLite built without FTS5
        assert [e.event_id for e in store.query_events(EventQuery(terms=("tear", "GAS"))).events] == [
            "ev-kz-3"
        ]
        for wildcard in ("%", "_", "\\", "%%", "_a"):
            assert store.query_events(EventQuery(terms=(wildcard,))).total == 0, wildcard
        assert store.query_events(EventQuery(terms=("onerror=",))).total == 1
    finally:
        store.close()


# -- one event, one document ------------------------------------------------------------------------


def test_event_detail_has_sources_evidence_and_what_each_said(client: TestClient) -> None:
    ev = client.get("/api/events/ev-kz-2").json()
    assert ev["sub_event_type"] == "Violent demonstration" and ev["fatalities"] == 2
    assert [s["doc_id"] for s in ev["sources"]] == ["kz-unrest"]
    assert ev["sources"][0]["url"] == "https://news.example/kz-unrest"
    assert ev["sources"][0]["said"]["fatalities"] == 2
    assert ev["evidence"][0]["text"].startswith("Protesters set fire to cars")


@pytest.mark.parametrize("path", ["/api/events/nope", "/api/events/ev-kz-2x", "/api/documents/nope"])
def test_unknown_ids_are_404_with_a_message(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "nope" in response.json()["detail"] or "ev-kz-2x" in response.json()["detail"]


def test_document_offsets_point_into_its_text(client: TestClient) -> None:
    doc = client.get("/api/documents/kz-unrest").json()
    assert doc["status"] == "processed" and doc["title"] == "Cars burned as unrest spreads"
    assert {e["event_id"] for e in doc["events"]} == {"ev-kz-2", "ev-kz-3"}
    assert len(doc["evidence"]) == 2
    for mark in doc["evidence"]:
        assert doc["text"][mark["start"] : mark["end"]] == mark["text"]
    assert [m["start"] for m in doc["evidence"]] == sorted(m["start"] for m in doc["evidence"])


def test_ids_with_slashes_and_spaces(client: TestClient) -> None:
    """Document ids are often paths (ingest uses a file's relative path)."""
    doc = client.get("/api/documents/india%2Ffarmers%202024")
    assert doc.status_code == 200 and doc.json()["title"] == "Farmers block highway"
    assert client.get("/api/documents/india/farmers 2024").json()["doc_id"] == "india/farmers 2024"
    assert client.get("/api/documents/india/farmers").status_code == 404


def test_document_markup_comes_back_as_plain_json_text(client: TestClient) -> None:
    response = client.get("/api/documents/ke-fares")
    assert response.headers["content-type"].startswith("application/json")
    doc = response.json()
    assert "<script>" in doc["text"] and XSS_IMG in doc["text"]  # stored and returned verbatim
    assert any(XSS_IMG in m["text"] for m in doc["evidence"])


# -- exports and statistics -------------------------------------------------------------------------


def test_geojson_export_of_the_selection(any_client: TestClient) -> None:
    response = any_client.get("/api/events.geojson?country=KAZ")
    assert response.headers["content-type"].startswith("application/geo+json")
    assert "attachment" in response.headers["content-disposition"]
    data = json.loads(response.text)
    assert {f["id"] for f in data["features"]} == {"ev-kz-1", "ev-kz-2", "ev-kz-3"}
    lakeside = next(f for f in data["features"] if f["id"] == "ev-kz-2")
    assert lakeside["geometry"] == {"type": "Point", "coordinates": [76.95, 43.25]}
    everything = json.loads(any_client.get("/api/events.geojson").text)
    assert len(everything["features"]) == SEED_EVENTS - 1  # the event without a place has no point


def test_csv_export_of_the_selection(any_client: TestClient) -> None:
    response = any_client.get("/api/events.csv", params={"type": "Riots"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["event_id_cnty"] for r in rows} == {"ev-kz-2", "ev-in-2"}
    assert {r["iso3"] for r in rows} == {"KAZ", "IND"}
    assert len(list(csv.DictReader(io.StringIO(any_client.get("/api/events.csv").text)))) == SEED_EVENTS


def test_stats(any_client: TestClient) -> None:
    stats = any_client.get("/api/stats").json()
    assert stats["total"] == SEED_EVENTS and stats["undated"] == 1 and stats["fatalities"] == 2
    assert {c["key"]: c["count"] for c in stats["by_country"] if c["key"]} == SEED_COUNTRIES
    assert stats["by_day"][:2] == [{"key": "2022-01-03", "count": 1}, {"key": "2022-01-05", "count": 2}]
    # 2022-01-03 is a Monday: its week holds the 3rd and the 5th
    assert stats["by_week"] == [{"key": "2022-01-03", "count": 3}, {"key": "2024-03-11", "count": 3}]
    assert sum(t["count"] for t in stats["by_type"]) == SEED_EVENTS
    kaz = any_client.get("/api/stats?country=KAZ").json()
    assert kaz["total"] == 3 and kaz["fatalities"] == 2
    assert {(t["sub_event_type"], t["count"]) for t in kaz["by_type"]} == {
        ("Peaceful protest", 1), ("Violent demonstration", 1), ("Protest with intervention", 1),
    }  # fmt: skip


# -- validation and injection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "param", "words"),
    [
        ("country=Kazakhstan", "country", "alpha-3"),
        ("country=K1Z", "country", "alpha-3"),
        ("since=2024-13-01", "since", "date"),
        ("since=2024-03-10&until=2024-03-01", "until", "before"),
        ("type=Strike", "type", "Peaceful protest"),
        ("bbox=1,2,3", "bbox", "four"),
        ("bbox=a,b,c,d", "bbox", "four"),
        ("bbox=0,80,10,70", "bbox", "minlat first"),
        ("bbox=nan,0,1,1", "bbox", "finite"),
        ("bbox=0,0,200,1", "bbox", "-180"),
        ("limit=0", "limit", "greater"),
        ("limit=5000", "limit", "less"),
        ("offset=-1", "offset", "greater"),
        ("sort=price", "sort", "date"),
        ("q=" + "+".join(f"w{i}" for i in range(13)), "q", "at most"),
    ],
)
def test_bad_filters_are_422_naming_the_parameter(
    client: TestClient, query: str, param: str, words: str
) -> None:
    response = client.get(f"/api/events?{query}")
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert errors[0]["loc"][-1] == param
    assert words.lower() in errors[0]["msg"].lower()


INJECTIONS = [
    "' OR '1'='1",
    "KAZ' OR 1=1 --",
    '"; DROP TABLE events; --',
    "1); DELETE FROM events; --",
    "%",
    "_",
    "\\",
    "*",
    'NEAR("a" "b")',
    '"unterminated',
    "x' UNION SELECT doc_id, text FROM documents --",
    "\x00",
]
FILTERS = ["country", "admin1", "since", "until", "type", "bbox", "q", "sort", "limit", "offset"]


@pytest.mark.parametrize("param", FILTERS)
def test_injection_strings_in_every_filter(any_client: TestClient, seeded: str, param: str) -> None:
    for value in INJECTIONS:
        for path in ("/api/events", "/api/stats", "/api/events.csv", "/api/events.geojson"):
            response = any_client.get(path, params={param: value})
            assert response.status_code in (200, 422), (param, value, response.status_code)
            if response.status_code == 200 and path == "/api/events":
                assert response.json()["total"] == 0, (param, value)  # matched nothing, leaked nothing
    for value in INJECTIONS[:4]:
        assert any_client.get(f"/api/events/{value}").status_code == 404
        assert any_client.get(f"/api/documents/{value}").status_code == 404
    store = open_store(seeded)
    assert store.counts()["events"] == SEED_EVENTS
    store.close()


# -- front end, headers, docs -----------------------------------------------------------------------


def test_dashboard_is_served_without_inline_script_or_cdn(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    html = response.text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    for asset in ("/static/app/dashboard.js", "/static/app/dashboard.css", "/static/leaflet/leaflet.css"):
        assert client.get(asset).status_code == 200, asset
    assert "Leaflet 1.9.4" in client.get("/static/leaflet/leaflet.js").text[:200]
    assert client.get("/api/events").headers["content-security-policy"] == csp


def test_dashboard_script_never_writes_html(client: TestClient) -> None:
    script = client.get("/static/app/dashboard.js").text
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, sink


def test_country_outlines(client: TestClient) -> None:
    data = json.loads(client.get("/static/countries.geojson").text)
    by_id = {f["id"]: f for f in data["features"]}
    assert len(by_id) > 150 and {"KAZ", "IND", "KEN"} <= set(by_id)
    assert by_id["KAZ"]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_openapi_docs_served_locally(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in page.text
    assert "<script>" not in page.text.replace(" ", "")
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    expected = {"/api/events", "/api/events/{event_id}", "/api/events.geojson", "/api/events.csv",
                "/api/stats", "/api/documents/{doc_id}", "/api/documents"}  # fmt: skip
    assert expected <= set(paths)
