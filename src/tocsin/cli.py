"""The ``tocsin`` command: thin commands over the library; options shared by commands are defined once."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import click

from tocsin import __version__

DB_HELP = "SQLite path or postgresql:// DSN [default: $TOCSIN_DB or tocsin.db]"


def db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", envvar="TOCSIN_DB", default="tocsin.db", show_default=False, help=DB_HELP)(f)


def filter_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Event filters shared by ``events`` and ``export``."""
    f = click.option("--limit", type=click.IntRange(min=1), help="at most this many events")(f)
    f = click.option("--type", "event_type", help="event type or sub-type, e.g. Riots or 'Mob violence'")(f)
    f = click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="last event date (YYYY-MM-DD)")(f)
    f = click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="first event date (YYYY-MM-DD)")(f)
    f = click.option("--country", help="ISO 3166-1 alpha-3 code, e.g. KAZ")(f)
    return f


def _filter(country: str | None, since: Any, until: Any, event_type: str | None, limit: int | None) -> Any:
    from tocsin.store.base import EventFilter

    return EventFilter(
        country=country.upper() if country else None,
        since=since.date() if since else None,
        until=until.date() if until else None,
        event_type=event_type,
        limit=limit,
    )


def _settings(**overrides: Any) -> Any:
    from tocsin.settings import Settings

    return Settings.load(**overrides)


def _open(db: str) -> Any:
    from tocsin.store.base import open_store

    try:
        return open_store(db)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tocsin")
def main() -> None:
    """tocsin: protest and riot events from raw news, offline, in ACLED's vocabulary."""


@main.command()
@click.argument("sources", nargs=-1, required=True)
@db_option
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="local worker processes")
@click.option("--allow-private", is_flag=True, help="allow fetching URLs on private/loopback addresses")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="extract on Dask: a scheduler (tcp://host:8786) or 'local' (--workers processes on 127.0.0.1)")
@click.option("--quiet", "-q", is_flag=True, help="no progress bar")
def ingest(sources: tuple[str, ...], db: str, workers: int, allow_private: bool, dask_address: str | None,
           quiet: bool) -> None:
    """Read SOURCES (files, folders, '-', http(s) URLs, feeds, .warc/.warc.gz), extract events, store them.

    Re-ingesting a document already stored unchanged is a no-op; unreadable input is recorded as
    rejected (see `tocsin rejects`) and the run goes on. With --dask this process stays the one writer.
    """
    settings = _settings(db=db, workers=workers, dask=dask_address, fetch_allow_private=allow_private or None)
    errors: tuple[type[Exception], ...] = ()
    if dask_address:
        errors = _dask_errors()
    try:
        summary = _ingest(list(sources), settings, quiet)
    except errors as exc:
        raise click.ClickException(str(exc)) from exc
    _print_summary(summary, settings.db)


def _dask_errors() -> tuple[type[Exception], ...]:
    from importlib.util import find_spec

    if find_spec("distributed") is None:
        raise click.ClickException("--dask needs the dask extra: pip install 'tocsin[dask]'")
    from tocsin.scale.dask import DaskUnavailable

    return (DaskUnavailable,)


