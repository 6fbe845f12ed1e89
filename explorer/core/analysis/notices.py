"""Things worth telling the user once about a whole analysis (not about single records)."""

from __future__ import annotations

from explorer.core.analysis.embedding import DEFAULT_MODEL

MULTILINGUAL_MODEL = "paraphrase-multilingual-MiniLM-L12-v2"
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
            f"{model} knows English only: the map and the kinds are weaker for them. Set a multilingual model, "
            f"such as {MULTILINGUAL_MODEL}, in Preferences (or --model); the lexical part of labels keeps working.")
