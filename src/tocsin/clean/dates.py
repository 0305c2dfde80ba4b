"""Publication dates: from the record's ``published`` value, or from a date line in the text.

Dates are returned as naive datetimes in the time zone they were written in (a "+06:00" offset
is dropped, not converted): an article's wall-clock date is the one relative dates ("on Tuesday",
"yesterday") count from, and events are dated where they happened.
"""

from __future__ import annotations

import re
from datetime import datetime

# dateparser settings for explicit dates. A day, month and year are all required: "March 2022"
# is not a publication day, and dateparser would otherwise fill gaps from today's date.
_DATEPARSER_SETTINGS = {
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "REQUIRE_PARTS": ["year", "month", "day"],
    "PREFER_DATES_FROM": "past",
}

# Languages tried for free-text ``published`` values. Letting dateparser try all of its ~200
# languages costs 4 s for each value it cannot parse; this list costs ~10 ms (0.8 s once).
PUBLISHED_LANGUAGES = ["en", "fr", "es", "de", "pt", "it", "nl", "ru", "tr", "id", "ar", "hi"]

# Longest date line we try to parse ("Last updated: Wednesday, 5 January 2022, 08:44 GMT+6" is 54).
MAX_DATE_LINE_CHARS = 70

_MONTHS = (
    "jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|"
    "oct|october|nov|november|dec|december"
)
_WEEKDAYS = (
    "mon|monday|tue|tues|tuesday|wed|wednesday|thu|thur|thurs|thursday|fri|friday|sat|saturday|sun|sunday"
)
_TIMEZONES = (
    "gmt|utc|ist|est|edt|cst|cdt|pst|pdt|cet|cest|eet|eest|msk|bst|"
    "sast|wat|eat|aest|aedt|jst|hkt|sgt|pkt|almt"
)
_DATE_TOKEN = re.compile(
    rf"^(?:\d{{1,4}}(?:[./:-]\d{{1,4}}){{0,2}}(?:st|nd|rd|th)?|{_MONTHS}|{_WEEKDAYS}|{_TIMEZONES}|"
    rf"a\.?m\.?|p\.?m\.?|at|on|of|the|hrs|[+-]\d{{2}}:?\d{{2}}|(?:gmt|utc)[+-]\d{{1,2}}(?::?\d{{2}})?)$"
)
# Words that introduce a date line; removed before parsing.
DATE_PREFIX = re.compile(
    r"^(?:this story is from|(?:first |last )?(?:published|updated|posted|modified)(?: on| at)?|dated?)"
    r"\s*[:\-]?\s*",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
# "This story is from March 1, 2002" in Times of India text, as a line or before the dateline.
STORY_FROM = re.compile(
    rf"^this story is from ((?:{_MONTHS})\.? \d{{1,2}}, (?:1[89]|20)\d\d)\b\s*", re.IGNORECASE
)
# " date 2022-01-07 " before some scraped pages' text (a web-page corpus's metadata prefix).
DATE_META_PREFIX = re.compile(r"^\s*date (\d{4}-\d{2}-\d{2})\s+")
_DOTTED = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b")


def parse_published(value: str | None) -> datetime | None:
    """``published`` as given (ISO date/datetime, RFC 822, a Unix time or free text) → datetime.

    Never raises: impossible dates ("31 Feb 2022") and unparseable text give None.
    """
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        pass
    if not any(c.isdigit() for c in value):
        return None  # "yesterday" or "last spring" would be resolved against today's date
    return _dateparser(value, PUBLISHED_LANGUAGES)


def date_line(line: str) -> datetime | None:
    """The datetime of a line that is only a date ("5 Jan, 2022 08:44", "Published January 07,2022")."""
    if len(line) > MAX_DATE_LINE_CHARS or not _YEAR.search(line):
        return None
    body = DATE_PREFIX.sub("", line.strip())
    tokens = [t for t in re.split(r"[\s,|·•()]+", body.lower()) if t]
    if not tokens or not all(_DATE_TOKEN.match(t) for t in tokens):
        return None
    if not any(t.isalpha() and len(t) >= 3 and re.fullmatch(_MONTHS, t) for t in tokens) and not re.search(
        r"\d[./-]\d", body
    ):
        return None
    return (
        parse_published(body)
        if re.fullmatch(r"\d{4}-\d\d-\d\d(?:[ T][\d:]+)?", body)
        else _dateparser(body, ["en"])
    )


def _dateparser(value: str, languages: list[str] | None) -> datetime | None:
    import dateparser  # imported lazily: its language data loads on first use

    settings = dict(_DATEPARSER_SETTINGS)
    if _DOTTED.search(value):
        settings["DATE_ORDER"] = "DMY"  # 13.01.2022: dotted dates are day-first wherever they are used
    try:
        parsed = dateparser.parse(value, languages=languages, settings=settings)
    except (ValueError, OverflowError, TypeError, re.error):
        return None
    if parsed is None or not 1800 <= parsed.year <= 2200:
        return None
    return parsed.replace(tzinfo=None)
