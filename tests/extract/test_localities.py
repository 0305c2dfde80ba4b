"""Townships and villages placed by the town the article puts them in (sentences written for this test)."""

from tocsin.extract.localities import local_places
from tocsin.records import Place, Toponym

TOWN = Place("Ermelo", "ZAF", -26.53, 29.98, 1005768, "Mpumalanga", "P", "PPL", 80000, 1)
REGION = Place("Mpumalanga", "ZAF", -25.9, 30.5, 1085595, "Mpumalanga", "A", "ADM1", 4000000, 3)


def found(text: str, names: dict[str, Place]) -> list[tuple[str, str, int]]:
    tops = [Toponym(text.index(n), text.index(n) + len(n), n, p) for n, p in names.items()]
    return [(t.text, t.place.name, t.place.geo_precision) for t in local_places(text, tops) if t.place]


def test_a_township_in_a_known_town_is_placed_there_wherever_it_is_named() -> None:
    text = ("Residents of Wesselton blocked roads on Monday. The protest began in Wesselton township in "
            "neighbouring Ermelo last week.")
    assert found(text, {"Ermelo": TOWN}) == [
        ("Wesselton", "Ermelo", 2), ("Wesselton", "Ermelo", 2), ("Ermelo", "Ermelo", 1)]


def test_lower_case_village_names_and_common_words() -> None:
    text = "a mob attacked houses in kwanyana village near ermelo. later the village near ermelo was calm."
    tops = {"ermelo": TOWN}
    names = [(n, p) for n, p, _ in found(text, tops)]
    assert ("kwanyana", "Ermelo") in names
    assert all(n != "the" for n, _ in names)  # "the village near Ermelo" names no village


def test_a_region_cannot_host_a_township_it_only_says_where_the_township_is() -> None:
    text = "Police fired rubber bullets in Wesselton township in Mpumalanga."
    # not placed at the region's centre: kept as the unlisted township itself
    assert found(text, {"Mpumalanga": REGION}) == [("Wesselton", "Wesselton", 1), ("Mpumalanga", "Mpumalanga", 3)]


def test_a_village_named_with_its_region_only_is_kept_without_coordinates() -> None:
    text = "A mob burned huts in Kwanyana village near Mhlabeni, Mpumalanga, and Kwanyana stayed tense."
    got = found(text, {"Mpumalanga": REGION})
    assert ("Kwanyana", "Kwanyana", 1) in got and len([g for g in got if g[0] == "Kwanyana"]) == 2
    village = next(t.place for t in local_places(text, [Toponym(text.index("Mpumalanga"), text.index("Mpumalanga") + 10,
                                                                   "Mpumalanga", REGION)]) if t.text == "Kwanyana")
    assert (village.country, village.admin1, village.latitude) == ("ZAF", "Mpumalanga", None)
    # no region in the sentence: nothing to place it in
    assert found("The Kwanyana village council met.", {}) == []
