"""Clean: RawDocument → Article (title, standfirst, paragraphs, date, language, hash) or Rejected.

The steps, in order:
  1. HTML → main text and metadata (trafilatura); plain text is taken as it is;
  2. normalise: mojibake repaired (ftfy), whitespace unified, lines stripped;
  3. classify lines: junk (navigation, icon sprites, cookie banners, credits) and repeated lines
     dropped; date lines ("5 Jan, 2022 08:44") read as the publication date and dropped;
  4. join hard-wrapped lines; each remaining line is a paragraph;
  5. title (first short line without a final period) and standfirst (a short summary after it);
  6. wire dateline place ("AHMEDABAD:", "NEW DELHI (Reuters) -"), kept in the text;
  7. assemble ``text`` = title, standfirst and paragraphs joined by blank lines, with offsets,
     cut at ``settings.max_text_chars``; content hash, language, publication date.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from tocsin.clean.dates import DATE_META_PREFIX, STORY_FROM, date_line, parse_published
from tocsin.clean.html import Extracted, HtmlError, extract_html
from tocsin.clean.language import LanguageDetector, default_detector
from tocsin.clean.lines import MAX_BOILERPLATE_CHARS, ends_sentence, junk_reason, line_key, normalise
from tocsin.clean.wire import dateline_place
from tocsin.records import Article, RawDocument, Rejected
from tocsin.settings import Settings

__all__ = ["LanguageDetector", "clean", "content_hash", "default_detector"]

# A title is a first line of at most this many characters and this many words, with no final
# period; headlines in the rt.com excerpts and the ScrapingHub titles are under 160 characters.
TITLE_MAX_CHARS = 200
TITLE_MAX_WORDS = 30
# How many lines from the top may be the headline when metadata gives the title separately.
TITLE_SEARCH_LINES = 3
# A standfirst (the summary under a headline) is at most this long; longer is the first paragraph.
STANDFIRST_MAX_CHARS = 320
# Hard-wrapped text (e-mail style, 60-80 characters a line): lines of a wrapped block are at
# least WRAP_MIN_CHARS long but the last, at most WRAP_MAX_CHARS, and at least half of them stop
# mid-sentence. Scraped one-paragraph-a-line text has lines of hundreds of characters.
WRAP_MIN_CHARS = 30
WRAP_MAX_CHARS = 100
WRAP_UNFINISHED_SHARE = 0.5

_TOKEN = re.compile(r"\w+")
_LOWER_START = re.compile(r"^[a-z]")
_ENDS_SENTENCE = ".!?…:;\"'”’)"


@dataclass(slots=True)
class _Unit:
    text: str
    block: int  # index of the blank-line separated block the line came from


def clean(
    raw: RawDocument, settings: Settings, *, detector: LanguageDetector | None = None
) -> Article | Rejected:
    """Clean one document. Pure: the same input gives the same Article.

    ``detector`` should be built once (``LanguageDetector.load()``) and passed by callers that
    clean many documents; without it a per-process default is loaded on first use.
    """
    # 1. HTML → text and metadata
    meta: Extracted | None = None
    if raw.text is not None and raw.text.strip():
        source = raw.text
    elif raw.html is not None and raw.html.strip():
        try:
            meta = extract_html(raw.html, raw.url)
        except HtmlError as err:
            return Rejected(raw.doc_id, raw.origin, str(err))
        source = meta.text
    else:
        return Rejected(raw.doc_id, raw.origin, "no text after cleaning")

    # 2. normalise
    text = normalise(source)
    prefix_date: datetime | None = None
    if match := DATE_META_PREFIX.match(text):
        prefix_date = parse_published(match.group(1))
        text = text[match.end() :]

    # 3. classify lines
    units, text_date = _classify(text)

    # 4. hard-wrapped lines (HTML extraction gives one element a line: nothing to join there)
    if meta is None:
        units = _join_wrapped(units)

    # 5. title and standfirst
    given_title = raw.title or (meta.title if meta else None)
    title = _one_line(given_title) if given_title else None
    if title:
        units, title = _drop_title_lines(units, title)
    elif len(units) > 1 and _looks_like_title(units[0].text):
        title = units.pop(0).text
    standfirst = None
    if title and len(units) > 1 and _looks_like_standfirst(units[0].text, meta):
        standfirst = units.pop(0).text

    # 6. wire dateline
    place = None
    for unit in units[:2]:
        place = dateline_place(unit.text)
        if place:
            break

    # 7. assemble
    body = [u.text for u in units]
    if not body and not standfirst:  # a headline alone is not an article
        reason = "no article text found in HTML" if meta is not None else "no text after cleaning"
        return Rejected(raw.doc_id, raw.origin, reason)
    parts = [p for p in (title, standfirst, *body) if p]
    article_text, spans = _assemble(parts, settings.max_text_chars)
    kept = len(spans)
    n_head = (1 if title else 0) + (1 if standfirst else 0)
    hash_parts = parts[1 if title else 0 : kept] or parts[:kept]
    language_sample = " ".join(parts[min(1 if title else 0, kept - 1) : kept])
    detector = detector or default_detector()
    published = (
        parse_published(raw.published)
        or (parse_published(meta.date) if meta and meta.date else None)
        or text_date
        or prefix_date
    )
    return Article(
        doc_id=raw.doc_id,
        text=article_text,
        paragraphs=spans,
        content_hash=content_hash(hash_parts),
        title=title,
        standfirst=standfirst if standfirst and kept >= n_head else None,
        published=published,
        url=raw.url or (meta.url if meta else None),
        outlet=raw.outlet or (meta.sitename if meta else None),
        language=detector.detect(language_sample),
        origin=raw.origin,
        dateline_place=place,
    )


def content_hash(parts: list[str]) -> str:
    """sha256 of the word tokens of ``parts``, case-folded: blind to whitespace, punctuation, case."""
    tokens = _TOKEN.findall(" ".join(parts).casefold())
    return hashlib.sha256(" ".join(tokens).encode("utf-8")).hexdigest()


def _classify(text: str) -> tuple[list[_Unit], datetime | None]:
    units: list[_Unit] = []
    seen: set[str] = set()
    found_date: datetime | None = None
    block = 0
    # After prose, a navigation heading ("Top stories", "Read more") starts a list of links to other
    # stories: headline-like lines are dropped until the next sentence.
    seen_prose = in_links = False
    for line in text.split("\n"):
        if not line:
            block += 1
            continue
        if match := STORY_FROM.match(line):
            found_date = found_date or parse_published(match.group(1))
            line = line[match.end() :]
            if not line:
                continue
        when = date_line(line)
        if when is not None:
            found_date = found_date or when
            continue
        reason = junk_reason(line)
        if reason:
            in_links = in_links or (seen_prose and reason in ("navigation", "link to another story"))
            continue
        if in_links and len(line) <= MAX_BOILERPLATE_CHARS and not ends_sentence(line):
            continue
        in_links = False
        # A headline printed twice above the story is dropped; lines repeated further down
        # (subheadings, recipe lines in a list) are the page's own.
        if not seen_prose:
            key = line_key(line)
            if key in seen:
                continue
            seen.add(key)
        units.append(_Unit(line, block))
        seen_prose = seen_prose or ends_sentence(line)
    return units, found_date


def _join_wrapped(units: list[_Unit]) -> list[_Unit]:
    """Join lines that are one paragraph hard-wrapped (e-mail style) into one line.

    A block is wrapped when it has several lines, none longer than :data:`WRAP_MAX_CHARS`, all but
    the last at least :data:`WRAP_MIN_CHARS`, and most of them not ending a sentence. Elsewhere a
    line continues the previous one only when it starts in lower case after an unfinished line.
    The document's first line (a headline) is never joined to what follows it.
    """
    blocks: list[list[_Unit]] = []
    for unit in units:
        if blocks and blocks[-1][-1].block == unit.block and unit is not units[1]:
            blocks[-1].append(unit)
        else:
            blocks.append([unit])
    out: list[_Unit] = []
    for block in blocks:
        if _is_wrapped(block):
            out.append(_Unit(" ".join(u.text for u in block), block[0].block))
            continue
        for unit in block:
            prev = out[-1] if out else None
            if (
                prev is not None
                and prev.block == unit.block
                and len(prev.text) >= WRAP_MIN_CHARS
                and prev.text[-1] not in _ENDS_SENTENCE
                and _LOWER_START.match(unit.text)
                and dateline_place(unit.text) is None
            ):
                prev.text = f"{prev.text} {unit.text}"
            else:
                out.append(_Unit(unit.text, unit.block))
    return out


def _is_wrapped(block: list[_Unit]) -> bool:
    if len(block) < 2 or any(len(u.text) > WRAP_MAX_CHARS for u in block):
        return False
    heads = block[:-1]
    if any(len(u.text) < WRAP_MIN_CHARS for u in heads):
        return False
    unfinished = sum(u.text[-1] not in _ENDS_SENTENCE for u in heads)
    return unfinished / len(heads) >= WRAP_UNFINISHED_SHARE


def _drop_title_lines(units: list[_Unit], title: str) -> tuple[list[_Unit], str]:
    """Drop the headline from the text when metadata gives it too.

    Page titles often carry the site name ("Headline | The Blog"): a line near the top that the
    given title starts with is the headline, and its wording (without the site name) is kept.
    """
    key = line_key(title)
    kept = []
    for index, unit in enumerate(units):
        unit_key = line_key(unit.text)
        if unit_key == key:
            continue
        if index < TITLE_SEARCH_LINES and unit_key and key.startswith(unit_key + " ") and len(unit_key) > 10:
            title, key = unit.text, unit_key
            continue
        kept.append(unit)
    return kept, title


def _looks_like_title(line: str) -> bool:
    words = line.split()
    return (
        len(line) <= TITLE_MAX_CHARS
        and 2 <= len(words) <= TITLE_MAX_WORDS
        and line[-1] not in ".,;:"
        and dateline_place(line) is None
    )


def _looks_like_standfirst(line: str, meta: Extracted | None) -> bool:
    if len(line) > STANDFIRST_MAX_CHARS or dateline_place(line) is not None:
        return False
    if meta is not None and meta.description and line_key(meta.description) == line_key(line):
        return True
    return line[-1] not in ":;," and not ends_sentence(line)


def _one_line(text: str) -> str | None:
    return " ".join(normalise(text).split()) or None


def _assemble(parts: list[str], max_chars: int) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Join parts by blank lines with their (start, end) offsets, stopping at ``max_chars``."""
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for part in parts:
        start = pos + (2 if pieces else 0)
        room = max_chars - start
        if room <= 0:
            break
        if len(part) > room:
            cut = part.rfind(" ", 0, room)
            part = part[: cut if cut > 0 else room].rstrip()
            if not part:
                break
        if pieces:
            pieces.append("\n\n")
        pieces.append(part)
        spans.append((start, start + len(part)))
        pos = start + len(part)
        if len(part) < len(parts[len(spans) - 1]):
            break
    return "".join(pieces), tuple(spans)
