"""The Ray engine on a local 2-CPU Ray: the same vectors as the local engine, and a worker that dies loses nothing."""

import numpy as np
import pytest

ray = pytest.importorskip("ray")

from benchmarks.bench_embed import instructions  # noqa: E402  (4 English and 2 Chinese templates × 20 topics)
from explorer.core.analysis.embed_engines import EmbedJob, embed_local  # noqa: E402
from explorer.core.analysis.ray_engine import KILL_MARKER, embed_ray  # noqa: E402
from explorer.core.analysis.vectors_folder import read_vectors  # noqa: E402

MODEL = "all-MiniLM-L6-v2"
TEXTS = instructions(600)


@pytest.fixture(scope="module")
def local_ray():
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def local_vectors(tmp_path_factory):
    job = EmbedJob(TEXTS, tmp_path_factory.mktemp("local") / "vectors", MODEL, device="cpu")
    vectors, _ = read_vectors(embed_local(job, cache=None).folder, len(TEXTS))
    return vectors


def mean_cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.sum(a * b, axis=1)))  # read_vectors returns unit rows


def test_ray_engine_gives_the_local_engines_vectors(local_ray, local_vectors, tmp_path):
    assert len(set(TEXTS)) == len(TEXTS) and any("解释" in t for t in TEXTS)
    seen = []
    outcome = embed_ray(EmbedJob(TEXTS, tmp_path / "vectors", MODEL), None, lambda d, t, text: seen.append(d))
    assert (outcome.count, outcome.computed, outcome.cached, outcome.device, outcome.retried) == (600, 600, 0,
                                                                                                   "cpu", 0)
    assert seen[-1] == 600 and len(seen) > 2 and seen == sorted(seen)
    vectors, info = read_vectors(outcome.folder, len(TEXTS))  # raises unless every id is there exactly once
    assert info.model == "sentence-transformers/" + MODEL and info.dim == 384
    assert mean_cosine(vectors, local_vectors) >= 0.999


def test_a_worker_that_dies_is_restarted_and_its_batch_redone(local_ray, local_vectors, tmp_path, monkeypatch):
    marker = tmp_path / "worker-killed"
    monkeypatch.setenv(KILL_MARKER, str(marker))
    texts = TEXTS  # several blocks: the actor dies on its 2nd
    outcome = embed_ray(EmbedJob(texts, tmp_path / "vectors", MODEL), None)
    assert marker.exists(), "no worker died: the test hook did not fire"
    assert outcome.retried >= 1 and outcome.count == 600
    vectors, _ = read_vectors(outcome.folder, len(texts))
    assert mean_cosine(vectors, local_vectors) >= 0.999
