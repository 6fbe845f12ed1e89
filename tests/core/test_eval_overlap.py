"""Eval overlap: training records that copy an eval item (exactly, inside a longer prompt, in Chinese, or as a
paraphrase) are flagged with a pointer to the item; unrelated records and shared template wording are not."""

import json

import numpy as np

from explorer.cli.main import main
from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis.eval_overlap import EvalSets, find_overlaps, load_eval_sets, ngram_matches, units
from explorer.core.analysis.pipeline import AnalysisParams, Pipeline
from explorer.core.dataset import load
from tests.fakes import FakeEmbedder
from tests.samples import write

GSM = ("Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. "
       "How many clips did Natalia sell altogether in April and May?")
WENG = ("Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. "
        "How much did she earn?")
ZH = "小明有5个苹果，吃了2个，又买了3个，现在有几个苹果？请写出计算过程。"
TEMPLATE = "Answer the following question with a single word and explain nothing else at all:"
EVAL_ITEMS = [GSM, WENG, ZH, "What is the capital of Peru?", f"{TEMPLATE} what colour is the sky?",
              f"{TEMPLATE} what is frozen water?", f"{TEMPLATE} which animal barks?",
              f"{TEMPLATE} what do bees make?"]


def test_units_are_lowercased_words_and_single_cjk_characters():
    assert units("Hello, World! 你好 42") == ["hello", "world", "你", "好", "42"]


def test_ngram_matches_copies_containment_chinese_and_short_items_but_not_templates_or_strangers():
    train = [
        GSM,                                                   # exact copy
        "Solve this step by step. " + GSM.replace("altogether", "in total") + " Show your work.",  # inside a prompt
        "请回答：小明有5个苹果，吃了2个，又买了3个，现在有几个苹果？",  # Chinese, 13+ characters shared
        "What is the capital of Peru?",                       # a short item, same text
        f"{TEMPLATE} what is the boiling point of water?",    # only the template is shared
        "Write a haiku about autumn leaves falling on a quiet pond in the evening light.",
        "What is the capital of France?",
    ]
    hits = ngram_matches(train, EVAL_ITEMS, 13)
    assert [h[0] if h else None for h in hits] == [0, 0, 2, 3, None, None, None]
    assert "natalia sold clips" in hits[1][1]
    assert "苹果" in hits[2][1]


def test_find_overlaps_adds_embedding_matches_and_says_how(tmp_path):
    sets = EvalSets(["gsm.jsonl"], list(EVAL_ITEMS[:2]), [0, 0], [0, 1])
    rng = np.random.default_rng(0)
    items = rng.normal(size=(2, 16)).astype(np.float32)
    items /= np.linalg.norm(items, axis=1, keepdims=True)
    near = items[1] + 0.1 * rng.normal(size=16).astype(np.float32)
    train_vectors = np.vstack([items[0], near / np.linalg.norm(near), -items[0]]).astype(np.float32)
    train = [GSM, "Weng makes $12 per hour babysitting; she babysat 50 minutes yesterday. What did she make?", "Hi"]
    found = find_overlaps(train, train_vectors, sets, items, 13, 0.9)
    assert found[0].how == "13-gram" and found[0].item == 0
    assert found[1].how == "embedding" and found[1].item == 1 and found[1].similarity >= 0.9
    assert found[2] is None


def test_eval_files_load_with_the_normal_loaders_and_an_empty_one_is_a_clear_error(tmp_path):
    gsm = write(tmp_path / "gsm", [{"question": GSM, "answer": "72"}, {"question": WENG, "answer": "10"}], "jsonl")
    prompts = write(tmp_path / "prompts", [{"instruction": ZH}], "jsonl")
    sets = load_eval_sets([str(gsm), str(prompts)])
    assert sets.texts == [GSM, WENG, ZH] and sets.set_of == [0, 0, 1] and sets.record_ids == [0, 1, 0]
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    try:
        load_eval_sets([str(empty)])
    except Exception as e:  # noqa: BLE001 - the message is what is checked
        assert "empty.jsonl" in str(e)
    else:
        raise AssertionError("an empty eval set must be refused")


