"""The app's analysis in a helper process (real bundled model): same results as in-process, cancel works."""

import pathlib
import tempfile

import numpy as np
import pytest

from explorer.core.analysis.pipeline import AnalysisParams
from explorer.core.analysis.remote import RemotePipeline
from explorer.core.errors import DatasetError
from explorer.core.progress import CancelledError
from tests.fakes import planted_records
from tests.samples import write


def test_remote_run_cancel_and_rerun(tmp_path):
    path = write(tmp_path / "d", planted_records(12)[0], "jsonl")
    remote = RemotePipeline(str(path))
    try:
        seen = []
        analysis = remote.run(AnalysisParams(device="cpu", seed=1), lambda d, t, text: seen.append(text))
        assert analysis.xy.shape == (60, 2) and len(analysis.flags) == 60
        assert analysis.embedding["computed"] + analysis.embedding["cached"] == 60
        assert "Embedding" in seen or analysis.embedding["computed"] == 0
        again = remote.run(AnalysisParams(device="cpu", seed=1, min_cluster_size=6))
        assert np.array_equal(again.xy, analysis.xy)  # the helper kept its stages: same map
        projecting = []
        with pytest.raises(CancelledError):  # cancelled in the middle: once the map stage has started
            remote.run(AnalysisParams(device="cpu", seed=2),
                       lambda d, t, text: projecting.append(text) if text.startswith("Projecting") else None,
                       cancel=lambda: bool(projecting))
        assert remote.proc is None
        assert remote.run(AnalysisParams(device="cpu", seed=1)).xy.shape == (60, 2)
    finally:
        remote.close()


def test_remote_reports_a_dataset_it_cannot_open(tmp_path):
    remote = RemotePipeline(str(tmp_path / "missing.jsonl"))
    with pytest.raises(DatasetError, match="no such file"):
        remote.run(AnalysisParams(device="cpu"))
    remote.close()


def test_the_helper_embeds_queries_with_its_model_and_keeps_placed_positions(tmp_path):
    from explorer.core.analysis.embed_cache import EmbeddingCache
    from explorer.core.analysis.pipeline import Pipeline
    from explorer.core.dataset import load

    path = write(tmp_path / "d", planted_records(12)[0], "jsonl")
    params = AnalysisParams(device="cpu", seed=1)
    remote = RemotePipeline(str(path))
    try:
        remote.run(params)
        queries = ["a question about the stars", "一个关于足球的问题"]
        far = remote.embed_texts(queries, params)
        near = Pipeline(load(path), cache=EmbeddingCache(tmp_path / "c.sqlite")).embed_texts(queries, params)
        assert far.shape == (2, 384) and np.allclose(far, near, atol=1e-5)
        remote.set_positions([3, 7], np.array([[9.5, -9.5], [1.25, 2.5]], dtype=np.float32))
        again = remote.run(AnalysisParams(device="cpu", seed=1, min_cluster_size=6))  # map stage reused
        assert again.xy[3].tolist() == [9.5, -9.5] and again.xy[7].tolist() == [1.25, 2.5]
    finally:
        remote.close()


def test_a_placed_record_keeps_its_place_after_a_rerun_in_the_shipped_app_path(tmp_path):
    """The app's path: a Workspace on the helper-process pipeline, an edit, its placement, then a re-run."""
    from explorer.app.workspace import Workspace
    from explorer.core.curation import edits as E

    path = write(tmp_path / "d", planted_records(12)[0], "jsonl")
    workspace = Workspace(lambda dataset: RemotePipeline(dataset.path), AnalysisParams(device="cpu", seed=1))
    try:
        workspace.load_done(workspace.load_job(path)(None, None))
        workspace.analysis_done(workspace.analysis_job()(None, None))
        workspace.apply(E.SetField(5, "instruction", "A question about football: who won the cup?"))
        workspace.place_done(workspace.place_job([5])(None, None))
        placed = workspace.analysis.xy[5].copy()
        workspace.analysis_done(workspace.analysis_job(AnalysisParams(device="cpu", seed=1, min_cluster_size=6))(
            None, None))
        assert np.array_equal(workspace.analysis.xy[5], placed)
    finally:
        workspace.close()


def _temp_files(what: str) -> set:
    return set(pathlib.Path(tempfile.gettempdir()).glob(f"sft-explorer-{what}-*"))


def _mapped(array: np.ndarray) -> bool:
    """Whether the array's memory is a memory-mapped file (the page cache), not this process's own heap."""
    import mmap

    base = array
    while base is not None and not isinstance(base, mmap.mmap):
        base = base.obj if isinstance(base, memoryview) else getattr(base, "base", None)
    return base is not None


def test_big_vectors_and_texts_come_back_memory_mapped_and_the_helper_keeps_using_them(tmp_path):
    """Above `vectors_by_file` and `texts_by_file` (0 here) the vectors and the text columns come back as shared
    memory maps and the rest of the result through a file the app maps copy-on-write, not through the pipe."""
    path = write(tmp_path / "d", planted_records(12)[0], "jsonl")
    params = AnalysisParams(device="cpu", seed=1)
    remote, mapped = RemotePipeline(str(path)), RemotePipeline(str(path), vectors_by_file=0, texts_by_file=0)
    leftovers = _temp_files("result") | _temp_files("texts")
    try:
        pickled = remote.run(params)
        shared = mapped.run(params)
        assert not isinstance(pickled.vectors, np.memmap) and isinstance(shared.vectors, np.memmap)
        assert not shared.vectors.flags.writeable and not pathlib.Path(shared.vectors.filename).exists()
        assert np.array_equal(shared.vectors, pickled.vectors) and np.array_equal(shared.clusters, pickled.clusters)
        assert list(shared.flags) == list(pickled.flags) and shared.kinds == pickled.kinds
        for column in ("instruction", "response", "conversation", "system", "user_turns"):
            assert list(getattr(shared.texts, column)) == list(getattr(pickled.texts, column))
        assert np.array_equal(shared.texts.user_turn_count, pickled.texts.user_turn_count)
        assert _mapped(shared.texts.instruction.data) and not _mapped(pickled.texts.instruction.data)
        shared.xy[0] = (1.0, 2.0)  # the app moves placed records: the mapped result is writable (a private copy)
        assert _temp_files("result") | _temp_files("texts") <= leftovers  # no name left behind
        again = mapped.run(AnalysisParams(device="cpu", seed=1, min_cluster_size=6))  # the helper's mapped stage
        assert again.texts is shared.texts  # sent once per helper, not with every result
        assert np.array_equal(again.vectors, pickled.vectors) and np.array_equal(again.xy, pickled.xy)
        query = mapped.embed_texts(["a question about the stars"], params)[0]
        assert np.argmax(again.vectors @ query) == np.argmax(pickled.vectors @ query)
    finally:
        remote.close()
        mapped.close()
