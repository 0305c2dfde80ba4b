"""Relevance model: unit behaviour on sentences written for these tests, and held-out corpus figures.

Corpus floors are pinned just below the measured figure (docs/models.md), never on training data:
GLOCON figures come from k-fold cross-validation retrained in the test, events-dev is never trained on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from tocsin.detect.classify import SnippetClassifier, read_case
from tocsin.detect.glocon import cross_validate_evidence
from tocsin.detect.relevance import (
    DOCUMENT_THRESHOLD,
    EVIDENCE_THRESHOLD,
    RELEVANCE_THRESHOLD,
    DocumentEvidence,
    EvidenceHead,
    ModelFileError,
    RelevanceModel,
    TextFeatures,
    binary_scores,
    document_evidence,
    document_matrix,
    split_passages,
)

REPO = Path(__file__).resolve().parents[2]

PROTEST_ARTICLE = (
    "The city council approved a new budget on Tuesday after a long debate. "
    "Outside the building, about two thousand nurses marched with banners and chanted slogans "
    "demanding better pay. The march ended peacefully in the main square."
)
FOOTBALL_ARTICLE = (
    "The home side came from behind to win 3-1 on Saturday. Their captain scored twice in the second "
    "half and the coach praised the defence after the final whistle. The team is now second in the league."
)
SHELLING_ARTICLE = "The army shelled rebel positions in the hills overnight, a military spokesman said."
RIOT_LOWER = "ahmedabad: a mob set shops ablaze and stoned vehicles in the old city on thursday. police said."


def train_models():  # noqa: ANN201 — the scripts/train_models.py module
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import train_models as module
    finally:
        sys.path.remove(str(REPO / "scripts"))
    return module


@pytest.fixture(scope="module")
def model() -> RelevanceModel:
    return RelevanceModel.load()


def test_protest_articles_pass_and_others_do_not(model: RelevanceModel) -> None:
    protest, riot, football, shelling = model.score(
        [PROTEST_ARTICLE, RIOT_LOWER, FOOTBALL_ARTICLE, SHELLING_ARTICLE]
    )
    assert protest >= RELEVANCE_THRESHOLD
    assert riot >= RELEVANCE_THRESHOLD
    assert football < RELEVANCE_THRESHOLD
    assert shelling < RELEVANCE_THRESHOLD


def test_a_protest_sentence_buried_in_an_unrelated_article_still_counts(model: RelevanceModel) -> None:
    filler = "The minister said the new road would open next year. Traffic has grown by a tenth since 2010. "
    buried = (
        filler * 6
        + "Hundreds of residents marched to the municipal offices to protest against the water cuts. "
    )
    [plain, with_protest] = model.score([filler * 6, buried])
    assert with_protest >= RELEVANCE_THRESHOLD > plain


def test_score_shapes(model: RelevanceModel) -> None:
    assert model.score([]) == []
    scores = model.score(["", "   ", PROTEST_ARTICLE])
    assert len(scores) == 3 and all(0.0 <= s <= 1.0 for s in scores)
    # scoring in a batch or one by one gives the same numbers
    assert scores[2] == pytest.approx(model.score([PROTEST_ARTICLE])[0])


def test_split_passages_handles_lower_case_and_quotes() -> None:
    parts = split_passages('police said. "we will act," he said.\nthe crowd left')
    assert parts == ["police said.", '"we will act," he said.', "the crowd left"]
    assert split_passages("") == [""]


def test_save_and_load_round_trip(model: RelevanceModel, tmp_path: Path) -> None:
    path = tmp_path / "relevance.npz"
    model.save(path)
    again = RelevanceModel.load(path)
    texts = [PROTEST_ARTICLE, FOOTBALL_ARTICLE]
    assert again.score(texts) == pytest.approx(model.score(texts), abs=1e-6)
    assert again.evidence_head == model.evidence_head


def test_model_file_errors_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="train_models.py"):
        RelevanceModel.load(tmp_path / "missing.npz")
    SnippetClassifier.load().save(tmp_path / "snippets.npz")
    with pytest.raises(ModelFileError, match="'snippets' model"):
        RelevanceModel.load(tmp_path / "snippets.npz")


def test_shipped_model_has_a_document_head_and_a_yes_no_answer(model: RelevanceModel) -> None:
    assert model.doc_head is not None and 0 < model.doc_share < 1
    assert RELEVANCE_THRESHOLD < DOCUMENT_THRESHOLD  # the pipeline filter is the recall-first one
    assert model.is_protest_document([PROTEST_ARTICLE, FOOTBALL_ARTICLE]) == [True, False]


NONE, MENTION, EVENT = DocumentEvidence(False, False), DocumentEvidence(True, False), DocumentEvidence(True, True)
STRIKE = DocumentEvidence(False, False, strike=True)
VIOLENCE = DocumentEvidence(False, False, political_violence=True)


def test_evidence_head_trusts_the_score_more_when_extraction_finds_a_protest(model: RelevanceModel) -> None:
    head = model.evidence_head
    assert head is not None and head.score > 0 and head.mention > 0 and head.event > 0
    assert head.strike > 0 and head.collective > 0 and head.political_violence > 0
    p = head.proba([0.4, 0.4, 0.4, 0.2, 0.8, 0.4, 0.4], [NONE, MENTION, EVENT, EVENT, NONE, STRIKE, VIOLENCE])
    assert p[0] < p[1] < p[2] and p[3] < p[2] and p[4] > p[0] and p[5] > p[0] and p[6] > p[0]
    texts = [PROTEST_ARTICLE, FOOTBALL_ARTICLE]
    assert model.is_protest_document(texts, evidence=[EVENT, NONE]) == [True, False]
    # without evidence the answer is the score's, at DOCUMENT_THRESHOLD
    assert model.is_protest_document(texts) == [s >= DOCUMENT_THRESHOLD for s in model.score(texts)]
    probs = model.protest_probability(texts, [EVENT, NONE])
    assert model.is_protest_document(texts, evidence=[EVENT, NONE]) == [q >= EVIDENCE_THRESHOLD for q in probs]


def test_evidence_head_fit_recovers_the_direction_of_each_input() -> None:
    rng = np.random.default_rng(0)
    scores = rng.uniform(0.01, 0.99, 400)
    evidence = [DocumentEvidence(bool(m), bool(m and e)) for m, e in rng.integers(0, 2, (400, 2))]
    z = 2 * np.log(scores / (1 - scores)) + np.asarray([1.5 * e.mention + 1.0 * e.event for e in evidence]) - 1
    labels = (rng.uniform(size=400) < 1 / (1 + np.exp(-z))).astype(int)
    head = EvidenceHead.fit(scores, evidence, labels)
    assert 1.0 < head.score < 3.0 and head.mention > 0.3 and head.event > 0
    assert np.allclose(head.proba([0.5], [NONE]), 1 / (1 + np.exp(-head.intercept)))
    assert head.strike == head.collective == head.political_violence == 0  # inputs that never fire weigh nothing
    strikes = rng.integers(0, 2, 400)
    flagged = [DocumentEvidence(e.mention, e.event, strike=bool(s)) for e, s in zip(evidence, strikes, strict=True)]
    z = z + 2.0 * np.asarray([e.strike for e in flagged])
    labels = (rng.uniform(size=400) < 1 / (1 + np.exp(-z))).astype(int)
    assert EvidenceHead.fit(scores, flagged, labels).strike > 0.8


def test_an_evidence_head_without_the_collective_action_weights_still_loads(model: RelevanceModel, tmp_path: Path) -> None:
    old = EvidenceHead(intercept=-1.0, score=1.5, mention=1.0, event=2.0)  # a round-5 model file's four numbers
    path = tmp_path / "old.npz"
    RelevanceModel(model.features, model.head, model.meta, evidence_head=old).save(path)
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    header = json.loads(str(arrays["header"]))
    four = {k: header["meta"]["evidence_head"][k] for k in ("intercept", "score", "mention", "event")}
    header["meta"]["evidence_head"] = four
    arrays["header"] = np.asarray(json.dumps(header))
    np.savez(path, **arrays)
    head = RelevanceModel.load(path).evidence_head
    assert head == old and head.strike == 0
    p = head.proba([0.4, 0.4], [MENTION, DocumentEvidence(True, False, strike=True, political_violence=True)])
    assert p[0] == p[1] == pytest.approx(1 / (1 + np.exp(1.0 - 1.5 * np.log(0.4 / 0.6) - 1.0)))


def test_evidence_errors_say_what_to_do(model: RelevanceModel) -> None:
    with pytest.raises(ValueError, match="one per text"):
        model.protest_probability([PROTEST_ARTICLE], [EVENT, NONE])
    bare = RelevanceModel(model.features, model.head, model.meta)
    with pytest.raises(ModelFileError, match="train_models.py"):
        bare.is_protest_document([PROTEST_ARTICLE], evidence=[EVENT])


def test_document_evidence_reads_realis_mentions() -> None:
    from tocsin.clean import clean
    from tocsin.detect.mentions import make_sentence_splitter
    from tocsin.records import RawDocument
    from tocsin.settings import Settings

    split, settings = make_sentence_splitter(), Settings()
    article = clean(RawDocument("a", text=PROTEST_ARTICLE), settings)
    assert document_evidence(article, split) == DocumentEvidence(mention=True, event=False)
    planned = "Nurses will march to the city hall next week to demand better pay, their union said on Monday."
    assert document_evidence(clean(RawDocument("b", text=planned), settings), split) == NONE
    assert document_evidence(clean(RawDocument("c", text=FOOTBALL_ARTICLE), settings), split) == NONE
    strike = "The port was quiet on Monday. Dockers went on strike over unpaid overtime, the union said."
    assert document_evidence(clean(RawDocument("d", text=strike), settings), split) == STRIKE
    threat = "Dockers threatened to strike over unpaid overtime, the union said on Monday."
    assert document_evidence(clean(RawDocument("e", text=threat), settings), split) == NONE


def test_document_matrix_sums_passages_and_normalises_each_block() -> None:
    features = TextFeatures(n_features=2**10)
    passages = ["nurses marched", "the march ended", "a football match"]
    D = document_matrix(features.transform(passages), [0, 2], features.n_features)
    assert D.shape == (2, features.width)
    for row in D.toarray():
        assert np.linalg.norm(row[: 2**10]) == pytest.approx(1.0)
        assert np.linalg.norm(row[2**10 :]) == pytest.approx(1.0)
    # the first article is its two passages together: the same columns as the two passages summed
    X = features.transform(passages).toarray()
    assert set(np.flatnonzero(D.toarray()[0])) == set(np.flatnonzero(X[0] + X[1]))


def test_document_matrix_counts_grow_sublinearly() -> None:
    # an n-gram in four passages weighs twice (the square root of four), not four times, one in one passage
    features = TextFeatures(n_features=2**10)
    D = document_matrix(features.transform(["strike"] * 4 + ["budget"]), [0], features.n_features).toarray()[0]
    [strike] = np.flatnonzero(features.transform(["strike"]).toarray()[0, : 2**10])
    [budget] = np.flatnonzero(features.transform(["budget"]).toarray()[0, : 2**10])
    assert D[strike] / D[budget] == pytest.approx(2.0)


def test_fit_weights_scale_each_passage() -> None:
    passages = [PROTEST_ARTICLE, FOOTBALL_ARTICLE, SHELLING_ARTICLE, RIOT_LOWER]
    full = RelevanceModel.fit(passages, [1, 0, 0, 1])
    faint = RelevanceModel.fit(passages, [1, 0, 0, 1], weights=[1.0, 1.0, 1.0, 0.05])
    assert faint.score([RIOT_LOWER])[0] < full.score([RIOT_LOWER])[0]
    with pytest.raises(ValueError, match="one weight per passage"):
        RelevanceModel.fit(passages, [1, 0, 0, 1], weights=[1.0, 1.0])


def test_fit_with_documents_trains_the_document_head() -> None:
    passages = [PROTEST_ARTICLE, FOOTBALL_ARTICLE, SHELLING_ARTICLE, RIOT_LOWER]
    m = RelevanceModel.fit(passages, [1, 0, 0, 1], documents=passages, document_labels=[1, 0, 0, 1])
    assert m.doc_head is not None
    scores = m.score(passages)
    assert min(scores[0], scores[3]) > max(scores[1], scores[2])
    with pytest.raises(ValueError, match="documents"):
        RelevanceModel.fit(passages, [1, 0, 0, 1], documents=passages, document_labels=[0, 0, 0, 0])


def test_binary_scores() -> None:
    s = binary_scores([1, 1, 0, 0], [1, 0, 1, 0])
    assert (s["precision"], s["recall"], s["f1"]) == (0.5, 0.5, 0.5)


@pytest.fixture(scope="module")
def glocon_evidence(shared: Path, cache_dir: Path) -> list[DocumentEvidence]:
    """Mentions and events of each GLOCON document, pipeline with no relevance filter (~10 s)."""
    return train_models().glocon_evidence(shared, cache_dir)


@pytest.mark.corpus
def test_glocon_cross_validated_figures(shared: Path, glocon_evidence: list[DocumentEvidence]) -> None:
    case = shared / "eval" / "case2021-task2" / "snippets.tsv"
    texts, labels, _ = read_case(case)
    cue_head = SnippetClassifier.fit(texts, labels).binary  # CASE only: never sees GLOCON
    extra = train_models().relevance_extra(case)  # the training script's passages
    # nested 5-fold CV (~55 s); its outer folds are cross_validate_relevance's, whose figures are under score_only
    e = cross_validate_evidence(shared / "eval" / "glocon", glocon_evidence, extra=extra, cue_head=cue_head, seed=0)
    r = e["score_only"]
    # measured 2026-11-26 (sublinear document head × 0.3, political-violence CASE rows positive × 0.5):
    # recall 0.833, F1 0.523 at the pipeline threshold (0.275); AP 0.803; F1 0.766 at DOCUMENT_THRESHOLD
    # (0.45); best F1 0.773 (at 0.5). Before: recall 0.854, F1 0.522 (at 0.25), AP 0.781, F1 0.737, best 0.737.
    assert r["recall"] >= 0.83
    assert r["f1"] >= 0.50
    assert r["average_precision"] >= 0.79
    assert r["at_document_threshold"]["f1"] >= 0.75
    assert r["best_f1"] >= 0.76
    # with the extraction stages' evidence (round 6: mention, event, strike, collective action, political
    # violence), measured 2026-11-27: AP 0.870 (0.874 before "as demonstrated by" became a false friend of the
    # mentions), F1 0.842 at EVIDENCE_THRESHOLD (0.375; precision 0.851, recall
    # 0.833). Round 5 (mention and event, threshold 0.5): AP 0.831, F1 0.780, precision 0.941, recall 0.667;
    # the new threshold trades that precision for recall, so the precision floor moved from 0.90 to 0.84
    # (lowered in 0fb304a, the F1, AP and new recall floors above raised with it: F1 0.780 -> 0.842).
    assert e["average_precision"] >= 0.86
    assert e["f1"] >= 0.83
    assert e["recall"] >= 0.82
    assert e["precision"] >= 0.84


@pytest.mark.corpus
def test_events_dev_documents_with_the_shipped_model(shared: Path, model: RelevanceModel) -> None:
    folder = shared / "eval" / "events-dev"
    docs = [json.loads(line) for line in (folder / "docs.jsonl").read_text(encoding="utf-8").splitlines()]
    golds = map(json.loads, (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines())
    gold = {g["doc_id"]: int(bool(g["events"])) for g in golds}
    scores = model.score([d["text"] for d in docs])
    r = binary_scores([gold[d["id"]] for d in docs], [int(s >= RELEVANCE_THRESHOLD) for s in scores])
    # events-dev is not in any training set. measured: recall 1.0 (15/15), precision 0.600, F1 0.750
    assert r["recall"] >= 0.93
    assert r["f1"] >= 0.72


@pytest.mark.corpus
def test_shipped_files_are_what_the_training_script_writes(
    shared: Path, tmp_path: Path, glocon_evidence: list[DocumentEvidence]
) -> None:
    train_models().train(shared, tmp_path, glocon_evidence)
    texts, _, _ = read_case(shared / "eval" / "case2021-task2" / "snippets.tsv")
    sample = texts[:40] + [PROTEST_ARTICLE, FOOTBALL_ARTICLE]
    shipped, retrained = RelevanceModel.load(), RelevanceModel.load(tmp_path / "relevance.npz")
    assert np.allclose(shipped.score(sample), retrained.score(sample), atol=1e-4)
    assert shipped.evidence_head is not None and retrained.evidence_head is not None
    assert np.allclose(
        shipped.evidence_head.proba([0.2, 0.5, 0.8], [NONE, MENTION, EVENT]),
        retrained.evidence_head.proba([0.2, 0.5, 0.8], [NONE, MENTION, EVENT]),
        atol=1e-4,
    )
    a, b = (
        SnippetClassifier.load().predict(sample),
        SnippetClassifier.load(tmp_path / "snippets.npz").predict(sample),
    )
    assert [p.sub_event_type for p in a] == [p.sub_event_type for p in b]
    assert np.allclose([p.score for p in a], [p.score for p in b], atol=1e-4)
