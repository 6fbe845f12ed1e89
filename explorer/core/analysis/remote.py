"""The analysis pipeline in a helper process, for the desktop app: importing and running torch, numba, UMAP
and HDBSCAN then never holds the GUI process's Python lock, so the window never stalls.

`RemotePipeline.run(params, progress, cancel)` behaves like `Pipeline.run`; the helper keeps the stage caches
between runs. Results come back pickled over the helper's own pipe (our process talking to itself; no file or
user input is ever unpickled). Cancel stops the helper at once; the next run starts a fresh one.

The same helper embeds search queries and edited records (`embed_texts`) with the model it already loaded — one
model copy — and keeps the positions of placed records in its cached map (`set_positions`).

The helper reads the dataset file once, keeps only the records' text columns (packed) and lets the dataset go:
after that read it holds no copy of the dataset. Big text columns (over TEXTS_BY_FILE bytes) and big vectors (over
VECTORS_BY_FILE bytes: ~130k records of MiniLM) do not travel in the pickle: the helper writes them to a file and
memory-maps it, the app maps the same file, and both read one copy from the page cache (at a million records,
hundreds of MB of text and 1.5 GB of vectors, no longer held twice, nor pickled through a pipe).
"""

from __future__ import annotations

import dataclasses
import json
import mmap
import os
import pickle
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

from explorer.core.analysis import checks
from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis.pipeline import Analysis, AnalysisParams, Pipeline
from explorer.core.analysis.texts import RecordTexts, read_texts
from explorer.core.analysis.packed import PackedFlags, PackedStrings
from explorer.core.errors import DatasetError
from explorer.core.formats import ColumnMapping
from explorer.core.helper_process import HelperCrashed, HelperProcess, send
from explorer.core.progress import CancelFn, CancelledError, ProgressFn

VECTORS_BY_FILE = 200_000_000
"""Bytes of vectors from which a run's vectors come back as a memory-mapped file rather than in the pickle."""
TEXTS_BY_FILE = 50_000_000
"""Bytes of packed text columns from which the helper and the app share them through a memory-mapped file."""


