"""Event typing of a short text (a sentence or a snippet): not protest/riot, or one ACLED sub-type.

Two parts, each measurable on its own (docs/models.md):

1. a learned binary head, protest-or-riot vs anything else: logistic regression over hashed word and
   character n-grams plus five cue indicators (protest words, demonstrator violence, mob, intervention,
   force), trained on CASE 2021 task 2 snippets;
2. the sub-type: transparent cue rules (ACLED's own criteria: who was violent, did police intervene,
   was anyone killed or hospitalised) decide when a cue fires; when none does, a learned one-vs-rest
   head over the five sub-types decides. On CASE, with ~100 protest rows in a half, the rules beat the
   learned head alone by a wide margin (macro-F1 0.56 vs 0.32 in cross-validation). Beside the n-grams
   and cues, that head reads who did what to whom from spaCy's dependency parse (``detect.roles``:
   security forces as the subject of force verbs, demonstrators as the subject of violent verbs, ...);
   texts are parsed only when the binary head calls them events.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from tocsin.detect.relevance import LinearHead, TextFeatures, binary_scores, load_npz, save_npz
from tocsin.detect.roles import PARSE_FEATURES, PARSER_MODEL, Parser, make_parser
from tocsin.records import (
    EXCESSIVE_FORCE,
    INTERVENTION,
    MOB_VIOLENCE,
    PEACEFUL,
    SUB_EVENT_TYPES,
    VIOLENT_DEMONSTRATION,
)

# A text is typed as a protest/riot when the binary head gives at least this. 0.5 with balanced class
# weights: CASE cross-validation showed no gain from 0.4 (binary F1 0.875 at both), so the neutral value.
SNIPPET_THRESHOLD = 0.5
# Weight of the five cue indicators beside the L2-normalised n-gram blocks. CASE cross-validation:
# 0 → binary F1 0.867, 0.5 → 0.890, 1 or 2 → 0.875.
CUE_WEIGHT = 0.5
# When a cue rule fires, the sub-type distribution is this mix of the rule's choice and the learned head.
RULE_SHARE = 0.6
# Weight of the parse indicators (PARSE_FEATURES) beside the n-grams in the sub-type head. Fixed at 1 before
# the held-out check: CASE CV macro-F1, seeds 0-2, 0.752 without → 0.762 at 0.5, 0.775 at 1, 0.772 at 2;
# seeds 3-5 (run after the choice) 0.752 → 0.772.
PARSE_WEIGHT = 1.0

MODEL_FILE = "snippets.npz"
NONE_LABEL = "none"
SUB_TYPES: tuple[str, ...] = (PEACEFUL, INTERVENTION, EXCESSIVE_FORCE, VIOLENT_DEMONSTRATION, MOB_VIOLENCE)
CASE_LABELS: dict[str, str] = {
    "PEACE_PROTEST": PEACEFUL,
    "PROTEST_WITH_INTER": INTERVENTION,
    "FORCE_AGAINST_PROTEST": EXCESSIVE_FORCE,
    "VIOL_DEMONSTR": VIOLENT_DEMONSTRATION,
    "MOB_VIOL": MOB_VIOLENCE,
}

# Cue vocabularies follow the ACLED definitions in shared/eval/EVENTS-GOLD.md and DESIGN.md. They are
# matched against lower-cased text without re.IGNORECASE, which is 3-4x faster on these alternations.
# "march" the month and military "strikes" are not protest words: only the verb/noun forms count.
_MARCH = (
    r"\bmarch(ed|es|ing|ers)\b|\b(a|the|protest|peaceful) march\b|\bmarch (to|on|through|from|against|in)\b"
)
PROTEST_CUES = re.compile(
    r"protest|demonstrat|\brall(y|ies|ied)\b|"
    + _MARCH
    + r"|sit-in|die-in|picket|\bstrikers\b|on strike|strike action"
    r"|(hunger|general|wage|workers'?) strike|striking (workers|miners|employees|staff|teachers|nurses|doctors|drivers)|riot|\bmobs?\b|lynch|vigilante|chant|placard|gathered|dharna|gherao|bandh|agitat",
)
FORCE_CUES = re.compile(
    r"shot dead|killed by (police|security|troops|soldiers)|hospitali[sz]|live (bullets|ammunition|rounds|fire)"
    r"|opened fire|fired (live|on|at|into)|(protest[eo]rs?|demonstrators?|people) (were |was )?(killed|shot|injured|wounded)"
    r"|(killed|injured|wounded) .{0,40}(protest[eo]rs?|demonstrators?)|beat(en|ing)? .{0,30}(protest[eo]rs?|demonstrators?)"
    r"|(serious|severe|critical)(ly)? (injur|wound)|injur(ies|ed) among"
    r"|violently (suppress|disperse)|crackdown|baton",
)
MOB_CUES = re.compile(
    r"\bmobs?\b|lynch|vigilante|communal|sectarian|attacked (a|the) (peaceful )?(rally|protest|march|demonstration)"
    r"|group of .{0,30}attack|rival (groups|supporters)|dueling|opposing (rallies|protesters|groups)",
)
VIOLENCE_CUES = re.compile(
    r"\bston(e|es|ed|ing)\b|stone[- ]pelt|pelt(ed|ing)|torch(ed|ing)|set (ablaze|on fire|fire)|\barson"
    r"|loot(ed|ing|ers)?\b|\bclash(ed|es|ing)?\b|storm(ed|ing)\b|vandali[sz]|petrol bomb|molotov|hurl(ed|ing)"
    r"|thr(ew|owing|ows?) (stones|rocks|bricks|bottles|petrol|molotov|fire)|rampage|riot(ed|ing|ers|s)?\b"
    r"|smash(ed|ing)|(lit|light|set) (fires|bonfires)|violent (protest|demonstration|clash)"
    r"|turn(ed|s)? (very )?violent|marred by violence",
)
INTERVENTION_CUES = re.compile(
    r"dispers|tear ?gas|water cannon|detain|arrest|rubber bullet|pepper spray|broke up|broken up|suppress|chas(e|ed|ing) (away )?(the )?(protest|demonstr|crowd|marcher)"
    r"|stun grenade|smoke grenade|lathi|(police|forces|troops|authorities) (blocked|prevented)"
    r"|(blocked|prevented) (the |a |their )?(march|protest|rally|demonstration|protest[eo]rs|demonstrators|marchers)",
)
_DEMONSTRATION = re.compile(r"protest|demonstrat|\brall(y|ies)\b|" + _MARCH)


# Phrases that hold a cue word but name the police, not what the crowd did ("riot police chased the
# marchers" is an intervention, not a riot): removed before the cues are matched.
FALSE_FRIENDS = re.compile(r"\b(anti-?riot|riot (police|policemen|gear|squads?|units?|control|shields?|act))\b")


def _cue_text(text: str) -> str:
    return FALSE_FRIENDS.sub(" ", text.lower())


def cue_vector(text: str) -> list[float]:
    """Indicators in a fixed order: protest words, violence, mob, intervention, force."""
    text = _cue_text(text)
    cues = (PROTEST_CUES, VIOLENCE_CUES, MOB_CUES, INTERVENTION_CUES, FORCE_CUES)
    return [1.0 if c.search(text) else 0.0 for c in cues]


def rule_sub_type(text: str) -> str | None:
    """The sub-type ACLED's criteria give from cue words alone, or None when no cue fires.

    Order matters: a mob with no demonstration is Mob violence; lethal or hospitalising force against
    demonstrators is Excessive force; demonstrators' own violence makes a Violent demonstration even
    when police also intervened; intervention without either is Protest with intervention.
    """
    text = _cue_text(text)
    mob = MOB_CUES.search(text) is not None
    if mob and not _DEMONSTRATION.search(text):
        return MOB_VIOLENCE
    if FORCE_CUES.search(text):
        return EXCESSIVE_FORCE
    if VIOLENCE_CUES.search(text):
        return VIOLENT_DEMONSTRATION
    if mob:
        return MOB_VIOLENCE
    if INTERVENTION_CUES.search(text):
        return INTERVENTION
    return None


def _reads_parse(features: TextFeatures, sub_types: LinearHead) -> bool:
    """Whether a sub-type head has columns past the n-grams and the cue indicators (``cue_vector``): the
    parse indicators (PARSE_FEATURES), which model files before them lack."""
    return sub_types.coef.shape[1] > features.width + len(cue_vector(""))


@dataclass(frozen=True, slots=True)
class Prediction:
    """What the classifier made of one text. ``event_type``/``sub_event_type`` are None below the
    threshold; ``probabilities`` always holds all six labels, so a caller can apply its own."""

    event_type: str | None  # "Protests", "Riots" or None
    sub_event_type: str | None
    score: float  # P(protest or riot) from the binary head
    probabilities: dict[str, float] = field(default_factory=dict)  # "none" and the five sub-types
    rule: str | None = None  # the sub-type a cue rule chose, if one fired


@dataclass(frozen=True, slots=True)
class SnippetClassifier:
    """Protest/riot typing of short texts; build with :meth:`load` (shipped weights) or :meth:`fit`.

    ``parser`` (see :func:`make_parser`) gives the sub-type head its parse indicators; a model file whose
    sub-type head has none (older files) never calls it.
    """

    features: TextFeatures
    binary: LinearHead  # classes ("0", "1")
    sub_types: LinearHead  # one-vs-rest over SUB_TYPES
    meta: dict
    threshold: float = SNIPPET_THRESHOLD
    parser: Parser | None = field(default=None, compare=False, repr=False)

    @classmethod
    def load(cls, path: Path | str | None = None, parser: Parser | None = None) -> SnippetClassifier:
        """The packaged model, or one written by :meth:`save` / ``scripts/train_models.py``. When its
        sub-type head reads the parse and no ``parser`` is given, spaCy's PARSER_MODEL is loaded."""
        features, data, meta = load_npz(None if path is None else Path(path), MODEL_FILE, "snippets")
        sub = LinearHead.from_arrays(data, "sub.")
        if parser is None and _reads_parse(features, sub):
            parser = make_parser()
        return cls(features, LinearHead.from_arrays(data, "binary."), sub, meta, parser=parser)

    @property
    def reads_parse(self) -> bool:
        return _reads_parse(self.features, self.sub_types)

    def save(self, path: Path | str) -> None:
        heads = {"binary": self.binary, "sub": self.sub_types}
        save_npz(Path(path), "snippets", self.features, heads, self.meta)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """One :class:`Prediction` per text. Only texts at or above the threshold are parsed (the parse
        costs ~15x the rest): below it, the sub-type split in ``probabilities`` is the head's without
        the parse indicators."""
        if not texts:
            return []
        X = _matrix(self.features, texts)
        p_event = self.binary.proba(X)[:, 1]
        if self.reads_parse:
            if self.parser is None:
                raise ValueError("this model's sub-type head reads the parse: pass parser=make_parser()")
            parsed = np.zeros((len(texts), len(PARSE_FEATURES)))
            events = np.flatnonzero(p_event >= self.threshold)
            if len(events):
                parsed[events] = self.parser([texts[i] for i in events])
            X = sp.hstack([X, sp.csr_matrix(parsed * PARSE_WEIGHT)], format="csr")
        learned = self.sub_types.proba(X)
        order = [self.sub_types.classes.index(s) for s in SUB_TYPES]
        out = []
        for text, p, q in zip(texts, p_event, learned[:, order], strict=True):
            rule = rule_sub_type(text)
            dist = (
                q
                if rule is None
                else (1 - RULE_SHARE) * q + RULE_SHARE * np.asarray([s == rule for s in SUB_TYPES])
            )
            sub = SUB_TYPES[int(np.argmax(dist))]
            probs = {NONE_LABEL: float(1 - p)} | {
                s: float(p * d) for s, d in zip(SUB_TYPES, dist, strict=True)
            }
            if p >= self.threshold:
                out.append(Prediction(SUB_EVENT_TYPES[sub], sub, float(p), probs, rule))
            else:
                out.append(Prediction(None, None, float(p), probs, rule))
        return out

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        labels: Sequence[str | None],
        meta: dict | None = None,
        parser: Parser | None = None,
    ) -> SnippetClassifier:
        """Train on texts labelled with a sub-type from ``SUB_TYPES`` or None (not protest/riot).

        Liblinear logistic regressions (C=10, balanced classes): deterministic, ~1 s on 500 snippets plus
        the parse of the protest/riot rows (``parser``, default :func:`make_parser`).
        """
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier

        unknown = {lab for lab in labels if lab is not None and lab not in SUB_TYPES}
        if unknown:
            raise ValueError(f"unknown sub-type label(s) {sorted(unknown)}; use None or one of {SUB_TYPES}")
        features = TextFeatures()
        X = _matrix(features, texts)
        y_event = np.asarray([lab is not None for lab in labels], dtype=int)
        binary = LogisticRegression(C=10.0, class_weight="balanced", solver="liblinear").fit(X, y_event)
        rows = np.flatnonzero(y_event)
        sub_y = np.asarray([labels[i] for i in rows], dtype=object)
        parser = parser or make_parser()
        parsed = sp.csr_matrix(parser([texts[i] for i in rows]) * PARSE_WEIGHT)
        sub = OneVsRestClassifier(LogisticRegression(C=10.0, class_weight="balanced", solver="liblinear"))
        sub.fit(sp.hstack([X[rows], parsed], format="csr"), sub_y)
        if set(sub.classes_) != set(SUB_TYPES):
            raise ValueError(f"training data must hold every sub-type; it has {sorted(sub.classes_)}")
        return cls(
            features,
            LinearHead.from_estimator(binary),
            LinearHead.from_estimator(sub),
            dict(meta or {}) | {"parser": PARSER_MODEL, "parse_features": list(PARSE_FEATURES)},
            parser=parser,
        )


