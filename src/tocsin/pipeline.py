"""The tocsin pipeline: one visible list of stages, from a raw document to stored events.

    1. clean      raw text / HTML → Article (junk lines gone, title, dateline, paragraphs)
    2. language   non-English articles are stored with a reason, not parsed
    3. relevance  a cheap whole-article score; most news is not about unrest and stops here
    4. mentions   sentences reporting a protest or riot that happened (not planned, not negated)
    5. places     gazetteer toponyms of the whole article, resolved in its context
    6. events     one per (place, day): dated, typed, counted, with evidence and certainty
    (every article also gets its fingerprint: MinHash signature and story terms, for the store's dedupe)
    (store)       merged with stored events of the same happening; near-duplicate articles linked
    7. stories    articles about the same real-world happening grouped (by the store, in bounded chunks)

Each stage is a pure function of typed records (tocsin.records), so ``process`` runs the same in this
process, in a process pool or on Dask. Only the store writes, from the one process that calls ``run``;
whatever per-document work dedupe needs is done here, in the workers, not by that one writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from tocsin.clean import clean
from tocsin.detect.mentions import SentenceSplitter, find_mentions, make_sentence_splitter
from tocsin.extract.events import extract_events
from tocsin.geo.base import Geocoder, GeoHints, make_geocoder
from tocsin.ingest import source_label
from tocsin.records import Article, DocumentResult, Fingerprint, RawDocument, Rejected
from tocsin.settings import Settings

if TYPE_CHECKING:
    from tocsin.detect.relevance import DocumentEvidence, RelevanceModel
    from tocsin.store.base import Store

ENGLISH = "en"
# Documents processed together in one process (relevance scored in one call): 32 → ~1.5-2 ms less a
# GLOCON article than one at a time (bench/bench_pipeline.py); more gains little.
PROCESS_BATCH = 32


@dataclass(frozen=True, slots=True)
class Components:
    """The heavy parts of the pipeline, built once per process by ``make_components``."""

    settings: Settings
    split: SentenceSplitter
    geocoder: Geocoder
    relevance: RelevanceModel | None
    relevance_threshold: float = 0.0


def make_components(settings: Settings) -> Components:
    from tocsin.detect.relevance import RELEVANCE_THRESHOLD, RelevanceModel

    threshold = settings.relevance_threshold
    return Components(
        settings=settings,
        split=make_sentence_splitter(),
        geocoder=make_geocoder(settings),
        relevance=RelevanceModel.load(),
        relevance_threshold=RELEVANCE_THRESHOLD if threshold is None else threshold,
    )


def process(raw: RawDocument, c: Components) -> DocumentResult:
    """Run every stage on one document. Never raises for bad input: it returns a rejection."""
    return process_many([raw], c)[0]


def process_many(raws: Sequence[RawDocument], c: Components) -> list[DocumentResult]:
    """Run every stage on each document, in order; the same results as ``process`` one at a time.

    The relevance model scores the batch in one call (its per-call cost was most of scoring one article).
    An unexpected failure is recorded as that document's rejection, never the batch's.
    """
    # 1. clean, 2. language
    read = [_guard(raw, lambda raw=raw: _read(raw, c)) for raw in raws]
    # 3. relevance
    scores = iter(_relevance([r.article for r in read if isinstance(r, _Read)], c))
    # 4.-6. mentions, places, events
    results = []
    for raw, r in zip(raws, read, strict=True):
        if isinstance(r, _Read):
            score = next(scores)
            r = _guard(raw, lambda: _extract(r, score, c))  # noqa: B023 — called at once, in this iteration
        results.append(r)
    return results


@dataclass(frozen=True, slots=True)
class _Read:
    """A document cleaned into an English article, to be scored for relevance."""

    raw: RawDocument
    article: Article
    fingerprint: Fingerprint


def _read(raw: RawDocument, c: Components) -> DocumentResult | _Read:
    # 1. clean
    article = clean(raw, c.settings)
    if isinstance(article, Rejected):
        return DocumentResult(raw=raw, article=None, rejected=article)
    fp = fingerprint(article)
    # 2. language
    if article.language != ENGLISH:
        reason = f"language {article.language!r} is not supported"
        return DocumentResult(raw=raw, article=article, skipped=reason, fingerprint=fp)
    return _Read(raw, article, fp)


def _relevance(articles: Sequence[Article], c: Components) -> list[float | Exception]:
    """Each article's relevance score, all in one call; for a batch that fails, each scored on its own (so
    the failure is only the article that caused it)."""
    if c.relevance is None:
        return [1.0] * len(articles)
    try:
        return list(c.relevance.score([a.text for a in articles]))
    except Exception:  # noqa: BLE001 — found out below, article by article
        return [_score_one(a, c) for a in articles]


def _score_one(article: Article, c: Components) -> float | Exception:
    try:
        return c.relevance.score([article.text])[0]  # type: ignore[union-attr]
    except Exception as exc:  # noqa: BLE001 — recorded as this document's rejection by _extract
        return exc


def _extract(read: _Read, relevance: float | Exception, c: Components) -> DocumentResult:
    raw, article, fp = read.raw, read.article, read.fingerprint
    if isinstance(relevance, Exception):
        raise relevance  # this article's own scoring failed: its rejection, by _guard
    # 3. relevance
    if relevance < c.relevance_threshold:
        reason = f"relevance {relevance:.3f} below threshold {c.relevance_threshold:.3f}"
        return DocumentResult(raw=raw, article=article, relevance=relevance, skipped=reason, fingerprint=fp)
    # 4. mentions
    sentences = c.split(article)
    mentions = find_mentions(sentences)
    if not mentions:
        return DocumentResult(raw=raw, article=article, relevance=relevance, fingerprint=fp)
    # 5. places
    toponyms = c.geocoder.parse(article.text, GeoHints(dateline=article.dateline_place, url=article.url))
    # 6. events
    events = extract_events(article, sentences, mentions, toponyms)
    return DocumentResult(raw=raw, article=article, events=events, relevance=relevance, fingerprint=fp)


def fingerprint(article: Article) -> Fingerprint:
    """The article's near-duplicate signature and story terms (pure: runs wherever ``process`` runs)."""
    from tocsin.dedupe.neardup import signature
    from tocsin.dedupe.stories import story_terms

    return Fingerprint(signature=signature(article.text), terms=story_terms(article.text))


