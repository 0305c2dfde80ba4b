"""Text normalisation and line classification: which lines of a scraped page are article text.

Pages scraped to text carry navigation, share buttons, icon-sprite titles, cookie banners and
"read more" links as lines of their own. We classify whole lines rather than characters: a line
with no sentence punctuation made mostly of menu words is navigation; a sentence is kept even
when it mentions "share" or "follow".
"""

from __future__ import annotations

import re

import ftfy

# ftfy repairs mojibake only where the text really is mojibake; curly quotes are left alone
# (they are what the outlet wrote, and offsets downstream point into this text).
_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False)

# "Â" left before a (no-break) space after ftfy: the trace of a UTF-8 no-break space read as
# Latin-1 in a text too short or too mixed for ftfy to be sure (seen in Times of India dumps).
_STRAY_A_CIRCUMFLEX = re.compile(r"Â(?=[\s\u00a0])")
_SPACES = re.compile(r"[^\S\n]+")  # runs of whitespace other than newlines (tabs, NBSP, thin spaces)
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")  # ZW space/joiners, BOM, soft hyphen
# Inline leftovers of links to the same story in other languages ("read this story in... hindi").
_INLINE_JUNK = re.compile(
    r"\bread this story in\W{0,20}(?:hindi|marathi|gujarati|bengali|tamil|telugu|kannada|malayalam)\b",
    re.IGNORECASE,
)

# A line whose tokens are at least this share "...icon" words is an SVG icon sprite's titles
# concatenated by a naive HTML-to-text step (rt.com pages: 60 of 66 tokens). 0.3 leaves a wide
# margin while no sentence of real prose has three "icon" words in ten.
ICON_SHARE = 0.3
ICON_MIN_TOKENS = 5

# A line without sentence punctuation whose content words are at least this share menu words is
# navigation ("Top stories", "Share this story", "Follow us on Telegram"). 0.75 keeps headlines
# that contain one or two such words ("More protests to follow": 2 of 3 → kept); a line of one or
# two content words is a section heading when one of them is a menu word ("RT Explainers").
# Calibrated on the rt.com excerpts and our own samples.
MENU_SHARE = 0.75

MENU_WORDS = frozenset(
    """
    share shares shared tweet email e-mail mail print comment comments subscribe subscription
    unsubscribe login log logout sign signin signup register account menu home search follow related
    read more top stories story article articles news latest video videos photo photos gallery
    advertisement advert ad ads sponsored newsletter newsletters facebook twitter x whatsapp
    telegram linkedin instagram youtube tiktok vk rss next previous prev back skip content contents
    cookie cookies privacy policy terms contact about trending popular most viewed listen save
    bookmark copy link links close open explainers explainer details podcast podcasts sections
    section tags tag topics topic also recommended editor editors picks pick click here view all
    live updates continue reading watch opinion sport sports business world weather tv radio shop
    app apps download get subscribers feedback help social media advertise careers jobs
    login/register faq
    """.split()  # noqa: SIM905  (a word list reads best as one string)
)
STOPWORDS = frozenset(
    """
    a an the to of on in at for and or with by from up us our your you we this that these it its is
    are be can will now my me
    """.split()  # noqa: SIM905  (a word list reads best as one string)
)

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?:\s|$)")
_FINAL_STOP = re.compile(r"[.!…][\"'”’)\]]*$")
_WORD = re.compile(r"[^\W\d_]+")
_COOKIE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_COOKIE_CONTEXT = re.compile(
    r"\b(?:accept|consent|privacy|website uses|site uses|we use|opt[- ]out|your experience|browsing)\b",
    re.IGNORECASE,
)
_BREADCRUMB = re.compile(r"^Home(?:[A-Z]|\s*[>»/›|])")
_ELSEWHERE = re.compile(
    r"^(?:also on|also read|read also|read more|see also|related|recommended|more on this|more from|"
    r"watch|listen)\b",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"^(?:by|translation by|translated by|editing by|edited by|reporting by|written by|"
    r"additional reporting by|"
    r"photo|photograph|image|picture|source|file photo)\b[\s:]",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"\b(?:comments are closed|all rights reserved|powered by|terms of (?:use|service)|privacy policy|"
    r"click here|you can share this)\b|©",
    re.IGNORECASE,
)
# Lines longer than this are prose, whatever words they use (the longest menu line in the rt.com
# excerpts is 40 characters; icon sprites are caught by their own rule).
MAX_BOILERPLATE_CHARS = 160
MAX_CREDIT_CHARS = 80


def normalise(text: str) -> str:
    """Repair mojibake, unify whitespace within lines, strip each line; newlines are kept."""
    text = ftfy.fix_text(text, _FTFY)
    text = _STRAY_A_CIRCUMFLEX.sub("", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _INLINE_JUNK.sub(" ", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def has_sentence_end(line: str) -> bool:
    return bool(_SENTENCE_END.search(line))


def ends_sentence(line: str) -> bool:
    """The line ends with a full stop, "!" or "…" (before any closing quotes or brackets)."""
    return bool(_FINAL_STOP.search(line))


def junk_reason(line: str) -> str | None:
    """Why ``line`` is not article text, or None when it may be. ``line`` is normalised."""
    if not _WORD.search(line):
        return "no words"
    lowered = line.lower()
    tokens = lowered.split()
    if len(tokens) >= ICON_MIN_TOKENS and sum("icon" in t for t in tokens) / len(tokens) >= ICON_SHARE:
        return "icon sprite"
    if _COOKIE.search(line) and _COOKIE_CONTEXT.search(line) and len(line) < 4 * MAX_BOILERPLATE_CHARS:
        return "cookie banner"
    if _BREADCRUMB.match(line) and len(line) <= MAX_BOILERPLATE_CHARS:
        return "breadcrumb"
    sentence = has_sentence_end(line)
    if sentence and len(line) > 2 * MAX_BOILERPLATE_CHARS:
        return None  # long prose: none of the rules below can apply
    if len(line) <= MAX_BOILERPLATE_CHARS and _BOILERPLATE.search(line):
        return "boilerplate"
    if sentence and line.rstrip()[-1:] in ".!?…\"'”’)":
        return None
    if _ELSEWHERE.match(line) and len(line) <= 2 * MAX_BOILERPLATE_CHARS:
        return "link to another story"
    if _CREDIT.match(line) and len(line) <= MAX_CREDIT_CHARS:
        return "byline or credit"
    words = [w for w in _WORD.findall(lowered) if w not in STOPWORDS]
    if not words:
        return "no content words"
    menu = sum(w in MENU_WORDS for w in words)
    if (len(words) <= 2 and menu >= 1) or (len(words) > 2 and menu / len(words) >= MENU_SHARE):
        return "navigation"
    return None


def line_key(line: str) -> str:
    """Comparison key for spotting repeated lines (a headline printed twice)."""
    return " ".join(_WORD.findall(line.casefold()))
