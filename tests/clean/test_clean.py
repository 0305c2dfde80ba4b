"""clean(): title, standfirst, paragraphs and offsets, dates, hash, language, HTML, rejections."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tocsin.clean import LanguageDetector, clean
from tocsin.records import Article, RawDocument, Rejected
from tocsin.settings import Settings

SETTINGS = Settings()


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector.load()


def run(text: str | None = None, detector: LanguageDetector | None = None, **fields: str) -> Article:
    result = clean(RawDocument(doc_id="t", text=text, **fields), SETTINGS, detector=detector)
    assert isinstance(result, Article), result
    return result


SPRITE = "icon chevron lefticon chevron righticon closeicon mailicon printicon searchicon shareicon tgicon xicon fm"

PAGE = f"""{SPRITE}
14 Feb, 2024 17:25
HomeWorld & Europe

Dock workers block port gates in Constanța

The strike over night-shift pay entered its third day

Several hundred dock workers blocked the main gates of the port of Constanța on Wednesday, halting lorries for six hours.

Police negotiated with union leaders and the gates were reopened in the evening. No arrests were made.

Share this story
Top stories
Heavy snow disrupts trains in Moldova
"""


def test_page_structure_and_offsets(detector: LanguageDetector) -> None:
    art = run(PAGE, detector)
    assert art.title == "Dock workers block port gates in Constanța"
    assert art.standfirst == "The strike over night-shift pay entered its third day"
    assert art.published == datetime(2024, 2, 14, 17, 25)
    assert art.language == "en"
    blocks = [art.text[s:e] for s, e in art.paragraphs]
    assert blocks[0] == art.title and blocks[1] == art.standfirst
    assert blocks[2].startswith("Several hundred dock workers") and blocks[3].endswith(
        "No arrests were made."
    )
    assert len(blocks) == 4
    assert art.text == "\n\n".join(blocks)
    for junk in ("icon", "Home", "Share", "Top stories", "Heavy snow", "17:25"):
        assert junk not in art.text


def test_record_published_wins_over_dateline(detector: LanguageDetector) -> None:
    art = run(PAGE, detector, published="2024-02-15")
    assert art.published == datetime(2024, 2, 15)


def test_impossible_published_falls_back_to_the_dateline(detector: LanguageDetector) -> None:
    assert run(PAGE, detector, published="31 Feb 2024").published == datetime(2024, 2, 14, 17, 25)
    assert run("Just one sentence about a march.", detector, published="31 Feb 2024").published is None


def test_hash_ignores_junk_whitespace_and_title_repeats(detector: LanguageDetector) -> None:
    other_scrape = PAGE.replace(SPRITE, "Menu\nSearch\nSign in").replace("Share this story", "Follow us")
    other_scrape = other_scrape.replace("halting lorries", "halting   lorries").replace("\n\n", "\n\n\n")
    other_scrape = other_scrape.replace(
        "Dock workers block port gates in Constanța\n",
        "Dock workers block port gates in Constanța\nDock workers block port gates in Constanța\n",
    )
    first, second = run(PAGE, detector), run(other_scrape, detector)
    assert first.content_hash == second.content_hash
    edited = run(PAGE.replace("six hours", "seven hours"), detector)
    assert edited.content_hash != first.content_hash


def test_mojibake_is_repaired_and_offsets_point_into_final_text(detector: LanguageDetector) -> None:
    text = (
        "Strike ends in BrnoÂ \n\nâ€œWe wonâ€™t give up,â€\x9d said a driver.\n\nBuses ran again on Monday."
    )
    art = run(text, detector)
    assert "“We won’t give up,” said a driver." in art.text
    for start, end in art.paragraphs:
        assert art.text[start:end] == art.text[start:end].strip() and art.text[start:end]
    assert [art.text[s:e] for s, e in art.paragraphs][1] == "“We won’t give up,” said a driver."


def test_single_newline_paragraphs_and_hard_wrapped_text(detector: LanguageDetector) -> None:
    one_per_line = (
        "Taxi drivers protest in Tbilisi\n"
        "Hundreds of taxi drivers parked their cars along Rustaveli Avenue on Monday to protest against new fees.\n"
        "The city council said the fees would be reviewed next month.\n"
    )
    art = run(one_per_line, detector)
    assert art.title == "Taxi drivers protest in Tbilisi"
    assert len(art.paragraphs) == 3
    wrapped = (
        "Taxi drivers protest in Tbilisi\n\n"
        "Hundreds of taxi drivers parked their cars along Rustaveli Avenue\n"
        "on Monday to protest against new fees. The city council said the\n"
        "fees would be reviewed next month.\n"
    )
    art = run(wrapped, detector)
    assert [art.text[s:e] for s, e in art.paragraphs][1] == (
        "Hundreds of taxi drivers parked their cars along Rustaveli Avenue on Monday to protest against new "
        "fees. The city council said the fees would be reviewed next month."
    )


def test_times_of_india_style_text(detector: LanguageDetector) -> None:
    text = (
        "This story is from April 2, 2003\n\n"
        "surat: a mob set fire to two handcarts near the railway station on tuesday night, police said. "
        "five persons were detained.  read this story in... Â Â gujarati  the situation was under control."
    )
    art = run(text, detector)
    assert art.published == datetime(2003, 4, 2)
    assert art.dateline_place == "surat"
    assert art.title is None and art.language == "en"
    assert "read this story" not in art.text and "Â" not in art.text
    assert art.text.startswith("surat: a mob set fire")  # the dateline stays in the text


def test_wire_dateline_in_single_paragraph_copy(detector: LanguageDetector) -> None:
    art = run(
        "KISUMU, May 4 (KNA) - Fishermen blocked the pier on Friday to protest against a ban.", detector
    )
    assert art.dateline_place == "kisumu" and art.title is None and len(art.paragraphs) == 1


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hunderte Menschen demonstrierten am Samstag in Leipzig gegen höhere Mieten.", "de"),
        ("Des centaines de manifestants ont défilé samedi à Lyon contre la réforme.", "fr"),
        ("Cientos de personas protestaron el martes en Valencia contra los recortes.", "es"),
        ("police arrested over forty workers when they tried to block the highway near the bridge.", "en"),
    ],
)
def test_language_of_short_paragraphs(detector: LanguageDetector, text: str, language: str) -> None:
    assert run(text, detector).language == language


def test_text_is_cut_at_max_text_chars(detector: LanguageDetector) -> None:
    body = "\n\n".join(f"Paragraph {i} tells of the march through the old town." for i in range(100))
    result = clean(RawDocument("long", text=body), Settings(max_text_chars=500), detector=detector)
    assert isinstance(result, Article)
    assert len(result.text) <= 500
    assert result.paragraphs[-1][1] == len(result.text)
    assert all(result.text[s:e].startswith("Paragraph") for s, e in result.paragraphs)


@pytest.mark.parametrize(
    "text", ["", "   \n\n ", f"{SPRITE}\nTop stories\nShare this story\n5 Jan, 2022 08:44"]
)
def test_nothing_left_is_rejected(detector: LanguageDetector, text: str) -> None:
    result = clean(RawDocument("empty", text=text, origin="x.txt"), SETTINGS, detector=detector)
    assert result == Rejected("empty", "x.txt", "no text after cleaning")


HTML = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Nurses rally outside Cluj hospital | The Transylvania Ledger</title>
<meta name="description" content="Staff shortages have left wards closed for weeks">
<meta property="og:site_name" content="The Transylvania Ledger">
<meta property="article:published_time" content="2024-06-11T08:00:00+03:00">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a> <a href="/login">Sign in</a></nav>
<article><h1>Nurses rally outside Cluj hospital</h1>
<p>Staff shortages have left wards closed for weeks</p>
<p>About 300 nurses rallied outside the county hospital in Cluj-Napoca on Monday, calling for more staff.</p>
<p>The hospital director met a delegation and promised to publish a hiring plan by the end of the month.</p>
</article>
<footer><p>© 2024 The Transylvania Ledger. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>"""