def safe_process(raw: RawDocument, c: Components) -> DocumentResult:
    """``process`` (which records an unexpected failure as the document's rejection, never ending the
    run); the name callers that must not raise have used."""
    return process(raw, c)


def _guard(raw: RawDocument, step: Callable[[], Any]) -> Any:
    """``step()``, or the document's rejection when it fails unexpectedly (one bad document must not lose
    the others)."""
    try:
        return step()
    except Exception as exc:  # noqa: BLE001
        reason = f"internal error while processing: {type(exc).__name__}: {exc}"
        return DocumentResult(raw=raw, article=None, rejected=Rejected(raw.doc_id, raw.origin, reason[:500]))


@dataclass(frozen=True, slots=True)
class ProtestDocument:
    """Whether an article reports a protest event (GLOCON's document question, docs/models.md), and why."""

    doc_id: str
    protest: bool
    probability: float  # the relevance model's evidence head; 0.0 for a document that was not read
    relevance: float  # the article's relevance score
    mention: bool  # a sentence reporting a protest or riot that happened (detect.mentions)
    events: int  # events extracted from it
    # broader collective action that happened (detect.collective): counted by GLOCON, not by ACLED
    strike: bool = False
    collective: bool = False  # a boycott, a petition handed over, an occupation, a vigil, a hunger strike
    political_violence: bool = False  # a bombing, an assassination, an attack by militants
    reason: str | None = None  # why it was not read (rejected) or not parsed for events (language, filter)


def protest_evidence(result: DocumentResult, c: Components) -> DocumentEvidence | None:
    """What the relevance model's evidence head reads of a processed document (``document_evidence``: its
    mentions, events and collective-action flags), or None for one not read as an English article (rejected,
    or in another language): no evidence, and no protest document. The training script fits the head on
    exactly this (``scripts/train_models.py``, ``glocon_evidence``)."""
    from tocsin.detect.relevance import document_evidence

    if result.article is None or result.article.language != ENGLISH:
        return None
    return document_evidence(result.article, c.split, result.events)


def protest_documents(raws: Sequence[RawDocument], c: Components) -> list[ProtestDocument]:
    """Each document's answer from the pipeline's own stages: its relevance score, whether it holds a
    realis protest mention, events, and a strike, other collective action or political violence that
    happened, combined by the relevance model's evidence head (``RelevanceModel.protest_probability``;
    P/R/F1 0.86 / 0.84 / 0.85 in nested GLOCON cross-validation, seeds 0-2, against 0.77 for the score
    alone). Build ``c`` with ``relevance_threshold=0`` (as ``tocsin classify
    --documents`` does): an article stopped by the pipeline's filter has no events to count."""
    from tocsin.detect.relevance import EVIDENCE_THRESHOLD, ModelFileError

    head = c.relevance.evidence_head if c.relevance is not None else None
    if head is None:
        raise ModelFileError("the relevance model has no evidence head: retrain with `python scripts/train_models.py`")
    out = []
    for result in process_many(raws, c):
        reason = result.rejected.reason if result.rejected is not None else result.skipped
        e = protest_evidence(result, c)
        if e is None:
            out.append(ProtestDocument(result.raw.doc_id, False, 0.0, result.relevance, False, 0, reason=reason))
            continue
        p = float(head.proba([result.relevance], [e])[0])
        out.append(ProtestDocument(result.raw.doc_id, p >= EVIDENCE_THRESHOLD, p, result.relevance, e.mention,
                                   len(result.events), e.strike, e.collective, e.political_violence, reason))  # fmt: skip
    return out


