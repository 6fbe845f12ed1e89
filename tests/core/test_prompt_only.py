"""Files of prompts only load as prompts (tokens counted, no per-line warnings, no per-record `unanswered`);
a file no format fits gives one problem that names its keys, and no analysis of empty strings."""

import numpy as np
import pytest

from explorer.app.workspace import Workspace
from explorer.cli.main import main
from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis.pipeline import AnalysisParams, Pipeline
from explorer.core.dataset import load
from explorer.core.curation import edits as E
from tests.fakes import FakeEmbedder
from tests.samples import write

PROMPTS = [{"instruction": f"Write a short poem about {t}.", "instruction_type": "poetry", "id": i}
           for i, t in enumerate(["the sea", "autumn", "a cat", "trains", "rain", "tea"])]
PROMPTS += [{"prompt": "用三句话介绍长城。", "category": "open_qa"}, {"question": "What is 2 + 2?", "source": "x"}]


@pytest.mark.parametrize("container", ["jsonl", "json", "csv", "parquet"])
def test_prompt_files_load_as_prompts_in_every_container(tmp_path, container):
    rows = PROMPTS if container not in ("csv", "parquet") else PROMPTS[:6]  # one column set per table
    dataset = load(write(tmp_path / "p", rows, container))
    assert dataset.format == "prompts" and len(dataset) == len(rows)
    assert [p for p in dataset.problems if p.severity == "error" or p.kind == "format_unknown"] == []
    record = dataset.record(0)
    assert record.instruction == "Write a short poem about the sea." and record.response == ""
    assert record.meta["instruction_type"] == "poetry"


def test_prompts_are_analysed_by_their_text_without_per_record_unanswered(tmp_path):
    dataset = load(write(tmp_path / "p", PROMPTS, "jsonl"))
    fake = FakeEmbedder()
    analysis = Pipeline(dataset, lambda p: fake, EmbeddingCache(tmp_path / "c.sqlite")).run(
        AnalysisParams(model="fake", seed=1, min_cluster_size=2))
    assert all(t > 3 for t in analysis.tokens["instruction"])
    assert not any("unanswered" in f or "empty_response" in f for f in analysis.flags)
    assert analysis.facts["prompt_only_share"] == 1.0
    embedded = set(fake.encoded)  # each prompt embedded by its own text, not "" for all (plus the kind examples)
    assert {dataset.record(i).instruction for i in range(len(PROMPTS))} <= embedded and "" not in embedded


def test_prompt_records_can_be_edited(tmp_path):
    workspace = Workspace(lambda d: None)
    workspace.load_done(workspace.load_job(write(tmp_path / "p", PROMPTS, "jsonl"))(None, None))
    workspace.apply(E.SetField(6, "instruction", "用五句话介绍长城。"))
    assert workspace.record(6).instruction == "用五句话介绍长城。"
    workspace.close()


def test_a_file_no_format_fits_gives_one_problem_naming_its_keys(tmp_path, capsys):
    rows = [{"q_text": f"Why {i}?", "gold": [f"Because {i}."], "note": {"x": 1}} for i in range(30)]
    path = write(tmp_path / "odd", rows, "jsonl")
    dataset = load(path)
    unknown = [p for p in dataset.problems if p.kind == "format_unknown"]
    assert len(unknown) == 1 and unknown[0].severity == "error"
    assert "q_text (30)" in unknown[0].message and "--map instruction=q_text,response=gold" in unknown[0].message
    workspace = Workspace(lambda d: object())
    workspace.load_done(workspace.load_job(path)(None, None))
    assert workspace.needs_mapping() and workspace.analysis_job() is None
    workspace.close()
    assert main(["analyze", str(path), "--out", str(tmp_path / "a")]) == 1
    err = capsys.readouterr().err
    assert "keys found" in err and "--map" in err
    assert np.array_equal(load(path, mapping=None).record_units, dataset.record_units)
