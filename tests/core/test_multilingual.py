"""The bundled multilingual model (USE multilingual v3, offline, CPU) and the kinds judged on it."""

import dataclasses
import json

import numpy as np

from explorer.core.analysis.embedding import make_embedder, model_id_for
from explorer.core.analysis.multilingual import MULTILINGUAL_MODEL, MultilingualEmbedder


def test_english_and_chinese_of_one_task_are_neighbours():
    embedder = make_embedder(MULTILINGUAL_MODEL, "cpu")
    assert isinstance(embedder, MultilingualEmbedder) and embedder.dim == 512 and embedder.device == "cpu"
    assert embedder.model_id == model_id_for(MULTILINGUAL_MODEL)
    v = embedder.encode(["Translate this sentence into French.", "把这句话翻译成法语。",
                         "Write a poem about the sea.", "写一首关于大海的诗。", ""])
    assert v.shape == (5, 512) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    sims = v @ v.T
    assert sims[0, 1] > sims[0, 3] + 0.3 and sims[2, 3] > sims[2, 1] + 0.3


def test_kinds_are_judged_on_the_kind_model_and_the_map_on_its_own(tmp_path):
    """Default: the map embeds with the map's model, the kinds with the multilingual one (instructions and example
    bank); 'same' embeds nothing with a second model."""
    from explorer.core.analysis.embed_cache import EmbeddingCache
    from explorer.core.analysis.params import AnalysisParams
    from explorer.core.analysis.pipeline import Pipeline
    from explorer.core.dataset import load
    from tests.fakes import FakeEmbedder, planted_records

    records, _ = planted_records(12)
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    asked: list[str] = []

    def factory(p):
        asked.append(p.model)
        return FakeEmbedder(model_id=p.model)

    params = AnalysisParams(model="fake-map-model", min_cluster_size=5)
    pipeline = Pipeline(load(path), factory, EmbeddingCache(tmp_path / "cache.sqlite"))
    analysis = pipeline.run(params)
    assert sorted(set(asked)) == ["fake-map-model", MULTILINGUAL_MODEL]
    assert pipeline.runs["kind_embeddings"] == 1 and len(analysis.kinds) == len(records)
    assert analysis.vectors.shape[1] == 32

    asked.clear()
    same = Pipeline(load(path), factory, EmbeddingCache(tmp_path / "cache2.sqlite"))
    same.run(dataclasses.replace(params, kind_model="same"))
    assert set(asked) == {"fake-map-model"} and same.runs["kind_embeddings"] == 0


def test_auto_picks_the_multilingual_model_for_data_not_mostly_english():
    from explorer.core.analysis.embedding import DEFAULT_MODEL
    from explorer.core.analysis.multilingual import pick_model, resolve_model

    chinese = ["请把下面这段话翻译成英文。"] * 3
    english = ["Please translate the following paragraph into French."] * 7
    assert pick_model(chinese) == MULTILINGUAL_MODEL
    assert pick_model(chinese + english) == MULTILINGUAL_MODEL  # 30 % Chinese
    assert pick_model(chinese[:1] + english * 2) == DEFAULT_MODEL  # 7 %
    assert pick_model(["ok", "", "42"] + english) == DEFAULT_MODEL  # texts too short to tell do not count
    assert pick_model([]) == DEFAULT_MODEL
    assert resolve_model("auto", chinese) == MULTILINGUAL_MODEL and resolve_model("my-model", chinese) == "my-model"


def test_auto_draws_a_chinese_map_with_the_multilingual_model_and_the_kinds_reuse_its_vectors(tmp_path):
    from explorer.core.analysis.embed_cache import EmbeddingCache
    from explorer.core.analysis.params import AnalysisParams
    from explorer.core.analysis.pipeline import Pipeline
    from explorer.core.dataset import load
    from tests.fakes import FakeEmbedder

    topics = ["烹饪", "天文", "足球", "诗歌", "税务"]
    records = [{"instruction": f"请介绍关于{t}的第{i}个知识点，并举一个例子。", "input": "", "output": "好的。"}
               for t in topics for i in range(8)]
    path = tmp_path / "zh.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    asked: list[str] = []

    def factory(p):
        asked.append(p.model)
        return FakeEmbedder(model_id=p.model)

    pipeline = Pipeline(load(path), factory, EmbeddingCache(tmp_path / "cache.sqlite"))
    analysis = pipeline.run(AnalysisParams(min_cluster_size=5))
    assert AnalysisParams().model == "auto"
    assert analysis.params.model == MULTILINGUAL_MODEL and analysis.embedding["model"] == MULTILINGUAL_MODEL
    assert set(asked) == {MULTILINGUAL_MODEL} and pipeline.runs["kind_embeddings"] == 0  # one space for both


