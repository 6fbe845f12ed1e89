"""Text columns sent from the analysis helper to the app: packed, equal to the lists, fast to unpickle."""

import pickle

import pytest

from explorer.core.analysis.texts import PackedStrings, RecordTexts

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
