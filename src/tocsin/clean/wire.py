"""Wire datelines at the start of a story: "AHMEDABAD:", "ahmedabad/vadodara:",
"JOHANNESBURG, March 3 (Sapa) -", "NEW DELHI (Reuters) -", "Ahmedabad, March 3 (PTI):".

The place is returned lower-cased (the first one when several are given); the dateline stays in
the text. The place is a hint for the geocoder, not a resolved location.
"""

from __future__ import annotations

import re

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DAY = rf"{_MONTH}\s+\d{{1,2}}"
_AGENCY = r"\((?:[A-Za-z][\w&.' -]{0,30})\)"
_DASH = r"(?:--|-|—|–|:)"

# "JOHANNESBURG, March 3 (Sapa) -", "NEW DELHI (Reuters) -", "AHMEDABAD:", "KABUL, April 11 (Xinhua)--"
_UPPER = re.compile(
    rf"(?<!\w)(?P<place>[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){{0,3}})(?:\s*/\s*[A-Z][A-Z.' -]+)?"
    rf"(?:,\s*(?!{_DAY})(?P<region>[A-Z][\w.' ]{{1,30}}?))?(?:,?\s+(?P<day>{_DAY}))?"
    rf"\s*(?P<agency>{_AGENCY})?\s*{_DASH}\s*"
)
# "Ahmedabad, March 3 (PTI):" — title case needs a date to be told from an ordinary sentence.
_TITLE = re.compile(
    rf"(?P<place>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){{0,3}}),\s+(?P<day>{_DAY})"
    rf"\s*(?P<agency>{_AGENCY})?\s*{_DASH}?\s*"
)
# "ahmedabad:", "new delhi :", "kudatini (bellary):", "ahmedabad/vadodara:" in lower-cased text.
_LOWER = re.compile(
    r"(?P<place>[a-z][a-z.'’-]+(?: [a-z][a-z.'’-]+){0,2})(?:\s*/\s*[a-z][a-z.' -]{1,30}?)*"
    r"(?:\s*\([a-z .'-]{1,30}\))?\s*:\s+(?=[\w\"'‘“])"
)
# Words that start a paragraph with a colon or dash but are not places.
NOT_PLACES = frozenset(
    """
    breaking update updated updates exclusive watch video photos live opinion editorial analysis
    note editor's correction comment review interview report reports advertisement sponsored warning
    police officials sources he she they it we i the this that there
    """.split()  # noqa: SIM905  (a word list reads best as one string)
)
# How far into the first paragraph a dateline may start: after a headline and byline glued to the
# text in wire dumps ("Roundup: ... Zhao Xiaona BRUSSELS, March 14 (Xinhua) -- ..."). 300 covers
# the GLOCON Xinhua items, whose longest headline-plus-byline prefix is 150 characters.
MAX_DATELINE_OFFSET = 300
# Lower-cased datelines are only trusted in lower-cased text (Times of India dumps): at most this
# share of letters may be capitals, else "Police said: ..." would read as a place.
MAX_UPPER_SHARE = 0.02


def dateline_place(paragraph: str) -> str | None:
    """The place of a wire dateline at the start of ``paragraph``, lower-cased, or None."""
    match = _UPPER.match(paragraph)
    if match and (match.group("day") or match.group("agency") or len(match.group("place")) >= 3):
        return _place(match.group("place"))
    match = _TITLE.match(paragraph)
    if match and (match.group("agency") or paragraph[match.end() - 1 : match.end()] in ":-—–"):
        return _place(match.group("place"))
    match = _LOWER.match(paragraph)
    if match:
        letters = [c for c in paragraph[:500] if c.isalpha()]
        if sum(c.isupper() for c in letters) / len(letters) <= MAX_UPPER_SHARE:
            return _place(match.group("place"))
    # A dateline after a glued-on headline: only the unmistakable form, with a date and an agency.
    for match in _UPPER.finditer(paragraph[:MAX_DATELINE_OFFSET]):
        if match.start() > 0 and match.group("day") and match.group("agency"):
            return _place(match.group("place"))
    return None


def _place(raw: str) -> str | None:
    place = raw.strip(" .'’-").lower()
    if not place or place in NOT_PLACES or place.split()[0] in NOT_PLACES:
        return None
    return place
