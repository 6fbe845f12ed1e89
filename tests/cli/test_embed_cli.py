"""`sft-explorer embed` → a vectors folder that `analyze` uses without embedding anything, beside the file or named."""

import importlib.util
import json

from explorer.cli.main import main
from explorer.core.analysis.vectors_folder import read_vectors
from tests.samples import write

TOPICS = ["bread", "tides", "chess", "taxes"]


def dataset(tmp_path):
    records = [{"instruction": f"Tell me fact {i} about {TOPICS[i % 4]}.", "output": "A fact."} for i in range(24)]
    return write(tmp_path / "data", records, "jsonl")


def test_embed_writes_a_folder_that_analyze_finds_beside_the_file_and_embeds_nothing(tmp_path, capsys):
    path = dataset(tmp_path)
    folder = tmp_path / (path.name + ".vectors")
    assert main(["embed", str(path), "--out", str(folder), "--device", "cpu", "--dtype", "float16"]) == 0
    assert "Wrote 24 vectors" in capsys.readouterr().out
    vectors, info = read_vectors(folder, 24)
    assert (info.model, info.field, info.dim, info.dtype) == ("sentence-transformers/all-MiniLM-L6-v2",
                                                              "instruction", 384, "float16")
    assert vectors.shape == (24, 384)

    assert main(["analyze", str(path), "--out", str(tmp_path / "a"), "--no-eval"]) == 0
    embedding = json.loads((tmp_path / "a" / "summary.json").read_text())["embedding"]
    assert (embedding["computed"], embedding["cached"], embedding["device"]) == (0, 0, "vectors folder")
    assert embedding["vectors_folder"] == str(folder)

    assert main(["analyze", str(path), "--out", str(tmp_path / "b"), "--no-eval", "--no-vectors"]) == 0
    embedding = json.loads((tmp_path / "b" / "summary.json").read_text())["embedding"]
    assert "vectors_folder" not in embedding and embedding["computed"] + embedding["cached"] == 24


def test_a_folder_for_another_dataset_is_refused_with_its_counts(tmp_path, capsys):
    path = dataset(tmp_path)
    assert main(["embed", str(path), "--out", str(tmp_path / "v"), "--device", "cpu"]) == 0
    shorter = write(tmp_path / "short", [{"instruction": "Only one.", "output": "Yes."}], "jsonl")
    assert main(["analyze", str(shorter), "--out", str(tmp_path / "a"), "--vectors", str(tmp_path / "v")]) != 0
    assert "count is 24 but the dataset has 1 records" in capsys.readouterr().err


def test_the_ray_engine_without_ray_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else find_spec(name, *a))
    assert main(["embed", str(dataset(tmp_path)), "--out", str(tmp_path / "v"), "--engine", "ray"]) == 2
    assert "pip install 'sft-explorer[ray]'" in capsys.readouterr().err
    assert not (tmp_path / "v").exists()
