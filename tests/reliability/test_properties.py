"""Property-based tests (Hypothesis) of the parsers that read untrusted text: numbers, dates, input
records, and a fuzzing harness for the cleaning stage.

Each property holds for *any* input Hypothesis can build, not for a list of examples: parsers never
raise, offsets always point into the text they came from, figures stay plausible, and no event
date falls after publication. Example counts are kept small enough for the default suite; set
``TOCSIN_FUZZ_EXAMPLES=10000`` for a long run.
"""

from __future__ import annotations

import io
import os
import string
from datetime import date, timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tocsin.clean import clean
from tocsin.extract.dates import MONTHS, WEEKDAYS, find_dates
from tocsin.extract.numbers import MAX_PLAUSIBLE, extract_counts, find_quantities, word_to_int
from tocsin.ingest.fields import RecordError, has_surrogates, to_document
from tocsin.ingest.files import iter_csv, iter_jsonl
from tocsin.records import Article, RawDocument, Rejected
from tocsin.settings import Settings

# Examples per property: small for the default suite; TOCSIN_FUZZ_EXAMPLES=10000 for a long fuzzing run.
EXAMPLES = int(os.environ.get("TOCSIN_FUZZ_EXAMPLES", "150"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like news: words, numbers, punctuation, hedges and odd characters mixed.
NEWS_WORDS = (
    "protesters", "marched", "some", "about", "between", "and", "more", "than", "nearly", "thousand",
    "hundred", "million", "lakh", "dozens", "several", "killed", "injured", "arrested", "police", "on",
    "Monday", "last", "week", "yesterday", "in", "March", "Feb", "31", "29", "2024", "1999", "10^20",
    "1e30", "-", "–", ",", ".", "a", "crowd", "of", "people", "were", "strong", "at", "least", "up", "to",
)  # fmt: skip
news_text = st.lists(
    st.one_of(
        st.sampled_from(NEWS_WORDS),
        st.integers(min_value=0, max_value=10**30).map(str),
        st.integers(min_value=0, max_value=10**12).map(lambda n: f"{n:,}"),
        st.text(max_size=8),
    ),
    max_size=40,
).map(" ".join)
any_text = st.one_of(news_text, st.text(max_size=300))
published = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


# -- numbers ---------------------------------------------------------------------------------------


def _plausible(v: int | None) -> bool:
    return v is None or 0 <= v <= MAX_PLAUSIBLE


@PROPERTY
@given(any_text)
def test_quantities_never_raise_and_stay_in_the_text(text: str) -> None:
    for q in find_quantities(text):
        assert 0 <= q.start < q.end <= len(text)
        assert _plausible(q.low) and _plausible(q.high)
        if q.low is not None and q.high is not None:
            assert q.low <= q.high


@PROPERTY
@given(any_text)
def test_counts_are_plausible_for_any_sentence(text: str) -> None:
    c = extract_counts(text)
    for v in (c.crowd_size_low, c.crowd_size_high, c.fatalities, c.injuries, c.arrests):
        assert _plausible(v)
    if c.crowd_size_low is not None and c.crowd_size_high is not None:
        assert c.crowd_size_low <= c.crowd_size_high


@PROPERTY
@given(st.integers(min_value=1, max_value=10**25))
def test_digits_read_back_or_are_refused_when_absurd(n: int) -> None:
    for written in (str(n), f"{n:,}"):
        assert word_to_int(written) == (n if n <= MAX_PLAUSIBLE else None)


@PROPERTY
@given(st.integers(min_value=3, max_value=10**25), st.sampled_from(["protesters", "demonstrators", "farmers"]))
def test_a_crowd_figure_is_read_exactly_or_not_at_all(n: int, noun: str) -> None:
    c = extract_counts(f"Police said {n:,} {noun} marched to the ministry on Monday.")
    expected = (n, n) if n <= MAX_PLAUSIBLE else (None, None)
    assert (c.crowd_size_low, c.crowd_size_high) == expected


@PROPERTY
@given(st.integers(min_value=3, max_value=MAX_PLAUSIBLE), st.integers(min_value=1, max_value=MAX_PLAUSIBLE))
def test_between_a_and_b(a: int, gap: int) -> None:
    b = a + gap
    assume(b <= MAX_PLAUSIBLE)
    c = extract_counts(f"Between {a:,} and {b:,} protesters gathered in the square.")
    assert (c.crowd_size_low, c.crowd_size_high) == (a, b)


_ONES = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")  # fmt: skip
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def spell(n: int) -> str:
    """English words for 1 <= n < 1,000,000 ("three hundred and twenty-five thousand ...")."""
    if n >= 1000:
        head, rest = divmod(n, 1000)
        return f"{spell(head)} thousand" + (f" {spell(rest)}" if rest else "")
    if n >= 100:
        head, rest = divmod(n, 100)
        return f"{_ONES[head]} hundred" + (f" and {spell(rest)}" if rest else "")
    if n >= 20:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    return _ONES[n]


@PROPERTY
@given(st.integers(min_value=1, max_value=999_999))
def test_number_words_read_back(n: int) -> None:
    assert word_to_int(spell(n)) == n


# -- dates -----------------------------------------------------------------------------------------


@PROPERTY
@given(any_text, st.one_of(st.none(), published))
def test_dates_never_raise_never_after_publication_and_point_into_the_text(text: str, pub: date | None) -> None:
    for t in find_dates(text, pub):
        assert 0 <= t.start < t.end <= len(text) and text[t.start : t.end] == t.text
        assert t.precision in (1, 2, 3)
        if pub is not None:
            assert t.value <= pub
        else:
            assert any(ch.isdigit() for ch in t.text)  # without publication only dated years resolve


@PROPERTY
@given(published, st.integers(min_value=0, max_value=400))
def test_an_explicit_past_date_is_read_exactly(pub: date, back: int) -> None:
    day = pub - timedelta(days=back)
    assume(day.year >= 1900)
    text = f"Protesters marched on {day.day} {MONTHS[day.month - 1].capitalize()} {day.year}, police said."
    found = [(t.value, t.precision) for t in find_dates(text, pub)]
    assert found == [(day, 1)]


@PROPERTY
@given(published, st.sampled_from(WEEKDAYS), st.sampled_from(["on ", "last ", ""]))
def test_a_weekday_is_the_most_recent_on_or_before_publication(pub: date, weekday: str, prefix: str) -> None:
    [t] = find_dates(f"Crowds gathered {prefix}{weekday.capitalize()} outside the town hall.", pub)
    assert t.value.weekday() == WEEKDAYS.index(weekday)
    latest = 7 if prefix == "last " else 6
    assert pub - timedelta(days=latest) <= t.value <= pub


@PROPERTY
@given(published, st.integers(min_value=29, max_value=99), st.sampled_from(["Feb", "February", "April", "June"]))
def test_impossible_days_are_not_dates(pub: date, day: int, month: str) -> None:
    assume(not (day in (29, 30) and month in ("April", "June")))
    assume(not (day == 29 and month.startswith("Feb")))
    assert [t for t in find_dates(f"The march on {day} {month} was peaceful.", pub) if t.precision == 1] == []


# -- records ---------------------------------------------------------------------------------------

json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=50))
json_value = st.recursive(json_scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(max_size=5), inner, max_size=3), max_leaves=8)  # fmt: skip
record_keys = st.sampled_from(["id", "doc_id", "text", "body", "html", "url", "published", "date", "title",
                               "source", "outlet", "other"])  # fmt: skip


