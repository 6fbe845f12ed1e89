"""The user's settings file, shared by the app and the command line: `settings.json` in the config folder.

    {"schema_version": 2, "analysis": {"model": "...", "min_cluster_size": null, ...}, "eval_sets": ["gsm8k.jsonl"]}

Reading never fails: a missing file gives the defaults, a corrupt file or a bad value gives the defaults with a
warning, a file written by a newer version is left alone (and not overwritten) with a warning. Version 0 — the
flat `{name: value}` layout —, the app's old QSettings values and version 1's saved old default model are migrated.
"""

from __future__ import annotations

import json
from pathlib import Path

from explorer.core import atomic
from explorer.core.analysis.embedding import DEFAULT_MODEL
from explorer.core.analysis.multilingual import AUTO, MULTILINGUAL_MODEL
from explorer.core.analysis.params import SCHEMA_VERSION, AnalysisParams, from_dict, to_dict
from explorer.core.paths import user_dir


def settings_path() -> Path:
    return user_dir("config") / "settings.json"


def _read() -> tuple[dict | None, list[str]]:
    path = settings_path()
    if not path.exists():
        return None, []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return None, [f"{path}: cannot read the settings ({e}); defaults are used"]
    if not isinstance(data, dict):
        return None, [f"{path}: not a settings object; defaults are used"]
    return data, []


def load_analysis_params(base: AnalysisParams = AnalysisParams(), legacy: dict | None = None
                         ) -> tuple[AnalysisParams, list[str]]:
    """The saved analysis parameters on top of `base`, and what went wrong reading them.

    `legacy`: the app's old QSettings values (`{name: value}`), used once when there is no settings file yet; they
    are then written to the file."""
    data, warnings = _read()
    if data is None:
        if not legacy or warnings:
            return base, warnings
        params, more = from_dict(legacy, base, strict=False)
        save_analysis_params(params)
        return params, warnings + more
    version = data.get("schema_version", 0)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        return base, [f"{settings_path()}: settings of a newer version ({version}); defaults are used"]
    values = data.get("analysis", {}) if version >= 1 else {k: v for k, v in data.items() if k != "schema_version"}
    if not isinstance(values, dict):
        return base, [f"{settings_path()}: 'analysis' is not an object; defaults are used"]
    if version < 2 and values.get("model") == DEFAULT_MODEL:
        return _to_auto(values, base)
    return from_dict(values, base, strict=False)


def _to_auto(values: dict, base: AnalysisParams) -> tuple[AnalysisParams, list[str]]:
    """Settings written before the embedding model's default became 'auto' hold the old default, MiniLM (the app
    saved every parameter after each analysis): they move to 'auto', which is MiniLM for English data, once, and say
    so."""
    params, warnings = from_dict({**values, "model": AUTO}, base, strict=False)
    save_analysis_params(params)
    return params, warnings + [f"{settings_path()}: the embedding model is now 'auto' ({DEFAULT_MODEL} for English "
                               f"data, the bundled multilingual {MULTILINGUAL_MODEL} for other data); set "
                               f"{DEFAULT_MODEL} in Preferences or --model to keep it for every dataset"]


def save_analysis_params(params: AnalysisParams) -> None:
    """Write the analysis parameters (other sections of the file are kept; a newer version's file is left alone)."""
    data, warnings = _read()
    if data is not None and isinstance(data.get("schema_version", 0), int) and \
            data.get("schema_version", 0) > SCHEMA_VERSION:
        return
    data = data if data is not None and not warnings and data.get("schema_version") == SCHEMA_VERSION else {}
    data.update({"schema_version": SCHEMA_VERSION, "analysis": to_dict(params)})
    atomic.write_chunks(str(settings_path()), [json.dumps(data, indent=2).encode("utf-8")])


def remember_taxonomy(path: str) -> None:
    """The app has just written the user's copy of the taxonomy (`path`): where the saved settings name another
    taxonomy file, they name the copy from now on (other settings as saved), so a restart does not go back to the
    other file. Settings that name none already read the copy."""
    from dataclasses import replace

    saved, warnings = load_analysis_params()
    if not warnings and saved.taxonomy_path not in (None, path):
        save_analysis_params(replace(saved, taxonomy_path=path))


def load_eval_sets() -> list[str]:
    """The eval files the user named (Preferences → Eval sets…, shared with `analyze`); [] when none."""
    data, _ = _read()
    paths = (data or {}).get("eval_sets", [])
    return [p for p in paths if isinstance(p, str)] if isinstance(paths, list) else []


def save_eval_sets(paths: list[str]) -> None:
    """Write the eval files (the rest of the file is kept; a newer version's file is left alone)."""
    data, warnings = _read()
    if data is not None and isinstance(data.get("schema_version", 0), int) and \
            data.get("schema_version", 0) > SCHEMA_VERSION:
        return
    data = data if data is not None and not warnings else {"schema_version": SCHEMA_VERSION}
    data["eval_sets"] = [str(p) for p in paths]
    atomic.write_chunks(str(settings_path()), [json.dumps(data, indent=2).encode("utf-8")])
