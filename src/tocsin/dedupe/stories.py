"""Story grouping: articles about the same real-world happening share a story id.

Two riots, two earthquakes or two trials share their vocabulary ("riot", "police", "tear gas"); what
tells them apart is who, where and when: names, places and numbers. So a document is described by
TF-IDF over its content words plus extra weight on capitalised words that do not start a sentence
(names and places) and on numbers (ages, tolls, dates); its title counts twice. Documents are then
grouped by complete-linkage agglomerative clustering on cosine distance: every pair inside a story must
be at least somewhat similar, which keeps a chain of loosely related articles from fusing two stories.
Documents published more than STORY_WINDOW_DAYS apart never share a story.

Batch (``assign_stories``) fits IDF on the batch; ``StoryIndex`` does the same online, for documents that
arrive over time, with document frequencies counted as they come. A store groups what a pipeline run
brings in chunks (``join_stories``): each chunk is clustered as a batch together with a bounded set of
documents that already have a story, which they may join; their term counts (``story_terms``) are computed
in the pure per-document stages, not by the store's one writer.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import _sparsetools, csr_matrix
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from tocsin.records import TermCounts

# Complete-linkage cut on cosine distance: two documents can share a story only if their similarity is
# at least 1 - STORY_DISTANCE = 0.1 (with every other member). Calibrated on ECB+ (docs/dedupe.md): on two
# disjoint halves of its development topics the cut 0.9 gave B-cubed F1 0.935 / 0.920; 0.85 gave
# 0.895 / 0.857 and 0.95 0.88 on the whole; average linkage peaked lower and less evenly (0.93 / 0.83).
STORY_DISTANCE = 0.9
# Extra counts of a capitalised, not sentence-initial word (a name or place) as a ``^name`` term, on top
# of the word itself; and counts of each number as a ``#n`` term (0 would drop numbers). 2 and 1 were the
# best of {0, 1, 2, 3} x {0, 1} on both ECB+ halves (a gain of ~0.02 F1 over neither).
NAME_WEIGHT = 2
NUMBER_WEIGHT = 1
# The first line (the headline) is counted once more: +0.01-0.03 F1 on both halves.
TITLE_WEIGHT = 1
# Articles more than this many days apart are not about the same happening. Not calibrated on ECB+ (it
# has no dates): a news cycle, so follow-ups a week later on the same riot still join.
STORY_WINDOW_DAYS = 7
# Above this many documents, assign_stories switches to the online StoryIndex: the batch clustering
# holds an n x n distance matrix (3,000 documents: 72 MB) and is quadratic in time.
MAX_BATCH_DOCS = 3000
# StoryIndex: a new document is compared with the stories of documents sharing one of its
# CANDIDATE_TERMS highest-weighted terms (names and places first), not with every story held.
CANDIDATE_TERMS = 30
# StoryIndex: a document joins a story only if its mean similarity to the members is at least this
# (besides the complete-linkage cut). Greedy online joins cannot be undone, so they must be surer than
# the batch's: on ECB+ in three random arrival orders, F1 0.80-0.81 without it, 0.83-0.86 at 0.15,
# 0.85-0.87 at 0.2, 0.83-0.86 at 0.25.
ONLINE_MIN_MEAN = 0.2
# StoryIndex bounds on the work of one add, so it stays constant as the index grows: only the most recent
# documents holding a term are looked up, and a story is compared through its most recent members.
# (No effect on ECB+, whose largest story has 22 documents.)
MAX_POSTINGS_SCANNED = 500
MAX_MEMBERS_COMPARED = 50
# StoryIndex re-weights a held document's vector when the collection has grown by this factor since
# (IDF drifts slowly once a few hundred documents are held); cuts the cost of an add ~10x on ECB+.
REWEIGHT_GROWTH = 1.25

_TOKEN = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*", re.UNICODE)
_SENTENCE_END = set(".!?\"“”'«»:;")
_MIN_WORD = 3


@dataclass(frozen=True, slots=True)
class StoryDoc:
    id: str
    text: str
    published: date | datetime | None = None


@dataclass(frozen=True, slots=True)
class StoryTerms:
    """A document as story grouping needs it: its term counts instead of its text (``story_terms``), and
    its story when it already has one."""

    id: str
    terms: TermCounts
    published: date | datetime | None = None
    story_id: str | None = None


def story_terms(text: str) -> TermCounts:
    """The counts of ``features(text)``, each term as its ``term_id``: what story grouping needs of a
    document, computed where it is processed (a pure function of its text)."""
    counts = Counter(features(text))
    return TermCounts(
        b"".join(map(_digest, counts)), np.fromiter(counts.values(), dtype="<u4", count=len(counts)).tobytes()
    )


def term_id(term: str) -> int:
    """The 64-bit hash a term is counted under (BLAKE2b: the same in every process, unlike ``hash``). The
    chance that two of the ~50,000 distinct terms of a grouping chunk share one is about 1 in 10^10."""
    return int.from_bytes(_digest(term), "little")


def _digest(term: str) -> bytes:
    return hashlib.blake2b(term.encode(), digest_size=8).digest()


def features(text: str) -> list[str]:
    """The terms of a document: content words, ``^name`` for names and places, ``#n`` for numbers."""
    lines = text.strip().split("\n")
    out = _line_features(text)
    if lines and TITLE_WEIGHT:
        out += _line_features(lines[0]) * TITLE_WEIGHT
    return out


