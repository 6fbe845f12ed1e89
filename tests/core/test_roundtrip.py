"""Same-format exports are byte for byte; a changed record changes only its own span."""

import codecs
import errno
import json

import pytest

from explorer.core.dataset import load
from explorer.core.errors import DatasetError
from explorer.core.export import export
from tests.samples import FORMAT_SAMPLES, write

AWKWARD_JSONL = (
    codecs.BOM_UTF8
    + b'{"instruction": "a", "output": "1"}\r\n'
    + b"\r\n"
    + b'{"instruction": "b", "output": "2"}\n'
    + b"this is not json\n"
    + b"   \n"
    + b'{"instruction": "\\u00e9t\\u00e9", "output": "3"}\n'
    + b'[1, 2]\n'
    + '{"instruction":"中文","output":"四"}'.encode("utf-8")  # no final newline, compact separators
)


def roundtrip(tmp_path, name: str, data: bytes, **kwargs) -> bytes:
    src = tmp_path / name
    src.write_bytes(data)
    out = tmp_path / ("out-" + name)
    export(load(src), out, **kwargs)
    return out.read_bytes()


def test_awkward_jsonl_is_byte_exact(tmp_path):
    assert roundtrip(tmp_path, "a.jsonl", AWKWARD_JSONL) == AWKWARD_JSONL


