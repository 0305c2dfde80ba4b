"""GLOCON (shared/eval/glocon): its documents and sentences as training passages, and the held-out
evaluation of the relevance model on them (cross-validation, with and without the evidence head).

Read at run time from ../shared; nothing from it is in the repository. ``scripts/train_models.py`` trains
and prints these figures; docs/models.md has them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tocsin.detect.relevance import (
    DOCUMENT_THRESHOLD,
    EVIDENCE_THRESHOLD,
    RELEVANCE_THRESHOLD,
    DocumentEvidence,
    EvidenceHead,
    LinearHead,
    RelevanceModel,
    binary_scores,
    split_passages,
)


@dataclass(frozen=True, slots=True)
class GloconDocument:
    doc_id: str
    source_file: str
    text: str
    label: int  # 0 no protest event, 1 protest event, 2 announced/planned only
    sentences: tuple[tuple[str, int], ...]  # (sentence, label) when sentence gold exists, else ()


def read_glocon(folder: Path | str) -> list[GloconDocument]:
    """Read ``documents.jsonl`` and ``sentences.jsonl`` of a GLOCON folder (see its MANIFEST.md)."""
    folder = Path(folder)
    docs_path, sents_path = folder / "documents.jsonl", folder / "sentences.jsonl"
    if not docs_path.is_file():
        raise FileNotFoundError(f"{docs_path} not found: pass the GLOCON folder (shared/eval/glocon)")
    by_file: dict[str, list[tuple[int, str, int]]] = {}
    if sents_path.is_file():
        for row in _jsonl(sents_path):
            by_file.setdefault(row["url"], []).append(
                (int(row["sent_num"]), row["sentence"], int(row["label"]))
            )
    out = []
    for row in _jsonl(docs_path):
        sents = tuple((s, lab) for _, s, lab in sorted(by_file.get(row["url"], [])))
        out.append(GloconDocument(str(row["id"]), row["url"], row["text"], int(row["label"]), sents))
    return out


def glocon_passages(docs: Iterable[GloconDocument]) -> tuple[list[str], list[int]]:
    """Labelled training passages from GLOCON documents.

    Documents with sentence gold contribute their sentences (label 1 positive; 0 and 2, planned or
    announced, negative). Documents without it are negative documents (label 0): every sentence of
    theirs is negative. Label-2 documents without sentence gold are left out.
    """
    texts: list[str] = []
    labels: list[int] = []
    for doc in docs:
        if doc.sentences:
            for sentence, label in doc.sentences:
                texts.append(sentence)
                labels.append(int(label == 1))
        elif doc.label == 0:
            for passage in split_passages(doc.text):
                texts.append(passage)
                labels.append(0)
    return texts, labels




def evaluate_glocon(
    model: RelevanceModel, path: Path | str, threshold: float = RELEVANCE_THRESHOLD
) -> dict[str, Any]:
    """Document-level P/R/F1 on a GLOCON folder (label 1 positive; 0 and 2 negative).

    Also reports the best F1 over thresholds (for calibration only: it is tuned on the data scored)
    and average precision. Do not run it on the documents the model was trained on and call it
    held-out: see ``cross_validate_relevance``.
    """
    from sklearn.metrics import average_precision_score

    docs = read_glocon(path)
    gold = [int(d.label == 1) for d in docs]
    scores = model.score([d.text for d in docs])
    out: dict[str, Any] = binary_scores(gold, [int(s >= threshold) for s in scores])
    out.update(_threshold_summary(gold, scores))
    out.update(documents=len(docs), positives=sum(gold), threshold=threshold)
    out["average_precision"] = float(average_precision_score(gold, scores))
    out["confusion"] = {
        "tp": out["tp"],
        "fp": out["fp"],
        "fn": out["fn"],
        "tn": len(docs) - out["tp"] - out["fp"] - out["fn"],
    }
    return out


def cross_validate_relevance(
    glocon: Path | str,
    extra: tuple[list[str], list[int]] | tuple[list[str], list[int], list[float]] = ([], []),
    cue_head: LinearHead | None = None,
    folds: int = 5,
    seed: int = 0,
    threshold: float = RELEVANCE_THRESHOLD,
    doc_head: bool = True,
    **fit_args: Any,
) -> dict[str, Any]:
    """Held-out GLOCON document figures: k-fold over documents, never scoring a document whose
    sentences (or whole text, for the document head) were trained on. ``extra`` passages (e.g. CASE
    snippets: texts, labels and optionally one weight each) join every training fold; ``cue_head`` must not have been trained on GLOCON. Also
    reports P/R/F1 at ``DOCUMENT_THRESHOLD`` under ``at_document_threshold``."""
    docs = read_glocon(glocon)
    gold = np.asarray([int(d.label == 1) for d in docs])
    scores = cross_validated_scores(docs, np.arange(len(docs)), extra, cue_head, folds, seed, doc_head, **fit_args)
    out = _figures(gold, scores, threshold)
    out.update(folds=folds, seed=seed)
    out["at_document_threshold"] = binary_scores(
        gold.tolist(), (scores >= DOCUMENT_THRESHOLD).astype(int).tolist()
    )
    return out


def cross_validate_evidence(
    glocon: Path | str,
    evidence: Sequence[DocumentEvidence],
    extra: tuple[list[str], list[int]] | tuple[list[str], list[int], list[float]] = ([], []),
    cue_head: LinearHead | None = None,
    folds: int = 5,
    seed: int = 0,
) -> dict[str, Any]:
    """Held-out figures of the evidence head (``is_protest_document`` with evidence), by nested CV: in
    each outer fold the evidence head is fitted on inner out-of-fold scores of the training documents
    only, then applied to the outer model's scores of the test documents. P/R/F1 at
    ``EVIDENCE_THRESHOLD``; the score-only figures of the same outer folds (what ``cross_validate_relevance``
    gives) under ``score_only``."""
    from sklearn.model_selection import StratifiedKFold

    docs = read_glocon(glocon)
    if len(evidence) != len(docs):
        raise ValueError(f"{len(evidence)} evidence records for {len(docs)} GLOCON documents: give one per document")
    gold = np.asarray([int(d.label == 1) for d in docs])
    scores, probability = np.zeros(len(docs)), np.zeros(len(docs))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(docs, gold):
        scores[test] = _fit_fold(docs, gold, train, extra, cue_head).score([docs[i].text for i in test])
        inner = cross_validated_scores(docs, train, extra, cue_head, folds - 1, seed)
        head = EvidenceHead.fit(inner, [evidence[i] for i in train], gold[train])
        probability[test] = head.proba(scores[test], [evidence[i] for i in test])
    score_only = _figures(gold, scores, RELEVANCE_THRESHOLD)
    at_document = (scores >= DOCUMENT_THRESHOLD).astype(int).tolist()
    score_only["at_document_threshold"] = binary_scores(gold.tolist(), at_document)
    out = _figures(gold, probability, EVIDENCE_THRESHOLD)
    out.update(folds=folds, seed=seed, score_only=score_only)
    return out


def cross_validated_scores(
    docs: Sequence[GloconDocument],
    subset: np.ndarray,
    extra: tuple[list[str], list[int]] | tuple[list[str], list[int], list[float]] = ([], []),
    cue_head: LinearHead | None = None,
    folds: int = 5,
    seed: int = 0,
    doc_head: bool = True,
    **fit_args: Any,
) -> np.ndarray:
    """Out-of-fold relevance scores of ``docs[subset]`` (stratified k-fold within the subset), in its order."""
    from sklearn.model_selection import StratifiedKFold

    gold = np.asarray([int(d.label == 1) for d in docs])
    scores = np.zeros(len(subset))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(subset, gold[subset]):
        model = _fit_fold(docs, gold, subset[train], extra, cue_head, doc_head, **fit_args)
        scores[test] = model.score([docs[i].text for i in subset[test]])
    return scores


def _fit_fold(
    docs: Sequence[GloconDocument],
    gold: np.ndarray,
    train: np.ndarray,
    extra: tuple[list[str], list[int]] | tuple[list[str], list[int], list[float]],
    cue_head: LinearHead | None,
    doc_head: bool = True,
    **fit_args: Any,
) -> RelevanceModel:
    texts, labels = glocon_passages(docs[i] for i in train)
    documents = ([docs[i].text for i in train], gold[train].tolist()) if doc_head else ((), ())
    extra_weights = list(extra[2]) if len(extra) > 2 else [1.0] * len(extra[0])  # type: ignore[misc]
    return RelevanceModel.fit(
        texts + list(extra[0]),
        labels + list(extra[1]),
        cue_head,
        documents=documents[0],
        document_labels=documents[1],
        weights=[1.0] * len(texts) + extra_weights,
        **fit_args,
    )


def _figures(gold: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, Any]:
    from sklearn.metrics import average_precision_score

    out: dict[str, Any] = binary_scores(gold.tolist(), (scores >= threshold).astype(int).tolist())
    out.update(_threshold_summary(gold.tolist(), scores.tolist()))
    out.update(documents=len(gold), positives=int(gold.sum()), threshold=threshold)
    out["average_precision"] = float(average_precision_score(gold, scores))
    return out


def _threshold_summary(gold: Sequence[int], scores: Sequence[float]) -> dict[str, Any]:
    grid = [round(t, 2) for t in np.arange(0.05, 0.96, 0.05)]
    table = {t: binary_scores(gold, [int(s >= t) for s in scores]) for t in grid}
    best = max(grid, key=lambda t: table[t]["f1"])
    return {
        "best_f1": table[best]["f1"],
        "best_threshold": best,
        "by_threshold": {t: {k: round(v, 3) for k, v in table[t].items()} for t in grid},
    }


def _jsonl(path: Path) -> Iterable[dict]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