def _line_features(text: str) -> list[str]:
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        low = tok.casefold()
        if tok[0].isdigit():
            out += [f"#{low.replace(',', '')}"] * NUMBER_WEIGHT
        elif len(low) >= _MIN_WORD and low not in ENGLISH_STOP_WORDS:
            out.append(low)
            if tok[0].isupper() and not _starts_sentence(text, m.start()):
                out += [f"^{low}"] * NAME_WEIGHT
    return out


def _starts_sentence(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] == "\n" or text[i] in _SENTENCE_END


def _day(value: date | datetime | None) -> int | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).toordinal()


def _story_ids(docs: Sequence[StoryDoc], labels: Sequence[int]) -> dict[str, str]:
    """Each cluster is named after its earliest document (publication, then id): stable across runs."""
    members: dict[int, list[StoryDoc]] = defaultdict(list)
    for d, label in zip(docs, labels, strict=True):
        members[label].append(d)
    out: dict[str, str] = {}
    for group in members.values():
        first = min(group, key=lambda d: (_day(d.published) or 0, d.id))
        out.update((d.id, first.id) for d in group)
    return out


def assign_stories(docs: Iterable[StoryDoc]) -> dict[str, str]:
    """doc id → story id (the id of the story's earliest document), for a batch of documents."""
    batch = list(docs)
    ids = [d.id for d in batch]
    if len(set(ids)) != len(ids):
        dup = next(i for i, n in Counter(ids).items() if n > 1)
        raise ValueError(f"document id {dup!r} appears twice; story grouping needs unique ids")
    if len(batch) > MAX_BATCH_DOCS:
        index = StoryIndex()
        ordered = sorted(batch, key=lambda d: (_day(d.published) or 0, d.id))
        return {d.id: index.add(d) for d in ordered}
    labels = _cluster([story_terms(d.text) for d in batch], [d.published for d in batch])
    return _story_ids(batch, labels)


def _counts(terms: Sequence[TermCounts]) -> csr_matrix:
    """Documents × terms count matrix, one column per distinct term hash (in hash order); each row's
    entries stay in its document's term order, which fixes the order of the sums in ``_linkage``. Built
    from the byte strings in bulk: a chunk of 512 GLOCON articles took 47-70 ms as (term, count) tuples."""
    ids = np.frombuffer(b"".join(t.ids for t in terms), dtype="<u8")
    data = np.frombuffer(b"".join(t.counts for t in terms), dtype="<u4").astype(np.float64)
    n_terms, columns = _columns(ids)
    indptr = np.cumsum([0, *map(len, terms)])
    return csr_matrix((data, columns, indptr), shape=(len(terms), n_terms))


