"""Embed the kind example bank with the bundled model and ship the vectors (run after editing the bank):

    python scripts/embed_kind_bank.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explorer.core.analysis import gloss, kind_classifier, taxonomy  # noqa: E402
from explorer.core.analysis.embedding import DEFAULT_MODEL, SentenceTransformerEmbedder, model_id_for  # noqa: E402


def main() -> None:
    texts, kinds = kind_classifier.all_examples(taxonomy.load_taxonomy())
    glosses = [gloss.english_gloss(texts[i]) for i in gloss.chinese_rows(texts)]
    embedder = SentenceTransformerEmbedder(DEFAULT_MODEL, "cpu")
    vectors, gloss_vectors = embedder.encode(texts), embedder.encode(glosses)
    np.savez_compressed(kind_classifier.SHIPPED_VECTORS, vectors=vectors.astype(np.float16),
                        model_id=model_id_for(DEFAULT_MODEL), digest=kind_classifier.bank_digest(texts, kinds),
                        gloss_vectors=gloss_vectors.astype(np.float16),
                        gloss_digest=kind_classifier.bank_digest(glosses, []))
    print(f"{len(texts)} examples, {len(glosses)} Chinese glosses → {kind_classifier.SHIPPED_VECTORS}")


if __name__ == "__main__":
    main()
