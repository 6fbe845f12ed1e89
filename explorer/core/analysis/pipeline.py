"""The analysis as cached stages: changing a parameter re-runs only the stages that depend on it.

    texts → tokens ─────────────────────────────────┐
    texts → embeddings → neighbours → map (2-D)      ├→ checks
                                    → cluster space → clusters → labels
                                    → near-duplicate groups ┘
    embeddings → task kinds → coverage
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from explorer.core import tokens as tokens_mod
from explorer.core.analysis import checks, clustering, labels, projection, taxonomy
from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis.params import AnalysisParams  # noqa: F401 - re-exported: the type callers import from here
from explorer.core.analysis.embedding import Embedder, SentenceTransformerEmbedder, embed, model_id_for
from explorer.core.analysis.texts import RecordTexts, read_texts
from explorer.core.dataset import Dataset
from explorer.core.progress import CancelFn, ProgressFn


@dataclass
class Analysis:
    params: AnalysisParams
    texts: RecordTexts
    tokens: dict[str, np.ndarray]
    vectors: np.ndarray
    xy: np.ndarray
    clusters: np.ndarray
    keywords: dict[int, list[str]]
    balance: dict
    flags: list[list[str]]
    duplicate_of: list[int | None]
    kinds: list[str]
    kind_reasons: list[str]
    coverage: list[dict]
    facts: dict
    embedding: dict
    neighbors: projection.Neighbors | None = None
    """The neighbour graph (near-duplicate review at other thresholds uses it)."""
    seconds: dict[str, float] = field(default_factory=dict)
    cluster_kinds: dict[int, str] = field(default_factory=dict)
    """The task kind of most of each cluster's records, where one kind has at least half (labels lead with it)."""

    def cluster_label(self, cluster: int) -> str:
        return "noise" if cluster < 0 else labels.label_text(self.keywords.get(cluster, []),
                                                             kind=self.cluster_kinds.get(cluster))

    def flag_counts(self) -> dict[str, int]:
        counts = Counter(f for fs in self.flags for f in fs)
        return {name: counts.get(name, 0) for name in checks.FLAGS}


