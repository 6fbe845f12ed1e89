"""Every format in every container: detected format, record count and normalized messages."""

import pytest

from explorer.core.dataset import load
from tests.samples import EXPECTED_FORMAT, FLAT, FORMAT_SAMPLES, OASST_ROWS, roles, write

CONTAINERS = ["jsonl", "jsonl.gz", "json", "json_wrapped", "parquet", "csv", "tsv", "hf", "hf_dict"]
CASES = [(fmt, c) for fmt in FORMAT_SAMPLES for c in CONTAINERS
         if c not in ("csv", "tsv") or fmt in FLAT]


@pytest.mark.parametrize("fmt,container", CASES)
def test_format_in_container(tmp_path, fmt, container):
    objects, expected = FORMAT_SAMPLES[fmt]
    path = write(tmp_path / "data", objects, container)
    ds = load(path)
    assert ds.format == EXPECTED_FORMAT.get(fmt, fmt)
    assert len(ds) == len(objects)
    assert not [p for p in ds.problems if p.severity == "error"]
    assert roles(ds.record(0)) == expected
    assert ds.container == {"json_wrapped": "json", "hf_dict": "hf"}.get(container, container)


def test_tool_calls_are_kept(tmp_path):
    path = write(tmp_path / "d", FORMAT_SAMPLES["messages"][0], "jsonl")
    record = load(path).record(0)
    assert record.messages[1].extra["tool_calls"][0]["function"]["name"] == "weather"
    assert record.messages[2].extra == {"tool_call_id": "c1"}


def test_sharegpt_keeps_source_roles(tmp_path):
    record = load(write(tmp_path / "d", FORMAT_SAMPLES["sharegpt"][0], "jsonl")).record(0)
    assert [m.source_role for m in record.messages] == ["system", "human", "gpt"]
    assert record.meta == {"id": "a1"}


@pytest.mark.parametrize("container", ["jsonl", "parquet"])
def test_oasst_rows_become_threads(tmp_path, container):
    ds = load(write(tmp_path / "o", OASST_ROWS, container))
    assert ds.format == "oasst"
    assert len(ds) == 2  # two leaves: m2 and m4
    first, second = ds.record(0), ds.record(1)
    assert roles(first) == [("user", "Tell me a joke."), ("assistant", "Why did the chicken cross?")]
    assert roles(second) == [("user", "Tell me a joke."), ("assistant", "Knock knock."), ("user", "Who's there?")]
    assert second.meta["message_ids"] == ["m1", "m3", "m4"]


def test_mixed_file_is_classified_per_record_and_reported(tmp_path):
    objects = FORMAT_SAMPLES["alpaca"][0] + FORMAT_SAMPLES["sharegpt"][0] + [{"foo": 1}]
    ds = load(write(tmp_path / "m", objects, "jsonl"))
    assert ds.format_counts() == {"alpaca": 2, "sharegpt": 1, "unknown": 1}
    assert [ds.format_of(i) for i in range(4)] == ["alpaca", "alpaca", "sharegpt", "unknown"]
    messages = [p.message for p in ds.problems]
    assert any(m.startswith("mixed formats: alpaca 2, sharegpt 1, unknown 1") for m in messages)
    assert any("no known format for keys foo" in m and p.line == 4 for p, m in zip(ds.problems, messages))


def test_hf_dataset_dict_split_choice(tmp_path):
    path = write(tmp_path / "hf", FORMAT_SAMPLES["alpaca"][0], "hf_dict")
    assert len(load(path)) == 2
    assert len(load(path, split="test")) == 1
    from explorer.core.errors import DatasetError

    with pytest.raises(DatasetError, match="no split 'dev'; the folder has train, test"):
        load(path, split="dev")


def test_hub_style_folder_with_split_names(tmp_path):
    folder = tmp_path / "hub"
    (folder / "data").mkdir(parents=True)
    write(folder / "data" / "train-00000-of-00001", FORMAT_SAMPLES["alpaca"][0], "parquet")
    write(folder / "data" / "test-00000-of-00001", FORMAT_SAMPLES["qa"][0], "parquet")
    assert load(folder).format == "alpaca"
    assert load(folder, split="test").format == "qa"


def test_null_and_non_string_content_is_typed_never_none(tmp_path):
    objects = [{"instruction": "Q", "input": None, "output": None}, {"instruction": 42, "output": ["a", 1]}]
    ds = load(write(tmp_path / "n", objects, "jsonl"))
    first, second = ds.record(0), ds.record(1)
    assert roles(first) == [("user", "Q"), ("assistant", "")]
    assert first.warnings == ["output is null"]
    assert "None" not in first.instruction + first.response
    assert second.instruction == "42"
    assert second.response == '["a", 1]'
    assert any("instruction is a int" in w for w in second.warnings)
