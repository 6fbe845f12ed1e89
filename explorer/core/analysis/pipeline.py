"""The analysis as cached stages: changing a parameter re-runs only the stages that depend on it.

    texts → tokens ──────────────────────────────────────────────┐
    texts → embeddings ─┬→ features → neighbours → map (2-D)        │
    texts → lexical ────┘                        → cluster space → clusters → labels
          embeddings → embedding neighbours → near-duplicate groups ┴→ checks
    texts → own wording (common wording left out) ┘
    instructions by the kinds' model + their requests (`request_frame`) + example bank → task kinds → coverage
    eval files → eval items → their embeddings → overlap with the instructions (flag `eval_overlap`), markers on the map

The features are the hybrid of sentence embedding and character n-grams (`lexical.hybrid`); near-duplicates and
semantic search keep the pure sentence embedding.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from collections.abc import Sequence
from typing import Callable

import numpy as np

from explorer.core import tokens as tokens_mod
from explorer.core.analysis import (checks, clustering, kind_classifier, labels, lexical, multilingual,
                                    projection, sampled_fit, taxonomy)
from explorer.core.analysis import eval_overlap as eval_overlap_mod
from explorer.core.analysis.near_duplicates import OwnWording, near_duplicate_groups
from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis import vectors_folder as vectors_folder_mod
from explorer.core.analysis.params import AnalysisParams  # noqa: F401 - re-exported: the type callers import from here
from explorer.core.analysis.pipeline_kinds import KindStages, glossing, kinds_params
from explorer.core.analysis.embedding import EmbedResult, Embedder, embed, make_embedder, model_for_id, model_id_for
from explorer.core.analysis.texts import RecordTexts, read_texts
from explorer.core.dataset import Dataset
from explorer.core.errors import DatasetError
from explorer.core.progress import CancelFn, ProgressFn

TextsReader = Callable[[ProgressFn | None, CancelFn | None], RecordTexts]


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
    own_wording: OwnWording | None = None
    """The dataset's common wording: a near-duplicate pair must be alike on what is left of its texts too."""
    near_roots: np.ndarray | None = None
    """Each record's near-duplicate root at `params.near_duplicate_threshold` (itself when it repeats nothing)."""
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


@dataclass
class Layout:
    xy: np.ndarray
    clusters: np.ndarray
    emb_knn: projection.Neighbors
    """Neighbours by the pure sentence embedding (near-duplicates)."""
    kinds_neighbours: np.ndarray
    """(n, 1 + k) record ids: each record, then the records its kind is smoothed over."""
    nn_key: tuple
    cl_key: tuple
    emb_nn_key: tuple


