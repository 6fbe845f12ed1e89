import numpy as np

from explorer.core import tokens


def test_offline_cl100k_counts():
    assert tokens.count(["hello world", "", "你好"]).tolist() == [2, 0, len(tokens.encoding().encode("你好"))]
    assert tokens.encoding().encode("hello world") == [15339, 1917]  # cl100k_base ids


def test_stats():
    s = tokens.stats(np.array([1, 2, 3, 5000]), limit=4096)
    assert (s["min"], s["median"], s["max"], s["over_limit"]) == (1, 2.5, 5000, 1)
    assert tokens.stats(np.array([], dtype=np.int64))["count"] == 0
