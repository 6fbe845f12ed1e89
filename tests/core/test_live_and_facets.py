"""The live analysis (counts after edits) and faceted filters, without Qt."""

import numpy as np
import pytest

from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis.facets import NO_FLAGS, UNTAGGED, FacetIndex, Filter, metadata_columns
from explorer.core.analysis.live import LiveAnalysis
from explorer.core.analysis.pipeline import AnalysisParams, Pipeline
from explorer.core.dataset import load
from explorer.core.formats import to_record
from tests.fakes import FakeEmbedder, planted_records
from tests.samples import write


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    records = planted_records(12)[0]
    for k, r in enumerate(records):
        r["category"] = "open_qa" if k % 3 else "brainstorming"
    records.append({"instruction": "A farmer has 12 cows and buys 30 more. How many cows are there?", "input": "",
                    "output": "42", "category": "math"})
    dataset = load(write(tmp / "d", records, "jsonl"))
    fake = FakeEmbedder()
    analysis = Pipeline(dataset, lambda p: fake, EmbeddingCache(tmp / "c.sqlite")).run(
        AnalysisParams(model="fake", seed=3, min_cluster_size=5))
    return dataset, analysis, records


def test_live_counts_leave_out_deleted_and_recheck_edited(analysed):
    dataset, analysis, records = analysed
    live = LiveAnalysis(analysis)
    n = len(dataset)
    maths = n - 1
    assert live.flag_counts()["missing_cot"] == 1 and live.count() == n
    fixed = dict(records[maths], output="12 cows plus 30 cows is 12 + 30 = 42, so there are 42 cows.")
    live.update([maths], set(), lambda i: to_record("alpaca", fixed, i, None))
    assert live.flag_counts()["missing_cot"] == 0 and live.tokens["response"][maths] > 5
    cluster = int(analysis.clusters[0])
    members = np.flatnonzero(analysis.clusters == cluster).tolist()
    live.update(members, set(members), lambda i: None)
    assert live.cluster_sizes()[cluster] == 0 and live.count() == n - len(members)
    assert sum(r["count"] for r in live.coverage()) == n - len(members)
    live.update([maths] + members, set(), lambda i: None)  # everything undone: back to the analysis
    assert live.flag_counts()["missing_cot"] == 1 and live.count() == n
    assert live.balance()["largest_share"] == round(max(live.cluster_sizes().values()) / n, 4)


def test_facets_combine_and_count_under_the_other_facets(analysed):
    dataset, analysis, _ = analysed
    live = LiveAnalysis(analysis)
    columns = metadata_columns(dataset.source_object(i) for i in range(len(dataset)))
    assert set(columns) == {"category"}  # instruction/output texts have too many values to be a facet
    tags = {0: {"good"}, 1: {"good", "check"}, 2: set()}
    index = FacetIndex(live, tags, columns)
    flt = Filter().with_values("category", {"open_qa"})
    assert index.mask(flt).sum() == sum(1 for i in range(len(dataset)) if dataset.source_object(i)["category"]
                                        == "open_qa")
    flt = flt.with_values("tag", {"good"})
    assert index.mask(flt).tolist().count(True) == 1  # record 1 (record 0 is brainstorming)
    counts = index.facet_counts(flt, "category")  # the category facet counts under the tag filter only
    assert counts == {"brainstorming": 1, "open_qa": 1, "math": 0}
    assert index.facet_counts(Filter(), "tag")[UNTAGGED] == len(dataset) - 2
    flagged = index.facet_counts(Filter(), "flag")
    assert flagged["missing_cot"] == 1 and flagged[NO_FLAGS] == len(dataset) - live.flagged()
    cluster = int(analysis.clusters[0])
    by_cluster = Filter(clusters=frozenset({cluster}), max_tokens=10_000)
    assert index.mask(by_cluster).sum() == (analysis.clusters == cluster).sum()
    assert Filter.from_json(by_cluster.to_json()) == by_cluster and Filter.from_json(flt.to_json()) == flt
    assert "category: open_qa" in flt.describe() and Filter().describe() == "no filter"
