"""The Ray engine: embed a dataset with Ray Data on a cluster's GPUs (one actor each) or CPUs.

Vectors stream back to this process, which writes the vectors folder itself: the cluster needs no shared
filesystem, but every worker needs sft-explorer and the model (the bundled MiniLM comes with the package). The local
embedding cache is not used: every text is computed on the cluster (`computed` = count, `cached` = 0).

A worker that dies is restarted and its batches redone (Ray actor restarts and task retries, without limit); an id
that comes back twice is kept once, and `VectorsWriter.finish()` fails if any id is missing, so nothing is lost
silently. `EmbedOutcome.retried` counts worker restarts (each redid at least the batch it was working on).
Ray is an optional dependency (`pip install 'sft-explorer[ray]'`), imported when an embedding starts.
"""

from __future__ import annotations

import logging
import math
import os
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from explorer.core.analysis.embed_engines import PART_ROWS, EmbedJob, EmbedOutcome, embed_local
from explorer.core.analysis.embedding import embed, make_embedder, model_id_for
from explorer.core.analysis.multilingual import MULTILINGUAL_MODEL
from explorer.core.analysis.vectors_folder import VectorsWriter
from explorer.core.errors import DatasetError
from explorer.core.progress import CancelFn, CancelledError, ProgressFn, no_progress, never_cancel

BLOCK_ROWS = 4096
"""Most texts per block (one actor call); smaller when that would leave fewer than 4 blocks per actor."""
CPU_THREADS = 4
"""Torch threads per CPU actor (fewer on a smaller cluster)."""
KILL_MARKER = "SFT_EXPLORER_RAY_KILL_MARKER"
"""Test hook: a path that does not exist yet makes one actor, on its 2nd batch, create it and die (os._exit(1)),
as a crashed worker would, once per run."""


@dataclass(frozen=True)
class _Plan:
    device: str
    actors: int
    num_cpus: int
    num_gpus: int

    @property
    def text(self) -> str:
        kind = "GPU" if self.num_gpus else "CPU"
        return f"Embedding on Ray ({self.actors} {kind} actor{'s' if self.actors > 1 else ''})"


def embed_ray(job: EmbedJob, address: str | None, progress: ProgressFn | None = None, cancel: CancelFn | None = None,
              *, num_cpus: int | None = None) -> EmbedOutcome:
    """Embed `job` on the Ray cluster at `address` (None: a local Ray with `num_cpus`, default all cores).

    A Ray already initialized in this process is used as it is; one started here is shut down at the end."""
    if not job.texts:
        return embed_local(job, None, progress, cancel)  # an empty folder: nothing worth a cluster
    import ray

    progress = progress or no_progress
    progress(0, len(job.texts), "Starting Ray")
    started = _connect(address, num_cpus)
    try:
        with _quiet_ray_data():
            device = "cpu" if job.model == MULTILINGUAL_MODEL else job.device  # a numpy model: CPU actors
            return _run(job, _plan(device), progress, cancel or never_cancel)
    finally:
        if started:
            ray.shutdown()


def _connect(address: str | None, num_cpus: int | None) -> bool:
    """Connect to (or start) Ray; True when this call started it."""
    import ray

    if ray.is_initialized():
        return False
    if address:
        ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
    else:  # a private Ray: its notices (token auth, resources) say nothing the user can act on
        ray.init(address="local", num_cpus=num_cpus, include_dashboard=False, log_to_driver=False,
                 logging_level=logging.ERROR)
    return True


@contextmanager
def _quiet_ray_data():
    """Ray Data's INFO lines, and its notice that its progress bars are off, would garble our progress bar."""
    import ray.data  # noqa: F401  (it configures its loggers on import: that must come before setLevel below)
    from ray.util.debug import log_once

    log_once("ray_data_progress_manager_disabled")  # counts that notice as shown
    data_logger = logging.getLogger("ray.data")
    level = data_logger.level
    data_logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        data_logger.setLevel(level)


