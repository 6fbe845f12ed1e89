"""Teach by example: the user sets the kind of some records (an undoable, journaled edit); similar records follow
when the kinds stage re-runs, and nothing else is recomputed."""

import dataclasses
import json

import pytest

from explorer.app.workspace import Workspace
from explorer.cli.main import main
from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis.kind_classifier import SURE
from explorer.core.analysis.pipeline import AnalysisParams, Pipeline
from explorer.core.curation import edits as E
from explorer.core.curation.edits import edit_from_json
from explorer.core.curation.session import Session
from explorer.core.errors import DatasetError
from tests.fakes import FakeEmbedder, planted_records
from tests.samples import write

PARAMS = AnalysisParams(model="fake", seed=3, min_cluster_size=5)


def workspace_on(path, tmp_path):
    fake = FakeEmbedder()
    ws = Workspace(lambda d: Pipeline(d, lambda p: fake, EmbeddingCache(tmp_path / "c.sqlite")), PARAMS)
    ws.load_done(ws.load_job(path)(None, None))
    ws.analysis_done(ws.analysis_job()(None, None))
    return ws


def test_set_kind_is_undoable_and_neighbours_follow_after_the_kinds_stage(tmp_path):
    records, truth = planted_records(12)
    ws = workspace_on(write(tmp_path / "d", records, "jsonl"), tmp_path)
    poetry = [i for i, t in enumerate(truth) if t == 3]
    before = list(ws.analysis.kinds)
    taught = []
    ws.kinds_taught.connect(lambda: taught.append(1))
    ws.apply(E.SetKind(tuple(poetry[:3]), "creative_writing"))
    assert taught and ws.live.kinds()[poetry[0]] == "creative_writing"  # counts follow at once
    assert ws.live.kind_counts()["creative_writing"] >= 3
    assert not ws.live.unsure[poetry[:3]].any()  # a kind the user set is not one to check
    runs = dict(ws.pipeline.runs)
    ws.analysis_done(ws.analysis_job()(None, None))
    assert ws.pipeline.runs["kinds"] == runs["kinds"] + 1 and ws.pipeline.runs["map"] == runs["map"]
    followed = [i for i in poetry[3:] if ws.analysis.kinds[i] == "creative_writing"]
    assert len(followed) >= len(poetry[3:]) // 2, (followed, [before[i] for i in poetry])
    assert "labelled" in ws.analysis.kind_reasons[followed[0]]
    ws.undo()
    assert ws.session.state.kinds == {} and ws.live.kinds()[poetry[0]] == ws.analysis.kinds[poetry[0]]
    assert ws.live.unsure[poetry[:3]].tolist() == (ws.analysis.kind_confidence[poetry[:3]] < SURE).tolist()
    assert sum(r.unsure for r in ws.coverage()) == int(ws.live.unsure.sum())
    ws.analysis_done(ws.analysis_job()(None, None))
    assert ws.analysis.kinds == before
    ws.close()


def test_kind_edits_are_journaled_and_recipes_can_set_them(tmp_path, capsys):
    path = write(tmp_path / "d", planted_records(4)[0], "jsonl")
    line = {"op": "kind", "ids": [1, 2], "kind": "math"}
    assert edit_from_json(line).to_json() == line
    recipe = tmp_path / "r.jsonl"
    recipe.write_text(json.dumps(line) + "\n" + json.dumps({"op": "kind", "ids": [2], "kind": None}) + "\n")
    assert main(["apply", str(path), "--recipe", str(recipe)]) == 0
    from explorer.core.dataset import load

    with Session(load(path)) as session:
        assert session.state.kinds == {1: "math"}
    out = tmp_path / "a"
    with Session(load(path)):  # the app has the dataset open: analyze still reads the kinds the user set
        assert main(["analyze", str(path), "--out", str(out), "--model", "all-MiniLM-L6-v2", "--device", "cpu"]) == 0
    rows = [json.loads(x) for x in (out / "records.jsonl").read_text().splitlines()]
    assert rows[1]["kind"] == "math" and rows[1]["kind_source"] == "user" and rows[0]["kind_source"] == "predicted"
    summary = json.loads((out / "summary.json").read_text())  # counted as records.jsonl gives them
    counts = {row["kind"]: row["count"] for row in summary["coverage"]}
    assert counts["math"] == sum(r["kind"] == "math" for r in rows)
    unsure = sum(row["unsure"] for row in summary["coverage"])
    assert unsure == sum(r["kind_source"] == "predicted" and r["kind_confidence"] < SURE for r in rows)


def test_a_recipe_kind_not_in_the_taxonomy_is_refused_with_the_likely_one(tmp_path, capsys):
    path = write(tmp_path / "d", planted_records(4)[0], "jsonl")
    recipe = tmp_path / "r.jsonl"
    lines = [{"op": "kind", "ids": [1], "kind": "maths"},
             {"op": "batch", "edits": [{"op": "kind", "ids": [2], "kind": "math"},
                                       {"op": "kind", "ids": [3], "kind": "poems"}]},
             {"op": "kind", "ids": [4], "kind": "math"}]
    recipe.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert main(["apply", str(path), "--recipe", str(recipe)]) == 1
    err = capsys.readouterr().err
    assert "skipped line 1: unknown task kind 'maths' (did you mean 'math'?)" in err
    assert "skipped line 2: unknown task kind 'poems'" in err
    from explorer.core.dataset import load

    with Session(load(path)) as session:
        assert session.state.kinds == {4: "math"}  # nothing of the refused batch
    taxonomy = tmp_path / "t.json"
    maths = {"id": "maths", "name_en": "Maths", "name_zh": "数学", "description": "sums"}
    taxonomy.write_text(json.dumps({"kinds": [maths]}))
    recipe.write_text(json.dumps(lines[0]) + "\n")
    assert main(["apply", str(path), "--recipe", str(recipe), "--taxonomy", str(taxonomy)]) == 0