def _columns(ids: np.ndarray) -> tuple[int, np.ndarray]:
    """How many distinct hashes ``ids`` holds, and each one's column: its rank among them, as
    ``np.unique(ids, return_inverse=True)`` gives, in less than half the time (512 GLOCON articles,
    78,160 hashes: 2.7 ms instead of 6.1). numpy's stable sort of 16-bit integers is a radix sort, so two
    passes order the hashes by their top 32 bits; np.unique is left the rare batch in which two distinct
    hashes share those (about 1 in 20 batches of 22,000 distinct terms)."""
    digits = ids.view("<u2").reshape(-1, 4)  # little-endian: column 3 holds the most significant bits
    order = np.argsort(digits[:, 2], kind="stable")
    order = order[np.argsort(digits[order, 3], kind="stable")]
    ranked = ids[order]
    starts = np.empty(len(ids), dtype=bool)  # where a new hash begins in ``ranked``
    starts[:1] = True
    np.not_equal(ranked[1:], ranked[:-1], out=starts[1:])
    top = ranked >> np.uint64(32)
    if not np.array_equal(starts[1:], top[1:] != top[:-1]):  # two hashes share their top 32 bits
        vocabulary, inverse = np.unique(ids, return_inverse=True)
        return len(vocabulary), inverse.ravel()
    columns = np.empty(len(ids), dtype=np.intp)
    columns[order] = np.cumsum(starts) - 1
    return int(np.count_nonzero(starts)), columns


def _tfidf(counts: csr_matrix) -> csr_matrix:
    """``TfidfTransformer(sublinear_tf=True).fit_transform(counts)`` to the last bit, in place (its input
    checks took more time than the arithmetic: 2.7 ms of a 512-article chunk, now ~0.6): smooth IDF,
    1 + log(count), each row divided by its L2 norm, whose squares are summed in the row's stored order
    as scikit-learn's loop sums them (scipy's CSR matrix-vector product also adds them one by one)."""
    n_docs, n_terms = counts.shape
    df = np.bincount(counts.indices, minlength=n_terms)
    idf = np.full(n_terms, float(n_docs + 1)) / (df + 1.0)
    np.log(idf, out=idf)
    idf += 1.0
    weights = counts.data
    np.log(weights, out=weights)
    weights += 1.0
    weights *= idf[counts.indices]
    squares = csr_matrix((weights * weights, counts.indices, counts.indptr), shape=counts.shape)
    norms = np.sqrt(squares @ np.ones(n_terms))
    norms[norms == 0.0] = 1.0  # an empty row: scikit-learn leaves it alone
    weights /= np.repeat(norms, np.diff(counts.indptr))
    return counts


def _similarity(vectors: csr_matrix) -> np.ndarray:
    """``(vectors @ vectors.T).toarray()``, bit for bit, without its first pass. scipy multiplies sparse
    matrices in two passes over the same loops: one counts the non-zeros of the product to size it, the
    other computes it. A row of the product has at most min(n, the sum of its terms' document frequencies)
    non-zeros, a bound counted in one cheap pass, so this calls scipy's kernel (a private module: the
    reference test in tests/dedupe/test_stories.py pins it to the public product) with room for that
    (at most a dense product's size: 3 MB for 512 documents): 9.1 ms instead of 13.0 for 512 GLOCON
    articles. The kernel adds the products of the terms two rows share in the first row's stored order;
    that is most of the time left, the sum over terms of their document frequency squared. (Leaving out
    the terms of one document only, which touch the diagonal alone, kept it bit for bit but saved nothing
    measurable.)"""
    n = vectors.shape[0]
    reach = np.concatenate(([0], np.cumsum(np.bincount(vectors.indices)[vectors.indices])))
    room = int(np.minimum(reach[vectors.indptr[1:]] - reach[vectors.indptr[:-1]], n).sum())
    index = np.int32 if max(room, vectors.nnz, n) <= np.iinfo(np.int32).max else np.int64
    by_term = vectors.T.tocsr()
    indptr, indices, data = np.empty(n + 1, dtype=index), np.empty(room, dtype=index), np.empty(room)
    _sparsetools.csr_matmat(
        n, n, vectors.indptr.astype(index, copy=False), vectors.indices.astype(index, copy=False), vectors.data,
        by_term.indptr.astype(index, copy=False), by_term.indices.astype(index, copy=False), by_term.data,
        indptr, indices, data,
    )  # fmt: skip
    return csr_matrix((data, indices, indptr), shape=(n, n)).toarray()


def _cluster(terms: Sequence[TermCounts], published: Sequence[date | datetime | None]) -> list[int]:
    """Complete-linkage cluster labels of documents given by their term counts: TF-IDF (scikit-learn's
    weighting, fitted on these documents), cosine distance, never together beyond STORY_WINDOW_DAYS."""
    return _linkage(terms, published)[0]


