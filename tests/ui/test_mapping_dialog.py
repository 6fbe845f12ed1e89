"""The column-mapping dialog: a list field read as a conversation or as user turns only, with roles shown."""

from explorer.ui.dialogs.mapping_dialog import USER_ONLY, MappingDialog

QUESTIONS = [{"question_id": i, "category": "math", "turns": [f"Question {i}?", f"Follow-up {i}?", f"Last {i}?"]}
             for i in range(5)]


def make_dialog(qtbot, samples):
    dialog = MappingDialog(samples)
    qtbot.addWidget(dialog)
    return dialog


def ok_enabled(dialog) -> bool:
    return dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()


def test_a_list_of_questions_can_be_read_as_user_turns_only(qtbot):
    dialog = make_dialog(qtbot, QUESTIONS)
    assert not ok_enabled(dialog) and not dialog.list_kind.isEnabled()
    dialog.choose(conversations="turns")
    assert dialog.list_kind.isEnabled()
    preview = dialog.preview.toPlainText()
    assert "[assistant] Follow-up 0?" in preview  # the alternation is shown, and said out loud
    assert "alternating user/assistant" in dialog.hint.text() and USER_ONLY in dialog.hint.text()
    dialog.list_kind.setCurrentText(USER_ONLY)
    preview = dialog.preview.toPlainText()
    assert "[user] Question 0?\n[user] Follow-up 0?\n[user] Last 0?" in preview and "[assistant]" not in preview
    assert "user turn" in dialog.hint.text()
    assert ok_enabled(dialog)
    mapping = dialog.mapping()
    assert mapping.user_turns == "turns" and mapping.conversations is None
    assert str(mapping) == "user_turns=turns"


def test_choose_user_turns_and_back_to_a_conversation(qtbot):
    dialog = make_dialog(qtbot, QUESTIONS)
    dialog.choose(user_turns="turns")
    assert dialog.user_turns_only() and str(dialog.mapping()) == "user_turns=turns"
    dialog.choose(conversations="turns")
    assert not dialog.user_turns_only() and str(dialog.mapping()) == "conversations=turns"


def test_user_turns_with_a_response_is_refused_and_explained(qtbot):
    dialog = make_dialog(qtbot, [{"turns": ["a?", "b?"], "answer": "c"}])
    dialog.choose(user_turns="turns", response="answer")
    assert not ok_enabled(dialog) and "cannot be combined" in dialog.error.text()


def test_no_hint_for_a_conversation_of_role_dicts(qtbot):
    rows = [{"dialog": [{"speaker": "human", "text": "Hi"}, {"speaker": "bot", "text": "Yo"}]}]
    dialog = make_dialog(qtbot, rows)
    dialog.choose(conversations="dialog")
    dialog.role_key.setText("speaker")
    dialog.content_key.setText("text")
    assert dialog.hint.text() == "" and "[assistant] Yo" in dialog.preview.toPlainText()


def test_window_opens_questions_as_prompts_and_remembers_the_mapping(qtbot, window, tmp_path):
    from explorer.core import mappings
    from tests.samples import write

    rows = [{"question_id": i, "turns": [f"Why is the sky blue {i}?", f"And at sunset {i}?"]} for i in range(12)]
    path = write(tmp_path / "questions", rows, "jsonl")
    window.open_path(path)
    qtbot.waitUntil(lambda: window.mapping_dialog is not None and window.mapping_dialog.isVisible(), timeout=30_000)
    window.mapping_dialog.choose(user_turns="turns")
    window.mapping_dialog.accept()
    qtbot.waitUntil(lambda: window.document.analysis is not None, timeout=120_000)
    dataset = window.document.dataset
    assert dataset.format == "mapped" and str(mappings.remembered(path)) == "user_turns=turns"
    assert [m.role for m in dataset.record(3).messages] == ["user", "user"]


def test_the_editor_of_a_prompt_only_record_offers_only_the_fields_its_file_can_hold(qtbot, window, tmp_path):
    from tests.samples import write
    from tests.ui.conftest import open_and_wait

    path = write(tmp_path / "prompts", [{"instruction": f"Name a colour {i}"} for i in range(8)], "jsonl")
    open_and_wait(qtbot, window, path)
    window.editor.show_record(2)
    assert [key for _, key, _ in window.editor.boxes] == [("field", "instruction"), ("field", "input")]
