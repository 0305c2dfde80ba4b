import pytest

from tocsin.detect.mentions import Sentence, find_mentions, make_sentence_splitter
from tocsin.records import Article


def sents(*texts: str) -> list[Sentence]:
    out, pos = [], 0
    for t in texts:
        out.append(Sentence(pos, pos + len(t), t, 0))
        pos += len(t) + 1
    return out


@pytest.mark.parametrize(
    "text",
    [
        "Thousands of teachers protested outside the ministry on Monday.",
        "A mob torched two buses near the station.",
        "residents blocked the road with burning tyres.",
        "Hundreds marched through the old town.",
        "Police fired tear gas at stone-pelting crowds.",
        "A crowd ransacked the police post.",
        "Youths set afire two buses.",
        "Striking drivers blockaded the entrance to the depot.",
        "Residents barricaded streets in the township.",
        "About 600 students were blocking the main gate of the campus.",
        "Villagers lit burning tyres across the access road.",
        "Police blocked the road as hundreds of farmers marched to the district office.",
    ],
)
def test_realis_triggers_are_mentions(text: str) -> None:
    assert len(find_mentions(sents(text))) == 1


@pytest.mark.parametrize(
    "text",
    [
        "The union will march on parliament next week.",
        "Farmers threatened to protest if prices fall.",
        "No protests were reported in the district.",
        "Riot police were deployed at the stadium.",
        "The opposition called for a protest on Friday.",
        "Shares rallied in early trade.",
        "Prices rose in March 2021.",
        "The new manager was due to start on 13 March.",
        "Fees go up from 21st March.",
        "Crude for March delivery eased two cents.",
        "March wheat slipped four cents a bushel.",
        "The visitors won the derby clash at home on Sunday.",
        "The home side's late rally came up short.",
        "The navy imposed a tight blockade on the island.",
        "In those years not a single shop was looted in our street.",
        "Asked how many protesters were killed in the riots, the minister declined to answer.",
        "Both deputies wanted to protest against the new tax.",
        "The dollar slipped after the currency's recent rally.",
        "Gains were driven by a Wall Street rally.",
        "The group has demonstrated through its attacks that it is dangerous.",
        "Investors are wary of his moods, as demonstrated by his sudden exit from the summit in Oslo.",
        "The governor is demonstrating her resolve to cut the deficit.",
        "Police blocked the entrance to the stadium after the match.",
        "Soldiers barricaded the main road into the capital overnight.",
    ],
)
def test_irrealis_and_false_friends_are_not(text: str) -> None:
    assert find_mentions(sents(text)) == []


def test_splitter_keeps_paragraphs_and_offsets() -> None:
    text = "Protest in the square\n\nCrowds gathered. Police watched.\n\nlater the crowd left"
    paras = ((0, 21), (23, 55), (57, len(text)))
    article = Article(doc_id="d", text=text, paragraphs=paras, content_hash="h")
    got = make_sentence_splitter()(article)
    assert [s.text for s in got] == [
        "Protest in the square",
        "Crowds gathered.",
        "Police watched.",
        "later the crowd left",
    ]
    assert all(text[s.start : s.end] == s.text for s in got)
    assert [s.paragraph for s in got] == [0, 1, 1, 2]


def test_violence_is_an_episode_only_in_an_article_set_in_collective_violence() -> None:
    stabbing = "Two men were stabbed near the mosque on Friday."
    assert find_mentions(sents(stabbing)) == []
    setting = sents("Sectarian violence has eased in the old city.", "The communal tension remains.", stabbing)
    assert [m.trigger for m in find_mentions(setting)] == ["stabbed"]
    health = sents("A night curfew was imposed to slow the virus.", "The curfew was extended.", stabbing)
    assert find_mentions(health) == []  # a health curfew sets no riot


@pytest.mark.parametrize(
    ("text", "aftermath"),
    [
        # the court is the venue and the bail the grievance: the protest itself
        ("Neighbours staged a protest at the High Court on Friday, complaining that bail was granted.", False),
        ("About 40 women demonstrated outside the magistrate's court.", False),
        ("Rioters looted the court building in the capital.", False),
        # an earlier protest seen from the court case
        ("Nine youths arrested while protesting against fees appeared in court on Monday.", True),
        ("The court sentenced five men for rioting in the market.", True),
    ],
)
def test_aftermath_is_about_the_case_not_a_protest_at_a_court(text: str, aftermath: bool) -> None:
    (m,) = find_mentions(sents(text))
    assert m.aftermath is aftermath
