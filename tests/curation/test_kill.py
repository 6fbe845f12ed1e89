"""SIGKILL at random moments: every edit reported as committed survives; an export is never half-written."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from explorer.core.curation.session import Session, source_fingerprint
from explorer.core.dataset import load
from tests.samples import write

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")


def start(args, home):
    env = {**os.environ, "SFT_EXPLORER_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "explorer", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env, text=True)


def test_kill_while_applying_a_recipe_loses_no_reported_edit(tmp_path, monkeypatch):
    source = write(tmp_path / "src", [{"instruction": f"q{i}", "input": "", "output": f"a{i}"} for i in range(300)],
                   "jsonl")
    fingerprint = source_fingerprint(source)
    rng = random.Random(5)
    recipe = tmp_path / "recipe.jsonl"
    ops = []
    for k in range(4000):
        rid = rng.randrange(300)
        ops.append(rng.choice([{"op": "tag", "ids": [rid], "tag": f"t{k % 7}"}, {"op": "delete", "ids": [rid]},
                               {"op": "restore", "ids": [rid]},
                               {"op": "set", "id": rid, "field": "response", "value": f"v{k}"}]))
    recipe.write_text("".join(json.dumps(o) + "\n" for o in ops))
    for attempt in range(8):
        home = tmp_path / f"home{attempt}"
        proc = start(["apply", str(source), "--recipe", str(recipe)], home)
        time.sleep(rng.uniform(1.0, 3.0))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        printed = [line for line in out.splitlines() if line.startswith("committed ")]
        monkeypatch.setenv("SFT_EXPLORER_HOME", str(home))
        with Session(load(source)) as session:
            rows = session._db.execute("SELECT seq, label FROM journal ORDER BY seq").fetchall()
            assert len(printed) <= len(rows) <= len(printed) + 1, (attempt, len(printed), len(rows))
            for line, (seq, label) in zip(printed, rows):
                assert line.startswith(f"committed {seq}: {label} ")
            assert session.replay.edits == len(rows)
        assert source_fingerprint(source) == fingerprint
    assert printed, "the kills came too early to test anything"


def test_kill_during_export_leaves_the_old_file_or_the_new_one(tmp_path):
    records = [{"instruction": f"question {i} " * 5, "input": "", "output": f"answer {i} " * 20} for i in range(60000)]
    source = write(tmp_path / "big", records, "jsonl")
    reference = tmp_path / "reference.jsonl"
    home = tmp_path / "home"
    done = start(["export", str(source), "--out", str(reference), "--to", "messages"], home)
    assert done.wait(timeout=300) == 0
    expected = reference.read_bytes()
    out = tmp_path / "out.jsonl"
    previous = b'{"previous": "complete file"}\n'
    rng = random.Random(9)
    for attempt in range(6):
        out.write_bytes(previous)
        proc = start(["export", str(source), "--out", str(out), "--to", "messages"], home)
        time.sleep(rng.uniform(0.3, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        data = out.read_bytes()
        assert data in (previous, expected), f"attempt {attempt}: a partial file of {len(data)} bytes"
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.jsonl.")]
        for name in leftovers:  # a killed writer may leave its temp file; it is never the target
            (tmp_path / name).unlink()
