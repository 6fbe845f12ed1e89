"""The analysis pipeline with a fake embedder: planted clusters, caching, stage invalidation, outputs."""

import json

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis.embedding import embed
from explorer.core.analysis.pipeline import AnalysisParams, Pipeline
from explorer.core.analysis.projection import place
from explorer.core.analysis.report import write_analysis
from explorer.core.dataset import load
from tests.fakes import FakeEmbedder, planted_records
from tests.samples import write

PARAMS = AnalysisParams(model="fake", seed=7, min_cluster_size=10)


@pytest.fixture
def planted(tmp_path):
    records, truth = planted_records()
    return load(write(tmp_path / "planted", records, "jsonl")), np.array(truth)


def make_pipeline(dataset, tmp_path, embedder=None):
    embedder = embedder or FakeEmbedder()
    return Pipeline(dataset, lambda p: embedder, EmbeddingCache(tmp_path / "cache.sqlite")), embedder


def test_pipeline_recovers_planted_clusters(planted, tmp_path):
    dataset, truth = planted
    pipeline, _ = make_pipeline(dataset, tmp_path)
    a = pipeline.run(PARAMS)
    assert a.xy.shape == (len(truth), 2) and np.isfinite(a.xy).all()
    clustered = a.clusters >= 0
    assert clustered.mean() > 0.8
    assert adjusted_rand_score(truth[clustered], a.clusters[clustered]) > 0.9
    assert a.balance["clusters"] == 5
    assert a.balance["normalized_entropy"] > 0.95
    # each cluster's label names its topic
    for c in range(5):
        topic = np.bincount(truth[a.clusters == c]).argmax()
        assert ["cooking", "astronomy", "football", "poetry", "taxes"][topic] in a.keywords[c]


def test_changing_cluster_size_reruns_only_clustering(planted, tmp_path):
    pipeline, embedder = make_pipeline(planted[0], tmp_path)
    first = pipeline.run(PARAMS)
    encoded = len(embedder.encoded)
    second = pipeline.run(AnalysisParams(model="fake", seed=7, min_cluster_size=30))
    assert pipeline.runs["embeddings"] == 1 and pipeline.runs["map"] == 1 and pipeline.runs["cluster_space"] == 1
    assert pipeline.runs["clusters"] == 2 and pipeline.runs["labels"] == 2
    assert len(embedder.encoded) == encoded
    assert np.array_equal(first.xy, second.xy)
    pipeline.run(AnalysisParams(model="fake", seed=7, min_cluster_size=30, near_duplicate_threshold=0.9))
    assert pipeline.runs["near_duplicates"] == 2 and pipeline.runs["checks"] == 2 and pipeline.runs["map"] == 1
    pipeline.run(AnalysisParams(model="fake", seed=7, min_cluster_size=30, embed_field="response"))
    assert pipeline.runs["embeddings"] == 2 and pipeline.runs["map"] == 2


def test_disk_cache_embeds_only_new_text(tmp_path):
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    embedder = FakeEmbedder()
    texts = ["cooking one", "cooking two", "taxes three", "cooking one"]
    first = embed(lambda: embedder, "fake", texts, cache)
    assert (first.computed, first.cached) == (3, 0)
    loads = []
    again = embed(lambda: loads.append(1) or embedder, "fake", texts, cache)
    assert (again.computed, again.cached, loads) == (0, 4, [])  # a fully cached run never loads the model
    assert np.array_equal(first.vectors, again.vectors)
    edited = embed(lambda: embedder, "fake", ["cooking one", "cooking two EDITED", "taxes three"], cache)
    assert (edited.computed, edited.cached) == (1, 2)
    assert embedder.encoded[-1] == "cooking two EDITED"
    other_model = embed(lambda: FakeEmbedder(model_id="other"), "other", texts, cache)
    assert other_model.computed == 3
    assert cache.report()["models"] == {"fake": 4, "other": 3}
    cache.clear()
    assert cache.report()["models"] == {}


def test_vectors_are_in_input_order_and_normalized(tmp_path):
    texts = ["poetry " + "x" * i for i in range(40)]
    result = embed(lambda: FakeEmbedder(), "fake", texts, None)
    assert np.allclose(np.linalg.norm(result.vectors, axis=1), 1, atol=1e-5)
    assert np.allclose(result.vectors, FakeEmbedder().encode(texts), atol=1e-6)