def cue_matrix(texts: Sequence[str]) -> sp.csr_matrix:
    """The cue indicators of ``texts``, weighted, as the last five feature columns."""
    return sp.csr_matrix(
        np.asarray([cue_vector(t) for t in texts], dtype=np.float64).reshape(-1, 5) * CUE_WEIGHT
    )


def _matrix(features: TextFeatures, texts: Sequence[str]) -> sp.csr_matrix:
    return sp.hstack([features.transform(texts), cue_matrix(texts)], format="csr")


def classify_records(clf: SnippetClassifier, lines: Iterable[dict], batch_size: int = 256) -> Iterator[dict]:
    """``{id, text}`` dicts in, ``{id, event_type, sub_event_type, score}`` dicts out, in order
    (the ``tocsin classify`` command, JSON Lines in and out)."""
    batch: list[dict] = []
    for n, line in enumerate(lines, 1):
        if "text" not in line or not isinstance(line["text"], str):
            raise ValueError(
                f'record {n} has no string \'text\' field; each line must be {{"id": ..., "text": ...}}'
            )
        batch.append(line)
        if len(batch) >= batch_size:
            yield from _classified(clf, batch)
            batch = []
    yield from _classified(clf, batch)


def _classified(clf: SnippetClassifier, batch: list[dict]) -> Iterator[dict]:
    for line, pred in zip(batch, clf.predict([r["text"] for r in batch]), strict=True):
        yield {
            "id": line.get("id"),
            "event_type": pred.event_type,
            "sub_event_type": pred.sub_event_type,
            "score": round(pred.score, 4),
        }


