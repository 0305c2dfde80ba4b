"""Story grouping over short articles written for these tests: two riots alike in words, not in who/where."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfTransformer

from tocsin.dedupe.stories import (
    STORY_DISTANCE,
    STORY_WINDOW_DAYS,
    StoryDoc,
    StoryIndex,
    assign_stories,
    features,
    stories_records,
)
from tocsin.records import TermCounts

LYON_1 = (
    "Riot in Lyon after police shoot teenager\nYouths set cars on fire in the Vaulx-en-Velin district "
    "of Lyon after police shot Karim Benali, 17, during a traffic stop. Police fired tear gas at "
    "crowds throwing stones. The prefect of the Rhone said 23 people were arrested."
)
LYON_2 = (
    "Second night of unrest in Lyon over Benali shooting\nCars burned again in Vaulx-en-Velin as "
    "anger over the death of Karim Benali spread. The Rhone prefect said 41 people were detained "
    "and called for calm. Benali's family asked for an independent inquiry into the police shooting."
)
GRENOBLE_1 = (
    "Riot in Grenoble after steelworks closure\nWorkers from the Valmont steelworks set tyres on "
    "fire outside the Grenoble town hall after the closure of the plant was announced. Police "
    "fired tear gas at crowds throwing stones, and 12 people were arrested, the Isere prefect said."
)
GRENOBLE_2 = (
    "Valmont workers clash with police again in Grenoble\nHundreds of Valmont employees marched "
    "through Grenoble and blocked the ring road. The Isere prefecture said 8 were arrested as "
    "the unions demanded talks on the closure of the steelworks."
)
QUAKE = (
    "Earthquake shakes northern Chile\nA magnitude 6.8 earthquake struck near Iquique on Monday, "
    "damaging roads and cutting power to thousands of homes, Chile's emergency office said."
)


def docs(**published: date) -> list[StoryDoc]:
    texts = {"lyon1": LYON_1, "lyon2": LYON_2, "gre1": GRENOBLE_1, "gre2": GRENOBLE_2, "quake": QUAKE}
    return [StoryDoc(k, t, published.get(k)) for k, t in texts.items()]


def groups(stories: dict[str, str]) -> set[frozenset[str]]:
    by: dict[str, set[str]] = {}
    for doc, story in stories.items():
        by.setdefault(story, set()).add(doc)
    return {frozenset(g) for g in by.values()}


EXPECTED = {frozenset({"lyon1", "lyon2"}), frozenset({"gre1", "gre2"}), frozenset({"quake"})}


def test_two_riots_alike_in_words_are_two_stories() -> None:
    stories = assign_stories(docs())
    assert groups(stories) == EXPECTED
    assert stories["lyon2"] == "lyon1" and stories["gre2"] == "gre1"  # named after the earliest member


def test_online_index_groups_the_same_way_and_keeps_ids() -> None:
    index = StoryIndex()
    stories = {d.id: index.add(d) for d in docs()}
    assert groups(stories) == EXPECTED
    assert index.story_of("lyon2") == "lyon1"
    with pytest.raises(ValueError, match="already added"):
        index.add(StoryDoc("lyon1", LYON_1))


def test_articles_weeks_apart_are_different_stories() -> None:
    stories = assign_stories(docs(lyon1=date(2024, 3, 1), lyon2=date(2024, 4, 20)))
    assert stories["lyon1"] != stories["lyon2"]
    index = StoryIndex()
    ids = [index.add(d) for d in docs(lyon1=date(2024, 3, 1), lyon2=date(2024, 4, 20))]
    assert ids[0] != ids[1]


def test_names_and_numbers_are_weighted_features() -> None:
    terms = features("Police shot Karim Benali, 17. Riots followed.")
    assert "^benali" in terms and "#17" in terms
    assert "^police" not in terms and "^riots" not in terms  # capitalised only as a sentence start


def test_stories_records_maps_lines_and_reports_bad_input() -> None:
    lines = [{"id": d.id, "text": d.text, "published": "2024-03-01"} for d in docs()]
    out = list(stories_records(lines))
    assert [o["id"] for o in out] == [d.id for d in docs()]
    assert groups({o["id"]: o["story_id"] for o in out}) == EXPECTED
    with pytest.raises(ValueError, match="record 1: needs a string 'id'"):
        list(stories_records([{"text": "x"}]))
    with pytest.raises(ValueError, match="ISO date"):
        list(stories_records([{"id": "a", "text": "x", "published": "last week"}]))
    assert assign_stories([StoryDoc("a", ""), StoryDoc("b", "...")]) == {"a": "a", "b": "b"}
    with pytest.raises(ValueError, match="appears twice"):
        assign_stories([StoryDoc("a", "x"), StoryDoc("a", "y")])


def test_large_batches_fall_back_to_the_online_index(monkeypatch: pytest.MonkeyPatch) -> None:
    import tocsin.dedupe.stories as stories

    monkeypatch.setattr(stories, "MAX_BATCH_DOCS", 2)
    assert groups(assign_stories(docs())) == EXPECTED


def test_package_exports_resolve_lazily() -> None:
    import sys

    import tocsin.dedupe as dedupe

    assert dedupe.assign_stories is assign_stories and "tocsin.dedupe.stories" in sys.modules
    with pytest.raises(AttributeError):
        _ = dedupe.no_such_name


def test_join_stories_keeps_held_stories_and_names_new_ones() -> None:
    from collections import Counter

    from tocsin.dedupe.stories import NAME_WEIGHT, StoryTerms, join_stories, story_terms, term_id

    def item(key: str, text: str, story: str | None = None) -> StoryTerms:
        return StoryTerms(key, story_terms(text), None, story)

    held = [item("lyon1", LYON_1, "lyon-story"), item("quake", QUAKE, "quake")]
    new = [item("gre2", GRENOBLE_2), item("lyon2", LYON_2), item("gre1", GRENOBLE_1)]
    assert join_stories(new, held) == {"lyon2": "lyon-story", "gre1": "gre1", "gre2": "gre1"}
    assert join_stories(new, []) == {"lyon2": "lyon2", "gre1": "gre1", "gre2": "gre1"}
    text = "Riots in Lyon\nRiots followed when police shot Karim Benali, 17. Benali died."
    terms = dict(story_terms(text).items())
    assert terms == {term_id(t): n for t, n in Counter(features(text)).items()}
    assert terms[term_id("riots")] == 3 and terms[term_id("^benali")] == NAME_WEIGHT  # the title counts twice
    assert len({term_id(t) for t in features(text)}) == len(set(features(text)))  # no two terms share a hash
    assert len(story_terms(text)) == len(terms)
    for ids, counts in ((b"12345678", b""), (b"1234567812345678", b"123456")):
        with pytest.raises(ValueError, match="4 bytes of count and 8 bytes of id"):
            TermCounts(ids, counts)
    with pytest.raises(ValueError, match="needs its story id"):
        join_stories(new, [item("lyon1", LYON_1)])


# ---- the optimised distance computation equals the plain one, bit for bit ----------------------------


def reference_distance(terms: list[TermCounts], published: list[date | None]) -> np.ndarray:
    """The straightforward computation ``_linkage`` was optimised from (tocsin.dedupe.stories before
    the writer-CPU work): np.unique columns, scikit-learn's TfidfTransformer, scipy's public product."""
    ids = np.frombuffer(b"".join(t.ids for t in terms), dtype="<u8")
    data = np.frombuffer(b"".join(t.counts for t in terms), dtype="<u4").astype(np.float64)
    vocabulary, columns = np.unique(ids, return_inverse=True)
    indptr = np.cumsum([0, *map(len, terms)])
    counts = csr_matrix((data, columns.ravel(), indptr), shape=(len(terms), len(vocabulary)))
    vectors = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    distance = 1.0 - (vectors @ vectors.T).toarray()
    days = np.array([p.toordinal() if p else np.nan for p in published], dtype=float)
    distance[np.abs(days[:, None] - days[None, :]) > STORY_WINDOW_DAYS] = 1.0 + STORY_DISTANCE
    np.fill_diagonal(distance, 0.0)
    np.clip(distance, 0.0, None, out=distance)
    return distance


def random_terms(seed: int, docs: int, collide: bool) -> tuple[list[TermCounts], list[date | None]]:
    """Documents of 1-300 distinct terms drawn Zipf-like from 4,000 random hashes (counts 1-6, in random
    order, as a text's first occurrences are); ``collide``: half the hashes share their top 32 bits
    with another, which sends ``_columns`` to its np.unique fallback."""
    rng = np.random.default_rng(seed)
    vocabulary = rng.integers(0, 2**64, size=4000, dtype=np.uint64)
    if collide:
        vocabulary[1::2] = (vocabulary[::2] & np.uint64(0xFFFFFFFF00000000)) | np.uint64(7)
    weights = 1.0 / np.arange(1, len(vocabulary) + 1)
    terms = []
    for _ in range(docs):
        ids = rng.choice(vocabulary, size=int(rng.integers(1, 300)), replace=False, p=weights / weights.sum())
        counts = rng.integers(1, 7, size=len(ids)).astype("<u4")
        terms.append(TermCounts(ids.astype("<u8").tobytes(), counts.tobytes()))
    published = [
        None if rng.random() < 0.2 else date(2024, 5, 1) + timedelta(days=int(rng.integers(30)))
        for _ in terms
    ]
    return terms, published


@pytest.mark.parametrize("collide", [False, True])
def test_story_distances_equal_the_plain_computation_bit_for_bit(collide: bool) -> None:
    from tocsin.dedupe.stories import _columns, _linkage

    terms, published = random_terms(7, 150, collide)
    ids = np.frombuffer(b"".join(t.ids for t in terms), dtype="<u8")
    hashes = np.unique(ids)
    assert (len(np.unique(hashes >> np.uint64(32))) < len(hashes)) == collide  # the fallback, or not
    assert np.array_equal(_columns(ids)[1], np.unique(ids, return_inverse=True)[1])
    labels, distance = _linkage(terms, published)
    expected = reference_distance(terms, published)
    assert np.array_equal(distance, expected)  # every entry to the last bit, not only the clusters
    assert not np.array_equal(expected, expected.T)  # the sums' order matters: (i, j) and (j, i) differ
    assert 1 < len(set(labels)) < len(terms)


@pytest.mark.corpus
def test_story_distances_equal_the_plain_computation_on_glocon(shared: Path) -> None:
    """The store's join (new + held documents) on real articles: the same distances to the last bit."""
    import json

    from tocsin.dedupe.stories import _linkage, story_terms

    lines = (shared / "eval/glocon/documents.jsonl").read_text(encoding="utf-8").splitlines()[:384]
    terms = [story_terms(json.loads(line)["text"]) for line in lines]
    published = [date(2024, 1, 1) + timedelta(days=(i * 7) % 23) for i in range(len(terms))]
    for dates in (published, [None] * len(terms)):
        assert np.array_equal(_linkage(terms, dates)[1], reference_distance(terms, dates))


def test_a_new_article_close_to_two_held_stories_joins_the_nearer_on_average() -> None:
    from tocsin.dedupe.stories import StoryTerms, _linkage, join_stories, story_terms

    third = (
        "Third night in Vaulx-en-Velin after Karim Benali shooting\nPolice in Lyon fired tear gas again as "
        "cars burned in Vaulx-en-Velin. The Rhone prefect said 19 people were arrested; Benali's family "
        "marched with hundreds through Lyon calling for calm and an inquiry into the police shooting."
    )
    held = [
        StoryTerms("lyon1", story_terms(LYON_1), None, "a"),
        StoryTerms("lyon2", story_terms(LYON_2), None, "b"),
    ]
    new = [StoryTerms("lyon3", story_terms(third)), StoryTerms("quake", story_terms(QUAKE))]
    labels, distance = _linkage([d.terms for d in [*held, *new]], [None] * 4)
    assert labels[0] == labels[1] == labels[2] != labels[3]  # one cluster holding two held stories
    nearer = "a" if distance[2, 0] <= distance[2, 1] else "b"
    assert join_stories(new, held) == {"lyon3": nearer, "quake": "quake"}
    swapped = [StoryTerms(d.id, d.terms, None, "b" if d.story_id == "a" else "a") for d in held]
    assert join_stories(new, swapped) == {"lyon3": "b" if nearer == "a" else "a", "quake": "quake"}
