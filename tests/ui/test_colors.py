"""Colouring the map by flags reads the live flag matrix (no loop over a million records on the window's thread)
and gives each record the colour of its first flag."""

from types import SimpleNamespace

import numpy as np

from explorer.core.analysis.live import FLAG_NAMES, FlagRows, flag_matrix
from explorer.ui.colors import groups_for

FLAGS = [[], ["too_long", "refusal"], ["refusal"], [], ["near_duplicate", "truncated"], ["refusal"]]


class _Live(SimpleNamespace):
    def __len__(self):
        return len(self.flag_matrix)

    def mask(self, within):
        return np.ones(len(self), dtype=bool)


class _Document(SimpleNamespace):
    def __len__(self):
        return len(self.live)


def _document(tags=None):
    matrix = flag_matrix(FLAGS, len(FLAGS))
    live = _Live(flag_matrix=matrix, any_flag=matrix.any(axis=1), flags=FlagRows(matrix))
    return _Document(live=live, filter_mask=None, session=SimpleNamespace(state=SimpleNamespace(tags=tags or {})))


def test_colour_by_flags_uses_each_records_first_flag():
    doc = _document()
    assert list(doc.live.flags) == FLAGS  # the matrix reads back as the lists, in the checks' order
    groups = groups_for("flags", doc)
    names = ["no flags"] + sorted({f for fs in FLAGS for f in fs})
    assert groups.names == names
    assert groups.index.tolist() == [names.index(fs[0]) if fs else 0 for fs in FLAGS]


def test_colour_by_one_flag_marks_the_records_that_have_it():
    doc = _document()
    assert groups_for("flag:refusal", doc).index.tolist() == [0, 1, 1, 0, 0, 1]
    assert not np.any(groups_for("flag:no_such_flag", doc).index)
    assert FLAG_NAMES.index("too_long") < FLAG_NAMES.index("refusal")  # why record 1 is coloured as too_long


def test_colour_by_tags_reads_only_the_tagged_records():
    groups = groups_for("tags", _document({1: {"keep", "check"}, 4: {"keep"}, 5: set()}))
    assert groups.names == ["untagged", "check", "keep"] and groups.index.tolist() == [0, 1, 0, 0, 2, 0]
    assert groups.counts == [4, 1, 1]