class Pipeline(KindStages):
    """Runs the analysis of one dataset, keeping each stage's result keyed by the inputs it used."""

    def __init__(self, dataset: Dataset | None, embedder_factory: Callable[[AnalysisParams], Embedder] | None = None,
                 cache: EmbeddingCache | None = None, reader: TextsReader | None = None):
        """`reader(progress, cancel)` gives the records' text columns when there is no `dataset` to read them from
        (the analysis helper reads the file once and keeps only the columns)."""
        self.read = reader or (lambda progress, cancel: read_texts(dataset, progress, cancel))
        self.embedder_factory = embedder_factory or (lambda p: make_embedder(p.model, p.device))
        self.cache = cache
        self.runs: Counter = Counter()
        """How many times each stage was computed (tests and the UI's 'what re-ran' use it)."""
        self._stages: dict[str, tuple[object, object]] = {}
        self.user_examples: tuple[list[str], list[str]] = ([], [])
        self.eval_paths: list[str] = []
        self.vectors_folder: Path | None = None
        self._embedders: dict[tuple, Embedder] = {}
        self._glossed: dict[tuple, np.ndarray] = {}
        """Glossed embeddings of Chinese instructions (`_glossed_records`), by model and instructions: a re-run of
        the kinds stage alone (teaching, the threshold) does not gloss again."""
        self._unloadable: dict[tuple, str] = {}
        self._picked: str | None = None
        """The model 'auto' stands for with this dataset's records."""
        self._map_stage = "map"
        """The stage holding every record's position ('placed_map' when the map was fitted on a sample)."""

    def _stage(self, name: str, key: object, compute: Callable[[], object], seconds: dict) -> object:
        if self._has(name, key):
            return self._stages[name][1]
        start = time.perf_counter()
        value = compute()
        seconds[name] = round(time.perf_counter() - start, 3)
        self._keep(name, key, value)
        return value

    def _has(self, name: str, key: object) -> bool:
        hit = self._stages.get(name)
        return hit is not None and hit[0] == key

    def _keep(self, name: str, key: object, value: object) -> None:
        self.runs[name] += 1
        self._stages[name] = (key, value)

    def replace_vectors(self, old: np.ndarray, new: np.ndarray) -> None:
        """The cached embeddings stage holds `new` (equal values, say a memory map) instead of `old`."""
        hit = self._stages.get("embeddings")
        if hit is not None and hit[1].vectors is old:
            self._stages["embeddings"] = (hit[0], dataclasses.replace(hit[1], vectors=new))

    def embedder(self, params: AnalysisParams) -> Embedder:
        """The embedder for `params`, loaded once and kept."""
        key = (params.model, params.device)
        if key not in self._embedders:
            self._embedders[key] = self.embedder_factory(params)
        return self._embedders[key]

    def invalidate(self) -> None:
        """Forget every stage (the dataset's records changed)."""
        self._stages.clear()
        self._picked = None

    def set_user_examples(self, texts: list[str], kinds: list[str]) -> None:
        """Records the user gave a kind: examples of that kind for the next run's kinds stage (only it re-runs)."""
        self.user_examples = (list(texts), list(kinds))

    def set_eval_sets(self, paths: list[str]) -> None:
        """Eval files whose items the next run looks for in the training records (flag `eval_overlap`)."""
        self.eval_paths = [str(p) for p in paths]

    def set_vectors_folder(self, folder: str | Path | None) -> None:
        """Take the records' vectors from a vectors folder (`sft-explorer embed`, or any tool) instead of embedding
        them. The analysis then uses the folder's model and field; None embeds again."""
        self.vectors_folder = Path(folder) if folder else None

    def params_for(self, params: AnalysisParams, progress: ProgressFn | None = None,
                   cancel: CancelFn | None = None) -> AnalysisParams:
        """`params` with the vectors folder's model and field, when one is set (its vectors decide the space, the
        kinds' too), else with the model 'auto' picks for this dataset (`multilingual.pick_model`)."""
        if self.vectors_folder is None:
            if params.model != multilingual.AUTO:
                return params
            if self._picked is None:  # once per dataset: `run` has read the texts by then
                texts = self._stage("texts", (), lambda: self.read(progress, cancel), {})
                self._picked = multilingual.pick_model(texts.instruction)
            return dataclasses.replace(params, model=self._picked)
        info = vectors_folder_mod.read_info(self.vectors_folder)  # nothing is embedded here: kinds use them too
        return dataclasses.replace(params, model=model_for_id(info.model), embed_field=info.field, kind_model="same")

    def model_loads(self, params: AnalysisParams) -> bool:
        """Whether the analysis' model can be loaded here (with vectors from a folder, it may be a model this
        machine does not have, or no model at all)."""
        key = (params.model, params.device)
        if key not in self._unloadable:
            try:
                self.embedder(params)
            except DatasetError as e:
                self._unloadable[key] = str(e)
        return key not in self._unloadable

    def _embed_extra(self, texts: list[str], p: AnalysisParams, model_id: str, progress: ProgressFn | None,
                     cancel: CancelFn | None) -> np.ndarray:
        """Vectors of texts beyond the records (example bank, eval items, taught examples) in the records' space;
        zeros, so wording alone decides, when the records' vectors came from a folder whose model is not here."""
        if self.vectors_folder is not None and not self.model_loads(p):
            return np.zeros((len(texts), vectors_folder_mod.read_info(self.vectors_folder).dim), np.float32)
        return embed(lambda: self.embedder(p), model_id, list(texts), self.cache, progress, cancel).vectors

    def embed_texts(self, texts: list[str], params: AnalysisParams, progress: ProgressFn | None = None,
                    cancel: CancelFn | None = None) -> np.ndarray:
        """Unit vectors of `texts` (search queries, edited records) with the analysis' model and cache."""
        params = self.params_for(params, progress, cancel)
        if self.vectors_folder is not None and not self.model_loads(params):
            raise DatasetError(f"the records' vectors come from {self.vectors_folder}, made with "
                               f"{params.model!r}, which cannot be loaded here: "
                               f"{self._unloadable[(params.model, params.device)]}")
        return embed(lambda: self.embedder(params), model_id_for(params.model), list(texts), self.cache, progress,
                     cancel).vectors

    def set_positions(self, ids, xy: np.ndarray) -> None:
        """Placed records keep these positions in the cached map stage: a later run that reuses it returns them."""
        hit = self._stages.get(self._map_stage)
        if hit is not None:
            hit[1][np.asarray(ids, dtype=np.int64)] = xy

    def run(self, params: AnalysisParams = AnalysisParams(), progress: ProgressFn | None = None,
            cancel: CancelFn | None = None) -> Analysis:
        """Compute (or reuse) every stage for `params`."""
        s: dict[str, float] = {}
        texts: RecordTexts = self._stage("texts", (), lambda: self.read(progress, cancel), s)
        p = self.params_for(params)
        toks = self._stage("tokens", (), lambda: {
            name: tokens_mod.count(getattr(texts, name), progress, cancel, f"Counting {name} tokens")
            for name in ("instruction", "response", "conversation")}, s)
        model_id = model_id_for(p.model)
        emb_key = (model_id, p.embed_field)
        embedded = self._embeddings_stage(texts, p, model_id, s, progress, cancel)
        vectors = embedded.vectors
        n = len(vectors)
        k = min(p.n_neighbors, max(n - 1, 1))
        lex_key = (p.embed_field, p.seed)
        pk = kinds_params(p)
        tax, bank = self._bank_stage(pk, s, progress, cancel)
        lex, kinds_lex = self._lexical_stages(texts, p, bank, s, progress, cancel)
        w = p.embedding_weight
        feat_key = (emb_key, lex_key, w)
        if not sampled_fit.is_sampled(n, p.fit_sample):
            features = self._stage("features", feat_key, lambda: lexical.hybrid(vectors, lex["records"], w), s)
        else:  # a big dataset: the sample's rows and the rows being placed are made when needed, never all at once
            features = lexical.HybridRows(vectors, lex["records"], w)
        lay = self._layout(features, vectors, feat_key, emb_key, k, p, s, progress, cancel)
        xy, clusters, emb_knn, nn_key, cl_key, emb_nn_key = (lay.xy, lay.clusters, lay.emb_knn, lay.nn_key,
                                                            lay.cl_key, lay.emb_nn_key)
        embedded_texts = texts.field(p.embed_field)
        keywords = self._stage("labels", (cl_key, p.embed_field), lambda: labels.cluster_keywords(
            embedded_texts, clusters), s)
        own: OwnWording = self._stage("own_wording", (p.embed_field, p.seed), lambda: OwnWording.of(
            embedded_texts, p.seed), s)
        near = self._stage("near_duplicates", (emb_nn_key, p.near_duplicate_threshold), lambda: near_duplicate_groups(
            emb_knn, vectors, p.near_duplicate_threshold, own.checker(embedded_texts)), s)
        check_params = checks.CheckParams(p.max_tokens, p.near_duplicate_threshold)
        flags, dup_of = self._stage("checks", (emb_nn_key, asdict(check_params)), lambda: checks.flag_records(
            texts, toks, near, check_params), s)
        taught = (tuple(self.user_examples[0]), tuple(self.user_examples[1]))
        same_space = (pk.model, "instruction") == (p.model, p.embed_field)
        kind_vectors = vectors if same_space else self._kind_vectors(texts, pk, s, progress, cancel)
        found = self._stage("kind_requests", (model_id_for(pk.model), p.seed, bank["digest"]), lambda: self._requests(
            texts.instruction, pk, kinds_lex["model"], progress, cancel), s)
        kind_vectors, kinds_lex = self._with_requests(kind_vectors, kinds_lex, found)
        predicted: kind_classifier.Prediction = self._stage(
            "kinds", (nn_key, bank["digest"], pk.model, p.kind_threshold, glossing(p), taught), lambda: self._kinds(
                tax, bank, texts, kind_vectors, kinds_lex, lay.kinds_neighbours, p, progress, cancel, found), s)
        kinds = predicted.kinds
        overlaps, eval_items = self._eval_stages(texts, vectors, xy, (nn_key, p.min_dist), p, model_id, s, progress,
                                                 cancel)
        if overlaps:
            flags = [f + ["eval_overlap"] if o is not None else f for f, o in zip(flags, overlaps)]
        return Analysis(
            params=p, texts=texts, tokens=toks, vectors=vectors, xy=xy, clusters=clusters, keywords=keywords,
            balance=clustering.balance(clusters), flags=flags, duplicate_of=dup_of, kinds=kinds,
            kind_reasons=predicted.reasons, kind_confidence=predicted.confidence,
            coverage=taxonomy.coverage(tax, kinds, kind_classifier.unsure(predicted.confidence)),
            facts=checks.dataset_facts(texts),
            embedding=self._embedding_facts(p, model_id, embedded, vectors.shape[1]),
            neighbors=emb_knn, own_wording=own, near_roots=near, seconds=s,
            cluster_kinds=labels.dominant_kinds(clusters, kinds, taxonomy.UNASSIGNED), eval_overlap=overlaps,
            eval_items=eval_items)

    def _layout(self, features: np.ndarray, vectors: np.ndarray, feat_key: tuple, emb_key: tuple, k: int,
                p: AnalysisParams, s: dict, progress: ProgressFn | None, cancel: CancelFn | None) -> Layout:
        """The map, the clusters and the neighbour graphs: fitted on every record, or above `fit_sample` records
        on a sample with the others placed (`sampled_fit`)."""
        fit = sampled_fit.fit_indices(len(features), p.fit_sample, p.seed)
        self._map_stage = "map" if fit is None else "placed_map"
        emb_nn_key = (emb_key, k, p.seed, p.fit_sample)
        nn_key = (feat_key, k, p.seed, p.fit_sample)
        on = features if fit is None else self._stage("fit_features", nn_key, lambda: features[fit], s)
        knn = self._stage("neighbors", nn_key, lambda: projection.neighbors(on, k + 1, p.seed), s)
        graph = self._stage("graph", nn_key, lambda: projection.fuzzy_graph(on, knn, p.seed), s)
        map_key = (nn_key, p.min_dist)
        xy = self._stage("map", map_key, lambda: projection.project(
            on, graph, 2, p.min_dist, p.seed, None, progress, cancel), s)
        space_key = (nn_key, p.cluster_dims, p.cluster_epochs)
        space = self._stage("cluster_space", space_key, lambda: projection.project(
            on, graph, p.cluster_dims, 0.0, p.seed, p.cluster_epochs, progress, cancel), s)
        mcs = p.min_cluster_size or clustering.default_min_cluster_size(len(features))
        mcs_fit = mcs if fit is None else max(2, round(mcs * len(fit) / len(features)))
        cl_key = (space_key, mcs, p.min_samples)
        clusters = self._stage("clusters", cl_key, lambda: clustering.cluster(space, mcs_fit, p.min_samples), s)
        if fit is None:
            emb_knn = knn if p.embedding_weight >= 1.0 else self._stage(
                "embedding_neighbors", emb_nn_key, lambda: projection.neighbors(vectors, k + 1, p.seed), s)
            return Layout(xy, clusters, emb_knn, knn.indices, nn_key, cl_key, emb_nn_key)
        placed: sampled_fit.Placement = self._stage("placement", nn_key, lambda: sampled_fit.nearest_fitted(
            features, fit, p.seed, progress, cancel), s)
        all_xy = self._stage("placed_map", map_key, lambda: sampled_fit.place(placed, xy), s)
        all_clusters = self._stage("placed_clusters", cl_key, lambda: sampled_fit.vote_clusters(placed, clusters), s)
        emb_knn = self._stage("embedding_neighbors", emb_nn_key, lambda: sampled_fit.cell_neighbors(
            vectors, placed, k + 1, progress, cancel), s)
        return Layout(all_xy, all_clusters, emb_knn, sampled_fit.neighbour_ids(placed), nn_key, cl_key, emb_nn_key)

    def _embedding_facts(self, p: AnalysisParams, model_id: str, embedded: EmbedResult, dim: int) -> dict:
        facts = {"model": p.model, "model_id": model_id, "field": p.embed_field, "device": embedded.device,
                 "cached": embedded.cached, "computed": embedded.computed, "dim": int(dim)}
        if self.vectors_folder is not None:
            facts["vectors_folder"] = str(self.vectors_folder)
            if not self.model_loads(p):
                facts["note"] = (f"the vectors' model {model_id!r} is not available here: task kinds and eval "
                                 "overlap go by wording alone, and search by meaning is off")
        return facts

    def _embeddings_stage(self, texts: RecordTexts, p: AnalysisParams, model_id: str, s: dict,
                          progress: ProgressFn | None, cancel: CancelFn | None) -> EmbedResult:
        folder = self.vectors_folder
        if folder is None:
            return self._stage("embeddings", (model_id, p.embed_field), lambda: embed(
                lambda: self.embedder(p), model_id, texts.field(p.embed_field), self.cache, progress, cancel), s)
        stamp = (folder / vectors_folder_mod.MANIFEST).stat().st_mtime_ns
        return self._stage("embeddings", (model_id, p.embed_field, str(folder), stamp), lambda: EmbedResult(
            vectors_folder_mod.read_vectors(folder, len(texts), progress, cancel)[0], 0, 0, "vectors folder"), s)

    def _eval_stages(self, texts: RecordTexts, vectors: np.ndarray, xy: np.ndarray, map_key: tuple,
                     p: AnalysisParams, model_id: str, s: dict, progress: ProgressFn | None, cancel: CancelFn | None
                     ) -> tuple[list[dict | None], eval_overlap_mod.EvalItemsOnMap | None]:
        """Eval items read, embedded, looked for in the instructions and placed on the map (nothing without any)."""
        if not self.eval_paths:
            return [], None
        E = eval_overlap_mod
        digest = E.files_digest(self.eval_paths)
        sets = self._stage("eval_items", digest, lambda: E.load_eval_sets(self.eval_paths, progress, cancel), s)
        item_vectors = self._stage("eval_vectors", (digest, model_id), lambda: self._embed_extra(
            sets.texts, p, model_id, progress, cancel), s)
        instr_vectors = vectors if p.embed_field == "instruction" else self._embed_extra(
            texts.instruction, p, model_id, progress, cancel)
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
        p, s = self.params_for(params, progress, cancel), {}
        pk = kinds_params(p)
        records = self._stage("texts", (), lambda: self.read(progress, cancel), s)
        tax, bank = self._bank_stage(pk, s, progress, cancel)
        hit = self._stages.get("kinds_lexical")
        model = hit[1]["model"] if hit is not None and hit[0] == (p.seed, bank["digest"]) else self._stage(
            "kinds_lexical_model", (p.seed, bank["digest"]), lambda: lexical.LexicalModel(
                records.instruction, seed=p.seed or 0, also=bank["texts"]), s)  # the fit alone: no transform
        extra = RecordTexts(list(texts), [""] * len(texts), list(texts), list(texts), [""] * len(texts),
                            list(user_turns or [1] * len(texts)), [True] * len(texts), [True] * len(texts))
        vectors = self._embed_extra(list(texts), pk, model_id_for(pk.model), progress, cancel)
        extra_lex = {"model": model, "records": model.transform(list(texts))}
        vectors, extra_lex = self._with_requests(vectors, extra_lex, self._requests(list(texts), pk, model, progress,
                                                                                    cancel))
        return self._kinds(tax, bank, extra, vectors, extra_lex, None, p, progress, cancel).kinds

    def _lexical_stages(self, texts: RecordTexts, p: AnalysisParams, bank: dict, s: dict,
                        progress: ProgressFn | None, cancel: CancelFn | None) -> tuple[dict, dict]:
        """The map's n-gram features (fitted on the embedded field) and the kinds' (fitted on the instructions and
        the example bank, float16). When the map embeds the instructions, one hashing pass gives both."""
        lex_key, kinds_key = (p.embed_field, p.seed), (p.seed, bank["digest"])
        if p.embed_field == "instruction" and not self._has("lexical", lex_key) and not self._has(
                "kinds_lexical", kinds_key):
            start = time.perf_counter()
            map_model = lexical.LexicalModel(texts.instruction, seed=p.seed or 0)
            kinds_model = lexical.LexicalModel(texts.instruction, seed=p.seed or 0, also=bank["texts"])
            map_rows, kinds_rows = lexical.transform_together(
                [map_model, kinds_model], texts.instruction, progress, cancel, [np.float32, np.float16])
            s["lexical"] = round(time.perf_counter() - start, 3)  # the kinds' features included
            self._keep("lexical", lex_key, {"model": map_model, "records": map_rows})
            self._keep("kinds_lexical", kinds_key, {"model": kinds_model, "records": kinds_rows})
        lex = self._stage("lexical", lex_key, lambda: self._lexical(
            texts.field(p.embed_field), p.seed, progress, cancel), s)
        kinds_lex = self._stage("kinds_lexical", kinds_key, lambda: self._lexical(
            texts.instruction, p.seed, progress, cancel, also=bank["texts"], dtype=np.float16,
            what="Lexical features for task kinds"), s)
        return lex, kinds_lex

    @staticmethod
    def _lexical(texts: Sequence[str], seed: int | None, progress: ProgressFn | None, cancel: CancelFn | None,
                 also: Sequence[str] = (), dtype=np.float32, what: str = "Lexical features") -> dict:
        """The lexical model fitted on a sample of `texts` (and all of `also`), and every text's features."""
        model = lexical.LexicalModel(texts, seed=seed or 0, also=also)
        return {"model": model, "records": model.transform(texts, progress, cancel, dtype, what)}
