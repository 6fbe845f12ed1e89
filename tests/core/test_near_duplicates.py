"""Near-duplicates: records of one template with different slots are not copies of one another, small edits are;
groups never chain a record to one it is not close to; the analysis and the review panel use the same rule."""

import numpy as np

from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis.near_duplicates import OwnWording, near_duplicate_groups
from explorer.core.analysis.pipeline import AnalysisParams, Pipeline
from explorer.core.analysis.projection import Neighbors
from explorer.core.dataset import load
from tests.fakes import FakeEmbedder, _unit
from tests.samples import write

INTENT = "{u}\n这个问诊句子是什么意图分类？\n选项：关于症状的询问，关于病因的回答，给出诊断，关于用药建议的提问"
UTTERANCES = ["谢谢", "你好", "不客气", "有问题随时联系吧", "好的", "确定", "哦", "嗯嗯"]
REVIEW = ("Review: {t}\nIs this movie review positive or negative? Answer with one word.")
REVIEWS = ["the plot drags and the acting is wooden from start to finish",
           "a warm, funny film that never talks down to its audience",
           "beautifully shot but the script has nothing to say",
           "one of the best thrillers of the decade, tense and clever",
           "i walked out halfway through, bored out of my mind",
           "the cast is charming and the songs are catchy"]


def all_pairs(n: int, sim: float) -> Neighbors:
    """A neighbour graph where every record is every other's neighbour at cosine `sim`."""
    idx = np.array([[i] + [j for j in range(n) if j != i] for i in range(n)], np.int64)
    dist = np.full(idx.shape, 1.0 - sim, np.float32)
    dist[:, 0] = 0.0
    return Neighbors(idx, dist)


def test_one_template_with_different_slots_is_not_a_copy_but_a_small_edit_is():
    texts = [INTENT.format(u=u) for u in UTTERANCES] + [REVIEW.format(t=t) for t in REVIEWS]
    texts += [INTENT.format(u="谢谢！"), REVIEW.format(t=REVIEWS[0].replace("wooden", "wooden,") + " really")]
    own = OwnWording.of(texts)
    assert own.own(0) == {"谢", ("谢", "谢"), ("谢", "这")}  # the slot and where it meets the template
    roots = near_duplicate_groups(all_pairs(len(texts), 0.99), 0.95, own.alike)
    n = len(UTTERANCES) + len(REVIEWS)
    assert (roots[:n] == np.arange(n)).all()  # no template-mate is anyone's copy
    assert roots[n] == 0 and roots[n + 1] == len(UTTERANCES)  # the edited copies point at their originals
    # the embedding alone would have put everything in one group
    assert (near_duplicate_groups(all_pairs(len(texts), 0.99), 0.95) == 0).all()


def test_texts_made_only_of_common_wording_are_alike_when_they_hold_the_same_words():
    base = "选项：A. 体育 B. 财经 C. 娱乐\n请判断新闻类别"
    shuffled = "选项：C. 娱乐 A. 体育 B. 财经\n请判断新闻类别"
    texts = [base] * 5 + [shuffled] * 5 + ["选项：A. 体育 B. 财经 C. 军事\n请判断新闻类别"] * 5
    own = OwnWording.of(texts)
    assert own.own(0) == frozenset() and own.own(5) == frozenset()
    alike = own.alike(np.array([0, 0]), np.array([5, 10]))
    assert alike.tolist() == [True, False]


def test_groups_do_not_chain():
    """A ~ B and B ~ C with A and C apart: B repeats A; C is kept, since B is gone once the copies are deleted."""
    idx = np.array([[0, 1, 2], [1, 0, 2], [2, 1, 0]], np.int64)
    sims = np.array([[1, 0.97, 0.90], [1, 0.97, 0.96], [1, 0.96, 0.90]], np.float32)
    roots = near_duplicate_groups(Neighbors(idx, 1 - sims), 0.95)
    assert roots.tolist() == [0, 0, 2]


def test_a_record_joins_the_most_similar_earlier_kept_record():
    idx = np.array([[0, 2, 1], [1, 2, 0], [2, 1, 0]], np.int64)
    sims = np.array([[1, 0.96, 0.5], [1, 0.99, 0.5], [1, 0.99, 0.96]], np.float32)
    roots = near_duplicate_groups(Neighbors(idx, 1 - sims), 0.95)
    assert roots.tolist() == [0, 1, 1]  # 2 is closer to 1 than to 0; both are kept records


class TemplateEmbedder(FakeEmbedder):
    """Texts of one template (the same lines after the first) land at cosine ≈ 0.99, as a sentence model puts them."""

    def encode(self, texts: list[str]) -> np.ndarray:
        v = np.array([_unit("template:" + t.split("\n", 1)[-1], self.dim) + 0.05 * _unit("text:" + t, self.dim)
                      for t in texts])
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def test_the_analysis_flags_the_copy_and_not_the_template_mates(tmp_path):
    slots = UTTERANCES + [f"第{i}个问题怎么办" for i in range(12)]
    records = [{"instruction": INTENT.format(u=u)} for u in slots] + [{"instruction": INTENT.format(u="谢谢！")}]
    dataset = load(write(tmp_path / "prompts", records, "jsonl"))
    embedder = TemplateEmbedder()
    pipeline = Pipeline(dataset, lambda p: embedder, EmbeddingCache(tmp_path / "cache.sqlite"))
    a = pipeline.run(AnalysisParams(model="fake", seed=7, min_cluster_size=5))
    flagged = [i for i, f in enumerate(a.flags) if "near_duplicate" in f]
    assert flagged == [len(slots)] and a.duplicate_of[len(slots)] == 0
    assert a.own_wording is not None and (1.0 - a.neighbors.distances[:, 1] >= 0.95).all()  # all close by embedding