def _plan(device: str) -> _Plan:
    """One actor per GPU when the cluster has GPUs (unless device is cpu), else CPU actors of CPU_THREADS each."""
    import ray

    if device not in ("auto", "cpu", "cuda"):
        raise DatasetError(f"the Ray engine embeds on cuda or cpu, not {device!r}")
    resources = ray.cluster_resources()
    gpus, cpus = int(resources.get("GPU", 0)), max(1, int(resources.get("CPU", 1)))
    if gpus and device != "cpu":
        return _Plan("cuda", gpus, 1, 1)
    if device == "cuda":
        raise DatasetError("--device cuda was asked for, but the Ray cluster has no GPUs")
    threads = min(CPU_THREADS, cpus)
    return _Plan("cpu", max(1, cpus // threads), threads, 0)


def _run(job: EmbedJob, plan: _Plan, progress: ProgressFn, cancel: CancelFn) -> EmbedOutcome:
    import ray.data

    n = len(job.texts)
    block = max(1, min(BLOCK_ROWS, math.ceil(n / (4 * plan.actors))))
    # No max_restarts / max_task_retries below: Ray Data's actor pools default to -1 for both (restart a dead actor
    # and redo its calls, without limit), and passing them is deprecated in Ray 2.60 (removed in 2.64).
    embedded = _dataset(job.texts, block).map_batches(
        _Embed, batch_size=block, batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=plan.actors), num_cpus=plan.num_cpus, num_gpus=plan.num_gpus,
        fn_constructor_kwargs={"model": job.model, "device": plan.device, "batch_size": job.batch_size,
                               "threads": plan.num_cpus, "dtype": job.dtype,
                               "kill_marker": os.environ.get(KILL_MARKER)})
    writer = _Writer(job, n)
    try:
        retried = writer.collect(embedded, progress, cancel, plan.text)
        folder = writer.finish()
    except BaseException:
        writer.abandon()
        raise
    return EmbedOutcome(folder, n, n, 0, plan.device, retried)


def _dataset(texts: list[str], block: int):
    """(id, text) rows in blocks of `block` rows, without Ray Data's progress bars and banners."""
    import pyarrow as pa
    import ray.data

    table = pa.table({"id": pa.array(range(len(texts)), type=pa.int64()), "text": pa.array(texts, type=pa.string())})
    ds = ray.data.from_arrow([table.slice(start, block) for start in range(0, len(texts), block)])
    ds.context.enable_progress_bars = False  # this dataset's own copy of the context: nothing global changes
    ds.context.print_on_execution_start = False
    return ds


class _Writer:
    """Streams embedded batches into a VectorsWriter, PART_ROWS rows per part, keeping one copy of each id."""

    def __init__(self, job: EmbedJob, n: int):
        self.job, self.n = job, n
        self.seen = np.zeros(n, dtype=bool)
        self.pending: list[tuple] = []
        self.rows = 0
        self.writer: VectorsWriter | None = None

    def collect(self, ds, progress: ProgressFn, cancel: CancelFn, text: str) -> int:
        """Write every batch as it arrives; returns the number of worker restarts seen."""
        restarts = done = 0
        progress(0, self.n, text)
        with closing(iter(ds.iter_batches(batch_size=None, batch_format="numpy"))) as batches:  # closing stops Ray
            for batch in batches:
                if cancel():
                    raise CancelledError(text)
                restarts += int(batch["restarted"].sum())
                fresh = ~self.seen[batch["id"]]  # a retried batch may repeat ids: keep the first copy
                self.seen[batch["id"][fresh]] = True
                self._add(batch["id"][fresh], batch["vector"][fresh])
                done += int(fresh.sum())
                progress(done, self.n, text)
        self._flush()
        return restarts

    def _add(self, ids, vectors) -> None:
        self.pending.append((ids, vectors))
        self.rows += len(ids)
        if self.rows >= PART_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        vectors = np.concatenate([v for _, v in self.pending])
        if self.writer is None:
            self.writer = VectorsWriter(self.job.out, model_id_for(self.job.model), self.job.field, vectors.shape[1],
                                        self.n, self.job.dtype)
        self.writer.write(np.concatenate([i for i, _ in self.pending]), vectors)
        self.pending, self.rows = [], 0

    def finish(self) -> Path:
        if self.writer is None:
            raise DatasetError("the Ray cluster returned no vectors")
        return self.writer.finish()

    def abandon(self) -> None:
        if self.writer is not None:
            self.writer.abandon()


class _Embed:
    """A Ray Data actor: loads the model once, then embeds batches of (id, text) into (id, vector, restarted)."""

    def __init__(self, model: str, device: str, batch_size: int | None, threads: int, dtype: str,
                 kill_marker: str | None):
        import ray

        if device == "cpu":
            import torch

            torch.set_num_threads(threads)
        self.embedder = make_embedder(model, device, batch_size, threads=threads if device == "cpu" else None)
        self.dtype = dtype
        self.kill_marker = kill_marker
        self.calls = 0
        self.restarted = bool(ray.get_runtime_context().was_current_actor_reconstructed)

    def __call__(self, batch: dict) -> dict:
        self.calls += 1
        if self.calls == 2 and self.kill_marker:
            _die_once(self.kill_marker)
        texts = batch["text"].tolist()
        result = embed(lambda: self.embedder, self.embedder.model_id, texts, batch_size=self.embedder.batch_size)
        restarted = np.zeros(len(texts), dtype=np.int8)
        restarted[:1] = self.restarted and self.calls == 1  # the first batch after a restart reports it
        return {"id": batch["id"], "vector": result.vectors.astype(self.dtype), "restarted": restarted}


def _die_once(marker: str) -> None:
    """Test hook (KILL_MARKER): the first actor to create `marker` exits at once, as a crashed worker would."""
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    os._exit(1)
