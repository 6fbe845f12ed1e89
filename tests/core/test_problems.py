"""Problems that surface: severity and kind, one problem per broken record, whole messages, errors first."""

import json

from explorer.core import scanning
from explorer.core.dataset import load
from explorer.core.export import export
from explorer.core.problems import Problem, counts_by_kind, excerpt, ordered, summary


def good(i: int) -> bytes:
    return json.dumps({"instruction": f"question {i}", "output": f"answer {i}"}).encode() + b"\n"


def load_bytes(tmp_path, data: bytes, name: str = "p.jsonl"):
    path = tmp_path / name
    path.write_bytes(data)
    return load(path)


# a record whose response holds a literal line break: lines 3 and 4 of the file each fail to parse
SPLIT = b'{"instruction": "write a poem", "output": "roses are red\nviolets are blue"}\n'


def test_record_split_by_a_literal_newline_is_one_problem_spanning_both_lines(tmp_path):
    data = good(1) + good(2) + SPLIT + good(3)
    ds = load_bytes(tmp_path, data)
    assert len(ds) == 3
    (p,) = ds.problems
    assert (p.severity, p.kind, p.line, p.end_line, p.lines) == ("error", "json_syntax", 3, 4, "3–4")
    assert "literal line break" in p.message and "lines 3–4" in str(p)
    assert p.to_dict()["end_line"] == 4
    # the bad lines stay verbatim: a same-format export is byte for byte the input, and says 2 lines were kept
    result = export(ds, tmp_path / "out.jsonl")
    assert (tmp_path / "out.jsonl").read_bytes() == data
    assert result.unreadable_kept == 2


def test_record_broken_over_three_lines_and_a_blank_one(tmp_path):
    data = good(1) + b'{"instruction": "code", "output": "def f():\n\n    return 1\n  # done"}\n' + good(2)
    ds = load_bytes(tmp_path, data)
    assert [(p.line, p.end_line, p.kind) for p in ds.problems] == [(2, 5, "json_syntax")]
    assert len(ds) == 2 and ds.line_of(1) == 6


def test_pretty_printed_object_in_jsonl_is_one_problem(tmp_path):
    data = good(1) + b'{\n  "instruction": "x",\n  "output": {"nested": 1}\n}\n' + good(2)
    (p,) = load_bytes(tmp_path, data).problems
    assert (p.line, p.end_line) == (2, 5) and "spread over several lines" in p.message


def test_separate_broken_records_stay_separate(tmp_path):
    data = good(1) + b'{"instruction": "a",}\n' + b'{"instruction": "b" "output": "c"}\n' + b"[1, 2]\n" + good(2)
    ds = load_bytes(tmp_path, data)
    assert [(p.line, p.end_line, p.kind) for p in ds.problems] == [
        (2, None, "json_syntax"), (3, None, "json_syntax"), (4, None, "not_an_object")]


def test_garbage_lines_are_not_merged(tmp_path):
    ds = load_bytes(tmp_path, good(1) + b"hello\nworld\n" + good(2))
    assert [(p.line, p.lines) for p in ds.problems] == [(2, "2"), (3, "3")]


def test_the_parser_message_is_whole_and_a_long_snippet_says_it_is_cut(tmp_path):
    long_text = "x" * 3000
    data = good(1) + ('{"instruction": "q", "output": "' + long_text + '" "tail": 1}\n').encode()
    (p,) = load_bytes(tmp_path, data).problems
    assert p.message == f"invalid JSON: Expecting ',' delimiter at column {p.column}; kept as is"
    assert p.column == 3035
    assert p.snippet.endswith("… (cut; 3,044 characters in all)") and len(p.snippet) < 120

    (q,) = load_bytes(tmp_path, b'{"instruction": "unterminated\n', "u.jsonl").problems
    assert q.message.startswith("invalid JSON: Unterminated string starting at column 17")


