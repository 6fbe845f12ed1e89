"""The task-kind stages of `Pipeline`: the example bank, the instructions' vectors by the kinds' model, the Chinese
glosses (English-only model only) and the classifier run (`kind_classifier`)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence

import numpy as np

from explorer.core.analysis import gloss, kind_classifier, lexical, multilingual, request_frame, taxonomy
from explorer.core.analysis.embedding import model_id_for
from explorer.core.analysis.params import AnalysisParams
from explorer.core.analysis.texts import RecordTexts
from explorer.core.progress import CancelFn, ProgressFn, Ticker, part_of

GLOSS_CHUNK = 20_000
"""Chinese instructions glossed and embedded at a time."""


def glossing(p: AnalysisParams) -> bool:
    """Whether the kinds of Chinese instructions are also judged on their English glosses (`gloss`): only when the
    kinds are judged on an English-only model."""
    return p.kind_glosses == "on" and gloss.applies(kinds_params(p).model)


def kinds_params(p: AnalysisParams) -> AnalysisParams:
    """`p` with the model the task kinds are judged on (`kind_model`; 'same': the map's; 'auto': the multilingual
    one, which reads every language) and the instructions."""
    model = {"same": p.model, multilingual.AUTO: multilingual.MULTILINGUAL_MODEL}.get(p.kind_model, p.kind_model)
    return dataclasses.replace(p, model=model, embed_field="instruction")


KIND_PART = 100_000
"""Instructions embedded at a time for the kinds (a million: a float16 matrix of 1 GB, no float32 copy of it all)."""


class KindStages:
    """Mixed into `Pipeline` (which gives `_stage`, `_embed_extra`, `user_examples`, `_glossed`)."""

    def _kind_vectors(self, texts: RecordTexts, pk: AnalysisParams, s: dict, progress: ProgressFn | None,
                      cancel: CancelFn | None) -> np.ndarray:
        """The instructions' vectors by the kinds' model (`kinds_params`), float16, embedded a part at a time."""
        def compute() -> np.ndarray:
            n, model_id, out = len(texts.instruction), model_id_for(pk.model), None
            for start in range(0, max(n, 1), KIND_PART):
                chunk = texts.instruction[start:start + KIND_PART]
                scaled = part_of(progress, start, len(chunk), n, "Embedding instructions for task kinds")
                part = self._embed_extra(chunk, pk, model_id, scaled, cancel)
                if out is None:
                    out = np.empty((n, part.shape[1]), dtype=np.float16)
                out[start:start + len(part)] = part
            return out
        return self._stage("kind_embeddings", model_id_for(pk.model), compute, s)

    def _requests(self, instructions: Sequence[str], pk: AnalysisParams, lex_model, progress: ProgressFn | None,
                  cancel: CancelFn | None) -> dict:
        """The requests of the instructions that carry their own material (`request_frame`): their rows, which
        distinct request each has, and the distinct requests' vectors by the kinds' model and n-gram features by
        the kinds' lexical model (float16, a part at a time)."""
        rows, which, found = request_frame.requests(instructions)
        n, model_id = len(found), model_id_for(pk.model)
        said = np.empty((n, 0), dtype=np.float16)
        worded = np.empty((n, lex_model.dims), dtype=np.float16)
        for start in range(0, n, KIND_PART):
            part = found[start:start + KIND_PART]
            scaled = part_of(progress, start, len(part), n, "Embedding the requests of instructions with a passage")
            vectors = self._embed_extra(part, pk, model_id, scaled, cancel)
            if said.shape[1] != vectors.shape[1]:
                said = np.empty((n, vectors.shape[1]), dtype=np.float16)
            said[start:start + len(part)] = vectors
            worded[start:start + len(part)] = lex_model.transform(part, cancel=cancel)
        return {"rows": rows, "which": which, "texts": found, "vectors": said, "lexical": worded}

    @staticmethod
    def _with_requests(vectors: np.ndarray, lex: dict, found: dict) -> tuple[np.ndarray, dict]:
        """The kinds' vectors and n-gram features with the rows of `found` (`_requests`) mixed with their
        request's."""
        if not len(found["rows"]):
            return vectors, lex
        rows, which = found["rows"], found["which"]
        records = request_frame.WithRequests(lex["records"], rows, which, found["lexical"])
        return request_frame.WithRequests(vectors, rows, which, found["vectors"]), dict(lex, records=records)

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
            vectors = self._embed_extra(texts, p, model_id, progress, cancel)
        digest = kind_classifier.bank_digest(texts, kinds)
        return {"texts": texts, "kinds": kinds, "vectors": vectors, "digest": digest}

    def _gloss_bank(self, bank: dict, p: AnalysisParams, model_id: str, progress: ProgressFn | None,
                    cancel: CancelFn | None) -> None:
        """Adds `gloss_vectors` to the bank: its vectors with the Chinese examples' mixed with their English
        glosses' (see `gloss.glossed_view`); made once per bank, and only for a dataset with Chinese instructions."""
        if "gloss_vectors" in bank:
            return
        texts, vectors = bank["texts"], bank["vectors"]
        rows = gloss.chinese_rows(texts)
        glosses = gloss.english_glosses([texts[i] for i in rows], progress, cancel)
        glossed = kind_classifier.shipped_gloss_vectors(model_id, glosses)
        if glossed is None:
            glossed = self._embed_extra(glosses, p, model_id, progress, cancel)
        out = np.array(vectors, dtype=np.float32)
        out[rows] = gloss.mixed(out[rows], glossed)
        bank["gloss_vectors"] = out

    def _glossed_records(self, instructions: Sequence[str], rows: np.ndarray, vectors: np.ndarray, model_id: str,
                         vectors_of: Callable[[list[str]], np.ndarray], progress: ProgressFn | None,
                         cancel: CancelFn | None) -> np.ndarray:
        """(len(rows), d) float16: each Chinese instruction's embedding mixed with its English gloss's (`gloss`),
        made a chunk at a time (a million rows hold 0.8 GB, no float32 copy of them all) and kept per model and
        instructions. An instruction with an empty gloss keeps its own embedding."""
        chinese = [instructions[i] for i in rows]
        key = (model_id, hashlib.sha1("\x00".join(chinese).encode("utf-8")).hexdigest())
        if key in self._glossed:
            return self._glossed[key]
        out = np.empty((len(rows), vectors.shape[1]), dtype=np.float16)
        ticker = Ticker(progress, cancel, len(rows), "English glosses of Chinese instructions")
        for start in range(0, len(rows), GLOSS_CHUNK):
            glosses = [gloss.english_gloss(text) for text in chinese[start:start + GLOSS_CHUNK]]
            ticker.update(start + len(glosses))
            plain = np.asarray(vectors[rows[start:start + GLOSS_CHUNK]], dtype=np.float32)
            glossed = plain.copy()
            said = [j for j, text in enumerate(glosses) if text]
            if said:
                glossed[said] = vectors_of([glosses[j] for j in said])
            out[start:start + len(glosses)] = gloss.mixed(plain, glossed)
        ticker.finish()
        while len(self._glossed) >= 2:  # this dataset's, and another version's (`predict_kinds`)
            self._glossed.pop(next(iter(self._glossed)))
        self._glossed[key] = out
        return out

    def _kinds(self, tax: taxonomy.Taxonomy, bank: dict, texts: RecordTexts, vectors: np.ndarray, lex: dict,
               neighbour_idx: np.ndarray | None, p: AnalysisParams, progress: ProgressFn | None,
               cancel: CancelFn | None, requests: dict | None = None) -> kind_classifier.Prediction:
        """Kinds from the example bank and what the user taught, on the instructions' `vectors` by the kinds' model
        (`kinds_params`) whatever the map shows. `requests` (`_requests`): the reasons of the records judged partly
        on their request say which."""
        pk = kinds_params(p)
        model_id = model_id_for(pk.model)

        def vectors_of(batch: list[str]) -> np.ndarray:
            return self._embed_extra(batch, pk, model_id, progress, cancel)

        model = lex["model"]  # fitted on the instructions and the example bank (see `_lexical`)
        records_lex = lex["records"]
        user_texts, user_kinds = self.user_examples
        ids = [k.id for k in tax.kinds]
        known = [i for i, kind in enumerate(user_kinds) if kind in ids]
        user_texts, user_kinds = [user_texts[i] for i in known], [user_kinds[i] for i in known]
        ex = kind_classifier.Examples(bank["texts"] + user_texts, bank["kinds"] + user_kinds,
                                      np.array([False] * len(bank["texts"]) + [True] * len(user_texts)))
        ex_vectors = np.vstack([bank["vectors"], vectors_of(user_texts)]) if user_texts else bank["vectors"]
        ex_lex = model.transform(ex.texts)
        # the examples are judged like the records: those with a passage half on their request
        ex_found = self._requests(ex.texts, pk, model, progress, cancel)
        mixed_vectors, mixed_lex = self._with_requests(ex_vectors, {"records": ex_lex}, ex_found)
        ex_vectors, ex_lex = np.asarray(mixed_vectors), np.asarray(mixed_lex["records"])
        w = kind_classifier.ENGLISH_ONLY_WEIGHT if gloss.applies(pk.model) else kind_classifier.EMBEDDING_WEIGHT
        view = None
        chinese = gloss.chinese_rows(texts.instruction) if glossing(p) else []
        if len(chinese):
            self._gloss_bank(bank, pk, model_id, progress, cancel)
            records = self._glossed_records(texts.instruction, chinese, vectors, model_id, vectors_of, progress,
                                            cancel)
            in_bank = int(np.searchsorted(ex_found["rows"], len(bank["texts"])))
            bank_glossed = np.asarray(request_frame.WithRequests(
                bank["gloss_vectors"], ex_found["rows"][:in_bank], ex_found["which"][:in_bank], ex_found["vectors"]))
            view = gloss.glossed_view(chinese, records, records_lex, bank_glossed, user_texts,
                                      ex_vectors[len(bank["texts"]):], ex_lex, w,
                                      vectors_of)
        prediction = kind_classifier.classify(
            lexical.HybridRows(vectors, records_lex, w), lexical.hybrid(ex_vectors, ex_lex, w), ex, ids,
            texts.instruction, [k.keywords for k in tax.kinds], neighbour_idx, p.kind_threshold,
            taxonomy.UNASSIGNED, view)
        if requests is not None:
            said = [kind_classifier.one_line(text) for text in requests["texts"]]
            for row, which in zip(requests["rows"].tolist(), requests["which"].tolist()):
                prediction.reasons[row] += f"; judged half on its request “{said[which]}”"
        kind_classifier.by_structure(prediction, ids, texts)
        return prediction
