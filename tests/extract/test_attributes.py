import pytest

from tocsin.extract.attributes import actors, event_certainty, issue, sub_event_type
from tocsin.records import (
    CLAIMED,
    EXCESSIVE_FORCE,
    INTERVENTION,
    MOB_VIOLENCE,
    PEACEFUL,
    REPORTED,
    STATED,
    UNCONFIRMED,
    VIOLENT_DEMONSTRATION,
)


@pytest.mark.parametrize(
    ("sentences", "expected"),
    [
        (["Some 500 nurses marched peacefully to the health ministry."], PEACEFUL),
        (["Police used tear gas to disperse the protesters."], INTERVENTION),
        (["Demonstrators hurled stones and set fire to a police post."], VIOLENT_DEMONSTRATION),
        (["A mob attacked shops and set houses ablaze in the old quarter."], MOB_VIOLENCE),
        (["Two protesters were shot dead by police during the march."], EXCESSIVE_FORCE),
        (["Protesters occupied the town hall.", "Officers refused to arrest the demonstrators."], PEACEFUL),
        (["Police said no acts of violence were reported at the protest."], PEACEFUL),
    ],
)
def test_sub_event_type(sentences: list[str], expected: str) -> None:
    assert sub_event_type(sentences) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Protesters blocked the bridge.", STATED),
        ("Protesters reportedly blocked the bridge.", REPORTED),
        ("Protesters blocked the bridge, according to local media.", REPORTED),
        ("Officials claimed protesters blocked the bridge.", CLAIMED),
        ("Unconfirmed reports said protesters blocked the bridge.", UNCONFIRMED),
    ],
)
def test_certainty(sentence: str, expected: str) -> None:
    assert event_certainty([sentence]) == expected


def test_one_plain_statement_makes_the_event_stated() -> None:
    assert event_certainty(["Unconfirmed reports spoke of a march.", "Workers marched to the port."]) == STATED


def test_issue_and_actors() -> None:
    s = ["Dock workers protested against pension cuts in the capital on Monday."]
    assert issue(s, PEACEFUL) == "pension cuts"
    assert "dock workers" in actors(s)
    assert issue(["A mob attacked a shrine during communal clashes."], MOB_VIOLENCE) == "communal violence"