@main.command()
@click.argument("feeds", nargs=-1, required=True)
@db_option
@click.option("--interval", type=click.FloatRange(min=1), default=300, show_default=True, help="seconds between polls")
@click.option("--once", is_flag=True, help="poll every feed once, then exit")
@click.option("--allow-private", is_flag=True, help="allow fetching URLs on private/loopback addresses")
def watch(feeds: tuple[str, ...], db: str, interval: float, once: bool, allow_private: bool) -> None:
    """Poll RSS/Atom FEEDS every --interval seconds and ingest their new entries; Ctrl-C stops cleanly.

    Only entries not already stored are fetched, one host at a time with a pause between requests,
    and only where the site's robots.txt allows it; an unchanged feed costs a 304.
    """
    import signal
    import threading

    from tocsin.ingest.watch import watch as watch_feeds

    settings = _settings(db=db, fetch_allow_private=allow_private or None)
    stop = threading.Event()

    def on_interrupt(signum: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        click.echo("stopping: storing what this round has fetched (Ctrl-C again to abort)", err=True)
        stop.set()

    previous = signal.signal(signal.SIGINT, on_interrupt)
    store = _open(settings.db)
    try:
        watch_feeds(list(feeds), store, settings, interval=interval, rounds=1 if once else None, stop=stop,
                    on_round=_print_round)
    finally:
        signal.signal(signal.SIGINT, previous)
        store.close()


def _print_round(report: Any) -> None:
    s = report.summary
    click.echo(f"round {report.round}: {report.entries_new} new, {report.entries_seen} already seen, "
               f"{report.disallowed} disallowed by robots.txt, {report.feeds_unchanged} feed(s) unchanged; "
               f"{s.events} events in {s.with_events} documents, {s.rejected} rejected")
    for error in report.errors:
        click.echo(f"  feed error: {error}", err=True)


def _gazetteer(settings: Any, quiet: bool = False) -> None:
    """Build the gazetteer index now, with a word to the user, if this is the first run (~30 s once)."""
    from tocsin.geo.gazetteer import ensure_index

    def say(step: str) -> None:
        if not quiet:
            click.echo(f"gazetteer (first run only): {step}", err=True)

    ensure_index(settings.cache_dir, progress=say)


def _ingest(sources: list[str], settings: Any, quiet: bool) -> Any:
    from tqdm import tqdm

    from tocsin.ingest import iter_documents
    from tocsin.pipeline import run

    _gazetteer(settings, quiet)
    store = _open(settings.db)
    try:
        with tqdm(desc="documents", unit="doc", disable=quiet or None, file=sys.stderr) as bar:
            return run(iter_documents(sources, settings), store, settings, sources=sources, progress=bar.update)
    finally:
        store.close()


def _print_summary(summary: Any, db: str) -> None:
    s = summary.as_dict()
    click.echo(
        f"run {s['run_id']}: {s['documents']} documents, {s['events']} events in {s['with_events']} documents; "
        f"{s['already_known']} already stored, {s['rejected']} rejected, {s['skipped']} skipped → {db}"
    )


@main.command()
@db_option
def demo(db: str) -> None:
    """Ingest the bundled sample articles and print the events found."""
    from importlib.resources import files

    samples = files("tocsin") / "samples"
    settings = _settings(db=db)
    summary = _ingest([str(samples)], settings, quiet=False)
    _print_summary(summary, settings.db)
    store = _open(settings.db)
    try:
        _print_table(store.events(), sys.stdout)
    finally:
        store.close()


@main.command()
@db_option
@filter_options
def events(db: str, country: str | None, since: Any, until: Any, event_type: str | None, limit: int | None) -> None:
    """Print stored events as a table."""
    store = _open(db)
    try:
        _print_table(store.events(_filter(country, since, until, event_type, limit)), sys.stdout)
    finally:
        store.close()


def _print_table(evts: Iterable[Any], out: TextIO) -> None:
    from tocsin.report import events_table

    out.write(events_table(evts))


@main.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "geojson", "parquet"]), default="jsonl",
              show_default=True, help="parquet needs -o FILE and the parquet extra (pip install 'tocsin[parquet]')")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="file [default: stdout]")
