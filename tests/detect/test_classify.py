"""Snippet classifier: unit behaviour on sentences written for these tests, and CASE figures from
stratified k-fold cross-validation retrained in the test (never scored on rows it was trained on)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tocsin.detect.classify import (
    NONE_LABEL,
    PARSE_FEATURES,
    SUB_TYPES,
    Prediction,
    SnippetClassifier,
    classify_records,
    cross_validate_case,
    read_jsonl_records,
    rule_sub_type,
)
from tocsin.records import (
    EXCESSIVE_FORCE,
    INTERVENTION,
    MOB_VIOLENCE,
    PEACEFUL,
    PROTESTS,
    RIOTS,
    VIOLENT_DEMONSTRATION,
)

PEACEFUL_MARCH = (
    "Thousands of teachers marched peacefully through the city centre on Monday to demand higher pay."
)
TEAR_GAS = "Police fired tear gas to disperse hundreds of students who had gathered outside parliament."
MOB = "A mob torched shops and stoned vehicles in the old quarter after a quarrel between two groups."
SHELLING = "The army shelled rebel positions in the north of the province overnight."
FOOTBALL = "The home side won 3-1 after a late goal from their striker in Saturday's league match."
SHOT = "Security forces opened fire on demonstrators, killing three protesters and wounding dozens."
STONE_PELTING = "protesters pelted stones at the police station and set a bus ablaze."


# CASE 5-fold CV, seed 0, measured 2026-11-27 (parse indicators in the sub-type head): binary F1 0.927,
# macro-F1 (five sub-types, all rows) 0.774, macro-F1 on the gold protest/riot rows 0.836 (before the
# parse: 0.927 / 0.752 / 0.813). Floors pinned just below.
BINARY_F1_FLOOR = 0.92
MACRO_F1_FLOOR = 0.765
MACRO_ON_GOLD_FLOOR = 0.825


@pytest.fixture(scope="module")
def clf() -> SnippetClassifier:
    return SnippetClassifier.load()


@pytest.mark.parametrize(
    ("text", "event_type", "sub_type"),
    [
        (PEACEFUL_MARCH, PROTESTS, PEACEFUL),
        (TEAR_GAS, PROTESTS, INTERVENTION),
        (MOB, RIOTS, MOB_VIOLENCE),
        (SHOT, PROTESTS, EXCESSIVE_FORCE),
        (STONE_PELTING, RIOTS, VIOLENT_DEMONSTRATION),
        (SHELLING, None, None),
        (FOOTBALL, None, None),
    ],
)
def test_typing_of_written_sentences(clf: SnippetClassifier, text: str, event_type, sub_type) -> None:
    [pred] = clf.predict([text])
    assert (pred.event_type, pred.sub_event_type) == (event_type, sub_type)
    assert (pred.score >= clf.threshold) == (event_type is not None)


def test_prediction_is_frozen_and_probabilities_sum_to_one(clf: SnippetClassifier) -> None:
    [pred] = clf.predict([TEAR_GAS])
    assert isinstance(pred, Prediction)
    with pytest.raises(dataclasses.FrozenInstanceError):
        pred.score = 0.0  # type: ignore[misc]
    assert set(pred.probabilities) == {NONE_LABEL, *SUB_TYPES}
    assert sum(pred.probabilities.values()) == pytest.approx(1.0)
    assert pred.probabilities[NONE_LABEL] == pytest.approx(1 - pred.score)


def test_cue_rules_follow_acled_precedence() -> None:
    # demonstrators' own violence wins over police intervention
    assert rule_sub_type("police used tear gas after protesters threw stones") == VIOLENT_DEMONSTRATION
    # a mob with no demonstration is mob violence
    assert rule_sub_type("a mob lynched a man accused of theft") == MOB_VIOLENCE
    # lethal force against demonstrators
    assert rule_sub_type("two protesters were shot dead by police at the rally") == EXCESSIVE_FORCE
    assert rule_sub_type("police detained twelve marchers") == INTERVENTION
    assert rule_sub_type("workers held a sit-in at the factory gate") is None


def test_cue_rules_read_police_words_and_spellings_as_acled_does() -> None:
    # "riot police" names the police, not a riot: chasing marchers away is an intervention
    assert rule_sub_type("riot police chased the marchers away from the square") == INTERVENTION
    assert rule_sub_type("a line of riot police watched the sit-in") is None
    # serious injuries to demonstrators are excessive force, whichever spelling of protester
    assert rule_sub_type("eleven protestors were injured when the guards charged") == EXCESSIVE_FORCE
    assert rule_sub_type("several marchers were seriously injured by the security detail") == EXCESSIVE_FORCE
    # suppressing or blocking a march is an intervention; protesters blocking a road is not
    assert rule_sub_type("the authorities suppressed the march of the miners") == INTERVENTION
    assert rule_sub_type("police blocked the march before it reached the bridge") == INTERVENTION
    assert rule_sub_type("the farmers blocked the highway with their tractors") is None


def _flags(clf: SnippetClassifier, text: str) -> set[str]:
    [row] = clf.parser([text])  # type: ignore[misc]
    return {name for name, v in zip(PARSE_FEATURES, row, strict=True) if v}


def test_parse_features_say_who_did_what_to_whom(clf: SnippetClassifier) -> None:
    assert clf.reads_parse and clf.parser is not None
    assert {"security_force", "security_subject"} <= _flags(clf, TEAR_GAS)
    assert "crowd_violence" not in _flags(clf, TEAR_GAS)
    assert {"crowd_violence", "security_attacked"} <= _flags(clf, "Rioters attacked two police officers near the stadium.")
    assert "crowd_harmed" in _flags(clf, "Three demonstrators were injured at the rally on Sunday.")
    assert "crowd_violence" in _flags(clf, "Hundreds of strikers overturned a bus outside the depot.")
    assert _flags(clf, PEACEFUL_MARCH) == {"crowd_subject"}
    assert _flags(clf, SHELLING) == {"security_subject"}  # the army is a security force, but nobody is a crowd
    assert _flags(clf, FOOTBALL) == set()


def test_parse_decides_when_no_cue_word_fires(clf: SnippetClassifier) -> None:
    text = "Angry residents overturned a delivery van during the demonstration against water cuts."
    [pred] = clf.predict([text])
    assert pred.rule is None  # no cue word: the sub-type head, reading the parse, decides
    assert pred.sub_event_type == VIOLENT_DEMONSTRATION


def test_a_parse_reading_model_needs_a_parser(clf: SnippetClassifier) -> None:
    with pytest.raises(ValueError, match="make_parser"):
        dataclasses.replace(clf, parser=None).predict([PEACEFUL_MARCH])


def test_classify_records(clf: SnippetClassifier) -> None:
    rows = list(
        classify_records(clf, [{"id": "a", "text": TEAR_GAS}, {"id": 2, "text": FOOTBALL}], batch_size=1)
    )
    assert [r["id"] for r in rows] == ["a", 2]
    assert rows[0]["event_type"] == PROTESTS and rows[0]["sub_event_type"] == INTERVENTION
    assert rows[1]["event_type"] is None and rows[1]["sub_event_type"] is None
    assert set(rows[0]) == {"id", "event_type", "sub_event_type", "score"}
    with pytest.raises(ValueError, match="record 1 has no string 'text'"):
        list(classify_records(clf, [{"id": "x"}]))


def test_read_jsonl_records_names_the_bad_line() -> None:
    assert list(read_jsonl_records(['{"id": 1, "text": "a"}', "", '{"id": 2, "text": "b"}'])) == [
        {"id": 1, "text": "a"},
        {"id": 2, "text": "b"},
    ]
    with pytest.raises(ValueError, match="line 2 is not valid JSON"):
        list(read_jsonl_records(['{"id": 1}', "{oops"]))


def test_fit_rejects_unknown_labels() -> None:
    with pytest.raises(ValueError, match="unknown sub-type"):
        SnippetClassifier.fit(["a", "b"], ["Riot", None])


def test_save_load_round_trip(clf: SnippetClassifier, tmp_path: Path) -> None:
    clf.save(tmp_path / "s.npz")
    again = SnippetClassifier.load(tmp_path / "s.npz")
    texts = [PEACEFUL_MARCH, MOB, FOOTBALL]
    assert [p.score for p in again.predict(texts)] == pytest.approx(
        [p.score for p in clf.predict(texts)], abs=1e-6
    )


@pytest.mark.corpus
def test_case_cross_validated_figures(shared: Path) -> None:
    r = cross_validate_case(shared / "eval" / "case2021-task2" / "snippets.tsv", folds=5, seeds=(0,))
    assert r["binary"]["f1"] >= BINARY_F1_FLOOR
    assert r["macro_f1"] >= MACRO_F1_FLOOR
    assert r["macro_f1_on_gold_events"] >= MACRO_ON_GOLD_FLOOR


@pytest.mark.corpus
def test_events_dev_evidence_with_the_shipped_model(shared: Path, clf: SnippetClassifier) -> None:
    """The evidence sentences of the events-dev gold (in no training set), typed one event at a time."""
    golds = (shared / "eval" / "events-dev" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    events = [e for g in map(json.loads, golds) for e in g["events"]]
    preds = clf.predict([" ".join(e["evidence"]) for e in events])
    detected = [(e, p) for e, p in zip(events, preds, strict=True) if p.event_type is not None]
    agree = sum(
        p.sub_event_type in {e["sub_event_type"], *(e.get("alt_sub_event_types") or [])} for e, p in detected
    )
    # measured 2026-11-26: 27 of 38 events detected; sub-type agrees on 23 of those 27
    assert len(detected) >= 25
    assert agree / len(detected) >= 0.80
