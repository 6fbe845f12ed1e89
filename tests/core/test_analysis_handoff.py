"""The analysis reaches the window prepared: live counts, cluster centres and near-duplicate groups are made in
the analysis job (off the window's thread), and edits made while it ran still count when it is shown."""

import numpy as np
import pytest

from explorer.app.workspace import DUPLICATE_THRESHOLD, PreparedAnalysis, Workspace
from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis.pipeline import AnalysisParams, Pipeline
from explorer.core.curation import edits as E
from explorer.core.progress import CancelledError
from tests.fakes import FakeEmbedder, planted_records
from tests.samples import write


def test_the_job_prepares_the_analysis_and_edits_made_meanwhile_still_count(tmp_path):
    records, _ = planted_records(10)
    records += [dict(records[0]), dict(records[1])]  # two exact copies: near-duplicate groups to find
    path = write(tmp_path / "d", records, "jsonl")
    fake = FakeEmbedder()
    ws = Workspace(lambda d: Pipeline(d, lambda p: fake, EmbeddingCache(tmp_path / "c.sqlite")),
                   AnalysisParams(model="fake", seed=3, min_cluster_size=5))
    ws.load_done(ws.load_job(path)(None, None))
    job = ws.analysis_job()
    ws.apply(E.Delete((3,)))  # while the analysis runs
    prepared = job(None, None)
    assert isinstance(prepared, PreparedAnalysis)
    assert prepared.live.count() == len(records)  # made before it knew of the deletion
    ws.analysis_done(prepared)
    assert ws.live.count() == len(records) - 1 and not ws.live.alive[3]
    assert sum(c.size for c in ws.cluster_centres()) == int((ws.analysis.clusters >= 0).sum())

    roots = ws.duplicate_roots(DUPLICATE_THRESHOLD)
    assert roots is prepared.duplicate_roots[DUPLICATE_THRESHOLD]  # not regrouped on the window's thread
    assert roots is ws.analysis.near_roots  # the analysis' own grouping, not done again
    assert roots[len(records) - 2] == 0 and roots[len(records) - 1] == 1
    looser = ws.duplicate_roots(0.5)
    texts = ws.analysis.texts.instruction
    copies = np.flatnonzero(looser != np.arange(len(looser)))
    assert set(copies) >= {len(records) - 2, len(records) - 1}
    assert all(ws.analysis.own_wording.alike(texts[c], texts[looser[c]]) for c in copies)  # same rule as the flags
    assert ws.duplicate_roots(0.5) is looser  # asked again: kept
    assert ws.grouped_duplicates(0.6) is None and ws.duplicates_job(0.5) is None  # 0.5 is done, 0.6 is not
    with pytest.raises(CancelledError):  # a newer threshold asked for: the older job stops
        ws.duplicates_job(0.6)(None, lambda: True)
    assert ws.duplicates_done(ws.duplicates_job(0.6)(None, lambda: False))
    assert ws.grouped_duplicates(0.6) is not None
    ws.close()
    assert ws.duplicate_roots(DUPLICATE_THRESHOLD) is None


def test_the_load_job_hashes_the_source_so_opening_on_the_windows_thread_does_not(tmp_path, monkeypatch):
    from explorer.core.curation import session as session_module

    path = write(tmp_path / "d", planted_records(4)[0], "jsonl")
    ws = Workspace(lambda d: None)
    loaded = ws.load_job(path)(None, None)  # the job: off the window's thread
    assert loaded.fingerprint == session_module.source_fingerprint(path)

    def no_hashing(_path):
        raise AssertionError("the source was hashed again while opening")

    monkeypatch.setattr(session_module, "source_fingerprint", no_hashing)
    ws.load_done(loaded)
    assert ws.session.replay.source_changed is False
    ws.close()
