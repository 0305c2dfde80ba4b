"""Temporal expressions in news sentences, resolved against the publication date.

dateparser is used for explicit calendar dates only: for weekday names it picks the *previous* week when
the publication day is that weekday (wrong for news, where "on Wednesday" in a Wednesday paper means the
same day), and it gives nothing for "earlier this week" (see ../shared/DESIGN.md). Relative expressions
are therefore resolved here: a weekday is the most recent such day on or before publication.

``time_precision`` follows ACLED: 1 exact day, 2 only the week is known (middle day), 3 only the month
(the 15th).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
_MONTH_RE = (
    r"(?:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|aug(?:ust|\.)?"
    r"|sep(?:t(?:ember)?|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)"
)
_DAY_RE = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR_RE = r"(?:19|20)\d\d"

# Ordered: longer, more specific expressions first. Each maps to a resolver kind.
_PATTERNS: list[tuple[str, str]] = [
    ("explicit", rf"\b{_DAY_RE}\s+{_MONTH_RE}\b,?(?:\s+{_YEAR_RE}\b)?"),
    # "March 5" but not "March 2002" nor "in march, police ..." (a month with no day is "month")
    ("explicit", rf"\b{_MONTH_RE}\s+{_DAY_RE}\b(?!\s*(?:,\s*)?(?:per\s?cent|%|people|persons|protesters))"
                 rf"(?:,?\s+{_YEAR_RE}\b)?"),
    ("month", rf"\b(?:in|since|during|early|late|mid-?)\s+{_MONTH_RE}(?:,?\s+{_YEAR_RE})?\b"),
    ("weekday", r"\b(?:last\s+|this\s+|on\s+|by\s+|late\s+|early\s+)?"
                r"(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"),
    ("yesterday", r"\b(?:yesterday|last\s+night|the\s+previous\s+day|a\s+day\s+earlier)\b"),
    ("today", r"\b(?:today|this\s+morning|this\s+afternoon|this\s+evening|tonight|earlier\s+today"
              r"|early\s+in\s+the\s+day|earlier\s+in\s+the\s+day|on\s+the\s+same\s+day"
              r"|at\s+the\s+moment|at\s+present|right\s+now|as\s+we\s+speak)\b"),
    ("this_week", r"\b(?:earlier\s+this\s+week|this\s+week)\b"),
    ("last_week", r"\blast\s+week\b"),
]
_COMPILED = [(kind, re.compile(rx, re.IGNORECASE)) for kind, rx in _PATTERNS]


@dataclass(frozen=True, slots=True)
class TimeExpression:
    start: int  # offsets into the text that was searched
    end: int
    text: str
    value: date
    precision: int  # 1 day, 2 week, 3 month


def find_dates(text: str, published: date | None) -> tuple[TimeExpression, ...]:
    """All resolvable time expressions in ``text``, sorted by position, none after ``published``.

    Without a publication date only expressions that carry a year can be resolved.
    """
    found: list[TimeExpression] = []
    taken: list[tuple[int, int]] = []
    for kind, rx in _COMPILED:
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            resolved = _resolve(kind, m.group(0), published)
            if resolved is None:
                continue
            value, precision = resolved
            taken.append((m.start(), m.end()))
            found.append(TimeExpression(m.start(), m.end(), m.group(0), value, precision))
    return tuple(sorted(found, key=lambda t: t.start))


_DAY_KINDS = ("weekday", "yesterday", "today")


def names_day(text: str) -> bool:
    """Whether ``text`` names a single day relative to publication ("on Monday", "yesterday", "today").

    Without a publication date such a day cannot be resolved (find_dates leaves it out), yet it still
    says the sentence reports one dated episode, not a general statement.
    """
    return any(rx.search(text) for kind, rx in _COMPILED if kind in _DAY_KINDS)


def _resolve(kind: str, expr: str, published: date | None) -> tuple[date, int] | None:
    low = expr.lower()
    if kind == "explicit":
        return _explicit(low, published)
    if kind == "month":
        return _month(low, published)
    if published is None:
        return None
    if kind == "weekday":
        return _weekday(low, published), 1
    if kind == "yesterday":
        return published - timedelta(days=1), 1
    if kind == "today":
        return published, 1
    if kind == "this_week":
        monday = published - timedelta(days=published.weekday())
        return min(published, monday + timedelta(days=3)), 2
    if kind == "last_week":
        monday = published - timedelta(days=published.weekday() + 7)
        return monday + timedelta(days=3), 2
    raise ValueError(f"unknown time expression kind {kind!r}")


def _weekday(low: str, published: date) -> date:
    name = next(w for w in WEEKDAYS if w[:3] in low.replace("tues", "tue").replace("thurs", "thu"))
    target = WEEKDAYS.index(name)
    back = (published.weekday() - target) % 7
    if low.startswith("last ") and back == 0:
        back = 7
    return published - timedelta(days=back)


def _explicit(low: str, published: date | None) -> tuple[date, int] | None:
    parsed = _parse_calendar(low.replace(",", " "), published)
    if parsed is None:
        return None
    has_year = re.search(_YEAR_RE, low) is not None
    if published is not None and not has_year and parsed > published:
        # "on December 30" in a January paper is last year's
        try:
            parsed = parsed.replace(year=parsed.year - 1)
        except ValueError:  # 29 February
            return None
    if published is None and not has_year:
        return None
    if published is not None and parsed > published:
        return None  # never date an event after its publication
    return parsed, 1


def _month(low: str, published: date | None) -> tuple[date, int] | None:
    m = re.search(_MONTH_RE, low)
    y = re.search(_YEAR_RE, low)
    if m is None:
        return None
    month = _MONTH_ABBR.get(m.group(0).rstrip(".")[:4] if m.group(0).startswith("sept") else m.group(0)[:3])
    if month is None:
        return None
    if y is not None:
        year = int(y.group(0))
    elif published is not None:
        year = published.year if month <= published.month else published.year - 1
    else:
        return None
    value = date(year, month, 15)
    if published is not None and value > published:
        if value.replace(day=1) > published:
            return None
        value = published  # "in March" in a March paper: no later than publication
    return value, 3


@lru_cache(maxsize=4096)
def _parse_calendar(expr: str, published: date | None) -> date | None:
    import dateparser  # imported lazily: loading its language data is slow

    settings: dict[str, object] = {"PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["month", "day"]}
    if published is not None:
        from datetime import datetime

        settings["RELATIVE_BASE"] = datetime(published.year, published.month, published.day, 23, 59)
    try:
        parsed = dateparser.parse(expr, languages=["en"], settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed.date() if parsed else None
