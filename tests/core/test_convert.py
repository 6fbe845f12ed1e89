"""Exports converted to alpaca / sharegpt / messages and to Parquet."""

import json

import pytest

from explorer.core.dataset import load
from explorer.core.export import export
from tests.samples import FORMAT_SAMPLES, roles, write


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("target", ["alpaca", "sharegpt", "messages"])
@pytest.mark.parametrize("source_fmt", ["alpaca", "alpaca_history", "dolly", "sharegpt", "qa", "lima", "openorca"])
def test_conversion_preserves_the_conversation(tmp_path, source_fmt, target):
    objects = FORMAT_SAMPLES[source_fmt][0]
    ds = load(write(tmp_path / "s", objects, "jsonl"))
    out = tmp_path / "o.jsonl"
    result = export(ds, out, target)
    assert result.skipped == [] and result.written == len(objects)
    again = load(out)
    assert again.format == target
    for i in range(len(objects)):
        assert roles(again.record(i)) == roles(ds.record(i))


def test_alpaca_cannot_express_tool_turns_and_says_so(tmp_path):
    plain = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
    ds = load(write(tmp_path / "s", FORMAT_SAMPLES["messages"][0] + [plain], "jsonl"))
    result = export(ds, tmp_path / "o.jsonl", "alpaca")
    assert result.written == 1
    assert result.skipped == [(0, "alpaca cannot express it: has tool turns")]
    assert read_jsonl(tmp_path / "o.jsonl") == [{"instruction": "hi", "input": "", "output": "hello"}]


def test_messages_keeps_tool_calls_and_sharegpt_writes_function_calls(tmp_path):
    ds = load(write(tmp_path / "s", FORMAT_SAMPLES["messages"][0], "jsonl"))
    export(ds, tmp_path / "m.jsonl", "messages")
    assert read_jsonl(tmp_path / "m.jsonl")[0] == FORMAT_SAMPLES["messages"][0][0]
    export(ds, tmp_path / "g.jsonl", "sharegpt")
    tags = [t["from"] for t in read_jsonl(tmp_path / "g.jsonl")[0]["conversations"]]
    assert tags == ["human", "function_call", "observation", "gpt"]


def test_sharegpt_to_sharegpt_keeps_source_tags(tmp_path):
    ds = load(write(tmp_path / "s", FORMAT_SAMPLES["sharegpt"][0], "jsonl"))
    export(ds, tmp_path / "g.json", "sharegpt")
    data = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    assert data == [{"conversations": FORMAT_SAMPLES["sharegpt"][0][0]["conversations"]}]


def test_parquet_export_keeps_format_and_reads_back(tmp_path):
    objects = FORMAT_SAMPLES["dolly"][0]
    ds = load(write(tmp_path / "s", objects, "jsonl"))
    result = export(ds, tmp_path / "o.parquet", "parquet")
    assert (result.container, result.format) == ("parquet", "dolly")
    again = load(tmp_path / "o.parquet")
    assert again.format == "dolly" and again.source_object(0) == objects[0]


def test_converted_export_reports_bad_lines_it_cannot_carry(tmp_path):
    path = tmp_path / "b.jsonl"
    path.write_bytes(b'{"instruction": "q", "output": "a"}\nnot json\n')
    result = export(load(path), tmp_path / "o.jsonl", "messages")
    assert (result.written, result.unreadable_dropped) == (1, 1)


def test_oasst_threads_export_as_conversations(tmp_path):
    from tests.samples import OASST_ROWS

    ds = load(write(tmp_path / "o", OASST_ROWS, "jsonl"))
    export(ds, tmp_path / "m.jsonl", "messages")
    assert [len(r["messages"]) for r in read_jsonl(tmp_path / "m.jsonl")] == [2, 3]
