"""Offset-preserving text folding shared by the index builder and the matcher.

Every character maps to exactly one character, so a match found in the folded text has the same
offsets in the original. Latin letters lose their accents and case ("Aqtöbe" → "aqtobe"), hyphens
and line breaks become spaces ("Alma-Ata" → "alma ata"), typographic apostrophes become "'".
"""

from __future__ import annotations

import unicodedata

from unidecode import unidecode

_SPACE_LIKE = set("-\u2010\u2011\u2012\u2013\u2014\u00a0\t\n\r\u2009\u202f_/")
_APOSTROPHES = set("\u2019\u2018\u02bc\u02bb`\u00b4")


def _fold_char(c: str) -> str:
    if c in _SPACE_LIKE:
        return " "
    if c in _APOSTROPHES:
        return "'"
    if c.isascii():
        return c.lower()
    lowered = c.lower()
    if len(lowered) != 1:  # "İ".lower() is two characters
        lowered = c
    if "LATIN" in unicodedata.name(c, ""):
        ascii_form = unidecode(lowered)
        if ascii_form[:1].isalnum():
            return ascii_form[0].lower()
    return lowered


class _FoldTable(dict[int, str]):
    """A str.translate table that computes and remembers each character's folding on first use."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower-case, accent-free, same-length copy of ``text`` (see module docstring)."""
    return text.translate(_TABLE)


def squeeze(key: str) -> str:
    """A gazetteer key: folded, single-spaced, trimmed."""
    return " ".join(fold(key).split())


class _BoundaryTable(dict[int, str]):
    """Keeps a-z and 0-9, turns everything else into a space: words become space-delimited."""

    def __missing__(self, code: int) -> str:
        c = chr(code)
        kept = c if ("a" <= c <= "z" or "0" <= c <= "9") else " "
        self[code] = kept
        return kept


_BOUNDARY = _BoundaryTable()


def boundaries(folded: str) -> str:
    """Same-length copy of folded text where every non-alphanumeric character is a space."""
    return folded.translate(_BOUNDARY)


def pattern(key: str) -> str:
    """The automaton pattern of a key: framed by spaces, so that it only matches whole words.

    The text is searched as ``" " + boundaries(fold(text)) + " "``; a key ending in punctuation
    ("u.s.") already ends in a space there.
    """
    body = boundaries(key)
    return " " + body + (" " if body[-1] != " " else "")
