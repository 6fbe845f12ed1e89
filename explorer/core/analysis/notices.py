"""Things worth telling the user once about a whole analysis (not about single records)."""

from __future__ import annotations

from explorer.core.analysis.embedding import DEFAULT_MODEL
from explorer.core.analysis.multilingual import MULTILINGUAL_MODEL

ENGLISH_ONLY = {DEFAULT_MODEL, "sentence-transformers/" + DEFAULT_MODEL}


def model_language_notice(facts: dict, model: str, kind_model: str = MULTILINGUAL_MODEL,
                          folder: str | None = None) -> str | None:
    """A note when most instructions are not English while the map's model only knows English: what to set, or
    with vectors from a `folder` (whose model the kinds use too), what to embed again."""
    languages = {k: v for k, v in facts.get("languages", {}).items() if k != "unknown"}
    total = sum(languages.values())
    other = total - languages.get("latin", 0)
    if model not in ENGLISH_ONLY or not total or other / total <= 0.5:
        return None
    main = max((k for k in languages if k != "latin"), key=languages.get)
    said = (f"{other / total:.0%} of the instructions are not English (mostly {main}), but the embedding model "
            f"{model} knows English only: the map, the clusters and the near-duplicates are weaker for them")
    if folder:
        return (f"{said}, and the task kinds too (they use the vectors of {folder}). Embed again with `sft-explorer "
                f"embed --model {MULTILINGUAL_MODEL}`, or analyse without the vectors folder.")
    kinds = ("the task kinds already use it" if kind_model != "same" else
             "Model for task kinds says 'same', so the kinds are weaker too")
    return (f"{said}. Set the embedding model to 'auto' or to the bundled multilingual {MULTILINGUAL_MODEL} in "
            f"Preferences (or --model auto); {kinds}.")
