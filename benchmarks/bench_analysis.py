"""Analysis stages: SFT Explorer vs the raw library call on the same inputs, in one run.

    python benchmarks/bench_analysis.py [--records 10000 100000] [--embed-sample 2000] [--device auto]

Records are generated (templated instructions over 40 topics, English and Chinese). Embedding uses the real bundled
model on a sample (CPU embedding of 100k texts would take ~20 min here); the map/cluster stages use synthetic
topic vectors of the same size as MiniLM's (384-d), so every stage sees the full record count.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explorer.core import tokens  # noqa: E402
from explorer.core.analysis import clustering, lexical, projection  # noqa: E402
from explorer.core.analysis.embed_cache import EmbeddingCache  # noqa: E402
from explorer.core.analysis.embedding import SentenceTransformerEmbedder, embed, model_id_for  # noqa: E402
from explorer.core.analysis.pipeline import AnalysisParams, Pipeline  # noqa: E402
from explorer.core.dataset import load  # noqa: E402

TOPICS = [f"topic{t}" for t in range(40)]
VERBS = ["Explain", "Summarize", "Translate", "Write a poem about", "List facts about", "Classify", "解释", "总结"]


def generate(path: Path, n: int) -> None:
    rng = random.Random(1)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            topic = rng.choice(TOPICS)
            words = " ".join(rng.choices(["data", "model", "river", "city", "music", "law", "cell", "star"], k=8))
            f.write(json.dumps({"instruction": f"{rng.choice(VERBS)} {topic}: {words} {i}", "input": "",
                                "output": f"About {topic}: " + words * rng.randint(1, 6)}, ensure_ascii=False) + "\n")


class SyntheticEmbedder:
    """384-d vectors: a topic centre plus noise, so UMAP and HDBSCAN see real structure at any size."""

    def __init__(self, dim: int = 384):
        self.dim, self.model_id, self.device, self.batch_size = dim, "synthetic", "cpu", 4096
        rng = np.random.default_rng(0)
        self.centres = {t: rng.normal(size=dim) for t in TOPICS}

    def encode(self, texts: list[str]) -> np.ndarray:
        rng = np.random.default_rng(len(texts))
        other = np.zeros(self.dim)  # texts outside the topics (the taxonomy's examples) share one centre
        centres = [self.centres.get(t.split(":")[0].split()[-1], other) for t in texts]
        out = np.stack(centres) + rng.normal(0, 0.9, (len(texts), self.dim))
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def row(stage: str, ours: float, raw: float | None, note: str = "") -> None:
    ratio = f"{raw / ours:>6.2f}x" if raw else "      -"
    raw_text = f"{raw:>9.2f}" if raw else "        -"
    print(f"  {stage:<34} {ours:>9.2f} {raw_text} {ratio}  {note}")


def raw_lexical(texts: list[str]) -> np.ndarray:
    """The lexical stage as scikit-learn alone writes it: char_wb 2–4-gram TF-IDF (n-grams in two sampled texts or
    more, the 50,000 commonest), an SVD fitted on the same sample, every text transformed."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    sample = random.Random(0).sample(texts, min(len(texts), lexical.FIT_SAMPLE))
    tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=2, max_features=lexical.MAX_TERMS,
                            sublinear_tf=True)
    svd = TruncatedSVD(lexical.DIMS, random_state=0).fit(tfidf.fit_transform(sample))
    return normalize(svd.transform(tfidf.transform(texts)))


