"""Rebalancing that protects gaps: noise is not a cluster, gap kinds and target shares survive caps, the plan."""

import json

import pytest

from explorer.core.curation.curated import Rebalance, Selection, curated_export, plan_export, rows_from_analysis
from explorer.core.curation.edits import CurationState
from explorer.core.curation.rebalancing import plan_rebalance, share_of
from explorer.core.dataset import load
from tests.samples import write


def dataset_of(tmp_path, n):
    return load(write(tmp_path / "src", [{"instruction": f"q{i}", "input": "", "output": f"a{i}"} for i in range(n)],
                      "jsonl"))


def two_kind_taxonomy(tmp_path):
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps({"kinds": [
        {"id": k, "name_en": k, "name_zh": k, "description": k, "target": 1.0} for k in ("alpha", "beta")]}))
    return str(path)


def test_noise_is_not_capped_as_a_cluster():
    rows = ([{"cluster": -1, "kind": "math", "flags": []}] * 40 + [{"cluster": 0, "kind": "math", "flags": []}] * 30
            + [{"cluster": 1, "kind": "math", "flags": []}] * 30)
    plan = plan_rebalance(list(range(100)), rows, Rebalance(max_per_cluster=10))
    after = {g.key: g.after for g in plan.per_cluster}
    assert after == {"noise": 40, "0": 10, "1": 10} and len(plan.kept) == 60 and plan.dropped == 40
    assert next(g for g in plan.per_cluster if g.key == "noise").note == "not capped"


def test_a_gap_kind_keeps_all_its_records_under_a_cluster_cap():
    # 200 records, uniform targets over 25 kinds (4 % each): 3 programming records (1.5 %) are a gap.
    # They are flagged, so within their cluster the caps alone keep unflagged math first and cut them all.
    rows = [{"cluster": 0, "kind": "programming" if i < 3 else "math", "flags": ["too_long"] if i < 3 else []}
            for i in range(100)] + [{"cluster": 1, "kind": "math", "flags": []} for _ in range(100)]
    plan = plan_rebalance(list(range(200)), rows, Rebalance(max_per_cluster=10))
    kinds = {g.key: (g.before, g.after, g.note) for g in plan.per_kind}
    assert kinds["programming"] == (3, 3, "protected (gap)")
    assert [(p.kind, p.before, p.caps_alone, p.after, p.reason) for p in plan.protected] == [
        ("programming", 3, 0, 3, "gap")]
    assert plan.protected[0].text().startswith("programming 3 kept (gap")
    assert {g.key: g.after for g in plan.per_cluster} == {"0": 10, "1": 10}  # they took 3 of the 10 slots
    tight = plan_rebalance(list(range(200)), rows, Rebalance(max_per_cluster=2))
    assert ("0", 100, 3, "over cap (protected)") in [(g.key, g.before, g.after, g.note) for g in tight.per_cluster]


def test_gap_records_take_cap_slots_instead_of_overshooting():
    rows = [{"cluster": 0, "kind": "programming" if i < 3 else "math", "flags": []} for i in range(100)]
    for seed in range(5):
        plan = plan_rebalance(list(range(100)), rows, Rebalance(max_per_cluster=10, seed=seed))
        assert {g.key: g.after for g in plan.per_kind} == {"math": 7, "programming": 3}
        assert {g.key: g.after for g in plan.per_cluster} == {"0": 10}


def test_no_kind_falls_below_its_target_share_of_the_output(tmp_path):
    # alpha and beta each target 50 %; beta has 25 % of the records (short, not a gap), all flagged, all in
    # cluster 0: the cluster cap alone would leave no beta at all.
    taxonomy = two_kind_taxonomy(tmp_path)
    rows = ([{"cluster": 0, "kind": "alpha", "flags": []}] * 50 + [{"cluster": 0, "kind": "beta", "flags": ["x"]}] * 50
            + [{"cluster": 1, "kind": "alpha", "flags": []}] * 100)
    plan = plan_rebalance(list(range(200)), rows, Rebalance(max_per_cluster=10, taxonomy_path=taxonomy))
    after = {g.key: g.after for g in plan.per_kind}
    assert after["beta"] >= share_of(0.5, len(plan.kept)) and after["beta"] < 50
    assert [(p.kind, p.caps_alone, p.reason) for p in plan.protected] == [("beta", 0, "target share")]


def test_balance_and_kind_caps_respect_gaps(tmp_path):
    rows = [{"cluster": 0, "kind": "math", "flags": []}] * 97 + [{"cluster": 0, "kind": None, "flags": []}] * 3
    plan = plan_rebalance(list(range(100)), rows, Rebalance(balance_kind=True))
    assert {g.key: g.after for g in plan.per_kind} == {"math": 4, "unassigned": 3}  # ceil(4 % of 100)
    assert plan.protected == []  # unassigned has no target: never protected