def test_near_duplicates_point_to_the_first_record(tmp_path):
    records = planted_records(12)[0]
    records.append(dict(records[3], output="a different answer"))  # same instruction → same vector
    dataset = load(write(tmp_path / "d", records, "jsonl"))
    a = make_pipeline(dataset, tmp_path)[0].run(AnalysisParams(model="fake", seed=7, min_cluster_size=5))
    last = len(records) - 1
    assert "near_duplicate" in a.flags[last] and a.duplicate_of[last] == 3
    assert "near_duplicate" not in a.flags[3]


def test_placing_new_points_keeps_the_layout(planted, tmp_path):
    a = make_pipeline(planted[0], tmp_path)[0].run(PARAMS)
    new = FakeEmbedder().encode(["a new question about astronomy"])
    (point,) = place(new, a.vectors, a.xy)
    astronomy = a.xy[planted[1] == 1]
    others = a.xy[planted[1] != 1]
    assert np.linalg.norm(astronomy.mean(0) - point) < np.linalg.norm(others.mean(0) - point)


def test_written_outputs(planted, tmp_path):
    dataset = planted[0]
    a = make_pipeline(dataset, tmp_path)[0].run(PARAMS)
    paths = write_analysis(a, dataset, tmp_path / "out")
    rows = [json.loads(line) for line in paths["records"].read_text().splitlines()]
    assert len(rows) == len(dataset) and [r["id"] for r in rows] == list(range(len(dataset)))
    assert {"id", "x", "y", "cluster", "kind", "flags", "tokens_instruction", "tokens_response",
            "near_duplicate_of"} <= rows[0].keys()
    summary = json.loads(paths["summary"].read_text())
    assert {"clusters", "balance", "coverage", "flags", "facts", "embedding", "seconds"} <= summary.keys()
    assert sum(c["size"] for c in summary["clusters"]) == len(dataset)
    html = paths["report"].read_text()
    assert html.count("<circle") == len(dataset) and "Task-kind coverage" in html


def test_report_escapes_dataset_text(tmp_path):
    records = [{"instruction": "<img src=http://example.invalid/x> cooking", "input": "", "output": "<script>x</script>"}]
    records += planted_records(8)[0]
    dataset = load(write(tmp_path / "x", records, "jsonl"))
    a = make_pipeline(dataset, tmp_path)[0].run(AnalysisParams(model="fake", seed=7, min_cluster_size=5))
    a.flags[0].append("refusal")  # make sure the record is shown as an example
    html = write_analysis(a, dataset, tmp_path / "o")["report"].read_text()
    assert "<img src" not in html and "<script>" not in html and "&lt;img src" in html


def test_tiny_datasets_do_not_crash(tmp_path):
    for n in (1, 2, 3, 6):
        dataset = load(write(tmp_path / f"t{n}", planted_records(n)[0][:n], "jsonl"))
        a = make_pipeline(dataset, tmp_path)[0].run(AnalysisParams(model="fake", seed=1))
        assert a.xy.shape == (n, 2) and len(a.flags) == n


def test_one_hashing_pass_gives_the_maps_and_the_kinds_ngram_features(planted, tmp_path):
    """Embedding the instructions, the map's n-gram features and the kinds' (fitted with the example bank) come
    from one pass over the texts, equal to computing each on its own; another embedded field computes both apart."""
    from explorer.core.analysis import lexical

    pipeline, _ = make_pipeline(planted[0], tmp_path)
    a = pipeline.run(PARAMS)
    map_part, kinds_part = pipeline._stages["lexical"][1], pipeline._stages["kinds_lexical"][1]
    bank_texts = pipeline._stages["bank"][1]["texts"]
    instructions = list(a.texts.instruction)
    alone = lexical.LexicalModel(instructions, seed=PARAMS.seed)
    with_bank = lexical.LexicalModel(instructions, seed=PARAMS.seed, also=bank_texts)
    assert np.allclose(map_part["records"], alone.transform(instructions), atol=1e-5)
    assert kinds_part["records"].dtype == np.float16
    assert np.allclose(kinds_part["records"], with_bank.transform(instructions), atol=2e-3)
    assert pipeline.runs["lexical"] == 1 and pipeline.runs["kinds_lexical"] == 1
    pipeline.run(AnalysisParams(model="fake", seed=7, min_cluster_size=10, embed_field="response"))
    assert pipeline.runs["lexical"] == 2 and pipeline.runs["kinds_lexical"] == 1  # the kinds' features kept
