from datetime import date

import pytest

from tocsin.extract.dates import find_dates, names_day

WED = date(2022, 1, 5)  # a Wednesday


def values(text: str, published: date | None = WED) -> list[tuple[date, int]]:
    return [(t.value, t.precision) for t in find_dates(text, published)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Crowds gathered on Wednesday outside the hall.", date(2022, 1, 5)),  # same day, not a week ago
        ("Crowds gathered on Tuesday outside the hall.", date(2022, 1, 4)),
        ("Crowds gathered on thursday outside the hall.", date(2021, 12, 30)),  # lower-case, last week
        ("Students marched yesterday.", date(2022, 1, 4)),
        ("Riots broke out last night.", date(2022, 1, 4)),
        ("Clashes resumed early in the day.", date(2022, 1, 5)),
        ("Farmers rallied on Jan. 2 in the capital.", date(2022, 1, 2)),
        ("Farmers rallied on 2 January in the capital.", date(2022, 1, 2)),
        ("Workers struck on December 30.", date(2021, 12, 30)),  # last year's December
        ("At the moment residents are blocking the main road.", date(2022, 1, 5)),
    ],
)
def test_resolves_against_publication_date(text: str, expected: date) -> None:
    assert values(text)[0] == (expected, 1)


def test_week_and_month_precision() -> None:
    assert values("Last week, residents blocked roads.") == [(date(2021, 12, 30), 2)]
    assert values("during a protest in April 2011") == [(date(2011, 4, 15), 3)]


def test_never_after_publication() -> None:
    assert values("Unions will march on March 3.", date(2022, 1, 5)) == [(date(2021, 3, 3), 1)]
    assert all(v <= WED for v, _ in values("on Monday, on Friday, on January 9, in March"))


def test_month_name_as_word_is_not_a_date() -> None:
    assert values("The march ended peacefully.") == []


def test_without_publication_date_only_dates_with_a_year() -> None:
    assert values("Protesters gathered on Monday.", None) == []
    assert values("Protesters gathered on 3 May 2021.", None) == [(date(2021, 5, 3), 1)]


def test_impossible_dates_are_ignored() -> None:
    assert values("The rally on 31 Feb drew crowds.") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Earlier on Monday residents gathered.", True),
    ("Students marched yesterday.", True),
    ("Farmers marched in 2004.", False),
    ("The union marched last week.", False),
])
def test_names_day_finds_days_that_need_a_publication_date(text: str, expected: bool) -> None:
    assert names_day(text) is expected
    assert find_dates(text, None) == () or not expected
