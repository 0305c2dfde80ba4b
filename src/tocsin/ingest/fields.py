"""One JSONL object or CSV row → a RawDocument (or a reason it is not one).

Canonical keys: ``id``, ``text`` or ``html``, ``url``, ``published`` (ISO date or datetime),
``title``, ``source`` (the outlet). Real dumps use other names; the aliases below are accepted
too, the first one present wins.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from tocsin.records import RawDocument

ID_KEYS = ("id", "doc_id", "docid", "_id", "article_id", "guid")
TEXT_KEYS = ("text", "doc_text", "body", "content", "article", "articleBody", "maintext")
HTML_KEYS = ("html", "raw_html", "page_html")
URL_KEYS = ("url", "link", "source_url")
PUBLISHED_KEYS = ("published", "date", "publish_date", "published_at", "pubdate", "date_publish", "datetime")
TITLE_KEYS = ("title", "headline")
OUTLET_KEYS = ("source", "outlet", "sitename", "site", "publisher", "domain")

_SURROGATE = re.compile("[\ud800-\udfff]")

# Length of the hex content hash used as a document id when a record has none: 16 hex digits
# (64 bits) make an accidental collision unlikely below a few hundred million documents.
HASH_ID_HEX = 16


class RecordError(ValueError):
    """A record that cannot become a document; the message says what is missing."""


def content_id(body: str) -> str:
    """A stable id for a record that has none: the start of the sha256 of its text or HTML."""
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_ID_HEX]


def _first(record: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = record.get(key)
        if value is None or isinstance(value, (dict, list, bool)):
            continue
        value = str(value).strip()
        if value:
            return value
    return None


def record_id(record: Mapping[str, Any]) -> str | None:
    """The record's own id, or None when it has none (or one that is not valid Unicode)."""
    value = _first(record, ID_KEYS)
    return None if value is None or has_surrogates(value) else value


def has_surrogates(text: str) -> bool:
    """Lone UTF-16 surrogates (JSON escapes such as ``\\ud800``) are not text: nothing can store them."""
    return _SURROGATE.search(text) is not None


def to_document(record: Mapping[str, Any], origin: str) -> RawDocument:
    """Map one record to a RawDocument; raise :class:`RecordError` when it has no text or HTML.

    ``text`` wins over ``html`` when a record carries both (it is usually an extraction already
    made with care); an HTML string given under a text key is still HTML and is kept as such.
    """
    text = _first(record, TEXT_KEYS)
    html = _first(record, HTML_KEYS)
    if text is None and html is None:
        present = [k for k in (*TEXT_KEYS, *HTML_KEYS) if k in record]
        if present:
            raise RecordError(f"empty {present[0]!r} field")
        raise RecordError(
            "record has no text: expected a 'text' or 'html' field "
            f"(also accepted: {', '.join(TEXT_KEYS[1:] + HTML_KEYS[1:])})"
        )
    for key in (*ID_KEYS, *TEXT_KEYS, *HTML_KEYS, *URL_KEYS, *PUBLISHED_KEYS, *TITLE_KEYS, *OUTLET_KEYS):
        value = record.get(key)
        if isinstance(value, str) and has_surrogates(value):
            raise RecordError(
                f"{key!r} holds an unpaired UTF-16 surrogate (a \\ud800-\\udfff escape), which is not "
                "valid Unicode: fix the escapes in the producer's JSON"
            )
    if text is not None and looks_like_html(text):
        text, html = None, html or text
    doc_id = record_id(record) or content_id(text if text is not None else html or "")
    return RawDocument(
        doc_id=doc_id,
        text=text if text is not None else None,
        html=None if text is not None else html,
        url=_first(record, URL_KEYS),
        published=_first(record, PUBLISHED_KEYS),
        title=_first(record, TITLE_KEYS),
        outlet=_first(record, OUTLET_KEYS),
        origin=origin,
    )


def looks_like_html(text: str) -> bool:
    """Markup rather than text: starts with a tag and has a structural element in its first 2 KB."""
    head = text.lstrip()[:2048].lower()
    return head.startswith("<") and any(
        tag in head for tag in ("<html", "<!doctype html", "<body", "<head", "<div", "<p>", "<p ", "<article")
    )