def test_a_new_kind_from_a_selection_is_saved_and_similar_records_follow(tmp_path):
    from explorer.core.analysis import taxonomy

    records, truth = planted_records(12)
    ws = workspace_on(write(tmp_path / "d", records, "jsonl"), tmp_path)
    taxes = [i for i, t in enumerate(truth) if t == 4]
    map_runs = ws.pipeline.runs["map"]
    commit = ws.session.apply
    ws.session.apply = lambda edit: (_ for _ in ()).throw(DatasetError("the session is read-only"))
    with pytest.raises(DatasetError, match="read-only"):  # an edit that cannot be committed adds no kind
        ws.add_kind_from(taxes[:3], "Tax questions", "税务问题", 0.05)
    assert not taxonomy.user_taxonomy_path().exists() and ws.session.edit_count() == 0
    ws.session.apply = commit
    kind = ws.add_kind_from(taxes[:3], "Tax questions", "税务问题", 0.05)
    assert kind == "tax_questions"
    saved = taxonomy.load_taxonomy(ws.params.taxonomy_path)
    new = next(k for k in saved.kinds if k.id == kind)
    assert new.name_zh == "税务问题" and len(new.examples) == 3 and round(saved.targets()[kind], 3) == 0.05
    assert saved.source == str(taxonomy.user_taxonomy_path())
    assert ws.session.state.kinds == {i: kind for i in taxes[:3]}
    assert ws.session.undo_label == "Undo: new task kind tax_questions (3 records)"
    ws.analysis_done(ws.analysis_job()(None, None))
    assert ws.pipeline.runs["map"] == map_runs  # a new kind does not move the map
    followed = [i for i in taxes[3:] if ws.analysis.kinds[i] == kind]
    assert len(followed) >= len(taxes[3:]) // 2
    assert kind in [row["kind"] for row in ws.analysis.coverage]
    ws.undo()  # undoing the new kind takes it out of the taxonomy: no empty kind is left as a gap
    assert ws.session.state.kinds == {}
    assert kind not in [k.id for k in taxonomy.load_taxonomy(ws.params.taxonomy_path).kinds]
    ws.analysis_done(ws.analysis_job()(None, None))
    assert kind not in [row["kind"] for row in ws.analysis.coverage]
    ws.redo()
    assert kind in [k.id for k in taxonomy.load_taxonomy(ws.params.taxonomy_path).kinds]
    with pytest.raises(DatasetError, match="already a task kind"):
        ws.add_kind_from(taxes[:1], "Tax questions", "", 0.05)
    ws.close()  # another dataset's undo leaves the kinds this one added alone
    ws.load_done(ws.load_job(write(tmp_path / "other", records[:20], "jsonl"))(None, None))
    ws.apply(E.Tag((1,), "x"))
    ws.undo()
    assert kind in [k.id for k in taxonomy.load_taxonomy(ws.params.taxonomy_path).kinds]
    ws.close()
    ws = workspace_on(tmp_path / "d.jsonl", tmp_path)  # a restart, with settings that name no taxonomy
    assert ws.params.taxonomy_path is None and kind in [row["kind"] for row in ws.analysis.coverage]
    assert [ws.analysis.kinds[i] for i in taxes[:3]] == [kind] * 3
    ws.undo()  # the session remembers the kind it added: undoing it still takes it out
    assert kind not in [k.id for k in taxonomy.load_taxonomy().kinds]
    ws.close()


def test_undoing_a_new_kind_never_takes_it_from_records_that_still_need_it(tmp_path):
    """Only the undo of the kind's own edit removes it, a target set since comes back with a redo, and a kind
    another dataset set records to stays."""
    from explorer.core.analysis import taxonomy
    from explorer.core.settings import load_analysis_params, save_analysis_params

    named = tmp_path / "team.json"  # the settings name a taxonomy file: the copy the app writes must replace it
    named.write_text(taxonomy.DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    save_analysis_params(AnalysisParams(taxonomy_path=str(named)))
    records, truth = planted_records(12)
    a_path, b_path = write(tmp_path / "a", records, "jsonl"), write(tmp_path / "b", records[:20], "jsonl")
    ws = workspace_on(a_path, tmp_path)
    ws.params = dataclasses.replace(ws.params, taxonomy_path=str(named))
    taxes = [i for i, t in enumerate(truth) if t == 4]
    kind = ws.add_kind_from(taxes[:3], "Tax questions", "税务问题", 0.05)
    assert load_analysis_params()[0].taxonomy_path == str(taxonomy.user_taxonomy_path())

    def kinds_now():
        return {k.id: k for k in taxonomy.load_taxonomy(ws.params.taxonomy_path).kinds}

    ws.apply(E.SetKind(tuple(taxes[:3]), "math"))  # the records move on; an unrelated undo keeps the kind
    ws.apply(E.Tag((0,), "x"))
    ws.undo()
    assert kind in kinds_now()
    ws.undo()  # back to the new kind
    ws.set_kind_target(kind, 0.2)
    ws.undo()  # the kind's own edit: it goes
    assert kind not in kinds_now()
    ws.redo()  # and comes back with the target set since
    assert kind in kinds_now() and round(taxonomy.load_taxonomy(ws.params.taxonomy_path).targets()[kind], 2) == 0.2
    ws.close()
    ws.load_done(ws.load_job(b_path)(None, None))  # another dataset sets records to it
    ws.apply(E.SetKind((1, 2), kind))
    ws.close()
    ws.load_done(ws.load_job(a_path)(None, None))
    ws.undo()
    assert kind in kinds_now()  # dataset b still has records of that kind
    ws.close()
