"""Near-duplicate documents: the same text published twice, not two reports of one event.

A republished copy, one wire story in several outlets, or the same page scraped twice with different
junk lines around it shares most of its word 5-grams ("shingles") with the first copy. Two reporters'
accounts of one riot share names and a few phrases but few 5-grams, and must stay separate sources.
MinHash (datasketch) estimates the Jaccard similarity of shingle sets; LSH finds candidates in time
independent of the number of documents held; each candidate is then checked against the threshold on its
signature, so LSH's looser banding never decides alone.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

# Word n-gram length for shingles. 5 words: long enough that two independent write-ups of one event
# rarely share one by chance, short enough that a copy with a changed headline or a few junk lines keeps
# most of them.
SHINGLE_WORDS = 5
# Estimated Jaccard similarity of shingle sets at or above which a document is a near-duplicate.
# Calibrated (tests/dedupe/test_neardup_corpus.py) on ECB+ pairs of articles about one event (the
# rewritten-report case) and on copies of events-dev documents made at test time (junk lines added,
# headline and sign-off changed, the last sixth cut). Different articles about one event: median 0.001,
# 90th percentile 0.04; the ~2% above 0.3 are all edited versions of one wire story (AP copy with a
# new lede, RT re-running a report), which count as one source. Copies measured 0.50-0.85. Articles
# about different events never exceeded 0.05. 0.3 sits in the gap, clear of the MinHash error (±0.04).
NEAR_DUPLICATE_JACCARD = 0.3
# MinHash permutations: standard error of the Jaccard estimate ~ 1/sqrt(128) ≈ 0.09 around 0.5.
NUM_PERM = 128
SEED = 1
# datasketch's 32-bit affine hashing scheme (its default in 2.0): signatures are num_perm × uint32.
SCHEME = "affine32"
_DTYPE = "<u4"
_FOLD = 0x100000001B3  # the 64-bit FNV prime: folds a band's values into one key

# LSH banding of a signature, as datasketch's MinHashLSH chooses it for NEAR_DUPLICATE_JACCARD and NUM_PERM
# (equal weights on false positives and negatives): 37 bands of 3 values, so two documents are candidates
# when all 3 values of one band agree (a pair at Jaccard 0.3 becomes one with probability 0.63, at 0.5 with
# 0.993). A store keeps each band as one 64-bit key (``band_keys``): changing these, the threshold or NUM_PERM
# means rebuilding the stored keys (a new migration).
LSH_BANDS = 37
LSH_ROWS = 3

_WORD = re.compile(r"\w+", re.UNICODE)
_MAGIC = b"TNDI1"  # serialised index: magic, threshold, num_perm, count, then (id, signature) records


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """Word n-grams of the case-folded text; punctuation and spacing do not matter (tokenised or raw)."""
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


class NearDuplicateIndex:
    """Documents seen so far, as MinHash signatures, to tell whether a new one is a near-copy.

    >>> index = NearDuplicateIndex()
    >>> index.add("a", text)          # None: nothing like it before
    >>> index.add("b", copy_of_text)  # "a"
    """

    def __init__(self, threshold: float = NEAR_DUPLICATE_JACCARD, num_perm: int = NUM_PERM) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._signatures: dict[str, LeanMinHash] = {}
        self._order: dict[str, int] = {}  # doc id → insertion rank: the earliest copy is the answer

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._signatures

    def signature(self, text: str) -> bytes:
        """The document's MinHash signature as bytes (num_perm × uint32), e.g. to keep in a store."""
        return _signature(text, self.num_perm)

    def add(self, doc_id: str, text: str) -> str | None:
        """Add a document; return the id of the earliest near-duplicate already held, else None.

        A text with no words is neither held nor matched: two empty pages are not copies of each other."""
        if not _WORD.search(text):
            return None
        return self.add_signature(doc_id, self.signature(text))

    def query(self, text: str) -> str | None:
        """The earliest held near-duplicate of ``text``, without adding it."""
        if not _WORD.search(text):
            return None
        return self._match(self._from_bytes(self.signature(text)))

    def add_signature(self, doc_id: str, signature: bytes) -> str | None:
        """``add`` with a signature computed earlier (``signature``): rebuilds an index from a store."""
        if doc_id in self._signatures:
            raise ValueError(f"document {doc_id!r} is already in the index; ids must be unique")
        mh = self._from_bytes(signature)
        match = self._match(mh)
        self._lsh.insert(doc_id, mh)
        self._signatures[doc_id] = mh
        self._order[doc_id] = len(self._order)
        return match

    def similarity(self, a: str, b: str) -> float:
        """Estimated Jaccard similarity of two held documents."""
        return float(self._signatures[a].jaccard(self._signatures[b]))

    def to_bytes(self) -> bytes:
        head = _MAGIC + struct.pack("<dII", self.threshold, self.num_perm, len(self._signatures))
        return head + b"".join(
            _record(i, self._signatures[i]) for i in sorted(self._order, key=self._order.get)
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> NearDuplicateIndex:
        if not data.startswith(_MAGIC):
            raise ValueError(
                "not a serialised NearDuplicateIndex (bad header); rebuild it from the documents"
            )
        threshold, num_perm, count = struct.unpack_from("<dII", data, len(_MAGIC))
        index = cls(threshold=threshold, num_perm=num_perm)
        for doc_id, sig in _records(data, len(_MAGIC) + struct.calcsize("<dII"), count, num_perm):
            index.add_signature(doc_id, sig)
        return index

    # ---- internals ---------------------------------------------------------------------------------

    def _from_bytes(self, signature: bytes) -> LeanMinHash:
        values = np.frombuffer(signature, dtype=_DTYPE)
        if values.size != self.num_perm:
            raise ValueError(f"signature has {values.size} values, the index uses {self.num_perm}")
        return LeanMinHash(seed=SEED, hashvalues=values.astype(np.uint32), scheme=SCHEME)

    def _match(self, mh: LeanMinHash) -> str | None:
        hits = [d for d in self._lsh.query(mh) if self._signatures[d].jaccard(mh) >= self.threshold]
        return min(hits, key=self._order.__getitem__, default=None)


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch draws a MinHash's permutations from its seed on every construction (a third of the cost
    of a signature): drawn once per process here, the same values."""
    return MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME).permutations  # type: ignore[return-value]


def _signature(text: str, num_perm: int = NUM_PERM) -> bytes:
    mh = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME, permutations=_permutations(num_perm))
    mh.update_batch(sorted(shingles(text)))
    return mh.hashvalues.astype(_DTYPE).tobytes()


def signature(text: str) -> bytes | None:
    """A pure function for the per-document stages: the text's MinHash signature (NUM_PERM × uint32 bytes),
    or None for a text with no words (two empty pages are not copies of each other)."""
    return _signature(text) if _WORD.search(text) else None


def band_keys(signature: bytes) -> list[int]:
    """The LSH bands of a signature as the store indexes them: one signed 64-bit key a band, its number and
    its LSH_ROWS values folded together. Two documents are near-duplicate candidates when they share a band,
    so a key; two bands that share a key by chance only add a candidate, which ``jaccard`` then rejects."""
    if len(signature) != 4 * NUM_PERM:
        raise ValueError(f"signature has {len(signature)} bytes, expected {4 * NUM_PERM} (NUM_PERM x 4)")
    values = np.frombuffer(signature, dtype=_DTYPE, count=LSH_BANDS * LSH_ROWS).reshape(LSH_BANDS, LSH_ROWS)
    keys = np.arange(LSH_BANDS, dtype=np.uint64)
    for row in values.T.astype(np.uint64):
        keys = keys * np.uint64(_FOLD) + row  # modulo 2**64
    return keys.view(np.int64).tolist()


def jaccard(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures (the share of equal values, as datasketch's)."""
    x, y = np.frombuffer(a, dtype=_DTYPE), np.frombuffer(b, dtype=_DTYPE)
    if x.size != y.size:
        raise ValueError(f"signatures of {x.size} and {y.size} values cannot be compared")
    return float(np.count_nonzero(x == y)) / x.size


