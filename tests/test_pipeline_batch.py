"""Processing documents together (``process_many``, relevance scored in one call) gives what processing
them one at a time gives, and one failing document never takes its batch down with it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tocsin.ingest import iter_documents, samples_dir
from tocsin.pipeline import Components, Settled, make_components, process, process_many, settle_many
from tocsin.records import DocumentResult, RawDocument
from tocsin.settings import Settings

# Written for this test: one French article (skipped by language), one empty page (rejected), one
# ordinary article the relevance model passes over, and a protest report.
OWN = [
    RawDocument("fr", text="Les enseignants ont manifesté jeudi à Lyon pour réclamer de meilleurs salaires. "
                           "La préfecture a compté deux mille personnes dans le cortège.", published="2024-03-07"),
    RawDocument("empty", text="   "),
    RawDocument("weather", text="Rain is expected across the northern hills this weekend, with temperatures "
                                "near ten degrees. Farmers welcomed the forecast after a dry month.",
                published="2024-03-07"),
    RawDocument("protest", text="Hundreds of nurses marched through Nakuru on Tuesday to demand unpaid "
                                "allowances, blocking the main road for two hours.", published="2024-03-07"),
]


@pytest.fixture(scope="module")
def components(cache_dir: Path) -> Components:
    return make_components(Settings.load(db=":memory:", cache_dir=cache_dir))


@pytest.fixture(scope="module")
def documents(components: Components) -> list[RawDocument]:
    samples = [d for d in iter_documents([str(samples_dir())], components.settings) if isinstance(d, RawDocument)]
    assert len(samples) >= 4
    return samples + OWN


def test_together_equals_one_at_a_time(components: Components, documents: list[RawDocument]) -> None:
    alone = [process(raw, components) for raw in documents]
    together = process_many(documents, components)
    assert together == alone
    by_id = {r.raw.doc_id: r for r in together}
    assert by_id["fr"].skipped and by_id["empty"].rejected and by_id["weather"].skipped
    assert by_id["protest"].events and sum(bool(r.events) for r in together) >= 3


def test_settled_items_keep_their_places(components: Components, documents: list[RawDocument]) -> None:
    known = Settled(None)
    items = [known, documents[0], known, documents[1]]
    out = settle_many(items, components)
    assert out[0] is None and out[2] is None
    assert out[1] == process(documents[0], components) and out[3] == process(documents[1], components)


class _Exploding:
    """A relevance model that fails on any batch holding the word BOOM."""

    def __init__(self, model) -> None:  # noqa: ANN001
        self.model = model

    def score(self, texts):  # noqa: ANN001, ANN201
        if any("BOOM" in t for t in texts):
            raise RuntimeError("model failure")
        return self.model.score(texts)


def test_one_failing_document_is_rejected_and_the_rest_of_its_batch_goes_on(
    components: Components, documents: list[RawDocument]
) -> None:
    bad = RawDocument("bad", text="Protesters gathered in Nakuru on Monday. BOOM.", published="2024-03-07")
    flaky = replace(components, relevance=_Exploding(components.relevance))
    batch = [*documents[:3], bad, *documents[3:]]
    out = process_many(batch, flaky)
    assert [r.raw.doc_id for r in out] == [d.doc_id for d in batch]
    failed = out[3]
    assert failed.rejected is not None and "internal error" in failed.rejected.reason and "model failure" in failed.rejected.reason
    assert [r for i, r in enumerate(out) if i != 3] == [process(raw, components) for raw in documents]


def test_a_stage_failing_on_one_document_rejects_only_that_one(
    components: Components, documents: list[RawDocument]
) -> None:
    def split(article):  # noqa: ANN001, ANN202
        if "Nakuru" in article.text and "nurses" in article.text:
            raise ValueError("splitter failure")
        return components.split(article)

    out = process_many(documents, replace(components, split=split))
    by_id: dict[str, DocumentResult] = {r.raw.doc_id: r for r in out}
    assert by_id["protest"].rejected is not None and "splitter failure" in by_id["protest"].rejected.reason
    others = [r for r in out if r.raw.doc_id != "protest"]
    assert others == [process(raw, components) for raw in documents if raw.doc_id != "protest"]
