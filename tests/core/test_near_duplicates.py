"""Near-duplicates: records of one template with different slots are not copies of one another, small edits are;
groups never chain a record to one it is not close to; the analysis and the review panel use the same rule."""

import numpy as np

from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis import near_duplicates
from explorer.core.analysis.near_duplicates import OwnWording, near_duplicate_groups
from explorer.core.analysis.pipeline import AnalysisParams, Pipeline
from explorer.core.analysis.projection import neighbors
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


def close_vectors(n: int, seed: int = 0) -> np.ndarray:
    """n unit vectors all at cosine ≈ 0.99 to one another."""
    rng = np.random.default_rng(seed)
    v = np.ones((n, 16)) + 0.02 * rng.normal(size=(n, 16))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def on_angles(degrees: list[float]) -> np.ndarray:
    """Unit vectors in a plane at these angles (cosine of two = cos of their angle apart)."""
    r = np.radians(degrees)
    return np.stack([np.cos(r), np.sin(r)], axis=1).astype(np.float32)


def groups(texts: list[str], vectors: np.ndarray, k: int = 15, threshold: float = 0.95) -> np.ndarray:
    own = OwnWording.of(texts)
    return near_duplicate_groups(neighbors(vectors, k + 1), vectors, threshold,
                                 lambda a, b: own.alike_pairs(texts, a, b))


def test_one_template_with_different_slots_is_not_a_copy_but_a_small_edit_is():
    texts = [INTENT.format(u=u) for u in UTTERANCES] + [REVIEW.format(t=t) for t in REVIEWS]
    texts += [INTENT.format(u="谢谢！"), REVIEW.format(t=REVIEWS[0].replace("wooden", "wooden,") + " really")]
    vectors = close_vectors(len(texts))
    roots = groups(texts, vectors)
    n = len(UTTERANCES) + len(REVIEWS)
    assert (roots[:n] == np.arange(n)).all()  # no template-mate is anyone's copy
    assert roots[n] == 0 and roots[n + 1] == len(UTTERANCES)  # the edited copies point at their originals
    # the embedding alone puts everything in one group
    assert (near_duplicate_groups(neighbors(vectors, 16), vectors, 0.95) == 0).all()


def test_what_counts_as_alike():
    filler = [f"Write a short poem about the colour number {i} in the style of a sonnet." for i in range(30)]
    own = OwnWording.of(filler + ["What is 7311 + 7890?", "What is 7311 + 1111?"])
    assert not own.alike("What is 7311 + 7890?", "What is 7311 + 1111?")  # another number: another problem
    assert own.alike("What is 7311 + 7890?", "what is 7311+7890 ?")
    assert own.alike(filler[3], filler[3].replace("Write", "Please write"))  # common words only, one more
    assert not own.alike(filler[3], filler[4])  # common words only, another number
    assert not own.alike("???", "...") and not own.alike("", "")  # no words: nothing to compare
    words = ["cat", "dog", "house", "tree", "river", "bread", "cloud", "stone", "window", "garden", "apple", "chair"]
    own = OwnWording.of([f"Translate the word '{w}' into French and give its gender." for w in words])
    assert not own.alike("Translate the word 'cat' into French and give its gender.",
                         "Translate the word 'dog' into French and give its gender.")  # one-word slots: two records
    assert own.alike("Translate the word 'cat' into French and give its gender.",
                     "Please translate the word 'cat' into French and give its gender!")


def test_texts_made_only_of_common_wording_are_alike_when_they_hold_the_same_words():
    news = "{h}\n选项：A. 体育 B. 财经 C. 娱乐\n请判断新闻类别"
    own = OwnWording.of([news.format(h=f"第{i}条新闻标题{i * 7}") for i in range(12)])
    base, shuffled = news.format(h="新闻"), "新闻\n选项：C. 娱乐 A. 体育 B. 财经\n请判断新闻类别"
    assert own.alike(base, shuffled) and not own.alike(base, base.replace("娱乐", "军事"))


def test_a_big_sample_finds_the_common_wording_too(monkeypatch):
    monkeypatch.setattr(near_duplicates, "SAMPLE", 40)
    texts = [INTENT.format(u=f"第{i}号病人问") for i in range(200)]
    own = OwnWording.of(texts, seed=1)
    assert "选项" in {w.replace(" ", "") for w in own.common} and not own.alike(texts[0], texts[1])


def test_groups_do_not_chain():
    """A ~ B and B ~ C with A and C apart: B repeats A; C is kept, since B is gone once the copies are deleted."""
    vectors = on_angles([0, 14, 28])  # cos 0.970 apart by one step, 0.883 by two
    roots = near_duplicate_groups(neighbors(vectors, 3), vectors, 0.95)
    assert roots.tolist() == [0, 0, 2]


def test_a_record_joins_the_most_similar_kept_record():
    vectors = on_angles([0, 25, 14])  # 2 is at cos 0.970 to 0 and 0.982 to 1; 0 and 1 are apart
    roots = near_duplicate_groups(neighbors(vectors, 3), vectors, 0.95)
    assert roots.tolist() == [0, 1, 1]


def test_a_group_bigger_than_the_neighbour_lists_keeps_one():
    vectors = np.repeat(close_vectors(1), 200, axis=0)  # one prompt 200 times, 15 neighbours each
    texts = ["Summarize the meeting notes below in three bullet points."] * 200
    roots = groups(texts, vectors)
    assert (roots == 0).all()


def test_random_graphs_keep_the_promises():
    """Each root is kept and earlier; each copy is close to and alike its root; of each close, alike pair found,
    one is a copy."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        n = 60
        centres = rng.normal(size=(6, 8))
        v = centres[rng.integers(0, 6, n)] + rng.uniform(0.05, 0.4) * rng.normal(size=(n, 8))
        vectors = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
        unlike = {(int(x), int(y)) for x, y in rng.integers(0, n, (40, 2))}
        alike = lambda a, b: np.array([(min(x, y), max(x, y)) not in unlike for x, y in zip(a, b)], bool)  # noqa: E731
        roots = near_duplicate_groups(neighbors(vectors, 8), vectors, 0.95, alike)
        copies = np.flatnonzero(roots != np.arange(n))
        assert (roots[roots] == roots).all() and (roots[copies] < copies).all()
        assert (np.einsum("ij,ij->i", vectors[copies], vectors[roots[copies]]) >= 0.95 - 1e-6).all()
        assert alike(roots[copies], copies).all()
        knn = neighbors(vectors, 8)
        rows, cols = np.nonzero(1 - knn.distances >= 0.95)
        found = [(int(min(r, q)), int(max(r, q))) for r, q in zip(rows, knn.indices[rows, cols]) if r != q]
        assert not [(p, q) for p, q in found if roots[p] == p and roots[q] == q and alike([p], [q]).all()]


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
