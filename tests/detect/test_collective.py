"""Strikes, other collective action and political violence: sentences written for these tests."""

from __future__ import annotations

import pytest

from tocsin.detect.collective import COLLECTIVE, POLITICAL_VIOLENCE, STRIKE, find_collective_actions
from tocsin.detect.mentions import Sentence


def kinds(text: str) -> set[str]:
    return {a.kind for a in find_collective_actions([Sentence(0, len(text), text, 0)])}


@pytest.mark.parametrize("text", [
    "Teachers across the province went on strike on Monday over unpaid allowances.",
    "The strike by bus drivers entered its third day, leaving commuters stranded.",
    "Minibus taxi drivers stayed away from work on Tuesday, and the ranks in the city centre were empty.",
    "Dockers downed tools at the port after a colleague was dismissed.",
    "Striking nurses have turned patients away from the hospital since Friday.",
    "Commuters walked for hours as the ongoing rail strike kept trains in their depots.",
    "Cleaners at the airport joined the strike, the union said.",
])
def test_strikes_that_happened(text: str) -> None:
    assert STRIKE in kinds(text)


@pytest.mark.parametrize("text", [
    "The union threatened to strike if the offer was not improved.",
    "Workers will go on strike next week unless the company raises wages.",
    "A lightning strike set a barn on fire near the village.",
    "Air strikes hit targets in the south overnight, the army said.",
    "Management and unions resumed strike talks on Thursday.",
    "The strike was called off after the government agreed to the demands.",
    "The company averted a strike by raising pay by 8 percent.",
    "The striker scored twice in the second half.",
    "Negotiators hope to strike a deal before the end of the month.",
    "Miners voted to strike in a ballot that closed on Friday.",
])
def test_no_strike(text: str) -> None:
    assert STRIKE not in kinds(text)


@pytest.mark.parametrize("text", [
    "Residents boycotted the local elections to press for a water supply.",
    "Parents handed over a petition with 12,000 signatures to the education minister.",
    "Farmers submitted a memorandum to the district collector listing their demands.",
    "Students occupied the administration building of the university for a week.",
    "Hundreds held a candlelight vigil for the slain activist on Saturday night.",
    "Two former employees have been on a hunger strike for nine days.",
])
def test_other_collective_action(text: str) -> None:
    assert COLLECTIVE in kinds(text)


@pytest.mark.parametrize("text", [
    "The group filed a petition in the High Court challenging the decision.",
    "Opposition parties called for a boycott of the polls.",
    "The minister urged consumers to boycott the imported goods.",
])
def test_no_collective_action(text: str) -> None:
    assert COLLECTIVE not in kinds(text)


@pytest.mark.parametrize("text", [
    "A car bomb exploded outside the interior ministry, killing seven people.",
    "Militants attacked a police post in the north, killing two officers.",
    "Gunmen shot dead an opposition councillor outside his home on Sunday.",
    "Two suicide bombers blew themselves up at a crowded market.",
    "The assassination of the party's regional leader shocked the town.",
])
def test_political_violence(text: str) -> None:
    assert POLITICAL_VIOLENCE in kinds(text)


@pytest.mark.parametrize("text", [
    "Police foiled a plot to bomb the parliament.",
    "Three men were convicted of the 2015 bombing of the railway station.",
    "A gas cylinder explosion killed three members of a family.",
    "Robbers shot a shopkeeper during a raid on his store.",
    "The army said its air strikes killed 20 rebels in the hills.",
    "The bomb squad defused a device found at the market.",
    "The prime minister was assassinated in 1984.",
    "A man was stabbed to death in a quarrel over money.",
])
def test_no_political_violence(text: str) -> None:
    assert POLITICAL_VIOLENCE not in kinds(text)


def test_one_action_of_each_kind_a_sentence() -> None:
    text = "Striking miners boycotted the ceremony after a bomb exploded at the mine offices, killing a guard."
    actions = find_collective_actions([Sentence(0, len(text), text, 0)])
    assert sorted(a.kind for a in actions) == sorted([STRIKE, COLLECTIVE, POLITICAL_VIOLENCE])
    assert all(a.trigger in text for a in actions)
