"""Bytes to text: UTF-8 first, then the declared charset, then charset detection.

Every function returns either the decoded text or a :class:`DecodeError` whose message says what
was wrong, so the caller can turn it into a ``Rejected`` record.
"""

from __future__ import annotations

import codecs
import re

# How much of a file is looked at to decide whether it is binary or which charset it uses.
SNIFF_BYTES = 65_536

# Share of control characters (other than tab, newline, carriage return, form feed) above which
# decoded bytes are treated as binary. Text in any real encoding has none; 1 % leaves room for
# a stray escape character in an otherwise clean file.
MAX_CONTROL_SHARE = 0.01

# charset-normalizer's "chaos" score (0 clean .. 1 noise) above which its best guess is not
# trusted. Random bytes score around 0.3-0.6 with it; real Latin-1/cp1252 news text scores < 0.05.
MAX_CHAOS = 0.2

# Chaos scores within this distance of the best are a tie (charset-normalizer reports 0.0 for
# several encodings on clean text; differences under 1 % are noise on short samples).
CHAOS_TIE = 0.01
# Tie-break order: the legacy encodings most common in news archives and on the web.
PREFERRED_ENCODINGS = (
    "cp1252",
    "latin_1",
    "iso8859_15",
    "cp1251",
    "cp1250",
    "gb18030",
    "shift_jis",
    "euc_kr",
)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class DecodeError(ValueError):
    """The bytes are not text we can read; the message says why."""


def looks_binary(data: bytes) -> bool:
    """NUL bytes in the first block (and no UTF-16/32 byte-order mark) mean a binary file."""
    head = data[:SNIFF_BYTES]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return False
    return b"\x00" in head


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML ``<meta>`` or XML declaration names, if Python knows it."""
    head = data[:SNIFF_BYTES]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, *, html: bool = False) -> str:
    """Decode a whole document: BOM, then UTF-8, then (HTML) the declared charset, then detection.

    Raises :class:`DecodeError` for empty, binary or undetectable input.
    """
    if not data.strip():
        raise DecodeError("empty file")
    if looks_binary(data):
        raise DecodeError("binary data (NUL bytes), not a text or HTML document")
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _checked(data.decode(name))
            except UnicodeDecodeError as err:
                raise DecodeError(f"invalid {name} despite its byte-order mark: {err.reason}") from None
    try:
        return _checked(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    if html:
        name = declared_charset(data)
        if name and name != "utf-8":
            try:
                return _checked(data.decode(name))
            except UnicodeDecodeError:
                pass
    return _checked(_detect(data))


def _detect(data: bytes) -> str:
    encoding = detect_encoding(data[: SNIFF_BYTES * 4])
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise DecodeError(
            f"not valid UTF-8, and not valid {encoding} either ({err.reason} at byte {err.start}); "
            "re-encode the file as UTF-8"
        ) from None


def detect_encoding(sample: bytes) -> str:
    """The most likely encoding of non-UTF-8 bytes (charset-normalizer), or :class:`DecodeError`.

    charset-normalizer often finds several single-byte encodings equally clean (é and è read fine
    as cp1252, cp1250 or iso8859-10 in short French text); ties go to the encodings most used on
    the web, Windows-1252 first, as browsers do for undeclared Western pages.
    """
    from charset_normalizer import from_bytes  # imported lazily: only non-UTF-8 input needs it

    matches = [m for m in from_bytes(sample) if m.chaos <= MAX_CHAOS]
    if not matches:
        raise DecodeError(
            "not valid UTF-8 and the character encoding could not be detected; re-encode the file as UTF-8"
        )
    least = min(m.chaos for m in matches)
    tied = [m for m in matches if m.chaos <= least + CHAOS_TIE]
    best = max(tied, key=lambda m: (round(m.coherence, 2), -_preference(m.encoding)))
    return best.encoding


def _preference(encoding: str) -> int:
    try:
        return PREFERRED_ENCODINGS.index(encoding)
    except ValueError:
        return len(PREFERRED_ENCODINGS)


def _checked(text: str) -> str:
    sample = text[:SNIFF_BYTES]
    if sample and len(_CONTROL.findall(sample)) / len(sample) > MAX_CONTROL_SHARE:
        raise DecodeError("binary data (control characters), not a text or HTML document")
    return text


def utf8_error(data: bytes) -> str | None:
    """Why ``data`` is not UTF-8 (for one JSONL line or CSV field), or None when it is."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return f"invalid UTF-8 (byte 0x{data[err.start]:02x} at position {err.start})"
    return None
