"""The Preferences form is made from the parameter schema."""

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox

from explorer.core.analysis.params import AnalysisParams, schema
from explorer.ui.dialogs.preferences import PreferencesDialog


def test_one_editor_per_shown_parameter_with_its_range(qtbot):
    dialog = PreferencesDialog(AnalysisParams(min_cluster_size=None))
    qtbot.addWidget(dialog)
    shown = [s for s in schema() if s.shown]
    assert list(dialog.editors) == [s.name for s in shown]
    for spec in shown:
        editor = dialog.editors[spec.name][1]
        if spec.choices:
            assert isinstance(editor, QComboBox) and [editor.itemText(i) for i in range(editor.count())] == list(
                spec.choices)
        elif spec.type is int:
            assert isinstance(editor, QSpinBox) and editor.maximum() == min(int(spec.hi), 2**31 - 1)
        elif spec.type is float:
            assert isinstance(editor, QDoubleSpinBox) and (editor.minimum(), editor.maximum()) == (spec.lo, spec.hi)
    assert dialog.params() == AnalysisParams(min_cluster_size=None)  # untouched form: the same parameters
    dialog.editors["min_cluster_size"][1].setValue(40)
    dialog.editors["taxonomy_path"][1].setText("/tmp/t.json")
    params = dialog.params()
    assert params.min_cluster_size == 40 and params.taxonomy_path == "/tmp/t.json"


def test_the_bundled_models_are_offered_and_another_can_be_typed(qtbot):
    dialog = PreferencesDialog(AnalysisParams())
    qtbot.addWidget(dialog)
    model, kind_model = dialog.editors["model"][1], dialog.editors["kind_model"][1]
    assert [model.itemText(i) for i in range(model.count())] == ["auto", "all-MiniLM-L6-v2", "use-multilingual-v3"]
    assert model.isEditable() and model.currentText() == "auto"
    assert kind_model.currentText() == "use-multilingual-v3" and kind_model.findText("same") >= 0
    model.setCurrentText("/models/my-multilingual")
    kind_model.setCurrentText("same")
    params = dialog.params()
    assert params.model == "/models/my-multilingual" and params.kind_model == "same"
    model.setCurrentText("  ")  # emptied: the value stays
    assert dialog.params().model == "auto"