def test_kind_vectors_are_embedded_a_part_at_a_time_with_one_progress(tmp_path, monkeypatch):
    from explorer.core.analysis import pipeline_kinds
    from explorer.core.analysis.embed_cache import EmbeddingCache
    from explorer.core.analysis.params import AnalysisParams
    from explorer.core.analysis.pipeline import Pipeline, kinds_params
    from explorer.core.dataset import load
    from tests.fakes import FakeEmbedder, planted_records

    records, _ = planted_records(5)  # 25 records
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    fake = FakeEmbedder(model_id=MULTILINGUAL_MODEL)
    pipeline = Pipeline(load(path), lambda p: fake, EmbeddingCache(tmp_path / "cache.sqlite"))
    texts = pipeline._stage("texts", (), lambda: pipeline.read(None, None), {})
    monkeypatch.setattr(pipeline_kinds, "KIND_PART", 7)
    seen: list[tuple[int, int]] = []
    vectors = pipeline._kind_vectors(texts, kinds_params(AnalysisParams()), {},
                                     lambda done, total, text: seen.append((done, total)), None)
    assert vectors.dtype == np.float16 and vectors.shape == (25, fake.dim)
    whole = FakeEmbedder().encode(list(texts.instruction))
    assert np.allclose(vectors.astype(np.float32), whole, atol=2e-3)
    assert all(total == 25 for _, total in seen) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1][0] == 25


def test_auto_and_same_are_resolved_where_they_mean_something_and_refused_as_models():
    import pytest

    from explorer.core.analysis.params import AnalysisParams
    from explorer.core.analysis.pipeline import kinds_params
    from explorer.core.errors import DatasetError

    assert kinds_params(AnalysisParams(model="m", kind_model="auto")).model == MULTILINGUAL_MODEL
    assert kinds_params(AnalysisParams(model="m", kind_model="same")).model == "m"
    for name in ("auto", "same"):
        with pytest.raises(DatasetError, match="not an embedding model"):
            make_embedder(name)


def test_a_ray_actor_share_of_threads_reaches_the_multilingual_model():
    assert make_embedder(MULTILINGUAL_MODEL, "cuda", threads=1).model.threads == 1  # numpy: the CPU whatever asked


PASSAGES = [
    "去年秋天，王明和李华从北京出发，坐了十二个小时的火车到达西安。他们先去了兵马俑，又在回民街吃了羊肉泡馍，最后一天还爬了华山。",
    "比赛第七十分钟，张伟在禁区外一脚远射破门，帮助上海队以二比一战胜广州队。赛后主教练陈刚表示，球队在成都的集训效果明显。",
    "Last spring Maria Lopez drove from Denver to Santa Fe with her brother Tom. They stopped in Taos for two nights "
    "and ate green chile stew at a diner their aunt Rosa had recommended.",
    "In the 70th minute, Daniel Okafor curled a shot past the keeper to give Leeds a 2-1 win over Norwich. "
    "Afterwards coach Helen Marsh said the week of training in Valencia had paid off.",
]


def test_a_request_followed_by_its_passage_is_judged_mostly_on_the_request(tmp_path, monkeypatch):
    """'Find the names in the passage below:' + a travel story or a match report: the kinds mix the request's
    features in (`request_frame`), which makes entity recognition clearer than the passage alone would; kinds of
    new instructions (`predict_kinds`, used by the dataset diff) are judged the same way."""
    from explorer.core.analysis import request_frame
    from explorer.core.analysis.embed_cache import EmbeddingCache
    from explorer.core.analysis.params import AnalysisParams
    from explorer.core.analysis.pipeline import Pipeline
    from explorer.core.dataset import load

    asks = [f"找出下面这段话中的所有人名和地名：\n{p}" for p in PASSAGES[:2]]
    asks += [f"List every person and place named in the passage below:\n{p}" for p in PASSAGES[2:]]
    others = ["写一首关于秋天的诗。", "如何学好数学？", "Write a short poem about autumn.",
              "How do I learn to play the guitar?", "Translate 'good morning' into Spanish.", "把“谢谢”翻译成英文。"]
    path = tmp_path / "ner.jsonl"
    path.write_text("".join(json.dumps({"instruction": t}, ensure_ascii=False) + "\n" for t in asks + others),
                    encoding="utf-8")
    confidence = {}
    for share in (0.0, request_frame.SHARE):
        monkeypatch.setattr(request_frame, "SHARE", share)
        pipeline = Pipeline(load(path), cache=EmbeddingCache(tmp_path / "cache.sqlite"))
        analysis = pipeline.run(AnalysisParams(min_cluster_size=3))
        assert analysis.kinds[:4] == ["entity_recognition"] * 4
        confidence[share] = float(np.mean(analysis.kind_confidence[:4]))
    assert confidence[request_frame.SHARE] > confidence[0.0] + 0.1
    assert pipeline.predict_kinds(asks, AnalysisParams(min_cluster_size=3)) == ["entity_recognition"] * 4
