"""Event assembly over an article written for this test, with a stand-in gazetteer of two towns."""

import re
from dataclasses import replace
from datetime import date, datetime

from tocsin.detect.mentions import find_mentions, make_sentence_splitter
from tocsin.extract.anchors import coherent_places
from tocsin.extract.events import extract_events
from tocsin.records import PROTESTS, RIOTS, Article, Place, Toponym

TOWNS = {
    "Lyon": Place("Lyon", "FRA", 45.7485, 4.8467, 2996944, "Auvergne-Rhône-Alpes", "P", "PPLA", 500000, 1),
    "Grenoble": Place("Grenoble", "FRA", 45.1715, 5.7224, 3014728, "Auvergne-Rhône-Alpes", "P", "PPLA3", 160000, 1),
    "France": Place("France", "FRA", 46.0, 2.0, 3017382, None, "A", "PCLI", 67000000, 3),
}


def toponyms(text: str) -> tuple[Toponym, ...]:
    out = [Toponym(m.start(), m.end(), m.group(0), TOWNS[m.group(0)]) for m in re.finditer("|".join(TOWNS), text)]
    return tuple(out)


def article(paragraphs: list[str], published: datetime | None = datetime(2024, 3, 6, 9, 0)) -> Article:
    text = "\n\n".join(paragraphs)
    spans, pos = [], 0
    for p in paragraphs:
        spans.append((pos, pos + len(p)))
        pos += len(p) + 2
    return Article(doc_id="a1", text=text, paragraphs=tuple(spans), content_hash="h", published=published)


def events_of(a: Article):
    sentences = make_sentence_splitter()(a)
    return extract_events(a, sentences, find_mentions(sentences), toponyms(a.text))


def test_one_event_per_town_and_day_with_context_carry_over() -> None:
    a = article([
        "Pension protests spread across France on Tuesday.",
        "In Lyon, some 2,000 dock workers marched to the prefecture. Later, youths threw stones at police "
        "and 14 were arrested.",
        "There were clashes elsewhere in the city as well.",
        "In Grenoble, around 300 students held a sit-in at the university on Wednesday.",
    ])
    evts = {e.place.name: e for e in events_of(a)}
    assert set(evts) == {"Lyon", "Grenoble"}  # the country-level sentence places no event
    lyon, grenoble = evts["Lyon"], evts["Grenoble"]
    assert lyon.event_date == date(2024, 3, 5) and lyon.time_precision == 1
    assert (lyon.event_type, lyon.crowd_size_low, lyon.arrests) == (RIOTS, 2000, 14)
    assert len(lyon.evidence) == 3  # both Lyon sentences and "elsewhere in the city"
    assert all(a.text[ev.start:ev.end] == ev.text for ev in lyon.evidence)
    assert grenoble.event_date == date(2024, 3, 6)
    assert (grenoble.event_type, grenoble.crowd_size_low) == (PROTESTS, 300)


def test_same_town_two_days_are_two_events() -> None:
    a = article(["Farmers rallied in Lyon on Monday.", "They rallied again in Lyon on Tuesday."])
    assert sorted(e.event_date for e in events_of(a)) == [date(2024, 3, 4), date(2024, 3, 5)]


def test_no_publication_date_leaves_date_empty_with_reason() -> None:
    a = article(["Farmers rallied in Lyon."], published=None)
    (e,) = events_of(a)
    assert e.event_date is None and e.date_reason


def test_planned_protest_is_not_an_event() -> None:
    assert events_of(article(["Unions will march in Lyon on Friday."])) == ()


REGIONS = {
    "Savoie": Place("Savoie", "FRA", 45.5, 6.4, 2975517, "Auvergne-Rhône-Alpes", "A", "ADM2", 430000, 3),
    "Isère district": Place("Isère", "FRA", 45.3, 5.6, 3012715, "Auvergne-Rhône-Alpes", "A", "ADM2", 1200000, 2),
}