def test_pipeline_flags_overlaps_places_eval_items_and_reruns_only_the_eval_stages(tmp_path):
    train = [{"instruction": f"cooking question {i}: how long to boil pasta number {i}?", "output": "ten minutes"}
             for i in range(30)]
    train[4]["instruction"] = GSM
    train[9]["instruction"] = "Please answer: " + ZH
    path = write(tmp_path / "train", train, "jsonl")
    eval_path = write(tmp_path / "eval", [{"question": GSM}, {"question": ZH}, {"question": "astronomy now"}], "jsonl")
    fake = FakeEmbedder()
    pipeline = Pipeline(load(path), lambda p: fake, EmbeddingCache(tmp_path / "c.sqlite"))
    params = AnalysisParams(model="fake", seed=1, min_cluster_size=5)
    plain = pipeline.run(params)
    assert plain.eval_overlap == [] and plain.eval_items is None
    pipeline.set_eval_sets([str(eval_path)])
    analysis = pipeline.run(params)
    flagged = [i for i, f in enumerate(analysis.flags) if "eval_overlap" in f]
    assert flagged == [4, 9]
    assert analysis.eval_overlap[4]["eval_set"] == "eval.jsonl" and analysis.eval_overlap[4]["item"] == 0
    assert analysis.eval_overlap[9]["item"] == 1 and analysis.eval_overlap[9]["how"] == "13-gram"
    assert analysis.eval_items.xy.shape == (3, 2) and np.isfinite(analysis.eval_items.xy).all()
    assert pipeline.runs["map"] == 1 and pipeline.runs["checks"] == 1  # only the eval stages ran again
    assert "eval_overlap" not in plain.flags[4]  # the cached checks were not changed in place


def test_analyze_with_eval_flags_the_real_models_paraphrase_and_export_leaves_overlaps_out(tmp_path, capsys):
    topics = ["Write a limerick about a cat who loves jazz.", "Summarize the plot of Hamlet in two sentences.",
              "Translate 'good morning' into Spanish.", "List three uses of baking soda.",
              "Explain photosynthesis to a ten-year-old.", "Give me a packing list for a weekend hike."]
    train = [{"instruction": f"{t} (variant {i})", "output": "Sure."} for i in range(4) for t in topics]
    train += [{"instruction": GSM, "output": "72"},
              {"instruction": "Weng makes $12 per hour babysitting. Yesterday she babysat for only 50 minutes. "
                              "How much money did she make?", "output": "$10"},
              {"instruction": "请回答：" + ZH, "output": "6个"}]
    path = write(tmp_path / "train", train, "jsonl")
    items = [{"question": GSM, "answer": "72"}, {"question": WENG, "answer": "10"}, {"question": ZH, "answer": "6"},
             {"question": "How many legs does a spider have?", "answer": "8"}]
    eval_path = write(tmp_path / "gsm_test", items, "jsonl")
    out = tmp_path / "analysis"
    assert main(["analyze", str(path), "--out", str(out), "--eval", str(eval_path), "--seed", "1"]) == 0
    printed = capsys.readouterr().out
    assert "Eval set gsm_test.jsonl: 4 items; 3 training records overlap it (2 by n-gram, 1 by embedding)" in printed
    rows = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    hits = {r["id"]: r["eval_overlap"] for r in rows if r["eval_overlap"]}
    assert sorted(hits) == [24, 25, 26]
    assert hits[25]["how"] == "embedding" and hits[25]["item"] == 1 and hits[25]["similarity"] >= 0.9
    assert all("eval_overlap" in rows[i]["flags"] for i in hits)
    assert "Eval overlap" in (out / "report.html").read_text()
    curated = tmp_path / "clean.jsonl"
    assert main(["export", str(path), "--out", str(curated), "--analysis", str(out),
                 "--without-flag", "eval_overlap"]) == 0
    kept = [json.loads(line)["instruction"] for line in curated.read_text().splitlines()]
    assert len(kept) == len(train) - 3 and GSM not in kept


