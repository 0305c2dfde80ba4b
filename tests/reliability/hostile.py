"""A generated corpus of hostile and broken inputs, mixed with valid protest reports.

Everything here is built at test time in a temporary folder from a seed (nothing is committed but
this code). Each generated input carries what must become of it:

* ``BAD``: unreadable input (binary, empty, oversize, invalid UTF-8, truncated gzip, broken JSON and
  CSV rows, HTML bombs...): stored as rejected, with a reason matching ``reason``;
* ``ODD``: readable but strange (impossible dates, absurd numbers, control characters, lone
  scripts): processed or skipped, never rejected by an internal error, no implausible figure;
* ``VALID``: a protest report written for these tests: processed.

``build_corpus`` returns the sources to give ``tocsin ingest`` and the expectations keyed by the
document id the store will hold.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BAD, ODD, VALID = "bad", "odd", "valid"

TOWNS = (
    ("Nakuru", "Kenya"), ("Ruse", "Bulgaria"), ("Kochi", "India"), ("Gdynia", "Poland"),
    ("Aktobe", "Kazakhstan"), ("Tartu", "Estonia"), ("Bergen", "Norway"), ("Arequipa", "Peru"),
    ("Kumasi", "Ghana"), ("Cebu", "the Philippines"), ("Rosario", "Argentina"), ("Tamale", "Ghana"),
    ("Pokhara", "Nepal"), ("Sfax", "Tunisia"), ("Iasi", "Romania"), ("Cochabamba", "Bolivia"),
)  # fmt: skip
GROUPS = ("teachers", "nurses", "farmers", "dock workers", "students", "taxi drivers", "miners", "pensioners")
ISSUES = (
    "unpaid wages", "a rise in fuel prices", "the closure of a district hospital", "new land taxes",
    "delayed pensions", "a planned landfill near the town", "water shortages", "cuts to bus services",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Reports written for these tests: peaceful marches, sit-ins, and riots with police intervention.
REPORTS = (
    "{title}\n\n{n:,} {group} marched through the centre of {town}, {country}, on {day}, protesting "
    "against {issue}. The march ended peacefully outside the regional governor's office, police said.\n\n"
    "Union leaders said they would return if their demands were not met within a month.",
    "{town} {group} stage sit-in over {issue}\n\nAbout {n:,} {group} staged a sit-in outside the "
    "municipal hall in {town}, {country}, on {day} over {issue}, blocking the main road for three "
    "hours.\n\nThe mayor met a delegation of the protesters in the afternoon.",
    "Police fire tear gas at protesters in {town}\n\nPolice in {town}, {country}, fired tear gas and "
    "detained {k} people on {day} after some {n:,} {group} protesting against {issue} threw stones at "
    "officers outside the district office.\n\nShops in the town centre stayed shut for the rest of the day.",
    "Rioters torch vehicles in {town}\n\nHundreds of youths rioted in {town}, {country}, on {day}, "
    "setting fire to {k} vehicles and looting shops after {issue} was announced. {k} people were "
    "injured, local officials said.\n\nCalm returned to the town by the evening.",
)


@dataclass(frozen=True, slots=True)
class Expect:
    kind: str  # BAD, ODD or VALID
    reason: str = ""  # BAD: a substring the stored reason must contain
    label: str = ""  # what the input is, for failure messages


@dataclass(slots=True)
class Corpus:
    sources: list[str] = field(default_factory=list)
    expect: dict[str, Expect] = field(default_factory=dict)  # stored doc_id → expectation

    def count(self, kind: str) -> int:
        return sum(e.kind == kind for e in self.expect.values())


def valid_report(rng: random.Random, i: int) -> dict[str, str]:
    town, country = rng.choice(TOWNS)
    group, issue, day = rng.choice(GROUPS), rng.choice(ISSUES), rng.choice(WEEKDAYS)
    text = rng.choice(REPORTS).format(
        title=f"{group.capitalize()} protest in {town} over {issue}", n=rng.randint(3, 400) * 25,
        group=group, town=town, country=country, day=day, issue=issue, k=rng.randint(2, 40),
    )  # fmt: skip
    month = rng.randint(1, 12)
    return {
        "id": f"valid-{i}",
        "text": text,
        "published": f"2024-{month:02d}-{rng.randint(1, 28):02d}",
        "title": "",
        "source": "Tocsin Test Wire",
        "url": f"https://news.example/{i}",
    }


# -- JSON Lines: the bulk of the corpus, one hostile record a line --------------------------------

def _deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def _html_bomb_nested(depth: int) -> str:
    return "<html><body>" + "<div>" * depth + "protest" + "</div>" * depth + "</body></html>"


def _html_bomb_wide(elements: int) -> str:
    return "<html><body><div>" + "<b></b>" * elements + "</div><p>x</p></body></html>"


def _bad_jsonl_line(rng: random.Random, lineno: int, base: str) -> tuple[bytes, str, Expect]:
    """One hostile JSONL line: (bytes, stored doc id, expectation)."""
    fallback = f"{base}:{lineno}"
    rid = f"bad-{lineno}"
    kind = rng.randrange(12)
    if kind == 0:  # truncated object
        full = json.dumps({"id": rid, "text": "Protesters gathered in the square on Monday."})
        return full[: rng.randrange(1, len(full) - 1)].encode(), fallback, Expect(BAD, "invalid JSON", "truncated")
    if kind == 1:  # invalid UTF-8 bytes inside a string
        junk = bytes(rng.randrange(0x80, 0x100) for _ in range(rng.randint(1, 8)))
        line = b'{"id": "' + rid.encode() + b'", "text": "caf' + junk + b' protest"}'
        if _is_utf8(line):
            line = line.replace(b"caf", b"caf\xff")
        return line, fallback, Expect(BAD, "invalid UTF-8", "invalid utf-8")
    if kind == 2:  # valid JSON, not an object
        value = rng.choice(["[1, 2, 3]", '"just a string"', "42", "null", "true", "3.5e400"])
        return value.encode(), fallback, Expect(BAD, "expected a JSON object", "not an object")
    if kind == 3:  # no text at all
        rec = {"id": rid, "title": "No body here", "url": "https://news.example/x"}
        return json.dumps(rec).encode(), rid, Expect(BAD, "record has no text", "no text")
    if kind == 4:  # empty or blank text
        rec = {"id": rid, "text": rng.choice(["", "   ", "\n\t\n"])}
        return json.dumps(rec).encode(), rid, Expect(BAD, "empty 'text' field", "empty text")
    if kind == 5:  # text of the wrong JSON type
        rec = {"id": rid, "text": rng.choice([[], {}, ["a", "b"], {"nested": "x"}, True, False])}
        return json.dumps(rec).encode(), rid, Expect(BAD, "empty 'text' field", "text of a wrong type")
    if kind == 6:  # lone UTF-16 surrogates (valid JSON escapes, invalid Unicode)
        text = "Protesters marched \\ud83d on Monday \\udc00 in the capital."
        line = f'{{"id": "{rid}", "text": "{text}"}}'
        return line.encode(), rid, Expect(BAD, "surrogate", "lone surrogate")
    if kind == 7:  # nesting deeper than the JSON parser allows (Python 3.13 parses 5,000 levels, not 20,000)
        return (f'{{"id": "{rid}", "text": {_deep_json(rng.choice([20_000, 50_000, 50_000, 100_000]))}}}').encode(), \
            fallback, Expect(BAD, "nested too deeply", "deep JSON")  # fmt: skip
    if kind == 8:  # garbage that is not JSON at all
        junk = rng.choice(["<html>not json</html>", "id,text", "{{{{", "{'id': 1}", "\x1b[31mred", "\x00\x01\x00\x00"])
        return junk.encode(), fallback, Expect(BAD, "invalid JSON", "garbage")
    if kind == 9:  # duplicated keys, trailing garbage
        line = f'{{"id": "{rid}", "text": "a"}} {{"id": "again"}}'
        return line.encode(), fallback, Expect(BAD, "invalid JSON", "trailing data")
    if kind == 10:  # an id that is a container and no text
        rec = {"id": {"$oid": "x"}, "body": None}
        return json.dumps(rec).encode(), fallback, Expect(BAD, "empty 'body' field", "container id")
    rec = {"id": rid, "html": rng.choice(["<html></html>", "<p></p>", "<div><script>x()</script></div>"])}
    return json.dumps(rec).encode(), rid, Expect(BAD, "no article text", "empty HTML")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# Readable but strange: each must be processed or skipped, never crash or end as an internal error.
ODD_TEXTS = (
    "Protest on 31 Feb\n\nSome 500 farmers marched in {town} on 31 February 2024 over {issue}.",
    "Huge rally\n\nOrganisers claimed 10^20 protesters gathered in {town} on Monday against {issue}.",
    "Huge rally\n\nOrganisers claimed 100000000000000000000000 protesters marched in {town} on Monday.",
    "Huge rally\n\nA crowd of 1e30 people gathered in {town} on Tuesday; 99999999999999999999 were arrested.",
    "Crowd\n\nBetween 5,000,000,000 and 9,000,000,000 demonstrators marched in {town} on Friday.",
    "Tomorrow\n\nProtesters marched in {town} on 31 December 2099, police said on Monday.",
    "Old\n\nProtesters marched in {town} on 1 January 1066 over {issue}.",
    "Nulls\n\nProtesters\x00 marched\x01 in {town}\x02 on Monday\x7f over {issue}.",
    "Zero width\n\nPro\u200btesters ma\u200drched in {t\u200cown} on Mon\ufeffday over {issue}.",
    "RTL\n\n\u202eProtesters marched in {town} on Monday over {issue}.\u202c",
    "\u041f\u0440\u043e\u0442\u0435\u0441\u0442\n\n\u0421\u043e\u0442\u043d\u0438 \u043b\u044e\u0434\u0435\u0439"
    " \u0432\u044b\u0448\u043b\u0438 \u043d\u0430 \u0443\u043b\u0438\u0446\u044b {town}.",
    "Emoji\n\n\U0001f4e2\U0001f4e2 Protesters \U0001f525 marched in {town} on Monday \U0001f6a8 over {issue}.",
    "{long_word}",
    "Punctuation\n\n" + "!?.,;:" * 300,
    "Numbers\n\n" + " ".join(str(10**k) for k in range(0, 60)) + " protesters marched in {town}.",
    "Dates\n\n" + " ".join(f"{d} {m}" for d in (0, 29, 30, 31, 32, 99) for m in ("Feb", "April", "June")),
)
ODD_PUBLISHED = ("31 Feb 2024", "2024-02-31", "0000-00-00", "9999-99-99T99:99", "10^20", "yesterday",
                 "2024-13-45", "1e308", "-1", "Mon, 32 Jan 2024 25:61:61 +9999", "", "2099-12-31")


def _odd_record(rng: random.Random, i: int) -> dict[str, str]:
    town, _country = rng.choice(TOWNS)
    template = ODD_TEXTS[i % len(ODD_TEXTS)]
    text = template.replace("{t\u200cown}", "{town}").format(
        town=town, issue=rng.choice(ISSUES), long_word="x" * rng.randint(5_000, 50_000)
    )
    return {"id": f"odd-{i}", "text": text, "published": rng.choice(ODD_PUBLISHED)}


def write_jsonl(path: Path, rng: random.Random, n_bad: int, n_odd: int, n_valid: int, corpus: Corpus) -> None:
    """Hostile, odd and valid records shuffled into one JSONL file."""
    base = path.name.removesuffix(".jsonl")
    kinds = [BAD] * n_bad + [ODD] * n_odd + [VALID] * n_valid
    rng.shuffle(kinds)
    odd = valid = 0
    with path.open("wb") as f:
        for lineno, kind in enumerate(kinds, 1):
            if kind == BAD:
                line, doc_id, expect = _bad_jsonl_line(rng, lineno, base)
            elif kind == ODD:
                rec = _odd_record(rng, odd)
                odd += 1
                line, doc_id, expect = json.dumps(rec).encode(), rec["id"], Expect(ODD, label=rec["text"][:40])
            else:
                rec = valid_report(rng, valid)
                valid += 1
                line, doc_id, expect = json.dumps(rec).encode(), rec["id"], Expect(VALID, label=rec["text"][:40])
            assert b"\n" not in line
            f.write(line + b"\n")
            corpus.expect[doc_id] = expect
    corpus.sources.append(str(path))


# -- files ----------------------------------------------------------------------------------------

def _article_bytes(rng: random.Random, i: int) -> bytes:
    return valid_report(rng, 10_000 + i)["text"].encode()


def _files(rng: random.Random, i: int, big_bytes: int) -> Iterator[tuple[str, bytes, Expect]]:
    """(file name, content, expectation) for the i-th group of hostile files."""
    yield f"binary-{i}.txt", bytes(rng.randrange(256) for _ in range(rng.randint(64, 4096))) + b"\x00", \
        Expect(BAD, "binary data", "random bytes")  # fmt: skip
    yield f"empty-{i}.txt", rng.choice([b"", b"   \n\n\t"]), Expect(BAD, "empty file", "empty")
    yield f"emptyhtml-{i}.html", b"", Expect(BAD, "empty file", "empty html")
    good = gzip.compress(_article_bytes(rng, i) * 20)
    yield f"truncated-{i}.txt.gz", good[: rng.randint(20, len(good) - 10)], Expect(BAD, "gzip", "truncated gzip")
    yield f"notgzip-{i}.txt.gz", b"this is not gzip at all", Expect(BAD, "gzip", "not gzip")
    yield f"pdf-{i}.txt", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n\x00\x01\x02", \
        Expect(BAD, "binary data", "pdf as txt")  # fmt: skip
    yield f"utf16-nobom-{i}.txt", "Protesters marched in Ruse.".encode("utf-16-le"), \
        Expect(BAD, "binary data", "utf-16 without BOM")  # fmt: skip
    yield f"control-{i}.txt", bytes(rng.choice(b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x1b") for _ in range(300)), \
        Expect(BAD, "control characters", "control bytes")  # fmt: skip
    yield f"deep-{i}.html", _html_bomb_nested(rng.randint(300, 20_000)).encode(), Expect(BAD, "nested", "deep HTML")
    if i < 3:
        yield f"wide-{i}.html", _html_bomb_wide(250_000).encode(), Expect(BAD, "elements", "wide HTML")
    yield f"broken-{i}.csv", b"id,title\n1,no text column\n", Expect(BAD, "no 'text' or 'html' column", "csv header")
    yield f"nul-{i}.csv", b"", Expect(BAD, "empty file", "empty csv")
    if i == 0:  # one of each big file: they cost time, not coverage
        yield "huge-line.txt", b"protest " * (big_bytes // 8), Expect(BAD, "larger than", "50 MB one line")
        yield "cp1252.txt", ("Caf\u00e9 owners protest in Iasi\n\nAbout 300 caf\u00e9 owners and "
                             "restaurateurs marched in Iasi, Romania, on Monday against new taxes. "
                             "\u201cWe cannot pay,\u201d one said.").encode("cp1252"), Expect(ODD, label="cp1252")
        yield "mixed.txt", (b"Mixed encodings in Tartu\n\n" + "Na\u00efve protesters ".encode()
                            + "marched in Tartu, Estonia, on Monday \u2013 caf\u00e9 owners joined.".encode("cp1252")), \
            Expect(ODD, label="utf-8 then cp1252")  # fmt: skip
        yield "attr.html", (f'<html><body><div title="{"A" * 2_000_000}"><p>Hundreds of nurses marched in '
                            f'Kumasi, Ghana, on Monday over unpaid wages.</p></div></body></html>').encode(), \
            Expect(ODD, label="2 MB attribute")  # fmt: skip
        yield "xml-bomb.html", (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                                + b"".join(b'<!ENTITY lol%d "%s">' % (k, (b"&lol%d;" % (k - 1) if k else b"&lol;") * 10)
                                           for k in range(1, 10))
                                + b']><html><body><p>&lol9;</p></body></html>'), \
            Expect(ODD, label="billion laughs")  # fmt: skip


def write_files(folder: Path, rng: random.Random, groups: int, big_bytes: int, corpus: Corpus) -> None:
    """Hostile files in ``folder`` (given to ingest as one folder source), plus a few named explicitly."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(groups):
        for name, data, expect in _files(rng, i, big_bytes):
            (folder / name).write_bytes(data)
            corpus.expect[name.split(".", 1)[0]] = expect
    _csv_files(folder, rng, corpus)
    (folder / "dangling.txt").symlink_to(folder / "no-such-target.txt")
    corpus.expect["dangling"] = Expect(BAD, "cannot read file", "dangling symlink")
    corpus.sources.append(str(folder))
    # named explicitly: an unsupported type and a missing path are rejected, not skipped
    odd = folder.parent / "scan.pdf"
    odd.write_bytes(b"%PDF-1.4")
    corpus.sources.append(str(odd))
    corpus.expect["scan.pdf"] = Expect(BAD, "unsupported file type", "explicit .pdf")
    missing = str(folder.parent / "does-not-exist.txt")
    corpus.sources.append(missing)
    corpus.expect[missing] = Expect(BAD, "no such file or folder", "missing path")


