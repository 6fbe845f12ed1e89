"""The request within an instruction that carries its own material, and the overlay that mixes it in."""

import numpy as np

from explorer.core.analysis import request_frame as rf


def test_an_announcing_first_line_is_the_request():
    assert rf.request_of("找出句子中的疾病实体：\n患者有高血压病史十年。") == "找出句子中的疾病实体："
    text = "Translate the following:\nBonjour tout le monde.\nAnswer in one line please."
    assert rf.request_of(text) == "Translate the following:\nAnswer in one line please."


def test_a_long_text_is_read_as_first_and_closing_lines():
    passage = "x " * 150
    text = f"Summarize the dialogue below.\n{passage}\nWhat did they agree on?"
    assert rf.request_of(text) == "Summarize the dialogue below.\nWhat did they agree on?"
    stub = f"根据对话给出诊疗报告\n{passage}\n说明：报告分为六个章节\n答："
    assert rf.request_of(stub) == "根据对话给出诊疗报告\n说明：报告分为六个章节\n答："


def test_a_short_or_one_line_text_is_its_own_request():
    assert rf.request_of("What is the capital of France?") is None
    assert rf.request_of("Write a poem.\nAbout the sea.\nIn four lines.") is None
    assert rf.request_of("y " * 300) is None
    rows, found = rf.requests(["Hi there", "列出地名：\n我们从成都出发。", "z"])
    assert rows.tolist() == [1] and found == ["列出地名："]


def test_mixed_rows_are_unit_and_between_the_two():
    whole = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    request = np.array([[0.0, 1.0], [0.0, 0.0]], dtype=np.float32)
    out = rf.mixed(whole, request).astype(np.float32)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-3)
    np.testing.assert_allclose(out[0], [np.sqrt(0.5), np.sqrt(0.5)], atol=1e-3)
    np.testing.assert_allclose(out[1], [0.0, 1.0], atol=1e-3)  # no request features: the whole's


def test_overlay_replaces_only_its_rows_for_slices_and_index_arrays():
    base = np.arange(12, dtype=np.float16).reshape(6, 2)
    values = np.array([[-1, -1], [-2, -2]], dtype=np.float16)
    overlay = rf.Overlay(base, np.array([1, 4]), values)
    assert len(overlay) == 6 and overlay.shape == (6, 2)
    assert overlay[0:3].tolist() == [[0, 1], [-1, -1], [4, 5]]
    assert overlay[np.array([5, 4, 1])].tolist() == [[10, 11], [-2, -2], [-1, -1]]
    assert overlay[3:].dtype == np.float32
    assert base[1].tolist() == [2, 3]  # the base is not written
    assert rf.Overlay(base, np.array([], dtype=np.int64), values[:0])[2:4].tolist() == [[4, 5], [6, 7]]
