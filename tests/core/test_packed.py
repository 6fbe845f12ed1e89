"""Per-record columns sent from the analysis helper to the app: packed, equal to the lists, fast to unpickle."""

import json
import pickle

import numpy as np
import pytest

from explorer.core.analysis.checks import FLAGS
from explorer.core.analysis.packed import PackedFlags, PackedStrings
from explorer.core.analysis.texts import MARK_COLUMNS, STRING_COLUMNS, read_texts

STRINGS = ["", "plain", "中文的句子", "emoji 🙂 and\nnewline", "lone \ud800 surrogate", "tab\tend"]


def test_packed_strings_read_back_like_the_list():
    packed = pickle.loads(pickle.dumps(PackedStrings(STRINGS)))
    assert len(packed) == len(STRINGS) and list(packed) == STRINGS
    assert packed[2] == "中文的句子" and packed[-1] == "tab\tend" and packed[1:3] == STRINGS[1:3]
    with pytest.raises(IndexError):
        packed[len(STRINGS)]


def test_texts_read_from_a_dataset_are_packed_and_keep_every_column(tmp_path):
    from explorer.core.dataset import load

    path = tmp_path / "chat.jsonl"
    strings = [s for s in STRINGS if "\ud800" not in s]  # a lone surrogate is not valid JSON text
    rows = [{"messages": [{"role": "user", "content": s}, {"role": "assistant", "content": s[::-1]}]} for s in strings]
    rows.append({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                              {"role": "user", "content": "c"}]})
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    texts = pickle.loads(pickle.dumps(read_texts(load(path))))
    assert isinstance(texts.instruction, PackedStrings) and list(texts.instruction)[:-1] == strings
    assert list(texts.response)[:-1] == [s[::-1] for s in strings] and texts.user_turns[-1] == "a\nc"
    assert texts.user_turn_count.tolist() == [1] * len(strings) + [2] and len(texts) == len(strings) + 1
    assert texts.ends_with_assistant.tolist() == [True] * len(strings) + [False]
    assert texts.nbytes == sum(getattr(texts, c).nbytes for c in (*STRING_COLUMNS, *MARK_COLUMNS)) > 0


def test_packed_flags_read_back_like_the_lists_in_the_checks_order():
    flags = [[], ["too_long"], ["duplicate", "near_duplicate", "eval_overlap"], [], ["unanswered"], []]
    packed = pickle.loads(pickle.dumps(PackedFlags.from_lists(flags, tuple(FLAGS))))
    assert len(packed) == len(flags) and list(packed) == flags and packed[2] == flags[2] and packed[-1] == []
    first, again = list(packed), list(packed)
    first[1].append("refusal")  # each read is a list of its own: changing one changes nothing else
    assert again[1] == ["too_long"] and packed[1] == ["too_long"] and packed[1:3] == flags[1:3]
    assert packed.bits.dtype.kind == "u" and packed.bits.nbytes == 8 * len(flags)
    with pytest.raises(KeyError):
        PackedFlags.from_lists([["no_such_flag"]], tuple(FLAGS))


def test_results_travel_with_their_arrays_out_of_band_and_arrive_writable():
    from explorer.core.analysis.remote import _pickled, _unpickle

    result = {"xy": np.arange(20_000, dtype=np.float32).reshape(-1, 2), "texts": PackedStrings(STRINGS * 1000),
              "flags": PackedFlags.from_lists([["too_long"]] * 5000, tuple(FLAGS))}
    message, chunks = _pickled(result, {"vectors_file": "x"})
    data = bytearray(b"".join(bytes(c) for c in chunks))  # what the app reads from the helper's pipe
    assert message["vectors_file"] == "x" and message["result"] == len(data)
    assert len(chunks[0]) < 2_000 and sum(message["buffers"]) > 80_000  # the pickle itself is tiny
    back = _unpickle({**message, "data": data})
    assert np.array_equal(back["xy"], result["xy"]) and list(back["texts"]) == STRINGS * 1000
    assert back["flags"][4999] == ["too_long"]
    assert np.shares_memory(back["xy"], np.frombuffer(data, np.uint8))  # no copy was made
    back["xy"][0, 0] = -1.0  # writable: the app moves placed records