class Pipeline:
    """Runs the analysis of one dataset, keeping each stage's result keyed by the inputs it used."""

    def __init__(self, dataset: Dataset, embedder_factory: Callable[[AnalysisParams], Embedder] | None = None,
                 cache: EmbeddingCache | None = None):
        self.dataset = dataset
        self.embedder_factory = embedder_factory or (lambda p: SentenceTransformerEmbedder(p.model, p.device))
        self.cache = cache
        self.runs: Counter = Counter()
        """How many times each stage was computed (tests and the UI's 'what re-ran' use it)."""
        self._stages: dict[str, tuple[object, object]] = {}
        self.user_examples: tuple[list[str], list[str]] = ([], [])
        self._embedders: dict[tuple, Embedder] = {}

    def _stage(self, name: str, key: object, compute: Callable[[], object], seconds: dict) -> object:
        hit = self._stages.get(name)
        if hit is not None and hit[0] == key:
            return hit[1]
        start = time.perf_counter()
        value = compute()
        seconds[name] = round(time.perf_counter() - start, 3)
        self.runs[name] += 1
        self._stages[name] = (key, value)
        return value

    def embedder(self, params: AnalysisParams) -> Embedder:
        """The embedder for `params`, loaded once and kept."""
        key = (params.model, params.device)
        if key not in self._embedders:
            self._embedders[key] = self.embedder_factory(params)
        return self._embedders[key]

    def invalidate(self) -> None:
        """Forget every stage (the dataset's records changed)."""
        self._stages.clear()

    def set_user_examples(self, texts: list[str], kinds: list[str]) -> None:
        """Records the user gave a kind: examples of that kind for the next run's kinds stage (only it re-runs)."""
        self.user_examples = (list(texts), list(kinds))

    def embed_texts(self, texts: list[str], params: AnalysisParams, progress: ProgressFn | None = None,
                    cancel: CancelFn | None = None) -> np.ndarray:
        """Unit vectors of `texts` (search queries, edited records) with the analysis' model and cache."""
        return embed(lambda: self.embedder(params), model_id_for(params.model), list(texts), self.cache, progress,
                     cancel).vectors

    def set_positions(self, ids, xy: np.ndarray) -> None:
        """Placed records keep these positions in the cached map stage: a later run that reuses it returns them."""
        hit = self._stages.get("map")
        if hit is not None:
            hit[1][np.asarray(ids, dtype=np.int64)] = xy

    def run(self, params: AnalysisParams = AnalysisParams(), progress: ProgressFn | None = None,
            cancel: CancelFn | None = None) -> Analysis:
        """Compute (or reuse) every stage for `params`."""
        s: dict[str, float] = {}
        p = params
        texts: RecordTexts = self._stage("texts", (), lambda: read_texts(self.dataset, progress, cancel), s)
        toks = self._stage("tokens", (), lambda: {
            name: tokens_mod.count(getattr(texts, name), progress, cancel, f"Counting {name} tokens")
            for name in ("instruction", "response", "conversation")}, s)
        model_id = model_id_for(p.model)
        emb_key = (model_id, p.embed_field)
        embedded = self._stage("embeddings", emb_key, lambda: embed(
            lambda: self.embedder(p), model_id, texts.field(p.embed_field), self.cache, progress, cancel), s)
        vectors = embedded.vectors
        n = len(vectors)
        k = min(p.n_neighbors, max(n - 1, 1))
        nn_key = (emb_key, k, p.seed)
        knn = self._stage("neighbors", nn_key, lambda: projection.neighbors(vectors, k + 1, p.seed), s)
        graph = self._stage("graph", nn_key, lambda: projection.fuzzy_graph(vectors, knn, p.seed), s)
        xy = self._stage("map", (nn_key, p.min_dist), lambda: projection.project(
            vectors, graph, 2, p.min_dist, p.seed, None, progress, cancel), s)
        space_key = (nn_key, p.cluster_dims, p.cluster_epochs)
        space = self._stage("cluster_space", space_key, lambda: projection.project(
            vectors, graph, p.cluster_dims, 0.0, p.seed, p.cluster_epochs, progress, cancel), s)
        mcs = p.min_cluster_size or clustering.default_min_cluster_size(n)
        cl_key = (space_key, mcs, p.min_samples)
        clusters = self._stage("clusters", cl_key, lambda: clustering.cluster(space, mcs, p.min_samples), s)
        keywords = self._stage("labels", (cl_key, p.embed_field), lambda: labels.cluster_keywords(
            texts.field(p.embed_field), clusters), s)
        near = self._stage("near_duplicates", (nn_key, p.near_duplicate_threshold), lambda:
                           clustering.near_duplicate_groups(knn, p.near_duplicate_threshold), s)
        check_params = checks.CheckParams(p.max_tokens, p.near_duplicate_threshold)
        flags, dup_of = self._stage("checks", (nn_key, asdict(check_params)), lambda: checks.flag_records(
            texts, toks, near, check_params), s)
        tax = taxonomy.load_taxonomy(p.taxonomy_path)
        taught = (tuple(self.user_examples[0]), tuple(self.user_examples[1]))
        kinds, reasons = self._stage("kinds", (emb_key, tax.digest, p.kind_threshold, taught), lambda: self._kinds(
            tax, texts, vectors, p, model_id, progress, cancel), s)
        return Analysis(
            params=p, texts=texts, tokens=toks, vectors=vectors, xy=xy, clusters=clusters, keywords=keywords,
            balance=clustering.balance(clusters), flags=flags, duplicate_of=dup_of, kinds=kinds, kind_reasons=reasons,
            coverage=taxonomy.coverage(tax, kinds), facts=checks.dataset_facts(texts),
            embedding={"model": p.model, "model_id": model_id, "field": p.embed_field, "device": embedded.device,
                       "cached": embedded.cached, "computed": embedded.computed, "dim": int(vectors.shape[1])},
            neighbors=knn, seconds=s,
            cluster_kinds=labels.dominant_kinds(clusters, kinds, taxonomy.UNASSIGNED))

    def _kinds(self, tax: taxonomy.Taxonomy, texts: RecordTexts, vectors: np.ndarray, p: AnalysisParams,
               model_id: str, progress: ProgressFn | None, cancel: CancelFn | None) -> tuple[list[str], list[str]]:
        examples, owners = taxonomy.example_texts(tax)
        ex_vectors = embed(lambda: self.embedder(p), model_id, examples, self.cache, progress, cancel).vectors
        if p.embed_field != "instruction":  # kinds are judged on instructions, whatever the map shows
            vectors = embed(lambda: self.embedder(p), model_id, texts.instruction, self.cache, progress, cancel).vectors
        kinds, reasons = taxonomy.assign(tax, texts.instruction, texts.user_turn_count, vectors, ex_vectors, owners,
                                         p.kind_threshold)
        user_texts, user_kinds = self.user_examples
        if user_texts:  # what the user taught beats the bundled examples for the records most like it
            u_vectors = embed(lambda: self.embedder(p), model_id, user_texts, self.cache, progress, cancel).vectors
            sims = vectors @ u_vectors.T
            best = sims.argmax(axis=1)
            best_sim = sims[np.arange(len(vectors)), best]
            for i in np.flatnonzero(best_sim >= p.kind_threshold).tolist():
                if kinds[i] != taxonomy.MULTI_TURN:  # structure stays: several user turns are multi-turn
                    kinds[i] = user_kinds[best[i]]
                    reasons[i] = f"like an example you labelled ({best_sim[i]:.2f})"
        return kinds, reasons
