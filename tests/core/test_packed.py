"""Per-record columns sent from the analysis helper to the app: packed, equal to the lists, fast to unpickle."""

import pickle

import pytest

from explorer.core.analysis.checks import FLAGS
from explorer.core.analysis.packed import PackedFlags, PackedStrings
from explorer.core.analysis.texts import RecordTexts

STRINGS = ["", "plain", "中文的句子", "emoji 🙂 and\nnewline", "lone \ud800 surrogate", "tab\tend"]


def test_packed_strings_read_back_like_the_list():
    packed = pickle.loads(pickle.dumps(PackedStrings(STRINGS)))
    assert len(packed) == len(STRINGS) and list(packed) == STRINGS
    assert packed[2] == "中文的句子" and packed[-1] == "tab\tend" and packed[1:3] == STRINGS[1:3]
    with pytest.raises(IndexError):
        packed[len(STRINGS)]


def test_packed_record_texts_keep_every_column():
    n = len(STRINGS)
    texts = RecordTexts(STRINGS, STRINGS[::-1], STRINGS, STRINGS, [""] * n, [1] * n, [True] * n, [False] * n)
    packed = pickle.loads(pickle.dumps(texts.packed()))
    assert isinstance(packed.instruction, PackedStrings) and list(packed.response) == STRINGS[::-1]
    assert packed.field("user_turns")[4] == STRINGS[4] and packed.user_turn_count == [1] * n and len(packed) == n


def test_packed_flags_read_back_like_the_lists_in_the_checks_order():
    flags = [[], ["too_long"], ["duplicate", "near_duplicate", "eval_overlap"], [], ["unanswered"], []]
    packed = pickle.loads(pickle.dumps(PackedFlags(flags, tuple(FLAGS))))
    assert len(packed) == len(flags) and list(packed) == flags and packed[2] == flags[2] and packed[-1] == []
    first, again = list(packed), list(packed)
    first[1].append("refusal")  # each read is a list of its own: changing one changes nothing else
    assert again[1] == ["too_long"] and packed[1] == ["too_long"] and packed[1:3] == flags[1:3]
    assert packed.bits.dtype.kind == "u" and packed.bits.nbytes == 8 * len(flags)
    with pytest.raises(KeyError):
        PackedFlags([["no_such_flag"]], tuple(FLAGS))