def bench(n: int, sample: int, device: str, folder: Path) -> None:
    path = folder / f"gen{n}.jsonl"
    generate(path, n)
    dataset = load(path)
    print(f"\n{n:,} records ({path.stat().st_size / 2**20:.0f} MiB)")
    print(f"  {'stage':<34} {'ours s':>9} {'raw s':>9} {'raw/ours':>7}")
    texts = [dataset.record(i).instruction for i in range(n)]

    enc = tokens.encoding()
    _, raw_tok = timed(lambda: [len(enc.encode_ordinary(t)) for t in texts])
    _, our_tok = timed(lambda: tokens.count(texts))
    row("tokens (tiktoken loop)", our_tok, raw_tok)

    embedder = SentenceTransformerEmbedder(device=device)
    subset = texts[:sample]
    _, raw_emb = timed(lambda: embedder.model.encode(subset, batch_size=embedder.batch_size, normalize_embeddings=True))
    cache = EmbeddingCache(folder / f"cache{n}.sqlite")
    _, our_emb = timed(lambda: embed(lambda: embedder, model_id_for("all-MiniLM-L6-v2"), subset, cache))
    row(f"embed {sample:,} ({embedder.device})", our_emb, raw_emb, f"{sample / our_emb:,.0f} texts/s")
    _, hit = timed(lambda: embed(lambda: embedder, model_id_for("all-MiniLM-L6-v2"), subset, cache))
    row(f"embed {sample:,} again (disk cache)", hit, None, f"{our_emb / hit:,.0f}x faster than computing")

    _, raw_lex = timed(lambda: raw_lexical(texts))
    _, our_lex = timed(lambda: lexical.LexicalModel(texts).transform(texts))
    row("lexical (n-grams → TF-IDF → SVD 256)", our_lex, raw_lex, "vs scikit-learn's TfidfVectorizer + TruncatedSVD")

    synth = SyntheticEmbedder()
    vectors = synth.encode(texts)
    import hdbscan
    import umap

    projection.use_numba_cache()
    warm = synth.encode(texts[:6000])  # compile numba code (NN-descent included) once, outside every timing
    umap.UMAP(n_neighbors=15, metric="cosine", n_epochs=5).fit_transform(warm)
    warm_knn = projection.neighbors(warm, 16, None)
    projection.project(warm, projection.fuzzy_graph(warm, warm_knn), 2, 0.1, None)
    _, raw_umap = timed(lambda: umap.UMAP(n_components=2, n_neighbors=15, metric="cosine", low_memory=True)
                        .fit_transform(vectors))
    knn, t_knn = timed(lambda: projection.neighbors(vectors, 16, None))
    graph, t_graph = timed(lambda: projection.fuzzy_graph(vectors, knn))
    xy, t_map = timed(lambda: projection.project(vectors, graph, 2, 0.1, None))
    row("map 2-D (neighbours + graph + layout)", t_knn + t_graph + t_map, raw_umap, "vs umap.UMAP(...).fit_transform")
    space, t_space = timed(lambda: projection.project(vectors, graph, 5, 0.0, None))
    row("cluster space 5-D (shares the graph)", t_space, None)
    mcs = clustering.default_min_cluster_size(n)
    _, raw_hdb = timed(lambda: hdbscan.HDBSCAN(min_cluster_size=mcs, min_samples=min(10, mcs)).fit_predict(space))
    labels, our_hdb = timed(lambda: clustering.cluster(space, mcs))
    row(f"clusters (HDBSCAN, mcs {mcs})", our_hdb, raw_hdb, f"{labels.max() + 1} clusters")

    truth = [t.split(":")[0].split()[-1] for t in texts]
    from sklearn.metrics import adjusted_rand_score

    for epochs in (None, 100):
        pipeline = Pipeline(dataset, lambda p: synth, EmbeddingCache(folder / f"pipe{n}-{epochs}.sqlite"))
        params = AnalysisParams(model="synthetic", seed=None, cluster_epochs=epochs)
        analysis, first = timed(lambda: pipeline.run(params))
        embed_s = analysis.seconds.get("embeddings", 0)
        kept = analysis.clusters >= 0
        ari = adjusted_rand_score(np.array(truth)[kept], analysis.clusters[kept])
        row(f"end-to-end excl. embedding, epochs {epochs or 'default'}", first - embed_s, None,
            f"ARI vs planted topics {ari:.3f}, noise {1 - kept.mean():.1%}; "
            + ", ".join(f"{k} {v:.1f}" for k, v in analysis.seconds.items() if v >= 0.1))
    _, again = timed(lambda: pipeline.run(params))
    row("re-run, same parameters (cached)", again, None, f"{first / again:,.0f}x faster than the first run")
    _, recluster = timed(lambda: pipeline.run(dataclasses.replace(params, min_cluster_size=mcs * 2)))
    row("re-run, new min_cluster_size", recluster, None, "re-runs clustering and labels only")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--embed-sample", type=int, default=2000)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sft-bench-") as tmp:
        for n in args.records:
            bench(n, min(args.embed_sample, n), args.device, Path(tmp))


if __name__ == "__main__":
    main()
