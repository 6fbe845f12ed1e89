"""The analysis parameters, written once: each field carries its help, range, CLI flag and label, and the CLI
options, the Preferences form and the saved settings are all made from that description."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from explorer.core.analysis.embedding import DEFAULT_MODEL, DEVICES
from explorer.core.analysis.multilingual import AUTO, MULTILINGUAL_MODEL
from explorer.core.analysis.texts import EMBED_FIELDS
from explorer.core.errors import DatasetError

SCHEMA_VERSION = 2
"""2: the embedding model's default became 'auto' (`settings` moves a saved old default to it)."""


def _p(default, help: str, label: str, *, flag: str | None = None, choices: tuple = (), lo: float | None = None,
       hi: float | None = None, step: float | None = None, auto: str | None = None, path: bool = False,
       shown: bool = True, suggest: tuple = ()):
    """A parameter: `auto` names what None means (the field may be None); `shown`: in the Preferences form;
    `suggest`: values offered for a free text (the bundled models)."""
    return field(default=default, metadata={"help": help, "label": label, "flag": flag, "choices": choices, "lo": lo,
                                            "hi": hi, "step": step, "auto": auto, "path": path, "shown": shown,
                                            "suggest": suggest})


@dataclass(frozen=True)
class AnalysisParams:
    model: str = _p(AUTO, f"embedding model of the map: '{AUTO}' (the bundled multilingual {MULTILINGUAL_MODEL} when "
                    "more than a fifth of the instructions are not in Latin script, such as Chinese, else the bundled "
                    f"English {DEFAULT_MODEL}), one of those two, or a sentence-transformers model name or local "
                    "folder", "Embedding model", suggest=(AUTO, DEFAULT_MODEL, MULTILINGUAL_MODEL))
    device: str = _p("auto", "where to embed", "Device", choices=DEVICES)
    embed_field: str = _p("instruction", "what to embed: the first user turn (+input), the response, or all user "
                          "turns", "Embed", choices=EMBED_FIELDS)
    embedding_weight: float = _p(0.5, "share of the sentence embedding in the features the map, the clusters and "
                                 "the kinds use; the rest is character n-grams, which see a task's template wording "
                                 "(1: embedding only)", "Meaning vs wording", lo=0.0, hi=1.0, step=0.05)
    n_neighbors: int = _p(15, "UMAP neighbours", "UMAP neighbours", lo=2, hi=200, shown=False)
    min_dist: float = _p(0.1, "UMAP minimum distance of the 2-D map", "Map spread", lo=0.0, hi=1.0, step=0.05,
                         shown=False)
    cluster_dims: int = _p(5, "UMAP dimensions clustered on", "Cluster dimensions", lo=2, hi=50, shown=False)
    cluster_epochs: int | None = _p(None, "UMAP epochs for the clustering space", "Cluster epochs", lo=10, hi=5000,
                                    auto="UMAP's default: 200 above 10k records, else 500", shown=False)
    min_cluster_size: int | None = _p(None, "HDBSCAN minimum cluster size", "Min cluster size", lo=2, hi=1_000_000,
                                      auto="1% of the records, 5–500")
    min_samples: int | None = _p(None, "HDBSCAN min samples", "Min samples", lo=1, hi=1_000_000,
                                 auto="min(10, min cluster size)", shown=False)
    fit_sample: int | None = _p(100_000, "above this many records, the map and the clusters are fitted on a sample "
                                "of this size and every other record is placed by its nearest fitted records",
                                "Map fitted on", lo=1000, hi=100_000_000,
                                auto="every record (UMAP on a million takes hours)", shown=False)
    near_duplicate_threshold: float = _p(0.95, "cosine similarity from which instructions are near-duplicates",
                                         "Near-duplicate cosine", flag="--near-duplicate", lo=0.5, hi=1.0, step=0.01)
    max_tokens: int = _p(4096, "token limit over which a conversation is too_long", "Token limit (too long)",
                         lo=16, hi=10_000_000)
    kind_threshold: float = _p(0.07, "probability a record's likeliest kind needs (with ~30 kinds, 0.03 is a "
                               "guess); under it the record is unassigned", "Kind confidence",
                               lo=0.0, hi=1.0, step=0.01, shown=False)
    kind_model: str = _p(MULTILINGUAL_MODEL, "sentence model the task kinds are judged on: the bundled "
                         f"multilingual {MULTILINGUAL_MODEL} reads English and Chinese alike; 'same': the embedding "
                         "model of the map", "Model for task kinds", suggest=(MULTILINGUAL_MODEL, "same"))
    kind_glosses: str = _p("on", "with an English-only model for the kinds (Model for task kinds: same), also "
                           "judge the kinds of Chinese instructions on a word-by-word English gloss (each Chinese "
                           "instruction is embedded twice)", "Chinese glosses for kinds", choices=("on", "off"))
    eval_ngram: int = _p(13, "eval overlap: length of the shared n-gram (words; characters for Chinese)",
                         "Eval n-gram", lo=4, hi=100, shown=False)
    eval_similarity: float = _p(0.90, "eval overlap: embedding cosine similarity from which an instruction is an "
                                "eval item's paraphrase", "Eval similarity", lo=0.5, hi=1.0, step=0.01, shown=False)
    taxonomy_path: str | None = _p(None, "task-kind taxonomy JSON", "Task-kind taxonomy", flag="--taxonomy",
                                   auto="your copy if the app saved one, else the bundled one", path=True)
    seed: int | None = _p(42, "random seed of the map (none: faster, not repeatable)", "Random seed", lo=0,
                          hi=2**31 - 1, auto="none, faster and not repeatable", shown=False)


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: type
    default: Any
    help: str
    label: str
    flag: str
    choices: tuple
    lo: float | None
    hi: float | None
    step: float | None
    auto: str | None
    path: bool
    shown: bool
    suggest: tuple


