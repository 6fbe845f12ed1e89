"""Per-user folders for settings, sessions and caches (private: they hold dataset text)."""

from __future__ import annotations

import os
from pathlib import Path

APP = "sft-explorer"


def _base(kind: str) -> Path:
    override = os.environ.get("SFT_EXPLORER_HOME")
    if override:
        return Path(override) / kind
    import platformdirs

    return Path({"config": platformdirs.user_config_dir, "cache": platformdirs.user_cache_dir,
                 "data": platformdirs.user_data_dir}[kind](APP, appauthor=False))


def user_dir(kind: str) -> Path:
    """The per-user folder of a kind ('config', 'cache' or 'data'), created private (0700) on first use."""
    folder = _base(kind)
    folder.mkdir(parents=True, exist_ok=True)
    if os.name != "nt":
        os.chmod(folder, 0o700)
    return folder