# -- CASE 2021 task 2: reader and evaluation ----------------------------------------------------


def read_case(path: Path | str) -> tuple[list[str], list[str | None], list[str]]:
    """Texts, sub-type labels (None = not protest/riot) and ids from a CASE task-2 ``snippets.tsv``."""
    path = Path(path)
    if path.is_dir():
        path = path / "snippets.tsv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: pass shared/eval/case2021-task2/snippets.tsv")
    texts, labels, ids = [], [], []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            texts.append(row["EventSnippet"])
            labels.append(CASE_LABELS.get(row["SubType"]))
            ids.append(row["id"])
    return texts, labels, ids


def read_case_codes(path: Path | str) -> list[str]:
    """The raw CASE ``SubType`` code of each row (``ARMED_CLASH``, ``PEACE_PROTEST``, ...), in file order."""
    path = Path(path)
    path = path / "snippets.tsv" if path.is_dir() else path
    with open(path, encoding="utf-8", newline="") as fh:
        return [row["SubType"] for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]


def score_predictions(gold: Sequence[str | None], predicted: Sequence[Prediction]) -> dict[str, Any]:
    """Protest-or-riot vs other P/R/F1, per-sub-type F1, macro-F1 over the five, and the confusion."""
    from sklearn.metrics import confusion_matrix, f1_score

    g = [lab or NONE_LABEL for lab in gold]
    p = [pred.sub_event_type or NONE_LABEL for pred in predicted]
    out: dict[str, Any] = {
        "binary": binary_scores([x != NONE_LABEL for x in g], [x != NONE_LABEL for x in p])
    }
    per = f1_score(g, p, labels=list(SUB_TYPES), average=None, zero_division=0)
    out["sub_type_f1"] = {s: float(f) for s, f in zip(SUB_TYPES, per, strict=True)}
    out["macro_f1"] = float(np.mean(per))
    gold_pos = [i for i, x in enumerate(g) if x != NONE_LABEL]
    out["macro_f1_on_gold_events"] = float(
        f1_score(
            [g[i] for i in gold_pos],
            [p[i] for i in gold_pos],
            labels=list(SUB_TYPES),
            average="macro",
            zero_division=0,
        )
    )
    labels = [NONE_LABEL, *SUB_TYPES]
    out["confusion"] = {"labels": labels, "matrix": confusion_matrix(g, p, labels=labels).tolist()}
    out["n"] = len(g)
    return out