def schema() -> list[ParamSpec]:
    """Every parameter with its description, in declaration order."""
    out = []
    for f in dataclasses.fields(AnalysisParams):
        m = f.metadata
        kind = float if isinstance(f.default, float) or "float" in str(f.type) else \
            int if "int" in str(f.type) else str
        out.append(ParamSpec(f.name, kind, f.default, m["help"], m["label"],
                             m["flag"] or "--" + f.name.replace("_", "-"), m["choices"], m["lo"], m["hi"], m["step"],
                             m["auto"], m["path"], m["shown"], m["suggest"]))
    return out


class ParamError(DatasetError):
    """A parameter value that is not allowed (the message names the parameter)."""


def check_value(spec: ParamSpec, value: Any) -> Any:
    """`value` converted to the parameter's type and checked against its choices and range."""
    if value is None or value == "" or (value == "auto" and spec.auto):
        if spec.auto is None:
            raise ParamError(f"{spec.name} needs a value")
        return None
    try:
        value = spec.type(value) if spec.type is not int else int(str(value))
    except (TypeError, ValueError):
        raise ParamError(f"{spec.name} must be a {spec.type.__name__}, not {value!r}") from None
    if spec.choices and value not in spec.choices:
        raise ParamError(f"{spec.name} must be one of {', '.join(spec.choices)}, not {value!r}")
    if (spec.lo is not None and value < spec.lo) or (spec.hi is not None and value > spec.hi):
        raise ParamError(f"{spec.name} must be between {spec.lo:g} and {spec.hi:g}, not {value!r}")
    return value


def to_dict(params: AnalysisParams) -> dict:
    return dataclasses.asdict(params)


def from_dict(values: dict, base: AnalysisParams = AnalysisParams(), strict: bool = True
              ) -> tuple[AnalysisParams, list[str]]:
    """Parameters from saved values on top of `base`; unknown names are ignored with a warning. A bad value raises
    ParamError, or (`strict=False`, for saved settings) is skipped with a warning."""
    specs = {s.name: s for s in schema()}
    warnings = [f"unknown analysis setting {name!r} ignored" for name in values if name not in specs]
    checked = {}
    for name, value in values.items():
        if name in specs:
            try:
                checked[name] = check_value(specs[name], value)
            except ParamError as e:
                if strict:
                    raise
                warnings.append(f"{e}; the default is used")
    return dataclasses.replace(base, **checked), warnings