@filter_options
def export(db: str, fmt: str, output: Path | None, country: str | None, since: Any, until: Any,
           event_type: str | None, limit: int | None) -> None:
    """Export stored events as JSONL, ACLED-style CSV, GeoJSON or Parquet."""
    from tocsin.export import EXPORTERS, write_parquet

    if fmt == "parquet" and output is None:
        raise click.UsageError("--format parquet writes a binary file: give one with -o FILE.parquet")
    store = _open(db)
    try:
        evts = store.events(_filter(country, since, until, event_type, limit))
        if fmt == "parquet":
            try:
                write_parquet(evts, output)  # type: ignore[arg-type]  # output checked above
            except RuntimeError as exc:  # pyarrow missing: the message says what to install
                raise click.ClickException(str(exc)) from exc
        elif output is None:
            EXPORTERS[fmt](evts, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as fp:
                EXPORTERS[fmt](evts, fp)
    finally:
        store.close()


@main.command()
@db_option
def rejects(db: str) -> None:
    """List documents that could not be read, with the reason."""
    from tocsin.report import rejects_lines

    store = _open(db)
    try:
        click.echo(rejects_lines(store.rejects()), nl=False)
    finally:
        store.close()


@main.command()
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
def evaluate(gold_dir: Path, as_json: bool) -> None:
    """Run the pipeline on GOLD_DIR (docs.jsonl + gold.jsonl) and score it against the gold events."""
    from tocsin.evaluate import evaluate_gold

    result = evaluate_gold(gold_dir, _settings(db=":memory:"))
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    for level in ("documents", "events"):
        r = result[level]
        click.echo(f"{level:10s} P={r['precision']:.3f} R={r['recall']:.3f} F1={r['f1']:.3f} "
                   f"(tp={r['tp']}, predicted={r['predicted']}, gold={r['gold']})")
    for field, v in result["on_matched"].items():
        acc = "n/a" if v["accuracy"] is None else f"{v['accuracy']:.3f}"
        click.echo(f"  {field:16s} {acc} (n={v['n']})")


@main.command()
@click.argument("input_file", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--stored", is_flag=True, help="list the stories of the database instead of reading texts")
@click.option("--story", "story_id", help="with --stored: the documents of this story")
@db_option
def stories(input_file: TextIO, stored: bool, story_id: str | None, db: str) -> None:
    """Group articles ({id, text, published?} a line) into stories: prints {id, story_id} a line.

    With --stored, list the stories of the ingested documents (or one story's documents)."""
    if stored or story_id:
        store = _open(db)
        try:
            if story_id:
                for doc in store.story_documents(story_id):
                    click.echo(f"{doc.published or '?'}\t{doc.doc_id}\t{doc.outlet or ''}\t{doc.title or ''}")
            else:
                for s in store.stories():
                    click.echo(f"{s['story_id']}\t{s['documents']} documents\t{s['events']} events\t"
                               f"{(s['first_published'] or '?')[:10]}\t{s['title'] or ''}")
        finally:
            store.close()
        return
    from tocsin.dedupe.stories import stories_records

    try:
        for row in stories_records(_jsonl_in(input_file)):
            click.echo(json.dumps(row, ensure_ascii=False))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@db_option
@click.option("--quiet", "-q", is_flag=True, help="no progress bar")
def reprocess(db: str, quiet: bool) -> None:
    """Re-extract events from every stored document (after a model or rule change); nothing is lost,
    and events that do not change keep their ids."""
    from tqdm import tqdm

    from tocsin.pipeline import reprocess as reprocess_all

    settings = _settings(db=db)
    store = _open(settings.db)
    try:
        total = store.counts()["documents"] - store.counts()["rejected"]
        with tqdm(total=total, desc="documents", unit="doc", disable=quiet or None, file=sys.stderr) as bar:
            summary = reprocess_all(store, settings, progress=bar.update)
    finally:
        store.close()
    _print_summary(summary, settings.db)


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--token", envvar="TOCSIN_API_TOKEN", help="enables POST /api/documents [env: TOCSIN_API_TOKEN]")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="read-only server processes (writes need one process)")
def serve(db: str, host: str, port: int, token: str | None, workers: int) -> None:
    """Serve the REST API (/api, OpenAPI docs at /docs) and the dashboard (/) over the event database.

    Read-only unless a write token is configured. Needs the web extra: pip install 'tocsin[web]'.
    """
    try:
        from tocsin.web import serve as run_server
    except ImportError as exc:
        raise click.ClickException(f"the web server needs the web extra: pip install 'tocsin[web]' ({exc})") from exc
    try:
        run_server(db=db, host=host, port=port, token=token, workers=workers)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def _jsonl_in(stream: TextIO) -> Iterator[dict[str, Any]]:
    for n, line in enumerate(stream, 1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise click.ClickException(f"line {n}: invalid JSON: {exc}") from exc


@main.command()
@click.argument("input_file", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--documents", is_flag=True,
              help="Whole articles ({id, text[, published, url, title]} a line): is each a protest document? "
                   "Runs the pipeline on every article (no store), 10-15 ms an article on one core.")
def classify(input_file: TextIO, documents: bool) -> None:
    """Label short texts ({id, text} a line) with event type, sub-type and a score; with --documents,
    answer for whole articles whether each reports a protest event, with the evidence behind it."""
    if documents:
        _classify_documents(_jsonl_in(input_file))
        return
    from tocsin.detect.classify import SnippetClassifier, classify_records

    try:
        for row in classify_records(SnippetClassifier.load(), _jsonl_in(input_file)):
            click.echo(json.dumps(row, ensure_ascii=False))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


def _classify_documents(rows: Iterator[dict[str, Any]]) -> None:
    from dataclasses import asdict

    from tocsin.pipeline import PROCESS_BATCH, make_components, protest_documents
    from tocsin.records import RawDocument
    from tocsin.scale.window import chunks

    settings = _settings(relevance_threshold=0.0)  # every article parsed: the evidence head's input
    _gazetteer(settings)
    components = make_components(settings)

    def raw(n: int, row: dict[str, Any]) -> RawDocument:
        if not isinstance(row.get("text"), str):
            raise click.ClickException(f"record {n} has no string 'text' field; each line must be "
                                       '{"id": ..., "text": ...}')  # fmt: skip
        fields = {k: str(row[k]) for k in ("published", "url", "title") if row.get(k) is not None}
        return RawDocument(str(row.get("id", n)), text=row["text"], origin=f"line {n}", **fields)

    for batch in chunks(enumerate(rows, 1), PROCESS_BATCH):
        answers = protest_documents([raw(n, row) for n, row in batch], components)
        for (_, given), answer in zip(batch, answers, strict=True):
            row = {"id": given.get("id")} | asdict(answer)
            del row["doc_id"]
            row["probability"], row["relevance"] = round(answer.probability, 4), round(answer.relevance, 4)
            click.echo(json.dumps(row, ensure_ascii=False))


@main.command()
@click.argument("input_file", type=click.File("r", encoding="utf-8"), default="-")
def geoparse(input_file: TextIO) -> None:
    """Find and resolve place names in texts ({id, text} a line), with character offsets."""
    from tocsin.geo.base import make_geocoder
    from tocsin.geo.geoparse import geoparse_records

    geocoder = make_geocoder(_settings())
    for row in geoparse_records(geocoder, _jsonl_in(input_file)):
        click.echo(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":  # pragma: no cover
    main()
