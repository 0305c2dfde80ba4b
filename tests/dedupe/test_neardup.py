"""Near-duplicate index over texts written for these tests."""

from __future__ import annotations

import pytest

from tocsin.dedupe.neardup import NearDuplicateIndex, find_near_duplicates, shingles

REPORT = (
    "Thousands of people gathered in the central square of Almaty on Wednesday to protest against the "
    "doubling of fuel prices. Police fired tear gas and stun grenades as some demonstrators set fire to "
    "cars near the mayor's office. The interior ministry said dozens of officers were injured and more "
    "than two hundred people were detained overnight. Residents said mobile internet was cut across the "
    "city for several hours while crowds moved towards the presidential residence."
)
REWRITE = (
    "Protesters angry at a sharp rise in the price of liquefied gas clashed with security forces in "
    "Almaty, Kazakhstan's largest city. Witnesses described burning vehicles outside the city hall. "
    "Officials reported injuries among the police and said hundreds had been arrested, and the internet "
    "was largely unavailable."
)
OTHER = (
    "Farmers drove tractors into the centre of Lyon on Tuesday, blocking the ring road for most of the "
    "morning in a protest over diesel taxes and import rules. The prefecture said the march was peaceful."
)


def test_republished_copy_with_junk_lines_is_a_near_duplicate() -> None:
    copy = (
        "Share this\nREAD MORE: latest news\n" + REPORT.upper() + "\nSubscribe to our newsletter\n© Example"
    )
    index = NearDuplicateIndex()
    assert index.add("orig", REPORT) is None
    assert index.add("other", OTHER) is None
    assert index.add("copy", copy) == "orig"
    assert index.add("copy2", REPORT + " Reporting by a staff writer.") == "orig"  # the earliest copy


def test_rewritten_report_of_the_same_event_is_not_a_near_duplicate() -> None:
    index = NearDuplicateIndex()
    index.add("orig", REPORT)
    assert index.add("rewrite", REWRITE) is None
    assert index.query(REPORT + " More to follow.") == "orig" and len(index) == 2


def test_state_round_trips_through_bytes_and_signatures() -> None:
    index = NearDuplicateIndex()
    index.add("orig", REPORT)
    index.add("other", OTHER)
    restored = NearDuplicateIndex.from_bytes(index.to_bytes())
    assert len(restored) == 2 and "orig" in restored
    assert restored.add("copy", REPORT + " Updated.") == "orig"
    rebuilt = NearDuplicateIndex()
    rebuilt.add_signature("orig", index.signature(REPORT))
    assert len(index.signature(REPORT)) == 4 * 128
    assert rebuilt.add("copy", "Advertisement\n" + REPORT) == "orig"
    with pytest.raises(ValueError, match="bad header"):
        NearDuplicateIndex.from_bytes(b"junk")
    with pytest.raises(ValueError, match="already in the index"):
        rebuilt.add("orig", OTHER)


def test_shingles_ignore_case_and_punctuation_and_handle_short_texts() -> None:
    assert shingles("Police fired tear gas , officials said .") == shingles(
        "police fired tear-gas, Officials said"
    )
    assert shingles("Two words") == {b"two words"}
    assert shingles("") == set()
    assert find_near_duplicates([("a", REPORT), ("b", OTHER), ("c", REPORT)]) == {"c": "a"}
    assert (
        find_near_duplicates([("e1", ""), ("e2", " \n "), ("a", REPORT)]) == {}
    )  # empty pages are no copies


def test_signature_bands_and_jaccard_for_the_store() -> None:
    from tocsin.dedupe.neardup import LSH_BANDS, LSH_ROWS, band_keys, earliest_match, jaccard, signature

    sig = signature(REPORT)
    assert sig == NearDuplicateIndex().signature(REPORT)  # the same permutations, drawn once per process
    assert signature(" \n ...") is None  # no words: no signature, nobody's copy
    keys = band_keys(sig)
    assert len(set(keys)) == LSH_BANDS and all(-(2**63) <= k < 2**63 for k in keys)  # SQL BIGINTs
    copy = signature(REPORT + " Reporting by a staff writer.")
    assert set(keys) & set(band_keys(copy))  # a copy shares a band: a candidate
    assert not set(keys) & set(band_keys(signature(OTHER)))
    # a key is its band's values: one value changed outside a band leaves that band's key as it was
    width = 4 * LSH_ROWS
    changed = sig[:width] + bytes([sig[width] ^ 1]) + sig[width + 1 :]
    assert [a == b for a, b in zip(keys, band_keys(changed), strict=True)] == [True, False] + [True] * (LSH_BANDS - 2)
    # the same values in another band make another key
    swapped = sig[width : 2 * width] + sig[:width] + sig[2 * width :]
    assert band_keys(swapped)[:2] != keys[1::-1]
    assert jaccard(sig, sig) == 1.0 and jaccard(sig, copy) >= 0.3 > jaccard(sig, signature(REWRITE))
    assert earliest_match(copy, [(5, signature(OTHER)), (3, sig), (4, sig)]) == 3
    assert earliest_match(copy, [(1, signature(REWRITE))]) is None
    with pytest.raises(ValueError, match="expected 512"):
        band_keys(sig[:100])
