"""The `sft-explorer` command: inspect and export, text and JSON, exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.cli.main import main
from tests.samples import FORMAT_SAMPLES, write

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo.jsonl"


def test_inspect_json_on_the_demo(capsys):
    assert main(["inspect", str(DEMO), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"container", "format", "records", "problems", "tokens"} <= report.keys()
    assert (report["container"], report["format"]) == ("jsonl", "messages")
    assert report["records"] > 200
    bad = [p for p in report["problems"] if p.get("severity") == "error"]
    assert bad and all(isinstance(p["line"], int) and p["message"] for p in bad)
    assert report["tokens"]["response"]["over_limit"] >= 1
    assert report["tokens"]["instruction"]["min"] > 0


def test_inspect_text_lists_mixed_formats_and_line_numbers(tmp_path, capsys):
    path = write(tmp_path / "m", FORMAT_SAMPLES["alpaca"][0] + FORMAT_SAMPLES["qa"][0], "jsonl")
    with path.open("a") as f:
        f.write("{broken\n")
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Format      qa  (mixed: qa 3, alpaca 2)" in out
    assert "line 6" in out and "Tokens (cl100k_base)" in out


def test_inspect_with_map_is_remembered(tmp_path, capsys):
    path = write(tmp_path / "u", [{"q": "Why?", "gold": "Because."}], "jsonl")
    assert main(["inspect", str(path), "--map", "instruction=q,response=gold", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == "mapped"
    assert main(["inspect", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["format"] == "mapped"
    assert "remembered" in captured.err


def test_nothing_usable_exits_non_zero_without_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("nope\nstill nope\n")
    assert main(["inspect", str(bad)]) == 1
    assert main(["inspect", str(tmp_path / "missing.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "Traceback" not in err


def test_export_converts_and_reports_skipped(tmp_path, capsys):
    path = write(tmp_path / "t", FORMAT_SAMPLES["messages"][0], "jsonl")
    assert main(["export", str(path), "--out", str(tmp_path / "o.jsonl"), "--to", "alpaca"]) == 0
    captured = capsys.readouterr()
    assert "Wrote 0 records" in captured.out
    assert "record 0 (line 1): alpaca cannot express it: has tool turns" in captured.err


def test_export_same_format_is_byte_exact(tmp_path):
    out = tmp_path / "demo.jsonl"
    assert main(["export", str(DEMO), "--out", str(out)]) == 0
    assert out.read_bytes() == DEMO.read_bytes()


def test_console_script_runs_as_a_module():
    done = subprocess.run([sys.executable, "-m", "explorer", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("sft-explorer ")


@pytest.mark.parametrize("argv", [["export", "x.jsonl"], ["inspect"]])
def test_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2


def test_dash_m_runs_only_the_apps_own_helpers(capsys):
    assert main(["-m", "os"]) == 2
    assert "only the app's own helper modules" in capsys.readouterr().err


def test_inspect_with_user_turns_map(tmp_path, capsys):
    rows = [{"question_id": i, "turns": [f"Question {i}?", f"Follow-up {i}?", f"Last {i}?"]} for i in range(4)]
    path = write(tmp_path / "mt", rows, "jsonl")
    assert main(["inspect", str(path), "--map", "user_turns=turns", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["format"], report["mapping"], report["records"]) == ("mapped", "user_turns=turns", 4)
    assert report["tokens"]["response"]["max"] == 0 and report["tokens"]["instruction"]["max"] > 0
    assert not report["problems"]
    assert main(["inspect", str(path)]) == 0
    captured = capsys.readouterr()
    assert "Mapping     user_turns=turns" in captured.out and "remembered" in captured.err
    assert main(["inspect", str(path), "--map", "user_turns=turns,response=x"]) == 2
    assert "cannot be combined" in capsys.readouterr().err
