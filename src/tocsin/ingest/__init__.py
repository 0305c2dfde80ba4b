"""Ingest: sources (files, folders, standard input, URLs, feeds) → RawDocument or Rejected.

A source is
  * a ``.txt``, ``.html``/``.htm``, ``.jsonl`` or ``.csv`` file (each may be gzipped: ``.txt.gz``);
  * a folder, read recursively (files of other types in it are skipped);
  * ``-`` for standard input (JSONL when it starts with ``{``, HTML when it looks like markup,
    plain text otherwise);
  * an ``http(s)://`` URL of an article page or of an RSS/Atom feed (each entry's link is fetched).
  * a ``.warc`` or ``.warc.gz`` web archive: each HTML response record (:mod:`tocsin.ingest.warc`).

Nothing is lost silently: whatever cannot be read becomes a ``Rejected`` with a specific reason,
and reading goes on. Memory stays bounded: one document at a time, and no single document
(file, JSONL/CSV line, HTTP response) larger than ``settings.fetch_max_bytes`` is read.

JSONL/CSV records: ``id`` (else a content hash), ``text`` or ``html``, optional ``url``,
``published`` (ISO date or datetime), ``title``, ``source`` (the outlet). See
:mod:`tocsin.ingest.fields` for the accepted aliases (``doc_id``, ``body``, ``date``, ``outlet``, …).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from tocsin.ingest.files import is_warc, iter_folder, iter_path, iter_stdin, path_text, strip_extensions
from tocsin.records import RawDocument, Rejected
from tocsin.settings import Settings

__all__ = ["iter_documents", "iter_source", "samples_dir"]


def samples_dir() -> Path:
    """The bundled sample articles (``tocsin/samples``), a folder source for demos and tests."""
    from importlib.resources import files

    return Path(str(files("tocsin") / "samples"))


def iter_documents(
    sources: Sequence[str], settings: Settings, *, stdin: BinaryIO | None = None
) -> Iterator[RawDocument | Rejected]:
    """Every document from every source, in order, streaming.

    ``stdin`` replaces ``sys.stdin.buffer`` for the source ``-`` (for tests and embedding).
    """
    for source in sources:
        yield from iter_source(source, settings, stdin=stdin)


def source_label(source: str) -> str:
    """``source`` as it may be stored and shown: a URL without its credentials."""
    if source.lower().startswith(("http://", "https://")) and "@" in source:
        from tocsin.ingest.fetch import public_url  # imported lazily: httpx is only needed for URLs

        return public_url(source)
    return source


def iter_source(
    source: str, settings: Settings, *, stdin: BinaryIO | None = None
) -> Iterator[RawDocument | Rejected]:
    max_bytes = settings.fetch_max_bytes
    if source == "-":
        yield from iter_stdin(stdin if stdin is not None else sys.stdin.buffer, max_bytes)
        return
    if source.lower().startswith(("http://", "https://")):
        from tocsin.ingest.fetch import iter_url  # imported lazily: httpx is only needed for URLs

        yield from iter_url(source, settings)
        return
    path = Path(source)
    if path.is_dir():
        yield from iter_folder(path, max_bytes)
    elif (path.exists() or path.is_symlink()) and is_warc(path.name):
        from tocsin.ingest.warc import iter_warc  # imported lazily: warcio is only needed for web archives

        yield from iter_warc(path, max_bytes)
    elif path.exists() or path.is_symlink():
        yield from iter_path(path, strip_extensions(path.name), max_bytes, explicit=True)
    else:
        name = path_text(source)
        yield Rejected(
            name, name, f"no such file or folder: {name} (give a path, a folder, '-' or an http(s) URL)"
        )