def _linkage(
    terms: Sequence[TermCounts], published: Sequence[date | datetime | None]
) -> tuple[list[int], np.ndarray]:
    """``_cluster``'s labels, and the distance matrix they were cut from. Most of what the store's one
    writer spends on stories (``join_stories``): 256 new + 256 held GLOCON articles took 29.6 ms a join
    and take 18.3; 128 + 256, a store's chunk, 18-22 and 11.6-13.4 (median process time, 2 shared
    cores). The distances are those of the plain computation to the last bit (tests/dedupe/test_stories.py
    pins it): np.unique columns, scikit-learn's TfidfTransformer, scipy's public sparse product."""
    if len(terms) < 2 or not any(terms):  # nothing to compare (TF-IDF needs at least one term)
        return list(range(len(terms))), np.ones((len(terms), len(terms)))
    distance = _similarity(_tfidf(_counts(terms)))
    np.subtract(1.0, distance, out=distance)
    days = np.array([_day(p) if p else np.nan for p in published], dtype=float)
    if not np.isnan(days).all():
        apart = np.abs(np.subtract.outer(days, days)) > STORY_WINDOW_DAYS  # NaN (undated) compares False
        np.putmask(distance, apart, 1.0 + STORY_DISTANCE)  # beyond any cut: never together (complete linkage)
    np.fill_diagonal(distance, 0.0)
    np.maximum(distance, 0.0, out=distance)
    # scipy's complete linkage, which scikit-learn's AgglomerativeClustering runs for these settings, cut
    # below STORY_DISTANCE (merges at distance < STORY_DISTANCE, as its distance_threshold): ~6 ms less a
    # chunk of 512 articles, mostly the estimator's own checks
    tree = linkage(squareform(distance, checks=False), method="complete")
    labels = fcluster(tree, t=np.nextafter(STORY_DISTANCE, 0.0), criterion="distance")
    return labels.tolist(), distance


def join_stories(new: Sequence[StoryTerms], held: Sequence[StoryTerms]) -> dict[str, str]:
    """Story ids for ``new`` documents, clustered as one batch with ``held`` documents that have a story.

    A held document keeps its story. A new document clustered with held ones joins the held story it is
    closest to on average (mean cosine distance to that story's members in the cluster; ties to the story
    of the earliest member); a cluster of new documents alone is named after its earliest member
    (publication, then id). The result depends only on the two lists, so the store's writer gives the
    same stories however the documents were processed."""
    if any(h.story_id is None for h in held):
        raise ValueError("every held document needs its story id")
    docs = [*held, *new]
    labels, distance = _linkage([d.terms for d in docs], [d.published for d in docs])
    keys = [(_day(d.published) or 0, d.id) for d in docs]  # earliest first: publication, then id
    members: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        members[label].append(i)
    out: dict[str, str] = {}
    for group in members.values():
        fresh = [i for i in group if docs[i].story_id is None]
        if not fresh:  # held documents only: they keep their stories
            continue
        if len(fresh) == len(group):
            first = min(fresh, key=keys.__getitem__)
            out.update((docs[i].id, docs[first].id) for i in fresh)
            continue
        old: dict[str, list[int]] = defaultdict(list)
        for i in sorted((i for i in group if docs[i].story_id is not None), key=keys.__getitem__):
            old[docs[i].story_id].append(i)  # type: ignore[index]
        if len(old) == 1:  # one story to join: no distances to compare
            story = next(iter(old))
            out.update((docs[i].id, story) for i in fresh)
            continue
        for i in fresh:
            story = min(old, key=lambda s: float(distance[i, old[s]].mean()))  # first of equals: earliest
            out[docs[i].id] = story
    return out


# ---- online -------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Story:
    story_id: str
    members: list[int] = field(default_factory=list)