def earliest_match(signature: bytes, candidates: Sequence[tuple[int, bytes]],
                   threshold: float = NEAR_DUPLICATE_JACCARD) -> int | None:
    """Of (rank, signature) candidates, the lowest rank whose similarity reaches ``threshold``, else None."""
    hits = [rank for rank, other in candidates if jaccard(signature, other) >= threshold]
    return min(hits, default=None)


def _record(doc_id: str, mh: LeanMinHash) -> bytes:
    raw = doc_id.encode("utf-8")
    return struct.pack("<I", len(raw)) + raw + mh.hashvalues.astype(_DTYPE).tobytes()


def _records(data: bytes, pos: int, count: int, num_perm: int) -> Iterator[tuple[str, bytes]]:
    width = np.dtype(_DTYPE).itemsize * num_perm
    for _ in range(count):
        (n,) = struct.unpack_from("<I", data, pos)
        pos += 4
        doc_id = data[pos : pos + n].decode("utf-8")
        pos += n
        yield doc_id, data[pos : pos + width]
        pos += width


def find_near_duplicates(
    docs: Iterable[tuple[str, str]], threshold: float = NEAR_DUPLICATE_JACCARD
) -> dict[str, str]:
    """For a batch of (id, text) in arrival order: each near-duplicate's id → the earlier document's id."""
    index = NearDuplicateIndex(threshold)
    found = {}
    for doc_id, text in docs:
        match = index.add(doc_id, text)
        if match is not None:
            found[doc_id] = match
    return found