def test_html_page(detector: LanguageDetector) -> None:
    result = clean(
        RawDocument("h", html=HTML, url="https://ledger.example/nurses"), SETTINGS, detector=detector
    )
    assert isinstance(result, Article)
    assert result.title == "Nurses rally outside Cluj hospital"
    assert result.standfirst == "Staff shortages have left wards closed for weeks"
    assert result.outlet == "The Transylvania Ledger"
    assert result.published is not None and result.published.date().isoformat() == "2024-06-11"
    assert result.url == "https://ledger.example/nurses"
    body = [result.text[s:e] for s, e in result.paragraphs][2:]
    assert body[0].startswith("About 300 nurses") and body[1].startswith("The hospital director")
    assert "Sign in" not in result.text and "©" not in result.text


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        (
            "<html><head><title>x</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
            "no article",
        ),
        ("<html><body>" + "<div>" * 5000 + "deep" + "</div>" * 5000 + "</body></html>", "nested"),
        ("<html><body>" + "<span>a</span>" * 250_000 + "</body></html>", "elements"),
    ],
)
def test_hostile_or_empty_html_is_rejected_with_reason(
    detector: LanguageDetector, html: str, reason: str
) -> None:
    result = clean(RawDocument("bad", html=html, origin="bad.html"), SETTINGS, detector=detector)
    assert isinstance(result, Rejected) and reason in result.reason


