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
from tocsin.detect.relevance import (
    RELEVANCE_THRESHOLD,
    ModelFileError,
    RelevanceModel,
    binary_scores,
    cross_validate_relevance,
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


def test_model_file_errors_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="train_models.py"):
        RelevanceModel.load(tmp_path / "missing.npz")
    SnippetClassifier.load().save(tmp_path / "snippets.npz")
    with pytest.raises(ModelFileError, match="'snippets' model"):
        RelevanceModel.load(tmp_path / "snippets.npz")


def test_binary_scores() -> None:
    s = binary_scores([1, 1, 0, 0], [1, 0, 1, 0])
    assert (s["precision"], s["recall"], s["f1"]) == (0.5, 0.5, 0.5)


@pytest.mark.corpus
def test_glocon_cross_validated_figures(shared: Path) -> None:
    case = shared / "eval" / "case2021-task2" / "snippets.tsv"
    texts, labels, _ = read_case(case)
    cue_head = SnippetClassifier.fit(texts, labels).binary  # CASE only: never sees GLOCON
    extra = (texts, [int(lab is not None) for lab in labels])
    r = cross_validate_relevance(shared / "eval" / "glocon", extra=extra, cue_head=cue_head, folds=5, seed=0)
    # measured 2026-11-26: recall 0.854, F1 0.491 at the threshold (0.25); AP 0.753; best F1 0.714
    assert r["recall"] >= 0.83
    assert r["f1"] >= 0.47
    assert r["average_precision"] >= 0.73
    assert r["best_f1"] >= 0.69


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
def test_shipped_files_are_what_the_training_script_writes(shared: Path, tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import train_models
    finally:
        sys.path.remove(str(REPO / "scripts"))
    train_models.train(shared, tmp_path)
    texts, _, _ = read_case(shared / "eval" / "case2021-task2" / "snippets.tsv")
    sample = texts[:40] + [PROTEST_ARTICLE, FOOTBALL_ARTICLE]
    shipped, retrained = RelevanceModel.load(), RelevanceModel.load(tmp_path / "relevance.npz")
    assert np.allclose(shipped.score(sample), retrained.score(sample), atol=1e-4)
    a, b = (
        SnippetClassifier.load().predict(sample),
        SnippetClassifier.load(tmp_path / "snippets.npz").predict(sample),
    )
    assert [p.sub_event_type for p in a] == [p.sub_event_type for p in b]
    assert np.allclose([p.score for p in a], [p.score for p in b], atol=1e-4)
