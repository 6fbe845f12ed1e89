"""The app uses a vectors folder beside the dataset without being told, can be pointed at another or told to embed
again, and refuses a folder made for another version of the file with a clear message."""

from explorer.core.analysis.vectors_folder import VectorsWriter
from tests.fakes import FakeEmbedder, planted_records
from tests.samples import write
from tests.ui.conftest import open_and_wait


def _vectors(folder, records):
    fake = FakeEmbedder()
    writer = VectorsWriter(folder, "fake", "instruction", fake.dim, len(records))
    writer.write(range(len(records)), fake.encode([r["instruction"] for r in records]))
    return writer


def test_a_vectors_folder_beside_the_file_is_used_and_embedding_again_is_one_action(qtbot, window, tmp_path):
    records = planted_records(12)[0]
    path = write(tmp_path / "data", records, "jsonl")
    _vectors(tmp_path / (path.name + ".vectors"), records).finish()
    open_and_wait(qtbot, window, path)
    ws = window.document.workspace
    assert ws.analysis.embedding["device"] == "vectors folder" and ws.analysis.embedding["computed"] == 0
    assert "vectors from" in window.statusBar().currentMessage()
    assert window.actions["embed_again"].isEnabled()
    window.embed_again()
    qtbot.waitUntil(lambda: ws.analysis.embedding["device"] != "vectors folder", timeout=60_000)
    assert ws.analysis.embedding["computed"] > 0 and not window.actions["embed_again"].isEnabled()

    failures = []
    window.document.failed.connect(lambda what, message: failures.append(message))
    _vectors(tmp_path / "stale", records[:-3]).finish()  # made before three records were added
    window.use_vectors_folder(str(tmp_path / "stale"))
    assert failures and f"{len(records) - 3:,} vectors for {len(records):,} records" in failures[-1]
    assert ws.vectors_folder is None