def places_with_regions(text: str) -> tuple[Toponym, ...]:
    found = list(toponyms(text))
    found += [Toponym(m.start(), m.end(), m.group(0), REGIONS[m.group(0)]) for m in re.finditer("|".join(REGIONS), text)]
    return tuple(sorted(found, key=lambda t: t.start))


def events_with_dateline(paragraphs: list[str], dateline: str | None = "Lyon"):
    a = replace(article(paragraphs), dateline_place=dateline)
    sentences = make_sentence_splitter()(a)
    return extract_events(a, sentences, find_mentions(sentences), places_with_regions(a.text))


def test_a_place_inside_an_organisation_name_is_not_where_the_event_was() -> None:
    (e,) = events_with_dateline(["Lyon: Hundreds of members of the Grenoble Tenants Union marched on Monday."])
    assert e.place.name == "Lyon"


def test_a_place_in_an_official_title_is_not_where_the_event_was_but_an_office_is() -> None:
    (e,) = events_with_dateline(["Lyon: Farmers blocked the highway on Monday, the Grenoble mayor said."])
    assert e.place.name == "Lyon"
    (e,) = events_with_dateline(["Lyon: Farmers protested outside the Grenoble mayor's office on Monday."])
    assert e.place.name == "Grenoble"


def test_lead_under_a_dateline_is_about_the_dateline_town_unless_it_names_another() -> None:
    (e,) = events_with_dateline(["Lyon: Dockers marched through the city centre."])
    assert (e.place.name, e.event_date) == ("Lyon", date(2024, 3, 6))
    # the only other town is where the victims came from: the lead does not say where it happened
    assert events_with_dateline(["Lyon: A mob attacked a bus carrying families from Grenoble."]) == ()


def test_a_region_with_no_day_is_a_general_statement_not_a_new_event() -> None:
    paragraphs = ["Farmers rallied in Grenoble on Monday.", "Nobody understands how the riots in Savoie began."]
    (e,) = events_with_dateline(paragraphs, dateline=None)
    assert e.place.name == "Grenoble" and len(e.evidence) == 2  # the general sentence joins as evidence
    assert events_with_dateline(paragraphs[1:], dateline=None) == ()


def test_a_country_level_mention_does_not_borrow_the_town_of_the_sentence_before() -> None:
    paragraphs = ["The minister visited Lyon on Saturday.", "Farmers are marching across France today."]
    assert events_with_dateline(paragraphs, dateline=None) == ()


def test_the_day_something_was_said_is_not_the_day_of_the_event() -> None:
    paragraphs = [
        "Police beat protesters in Lyon, a rights commission said on Monday.",
        "The commission looked into a protest in Lyon in May 2023.",
    ]
    (e,) = events_with_dateline(paragraphs, dateline=None)
    assert (e.event_date, e.time_precision) == (date(2023, 5, 15), 3)


def test_a_date_right_after_the_trigger_is_its_own() -> None:
    (e,) = events_with_dateline(["Police guarded Lyon on Tuesday after riots last week."], dateline=None)
    assert e.time_precision == 2 and e.event_date < date(2024, 3, 4)  # last week, not Tuesday
    (e,) = events_with_dateline(["Riots broke out in Lyon, on Monday, police said."], dateline=None)
    assert e.event_date == date(2024, 3, 4)


def test_the_sentence_before_sets_the_scene_for_the_first_event() -> None:
    paragraphs = ["Ministers met in Grenoble on Monday.", "About 200 farmers protested outside the meeting."]
    (e,) = events_with_dateline(paragraphs, dateline=None)
    assert (e.place.name, e.event_date, e.crowd_size_low) == ("Grenoble", date(2024, 3, 4), 200)
    # a trigger in a time adjunct is background, not a new event
    background = ["Ministers met in Grenoble on Monday.", "Weeks after the riots began, nothing has changed."]
    assert events_with_dateline(background, dateline=None) == ()


def test_a_country_named_in_another_clause_does_not_lift_the_mention_to_country_level() -> None:
    paragraphs = ["Ministers met in Grenoble on Monday.",
                  "About 200 farmers protested outside the meeting, which came after a ban by France."]
    (e,) = events_with_dateline(paragraphs, dateline=None)
    assert e.place.name == "Grenoble"


