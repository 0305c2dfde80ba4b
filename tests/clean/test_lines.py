"""Line classification and normalisation, on lines written for these tests."""

from __future__ import annotations

import pytest

from tocsin.clean.dates import date_line, parse_published
from tocsin.clean.lines import junk_reason, normalise
from tocsin.clean.wire import dateline_place

SPRITE = (
    "icon arrowicon bellicon caret upicon caret downicon closeicon envelopeicon facebookicon globeicon "
    "heart filledicon linkicon menuicon playicon printicon searchicon shareicon usericon xicon fm"
)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (SPRITE, "icon sprite"),
        ("Top stories", "navigation"),
        ("READ MORE", "link to another story"),
        ("Subscribe to our newsletter", "navigation"),
        ("Follow us on Telegram", "navigation"),
        ("Share this story", "navigation"),
        ("Home | News | Sport | Business | Contact", "breadcrumb"),
        ("HomeWorld & Africa", "breadcrumb"),
        ("Home > Regions > North", "breadcrumb"),
        ("Related: Dock strike enters second week", "link to another story"),
        ("Also on example.org Farmers block motorway with tractors (VIDEO)", "link to another story"),
        ("We use cookies to give you a better experience. Click Accept to continue.", "cookie banner"),
        ("Comments are closed.", "boilerplate"),
        ("© 2025 The Harbour Gazette", "boilerplate"),
        ("By Jana Novak", "byline or credit"),
        ("=======", "no words"),
    ],
)
def test_junk_lines(line: str, reason: str) -> None:
    assert junk_reason(normalise(line)) == reason


@pytest.mark.parametrize(
    "line",
    [
        "More protests to follow",  # a headline with menu words but not made of them
        "Police fired tear gas at the crowd.",
        "Share prices fell after the strike was announced.",  # a sentence is prose whatever its words
        "Follow-up talks between the union and the ministry were held on Friday.",
        "Thousands march in Ruse over unpaid wages",
        "Riots erupt",
        "A video shared on social media showed police chasing protesters.",
    ],
)
def test_article_lines_are_kept(line: str) -> None:
    assert junk_reason(line) is None


def test_normalise_repairs_mojibake_and_whitespace() -> None:
    broken = "â€œWe will not leave,â€\x9d said a striker.\u00a0\u00a0 The  march\tcontinued.\r\nNext line  "
    assert normalise(broken) == "“We will not leave,” said a striker. The march continued.\nNext line"


def test_normalise_leaves_real_text_alone() -> None:
    text = "Die Polizei löste die Versammlung in Köln auf. “Quoted” text — and naïve café."
    assert normalise(text) == text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("5 Jan, 2022 08:44", "2022-01-05T08:44:00"),
        ("3 Mar, 2025 09:10", "2025-03-03T09:10:00"),
        ("Published: 7 March 2025", "2025-03-07T00:00:00"),
        ("Published January 07,2022", "2022-01-07T00:00:00"),
        ("13.01.2022, 10:43", "2022-01-13T10:43:00"),
        ("02.03.2024", "2024-03-02T00:00:00"),  # dotted dates are day first
        ("Updated: Tuesday, 4 March 2025 14:05 GMT", "2025-03-04T14:05:00"),
        ("This story is from March 10, 2002", "2002-03-10T00:00:00"),
    ],
)
def test_date_lines(line: str, expected: str) -> None:
    parsed = date_line(line)
    assert parsed is not None and parsed.isoformat() == expected


@pytest.mark.parametrize(
    "line",
    [
        "Police arrested 12 people on 5 Jan, 2022 in the city centre.",  # a sentence, not a date line
        "5 Jan 08:44",  # no year: would be guessed from today
        "31 Feb, 2022 10:00",  # impossible
        "Top stories",
    ],
)
def test_not_date_lines(line: str) -> None:
    assert date_line(line) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-01-05", "2022-01-05T00:00:00"),
        ("2022-01-05T08:44:00+06:00", "2022-01-05T08:44:00"),  # wall-clock time kept, offset dropped
        ("2022-01-05T02:44:00Z", "2022-01-05T02:44:00"),
        ("Wed, 05 Jan 2022 08:44:00 +0600", "2022-01-05T08:44:00"),
        ("January 5, 2022", "2022-01-05T00:00:00"),
        ("5 janvier 2022", "2022-01-05T00:00:00"),
    ],
)
def test_parse_published(value: str, expected: str) -> None:
    parsed = parse_published(value)
    assert parsed is not None and parsed.isoformat() == expected


@pytest.mark.parametrize(
    "value", ["31 Feb 2022", "2022-02-31", "sometime last spring", "", "   ", "March 2022"]
)
def test_parse_published_never_crashes(value: str) -> None:
    assert parse_published(value) is None


@pytest.mark.parametrize(
    ("paragraph", "place"),
    [
        ("AHMEDABAD: two persons were stabbed in the old city on thursday.", "ahmedabad"),
        ("ahmedabad: two persons were stabbed in the old city on thursday.", "ahmedabad"),
        ("surat/vadodara: stray incidents of stone-pelting were reported.", "surat"),
        ("kudatini (bellary): the rally was held on saturday.", "kudatini"),
        ("new delhi : the minister said on friday.", "new delhi"),
        ("JOHANNESBURG, March 3 (Sapa) - Residents barricaded roads.", "johannesburg"),
        ("NEW DELHI (Reuters) - Farmers marched on parliament.", "new delhi"),
        ("PORT LOUIS, June 2 (AFP) -- Dockers went on strike.", "port louis"),
        ("Pune, March 3 (PTI): Students staged a protest.", "pune"),
        ("Strike update Anna Berg OSLO, May 14 (NTB) -- Bus drivers walked out.", "oslo"),
    ],
)
def test_wire_datelines(paragraph: str, place: str) -> None:
    assert dateline_place(paragraph) == place


@pytest.mark.parametrize(
    "paragraph",
    [
        "Police said: the crowd dispersed peacefully.",
        "The protesters, many of them students, gathered at noon.",
        "BREAKING: protesters enter the ministry.",
        "police said: the crowd had dispersed by evening.",
    ],
)
def test_not_wire_datelines(paragraph: str) -> None:
    assert dateline_place(paragraph) is None
