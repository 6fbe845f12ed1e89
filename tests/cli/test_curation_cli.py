"""`apply`, `session` and the curated `export` (selection, rebalancing, manifest) from the command line."""

import json

import pytest

from explorer.cli.main import main
from tests.samples import write

RECORDS = [{"instruction": f"q{i}", "input": "", "output": f"a{i}"} for i in range(10)]


@pytest.fixture
def source(tmp_path):
    return write(tmp_path / "src", RECORDS, "jsonl")


def recipe(tmp_path, *lines):
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines) + "not json\n")
    return path


def test_apply_prints_each_committed_edit_and_skips_bad_lines(tmp_path, source, capsys):
    path = recipe(tmp_path, {"op": "delete", "ids": [3, 7]}, {"op": "restore", "ids": [3]},
                  {"op": "tag", "ids": [1, 2], "tag": "math"}, {"op": "untag", "ids": [1], "tag": "math"},
                  {"op": "set", "id": 5, "field": "response", "value": "better"},
                  {"op": "set", "id": 6, "field": "response", "value": "x", "hash": {"6": "0000000000000000"}},
                  {"op": "delete", "ids": [99]}, {"op": "delete", "ids": []})
    assert main(["apply", str(source), "--recipe", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[:5] == ["committed 1: delete 2 records (line 1)", "committed 2: restore 1 record (line 2)",
                                    "committed 3: tag 2 records 'math' (line 3)",
                                    "committed 4: untag 1 record 'math' (line 4)",
                                    "committed 5: edit response of record 5 (line 5)"]
    assert "skipped line 6: record 6 differs from the one the recipe was made on" in err
    assert "skipped line 7: no record with id 99" in err and "skipped line 9: invalid JSON" in err
    assert "skipped line 8: 'ids' is empty: the line names no record" in err
    assert main(["session", str(source), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["edits"], info["deleted"], info["edited_records"], info["tags"]) == (5, 1, 1, {"math": 1})


def test_recipe_out_replays_to_the_same_session(tmp_path, source, capsys, monkeypatch):
    main(["apply", str(source), "--recipe", str(recipe(tmp_path, {"op": "delete", "ids": [0]},
                                                       {"op": "tag", "ids": [2], "tag": "x"}))])
    assert main(["session", str(source), "--recipe-out", str(tmp_path / "back.jsonl")]) == 0
    lines = [json.loads(x) for x in (tmp_path / "back.jsonl").read_text().splitlines()]
    assert [line["op"] for line in lines] == ["delete", "tag"] and "hash" in lines[0]
    other = tmp_path / "copy.jsonl"
    other.write_bytes(source.read_bytes())
    assert main(["apply", str(other), "--recipe", str(tmp_path / "back.jsonl")]) == 0
    capsys.readouterr()
    main(["session", str(other), "--json"])
    assert json.loads(capsys.readouterr().out)["deleted"] == 1


def test_discard_needs_yes_when_not_interactive(tmp_path, source, capsys):
    main(["apply", str(source), "--recipe", str(recipe(tmp_path, {"op": "delete", "ids": [0]}))])
    assert main(["session", str(source), "--discard"]) == 2
    assert main(["session", str(source), "--discard", "--yes"]) == 0
    capsys.readouterr()
    main(["session", str(source), "--json"])
    assert json.loads(capsys.readouterr().out)["edits"] == 0


def test_export_applies_the_session_and_writes_a_manifest(tmp_path, source, capsys):
    main(["apply", str(source), "--recipe", str(recipe(
        tmp_path, {"op": "delete", "ids": [0, 1]}, {"op": "set", "id": 2, "field": "response", "value": "NEW"},
        {"op": "tag", "ids": [2, 3, 4], "tag": "keep"}, {"op": "tag", "ids": [4], "tag": "drop"}))])
    out = tmp_path / "out.jsonl"
    assert main(["export", str(source), "--out", str(out), "--tag", "keep", "--without-tag", "drop"]) == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert rows == [{"instruction": "q2", "input": "", "output": "NEW"}, RECORDS[3]]
    assert out.read_text().splitlines()[1] == source.read_text().splitlines()[3]  # untouched: byte-identical
    manifest = json.loads((tmp_path / "out.jsonl.manifest.json").read_text())
    assert manifest["session_edits"] == 4 and manifest["counts"] == {"in": 10, "deleted_in_session": 2,
                                                                     "selected": 2, "out": 2}
    assert manifest["selection"]["tags"] == ["keep"] and len(manifest["source"]["sha256"]) == 64
    ids = tmp_path / "ids.txt"
    ids.write_text("5\n6\n0\n")
    main(["export", str(source), "--out", str(tmp_path / "ids.jsonl"), "--ids", str(ids)])
    assert [json.loads(x)["instruction"] for x in (tmp_path / "ids.jsonl").read_text().splitlines()] == ["q5", "q6"]


def test_unreadable_lines_go_with_the_whole_file_not_with_a_subset(tmp_path, capsys):
    lines = ['{"instruction": "a", "output": "1"}', '{"instruction": "b", "output": "2"}',
             '{"instruction": "broken, "output": "x"}', "", '{"instruction": "c", "output": "3"}']
    source = tmp_path / "bad.jsonl"
    source.write_text("\n".join(lines) + "\n")
    whole = tmp_path / "whole.jsonl"
    assert main(["export", str(source), "--out", str(whole)]) == 0
    assert whole.read_text() == source.read_text()  # nothing asked to leave: the bad line survives, byte for byte
    assert "1 unreadable lines were kept verbatim" in capsys.readouterr().out
    ids = tmp_path / "ids.txt"
    ids.write_text("0\n2\n")
    subset = tmp_path / "subset.jsonl"
    assert main(["export", str(source), "--out", str(subset), "--ids", str(ids)]) == 0
    assert subset.read_text().splitlines() == [lines[0], lines[4]]  # records only: still valid JSON Lines
    assert "1 unreadable lines are not in the file of selected records" in capsys.readouterr().out
    main(["apply", str(source), "--recipe", str(recipe(tmp_path, {"op": "delete", "ids": [1]}))])
    assert main(["export", str(source), "--out", str(whole)]) == 0  # deleting is not picking: still the file
    assert whole.read_text().splitlines() == [lines[0], lines[2], lines[3], lines[4]]
    table = tmp_path / "t.csv"  # a CSV's header is not a record, and stays in a subset
    table.write_text("instruction,output\nq0,a0\nq1,a1\nq2,a2\n")
    assert main(["export", str(table), "--out", str(tmp_path / "sub.csv"), "--ids", str(ids)]) == 0
    assert (tmp_path / "sub.csv").read_text() == "instruction,output\nq0,a0\nq2,a2\n"


def write_analysis_rows(folder, rows):
    folder.mkdir()
    (folder / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_flag_cluster_kind_filters_and_rebalancing(tmp_path, source, capsys):
    analysis = tmp_path / "analysis"
    write_analysis_rows(analysis, [
        {"id": i, "cluster": i % 2, "kind": "math" if i < 7 else "translation",
         "flags": ["refusal"] if i in (0, 2) else []} for i in range(10)])
    out = tmp_path / "o.jsonl"

    def exported(*args):
        assert main(["export", str(source), "--out", str(out), "--analysis", str(analysis), *args]) == 0
        return [int(json.loads(x)["instruction"][1:]) for x in out.read_text().splitlines()]

    assert exported("--without-flag", "refusal") == [1, 3, 4, 5, 6, 7, 8, 9]
    assert exported("--flag", "refusal") == [0, 2]
    assert exported("--cluster", "1", "--kind", "translation") == [7, 9]
    capped = exported("--max-per-cluster", "3")
    assert len(capped) == 6 and 0 not in capped and 2 not in capped  # unflagged records are kept first
    assert exported("--max-per-cluster", "3", "--seed", "1") != [] and exported("--max-per-cluster", "3") == capped
    assert len(exported("--max-per-kind", "2")) == 4
    manifest = json.loads((tmp_path / "o.jsonl.manifest.json").read_text())
    assert manifest["per_kind"]["out"] == {"math": 2, "translation": 2}
    assert len(exported("--balance", "kind")) == 2  # 25 kinds, uniform targets: ceil(10 / 25) = 1 each
    assert main(["export", str(source), "--out", str(out), "--flag", "refusal"]) == 2
    assert "need an analysis" in capsys.readouterr().err


def analysis_with_noise_and_a_gap(tmp_path):
    """100 records: 40 noise, then clusters 0 and 1; 1 flagged programming record in cluster 0 (1 % of the records,
    under half its 4 % target: a gap); 10 with no kind."""
    rows = []
    for i in range(100):
        cluster = -1 if i < 40 else (0 if i < 70 else 1)
        kind = "programming" if i == 40 else (None if i >= 90 else "math")
        rows.append({"id": i, "cluster": cluster, "kind": kind, "flags": ["too_long"] if i == 40 else []})
    write_analysis_rows(tmp_path / "analysis", rows)
    return tmp_path / "analysis"


@pytest.fixture
def hundred(tmp_path):
    return write(tmp_path / "src100", [{"instruction": f"q{i}", "input": "", "output": f"a{i}"} for i in range(100)],
                 "jsonl")


def test_cluster_cap_leaves_noise_whole_and_protects_a_gap_kind(tmp_path, hundred, capsys):
    analysis = analysis_with_noise_and_a_gap(tmp_path)
    out = tmp_path / "capped.jsonl"
    assert main(["export", str(hundred), "--out", str(out), "--analysis", str(analysis), "--max-per-cluster", "5"]) == 0
    kept = [int(json.loads(x)["instruction"][1:]) for x in out.read_text().splitlines()]
    assert len([i for i in kept if i < 40]) == 40  # noise is not a cluster
    assert 40 in kept  # flagged, but programming is a gap: protected
    assert "protected: programming 1 kept (gap; the caps alone would keep 0 of 1)" in capsys.readouterr().out
    manifest = json.loads((tmp_path / "capped.jsonl.manifest.json").read_text())
    assert manifest["per_kind"]["before"]["programming"] == manifest["per_kind"]["out"]["programming"] == 1
    assert manifest["per_cluster"]["out"]["noise"] == 40
    assert [p["kind"] for p in manifest["protected"]] == ["programming"]


def test_dry_run_prints_before_and_after_and_writes_nothing(tmp_path, hundred, capsys):
    analysis = analysis_with_noise_and_a_gap(tmp_path)
    out = tmp_path / "dry.jsonl"
    assert main(["export", str(hundred), "--out", str(out), "--analysis", str(analysis), "--max-per-cluster", "5",
                 "--dry-run"]) == 0
    assert not out.exists() and not (tmp_path / "dry.jsonl.manifest.json").exists()
    text = capsys.readouterr().out
    assert "100 selected -> 50 kept (50 dropped)" in text and "Dry run: nothing written" in text
    lines = [line.split() for line in text.splitlines()]
    assert ["task", "kind", "before", "after"] in lines and ["cluster", "before", "after"] in lines
    assert ["noise", "40", "40", "not", "capped"] in lines and ["1", "30", "5"] in lines
    assert ["0", "30", "5"] in lines  # the flagged gap record takes one of the 5 slots
    assert ["programming", "1", "1", "protected", "(gap)"] in lines and ["unassigned", "10"] in [x[:2] for x in lines]


def test_manifest_says_unassigned_and_noise_not_none(tmp_path, hundred):
    analysis = analysis_with_noise_and_a_gap(tmp_path)
    out = tmp_path / "all.jsonl"
    assert main(["export", str(hundred), "--out", str(out), "--analysis", str(analysis)]) == 0
    manifest = json.loads((tmp_path / "all.jsonl.manifest.json").read_text())
    assert manifest["per_kind"]["out"] == {"math": 89, "unassigned": 10, "programming": 1}
    assert manifest["per_cluster"]["in"] == {"noise": 40, "0": 30, "1": 30}
    assert "None" not in json.dumps(manifest["per_kind"]) and "-1" not in manifest["per_cluster"]["out"]


def test_export_checks_edited_records_again(tmp_path, capsys):
    """A record fixed in the session is judged on its new text: its stale `missing_cot` no longer filters it out."""
    records = [{"instruction": "A box holds 3 red and 4 blue balls. How many balls are in the box?", "input": "",
                "output": "7"}, {"instruction": "Name a colour.", "input": "", "output": "Blue."}]
    source = write(tmp_path / "src", records, "jsonl")
    write_analysis_rows(tmp_path / "analysis", [{"id": 0, "cluster": 0, "kind": "math", "flags": ["missing_cot"]},
                                                {"id": 1, "cluster": 0, "kind": None, "flags": []}])
    fix = recipe(tmp_path, {"op": "set", "id": 0, "field": "response",
                            "value": "There are 3 red and 4 blue balls, so 3 + 4 = 7 balls in the box."})
    assert main(["apply", str(source), "--recipe", str(fix)]) == 1  # the recipe's last line is not JSON
    out = tmp_path / "o.jsonl"
    assert main(["export", str(source), "--out", str(out), "--analysis", str(tmp_path / "analysis"),
                 "--without-flag", "missing_cot"]) == 0
    assert len(out.read_text().splitlines()) == 2


def test_overwrite_source_is_honoured_and_keeps_a_backup(tmp_path, source, capsys):
    original = source.read_bytes()
    assert main(["export", str(source), "--out", str(source)]) == 2
    assert "refusing to overwrite the source" in capsys.readouterr().err and source.read_bytes() == original
    fix = recipe(tmp_path, {"op": "delete", "ids": [0]})
    main(["apply", str(source), "--recipe", str(fix)])
    assert main(["export", str(source), "--out", str(source), "--overwrite-source"]) == 0
    assert "original is kept at" in capsys.readouterr().out
    assert len(source.read_text().splitlines()) == 9 and (tmp_path / "src.jsonl.bak").read_bytes() == original