def test_plan_export_writes_nothing_and_matches_the_export(tmp_path):
    dataset = dataset_of(tmp_path, 12)
    rows = [{"cluster": i % 3 - 1, "kind": None if i % 4 == 0 else "math", "flags": []} for i in range(12)]
    state = CurationState()
    before = set(tmp_path.iterdir())
    plan = plan_export(dataset, state, Selection(), Rebalance(max_per_cluster=2), rows)
    assert set(tmp_path.iterdir()) == before
    out = tmp_path / "out.jsonl"
    curated_export(dataset, state, out, None, Selection(), Rebalance(max_per_cluster=2), rows, 0)
    manifest = json.loads((tmp_path / "out.jsonl.manifest.json").read_text())
    assert manifest["counts"]["out"] == len(plan.kept) == len(out.read_text().splitlines())
    assert manifest["per_cluster"]["out"] == {g.key: g.after for g in plan.rebalance.per_cluster if g.after}
    assert set(manifest["per_cluster"]["in"]) == {"noise", "0", "1"}
    assert set(manifest["per_kind"]["before"]) == {"math", "unassigned"}
    from explorer.core.analysis import taxonomy  # which taxonomy the caps read, even when none was named

    assert manifest["rebalance"]["taxonomy_path"] == str(taxonomy.DEFAULT_PATH)


def test_manifest_names_unassigned_and_noise_never_null(tmp_path):
    dataset = dataset_of(tmp_path, 6)
    rows = [{"cluster": -1, "kind": None, "flags": []}, {"cluster": 0, "kind": "math", "flags": []}] * 3
    out = tmp_path / "out.jsonl"
    curated_export(dataset, CurationState(), out, None, Selection(), Rebalance(), rows, 0)
    manifest = json.loads((tmp_path / "out.jsonl.manifest.json").read_text())
    for group in ("per_kind", "per_cluster"):
        for stage in ("in", "before", "out"):
            assert not {"None", "null", "-1"} & set(manifest[group][stage])
    assert manifest["per_kind"]["out"] == {"unassigned": 3, "math": 3}
    assert manifest["per_cluster"]["before"] == {"noise": 3, "0": 3}


def test_rows_marked_deleted_are_left_out():
    class FakeAnalysis:
        clusters = [0, -1, 1]
        kinds = ["math", "unassigned", "programming"]
        flags = [[], ["refusal"], []]
        duplicate_of = [None, None, 0]

    rows = rows_from_analysis(FakeAnalysis(), deleted={2})
    assert rows == [{"id": 0, "cluster": 0, "kind": "math", "flags": [], "near_duplicate_of": None},
                    {"id": 1, "cluster": -1, "kind": None, "flags": ["refusal"], "near_duplicate_of": None},
                    {"id": 2, "cluster": 1, "kind": "programming", "flags": [], "near_duplicate_of": 0,
                     "deleted": True}]


@pytest.mark.parametrize("n", [0, 1])
def test_plan_without_rebalancing_keeps_the_selection(n):
    assert plan_rebalance(list(range(n)), None, Rebalance()).kept == list(range(n))


def test_rows_from_a_live_analysis_match_the_analyze_folder(tmp_path):
    from explorer.core.analysis.embed_cache import EmbeddingCache
    from explorer.core.analysis.pipeline import AnalysisParams, Pipeline
    from explorer.core.analysis.report import write_analysis
    from explorer.core.curation.curated import read_analysis
    from tests.fakes import FakeEmbedder, planted_records

    records, _ = planted_records(per_topic=25)
    dataset = load(write(tmp_path / "planted", records, "jsonl"))
    analysis = Pipeline(dataset, lambda p: FakeEmbedder(), EmbeddingCache(tmp_path / "cache.sqlite")).run(
        AnalysisParams(model="fake", seed=7, min_cluster_size=10))
    write_analysis(analysis, dataset, tmp_path / "analysis")
    from_folder = read_analysis(tmp_path / "analysis", dataset)
    live = rows_from_analysis(analysis)
    assert [{k: r[k] for k in live[0]} for r in from_folder] == live
    assert len({r["kind"] for r in live}) >= 2 and {r["cluster"] for r in live} >= {0, 1}
    state, rb = CurationState(deleted={0, 1}), Rebalance(max_per_cluster=5, max_per_kind=20)
    plans = [plan_export(dataset, state, Selection(), rb, rows) for rows in (from_folder, live)]
    assert plans[0].kept == plans[1].kept and plans[0].rebalance.per_kind == plans[1].rebalance.per_kind
    marked = rows_from_analysis(analysis, deleted={5})
    assert 5 not in plan_export(dataset, CurationState(), Selection(), Rebalance(), marked).kept
