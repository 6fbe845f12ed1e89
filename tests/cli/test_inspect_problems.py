"""`sft-explorer inspect` on a file with many warnings and a few errors buried late: errors come first."""

import json

from explorer.cli.main import main


def buried_errors_file(tmp_path):
    """30 records of no known format (warnings), then a record cut by a literal newline and a list row."""
    lines = [json.dumps({"instruction": "q", "output": "a"})]
    lines += [json.dumps({"foo": i, "bar": "x"}) for i in range(30)]
    lines += ['{"instruction": "poem", "output": "roses are red', 'violets are blue"}', "[1, 2]",
              '{"instruction": "q", "output": "a",}']
    path = tmp_path / "buried.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_inspect_text_puts_errors_first_with_a_count_by_kind(tmp_path, capsys):
    assert main(["inspect", str(buried_errors_file(tmp_path))]) == 0
    out = capsys.readouterr().out.splitlines()
    (count,) = [line for line in out if line.startswith("Problems")]
    assert count == ("Problems    3 errors (json_syntax 2, not_an_object 1), "
                     "31 warnings (format_unknown 30, mixed_formats 1)")
    listed = [line for line in out if line.startswith(("  error", "  warning", "  ..."))]
    assert [line.split()[0] for line in listed[:4]] == ["error", "error", "error", "warning"]
    assert "lines 32–33, column 35" in listed[0] and "Unterminated string starting at column 35" in listed[0]
    assert "json_syntax" in listed[0] and "not_an_object" in listed[1]
    assert listed[-1] == "  ... and 11 more warnings (--json lists them all)"


def test_inspect_json_carries_severity_kind_line_range_and_whole_message(tmp_path, capsys):
    assert main(["inspect", str(buried_errors_file(tmp_path)), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["problem_summary"].startswith("3 errors (json_syntax 2, not_an_object 1)")
    assert report["problem_counts"]["warning"] == {"format_unknown": 30, "mixed_formats": 1}
    problems = report["problems"]
    assert len(problems) == 34
    assert [p["severity"] for p in problems[:4]] == ["error", "error", "error", "warning"]
    first = problems[0]
    assert (first["kind"], first["line"], first["end_line"]) == ("json_syntax", 32, 33)
    assert first["message"].startswith("invalid JSON: Unterminated string starting at column 35; lines 32–33")
    assert first["message"].endswith("; kept as is")
    assert problems[-1]["kind"] == "mixed_formats" and problems[-1]["line"] is None
