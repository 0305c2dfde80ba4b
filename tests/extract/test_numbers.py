import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.extract.numbers import Counts, extract_counts, word_to_int


@pytest.mark.parametrize(
    ("sentence", "low", "high"),
    [
        ("A crowd of some 4,000 gathered outside parliament.", 4000, 4000),
        ("Around a thousand teachers marched to the ministry.", 1000, 1000),
        ("Between 200 and 500 students occupied the square.", 200, 500),
        ("More than 1,500 farmers blocked the highway.", 1500, None),
        ("Nearly 8,000 people joined the rally.", None, 8000),
        ("The march, up to 600-strong, reached the port.", None, 600),
        ("About sixty nurses held a sit-in.", 60, 60),
        ("Hundreds of protesters gathered.", None, None),
    ],
)
def test_crowd_sizes(sentence: str, low: int | None, high: int | None) -> None:
    c = extract_counts(sentence)
    assert (c.crowd_size_low, c.crowd_size_high) == (low, high)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("At least four people were killed and 17 injured in the clashes.", Counts(fatalities=4, injuries=17)),
        ("Police said 23 rioters had been arrested.", Counts(arrests=23)),
        ("Officers detained about 40 demonstrators.", Counts(arrests=40)),
        ("The mob burnt alive three villagers.", Counts(fatalities=3)),
        ("Several officers were beaten up.", Counts(injuries=3)),
        ("No arrests were made and no injuries were reported.", Counts(injuries=0, arrests=0)),
        ("The shopkeeper fired at the crowd, killing a youth and wounding two others.", Counts(fatalities=1, injuries=2)),
        ("One trader, a father of three, was stabbed outside his stall.", Counts(injuries=1)),
        ("A 40-year-old driver who was attacked with iron rods is in hospital.", Counts(injuries=1)),
        ("One man was stabbed to death near the market.", Counts()),
        ("The blast left three fishermen dead.", Counts(fatalities=3)),
        ("The inquiry looked into Dupont's death at the rally.", Counts(fatalities=1)),
        ("Police beat him, resulting in his injuries and subsequent death.", Counts(fatalities=1, injuries=1)),
        ("The court will rule on the child's death.", Counts()),
    ],
)
def test_casualties_and_arrests(sentence: str, expected: Counts) -> None:
    got = extract_counts(sentence)
    assert (got.fatalities, got.injuries, got.arrests) == (expected.fatalities, expected.injuries, expected.arrests)


@pytest.mark.parametrize(
    ("sentence", "low"),
    [
        ("KISUMU, June 4 - About 700 nurses marched to the county offices.", 700),  # the dateline's day
        ("KISUMU, June 4 - Nurses marched to the county offices.", None),
        ("On Sept. 12 some 250 dockers rallied at the gate.", 250),
        ("Rallies on May 3-5 drew 1,200 people.", 1200),
        ("In 2021 students occupied the library.", None),  # a year
        ("A crowd of 2000 gathered at the stadium.", 2000),
        ("Some 40 ten-year-old pupils marched with their parents.", 40),
    ],
)
def test_dates_and_years_are_not_crowds(sentence: str, low: int | None) -> None:
    assert extract_counts(sentence).crowd_size_low == low


def test_casualty_numbers_are_not_crowds() -> None:
    c = extract_counts("Twelve people were injured when the crowd was charged.")
    assert (c.crowd_size_low, c.injuries) == (None, 12)


def test_absurd_and_exponent_numbers_are_ignored() -> None:
    assert extract_counts("10^20 protesters gathered").crowd_size_low is None
    assert extract_counts("100000000000 protesters gathered").crowd_size_low is None


@pytest.mark.parametrize(("text", "value"), [("3,000", 3000), ("a thousand", 1000), ("twenty-five", 25),
                                              ("two hundred", 200), ("1.5 million", 1_500_000), ("ten", 10)])
def test_word_to_int(text: str, value: int) -> None:
    assert word_to_int(text) == value


@given(st.integers(min_value=1, max_value=9_999_999))
def test_digits_with_thousands_separators_round_trip(n: int) -> None:
    assert word_to_int(f"{n:,}") == n


@given(st.text(max_size=200))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    extract_counts(text)
