"""Two versions of a dataset: every record of A ∪ B is unchanged, edited, removed or added, paired one to one;
shares per kind shift as a hand count says; a curated export's manifest pairs it with its source exactly."""

import json

import numpy as np
import pytest

from explorer.cli.main import main
from explorer.core.compare.diff import MapOfA, compare_datasets
from explorer.core.compare.versions import manifest_pairs, share_shift
from explorer.core.curation.curated import id_ranges
from explorer.core.compare.word_diff import word_diff
from explorer.core.dataset import load
from tests.samples import write


def trigram_embed(texts: list[str]) -> np.ndarray:
    """Hashed character trigrams: a small edit keeps a high cosine, other texts stay apart."""
    out = np.zeros((len(texts), 512), np.float32)
    for r, text in enumerate(texts):
        t = f"  {text.lower()} "
        for i in range(len(t) - 2):
            out[r, hash(t[i:i + 3]) % 512] += 1
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


TOPICS = ("cooking", "astronomy", "football")


def v1_records() -> list[dict]:
    recs = []
    for t, topic in enumerate(TOPICS):
        for i in range(10):
            recs.append({"instruction": f"Tell me fact {i} about {topic}, the subject number {t}, in detail {i * 13}.",
                         "input": "", "output": f"Here is fact {i} about {topic}."})
    recs.append(dict(recs[5]))  # id 30: a second copy of record 5
    return recs


def v2_objects(v1: list[dict]) -> list[dict]:
    """v1 with 0-3 removed, 10-11's answers edited, 20's instruction edited, one copy of the duplicate
    removed, two records added — written as OpenAI messages, so only content can pair them."""
    keep = [r for i, r in enumerate(v1) if i not in (0, 1, 2, 3, 30)]
    edited = {10: {"output": "A better answer about astronomy."}, 11: {"output": "Fixed answer."},
              20: {"instruction": v1[20]["instruction"].replace("Tell me", "Please tell me")}}
    out = []
    for i, r in enumerate(v1):
        if i in (0, 1, 2, 3, 30):
            continue
        r = {**r, **edited.get(i, {})}
        out.append({"messages": [{"role": "user", "content": r["instruction"]},
                                 {"role": "assistant", "content": r["output"]}]})
    out.insert(7, {"messages": [{"role": "user", "content": "Write a haiku about taxes and the moon."},
                                {"role": "assistant", "content": "Forms in April..."}]})
    out.append({"messages": [{"role": "user", "content": "Write a haiku about rain."},
                             {"role": "assistant", "content": "Soft drops..."}]})
    assert len(keep) == 26
    return out


def versions(tmp_path):
    v1 = v1_records()
    a = load(write(tmp_path / "v1", v1, "jsonl"))
    b = load(write(tmp_path / "v2", v2_objects(v1), "jsonl"))
    return a, b


def test_every_record_is_unchanged_edited_removed_or_added_and_paired_one_to_one(tmp_path):
    a, b = versions(tmp_path)
    diff = compare_datasets(a, b, trigram_embed)
    m = diff.matching
    assert diff.counts() == {"unchanged": 23, "edited": 3, "removed": 5, "added": 2}
    assert m.ids("removed").tolist() == [0, 1, 2, 3, 30]  # the first copy of 5 stays paired, the second goes
    assert m.ids("added", "b").tolist() == [7, 27]
    assert sorted(i for i, _ in m.edited_pairs()) == [10, 11, 20]
    assert m.a_partner[20] >= 0 and 0.85 <= m.similarity[20] < 1.0  # the edited instruction: by nearest neighbour
    assert b.record(int(m.a_partner[20])).instruction.startswith("Please tell me fact 0 about football")
    paired = m.a_partner[m.a_partner >= 0]
    assert len(set(paired.tolist())) == len(paired)  # one to one
    assert all(m.b_partner[j] == i for i, j in enumerate(m.a_partner.tolist()) if j >= 0)
    fields = {f.field: f for f in diff.fields(20)}
    assert list(fields) == ["instruction"] and ("+", "Please tell") in fields["instruction"].ops or \
        any(op == "+" and "Please" in t for op, t in fields["instruction"].ops)
    assert [f.field for f in diff.fields(10)] == ["response"]


def test_without_an_embedder_an_edited_instruction_is_a_removal_and_an_addition(tmp_path):
    a, b = versions(tmp_path)
    assert compare_datasets(a, b, None).counts() == {"unchanged": 23, "edited": 2, "removed": 6, "added": 3}