class RemotePipeline:
    def __init__(self, path: str, mapping: ColumnMapping | None = None, split: str | None = None,
                 vectors_by_file: int = VECTORS_BY_FILE, texts_by_file: int = TEXTS_BY_FILE):
        self.args = json.dumps({"path": str(path), "mapping": mapping.to_dict() if mapping else None, "split": split,
                                "vectors_by_file": vectors_by_file, "texts_by_file": texts_by_file})
        self.helper: HelperProcess | None = None
        self.texts: RecordTexts | None = None
        """The records' text columns the helper shares through a mapped file (None: they come in each result)."""
        self.user_examples: tuple[list[str], list[str]] = ([], [])
        self.eval_paths: list[str] = []
        self.vectors_folder: str | None = None
        self._lock = threading.Lock()
        """One request at a time on the helper's pipe (analysis, embedding and placement come from several jobs)."""

    @property
    def proc(self):
        """The helper's process (None when none runs)."""
        return self.helper.proc if self.helper is not None else None

    def _request(self, message: dict, progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> dict:
        """Send one request and wait for its answer (progress passed on; cancel stops the helper)."""
        with self._lock:
            try:
                if self.helper is None or not self.helper.alive():
                    self.helper = HelperProcess(sys.modules[__name__], self.args, what="analysis")
                    if self.user_examples[0]:  # a fresh helper learns what the user taught before anything else
                        self._exchange({"user_examples": [self.user_examples[0], self.user_examples[1]]})
                    if self.eval_paths:
                        self._exchange({"eval_sets": self.eval_paths})
                    if self.vectors_folder:
                        self._exchange({"vectors_folder": self.vectors_folder})
                return self._exchange(message, progress, cancel)
            except HelperCrashed:
                self.close()
                raise

    def _exchange(self, message: dict, progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> dict:
        self.helper.send(message)
        while True:
            if cancel is not None and cancel():
                self.close()
                raise CancelledError(next(iter(message)))
            answer = self.helper.receive(timeout=0.1)
            if answer is None:
                continue
            if "progress" in answer:
                if progress is not None:
                    progress(*answer["progress"])
            elif "texts_file" in answer:  # the helper read the dataset: its text columns, mapped here too
                self.texts = _unpickle({"result_file": answer["texts_file"], "buffers": answer["buffers"]})
            elif "error" in answer:
                raise DatasetError(answer["error"])
            else:
                return answer

    def run(self, params: AnalysisParams = AnalysisParams(), progress: ProgressFn | None = None,
            cancel: CancelFn | None = None) -> Analysis:
        answer = self._request({"run": dataclasses.asdict(params)}, progress, cancel)
        analysis = _unpickle(answer)
        if "vectors_file" in answer:
            analysis = dataclasses.replace(analysis, vectors=_open_shared(Path(answer["vectors_file"])))
        if analysis.texts is None:
            analysis = dataclasses.replace(analysis, texts=self.texts)
        return analysis

    def embed_texts(self, texts: list[str], params: AnalysisParams, progress: ProgressFn | None = None,
                    cancel: CancelFn | None = None) -> np.ndarray:
        """Unit vectors of `texts` by `params`' model, from the helper's already loaded model and the cache."""
        answer = self._request({"embed": {"texts": list(texts), "params": dataclasses.asdict(params)}}, progress,
                               cancel)
        return np.frombuffer(answer["data"], dtype=np.float32).reshape(answer["shape"]).copy()

    def set_positions(self, ids, xy: np.ndarray) -> None:
        """Placed records keep these map positions in the helper's cached map (the next run returns them)."""
        self._request({"positions": {"ids": [int(i) for i in ids], "xy": np.asarray(xy, float).tolist()}})

    def set_user_examples(self, texts: list[str], kinds: list[str]) -> None:
        """Records the user gave a kind: examples for the helper's next kinds stage."""
        self.user_examples = (list(texts), list(kinds))
        if self.helper is not None and self.helper.alive():
            self._request({"user_examples": [self.user_examples[0], self.user_examples[1]]})

    def set_eval_sets(self, paths: list[str]) -> None:
        """Eval files for the helper's next run (flag `eval_overlap`)."""
        self.eval_paths = [str(p) for p in paths]
        if self.helper is not None and self.helper.alive():
            self._request({"eval_sets": self.eval_paths})

    def set_vectors_folder(self, folder) -> None:
        """The records' vectors come from this folder in the helper's next run (None: embed them)."""
        self.vectors_folder = str(folder) if folder else None
        if self.helper is not None and self.helper.alive():
            self._request({"vectors_folder": self.vectors_folder})

    def predict_kinds(self, texts: list[str], params: AnalysisParams, progress: ProgressFn | None = None,
                      cancel: CancelFn | None = None, user_turns: list[int] | None = None) -> list[str]:
        """Kinds of instructions from outside the dataset (`Pipeline.predict_kinds`), by the helper."""
        answer = self._request({"kinds": {"texts": list(texts), "params": dataclasses.asdict(params),
                                          "user_turns": user_turns}}, progress, cancel)
        return answer["kinds"]

    def invalidate(self) -> None:
        """Forget every stage: the next run starts a fresh helper."""
        self.close()

    def close(self) -> None:
        if self.helper is not None:
            self.helper.close()
        self.helper = None
        self.texts = None


class _Helper:
    """The helper's side: its pipeline reads the dataset on the first request that needs the texts."""

    def __init__(self, args: dict, reply):
        self.args, self.reply = args, reply
        self.vectors_by_file = args.get("vectors_by_file", VECTORS_BY_FILE)
        self.texts_by_file = args.get("texts_by_file", TEXTS_BY_FILE)
        self.shared_texts: RecordTexts | None = None
        self.pipeline = Pipeline(None, cache=EmbeddingCache(), reader=self.read_texts)

    def read_texts(self, progress: ProgressFn | None, cancel: CancelFn | None) -> RecordTexts:
        """The records' text columns; the dataset itself is let go on return. Big columns go to a file that this
        process maps before telling the app, which maps it too (one copy for both)."""
        from explorer.core.dataset import load

        mapping = ColumnMapping(**self.args["mapping"]) if self.args.get("mapping") else None
        dataset = load(self.args["path"], mapping=mapping, split=self.args.get("split"), progress=progress,
                       cancel=cancel)
        texts = read_texts(dataset, progress, cancel)
        if texts.nbytes <= self.texts_by_file:
            return texts
        message, chunks = _pickled(texts, {})
        path = _write_result(chunks, "texts")
        with open(path, "rb") as f:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        self.shared_texts = _unpickle_from(memoryview(mapped), message["buffers"])
        self.reply({"texts_file": str(path), "buffers": message["buffers"]})
        return self.shared_texts


def _serve(args: dict) -> None:
    out = sys.stdout.buffer

    def reply(message: dict, data: bytes | list = b"") -> None:
        send(out, message, data)

    helper = _Helper(args, reply)
    from explorer.core.analysis.embedding import make_embedder

    helper.pipeline.embedder_factory = lambda p: make_embedder(p.model, p.device)
    for line in sys.stdin.buffer:
        request = json.loads(line)
        try:
            _answer(helper, request)
        except DatasetError as e:
            reply({"error": str(e)})


def _answer(helper: _Helper, request: dict) -> None:
    pipeline, send, vectors_by_file = helper.pipeline, helper.reply, helper.vectors_by_file
    if "embed" in request:
        params = AnalysisParams(**request["embed"]["params"])
        vectors = np.ascontiguousarray(pipeline.embed_texts(request["embed"]["texts"], params), dtype=np.float32)
        send({"result": vectors.nbytes, "shape": list(vectors.shape)}, vectors.tobytes())
    elif "user_examples" in request:
        pipeline.set_user_examples(*request["user_examples"])
        send({"done": True})
    elif "eval_sets" in request:
        pipeline.set_eval_sets(request["eval_sets"])
        send({"done": True})
    elif "vectors_folder" in request:
        pipeline.set_vectors_folder(request["vectors_folder"])
        send({"done": True})
    elif "kinds" in request:
        params = AnalysisParams(**request["kinds"]["params"])
        prediction = pipeline.predict_kinds(request["kinds"]["texts"], params,
                                            lambda d, t, text: send({"progress": [d, t, text]}),
                                            user_turns=request["kinds"].get("user_turns"))
        send({"kinds": prediction})
    elif "positions" in request:
        pipeline.set_positions(request["positions"]["ids"], np.array(request["positions"]["xy"], dtype=np.float32))
        send({"done": True})
    else:
        params = AnalysisParams(**request["run"])
        analysis = pipeline.run(params, lambda d, t, text: send({"progress": [d, t, text]}))
        extra = {}
        if analysis.vectors.nbytes > vectors_by_file:
            extra["vectors_file"] = str(_share_vectors(pipeline, analysis.vectors))
            analysis = dataclasses.replace(analysis, vectors=None)
        if analysis.texts is helper.shared_texts:  # the app maps them already
            analysis = dataclasses.replace(analysis, texts=None)
        # The app unpickles it in one call that holds Python's lock (the window waits): per-record columns go packed.
        analysis = dataclasses.replace(analysis, kind_reasons=PackedStrings(analysis.kind_reasons),
                                       flags=PackedFlags.from_lists(analysis.flags, tuple(checks.FLAGS)))
        message, chunks = _pickled(analysis, extra)
        if message["result"] > vectors_by_file:  # big: through a file the app maps, not streamed through the pipe
            message["result_file"] = str(_write_result(chunks))
            send({k: v for k, v in message.items() if k != "result"})
        else:
            send(message, chunks)


def _pickled(analysis: Analysis, message: dict) -> tuple[dict, list]:
    """The message announcing a pickled result, and its data: the pickle, then its arrays' raw buffers out of band
    (the app unpickles onto the buffers it read, copying nothing while it holds Python's lock)."""
    buffers: list[pickle.PickleBuffer] = []
    main = pickle.dumps(analysis, protocol=5, buffer_callback=buffers.append)
    raw = [b.raw() for b in buffers]
    sizes = [r.nbytes for r in raw]
    return {**message, "result": len(main) + sum(sizes), "buffers": sizes}, [main, *raw]


def _write_result(chunks: list, what: str = "result") -> Path:
    """A pickled result in a private temporary file (see `_map_result`)."""
    fd, name = tempfile.mkstemp(prefix=f"sft-explorer-{what}-", suffix=".pickle")
    with os.fdopen(fd, "wb") as f:
        for chunk in chunks:
            f.write(chunk)
    return Path(name)


def _map_result(path: Path) -> mmap.mmap:
    """The helper's result file mapped copy-on-write (arrays unpickled on it are writable and private to the app);
    the name is removed at once on POSIX, as for the vectors file."""
    with open(path, "rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    _remove_name(path)
    return mapped


def _unpickle(answer: dict):
    """The result of a run, from the bytes read from the pipe or from the file the helper wrote."""
    data = memoryview(answer["data"] if "data" in answer else _map_result(Path(answer["result_file"])))
    return _unpickle_from(data, answer.get("buffers", []))


def _unpickle_from(data: memoryview, sizes: list[int]):
    """What `_pickled` made, from its bytes: the pickle, then its out-of-band buffers (viewed, not copied)."""
    at = len(data) - sum(sizes)
    main, views = data[:at], []
    for size in sizes:
        views.append(data[at:at + size])
        at += size
    return pickle.loads(main, buffers=views)  # noqa: S301 - produced by our own helper, see module doc


def _share_vectors(pipeline: Pipeline, vectors: np.ndarray) -> Path:
    """Write the run's vectors to a private temporary file and use its memory map from now on (in the cached
    stage too), so that this process and the app share one copy; returns the file's path."""
    fd, name = tempfile.mkstemp(prefix="sft-explorer-vectors-", suffix=".npy")
    with os.fdopen(fd, "wb") as f:
        np.save(f, np.ascontiguousarray(vectors, dtype=np.float32))
    pipeline.replace_vectors(vectors, np.load(name, mmap_mode="r"))
    return Path(name)


def _open_shared(path: Path) -> np.ndarray:
    """Map the helper's vectors file; on POSIX the name is removed at once (both maps keep the data alive and the
    system frees it when the last closes). Windows keeps a mapped file: it is left in the temporary folder."""
    vectors = np.load(path, mmap_mode="r")
    _remove_name(path)
    return vectors


def _remove_name(path: Path) -> None:
    """Unlink a file this process has mapped (the data lives until the last map closes); Windows refuses, and the
    file is left in the temporary folder."""
    try:
        path.unlink()
    except OSError:
        pass


if __name__ == "__main__":
    _serve(json.loads(sys.argv[1]))
