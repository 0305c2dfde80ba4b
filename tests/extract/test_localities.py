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


def test_a_region_cannot_host_a_township() -> None:
    text = "Police fired rubber bullets in Wesselton township in Mpumalanga."
    assert found(text, {"Mpumalanga": REGION}) == [("Mpumalanga", "Mpumalanga", 3)]
