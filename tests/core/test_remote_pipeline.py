"""The app's analysis in a helper process (real bundled model): same results as in-process, cancel works."""

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
