"""`sft-explorer analyze` end to end on the demo dataset with the real bundled model, and `cache`."""

import json
from pathlib import Path

from explorer.cli.main import main
from explorer.core.analysis.kind_classifier import SURE

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo.jsonl"


def test_analyze_demo_finds_the_planted_problems(tmp_path, capsys):
    out = tmp_path / "analysis"
    assert main(["analyze", str(DEMO), "--out", str(out), "--device", "cpu"]) == 0
    printed = capsys.readouterr().out
    assert "Gaps (" in printed and "report.html" in printed
    summary = json.loads((out / "summary.json").read_text())
    flags = {name: v["count"] for name, v in summary["flags"].items()}
    assert flags["refusal"] >= 2 and flags["empty_response"] >= 1 and flags["too_long"] >= 1
    assert flags["duplicate"] >= 2 and flags["missing_cot"] >= 8
    assert flags["language_mismatch"] >= 1 and flags["truncated"] >= 1
    assert summary["balance"]["clusters"] >= 5
    assert summary["embedding"]["device"] == "cpu" and summary["embedding"]["computed"] > 200
    kinds = {row["kind"]: row for row in summary["coverage"]}
    assert kinds["math"]["count"] > kinds["translation"]["count"] > 0  # the demo leans on maths
    assert "reviews" in summary["gaps"]
    rows = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    refusal = next(r for r in rows if "refusal" in r["flags"])
    assert refusal["tokens_response"] > 0
    duplicate = next(r for r in rows if "duplicate" in r["flags"])
    assert isinstance(duplicate["near_duplicate_of"], int)
    unsure = sum(row["unsure"] for row in summary["coverage"])  # kinds to check: those predicted under SURE
    rounded = [r["kind_confidence"] for r in rows]  # records.jsonl gives three decimals: 0.19996 reads 0.2
    assert 0 < sum(c < SURE for c in rounded) <= unsure <= sum(c <= SURE for c in rounded)
    assert f"Kinds to check: {unsure:,} records" in printed and "to check" in (out / "report.html").read_text()

    assert main(["analyze", str(DEMO), "--out", str(out), "--min-cluster-size", "8"]) == 0
    again = json.loads((out / "summary.json").read_text())
    assert again["embedding"]["computed"] == 0 and again["embedding"]["device"] == "cache"

    assert main(["cache"]) == 0
    assert summary["embedding"]["model"] == "use-multilingual-v3"  # 'auto': a third of the demo is Chinese
    assert "use-multilingual-v3" in capsys.readouterr().out
    assert main(["cache", "--clear"]) == 0
    assert "cleared" in capsys.readouterr().out
