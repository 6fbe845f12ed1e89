"""The analysis as cached stages: changing a parameter re-runs only the stages that depend on it.

    texts → tokens ──────────────────────────────────────────────┐
    texts → embeddings ─┬→ features → neighbours → map (2-D)        │
    texts → lexical ────┘                        → cluster space → clusters → labels
          embeddings → embedding neighbours → near-duplicate groups ┴→ checks
    features + example bank → task kinds → coverage
    eval files → eval items → their embeddings → overlap with the instructions (flag `eval_overlap`), markers on the map

The features are the hybrid of sentence embedding and character n-grams (`lexical.hybrid`); near-duplicates and
semantic search keep the pure sentence embedding.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from explorer.core import tokens as tokens_mod
from explorer.core.analysis import checks, clustering, kind_classifier, labels, lexical, projection, taxonomy
from explorer.core.analysis import eval_overlap as eval_overlap_mod
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
    kind_confidence: np.ndarray
    coverage: list[dict]
    facts: dict
    embedding: dict
    neighbors: projection.Neighbors | None = None
    """The neighbour graph (near-duplicate review at other thresholds uses it)."""
    seconds: dict[str, float] = field(default_factory=dict)
    cluster_kinds: dict[int, str] = field(default_factory=dict)
    """The task kind of most of each cluster's records, where one kind has at least half (labels lead with it)."""
    eval_overlap: list[dict | None] = field(default_factory=list)
    """Per record, the eval item its instruction overlaps (`eval_overlap.describe`), or None; [] without eval sets."""
    eval_items: eval_overlap_mod.EvalItemsOnMap | None = None
    """The eval sets' items placed on the map (drawn as distinct markers)."""

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
        self.eval_paths: list[str] = []
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

    def set_eval_sets(self, paths: list[str]) -> None:
        """Eval files whose items the next run looks for in the training records (flag `eval_overlap`)."""
        self.eval_paths = [str(p) for p in paths]

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
        lex_key = (p.embed_field, p.seed)
        lex = self._lexical_stage(texts, p, s, progress, cancel)
        w = p.embedding_weight
        feat_key = (emb_key, lex_key, w)
        features = self._stage("features", feat_key, lambda: lexical.hybrid(vectors, lex["records"], w), s)
        nn_key = (feat_key, k, p.seed)
        knn = self._stage("neighbors", nn_key, lambda: projection.neighbors(features, k + 1, p.seed), s)
        emb_nn_key = (emb_key, k, p.seed)
        emb_knn = knn if w >= 1.0 else self._stage("embedding_neighbors", emb_nn_key, lambda: projection.neighbors(
            vectors, k + 1, p.seed), s)
        graph = self._stage("graph", nn_key, lambda: projection.fuzzy_graph(features, knn, p.seed), s)
        xy = self._stage("map", (nn_key, p.min_dist), lambda: projection.project(
            features, graph, 2, p.min_dist, p.seed, None, progress, cancel), s)
        space_key = (nn_key, p.cluster_dims, p.cluster_epochs)
        space = self._stage("cluster_space", space_key, lambda: projection.project(
            features, graph, p.cluster_dims, 0.0, p.seed, p.cluster_epochs, progress, cancel), s)
        mcs = p.min_cluster_size or clustering.default_min_cluster_size(n)
        cl_key = (space_key, mcs, p.min_samples)
        clusters = self._stage("clusters", cl_key, lambda: clustering.cluster(space, mcs, p.min_samples), s)
        keywords = self._stage("labels", (cl_key, p.embed_field), lambda: labels.cluster_keywords(
            texts.field(p.embed_field), clusters), s)
        near = self._stage("near_duplicates", (emb_nn_key, p.near_duplicate_threshold), lambda:
                           clustering.near_duplicate_groups(emb_knn, p.near_duplicate_threshold), s)
        check_params = checks.CheckParams(p.max_tokens, p.near_duplicate_threshold)
        flags, dup_of = self._stage("checks", (emb_nn_key, asdict(check_params)), lambda: checks.flag_records(
            texts, toks, near, check_params), s)
        tax, bank = self._bank_stage(p, s, progress, cancel)
        taught = (tuple(self.user_examples[0]), tuple(self.user_examples[1]))
        predicted: kind_classifier.Prediction = self._stage(
            "kinds", (nn_key, bank["digest"], p.kind_threshold, taught), lambda: self._kinds(
                tax, bank, texts, vectors, lex, knn, p, model_id, progress, cancel), s)
        kinds = predicted.kinds
        overlaps, eval_items = self._eval_stages(texts, vectors, xy, (nn_key, p.min_dist), p, model_id, s, progress,
                                                 cancel)
        if overlaps:
            flags = [f + ["eval_overlap"] if o is not None else f for f, o in zip(flags, overlaps)]
        return Analysis(
            params=p, texts=texts, tokens=toks, vectors=vectors, xy=xy, clusters=clusters, keywords=keywords,
            balance=clustering.balance(clusters), flags=flags, duplicate_of=dup_of, kinds=kinds,
            kind_reasons=predicted.reasons, kind_confidence=predicted.confidence,
            coverage=taxonomy.coverage(tax, kinds), facts=checks.dataset_facts(texts),
            embedding={"model": p.model, "model_id": model_id, "field": p.embed_field, "device": embedded.device,
                       "cached": embedded.cached, "computed": embedded.computed, "dim": int(vectors.shape[1])},
            neighbors=emb_knn, seconds=s,
            cluster_kinds=labels.dominant_kinds(clusters, kinds, taxonomy.UNASSIGNED), eval_overlap=overlaps,
            eval_items=eval_items)

    def _eval_stages(self, texts: RecordTexts, vectors: np.ndarray, xy: np.ndarray, map_key: tuple,
                     p: AnalysisParams, model_id: str, s: dict, progress: ProgressFn | None, cancel: CancelFn | None
                     ) -> tuple[list[dict | None], eval_overlap_mod.EvalItemsOnMap | None]:
        """Eval items read, embedded, looked for in the instructions and placed on the map (nothing without any)."""
        if not self.eval_paths:
            return [], None
        E = eval_overlap_mod
        digest = E.files_digest(self.eval_paths)
        sets = self._stage("eval_items", digest, lambda: E.load_eval_sets(self.eval_paths, progress, cancel), s)
        item_vectors = self._stage("eval_vectors", (digest, model_id), lambda: embed(
            lambda: self.embedder(p), model_id, sets.texts, self.cache, progress, cancel).vectors, s)
        instr_vectors = vectors if p.embed_field == "instruction" else self.embed_texts(texts.instruction, p)
        found = self._stage("eval_overlap", (digest, model_id, p.eval_ngram, p.eval_similarity), lambda: [
            None if o is None else E.describe(o, sets) for o in E.find_overlaps(
                texts.instruction, instr_vectors, sets, item_vectors, p.eval_ngram, p.eval_similarity, progress,
                cancel)], s)
        on_map = self._stage("eval_points", (digest, model_id, map_key), lambda: E.EvalItemsOnMap(
            sets.names, sets.paths, np.asarray(sets.set_of, np.int64), sets.texts,
            projection.place(item_vectors, vectors, xy)), s)
        return found, on_map

    def predict_kinds(self, texts: list[str], params: AnalysisParams, progress: ProgressFn | None = None,
                      cancel: CancelFn | None = None, user_turns: list[int] | None = None) -> list[str]:
        """Task kinds of instructions from outside the dataset (another version's records), by this dataset's
        lexical model, the example bank and what the user taught; no neighbour smoothing. `user_turns`: each
        record's number of user turns (several make it multi-turn, as in the analysis)."""
        p, s = params, {}
        model_id = model_id_for(p.model)
        records = self._stage("texts", (), lambda: read_texts(self.dataset, progress, cancel), s)
        hit = self._stages.get("lexical")
        model = hit[1]["model"] if hit is not None and hit[0] == (p.embed_field, p.seed) else self._stage(
            "lexical_model", (p.embed_field, p.seed), lambda: lexical.LexicalModel(
                list(records.field(p.embed_field)), seed=p.seed or 0), s)  # the fit alone: no transform of A
        tax, bank = self._bank_stage(p, s, progress, cancel)
        extra = RecordTexts(list(texts), [""] * len(texts), list(texts), list(texts), [""] * len(texts),
                            list(user_turns or [1] * len(texts)), [True] * len(texts), [True] * len(texts))
        vectors = embed(lambda: self.embedder(p), model_id, list(texts), self.cache, progress, cancel).vectors
        extra_lex = {"model": model, "records": model.transform(list(texts))}
        instruction_params = dataclasses.replace(p, embed_field="instruction")
        return self._kinds(tax, bank, extra, vectors, extra_lex, None, instruction_params, model_id, progress,
                           cancel).kinds

    def _lexical_stage(self, texts: RecordTexts, p: AnalysisParams, s: dict, progress: ProgressFn | None,
                       cancel: CancelFn | None) -> dict:
        return self._stage("lexical", (p.embed_field, p.seed), lambda: self._lexical(
            texts.field(p.embed_field), p.seed, progress, cancel), s)

    def _bank_stage(self, p: AnalysisParams, s: dict, progress: ProgressFn | None, cancel: CancelFn | None
                    ) -> tuple[taxonomy.Taxonomy, dict]:
        tax = taxonomy.load_taxonomy(p.taxonomy_path)
        model_id = model_id_for(p.model)
        return tax, self._stage("bank", (tax.digest, model_id), lambda: self._bank(tax, p, model_id, progress,
                                                                                   cancel), s)

    def _bank(self, tax: taxonomy.Taxonomy, p: AnalysisParams, model_id: str, progress: ProgressFn | None,
              cancel: CancelFn | None) -> dict:
        """The example instructions of every kind (bundled bank + the taxonomy's own) and their embeddings."""
        texts, kinds = kind_classifier.all_examples(tax)
        vectors = kind_classifier.shipped_vectors(model_id, texts, kinds)
        if vectors is None:
            vectors = embed(lambda: self.embedder(p), model_id, texts, self.cache, progress, cancel).vectors
        digest = kind_classifier.bank_digest(texts, kinds)
        return {"texts": texts, "kinds": kinds, "vectors": vectors, "digest": digest}

    @staticmethod
    def _lexical(texts: list[str], seed: int | None, progress: ProgressFn | None, cancel: CancelFn | None) -> dict:
        model = lexical.LexicalModel(list(texts), seed=seed or 0)
        return {"model": model, "records": model.transform(list(texts), progress, cancel)}

    def _kinds(self, tax: taxonomy.Taxonomy, bank: dict, texts: RecordTexts, vectors: np.ndarray, lex: dict,
               knn: projection.Neighbors | None, p: AnalysisParams, model_id: str, progress: ProgressFn | None,
               cancel: CancelFn | None) -> kind_classifier.Prediction:
        """Kinds from the example bank and what the user taught, on instructions whatever the map shows."""
        def vectors_of(batch: list[str]) -> np.ndarray:
            return embed(lambda: self.embedder(p), model_id, batch, self.cache, progress, cancel).vectors

        model = lex["model"]
        records_lex = lex["records"]
        if p.embed_field != "instruction":
            vectors = vectors_of(texts.instruction)
            records_lex = model.transform(texts.instruction)
        user_texts, user_kinds = self.user_examples
        ids = [k.id for k in tax.kinds]
        known = [i for i, kind in enumerate(user_kinds) if kind in ids]
        user_texts, user_kinds = [user_texts[i] for i in known], [user_kinds[i] for i in known]
        ex = kind_classifier.Examples(bank["texts"] + user_texts, bank["kinds"] + user_kinds,
                                      np.array([False] * len(bank["texts"]) + [True] * len(user_texts)))
        ex_vectors = np.vstack([bank["vectors"], vectors_of(user_texts)]) if user_texts else bank["vectors"]
        ex_lex = model.transform(ex.texts)
        w = kind_classifier.EMBEDDING_WEIGHT
        prediction = kind_classifier.classify(
            lexical.hybrid(vectors, records_lex, w), lexical.hybrid(ex_vectors, ex_lex, w), ex, ids,
            texts.instruction, [k.keywords for k in tax.kinds], None if knn is None else knn.indices, p.kind_threshold,
            taxonomy.UNASSIGNED)
        if taxonomy.MULTI_TURN in ids:  # structure decides: several user turns are a multi-turn dialogue
            for i in np.flatnonzero(np.asarray(texts.user_turn_count) > 1).tolist():
                prediction.kinds[i] = taxonomy.MULTI_TURN
                prediction.reasons[i] = "several user turns"
                prediction.confidence[i] = 1.0
        return prediction
