"""The bundled samples clean as src/tocsin/samples/README.md says."""

from __future__ import annotations

from datetime import datetime

import pytest

from tocsin.clean import LanguageDetector, clean
from tocsin.ingest import iter_documents, samples_dir
from tocsin.records import Article
from tocsin.settings import Settings


@pytest.fixture(scope="module")
def articles() -> dict[str, Article]:
    settings = Settings()
    detector = LanguageDetector.load()
    out = {}
    for raw in iter_documents([str(samples_dir())], settings):
        result = clean(raw, settings, detector=detector)
        assert isinstance(result, Article), result
        out[result.doc_id] = result
    return out


def test_every_sample_is_an_english_article(articles: dict[str, Article]) -> None:
    assert len(articles) == 7
    assert {a.language for a in articles.values()} == {"en"}
    assert all(a.published is not None for a in articles.values())
    assert len({a.content_hash for a in articles.values()}) == 7


def test_scraped_text_sample(articles: dict[str, Article]) -> None:
    ruse = articles["ruse-teachers-march"]
    assert ruse.title == "Thousands of teachers march in Ruse over unpaid wage rise"
    assert ruse.standfirst is not None and ruse.standfirst.startswith("Educators in the Danube port city")
    assert ruse.published == datetime(2025, 3, 3, 9, 10)
    assert len(ruse.paragraphs) == 7  # title, standfirst, five body paragraphs
    for junk in ("icon", "Home", "Share this", "Telegram", "Top stories", "cookies", "Snow closes", "Ferry"):
        assert junk not in ruse.text


def test_wrapped_wire_sample(articles: dict[str, Article]) -> None:
    kochi = articles["kochi-fishers-sit-in"]
    assert kochi.dateline_place == "kochi"
    assert kochi.published == datetime(2025, 3, 7)
    assert len(kochi.paragraphs) == 4  # title + three joined paragraphs; the "Read more" link is gone
    assert "\n" not in kochi.text[kochi.paragraphs[1][0] : kochi.paragraphs[1][1]]
    assert "Read more" not in kochi.text


def test_html_sample(articles: dict[str, Article]) -> None:
    nakuru = articles["nakuru-market-riot"]
    assert nakuru.title == "Traders torch council office in Nakuru as market demolition sparks riot"
    assert (
        nakuru.standfirst
        == "Police used tear gas as running battles went on for several hours in the town centre"
    )
    assert nakuru.outlet == "Rift Valley Courier"
    assert nakuru.published is not None and nakuru.published.date().isoformat() == "2025-03-05"
    assert "At least 12 people were arrested" in nakuru.text
    for junk in ("Subscribe", "Sign in", "Share on", "Related stories", "All rights reserved", "cookies"):
        assert junk not in nakuru.text


def test_jsonl_samples_keep_their_metadata(articles: dict[str, Article]) -> None:
    jos = articles["jos-market-fire-unconfirmed"]
    assert jos.published == datetime(2025, 3, 16, 18, 5)
    assert jos.outlet == "Plateau Daily Wire" and jos.url is not None
    assert jos.title is not None and jos.text.startswith(jos.title + "\n\n")
    assert articles["valparaiso-students-tear-gas"].published == datetime(2025, 3, 12)