def _csv_files(folder: Path, rng: random.Random, corpus: Corpus) -> None:
    """A CSV dump with broken rows among valid ones."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "text", "published"])
    for k in range(40):
        rep = valid_report(rng, 20_000 + k)
        writer.writerow([f"csv-valid-{k}", rep["text"], rep["published"]])
        corpus.expect[f"csv-valid-{k}"] = Expect(VALID, label="csv row")
        writer.writerow([f"csv-empty-{k}", "", "2024-01-01"])
        corpus.expect[f"csv-empty-{k}"] = Expect(BAD, "empty 'text' field", "csv empty text")
        writer.writerow([f"csv-short-{k}"])
        corpus.expect[f"csv-short-{k}"] = Expect(BAD, "record has no text", "csv short row")
    data = out.getvalue().encode()
    # a row with invalid UTF-8 in an otherwise UTF-8 file
    data += b'csv-badbytes,"Protest in Ruse \xff\xfe on Monday",2024-01-01\n'
    corpus.expect["csv-badbytes"] = Expect(ODD, label="csv row with cp1252 bytes")
    (folder / "dump.csv").write_bytes(data)


def build_corpus(root: Path, *, seed: int, jsonl_bad: int, jsonl_odd: int, jsonl_valid: int,
                 file_groups: int, big_bytes: int = 50_000_000) -> Corpus:
    """Write the whole corpus under ``root``; ``big_bytes`` is the size of the one-line monster file."""
    rng = random.Random(seed)
    corpus = Corpus()
    root.mkdir(parents=True, exist_ok=True)
    write_jsonl(root / "records.jsonl", rng, jsonl_bad, jsonl_odd, jsonl_valid, corpus)
    write_files(root / "files", rng, file_groups, big_bytes, corpus)
    os.sync()
    return corpus