def test_kind_share_shift_matches_a_hand_count(tmp_path):
    a, b = versions(tmp_path)

    def kind_of(text: str) -> str:
        return "creative_writing" if "haiku" in text else "open_qa" if "cooking" in text else "brainstorming"

    a_kinds = [kind_of(a.record(i).instruction) for i in range(len(a))]
    vectors = trigram_embed([a.record(i).instruction for i in range(len(a))])
    clusters = np.array([i // 10 if i < 30 else 0 for i in range(len(a))])
    map_of_a = MapOfA(vectors, np.random.default_rng(0).normal(size=(len(a), 2)).astype(np.float32), clusters,
                      a_kinds, {0: "cooking", 1: "astronomy", 2: "football"})
    diff = compare_datasets(a, b, trigram_embed, map_of_a, lambda texts, turns: [kind_of(t) for t in texts])
    shift = {r["group"]: r for r in diff.kind_shift}
    # by hand: A has 11 cooking (10 + the copy), 20 others; B has 6 cooking, 20 others, 2 haiku, of 28
    assert (shift["open_qa"]["a"], shift["open_qa"]["b"]) == (11, 6)
    assert (shift["creative_writing"]["a"], shift["creative_writing"]["b"]) == (0, 2)
    assert shift["creative_writing"]["shift"] == pytest.approx(2 / 28, abs=1e-4)
    assert shift["open_qa"]["shift"] == pytest.approx(6 / 28 - 11 / 31, abs=1e-4)
    partner = diff.matching.a_partner
    assert [diff.b_clusters[partner[i]] for i in (10, 11, 20, 15, 25)] == [1, 1, 2, 1, 2]  # placed where they were
    assert sum(r["b"] for r in diff.cluster_shift) == len(b)
    assert diff.b_xy.shape == (len(b), 2)
    unchanged_b = int(diff.matching.a_partner[15])
    assert np.allclose(diff.b_xy[unchanged_b], map_of_a.xy[15])


def test_share_shift_is_b_share_minus_a_share():
    rows = {r["group"]: r for r in share_shift(["x", "y"], ["y"])}
    assert rows["x"]["a"] == 1 and rows["x"]["shift"] == -0.5 and rows["y"]["shift"] == 0.5


def test_word_diff_gives_both_texts_back_and_splits_chinese_by_character():
    a, b = "Write a short poem about the sea.", "Write a long poem about the sea, please."
    ops = word_diff(a, b)
    assert "".join(t for op, t in ops if op != "+") == a and "".join(t for op, t in ops if op != "-") == b
    assert ("-", "short") in ops and ("+", "long") in ops
    zh = word_diff("写一首关于大海的诗", "写一首关于天空的诗")
    assert ("-", "大海") in zh and ("+", "天空") in zh
    rewrite = word_diff("1 km = 1,000 m, so 40 km = 40,000 m.", "A rewritten answer with reasons.")
    assert rewrite == [("-", "1 km = 1,000 m, so 40 km = 40,000 m."), ("+", "A rewritten answer with reasons.")]


def test_manifest_ranges_round_trip_and_misfits_are_refused():
    assert id_ranges([5, 1, 2, 3, 9]) == [[1, 4], [5, 6], [9, 10]]
    manifest = {"output": {"ids": [[1, 4], [9, 10]]}}
    assert manifest_pairs(manifest, 10, 4) == [(1, 0), (2, 1), (3, 2), (9, 3)]
    assert manifest_pairs(manifest, 9, 4) is None and manifest_pairs(manifest, 10, 5) is None
    assert manifest_pairs({"output": {}}, 10, 4) is None


def test_diff_of_a_curated_export_with_its_source_pairs_by_the_manifest(tmp_path, capsys):
    v1 = v1_records()
    src = write(tmp_path / "v1", v1, "jsonl")
    recipe = tmp_path / "r.jsonl"
    recipe.write_text("\n".join(json.dumps(e) for e in [
        {"op": "delete", "ids": [0, 4]},
        {"op": "set", "id": 7, "field": "instruction", "value": "Something else entirely, about knitting."},
    ]) + "\n")
    assert main(["apply", str(src), "--recipe", str(recipe)]) == 0
    out = tmp_path / "curated.jsonl"
    assert main(["export", str(src), "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["diff", str(out), "--json"]) == 0  # one argument: the source comes from the manifest
    report = json.loads(capsys.readouterr().out)
    assert report["counts"] == {"unchanged": 28, "edited": 1, "removed": 2, "added": 0}
    assert report["paired_by"]["manifest"] == 29
    assert [e["a"] for e in report["edited"]] == [7]  # a rewrite no similarity would pair, known from the manifest
    html = tmp_path / "diff.html"
    assert main(["diff", str(src), str(out), "--out", str(html)]) == 0
    text = capsys.readouterr().out
    assert "unchanged 28 · edited 1 · removed 2 · added 0" in text
    assert "<ins>" in html.read_text() and "knitting" in html.read_text()


def test_diff_needs_two_datasets_or_a_manifest(tmp_path, capsys):
    src = write(tmp_path / "v1", v1_records(), "jsonl")
    assert main(["diff", str(src)]) == 2
    assert "manifest" in capsys.readouterr().err


def test_a_model_blind_to_the_language_cannot_pair_strangers(tmp_path):
    """An English model gives Chinese texts nearly one vector; shared characters must still decide."""
    a = load(write(tmp_path / "a", [{"instruction": "解释齿槽转矩的概念。", "output": "一"},
                                    {"instruction": "创作一首关于猫的打油诗。", "output": "二"}], "jsonl"))
    b = load(write(tmp_path / "b", [{"instruction": "解释齿槽力矩的概念。", "output": "一"},
                                    {"instruction": "提供每晚睡个好觉的计划。", "output": "三"}], "jsonl"))
    same_vector = lambda texts: np.ones((len(texts), 8), np.float32) / np.sqrt(8)  # noqa: E731
    diff = compare_datasets(a, b, same_vector)
    assert diff.counts() == {"unchanged": 0, "edited": 1, "removed": 1, "added": 1}
    assert diff.matching.a_partner.tolist() == [0, -1]


def test_a_stale_manifest_is_not_trusted_and_the_report_never_overwrites_a_dataset(tmp_path, capsys):
    src = write(tmp_path / "v1", v1_records(), "jsonl")
    out = tmp_path / "curated.jsonl"
    assert main(["export", str(src), "--out", str(out)]) == 0
    lines = out.read_text().splitlines()
    out.write_text("\n".join(reversed(lines)) + "\n")  # B changed after the export: its manifest's ids are stale
    capsys.readouterr()
    assert main(["diff", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["paired_by"]["manifest"] == 0 and report["counts"]["unchanged"] == len(lines)
    before = src.read_bytes()
    assert main(["diff", str(src), str(out), "--out", str(src)]) == 2
    assert src.read_bytes() == before and "--out names one of the datasets" in capsys.readouterr().err


def test_records_without_an_instruction_pair_only_by_their_whole_content(tmp_path):
    a = load(write(tmp_path / "a", [{"instruction": "", "output": "an orphan answer"},
                                    {"instruction": "", "output": "same"}], "jsonl"))
    b = load(write(tmp_path / "b", [{"instruction": "", "output": "a brand new orphan"},
                                    {"instruction": "", "output": "same"}], "jsonl"))
    assert compare_datasets(a, b, trigram_embed).counts() == {"unchanged": 1, "edited": 0, "removed": 1, "added": 1}


def test_an_edited_answer_keeps_its_kind_cluster_and_place(tmp_path):
    convs = [{"conversations": [{"from": "human", "value": f"Hi {i}"}, {"from": "gpt", "value": "Hello"},
                                {"from": "human", "value": f"Tell me about topic {i}"},
                                {"from": "gpt", "value": "Sure"}]} for i in range(6)]
    edited = [dict(c, conversations=c["conversations"][:3] + [{"from": "gpt", "value": "Better"}]) if i < 3 else c
              for i, c in enumerate(convs)]
    a, b = load(write(tmp_path / "a", convs, "jsonl")), load(write(tmp_path / "b", edited, "jsonl"))
    vectors = trigram_embed([a.record(i).instruction for i in range(6)])
    map_of_a = MapOfA(vectors, np.arange(12, dtype=np.float32).reshape(6, 2), np.zeros(6, np.int64),
                      ["multi_turn"] * 6, {0: "chat"})
    asked = []
    diff = compare_datasets(a, b, trigram_embed, map_of_a, lambda t, turns: asked.extend(t) or ["chat"] * len(t))
    assert diff.counts()["edited"] == 3 and asked == []  # nothing to predict: the instructions did not change
    assert all(r["shift"] == 0 for r in diff.kind_shift) and np.allclose(diff.b_xy, map_of_a.xy)