def evaluate_case(clf: SnippetClassifier, path: Path | str) -> dict[str, Any]:
    """Score a classifier on a CASE task-2 file. On the rows it was trained on this is not held-out:
    use ``cross_validate_case`` for honest figures."""
    texts, labels, _ = read_case(path)
    return score_predictions(labels, clf.predict(texts))


def cross_validate_case(
    path: Path | str, folds: int = 5, seeds: Sequence[int] = (0,), parser: Parser | None = None
) -> dict[str, Any]:
    """Stratified k-fold on CASE: every row is scored by a model that never saw it. Figures are the
    mean over seeds; counts and the confusion matrix are summed over seeds. Each text is parsed once."""
    from sklearn.model_selection import StratifiedKFold

    texts, labels, _ = read_case(path)
    strata = [lab or NONE_LABEL for lab in labels]
    parser = _memoised(parser or make_parser())
    runs = []
    for seed in seeds:
        predicted: list[Prediction | None] = [None] * len(texts)
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, strata):
            clf = SnippetClassifier.fit([texts[i] for i in train], [labels[i] for i in train], parser=parser)
            for i, pred in zip(test, clf.predict([texts[i] for i in test]), strict=True):
                predicted[i] = pred
        runs.append(score_predictions(labels, predicted))  # type: ignore[arg-type]
    out = runs[0]
    for key in ("macro_f1", "macro_f1_on_gold_events"):
        out[key] = float(np.mean([r[key] for r in runs]))
    for key in ("precision", "recall", "f1"):
        out["binary"][key] = float(np.mean([r["binary"][key] for r in runs]))
    for key in ("tp", "fp", "fn"):
        out["binary"][key] = int(np.sum([r["binary"][key] for r in runs]))
    for s in SUB_TYPES:
        out["sub_type_f1"][s] = float(np.mean([r["sub_type_f1"][s] for r in runs]))
    out["confusion"]["matrix"] = np.sum([r["confusion"]["matrix"] for r in runs], axis=0).tolist()
    out.update(folds=folds, seeds=list(seeds))
    return out


def _memoised(parser: Parser) -> Parser:
    """``parser`` with each distinct text parsed once (cross-validation scores every row many times)."""
    seen: dict[str, list[float]] = {}

    def parse(texts: Sequence[str]) -> np.ndarray:
        new = list(dict.fromkeys(t for t in texts if t not in seen))
        if new:
            seen.update(zip(new, parser(new).tolist(), strict=True))
        return np.asarray([seen[t] for t in texts], dtype=np.float64).reshape(-1, len(PARSE_FEATURES))

    return parse


def read_jsonl_records(lines: Iterable[str]) -> Iterator[dict]:
    """Parse JSON Lines for :func:`classify_records`, naming the line that is not valid JSON."""
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f'line {n} is not valid JSON ({exc.msg}); expected {{"id": ..., "text": ...}}'
            ) from exc
