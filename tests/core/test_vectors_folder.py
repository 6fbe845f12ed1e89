"""Vectors folders: round trip, every validation error, analysis from a folder embeds nothing, and the sampled fit
of big datasets keeps the full fit's clusters."""

import json
import random

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn.metrics import adjusted_rand_score

from explorer.core.analysis import sampled_fit
from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis.embed_engines import EmbedJob, embed_local
from explorer.core.analysis.pipeline import AnalysisParams, Pipeline
from explorer.core.analysis.vectors_folder import VectorsFolderError, VectorsWriter, beside, read_vectors
from explorer.core.dataset import load
from explorer.core.errors import DatasetError
from tests.fakes import FakeEmbedder, planted_records
from tests.samples import write

PARAMS = AnalysisParams(model="fake", seed=7, min_cluster_size=10)


def unit_rows(n: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def write_folder(folder, ids_per_part, vectors, dim=8, count=None, model="fake-embedder"):
    writer = VectorsWriter(folder, model, "instruction", dim, len(vectors) if count is None else count)
    for ids in ids_per_part:
        writer.write(ids, vectors[ids])
    return writer


def test_round_trip_in_shuffled_parts_and_float16(tmp_path):
    v = unit_rows(50)
    order = np.random.default_rng(1).permutation(50)
    write_folder(tmp_path / "v", [order[:20], order[20:]], v).finish()
    got, info = read_vectors(tmp_path / "v", 50)
    assert np.array_equal(got, v) and info.dim == 8 and info.count == 50
    assert json.loads((tmp_path / "v" / "vectors.json").read_text())["normalized"] is True
    half = VectorsWriter(tmp_path / "h", "m", "instruction", 8, 50, dtype="float16")
    half.write(range(50), v)
    half.finish()
    got, info = read_vectors(tmp_path / "h", 50)
    assert info.dtype == "float16" and (got * v).sum(axis=1).min() > 0.999


def test_a_folder_from_another_tool_with_list_vectors_and_unnormalized_rows(tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    raw = unit_rows(6) * 3.0
    pq.write_table(pa.table({"id": pa.array([5, 4, 3, 2, 1, 0], pa.int64()),
                             "vector": pa.array([r.tolist() for r in raw[::-1]], pa.list_(pa.float32()))}),
                   folder / "part-0.parquet")
    (folder / "vectors.json").write_text(json.dumps({"model": "x", "dim": 8, "count": 6, "normalized": False}))
    got, _ = read_vectors(folder, 6)
    assert np.allclose(got, raw / 3.0, atol=1e-6)


@pytest.mark.parametrize("damage, message", [
    ("missing", r"2 ids missing \(3, 7\)"),
    ("twice", r"1 ids present more than once \(4\)"),
    ("extra", r"ids outside 0\.\.9 \(10, 12\)"),
    ("dim", r"row 0 has a vector of length 6, vectors.json says dim 8"),
    ("count", r"count is 10 but the dataset has 11 records"),
    ("garbage", r"part-00001.parquet: unreadable Parquet"),
    ("no_manifest", r"not a vectors folder \(no vectors.json\)"),
    ("bad_json", r"vectors.json: cannot read"),
    ("not_list", r"column 'vector' must be a list of floats"),
    ("nan", r"1 vectors hold NaN"),
])
def test_every_validation_error_is_a_clear_message(tmp_path, damage, message):
    folder = tmp_path / "v"
    v = unit_rows(10)
    write_folder(folder, [np.arange(10)], v).finish()
    count = 10
    extra = {"missing": ([0, 1, 2, 4, 5, 6, 8, 9], None), "twice": ([4], None), "extra": ([10, 12], None)}
    if damage in extra:
        (folder / "part-00000.parquet").unlink()
        ids = extra[damage][0] if damage == "missing" else list(range(10)) + extra[damage][0]
        table = pa.table({"id": pa.array(ids, pa.int64()),
                          "vector": pa.array([unit_rows(1, seed=i)[0].tolist() for i in ids], pa.list_(pa.float32()))})
        pq.write_table(table, folder / "part-00000.parquet")
    elif damage == "dim":
        pq.write_table(pa.table({"id": pa.array([0], pa.int64()), "vector": pa.array([[0.1] * 6])}),
                       folder / "part-00001.parquet")
    elif damage == "count":
        count = 11
    elif damage == "garbage":
        (folder / "part-00001.parquet").write_bytes(b"not parquet at all")
    elif damage == "no_manifest":
        (folder / "vectors.json").unlink()
    elif damage == "bad_json":
        (folder / "vectors.json").write_text("{nope")
    elif damage == "not_list":
        pq.write_table(pa.table({"id": pa.array([0], pa.int64()), "vector": pa.array(["text"])}),
                       folder / "part-00001.parquet")
    elif damage == "nan":
        bad = v.copy()
        bad[3, 2] = np.nan
        (folder / "part-00000.parquet").unlink()
        write_folder(tmp_path / "n", [np.arange(10)], bad).finish()
        folder = tmp_path / "n"
    with pytest.raises(VectorsFolderError, match=message):
        read_vectors(folder, count)


def test_an_unfinished_writer_leaves_no_folder_and_never_overwrites_other_files(tmp_path):
    writer = write_folder(tmp_path / "v", [np.arange(5)], unit_rows(10))
    with pytest.raises(VectorsFolderError, match="5 ids missing"):
        writer.finish()
    writer.abandon()
    assert not (tmp_path / "v").exists() and not (tmp_path / "v.partial").exists()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    with pytest.raises(VectorsFolderError, match="not a vectors folder"):
        VectorsWriter(tmp_path / "notes", "m", "instruction", 8, 10)
    assert (tmp_path / "notes" / "keep.txt").read_text() == "mine"


@pytest.fixture
def planted(tmp_path):
    records, truth = planted_records()
    return load(write(tmp_path / "planted", records, "jsonl")), np.array(truth)


def test_analysis_from_a_vectors_folder_embeds_no_record_and_equals_an_embedded_one(planted, tmp_path):
    dataset, _ = planted
    fake = FakeEmbedder()
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    embedded = Pipeline(dataset, lambda p: fake, cache).run(PARAMS)
    folder = tmp_path / "planted.jsonl.vectors"
    embed_local(EmbedJob(list(embedded.texts.instruction), folder, "fake"), cache)  # every vector is cached
    assert beside(dataset.path) == folder
    fresh = FakeEmbedder()
    pipeline = Pipeline(dataset, lambda p: fresh, EmbeddingCache(tmp_path / "empty.sqlite"))
    pipeline.set_vectors_folder(folder)
    a = pipeline.run(PARAMS)
    assert a.embedding["computed"] == 0 and a.embedding["device"] == "vectors folder"
    assert not set(fresh.encoded) & set(a.texts.instruction)  # only the example bank was embedded
    assert np.array_equal(a.clusters, embedded.clusters) and a.kinds == embedded.kinds


def test_vectors_of_a_model_not_here_still_analyze_and_say_what_is_off(planted, tmp_path):
    dataset, truth = planted
    fake = FakeEmbedder()
    folder = tmp_path / "v"
    writer = VectorsWriter(folder, "some-org/model-not-here", "instruction", fake.dim, len(truth))
    writer.write(range(len(truth)), fake.encode([dataset.record(i).instruction for i in range(len(truth))]))
    writer.finish()

    def factory(params):
        if params.model != "fake":
            raise DatasetError(f"cannot load embedding model {params.model!r}: not on this machine")
        return fake

    pipeline = Pipeline(dataset, factory, EmbeddingCache(tmp_path / "c.sqlite"))
    pipeline.set_vectors_folder(folder)
    a = pipeline.run(PARAMS)
    assert adjusted_rand_score(truth, a.clusters) > 0.8
    assert "not available here" in a.embedding["note"] and len(a.kinds) == len(truth)
    with pytest.raises(DatasetError, match="made with 'some-org/model-not-here', which cannot be loaded"):
        pipeline.embed_texts(["a search query"], PARAMS)


@pytest.fixture(scope="module")
def topics_and_full_fit(tmp_path_factory):
    """1,501 records of 5 topics (the last a near-copy of record 7), their truth and the full fit's clusters."""
    # Each instruction: a topic word and three words from a shared vocabulary, so the only structure is the topic
    # (numbered instructions split by digit count in the lexical features, and a full fit rightly follows that).
    topics = ("cooking", "astronomy", "football", "poetry", "taxes")
    rng = random.Random(5)
    words = ["".join(rng.choices(["ka", "lo", "mi", "ren", "tu", "sa", "vi", "no", "pe", "dra"], k=3))
             for _ in range(400)]
    records, truth = [], []
    for i in range(1500):
        records.append({"instruction": f"{topics[i % 5]} question: {' '.join(rng.sample(words, 3))}",
                        "output": "answer"})
        truth.append(i % 5)
    records.append(dict(records[7], instruction=records[7]["instruction"] + " "))  # a near-copy of record 7
    truth.append(truth[7])
    folder = tmp_path_factory.mktemp("topics")
    dataset = load(write(folder / "big", records, "jsonl"))
    fake = FakeEmbedder(noise=0.6)
    full = Pipeline(dataset, lambda p: fake, EmbeddingCache(folder / "c.sqlite")).run(
        AnalysisParams(model="fake", seed=7, min_cluster_size=30, fit_sample=None))
    return dataset, truth, full.clusters, fake, folder / "c.sqlite"


@pytest.mark.parametrize("search", ["exact", "cell index"])
def test_the_sampled_fit_keeps_the_full_fits_clusters_and_finds_copies(topics_and_full_fit, monkeypatch, search):
    if search == "cell index":  # what a million records use: force it on this small set
        monkeypatch.setattr(sampled_fit, "EXACT_PAIRS_MAX", 0)
    dataset, truth, full_clusters, fake, cache = topics_and_full_fit
    n = len(truth)
    pipeline = Pipeline(dataset, lambda p: fake, EmbeddingCache(cache))
    sampled = pipeline.run(AnalysisParams(model="fake", seed=7, min_cluster_size=30, fit_sample=400))
    assert pipeline.runs["placement"] == 1 and sampled.xy.shape == (n, 2)
    assert adjusted_rand_score(full_clusters, sampled.clusters) >= 0.9
    assert adjusted_rand_score(truth, sampled.clusters) >= 0.9
    assert "near_duplicate" in sampled.flags[n - 1] or "duplicate" in sampled.flags[n - 1]
    fit = np.sort(np.random.default_rng(7).choice(n, 400, replace=False))
    assert np.array_equal(sampled.xy[fit], pipeline._stages["map"][1])  # fitted records keep their own place
