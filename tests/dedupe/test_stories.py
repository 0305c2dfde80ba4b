"""Story grouping over short articles written for these tests: two riots alike in words, not in who/where."""

from __future__ import annotations

from datetime import date

import pytest

from tocsin.dedupe.stories import StoryDoc, StoryIndex, assign_stories, features, stories_records
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
