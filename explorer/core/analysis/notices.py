"""Things worth telling the user once about a whole analysis (not about single records)."""

from __future__ import annotations

from explorer.core.analysis.embedding import DEFAULT_MODEL
from explorer.core.analysis.multilingual import MULTILINGUAL_MODEL

ENGLISH_ONLY = {DEFAULT_MODEL, "sentence-transformers/" + DEFAULT_MODEL}


def model_language_notice(facts: dict, model: str) -> str | None:
    """A note when most instructions are not English while the model only knows English."""
    languages = {k: v for k, v in facts.get("languages", {}).items() if k != "unknown"}
    total = sum(languages.values())
    other = total - languages.get("latin", 0)
    if model not in ENGLISH_ONLY or not total or other / total <= 0.5:
        return None
    main = max((k for k in languages if k != "latin"), key=languages.get)
    return (f"{other / total:.0%} of the instructions are not English (mostly {main}), but the embedding model "
            f"{model} knows English only: the map, the clusters and the near-duplicates are weaker for them. Set "
            f"the embedding model to 'auto' or to the bundled multilingual {MULTILINGUAL_MODEL} in Preferences (or "
            f"--model auto); the task kinds already use it unless Model for task kinds says 'same'.")