class StoryIndex:
    """Story grouping for documents that arrive over time; a story id never changes once given.

    Each new document joins the story it is most similar to on average, provided it is similar enough
    to every member (complete linkage, the same cut as the batch) and on average (ONLINE_MIN_MEAN),
    else starts a story of its own.
    IDF comes from the documents held so far. Memory: the term counts of every document held.
    """

    def __init__(self) -> None:
        self._terms: list[Counter[str]] = []
        self._days: list[int | None] = []
        self._story_of: list[int] = []
        self._stories: list[_Story] = []
        self._df: Counter[str] = Counter()
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._ids: dict[str, str] = {}
        self._cache: dict[int, tuple[int, dict[str, float]]] = {}  # doc → (documents held then, vector)

    def __len__(self) -> int:
        return len(self._terms)

    def story_of(self, doc_id: str) -> str:
        return self._ids[doc_id]

    def add(self, doc: StoryDoc) -> str:
        if doc.id in self._ids:
            raise ValueError(f"document {doc.id!r} was already added; ids must be unique")
        terms = Counter(features(doc.text))
        day = _day(doc.published)
        n = len(self._terms)
        self._terms.append(terms)
        self._days.append(day)
        self._df.update(terms.keys())
        vec = self._vector(terms)
        best, best_score = None, -1.0
        for s in self._candidates(vec, day):
            mean = self._mean_if_linked(vec, self._stories[s].members[-MAX_MEMBERS_COMPARED:])
            if mean is not None and mean >= ONLINE_MIN_MEAN and mean > best_score:
                best, best_score = s, mean
        if best is None:
            best = len(self._stories)
            self._stories.append(_Story(doc.id))
        self._stories[best].members.append(n)
        self._story_of.append(best)
        for t in terms:
            self._postings[t].append(n)
        self._ids[doc.id] = self._stories[best].story_id
        return self._ids[doc.id]

    def _vector(self, terms: Mapping[str, int]) -> dict[str, float]:
        # scikit-learn's smooth IDF and sublinear TF, L2-normalised: the batch's weighting, online
        n = len(self._terms)
        w = {t: (1.0 + math.log(c)) * (math.log((1 + n) / (1 + self._df[t])) + 1.0) for t, c in terms.items()}
        norm = math.sqrt(sum(v * v for v in w.values())) or 1.0
        return {t: v / norm for t, v in w.items()}

    def _mean_if_linked(self, vec: Mapping[str, float], members: Sequence[int]) -> float | None:
        """Mean similarity to the members, or None as soon as one is below the complete-linkage cut."""
        total = 0.0
        for m in reversed(members):  # the newest first: a story that has moved on fails fastest
            sim = self._cosine(vec, self._member_vector(m))
            if sim < 1.0 - STORY_DISTANCE:
                return None
            total += sim
        return total / len(members)

    def _member_vector(self, m: int) -> dict[str, float]:
        """A held document's vector, re-weighted once the collection has grown by a quarter since."""
        held, vec = self._cache.get(m, (0, {}))
        if not vec or len(self._terms) > REWEIGHT_GROWTH * held + 10:
            held, vec = len(self._terms), self._vector(self._terms[m])
            self._cache[m] = (held, vec)
        return vec

    @staticmethod
    def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
        if len(a) > len(b):
            a, b = b, a
        return sum(v * b.get(t, 0.0) for t, v in a.items())

    def _candidates(self, vec: Mapping[str, float], day: int | None) -> set[int]:
        top = sorted(vec, key=lambda t: -vec[t])[:CANDIDATE_TERMS]
        found: set[int] = set()
        for t in top:
            for m in self._postings.get(t, ())[-MAX_POSTINGS_SCANNED:]:
                other = self._days[m]
                if day is None or other is None or abs(day - other) <= STORY_WINDOW_DAYS:
                    found.add(self._story_of[m])
        return found


# ---- CLI library function ------------------------------------------------------------------------------


def stories_records(lines: Iterable[Mapping[str, object]]) -> Iterator[dict[str, str]]:
    """``tocsin stories``: ``{id, text, published?}`` records → ``{id, story_id}``, in input order."""
    docs = [_story_doc(n, line) for n, line in enumerate(lines, start=1)]
    stories = assign_stories(docs)
    for d in docs:
        yield {"id": d.id, "story_id": stories[d.id]}


def _story_doc(n: int, line: Mapping[str, object]) -> StoryDoc:
    doc_id, text, published = line.get("id"), line.get("text"), line.get("published")
    if not isinstance(doc_id, str | int) or not isinstance(text, str):
        raise ValueError(f"record {n}: needs a string 'id' and a string 'text' (got keys {sorted(line)})")
    when: date | None = None
    if published not in (None, ""):
        try:
            when = datetime.fromisoformat(str(published)).date()
        except ValueError:
            raise ValueError(
                f"record {n}: 'published' must be an ISO date such as 2022-01-05, got {published!r}"
            ) from None
    return StoryDoc(str(doc_id), text, when)
