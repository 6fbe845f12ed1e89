"""The bad-input table of REFERENCE.md: a clear problem with a line number, the rest loads, nothing crashes."""

import pickle

import pytest

from explorer.core.dataset import load
from explorer.core.errors import DatasetError


def load_bytes(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return load(path)


GOOD = b'{"instruction": "q", "output": "a"}\n'


def test_malformed_line_has_line_column_and_snippet(tmp_path):
    ds = load_bytes(tmp_path, "m.jsonl", GOOD + b'{"instruction": "q", "output": "a",}\n' + GOOD)
    assert len(ds) == 2
    (p,) = ds.problems
    assert (p.line, p.severity) == (2, "error")
    assert p.column is not None and p.column > 30
    assert p.snippet.startswith('{"instruction": "q"')
    assert "line 2" in str(p)


@pytest.mark.parametrize("row,kind", [(b"[]", "list"), (b'"x"', "string"), (b"1", "number"), (b"null", "null")])
def test_rows_that_are_not_objects(tmp_path, row, kind):
    ds = load_bytes(tmp_path, "n.jsonl", GOOD + row + b"\n")
    assert len(ds) == 1
    assert [(p.line, p.message) for p in ds.problems] == [(2, f"a {kind}, not a JSON object; kept as is")]


def test_lone_surrogate_is_flagged_not_loaded(tmp_path):
    ds = load_bytes(tmp_path, "s.jsonl", b'{"instruction": "\\ud800", "output": "a"}\n' + GOOD)
    assert len(ds) == 1
    assert "lone UTF-16 surrogate" in ds.problems[0].message and ds.problems[0].line == 1


def test_nan_and_infinity_load_with_a_warning(tmp_path):
    ds = load_bytes(tmp_path, "nan.jsonl", b'{"instruction": "q", "output": "a", "score": NaN}\n')
    assert len(ds) == 1
    assert ds.problems[0].severity == "warning" and "NaN" in ds.problems[0].message


def test_duplicate_keys_are_flagged(tmp_path):
    ds = load_bytes(tmp_path, "d.jsonl", b'{"instruction": "q", "output": "first", "output": "second"}\n' + GOOD)
    assert ds.record(0).response == "second"
    assert [(p.line, p.message) for p in ds.problems] == [(1, "duplicate key 'output'; the last value is used")]


def test_colon_quote_inside_text_is_not_a_duplicate(tmp_path):
    ds = load_bytes(tmp_path, "c.jsonl", b'{"instruction": "write {\\"a\\": 1}", "output": "ok"}\n')
    assert ds.problems == []


def test_duplicate_keys_in_json_array(tmp_path):
    ds = load_bytes(tmp_path, "d.json", b'[{"instruction": "q", "instruction": "r", "output": "a"}]')
    assert ds.record(0).instruction == "r"
    assert "duplicate key 'instruction'" in ds.problems[0].message


def test_deep_nesting_is_a_problem_not_a_crash(tmp_path):
    deep = b'{"instruction": "q", "output": "a", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}\n"
    ds = load_bytes(tmp_path, "deep.jsonl", deep + GOOD)
    assert len(ds) >= 1
    assert ds.problems and ds.problems[0].line == 1


def test_invalid_utf8_line_is_a_problem_and_the_rest_loads(tmp_path):
    ds = load_bytes(tmp_path, "b.jsonl", GOOD + b'{"instruction": "caf\xe9", "output": "a"}\n' + GOOD)
    assert len(ds) == 2
    assert ds.problems[0].line == 2 and "not valid UTF-8" in ds.problems[0].message


def test_invalid_utf8_json_document_names_the_byte_offset(tmp_path):
    with pytest.raises(DatasetError, match=r"b\.json:2: not valid UTF-8 at byte offset 22"):
        load_bytes(tmp_path, "b.json", b'[\n{"instruction": "caf\xe9", "output": "a"}]')


def test_utf16_without_bom_is_refused_clearly(tmp_path):
    with pytest.raises(DatasetError, match="UTF-16 without a byte-order mark"):
        load_bytes(tmp_path, "u.jsonl", GOOD.decode().encode("utf-16-le"))


@pytest.mark.parametrize("data", [b"", b"\n\n", b"[]", b"[ ]\n"])
def test_empty_inputs_give_an_empty_dataset_with_a_notice(tmp_path, data):
    ds = load_bytes(tmp_path, "e.json", data)
    assert len(ds) == 0
    assert ds.notice == "the dataset is empty"


def test_pickle_is_refused(tmp_path):
    with pytest.raises(DatasetError, match="pickle"):
        load_bytes(tmp_path, "x.bin", pickle.dumps({"instruction": "q"}))
    with pytest.raises(DatasetError, match="refused"):
        load_bytes(tmp_path, "x.pkl", b"anything")


def test_huge_field_loads(tmp_path):
    big = "x" * 5_000_000
    ds = load_bytes(tmp_path, "h.jsonl", ('{"instruction": "q", "output": "' + big + '"}\n').encode())
    assert len(ds.record(0).response) == 5_000_000


def test_missing_file_and_unknown_content(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        load(tmp_path / "nope.jsonl")
    with pytest.raises(DatasetError, match="not a dataset this app reads"):
        load_bytes(tmp_path, "x.txt", b"hello world")


def test_csv_rows_with_wrong_field_counts(tmp_path):
    ds = load_bytes(tmp_path, "c.csv", b"instruction,output\nq,a\nq2,a2,extra\nq3\n")
    assert len(ds) == 2
    assert [(p.line, p.severity) for p in ds.problems] == [(3, "error"), (4, "warning")]
