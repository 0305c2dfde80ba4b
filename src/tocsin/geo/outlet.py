"""Where the outlet is, from its web address: "columbuslocalnews.com", "palestineherald.com".

Local papers name themselves after their town, and their stories leave it unsaid: a "Dublin" in a
Columbus paper is Dublin, Ohio. The town spelled at the start of a host label (or as a whole label,
"chronicle.augusta.com") becomes a silent place of the text for the resolver: it lends context to the
names in the text and takes context from them, but is never returned as a toponym.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from tocsin.geo.gazetteer import F_CITY, Gazetteer
from tocsin.geo.recognize import COMMON_ZIPF, _zipf

HOME_MIN_LEN = 5  # "cour|ant", "inde|pendent", "lati|mes": shorter heads are mostly accidents
WORD_MIN_LEN = 3  # the rest of the label starts with an English word this long ...
WORD_MIN_ZIPF = 3.4  # ... and this common ("sun" 5.0, "sentinel" 3.4; not "ter" 3.3, "gator" 3.2)
LEADING_ARTICLE = "the"  # "thelancasterandmorecambecitizen.co.uk"
# Country-code domains sold for other uses ("news.co", "radio.fm", "app.io"): they say nothing of a country.
GENERIC_CCTLDS = {"co", "tv", "io", "me", "fm", "ly", "ai", "cc", "ws", "to", "nu", "gg", "am", "la", "eu", "su"}
# A path section of a town's news ("/arlington_news/", "/mt-pleasant-news/"): big papers' pages for a suburb.
_TOWN_SECTION = re.compile(r"/([a-z]+(?:[_-][a-z]+){0,2})[_-]news(?=/)")
_SKIP_LABELS = {"www", "news", "com", "org", "net", "co", "ac", "gov", "edu", "online"}


def _label_town(label: str, gz: Gazetteer) -> int | None:
    """The town name, one word or two, that starts ``label`` and is followed by nothing or by the
    longest English word: "columbus|localnews", "lasvegas|sun", "lansing|statejournal" (not
    "lansings|tate..."); never "athen|sreview" (a German spelling of Athens) or "pari|sbeacon"."""
    best: tuple[int, int, int] | None = None  # (whole label, length of the word after, name id)
    for end in range(len(label), HOME_MIN_LEN - 1, -1):
        rest = label[end:]
        after = _word_length(rest)
        if rest and not after:
            continue
        head = label[:end]
        for name in (head, *(head[:cut] + " " + head[cut:] for cut in range(3, end - 2))):
            name_id = gz.name_id(name)
            if name_id is not None and _town_like(gz, name_id):
                if best is None or (not rest, after) > best[:2]:
                    best = (not rest, after, name_id)
                break
    return best[2] if best else None


def _word_length(rest: str) -> int:
    """Length of the longest English word (WORD_MIN_ZIPF) that ``rest`` starts with, 0 if none."""
    return max((n for n in range(WORD_MIN_LEN, len(rest) + 1) if _zipf(rest[:n]) >= WORD_MIN_ZIPF), default=0)


def _town_like(gz: Gazetteer, name_id: int) -> bool:
    """A town's name, and if also an English word, one of a town big enough for how common the word
    is (the commonness gate of recognize: "Paris" and "Columbus" pass; "Post", "Star", "Echo" not)."""
    if not gz.flags[name_id] & F_CITY:
        return False
    zipf = gz.zipf[name_id]
    return zipf < COMMON_ZIPF or gz.maxpop[name_id] >= 10**zipf


def outlet_country(gz: Gazetteer, url: str | None) -> str | None:
    """ISO3 of the country whose domain the outlet's host ends in ("lfpress.ca" → CAN, "x.co.uk" → GBR)."""
    host = _host(url)
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    if len(tld) != 2 or tld in GENERIC_CCTLDS:
        return None
    return gz.iso3_of_iso2.get("GB" if tld == "uk" else tld.upper())


def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        return (urlsplit(url if "//" in url else "//" + url).hostname or "").lower()
    except ValueError:  # "http://[broken" is no address
        return ""


def home_name_ids(gz: Gazetteer, url: str | None) -> list[int]:
    """Gazetteer name ids of the outlet's town as spelled in the host of ``url`` (usually none or one),
    and of a town whose news section the path names ("star-telegram.com/arlington_news/...")."""
    host = _host(url)
    if not host:
        return []
    out = list(_host_towns(gz, host))
    for section in _TOWN_SECTION.findall(_path(url)):
        name_id = gz.name_id(section.replace("_", " ").replace("-", " "))
        if name_id is not None and name_id not in out and _town_like(gz, name_id):
            out.append(name_id)
    return out


def _path(url: str | None) -> str:
    try:
        return urlsplit(url).path.lower() if url else ""
    except ValueError:
        return ""


@lru_cache(maxsize=4096)  # an outlet's articles come in runs: its host is read once
def _host_towns(gz: Gazetteer, host: str) -> tuple[int, ...]:
    labels = [lab for lab in host.split(".")[:-1] if lab not in _SKIP_LABELS and lab.isalpha()]
    out: list[int] = []
    for label in labels:
        if label.startswith(LEADING_ARTICLE) and len(label) > len(LEADING_ARTICLE) + HOME_MIN_LEN:
            label = label[len(LEADING_ARTICLE) :]
        name_id = _label_town(label, gz)
        if name_id is not None and name_id not in out:
            out.append(name_id)
    return tuple(out)