def test_nesting_and_size_limits_are_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page guards count in libxml2: a page at each limit is read, one element past it is refused."""
    import tocsin.clean.html as html

    text = "<p>Nurses marched through the town centre on Tuesday to demand unpaid allowances.</p>"

    def nested(levels: int) -> str:  # <html> and <body> are levels 1-2, <p> the deepest
        return "<html><body>" + "<div>" * (levels - 3) + text + "</div>" * (levels - 3) + "</body></html>"

    assert "Nurses marched" in html.extract_html(nested(html.MAX_NESTING)).text
    with pytest.raises(html.HtmlError, match="nested"):
        html.extract_html(nested(html.MAX_NESTING + 1))

    def sized(elements: int) -> str:  # html, head, title, body, p and a comment besides the spans
        return "<html><head><title>t</title></head><body>" + text + "<!-- c -->" + "<span>a</span>" * (elements - 6) + "</body></html>"

    monkeypatch.setattr(html, "MAX_TREE_SIZE", 60)
    assert "Nurses marched" in html.extract_html(sized(60)).text
    with pytest.raises(html.HtmlError, match="61 elements"):
        html.extract_html(sized(61))


def test_huge_attribute_does_not_crash(detector: LanguageDetector) -> None:
    html = f'<html><body><div data-x="{"a" * 1_000_000}"><p>Workers gathered at the gate at dawn.</p></div></body></html>'
    result = clean(RawDocument("attr", html=html), SETTINGS, detector=detector)
    assert isinstance(result, (Article, Rejected))
    if isinstance(result, Article):
        assert "Workers gathered" in result.text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list("abcXYZ .,:;!?-'\"“”â€™Â\u00a0\t0123459icon")), max_size=90),
        max_size=12,
    ),
    st.sampled_from(["\n", "\n\n", "\r\n", "\n \n"]),
)
def test_any_text_gives_consistent_offsets_or_a_reason(
    detector: LanguageDetector, lines: list[str], sep: str
) -> None:
    result = clean(RawDocument("p", text=sep.join(lines)), SETTINGS, detector=detector)
    if isinstance(result, Rejected):
        assert result.reason == "no text after cleaning"
        return
    blocks = [result.text[s:e] for s, e in result.paragraphs]
    assert result.text == "\n\n".join(blocks)
    assert all(b and b == b.strip() and "\n" not in b for b in blocks)
    assert len(result.text) <= SETTINGS.max_text_chars