@dataclass(frozen=True, slots=True)
class RunSummary:
    run_id: int
    documents: int = 0
    already_known: int = 0
    rejected: int = 0
    skipped: int = 0
    with_events: int = 0
    events: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}  # type: ignore[attr-defined]


Progress = Callable[[int], None]


def run(
    items: Iterable[RawDocument | Rejected],
    store: Store,
    settings: Settings,
    *,
    sources: Sequence[str] = (),
    components: Components | None = None,
    progress: Progress | None = None,
    reprocessing: bool = False,
    dask_client: Any | None = None,
) -> RunSummary:
    """Process documents and store the results in batches; the calling process is the only writer.

    ``reprocessing`` processes and re-stores documents the store already holds unchanged (reprocessing).
    ``dask_client``: a ``distributed.Client`` already open, used instead of one opened for ``settings.dask``."""
    run_id = store.begin_run([source_label(source) for source in sources])  # no credentials stored
    summary = RunSummary(run_id=run_id)
    batch: list[DocumentResult] = []
    for result in _results(items, store, settings, components, check_known=not reprocessing,
                           dask_client=dask_client):  # fmt: skip
        summary = _count(summary, result)
        if result is not None:
            batch.append(result)
        if len(batch) >= settings.batch_size:
            store.save(batch, run_id, force=reprocessing)
            batch = []
        if progress is not None:
            progress(1)
    if batch:
        store.save(batch, run_id, force=reprocessing)
    # 7. stories: the store groups saved articles in chunks as they come; this groups the last chunk (and
    # any article a killed run left without a story)
    store.update_stories(run_id)
    store.finish_run(run_id, summary.as_dict())
    return summary


def reprocess(store: Store, settings: Settings, *, components: Components | None = None,
              progress: Progress | None = None) -> RunSummary:
    """Re-extract events from every stored document after a model or rule change; no document is lost
    (the stored clean text is processed again) and unchanged events keep their ids."""
    docs = (
        RawDocument(doc.doc_id, text=doc.text, url=doc.url, published=doc.published, title=doc.title,
                    outlet=doc.outlet, origin=doc.origin)
        for doc in store.documents_for_reprocessing()
    )
    return run(docs, store, settings, sources=["reprocess"], components=components, progress=progress,
               reprocessing=True)


def _count(summary: RunSummary, result: DocumentResult | None) -> RunSummary:
    if result is None:
        return replace(summary, documents=summary.documents + 1, already_known=summary.already_known + 1)
    return replace(
        summary,
        documents=summary.documents + 1,
        rejected=summary.rejected + (result.rejected is not None),
        skipped=summary.skipped + (result.skipped is not None),
        with_events=summary.with_events + bool(result.events),
        events=summary.events + len(result.events),
    )


def _results(
    items: Iterable[RawDocument | Rejected], store: Store, settings: Settings, components: Components | None,
    *, check_known: bool = True, dask_client: Any | None = None,
) -> Iterator[DocumentResult | None]:
    """Results in input order; ``None`` for a document the store already holds unchanged.

    A document is known when its raw content (checked before any work) or its clean content (the same
    article scraped again with different junk lines) is already stored under its id.
    """
    work = (_triage(item, store if check_known else None) for item in items)
    results: Iterable[DocumentResult | None]
    if (settings.dask or dask_client is not None) and components is None:
        from tocsin.scale.dask import process_on_dask

        results = process_on_dask(work, settings, dask_client)
    elif settings.workers > 1 and components is None:
        from tocsin.scale.local import process_in_pool

        results = process_in_pool(work, settings)
    else:
        from tocsin.scale.window import chunks

        c = components or make_components(settings)
        results = (result for chunk in chunks(work, PROCESS_BATCH) for result in settle_many(chunk, c))
    for result in results:
        if check_known and result is not None and result.article is not None and store.is_known(
            result.raw.doc_id, result.article.content_hash
        ):
            yield None
        else:
            yield result


@dataclass(frozen=True, slots=True)
class Settled:
    """An item that needs no processing: a rejection from ingest, or ``None`` for a known document."""

    result: DocumentResult | None


def _triage(item: RawDocument | Rejected, store: Store | None) -> RawDocument | Settled:
    from tocsin.store.base import raw_content_hash

    if isinstance(item, Rejected):
        return Settled(DocumentResult(raw=RawDocument(item.doc_id, origin=item.origin), article=None, rejected=item))
    if store is not None and store.is_known(item.doc_id, raw_content_hash(item)):
        return Settled(None)
    return item


def settle_many(items: Sequence[RawDocument | Settled], c: Components) -> list[DocumentResult | None]:
    """Each item's result, in order: a settled item's own (a rejection from ingest, or None for a known
    document), the documents among them processed together (``process_many``)."""
    done = iter(process_many([item for item in items if not isinstance(item, Settled)], c))
    return [item.result if isinstance(item, Settled) else next(done) for item in items]
