"""One parameter schema: the CLI options, the Preferences form and the settings file are made from it."""

import dataclasses
import json

import pytest

from explorer.cli.main import build_parser, main
from explorer.core.analysis.params import SCHEMA_VERSION, AnalysisParams, ParamError, from_dict, schema, to_dict
from explorer.core.settings import load_analysis_params, save_analysis_params, settings_path


def test_every_parameter_is_described_and_has_a_cli_option(capsys):
    fields = [f.name for f in dataclasses.fields(AnalysisParams)]
    assert [s.name for s in schema()] == fields
    for spec in schema():
        assert spec.help and spec.label, spec.name  # a field added without metadata fails here
        assert spec.type is str or (spec.lo is not None and spec.hi is not None), spec.name
    with pytest.raises(SystemExit):
        build_parser().parse_args(["analyze", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for spec in schema():
        assert spec.flag in text, spec.flag


def test_round_trip_and_errors_name_the_parameter():
    params = AnalysisParams(model="m", min_cluster_size=12, seed=None, taxonomy_path="/x.json")
    assert from_dict(to_dict(params))[0] == params
    with pytest.raises(ParamError, match="near_duplicate_threshold must be between 0.5 and 1"):
        from_dict({"near_duplicate_threshold": 3})
    with pytest.raises(ParamError, match="device must be one of"):
        from_dict({"device": "tpu"})
    with pytest.raises(ParamError, match="max_tokens must be a int"):
        from_dict({"max_tokens": "many"})
    params, warnings = from_dict({"max_tokens": "many", "colour": "red"}, strict=False)
    assert params.max_tokens == 4096 and len(warnings) == 2


def test_settings_file_versions_migration_and_corruption():
    assert load_analysis_params() == (AnalysisParams(), [])  # no file: defaults, nothing to say
    settings_path().write_text(json.dumps({"model": "old-flat", "min_cluster_size": "auto"}))  # version 0
    assert load_analysis_params()[0].model == "old-flat"
    settings_path().write_text("{not json")
    params, warnings = load_analysis_params()
    assert params == AnalysisParams() and "cannot read the settings" in warnings[0]
    settings_path().write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1, "analysis": {"model": "future"}}))
    params, warnings = load_analysis_params()
    assert params.model != "future" and "newer version" in warnings[0]
    save_analysis_params(AnalysisParams(model="mine"))  # a newer file is never overwritten
    assert "future" in settings_path().read_text()
    settings_path().unlink()
    legacy = {"model": "from-qsettings", "min_cluster_size": "auto", "seed": "7"}  # the app's old QSettings values
    params, _ = load_analysis_params(legacy=legacy)
    assert (params.model, params.min_cluster_size, params.seed) == ("from-qsettings", None, 7)
    assert json.loads(settings_path().read_text())["analysis"]["model"] == "from-qsettings"


def test_the_old_default_model_saved_before_auto_moves_to_auto_once():
    old = {"schema_version": 1, "analysis": {"model": "all-MiniLM-L6-v2", "min_cluster_size": 40}}
    settings_path().write_text(json.dumps(old))
    params, warnings = load_analysis_params()
    assert (params.model, params.min_cluster_size) == ("auto", 40) and "now 'auto'" in warnings[-1]
    saved = json.loads(settings_path().read_text())
    assert saved["schema_version"] == SCHEMA_VERSION and saved["analysis"]["model"] == "auto"
    assert load_analysis_params() == (params, [])  # said once
    settings_path().write_text(json.dumps({"schema_version": 1, "analysis": {"model": "my-model"}}))
    assert load_analysis_params()[0].model == "my-model"  # a model the user chose stays
    save_analysis_params(AnalysisParams(model="all-MiniLM-L6-v2"))  # chosen after the change: stays
    assert load_analysis_params() == (AnalysisParams(model="all-MiniLM-L6-v2"), [])


def test_the_cli_starts_from_the_saved_settings_and_flags_override(tmp_path):
    from explorer.cli.analyze_cmd import params_from

    save_analysis_params(AnalysisParams(model="saved-model", max_tokens=2048))
    args = build_parser().parse_args(["analyze", "x.jsonl", "--out", "o", "--max-tokens", "1000", "--seed", "-1"])
    params = params_from(args)
    assert (params.model, params.max_tokens, params.seed) == ("saved-model", 1000, None)
    assert main(["analyze", str(tmp_path / "x.jsonl"), "--out", "o", "--near-duplicate", "7"]) == 2