def test_kinds_of_warnings_and_other_containers(tmp_path):
    ds = load_bytes(tmp_path, good(1) + b'{"q": 1, "zzz": 2}\n' + b'{"instruction": "a", "output": "b", "output": "c"}\n')
    assert sorted(p.kind for p in ds.problems) == ["duplicate_key", "format_unknown", "mixed_formats"]
    ds = load_bytes(tmp_path, b'[\n{"instruction": "a", "output": },\n[3]\n]\n', "a.json")
    assert [(p.kind, p.line) for p in ds.problems] == [("json_syntax", 2), ("not_an_object", 3)]
    assert "Expecting value at column" in ds.problems[0].message
    ds = load_bytes(tmp_path, b"instruction,output\nq,a\nq,a,b\n", "c.csv")
    assert [(p.kind, p.severity) for p in ds.problems] == [("field_count", "error")]


def test_ordered_puts_errors_first_and_summary_counts_by_kind():
    problems = [Problem("w1", 1, severity="warning", kind="format_unknown"),
                Problem("e2", 9, kind="json_syntax"),
                Problem("n", None, severity="info", kind="other"),
                Problem("w2", 2, severity="warning", kind="format_unknown"),
                Problem("e1", 5, kind="not_an_object"),
                Problem("e3", 7, kind="json_syntax", end_line=8)]
    assert [p.message for p in ordered(problems)] == ["e1", "e3", "e2", "w1", "w2", "n"]
    counts = counts_by_kind(problems)
    assert list(counts) == ["error", "warning", "info"]
    assert counts["error"] == {"json_syntax": 2, "not_an_object": 1}
    assert summary(problems) == ("3 errors (json_syntax 2, not_an_object 1), 2 warnings (format_unknown 2), "
                                 "1 note (other 1)")
    assert summary([]) == ""


def test_excerpt_shows_numbered_lines_around_the_problem(tmp_path):
    data = b"".join(good(i) for i in range(1, 6)) + SPLIT + b"".join(good(i) for i in range(6, 12))
    ds = load_bytes(tmp_path, data)
    (p,) = ds.problems
    text = excerpt(ds.source, p, context=2)
    lines = text.splitlines()
    assert len(lines) == 6
    assert lines[0].startswith("  4 │ ") and lines[2] == '> 6 │ {"instruction": "write a poem", "output": "roses are red'
    assert lines[3] == '> 7 │ violets are blue"}' and lines[5].startswith("  9 │ ")


def test_excerpt_for_json_and_csv_text_and_long_lines(tmp_path):
    ds = load_bytes(tmp_path, b'[\n{"instruction": "a", "output": "b"},\n{"instruction": "a", "output": },\n'
                              b'{"instruction": "c", "output": "d"}\n]\n', "a.json")
    text = excerpt(ds.source, ds.problems[0], context=1)
    assert text.splitlines() == ['  2 │ {"instruction": "a", "output": "b"},',
                                 '> 3 │ {"instruction": "a", "output": },',
                                 '  4 │ {"instruction": "c", "output": "d"}']
    ds = load_bytes(tmp_path, good(1) + b'{"x": "' + b"y" * 5000 + b'"\n', "l.jsonl")
    text = excerpt(ds.source, ds.problems[0])
    assert "(cut; 5,008 characters in all)" in text and len(text) < 1000
    assert excerpt(ds.source, Problem("no line")) == ""


def test_two_core_scan_keeps_the_span_of_a_broken_record(tmp_path, monkeypatch):
    data = b"".join(good(i) for i in range(40)) + SPLIT + good(41)
    path = tmp_path / "big.jsonl"
    path.write_bytes(data)
    monkeypatch.setattr(scanning, "PARALLEL_MIN_BYTES", 1)
    ds = load(path)
    assert scanning._split_point(ds.source) is not None
    assert [(p.line, p.end_line) for p in ds.problems] == [(41, 42)]


def test_trailing_comma_in_a_json_array_is_named(tmp_path):
    # as in a real file (alpaca_chinese_dataset, 9407-12345 中文): "},\n]" at the end of the array
    ds = load_bytes(tmp_path, b'[\n  {"instruction": "a", "output": "b"},\n  {"instruction": "c", "output": "d"},\n]\n',
                    "t.json")
    assert len(ds) == 2
    (p,) = ds.problems
    assert p.line == 4 and "the comma on line 3 is followed by no element: a trailing comma" in p.message