def test_awkward_jsonl_loads_what_it_can(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(AWKWARD_JSONL)
    ds = load(tmp_path / "a.jsonl")
    assert len(ds) == 4
    assert [ds.line_of(i) for i in range(4)] == [1, 3, 6, 8]
    assert ds.record(2).instruction == "été"
    errors = [(p.line, p.message) for p in ds.problems if p.severity == "error"]
    assert errors[0][0] == 4 and errors[0][1].startswith("invalid JSON")
    assert errors[1] == (7, "a list, not a JSON object; kept as is")


def test_changed_record_changes_only_its_own_line(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(AWKWARD_JSONL)
    ds = load(tmp_path / "a.jsonl")
    obj = ds.source_object(3)
    obj["output"] = "FOUR"
    export(ds, tmp_path / "o.jsonl", replacements={0: {"instruction": "a", "output": "ONE"}, 3: obj})
    out = (tmp_path / "o.jsonl").read_bytes()
    expected = AWKWARD_JSONL.replace(b'"output": "1"}\r\n', b'"output": "ONE"}\r\n').replace(
        '{"instruction":"中文","output":"四"}'.encode(), '{"instruction":"中文","output":"FOUR"}'.encode())
    assert out == expected


def test_escaped_ascii_style_is_kept_for_edited_lines(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(AWKWARD_JSONL)
    ds = load(tmp_path / "a.jsonl")
    export(ds, tmp_path / "o.jsonl", replacements={2: {"instruction": "été!", "output": "3"}})
    assert b'{"instruction": "\\u00e9t\\u00e9!", "output": "3"}\n' in (tmp_path / "o.jsonl").read_bytes()


def test_deleting_records_keeps_the_rest_exact(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(AWKWARD_JSONL)
    export(load(tmp_path / "a.jsonl"), tmp_path / "o.jsonl", exclude=[1])
    assert (tmp_path / "o.jsonl").read_bytes() == AWKWARD_JSONL.replace(b'{"instruction": "b", "output": "2"}\n', b"")


PRETTY_ARRAY = b'''\xef\xbb\xbf[
    {
        "instruction": "a",
        "output": "1"
    },
    {"instruction": "b", "output": "2"},
    {
        "instruction": "c",
        "output": "3"
    }
]
'''


def test_json_array_is_byte_exact_and_edits_keep_style(tmp_path):
    assert roundtrip(tmp_path, "a.json", PRETTY_ARRAY) == PRETTY_ARRAY
    ds = load(tmp_path / "a.json")
    assert [ds.line_of(i) for i in range(3)] == [2, 6, 7]
    export(ds, tmp_path / "e.json", replacements={2: {"instruction": "c", "output": "THREE"}})
    assert (tmp_path / "e.json").read_bytes() == PRETTY_ARRAY.replace(b'"output": "3"', b'"output": "THREE"')
    export(ds, tmp_path / "d.json", exclude=[2])
    assert json.loads((tmp_path / "d.json").read_text(encoding="utf-8-sig")) == [
        {"instruction": "a", "output": "1"}, {"instruction": "b", "output": "2"}]


def test_json_array_with_a_bad_element_loads_the_rest_and_keeps_it(tmp_path):
    data = b'[\n  {"instruction": "a", "output": "1"},\n  {"instruction": "b", "output": },\n  {"instruction": "c", "output": "3"}\n]\n'
    assert roundtrip(tmp_path, "b.json", data) == data
    ds = load(tmp_path / "b.json")
    assert len(ds) == 2 and ds.record(1).instruction == "c"
    (problem,) = ds.problems
    assert problem.line == 3 and problem.message.startswith("invalid JSON")


def test_wrapped_json_object_round_trip(tmp_path):
    path = write(tmp_path / "w", FORMAT_SAMPLES["alpaca"][0], "json_wrapped")
    data = path.read_bytes()
    export(load(path), tmp_path / "o.json")
    assert (tmp_path / "o.json").read_bytes() == data


def test_csv_with_quoted_newlines_round_trip_and_edit(tmp_path):
    data = 'instruction,input,output\r\n"Line one\nline two",,"A, with comma"\r\n"b",x,"say ""hi"""\r\n'.encode()
    assert roundtrip(tmp_path, "c.csv", data) == data
    ds = load(tmp_path / "c.csv")
    assert ds.record(0).instruction == "Line one\nline two"
    assert ds.line_of(1) == 4
    export(ds, tmp_path / "e.csv", replacements={1: {"instruction": "b", "input": "x", "output": "new"}})
    assert (tmp_path / "e.csv").read_bytes() == data.replace(b'"b",x,"say ""hi"""\r\n', b"b,x,new\r\n")


def test_utf16_jsonl_round_trip(tmp_path):
    data = '{"instruction": "ü", "output": "1"}\n{"instruction": "b", "output": "2"}\n'.encode("utf-16")
    assert roundtrip(tmp_path, "u.jsonl", data) == data
    assert load(tmp_path / "u.jsonl").record(0).instruction == "ü"


@pytest.mark.parametrize("container", ["parquet", "hf"])
def test_columnar_round_trip_keeps_values_and_schema(tmp_path, container):
    objects = FORMAT_SAMPLES["alpaca"][0]
    ds = load(write(tmp_path / "p", objects, container))
    out = tmp_path / ("o.parquet" if container == "parquet" else "o_hf")
    export(ds, out, replacements={1: {"instruction": "Translate", "input": "bonjour", "output": "HELLO"}})
    again = load(out)
    assert again.container == container
    assert [again.source_object(i) for i in range(2)] == [objects[0], {**objects[1], "output": "HELLO"}]
    assert again.source.table.schema == ds.source.table.schema


def test_gzip_jsonl_round_trip_of_content(tmp_path):
    path = write(tmp_path / "g", FORMAT_SAMPLES["qa"][0], "jsonl.gz")
    export(load(path), tmp_path / "o.jsonl.gz")
    import gzip

    assert gzip.decompress((tmp_path / "o.jsonl.gz").read_bytes()) == gzip.decompress(path.read_bytes())


def test_source_is_never_the_target_unless_asked(tmp_path):
    path = write(tmp_path / "s", FORMAT_SAMPLES["alpaca"][0], "jsonl")
    before = path.read_bytes()
    with pytest.raises(DatasetError, match="refusing to overwrite the source"):
        export(load(path), path)
    assert path.read_bytes() == before
    export(load(path), path, overwrite_source=True)
    assert path.read_bytes() == before


def test_failed_write_leaves_no_file_and_no_temp(tmp_path, monkeypatch):
    path = write(tmp_path / "s", FORMAT_SAMPLES["alpaca"][0], "jsonl")
    ds = load(path)
    out = tmp_path / "out" / "o.jsonl"
    out.parent.mkdir()
    out.write_bytes(b"previous complete file\n")

    def boom(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("os.fsync", boom)
    with pytest.raises(DatasetError, match="could not write the file .No space left on device.; the previous file"):
        export(ds, out)
    assert out.read_bytes() == b"previous complete file\n"
    assert [p.name for p in out.parent.iterdir()] == ["o.jsonl"]


def test_permission_error_is_a_clear_error(tmp_path, monkeypatch):
    path = write(tmp_path / "s", FORMAT_SAMPLES["alpaca"][0], "jsonl")
    ds = load(path)

    def denied(*_a, **_k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", denied)
    with pytest.raises(DatasetError, match="cannot write into this folder .Permission denied."):
        export(ds, tmp_path / "o.jsonl")
    assert not (tmp_path / "o.jsonl").exists()
