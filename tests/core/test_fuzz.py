"""Property tests: arbitrary input never raises anything but DatasetError; valid records round-trip."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.core.dataset import load
from explorer.core.errors import DatasetError
from explorer.core.export import export

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def _exercise(path):
    """Load, read every record, and export; only DatasetError may escape."""
    try:
        ds = load(path)
    except DatasetError:
        return None
    for i in range(len(ds)):
        record = ds.record(i)
        assert all(isinstance(m.content, str) for m in record.messages)
    export(ds, path.with_name("out" + "".join(path.suffixes)))
    return ds


@FAST
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".jsonl", ".json", ".csv", ".tsv", ".dat"]))
def test_arbitrary_bytes(tmp_path, data, suffix):
    path = tmp_path / ("x" + suffix)
    path.write_bytes(data)
    _exercise(path)


@FAST
@given(values=st.lists(json_values, max_size=6))
def test_arbitrary_json_values_per_line(tmp_path, values):
    path = tmp_path / "v.jsonl"
    data = "".join(json.dumps(v) + "\n" for v in values).encode()
    path.write_bytes(data)
    ds = _exercise(path)
    assert ds is not None
    assert len(ds) == sum(isinstance(v, dict) for v in values)
    assert (tmp_path / "out.jsonl").read_bytes() == data


@FAST
@given(values=st.lists(json_values, max_size=6), indent=st.sampled_from([None, 2, 4]))
def test_arbitrary_json_array(tmp_path, values, indent):
    path = tmp_path / "a.json"
    data = json.dumps(values, indent=indent, ensure_ascii=False).encode()
    path.write_bytes(data)
    ds = _exercise(path)
    assert ds is not None and len(ds) == sum(isinstance(v, dict) for v in values)
    assert (tmp_path / "out.json").read_bytes() == data


alpaca = st.fixed_dictionaries({"instruction": st.text(), "input": st.text(), "output": st.text()})


@FAST
@given(records=st.lists(alpaca, min_size=1, max_size=8), crlf=st.booleans(), final_newline=st.booleans())
def test_valid_records_round_trip(tmp_path, records, crlf, final_newline):
    ending = "\r\n" if crlf else "\n"
    text = ending.join(json.dumps(r, ensure_ascii=False) for r in records) + (ending if final_newline else "")
    path = tmp_path / "r.jsonl"
    path.write_bytes(text.encode("utf-8"))
    ds = load(path)
    assert [ds.source_object(i) for i in range(len(ds))] == records
    for i, r in enumerate(records):
        user = r["instruction"] + ("\n\n" + r["input"] if r["input"] else "")
        assert [(m.role, m.content) for m in ds.record(i).messages] == [("user", user), ("assistant", r["output"])]
    export(ds, tmp_path / "o.jsonl")
    assert (tmp_path / "o.jsonl").read_bytes() == text.encode("utf-8")
    export(ds, tmp_path / "m.jsonl", "messages")
    again = load(tmp_path / "m.jsonl")
    pairs = [[(m.role, m.content) for m in again.record(i).messages] for i in range(len(again))]
    assert pairs == [[(m.role, m.content) for m in ds.record(i).messages] for i in range(len(ds))]