def test_the_dateline_town_is_kept_even_when_another_country_dominates() -> None:
    rome = Place("Rome", "ITA", 41.89, 12.48, 3169070, "Lazio", "P", "PPLC", 2800000, 1)
    text = "Rome - France and France"
    tops = [Toponym(0, 4, "Rome", rome), Toponym(7, 13, "France", TOWNS["France"]),
            Toponym(18, 24, "France", TOWNS["France"])]
    assert text[18:24] == "France"
    assert [t.text for t in coherent_places(tops)] == []  # a lone town abroad is a misreading ...
    assert [t.text for t in coherent_places(tops, "rome")] == ["Rome"]  # ... unless it is the dateline


def test_places_of_what_a_protest_was_about_are_not_where_it_was() -> None:
    (e,) = events_with_dateline(["Students marched against the burning of a bus near Grenoble, rallying in Lyon on Monday."],
                                dateline=None)
    assert (e.place.name, e.sub_event_type) == ("Lyon", "Peaceful protest")  # the burning is not theirs


def test_navigation_lines_report_no_events() -> None:
    paragraphs = ["Farmers rallied in Lyon on Monday.", "Related stories: Mob torches buses in Grenoble"]
    assert [e.place.name for e in events_with_dateline(paragraphs, dateline=None)] == ["Lyon"]


def test_a_date_bounding_a_period_is_not_the_event_day() -> None:
    (e,) = events_with_dateline(["A mob attacked families in Grenoble who had fled their homes after February 20."],
                                dateline=None)
    assert e.event_date == date(2024, 3, 6)  # the day of publication, not February 20


def test_the_town_wins_over_its_district() -> None:
    (e,) = events_with_dateline(["Curfew was imposed in Grenoble town of Isère district after clashes on Monday."],
                                dateline=None)
    assert e.place.name == "Grenoble"


def test_one_sentence_with_two_towns_each_with_its_own_violence_gives_two_events() -> None:
    sentence = ("Only two incidents took place on Monday - one at Lyon where a mob burned a bus and another at "
                "Grenoble where rioters killed two men.")
    evts = {e.place.name: e for e in events_with_dateline([sentence], dateline=None)}
    assert set(evts) == {"Lyon", "Grenoble"}
    assert {e.event_date for e in evts.values()} == {date(2024, 3, 4)}
    assert (evts["Lyon"].fatalities, evts["Grenoble"].fatalities) == (0, 2)  # each clause its own counts
    # one episode told with two towns stays one event
    (e,) = events_with_dateline(["A mob from Grenoble burned a bus in Lyon on Monday."], dateline=None)
    assert e.place.name == "Lyon"


def test_without_a_publication_date_a_region_mention_still_places_an_event() -> None:
    a = replace(article(["Miners went on the rampage in Savoie on Friday."], published=None), dateline_place=None)
    sentences = make_sentence_splitter()(a)
    (e,) = extract_events(a, sentences, find_mentions(sentences), places_with_regions(a.text))
    assert (e.place.name, e.event_date) == ("Savoie", None)


def test_an_undated_finding_about_a_towns_protest_joins_that_towns_event() -> None:
    paragraphs = [
        "Police used excessive force on a Lyon protester, the inquiry found on Monday.",
        "The inquiry looked into a protest in Lyon in May 2023.",
    ]
    (e,) = events_with_dateline(paragraphs, dateline=None)
    assert e.event_date == date(2023, 5, 15) and len(e.evidence) == 2
    assert e.sub_event_type == "Excessive force against protesters"
    # with two events in the town it is not known which one the finding is about
    two = [*paragraphs, "Students marched in Lyon on 3 June 2023."]
    assert all(len(e.evidence) == 1 for e in events_with_dateline(two, dateline=None))


def test_a_place_followed_by_an_ordinary_word_and_an_office_word_is_still_a_place() -> None:
    (e,) = events_with_dateline(["Dockers clashed with police in Grenoble and the union said 40 were hurt."],
                                dateline="Lyon")
    assert e.place.name == "Grenoble"


