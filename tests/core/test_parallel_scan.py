"""Big JSONL files are scanned on two cores; the result must equal the one-core scan exactly."""

import json

import pytest

from explorer.core import helper_process, scanning
from explorer.core.dataset import load
from explorer.core.export import export


def mixed_lines() -> bytes:
    lines = []
    for i in range(600):
        if i % 97 == 5:
            lines.append(b"{broken json")
        elif i % 89 == 3:
            lines.append(b"")
        elif i % 50 == 7:
            lines.append(json.dumps({"question": f"q{i}", "answer": "a"}).encode())
        elif i % 71 == 9:
            lines.append(json.dumps({"odd": i}).encode())
        else:
            lines.append(json.dumps({"instruction": f"task {i} 数据", "output": "x" * (i % 13)}).encode())
    return b"\n".join(lines) + b"\n"


def snapshot(ds):
    return (ds.record_units.tolist(), [ds.format_of(i) for i in range(len(ds))],
            [(p.line, p.message, p.record) for p in ds.problems], list(ds.source.starts))


@pytest.mark.parametrize("helper_works", [True, False])
def test_two_core_scan_equals_one_core_scan(tmp_path, monkeypatch, helper_works):
    path = tmp_path / "big.jsonl"
    path.write_bytes(mixed_lines())
    one_core = snapshot(load(path))
    monkeypatch.setattr(scanning, "PARALLEL_MIN_BYTES", 1)
    if not helper_works:
        monkeypatch.setattr(helper_process.sys, "executable", "/bin/false")
    ds = load(path)
    assert scanning._split_point(ds.source) is not None
    assert snapshot(ds) == one_core
    assert ds.record(len(ds) - 1).instruction.startswith("task 599")
    export(ds, tmp_path / "out.jsonl")
    assert (tmp_path / "out.jsonl").read_bytes() == path.read_bytes()