@PROPERTY
@given(st.dictionaries(record_keys, json_value, max_size=8))
def test_any_record_becomes_a_document_or_a_record_error(record: dict) -> None:
    try:
        doc = to_document(record, "prop")
    except RecordError as err:
        assert str(err)
        return
    assert doc.doc_id and (doc.text or doc.html)
    for value in (doc.doc_id, doc.text, doc.html, doc.url, doc.published, doc.title, doc.outlet):
        assert value is None or not has_surrogates(value)
    if isinstance(record.get("id"), str) and record["id"].strip() and not has_surrogates(record["id"]):
        assert doc.doc_id == record["id"].strip()


@PROPERTY
@given(st.lists(st.binary(max_size=120), max_size=12))
def test_any_jsonl_bytes_give_one_item_per_non_blank_line(lines: list[bytes]) -> None:
    lines = [b.replace(b"\n", b" ").replace(b"\r", b" ") for b in lines]
    data = b"\n".join(lines)
    items = list(iter_jsonl(io.BytesIO(data), "p", "p.jsonl", 10_000))
    non_blank = [b for i, b in enumerate(lines) if (b[3:] if i == 0 and b.startswith(b"\xef\xbb\xbf") else b).strip()]
    assert len(items) == len(non_blank)
    assert all(isinstance(i, RawDocument | Rejected) for i in items)
    assert all(i.reason for i in items if isinstance(i, Rejected))


@PROPERTY
@given(st.binary(max_size=600))
def test_any_csv_bytes_never_raise(data: bytes) -> None:
    for item in iter_csv(io.BytesIO(b"id,text\n" + data), "p", "p.csv", 10_000):
        assert isinstance(item, RawDocument | Rejected)
        if isinstance(item, RawDocument):
            assert item.text or item.html


# -- the cleaning stage (fuzzing harness) ----------------------------------------------------------

CLEAN_SETTINGS = Settings(max_text_chars=2_000)
lines = st.lists(
    st.one_of(news_text, st.text(max_size=120), st.sampled_from(["", " ", "Share this story", "icon facebook",
              "5 Jan, 2022 08:44", "NAIROBI, Kenya (AP) —", "READ MORE", "\u00a0", "\t"])), max_size=30,
).map("\n".join)  # fmt: skip
TAGS = ("p", "div", "article", "h1", "span", "script", "style", "a", "li", "title", "br", "b", "meta", "!--")
html_doc = st.lists(
    st.one_of(st.sampled_from(TAGS).map(lambda t: f"<{t}>"), st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
              news_text, st.text(alphabet=string.printable, max_size=30)), max_size=60,
).map(lambda parts: "<html><body>" + "".join(parts))  # fmt: skip


def _check_article(result: Article | Rejected, raw: RawDocument) -> None:
    if isinstance(result, Rejected):
        assert result.doc_id == raw.doc_id and result.reason
        return
    text, spans = result.text, result.paragraphs
    assert spans and len(text) <= CLEAN_SETTINGS.max_text_chars
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (s, e), nxt in zip(spans, (*spans[1:], None), strict=True):
        assert 0 <= s < e <= len(text)
        assert text[s:e] == text[s:e].strip() and text[s:e]
        if nxt is not None:
            assert text[e : nxt[0]] == "\n\n"


@PROPERTY
@given(lines, st.one_of(st.none(), st.text(max_size=40)), st.one_of(st.none(), st.text(max_size=30)))
def test_clean_never_raises_and_paragraph_offsets_are_valid(text: str, title: str | None, pub: str | None) -> None:
    raw = RawDocument("fuzz", text=text, title=title, published=pub)
    _check_article(clean(raw, CLEAN_SETTINGS), raw)


@settings(PROPERTY, max_examples=max(1, EXAMPLES // 3))
@given(html_doc)
def test_clean_never_raises_on_html(html: str) -> None:
    raw = RawDocument("fuzz", html=html)
    _check_article(clean(raw, CLEAN_SETTINGS), raw)