def test_a_date_after_reported_is_still_the_event_day() -> None:
    (e,) = events_with_dateline(["Clashes were reported on Monday in Grenoble."], dateline=None)
    assert e.event_date == date(2024, 3, 4)


def test_a_region_beside_the_dateline_does_not_move_the_lead_event() -> None:
    (e,) = events_with_dateline(["Lyon: Activists staged a sit-in outside the Savoie office today."])
    assert e.place.name == "Lyon"


def test_background_riots_under_a_dateline_or_after_a_scene_are_not_events() -> None:
    assert events_with_dateline(["Lyon: Insurers face heavy losses due to the riots in Savoie."]) == ()
    assert events_with_dateline(["Lyon: Deputies on Monday condemned the storming of the Savoie assembly."]) == ()
    assert events_with_dateline(["Lyon: The riots recalled those of 1968 in Savoie."]) == ()
    # the scene sentence sets up protests, not riots told in passing
    background = ["Ministers met in Grenoble on Monday.", "They promised homes to families hit by rioters."]
    assert events_with_dateline(background, dateline=None) == ()


def test_the_main_country_counts_distinct_places_not_repeats_of_one_name() -> None:
    gabon_village = Place("Ngoye", "GAB", -1.0, 11.0, 111, None, "P", "PPL", 900, 1)
    text = "Ngoye Ngoye Ngoye Lyon Grenoble"
    tops = [Toponym(i * 6, i * 6 + 5, "Ngoye", gabon_village) for i in range(3)]
    tops += [Toponym(18, 22, "Lyon", TOWNS["Lyon"]), Toponym(23, 31, "Grenoble", TOWNS["Grenoble"])]
    assert [text[t.start:t.end] for t in tops] == ["Ngoye"] * 3 + ["Lyon", "Grenoble"]
    # a word said three times (a nickname read as a village) does not outweigh two towns of one country
    assert [t.text for t in coherent_places(tops)] == ["Lyon", "Grenoble"]


def test_without_a_publication_date_a_weekday_still_dates_a_mention_in_context() -> None:
    a = article(["Residents of a settlement near Lyon gathered at the stadium to hear the mayor.",
                 "Earlier on Monday angry residents set fire to a councillor's house."], published=None)
    (e,) = events_of(a)
    assert e.place.name == "Lyon" and e.event_date is None and e.date_reason
    # the same sentence with no day at all, in a dated article, is not a new event
    assert events_of(article(["Residents of a settlement near Lyon met the mayor on Monday.",
                              "Angry residents had set fire to a councillor's house."])) == ()


def test_a_protest_at_a_court_is_an_event_the_day_it_happens() -> None:
    a = article(["The accused shot his wife in Lyon on 4 May 2005.",
                 "Neighbours of the victim staged a protest at the High Court in Lyon on Thursday, "
                 "complaining that the accused should never have been granted bail."], published=None)
    (e,) = events_of(a)
    assert e.place.name == "Lyon" and e.event_type == PROTESTS
    # "on Thursday" cannot be resolved without a publication date, and is not the crime's date either
    assert e.event_date is None and e.date_reason


def test_without_a_publication_date_a_sentence_naming_a_town_sets_the_scene() -> None:
    paragraphs = ["The minister then drove on to Grenoble, where teachers were meeting.",
                  "A group of farmers barricaded the road and were removed by police."]
    (e,) = events_of(article(paragraphs, published=None))
    assert e.place.name == "Grenoble" and e.event_date is None
    # in a dated article the scene needs a day: no day, no event
    assert events_of(article(paragraphs)) == ()


def test_a_town_named_as_a_side_taken_is_not_where_the_event_was() -> None:
    (e,) = events_of(article(["In Grenoble, pro-Lyon fans clashed with police on Monday."]))
    assert e.place.name == "Grenoble"
    assert events_of(article(["Activists clashed with pro-Lyon supporters on Monday."])) == ()