def test_an_eval_file_of_no_known_format_gives_its_question_key(tmp_path):
    rows = [{"question_id": 1, "category": "数学", "question": ZH, "reference": "6", "evidences": [{"url": "x"}]},
            {"question_id": 2, "category": "常识", "question": "血液是如何凝固的？", "reference": "…", "evidences": []}]
    path = write(tmp_path / "alignbench", rows, "jsonl")
    assert load_eval_sets([str(path)]).texts == [ZH, "血液是如何凝固的？"]
    problem = [p for p in load(path).problems if p.kind == "format_unknown"][0]
    assert "--map instruction=question,response=reference" in problem.message


def test_a_model_blind_to_chinese_does_not_make_strangers_paraphrases():
    sets = EvalSets(["zh.jsonl"], ["血液是如何凝固的？", "世界上最早的已知计算机是什么？"], [0, 0], [0, 1])
    same = np.ones((2, 8), np.float32) / np.sqrt(8)  # an English model: every Chinese text at one place
    train = ["朱利叶斯·凯撒是如何死的？", "血液是怎样凝固的？"]
    found = find_overlaps(train, same, sets, same, 13, 0.9)
    assert found[0] is None and found[1].item == 0 and found[1].how == "embedding"


def test_a_template_shorter_than_the_ngram_is_masked_too():
    template = "阅读下面的句子并回答问题："  # 12 units: no 13-gram of it alone
    rng = np.random.default_rng(0)
    chars = "天地人山水火木金土日月星云风雨雪花草鸟鱼春夏秋冬东南西北红黄蓝绿"
    items = [template + "".join(rng.choice(list(chars), 16)) for _ in range(100)]
    decoy = template + items[5][12] + "海之间有什么不同？"  # the template and one character of an item
    copy = "请回答：" + items[37]
    hits = ngram_matches([decoy, copy], items, 13)
    assert hits[0] is None and hits[1][0] == 37


def test_nearest_matches_brute_force_exactly_and_with_the_index():
    from explorer.core.analysis.nearest import nearest

    rng = np.random.default_rng(1)
    base = rng.normal(size=(300, 16)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    query = base[:40] + 0.05 * rng.normal(size=(40, 16)).astype(np.float32)
    query /= np.linalg.norm(query, axis=1, keepdims=True)
    truth = np.argsort(-(query @ base.T), axis=1)[:, :3]
    for k in (1, 3):
        idx, sims = nearest(query, base, k)
        assert np.array_equal(idx, truth[:, :k]) and np.all(np.diff(sims, axis=1) <= 0)
    idx, _ = nearest(query, base, 3, exact_pairs_max=0)  # the cell index
    assert (idx[:, 0] == truth[:, 0]).mean() >= 0.95


def test_a_saved_eval_set_that_is_gone_is_skipped_with_a_warning_but_a_named_one_is_an_error(tmp_path, capsys):
    from explorer.core.settings import load_eval_sets, save_eval_sets

    path = write(tmp_path / "train", [{"instruction": f"Write a line about the sea, take {i}.", "output": "Waves."}
                                      for i in range(8)], "jsonl")
    gone = str(tmp_path / "unmounted" / "gsm8k_test.jsonl")
    save_eval_sets([gone])
    assert main(["analyze", str(path), "--out", str(tmp_path / "a"), "--seed", "1"]) == 0
    assert "eval set in your settings not found, skipped" in capsys.readouterr().err
    assert load_eval_sets() == [gone]  # kept for when the drive is back
    assert main(["analyze", str(path), "--out", str(tmp_path / "b"), "--eval", gone]) == 2
