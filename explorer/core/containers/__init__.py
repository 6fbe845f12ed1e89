"""Container detection: by magic bytes first, then extension, then the first characters of the text."""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path

from explorer.core.containers.arrowfiles import ArrowSource, read_arrow, read_hf_folder, read_parquet
from explorer.core.containers.base import Source, TextEncoding, looks_like_utf16_without_bom
from explorer.core.containers.jsonarray import JsonSource
from explorer.core.containers.jsonl import JsonlSource
from explorer.core.containers.tabular import CsvSource
from explorer.core.errors import DatasetError

REFUSED_SUFFIXES = {".pkl", ".pickle", ".joblib", ".pt", ".pth", ".ckpt", ".npy", ".npz"}
DATA_SUFFIXES = (".parquet", ".arrow", ".jsonl", ".jsonl.gz", ".json", ".json.gz", ".csv", ".tsv")
_SPLIT_WORDS = ("train", "validation", "valid", "dev", "test")


def open_source(path: str | Path, split: str | None = None) -> Source:
    """Open a dataset file or folder as a Source; raise DatasetError with a clear reason when it cannot be."""
    p = Path(path)
    if not p.exists():
        raise DatasetError("no such file or folder", str(p))
    if p.is_dir():
        return _open_folder(p, split)
    if p.suffix.lower() in REFUSED_SUFFIXES:
        raise DatasetError(f"{p.suffix} files are refused: loading them can run code. Export the data to "
                           "JSONL or Parquet first", str(p))
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise DatasetError(f"cannot read: {e.strerror}", str(p)) from None
    return source_from_bytes(str(p), raw)


def source_from_bytes(path: str, raw: bytes) -> Source:
    """Pick the container for a file's bytes (the path's suffix helps only when the bytes do not decide)."""
    name = path.lower()
    if raw[:4] == b"PAR1":
        return read_parquet(path)
    if raw[:6] == b"ARROW1" or name.endswith(".arrow"):
        return read_arrow(path)
    if raw[:1] == b"\x80" and raw[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        raise DatasetError("this looks like a Python pickle, which is refused: loading it can run code", path)
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise DatasetError(f"damaged gzip file: {e}", path) from None
        source = _text_source(path, raw, name.removesuffix(".gz"))
        if isinstance(source, JsonlSource):
            source.compressed, source.container = True, "jsonl.gz"
            return source
        raise DatasetError("gzip is supported for JSON Lines; decompress this file first", path)
    return _text_source(path, raw, name)


def _text_source(path: str, raw: bytes, name: str) -> Source:
    encoding = TextEncoding(raw, path)
    if encoding.is_utf8 and looks_like_utf16_without_bom(raw):
        raise DatasetError("this looks like UTF-16 without a byte-order mark; re-save it as UTF-8", path)
    if name.endswith(".tsv"):
        return CsvSource(path, raw, "\t")
    if name.endswith(".csv"):
        return CsvSource(path, raw)
    if name.endswith(".jsonl") or name.endswith(".ndjson"):
        return JsonlSource(path, raw)
    head = encoding.to_utf8(raw[:1 << 16] if encoding.is_utf8 else raw).lstrip()
    if head.startswith(b"["):
        return JsonSource(path, raw)
    if head.startswith(b"{"):
        return JsonlSource(path, raw) if _is_jsonl(head, raw, encoding) else JsonSource(path, raw)
    if name.endswith(".json") or not head:
        return JsonSource(path, raw) if head else JsonlSource(path, raw)
    raise DatasetError("not a dataset this app reads (JSON, JSONL, CSV/TSV, Parquet, Arrow or a Hugging Face "
                       "folder)", path)


def _is_jsonl(head: bytes, raw: bytes, encoding: TextEncoding) -> bool:
    """JSONL when the first line parses on its own and another non-blank line follows it."""
    from explorer.core.containers.jsontext import LineError, parse

    text = encoding.to_utf8(raw) if not encoding.is_utf8 else raw[len(encoding.bom):]
    first, _, rest = text.lstrip().partition(b"\n")
    try:
        parse(first)
    except LineError:
        return False
    return bool(rest.strip())


def _open_folder(folder: Path, split: str | None) -> Source:
    if (folder / "dataset_dict.json").is_file() or (folder / "state.json").is_file():
        return read_hf_folder(folder, split)
    files = sorted(f for f in folder.rglob("*") if f.is_file() and f.name.lower().endswith(DATA_SUFFIXES)
                   and not f.name.startswith(".") and f.name not in ("dataset_info.json", "state.json"))
    if not files:
        raise DatasetError("the folder holds no dataset files (Parquet, Arrow, JSON, JSONL, CSV)", str(folder))
    by_split: dict[str, list[Path]] = {}
    for f in files:
        words = re.split(r"[^a-z]+", str(f.relative_to(folder)).lower())
        name = next((w for w in _SPLIT_WORDS if w in words), "train")
        by_split.setdefault(name, []).append(f)
    if split is None:
        split = "train" if "train" in by_split else sorted(by_split)[0]
    chosen = by_split.get(split)
    if not chosen:
        raise DatasetError(f"no split {split!r}; the folder has {', '.join(sorted(by_split))}", str(folder))
    if len(chosen) == 1:
        return open_source(chosen[0])
    if all(f.suffix in (".parquet", ".arrow") for f in chosen):
        import pyarrow as pa

        sources = [open_source(f) for f in chosen]
        table = pa.concat_tables([s.table for s in sources if isinstance(s, ArrowSource)], promote_options="default")
        return ArrowSource(str(folder), table, "parquet", f"split {split}: {len(chosen)} files")
    raise DatasetError(f"split {split!r} has {len(chosen)} files; open one of them: "
                       + ", ".join(f.name for f in chosen[:5]), str(folder))
